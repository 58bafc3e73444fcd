"""The centre, spread and direction page on an uploaded file and on the event store: the library's figures by group and
period, the drawing, located errors that keep nothing, and saving a run."""

from __future__ import annotations

from rocc.analysis.centrography import centre_and_spread
from rocc.analysis_pages.models import AnalysisRun, SavedAnalysis
from rocc.analysis_pages.tests.test_event_store import stored  # noqa: F401  (a fixture)
from rocc.analysis_pages.tests.test_pages import followed, run, text
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.testing import event_store  # noqa: F401  (a fixture)

CSV = (
    "x,y,offence,date\n"
    + "".join(f"{1755000 + 100 * i},{5925000 + 100 * i + (i % 2) * 20},burglary,2024-01-{1 + i:02d}\n" for i in range(10))
    + "".join(f"{1760000 + 50 * (i % 3)},{5920000 + 30 * i},theft,2024-02-{1 + i:02d}\n" for i in range(6))
).encode()


def test_centre_and_spread_by_group_from_an_uploaded_file_are_the_librarys_and_can_be_saved(analyst_client, upload, waitemata):
    _, upload_id = upload("spatial-description", ("events.csv", CSV))
    fields = {"x": "x", "y": "y", "group": "offence", "date": "date", "period": "month", "coordinates": "nztm"}
    page = followed(analyst_client, run(analyst_client, "spatial-description", upload_id, waitemata, **fields))
    html = text(page)
    rows = [line.split(",") for line in CSV.decode().strip().splitlines()[1:]]
    expected = centre_and_spread(
        x=[float(r[0]) for r in rows], y=[float(r[1]) for r in rows], groups=[r[2] for r in rows], dates=[r[3] for r in rows], period="month"
    )
    burglary = expected.row("burglary")
    assert f"{burglary.mean_x:,.0f}" in html and f"{burglary.standard_distance:,.0f}" in html
    assert expected.summary in html
    assert round(burglary.ellipse_bearing) == 45 and "45°" in html  # the burglaries run up a north-east road
    assert '<ellipse cx="' in html and "Centre and spread by offence and month" in html
    assert html.count('<tr><th scope="row">') == len(expected.rows)
    run_row = AnalysisRun.objects.get()
    response = analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "Where burglary and theft sit"})
    assert response.status_code == 302 and SavedAnalysis.objects.get().kind == "spatial_description"
    assert "Centre, spread and direction" in text(analyst_client.get(response["Location"]))


def test_periods_without_a_date_column_are_refused_on_the_form(analyst_client, upload, waitemata):
    _, upload_id = upload("spatial-description", ("events.csv", CSV))
    response = run(analyst_client, "spatial-description", upload_id, waitemata, x="x", y="y", period="month", coordinates="nztm")
    assert response.status_code == 400 and "Periods need the date column." in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_centre_and_spread_of_the_stored_burglaries_by_month_read_no_persons(analyst_client, stored, waitemata):  # noqa: F811
    response = analyst_client.post(
        "/analyses/spatial-description/run-events/",
        {"ev-scope_unit": waitemata.pk, "ev-coordinates": "nztm", "ev-period": "quarter", "ev-events_group": "offence_division"},
    )
    assert response.status_code == 302, text(response)[:3000]
    result = AnalysisRun.objects.get().result
    assert result["events"] == 120 and result["period"] == "quarter" and result["group_label"] == "offence division"
    assert {r["group"] for r in result["rows"]} == {"all", "07"}
    assert "Mean centres, standard distances and ellipses" in text(analyst_client.get(response["Location"]))
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 0
