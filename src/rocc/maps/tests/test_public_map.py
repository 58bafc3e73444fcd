"""The public pages' indicator map: a published indicator by district, drawn on the server from the release's frozen
figures only (the same classes and colours as the signed-in map), small counts protected as everywhere else, nothing
from the live figures, no script; and in a real browser it passes axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rocc.releases.tests.conftest import *  # noqa: F403  (the releases fixtures: assaults, world, draft, live, ...)
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

DISTRICTS_WITH_BOUNDARIES = {"auckland-city", "counties-manukau", "northland", "waitemata"}


@pytest.fixture
def boundaries(defaults, tmp_path, make_user):
    from rocc.maps.services import boundaries_import
    from rocc.maps.tests.synthetic import good_file

    boundaries_import(actor=make_user("administrator"), path=good_file(tmp_path), source="Synthetic test boundaries", licence="CC0")


def _page(client, release) -> str:
    response = client.get(f"/public/releases/{release.slug}/indicators/assaults/")
    assert response.status_code == 200
    return response.content.decode()


def _map_part(html: str) -> str:
    return html.split('<section class="public-map"')[1].split("</section>")[0]


def test_the_public_map_holds_only_the_releases_published_figures(client, live, boundaries):
    from rocc.maps.selectors import public_choropleth
    from rocc.measures.models import SourceKind
    from rocc.measures.services import ObservationInput, observations_record_many
    from rocc.org.models import OrgUnit
    from rocc.releases.selectors import indicator_in, open_data_rows, public_version_get

    release = live()
    version = public_version_get(release=release)
    published = indicator_in(version.content, "assaults")
    layer = public_choropleth(published)
    assert layer is not None
    rows = {r["code"]: r for r in layer["units"]}
    assert {code for code, r in rows.items() if r["path"]} == DISTRICTS_WITH_BOUNDARIES
    cells = {c["unit"]: c for c in published["cells"]}
    for code, row in rows.items():
        latest = cells[code]["latest"]
        assert row["period_label"] == latest["label"]
        assert row["suppressed"] == latest["suppressed"]
        assert row["value"] == (None if latest["suppressed"] else latest["value"])
        assert row["numerator"] == (None if latest["suppressed"] else latest["numerator"])
    # Waitematā's counts are small: suppressed in the release, so suppressed on the map and never shaded.
    assert rows["waitemata"]["suppressed"] and rows["waitemata"]["value"] is None and rows["waitemata"]["colour"] is None
    # Every other count is the release's randomly rounded count (base 3), and every figure is one of the open data's.
    released = {(r["unit"], r["period"], r["count"], r["value"]) for r in open_data_rows(version) if r["indicator"] == "assaults"}
    for code, row in rows.items():
        if row["value"] is not None:
            assert row["numerator"] % 3 == 0
            assert (code, cells[code]["latest"]["period"], row["numerator"], row["value"]) in released
    # Classes come from the published figures only.
    shown = sorted(r["value"] for r in rows.values() if r["value"] is not None)
    assert sum(c["units"] for c in layer["classes"]) == len(shown)

    html = _page(client, release)
    part = _map_part(html)
    assert "<script" not in html  # the public pages stay script-free: the map is drawn on the server
    assert part.count("<path d=") == 1 + len(DISTRICTS_WITH_BOUNDARIES)  # the outline and each district with a boundary
    assert re.search(r"Waitematā: suppressed \(a small count\)", part)
    # Its row of the table shows "s", not its true count (3 in June 2025) nor a figure made from it.
    row = part.split('<th scope="row">Waitematā</th>')[1].split("</tr>")[0]
    assert re.findall(r"\d", row.replace("Jun 2025", "")) == [] and ">s<" in row

    # A figure recorded after the release was frozen is not published, so it is not on the map.
    observations_record_many(
        items=[
            ObservationInput(
                indicator=published_indicator(),
                unit=OrgUnit.objects.get(code=code),
                period_start=dt.date(2025, 7, 1),
                period_end=dt.date(2025, 7, 31),
                numerator=9_999,
            )
            for code in DISTRICTS_WITH_BOUNDARIES
        ],
        source=SourceKind.IMPORT,
    )
    after = _map_part(_page(client, release))
    assert after == part and "9,999" not in after and "9999" not in after and "Jul 2025" not in after


def published_indicator():
    from rocc.measures.models import Indicator

    return Indicator.objects.get(code="assaults")


def test_no_public_map_without_boundaries(client, live):
    html = _page(client, live())
    assert 'class="public-map"' not in html


@pytest.mark.browser
def test_the_public_map_reads_without_script_and_passes_axe(browser, live_server, live, boundaries):  # noqa: F811
    release = live()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    scripts, elsewhere = [], []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"/public/releases/{release.slug}/indicators/assaults/")
    figure = page.locator("section.public-map figure")
    assert figure.locator("svg.choropleth-map path").count() == 1 + len(DISTRICTS_WITH_BOUNDARIES)
    assert "Classes are quantiles" in figure.inner_text()
    assert serious_violations(page) == []
    # Each region is reached with the keyboard, named with its figure, and opens its unit's figures.
    names = []
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement.closest('svg.choropleth-map') ? document.activeElement.getAttribute('aria-label') : null")
        if label:
            names.append(label)
        elif names:
            break
    assert len(names) == len(DISTRICTS_WITH_BOUNDARIES) and any(n.startswith("Waitematā: suppressed") for n in names)
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h2#unit-figures").inner_text() == focused.split(":")[0]
    (ARTEFACTS / "maps").mkdir(parents=True, exist_ok=True)
    page.locator("section.public-map").screenshot(path=str(ARTEFACTS / "maps" / "05-public-indicator-map.png"))
    # Narrow screens: the map scales to the column.
    page.set_viewport_size({"width": 400, "height": 800})
    assert figure.locator("svg.choropleth-map").bounding_box()["width"] <= 400
    assert scripts == [] and elsewhere == []
    context.close()


def test_each_region_is_a_link_named_with_its_figure_to_that_units_figures(client, live, boundaries):
    release = live()
    part = _map_part(_page(client, release))
    links = re.findall(r'<a href="\?unit=([a-z-]+)#unit-figures" aria-label="([^"]+)"><path d=', part)
    assert {code for code, _ in links} == DISTRICTS_WITH_BOUNDARIES
    named = dict(links)
    assert named["waitemata"] == "Waitematā: suppressed (a small count)"
    assert re.fullmatch(r"Northland: [\d.,]+ .+, [A-Z][a-z]{2} \d{4}", named["northland"])
    followed = client.get(f"/public/releases/{release.slug}/indicators/assaults/?unit=northland").content.decode()
    assert '<h2 id="unit-figures">Northland</h2>' in followed
    assert "<script" not in followed


def test_a_release_holding_area_figures_is_also_mapped_by_area_with_the_same_protection(live, boundaries):
    import copy

    from rocc.maps.templatetags.maps import public_indicator_map
    from rocc.releases.selectors import indicator_in, public_version_get

    published = indicator_in(public_version_get(release=live()).content, "assaults")
    assert public_indicator_map(published).count('<section class="public-map"') == 1  # districts only: no area figures
    cells = {c["unit"]: c for c in published["cells"]}
    with_areas = copy.deepcopy(published)
    # Frozen area cells as a release holding them would carry: North Shore's small count suppressed at freezing.
    with_areas["cells"] += [
        {**copy.deepcopy(cells["waitemata"]), "unit": "north-shore", "unit_name": "North Shore"},
        {**copy.deepcopy(cells["northland"]), "unit": "west-auckland", "unit_name": "West Auckland"},
    ]
    html = public_indicator_map(with_areas)
    assert html.count('<section class="public-map"') == 2 and html.count("public-map.css") == 1
    area = html.split('aria-labelledby="public-map-area-heading"')[1]
    assert "By area" in area and "District" not in area.split("<thead>")[1].split("</thead>")[0]
    assert 'aria-label="North Shore: suppressed (a small count)"' in area
    assert re.search(r'<a href="\?unit=west-auckland#unit-figures" aria-label="West Auckland: [\d.,]+ ', area)
    north_shore_row = area.split('<th scope="row">North Shore</th>')[1].split("</tr>")[0]
    assert ">s<" in north_shore_row and re.findall(r"\d", north_shore_row.replace(cells["waitemata"]["latest"]["label"], "")) == []
    assert "<script" not in html
