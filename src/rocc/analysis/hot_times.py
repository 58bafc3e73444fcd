"""Hot times: events by day of week and hour of day, with aoristic weighting of events known only
within a time window, and events known only to the day spread over that day or shown apart."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import event_weights
from rocc.analysis.inputs import datetime_column
from rocc.analysis.results import jsonable

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = tuple(f"{hour:02d}:00" for hour in range(24))
MINUTES_PER_WEEK = 7 * 24 * 60
# 1970-01-01, minute 0 of the epoch, was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3
_NANOSECONDS_PER_MINUTE = 60 * 1_000_000_000
_NANOSECONDS_PER_DAY = 1440 * _NANOSECONDS_PER_MINUTE
MINUTES_PER_DAY = 1440
#: What to do with events known only to the day: spread each over its day(s), or keep them out of the
#: hour table and count them by day of week on their own.
DATE_ONLY = ("spread", "apart")


def _minutes(values: Any, *, name: str, blank_allowed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Whole minutes since the epoch (floored; int64), with -1 << 62 standing for a blank; and whether
    each time is exactly midnight (to the nanosecond), the mark of a date written without a time."""
    series = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:
            # The clock time people lived is what matters for hot times, not the instant in UTC.
            series = series.dt.tz_localize(None)
        blank = series.isna().to_numpy()
        if blank.any() and not blank_allowed:
            row = int(np.flatnonzero(blank)[0])
            raise AnalysisInputError("expected a date and time, found a blank", column=name, row=row + 1)
        stamps = series.to_numpy().astype("datetime64[ns]")
    else:
        stamps = datetime_column(pd.DataFrame({name: series.astype(object)}), name, blank_allowed=blank_allowed)
        blank = np.isnat(stamps)
    nanoseconds = stamps.astype(np.int64)
    minutes = np.floor_divide(nanoseconds, _NANOSECONDS_PER_MINUTE)
    midnight = (np.mod(nanoseconds, _NANOSECONDS_PER_DAY) == 0) & ~blank
    minutes[blank] = _BLANK
    return minutes, midnight


_BLANK = np.int64(-1) << np.int64(62)


@njit(cache=True)
def _week_cell(minute: int) -> int:
    day = minute // 1440
    return ((day + _EPOCH_WEEKDAY) % 7) * 24 + (minute % 1440) // 60


@njit(cache=True)
def _spread_over_week(start: np.ndarray, end: np.ndarray, weight: np.ndarray, out: np.ndarray) -> None:
    for i in range(start.shape[0]):
        s = start[i]
        e = end[i]
        w = weight[i]
        if e <= s:
            out[_week_cell(s)] += w
        elif e - s > MINUTES_PER_WEEK:
            share = w / 168.0
            for cell in range(168):
                out[cell] += share
        else:
            span = e - s
            t = s
            while t < e:
                hour_end = (t // 60 + 1) * 60
                if hour_end > e:
                    hour_end = e
                out[_week_cell(t)] += w * (hour_end - t) / span
                t = hour_end


@dataclasses.dataclass(frozen=True, eq=False)
class HotTimesResult:
    """Events (or harm) by day of week × hour of day: ``matrix[day, hour]``, Monday first, hour 0 first."""

    matrix: np.ndarray
    events: int
    total: float
    single_time: int
    windowed: int
    long_windows: int
    long_window_rows: tuple[int, ...]
    parameters: dict[str, Any]
    #: Events known only to the day (or to a run of whole days), and how they were treated.
    date_only: int = 0
    #: With date_only "apart": those events by day of week (a run of days spread evenly over its days).
    date_only_by_day: np.ndarray | None = None

    @property
    def by_day(self) -> np.ndarray:
        return self.matrix.sum(axis=1)

    @property
    def by_hour(self) -> np.ndarray:
        return self.matrix.sum(axis=0)

    def peak(self) -> dict[str, Any]:
        day, hour = np.unravel_index(int(np.argmax(self.matrix)), self.matrix.shape)
        return {"day": DAYS[day], "hour": HOURS[hour], "value": float(self.matrix[day, hour])}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.matrix, index=pd.Index(DAYS, name="day"), columns=list(HOURS))

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "matrix": self.matrix,
                "days": list(DAYS),
                "hours": list(HOURS),
                "events": self.events,
                "total": self.total,
                "by_day": dict(zip(DAYS, self.by_day, strict=True)),
                "by_hour": dict(zip(HOURS, self.by_hour, strict=True)),
                "peak": self.peak(),
                "summary": {
                    "single_time": self.single_time,
                    "windowed": self.windowed,
                    "long_windows": self.long_windows,
                    "long_window_rows": list(self.long_window_rows),
                    "date_only": self.date_only,
                    "date_only_treatment": self.parameters.get("date_only"),
                    "date_only_by_day": (None if self.date_only_by_day is None else dict(zip(DAYS, self.date_only_by_day, strict=True))),
                    "notes": self._notes(),
                },
                "parameters": self.parameters,
            }
        )

    def _notes(self) -> list[str]:
        notes = []
        if self.date_only:
            events = f"{self.date_only} event{'s' if self.date_only != 1 else ''}"
            if self.parameters.get("date_only") == "apart":
                notes.append(
                    f"{events} known only to the day {'are' if self.date_only != 1 else 'is'} left out of the hour "
                    "table and counted by day of week on their own"
                )
            else:
                notes.append(
                    f"{events} known only to the day {'are' if self.date_only != 1 else 'is'} spread evenly over "
                    "the hours of that day (or run of days), not counted at midnight"
                )
        if self.long_windows:
            notes.append(
                f"{self.long_windows} events have a window longer than a week; each is spread evenly over "
                "all 168 hours of the week and says nothing about when it happened"
            )
        return notes


def hot_times(
    *,
    starts: Sequence[Any] | np.ndarray | pd.Series,
    ends: Sequence[Any] | np.ndarray | pd.Series | None = None,
    weights: Sequence[float] | np.ndarray | None = None,
    date_only: str = "spread",
    midnight_is_date_only: bool = True,
    known_to_the_day: Sequence[bool] | np.ndarray | None = None,
    rows_to_list: int = 20,
) -> HotTimesResult:
    """Count events by day of week and hour, spreading each event over the hours it may have happened in.

    Parameters
    ----------
    starts : the time each event happened, or the start of the window it happened in (local clock
        time; taken to the minute, seconds dropped).
    ends : the end of each event's window (exclusive); blank, or equal to the start, for an event with
        a single known time. An end before its start is an error naming the row.
    weights : a harm weight per event (≥ 0); each event spreads its weight rather than 1.
    date_only : what to do with events known only to the day: "spread" (the default) spreads each
        over the 24 hours of its day, or of its run of whole days; "apart" leaves them out of the hour
        table and counts them by day of week in ``date_only_by_day``. Never are they piled at midnight.
    midnight_is_date_only : a start at exactly 00:00:00 with no end (or an end also at exactly
        midnight) is how a date written without a time is stored, so it is taken as known only to
        the day (the default). False trusts such times as midnight.
    known_to_the_day : instead of the midnight rule, a flag per event saying it is known only to the
        day; its end, if any, is then the last day of its run (inclusive).
    rows_to_list : how many rows (1-based) of windows longer than a week to name in the result.

    Aoristic weighting: an event known to have happened between ``start`` and ``end`` adds to each
    hour cell the share of its window's minutes that fall in that hour, so the event adds its whole
    weight in total. An event with a single time adds its whole weight to that hour. A window longer
    than a week is spread evenly over all 168 cells and counted in ``long_windows``.
    """
    if date_only not in DATE_ONLY:
        raise AnalysisInputError(f"unknown treatment of events known only to the day {date_only!r}; use one of: {', '.join(DATE_ONLY)}")
    start, start_midnight = _minutes(starts, name="from", blank_allowed=False)
    n = len(start)
    if n == 0:
        raise AnalysisInputError("there are no events")
    if ends is None:
        end, end_midnight = start.copy(), start_midnight.copy()
    else:
        end, end_midnight = _minutes(ends, name="to", blank_allowed=True)
        if len(end) != n:
            raise AnalysisInputError(f"to has {len(end)} values but from has {n}")
        blank = end == _BLANK
        end[blank] = start[blank]
        end_midnight[blank] = start_midnight[blank]
        before = end < start
        if before.any():
            row = int(np.flatnonzero(before)[0])
            raise AnalysisInputError("the end of the window is before its start", column="to", row=row + 1)
    if known_to_the_day is not None:
        day_only = np.asarray(known_to_the_day, dtype=bool)
        if day_only.shape != (n,):
            raise AnalysisInputError(f"known_to_the_day has {day_only.size} values but from has {n}")
    elif midnight_is_date_only:
        day_only = start_midnight & end_midnight
    else:
        day_only = np.zeros(n, dtype=bool)
    checked_weights = event_weights(weights, events=n)
    unweighted = checked_weights is None
    weight = np.ones(n, dtype=np.float64) if checked_weights is None else checked_weights
    # Unweighted, an event with one time, or a window inside one hour, adds exactly 1 to its hour: counted, not spread.
    one = _in_one_hour(start, end, day_only) if unweighted else np.zeros(n, dtype=bool)
    counts = np.bincount(_week_cells(start[one]), minlength=7 * 24).astype(np.float64)
    rest = ~one
    return _hot_times_result(
        counts=counts,
        events=n,
        single_time=int(((end == start) & ~day_only).sum()),
        start=start[rest],
        end=end[rest],
        day_only=day_only[rest],
        weight=weight[rest],
        rows=np.flatnonzero(rest) + 1,
        total=float(weight.sum()),
        unweighted=unweighted,
        aoristic=ends is not None,
        date_only=date_only,
        date_only_rule=(
            "flagged by the caller"
            if known_to_the_day is not None
            else "a start at exactly midnight with no end, or an end also at midnight"
            if midnight_is_date_only
            else "none: times at midnight are taken as midnight"
        ),
        rows_to_list=rows_to_list,
    )


def _in_one_hour(start: np.ndarray, end: np.ndarray, day_only: np.ndarray) -> np.ndarray:
    """Events with a time (not known only to the day) whose window ends within the hour it starts in (a single
    time included): each adds its whole weight to that one hour. The engine's count of them is the same rule."""
    return ~day_only & (end <= (np.floor_divide(start, 60) + 1) * 60)


def _week_cells(minutes: np.ndarray) -> np.ndarray:
    """The day-of-week × hour cell (Monday 00:00 first) of each minute since the epoch, as _week_cell."""
    day = np.floor_divide(minutes, MINUTES_PER_DAY)
    return np.mod(day + _EPOCH_WEEKDAY, 7) * 24 + np.floor_divide(np.mod(minutes, MINUTES_PER_DAY), 60)


def hot_times_from_counts(
    *,
    counts: np.ndarray,
    events: int,
    single_time: int,
    starts: Sequence[Any] | np.ndarray | pd.Series,
    ends: Sequence[Any] | np.ndarray | pd.Series,
    rows: Sequence[int] | np.ndarray,
    date_only: str = "spread",
    midnight_is_date_only: bool = True,
    rows_to_list: int = 20,
) -> HotTimesResult:
    """:func:`hot_times` (unweighted, with ends) from counts made elsewhere, for example by a database engine.

    ``counts`` (168, Monday 00:00 first) counts the events that add 1 to one hour: those with a time whose window
    ends within the hour it starts in (:func:`hot_times`' rule, midnight rule included); ``single_time`` how many of
    them have a single time; ``events`` how many events there are in all. ``starts``, ``ends`` and ``rows`` (each
    event's row, from 1, in the order :func:`hot_times` would take them) are every other event, in that order. The
    result is the one :func:`hot_times` gives for all the events."""
    if date_only not in DATE_ONLY:
        raise AnalysisInputError(f"unknown treatment of events known only to the day {date_only!r}; use one of: {', '.join(DATE_ONLY)}")
    if events <= 0:
        raise AnalysisInputError("there are no events")
    counts = np.asarray(counts, dtype=np.float64).ravel()
    if counts.shape != (7 * 24,):
        raise AnalysisInputError(f"counts must have 168 cells, found {counts.size}")
    start, start_midnight = _minutes(starts, name="from", blank_allowed=False)
    end, end_midnight = _minutes(ends, name="to", blank_allowed=True)
    blank = end == _BLANK
    end[blank] = start[blank]
    end_midnight[blank] = start_midnight[blank]
    before = end < start
    row_numbers = np.asarray(rows, dtype=np.int64)
    if before.any():
        raise AnalysisInputError("the end of the window is before its start", column="to", row=int(row_numbers[np.flatnonzero(before)[0]]))
    day_only = start_midnight & end_midnight if midnight_is_date_only else np.zeros(len(start), dtype=bool)
    if int(counts.sum()) + len(start) != events or _in_one_hour(start, end, day_only).any():
        raise AnalysisInputError(f"the counts and the other events do not make up the {events} events")
    return _hot_times_result(
        counts=counts,
        events=int(events),
        single_time=int(single_time),
        start=start,
        end=end,
        day_only=day_only,
        weight=np.ones(len(start), dtype=np.float64),
        rows=row_numbers,
        total=float(np.ones(int(events), dtype=np.float64).sum()),
        unweighted=True,
        aoristic=True,
        date_only=date_only,
        date_only_rule=(
            "a start at exactly midnight with no end, or an end also at midnight" if midnight_is_date_only else "none: times at midnight are taken as midnight"
        ),
        rows_to_list=rows_to_list,
    )


def _hot_times_result(
    *, counts, events, single_time, start, end, day_only, weight, rows, total, unweighted, aoristic, date_only, date_only_rule, rows_to_list
) -> HotTimesResult:
    """The matrix from the counted events and the others spread in order, and the result with its summary."""
    # A date without a time stands for the whole day, and a run of dates for every day of the run.
    first_day = np.floor_divide(start, MINUTES_PER_DAY)
    last_day = np.floor_divide(end, MINUTES_PER_DAY)
    start = np.where(day_only, first_day * MINUTES_PER_DAY, start)
    end = np.where(day_only, (last_day + 1) * MINUTES_PER_DAY, end)
    by_day = None
    timed = ~day_only
    if date_only == "apart":
        by_day = np.zeros(7 * 24, dtype=np.float64)
        _spread_over_week(start[day_only], end[day_only], weight[day_only], by_day)
        by_day = by_day.reshape(7, 24).sum(axis=1)
        counted = timed
    else:
        counted = np.ones(len(start), dtype=bool)
    matrix = counts.copy()
    _spread_over_week(start[counted], end[counted], weight[counted], matrix)
    long = rows[(end - start > MINUTES_PER_WEEK) & counted]
    day_only_events = int(day_only.sum())
    return HotTimesResult(
        matrix=matrix.reshape(7, 24),
        events=events,
        total=total,
        single_time=single_time,
        windowed=events - day_only_events - single_time,
        long_windows=len(long),
        long_window_rows=tuple(int(row) for row in long[:rows_to_list]),
        parameters={
            "harm_weighted": not unweighted,
            "aoristic": aoristic,
            "resolution": "minute",
            "long_window_minutes": MINUTES_PER_WEEK,
            "week_starts": "Monday",
            "date_only": date_only,
            "date_only_rule": date_only_rule,
        },
        date_only=day_only_events,
        date_only_by_day=by_day,
    )
