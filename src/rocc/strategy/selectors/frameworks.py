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
from rocc.strategy.models import ActionPlan, Activity, ActivityAgency, ActivityStatus, Framework, Milestone
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
