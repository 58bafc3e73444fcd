"""Reads of co-designed district and area plans: plans, versions, their content and chains, search, and the measures indicators they name."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from rocc.core.text import fold
from rocc.org.models import OrgUnit, UnitLevel
from rocc.org.scope import scope_of
from rocc.strategy.codesign import StepProgress, version_progress
from rocc.strategy.models import (
    DistrictPlan,
    ElementKind,
    MonitoringRow,
    PlanVersion,
    PlanVersionStatus,
)
from rocc.strategy.selectors.common import may_read


def _visible_units(user) -> Q:
    """National records for everyone with a role; district and area records within the user's scope."""
    return Q(scope_unit__level=UnitLevel.NATIONAL) | scope_of(user).condition("scope_unit")


def district_plan_list(*, user) -> QuerySet[DistrictPlan]:
    if not may_read(user):
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
        "outputs": [e for e in elements if e.kind == ElementKind.OUTPUT],
        "outcomes": [e for e in elements if e.kind == ElementKind.OUTCOME],
        "monitoring": _monitoring_with_measures(version),
    }


def _monitoring_with_measures(version: PlanVersion) -> list[MonitoringRow]:
    """The version's monitoring rows, each with ``in_measures``: what Measures holds for its indicator in the plan's
    unit (``monitoring_in_measures``), or None where the code is not (or no longer) in the catalogue."""
    rows = list(version.monitoring.select_related("outcome", "responsible_agency"))
    found = monitoring_in_measures(version=version, codes=[r.indicator_code for r in rows])
    for row in rows:
        row.in_measures = found.get(row.indicator_code)  # type: ignore[attr-defined]
    return rows


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

    codes = {c for c in codes if c}
    if not codes:
        return {}
    try:
        model = apps.get_model("measures", "Indicator")
        return {i.code: i for i in model.objects.filter(code__in=codes)}
    except (LookupError, FieldError):
        return {}


def measures_indicator_url(code: str) -> str | None:

    for name in ("measures:indicator", "measures:indicator_detail"):
        try:
            return reverse(name, args=[code])
        except NoReverseMatch:
            continue
    return None


def _baseline_words(target) -> str:
    if target.baseline_label:
        return target.baseline_label
    if target.baseline_kind == "fixed_period" and target.baseline_period_end:
        return f"the period ending {target.baseline_period_end:%d %b %Y}"
    return target.get_baseline_kind_display().lower()


def monitoring_in_measures(*, version: PlanVersion, codes=None) -> dict[str, dict]:
    """What Measures holds for each indicator a version's monitoring rows name, in the plan's own unit: the
    catalogue's name, the indicator's page opened on that unit, and the baseline Measures measures progress from
    there (``baseline``: its description, or None where Measures has none for the unit), so the plan's row is read
    against the figure every scorecard uses."""
    unit = version.plan.scope_unit
    codes = {c for c in (codes if codes is not None else version.monitoring.values_list("indicator_code", flat=True)) if c}
    found: dict[str, dict] = {}
    for code, indicator in measures_indicators(codes).items():
        targets = sorted((t for t in indicator.targets.all() if t.unit_id == unit.pk), key=lambda t: t.period_type)  # type: ignore[attr-defined]
        url = measures_indicator_url(code)
        found[code] = {
            "name": indicator.name,  # type: ignore[attr-defined]
            "url": f"{url}?unit={unit.code}" if url else None,
            "unit_name": unit.name,
            "baseline": _baseline_words(targets[0]) if targets else None,
        }
    return found


def indicator_links(*, user, indicator_code: str) -> list[dict]:
    """Where an indicator is used in the co-designed plans the user may read: each outcome it monitors in the version
    of each plan that is in force (agreed, active or under review), as {"label", "url", "kind"} for the measures pages
    to list. A plan that uses it only in a draft (never agreed, or a change not yet agreed) is listed as a draft, said
    so, and linked to that draft."""

    rows = (
        MonitoringRow.objects.filter(indicator_code=indicator_code, version__plan__in=district_plan_list(user=user))
        .exclude(version__status=PlanVersionStatus.SUPERSEDED)
        .select_related("outcome", "version__plan")
        .order_by("version__plan__code", "order")
    )
    by_plan: dict[int, list[MonitoringRow]] = {}
    for row in rows:
        by_plan.setdefault(row.version.plan_id, []).append(row)
    links = []
    for plan_rows in by_plan.values():
        in_force = [r for r in plan_rows if r.version.status != PlanVersionStatus.DRAFT]
        newest = max(r.version.number for r in in_force) if in_force else None
        shown = [r for r in in_force if r.version.number == newest] if in_force else plan_rows
        seen = set()
        for row in shown:
            plan, version = row.version.plan, row.version
            if row.outcome.key in seen:
                continue
            seen.add(row.outcome.key)
            example = " (example)" if plan.is_example else ""
            state = f"{version.get_status_display().lower()}, in force" if version.status != PlanVersionStatus.DRAFT else "draft, not yet agreed"
            links.append(
                {
                    "label": f"{row.outcome.text} — {plan.title}{example}, version {version.number} ({state})",
                    "url": reverse("strategy:element", args=[plan.code, version.number, row.outcome.key]),
                    "kind": "outcome",
                }
            )
    return links


def units_for_editing(*, user, perm: str = "strategy.edit_district_plan"):
    """The districts and areas where the user may work on plans, barriers or initiatives (for choosing one in a form)."""

    units = OrgUnit.objects.filter(level__in=[UnitLevel.DISTRICT, UnitLevel.AREA]).order_by("path")
    allowed = [u.pk for u in units if user.has_perm(perm, u)]
    return OrgUnit.objects.filter(pk__in=allowed).order_by("path")


def measures_indicators_all() -> dict[str, str]:
    """Every indicator code the measures capability defines, with its name (to offer when choosing one)."""

    try:
        model = apps.get_model("measures", "Indicator")
        return dict(model.objects.values_list("code", "name"))
    except (LookupError, FieldError):
        return {}


def plan_gaps(*, user) -> list[tuple[DistrictPlan, PlanVersion, list[StepProgress]]]:
    """The user's own district and area plans (within their scope, not the national ones every role reads) that still
    lack something, each with its working version and the co-design steps that have gaps (``codesign.StepProgress``)."""
    scope = scope_of(user)
    found = []
    for plan in district_plan_list(user=user).exclude(scope_unit__level=UnitLevel.NATIONAL).order_by("scope_unit__path", "code"):
        if not scope.covers(plan.scope_unit.path):
            continue
        version = plan_version_get(user=user, plan=plan)
        steps = [step for step in version_progress(version) if step.gaps]
        if steps:
            found.append((plan, version, steps))
    return found
