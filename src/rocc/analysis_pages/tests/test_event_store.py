"""Analyses over the events in the store, read through the events capability's scoped selectors: events
without persons for places and times; persons (pseudonymised keys) only with a stated purpose, recorded."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from rocc.analysis_pages.models import AnalysisRun, SavedAnalysis
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def stored(event_store, analyst):
    """Burglaries on the North Shore: a tight cluster over a fortnight, and others scattered over the year."""
    rng = np.random.default_rng(11)
    rows = []
    start = dt.date(2024, 1, 1)
    for i in range(40):
        rows.append(
            {
                "event_id": f"C{i}",
                "date": str(start + dt.timedelta(days=150 + int(rng.integers(0, 14)))),
                "offence_code": "0711",
                "unit": "North Shore",
                "x": round(1755000 + rng.normal(0, 60)),
                "y": round(5925000 + rng.normal(0, 60)),
                "victim": f"V{i % 25}",
                "offender": [f"O{i % 6}", f"O{(i + 1) % 6}"] if i % 3 == 0 else [f"O{i % 6}"],
            }
        )
    for i in range(80):
        rows.append(
            {
                "event_id": f"S{i}",
                "date": str(start + dt.timedelta(days=int(rng.integers(0, 360)))),
                "offence_code": "0711",
                "unit": "North Shore",
                "x": round(rng.uniform(1748000, 1762000)),
                "y": round(rng.uniform(5918000, 5932000)),
                "victim": f"W{i}",
                "offender": [f"Q{i}"],
            }
        )
    events_create(user=analyst, rows=rows)
    return rows


def test_hot_spots_of_the_stored_events_find_the_cluster(analyst_client, stored, waitemata):
    page = text(analyst_client.get("/analyses/hotspots/"))
    assert "From the event store" in page
    response = analyst_client.post(
        "/analyses/hotspots/run-events/",
        {
            "events-date_from": "2024-01-01",
            "events-date_to": "2024-12-31",
            "events-offence_codes": "07",
            "ev-scope_unit": waitemata.pk,
            "ev-cell": "200",
            "ev-coordinates": "nztm",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    run = AnalysisRun.objects.get()
    assert run.data_source == "events" and run.result["events"] == 120
    hottest = max(run.result["cells"], key=lambda c: c["gi_z"] or 0)
    assert abs(hottest["x"] - 1755000) <= 200 and abs(hottest["y"] - 5925000) <= 200 and hottest["hot"] == "99"
    assert "events in the store, Waitematā; 2024-01-01 to 2024-12-31; offences 07" == run.source


def test_near_repeats_of_the_stored_burglaries_read_no_persons(analyst_client, stored, waitemata):
    response = analyst_client.post(
        "/analyses/near-repeat/run-events/",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-coordinates": "nztm",
            "ev-event_label": "burglary",
            "ev-distance_bands": "0,200,400,inf",
            "ev-day_bands": "0,14,28,inf",
            "ev-metric": "manhattan",
            "ev-permutations": "99",
            "ev-seed": "5",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    html = text(analyst_client.get(response["Location"]))
    assert "Within 200 m and 14 days of a burglary, the risk of another is" in html
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 0


def test_repeat_victims_from_the_store_need_a_purpose_which_is_recorded(analyst_client, analyst, stored, waitemata):
    fields = {"ev-scope_unit": waitemata.pk, "ev-window_days": "400", "ev-as_of": "2024-12-31"}
    refused = analyst_client.post("/analyses/repeat-victims/run-events/", fields)
    assert refused.status_code == 400 and "state its purpose" in refused.content.decode()
    assert AnalysisRun.objects.count() == 0
    response = analyst_client.post("/analyses/repeat-victims/run-events/", {**fields, "purpose": "Victim Focus review, North Shore"})
    assert response.status_code == 302, text(response)[:3000]
    run = AnalysisRun.objects.get()
    # 40 cluster events over 25 victims (15 of them twice) and 80 victims once.
    assert run.result["summary"]["prevalence"] == 105 and run.result["summary"]["repeat_victims"] == 15
    assert all(len(p["person"]) == 32 for p in run.result["persons"])  # pseudonymised keys, never identifiers
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, actor=analyst, purpose="Victim Focus review, North Shore").exists()
    saved = analyst_client.post(f"/analyses/runs/{run.pk}/save/", {"title": "North Shore repeat victims"})
    assert saved.status_code == 302
    stored_analysis = SavedAnalysis.objects.get()
    assert stored_analysis.parameters["events"]["unit_code"] == "waitemata" and "purpose" not in stored_analysis.parameters["events"]


def test_a_co_offending_network_from_the_store_links_a_node_to_a_person_by_identifier(analyst_client, analyst, stored, waitemata):
    from rocc.analysis_pages.models import NodePersonLink
    from rocc.events.pseudonym import person_key

    response = analyst_client.post(
        "/analyses/network/run-events/",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-format": "edges",
            "ev-key_players": "1",
            "ev-communities": "leiden",
            "ev-resolution": "1",
            "ev-seed": "0",
            "purpose": "Co-offending among North Shore burglars",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    run = AnalysisRun.objects.get()
    nodes = {n["node"] for n in run.result["nodes"]}
    assert person_key("O0") in nodes and person_key("O1") in nodes  # O0 and O1 offended together
    analyst_client.post(f"/analyses/runs/{run.pk}/save/", {"title": "Co-offenders", "keep_persons": "on"})
    saved = SavedAnalysis.objects.get()
    linked = analyst_client.post(
        f"/analyses/saved/{saved.pk}/links/",
        {
            "node": person_key("O0"),
            "identifier": "O0",
            "purpose": "Confirm the person behind the hub",
        },
    )
    assert linked.status_code == 302
    assert NodePersonLink.objects.get().person_key == person_key("O0")
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, object_id=person_key("O0"), purpose="Confirm the person behind the hub").exists()
