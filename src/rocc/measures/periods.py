"""Reporting periods: months, quarters, calendar years, rolling years ended any month and July–June years."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from rocc.measures.models import PeriodType


class PeriodError(ValueError):
    """A period that is not a whole period of the stated type."""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@lru_cache(maxsize=8192)
def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_end(day: dt.date) -> dt.date:
    return _month_end(day.year, day.month)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    return _first_of(day.year * 12 + (day.month - 1) + months)


@lru_cache(maxsize=8192)
def _first_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    """How many whole calendar months from the month of ``start`` to the month of ``end``, inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    period_type: str

    @property
    def label(self) -> str:
        return period_label(self.period_type, self.start, self.end)

    @property
    def key(self) -> str:
        """A short machine-readable key: 2016-06 (month), 2016-Q2, 2016, YE2016-06, 2015/16."""
        if self.period_type == PeriodType.MONTH:
            return f"{self.start:%Y-%m}"
        if self.period_type == PeriodType.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.period_type == PeriodType.CALENDAR_YEAR:
            return f"{self.start.year}"
        if self.period_type == PeriodType.JULY_JUNE:
            return f"{self.start.year}/{str(self.end.year)[-2:]}"
        return f"YE{self.end:%Y-%m}"


def period_label(period_type: str, start: dt.date, end: dt.date) -> str:
    if period_type == PeriodType.MONTH:
        return f"{calendar.month_abbr[start.month]} {start.year}"
    if period_type == PeriodType.QUARTER:
        return f"{calendar.month_abbr[start.month]}–{calendar.month_abbr[end.month]} {end.year}"
    if period_type == PeriodType.CALENDAR_YEAR:
        return str(start.year)
    if period_type == PeriodType.JULY_JUNE:
        return f"July {start.year}–June {end.year}"
    return f"Year ended {calendar.month_name[end.month]} {end.year}"


def period_check(period_type: str, start: dt.date, end: dt.date, *, year_end_month: int | None = None) -> Period:
    """Check that start–end is one whole period of ``period_type``; raise PeriodError saying what was expected."""
    if period_type not in PeriodType.values:
        raise PeriodError(f"Unknown period type {period_type!r}; expected one of {', '.join(PeriodType.values)}.")
    if end < start:
        raise PeriodError(f"The period ends ({end}) before it starts ({start}).")
    if start.day != 1 or end != month_end(end):
        raise PeriodError(f"A {PeriodType(period_type).label.lower()} runs from the first of a month to the last day of a month; got {start} to {end}.")
    months = months_between(start, end)
    expected = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3}.get(period_type, 12)
    if months != expected:
        raise PeriodError(f"A {PeriodType(period_type).label.lower()} covers {expected} month{'s' if expected > 1 else ''}; {start} to {end} covers {months}.")
    if period_type == PeriodType.QUARTER and start.month not in (1, 4, 7, 10):
        raise PeriodError(f"A quarter starts in January, April, July or October; got {start}.")
    if period_type == PeriodType.CALENDAR_YEAR and start.month != 1:
        raise PeriodError(f"A calendar year starts on 1 January; got {start}.")
    if period_type == PeriodType.JULY_JUNE and start.month != 7:
        raise PeriodError(f"A July–June year starts on 1 July; got {start}.")
    if period_type == PeriodType.YEAR_ENDED and year_end_month and end.month != year_end_month:
        raise PeriodError(f"This indicator's years end in {calendar.month_name[year_end_month]}; got a year ending {end}.")
    return Period(start, end, period_type)


def period_containing(period_type: str, day: dt.date, *, year_end_month: int | None = None) -> Period:
    """The period of ``period_type`` that contains ``day``; for rolling years, the year ended at the end of ``day``'s month
    (or, with ``year_end_month``, the next such month end)."""
    if period_type == PeriodType.MONTH:
        start = month_start(day)
        return Period(start, month_end(start), period_type)
    if period_type == PeriodType.QUARTER:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(start, month_end(add_months(start, 2)), period_type)
    if period_type == PeriodType.CALENDAR_YEAR:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), period_type)
    if period_type == PeriodType.JULY_JUNE:
        year = day.year if day.month >= 7 else day.year - 1
        return Period(dt.date(year, 7, 1), dt.date(year + 1, 6, 30), period_type)
    end_month = month_start(day)
    if year_end_month:
        while end_month.month != year_end_month:
            end_month = add_months(end_month, 1)
    return Period(add_months(end_month, -11), month_end(end_month), period_type)


def periods_between(period_type: str, first: dt.date, last: dt.date, *, year_end_month: int | None = None) -> list[Period]:
    """Every period of ``period_type`` ending between ``first`` and ``last`` (inclusive), in order. Rolling years step
    by one month (or by a year when the indicator names its year-end month)."""
    out: list[Period] = []
    step = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.CALENDAR_YEAR: 12, PeriodType.JULY_JUNE: 12}.get(period_type)
    if period_type == PeriodType.YEAR_ENDED:
        step = 12 if year_end_month else 1
    period = period_containing(period_type, first, year_end_month=year_end_month)
    if period.end < first:
        period = period_containing(period_type, add_months(period.end, 1), year_end_month=year_end_month)
    while period.end <= last:
        out.append(period)
        next_end = add_months(month_start(period.end), step)
        start = add_months(next_end, -(months_between(period.start, period.end) - 1))
        period = Period(start, month_end(next_end), period_type)
    return out


def period_parse(text: str, period_type: str | None = None) -> Period:
    """Read a period key as written by :attr:`Period.key` (2016-06, 2016-Q2, 2016, YE2016-06, 2015/16)."""
    raw = text.strip()
    try:
        if raw.upper().startswith("YE"):
            end = dt.datetime.strptime(raw[2:].strip(" -"), "%Y-%m").date()
            return Period(add_months(end, -11), month_end(end), PeriodType.YEAR_ENDED)
        if "/" in raw:
            year = int(raw.split("/")[0])
            return Period(dt.date(year, 7, 1), dt.date(year + 1, 6, 30), PeriodType.JULY_JUNE)
        if "-Q" in raw.upper():
            year, quarter = raw.upper().split("-Q")
            start = dt.date(int(year), (int(quarter) - 1) * 3 + 1, 1)
            if not 1 <= int(quarter) <= 4:
                raise ValueError
            return Period(start, month_end(add_months(start, 2)), PeriodType.QUARTER)
        if len(raw) == 4:
            year = int(raw)
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), PeriodType.CALENDAR_YEAR)
        start = dt.datetime.strptime(raw, "%Y-%m").date()
        return Period(start, month_end(start), PeriodType.MONTH)
    except ValueError:
        raise PeriodError(f"{text!r} is not a period; expected 2016-06, 2016-Q2, 2016, YE2016-06 or 2015/16.") from None


# How many periods of each type a trend looks back over.
TREND_PERIODS = {PeriodType.MONTH: 24, PeriodType.QUARTER: 12, PeriodType.CALENDAR_YEAR: 6, PeriodType.JULY_JUNE: 6, PeriodType.YEAR_ENDED: 6}
