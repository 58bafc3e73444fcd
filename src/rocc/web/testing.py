"""What every browser test shares: Debian's Chromium through Playwright, the axe-core check, and where
screenshots go. Test modules import ``browser`` and ``serious_violations`` from here; the browser is started once per
test process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT  # the axe-core build the package bundles

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(os.environ.get("ROCC_TEST_ARTEFACTS", "test-artifacts")) / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the whole test process, started when a browser test first asks for it (starting Playwright's
    driver and the browser costs about a second each time). The suite's conftest makes it the one fixture of that name."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser(chromium):
    """The process's Chromium; each test opens a context of its own and closes it."""
    return chromium


def serious_violations(page) -> list[str]:
    """The page's serious and critical accessibility violations found by axe-core, one line each. axe-core (572 KB of
    script) is sent to a page only if the page does not hold it yet (a page checked again after a change does)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    response = page.evaluate("axe.run({resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
