"""The import page in a real browser: upload a file, watch the progress, see the report; and the Victim Focus page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from rocc.conftest import PASSWORD
from rocc.events.tests.conftest import GOOD_ROWS, csv_text
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(browser, live_server, source, analyst):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    yield page
    context.close()


def test_upload_shows_progress_then_the_finished_report(signed_in, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, as in production
    page = signed_in
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "extract.csv"
    upload.write_text(csv_text(*GOOD_ROWS, "E9,2024-03-09,777,Rodney,,,,"), encoding="utf-8")

    page.goto("/events/import/")
    assert page.locator("h1").inner_text() == "Import events"
    assert serious_violations(page) == []
    page.get_by_label("Events file").set_input_files(str(upload))
    page.get_by_label("Source", exact=True).select_option("waitemata-extract")
    page.get_by_label("Import the valid rows").check()
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_url(re.compile(r"/events/batches/\d+/$"))
    assert page.locator("[data-status]").get_attribute("data-status") == "queued"
    assert page.locator("progress").count() == 1
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "events-import-queued.png"), full_page=True)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker picks the import up
    page.locator("[data-status='done']").wait_for(timeout=15000)  # the page polls until the import has finished
    text = page.locator("#batch-status").inner_text()
    assert "3 events imported; 1 rows were rejected" in text
    assert "unknown offence code '777'" in text
    page.screenshot(path=str(ARTEFACTS / "events-import-done.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the rejected rows")).click()
    assert "reason" in Path(download.value.path()).read_text().splitlines()[0]
    assert serious_violations(page) == []


def test_victim_focus_page_looks_up_a_person_and_records_the_purpose(signed_in, analyst):
    from rocc.audit.models import AuditEntry, AuditKind
    from rocc.events.testing import events_create
    from rocc.org.models import Role
    from rocc.org.services import user_create

    recent = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    loader = user_create(username="loader", password=PASSWORD, role=Role.ADMINISTRATOR, units=[]).user
    events_create(
        user=loader,
        rows=[
            {"event_id": "B1", "date": recent, "offence_code": "1211", "unit": "North Shore", "victim": "PRN-77"},
            {"event_id": "B2", "date": recent, "offence_code": "1311", "unit": "Christchurch", "victim": "PRN-77"},
        ],
        source="future",
    )
    page = signed_in
    page.goto("/events/victim-focus/")
    assert serious_violations(page) == []
    page.get_by_label("Person identifier").fill("PRN-77")
    page.get_by_label("Purpose of this lookup").fill("checking the page works")
    page.get_by_role("button", name="Look up").click()
    assert "2 victimisations in the past 12 months" in page.locator("#result-heading").inner_text()
    assert "Repeat victim: graduated response" in page.locator("dl.facts").inner_text()
    assert "Searched the whole national event store" in page.locator("#searched").inner_text()
    assert "Property damage (1211)" in page.get_by_role("table", name="Victimisations within your scope").inner_text()
    assert "Disorderly conduct" not in page.get_by_role("table", name="Victimisations within your scope").inner_text()
    assert "1 more outside your scope" in page.locator(".withheld").inner_text()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "victim-focus-answer.png"), full_page=True)
    assert page.get_by_label("Person identifier").input_value() == ""  # the identifier is not echoed back
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, purpose="checking the page works").count() == 1
    assert serious_violations(page) == []
