"""API endpoints of taskings: the taskings you may see, setting one, and recording its progress."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from rocc.core.api_fields import IsoDate, UnitCode
from rocc.core.bounds import BoundedInput
from rocc.core.errors import InvalidInput, error_responses
from rocc.tasking.api.common import forum_named, group_named, local_today, unit_named, user_named
from rocc.tasking.selectors import meetings as meetings_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import taskings as taskings_selectors
from rocc.tasking.services import taskings as taskings_services

router = Router()


class TaskingOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    tasked_unit: str | None
    tasked_group: str | None
    owner: str
    due_date: IsoDate
    status: str
    result: str
    overdue: bool
    report: int | None
    forum: str | None
    version: int


class TaskingUpdateOut(Schema):
    id: int
    author: str
    recorded_at: dt.datetime
    status: str
    note: str


class TaskingDetailOut(TaskingOut):
    updates: list[TaskingUpdateOut]


class TaskingIn(BoundedInput):
    title: str
    description: str
    owner: str | None = None
    due_date: IsoDate | None = None
    tasked_unit: UnitCode | None = None
    tasked_group: str | None = None
    report: int | None = None
    forum: str | None = None
    meeting: int | None = None


class TaskingUpdateIn(BoundedInput):
    version: int
    status: str
    note: str
    result: str = ""


def tasking_values(t, today: dt.date) -> dict:
    return {
        "id": t.pk,
        "reference": t.reference,
        "title": t.title,
        "description": t.description,
        "tasked_unit": t.tasked_unit.code if t.tasked_unit_id else None,
        "tasked_group": t.tasked_group.code if t.tasked_group_id else None,
        "owner": t.owner.get_username(),
        "due_date": t.due_date,
        "status": t.status,
        "result": t.result,
        "overdue": t.is_overdue(today),
        "report": t.report_id,
        "forum": t.forum.code if t.forum_id else None,
        "version": t.version,
    }


@router.get("/taskings", response=list[TaskingOut], summary="Taskings you may see, by due date")
def taskings(request: HttpRequest, overdue: bool = False):
    today = local_today()
    found = taskings_selectors.overdue_taskings(user=request.user, today=today) if overdue else taskings_selectors.tasking_list(user=request.user)
    return [TaskingOut(**tasking_values(t, today)) for t in found]


@router.get("/taskings/{tasking_id}", response={200: TaskingDetailOut, **error_responses(404)}, summary="One tasking with its updates")
def tasking(request: HttpRequest, tasking_id: int):
    found = taskings_selectors.tasking_get(user=request.user, pk=tasking_id)
    return TaskingDetailOut(
        **tasking_values(found, local_today()),
        updates=[
            TaskingUpdateOut(id=u.pk, author=u.author.get_username(), recorded_at=u.recorded_at, status=u.status, note=u.note)
            for u in found.updates.select_related("author")
        ],
    )


@router.post(
    "/taskings",
    response={201: TaskingOut, **error_responses(403, 422)},
    summary="Task a district (or area) or a national group",
    description="`owner` (a user name) and `due_date` are required; name `tasked_unit` or `tasked_group`, not both.",
)
def tasking_add(request: HttpRequest, payload: TaskingIn):
    try:
        report = reports_selectors.report_get(user=request.user, pk=payload.report) if payload.report else None
        meeting = meetings_selectors.meeting_get(user=request.user, pk=payload.meeting) if payload.meeting else None
    except Http404:
        raise InvalidInput("The tasking was not saved.", field_errors={"report": ["No such report or meeting in your scope."]}) from None
    created = taskings_services.tasking_create(
        actor=request.user,
        title=payload.title,
        description=payload.description,
        owner=user_named(payload.owner),
        due_date=payload.due_date,
        tasked_unit=unit_named(payload.tasked_unit, "tasked_unit"),
        tasked_group=group_named(payload.tasked_group, "tasked_group"),
        report=report,
        forum=forum_named(payload.forum),
        meeting=meeting,
    )
    return Status(201, TaskingOut(**tasking_values(created, local_today())))


@router.post(
    "/taskings/{tasking_id}/updates",
    response={201: TaskingUpdateOut, **error_responses(403, 404, 409, 422)},
    summary="Record progress on a tasking, or complete it with its result",
    description="Send the tasking's `version` as you read it: 409 if it changed since. Completing needs `result`.",
)
def tasking_update(request: HttpRequest, tasking_id: int, payload: TaskingUpdateIn):
    found = taskings_selectors.tasking_get(user=request.user, pk=tasking_id)
    update = taskings_services.tasking_update(
        actor=request.user, tasking=found, version=payload.version, status=payload.status, note=payload.note, result=payload.result
    )
    return Status(
        201, TaskingUpdateOut(id=update.pk, author=update.author.get_username(), recorded_at=update.recorded_at, status=update.status, note=update.note)
    )
