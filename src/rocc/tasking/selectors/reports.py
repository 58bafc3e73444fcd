"""Reads of OCCC insights reports: those the user compiled, and those routed to a forum they attend or to their
district's T&C."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rocc.org.scope import scope_of
from rocc.tasking.models import Forum, ForumKind, InsightsReport, ReportStatus
from rocc.tasking.rules import DISTRICT_ROLES, decision_maker, works_in_tasking
from rocc.tasking.selectors.scope import forums_attended, one_or_404, role_of


def _forums_receiving(user) -> QuerySet[Forum]:
    """Forums whose reports the user sees: those attended, and the district T&C of a district the user works in."""
    condition = Q(pk__in=forums_attended(user=user).values("pk"))
    if role_of(user) in DISTRICT_ROLES:
        condition |= Q(kind=ForumKind.DISTRICT_TC) & scope_of(user).condition("scope_unit")
    return Forum.objects.filter(condition)


def report_list(*, user) -> QuerySet[InsightsReport]:
    if not works_in_tasking(user):
        return InsightsReport.objects.none()
    qs = InsightsReport.objects.select_related("compiled_by", "current_forum__scope_unit")
    if decision_maker(user):
        return qs
    visible = Q(compiled_by=user) | Q(routing_decisions__to_forum__in=_forums_receiving(user))
    return qs.filter(pk__in=InsightsReport.objects.filter(visible).values("pk"))


def report_get(*, user, pk: int) -> InsightsReport:
    return one_or_404(report_list(user=user), pk, "insights report")


def reports_awaiting_routing(*, user) -> QuerySet[InsightsReport]:
    """New reports the user sees, waiting on the OCCC's agenda until they are routed."""
    return report_list(user=user).filter(status=ReportStatus.NEW)
