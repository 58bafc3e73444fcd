"""Indicator numerators computed from the event store: counts of events, victims or offenders by unit, period
and disaggregation, as Ibis expressions that run unchanged on DuckDB (the default, over the Parquet store),
PostgreSQL or Spark.

Periods are built from whole months, numbered ``year × 12 + month − 1`` so that every backend does the same
integer arithmetic. A period gets a value only when every month in it lies inside the data's coverage (the
``date_from``–``date_to`` asked for, else the first to the last month with events): a month without events
inside the coverage counts 0, a month outside it is missing and the period has no value. A rolling "year
ended" total is the sum of its 12 months for events; victims and offenders are counted once each over the
12 months, not once per month, by a sweep over each person's months (window functions, no copy of a
person-month per year-end it falls in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rocc.events import store
from rocc.events.offences import anzsoc, offence_codes_selection
from rocc.events.store import EVENTS_TABLE, PERSONS_TABLE

COUNTS = ("events", "victims", "offenders")
PERIOD_TYPES = ("month", "quarter", "calendar_year", "year_ended", "july_june")
LEVELS = {"district": "district_code", "area": "area_code"}
DISAGGREGATIONS = ("offence_division", "offence_code")

if TYPE_CHECKING:
    import pandas as pd


def _month_number(value: dt.date) -> int:
    return value.year * 12 + value.month - 1


def _month_start(number: int) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, 1)


def _month_end(number: int) -> dt.date:
    return _month_start(number + 1) - dt.timedelta(days=1)


def _period_months(period_type: str, year_end_month: int | None) -> tuple[int, int | None]:
    """(length in months, the month number mod 12 a period starts on; None = any month, i.e. rolling)."""
    if period_type == "month":
        return 1, None
    if period_type == "quarter":
        return 3, 0  # January, April, July, October
    if period_type == "calendar_year":
        return 12, 0
    if period_type == "july_june":
        return 12, 6
    if year_end_month is None:
        return 12, None  # rolling: a year ended every month
    return 12, year_end_month % 12  # a year ended June starts in July (month number 6)


def _check(count, period_type, year_end_month, level, disaggregate_by) -> None:
    if count not in COUNTS:
        raise ValueError(f"count: expected one of {', '.join(COUNTS)}, found {count!r}")
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"period_type: expected one of {', '.join(PERIOD_TYPES)}, found {period_type!r}")
    if year_end_month is not None and (period_type != "year_ended" or not 1 <= int(year_end_month) <= 12):
        raise ValueError("year_end_month: a month 1–12, and only with period_type='year_ended'")
    if level not in LEVELS:
        raise ValueError(f"level: expected district or area, found {level!r}")
    unknown = [d for d in disaggregate_by if d not in DISAGGREGATIONS]
    if unknown:
        raise ValueError(f"disaggregate_by: {unknown[0]!r} is not one of {', '.join(DISAGGREGATIONS)}")


def numerator_expression(
    table,
    *,
    count: str,
    period_type: str,
    year_end_month: int | None,
    level: str,
    offence_divisions: Sequence[str] | None,
    offence_codes: Sequence[str] | None,
    disaggregate_by: Sequence[str],
    date_from: dt.date | None,
    date_to: dt.date | None,
):
    """The Ibis expression: the counts per unit, period start (month number) and disaggregation.

    ``table`` is ``rocc_events`` for events, ``rocc_event_persons`` for victims and offenders. For rolling
    years of events the rows are monthly counts (``period`` the month), of persons the changes of
    :func:`rolling_distinct_changes`; for the others the rows are per period start."""

    unit = LEVELS[level]
    t = table.filter(table[unit].notnull() & (table[unit] != ""))
    if count != "events":
        t = t.filter(t.role == ("victim" if count == "victims" else "offender"))
    # Both lists are offence codes read by the one matcher; given together, an event must be selected by each.
    for codes, name in ((offence_divisions, "offence_divisions"), (offence_codes, "offence_codes")):
        condition = offence_codes_selection(codes, name=name).predicate(t.offence_code)
        if condition is not None:
            t = t.filter(condition)
    if date_from is not None:
        t = t.filter(t.date_from >= dt.datetime.combine(date_from, dt.time()))
    if date_to is not None:
        t = t.filter(t.date_from < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    month = t.month.cast("int64")  # year × 12 + month − 1 of date_from, stored with each event
    length, start_on = _period_months(period_type, year_end_month)
    keys = [t[unit].name("unit_code"), *[t[d] for d in disaggregate_by]]
    if length == 1:
        period = month
    elif start_on is not None:
        period = month - ((month - start_on) % length)  # month numbers are large and positive: % is never negative
    else:
        period = None  # rolling

    if count == "events":
        if period is None:
            # Rolling sums are taken over the monthly counts afterwards.
            return t.group_by([*keys, month.name("period")]).agg(numerator=t.count())
        return t.group_by([*keys, period.name("period")]).agg(numerator=t.count())
    if period is not None:
        return t.group_by([*keys, period.name("period")]).agg(numerator=t.person_key.nunique())
    # Rolling 12 months of distinct persons, by a sweep: a person counts for the year ended p when they have a
    # month in p−11 .. p, i.e. over the union of [m, m+11] of their months m. Each run of months closer than 13
    # apart is one unbroken stretch of year-ends: +1 where it starts, −1 twelve months after its last month.
    # The engine returns those changes per group and month (one row per unit × disaggregation × month at
    # most); their running total is the count for each year-end.
    return rolling_distinct_changes(t, keys, month)


def rolling_distinct_changes(t, keys, month):
    """Per group and month, the change in the number of distinct persons counted for the year ended that month
    (``change``; its running total over months is the rolling count), from window functions over each
    person's distinct months: LAG and LEAD say where a stretch starts and ends."""
    import ibis

    names = [k.get_name() for k in keys]
    monthly = t.select(*keys, t.person_key, month.name("month")).distinct()
    by_person = ibis.window(group_by=[*[monthly[n] for n in names], monthly.person_key], order_by=monthly.month)
    previous = monthly.month.lag().over(by_person)
    following = monthly.month.lead().over(by_person)
    marked = monthly.select(
        *[monthly[n] for n in names],
        monthly.month,
        (previous.isnull() | (monthly.month - previous > 12)).name("starts"),
        (following.isnull() | (following - monthly.month > 12)).name("ends"),
    )
    opened, closed = marked.filter(marked.starts), marked.filter(marked.ends)
    starts = opened.group_by([*[opened[n] for n in names], opened.month.name("period")]).agg(change=opened.count())
    ends = closed.group_by([*[closed[n] for n in names], (closed.month + 12).name("period")]).agg(change=-closed.count())
    both = starts.union(ends, distinct=False)
    return both.group_by([*[both[n] for n in names], both.period]).agg(change=both.change.sum())


def event_numerators(
    *,
    count: str = "events",
    period_type: str = "month",
    year_end_month: int | None = None,
    level: str = "district",
    offence_divisions: Iterable[str] | None = None,
    offence_codes: Iterable[str] | None = None,
    disaggregate_by: Sequence[str] = (),
    date_from=None,
    date_to=None,
    backend=None,
) -> pd.DataFrame:
    """Numerators by unit and period (and disaggregation): a DataFrame with columns unit_code, period_start,
    period_end, <disaggregations>, numerator (int). ``count`` is events, victims (distinct victim person keys)
    or offenders; ``offence_divisions`` and ``offence_codes`` are ANZSOC codes at any level (each selects every
    code below it; an unknown one raises AnalysisInputError, a ValueError, naming it); ``period_type`` month, quarter, calendar_year, july_june or year_ended (rolling 12 months
    ending each month, or with ``year_end_month`` the year ended that month, e.g. 6 for June).
    ``backend`` is an Ibis backend holding ``rocc_events`` and ``rocc_event_persons``; default the configured
    engine's (``ROCC_EVENTS_ENGINE``, DuckDB over the Parquet store unless set). Units and periods inside the coverage with no events get 0.
    """
    import numpy as np
    import pandas as pd

    disaggregate_by = tuple(disaggregate_by)
    _check(count, period_type, year_end_month, level, disaggregate_by)
    start = pd.Timestamp(date_from).date() if date_from is not None else None
    end = pd.Timestamp(date_to).date() if date_to is not None else None
    con = backend if backend is not None else store.backend()
    table = con.table(EVENTS_TABLE if count == "events" else PERSONS_TABLE)
    # Checked before anything is read: an unknown code is an error naming it, not a numerator of 0.
    divisions = list(offence_codes_selection(offence_divisions, name="offence_divisions").codes) or None
    codes = list(offence_codes_selection(offence_codes, name="offence_codes").codes) or None
    expression = numerator_expression(
        table,
        count=count,
        period_type=period_type,
        year_end_month=year_end_month,
        level=level,
        offence_divisions=divisions,
        offence_codes=codes,
        disaggregate_by=disaggregate_by,
        date_from=start,
        date_to=end,
    )
    counted = expression.to_pandas()

    # The units at this level, and the coverage (first and last whole month).
    unit = LEVELS[level]
    events = con.table(EVENTS_TABLE)
    # One pass gives both: the coverage is the whole store's (an event recorded only at district level still
    # shows that its months exist), the units are those at this level.
    per_unit = events.group_by(events[unit].name("unit")).agg(first=events.month.min(), last=events.month.max()).to_pandas()
    if per_unit.empty and start is None:
        return _empty(disaggregate_by)
    units = sorted(per_unit["unit"].dropna().astype(str).loc[lambda u: u != ""].tolist())
    first = _month_number(start) + (0 if start.day == 1 else 1) if start else int(per_unit["first"].min())
    if end:
        last = _month_number(end) - (0 if end == _month_end(_month_number(end)) else 1)
    else:
        last = int(per_unit["last"].max())
    if last < first:
        return _empty(disaggregate_by)

    length, start_on = _period_months(period_type, year_end_month)
    if start_on is None and length == 12:
        period_starts = np.arange(first, last - 10)  # rolling: every 12-month run inside the coverage
    else:
        candidates = np.arange(first, last + 1)
        if start_on is not None:
            candidates = candidates[(candidates - start_on) % length == 0]
        period_starts = candidates[candidates + length - 1 <= last]

    # Every unit × period × disaggregation value, 0 where nothing was counted.
    values = {d: _disaggregation_values(d, counted, divisions, codes) for d in disaggregate_by}
    grid = pd.MultiIndex.from_product([units, period_starts, *values.values()], names=["unit_code", "start", *disaggregate_by]).to_frame(index=False)
    counted = counted.rename(columns={"period": "counted_at"})
    counted["unit_code"] = counted["unit_code"].astype(str)
    rolling_events = count == "events" and start_on is None and length == 12
    if rolling_events:
        numerators = _rolling_sums(counted, grid, disaggregate_by, first, last)
    elif start_on is None and length == 12:
        numerators = _rolling_distinct(counted, grid, disaggregate_by, first, last)
    else:
        counted["start"] = counted["counted_at"]
        numerators = grid.merge(counted[["unit_code", "start", *disaggregate_by, "numerator"]], how="left", on=["unit_code", "start", *disaggregate_by])
    numerators["numerator"] = numerators["numerator"].fillna(0).astype(np.int64)
    starts = numerators.pop("start").to_numpy()
    numerators.insert(1, "period_start", [_month_start(int(s)) for s in starts])
    numerators.insert(2, "period_end", [_month_end(int(s) + length - 1) for s in starts])
    return numerators.sort_values(["unit_code", "period_start", *disaggregate_by], ignore_index=True)


def _rolling_sums(counted: pd.DataFrame, grid: pd.DataFrame, disaggregate_by, first: int, last: int) -> pd.DataFrame:
    """Sums of 12 monthly counts for each year-end, over dense monthly arrays (months with nothing count 0)."""
    import numpy as np

    group_keys = ["unit_code", *disaggregate_by]
    groups = grid[group_keys].drop_duplicates(ignore_index=True)
    groups["g"] = np.arange(len(groups))
    months = last - first + 1
    dense = np.zeros((len(groups), months), dtype=np.int64)
    inside = counted[(counted["counted_at"] >= first) & (counted["counted_at"] <= last)].merge(groups, on=group_keys)
    np.add.at(dense, (inside["g"].to_numpy(), inside["counted_at"].to_numpy() - first), inside["numerator"].to_numpy())
    running = np.concatenate([np.zeros((len(groups), 1), dtype=np.int64), np.cumsum(dense, axis=1)], axis=1)
    sums = running[:, 12:] - running[:, :-12]  # sums[:, i] covers months i .. i+11
    out = grid.merge(groups, on=group_keys)
    out["numerator"] = sums[out["g"].to_numpy(), out["start"].to_numpy() - first]
    return out.drop(columns="g")


def _rolling_distinct(changes: pd.DataFrame, grid: pd.DataFrame, disaggregate_by, first: int, last: int) -> pd.DataFrame:
    """Distinct persons for each year-end: the running total of the engine's changes, over dense monthly arrays
    from the earliest change (a stretch may start in a month before the coverage) to the last month."""
    import numpy as np

    group_keys = ["unit_code", *disaggregate_by]
    groups = grid[group_keys].drop_duplicates(ignore_index=True)
    groups["g"] = np.arange(len(groups))
    inside = changes[changes["counted_at"] <= last].merge(groups, on=group_keys)
    low = min(first, int(inside["counted_at"].min())) if len(inside) else first
    dense = np.zeros((len(groups), last - low + 1), dtype=np.int64)
    np.add.at(dense, (inside["g"].to_numpy(), inside["counted_at"].to_numpy(dtype=np.int64) - low), inside["change"].to_numpy(dtype=np.int64))
    running = np.cumsum(dense, axis=1)
    out = grid.merge(groups, on=group_keys)
    out["numerator"] = running[out["g"].to_numpy(), out["start"].to_numpy() + 11 - low]
    return out.drop(columns="g")


def _disaggregation_values(name: str, counted: pd.DataFrame, divisions, codes) -> list[str]:
    if name == "offence_division":
        # The divisions the selected codes fall in (a subdivision's codes all lie in its division).
        every = set(anzsoc().divisions)
        for selected in (divisions, codes):
            if selected:
                every &= {c[:2] for c in selected}
        return sorted(every)
    return sorted(counted[name].dropna().astype(str).unique().tolist())


def _empty(disaggregate_by) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    return pd.DataFrame({"unit_code": [], "period_start": [], "period_end": [], **{d: [] for d in disaggregate_by}, "numerator": pd.Series([], dtype=np.int64)})
