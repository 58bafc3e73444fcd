"""In a real browser: upload a file, run a near-repeat analysis, read the heat table and its summary, save it
and re-open it — with an axe accessibility check and screenshots at each step, and no content-security
violation (no inline script or style) on the way."""

from __future__ import annotations

import pytest

from rocc.analysis_pages.tests.conftest import CHICAGO
from rocc.conftest import PASSWORD
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


def test_upload_run_a_near_repeat_analysis_save_it_and_reopen_it(browser, live_server, make_user):  # noqa: F811
    make_user("analyst", units=["waitemata"], username="analyst-browser")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("analyst-browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto("/analyses/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Near repeats (Knox)").click()
    page.get_by_label("File to analyse").set_input_files(str(CHICAGO))
    page.get_by_label("The file has no header row").check()  # the first section: the event store follows it
    assert serious_violations(page) == []
    page.get_by_role("button", name="Upload and choose columns").click()

    from_file = page.get_by_role("region", name="From a file")
    from_file.get_by_label("Easting / longitude column").select_option("1")
    from_file.get_by_label("Northing / latitude column").select_option("2")
    from_file.get_by_label("Date column").select_option("3")
    from_file.get_by_label("The coordinates are").select_option("metres")
    from_file.get_by_label("Permutations").fill("99")
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "analyses-01-near-repeat-settings.png"), full_page=True)
    from_file.get_by_role("button", name="Run the analysis").click()

    page.get_by_role("heading", name="Near repeats (Knox): result").wait_for(timeout=120_000)
    summary = page.locator("#knox-summary").inner_text()
    assert summary.startswith("Within 100 m and 7 days of a burglary, the risk of another is")
    table = page.get_by_role("table", name="Knox ratio by distance")
    assert table.locator("td.significant").count() >= 1
    assert "★" in table.locator("td.significant").first.inner_text()
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "analyses-02-near-repeat-result.png"), full_page=True)

    page.get_by_label("Title").fill("Chicago burglaries: near repeats")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Chicago burglaries: near repeats").wait_for()
    assert page.locator("#knox-summary").inner_text() == summary
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "analyses-03-saved.png"), full_page=True)

    page.goto("/analyses/")
    page.get_by_role("link", name="Chicago burglaries: near repeats").click()
    page.get_by_role("heading", name="Chicago burglaries: near repeats").wait_for()
    assert page.locator("#knox-summary").inner_text() == summary

    assert refused == [], refused
    assert external == [], external
    context.close()
