"""Anonymous visitors reach the public pages and open-data files of live releases, and nothing else."""

from __future__ import annotations

import json

import pytest


def public_urls(release, version_number: int = 1) -> list[str]:
    """Every public address of a live release (each indicator in each of its units, embeds and files)."""
    from rocc.releases.selectors import public_version_get

    content = public_version_get(release=release, number=version_number).content
    base = f"/public/releases/{release.slug}/"
    urls = ["/public/", "/public/releases/", "/public/calendar/", base, f"{base}v{version_number}/", f"{base}action-plan/"]
    urls += [f"{base}data.csv", f"{base}data.json", f"{base}v{version_number}/data.csv", f"{base}v{version_number}/data.json"]
    urls.append(f"/public/embed/{release.slug}/scorecard/")
    for indicator in content["indicators"]:
        for cell in indicator["cells"]:
            urls.append(f"{base}indicators/{indicator['code']}/?unit={cell['unit']}")
            urls.append(f"{base}v{version_number}/indicators/{indicator['code']}/?unit={cell['unit']}")
            urls.append(f"/public/embed/{release.slug}/indicators/{indicator['code']}/?unit={cell['unit']}")
    return urls


def test_anonymous_visitors_reach_every_public_page_and_file(live, client):
    release = live()
    for url in public_urls(release):
        response = client.get(url)
        assert response.status_code == 200, url


def test_anonymous_visitors_reach_nothing_else(live, client, world):
    release = live()
    refused_pages = [
        "/measures/",
        "/measures/returns/",
        "/strategy/",
        "/org/",
        "/problems/",
        "/tasking/",
        "/public/manage/",
        f"/public/manage/{release.slug}/",
        f"/public/manage/{release.slug}/preview/",
        "/public/consent/",
    ]
    for url in refused_pages:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/public/manage/{release.slug}/do/freeze/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for url in ["/api/measures/indicators", "/api/releases/", "/api/measures/returns/data-sets"]:
        assert client.get(url).status_code == 401, url


def test_a_signed_in_viewer_cannot_manage_or_preview(live, client, make_user):
    release = live()
    client.force_login(make_user("viewer"))
    assert client.get("/public/manage/").status_code == 403
    assert client.get(f"/public/manage/{release.slug}/preview/").status_code == 403
    assert client.post(f"/public/manage/{release.slug}/do/revise/", {"note": "x", "version": release.version}).status_code == 403


def test_a_draft_or_cancelled_release_has_no_public_address(world, draft, client):
    from rocc.releases.services import release_cancel, release_freeze

    release = draft()
    release_freeze(user=world["manager"], release=release)
    for url in [f"/public/releases/{release.slug}/", f"/public/releases/{release.slug}/data.json", f"/public/embed/{release.slug}/scorecard/"]:
        assert client.get(url).status_code == 404, url
    release.refresh_from_db()
    release_cancel(user=world["manager"], release=release, version=release.version)
    assert client.get(f"/public/releases/{release.slug}/").status_code == 404
    assert release.title not in client.get("/public/calendar/").content.decode()


def test_only_the_embed_views_may_be_framed(live, client):
    release = live()
    page = client.get(f"/public/releases/{release.slug}/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"
    for url in [f"/public/embed/{release.slug}/scorecard/", f"/public/embed/{release.slug}/indicators/assaults/"]:
        embed = client.get(url)
        assert "frame-ancestors *" in embed["Content-Security-Policy"] and "X-Frame-Options" not in embed, url
        assert "script-src 'self'" in embed["Content-Security-Policy"]


def test_open_data_states_its_licence_at_a_stable_address(live, client, settings):
    release = live()
    document = json.loads(client.get(f"/public/releases/{release.slug}/data.json").content)
    assert document["licence"]["name"].endswith("(CC BY 4.0)") and document["version"] == 1 and document["figures"]
    csv_response = client.get(f"/public/releases/{release.slug}/v1/data.csv")
    assert csv_response["Content-Type"].startswith("text/csv") and 'rel="license"' in csv_response["Link"]
    header = csv_response.content.decode().splitlines()[0]
    assert header.startswith("release,version,reference_date,indicator")
    page = client.get(f"/public/releases/{release.slug}/").content.decode()
    assert "creativecommons.org/licenses/by/4.0" in page


@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_an_unknown_open_data_format_is_not_found(live, client, fmt):
    release = live()
    assert client.get(f"/public/releases/{release.slug}/data.{fmt}").status_code == 404


def test_headings_take_the_te_reo_wording_the_deployment_gives_and_none_otherwise(live, client, settings):
    release = live()
    page = client.get(f"/public/releases/{release.slug}/").content.decode()
    assert 'lang="mi"' not in page
    settings.ROCC_PUBLIC_HEADINGS_MI = {"Release calendar": "Maramataka"}  # as a deployment would set it
    page = client.get(f"/public/releases/{release.slug}/").content.decode()
    assert '<span class="heading-mi" lang="mi">Maramataka</span>' in page
