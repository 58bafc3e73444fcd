"""Building an indicator's series for a unit: parents from summed numerators and denominators, longer periods from
summed months, and values as reported or restated under the current definition."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rocc.measures.models import DenominatorKind, Indicator, IndicatorVersion, Observation, PeriodType, SourceKind
from rocc.measures.periods import TREND_PERIODS, Period, add_months, month_end, months_between, periods_between
from rocc.measures.populations import PopulationTable
from rocc.measures.rates import disaggregation_cell, rate_value
from rocc.org.models import OrgUnit

# When a cell has figures from more than one source, the one nearest the data wins.
SOURCE_PREFERENCE = {SourceKind.RETURN: 0, SourceKind.IMPORT: 1, SourceKind.COMPUTED: 2, SourceKind.REPORTED: 3}
MONTHS_IN = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.CALENDAR_YEAR: 12, PeriodType.JULY_JUNE: 12, PeriodType.YEAR_ENDED: 12}


@dataclass(frozen=True)
class Point:
    period: Period
    numerator: float | None
    denominator: float | None
    value: float | None
    is_approximate: bool = False
    source: str = ""
    version: int | None = None
    note: str = ""
    # Disclosure control withheld this point's count (and so its value): it has a figure, not shown.
    suppressed: bool = False

    def to_dict(self) -> dict:
        return {
            "period": self.period.key,
            "label": self.period.label,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "is_approximate": self.is_approximate,
            "source": self.source,
            "version": self.version,
            "note": self.note,
            "suppressed": self.suppressed,
        }


@dataclass
class Series:
    indicator: Indicator
    unit: OrgUnit
    period_type: str
    version: IndicatorVersion
    as_reported: bool
    disaggregation: str
    points: list[Point] = field(default_factory=list)
    disclosure_applied: bool = False

    @property
    def latest(self) -> Point | None:
        """The last point with a figure; a suppressed one counts, so that a status never falls back to an older
        period and reveals that the newest one was small."""
        for point in reversed(self.points):
            if point.value is not None or point.suppressed:
                return point
        return None

    @property
    def is_approximate(self) -> bool:
        return any(p.is_approximate for p in self.points)

    def at(self, period_end: dt.date) -> Point | None:
        for point in self.points:
            if point.period.end == period_end:
                return point
        return None


@dataclass(frozen=True)
class _Cell:
    numerator: float | None
    denominator: float | None
    value: float | None
    approximate: bool
    source: str
    version_id: int | None
    own: bool  # an observation of this exact cell, not built from parts
    note: str = ""


class IndicatorData:
    """Everything needed to build any series of one indicator, loaded in a few queries: its versions, every
    observation (all units, all period types, all disaggregations), the unit tree and the populations."""

    def __init__(
        self, indicator: Indicator, *, populations: PopulationTable | None = None, units: dict | None = None, denominator_data: IndicatorData | None = None
    ):
        self.indicator = indicator
        self.versions = sorted(indicator.versions.all(), key=lambda v: v.effective_from)
        if not self.versions:
            raise ValueError(f"Indicator {indicator.code} has no definition.")
        self.current = self.versions[-1]
        self.versions_by_id = {v.pk: v for v in self.versions}
        self.populations = populations or PopulationTable.load()
        if units is None:
            units = {u.path: u for u in OrgUnit.objects.all()}
        self.units_by_path = units
        self.children: dict[str, list[str]] = defaultdict(list)
        for path, unit in units.items():
            if unit.parent_id is not None:
                self.children[path.rsplit("/", 2)[0] + "/"].append(path)
        self._denominator_data = denominator_data
        self._memo: dict[bool, dict] = {}
        self._periods: dict[tuple, list[Period]] = {}
        rows = Observation.objects.filter(indicator=indicator).values_list(
            "unit__path",
            "period_type",
            "period_start",
            "period_end",
            "disaggregation_key",
            "numerator",
            "denominator",
            "value",
            "is_approximate",
            "source",
            "version_id",
        )
        # (path, key, period_type) -> {(start, end): row}; within a cell, the preferred source wins.
        self.cells: dict[tuple[str, str, str], dict[tuple[dt.date, dt.date], tuple]] = defaultdict(dict)
        self.paths_with_data: dict[str, set[str]] = defaultdict(set)  # key -> unit paths with any data (and their ancestors)
        for row in rows:
            path, ptype, start, end, key = row[:5]
            bucket = self.cells[(path, key, ptype)]
            existing = bucket.get((start, end))
            if existing is None or SOURCE_PREFERENCE[row[9]] < SOURCE_PREFERENCE[existing[9]]:
                bucket[(start, end)] = row
            self.paths_with_data[key].add(path)
        for paths in self.paths_with_data.values():
            for path in list(paths):
                parts = path.strip("/").split("/")
                for i in range(1, len(parts)):
                    paths.add("/" + "/".join(parts[:i]) + "/")

    # -- definitions --------------------------------------------------------------------------------------------
    def version_at(self, day: dt.date) -> IndicatorVersion:
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from <= day:
                chosen = version
        return chosen

    def disaggregation_keys(self) -> list[str]:
        return sorted(self.paths_with_data)

    # -- series -------------------------------------------------------------------------------------------------
    def series(
        self,
        unit: OrgUnit,
        *,
        period_type: str | None = None,
        as_reported: bool = False,
        disaggregation: str = "",
        for_status: bool = False,
        baseline_end: dt.date | None = None,
        as_at: dt.date | None = None,
    ) -> Series:
        """The series of ``unit``. With ``for_status``, only the points a status needs are built (the latest with a
        value, the one before it, the trend window and the baseline period), which is what recomputing every
        scorecard cell needs; the page and exports build every point. ``as_at`` leaves out every period ending after
        it, so a status is the one the series had at that date (on the figures held today)."""
        period_type = period_type or self.current.period_type
        year_end_month = self.current.year_end_month if period_type == self.current.period_type else None
        # Cells are shared between the series of one indicator: a district's months built for the national series
        # are not built again for the district's own.
        memo = self._memo.setdefault(as_reported, {})
        span = self._span(unit.path, disaggregation)
        points: list[Point] = []
        if span is not None:
            first, last = span
            periods_key = (period_type, first, last, year_end_month)
            if periods_key not in self._periods:
                self._periods[periods_key] = periods_between(period_type, first, last, year_end_month=year_end_month)
            periods = self._periods[periods_key]
            if as_at is not None:
                periods = [p for p in periods if p.end <= as_at]
            if for_status:
                points = self._status_points(unit.path, periods, period_type, disaggregation, as_reported, memo, baseline_end)
            else:
                for period in periods:
                    cell = self._cell(unit.path, period, disaggregation, as_reported, memo)
                    points.append(self._point(period, cell, as_reported))
                while points and points[0].value is None and points[0].numerator is None:
                    points.pop(0)
        return Series(
            indicator=self.indicator,
            unit=unit,
            period_type=period_type,
            version=self.current,
            as_reported=as_reported,
            disaggregation=disaggregation,
            points=points,
        )

    def _status_points(self, path, periods, period_type, key, as_reported, memo, baseline_end) -> list[Point]:

        def point(i):
            return self._point(periods[i], self._cell(path, periods[i], key, as_reported, memo), as_reported)

        chosen: dict[int, Point] = {}
        latest = None
        for i in range(len(periods) - 1, -1, -1):
            chosen[i] = point(i)
            if chosen[i].value is not None:
                latest = i
                break
        if latest is not None:
            window = TREND_PERIODS.get(period_type, 6)
            step = 12 if period_type == PeriodType.YEAR_ENDED and not self.current.year_end_month else 1
            wanted = {latest - 1} | {latest - step * k for k in range(window)}
            if baseline_end is not None:
                wanted |= {i for i, p in enumerate(periods) if p.end == baseline_end}
            for i in wanted:
                if 0 <= i < len(periods) and i not in chosen:
                    chosen[i] = point(i)
        return [chosen[i] for i in sorted(chosen)]

    def _span(self, path: str, key: str) -> tuple[dt.date, dt.date] | None:
        first = last = None
        for (p, k, _ptype), bucket in self.cells.items():
            if k != key or not p.startswith(path) or not bucket:
                continue
            starts = min(s for s, _ in bucket)
            ends = max(e for _, e in bucket)
            first = starts if first is None or starts < first else first
            last = ends if last is None or ends > last else last
        return (first, last) if first is not None else None

    def _point(self, period: Period, cell: _Cell | None, as_reported: bool) -> Point:
        if cell is None:
            return Point(period, None, None, None)
        version = self.versions_by_id.get(cell.version_id) if cell.version_id else None
        note = cell.note
        if not note and not as_reported and version is not None and version.pk != self.current.pk:
            if _numerator_spec(version) != _numerator_spec(self.current):
                note = f"numerator counted under definition v{version.number}"
            if cell.numerator is None:
                note = f"published figure under definition v{version.number}; not restated"
        return Point(period, cell.numerator, cell.denominator, cell.value, cell.approximate, cell.source, version.number if version else None, note)

    def _cell(self, path: str, period: Period, key: str, as_reported: bool, memo: dict) -> _Cell | None:
        memo_key = (path, period, key)
        if memo_key in memo:
            return memo[memo_key]
        cell = self._own(path, period, key, as_reported)
        if cell is None and period.period_type != PeriodType.MONTH:
            cell = self._from_months(path, period, key, as_reported, memo)
        if cell is None:
            cell = self._from_children(path, period, key, as_reported, memo)
        memo[memo_key] = cell
        return cell

    def _own(self, path: str, period: Period, key: str, as_reported: bool) -> _Cell | None:
        bucket = self.cells.get((path, key, period.period_type))
        row = bucket.get((period.start, period.end)) if bucket else None
        if row is None and period.period_type in (PeriodType.CALENDAR_YEAR, PeriodType.JULY_JUNE, PeriodType.YEAR_ENDED):
            # A 12-month period is the same twelve months whatever it is called.
            for other in (PeriodType.CALENDAR_YEAR, PeriodType.JULY_JUNE, PeriodType.YEAR_ENDED):
                bucket = self.cells.get((path, key, other))
                row = bucket.get((period.start, period.end)) if bucket else None
                if row is not None:
                    break
        if row is None:
            return None
        numerator, denominator, value, approximate, source, version_id = row[5], row[6], row[7], row[8], row[9], row[10]
        version = self.versions_by_id[version_id]
        if as_reported:
            if value is None and numerator is not None:
                value = rate_value(numerator, denominator, version.factor) if version.is_rate else numerator
            return _Cell(numerator, denominator, value, approximate, source, version_id, True)
        current = self.current
        if numerator is None:  # a published value with no count behind it cannot be restated
            return _Cell(None, denominator, value, approximate, source, version_id, True)
        if not current.is_rate:
            return _Cell(numerator, None, numerator, approximate, source, version_id, True)
        same_denominator = (
            version.denominator_kind == current.denominator_kind
            and version.denominator_population_filter == current.denominator_population_filter
            and version.denominator_indicator_id == current.denominator_indicator_id
        )
        if not (same_denominator and denominator is not None):
            restated_denominator, approx = self._denominator(path, period, key, parts=None)
            if restated_denominator is None:
                reported = rate_value(numerator, denominator, version.factor) if value is None else value
                return _Cell(
                    numerator,
                    denominator,
                    reported,
                    approximate,
                    source,
                    version_id,
                    True,
                    f"shown as reported under definition v{version.number}: no denominator under the current definition",
                )
            denominator, approximate = restated_denominator, approximate or approx
        return _Cell(numerator, denominator, rate_value(numerator, denominator, current.factor), approximate, source, version_id, True)

    def _denominator(self, path: str, period: Period, key: str, parts: list[_Cell] | None) -> tuple[float | None, bool]:
        version = self.current
        if version.denominator_kind == DenominatorKind.POPULATION:
            wanted = dict(version.denominator_population_filter or {})
            wanted.update({k: v for k, v in disaggregation_cell(key).items() if k in ("age_band", "sex", "ethnicity")})
            midpoint = period.start + (period.end - period.start) / 2
            value, approx = self.populations.value(path, midpoint, wanted.get("age_band", ""), wanted.get("sex", ""), wanted.get("ethnicity", ""))
            if value is None and parts and all(p.denominator is not None for p in parts):
                # No population on file: the period's population is the average of its parts' (a stock, not a flow).
                return sum(p.denominator for p in parts) / len(parts), any(p.approximate for p in parts)
            return value, approx
        if version.denominator_kind == DenominatorKind.SERIES:
            if parts is not None:
                return (sum(p.denominator for p in parts), False) if all(p.denominator is not None for p in parts) else (None, False)
            other = self._denominator_series_data()
            if other is None:
                return None, False
            cell = other._cell(path, period, key, False, {})
            return (cell.numerator, cell.approximate) if cell is not None else (None, False)
        return None, False

    def _denominator_series_data(self) -> IndicatorData | None:
        if self._denominator_data is None and self.current.denominator_indicator_id:
            self._denominator_data = IndicatorData(self.current.denominator_indicator, populations=self.populations, units=self.units_by_path)
        return self._denominator_data

    def _combine(self, path: str, period: Period, key: str, parts: list[_Cell], *, across_units: bool, as_reported: bool) -> _Cell | None:
        if any(p is None or p.numerator is None for p in parts) or not parts:
            return None  # a missing part makes the whole missing, never smaller
        version = self.version_at(period.end) if as_reported else self.current
        numerator = sum(p.numerator for p in parts)
        approximate = any(p.approximate for p in parts)
        denominator = None
        if version.is_rate:
            if across_units or version.denominator_kind == DenominatorKind.SERIES:
                denominator = sum(p.denominator for p in parts) if all(p.denominator is not None for p in parts) else None
            else:
                denominator, approx = self._denominator(path, period, key, parts)
                approximate = approximate or approx
            value = rate_value(numerator, denominator, version.factor)
        else:
            value = numerator
        versions = {p.version_id for p in parts}
        return _Cell(numerator, denominator, value, approximate, SourceKind.COMPUTED, versions.pop() if len(versions) == 1 else version.pk, False)

    def _from_months(self, path: str, period: Period, key: str, as_reported: bool, memo: dict) -> _Cell | None:
        months = months_between(period.start, period.end)
        # Prefer quarters when a 12-month period is made of whole quarters that are on file.
        parts: list[_Cell | None] = []
        for i in range(months):
            parts.append(self._cell(path, _month_period(add_months(period.start, i)), key, as_reported, memo))
        if all(p is not None for p in parts):
            return self._combine(path, period, key, parts, across_units=False, as_reported=as_reported)
        if months == 12 and period.start.month in (1, 4, 7, 10):
            quarters = []
            for i in range(0, 12, 3):
                start = add_months(period.start, i)
                quarters.append(self._own(path, Period(start, month_end(add_months(start, 2)), PeriodType.QUARTER), key, as_reported))
            if all(q is not None for q in quarters):
                return self._combine(path, period, key, quarters, across_units=False, as_reported=as_reported)
        return None

    def _from_children(self, path: str, period: Period, key: str, as_reported: bool, memo: dict) -> _Cell | None:
        taking_part = self.paths_with_data.get(key, set())
        children = [c for c in self.children.get(path, []) if c in taking_part]
        if not children:
            return None
        parts = [self._cell(child, period, key, as_reported, memo) for child in children]
        return self._combine(path, period, key, parts, across_units=True, as_reported=as_reported)


@lru_cache(maxsize=4096)
def _month_period(start: dt.date) -> Period:
    return Period(start, month_end(start), PeriodType.MONTH)


def _numerator_spec(version: IndicatorVersion) -> tuple:
    return (version.numerator_label, version.numerator_source, version.numerator_event_measure, repr(sorted((version.numerator_event_filters or {}).items())))


def series_build(*, indicator: Indicator, unit: OrgUnit, period_type: str | None = None, as_reported: bool = False, disaggregation: str = "") -> Series:
    """One series, loading what it needs (for many series of one indicator, build an IndicatorData once)."""
    return IndicatorData(indicator).series(unit, period_type=period_type, as_reported=as_reported, disaggregation=disaggregation)
