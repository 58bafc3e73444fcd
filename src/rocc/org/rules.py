"""Every permission rule of rocc's foundation, as `rules` predicates: roles, scopes and what they allow.

Other capabilities build their own permissions from the predicates here. A permission is checked with
``user.has_perm("<name>", obj)``; the object, when there is one, is an organisational unit, an agency
or a user, or anything with a ``scope_unit`` (a unit) or ``scope_agency`` (an agency) attribute.
"""

from __future__ import annotations

import rules

from rocc.org.models import Agency, OrgUnit, Role
from rocc.org.scope import scope_of


def _role_is(role: str):
    @rules.predicate(name=f"is_{role}")
    def predicate(user) -> bool:
        return scope_of(user).role == role

    return predicate


is_administrator = _role_is(Role.ADMINISTRATOR)
is_programme_manager = _role_is(Role.PROGRAMME_MANAGER)
is_regional_coordinator = _role_is(Role.REGIONAL_COORDINATOR)
is_analyst = _role_is(Role.ANALYST)
is_provider_reporter = _role_is(Role.PROVIDER_REPORTER)
is_tc_member = _role_is(Role.TC_MEMBER)
is_viewer = _role_is(Role.VIEWER)
has_role = rules.predicate(lambda user: scope_of(user).role is not None, name="has_role")


def unit_of(obj) -> OrgUnit | None:
    if isinstance(obj, OrgUnit):
        return obj
    return getattr(obj, "scope_unit", None)


@rules.predicate
def unit_in_scope(user, obj) -> bool:
    """The object's unit is one of the user's units or below one of them."""
    unit = unit_of(obj)
    return unit is not None and scope_of(user).covers(unit.path)


@rules.predicate
def has_national_scope(user) -> bool:
    return scope_of(user).national


@rules.predicate
def agency_is_users(user, obj) -> bool:
    agency_id = obj.pk if isinstance(obj, Agency) else getattr(getattr(obj, "scope_agency", None), "pk", None)
    own = scope_of(user).agency_id
    return own is not None and agency_id == own


@rules.predicate
def is_self(user, obj) -> bool:
    return getattr(obj, "pk", None) == user.pk and obj.__class__ is user.__class__


@rules.predicate
def user_in_scope(user, obj) -> bool:
    """Another user is in scope when every unit they work in lies within the actor's scope."""
    target = scope_of(obj)
    actor = scope_of(user)
    return bool(target.unit_paths) and all(actor.covers(path) for path in target.unit_paths)


# Reference data (agencies, units, populations, the national structure): every signed-in user reads it,
# only administrators change it.
rules.add_perm("org.view_reference", has_role)
rules.add_perm("org.change_reference", is_administrator)

# Users and their roles and scopes.
rules.add_perm("org.manage_users", is_administrator)
rules.add_perm("org.view_user_list", is_administrator | is_programme_manager | is_regional_coordinator)
rules.add_perm(
    "org.view_user",
    is_administrator | is_programme_manager | (is_regional_coordinator & user_in_scope) | (has_role & is_self),
)

# Working on a unit's programme (its plans, initiatives, barriers): the national office anywhere,
# a regional coordinator within their own districts and areas.
rules.add_perm("org.work_in_unit", is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope))

# Unit-level output (counts before disclosure control) for a unit.
rules.add_perm(
    "org.view_unit_level_output",
    (is_administrator | is_programme_manager | is_analyst | is_regional_coordinator | is_tc_member) & unit_in_scope,
)

# Person-level data (victims, offenders) in a unit: analysts within their scope, every look logged.
rules.add_perm("org.view_person_level", is_analyst & unit_in_scope)

# Reporting figures on behalf of an agency (a provider sees and submits its own returns only).
rules.add_perm("org.report_for_agency", (is_provider_reporter & agency_is_users) | is_administrator)

# Tasking & Coordination meetings.
rules.add_perm("org.attend_tasking", is_tc_member | is_programme_manager | is_administrator)

# The Django admin, for reference data and accounts. Administrators are staff but not superusers, so
# that no role can read person-level data by bypassing these rules.
for model in ("agency", "orgunit", "unitalias", "population", "nationalgroup", "profile"):
    for verb in ("view", "add", "change", "delete"):
        rules.add_perm(f"org.{verb}_{model}", is_administrator)
for verb in ("view", "add", "change"):
    rules.add_perm(f"auth.{verb}_user", is_administrator)
rules.add_perm("auth.view_group", is_administrator)
rules.add_perm("axes.view_accessattempt", is_administrator)
rules.add_perm("axes.delete_accessattempt", is_administrator)  # unlocking a locked-out account
rules.add_perm("core.view_apitoken", is_administrator)
rules.add_perm("core.delete_apitoken", is_administrator)
rules.add_perm("audit.view_auditentry", is_administrator)
rules.add_perm("auditlog.view_logentry", is_administrator)
rules.add_perm("org", is_administrator)  # the admin index lists an app when the user has its module permission
rules.add_perm("auth", is_administrator)
rules.add_perm("axes", is_administrator)
rules.add_perm("core", is_administrator)
rules.add_perm("audit", is_administrator)
rules.add_perm("auditlog", is_administrator)

# The audit trail: administrators see all of it and verify it; everyone sees their own entries.
rules.add_perm("audit.view_all_entries", is_administrator)
rules.add_perm("audit.verify_chain", is_administrator)
rules.add_perm("audit.view_own_entries", has_role)
