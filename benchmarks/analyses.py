"""Benchmark of the crime-pattern analyses on a million synthetic events, against plain-Python baselines.

Run: .venv/bin/python benchmarks/analyses.py [--events 1000000] [--seed 20261121] [--skip-baselines]
Prints one line per analysis: seconds for rocc, seconds for the baseline, and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from rocc.analysis.concentration import concentration
from rocc.analysis.hot_times import hot_times
from rocc.analysis.hotspots import hotspots
from rocc.analysis.repeat_victims import repeat_victims

SIDE_METRES = 30_000.0
CELL_METRES = 100.0
BANDWIDTH_METRES = 300.0
PLACES = 300_000


def synthetic_events(n: int, seed: int) -> dict[str, np.ndarray]:
    """A seeded year-and-a-half of events: skewed victims and places, clustered locations, time windows."""
    rng = np.random.default_rng(seed)
    # Each person and place has a lognormal propensity to be victimised, so that a few suffer many
    # events (the Power Few) while most have one or none, as in recorded crime.
    persons = _skewed_draw(rng, n, population=700_000, spread=1.5)
    places = _skewed_draw(rng, n, population=PLACES, spread=1.8)
    first_day = np.datetime64("2017-01-01", "m")
    start_minutes = rng.integers(0, 548 * 24 * 60, n)
    starts = first_day + start_minutes.astype("timedelta64[m]")
    # 60% known only within a window: mostly hours, a few longer than a week (e.g. holiday burglaries).
    windowed = rng.random(n) < 0.6
    durations = np.where(rng.random(n) < 0.02, rng.integers(7 * 1440, 21 * 1440, n), rng.exponential(360, n).astype(int))
    ends = np.where(windowed, starts + durations.astype("timedelta64[m]"), np.datetime64("NaT", "m"))
    clustered = rng.random(n) < 0.4
    centres = rng.uniform(2_000, SIDE_METRES - 2_000, (40, 2))
    which = rng.integers(0, 40, n)
    x = np.where(clustered, rng.normal(centres[which, 0], 250), rng.uniform(0, SIDE_METRES, n))
    y = np.where(clustered, rng.normal(centres[which, 1], 250), rng.uniform(0, SIDE_METRES, n))
    x = np.clip(x, 0, SIDE_METRES)
    y = np.clip(y, 0, SIDE_METRES)
    offences = rng.choice(np.array([f"{code:04d}" for code in range(1100, 1120)], dtype=object), n)
    return {
        "persons": persons,
        "places": places,
        "starts": starts.astype("datetime64[ns]"),
        "ends": ends.astype("datetime64[ns]"),
        "days": starts.astype("datetime64[D]"),
        "offences": offences,
        "x": x,
        "y": y,
    }


def _skewed_draw(rng: np.random.Generator, n: int, *, population: int, spread: float) -> np.ndarray:
    propensity = rng.lognormal(0.0, spread, population)
    return rng.choice(population, size=n, p=propensity / propensity.sum())


def baseline_repeat_victims(persons: list, days: list[dt.date], offences: list[str], as_of: dt.date, window_days: int) -> dict:
    """The straightforward version: one dictionary entry per person, one event at a time, with the
    same output (count, first, last, offence counts) as rocc's."""
    start = as_of - dt.timedelta(days=window_days)
    people: dict = {}
    for person, day, offence in zip(persons, days, offences):
        if start < day <= as_of:
            record = people.get(person)
            if record is None:
                people[person] = [1, day, day, {offence: 1}]
            else:
                record[0] += 1
                record[1] = min(record[1], day)
                record[2] = max(record[2], day)
                record[3][offence] = record[3].get(offence, 0) + 1
    ranked = sorted(people.items(), key=lambda item: (-item[1][0], -item[1][2].toordinal()))
    repeat_events = sum(r[0] for _, r in ranked if r[0] >= 2)
    return {"victims": len(ranked), "repeat_events": repeat_events}


def baseline_hot_times(starts: list[dt.datetime], ends: list[dt.datetime | None]) -> list[list[float]]:
    """The straightforward aoristic count: step through each event's window an hour at a time."""
    matrix = [[0.0] * 24 for _ in range(7)]
    week = dt.timedelta(days=7)
    for start, end in zip(starts, ends):
        if end is None or end <= start:
            matrix[start.weekday()][start.hour] += 1.0
        elif end - start > week:
            for day in matrix:
                for hour in range(24):
                    day[hour] += 1 / 168
        else:
            span = (end - start).total_seconds()
            t = start
            while t < end:
                hour_end = min(t.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1), end)
                matrix[t.weekday()][t.hour] += (hour_end - t).total_seconds() / span
                t = hour_end
    return matrix


def timed(function, *args, **kwargs):
    began = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--skip-baselines", action="store_true")
    options = parser.parse_args()

    data, seconds = timed(synthetic_events, options.events, options.seed)
    print(f"{options.events:,} synthetic events generated in {seconds:.1f} s (seed {options.seed})")
    # Compile the numba kernel before timing (it is cached on disk after the first run anyway).
    hot_times(starts=data["starts"][:10], ends=data["ends"][:10])
    rows = []

    as_of = np.datetime64("2018-06-30")
    result, fast = timed(repeat_victims, persons=data["persons"], dates=data["days"], offences=data["offences"], as_of=as_of)
    slow = None
    if not options.skip_baselines:
        persons, days, offences = data["persons"].tolist(), data["days"].tolist(), data["offences"].tolist()
        expected, slow = timed(baseline_repeat_victims, persons, days, offences, as_of.item(), 365)
        assert expected["victims"] == result.summary["prevalence"]
        assert expected["repeat_events"] == result.summary["repeat_events"]
    rows.append(("repeat-victims (365 days, with offences)", fast, slow, f"{result.summary['prevalence']:,} victims"))
    _, seconds = timed(result.to_dict)
    rows.append(("  its JSON-ready document (to_dict, every victim)", seconds, None, ""))

    # Synthetic times fall on exact midnights by chance; the baseline takes them as times, so the run does too.
    result, fast = timed(hot_times, starts=data["starts"], ends=data["ends"], midnight_is_date_only=False)
    slow = None
    if not options.skip_baselines:
        starts = data["starts"].astype("datetime64[us]").tolist()
        ends = data["ends"].astype("datetime64[us]").tolist()
        expected, slow = timed(baseline_hot_times, starts, ends)
        assert np.allclose(np.array(expected), result.matrix, rtol=1e-6)
    rows.append(("hot-times (aoristic, 60% windowed)", fast, slow, f"{result.windowed:,} windows"))

    result, fast = timed(hotspots, x=data["x"], y=data["y"], cell=CELL_METRES, bandwidth=BANDWIDTH_METRES)
    rows.append((f"hotspots ({CELL_METRES:g} m cells, {BANDWIDTH_METRES:g} m bandwidth, 30 km square)", fast, None, f"{result.rows * result.cols:,} cells"))
    _, seconds = timed(result.to_dict)
    rows.append(("  its JSON-ready document (to_dict, every cell)", seconds, None, ""))

    result, fast = timed(concentration, units=data["places"], units_total=PLACES)
    rows.append((f"concentration ({PLACES:,} units)", fast, None, f"Gini {result.gini:.3f}, generalised {result.generalised_gini:.3f}"))

    print(f"{'analysis':<62} {'rocc s':>8} {'baseline s':>11} {'ratio':>7}  detail")
    for name, fast, slow, detail in rows:
        baseline = f"{slow:11.2f}" if slow is not None else f"{'-':>11}"
        ratio = f"{slow / fast:6.1f}×" if slow is not None else f"{'-':>7}"
        print(f"{name:<62} {fast:8.2f} {baseline} {ratio}  {detail}")


if __name__ == "__main__":
    main()
