"""A real browser (Debian's Chromium through Playwright) takes an insights product from receipt through routing to a
completed tasking, checking every page with axe-core and keeping screenshots as test artefacts."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD
from rocc.web.testing import ARTEFACTS as SCREENSHOTS
from rocc.web.testing import browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser
ARTEFACTS = SCREENSHOTS / "tasking"


class Session:
    """One signed-in user's browser tab that checks accessibility and keeps a screenshot of each step."""

    counter = 0

    def __init__(self, browser, base_url: str, username: str):
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.external: list[str] = []
        self.page.on("request", lambda r: self.external.append(r.url) if not r.url.startswith(base_url) else None)
        self.page.goto("/accounts/login/")
        self.page.get_by_label("User name").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(base_url + "/")

    def check(self, name: str) -> None:
        assert serious_violations(self.page) == [], name
        Session.counter += 1
        self.page.screenshot(path=str(ARTEFACTS / f"{Session.counter:02d}-{name}.png"), full_page=True)

    def close(self) -> None:
        assert self.external == [], f"pages asked for assets from elsewhere: {self.external}"
        self.context.close()


def test_an_insights_product_goes_from_receipt_through_routing_to_a_completed_tasking(browser, live_server, people):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    people["occc"], people["waitemata_analyst"]  # noqa: B018  (made before the browser signs in)

    analyst = Session(browser, live_server.url, "waitemata-analyst")
    page = analyst.page
    page.goto("/tasking/")
    assert page.locator("h1").inner_text() == "Tasking & Coordination"
    analyst.check("overview")
    page.get_by_role("navigation", name="Tasking & Coordination").get_by_role("link", name="Insights products").click()
    page.get_by_role("link", name="Record a product received").click()
    analyst.check("product-form")
    page.get_by_label("Kind of product").select_option(label="District scanning product")
    page.get_by_label("Title").fill("Tinnie house on Rata Street")
    page.get_by_label("Summary").fill("Scanning shows repeat callouts and young people coming and going.")
    page.get_by_label("Handling caveat").fill("IN-CONFIDENCE: Police only")
    page.get_by_label("District or area (district products)").select_option(label="Waitematā")
    page.get_by_role("button", name="Record product").click()
    page.wait_for_url("**/tasking/products/*/")
    assert "Tinnie house on Rata Street" in page.locator("h1").inner_text()
    analyst.check("product-received")

    occc = Session(browser, live_server.url, "occc-chair")
    page = occc.page
    page.goto("/tasking/products/")
    page.get_by_role("row", name="Tinnie house on Rata Street").get_by_role("link").click()
    page.get_by_role("link", name="Compile a report from this product").click()
    page.get_by_label("Title").fill("Drug supply to rangatahi in West Auckland")
    page.get_by_label("Summary").fill("One address drives repeat callouts; young people are being drawn in.")
    page.get_by_role("button", name="Compile report").click()
    page.wait_for_url("**/tasking/reports/*/")
    occc.check("report-compiled")

    # Routing without a rationale is refused with a message and nothing saved.
    page.get_by_label("District specific: back to the district").check()
    page.get_by_label("District (district specific)").select_option(label="Waitematā")
    page.get_by_role("button", name="Record routing decision").click()
    assert "Give the rationale for this routing: it is required." in page.get_by_role("alert").first.inner_text()
    occc.check("routing-refused")
    page.get_by_label("District specific: back to the district").check()
    page.get_by_label("District (district specific)").select_option(label="Waitematā")
    page.get_by_label("Rationale").fill("A district problem with district levers: schools, whānau and the landlord.")
    page.get_by_role("button", name="Record routing decision").click()
    page.wait_for_url("**/tasking/reports/*/")
    assert "Waitematā District T&C" in page.locator("dl.facts").inner_text()

    for label, value in [
        ("Physical harm", "2"),
        ("Psychological harm", "2"),
        ("Financial harm", "1"),
        ("Community harm", "3"),
        ("Likelihood", "4"),
        ("Confidence in the information", "3"),
        ("Organisational position (capacity and capability)", "3"),
    ]:
        page.get_by_label(label, exact=True).select_option(value=value)
    page.get_by_role("button", name="Record score").click()
    assert "32.81" in page.locator("dl.facts").inner_text()
    occc.check("report-routed-and-scored")

    page.get_by_label("Title").fill("Close the tinnie house")
    page.get_by_label("What is asked").fill("Search warrant, and referrals for the young people involved.")
    page.get_by_label("Tasked to a district or area").select_option(label="Waitematā")
    page.get_by_label("Owner").select_option(label="waitemata-analyst (waitemata-analyst)")
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Set tasking").click()
    page.wait_for_url("**/tasking/taskings/*/")
    occc.check("tasking-created")
    occc.close()

    page = analyst.page
    page.goto("/tasking/")
    page.get_by_role("link", name="Close the tinnie house").click()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Note").fill("Warrant applied for.")
    page.get_by_role("button", name="Save update").click()
    assert "In progress" in page.locator("h1 + p").inner_text()
    analyst.check("tasking-updated")
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_label("Note").fill("Warrant executed.")
    page.get_by_label("Result").fill("Address closed; three young people referred to youth services.")
    page.get_by_role("button", name="Save update").click()
    assert "Completed" in page.locator("h1 + p").inner_text()
    assert "three young people referred" in page.locator("dl.facts").inner_text()
    analyst.check("tasking-completed")
    analyst.close()


def test_the_meeting_page_and_its_printable_version_are_accessible(browser, live_server, people, make_report, forum):
    from rocc.tasking.services.meetings import meeting_create

    make_report(title="Firearms stolen from rural properties")
    meeting = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=dt.date.today())
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    occc = Session(browser, live_server.url, "occc-chair")
    page = occc.page
    page.goto(f"/tasking/meetings/{meeting.pk}/")
    assert "Firearms stolen from rural properties" in page.get_by_role("region", name="1. New reports").inner_text()
    occc.check("meeting")
    page.get_by_role("textbox", name="Decision").fill("NOCG to brief on the firearms ring next month.")
    page.get_by_label("What it decided").select_option(index=1)
    page.get_by_role("button", name="Minute decision").click()
    assert "NOCG to brief" in page.get_by_role("region", name="Minutes").inner_text()
    page.get_by_role("link", name="Printable agenda and minutes").click()
    occc.check("meeting-printable")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
    occc.close()
