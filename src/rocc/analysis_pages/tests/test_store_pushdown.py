"""Analyses on the event store pull only the columns their runs read (the engine selects them) and count the
selection in the engine: every result is identical to the run over the whole event frame."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from rocc.analysis_pages.runners import analysis_compute
from rocc.analysis_pages.sources import events_count, events_table, store_columns
from rocc.events.selectors import events_frame
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)

STORE = {"coordinates": "nztm", "drop_unlocated": True, "offence_codes_are": "anzsoc"}
RUNS = [
    ("hot_times", {"start": "date_from", "end": "date_to", "offence": "offence_code", "offence_codes_are": "anzsoc"}),
    ("hotspots", {**STORE, "x": "x", "y": "y", "cell": 500, "place": "unit_name", "places_are": "unit", "offence": "offence_code"}),
    ("hotspots", {**STORE, "x": "x", "y": "y", "cell": 500, "offence": "offence_code", "harm": "0711,3\n0211,10"}),
    ("concentration", {"unit": "unit_code", "group_by": "unit", "offence": "offence_code", "offence_codes_are": "anzsoc"}),
    ("concentration", {"unit": "unit_code", "group_by": "cell", "group_cell": 1000, "offence": "offence_code", "offence_codes_are": "anzsoc"}),
    ("harm", {"offence": "offence_code", "harm": "0711,3\n0211,10", "offence_codes_are": "anzsoc"}),
    (
        "near_repeat",
        {**STORE, "x": "x", "y": "y", "date": "date_from", "distance_bands": [0, 200, 400], "day_bands": [0, 7, 14], "permutations": 19, "seed": 3},
    ),
    ("spatial_description", {**STORE, "x": "x", "y": "y", "group": "unit_code", "group_label": "unit"}),
    ("point_pattern", {**STORE, "x": "x", "y": "y", "simulations": 9, "seed": 2}),
    ("space_time", {**STORE, "x": "x", "y": "y", "date": "date_from", "id": "event_id", "method": "chains", "max_distance": 300, "max_days": 10}),
]


@pytest.fixture
def stored(event_store, analyst):
    rng = np.random.default_rng(4)
    start = dt.date(2024, 1, 1)
    rows = []
    for i in range(150):
        row = {
            "event_id": f"P{i}",
            "date": f"{start + dt.timedelta(days=int(rng.integers(0, 200)))} {int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}",
            "offence_code": ["0711", "0211"][i % 2],
            "unit": ["North Shore", "Rodney"][i % 3 == 0],
        }
        if i % 7:  # some events have no place
            row |= {"x": round(1755000 + rng.normal(0, 1500)), "y": round(5925000 + rng.normal(0, 1500))}
        rows.append(row)
    events_create(user=analyst, rows=rows)
    return rows


@pytest.mark.parametrize(("kind", "params"), RUNS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(RUNS)])
def test_a_run_on_the_columns_it_reads_is_identical_to_the_run_on_the_whole_frame(stored, analyst, waitemata, kind, params):
    filters = {"unit_code": waitemata.code, "date_from": None, "date_to": None, "offence_codes": None}
    pulled = events_table(user=analyst, kind=kind, **filters)
    frame = pulled()
    assert list(frame.columns) == [*store_columns(kind), *(["unit_name"] if kind == "hotspots" else [])]

    def whole(header: bool = True):
        full = events_frame(user=analyst, unit_code=waitemata.code)
        if kind == "hotspots":
            full["unit_name"] = full["unit_code"].map({"north-shore": "North Shore", "rodney": "Rodney"})
        return full

    ours = analysis_compute(kind, params, pulled)
    theirs = analysis_compute(kind, params, whole)
    assert json.dumps(ours.result, sort_keys=True) == json.dumps(theirs.result, sort_keys=True)
    assert ours.holds_person_level == theirs.holds_person_level


def test_the_selection_is_counted_in_the_engine(stored, analyst, waitemata):
    for filters in ({}, {"date_from": "2024-03-01", "date_to": "2024-05-31"}, {"offence_codes": ["02"]}):
        every = {"unit_code": waitemata.code, "date_from": None, "date_to": None, "offence_codes": None, **filters}
        expected = len(events_frame(user=analyst, **every))
        assert events_count(user=analyst, kind="hot_times", **every) == expected > 0
