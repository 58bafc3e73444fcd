"""Fixtures of the governance tests: the shipped framework, plan and measures, and a realistic quarter of work on
them (updates, milestones, barriers, initiatives, a district plan, an off-track indicator with a story), all made
through the owning apps' services."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD  # noqa: F401  (re-exported for the tests here)
from rocc.testing import load_once


@pytest.fixture(autouse=True)
def tasks_run_inline(settings):
    """The worker's task runs in the test's own process (the same code `rocc worker` runs)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a service leaves for after its commit (the task enqueue), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def period():
    from django.utils import timezone

    from rocc.governance.periods import PackPeriod

    today = timezone.localdate()
    return PackPeriod(today - dt.timedelta(days=60), today)


@pytest.fixture
def shipped(defaults):
    from rocc.measures.services import measures_defaults_load
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    load_once(measures_defaults_load)


@pytest.fixture
def world(shipped, make_user, period):
    """The Year Two plan with a quarter's progress, a Waitematā district plan in draft, barriers (one answered by the
    centre), initiatives (leaving gaps), and an indicator off track nationally and in Waitematā with small counts
    there, with a turn-the-curve story."""
    from rocc.measures.models import BaselineKind, SourceKind, TargetKind
    from rocc.measures.periods import add_months, month_end
    from rocc.measures.services import ObservationInput, indicator_define, narrative_update, observations_record_many, statuses_recompute, target_set
    from rocc.org.models import OrgUnit
    from rocc.strategy.models import ActionPlan, Activity, Framework
    from rocc.strategy.services.frameworks import activity_status_update, milestone_add, milestone_complete
    from rocc.strategy.services.plans import district_plan_create, plan_part_add
    from rocc.strategy.services.register import barrier_escalate, barrier_raise, barrier_respond, initiative_save

    manager = make_user("programme_manager", username="pm-aroha")
    coordinator = make_user("regional_coordinator", units=["waitemata"], username="rc-waitemata")
    nz, waitemata = OrgUnit.objects.get(code="nz"), OrgUnit.objects.get(code="waitemata")
    plan = ActionPlan.objects.get(code="rocc-year-2")
    one, two, three = (Activity.objects.get(plan=plan, number=n) for n in (1, 2, 3))
    day = period.end
    activity_status_update(
        user=manager,
        activity=one,
        version=one.version,
        status="on_track",
        narrative="Operation briefings held with whānau in two districts.",
        evidence_links=["https://example.org/briefing-1"],
        date=day - dt.timedelta(days=20),
    )
    one.refresh_from_db()
    activity_status_update(
        user=manager,
        activity=one,
        version=one.version,
        status="at_risk",
        narrative="Second phase delayed: the data-sharing agreement is not yet signed.",
        evidence_links=["https://example.org/dsa-draft"],
        date=day - dt.timedelta(days=5),
    )
    activity_status_update(
        user=manager, activity=two, version=two.version, status="off_track", narrative="No lead agency capacity this quarter.", date=day - dt.timedelta(days=10)
    )
    milestone_add(user=manager, activity=one, title="Data-sharing agreement signed", due_date=day - dt.timedelta(days=30))
    done = milestone_add(user=manager, activity=one, title="Briefings held", due_date=day - dt.timedelta(days=40))
    milestone_complete(user=manager, milestone=done, done_date=day - dt.timedelta(days=35))
    milestone_add(user=manager, activity=three, title="Evaluation plan agreed", due_date=day + dt.timedelta(days=30))

    framework = Framework.objects.get(code="rocc")
    district = district_plan_create(user=coordinator, framework=framework, unit=waitemata, title="Waitematā community plan")
    plan_part_add(user=coordinator, plan=district, part="focus_areas", text="Drug harm in the community")

    answered = barrier_raise(
        user=coordinator, unit=waitemata, severity=3, title="Information sharing between agencies", description="No agreement to share case data."
    )
    barrier_escalate(user=coordinator, barrier=answered)
    barrier_respond(user=manager, barrier=answered, response="The centre is drafting a national information-sharing agreement.")
    waiting = barrier_raise(user=coordinator, unit=waitemata, severity=2, title="Funding cycles too short", description="One-year contracts.")
    barrier_escalate(user=coordinator, barrier=waiting)
    initiative_save(user=coordinator, name="Whānau navigators", provider="Te Whānau o Waitematā", unit=waitemata, focus_area="RESILIENCE")
    initiative_save(user=manager, name="Operation Cobalt", provider="Police", unit=nz, focus_area="SUPPLY")

    indicator = indicator_define(
        user=None,
        code="pack-assaults",
        name="Serious assaults (pack test)",
        effective_from=dt.date(2000, 1, 1),
        kind="population",
        unit_label="per 10,000 people",
        numerator_label="Serious assaults",
        denominator_kind="population",
        factor=10000,
        polarity="lower",
        period_type="month",
        data_source="Test data",
    )
    first = add_months(dt.date(day.year - 2, day.month, 1), 0)
    items = []
    for unit in OrgUnit.objects.filter(level="district"):
        for i in range(24):
            start = add_months(first, i)
            rising = i // 3
            count = (4 if i % 2 else 5) if unit.code == "waitemata" else 40 + rising * 3
            items.append(ObservationInput(indicator=indicator, unit=unit, period_start=start, period_end=month_end(start), numerator=count))
    observations_record_many(items=items, source=SourceKind.IMPORT)
    for unit in (nz, waitemata):
        target_set(
            user=None,
            indicator=indicator,
            unit=unit,
            period_type="month",
            baseline_kind=BaselineKind.FIXED_PERIOD,
            baseline_period_end=month_end(first),
            baseline_label="the first month",
            target_kind=TargetKind.CHANGE,
            target_change_percent=-30,
            target_date=month_end(add_months(first, 30)),
            description="30% fewer",
        )
    statuses_recompute()
    narrative_update(
        user=manager,
        indicator=indicator,
        unit=nz,
        version=0,
        story_behind_curve="Assaults rose after two gangs split over methamphetamine supply.",
        partners="Police, Kāinga Ora, iwi providers",
        what_works="Focused deterrence with whānau support",
        action_plan="Extend the navigators to two more districts",
    )
    return {"manager": manager, "coordinator": coordinator, "nz": nz, "waitemata": waitemata, "plan": plan, "indicator": indicator, "period": period}
