"""A real browser walks the co-design flow from an empty plan to an agreed one, checking accessibility with axe-core
on every page and keeping screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rocc.conftest import PASSWORD
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)
from rocc.web.testing import browser, serious_violations  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser

ARTEFACTS = Path(os.environ.get("ROCC_TEST_ARTEFACTS", "test-artifacts")) / "screenshots" / "codesign"


def _check(page, name: str) -> None:
    assert serious_violations(page) == [], name
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def test_a_coordinator_walks_a_plan_from_empty_to_agreed(browser, live_server, strategy, measures_catalogue, make_user):  # noqa: F811
    from rocc.strategy.models import Activity, DistrictPlan

    make_user("regional_coordinator", units=["rotorua"], username="rc-browser")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("rc-browser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto("/strategy/district-plans/")
    _check(page, "01-plans")
    page.get_by_label("District or area").select_option(label="Rotorua")
    page.get_by_label("Title").fill("Rotorua whānau plan")
    page.get_by_role("button", name="Start the plan").click()
    page.wait_for_url("**/steps/1/")
    code = DistrictPlan.objects.get(title="Rotorua whānau plan").code
    assert "No focus area yet" in page.locator(".missing").inner_text()
    _check(page, "02-step-1-empty")

    page.get_by_label("The issue the community agreed").fill("Methamphetamine harm to whānau")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Nothing: this step is complete.").wait_for()
    _check(page, "03-step-1-done")

    page.get_by_role("link", name="Step 2 →").click()
    page.get_by_label("What is needed to succeed").fill("Strong local governance and leadership")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Nothing: this step is complete.").wait_for()

    page.get_by_role("link", name="Step 3 →").click()
    page.wait_for_url(f"**/{code}/steps/3/")
    _check(page, "04-step-3-empty")
    page.get_by_label("Activity", exact=True).fill("Whānau support and navigation")
    page.get_by_label("Output").fill("Whānau receiving intensive support")
    page.get_by_label("Outcome").fill("Increase in whānau support and access to services")
    page.get_by_label("Impact").fill("Improved whānau wellbeing")
    page.get_by_label("Who owns it").fill("Iwi and the district's social sector")
    page.get_by_role("button", name="Add the chain").click()
    page.locator(".chain-table").get_by_role("link", name="Improved whānau wellbeing").wait_for()
    page.get_by_label("Who are the stakeholders & who owns the problem?").fill("Iwi, hapū, NGOs, council and agencies; iwi own it.")
    page.get_by_role("button", name="Save the answers").click()
    page.get_by_text("Answers saved.").wait_for()
    _check(page, "05-step-3-done")

    page.get_by_role("link", name="Step 4 →").click()
    page.wait_for_url(f"**/{code}/steps/4/")
    page.get_by_label("Indicator", exact=True).select_option("mf-whanau-support-referrals")  # from the Measures catalogue
    page.get_by_label("Data source").fill("Provider reporting")
    page.get_by_label("Responsibility (organisation)").select_option(label="Te Whatu Ora")
    page.get_by_role("button", name="Add the row").click()
    page.get_by_text("Monitoring row added.").wait_for()
    _check(page, "06-step-4-done")

    page.get_by_role("link", name="Review and agree the plan →").click()
    page.get_by_role("button", name="Agree version 1").click()
    page.get_by_text("The plan is agreed: version 1 is frozen.").wait_for()
    assert "Agreed" in page.locator(".lede").inner_text()
    _check(page, "07-agreed")

    page.get_by_role("link", name="Logic model").first.click()
    page.locator("svg.logic-model").wait_for()
    _check(page, "08-logic-model")
    page.locator("svg.logic-model a").first.click()
    page.wait_for_url(f"**/{code}/v1/boxes/**")
    _check(page, "09-box")
    activity = Activity.objects.filter(plan__scope_unit__level="national").order_by("plan__code", "number").first()
    page.goto(f"/strategy/plans/{activity.plan.code}/activities/{activity.number}/")
    page.get_by_role("heading", name="Where this activity is used").wait_for()
    _check(page, "10-activity-where-used")
    page.goto("/measures/indicators/mf-whanau-support-referrals/?unit=rotorua")
    # Nothing is picked yet, so the picking form is open.
    page.get_by_label(str(activity), exact=False).first.check()
    page.get_by_role("button", name="Save the picked actions").click()
    page.get_by_text("The curve's picked actions were saved.").wait_for()
    _check(page, "11-curve-actions")
    assert external == [], f"pages asked for assets from elsewhere: {external}"
    context.close()
