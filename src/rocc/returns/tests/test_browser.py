"""A real browser: a provider fills and submits a return, the approver returns it with a comment, the provider fixes
and resubmits, the approver approves; every page passes axe's serious and critical checks."""

from __future__ import annotations

import pytest

from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import PASSWORD
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
    # A first return has no earlier figures to compare with: those checks say they could not run, never that they passed.
    checks = provider.locator(".flags-panel").inner_text()
    assert "0 problems, 0 warnings, 6 could not run" in checks and "checks ran and passed" not in checks
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


def test_a_provider_submitting_figures_with_new_warnings_sees_them_writes_a_note_and_submits(
    browser,
    live_server,
    people,
    data_set,  # noqa: F811
    approved_history,
):
    approved_history({"2024-10": (10, 4, 2), "2024-11": (12, 5, 2), "2024-12": (11, 4, 3), "2025-01": (13, 6, 2), "2025-02": (12, 5, 2)})
    provider_context, provider = _signed_in(browser, live_server, "ngo-reporter")
    provider.goto(f"/measures/returns/data-sets/{data_set.code}/")
    provider.get_by_label("Period").select_option("2025-03")
    provider.get_by_role("button", name="Open the return").click()
    provider.wait_for_url("**/measures/returns/*/")
    return_url = provider.url
    provider.get_by_label("Whānau referred to or assessed for support and navigation").fill("60")
    provider.get_by_label("People referred to or assessed for counselling").fill("5")
    provider.get_by_label("Referrals or assessments through community hubs").fill("2")
    provider.get_by_role("button", name="Submit for approval").click()

    # Refused: the warnings are listed and a note is asked for; the figures are kept as a draft.
    refusal = provider.locator("#confirm-warnings").inner_text()
    assert "The return was not submitted: its figures raise 2 warnings to check first." in refusal
    assert "60 is unusual for this provider" in refusal and "Changed from 12 in Feb 2025 to 60" in refusal
    assert provider.get_by_label("Whānau referred to or assessed for support and navigation").input_value() == "60"
    _accessible(provider, "10-warnings-to-confirm")
    provider.get_by_role("link", name="Write the note for the approver").click()
    provider.get_by_label("Note for the approver (needed: say why the flagged figures are right)").fill("Two new hubs opened in March.")
    provider.get_by_role("button", name="Submit for approval").click()
    assert "submitted for approval" in provider.locator(".messages").inner_text()

    approver_context, approver = _signed_in(browser, live_server, "waitemata-coordinator")
    approver.goto("/measures/returns/")
    queue = approver.locator("table").first.inner_text()
    assert "2 warnings" in queue and "2 shown to the provider, with a note" in queue
    _accessible(approver, "11-queue-with-flags")
    approver.goto(return_url)
    assert (
        "2 warnings were shown to the provider before submission, who confirmed the figures with a note: “Two new hubs opened in March.”"
        in approver.locator("#warnings-shown").inner_text()
    )
    _accessible(approver, "12-approver-sees-warnings-shown")
    provider_context.close()
    approver_context.close()
