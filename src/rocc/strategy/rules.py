"""The strategy capability's permission rules, built on the foundation's role and scope predicates.

An activity's scope is its plan's unit: the national plan's unit is the national unit, so only the
national office (programme managers and administrators) changes it; a regional coordinator changes
plans of their own districts and areas. Everyone with a role reads.

District plans, barrier escalations and initiatives follow the same rule through their ``scope_unit``:
the national office works on any of them, a regional coordinator on those of their own districts and
areas. Only the centre (programme managers and administrators) responds to an escalated barrier.
"""

from __future__ import annotations

import rules

from rocc.org.rules import has_role, is_administrator, is_programme_manager, is_regional_coordinator, unit_in_scope

rules.add_perm("strategy.view_strategy", has_role)
rules.add_perm("strategy.change_framework", is_administrator | is_programme_manager)
rules.add_perm("strategy.update_activity", is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope))

national_office = is_administrator | is_programme_manager
in_own_region = is_regional_coordinator & unit_in_scope

# District and area plans: the object is a plan, a version or anything with a scope_unit (or the unit itself when creating).
rules.add_perm("strategy.edit_district_plan", national_office | in_own_region)
# Barrier escalation register (action 12): a region raises and escalates; the centre responds and closes.
rules.add_perm("strategy.raise_barrier", national_office | in_own_region)
rules.add_perm("strategy.respond_barrier", national_office)
# Initiative stocktake (action 15).
rules.add_perm("strategy.edit_initiative", national_office | in_own_region)
