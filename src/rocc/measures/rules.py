"""The measures capability's permission rules, built on the foundation's role and scope predicates.

Every role reads indicator definitions, series and scorecards (counts pass through disclosure control unless the
user may see unit-level output for the unit). The national office changes definitions, baselines and targets; a
regional coordinator edits the turn-the-curve narrative of the units they work in; analysts record and import figures
for their units. Whether an indicator is a district's own (its ``owner_unit``) is set by those who change definitions,
within their scope: the object is the unit the indicator belongs to (the national unit for a national indicator),
asked of the unit it belongs to now and of the one it moves to.
"""

from __future__ import annotations

import rules

from rocc.org.rules import (
    has_role,
    is_administrator,
    is_analyst,
    is_programme_manager,
    is_regional_coordinator,
    unit_in_scope,
)

rules.add_perm("measures.view_measures", has_role)
rules.add_perm("measures.change_definition", is_administrator | is_programme_manager)
rules.add_perm("measures.set_indicator_owner", (is_administrator | is_programme_manager) & unit_in_scope)
rules.add_perm("measures.set_target", is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope))
rules.add_perm("measures.edit_narrative", is_administrator | is_programme_manager | (is_regional_coordinator & unit_in_scope))
rules.add_perm("measures.record_observation", is_administrator | is_programme_manager | (is_analyst & unit_in_scope))
rules.add_perm("measures.import_populations", is_administrator | is_analyst)
rules.add_perm("measures.recompute_statuses", is_administrator | is_programme_manager | is_analyst)
