"""Writes of OCCC insights reports: compiling a report from products, routing it (district specific, national or
regional issue, multi-agency response) and closing it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.core.text import nfc
from rocc.org.models import OrgUnit, UnitLevel
from rocc.tasking.models import (
    DIRECTION_FORUM_KINDS,
    Forum,
    ForumKind,
    InsightsReport,
    Meeting,
    Minute,
    ReportStatus,
    RoutingDecision,
    RoutingDirection,
)
from rocc.tasking.rules import report_may_become
from rocc.tasking.selectors.products import product_list
from rocc.tasking.services.common import bump_version, clean_text, lock_current, require
from rocc.tasking.services.meetings import district_forum


@transaction.atomic
def report_compile(*, actor, title: str, summary: str, products) -> InsightsReport:
    """Compile an OCCC insights report from products the compiler can see; it waits on the OCCC's agenda until routed."""
    require(actor, "tasking.compile_report", None, "Only the OCCC (T&C members with national scope) and the programme office compile insights reports.")
    products = list(products or [])
    errors = {}
    if not clean_text(title):
        errors["title"] = "Give the report a title."
    if not clean_text(summary):
        errors["summary"] = "Summarise the report's insights."
    if not products:
        errors["products"] = "Compile the report from at least one insights product."
    elif product_list(user=actor).filter(pk__in=[p.pk for p in products]).count() != len({p.pk for p in products}):
        errors["products"] = "One of the products is outside your scope."
    if errors:
        raise ValidationError(errors)
    report = InsightsReport.objects.create(title=title, summary=summary, compiled_by=actor, compiled_at=timezone.now())
    report.products.set(products)
    return report


def _lock_report(report: InsightsReport, version: int) -> InsightsReport:
    return lock_current(report, version=version, noun="report", related=("current_forum__scope_unit",))


@transaction.atomic
def report_route(
    *,
    actor,
    report: InsightsReport,
    version: int,
    direction: str,
    rationale: str,
    district: OrgUnit | None = None,
    to_forum: Forum | None = None,
    meeting: Meeting | None = None,
) -> RoutingDecision:
    """Route a report in one of the three directions, with the rationale, recording who decided and when:

    - district specific: back to a named district (its district T&C);
    - national or regional issue: to Pre T&C, and from Pre T&C on to Strategic T&C;
    - multi-agency response: to the ROCC or the TNOC DCE group.

    Decided at a meeting, the decision is also minuted there. A stale ``version`` is refused with RecordChanged.
    """
    require(actor, "tasking.route_report", report, "Only the OCCC, or those attending the forum the report now sits at, route it.")
    current = _lock_report(report, version)
    errors: dict[str, str] = {}
    if not report_may_become(current, ReportStatus.ROUTED):
        raise ValidationError({"report": "This report is closed; it is not routed again."})
    if not clean_text(rationale):
        errors["rationale"] = "Give the rationale for this routing: it is required."
    forum: Forum | None = None
    if direction not in RoutingDirection.values:
        errors["direction"] = "Choose a direction: district specific, national or regional issue, or multi-agency response."
    elif direction == RoutingDirection.DISTRICT:
        if district is None:
            errors["district"] = "Name the district the report goes back to."
        elif district.level != UnitLevel.DISTRICT:
            errors["district"] = f"{district.name} is not a district: name one of the 12 districts."
        else:
            forum = district_forum(district)
    elif direction == RoutingDirection.NATIONAL:
        forum = to_forum or Forum.objects.filter(kind=ForumKind.PRE_TC).first()
        if forum is None or forum.kind not in DIRECTION_FORUM_KINDS[RoutingDirection(direction)]:
            errors["to_forum"] = "A national or regional issue goes to Pre T&C, then on to Strategic T&C."
        elif forum.kind == ForumKind.STRATEGIC_TC and (current.current_forum is None or current.current_forum.kind != ForumKind.PRE_TC):
            errors["to_forum"] = "A report goes on to Strategic T&C from Pre T&C: route it to Pre T&C first."
    else:
        forum = to_forum
        if forum is None or forum.kind not in DIRECTION_FORUM_KINDS[RoutingDirection(direction)]:
            errors["to_forum"] = "A multi-agency response goes to the ROCC DCE group or the TNOC DCE group: choose one."
    if forum is not None and current.current_forum_id == forum.pk and "to_forum" not in errors:
        errors["to_forum"] = f"The report is already at {forum}."
    if meeting is not None and not actor.has_perm("tasking.minute_meeting", meeting):
        errors["meeting"] = "You cannot record decisions for that meeting."
    if errors:
        raise ValidationError(errors)
    assert forum is not None  # every direction that found no forum recorded an error, refused above
    now = timezone.now()
    decision = RoutingDecision.objects.create(
        report=current,
        direction=direction,
        from_forum=current.current_forum,
        to_forum=forum,
        rationale=rationale,
        decided_by=actor,
        decided_at=now,
        meeting=meeting,
    )
    current.current_forum = forum
    current.status = ReportStatus.ROUTED
    bump_version(current, actor)
    current.save()
    if meeting is not None:
        Minute.objects.create(
            meeting=meeting,
            decision=f"Routed {current.reference} to {forum.name} ({RoutingDirection(direction).label}). {nfc(rationale)}",
            report=current,
            recorded_by=actor,
            recorded_at=now,
        )
    report.refresh_from_db()
    return decision


@transaction.atomic
def report_close(*, actor, report: InsightsReport, version: int, reason: str, meeting: Meeting | None = None) -> InsightsReport:
    """Close a routed report that needs nothing more, with the reason (minuted when closed at a meeting). A closed
    report is not routed again; its taskings carry on."""
    require(actor, "tasking.route_report", report, "Only those who may route this report close it.")
    current = _lock_report(report, version)
    if not clean_text(reason):
        raise ValidationError({"reason": "Say why the report is closed."})
    if not report_may_become(current, ReportStatus.CLOSED):
        raise ValidationError(
            {
                "report": "Only a routed report is closed: a new report needs a routing decision first."
                if current.status == ReportStatus.NEW
                else "This report is already closed."
            }
        )
    if meeting is not None and not actor.has_perm("tasking.minute_meeting", meeting):
        raise ValidationError({"meeting": "You cannot record decisions for that meeting."})
    now = timezone.now()
    current.status = ReportStatus.CLOSED
    current.closed_reason, current.closed_by, current.closed_at = reason, actor, now
    bump_version(current, actor)
    current.save()
    if meeting is not None:
        Minute.objects.create(meeting=meeting, decision=f"Closed {current.reference}. {nfc(reason)}", report=current, recorded_by=actor, recorded_at=now)
    report.refresh_from_db()
    return current
