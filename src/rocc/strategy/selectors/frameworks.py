"""Reads of frameworks, action plans and their activities (with the flags that need attention), scoped to the user asking."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from rocc.core.text import fold
from rocc.org.models import OrgUnit, UnitLevel
from rocc.org.scope import scope_of
from rocc.problems.selectors import cases_visible_to
from rocc.strategy.files import framework_yaml
from rocc.strategy.models import (
    ActionPlan,
    Activity,
    ActivityAgency,
    ActivityStatus,
    ChainElement,
    CurveAction,
    Framework,
    Milestone,
    MonitoringRow,
    PlanVersionStatus,
    ProgressUpdate,
)
from rocc.strategy.selectors.common import may_read
from rocc.strategy.selectors.plans import district_plan_list, measures_indicator_url, plan_version_get
from rocc.tasking.models import CLOSED_TASKING_STATUSES
from rocc.tasking.selectors.taskings import tasking_list

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


def latest_progress_updates(activity_ids) -> dict[int, ProgressUpdate]:
    """Each activity's latest progress update (by its date, then when it was recorded), for the boxes citing it."""
    latest: dict[int, ProgressUpdate] = {}
    for update in ProgressUpdate.objects.filter(activity_id__in=set(activity_ids)).order_by("activity_id", "date", "recorded_at", "pk"):
        latest[update.activity_id] = update
    return latest


# --- where an activity is used, and the actions a turn-the-curve action plan picks ---------------------------------


@dataclass
class CurveActionView:
    """One action a curve's action plan picks, as the user may see it: an activity or a tasking, with its status."""

    kind: str  # "activity" or "tasking"
    pk: int
    label: str
    url: str
    status: str  # the status's words, as its own page shows them
    status_kind: str  # the badge's style: "bad", "approx", "ok" or ""
    detail: str = ""
    case_label: str = ""
    case_url: str = ""
    pick_id: int = 0  # the curve's pick (to remove it); set by curve_actions_for


def _activity_view(activity: Activity) -> CurveActionView:
    at_risk = activity.status in (ActivityStatus.AT_RISK, ActivityStatus.OFF_TRACK)
    return CurveActionView(
        kind="activity",
        pk=activity.pk,
        label=f"{activity.plan.title}: {activity}",
        url=reverse("strategy:activity", args=[activity.plan.code, activity.number]),
        status=activity.get_status_display(),
        status_kind=("bad" if activity.status == ActivityStatus.OFF_TRACK else "approx") if at_risk else "",
    )


def _tasking_view(tasking, *, visible_cases: set[int], today: dt.date) -> CurveActionView:
    overdue = tasking.is_overdue(today)
    case = tasking.case if tasking.case_id in visible_cases else None
    return CurveActionView(
        kind="tasking",
        pk=tasking.pk,
        label=str(tasking),
        url=reverse("tasking:tasking", args=[tasking.pk]),
        status=tasking.get_status_display() + (" · overdue" if overdue else ""),
        status_kind="bad" if overdue else "",
        detail=f"owner {tasking.owner.get_full_name() or tasking.owner.username} · due {tasking.due_date:%d %b %Y}",
        case_label=str(case) if case else "",
        case_url=reverse("problems:case", args=[case.pk]) if case else "",
    )


@dataclass
class CurveActions:
    """What a curve's action plan picks, as the user may see it; ``hidden`` counts the taskings they may not see."""

    items: list[CurveActionView]
    hidden: int = 0


def curve_actions_for(*, user, indicator, unit, today: dt.date | None = None) -> CurveActions:
    """The activities and taskings the turn-the-curve action plan of ``indicator`` in ``unit`` picks, each with its
    status (a tasking also its owner, due date and case where the user may see them)."""
    today = today or timezone.localdate()
    picks = list(CurveAction.objects.filter(indicator=indicator, unit=unit).select_related("activity__plan", "tasking__owner", "tasking__case").order_by("pk"))
    readable_plans = set(action_plan_list(user=user).values_list("pk", flat=True))
    visible_taskings = set(tasking_list(user=user).filter(pk__in=[p.tasking_id for p in picks if p.tasking_id]).values_list("pk", flat=True))
    visible_cases = set(cases_visible_to(user).filter(pk__in=[p.tasking.case_id for p in picks if p.tasking is not None]).values_list("pk", flat=True))
    items, hidden = [], 0
    for pick in picks:
        if pick.activity is not None:
            if pick.activity.plan_id in readable_plans:
                items.append(dataclasses.replace(_activity_view(pick.activity), pick_id=pick.pk))
        elif pick.tasking is not None and pick.tasking.pk in visible_taskings:
            items.append(dataclasses.replace(_tasking_view(pick.tasking, visible_cases=visible_cases, today=today), pick_id=pick.pk))
        else:
            hidden += 1
    return CurveActions(items=items, hidden=hidden)


def curve_unit_get(*, user, code: str) -> OrgUnit:
    """The unit of a turn-the-curve action plan, when it is in the user's scope (else 404, as an unknown unit)."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not scope_of(user).covers(unit.path):
        raise Http404(f"No unit '{code}' in your scope.")
    return unit


def curve_action_choices(*, user) -> dict[str, list[tuple[int, str]]]:
    """What a curve's action plan may pick: the activities of the action plans the user reads and the taskings they
    see that are still open (a closed one already picked stays picked)."""
    activities = Activity.objects.filter(plan__in=action_plan_list(user=user)).select_related("plan").order_by("plan__code", "number")
    taskings = tasking_list(user=user).exclude(status__in=CLOSED_TASKING_STATUSES).order_by("due_date", "pk")
    return {
        "activities": [(a.pk, f"{a.plan.title}: {a}") for a in activities],
        "taskings": [(t.pk, str(t)) for t in taskings],
    }


@dataclass
class BoxUse:
    """A district-plan box that cites an activity, in the plan version shown, with the indicators its chain carries."""

    plan_title: str
    version_label: str
    text: str
    url: str
    indicators: list[dict] = field(default_factory=list)  # {"name", "code", "url"}


@dataclass
class ActivityUses:
    """Where an action-plan activity is used: the district-plan boxes that cite it and the indicators they carry, the
    indicators and turn-the-curve action plans that name it, and the taskings and cases linked to it through them."""

    boxes: list[BoxUse]
    indicators: list[dict]  # {"name", "code", "url"}: the indicators Measures says this activity is meant to turn
    curves: list[dict]  # {"label", "url"}: the curves whose action plan picks it
    taskings: list[CurveActionView]
    cases: list[dict]  # {"label", "url", "stage"}
    hidden_taskings: int = 0


def _carried(box: ChainElement, rows_by_outcome: dict[int, list[MonitoringRow]]) -> list[MonitoringRow]:
    """The monitoring rows of the outcomes a box leads to (itself, if it is an outcome), following its chain."""
    seen, stack, found = set(), [box], []
    while stack:
        element = stack.pop()
        if element.pk in seen:
            continue
        seen.add(element.pk)
        found += rows_by_outcome.get(element.pk, [])
        stack += list(element.leads_to.all())
    return found


def _indicator_ref(code: str, name: str, unit_code: str | None = None) -> dict:
    url = measures_indicator_url(code)
    return {"code": code, "name": name, "url": (f"{url}?unit={unit_code}" if unit_code else url) if url else None}


def activity_uses(*, user, activity: Activity, today: dt.date | None = None) -> ActivityUses:
    today = today or timezone.localdate()
    # Each plan's version in force; a plan with none yet, its draft.
    elements = (
        ChainElement.objects.filter(activities=activity, version__plan__in=district_plan_list(user=user))
        .exclude(version__status=PlanVersionStatus.SUPERSEDED)
        .select_related("version__plan__scope_unit")
        .order_by("version__plan__code", "version__number", "order")
    )
    by_plan: dict[int, list[ChainElement]] = {}
    for element in elements:
        by_plan.setdefault(element.version.plan_id, []).append(element)
    boxes = []
    for plan_elements in by_plan.values():
        in_force = [e for e in plan_elements if e.version.status != PlanVersionStatus.DRAFT]
        chosen = [e for e in in_force if e.version.number == max(x.version.number for x in in_force)] if in_force else plan_elements
        version = chosen[0].version
        version_elements = {e.pk: e for e in version.elements.prefetch_related("leads_to")}
        rows_by_outcome: dict[int, list[MonitoringRow]] = {}
        for row in version.monitoring.all():
            rows_by_outcome.setdefault(row.outcome_id, []).append(row)
        state = f"{version.get_status_display().lower()}, in force" if in_force else "draft, not yet agreed"
        for element in chosen:
            rows = _carried(version_elements[element.pk], rows_by_outcome)
            unit_code = version.plan.scope_unit.code
            boxes.append(
                BoxUse(
                    plan_title=version.plan.title,
                    version_label=f"version {version.number} ({state})",
                    text=element.text,
                    url=reverse("strategy:element", args=[version.plan.code, version.number, element.key]),
                    indicators=list({r.indicator_code: _indicator_ref(r.indicator_code, r.indicator_name, unit_code) for r in rows}.values()),
                )
            )
    indicators = [_indicator_ref(code, name) for code, name in activity.indicators.order_by("order", "code").values_list("code", "name")]
    picks = CurveAction.objects.filter(activity=activity).select_related("indicator", "unit").order_by("indicator__name", "unit__path")
    curves, curve_keys = [], set()
    for pick in picks:
        curve_keys.add((pick.indicator_id, pick.unit_id))
        curves.append(
            {"label": f"{pick.indicator.name} · {pick.unit.name}", "url": f"{measures_indicator_url(pick.indicator.code)}?unit={pick.unit.code}#narrative"}
        )
    # The taskings picked beside this activity on the same curves, and their cases.
    taskings, hidden = [], 0
    if curve_keys:
        beside = CurveAction.objects.filter(tasking__isnull=False).filter(Q(*[Q(indicator_id=i, unit_id=u) for i, u in curve_keys], _connector=Q.OR))
        tasking_ids = set(beside.values_list("tasking_id", flat=True))
        shown = list(tasking_list(user=user).filter(pk__in=tasking_ids).select_related("owner", "case"))
        hidden = len(tasking_ids) - len(shown)
        visible_cases = set(cases_visible_to(user).filter(pk__in=[t.case_id for t in shown if t.case_id]).values_list("pk", flat=True))
        taskings = [_tasking_view(t, visible_cases=visible_cases, today=today) for t in shown]
    cases = {}
    for t in taskings:
        if t.case_url:
            cases[t.case_url] = {"label": t.case_label, "url": t.case_url}
    return ActivityUses(boxes=boxes, indicators=indicators, curves=curves, taskings=taskings, cases=list(cases.values()), hidden_taskings=hidden)
