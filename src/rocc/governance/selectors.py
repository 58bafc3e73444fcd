"""Every read of governance report packs: the packs a user may see, and the contents of a pack gathered through the
owning apps' selectors (strategy for the plan, the register and the stocktake; measures for the scorecard, the curves
and the turn-the-curve stories), every figure already through the disclosure gate of the pack's audience."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from rocc.core.errors import Refused
from rocc.governance.models import Audience, ReportPack
from rocc.governance.periods import PackPeriod
from rocc.measures.models import Status
from rocc.measures.selectors import indicator_data, indicators_for, narrative_for, scorecard_for, series_for, units_for_measures
from rocc.org.models import OrgUnit, UnitLevel
from rocc.org.scope import scope_of
from rocc.strategy.selectors.frameworks import action_plan_list, activity_list, activity_progress
from rocc.strategy.selectors.plans import district_plan_list, plan_current_version, plan_version_get
from rocc.strategy.selectors.register import barrier_list, initiative_gap_matrix

Progress = Callable[[int, str], None]


def pack_list(*, user) -> QuerySet[ReportPack]:
    """The packs the user may download: the national office every pack, a coordinator their own regions' packs."""
    if not user.has_perm("governance.view_packs"):
        raise Refused("Governance report packs are for the programme office and regional coordinators.")
    packs = ReportPack.objects.select_related("unit", "requested_by").defer("pdf", "xlsx")
    if scope_of(user).national:
        return packs
    return packs.filter(scope_of(user).condition("unit"), unit__level=UnitLevel.DISTRICT)


def pack_get(*, user, pk: int) -> ReportPack:
    pack = pack_list(user=user).filter(pk=pk).first()
    if pack is None or not user.has_perm("governance.download_pack", pack):
        raise Http404("No such report pack")
    return pack


def pack_file(*, user, pk: int, kind: str) -> tuple[ReportPack, bytes]:
    """A finished pack's PDF or Excel file (``kind`` "pdf" or "xlsx")."""
    pack = pack_get(user=user, pk=pk)
    data = ReportPack.objects.filter(pk=pack.pk).values_list(kind, flat=True).first()
    if data is None:
        raise Http404("The pack has no such file yet")
    return pack, bytes(data)


def units_for_packs(*, user) -> list[OrgUnit]:
    """The units the user may make a pack for: national first, then the regions, as the rule decides."""
    units = OrgUnit.objects.filter(level__in=[UnitLevel.NATIONAL, UnitLevel.DISTRICT]).order_by("path")
    return [u for u in units if user.has_perm("governance.generate_pack", u)]


# --- a pack's contents --------------------------------------------------------------------------------------------


@dataclass
class ActivityRow:
    plan: str
    number: int
    title: str
    focus_area: str
    priority_action_area: str
    lead: str
    status: str
    status_label: str
    latest_update_date: dt.date | None
    latest_narrative: str
    milestones_due: list[tuple[str, dt.date]]
    milestones_done: list[tuple[str, dt.date]]
    milestones_overdue: list[tuple[str, dt.date]]
    evidence_links: list[str]


# A cell whose latest figure the gate suppressed for the pack's reader or audience has no status ("not enough data"
# is what the status says, since any status would tell which side of its glide path the small count lies); the pack
# names it for what it is and says why, so no one reads it as a gap in the data.
PROTECTED_STATUS_LABEL = "Protected (small count)"
PROTECTED_STATUS_NOTE = (
    "Protected (small count): the latest figure is suppressed to protect small numbers, so no status is worked out from "
    "it (any status would tell which side of its glide path the small count lies)."
)


def _protected_marked(card: dict) -> dict:
    """The scorecard with each cell whose latest figure is suppressed labelled as protected."""
    for row in card.get("rows", []):
        row["cells"] = [{**cell, "status_label": PROTECTED_STATUS_LABEL} if cell and cell.get("suppressed") else cell for cell in row["cells"]]
    return card


@dataclass
class PackContents:
    """Everything one pack shows, section by section, as plain values both the PDF and the workbook lay out."""

    title: str
    unit_code: str
    unit_name: str
    period: PackPeriod
    audience: str
    audience_label: str
    prepared_by: str
    disclosure_note: str
    plans: list[dict] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)
    scorecard: dict = field(default_factory=dict)
    curves: list[dict] = field(default_factory=list)
    stories: list[dict] = field(default_factory=list)
    barriers: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    gap_counts: list[dict] = field(default_factory=list)
    gaps_as_at: dt.date | None = None
    district_plans: list[dict] = field(default_factory=list)

    @property
    def protected_cells(self) -> int:
        return sum(1 for row in self.scorecard.get("rows", []) for cell in row["cells"] if cell and cell.get("status_label") == PROTECTED_STATUS_LABEL)

    def summary(self) -> dict:
        overdue = sum(len(a.milestones_overdue) for a in self.activities)
        return {
            "activities": len(self.activities),
            "milestones_overdue": overdue,
            "indicators": len(self.scorecard.get("rows", [])),
            "off_track_curves": len(self.curves),
            "protected_cells": self.protected_cells,
            "stories": len(self.stories),
            "barriers": len(self.barriers),
            "gaps": len(self.gaps),
            "district_plans": len(self.district_plans),
        }


def _within(unit: OrgUnit, field_name: str) -> Q:
    return Q(**{f"{field_name}__path__startswith": unit.path})


def _agencies(activity) -> str:
    names = (["All"] if activity.all_agencies_lead else []) + [a.agency.short_name for a in activity.agency_links.all() if a.role == "lead"]
    return "; ".join(names)


def _dated(milestones, date_of) -> list[tuple[str, dt.date]]:
    return [(m.title, date_of(m)) for m in milestones]


def _plan_section(*, user, unit: OrgUnit, period: PackPeriod) -> tuple[list[dict], list[ActivityRow]]:
    plans = list(action_plan_list(user=user).filter(_within(unit, "scope_unit")).order_by("scope_unit__path", "year", "code"))
    described, rows = [], []
    for plan in plans:
        activities = list(activity_list(user=user, plan=plan).order_by("number"))
        progress = activity_progress(user=user, activities=activities, period_start=period.start, period_end=period.end)
        described.append(
            {"code": plan.code, "title": plan.title, "status": plan.get_status_display(), "unit": plan.scope_unit.name, "activities": len(activities)}
        )
        for a in activities:
            p = progress[a.pk]
            focus = a.priority_action_area.focus_area
            rows.append(
                ActivityRow(
                    plan=plan.title,
                    number=a.number,
                    title=a.title or "Description yet to be finalised",
                    focus_area=focus.get_kind_display(),
                    priority_action_area=a.priority_action_area.title,
                    lead=_agencies(a),
                    status=a.status,
                    status_label=a.get_status_display(),
                    latest_update_date=p.latest_update.date if p.latest_update else None,
                    latest_narrative=p.latest_update.narrative if p.latest_update else "",
                    milestones_due=_dated(p.milestones_due, lambda m: m.due_date),
                    milestones_done=_dated(p.milestones_done, lambda m: m.done_date),
                    milestones_overdue=_dated(p.milestones_overdue, lambda m: m.due_date),
                    evidence_links=p.evidence_links,
                )
            )
    return described, rows


def _scorecard_units(*, user, unit: OrgUnit) -> list[OrgUnit]:
    """A national pack shows the national unit and every district; a region's pack that region alone."""
    if unit.level == UnitLevel.NATIONAL:
        return [u for u in units_for_measures(user=user) if u.path.startswith(unit.path)]
    return [unit]


def _curve_points(payload: dict) -> list[dict]:
    return [
        {
            "period": p["period"],
            "label": p["label"],
            "numerator": p.get("numerator"),
            "value": p.get("value"),
            "glide": p.get("glide"),
            "suppressed": bool(p.get("suppressed")),
        }
        for p in payload.get("points", [])
    ]


def pack_contents(*, user, unit: OrgUnit, period: PackPeriod, audience: str, progress: Progress | None = None) -> PackContents:
    """The pack's contents as ``user`` may see them for ``audience``: measures figures come from the measures
    selectors with ``public`` set for a public pack, so they pass the same disclosure gate as on the public pages."""
    report = progress or (lambda percent, stage: None)
    public = audience == Audience.PUBLIC
    contents = PackContents(
        title=f"Governance report pack: {unit.name}, {period.label}",
        unit_code=unit.code,
        unit_name=unit.name,
        period=period,
        audience=audience,
        audience_label=Audience(audience).label,
        prepared_by=user.get_full_name() or user.get_username(),
        disclosure_note=(
            "Public pack: every count of people or events is randomly rounded to base 3 and counts below the suppression "
            "threshold are suppressed (shown as 's'); rates, statuses and curves are computed from the protected counts."
            if public
            else "Internal pack: figures are shown as the person who generated it may see them on rocc's pages; do not publish it."
        ),
    )
    report(5, "Action plan")
    contents.plans, contents.activities = _plan_section(user=user, unit=unit, period=period)

    report(25, "Scorecard")
    units = _scorecard_units(user=user, unit=unit)
    # As at the period's end: a figure for a later period is not in this period's pack, however long after it is made.
    contents.scorecard = _protected_marked(scorecard_for(user=user, units=units, public=public, with_intervals=False, as_at=period.end))
    indicators = {i.code: i for i in indicators_for(user=user)}
    by_code = {u.code: u for u in units}

    report(40, "Curves of off-track indicators")
    off_track = [cell for row in contents.scorecard["rows"] for cell in row["cells"] if cell and cell["status"] == Status.OFF_TRACK]
    loaded: dict = {}  # each indicator's observations read once for all its curves
    for n, cell in enumerate(off_track):
        indicator = indicators[cell["indicator"]]
        if indicator.code not in loaded:
            loaded[indicator.code] = indicator_data(indicator)
        payload = series_for(
            user=user, indicator=indicator, unit=by_code[cell["unit"]], public=public, as_at=period.end, with_forecast=False, data=loaded[indicator.code]
        )
        contents.curves.append(
            {
                "indicator": cell["indicator"],
                "name": cell["name"],
                "unit": cell["unit"],
                "unit_name": cell["unit_name"],
                "unit_label": cell.get("unit_label") or "",
                "period_type": payload.get("period_type"),
                "latest_value": cell.get("value"),
                "latest_period": cell.get("period_label"),
                "target": payload.get("target"),
                "status_explanation": cell.get("explanation") or "",
                "disclosure_applied": bool(payload.get("disclosure_applied")),
                "points": _curve_points(payload),
            }
        )
        if off_track:
            report(40 + int(25 * (n + 1) / len(off_track)), "Curves of off-track indicators")

    report(66, "Turn-the-curve stories")
    # The stories of the pack's own unit, and of every curve that is off track wherever it is.
    told = [(row["indicator"], row["name"], unit) for row in contents.scorecard["rows"]]
    told += [(c["indicator"], c["name"], by_code[c["unit"]]) for c in contents.curves if c["unit"] != unit.code]
    for code, name, where in told:
        narrative = narrative_for(user=user, indicator=indicators[code], unit=where)
        if narrative is None or not any([narrative.story_behind_curve, narrative.partners, narrative.what_works, narrative.action_plan]):
            continue
        contents.stories.append(
            {
                "indicator": code,
                "name": name,
                "unit_name": where.name,
                "story_behind_curve": narrative.story_behind_curve,
                "partners": narrative.partners,
                "what_works": narrative.what_works,
                "action_plan": narrative.action_plan,
                "changed_at": narrative.changed_at.date() if narrative.changed_at else None,
            }
        )

    report(72, "Barrier register")
    start_of = dt.datetime.combine(period.start, dt.time.min, tzinfo=dt.UTC)
    end_of = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    barriers = barrier_list(user=user).filter(_within(unit, "unit"), raised_at__lt=end_of).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start_of))
    for b in barriers.order_by("-severity", "raised_at"):
        contents.barriers.append(
            {
                "title": b.title,
                "unit_name": b.unit.name,
                "severity": b.get_severity_display(),
                "status": b.get_status_display(),
                "framework_barrier": b.framework_barrier.text if b.framework_barrier else "",
                "description": b.description,
                "raised_on": b.raised_at.date(),
                "escalated_on": b.escalated_at.date() if b.escalated_at else None,
                "response": b.response,
                "responded_on": b.responded_at.date() if b.responded_at else None,
            }
        )

    report(76, "Initiative stocktake")
    matrix = initiative_gap_matrix(user=user, as_at=period.end)
    contents.gaps_as_at = matrix.as_at
    columns = [u for u in matrix.districts if (u.pk == unit.pk if unit.level != UnitLevel.NATIONAL else u.path.startswith(unit.path))]
    for _kind, label, cells in matrix.rows():
        for column, count in cells:
            if column not in columns:
                continue
            contents.gap_counts.append({"focus_area": label, "unit_name": column.name, "initiatives": count})
            if not count:
                contents.gaps.append({"focus_area": label, "unit_name": column.name})

    report(80, "District plans")
    for plan in district_plan_list(user=user).filter(_within(unit, "scope_unit"), is_example=False).order_by("scope_unit__path", "code"):
        working = plan_version_get(user=user, plan=plan)
        in_force = plan_current_version(user=user, plan=plan)
        contents.district_plans.append(
            {
                "title": plan.title,
                "unit_name": plan.scope_unit.name,
                "working_version": working.number,
                "working_status": working.get_status_display(),
                "in_force_version": in_force.number if in_force else None,
                "in_force_status": in_force.get_status_display() if in_force else "",
                "agreed_on": in_force.agreed_at.date() if in_force and in_force.agreed_at else None,
            }
        )
    return contents
