"""Benchmark: indicator numerators from 10 million events × 13 units × 120 months × 16 offence divisions,
through the Ibis expression on DuckDB over Parquet, against the straightforward pandas version.

Run: .venv/bin/python benchmarks/event_numerators.py [--events 10000000] [--seed 20261121]
Targets: under 10 s, and at least 10× faster than pandas. The Parquet file goes under /tmp.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from generate_events import DISTRICTS, store_columns

from rocc.events.numerators import event_numerators
from rocc.events.store import EVENT_SCHEMA, EVENTS_TABLE, PERSON_SCHEMA, PERSONS_TABLE


def write_store(path: Path, n: int, seed: int) -> None:
    """The generated events in the store's Parquet layout: 12 districts, and a share recorded only at national level."""
    columns = store_columns(n, seed)
    district = np.array(DISTRICTS, dtype=object)[columns["district"]]
    national = np.random.default_rng(seed + 1).random(n) < 0.05
    district = np.where(national, "nz", district)  # the 13th unit: events only known nationally
    table = pa.table(
        {
            "event_id": pa.array(np.char.add("E", np.arange(n).astype(str)).astype(object), pa.string()),
            "source": pa.array(["benchmark"] * n, pa.string()),
            "batch_id": pa.array(np.ones(n, dtype=np.int64)),
            "date_from": pa.array(columns["date_from"]),
            "date_to": pa.array(columns["date_from"]),
            "month": pa.array((columns["date_from"].astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32)),
            "offence_code": pa.array(columns["offence_code"], pa.string()),
            "offence_division": pa.array(np.array([c[:2] for c in columns["offence_code"].tolist()], dtype=object), pa.string()),
            "x": pa.array(columns["x"]),
            "y": pa.array(columns["y"]),
            "unit_code": pa.array(district, pa.string()),
            "unit_path": pa.array(np.where(national, "/nz/", np.char.add(np.char.add("/nz/", district.astype(str)), "/")).astype(object), pa.string()),
            "district_code": pa.array(district, pa.string()),
            "area_code": pa.nulls(n, pa.string()),
        },
        schema=EVENT_SCHEMA,
    )
    # Sorted by date, as the import writes each batch.
    pq.write_table(table.sort_by([("date_from", "ascending"), ("event_id", "ascending")]), path, compression="zstd")


def pandas_numerators(path: Path) -> pd.DataFrame:
    """The same computation as a pandas user would write it: read, month, group, roll 12 months."""
    frame = pd.read_parquet(path, columns=["date_from", "district_code", "offence_division"])
    frame["month"] = frame["date_from"].dt.to_period("M")
    monthly = frame.groupby(["district_code", "offence_division", "month"]).size()
    full = pd.MultiIndex.from_product(
        [monthly.index.levels[0], monthly.index.levels[1], pd.period_range(frame["month"].min(), frame["month"].max(), freq="M")],
        names=monthly.index.names,
    )
    monthly = monthly.reindex(full, fill_value=0)
    rolling = monthly.groupby(level=[0, 1]).rolling(12).sum().droplevel([0, 1]).dropna()
    return rolling.reset_index(name="numerator")


def pandas_numerators_with_month(path: Path) -> pd.DataFrame:
    """pandas given the stored month number as well (no date arithmetic): the fairest pandas can be."""
    frame = pd.read_parquet(path, columns=["month", "district_code", "offence_division"])
    monthly = frame.groupby(["district_code", "offence_division", "month"]).size()
    full = pd.MultiIndex.from_product(
        [monthly.index.levels[0], monthly.index.levels[1], range(frame["month"].min(), frame["month"].max() + 1)], names=monthly.index.names
    )
    rolling = monthly.reindex(full, fill_value=0).groupby(level=[0, 1]).rolling(12).sum().droplevel([0, 1]).dropna()
    return rolling.reset_index(name="numerator")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    path = Path(f"/tmp/rocc-bench-numerators-{args.events}-v2.parquet")
    if not path.exists():
        started = time.perf_counter()
        write_store(path, args.events, args.seed)
        print(f"generated {args.events:,} events in {time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e6:.0f} MB)")
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql(f"CREATE VIEW {EVENTS_TABLE} AS SELECT * FROM read_parquet('{path}')")
    con.create_table(PERSONS_TABLE, schema=ibis.Schema.from_pyarrow(PERSON_SCHEMA))

    timings = {}
    for name, arguments in [
        ("year ended, every month, by division", {"period_type": "year_ended", "disaggregate_by": ("offence_division",)}),
        ("month by division", {"period_type": "month", "disaggregate_by": ("offence_division",)}),
        ("year ended June, divisions 01-03", {"period_type": "year_ended", "year_end_month": 6, "offence_divisions": ["01", "02", "03"]}),
    ]:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            result = event_numerators(**arguments, backend=con)
            best = min(best, time.perf_counter() - started)
        timings[name] = best
        print(f"rocc (Ibis on DuckDB), {name}: {best:.2f} s, {len(result):,} rows, {result['unit_code'].nunique()} units")
    rolling = event_numerators(period_type="year_ended", disaggregate_by=("offence_division",), backend=con)

    started = time.perf_counter()
    baseline = pandas_numerators(path)
    pandas_time = time.perf_counter() - started
    # Both must give the same figures.
    ours = rolling.assign(month=pd.PeriodIndex(pd.to_datetime(rolling["period_end"]), freq="M")).set_index(["unit_code", "offence_division", "month"])[
        "numerator"
    ]
    theirs = baseline.set_index(["district_code", "offence_division", "month"])["numerator"].astype(np.int64)
    theirs.index.names = ours.index.names
    assert ours.sort_index().equals(theirs.sort_index().reindex(ours.sort_index().index)), "the two computations disagree"
    first = timings["year ended, every month, by division"]
    print(f"pandas, year ended every month by division: {pandas_time:.2f} s; rocc is {pandas_time / first:.1f}× faster (target ≥ 10×, < 10 s)")
    started = time.perf_counter()
    with_month = pandas_numerators_with_month(path)
    month_time = time.perf_counter() - started
    assert len(with_month) == len(baseline)
    print(f"pandas given the stored month number: {month_time:.2f} s; rocc is {month_time / first:.1f}× faster")


if __name__ == "__main__":
    main()
