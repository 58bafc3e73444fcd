"""Repeat victims on the event store are counted in the engine (each victim's events in the window by offence code):
the result is identical to the run over every victim row, on the default DuckDB engine and on PostgreSQL, the rows
are not read, and the read is checked and recorded as the rows' read is."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis_pages.runners import analysis_compute
from rocc.analysis_pages.sources import StoreEvents
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.selectors import persons_frame
from rocc.events.testing import event_store, events_create, events_engine_on_postgresql  # noqa: F401  (event_store is a fixture)

PURPOSE = "Victim Focus review for the district"
PERSON = {"person": "person_key", "date": "date_from", "offence_codes_are": "anzsoc"}
RUNS = [
    {**PERSON, "offence": "offence_code", "window_days": 365, "serious_codes": ["02"]},
    {**PERSON, "offence": "offence_code", "window_days": 90, "as_of": "2024-05-31", "serious_codes": ["0711", "041"]},
    {**PERSON, "window_days": 365},
    {**PERSON, "offence": "offence_code", "window_days": 200, "harm": "0711,3\n0211,10\n0212,10\n0411,1.5", "serious_harm": 10},
    {**PERSON, "offence": "offence_code", "window_days": 30, "as_of": "2024-03-15", "harm": "07,2.5\n02,7", "default_weight": 0.1},
]
FILTERS = [
    {},
    {"date_from": "2024-02-01", "date_to": "2024-06-30"},
    {"offence_codes": ["02", "07"]},
]


@pytest.fixture
def victimised(event_store, analyst):
    """Events over half a year with one or two victims each, drawn from 60 people so that many are repeat victims,
    several on the same day and with several offences."""
    rng = np.random.default_rng(24)
    start = dt.date(2024, 1, 1)
    rows = []
    for i in range(500):
        people = [f"P{int(p):02d}" for p in rng.choice(60, size=1 + int(i % 7 == 0), replace=False)]
        rows.append(
            {
                "event_id": f"R{i:03d}",
                "date": f"{start + dt.timedelta(days=int(rng.integers(0, 180)))} {int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}",
                "offence_code": ["0711", "0211", "0411", "0212"][int(rng.integers(0, 4))],
                "unit": ["North Shore", "Rodney"][i % 4 == 0],
                "victim": "|".join(people),
            }
        )
    events_create(user=analyst, rows=rows)
    return rows


def _refused(header: bool = True):
    raise AssertionError("the run read the victims' rows")


def _same_in_the_engine_and_on_the_rows(analyst, unit_code: str) -> None:
    seen = set()
    for filters in FILTERS:
        every = {"unit_code": unit_code, "date_from": None, "date_to": None, "offence_codes": None, **filters}
        counted = StoreEvents(user=analyst, filters=every, frame_of=_refused, purpose=PURPOSE)

        def rows(header: bool = True, every=every):
            return persons_frame(user=analyst, purpose=PURPOSE, role="victim", **every)

        for params in RUNS:
            ours = analysis_compute("repeat_victims", params, counted)
            theirs = analysis_compute("repeat_victims", params, rows)
            assert ours.holds_person_level and theirs.holds_person_level
            assert json.dumps(ours.result, sort_keys=True) == json.dumps(theirs.result, sort_keys=True), (filters, params)
            summary = ours.result["summary"]
            assert summary["repeat_victims"] > 0
            seen |= {key for key in ("events_before_window", "events_after_as_of", "harm", "serious_victims") if summary.get(key)}
            seen |= {"offences"} if any(p.get("offences") for p in ours.result["persons"]) else set()
    assert seen == {"events_before_window", "events_after_as_of", "harm", "serious_victims", "offences"}, seen


def test_repeat_victims_counted_in_the_engine_are_identical_to_the_run_on_the_rows(victimised, analyst, waitemata):
    _same_in_the_engine_and_on_the_rows(analyst, waitemata.code)


def test_the_engine_counts_are_a_person_level_read_checked_and_recorded(victimised, analyst, make_user, waitemata):
    every = {"unit_code": waitemata.code, "date_from": None, "date_to": None, "offence_codes": None}
    looks = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS)
    before = looks.count()
    analysis_compute("repeat_victims", RUNS[0], StoreEvents(user=analyst, filters=every, frame_of=_refused, purpose=PURPOSE))
    recorded = looks.order_by("-pk").first()
    assert looks.count() == before + 1 and recorded.actor == analyst and recorded.purpose == PURPOSE
    assert recorded.details["what"].startswith("victims' event counts (unit waitemata")
    viewer = make_user("viewer", units=["waitemata"], username="viewer-v")
    with pytest.raises(PermissionDenied):
        analysis_compute("repeat_victims", RUNS[0], StoreEvents(user=viewer, filters=every, frame_of=_refused, purpose=PURPOSE))
    unlisted = {**RUNS[3], "harm": "0711,3\n0211,10"}  # 0212 and 0411 have no weight: the rows' run names the first
    with pytest.raises(AssertionError, match="read the victims' rows"):
        analysis_compute("repeat_victims", unlisted, StoreEvents(user=analyst, filters=every, frame_of=_refused, purpose=PURPOSE))
    nothing = {**every, "date_from": "2030-01-01"}
    with pytest.raises(AnalysisInputError, match="no events in the store for these filters"):
        analysis_compute("repeat_victims", RUNS[0], StoreEvents(user=analyst, filters=nothing, frame_of=_refused, purpose=PURPOSE))


@pytest.mark.postgres
def test_on_postgresql_the_engine_counts_are_identical_too(victimised, analyst, waitemata, settings, monkeypatch):
    with events_engine_on_postgresql(settings, monkeypatch):
        _same_in_the_engine_and_on_the_rows(analyst, waitemata.code)
