"""The strategy capability's permission rules, built on the foundation's role and scope predicates.

An activity's scope is its plan's unit: the national plan's unit is the national unit, so only the
national office (programme managers and administrators) changes it; a regional coordinator changes
plans of their own districts and areas. Everyone with a role reads.
"""

from __future__ import annotations

import rules

from rocc.org.rules import has_role, is_administrator, is_programme_manager, is_regional_coordinator, unit_in_scope

rules.add_perm("strategy.view_strategy", has_role)
rules.add_perm("strategy.change_framework", is_administrator | is_programme_manager)
rules.add_perm("strategy.update_activity", is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope))
