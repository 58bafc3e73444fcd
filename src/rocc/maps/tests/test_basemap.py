"""The optional basemap: with no tile source configured the map draws on the outline and boundaries alone and the
pages allow no outside address; with one (ROCC_MAP_TILES), the map draws it underneath with its credit, and only
that server's origin is added to the content security policy."""

from __future__ import annotations

import pytest


@pytest.fixture
def analyst_client(client, make_user):
    client.force_login(make_user("analyst"))
    return client


def test_no_basemap_by_default_and_nothing_outside_allowed(analyst_client):
    from rocc.maps.selectors import basemap

    assert basemap() is None
    response = analyst_client.get("/tasking/deconfliction/")
    assert response.status_code == 200
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]
    assert '"basemap": null' in response.content.decode()


def test_a_configured_tile_server_is_drawn_with_its_credit_and_only_its_origin_allowed(analyst_client, settings):
    settings.ROCC_MAP_TILES = "https://tiles.example.govt.nz/basemap/{z}/{x}/{y}.png"
    settings.ROCC_MAP_TILES_ATTRIBUTION = "Basemap © Example Agency"
    settings.ROCC_MAP_TILES_MAX_ZOOM = 17
    response = analyst_client.get("/tasking/deconfliction/")
    page = response.content.decode()
    assert "img-src 'self' data: https://tiles.example.govt.nz;" in response["Content-Security-Policy"]
    assert "connect-src 'self';" in response["Content-Security-Policy"]
    assert '"url": "https://tiles.example.govt.nz/basemap/{z}/{x}/{y}.png"' in page and '"max_zoom": 17' in page
    assert "Basemap \\u00a9 Example Agency" in page or "Basemap © Example Agency" in page
    assert "No basemap is configured" not in page
