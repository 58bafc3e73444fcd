"""A real browser: a Police analyst finds a service in the directory and refers a whānau with consent; the provider
sees it in its queue without the name, opens it, accepts, records contact; the referrer sees the status and records
that consent was withdrawn; the provider no longer sees who the person is. Every page passes axe's serious and
critical checks, and asks for nothing from outside rocc."""

from __future__ import annotations

import pytest

from rocc.conftest import PASSWORD
from rocc.referrals.tests.fixtures import *  # noqa: F403
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
    page.screenshot(path=str(ARTEFACTS / f"referrals-{name}.png"), full_page=True)


def test_a_whanau_is_referred_with_consent_answered_by_the_provider_and_consent_withdrawn(browser, live_server, people, directory):  # noqa: F811
    referrer_context, referrer = _signed_in(browser, live_server, "police-analyst")
    external = []
    referrer.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    referrer.get_by_role("link", name="Referrals").click()
    assert referrer.locator("h1").inner_text() == "Referrals"
    _accessible(referrer, "01-referrer-overview")
    referrer.goto("/referrals/services/")
    referrer.get_by_label("Search", exact=True).fill("whanau")
    referrer.get_by_role("button", name="Search").click()
    _accessible(referrer, "02-directory")
    referrer.get_by_role("link", name="Whānau navigation").click()
    _accessible(referrer, "03-service")
    referrer.get_by_role("link", name="Refer to this service").click()
    referrer.get_by_label("Where the person or whānau lives (unit)").select_option(label="West Auckland")
    referrer.get_by_label("Referring a whānau (not one person)").check()
    referrer.get_by_label("Reason for the referral, in plain words").fill("Whānau under pressure from a gang-linked debt; repeat burglary victims.")
    referrer.get_by_label("Urgency").select_option("soon")
    referrer.get_by_label("Name of the person or whānau contact").fill("Mere Tūhoe")
    referrer.get_by_label("How the provider makes contact").select_option("phone")
    referrer.get_by_label("Consent given", exact=True).check()
    referrer.get_by_role("button", name="Send the referral").click()
    # Refused at each field it needs, nothing sent.
    body = referrer.locator("main").inner_text()
    assert "Give the details for 'Phone the person'" in body and "Say who gave consent" in body
    _accessible(referrer, "04-refused")
    referrer.get_by_label("Contact details").fill("021 555 0199")
    referrer.get_by_label("Consent given by", exact=True).fill("Mere Tūhoe")
    referrer.get_by_label("Consent given on").fill("2025-03-01")
    referrer.get_by_label("Consent given for (what may be shared, for what)").fill("Name and phone to Te Whare Āwhina to arrange support")
    referrer.get_by_role("button", name="Send the referral").click()
    assert "sent to Te Whare Āwhina" in referrer.locator(".messages").inner_text()
    referral_url = referrer.url
    _accessible(referrer, "05-sent")

    provider_context, provider = _signed_in(browser, live_server, "awhina-reporter")
    provider.goto("/referrals/")
    queue = provider.locator("table").first.inner_text()
    assert "Whānau navigation" in queue and "Mere" not in queue
    _accessible(provider, "06-provider-queue")
    provider.goto(referral_url)
    assert "Mere Tūhoe" in provider.locator("#person-name").inner_text()
    provider.get_by_role("button", name="Accept").click()
    assert "Accept: recorded." in provider.locator(".messages").inner_text()
    provider.get_by_label("Note (record contact)").fill("Phoned Mere; hui booked for Tuesday.")
    provider.get_by_role("button", name="Record contact").click()
    assert provider.locator("#status").inner_text() == "In contact"
    _accessible(provider, "07-provider-in-contact")

    referrer.goto(referral_url)
    assert referrer.locator("#status").inner_text() == "In contact"
    referrer.get_by_label("Note (record that consent was withdrawn)").fill("Mere asked for her details not to be shared any more.")
    referrer.get_by_role("button", name="Record that consent was withdrawn").click()
    assert referrer.locator("#status").inner_text() == "Consent withdrawn"
    _accessible(referrer, "08-consent-withdrawn")

    provider.goto(referral_url)
    assert "Mere" not in provider.locator("main").inner_text() and "Not shared: consent was withdrawn" in provider.locator("#withheld").inner_text()
    _accessible(provider, "09-provider-after-withdrawal")

    assert external == [], f"pages asked for assets from elsewhere: {external}"
    provider_context.close()
    referrer_context.close()
