"""Who may read and work on problem-solving cases.

A case belongs to its organisational unit: everyone with a role whose scope covers the unit reads it
(the national office reads every case); a provider reads only the cases its agency is a partner on.
Coordinators and analysts of the unit, the case's owner, programme managers and administrators work
on it. Administrators revise the question bank.
"""

from __future__ import annotations

import rules

from rocc.org.rules import (
    has_role,
    is_administrator,
    is_analyst,
    is_programme_manager,
    is_provider_reporter,
    is_regional_coordinator,
    unit_in_scope,
)
from rocc.org.scope import scope_of
from rocc.problems.models import FORWARD_MOVES, StageMove, case_moves
from rocc.problems.selectors import stage_missing


@rules.predicate
def is_case_owner(user, case) -> bool:
    return case is not None and getattr(case, "owner_id", None) == user.pk


@rules.predicate
def agency_is_case_partner(user, case) -> bool:
    agency_id = scope_of(user).agency_id
    partners = getattr(case, "partner_agencies", None)
    return agency_id is not None and partners is not None and partners.filter(pk=agency_id).exists()


may_view_case = (has_role & ~is_provider_reporter & unit_in_scope) | (is_provider_reporter & agency_is_case_partner)
rules.add_perm("problems.view_case", may_view_case)
rules.add_perm("problems.view_library", has_role & ~is_provider_reporter)
rules.add_perm(
    "problems.open_case",
    is_administrator | is_programme_manager | ((is_regional_coordinator | is_analyst) & unit_in_scope),
)
works_on_case = (
    is_administrator | is_programme_manager | ((is_regional_coordinator | is_analyst) & unit_in_scope) | (has_role & ~is_provider_reporter & is_case_owner)
)
rules.add_perm("problems.work_on_case", works_on_case)


# Rules that also ask the case's state (the moves table beside the models' choices). Pages call these directly, not
# through ``has_perm`` (which lets a superuser past every permission), so a page never offers what the service refuses.


@rules.predicate
def case_is_open(user, case) -> bool:
    return case is not None and not case.is_closed


may_change_case = works_on_case & case_is_open


def forward_move(case) -> str | None:
    """The move that takes the case on from its stage (advanced, or closed from Assess); None once closed."""
    return next((move for move in FORWARD_MOVES if move in case_moves(case)), None)


def advance_closes(case) -> bool:
    """Whether the move on from the case's stage closes it (from Assess) rather than taking it to the next stage."""
    return forward_move(case) == StageMove.Kind.CLOSED


def may_advance_case(user, case) -> bool:
    """Role and scope, state (the table allows a move on), and the stage's gate: nothing still missing."""
    return forward_move(case) is not None and works_on_case(user, case) and not stage_missing(case)


def may_send_case_back(user, case) -> bool:
    return StageMove.Kind.BACK in case_moves(case) and works_on_case(user, case)


rules.add_perm("problems.manage_questions", is_administrator)
# The Django admin shows the question banks (read-only history) to administrators.
rules.add_perm("problems", is_administrator)
rules.add_perm("problems.view_questionbank", is_administrator)
rules.add_perm("problems.view_question", is_administrator)
