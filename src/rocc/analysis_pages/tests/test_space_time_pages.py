"""The space–time interaction page (Jacquez, Mantel, near-repeat chains) on an uploaded file and on the event store:
the library's figures on the page, located errors that keep nothing, and saving a run."""

from __future__ import annotations

import numpy as np

from rocc.analysis.inputs import date_column, numeric_column, read_table
from rocc.analysis.space_time import jacquez_knn, mantel_test, near_repeat_chains
from rocc.analysis_pages.models import AnalysisRun, RunStatus, SavedAnalysis
from rocc.analysis_pages.tests.conftest import CHICAGO
from rocc.analysis_pages.tests.test_event_store import stored  # noqa: F401  (a fixture)
from rocc.analysis_pages.tests.test_pages import followed, run, text
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.testing import event_store  # noqa: F401  (a fixture)

SPACE_TIME = {"x": "1", "y": "2", "date": "3", "coordinates": "metres", "event_label": "burglary", "permutations": "99", "seed": "1"}


def chicago():
    frame = read_table(CHICAGO, header=False)
    return numeric_column(frame, "1"), numeric_column(frame, "2"), date_column(frame, "3")


def test_jacquez_from_an_uploaded_file_shows_each_k_against_chance(analyst_client, upload, waitemata):
    _, upload_id = upload("space-time", CHICAGO, no_header=True)
    html = text(followed(analyst_client, run(analyst_client, "space-time", upload_id, waitemata, **SPACE_TIME, method="jacquez", k="4")))
    xs, ys, days = chicago()
    expected = jacquez_knn(x=xs, y=ys, dates=days, k_max=4, permutations=99, seed=1, event_label="burglary")
    assert expected.summary in html.replace("&#x27;", "'")
    assert html.count('<th scope="row" class="num">') == 4
    assert f'<td class="num">{int(expected.j_observed[0])}' in html
    assert AnalysisRun.objects.get().result["j_observed"] == expected.j_observed.tolist()


def test_mantel_from_an_uploaded_file_gives_r_z_and_p(analyst_client, upload, waitemata):
    _, upload_id = upload("space-time", CHICAGO, no_header=True)
    html = text(followed(analyst_client, run(analyst_client, "space-time", upload_id, waitemata, **SPACE_TIME, method="mantel", transform="reciprocal")))
    xs, ys, days = chicago()
    expected = mantel_test(x=xs, y=ys, dates=days, permutations=99, seed=1, event_label="burglary")
    assert f"Mantel r = {expected.r:.3f}" in html and f"{expected.r:.4f}" in html
    assert "1 / (metres + 1) and 1 / (days + 1)" in html


def test_chains_from_an_uploaded_file_are_counted_and_listed_and_can_be_saved(analyst_client, upload, waitemata):
    _, upload_id = upload("space-time", CHICAGO, no_header=True)
    response = run(analyst_client, "space-time", upload_id, waitemata, **SPACE_TIME, method="chains", max_distance="400", max_days="7")
    page = followed(analyst_client, response)
    html = text(page)
    xs, ys, days = chicago()
    expected = near_repeat_chains(x=xs, y=ys, dates=days, max_distance=400, max_days=7, event_label="burglary")
    assert expected.summary in html
    assert html.count('<tr><td class="num">1</td><td class="num">18</td>') == 18  # every event of the largest chain listed
    run_row = AnalysisRun.objects.get()
    saved = analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "Chicago chains, January 2016"})
    assert saved.status_code == 302
    stored = SavedAnalysis.objects.get()
    assert stored.kind == "space_time" and stored.result["events_in_chains"] == expected.events_in_chains
    assert expected.summary in text(analyst_client.get(saved["Location"]))


def test_chains_without_a_distance_are_refused_on_the_form_and_nothing_runs(analyst_client, upload, waitemata):
    _, upload_id = upload("space-time", CHICAGO, no_header=True)
    response = run(analyst_client, "space-time", upload_id, waitemata, **SPACE_TIME, method="chains", max_days="7")
    assert response.status_code == 400 and "Chains need the distance and the days that link two events." in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_mantel_over_too_many_events_says_so_and_keeps_nothing(analyst_client, upload, waitemata):
    rows = "\n".join(f"{i},{i * 2},2024-01-{1 + i % 28:02d}" for i in range(5001))
    _, upload_id = upload("space-time", ("many.csv", f"x,y,date\n{rows}\n".encode()))
    fields = {**SPACE_TIME, "x": "x", "y": "y", "date": "date", "method": "mantel", "permutations": "1"}
    response = run(analyst_client, "space-time", upload_id, waitemata, **fields)
    assert response.status_code == 400 and "at most 5,000 events" in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_chains_of_the_stored_burglaries_list_event_ids_and_read_no_persons(analyst_client, stored, waitemata):  # noqa: F811
    response = analyst_client.post(
        "/analyses/space-time/run-events/",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-coordinates": "nztm",
            "ev-event_label": "burglary",
            "ev-method": "chains",
            "ev-max_distance": "300",
            "ev-max_days": "3",
            "ev-seed": "1",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    html = text(analyst_client.get(response["Location"]))
    run_row = AnalysisRun.objects.get()
    assert run_row.data_source == "events" and run_row.status == RunStatus.DONE
    cluster = [r for r in stored if r["event_id"].startswith("C")]
    assert run_row.result["events_in_chains"] >= len(cluster) // 2
    listed = {row["id"] for row in run_row.result["listing"]}
    assert listed and listed <= {r["event_id"] for r in stored} and any(i.startswith("C") for i in listed)
    assert "Near-repeat chains" in html and "burglary events" in html
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 0


def test_jacquez_of_the_stored_burglaries_finds_the_cluster(analyst_client, stored, waitemata):  # noqa: F811
    response = analyst_client.post(
        "/analyses/space-time/run-events/",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-coordinates": "nztm",
            "ev-event_label": "burglary",
            "ev-method": "jacquez",
            "ev-k": "5",
            "ev-permutations": "199",
            "ev-seed": "3",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    result = AnalysisRun.objects.get().result
    assert result["n_events"] == 120 and result["k_max"] == 5
    assert min(result["j_p_value"]) <= 0.05 and np.all(np.asarray(result["j_observed"]) >= 0)
