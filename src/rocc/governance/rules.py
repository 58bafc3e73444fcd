"""Who may generate and download governance report packs.

The national office (programme managers and administrators) makes packs for the whole programme or for any region
(district); a regional coordinator makes them only for a region in their own scope, so a coordinator's pack holds that
region's figures alone. A pack is read and downloaded by the same people who may make one for its unit: the national
office any pack, a coordinator the packs of their own regions (whoever made them). Other roles have no packs.
"""

from __future__ import annotations

import rules

from rocc.org.models import UnitLevel
from rocc.org.rules import is_administrator, is_programme_manager, is_regional_coordinator, unit_in_scope, unit_of

national_office = is_administrator | is_programme_manager


@rules.predicate
def unit_takes_a_pack(user, obj) -> bool:
    """Packs are made for the national programme or for one region (a district), not for an area."""
    unit = unit_of(obj)
    return unit is not None and unit.level in (UnitLevel.NATIONAL, UnitLevel.DISTRICT)


@rules.predicate
def unit_is_a_region(user, obj) -> bool:
    unit = unit_of(obj)
    return unit is not None and unit.level == UnitLevel.DISTRICT


own_region = is_regional_coordinator & unit_in_scope & unit_is_a_region

# The packs page (and the choice of units on it).
rules.add_perm("governance.view_packs", national_office | is_regional_coordinator)
# The object is the unit the pack is for.
rules.add_perm("governance.generate_pack", unit_takes_a_pack & (national_office | own_region))
# The object is the pack.
rules.add_perm("governance.download_pack", national_office | own_region)
