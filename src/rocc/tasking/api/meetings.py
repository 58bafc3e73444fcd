"""API endpoint of the forums' meetings: a meeting's agenda."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from rocc.core.api_fields import IsoDate
from rocc.core.errors import error_responses
from rocc.tasking.api.common import local_today
from rocc.tasking.api.reports import ReportOut, report_values
from rocc.tasking.api.risk import RankedOut, ranked_out
from rocc.tasking.api.taskings import TaskingOut, tasking_values
from rocc.tasking.selectors import meetings as meetings_selectors

router = Router()


class AgendaAlertOut(Schema):
    id: int
    basis: str
    owners: list[str]
    acknowledged: int


class AgendaOut(Schema):
    meeting: int
    forum: str
    held_on: IsoDate
    new_reports: list[ReportOut]
    top_risks: list[RankedOut]
    overdue_taskings: list[TaskingOut]
    alerts: list[AgendaAlertOut]


@router.get(
    "/meetings/{meeting_id}/agenda",
    response={200: AgendaOut, **error_responses(404)},
    summary="A meeting's agenda: new reports, top risks, overdue taskings, alerts",
)
def agenda(request: HttpRequest, meeting_id: int):
    meeting = meetings_selectors.meeting_get(user=request.user, pk=meeting_id)
    built = meetings_selectors.meeting_agenda(user=request.user, meeting=meeting)
    today = local_today()
    return AgendaOut(
        meeting=meeting.pk,
        forum=meeting.forum.code,
        held_on=meeting.held_on,
        new_reports=[ReportOut(**report_values(r)) for r in built.new_reports],
        top_risks=[ranked_out(item) for item in built.top_risks],
        overdue_taskings=[TaskingOut(**tasking_values(t, today)) for t in built.overdue_taskings],
        alerts=[
            AgendaAlertOut(
                id=a.pk,
                basis=a.basis,
                owners=[a.owner_a.get_username(), a.owner_b.get_username()],
                acknowledged=int(a.acknowledged_a_at is not None) + int(a.acknowledged_b_at is not None),
            )
            for a in built.alerts
        ],
    )
