"""Displacement counted from the event store around a saved hot spot: its hot cells as the target, a buffer ring, and
a control unit or ring, for the before and after periods and the offence codes; counts checked by hand, scoped to the
user, and run on the displacement page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis_pages.displacement_sources import displacement_counts_from_hot_spot
from rocc.analysis_pages.models import AnalysisRun, SavedAnalysis
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)

X0, Y0 = 1_755_000, 5_925_000
BEFORE = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
AFTER = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))


@pytest.fixture
def hot_spot(analyst, waitemata):
    """A saved hot-spot grid of 100 m cells in NZTM2000: two hot cells side by side (the target is the rectangle
    x 0–200 m, y 0–100 m from X0, Y0) and a third, not hot, east of them."""
    cells = [
        {"x": X0 + 50.0, "y": Y0 + 50.0, "count": 3, "density": 1.0, "gi_z": 3.2, "gi_p": 0.001, "hot": "99"},
        {"x": X0 + 150.0, "y": Y0 + 50.0, "count": 2, "density": 1.0, "gi_z": 2.1, "gi_p": 0.03, "hot": "95"},
        {"x": X0 + 250.0, "y": Y0 + 50.0, "count": 1, "density": 0.5, "gi_z": 1.0, "gi_p": 0.3, "hot": None},
    ]
    return SavedAnalysis.objects.create(
        kind="hotspots",
        title="North Shore burglary hot spots",
        scope_unit=waitemata,
        source="events",
        created_by=analyst,
        result={"parameters": {"cell": 100.0, "crs": "EPSG:2193"}, "grid": {"origin": [X0, Y0], "rows": 1, "cols": 3}, "cells": cells},
    )


def _event(event_id, date, dx=None, dy=None, offence="0711"):
    row = {"event_id": event_id, "date": date, "offence_code": offence, "unit": "North Shore", "x": "", "y": ""}
    if dx is not None:
        row.update(x=X0 + dx, y=Y0 + dy)
    return row


@pytest.fixture
def stored(event_store, analyst):
    before, after = "2024-02-10", "2024-05-10"
    rows = [
        _event("T1", before, 100, 50),  # target
        _event("T2", before, 10, 90),  # target
        _event("T3", before, 150, 20),  # target
        _event("B1", before, 250, 50),  # buffer: 50 m east
        _event("B2", before, -50, -50),  # buffer: 70.7 m from the corner
        _event("C1", before, 500, 50),  # control ring: 300 m east
        _event("C2", before, 50, 500),  # control ring: 400 m north
        _event("F1", before, 1500, 50),  # 1.3 km: only in the control unit
        _event("N1", before),  # no coordinates: only in the control unit
        _event("O1", before, 100, 50, offence="0211"),  # in the target, but not a burglary
        _event("T4", after, 100, 60),  # target
        _event("B3", after, 300, 50),  # buffer: exactly 100 m east
        _event("B4", after, 100, 150),  # buffer: 50 m north
        _event("B5", after, 100, -50),  # buffer: 50 m south
        _event("C3", after, 400, 50),  # control ring: 200 m
        _event("F2", after, 2000, 50),
        _event("F3", after, 2000, 1050),
    ]
    events_create(user=analyst, rows=rows)
    return rows


def test_the_counts_around_the_hot_cells_are_those_counted_by_hand(stored, hot_spot, analyst):
    ring = displacement_counts_from_hot_spot(
        user=analyst, analysis_id=hot_spot.pk, choose="hot", top=None, buffer_m=100, before=BEFORE, after=AFTER, offence_codes=["07"], control_m=500
    )
    assert ring.counts == {"target": {"before": 3, "after": 1}, "buffer": {"before": 2, "after": 3}, "control": {"before": 2, "after": 1}}
    assert ring.unlocated == {"before": 1, "after": 0} and ring.target_cells == 2
    # The unit as control: its events that are in neither the target nor the buffer (those far out, and the one
    # with no coordinates).
    unit = displacement_counts_from_hot_spot(
        user=analyst,
        analysis_id=hot_spot.pk,
        choose="hot",
        top=None,
        buffer_m=100,
        before=BEFORE,
        after=AFTER,
        offence_codes=["07"],
        control_unit_code="waitemata",
    )
    assert unit.counts["control"] == {"before": 4, "after": 3}
    assert unit.counts["target"] == ring.counts["target"] and unit.counts["buffer"] == ring.counts["buffer"]
    # Only the cell hot at 99% as the target: T3 and the events east of it move out to the buffer or beyond.
    narrow = displacement_counts_from_hot_spot(
        user=analyst, analysis_id=hot_spot.pk, choose="hot_99", top=None, buffer_m=100, before=BEFORE, after=AFTER, offence_codes=["07"], control_m=500
    )
    assert narrow.counts["target"] == {"before": 2, "after": 1}
    # Every offence: the assault in the target counts too.
    every = displacement_counts_from_hot_spot(
        user=analyst, analysis_id=hot_spot.pk, choose="hot", top=None, buffer_m=100, before=BEFORE, after=AFTER, control_m=500
    )
    assert every.counts["target"] == {"before": 4, "after": 1}


def test_someone_outside_the_unit_cannot_count_around_the_hot_spot_and_bad_choices_are_refused(stored, hot_spot, analyst, make_user):
    outsider = make_user("analyst", units=["canterbury"], username="canterbury-analyst")
    with pytest.raises(Http404):
        displacement_counts_from_hot_spot(
            user=outsider, analysis_id=hot_spot.pk, choose="hot", top=None, buffer_m=100, before=BEFORE, after=AFTER, control_m=500
        )
    common = dict(user=analyst, analysis_id=hot_spot.pk, choose="hot", top=None, buffer_m=100, before=BEFORE, after=AFTER)
    with pytest.raises(AnalysisInputError, match="not both or neither"):
        displacement_counts_from_hot_spot(**common)
    with pytest.raises(AnalysisInputError, match="after period: it starts"):
        displacement_counts_from_hot_spot(**{**common, "after": (dt.date(2024, 3, 1), dt.date(2024, 6, 30))}, control_m=500)
    hot_spot.result = {**hot_spot.result, "parameters": {"cell": 100.0, "crs": None}}
    hot_spot.save()
    with pytest.raises(AnalysisInputError, match="not in NZTM2000"):
        displacement_counts_from_hot_spot(**common, control_m=500)


def test_the_displacement_page_counts_around_a_saved_hot_spot_and_runs_the_wdq(stored, hot_spot, analyst_client, waitemata):
    page = analyst_client.get("/analyses/displacement/").content.decode()
    assert "Counts from the event store around a saved hot spot" in page and "North Shore burglary hot spots" in page
    form = {
        "hs-scope_unit": waitemata.pk,
        "hs-analysis": hot_spot.pk,
        "hs-choose": "hot",
        "hs-buffer_m": "100",
        "hs-control": "ring",
        "hs-control_m": "500",
        "hs-before_from": "2024-01-01",
        "hs-before_to": "2024-03-31",
        "hs-after_from": "2024-04-01",
        "hs-after_to": "2024-06-30",
        "hs-offence_codes": "07",
        "hs-confidence": "0.95",
    }
    response = analyst_client.post("/analyses/displacement/from-hot-spot/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = AnalysisRun.objects.get(kind="displacement")
    assert run.parameters["counts"]["target"] == {"before": 3, "after": 1}
    assert run.parameters["areas_from_hot_spot"]["saved_analysis"] == hot_spot.pk
    # WDQ by hand: success 1/1 − 3/2 = −0.5, buffer 3/1 − 2/2 = 2, WDQ = 2 / −0.5 = −4.
    assert run.result["count"]["wdq"]["wdq"] == pytest.approx(-4.0)
    assert "North Shore burglary hot spots" in run.source
    # The unit as control, from the page: its events outside the target and the buffer.
    unit = analyst_client.post("/analyses/displacement/from-hot-spot/", {**form, "hs-control": "unit", "hs-control_unit": waitemata.pk})
    assert unit.status_code == 302
    assert AnalysisRun.objects.latest("pk").parameters["counts"]["control"] == {"before": 4, "after": 3}
    missing = analyst_client.post("/analyses/displacement/from-hot-spot/", {**form, "hs-control_m": "50"})
    assert missing.status_code == 400 and "must reach farther than the buffer" in missing.content.decode()
    assert AnalysisRun.objects.count() == 2
