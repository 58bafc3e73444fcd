"""Near-repeat pairs on the map: the Knox close pairs and the chains' links of the stored burglaries (NZTM2000) are
drawn as lines between the two events, with the same pairs as a table and nothing about persons; a result in
unknown metres keeps its pairs but has no map; the stored result's pairs are bounded and checked."""

from __future__ import annotations

import json
import re

import pytest

from rocc.analysis.near_repeat import MAX_PAIRS_KEPT
from rocc.analysis_pages.models import AnalysisRun
from rocc.analysis_pages.result_schemas import result_problems
from rocc.analysis_pages.tests.conftest import analyst, analyst_client, tasks_inline, upload, waitemata  # noqa: F401  (fixtures)
from rocc.analysis_pages.tests.test_event_store import stored  # noqa: F401  (a fixture)
from rocc.analysis_pages.tests.test_pages import NEAR_REPEAT, followed, run, text
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.testing import event_store  # noqa: F401  (a fixture)
from rocc.maps.geometry import lonlat_of_nztm
from rocc.web.testing import browser  # noqa: F401  (a fixture)

KNOX = {
    "ev-coordinates": "nztm",
    "ev-event_label": "burglary",
    "ev-distance_bands": "0,200,400,inf",
    "ev-day_bands": "0,14,28,inf",
    "ev-metric": "manhattan",
    "ev-permutations": "99",
    "ev-seed": "5",
}


def _spec(html: str) -> dict:
    found = re.search(r'<script id="(map-pairs-\d+-spec)" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page has no pairs map"
    return json.loads(found.group(2))


def _pairs_table(html: str) -> str:
    return html.split("The pairs on the map")[1].split("</table>")[0]


def test_the_knox_close_pairs_of_the_stored_burglaries_are_lines_on_the_map_and_rows_of_its_table(analyst_client, stored, waitemata):  # noqa: F811
    response = analyst_client.post("/analyses/near-repeat/run-events/", {"ev-scope_unit": waitemata.pk, **KNOX})
    assert response.status_code == 302, text(response)[:3000]
    html = text(analyst_client.get(response["Location"]))
    result = AnalysisRun.objects.get().result
    pairs = result["pairs"]
    assert result["crs"] == "EPSG:2193" and pairs and len(pairs) == result["pairs_total"] <= MAX_PAIRS_KEPT
    # The pairs are the close cells' pairs: as many as the table counts in its finite cells.
    assert result["pairs_total"] == sum(sum(row[:-1]) for row in result["observed"][:-1])
    assert set(pairs[0]) == {"row_a", "row_b", "x_a", "y_a", "x_b", "y_b", "distance", "days", "distance_band", "day_band"}

    layer = _spec(html)["layers"][0]
    assert layer["kind"] == "pairs" and len(layer["lines"]) == len(pairs) == len(layer["labels"])
    lon, lat = lonlat_of_nztm([pairs[0]["x_a"]], [pairs[0]["y_a"]])
    assert layer["lines"][0][:2] == [round(float(lat[0]), 6), round(float(lon[0]), 6)]
    table = _pairs_table(html)
    assert table.count('data-map-show="pair"') == len(pairs)
    assert f"All {len(pairs):,} close pairs are drawn." in html
    assert "0 to under 200 m apart, 0–13 days apart" in table
    # Rows of the events, never an event's person.
    assert "V1" not in table and "offender" not in json.dumps(result)
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 0


def test_the_chains_links_are_lines_on_the_map_with_the_events_ids(analyst_client, stored, waitemata):  # noqa: F811
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
    result = AnalysisRun.objects.get().result
    assert result["links"] == len(result["pairs"]) > 0
    layer = _spec(html)["layers"][0]
    assert len(layer["lines"]) == result["links"]
    table = _pairs_table(html)
    first = result["pairs"][0]
    assert first["chain"] == 1 and first["id_a"].startswith(("C", "S"))
    assert f"<td>{first['id_a']}</td><td>{first['id_b']}</td><td>chain 1</td>" in table
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == 0


def test_pairs_in_unknown_metres_are_kept_but_not_mapped(analyst_client, upload, waitemata):
    from rocc.analysis_pages.tests.conftest import CHICAGO

    _, upload_id = upload("near-repeat", CHICAGO, no_header=True)
    html = text(followed(analyst_client, run(analyst_client, "near-repeat", upload_id, waitemata, **NEAR_REPEAT)))
    result = AnalysisRun.objects.get().result
    assert result["crs"] is None and len(result["pairs"]) == min(result["pairs_total"], MAX_PAIRS_KEPT)
    assert "Near-repeat pairs on the map" not in html
    if result["pairs_total"] > MAX_PAIRS_KEPT:
        assert f"the first {MAX_PAIRS_KEPT:,} of {result['pairs_total']:,} close pairs" in html


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda r: r.update(pairs=[r["pairs"][0]] * (MAX_PAIRS_KEPT + 1), pairs_total=10**6), "result"),
        (lambda r: r.update(pairs_total=0), "result"),
        (lambda r: r["pairs"][0].update(distance_band=99), "result"),
        (lambda r: r["pairs"][0].update(x_a="1755000"), "result.pairs.0.x_a"),
        (lambda r: r["pairs"][0].update(row_a=0), "result.pairs.0.row_a"),
    ],
)
def test_a_stored_knox_result_with_wrong_pairs_is_refused_where_they_are_wrong(change, where):
    import math

    from rocc.analysis.near_repeat import near_repeat_knox
    from rocc.analysis.results import jsonable

    result = jsonable(
        near_repeat_knox(
            x=[0, 50, 5000, 5010], y=[0] * 4, dates=[0, 2, 9, 9], distance_bands=[0, 100, math.inf], day_bands=[0, 7, math.inf], permutations=19, seed=1
        ).to_dict()
    )
    assert result_problems("near_repeat", result) == {}
    change(result)
    assert where in result_problems("near_repeat", result)


@pytest.mark.browser
def test_a_saved_knox_result_draws_its_pairs_in_chromium_and_passes_axe(browser, live_server, analyst, waitemata):  # noqa: F811
    import numpy as np

    from rocc.analysis_pages import runners
    from rocc.analysis_pages.services import saved_analysis_create
    from rocc.conftest import PASSWORD
    from rocc.web.testing import ARTEFACTS, serious_violations

    rng = np.random.default_rng(3)
    frame_rows = [(1_755_000 + rng.normal(0, 80), 5_925_000 + rng.normal(0, 80), f"2024-03-{1 + int(rng.integers(0, 20)):02d}") for _ in range(40)]
    import pandas as pd

    frame = pd.DataFrame(frame_rows, columns=["x", "y", "date"])
    params = {
        **NEAR_REPEAT,
        "x": "x",
        "y": "y",
        "date": "date",
        "coordinates": "nztm",
        "distance_bands": [0, 100, 200, "inf"],
        "day_bands": [0, 7, 14, "inf"],
        "permutations": 99,
        "seed": 1,
    }
    result = runners.analysis_compute("near_repeat", params, lambda header=True: frame).result
    saved = saved_analysis_create(
        user=analyst, kind="near_repeat", title="Rata Street repeats", scope_unit=waitemata, source="x.csv", parameters=params, result=result
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("analyst-pages")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(f"/analyses/saved/{saved.pk}/")
    page.wait_for_selector("figure.rocc-map[data-ready]", timeout=20_000)
    assert page.locator("figure.rocc-map").get_attribute("data-ready") == "true"
    assert page.locator("table.rocc-map-table tbody tr").count() == len(result["pairs"]) > 0
    assert serious_violations(page) == []
    page.get_by_role("button", name="Show on map pair 1", exact=True).click()
    assert "Pair 1:" in page.locator(".leaflet-popup-content").inner_text()
    (ARTEFACTS / "maps").mkdir(parents=True, exist_ok=True)
    page.locator("section.rocc-map-section").screenshot(path=str(ARTEFACTS / "maps" / "06-near-repeat-pairs.png"))  # the map and its scrolled table
    assert elsewhere == []
    context.close()
