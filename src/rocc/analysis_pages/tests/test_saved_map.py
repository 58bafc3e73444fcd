"""A saved hot-spot analysis keeps its map beside its result: the page reads the result's head and the map's head,
the map fetches the cells as stored, and the result itself (every cell's figures) is not read to show the page. One
saved before heads were kept opens the same, storing its head on that first view. Real database, real boundaries."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rocc.analysis.hotspots import hotspots
from rocc.analysis_pages.models import SavedAnalysis
from rocc.analysis_pages.services import saved_analysis_create
from rocc.maps.selectors import hotspot_layer

RESULT_COLUMN = '"analyses_savedanalysis"."result"'


@pytest.fixture
def north_shore(make_user, tmp_path, defaults):
    """Boundaries loaded (so hot cells are named by area) and a hot-spot result on the North Shore."""
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import good_file

    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Synthetic test boundaries", licence="CC0")
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(1_741_000, 1_759_000, 600), rng.normal(1_754_000, 250, 200)])
    y = np.concatenate([rng.uniform(5_911_000, 5_939_000, 600), rng.normal(5_921_000, 250, 200)])
    return hotspots(x=x, y=y, cell=500, crs="EPSG:2193", seed=1).to_dict()


def _spec(html: str) -> dict:
    return json.loads(html.split('-spec" type="application/json">')[1].split("</script>")[0])


def _page(client, saved) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/analyses/saved/{saved.pk}/")
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _drawn_layer(client, html: str) -> dict:
    """The layer as the browser builds it: the stored cells fetched from the spec's url, the spec's other members added."""
    spec_layer = _spec(html)["layers"][0]
    cells = client.get(spec_layer["url"])
    assert cells.status_code == 200 and cells["Content-Type"] == "application/json"
    return {**json.loads(cells.content), **{k: v for k, v in spec_layer.items() if k != "url"}}


def test_a_saved_hot_spot_page_reads_the_stored_head_and_the_map_fetches_the_stored_cells(analyst_client, analyst, waitemata, north_shore):
    saved = saved_analysis_create(user=analyst, kind="hotspots", title="North Shore", scope_unit=waitemata, source="x.csv", parameters={}, result=north_shore)
    row = SavedAnalysis.objects.get(pk=saved.pk)
    assert row.result_head == {k: v for k, v in north_shore.items() if k != "cells"} and row.map_head and row.map_cells
    html, queries = _page(analyst_client, saved)
    assert not any(RESULT_COLUMN in sql for sql in queries), "the page read the stored result"
    assert not any('"analyses_savedanalysis"."map_cells"' in sql for sql in queries), "the page read the map's cells"
    # The map draws exactly what the map drawn from the whole result draws, names by area included.
    expected = hotspot_layer(north_shore)
    hot_rows = expected.pop("hot_rows")
    assert _drawn_layer(analyst_client, html) == expected
    assert any(area == "North Shore" for area in expected["area"].values())
    # The figures beside the map come from the head: the summary, the top hot spots, the table of hot cells.
    hot = north_shore["hot_cells"]
    assert f"{hot['99']} cell{'s' if hot['99'] != 1 else ''} hot at 99%" in " ".join(html.split())
    assert html.count('data-map-show="cell"') == len(hot_rows) > 0
    assert f'data-value="{hot_rows[0]["index"]}"' in html and "North Shore" in html
    assert 'class="hotspot-map"' not in html


def test_a_hot_spot_analysis_saved_before_heads_were_kept_opens_the_same_and_keeps_its_head(analyst_client, analyst, waitemata, north_shore):
    # As rows saved before this change are: the result only.
    old = SavedAnalysis.objects.create(kind="hotspots", title="Saved last year", scope_unit=waitemata, source="x.csv", result=north_shore, created_by=analyst)
    assert old.result_head is None and old.map_cells == ""
    html, queries = _page(analyst_client, old)
    assert sum(RESULT_COLUMN in sql for sql in queries) == 1  # read once, to keep its head
    row = SavedAnalysis.objects.get(pk=old.pk)
    assert row.result_head is not None and row.map_head is not None and row.map_cells
    expected = hotspot_layer(north_shore)
    expected.pop("hot_rows")
    assert _drawn_layer(analyst_client, html) == expected
    # Its next view is as cheap as a new one's.
    html_again, queries = _page(analyst_client, old)
    assert not any(RESULT_COLUMN in sql for sql in queries)
    assert _spec(html_again)["layers"][0] == _spec(html)["layers"][0]


def test_the_map_cells_of_an_old_saved_analysis_are_kept_when_fetched_first(analyst_client, analyst, waitemata, north_shore):
    old = SavedAnalysis.objects.create(kind="hotspots", title="Saved last year", scope_unit=waitemata, source="x.csv", result=north_shore, created_by=analyst)
    response = analyst_client.get(f"/analyses/saved/{old.pk}/map-cells/")
    assert response.status_code == 200
    assert json.loads(response.content)["col"] == hotspot_layer(north_shore)["col"]
    assert SavedAnalysis.objects.get(pk=old.pk).map_cells == response.content.decode()


def test_map_cells_are_scoped_like_the_saved_analysis(client, make_user, analyst, waitemata, north_shore):
    saved = saved_analysis_create(user=analyst, kind="hotspots", title="North Shore", scope_unit=waitemata, source="x.csv", parameters={}, result=north_shore)
    address = f"/analyses/saved/{saved.pk}/map-cells/"
    client.force_login(make_user("analyst", units=["canterbury"], username="analyst-canterbury"))
    assert client.get(address).status_code == 404
    assert client.get(f"/analyses/saved/{saved.pk}/").status_code == 404
    client.force_login(make_user("analyst", units=["waitemata"], username="analyst-waitemata-2"))
    assert client.get(address).status_code == 200
    client.logout()
    assert client.get(address).status_code == 302  # to sign in


def test_a_grid_not_in_nztm_keeps_its_head_but_no_map_cells(analyst_client, analyst, waitemata):
    rng = np.random.default_rng(3)
    points = np.vstack([rng.normal(5_000, 40, (60, 2)), rng.uniform(0, 10_000, (140, 2))])
    result = hotspots(x=points[:, 0], y=points[:, 1], cell=500).to_dict()
    saved = saved_analysis_create(user=analyst, kind="hotspots", title="Local grid", scope_unit=waitemata, source="x.csv", parameters={}, result=result)
    row = SavedAnalysis.objects.get(pk=saved.pk)
    assert row.result_head is not None and row.map_head is None and row.map_cells == ""
    html, _ = _page(analyst_client, saved)
    assert html.count('class="hotspot-map"') == 1 and "rocc-map-canvas" not in html  # drawn as SVG from the result
    assert analyst_client.get(f"/analyses/saved/{saved.pk}/map-cells/").status_code == 404


def test_saving_a_run_keeps_the_head_in_the_same_row(analyst_client, upload, waitemata):
    from rocc.analysis_pages.models import AnalysisRun
    from rocc.analysis_pages.tests.test_pages import auckland_events, followed, run

    _, upload_id = upload("hotspots", auckland_events())
    followed(analyst_client, run(analyst_client, "hotspots", upload_id, waitemata, x="lon", y="lat", coordinates="wgs84", cell="250", drop_unlocated="on"))
    run_row = AnalysisRun.objects.get()
    page = followed(analyst_client, analyst_client.post(f"/analyses/runs/{run_row.pk}/save/", {"title": "Auckland hot spots"}))
    saved = SavedAnalysis.objects.get()
    assert saved.result_head == {k: v for k, v in run_row.result.items() if k != "cells"}
    assert json.loads(saved.map_cells)["col"] == hotspot_layer(run_row.result)["col"]
    assert _spec(page.content.decode())["layers"][0]["url"] == f"/analyses/saved/{saved.pk}/map-cells/"
