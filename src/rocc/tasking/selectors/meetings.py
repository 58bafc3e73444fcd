"""Reads of the forums' meetings: those of forums the user attends, those they may still record decisions at, and a
meeting's agenda (new reports, top risks, overdue taskings and open alerts in the forum's area)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from rocc.org.models import OrgUnit, UnitLevel
from rocc.tasking.models import DeconflictionAlert, Forum, ForumKind, InsightsReport, Meeting, MeetingStatus, ReportStatus, Tasking
from rocc.tasking.rules import decision_maker, may_minute_meeting
from rocc.tasking.selectors.deconfliction import subject_unit, targets_visible
from rocc.tasking.selectors.reports import report_list
from rocc.tasking.selectors.risk import Ranked, rankings
from rocc.tasking.selectors.scope import forums_attended, one_or_404
from rocc.tasking.selectors.taskings import overdue_taskings

AGENDA_TOP_RISKS = 10


def meeting_list(*, user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(forum__in=forums_attended(user=user)).select_related("forum")


def meeting_get(*, user, pk: int) -> Meeting:
    return one_or_404(meeting_list(user=user), pk, "meeting")


def meetings_for_decisions(*, user) -> QuerySet[Meeting]:
    """Meetings the user may record a decision at (to minute a routing, closure or tasking there): those they may
    minute that are not yet held."""
    meetings = meeting_list(user=user).exclude(status=MeetingStatus.HELD)
    return meetings.filter(pk__in=[m.pk for m in meetings if may_minute_meeting(user, m)])


@dataclass
class Agenda:
    meeting: Meeting
    new_reports: list[InsightsReport] = field(default_factory=list)
    top_risks: list[Ranked] = field(default_factory=list)
    overdue_taskings: list[Tasking] = field(default_factory=list)
    alerts: list[DeconflictionAlert] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new_reports or self.top_risks or self.overdue_taskings or self.alerts)


def _in_forum_area(forum: Forum, unit: OrgUnit | None) -> bool:
    if forum.scope_unit.level == UnitLevel.NATIONAL:
        return True
    return unit is not None and unit.path.startswith(forum.scope_unit.path)


def meeting_agenda(*, user, meeting: Meeting, today: dt.date | None = None) -> Agenda:
    """The agenda of a meeting, built from what the user may see:

    - new reports: for the OCCC, every report awaiting routing; for any other forum, the reports now sitting at it
      that no meeting of the forum has minuted since they arrived;
    - the top-ranked risks in the forum's area;
    - overdue taskings the forum set or that fall in its area;
    - open deconfliction alerts in its area, saying only who the owners are and what kind of match it is.
    """
    forum = meeting.forum
    today = today or meeting.held_on
    agenda = Agenda(meeting=meeting)
    reports = report_list(user=user).prefetch_related("routing_decisions", "minutes__meeting")
    if forum.kind == ForumKind.OCCC:
        agenda.new_reports = list(reports.filter(status=ReportStatus.NEW).order_by("compiled_at"))
    else:
        for report in reports.filter(current_forum=forum).order_by("compiled_at"):
            arrived = max((d.decided_at for d in report.routing_decisions.all() if d.to_forum_id == forum.pk), default=None)
            minuted = any(m.meeting.forum_id == forum.pk and arrived and m.recorded_at >= arrived for m in report.minutes.all())
            if not minuted:
                agenda.new_reports.append(report)
    agenda.top_risks = rankings(user=user, limit=AGENDA_TOP_RISKS, within=forum.scope_unit)
    agenda.overdue_taskings = [
        t for t in overdue_taskings(user=user, today=today).order_by("due_date") if t.forum_id == forum.pk or _in_forum_area(forum, t.tasked_unit)
    ]
    open_alerts = DeconflictionAlert.objects.filter(Q(acknowledged_a_at__isnull=True) | Q(acknowledged_b_at__isnull=True)).select_related(
        "owner_a",
        "owner_b",
        "target_a__product__source_unit",
        "target_a__tasking__tasked_unit",
        "target_a__case__scope_unit",
        "target_b__product__source_unit",
        "target_b__tasking__tasked_unit",
        "target_b__case__scope_unit",
    )
    if not decision_maker(user):
        open_alerts = open_alerts.filter(
            Q(owner_a=user) | Q(owner_b=user) | Q(target_a__in=targets_visible(user=user)) | Q(target_b__in=targets_visible(user=user))
        )
    agenda.alerts = [
        a for a in open_alerts.order_by("created_at") if _in_forum_area(forum, subject_unit(a.target_a)) or _in_forum_area(forum, subject_unit(a.target_b))
    ]
    return agenda


def next_meeting(*, user, today: dt.date | None = None) -> Meeting | None:
    """The next planned meeting of a forum the user attends (today's included)."""
    today = today or timezone.localdate()
    return meeting_list(user=user).filter(held_on__gte=today, status=MeetingStatus.PLANNED).order_by("held_on", "pk").first()
