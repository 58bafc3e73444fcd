"""Reads of frameworks, action plans and their activities (with the flags that need attention), scoped to the user asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.core.text import fold
from rocc.org.models import UnitLevel
from rocc.org.scope import scope_of
from rocc.strategy.files import framework_yaml
from rocc.strategy.models import ActionPlan, Activity, ActivityAgency, ActivityStatus, Framework, Milestone, ProgressUpdate
from rocc.strategy.selectors.common import may_read
from rocc.strategy.selectors.plans import district_plan_list, plan_version_get

DEFAULT_STALE_DAYS = 30


def framework_list(*, user) -> QuerySet[Framework]:
    return Framework.objects.all() if may_read(user) else Framework.objects.none()


def framework_get(*, user, code: str) -> Framework:
    framework = framework_list(user=user).prefetch_related("principles", "objectives", "barriers", "measures", "outcomes").filter(code=code).first()
    if framework is None:
        raise Http404("No such framework")
    return framework


def action_plan_list(*, user) -> QuerySet[ActionPlan]:
    """National plans are everyone's to read; a district or area plan is read within its scope."""
    if not may_read(user):
        return ActionPlan.objects.none()
    visible = Q(scope_unit__level=UnitLevel.NATIONAL) | scope_of(user).condition("scope_unit")
    return ActionPlan.objects.filter(visible).select_related("framework", "scope_unit")


def action_plan_get(*, user, code: str) -> ActionPlan:
    plan = action_plan_list(user=user).filter(code=code).first()
    if plan is None:
        raise Http404("No such action plan")
    return plan


def _activities(plans) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(plan__in=plans)
        .select_related("plan__scope_unit", "priority_action_area__focus_area", "changed_by")
        .prefetch_related(Prefetch("agency_links", queryset=ActivityAgency.objects.select_related("agency")), "sub_activities")
        .annotate(last_update=Max("progress_updates__date"))
    )


def activity_list(*, user, plan: ActionPlan) -> QuerySet[Activity]:
    return _activities(action_plan_list(user=user).filter(pk=plan.pk))


def activity_get(*, user, plan_code: str, number: int) -> Activity:
    activity = _activities(action_plan_list(user=user).filter(code=plan_code)).filter(number=number).first()
    if activity is None:
        raise Http404("No such activity")
    return activity


def activity_search(*, user, query: str) -> QuerySet[Activity]:
    """Activities whose number, title, description, sub-activities or agencies match, with or without macrons."""
    key = fold(query)
    if not key:
        return Activity.objects.none()
    matches = Q(search_text__contains=key) | Q(sub_activities__search_text__contains=key) | Q(agency_links__agency__search_text__contains=key)
    ids = Activity.objects.filter(plan__in=action_plan_list(user=user)).filter(matches).values("pk")
    return _activities(action_plan_list(user=user)).filter(pk__in=ids)


@dataclass(frozen=True)
class ActivityFlags:
    overdue_milestones: list[Milestone] = field(default_factory=list)
    days_without_update: int = 0
    stale: bool = False

    @property
    def any(self) -> bool:
        return bool(self.overdue_milestones) or self.stale


def activity_flags(*, user, activities, stale_after_days: int = DEFAULT_STALE_DAYS, today: dt.date | None = None) -> dict[int, ActivityFlags]:
    """For each activity: its overdue milestones, and whether it has gone ``stale_after_days`` or more
    without a progress update (counted from its creation when it has none). Complete activities are
    never stale."""
    today = today or timezone.localdate()
    activities = list(activities)
    visible = set(action_plan_list(user=user).values_list("pk", flat=True))
    activities = [a for a in activities if a.plan_id in visible]
    overdue: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(activity__in=activities, done_date__isnull=True, due_date__lt=today):
        overdue.setdefault(milestone.activity_id, []).append(milestone)
    latest = dict(Activity.objects.filter(pk__in=[a.pk for a in activities]).annotate(latest=Max("progress_updates__date")).values_list("pk", "latest"))
    flags = {}
    for activity in activities:
        since = latest.get(activity.pk) or timezone.localdate(activity.created_at)
        days = (today - since).days
        stale = activity.status != ActivityStatus.COMPLETE and days >= stale_after_days
        flags[activity.pk] = ActivityFlags(overdue_milestones=overdue.get(activity.pk, []), days_without_update=days, stale=stale)
    return flags


def activities_needing_attention(*, user, plan: ActionPlan, stale_after_days: int = DEFAULT_STALE_DAYS, today: dt.date | None = None) -> list[Activity]:
    activities = list(activity_list(user=user, plan=plan))
    flags = activity_flags(user=user, activities=activities, stale_after_days=stale_after_days, today=today)
    return [a for a in activities if flags[a.pk].any]


def framework_export(*, user, code: str) -> str:
    """The framework with the plans the user may read, as a framework YAML file."""

    framework = framework_get(user=user, code=code)
    district_plans = [(plan, plan_version_get(user=user, plan=plan)) for plan in district_plan_list(user=user).filter(framework=framework).order_by("code")]
    return framework_yaml(framework, action_plan_list(user=user).filter(framework=framework).order_by("code"), district_plans)


@dataclass(frozen=True)
class ActivityProgress:
    """An activity's recorded progress as at a date (the end of a reporting period, or today).

    With a period: milestones due in it, done in it, and overdue at its end (due before the end, not done by it).
    Without one: every milestone is counted as due, those done by today as done, and those past due and not done as
    overdue. ``latest_update`` is the newest progress update dated on or before the as-at date; ``evidence_links``
    are the links of the updates counted (the period's, or all of them without a period), newest first, once each."""

    as_at: dt.date
    latest_update: ProgressUpdate | None
    milestones_due: list[Milestone]
    milestones_done: list[Milestone]
    milestones_overdue: list[Milestone]
    evidence_links: list[str]


def activity_progress_of(activities, *, period_start: dt.date | None = None, period_end: dt.date | None = None) -> dict[int, ActivityProgress]:
    """The progress of activities the caller has already read through a scoped selector (two queries in all)."""
    as_at = period_end or timezone.localdate()
    ids = [a.pk for a in activities]
    milestones: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(activity_id__in=ids).order_by("due_date", "pk"):
        milestones.setdefault(milestone.activity_id, []).append(milestone)
    updates: dict[int, list[ProgressUpdate]] = {}
    for update in ProgressUpdate.objects.filter(activity_id__in=ids, date__lte=as_at).order_by("-date", "-recorded_at", "-pk"):
        updates.setdefault(update.activity_id, []).append(update)
    found = {}
    for pk in ids:
        own = milestones.get(pk, [])
        logged = updates.get(pk, [])
        if period_start is not None:
            due = [m for m in own if period_start <= m.due_date <= as_at]
            done = [m for m in own if m.done_date is not None and period_start <= m.done_date <= as_at]
            counted = [u for u in logged if u.date >= period_start]
        else:
            due = list(own)
            done = [m for m in own if m.done_date is not None and m.done_date <= as_at]
            counted = logged
        overdue = [m for m in own if m.due_date < as_at and (m.done_date is None or m.done_date > as_at)]
        links: list[str] = []
        for update in counted:
            links += [link for link in update.evidence_links or [] if link and link not in links]
        found[pk] = ActivityProgress(
            as_at=as_at,
            latest_update=logged[0] if logged else None,
            milestones_due=due,
            milestones_done=done,
            milestones_overdue=overdue,
            evidence_links=links,
        )
    return found


def activity_progress(*, user, activities, period_start: dt.date | None = None, period_end: dt.date | None = None) -> dict[int, ActivityProgress]:
    """Each activity's progress (see ``ActivityProgress``), for the activities of plans the user may read."""
    visible = set(action_plan_list(user=user).values_list("pk", flat=True))
    return activity_progress_of([a for a in activities if a.plan_id in visible], period_start=period_start, period_end=period_end)


def activities_with_ids(ids: list[int]) -> list[Activity]:
    """The action-plan activities with these ids (those that exist), for another capability that links to them."""
    return list(Activity.objects.filter(pk__in=ids))
