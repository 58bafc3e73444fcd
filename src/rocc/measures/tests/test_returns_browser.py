"""A real browser: a provider fills and submits a return, the approver returns it with a comment, the provider fixes
and resubmits, the approver approves; every page passes axe's serious and critical checks."""

from __future__ import annotations

import pytest

from rocc.measures.tests.returns_fixtures import *  # noqa: F403
from rocc.measures.tests.returns_fixtures import PASSWORD
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser


def _signed_in(browser, live_server, username):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    return context, page


def _accessible(page, name):
    assert serious_violations(page) == [], page.url
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"returns-{name}.png"), full_page=True)


def test_a_return_is_filled_submitted_returned_with_a_comment_fixed_and_approved(browser, live_server, people, data_set):  # noqa: F811
    provider_context, provider = _signed_in(browser, live_server, "ngo-reporter")
    external = []
    provider.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    provider.goto("/measures/returns/")
    assert provider.locator("h1").inner_text() == "Provider returns"
    _accessible(provider, "01-provider-list")
    provider.get_by_role("link", name="Whānau services: referrals and assessments").click()
    _accessible(provider, "02-data-set")
    provider.get_by_label("Period").select_option("2025-03")
    provider.get_by_role("button", name="Open the return").click()
    provider.wait_for_url("**/measures/returns/*/")
    return_url = provider.url

    # A letter is refused at its field, and nothing is saved.
    provider.get_by_label("Whānau referred to or assessed for support and navigation").fill("twelve")
    provider.get_by_label("People referred to or assessed for counselling").fill("7")
    provider.get_by_label("Referrals or assessments through community hubs").fill("0")
    provider.get_by_role("button", name="Save draft").click()
    assert "'twelve' is not a number" in provider.locator("main").inner_text()
    _accessible(provider, "03-refused-figure")
    provider.get_by_label("Whānau referred to or assessed for support and navigation").fill("12")
    provider.get_by_role("button", name="Check figures").click()
    assert "All checks pass" in provider.locator("main").inner_text()
    provider.get_by_role("button", name="Submit for approval").click()
    assert "submitted for approval" in provider.locator(".messages").inner_text()
    _accessible(provider, "04-submitted")

    approver_context, approver = _signed_in(browser, live_server, "waitemata-coordinator")
    approver.goto("/measures/returns/")
    _accessible(approver, "05-approver-list")
    approver.goto(return_url)
    approver.get_by_label("Comment").fill("Hubs cannot be 0: the Massey hub opened in March.")
    approver.get_by_role("button", name="Return for revision").click()
    assert "sent back to Te Whare Āwhina" in approver.locator(".messages").inner_text()
    _accessible(approver, "06-returned")

    provider.goto(return_url)
    assert "the Massey hub opened in March." in provider.locator(".returned-panel").inner_text()
    _accessible(provider, "07-provider-sees-comment")
    provider.get_by_label("Referrals or assessments through community hubs").fill("3")
    provider.get_by_label("Note for the approver").fill("Massey hub referrals added.")
    provider.get_by_role("button", name="Submit for approval").click()
    assert "submitted for approval" in provider.locator(".messages").inner_text()

    approver.goto(return_url)
    assert "Massey hub referrals added." in approver.locator("main").inner_text()
    approver.get_by_role("button", name="Approve").click()
    assert "Return approved" in approver.locator(".messages").inner_text()
    assert "Approved and locked" in approver.locator("main").inner_text()
    _accessible(approver, "08-approved")
    approver.goto(f"/measures/returns/data-sets/{data_set.code}/performance/")
    _accessible(approver, "09-performance")

    assert external == [], f"pages asked for assets from elsewhere: {external}"
    provider_context.close()
    approver_context.close()
