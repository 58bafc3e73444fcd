"""The analyses capability's permission rules, built on the foundation's role and scope predicates.

Analysts run analyses and save them in a unit of their scope. Everyone else with a working role reads the
saved analyses of their scope that name no persons; a saved analysis that holds person-level data (a list
of victims, a network's members) opens only for those who may see person-level data in its unit (analysts
in scope), and every such look is recorded with its purpose. Provider reporters see their own agency's
returns only (DESIGN.md), so crime analyses are not theirs to read.
"""

from __future__ import annotations

import rules

from rocc.org.rules import has_role, is_analyst, is_provider_reporter, unit_in_scope


@rules.predicate
def holds_person_level(user, obj) -> bool:
    return bool(getattr(obj, "holds_person_level", False))


may_read_analyses = has_role & ~is_provider_reporter

rules.add_perm("analyses.view_analyses", may_read_analyses)
rules.add_perm("analyses.run_analyses", is_analyst)
# The object is the unit the analysis is for, or a run/saved analysis (anything with ``scope_unit``).
rules.add_perm("analyses.save_analysis", is_analyst & unit_in_scope)
rules.add_perm(
    "analyses.view_saved_analysis",
    may_read_analyses & unit_in_scope & (~holds_person_level | is_analyst),
)
rules.add_perm("analyses.link_persons", is_analyst & unit_in_scope)
