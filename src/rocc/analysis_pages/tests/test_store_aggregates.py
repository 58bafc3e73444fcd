"""Hot spots on the event store are counted in the engine (the grid, and each cell's units): the result is identical
to the run over the whole event frame, on the default DuckDB engine and on PostgreSQL, and the frame is not read."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis_pages.runners import analysis_compute
from rocc.analysis_pages.sources import StoreEvents, events_table
from rocc.events.selectors import events_frame
from rocc.events.testing import event_store, events_create, events_engine_on_postgresql  # noqa: F401  (event_store is a fixture)

STORE = {"coordinates": "nztm", "drop_unlocated": True, "offence_codes_are": "anzsoc", "x": "x", "y": "y", "offence": "offence_code"}
RUNS = [
    {**STORE, "cell": 500, "place": "unit_name", "places_are": "unit"},
    {**STORE, "cell": 250, "bandwidth": 600, "place": "unit_name", "places_are": "unit", "correction": "none"},
    {**STORE, "cell": 400, "permutations": 99, "seed": 5},
    {**STORE, "cell": 1000},
]
FILTERS = [
    {},
    {"date_from": "2024-02-01", "date_to": "2024-05-31"},
    {"offence_codes": ["02"]},
]
UNIT_NAMES = {"north-shore": "North Shore", "rodney": "Rodney"}


@pytest.fixture
def stored(event_store, analyst):
    rng = np.random.default_rng(16)
    start = dt.date(2024, 1, 1)
    rows = []
    for i in range(400):
        row = {
            "event_id": f"H{i:03d}",
            "date": f"{start + dt.timedelta(days=int(rng.integers(0, 200)))} {int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}",
            "offence_code": ["0711", "0211", "0411"][i % 3],
            "unit": ["North Shore", "Rodney"][i % 4 == 0],
        }
        if i % 9:  # some events have no place
            centre = (1755000, 5925000) if i % 5 else (1752000, 5931000)  # a second, tighter cluster
            spread = 1500 if i % 5 else 300
            row |= {"x": round(centre[0] + rng.normal(0, spread)), "y": round(centre[1] + rng.normal(0, spread))}
        rows.append(row)
    events_create(user=analyst, rows=rows)
    return rows


def _refused(header: bool = True):
    raise AssertionError("the run read the event frame")


def _same_on_engine_and_frame(analyst, unit_code: str) -> None:
    named = []
    for filters in FILTERS:
        every = {"unit_code": unit_code, "date_from": None, "date_to": None, "offence_codes": None, **filters}
        counted = StoreEvents(user=analyst, filters=every, frame_of=_refused)

        def whole(header: bool = True, every=every):
            full = events_frame(user=analyst, **every)
            full["unit_name"] = full["unit_code"].map(UNIT_NAMES)
            return full

        for params in RUNS:
            ours = analysis_compute("hotspots", params, counted)
            theirs = analysis_compute("hotspots", params, whole)
            assert json.dumps(ours.result, sort_keys=True) == json.dumps(theirs.result, sort_keys=True), (filters, params)
            named += [spot for spot in ours.result["top_hot_spots"] if spot["place_from"] == "unit"]
    assert named, "the runs compared name hot spots by their units"


def test_hot_spots_counted_in_the_engine_are_identical_to_the_run_on_the_frame(stored, analyst, waitemata):
    _same_on_engine_and_frame(analyst, waitemata.code)


def test_a_run_the_counts_cannot_give_reads_the_frame_and_gives_the_same(stored, analyst, waitemata):
    every = {"unit_code": waitemata.code, "date_from": None, "date_to": None, "offence_codes": None}
    harm = {**RUNS[0], "harm": "0711,3\n0211,10\n0411,1"}
    with pytest.raises(AssertionError, match="read the event frame"):
        analysis_compute("hotspots", harm, StoreEvents(user=analyst, filters=every, frame_of=_refused))
    ours = analysis_compute("hotspots", harm, events_table(user=analyst, kind="hotspots", **every))

    def whole(header: bool = True):
        full = events_frame(user=analyst, **every)
        full["unit_name"] = full["unit_code"].map(UNIT_NAMES)
        return full

    assert json.dumps(ours.result, sort_keys=True) == json.dumps(analysis_compute("hotspots", harm, whole).result, sort_keys=True)


def test_the_engine_counts_refuse_as_the_frame_does(stored, analyst, waitemata):
    nothing = {"unit_code": waitemata.code, "date_from": "2030-01-01", "date_to": None, "offence_codes": None}
    with pytest.raises(AnalysisInputError, match="no events in the store for these filters"):
        analysis_compute("hotspots", RUNS[0], StoreEvents(user=analyst, filters=nothing, frame_of=_refused))
    with pytest.raises(AnalysisInputError, match="more than 4,000,000"):
        analysis_compute("hotspots", {**RUNS[0], "cell": 1}, events_table(user=analyst, kind="hotspots", unit_code=waitemata.code))


def test_the_engine_counts_keep_to_the_scope(stored, make_user, waitemata):
    rodney = make_user("analyst", units=["rodney"], username="rodney-analyst")
    every = {"unit_code": None, "date_from": None, "date_to": None, "offence_codes": None}
    ours = analysis_compute("hotspots", RUNS[3], StoreEvents(user=rodney, filters=every, frame_of=_refused)).result
    assert ours["events"] == int(events_frame(user=rodney)[["x", "y"]].notna().all(axis=1).sum()) > 0
    assert ours["events"] < len([r for r in stored if "x" in r])


@pytest.mark.postgres
def test_on_postgresql_the_engine_counts_are_identical_too(stored, analyst, waitemata, settings, monkeypatch):
    with events_engine_on_postgresql(settings, monkeypatch):
        _same_on_engine_and_frame(analyst, waitemata.code)


# --- hot times ------------------------------------------------------------------------------------

HOT_TIMES = {"start": "date_from", "end": "date_to", "offence": "offence_code", "offence_codes_are": "anzsoc"}
HOT_TIME_RUNS = [
    HOT_TIMES,
    {**HOT_TIMES, "date_only": "apart"},
    {**HOT_TIMES, "midnight_is_a_time": True},
]


@pytest.fixture
def timed(event_store, analyst):
    """Events with one time, windows inside an hour and across hours, dates without a time, runs of days and
    windows longer than a week."""
    rng = np.random.default_rng(61)
    rows = []
    for i in range(300):
        day = dt.datetime(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 150)))
        start = day + dt.timedelta(hours=int(rng.integers(0, 24)), minutes=int(rng.integers(0, 60)))
        kind = i % 6
        if kind == 0:  # one time
            row = {"date_from": f"{start:%Y-%m-%d %H:%M}", "date_to": ""}
        elif kind == 1:  # inside its hour
            end = start.replace(minute=59) if start.minute < 59 else start
            row = {"date_from": f"{start:%Y-%m-%d %H:%M}", "date_to": f"{end:%Y-%m-%d %H:%M}"}
        elif kind == 2:  # across hours
            end = start + dt.timedelta(minutes=int(rng.integers(30, 600)))
            row = {"date_from": f"{start:%Y-%m-%d %H:%M}", "date_to": f"{end:%Y-%m-%d %H:%M}"}
        elif kind == 3:  # a date without a time
            row = {"date_from": f"{day:%Y-%m-%d}", "date_to": ""}
        elif kind == 4:  # a run of days
            row = {"date_from": f"{day:%Y-%m-%d}", "date_to": f"{day + dt.timedelta(days=int(rng.integers(1, 4))):%Y-%m-%d}"}
        else:  # some longer than a week
            end = start + dt.timedelta(days=int(rng.integers(1, 12)))
            row = {"date_from": f"{start:%Y-%m-%d %H:%M}", "date_to": f"{end:%Y-%m-%d %H:%M}"}
        rows.append({"event_id": f"T{i:03d}", **row, "offence_code": ["0711", "0211"][i % 2], "unit": ["North Shore", "Rodney"][i % 3 == 0]})
    events_create(user=analyst, rows=rows)
    return rows


def _hot_times_same_on_engine_and_frame(analyst, unit_code: str) -> None:
    for filters in FILTERS:
        every = {"unit_code": unit_code, "date_from": None, "date_to": None, "offence_codes": None, **filters}
        counted = StoreEvents(user=analyst, filters=every, frame_of=_refused)

        def whole(header: bool = True, every=every):
            return events_frame(user=analyst, **every)

        for params in HOT_TIME_RUNS:
            ours = analysis_compute("hot_times", params, counted)
            theirs = analysis_compute("hot_times", params, whole)
            assert json.dumps(ours.result, sort_keys=True) == json.dumps(theirs.result, sort_keys=True), (filters, params)
            summary = ours.result["summary"]
            assert summary["single_time"] and summary["windowed"] and summary["long_windows"]
            assert summary["date_only"] or params.get("midnight_is_a_time")


def test_hot_times_counted_in_the_engine_are_identical_to_the_run_on_the_frame(timed, analyst, waitemata):
    _hot_times_same_on_engine_and_frame(analyst, waitemata.code)


def test_harm_weighted_hot_times_read_the_frame(timed, analyst, waitemata):
    every = {"unit_code": waitemata.code, "date_from": None, "date_to": None, "offence_codes": None}
    with pytest.raises(AssertionError, match="read the event frame"):
        analysis_compute("hot_times", {**HOT_TIMES, "harm": "0711,3\n0211,10"}, StoreEvents(user=analyst, filters=every, frame_of=_refused))


@pytest.mark.postgres
def test_on_postgresql_hot_times_counted_in_the_engine_are_identical_too(timed, analyst, waitemata, settings, monkeypatch):
    with events_engine_on_postgresql(settings, monkeypatch):
        _hot_times_same_on_engine_and_frame(analyst, waitemata.code)
