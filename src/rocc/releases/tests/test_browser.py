"""A real browser: an anonymous visitor reads the latest release (scorecard, an indicator's curve with and without
JavaScript, a district, the action plan, earlier releases, the calendar, an embedded view framed by another page);
the programme office previews a release; a provider decides on consent. Every page passes axe's serious and critical
checks; screenshots go to the test artefacts."""

from __future__ import annotations

import contextlib
import http.server
import threading

import pytest

from rocc.conftest import PASSWORD
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser


def _accessible(page, name):
    assert serious_violations(page) == [], page.url
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"releases-{name}.png"), full_page=True)


@contextlib.contextmanager
def partner_site(html: str):
    """A one-page web site on 127.0.0.1 (a different origin from the live server's localhost) serving ``html``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


def _signed_in(browser, live_server, username):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    return context, page


def test_the_public_pages_read_without_signing_in_and_pass_axe(browser, live_server, live, world, draft):  # noqa: F811
    release = live()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    external, scripts = [], []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto("/public/")
    assert page.locator("h1").inner_text() == release.title
    _accessible(page, "01-scorecard")
    page.get_by_role("link", name="Serious assaults").first.click()
    page.wait_for_url("**/indicators/assaults/")
    assert page.locator("svg.curve-chart").count() == 1
    _accessible(page, "02-indicator")
    page.get_by_role("link", name="Waitematā").click()
    assert "s = suppressed" in page.locator("main").inner_text()
    _accessible(page, "03-indicator-district")
    page.goto(f"/public/releases/{release.slug}/action-plan/")
    _accessible(page, "04-action-plan")
    page.goto("/public/releases/")
    _accessible(page, "05-earlier-releases")
    page.goto("/public/calendar/")
    _accessible(page, "06-calendar")
    assert scripts == [] and external == [], "the public pages load no script and nothing from elsewhere"
    context.close()

    # Without JavaScript the chart is the same picture: it is drawn on the server.
    plain = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = plain.new_page()
    page.goto(f"/public/releases/{release.slug}/indicators/assaults/")
    assert page.locator("svg.curve-chart polyline.curve").count() >= 1
    plain.close()

    # A partner's page frames the embeddable view (the frame is allowed for that view only).
    framed = browser.new_context(base_url=live_server.url)
    page = framed.new_page()
    partner = f'<!doctype html><title>Partner</title><main><h1>Partner</h1><iframe title="Scorecard" src="{live_server.url}/public/embed/{release.slug}/scorecard/" width="900" height="600"></iframe></main>'
    # A partner's site: another origin, served by a server of its own on this machine.
    with partner_site(partner) as partner_url:
        page.goto(partner_url)
        frame = page.frame_locator("iframe")
        assert frame.locator("h1").inner_text() == release.title
        page.screenshot(path=str(ARTEFACTS / "releases-07-embedded.png"), full_page=True)
    framed.close()


def test_the_office_previews_and_a_provider_decides_consent_in_the_browser(browser, live_server, world, draft):  # noqa: F811
    from rocc.releases.services import release_freeze

    release = draft()
    release_freeze(user=world["manager"], release=release)
    context, page = _signed_in(browser, live_server, "manager")
    page.goto(f"/public/manage/{release.slug}/")
    _accessible(page, "08-manage")
    page.get_by_role("link", name="Preview version 1").click()
    assert "left out because their provider has not agreed" in page.locator(".preview-banner").inner_text()
    _accessible(page, "09-preview")
    context.close()

    context, page = _signed_in(browser, live_server, "ngo-reporter")
    page.goto("/measures/returns/")
    page.get_by_role("link", name="publishing your figures").click()
    _accessible(page, "10-consent")
    page.get_by_role("button", name="Agree to publish these figures").click()
    assert "agreed to publish" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Withdraw consent").count() == 1
    context.close()
