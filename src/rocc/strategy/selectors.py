"""Every read of frameworks, action plans, co-designed district plans, the barrier register and the initiative
stocktake, scoped to the user asking, with the flags that need attention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.core.text import fold
from rocc.org.models import UnitLevel
from rocc.org.scope import scope_of
from rocc.strategy.models import ActionPlan, Activity, ActivityAgency, ActivityStatus, Framework, Milestone

DEFAULT_STALE_DAYS = 30


def _may_read(user) -> bool:
    return user.has_perm("strategy.view_strategy")


def framework_list(*, user) -> QuerySet[Framework]:
    return Framework.objects.all() if _may_read(user) else Framework.objects.none()


def framework_get(*, user, code: str) -> Framework:
    framework = framework_list(user=user).prefetch_related("principles", "objectives", "barriers", "measures", "outcomes").filter(code=code).first()
    if framework is None:
        raise Http404("No such framework")
    return framework


def action_plan_list(*, user) -> QuerySet[ActionPlan]:
    """National plans are everyone's to read; a district or area plan is read within its scope."""
    if not _may_read(user):
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
    from rocc.strategy.files import framework_yaml

    framework = framework_get(user=user, code=code)
    district_plans = [(plan, plan_version_get(user=user, plan=plan)) for plan in district_plan_list(user=user).filter(framework=framework).order_by("code")]
    return framework_yaml(framework, action_plan_list(user=user).filter(framework=framework).order_by("code"), district_plans)


# --- District and area plans ---------------------------------------------------------------------------------------

from rocc.strategy.models import (  # noqa: E402
    BarrierEscalation,
    DistrictPlan,
    ElementKind,
    FocusAreaKind,
    Initiative,
    MonitoringRow,
    PlanVersion,
    PlanVersionStatus,
)


def _visible_units(user) -> Q:
    """National records for everyone with a role; district and area records within the user's scope."""
    return Q(scope_unit__level=UnitLevel.NATIONAL) | scope_of(user).condition("scope_unit")


def district_plan_list(*, user) -> QuerySet[DistrictPlan]:
    if not _may_read(user):
        return DistrictPlan.objects.none()
    return DistrictPlan.objects.filter(_visible_units(user)).select_related("framework", "scope_unit")


def district_plan_get(*, user, code: str) -> DistrictPlan:
    plan = district_plan_list(user=user).filter(code=code).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def plan_versions(*, user, plan: DistrictPlan) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(plan__in=district_plan_list(user=user).filter(pk=plan.pk)).select_related("agreed_by", "created_by").order_by("number")


def plan_version_get(*, user, plan: DistrictPlan, number: int | None = None) -> PlanVersion:
    """One version of a plan; without a number, the working one (the draft if there is one, else the latest)."""
    versions = plan_versions(user=user, plan=plan)
    if number is None:
        version = versions.filter(status=PlanVersionStatus.DRAFT).first() or versions.order_by("-number").first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    version.plan = plan
    return version


def plan_current_version(*, user, plan: DistrictPlan) -> PlanVersion | None:
    """The version in force: the latest agreed, active or under-review one (None while the plan is only a draft)."""
    return plan_versions(user=user, plan=plan).exclude(status__in=[PlanVersionStatus.DRAFT, PlanVersionStatus.SUPERSEDED]).order_by("-number").first()


def plan_version_content(version: PlanVersion) -> dict:
    """A version's four steps, ready to show: focus areas, conditions, answers, chain boxes by kind, monitoring rows."""
    elements = list(version.elements.prefetch_related("leads_to", "led_from", "activities__plan"))
    return {
        "focus_areas": list(version.focus_areas.all()),
        "conditions": list(version.conditions.all()),
        "answers": {a.question: a.text for a in version.answers.all()},
        "elements": elements,
        "actions": [e for e in elements if e.kind == ElementKind.ACTIVITY],
        "outcomes": [e for e in elements if e.kind == ElementKind.OUTCOME],
        "monitoring": list(version.monitoring.select_related("outcome", "responsible_agency")),
    }


def chain_rows(version: PlanVersion) -> list[dict]:
    """The priority-actions table as the framework lays it out: one row per path Activity → Output → Outcome → Impact."""
    elements = {e.pk: e for e in version.elements.prefetch_related("leads_to")}
    rows = []
    for action in (e for e in elements.values() if e.kind == ElementKind.ACTIVITY):

        def follow(element, kind):
            return [t for t in element.leads_to.all() if t.kind == kind]

        outputs = follow(action, ElementKind.OUTPUT) or [None]
        for output in outputs:
            outcomes = follow(output, ElementKind.OUTCOME) if output else follow(action, ElementKind.OUTCOME)
            for outcome in outcomes or [None]:
                impacts = follow(outcome, ElementKind.IMPACT) if outcome else []
                for impact in impacts or [None]:
                    rows.append({"activity": action, "output": output, "outcome": outcome, "impact": impact})
    return rows


def district_plan_search(*, user, query: str) -> list[tuple[DistrictPlan, PlanVersion, list[str]]]:
    """Plans whose working version mentions the words, with or without macrons, and what matched."""
    key = fold(query)
    if not key:
        return []
    found = []
    for plan in district_plan_list(user=user):
        version = plan_version_get(user=user, plan=plan)
        hits = [f"Title: {plan.title}"] if key in plan.search_text else []
        hits += [f"Focus area: {p.text}" for p in version.focus_areas.filter(search_text__contains=key)]
        hits += [f"Condition for success: {p.text}" for p in version.conditions.filter(search_text__contains=key)]
        hits += [f"{e.get_kind_display()}: {e.text}" for e in version.elements.filter(search_text__contains=key)]
        hits += [f"Answer: {a.text}" for a in version.answers.filter(search_text__contains=key)]
        hits += [f"Indicator: {r.indicator_name}" for r in version.monitoring.filter(search_text__contains=key)]
        if hits:
            found.append((plan, version, hits))
    return found


def measures_indicators(codes) -> dict[str, object]:
    """The measures capability's indicators with these codes (none while that capability defines none)."""
    from django.apps import apps
    from django.core.exceptions import FieldError

    codes = {c for c in codes if c}
    if not codes:
        return {}
    try:
        model = apps.get_model("measures", "Indicator")
        return {i.code: i for i in model.objects.filter(code__in=codes)}
    except (LookupError, FieldError):
        return {}


def measures_indicator_url(code: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in ("measures:indicator", "measures:indicator_detail"):
        try:
            return reverse(name, args=[code])
        except NoReverseMatch:
            continue
    return None


def indicator_links(*, user, indicator_code: str) -> list[dict]:
    """Where an indicator is used in the co-designed plans the user may read: each outcome it monitors (in each
    plan's working and in-force versions), as {"label", "url", "kind"} for the measures pages to list."""
    from django.urls import reverse

    rows = (
        MonitoringRow.objects.filter(indicator_code=indicator_code, version__plan__in=district_plan_list(user=user))
        .exclude(version__status=PlanVersionStatus.SUPERSEDED)
        .select_related("outcome", "version__plan")
        .order_by("version__plan__code", "-version__number", "order")
    )
    links, seen = [], set()
    for row in rows:
        plan, version = row.version.plan, row.version
        if (plan.pk, row.outcome.key) in seen:
            continue  # the draft and the agreed version usually share the outcome: list it once, newest first
        seen.add((plan.pk, row.outcome.key))
        example = " (example)" if plan.is_example else ""
        links.append(
            {
                "label": f"{row.outcome.text} — {plan.title}{example}, version {version.number} ({version.get_status_display().lower()})",
                "url": reverse("strategy:element", args=[plan.code, version.number, row.outcome.key]),
                "kind": "outcome",
            }
        )
    return links


# --- Barrier escalation register and initiative stocktake ----------------------------------------------------------


def _in_scope(user, field: str = "unit") -> Q:
    return Q(**{f"{field}__level": UnitLevel.NATIONAL}) | scope_of(user).condition(field)


def barrier_list(*, user, status: str | None = None, query: str = "") -> QuerySet[BarrierEscalation]:
    """Barriers raised within the user's scope (the centre sees every region's)."""
    if not _may_read(user):
        return BarrierEscalation.objects.none()
    barriers = BarrierEscalation.objects.filter(_in_scope(user)).select_related("unit", "plan", "framework_barrier", "raised_by")
    if status:
        barriers = barriers.filter(status=status)
    if fold(query):
        barriers = barriers.filter(search_text__contains=fold(query))
    return barriers


def barrier_get(*, user, pk: int) -> BarrierEscalation:
    barrier = barrier_list(user=user).filter(pk=pk).first()
    if barrier is None:
        raise Http404("No such barrier")
    return barrier


def initiative_list(*, user, query: str = "", focus_area: str = "", unit_code: str = "") -> QuerySet[Initiative]:
    """The stocktake is the whole programme's picture: everyone with a role reads every initiative."""
    if not _may_read(user):
        return Initiative.objects.none()
    initiatives = Initiative.objects.select_related("unit", "provider_agency")
    if fold(query):
        initiatives = initiatives.filter(search_text__contains=fold(query))
    if focus_area:
        initiatives = initiatives.filter(focus_area=focus_area)
    if unit_code:
        initiatives = initiatives.filter(unit__path__contains=f"/{unit_code}/")
    return initiatives


def initiative_get(*, user, pk: int) -> Initiative:
    initiative = initiative_list(user=user).filter(pk=pk).first()
    if initiative is None:
        raise Http404("No such initiative")
    return initiative


@dataclass(frozen=True)
class GapMatrix:
    focus_areas: list[tuple[str, str]]
    districts: list  # OrgUnit, national unit first
    counts: dict[tuple[str, int], int]
    as_at: dt.date | None

    def rows(self):
        for kind, label in self.focus_areas:
            yield kind, label, [(unit, self.counts.get((kind, unit.pk), 0)) for unit in self.districts]

    @property
    def empty_cells(self) -> int:
        return sum(1 for kind, _ in self.focus_areas for unit in self.districts if not self.counts.get((kind, unit.pk)))


def initiative_gap_matrix(*, user, as_at: dt.date | None = None) -> GapMatrix:
    """Initiatives counted by strategic focus area × district (an area's count goes to its district; national
    initiatives to the national column). With ``as_at``, only initiatives running on that date count."""
    from rocc.org.models import OrgUnit

    units = list(OrgUnit.objects.filter(level__in=[UnitLevel.NATIONAL, UnitLevel.DISTRICT]).order_by("path"))
    by_path = {u.path: u for u in units}
    initiatives = initiative_list(user=user)
    if as_at:
        initiatives = initiatives.filter(Q(start_date__isnull=True) | Q(start_date__lte=as_at)).filter(Q(end_date__isnull=True) | Q(end_date__gte=as_at))
    counts: dict[tuple[str, int], int] = {}
    for kind, path in initiatives.values_list("focus_area", "unit__path"):
        parts = path.strip("/").split("/")
        column = by_path.get("/" + "/".join(parts[:2]) + "/") or by_path.get("/" + parts[0] + "/")
        assert column is not None  # every unit's root is a national unit (a database constraint)
        counts[(kind, column.pk)] = counts.get((kind, column.pk), 0) + 1
    return GapMatrix(focus_areas=list(FocusAreaKind.choices), districts=units, counts=counts, as_at=as_at)


def units_for_editing(*, user, perm: str = "strategy.edit_district_plan"):
    """The districts and areas where the user may work on plans, barriers or initiatives (for choosing one in a form)."""
    from rocc.org.models import OrgUnit

    units = OrgUnit.objects.filter(level__in=[UnitLevel.DISTRICT, UnitLevel.AREA]).order_by("path")
    allowed = [u.pk for u in units if user.has_perm(perm, u)]
    return OrgUnit.objects.filter(pk__in=allowed).order_by("path")


def measures_indicators_all() -> dict[str, str]:
    """Every indicator code the measures capability defines, with its name (to offer when choosing one)."""
    from django.apps import apps
    from django.core.exceptions import FieldError

    try:
        model = apps.get_model("measures", "Indicator")
        return dict(model.objects.values_list("code", "name"))
    except (LookupError, FieldError):
        return {}
