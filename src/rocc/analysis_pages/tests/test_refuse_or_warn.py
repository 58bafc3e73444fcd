"""The analysis pages refuse or warn instead of misleading: dates without a time are not piled at midnight,
longitude and latitude outside New Zealand are refused, hot spots are corrected for testing many cells and
named by their places, the Power Few from the store groups events into places, and the near-repeat
sentence is the library's, the same on the page and from the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from rocc.analysis_pages.models import AnalysisRun, SavedAnalysis
from rocc.analysis_pages.tests.conftest import CHICAGO
from rocc.cli.analyse import load_commands
from rocc.cli.main import app
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)

load_commands()


def run(client, slug: str, upload_id: int, scope, **fields):
    return client.post(f"/analyses/{slug}/run/", {"scope_unit": scope.pk, "upload": upload_id, **fields})


def page_of(client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    return re.sub(r"\s+", " ", client.get(response["Location"]).content.decode())


def test_dates_without_a_time_are_spread_over_their_day_and_the_page_says_how_many(analyst_client, upload, waitemata):
    content = b"from\n2024-07-01\n2024-07-01\n2024-07-02 14:30\n"  # two Mondays known only to the day
    _, upload_id = upload("hot-times", ("days.csv", content))
    html = page_of(analyst_client, run(analyst_client, "hot-times", upload_id, waitemata, start="from"))
    result = AnalysisRun.objects.get().result
    assert result["matrix"][0][0] == pytest.approx(2 / 24)  # not 2 at midnight
    assert result["summary"]["date_only"] == 2
    assert "2 known only to the day (spread over the hours of the day)" in html
    assert "2 events known only to the day are spread evenly over the hours of that day" in html


def test_dates_without_a_time_can_be_shown_apart_by_day_of_week(analyst_client, upload, waitemata):
    _, upload_id = upload("hot-times", ("days.csv", b"from\n2024-07-01\n2024-07-02 14:30\n"))
    html = page_of(analyst_client, run(analyst_client, "hot-times", upload_id, waitemata, start="from", date_only="apart"))
    result = AnalysisRun.objects.get().result
    assert sum(map(sum, result["matrix"])) == pytest.approx(1.0)
    assert 'id="date-only-by-day"' in html and '<th scope="row">Monday</th><td class="num">1.0</td>' in html


def test_longitude_and_latitude_outside_new_zealand_are_refused_by_the_importers_bounds(analyst_client, upload, waitemata):
    content = b"lon,lat\n174.76,-36.85\n-0.1276,51.5072\n"  # Auckland, then London
    _, upload_id = upload("hotspots", ("mixed.csv", content))
    response = run(analyst_client, "hotspots", upload_id, waitemata, x="lon", y="lat", coordinates="wgs84", cell="250")
    assert response.status_code == 400
    html = response.content.decode()
    assert "column &#x27;lon&#x27;, row 2: longitude -0.1276, latitude 51.5072 is outside New Zealand" in html
    assert "expected longitude 165.5 to 179 and latitude -48 to -34" in html
    assert AnalysisRun.objects.count() == 0 and SavedAnalysis.objects.count() == 0


def test_swapped_longitude_and_latitude_are_named_as_such(analyst_client, upload, waitemata):
    _, upload_id = upload("near-repeat", ("swapped.csv", b"lat,lon,date\n-36.85,174.76,2024-01-01\n-36.86,174.77,2024-01-02\n"))
    response = run(
        analyst_client,
        "near-repeat",
        upload_id,
        waitemata,
        x="lat",
        y="lon",
        date="date",
        coordinates="wgs84",
        event_label="burglary",
        distance_bands="0,100,inf",
        day_bands="0,7,inf",
        metric="manhattan",
        permutations="99",
        seed="1",
    )
    assert response.status_code == 400 and "are longitude and latitude swapped?" in response.content.decode()


def auckland_cluster() -> tuple[str, bytes]:
    rng = np.random.default_rng(7)
    cluster = np.column_stack([rng.normal(174.7633, 0.0015, 60), rng.normal(-36.8485, 0.0012, 60)])
    scatter = np.column_stack([rng.uniform(174.70, 174.82, 140), rng.uniform(-36.90, -36.80, 140)])
    places = ["Queen Street"] * 60 + [""] * 140
    rows = [f"{lon:.6f},{lat:.6f},{place}" for (lon, lat), place in zip(np.vstack([cluster, scatter]), places)]
    return "auckland.csv", ("lon,lat,place\n" + "\n".join(rows) + "\n").encode()


def test_hot_spots_are_corrected_by_default_and_the_top_ones_named_by_their_place(analyst_client, upload, waitemata):
    _, upload_id = upload("hotspots", auckland_cluster())
    html = page_of(analyst_client, run(analyst_client, "hotspots", upload_id, waitemata, x="lon", y="lat", place="place", coordinates="wgs84", cell="250"))
    result = AnalysisRun.objects.get().result
    assert result["parameters"]["correction"] == "fdr" and result["parameters"]["judged_by"] == "gi_p_fdr"
    first = result["top_hot_spots"][0]
    assert (first["place"], first["place_from"]) == ("Queen Street", "recorded place")
    assert "Hot spots are judged by p-values corrected for testing every cell at once" in html
    table = html.split('id="top-hot-spots"')[1].split("</table>")[0]
    assert "<td>1</td><td>Queen Street</td><td>recorded place</td>" in table and "&lt; 0.001" in table


def test_hot_spots_with_permutations_record_their_seed(analyst_client, upload, waitemata):
    _, upload_id = upload("hotspots", auckland_cluster())
    html = page_of(
        analyst_client,
        run(
            analyst_client, "hotspots", upload_id, waitemata, x="lon", y="lat", coordinates="wgs84", cell="500", permutations="99", seed="4", correction="none"
        ),
    )
    result = AnalysisRun.objects.get().result
    assert result["parameters"]["seed"] == 4 and result["parameters"]["permutations"] == 99
    assert "gi_p_sim" in result["cells"][0] and "gi_p_fdr" not in result["cells"][0]
    assert "p-values by 99 conditional permutations, seed 4" in html and "The p-values are not corrected" in html


def test_a_field_with_no_real_hot_spot_shows_none_on_the_page(analyst_client, upload, waitemata):
    rng = np.random.default_rng(3)
    rows = [f"{x:.0f},{y:.0f}" for x, y in zip(rng.uniform(1_750_000, 1_754_000, 2000), rng.uniform(5_910_000, 5_914_000, 2000))]
    _, upload_id = upload("hotspots", ("uniform.csv", ("x,y\n" + "\n".join(rows) + "\n").encode()))
    html = page_of(analyst_client, run(analyst_client, "hotspots", upload_id, waitemata, x="x", y="y", coordinates="nztm", cell="100"))
    result = AnalysisRun.objects.get().result
    assert result["hot_cells"]["95"] + result["hot_cells"]["99"] <= 8  # of 1 600 cells
    if not result["top_hot_spots"]:
        assert "No cell is a hot spot at 95% once the p-values are corrected for testing every cell" in html


@pytest.fixture
def stored(event_store, analyst):
    """Burglaries on the North Shore: 30 at one address, 20 scattered."""
    rng = np.random.default_rng(5)
    rows = [
        {
            "event_id": f"A{i}",
            "date": str(dt.date(2024, 3, 1) + dt.timedelta(days=i)),
            "offence_code": "0711",
            "unit": "North Shore",
            "x": 1755010,
            "y": 5925010,
            "victim": f"V{i}",
            "offender": [f"O{i}"],
        }
        for i in range(30)
    ] + [
        {
            "event_id": f"S{i}",
            "date": str(dt.date(2024, 3, 1) + dt.timedelta(days=i)),
            "offence_code": "0711",
            "unit": "North Shore",
            "x": round(rng.uniform(1748000, 1762000)),
            "y": round(rng.uniform(5918000, 5932000)),
            "victim": f"W{i}",
            "offender": [f"Q{i}"],
        }
        for i in range(20)
    ]
    events_create(user=analyst, rows=rows)
    return rows


def test_the_power_few_from_the_store_groups_events_in_grid_cells_the_analyst_sizes(analyst_client, stored, waitemata):
    response = analyst_client.post(
        "/analyses/concentration/run-events/",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-group_by": "cell",
            "ev-group_cell": "200",
        },
    )
    html = page_of(analyst_client, response)
    result = AnalysisRun.objects.get().result
    top = result["top_units"][0]
    assert (top["unit"], top["value"]) == ("1755000 E, 5925000 N", 30)
    assert "places are 200 m grid cells" in " ".join(result["notes"])
    assert '<td>1755000 E, 5925000 N</td><td class="num">30</td><td class="num">60.0%</td>' in html
    assert '<td class="num">2.0%</td>' in html  # a scattered burglary's share, to one decimal place


def test_the_power_few_from_the_store_can_group_by_the_recorded_unit(analyst_client, stored, waitemata):
    page_of(analyst_client, analyst_client.post("/analyses/concentration/run-events/", {"ev-scope_unit": waitemata.pk, "ev-group_by": "unit"}))
    result = AnalysisRun.objects.get().result
    assert result["units"] == 1 and result["events"] == 50
    assert "places are the units the events were recorded in" in result["notes"]


NEAR_REPEAT = {
    "x": "1",
    "y": "2",
    "date": "3",
    "coordinates": "metres",
    "event_label": "burglary",
    "distance_bands": "0,100,200,400,800,inf",
    "day_bands": "0,7,14,21,28,inf",
    "metric": "manhattan",
    "permutations": "99",
}


def test_the_near_repeat_sentence_and_default_seed_are_the_same_on_the_page_and_from_the_cli(analyst_client, upload, waitemata):
    _, upload_id = upload("near-repeat", CHICAGO, no_header=True)
    html = page_of(analyst_client, run(analyst_client, "near-repeat", upload_id, waitemata, **NEAR_REPEAT, seed="1"))
    page_result = AnalysisRun.objects.get().result
    cli = CliRunner().invoke(
        app,
        [
            "analyse",
            "near-repeat",
            str(CHICAGO),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--distance-bands",
            "0,100,200,400,800,inf",
            "--day-bands",
            "0,7,14,21,28,inf",
            "--permutations",
            "99",
            "--event-label",
            "burglary",
            "--json",
        ],
    )
    assert cli.exit_code == 0, cli.stderr
    document = json.loads(cli.stdout)
    assert document["seed"] == page_result["seed"] == 1
    assert document["summary"] == page_result["plain_summary"]["text"] == page_result["summary"]
    assert document["summary_cell"] == page_result["plain_summary"]["cell"]
    assert document["summary"].startswith("Within 100 m and 7 days of a burglary, the risk of another is")
    assert document["summary"].replace("–", "&ndash;") in html or document["summary"] in html
    text_run = CliRunner().invoke(
        app,
        [
            "analyse",
            "near-repeat",
            str(CHICAGO),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--distance-bands",
            "0,100,200,400,800,inf",
            "--day-bands",
            "0,7,14,21,28,inf",
            "--permutations",
            "99",
            "--event-label",
            "burglary",
        ],
    )
    assert text_run.stdout.splitlines()[0] == document["summary"] and "seed 1" in text_run.stdout


def test_the_power_few_by_victim_needs_a_purpose_which_is_recorded(analyst_client, stored, waitemata):
    from rocc.audit.models import AuditEntry, AuditKind

    fields = {"ev-scope_unit": waitemata.pk, "ev-group_by": "victim"}
    refused = analyst_client.post("/analyses/concentration/run-events/", fields)
    assert refused.status_code == 400 and "state its purpose" in refused.content.decode()
    assert AnalysisRun.objects.count() == 0
    page_of(analyst_client, analyst_client.post("/analyses/concentration/run-events/", {**fields, "purpose": "Repeat victim review"}))
    run_row = AnalysisRun.objects.get()
    assert run_row.holds_person_level and run_row.result["units"] == 50  # every burglary had its own victim
    assert "units are victims: each counts the events they were recorded in" in run_row.result["notes"]
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, purpose="Repeat victim review").exists()


def test_the_power_few_by_place_reads_no_persons_and_asks_no_purpose(analyst_client, stored, waitemata):
    from rocc.audit.models import AuditEntry, AuditKind

    page = analyst_client.get("/analyses/concentration/").content.decode()
    assert "Purpose (only when grouping by victim or offender)" in page
    assert 'name="purpose" id="id_purpose" value="" aria-describedby="id_purpose_helptext">' in page  # not required
    page_of(analyst_client, analyst_client.post("/analyses/concentration/run-events/", {"ev-scope_unit": waitemata.pk, "ev-group_by": "cell"}))
    assert not AnalysisRun.objects.get().holds_person_level
    assert not AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).exists()


def test_longitude_and_latitude_given_as_nztm_are_refused_not_gridded(analyst_client, upload, waitemata):
    _, upload_id = upload("hotspots", ("degrees.csv", b"x,y\n1755000,5925000\n174.76,-36.85\n"))
    response = run(analyst_client, "hotspots", upload_id, waitemata, x="x", y="y", coordinates="nztm", cell="250")
    assert response.status_code == 400
    html = response.content.decode()
    assert "column &#x27;x&#x27;, row 2: x=175, y=-37 is outside New Zealand in NZTM2000" in html
    assert "these look like longitude and latitude: choose WGS84" in html
    assert AnalysisRun.objects.count() == 0


def test_hot_spots_of_the_store_are_named_by_the_unit_they_were_recorded_in(analyst_client, stored, waitemata):
    page_of(
        analyst_client,
        analyst_client.post(
            "/analyses/hotspots/run-events/",
            {
                "ev-scope_unit": waitemata.pk,
                "ev-cell": "200",
                "ev-coordinates": "nztm",
            },
        ),
    )
    result = AnalysisRun.objects.get().result
    assert result["parameters"]["places_are"] == "unit"
    named = [s for s in result["top_hot_spots"] if s["place_from"] == "unit"]
    assert named and named[0]["place"] == "North Shore"
