"""The analysis pages with the Django test client and real files: upload, pick columns, run, see the chart or
map, save, re-open; located errors that save nothing; person-level detail only with a stated purpose."""

from __future__ import annotations

import json
import re

import numpy as np
from django.utils.html import escape

from rocc.analysis.concentration import concentration
from rocc.analysis.displacement import weighted_displacement_quotient
from rocc.analysis.inputs import date_column, numeric_column, read_table
from rocc.analysis.near_repeat import near_repeat_knox
from rocc.analysis_pages.models import AnalysisRun, NodePersonLink, RunStatus, SavedAnalysis
from rocc.analysis_pages.tests.conftest import CAVIAR, CHICAGO, LONDON
from rocc.audit.models import AuditEntry, AuditKind

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
    "seed": "1",
}


def run(client, slug: str, upload_id: int | None, scope, **fields):
    data = {"scope_unit": scope.pk, **fields}
    if upload_id is not None:
        data["upload"] = upload_id
    return client.post(f"/analyses/{slug}/run/", data)


def followed(client, response):
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(response["Location"])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def victims_csv(rows: list[tuple[str, str, str]]) -> tuple[str, bytes]:
    body = "victim_id,occurred,offence\n" + "\n".join(",".join(row) for row in rows) + "\n"
    return "victims.csv", body.encode()


def test_the_overview_lists_every_analysis_and_the_saved_analyses_in_scope(analyst_client, analyst, waitemata, defaults):
    from rocc.org.models import OrgUnit

    SavedAnalysis.objects.create(kind="hot_times", title="Waitematā evenings", scope_unit=waitemata, source="x.csv", created_by=analyst)
    SavedAnalysis.objects.create(
        kind="hot_times", title="Canterbury nights", scope_unit=OrgUnit.objects.get(code="canterbury"), source="y.csv", created_by=analyst
    )
    page = text(analyst_client.get("/analyses/"))
    for label in (
        "Repeat victims",
        "Hot times",
        "Hot spots",
        "Concentration (the Power Few)",
        "Harm index",
        "Near repeats (Knox)",
        "Criminal network",
        "Displacement",
    ):
        assert label in page
    assert "Waitematā evenings" in page and "Canterbury nights" not in page


def test_near_repeat_from_an_uploaded_file_shows_the_knox_heat_table_and_a_summary_in_words(analyst_client, upload, waitemata):
    page, upload_id = upload("near-repeat", CHICAGO, no_header=True)
    assert page.status_code == 200
    assert '<option value="3">3</option>' in page.content.decode()  # the file's own columns are the choices
    result_page = followed(analyst_client, run(analyst_client, "near-repeat", upload_id, waitemata, **NEAR_REPEAT))
    html = text(result_page)

    frame = read_table(CHICAGO, header=False)
    expected = near_repeat_knox(
        x=numeric_column(frame, "1"),
        y=numeric_column(frame, "2"),
        dates=date_column(frame, "3"),
        distance_bands=[0, 100, 200, 400, 800, np.inf],
        day_bands=[0, 7, 14, 21, 28, np.inf],
        permutations=99,
        seed=1,
    )
    ratio = expected.knox_ratio[0, 0]
    assert expected.p_value[0, 0] < 0.05 and ratio > 1
    assert f"Within 100 m and 7 days of a burglary, the risk of another is {ratio:.1f} times what chance would give" in html
    # Every cell carries its ratio as text; the significant one is marked by more than colour.
    assert f'{ratio:.2f} <span aria-hidden="true">★</span><span class="visually-hidden"> (significant)</span>' in html
    assert html.count('<td class="heat-') == 5 * 5  # every cell of the 5 × 5 table
    run_row = AnalysisRun.objects.get()
    assert run_row.status == RunStatus.DONE and run_row.result["observed"] == expected.observed.tolist()
    assert SavedAnalysis.objects.count() == 0


def test_a_bad_date_is_reported_at_its_row_and_column_and_nothing_is_kept(analyst_client, upload, waitemata):
    content = b"x,y,date\n100,200,2024-01-01\n150,260,2024-01-03\n180,210,yesterday\n"
    _, upload_id = upload("near-repeat", ("burglaries.csv", content))
    response = run(analyst_client, "near-repeat", upload_id, waitemata, **{**NEAR_REPEAT, "x": "x", "y": "y", "date": "date"})
    assert response.status_code == 400
    html = text(response)
    assert "burglaries.csv: column &#x27;date&#x27;, row 3: expected a date, found &#x27;yesterday&#x27;" in html
    assert 'role="alert"' in html and "Nothing was saved" in html
    assert AnalysisRun.objects.count() == 0 and SavedAnalysis.objects.count() == 0


def test_band_edges_that_do_not_increase_are_refused_on_the_form(analyst_client, upload, waitemata):
    _, upload_id = upload("near-repeat", CHICAGO, no_header=True)
    response = run(analyst_client, "near-repeat", upload_id, waitemata, **{**NEAR_REPEAT, "day_bands": "0,7,7,inf"})
    assert response.status_code == 400 and "Day bands: the edges must be strictly increasing." in response.content.decode()
    assert AnalysisRun.objects.count() == 0


def test_a_file_that_is_not_a_table_is_refused_at_upload(analyst_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = analyst_client.post("/analyses/hot-times/", {"file": SimpleUploadedFile("events.pdf", b"%PDF-1.4")})
    assert response.status_code == 400 and "events.pdf: expected a CSV, Excel (.xlsx) or Parquet file." in response.content.decode()
    response = analyst_client.post("/analyses/hot-times/", {"file": SimpleUploadedFile("empty.csv", b"a,b\n")})
    assert response.status_code == 400 and "empty.csv: the file has no rows" in response.content.decode()


def test_hot_times_spread_a_window_over_its_hours_on_a_seven_by_twenty_four_heat_table(analyst_client, upload, waitemata):
    content = (
        b"from,to\n"
        b"2024-07-01 22:00,2024-07-02 02:00\n"  # Monday 22:00 to Tuesday 02:00: a quarter in each of four hours
        b"2024-07-03 14:30,\n"  # Wednesday 14:30
        b"2024-07-03 14:45,\n"
    )
    _, upload_id = upload("hot-times", ("times.csv", content))
    html = text(followed(analyst_client, run(analyst_client, "hot-times", upload_id, waitemata, start="from", end="to")))
    assert "Peak: <strong>Wednesday 14:00–14:59</strong>" in html or "Peak: <strong>Wednesday 14" in html
    rows = re.findall(r'<tr><th scope="row">(\w+day)</th>(.*?)</tr>', html)
    assert [day for day, _ in rows] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    monday = re.findall(r'<td class="heat-\d">([\d.]+)</td>', rows[0][1])
    assert len(monday) == 24 and monday[22] == "0.2" and monday[23] == "0.2"  # 0.25 shown to one decimal
    wednesday = re.findall(r'<td class="heat-(\d)">([\d.]+)</td>', rows[2][1])
    assert wednesday[14] == ("5", "2.0")


def auckland_events() -> tuple[str, bytes]:
    """Events around Auckland in WGS84: a tight cluster near the city centre and scattered others."""
    rng = np.random.default_rng(7)
    cluster = np.column_stack([rng.normal(174.7633, 0.0015, 60), rng.normal(-36.8485, 0.0012, 60)])
    scatter = np.column_stack([rng.uniform(174.70, 174.82, 140), rng.uniform(-36.90, -36.80, 140)])
    rows = [f"{lon:.6f},{lat:.6f}" for lon, lat in np.vstack([cluster, scatter])] + [","]  # one without a location
    return "auckland.csv", ("lon,lat\n" + "\n".join(rows) + "\n").encode()


def test_hot_spots_draw_a_map_without_tiles_and_download_as_geojson(analyst_client, upload, waitemata):
    _, upload_id = upload("hotspots", auckland_events())
    response = run(
        analyst_client,
        "hotspots",
        upload_id,
        waitemata,
        x="lon",
        y="lat",
        coordinates="wgs84",
        cell="250",
        drop_unlocated="on",
    )
    html = text(followed(analyst_client, response))
    assert "1 row without coordinates was left out" in html
    run_row = AnalysisRun.objects.get()
    hot = run_row.result["hot_cells"]
    assert hot["99"] > 0
    # The cells (NZTM2000) are sent once, as the map component's columns, for the browser to draw: no SVG copy.
    assert 'class="hotspot-map"' not in html and html.count('class="rocc-map-canvas"') == 1
    spec = json.loads(html.split('-spec" type="application/json">')[1].split("</script>")[0])
    layer = spec["layers"][0]
    drawn = [c for c in run_row.result["cells"] if c["count"] > 0 or c["hot"] or (c["density"] or 0) > 0]
    assert len(layer["col"]) == len(drawn)
    assert html.count("<tr><td>") >= hot["99"]  # the hot cells are listed in the map's table
    assert f"{hot['99']} cell{'s' if hot['99'] != 1 else ''} hot at 99%" in html
    # The cluster's cell (Auckland city centre, about 1 757 000 E, 5 921 000 N in NZTM2000) is the hottest.
    top = max(run_row.result["cells"], key=lambda c: c["gi_z"] or 0)
    assert abs(top["x"] - 1_757_000) < 2_000 and abs(top["y"] - 5_921_000) < 2_000 and top["hot"] == "99"
    geojson = analyst_client.get(f"/analyses/runs/{run_row.pk}/geojson/")
    assert geojson["Content-Type"] == "application/geo+json"
    document = json.loads(geojson.content)
    assert document["type"] == "FeatureCollection" and len(document["features"]) == len(run_row.result["cells"])
    assert document["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::2193"


def test_hot_spots_in_another_projected_system_are_drawn_once_as_svg(analyst_client, upload, waitemata):
    rng = np.random.default_rng(3)
    points = np.vstack([rng.normal(5_000, 40, (60, 2)), rng.uniform(0, 10_000, (140, 2))])
    _, upload_id = upload("hotspots", ("local.csv", ("x,y\n" + "\n".join(f"{x:.1f},{y:.1f}" for x, y in points) + "\n").encode()))
    html = text(followed(analyst_client, run(analyst_client, "hotspots", upload_id, waitemata, x="x", y="y", coordinates="metres", cell="500")))
    hot = AnalysisRun.objects.get().result["hot_cells"]
    assert hot["99"] > 0 and "rocc-map-canvas" not in html  # not NZTM2000: not on the map component
    assert html.count('class="hotspot-map"') == 1
    svg = html.split('class="hotspot-map"')[1].split("</svg>")[0]
    assert "http" not in svg.replace("http://www.w3.org", "")  # no tiles, nothing fetched
    assert html.count('fill="url(#hatch-99)" class="hot-99"') == hot["99"] + 1  # the hot cells and the legend


def test_lists_of_saved_analyses_leave_the_stored_results_in_the_database(analyst_client, analyst, waitemata):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rocc.analysis.hotspots import hotspots

    rng = np.random.default_rng(5)
    result = hotspots(x=rng.uniform(1_750_000, 1_760_000, 500), y=rng.uniform(5_915_000, 5_925_000, 500), cell=250, crs="EPSG:2193").to_dict()
    saved = SavedAnalysis.objects.create(kind="hotspots", title="A big grid", scope_unit=waitemata, source="x.csv", result=result, created_by=analyst)
    for address in ("/analyses/", "/api/analyses/saved"):
        with CaptureQueriesContext(connection) as queries:
            response = analyst_client.get(address)
        assert response.status_code == 200 and "A big grid" in response.content.decode()
        listing = [q["sql"] for q in queries.captured_queries if "analyses_savedanalysis" in q["sql"]]
        assert listing and not any(f'"analyses_savedanalysis"."{column}"' in sql for sql in listing for column in ("result", "parameters")), (address, listing)
    # Opening one analysis reads its result, in the one query that finds it.
    with CaptureQueriesContext(connection) as queries:
        assert analyst_client.get(f"/analyses/saved/{saved.pk}/").status_code == 200
    assert sum('"analyses_savedanalysis"."result"' in q["sql"] for q in queries.captured_queries) == 1


def test_concentration_shows_the_lorenz_curve_and_the_figures_of_the_library(analyst_client, upload, waitemata):
    _, upload_id = upload("concentration", LONDON)
    html = text(followed(analyst_client, run(analyst_client, "concentration", upload_id, waitemata, unit="Location", units_total="2000")))
    expected = concentration(units=read_table(LONDON)["Location"], units_total=2000)
    assert f'<tr><th scope="row">Gini coefficient</th><td class="num">{expected.gini:.3f}</td></tr>' in html
    assert f"{expected.generalised_gini:.3f}" in html
    assert f'Share held by the top 1% of units</th><td class="num">{expected.top_shares["0.01"]:.1%}' in html
    assert '<polyline points="0.0,320.0' in html and 'class="curve"' in html


def test_harm_weights_typed_on_the_page_give_the_harm_by_offence(analyst_client, upload, waitemata):
    _, upload_id = upload("harm", LONDON)
    weights = "Burglary,100\nRobbery,300\nViolence and sexual offences,250"
    response = run(analyst_client, "harm", upload_id, waitemata, offence="Crime type", harm=weights, default_weight="1", offence_codes_are="as_written")
    html = text(followed(analyst_client, response))
    frame = read_table(LONDON)
    counts = frame["Crime type"].value_counts()
    expected = counts.get("Burglary", 0) * 100 + counts.get("Robbery", 0) * 300 + counts.get("Violence and sexual offences", 0) * 250
    expected += counts.drop(["Burglary", "Robbery", "Violence and sexual offences"], errors="ignore").sum()
    assert f"Total harm {expected:g} over 654 events" in html


def test_a_harm_code_listed_twice_is_reported_by_line(analyst_client, upload, waitemata):
    _, upload_id = upload("harm", LONDON)
    response = run(analyst_client, "harm", upload_id, waitemata, offence="Crime type", harm="Burglary,100\nBurglary,120", offence_codes_are="as_written")
    assert response.status_code == 400
    assert "harm weights: column &#x27;offence_code&#x27;, row 2: offence code &#x27;Burglary&#x27; is listed twice" in response.content.decode()


VICTIMS = [
    ("P1", "2024-03-01", "0711"),
    ("P1", "2024-05-02", "0711"),
    ("P1", "2024-06-01", "0211"),
    ("P2", "2024-04-10", "0711"),
    ("P3", "2024-02-01", "0711"),
    ("P3", "2024-06-20", "0711"),
]


def test_repeat_victims_show_the_summary_and_tiers_and_the_persons_only_after_a_stated_purpose(analyst_client, analyst, upload, waitemata):
    _, upload_id = upload("repeat-victims", victims_csv(VICTIMS))
    response = run(
        analyst_client, "repeat-victims", upload_id, waitemata, person="victim_id", date="occurred", offence="offence", window_days="365", serious_codes="0211"
    )
    html = text(followed(analyst_client, response))
    assert "3 victims of 6 victimisations; 2 repeat victims suffered 5 (83% of all)" in html
    assert '<td>serious and repeat victim</td><td>intervention plan with other agencies</td><td class="num">1</td>' in html
    assert "<code>P1</code>" not in html and "The list of 3 victims is person-level data and is not shown." in html
    run_row = AnalysisRun.objects.get()

    refused = analyst_client.post(f"/analyses/runs/{run_row.pk}/persons/", {"purpose": "x"})
    assert refused.status_code == 400 and "<code>P1</code>" not in refused.content.decode()
    shown = text(analyst_client.post(f"/analyses/runs/{run_row.pk}/persons/", {"purpose": "Prevention visits, Operation Kōwhai"}))
    assert "<code>P1</code>" in shown and "0211, 0711 ×2" in shown
    entry = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).get()
    assert entry.purpose == "Prevention visits, Operation Kōwhai" and entry.actor == analyst
    # Within the half hour the purpose holds, each further look is recorded again.
    again = text(analyst_client.get(f"/analyses/runs/{run_row.pk}/"))
    assert "<code>P1</code>" in again
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 2


def test_saving_without_the_persons_keeps_the_summary_for_every_reader_in_scope(analyst_client, upload, waitemata, make_user, client):
    _, upload_id = upload("repeat-victims", victims_csv(VICTIMS))
    followed(analyst_client, run(analyst_client, "repeat-victims", upload_id, waitemata, person="victim_id", date="occurred", window_days="365"))
    run_row = AnalysisRun.objects.get()
    saved_page = followed(analyst_client, analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "Repeat victims, winter"}))
    saved = SavedAnalysis.objects.get()
    assert saved.holds_person_level is False and saved.result["persons"] == [] and saved.result["persons_removed"] == 3
    assert "Repeat victims, winter" in text(saved_page)
    viewer = make_user("viewer", units=["waitemata"])
    client.force_login(viewer)
    page = text(client.get(f"/analyses/saved/{saved.pk}/"))
    assert "3 victims of 6 victimisations" in page and "P1" not in page


def test_a_saved_analysis_keeping_persons_opens_only_for_analysts_in_scope(analyst_client, upload, waitemata, make_user, client):
    _, upload_id = upload("repeat-victims", victims_csv(VICTIMS))
    followed(analyst_client, run(analyst_client, "repeat-victims", upload_id, waitemata, person="victim_id", date="occurred", window_days="365"))
    run_row = AnalysisRun.objects.get()
    analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "Named victims", "keep_persons": "on"})
    saved = SavedAnalysis.objects.get()
    assert saved.holds_person_level and len(saved.result["persons"]) == 3
    page = text(analyst_client.get(f"/analyses/saved/{saved.pk}/"))
    assert "Show the persons" in page and "<code>P1</code>" not in page
    shown = text(analyst_client.post(f"/analyses/saved/{saved.pk}/", {"purpose": "Case review for the district"}))
    assert "<code>P1</code>" in shown
    client.force_login(make_user("regional_coordinator", units=["waitemata"]))
    assert client.get(f"/analyses/saved/{saved.pk}/").status_code == 404
    client.force_login(make_user("analyst", units=["canterbury"]))
    assert client.get(f"/analyses/saved/{saved.pk}/").status_code == 404


def test_a_network_is_drawn_sized_by_a_chosen_centrality_and_its_nodes_link_to_persons(analyst_client, analyst, upload, waitemata):
    _, upload_id = upload("network", CAVIAR / "phase1.csv")
    response = run(analyst_client, "network", upload_id, waitemata, format="adjacency", key_players="2", communities="leiden", resolution="1", seed="0")
    html = text(followed(analyst_client, response))
    assert "15 nodes, 26 directed ties" in html
    drawing = html.split('<g class="nodes">')[1].split("</g>")[0]
    assert drawing.count("<circle cx=") == 15
    # Nodes are persons: until the analyst states a purpose they are numbered, not named.
    assert "Key players</strong> (removing these 2 fragments the network most): node 1, node 7." in html
    assert ">88<" not in html
    run_row = AnalysisRun.objects.get()
    named = text(analyst_client.post(f"/analyses/runs/{run_row.pk}/persons/", {"purpose": "Map the wiretap network"}))
    assert "Key players</strong> (removing these 2 fragments the network most): 1, 88." in named
    by_degree = text(analyst_client.get(f"/analyses/runs/{run_row.pk}/?size_by=degree"))
    assert "Centrality of each node, by degree" in by_degree and '<option value="degree" selected>' in by_degree
    assert by_degree.split('<g class="nodes">')[1] != named.split('<g class="nodes">')[1]  # sizes follow the measure

    saved = followed(analyst_client, analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "CAVIAR phase 1", "keep_persons": "on"}))
    saved_row = SavedAnalysis.objects.get()
    assert saved_row.holds_person_level and "CAVIAR phase 1" in text(saved)
    shown = text(analyst_client.post(f"/analyses/saved/{saved_row.pk}/", {"purpose": "Link players to the event store"}))
    assert "Link a node to a person in the event store" in shown
    key = "a" * 64
    linked = analyst_client.post(f"/analyses/saved/{saved_row.pk}/links/", {"node": "88", "person_key": key, "purpose": "Operation CAVIAR follow-up"})
    assert linked.status_code == 302
    link = NodePersonLink.objects.get()
    assert (link.node, link.person_key, link.linked_by) == ("88", key, analyst)
    audit = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, object_id=key).get()
    assert audit.purpose == "Operation CAVIAR follow-up"


def test_displacement_from_figures_typed_in_gives_the_wdq_and_wdd_with_their_inputs(analyst_client, waitemata):
    figures = {
        "target_before": "120",
        "target_after": "80",
        "buffer_before": "90",
        "buffer_after": "85",
        "control_before": "400",
        "control_after": "390",
        "confidence": "0.95",
    }
    page = analyst_client.get("/analyses/displacement/")
    assert page.status_code == 200 and "Target area: crimes before" in page.content.decode()
    html = text(followed(analyst_client, run(analyst_client, "displacement", None, waitemata, **figures)))
    wdq = weighted_displacement_quotient(target_before=120, target_after=80, buffer_before=90, buffer_after=85, control_before=400, control_after=390)
    assert f"WDQ {wdq.wdq:.3f}: {escape(wdq.interpretation)}" in html
    assert "Weighted Displacement Difference" in html and "95% confidence interval" in html


def test_displacement_needs_both_periods_of_an_area(analyst_client, waitemata):
    response = run(
        analyst_client,
        "displacement",
        None,
        waitemata,
        target_before="10",
        target_after="5",
        control_before="20",
        control_after="20",
        buffer_before="7",
        confidence="0.95",
    )
    assert response.status_code == 400 and "Buffer area: give both the before and the after count." in response.content.decode()


def test_a_long_run_is_queued_and_the_page_polls_until_the_worker_finishes(analyst, waitemata, settings, client):
    from rocc.analysis_pages import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload = services.analysis_upload_create(user=analyst, name="chicago.csv", content=CHICAGO.read_bytes(), has_header=False)
    params = {**NEAR_REPEAT, "distance_bands": [0, 100, 200, None], "day_bands": [0, 7, 14, None], "permutations": 99, "seed": 1}
    queued = services.analysis_run_start(
        user=analyst, kind="near_repeat", scope_unit=waitemata, parameters=params, source="chicago.csv", upload=upload, background=True
    )
    assert queued.status == RunStatus.QUEUED
    client.force_login(analyst)
    page = text(client.get(f"/analyses/runs/{queued.pk}/"))
    assert f'hx-get="/analyses/runs/{queued.pk}/status/" hx-trigger="every 2s"' in page and "Waiting to start" in page
    assert client.get(f"/analyses/runs/{queued.pk}/status/").status_code == 200
    services.analysis_run_execute(run_id=queued.pk)  # what `rocc worker` does with the queued task
    finished = client.get(f"/analyses/runs/{queued.pk}/status/")
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    assert "the risk of another is" in text(client.get(f"/analyses/runs/{queued.pk}/"))


def test_a_queued_run_that_fails_keeps_its_located_error_and_saves_nothing(analyst, waitemata, client):
    from rocc.analysis_pages import services

    upload = services.analysis_upload_create(user=analyst, name="few.csv", content=b"x,y,date\n1,2,2024-01-01\n", has_header=True)
    params = {**NEAR_REPEAT, "x": "x", "y": "y", "date": "date", "distance_bands": [0, 100, None], "day_bands": [0, 7, None]}
    queued = services.analysis_run_start(
        user=analyst, kind="near_repeat", scope_unit=waitemata, parameters=params, source="few.csv", upload=upload, background=True
    )
    queued.refresh_from_db()
    assert queued.status == RunStatus.FAILED and queued.error.startswith("few.csv: ")
    client.force_login(analyst)
    assert queued.error.split(": ", 1)[1][:20] in client.get(f"/analyses/runs/{queued.pk}/").content.decode()
    assert SavedAnalysis.objects.count() == 0


def test_another_users_upload_and_run_are_not_found(analyst_client, upload, waitemata, make_user, client):
    page, upload_id = upload("hot-times", ("t.csv", b"from\n2024-07-01 10:00\n"))
    followed(analyst_client, run(analyst_client, "hot-times", upload_id, waitemata, start="from"))
    run_row = AnalysisRun.objects.get()
    client.force_login(make_user("analyst", units=["waitemata"]))
    assert client.get(f"/analyses/hot-times/?upload={upload_id}").status_code == 404
    assert client.get(f"/analyses/runs/{run_row.pk}/").status_code == 404
    assert client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "mine now"}).status_code == 404
