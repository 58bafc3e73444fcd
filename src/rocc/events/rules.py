"""The events capability's permission rules, built on the foundation's role and scope predicates.

- Events without persons (date, offence, place, unit) are unit-level data: the roles that may see
  unit-level output read them, each within their own units.
- Importing events (and keeping sources' mappings) is for analysts, within their units, and administrators.
- Person-level data (person keys, who was victimised or offended) is ``org.view_person_level``: analysts
  within their units, every look recorded with its purpose.
- The Victim Focus lookup is a look at person-level data, so it follows the same rule: an analyst looks up
  a person within their own units. Frontline officers reach it through an analyst-role account for their
  district (for example the district's intelligence desk, or an integration acting as one), never with a
  wider scope; each lookup is recorded with its purpose.
"""

from __future__ import annotations

import rules

from rocc.org.rules import (
    is_administrator,
    is_analyst,
    is_programme_manager,
    is_regional_coordinator,
    is_tc_member,
    unit_in_scope,
)
from rocc.org.scope import scope_of


@rules.predicate
def has_units(user) -> bool:
    return bool(scope_of(user).unit_paths)


EVENT_READERS = is_administrator | is_programme_manager | is_analyst | is_regional_coordinator | is_tc_member

rules.add_perm("events.view_events", EVENT_READERS & has_units)
rules.add_perm("events.view_events_in_unit", EVENT_READERS & unit_in_scope)
rules.add_perm("events.import_events", (is_analyst & has_units) | is_administrator)
rules.add_perm("events.victim_focus_lookup", is_analyst & has_units)
rules.add_perm("events.view_sources", EVENT_READERS & has_units)
