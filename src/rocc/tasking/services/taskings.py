"""Writes of taskings: tasking a district (or area) or a national group with an owner and a due date, and recording
progress until it is completed (with its result) or cancelled."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.inbox import hooks as notifications
from rocc.org.models import NationalGroup, OrgUnit, UnitLevel
from rocc.problems.models import Case, Milestone
from rocc.tasking.models import Forum, InsightsReport, Meeting, Minute, Tasking, TaskingStatus, TaskingUpdate
from rocc.tasking.rules import tasking_owner_refusal, tasking_statuses_open
from rocc.tasking.selectors.scope import cases_visible
from rocc.tasking.services.common import bump_version, clean_text, lock_current, require


@transaction.atomic
def tasking_create(
    *,
    actor,
    title: str,
    description: str,
    owner,
    due_date: dt.date | None,
    tasked_unit: OrgUnit | None = None,
    tasked_group: NationalGroup | None = None,
    report: InsightsReport | None = None,
    forum: Forum | None = None,
    meeting: Meeting | None = None,
    case: Case | None = None,
) -> Tasking:
    """Task a district (or area) or a national group. An owner and a due date are required; the owner must work in
    what is tasked. The forum tasking it is the meeting's, else the one given, else where the report sits."""
    errors: dict[str, str] = {}
    if not clean_text(title):
        errors["title"] = "Give the tasking a title."
    if not clean_text(description):
        errors["description"] = "Say what is asked."
    if owner is None:
        errors["owner"] = "Name the owner: a tasking without an owner is refused."
    if due_date is None:
        errors["due_date"] = "Give the due date: a tasking without one is refused."
    elif due_date < timezone.localdate():
        errors["due_date"] = "The due date is in the past."
    if (tasked_unit is None) == (tasked_group is None):
        errors["tasked_to"] = "Task either a district (or area) or a national group: exactly one."
    elif tasked_unit is not None and tasked_unit.level == UnitLevel.NATIONAL:
        errors["tasked_to"] = "Task a district or area, or a national group, not the whole country."
    if owner is not None and "tasked_to" not in errors and (problem := tasking_owner_refusal(owner, tasked_unit=tasked_unit, tasked_group=tasked_group)):
        errors["owner"] = problem
    if report is not None and not actor.has_perm("tasking.view_report", report):
        errors["report"] = "That report is outside your scope."
    if case is not None and not cases_visible(user=actor).filter(pk=case.pk).exists():
        errors["case"] = "That problem-solving case is outside your scope."
    forum = meeting.forum if meeting is not None else forum or (report.current_forum if report is not None else None)
    if errors:
        raise ValidationError(errors)
    assert due_date is not None  # a missing due date is among the errors refused above
    tasking = Tasking(
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        tasked_unit=tasked_unit,
        tasked_group=tasked_group,
        report=report,
        forum=forum,
        meeting=meeting,
        case=case,
        created_by=actor,
        created_at=timezone.now(),
    )
    require(actor, "tasking.add_tasking", tasking, "Only the forum's T&C members (or the OCCC) set taskings.")
    tasking.save()
    TaskingUpdate.objects.create(
        tasking=tasking,
        author=actor,
        recorded_at=tasking.created_at,
        status=tasking.status,
        note=f"Tasked to {tasking.tasked_to}, owner {owner.get_full_name() or owner.get_username()}, due {due_date:%d %b %Y}.",
    )
    if meeting is not None:
        Minute.objects.create(
            meeting=meeting,
            decision=f"Tasked {tasking.tasked_to}: {tasking.title} (owner {owner.get_username()}, due {due_date:%d %b %Y}).",
            tasking=tasking,
            report=report,
            recorded_by=actor,
            recorded_at=tasking.created_at,
        )
    notifications.tasking_assigned(tasking, actor=actor)
    return tasking


@transaction.atomic
def tasking_update(*, actor, tasking: Tasking, version: int, status: str, note: str, result: str = "") -> TaskingUpdate:
    """Record progress on a tasking and set its status. Completing it needs the result; a completed or cancelled
    tasking is not changed. A stale ``version`` is refused with RecordChanged."""
    require(actor, "tasking.update_tasking", tasking, "Only the tasking's owner or its forum's T&C members update it.")
    current = lock_current(tasking, version=version, noun="tasking")
    errors: dict[str, str] = {}
    onward = tasking_statuses_open(current)
    if not onward:
        raise ValidationError({"status": f"This tasking is {current.get_status_display().lower()}; it is not changed any more."})
    if status not in TaskingStatus.values:
        errors["status"] = f"Unknown status '{status}'; choose one of: {', '.join(onward)}."
    elif status not in onward:
        errors["status"] = (
            f"A tasking that is {current.get_status_display().lower()} cannot become {TaskingStatus(status).label.lower()}; choose one of: {', '.join(onward)}."
        )
    if not clean_text(note):
        errors["note"] = "Say what happened: the note is required."
    if status == TaskingStatus.COMPLETED and not clean_text(result):
        errors["result"] = "Record the result: a tasking is completed with its result."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    update = TaskingUpdate.objects.create(tasking=current, author=actor, recorded_at=now, status=status, note=note)
    current.status = status
    if clean_text(result):
        current.result = result
    if status == TaskingStatus.COMPLETED:
        current.completed_at = now
        # A case's milestone raised as this tasking is done when the tasking is: closing one shows on the other.
        Milestone.objects.filter(tasking=current, done_on__isnull=True).update(done_on=timezone.localdate())
    bump_version(current, actor)
    current.save()
    if status == TaskingStatus.COMPLETED:
        notifications.tasking_completed(current, actor=actor)
    tasking.refresh_from_db()
    return update
