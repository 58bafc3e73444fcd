"""A real browser removes a priority action from step 3: the confirmation page says what goes and what stays, and
both pages pass axe-core; screenshots are kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rocc.conftest import PASSWORD
from rocc.web.testing import browser, serious_violations  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser

ARTEFACTS = Path(os.environ.get("ROCC_TEST_ARTEFACTS", "test-artifacts")) / "screenshots" / "codesign"


def test_a_coordinator_removes_a_priority_action_after_seeing_what_goes_and_what_stays(browser, live_server, strategy, make_user):  # noqa: F811
    from rocc.org.models import OrgUnit
    from rocc.strategy.models import Framework
    from rocc.strategy.services.plans import chain_element_add, district_plan_create, priority_action_add

    user = make_user("regional_coordinator", units=["rotorua"], username="rc-removal")
    plan = district_plan_create(user=user, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title="Rotorua removal plan")
    for activity, output in [("Whānau support and navigation", "Whānau receiving intensive support"), ("Community based hubs", "Established hubs")]:
        priority_action_add(
            user=user,
            plan=plan,
            activity=activity,
            output=output,
            outcome="Increase in whānau support and access to services",
            impact="Improved whānau wellbeing",
        )
    chain_element_add(user=user, plan=plan, kind="impact", text="Safer streets")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("rc-removal")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(f"/strategy/district-plans/{plan.code}/steps/3/")
    assert "Safer streets" in page.locator(".stray-boxes").inner_text()
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "20-step-3-shared-and-stray.png"), full_page=True)

    page.get_by_role("link", name="Remove “Community based hubs”…").click()
    page.wait_for_url("**/steps/3/remove/**")
    removed = page.locator("section", has=page.get_by_role("heading", name="What will be removed")).inner_text()
    kept = page.locator("section", has=page.get_by_role("heading", name="What stays")).inner_text()
    assert "Activity: Community based hubs" in removed and "Output: Established hubs" in removed
    assert "Improved whānau wellbeing" in kept and "Improved whānau wellbeing" not in removed
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "21-remove-confirm.png"), full_page=True)

    page.get_by_role("button", name="Remove the priority action and 1 box").click()
    page.get_by_text("Removed the priority action “Community based hubs”").wait_for()
    assert "Community based hubs" not in page.locator(".chain-table").inner_text()
    assert "Improved whānau wellbeing" in page.locator(".chain-table").inner_text()
    context.close()
