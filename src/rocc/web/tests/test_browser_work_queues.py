"""A real browser on each role's home page (its work queue) and on the notifications pages: the queue's counts and
items show and lead to their pages, the shell shows the unread count, axe finds nothing serious, screenshots kept."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES
from rocc.testing import load_once
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


def _sign_in(context, live_server, username: str):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    return page


def test_each_roles_home_page_is_its_work_queue_accessibly_with_screenshots(browser, live_server, people, open_return, make_user):
    from rocc.org.models import OrgUnit
    from rocc.problems.services import case_open, problems_defaults_load
    from rocc.returns.services import return_submit, return_values_save
    from rocc.strategy.services.frameworks import strategy_defaults_load
    from rocc.strategy.services.register import barrier_escalate, barrier_raise
    from rocc.tasking.services.defaults import tasking_defaults_load
    from rocc.tasking.services.taskings import tasking_create

    load_once(strategy_defaults_load)
    load_once(tasking_defaults_load)
    load_once(problems_defaults_load)
    waitemata = OrgUnit.objects.get(code="waitemata")
    ret = open_return("2025-03")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (12, 5, 3))))
    return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    barrier = barrier_raise(user=people["waitemata_coordinator"], unit=waitemata, severity=3, title="Data sharing stalls", description="Months of delay")
    barrier_escalate(user=people["waitemata_coordinator"], barrier=barrier)
    tc = make_user("tc_member", units=["nz"], username="occc-browser")
    analyst = make_user("analyst", units=["waitemata"], username="analyst-browser")
    viewer = make_user("viewer", units=["waitemata"], username="viewer-browser")
    tasking_create(
        actor=tc, title="Visit the address", description="Follow up.", owner=tc, due_date=dt.date.today() + dt.timedelta(days=5), tasked_unit=waitemata
    )
    case_open(
        actor=people["waitemata_coordinator"],
        title="Burglaries around Henderson",
        description="Repeat.",
        scope_unit=waitemata,
        owner=people["waitemata_coordinator"],
    )

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    homes = [
        ("programme-manager", people["manager"].username, "National programme", "Returns awaiting approval"),
        ("regional-coordinator", people["waitemata_coordinator"].username, "Your region", "Your plans' open gaps"),
        ("provider", people["ngo"].username, "Reporting for Te Whare Āwhina", "Returns overdue"),
        ("analyst", analyst.username, "Analysis", "Imports running or failed"),
        ("tc-member", tc.username, "Tasking & Coordination", "Next meeting's agenda"),
        ("viewer", viewer.username, "Welcome", "The scorecard"),
    ]
    for index, (name, username, heading, section) in enumerate(homes, start=1):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        page = _sign_in(context, live_server, username)
        assert heading in page.locator("h1").inner_text(), name
        assert page.get_by_role("heading", name=section).first.is_visible(), (name, section)
        assert serious_violations(page) == [], name
        page.screenshot(path=str(ARTEFACTS / f"queue-{index:02d}-{name}.png"), full_page=True)
        context.close()

    # The programme manager was told of the submitted return and the escalated barrier: the shell counts them, the
    # inbox lists them, and opening one marks it read and goes to its page.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = _sign_in(context, live_server, people["manager"].username)
    assert page.locator(".unread-count").inner_text().startswith("2")
    page.get_by_role("link", name="Notifications").click()
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "queue-07-inbox.png"), full_page=True)
    page.get_by_role("link", name="Escalated to the centre").click()
    page.wait_for_url(f"{live_server.url}/strategy/barriers/{barrier.pk}/")
    page.goto("/")
    assert page.locator(".unread-count").inner_text().startswith("1")
    page.goto("/inbox/settings/")
    assert serious_violations(page) == []
    page.get_by_label("One daily digest").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_label("One daily digest").is_checked()
    page.screenshot(path=str(ARTEFACTS / "queue-08-email-choice.png"), full_page=True)
    context.close()
