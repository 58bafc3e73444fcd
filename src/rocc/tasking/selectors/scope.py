"""The scope filters every Tasking & Coordination read shares: the user's national groups, the forums they attend and
the problem-solving cases they may see (units under the user's scope are the scope's own ``condition``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from rocc.org.models import Role
from rocc.org.scope import scope_of
from rocc.problems.models import Case
from rocc.problems.selectors import cases_visible_to
from rocc.tasking.models import Forum
from rocc.tasking.rules import decision_maker, works_in_tasking


def group_ids(user) -> list[int]:
    try:
        return list(user.profile.groups.values_list("pk", flat=True))
    except Exception:  # no profile: no groups
        return []


def role_of(user) -> str | None:
    return scope_of(user).role


def one_or_404(queryset: QuerySet, pk: int, what: str):
    """The row with this key among those the user may see; 404 (not 403) otherwise, so a record outside the user's
    scope is not even confirmed to exist."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def forums_attended(*, user) -> QuerySet[Forum]:
    """Forums the user attends: all of them for a decision maker; else those naming them as a member and,
    for a T&C member, those whose unit their scope covers."""
    if not works_in_tasking(user):
        return Forum.objects.none()
    if decision_maker(user):
        return Forum.objects.all()
    condition = Q(members=user)
    if role_of(user) == Role.TC_MEMBER:
        condition |= scope_of(user).condition("scope_unit")
    return Forum.objects.filter(pk__in=Forum.objects.filter(condition).values("pk"))


def cases_visible(*, user):
    """Problem-solving cases the user may see in Tasking & Coordination: the problems capability's own scope, for
    those who work in tasking."""
    if not works_in_tasking(user):
        return Case.objects.none()
    return cases_visible_to(user)
