"""Reads of taskings: those the user owns, set, or that fall to their district, national group or forum; overdue
taskings; and who may be named as a tasking's owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from rocc.org.models import OrgUnit, Role, UnitLevel
from rocc.org.scope import scope_of
from rocc.tasking.models import CLOSED_TASKING_STATUSES, Forum, ForumKind, Tasking
from rocc.tasking.rules import DISTRICT_ROLES, OWNER_ROLES, decision_maker, works_in_tasking
from rocc.tasking.selectors.scope import forums_attended, group_ids, one_or_404, role_of


def tasking_list(*, user) -> QuerySet[Tasking]:
    if not works_in_tasking(user):
        return Tasking.objects.none()
    qs = Tasking.objects.select_related("tasked_unit", "tasked_group", "owner", "forum", "report")
    if decision_maker(user):
        return qs
    visible = Q(owner=user) | Q(created_by=user) | Q(tasked_group__in=group_ids(user)) | Q(forum__in=forums_attended(user=user))
    if role_of(user) in DISTRICT_ROLES:
        visible |= scope_of(user).condition("tasked_unit")
    return qs.filter(pk__in=Tasking.objects.filter(visible).values("pk"))


def tasking_get(*, user, pk: int) -> Tasking:
    return one_or_404(tasking_list(user=user), pk, "tasking")


def open_taskings_owned(*, user) -> QuerySet[Tasking]:
    """The user's own taskings that still take updates."""
    return tasking_list(user=user).filter(owner=user).exclude(status__in=CLOSED_TASKING_STATUSES)


def tasking_owner_candidates(*, user, tasked_unit: OrgUnit | None = None, tasked_group=None) -> QuerySet:
    """The people a tasking set by ``user`` may name as its owner: ``rules.tasking_owner_refusal`` as a query (a T&C
    role, working in the unit or group when one is given). Nobody for a user who may not set taskings."""
    users = get_user_model().objects.filter(is_active=True)
    if not works_in_tasking(user):
        return users.none()
    # Administrators' scope is the whole country whatever units their profile lists (a superuser without a profile
    # is an administrator).
    administrator = Q(profile__role=Role.ADMINISTRATOR) | Q(is_superuser=True, profile__isnull=True)
    condition = Q(profile__role__in=OWNER_ROLES) | administrator
    if tasked_unit is not None:
        condition &= administrator | Q(profile__units__path__in=_ancestor_paths(tasked_unit.path))
    if tasked_group is not None:
        condition &= administrator | Q(profile__units__level=UnitLevel.NATIONAL) | Q(profile__groups=tasked_group)
    return users.filter(pk__in=users.filter(condition).values("pk")).select_related("profile").order_by("username")


def _ancestor_paths(path: str) -> list[str]:
    """A unit's path and the paths of the units above it (``/nz/waitemata/`` → ``/nz/``, ``/nz/waitemata/``)."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]


def overdue_taskings(*, user, today: dt.date | None = None) -> QuerySet[Tasking]:
    today = today or timezone.localdate()
    return tasking_list(user=user).filter(due_date__lt=today).exclude(status__in=CLOSED_TASKING_STATUSES)


TASKING_DUE_SOON_DAYS = 3  # a tasking is "due soon" this many days before its due date


def taskings_for_reminders(*, today: dt.date) -> QuerySet[Tasking]:
    """For the reminder schedule (the system, not a user): open taskings due within the next few days or overdue."""
    return (
        Tasking.objects.exclude(status__in=CLOSED_TASKING_STATUSES)
        .filter(due_date__lte=today + dt.timedelta(days=TASKING_DUE_SOON_DAYS))
        .select_related("owner", "tasked_unit", "tasked_group")
    )


def case_forum(case) -> Forum | None:
    """The forum that tasks a problem-solving case's milestones: where the report it came from now sits, else its
    district's own T&C (None for a national case without a report)."""
    if case.source_report_id and case.source_report.current_forum_id:
        return case.source_report.current_forum
    codes = case.scope_unit.path.strip("/").split("/")
    if len(codes) < 2:
        return None
    return Forum.objects.filter(kind=ForumKind.DISTRICT_TC, scope_unit__code=codes[1]).first()


@dataclass(frozen=True)
class CaseTasking:
    """A tasking of a case as its Deploy stage shows it: owner, due date, status, overdue, the milestone it is."""

    tasking: Tasking
    overdue: bool
    due_by_next_review: bool
    milestone_id: int | None


def taskings_for_case(*, user, case, next_review: dt.date | None = None, today: dt.date | None = None) -> list[CaseTasking]:
    """The taskings set for a case that the user may see, each with its overdue flag and whether it falls due by the
    case's next review (the review cycle's date, when there is one)."""
    today = today or timezone.localdate()
    rows = []
    for tasking in tasking_list(user=user).filter(case=case).select_related("owner", "tasked_unit", "tasked_group").order_by("due_date", "pk"):
        milestone = getattr(tasking, "milestone", None)
        rows.append(
            CaseTasking(
                tasking=tasking,
                overdue=tasking.is_overdue(today),
                due_by_next_review=next_review is not None and tasking.status not in CLOSED_TASKING_STATUSES and tasking.due_date <= next_review,
                milestone_id=milestone.pk if milestone is not None else None,
            )
        )
    return rows
