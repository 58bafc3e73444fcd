"""The strategy capability's permission and state rules, built on the foundation's role and scope predicates.

An activity's scope is its plan's unit: the national plan's unit is the national unit, so only the
national office (programme managers and administrators) changes it; a regional coordinator changes
plans of their own districts and areas. Everyone with a role reads.

District plans, barrier escalations and initiatives follow the same rule through their ``scope_unit``:
the national office works on any of them, a regional coordinator on those of their own districts and
areas. Only the centre (programme managers and administrators) responds to an escalated barrier.

A move of a plan's or a barrier's life (agree, activate, review, draft, discard; escalate, respond, close) is
one permission, ``strategy.plan_<move>`` or ``strategy.barrier_<move>``: the role and scope allow it and the
state allows it, by the transition tables beside the models' choices. Services refuse a move with
PermissionDenied when the role or scope does not allow it and with a ValidationError when the state does not;
pages offer exactly the moves ``plan_moves`` and ``barrier_moves`` return.
"""

from __future__ import annotations

import rules

from rocc.org.rules import (
    has_role,
    is_administrator,
    is_programme_manager,
    is_regional_coordinator,
    unit_in_scope,
)
from rocc.strategy.models import (
    BARRIER_TRANSITIONS,
    PLAN_VERSION_TRANSITIONS,
    BarrierMove,
    PlanMove,
    PlanVersionStatus,
)

rules.add_perm("strategy.view_strategy", has_role)
rules.add_perm("strategy.change_framework", is_administrator | is_programme_manager)
rules.add_perm("strategy.update_activity", is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope))

national_office = is_administrator | is_programme_manager
in_own_region = is_regional_coordinator & unit_in_scope

# District and area plans: the object is a plan, a version or anything with a scope_unit (or the unit itself when creating).
edit_district_plan = national_office | in_own_region
rules.add_perm("strategy.edit_district_plan", edit_district_plan)
# Barrier escalation register (action 12): a region raises and escalates; the centre responds and closes.
raise_barrier = national_office | in_own_region
respond_barrier = national_office
rules.add_perm("strategy.raise_barrier", raise_barrier)
rules.add_perm("strategy.respond_barrier", respond_barrier)
# Initiative stocktake (action 15).
rules.add_perm("strategy.edit_initiative", national_office | in_own_region)


# --- Moves: role and scope, then state ----------------------------------------------------------------------------

# Who may make each move, as the permission a service checks before it looks at the state.
PLAN_MOVE_PERMISSION = {move: "strategy.edit_district_plan" for move in PlanMove}
BARRIER_MOVE_PERMISSION = {
    BarrierMove.ESCALATE: "strategy.raise_barrier",
    BarrierMove.RESPOND: "strategy.respond_barrier",
    BarrierMove.CLOSE: "strategy.respond_barrier",
}
_PREDICATE_OF = {"strategy.edit_district_plan": edit_district_plan, "strategy.raise_barrier": raise_barrier, "strategy.respond_barrier": respond_barrier}


def plan_move_version(plan, move: str):
    """The version of the plan a move applies to in the plan's present state, or None when the state refuses it."""
    from_statuses, _ = PLAN_VERSION_TRANSITIONS[move]
    versions = list(plan.versions.exclude(status=PlanVersionStatus.SUPERSEDED).order_by("-number"))
    draft = next((v for v in versions if v.status == PlanVersionStatus.DRAFT), None)
    if move == PlanMove.DRAFT and draft is not None:
        return None  # edits already go to that draft
    if move == PlanMove.DISCARD and (draft is None or draft.number == 1):
        return None  # a plan's first draft is all the plan has: discarding it would leave nothing
    return next((v for v in versions if v.status in from_statuses), None)


def barrier_move_allowed_by_state(barrier, move: str) -> bool:
    from_statuses, _ = BARRIER_TRANSITIONS[move]
    return barrier.status in from_statuses


def _plan_state_allows(move: str):
    return rules.predicate(lambda user, plan: plan_move_version(plan, move) is not None, name=f"plan_state_allows_{move}")


def _barrier_state_allows(move: str):
    return rules.predicate(lambda user, barrier: barrier_move_allowed_by_state(barrier, move), name=f"barrier_state_allows_{move}")


for _move in PlanMove:
    rules.add_perm(f"strategy.plan_{_move}", _PREDICATE_OF[PLAN_MOVE_PERMISSION[_move]] & _plan_state_allows(_move))
for _move in BarrierMove:
    rules.add_perm(f"strategy.barrier_{_move}", _PREDICATE_OF[BARRIER_MOVE_PERMISSION[_move]] & _barrier_state_allows(_move))


def plan_moves(user, plan) -> dict[str, object]:
    """The moves of the plan's life this user may make now, each with the version it applies to: what a page offers."""
    return {str(move): plan_move_version(plan, move) for move in PlanMove if user.has_perm(f"strategy.plan_{move}", plan)}


def barrier_moves(user, barrier) -> set[str]:
    """The moves of the barrier this user may make now: what a page offers."""
    return {str(move) for move in BarrierMove if user.has_perm(f"strategy.barrier_{move}", barrier)}
