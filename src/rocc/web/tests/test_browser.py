"""A real browser (Debian's Chromium through Playwright): sign in, walk the main pages by keyboard and
mouse, check accessibility with axe-core, and keep screenshots as test artefacts."""

from __future__ import annotations

import pytest

from rocc.conftest import PASSWORD
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

PAGES = [
    ("home", "/", "National programme"),
    ("organisation", "/org/", "Organisation"),
    ("agencies", "/org/agencies/", "Agencies"),
    ("units", "/org/units/", "Organisational units"),
    ("unit-waitemata", "/org/units/waitemata/", "Waitematā"),
    ("national-structure", "/org/structure/", "Our national structure"),
    ("group-nocg", "/org/structure/nocg/", "National Organised Crime Group"),
    ("people", "/org/people/", "People"),
    ("audit", "/audit/", "Audit trail"),
]


def test_sign_in_walk_the_main_pages_accessibly_and_keep_screenshots(browser, live_server, make_user):
    make_user("programme_manager", username="pm-browser")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto("/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_label("User name").fill("pm-browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.screenshot(path=str(ARTEFACTS / "00-login-done.png"), full_page=True)

    for index, (name, path, heading) in enumerate(PAGES, start=1):
        page.goto(path)
        assert heading in page.locator("h1").inner_text(), path
        assert serious_violations(page) == [], path
        page.screenshot(path=str(ARTEFACTS / f"{index:02d}-{name}.png"), full_page=True)

    assert external == [], f"pages asked for assets from elsewhere: {external}"
    context.close()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(browser, live_server, make_user):
    make_user("viewer", username="keyboard-user")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("keyboard-user")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto("/org/units/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Search with the keyboard only: the label names the field, Enter submits it.
    page.get_by_label("Search (with or without macrons)").fill("taupo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/org/units/?q=taupo**")
    assert page.get_by_role("link", name="Taupō").is_visible()
    context.close()
