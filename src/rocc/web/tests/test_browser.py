"""A real browser (Debian's Chromium through Playwright): sign in, walk the main pages by keyboard and
mouse, check accessibility with axe-core, and keep screenshots as test artefacts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rocc.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(os.environ.get("ROCC_TEST_ARTEFACTS", "test-artifacts")) / "screenshots"
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


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_sign_in_walk_the_main_pages_accessibly_and_keep_screenshots(browser, live_server, make_user):
    make_user("programme_manager", username="pm-browser")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto("/accounts/login/")
    assert _serious_violations(page) == []
    page.get_by_label("User name").fill("pm-browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.screenshot(path=str(ARTEFACTS / "00-login-done.png"), full_page=True)

    for index, (name, path, heading) in enumerate(PAGES, start=1):
        page.goto(path)
        assert heading in page.locator("h1").inner_text(), path
        assert _serious_violations(page) == [], path
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
