"""Writes of the forums' meetings: a district's own T&C forum, convening a meeting, minuting its decisions and
marking it held."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.org.models import OrgUnit, UnitLevel
from rocc.tasking.models import (
    DeconflictionAlert,
    Forum,
    ForumKind,
    InsightsProduct,
    InsightsReport,
    Meeting,
    MeetingStatus,
    Minute,
    Tasking,
)
from rocc.tasking.selectors.meetings import meeting_agenda
from rocc.tasking.services.common import clean_text, require


def district_forum(unit: OrgUnit) -> Forum:
    """The district's own T&C forum (made on first use for a district added after the defaults)."""
    if unit.level != UnitLevel.DISTRICT:
        raise ValidationError({"district": f"{unit.name} is not a district."})
    forum, _ = Forum.objects.get_or_create(
        code=f"{unit.code}-tc",
        defaults={
            "name": f"{unit.name} District T&C",
            "short_name": f"{unit.name} T&C",
            "kind": ForumKind.DISTRICT_TC,
            "scope_unit": unit,
            "order": 100 + unit.order,
            "description": f"{unit.name} District's own Tasking & Coordination: district-specific OCCC insights reports come here.",
        },
    )
    return forum


@transaction.atomic
def meeting_create(*, actor, forum: Forum, held_on: dt.date | None, title: str = "") -> Meeting:
    require(actor, "tasking.add_meeting", forum, "Only the forum's T&C members convene its meetings.")
    if held_on is None:
        raise ValidationError({"held_on": "Give the meeting's date."})
    return Meeting.objects.create(forum=forum, held_on=held_on, title=clean_text(title), created_by=actor, created_at=timezone.now())


@transaction.atomic
def minute_record(
    *,
    actor,
    meeting: Meeting,
    decision: str,
    report: InsightsReport | None = None,
    tasking: Tasking | None = None,
    product: InsightsProduct | None = None,
    alert: DeconflictionAlert | None = None,
    case=None,
) -> Minute:
    """Record a decision of a meeting, linked to what it decided (each linked record must be visible to the recorder)."""
    require(actor, "tasking.minute_meeting", meeting, "Only the forum's T&C members record its decisions.")
    errors = {}
    if not clean_text(decision):
        errors["decision"] = "Write the decision."
    checks = (("report", report, "tasking.view_report"), ("tasking", tasking, "tasking.view_tasking_record"), ("product", product, "tasking.view_product"))
    for name, record, perm in checks:
        if record is not None and not actor.has_perm(perm, record):
            errors[name] = f"That {name} is outside your scope."
    if alert is not None:
        if alert not in meeting_agenda(user=actor, meeting=meeting).alerts and not actor.has_perm("tasking.acknowledge_alert", alert):
            errors["alert"] = "That alert is not on this meeting's agenda."
    if case is not None and not actor.has_perm("tasking.score", case):
        errors["case"] = "That case is outside your scope."
    if errors:
        raise ValidationError(errors)
    return Minute.objects.create(
        meeting=meeting,
        decision=decision,
        report=report,
        tasking=tasking,
        product=product,
        alert=alert,
        case=case,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )


@transaction.atomic
def meeting_mark_held(*, actor, meeting: Meeting) -> Meeting:
    require(actor, "tasking.minute_meeting", meeting, "Only the forum's T&C members record its meetings.")
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    return meeting
