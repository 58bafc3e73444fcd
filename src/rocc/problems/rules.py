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


@rules.predicate
def is_case_owner(user, case) -> bool:
    return case is not None and getattr(case, "owner_id", None) == user.pk


@rules.predicate
def agency_is_case_partner(user, case) -> bool:
    agency_id = scope_of(user).agency_id
    partners = getattr(case, "partner_agencies", None)
    return agency_id is not None and partners is not None and partners.filter(pk=agency_id).exists()


rules.add_perm(
    "problems.view_case",
    (has_role & ~is_provider_reporter & unit_in_scope) | (is_provider_reporter & agency_is_case_partner),
)
rules.add_perm("problems.view_library", has_role & ~is_provider_reporter)
rules.add_perm(
    "problems.open_case",
    is_administrator | is_programme_manager | ((is_regional_coordinator | is_analyst) & unit_in_scope),
)
rules.add_perm(
    "problems.work_on_case",
    is_administrator
    | is_programme_manager
    | ((is_regional_coordinator | is_analyst) & unit_in_scope)
    | (has_role & ~is_provider_reporter & is_case_owner),
)
rules.add_perm("problems.manage_questions", is_administrator)
# The Django admin shows the question banks (read-only history) to administrators.
rules.add_perm("problems", is_administrator)
rules.add_perm("problems.view_questionbank", is_administrator)
rules.add_perm("problems.view_question", is_administrator)
