"""Who may see and do what in Tasking & Coordination, as `rules` predicates built on the foundation's roles and scopes.

The words used here:
- a **decision maker** is an administrator, a programme manager, or a T&C member with national scope (the OCCC):
  they see every record and compile and route reports;
- a user **attends** a forum when they are one of its named members, a decision maker, or a T&C member whose scope
  covers the forum's unit (a district's T&C members attend its district T&C);
- a **district sees** a unit when the user is a T&C member or an analyst whose scope covers it: a district sees
  what is routed or tasked to it, and the products it wrote;
- a **group member** belongs (in their profile) to the national group a product came from or a tasking went to.

Selectors (``selectors/``) express the same rules as queries; the tests check both agree.

Rules that also depend on a record's state (``may_record_tasking_update``, ``may_route_report_now``,
``may_close_report_now``) read the transition tables beside the models' choices. Pages call these predicates directly
rather than through ``has_perm``, which lets a superuser past every permission: no one is offered a move the service
refuses.
"""

from __future__ import annotations

import rules

from rocc.org.models import Role
from rocc.org.rules import (
    has_role,
    is_administrator,
    is_programme_manager,
    is_tc_member,
)
from rocc.org.scope import scope_of
from rocc.problems.models import Case
from rocc.problems.rules import may_view_case as problems_may_view_case
from rocc.tasking.models import (
    REPORT_TRANSITIONS,
    TASKING_TRANSITIONS,
    ForumKind,
    InsightsProduct,
    InsightsReport,
    ReportStatus,
    Target,
    Tasking,
)

TASKING_ROLES = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER, Role.TC_MEMBER, Role.ANALYST}
DISTRICT_ROLES = {Role.TC_MEMBER, Role.ANALYST}


def decision_maker(user) -> bool:
    scope = scope_of(user)
    return scope.role in {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER} or (scope.role == Role.TC_MEMBER and scope.national)


def district_sees(user, unit) -> bool:
    scope = scope_of(user)
    return unit is not None and scope.role in DISTRICT_ROLES and scope.covers(unit.path)


def group_member(user, group) -> bool:
    if group is None or scope_of(user).role not in TASKING_ROLES:
        return False
    return user.profile.groups.filter(pk=group.pk).exists()


def attends(user, forum) -> bool:
    if forum is None:
        return False
    scope = scope_of(user)
    if scope.role not in TASKING_ROLES:
        return False
    if decision_maker(user) or (scope.role == Role.TC_MEMBER and scope.covers(forum.scope_unit.path)):
        return True
    return forum.members.filter(pk=user.pk).exists()


@rules.predicate
def is_decision_maker(user) -> bool:
    return decision_maker(user)


@rules.predicate
def works_in_tasking(user) -> bool:
    return scope_of(user).role in TASKING_ROLES


@rules.predicate
def may_view_product(user, product) -> bool:
    if product is None or not works_in_tasking(user):
        return False
    if decision_maker(user) or user.pk in (product.owner_id, product.received_by_id):
        return True
    if district_sees(user, product.source_unit) or group_member(user, product.source_group):
        return True
    return any(may_view_report(user, report) for report in product.reports.all()) if product.pk else False


@rules.predicate
def may_add_product(user, product) -> bool:
    """``product`` is the product about to be saved: its source unit or group decides."""
    if product is None or not works_in_tasking(user):
        return False
    return decision_maker(user) or district_sees(user, product.source_unit) or group_member(user, product.source_group)


@rules.predicate
def may_view_report(user, report) -> bool:
    if report is None or not works_in_tasking(user):
        return False
    if decision_maker(user) or report.compiled_by_id == user.pk:
        return True
    for decision in report.routing_decisions.select_related("to_forum__scope_unit"):
        forum = decision.to_forum
        if attends(user, forum) or (forum.kind == ForumKind.DISTRICT_TC and district_sees(user, forum.scope_unit)):
            return True
    return False


@rules.predicate
def may_route_report(user, report) -> bool:
    """The OCCC routes a new report; whoever attends the forum a report now sits at may route it on."""
    if report is None:
        return False
    return decision_maker(user) or attends(user, report.current_forum)


@rules.predicate
def may_view_tasking(user, tasking) -> bool:
    if tasking is None or not works_in_tasking(user):
        return False
    if decision_maker(user) or user.pk in (tasking.owner_id, tasking.created_by_id):
        return True
    if district_sees(user, tasking.tasked_unit) or group_member(user, tasking.tasked_group):
        return True
    return attends(user, tasking.forum)


@rules.predicate
def may_task(user, tasking) -> bool:
    """``tasking`` is the tasking about to be created: the forum tasking it must be one the user attends."""
    if tasking is None or not works_in_tasking(user):
        return False
    return decision_maker(user) or (scope_of(user).role == Role.TC_MEMBER and attends(user, tasking.forum))


@rules.predicate
def may_update_tasking(user, tasking) -> bool:
    if tasking is None or not works_in_tasking(user):
        return False
    return decision_maker(user) or tasking.owner_id == user.pk or (scope_of(user).role == Role.TC_MEMBER and attends(user, tasking.forum))


# Who may own a tasking: people who work in Tasking & Coordination. Viewers, regional coordinators and providers
# (NGO, iwi, PHO) do not own Police taskings, wherever their scope lies.
OWNER_ROLES = TASKING_ROLES


def tasking_owner_refusal(owner, *, tasked_unit=None, tasked_group=None) -> str:
    """Why ``owner`` may not own a tasking of this district (or area) or national group; "" when they may.

    The one owner rule: a T&C role (``OWNER_ROLES``), and work in what is tasked — a scope covering the unit, or
    membership of the group (national scope covers every group). With neither unit nor group, only the role is asked
    (the owner list of a form before the assignee is chosen)."""
    name = owner.get_username()
    scope = scope_of(owner)
    if scope.role is None:
        return f"{name} has no role in rocc and cannot own a tasking."
    if scope.role not in OWNER_ROLES:
        return (
            f"{name} is a {Role(scope.role).label.lower()} and cannot own a tasking: owners are T&C members, analysts, the programme office or administrators."
        )
    if tasked_unit is not None and not scope.covers(tasked_unit.path):
        return f"{name} does not work in {tasked_unit.name}: choose an owner there."
    if tasked_group is not None and not scope.national and not owner.profile.groups.filter(pk=tasked_group.pk).exists():
        return f"{name} is not in {tasked_group.name}: choose an owner from the group."
    return ""


@rules.predicate
def may_own_tasking(owner, tasking) -> bool:
    """``tasking`` is the tasking (saved or about to be) whose unit or group the owner must work in."""
    if tasking is None:
        return False
    return not tasking_owner_refusal(owner, tasked_unit=tasking.tasked_unit, tasked_group=tasking.tasked_group)


def tasking_statuses_open(tasking) -> tuple[str, ...]:
    """The statuses an update may give this tasking now (the transitions table; none once it is closed)."""
    return TASKING_TRANSITIONS.get(tasking.status, ()) if tasking is not None else ()


@rules.predicate
def may_record_tasking_update(user, tasking) -> bool:
    """Role and scope (``may_update_tasking``) and state: the tasking still takes updates."""
    return bool(tasking_statuses_open(tasking)) and may_update_tasking(user, tasking)


def report_may_become(report, status: str) -> bool:
    return report is not None and status in REPORT_TRANSITIONS.get(report.status, frozenset())


@rules.predicate
def may_route_report_now(user, report) -> bool:
    """Role and scope (``may_route_report``) and state: the report may still be routed."""
    return report_may_become(report, ReportStatus.ROUTED) and may_route_report(user, report)


@rules.predicate
def may_close_report_now(user, report) -> bool:
    """Role and scope (``may_route_report``) and state: the report is routed and not yet closed."""
    return report_may_become(report, ReportStatus.CLOSED) and may_route_report(user, report)


@rules.predicate
def may_view_meeting(user, meeting) -> bool:
    return meeting is not None and attends(user, meeting.forum)


@rules.predicate
def may_minute_meeting(user, meeting) -> bool:
    if meeting is None:
        return False
    return decision_maker(user) or (scope_of(user).role == Role.TC_MEMBER and attends(user, meeting.forum))


@rules.predicate
def may_convene(user, forum) -> bool:
    return forum is not None and (decision_maker(user) or (scope_of(user).role == Role.TC_MEMBER and attends(user, forum)))


@rules.predicate
def may_view_case(user, case) -> bool:
    """A case the problems capability lets the user read, for someone who works in tasking."""
    return case is not None and works_in_tasking(user) and problems_may_view_case(user, case)


@rules.predicate
def may_view_subject(user, subject) -> bool:
    """A report, a case or a target (through the product, tasking or case naming it)."""
    if isinstance(subject, InsightsReport):
        return may_view_report(user, subject)
    if isinstance(subject, Case):
        return may_view_case(user, subject)
    if isinstance(subject, InsightsProduct):
        return may_view_product(user, subject)
    if isinstance(subject, Tasking):
        return may_view_tasking(user, subject)
    if isinstance(subject, Target):
        return may_view_subject(user, subject.subject)
    return False


@rules.predicate
def may_change_subject(user, subject) -> bool:
    """Naming targets on a product, tasking or case: whoever may change that record."""
    if isinstance(subject, InsightsProduct):
        return may_view_product(user, subject) and (decision_maker(user) or subject.owner_id == user.pk or may_add_product(user, subject))
    if isinstance(subject, Tasking):
        return may_update_tasking(user, subject)
    if isinstance(subject, Case):
        return works_in_tasking(user) and may_view_case(user, subject) and (decision_maker(user) or subject.owner_id == user.pk)
    return False


@rules.predicate
def is_alert_owner(user, alert) -> bool:
    return alert is not None and user.pk in (alert.owner_a_id, alert.owner_b_id)


attends_tasking = is_administrator | is_programme_manager | is_tc_member

rules.add_perm("tasking.view_tasking", has_role & works_in_tasking)
rules.add_perm("tasking.view_product", may_view_product)
rules.add_perm("tasking.add_product", may_add_product)
rules.add_perm("tasking.compile_report", is_decision_maker)
rules.add_perm("tasking.view_report", may_view_report)
rules.add_perm("tasking.route_report", may_route_report)
rules.add_perm("tasking.add_tasking", may_task)
rules.add_perm("tasking.view_tasking_record", may_view_tasking)
rules.add_perm("tasking.update_tasking", may_update_tasking)
rules.add_perm("tasking.score", attends_tasking & may_view_subject)
rules.add_perm("tasking.change_methodology", is_administrator | is_programme_manager)
rules.add_perm("tasking.name_target", may_change_subject)
rules.add_perm("tasking.acknowledge_alert", is_alert_owner)
rules.add_perm("tasking.view_meeting", may_view_meeting)
rules.add_perm("tasking.minute_meeting", may_minute_meeting)
rules.add_perm("tasking.add_meeting", may_convene)

# The Django admin: administrators keep the forums (and their members) and look at the rest.
for model in ("forum", "riskmethodology", "riskdimension"):
    for verb in ("view", "add", "change", "delete"):
        rules.add_perm(f"tasking.{verb}_{model}", is_administrator)
rules.add_perm("tasking", is_administrator)
