"""Populations held in memory for one computation, and the lookup every rate uses: a unit's own row for the
period, or the sum of its children's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from rocc.org.models import OrgUnit, Population


@dataclass
class PopulationTable:
    """Populations held in memory for one computation: by unit path and (age band, sex, ethnicity), each a list of
    (start, end, value, is_approximate). A unit with no rows of its own takes the sum of its children."""

    rows: dict[tuple[str, str, str, str], list[tuple[dt.date, dt.date, int, bool]]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, unit_paths: list[str] | None = None) -> PopulationTable:
        rows: dict = defaultdict(list)
        qs = Population.objects.select_related("unit").only(
            "unit__path", "period_start", "period_end", "age_band", "sex", "ethnicity", "value", "is_approximate"
        )
        for p in qs:
            rows[(p.unit.path, p.age_band, p.sex, p.ethnicity)].append((p.period_start, p.period_end, p.value, p.is_approximate))
        for key in rows:
            rows[key].sort()
        children: dict = defaultdict(list)
        for path, parent_path in OrgUnit.objects.filter(parent__isnull=False).values_list("path", "parent__path"):
            children[parent_path].append(path)
        return cls(rows=dict(rows), children=dict(children))

    def value(self, unit_path: str, day: dt.date, age_band: str = "", sex: str = "", ethnicity: str = "") -> tuple[float | None, bool]:
        own = self.rows.get((unit_path, age_band, sex, ethnicity))
        if own:
            containing = [r for r in own if r[0] <= day <= r[1]]
            if containing:
                row = containing[0]
            else:
                row = min(own, key=lambda r: min(abs((r[0] - day).days), abs((r[1] - day).days)))
            return float(row[2]), row[3]
        kids = self.children.get(unit_path, [])
        if not kids:
            return None, False
        total, approximate = 0.0, False
        for child in kids:
            value, approx = self.value(child, day, age_band, sex, ethnicity)
            if value is None:
                return None, False
            total += value
            approximate = approximate or approx
        return total, approximate
