"""Reporting periods of governance packs: quarters by default, or any span of whole days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rocc.measures.models import PeriodType
from rocc.measures.periods import add_months, month_end, period_label


@dataclass(frozen=True)
class PackPeriod:
    start: dt.date
    end: dt.date

    @property
    def is_quarter(self) -> bool:
        return self.start.day == 1 and self.start.month % 3 == 1 and self.end == month_end(add_months(self.start, 2))

    @property
    def key(self) -> str:
        if self.is_quarter:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.is_quarter:
            return period_label(PeriodType.QUARTER, self.start, self.end)
        return f"{self.start.day} {self.start:%b %Y} – {self.end.day} {self.end:%b %Y}"


def quarter_of(day: dt.date) -> PackPeriod:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return PackPeriod(start, month_end(add_months(start, 2)))


def last_complete_quarter(today: dt.date) -> PackPeriod:
    """The default period: the quarter before the one ``today`` falls in."""
    return quarter_of(quarter_of(today).start - dt.timedelta(days=1))


def recent_quarters(today: dt.date, count: int = 8) -> list[PackPeriod]:
    """The quarter in progress and the ``count - 1`` before it, newest first (for choosing one)."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarter_of(quarters[-1].start - dt.timedelta(days=1)))
    return quarters


def parse_quarter(key: str) -> PackPeriod | None:
    """'2026-Q3' → that quarter; None when the key is not a quarter."""
    year, _, quarter = key.partition("-Q")
    if not (year.isdigit() and quarter in {"1", "2", "3", "4"}):
        return None
    return quarter_of(dt.date(int(year), 3 * int(quarter) - 2, 1))
