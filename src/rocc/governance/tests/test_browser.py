"""Making a governance pack in a real browser: the form, the progress while the worker runs, the downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from rocc.conftest import PASSWORD
from rocc.testing import load_once
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


def test_a_programme_manager_makes_a_pack_watches_its_progress_and_downloads_it(browser, live_server, make_user, settings):
    from rocc.strategy.services.frameworks import strategy_defaults_load

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, as in production
    load_once(strategy_defaults_load)
    manager = make_user("programme_manager", username="pm-browser")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.get_by_role("link", name="Governance packs").click()
    page.wait_for_url(live_server.url + "/governance/")
    assert page.locator("h1").inner_text() == "Governance report packs"
    assert serious_violations(page) == []
    page.get_by_label("Public (small numbers protected)").check()
    page.get_by_role("button", name="Make the pack").click()
    page.wait_for_url(re.compile(r"/governance/\d+/$"))
    assert page.locator("[data-status]").get_attribute("data-status") == "queued"
    assert page.locator("progress").count() == 1
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "governance-pack-queued.png"), full_page=True)

    # The worker runs here, in the test's thread, on the test database: the page leaves while it runs, because on SQLite's
    # shared in-memory test database the page's polling would hold the table the worker must lock ("table is locked").
    pack_url = page.url
    page.goto("about:blank")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker picks the pack up
    page.goto(pack_url)
    page.locator("[data-status='done']").wait_for(timeout=20000)
    assert "Made on" in page.locator("#pack-status").inner_text()
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "governance-pack-ready.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.endswith("-public.pdf")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the Excel workbook").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    context.close()
