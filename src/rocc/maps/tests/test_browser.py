"""A real browser (Debian's Chromium through Playwright) on the maps: an indicator map, a hot-spot map and a
deconfliction map are drawn from rocc's own static files (nothing fetched from elsewhere), pan and zoom by mouse and
keyboard, show a feature's figures from the table's "Show on map" button, pass axe-core, and are kept as screenshots."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rocc.conftest import PASSWORD
from rocc.tasking.tests.conftest import make_product, people, tasking, unit  # noqa: F401  (fixtures)
from rocc.web.testing import ARTEFACTS as SCREENSHOTS
from rocc.web.testing import browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser
ARTEFACTS = SCREENSHOTS / "maps"


@pytest.fixture
def world(people, make_product, make_user, tmp_path):  # noqa: F811
    """Synthetic boundaries, a count indicator by district, a saved hot-spot analysis on the North Shore and a
    deconfliction alert on a place, all seen by the Waitematā analyst."""
    from rocc.analysis.hotspots import hotspots
    from rocc.analysis_pages.models import SavedAnalysis
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import good_file
    from rocc.measures.models import SourceKind
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many
    from rocc.org.models import OrgUnit
    from rocc.tasking.services.deconfliction import target_name

    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Synthetic test boundaries", licence="CC0")
    indicator = indicator_define(
        user=None, code="map-burglaries", name="Burglaries", effective_from=dt.date(2000, 1, 1), kind="how_much",
        unit_label="burglaries", numerator_label="Burglaries", denominator_kind="none", factor=1, polarity="lower",
        period_type="month", data_source="Test data",
    )  # fmt: skip
    items = [
        ObservationInput(indicator=indicator, unit=u, period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 1, 31), numerator=300 + 97 * i)
        for i, u in enumerate(OrgUnit.objects.filter(level="district").order_by("path"))
    ]
    observations_record_many(items=items, source=SourceKind.IMPORT)

    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(1_741_000, 1_759_000, 600), rng.normal(1_754_000, 250, 200)])
    y = np.concatenate([rng.uniform(5_911_000, 5_939_000, 600), rng.normal(5_921_000, 250, 200)])
    result = hotspots(x=x, y=y, cell=500, crs="EPSG:2193", seed=1).to_dict()
    analyst = people["waitemata_analyst"]
    saved = SavedAnalysis.objects.create(
        kind="hotspots",
        title="North Shore hot spots",
        scope_unit=OrgUnit.objects.get(code="waitemata"),
        source="synthetic.csv",
        created_by=analyst,
        result=result,
    )
    mine = make_product(title="Rata Street supply")
    theirs = make_product(actor=people["canterbury_analyst"], district="canterbury", title="Theirs")
    target_name(actor=analyst, subject=mine, kind="place", x=1_756_000.0, y=5_921_000.0, place_label="Rata Street")
    target_name(actor=people["canterbury_analyst"], subject=theirs, kind="place", x=1_756_120.0, y=5_921_160.0)
    return {"saved": saved}


def _ready(page):
    page.wait_for_selector("figure.rocc-map[data-ready]", timeout=20_000)
    assert page.locator("figure.rocc-map").first.get_attribute("data-ready") == "true", page.locator(".rocc-map-status").first.inner_text()


def _view(page):
    return page.evaluate("() => { const m = document.querySelector('figure.rocc-map').rocc.map; const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }")


def test_indicator_hot_spot_and_deconfliction_maps_pan_zoom_by_keyboard_and_pass_axe(browser, live_server, world):  # noqa: F811
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("waitemata-analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    # The indicator map: chosen on the page's form, drawn, explained.
    page.goto("/maps/")
    page.get_by_label("Indicator").select_option(label="Burglaries")
    page.get_by_role("button", name="Show the map").click()
    _ready(page)
    assert page.locator(".leaflet-control-scale-line").first.inner_text().strip()[-2:] in {"km", " m"}
    assert "Classes are quantiles" in page.locator("figure.rocc-map figcaption").inner_text()
    assert page.locator("#choropleth-table tbody tr").count() == 12
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "01-indicator-map.png"), full_page=True)

    # Keyboard: Tab reaches the map; arrows pan, + and - zoom.
    canvas = page.locator(".rocc-map-canvas").first
    canvas.focus()
    lat, lng, zoom = _view(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)
    assert _view(page)[1] > lng
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(400)
    assert _view(page)[0] > lat
    page.keyboard.press("+")
    page.wait_for_timeout(400)
    assert _view(page)[2] == zoom + 1
    page.keyboard.press("-")
    page.wait_for_timeout(400)
    assert _view(page)[2] == zoom
    # The mouse: the zoom button and a drag.
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_timeout(300)
    assert _view(page)[2] == zoom + 1
    before = _view(page)
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 150, box["y"] + 250, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert _view(page)[1] > before[1]
    # The table's button shows a unit's figures on the map.
    page.get_by_role("button", name="Show on map Waitematā").click()
    assert "Waitematā" in page.locator(".leaflet-popup-content").inner_text()

    # The hot-spot map: cells drawn on the canvas, the top hot spots labelled by area, a hot cell's figures.
    page.goto(f"/analyses/saved/{world['saved'].pk}/")
    _ready(page)
    assert page.locator(".rocc-map-label").count() >= 1
    assert "North Shore" in page.locator(".rocc-map-label").first.inner_text()
    assert serious_violations(page) == []
    page.locator("table.rocc-map-table").get_by_role("button").first.click()
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "Hot spot at" in popup and "Area: North Shore" in popup and "Gi* z" in popup
    page.locator("figure.rocc-map").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTEFACTS / "02-hot-spot-map.png"), full_page=True)
    page.get_by_label("Density surface (KDE)").uncheck()  # the KDE surface can be hidden to read the Gi* classes
    page.locator("figure.rocc-map").screenshot(path=str(ARTEFACTS / "03-hot-spot-map-gi-only.png"))

    # The deconfliction map: the analyst's own place with the deconfliction distance, named by its area.
    page.goto("/tasking/deconfliction/")
    _ready(page)
    assert "North Shore" in page.locator("table.rocc-map-table").inner_text()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Show on map Rata Street").click()
    assert "Rata Street" in page.locator(".leaflet-popup-content").inner_text()
    page.screenshot(path=str(ARTEFACTS / "04-deconfliction-map.png"), full_page=True)

    assert elsewhere == [], f"the maps asked for something from elsewhere: {elsewhere}"
    context.close()
