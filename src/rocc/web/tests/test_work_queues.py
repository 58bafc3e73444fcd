"""Each role's home page is its work queue: what each queue holds, by role and by scope, each item a link, with the
counts at the top; and a correctly set-up provider is told what it reports, not that it has no units."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rocc.returns.services import return_send_back, return_submit, return_values_save
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES
from rocc.testing import load_once
from rocc.web.queues import work_queue


def _sections(user, **kwargs) -> dict:
    return {s.key: s for s in work_queue(user, **kwargs)}


def _labels(section) -> list[str]:
    return [item.label for item in section.items]


def _submitted(open_return, people, period, who="ngo", figures=(12, 5, 3)):
    ret = open_return(period, who)
    ret = return_values_save(user=people[who], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, figures)))
    return return_submit(user=people[who], provider_return=ret, version=ret.version)


# --- provider reporter -------------------------------------------------------------------------------------------


def test_a_providers_queue_holds_its_own_returns_overdue_due_and_returned_and_none_of_another_providers(open_return, people):
    today = dt.date(2025, 4, 25)  # March was due 20 April; April has not ended
    draft = open_return("2025-02")
    back = _submitted(open_return, people, "2025-01")
    return_send_back(user=people["manager"], provider_return=back, version=back.version, comment="Check January")
    _submitted(open_return, people, "2024-12")
    queue = _sections(people["ngo"], today=today)
    overdue = queue["returns-overdue"]
    assert "Whānau services: referrals and assessments: Waitematā, Mar 2025" in " | ".join(_labels(overdue))
    assert all("Waitematā" in label for label in _labels(overdue))
    assert not any("Dec 2024" in label or "Jan 2025" in label for label in _labels(overdue))  # submitted or sent back
    feb = next(i for i in overdue.items if i.label.endswith("Feb 2025"))
    assert feb.url == f"/measures/returns/{draft.pk}/" and "draft started" in feb.detail and feb.flag == "overdue"
    mar = next(i for i in overdue.items if i.label.endswith("Mar 2025"))
    assert mar.url == "/measures/returns/data-sets/whanau-services-returns/" and "not started" in mar.detail
    assert queue["returns-due"].items == []
    assert [(i.label, i.url) for i in queue["returns-returned"].items] == [
        ("Whānau services: referrals and assessments: Waitematā, Jan 2025", f"/measures/returns/{back.pk}/")
    ]
    pho = _sections(people["pho"], today=today)
    assert all("Canterbury" in label for label in _labels(pho["returns-overdue"]))
    assert pho["returns-returned"].items == []


def test_a_return_is_due_once_its_period_has_ended_and_until_its_due_date(open_return, people):
    queue = _sections(people["ngo"], today=dt.date(2025, 4, 10))
    assert [i.label for i in queue["returns-due"].items] == ["Whānau services: referrals and assessments: Waitematā, Mar 2025"]
    assert queue["returns-due"].items[0].detail.startswith("due 20 Apr 2025")


def test_a_correctly_set_up_provider_is_told_what_it_reports_not_that_it_has_no_units(client, open_return, people):
    client.force_login(people["ngo"])
    page = client.get("/").content.decode()
    assert "No units in your scope yet" not in page
    assert "for 1 data set" in page and "Whānau services: referrals and assessments" in page
    assert 'href="#returns-overdue"' in page  # the counts at the top link to their sections


def test_a_provider_named_for_no_data_set_is_told_so(client, make_user, defaults):
    user = make_user("provider_reporter", units=["waitemata"], agency="MSD")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "is not named as the provider of any data set yet" in page and "No units in your scope yet" not in page


# --- programme manager and regional coordinator ------------------------------------------------------------------


@pytest.fixture
def strategy(defaults):
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)


def test_the_programme_managers_queue_holds_returns_awaiting_approval_with_flags_activities_and_escalated_barriers(open_return, people, strategy):
    from rocc.org.models import OrgUnit
    from rocc.strategy.models import Activity
    from rocc.strategy.services.frameworks import activity_status_update
    from rocc.strategy.services.register import barrier_escalate, barrier_raise

    ret = _submitted(open_return, people, "2025-03")
    activity = Activity.objects.filter(plan__code="rocc-year-2").order_by("number").first()
    activity_status_update(user=people["manager"], activity=activity, version=activity.version, status="off_track", narrative="Funding delayed")
    coordinator = people["waitemata_coordinator"]
    barrier = barrier_raise(
        user=coordinator, unit=OrgUnit.objects.get(code="waitemata"), severity=3, title="Data sharing agreements stall", description="Months"
    )
    barrier_escalate(user=coordinator, barrier=barrier)

    queue = _sections(people["manager"])
    awaiting = queue["returns-awaiting"]
    assert [i.url for i in awaiting.items] == [f"/measures/returns/{ret.pk}/"]
    assert awaiting.items[0].label.startswith("Te Whare Āwhina · Whānau services")
    activities = queue["activities"]
    item = next(i for i in activities.items if i.url == f"/strategy/plans/rocc-year-2/activities/{activity.number}/")
    assert item.flag == "off track" and "off track" in item.detail
    assert [i.url for i in queue["barriers-awaiting"].items] == [f"/strategy/barriers/{barrier.pk}/"]
    assert "off-track" in queue


def test_flags_shown_to_the_approver_come_with_the_return(open_return, people, approved_history):
    approved_history({"2024-07": (10, 4, 2), "2024-08": (11, 4, 2)})
    from rocc.returns.selectors import return_checks

    ret = open_return("2024-09")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (95, 4, 2))))
    seen = [w.key for w in return_checks(ret).warnings]  # a ninefold jump on August, confirmed with a note
    return_submit(user=people["ngo"], provider_return=ret, version=ret.version, note="A new clinic opened", warnings_seen=seen)
    item = _sections(people["manager"])["returns-awaiting"].items[0]
    assert item.flag == "1 flag" and item.flag_kind == "bad"


def test_a_regional_coordinators_queue_holds_its_plans_gaps_its_barriers_with_answers_and_only_its_regions_returns(open_return, people, strategy):
    from rocc.org.models import OrgUnit
    from rocc.strategy.models import Framework
    from rocc.strategy.services.plans import district_plan_create
    from rocc.strategy.services.register import barrier_escalate, barrier_raise, barrier_respond

    coordinator = people["waitemata_coordinator"]
    waitemata = OrgUnit.objects.get(code="waitemata")
    plan = district_plan_create(user=coordinator, framework=Framework.objects.first(), unit=waitemata, title="Waitematā co-design plan")
    barrier = barrier_raise(user=coordinator, unit=waitemata, severity=2, title="Rural transport", description="No buses to the hub")
    barrier_escalate(user=coordinator, barrier=barrier)
    barrier_respond(user=people["manager"], barrier=barrier, response="Funding agreed with Waka Kotahi for a trial")
    _submitted(open_return, people, "2025-03")
    _submitted(open_return, people, "2025-03", who="pho")

    queue = _sections(coordinator)
    gaps = queue["plan-gaps"]
    assert {i.url for i in gaps.items} >= {f"/strategy/district-plans/{plan.code}/steps/1/"}
    assert all(i.label.startswith("Waitematā co-design plan") for i in gaps.items)
    mine = queue["barriers-mine"]
    assert [i.url for i in mine.items] == [f"/strategy/barriers/{barrier.pk}/"] and "Funding agreed" in mine.items[0].detail
    assert all("Waitematā" in label for label in _labels(queue["returns-awaiting"])) and len(queue["returns-awaiting"].items) == 1

    other = _sections(people["canterbury_coordinator"])
    assert other["plan-gaps"].items == [] and other["barriers-mine"].items == []
    assert [("Canterbury" in label) for label in _labels(other["returns-awaiting"])] == [True]


# --- analyst, T&C member, problem owner, viewer ------------------------------------------------------------------


def test_an_analysts_queue_holds_their_failed_imports_saved_analyses_victim_focus_and_their_recent_person_looks(make_user, defaults):
    from rocc.audit.services import person_access_record
    from rocc.events.models import BatchStatus, EventSource, ImportBatch
    from rocc.events.services import _finish

    analyst = make_user("analyst", units=["waitemata"])
    colleague = make_user("analyst", units=["waitemata"])
    source = EventSource.objects.create(name="queue-source", mapping={})
    failed = ImportBatch.objects.create(source=source, file_name="bad.csv", sha256="1" * 64, created_by=analyst)
    _finish(failed, BatchStatus.REJECTED, message="row 4: the date is missing")
    done = ImportBatch.objects.create(source=source, file_name="good.csv", sha256="2" * 64, created_by=analyst)
    _finish(done, BatchStatus.DONE, message="imported")
    theirs = ImportBatch.objects.create(source=source, file_name="theirs.csv", sha256="3" * 64, created_by=colleague)
    _finish(theirs, BatchStatus.FAILED, message="stopped")
    person_access_record(user=analyst, subject_type="events.person", subject_id="k1", purpose="Repeat victim check for a case", what="looked up one person")

    queue = _sections(analyst)
    assert [(i.url, i.flag) for i in queue["imports"].items] == [(f"/events/batches/{failed.pk}/", "rejected")]
    assert queue["victim-focus"].items[0].url == "/events/victim-focus/"
    assert "Repeat victim check" in queue["looks"].items[0].detail
    assert _sections(colleague)["looks"].items == []
    assert "saved" in queue


def test_a_tc_members_queue_holds_the_next_meeting_overdue_taskings_open_alerts_and_reports_awaiting_routing(make_user, defaults):
    from rocc.org.models import OrgUnit
    from rocc.tasking.models import Forum, Tasking
    from rocc.tasking.services.defaults import tasking_defaults_load
    from rocc.tasking.services.meetings import meeting_create
    from rocc.tasking.services.products import product_receive
    from rocc.tasking.services.reports import report_compile
    from rocc.tasking.services.taskings import tasking_create

    load_once(tasking_defaults_load)
    occc = make_user("tc_member", units=["nz"], username="occc")
    member = make_user("tc_member", units=["waitemata"], username="waitemata-member")
    canterbury = make_user("tc_member", units=["canterbury"], username="canterbury-member")
    today = timezone.localdate()
    meeting = meeting_create(actor=occc, forum=Forum.objects.get(code="occc"), held_on=today + dt.timedelta(days=3))
    product = product_receive(
        actor=member,
        kind="district_insights",
        title="Supply through a North Shore address",
        summary="Sightings.",
        handling_caveat="IN-CONFIDENCE",
        product_date=today,
        source_unit=OrgUnit.objects.get(code="waitemata"),
    )
    report = report_compile(actor=occc, title="Supply to young people", summary="From the district.", products=[product])
    tasking = tasking_create(
        actor=occc, title="Visit the address", description="Follow up.", owner=member, due_date=today, tasked_unit=OrgUnit.objects.get(code="waitemata")
    )
    Tasking.objects.filter(pk=tasking.pk).update(due_date=today - dt.timedelta(days=2))  # a tasking cannot be set in the past: age it

    queue = _sections(occc)
    assert queue["next-meeting"].items[0].url == f"/tasking/meetings/{meeting.pk}/"
    assert [i.url for i in queue["taskings-overdue"].items] == [f"/tasking/taskings/{tasking.pk}/"]
    assert [i.url for i in queue["reports-routing"].items] == [f"/tasking/reports/{report.pk}/"]
    assert "alerts" in queue
    assert _sections(canterbury)["taskings-overdue"].items == []


def test_a_problem_owner_sees_their_cases_the_stage_each_is_at_and_what_its_gate_still_needs(make_user, defaults):
    from rocc.org.models import OrgUnit
    from rocc.problems.models import Case, Stage
    from rocc.problems.services import case_open, problems_defaults_load

    load_once(problems_defaults_load)
    owner = make_user("regional_coordinator", units=["waitemata"], username="problem-owner")
    other = make_user("analyst", units=["waitemata"])
    case = case_open(
        actor=owner, title="Burglaries around Henderson", description="Repeat burglaries.", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=owner
    )
    deployed = case_open(actor=owner, title="Ram raids in Glen Eden", description="Shops hit.", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=owner)
    Case.objects.filter(pk=deployed.pk).update(stage=Stage.DEPLOY, review_cycle="weekly", deployed_on=timezone.localdate() - dt.timedelta(days=10))

    queue = _sections(owner)
    cases = {i.url: i for i in queue["cases"].items}
    scan = cases[f"/problems/cases/{case.pk}/"]
    assert scan.flag == "Problem scan" and "the gate still needs" in scan.detail
    assert [(i.url, i.flag) for i in queue["reviews"].items] == [(f"/problems/cases/{deployed.pk}/", "overdue")]
    assert "cases" not in _sections(other)


def test_a_viewers_home_is_the_scorecard_for_their_scope(client, make_user, defaults):
    viewer = make_user("viewer", units=["waitemata"])
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert '<h2 id="scorecard-heading">The scorecard</h2>' in page
    assert "Each indicator's latest figure and status in Waitematā" in page or "No indicator has a figure yet." in page


@pytest.mark.parametrize("role", ["administrator", "programme_manager", "regional_coordinator", "analyst", "provider_reporter", "tc_member", "viewer"])
def test_every_queue_item_is_a_link_inside_rocc(role, make_user, defaults):
    user = make_user(role, agency="MSD" if role == "provider_reporter" else None)
    for section in work_queue(user):
        for item in section.items:
            assert item.url.startswith("/")
