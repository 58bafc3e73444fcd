"""The maps' permission rules, built on the foundation's predicates.

- Boundaries and the national outline are reference data: every signed-in user with a role reads them; only
  administrators load them (``rocc org boundaries import``).
- What a map draws on top (events, hot cells, places, indicator figures) follows the rules of the capability the data
  comes from: the selectors ask that capability, so a map never shows more than its table would.
"""

from __future__ import annotations

import rules

from rocc.org.rules import has_role, is_administrator

rules.add_perm("maps.view_maps", has_role)
rules.add_perm("maps.import_boundaries", is_administrator)
