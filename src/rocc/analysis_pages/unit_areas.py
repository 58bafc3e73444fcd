"""The areas of a spatial autocorrelation over units with boundaries: the boundaries of one level's units within the
run's unit and the user's scope, read through the maps capability's selector (reference data, in NZTM2000 like the
event store's coordinates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely

from rocc.analysis.errors import AnalysisInputError
from rocc.maps.selectors import boundaries_for
from rocc.org.models import OrgUnit, UnitLevel
from rocc.org.scope import scope_of


@dataclass(frozen=True)
class UnitAreas:
    """Units of one level with their NZTM boundaries (code order), and how many units of that level had none."""

    level: str
    within: str
    codes: list[str]
    names: list[str]
    geometries: list[Any] = field(repr=False)
    without_boundary: int = 0


def unit_areas(*, user, level: str, within: OrgUnit) -> UnitAreas:
    """The ``level`` units (district, area) with a boundary that lie within ``within`` and the user's scope. A unit
    of that level without a loaded boundary is not an area: how many there are is kept for the result's notes.
    Raises AnalysisInputError (naming the level and unit) when there are fewer than four areas to compare."""
    if level not in UnitLevel.values or level == UnitLevel.NATIONAL:
        raise AnalysisInputError(f"areas are the units of one level below national (district or area), not {level!r}")
    scope = scope_of(user)
    boundaries = scope.filter(boundaries_for(user=user, level=level), field="unit").filter(unit__path__startswith=within.path)
    rows = list(boundaries.order_by("unit__code").values_list("unit__code", "unit__name", "nztm_wkb"))
    units = scope.filter(OrgUnit.objects.filter(level=level, path__startswith=within.path), field=None)
    without = units.count() - len(rows)
    level_name = UnitLevel(level).label.lower()
    if len(rows) < 4:
        raise AnalysisInputError(
            f"{within.name} has {len(rows)} {level_name} unit{'s' if len(rows) != 1 else ''} with a boundary in your scope: "
            "comparing neighbours needs at least 4; choose a larger unit, a deeper level or grid cells"
        )
    return UnitAreas(
        level=level,
        within=within.code,
        codes=[code for code, _, _ in rows],
        names=[name for _, name, _ in rows],
        geometries=[shapely.from_wkb(bytes(wkb)) for _, _, wkb in rows],
        without_boundary=max(without, 0),
    )
