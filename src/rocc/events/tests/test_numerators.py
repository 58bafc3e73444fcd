"""Indicator numerators from events: every period type against a plain-Python oracle, the rolling year-ended
rule (12 months summed; a year reaching outside the data has no value), distinct victims over a year, and the
same Ibis expression run on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest

from rocc.events import store
from rocc.events.numerators import event_numerators
from rocc.events.testing import events_create

UNITS = ["North Shore", "Rodney", "Christchurch", "Waitematā"]
CODES = ["0211", "0711", "1211", "0311"]


@pytest.fixture
def events(event_store, make_user):
    """Seeded random events over 2022-07 .. 2024-06 in four units (one a district), with repeat victims."""
    rng = np.random.default_rng(5)
    start = dt.date(2022, 7, 1)
    rows = []
    for i in range(400):
        day = start + dt.timedelta(days=int(rng.integers(0, 731)))
        rows.append(
            {
                "event_id": f"N{i}",
                "date": day.isoformat(),
                "offence_code": CODES[int(rng.integers(0, 4))],
                "unit": UNITS[int(rng.integers(0, 4))],
                "victim": f"V{int(rng.integers(0, 60))}",
                "offender": f"O{int(rng.integers(0, 30))}",
            }
        )
    events_create(user=make_user("administrator", username="loader"), rows=rows)
    return rows


DISTRICT = {"North Shore": "waitemata", "Rodney": "waitemata", "Waitematā": "waitemata", "Christchurch": "canterbury"}
AREA = {"North Shore": "north-shore", "Rodney": "rodney", "Christchurch": "christchurch"}


def month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def oracle(rows, *, count, length, start_on, level, division=None):
    """The plain computation: per unit and period, events counted or persons counted once each."""
    units = DISTRICT if level == "district" else AREA
    first = min(month_number(dt.date.fromisoformat(r["date"])) for r in rows)
    last = max(month_number(dt.date.fromisoformat(r["date"])) for r in rows)
    starts = [m for m in range(first, last + 1) if (start_on is None or (m - start_on) % length == 0) and m + length - 1 <= last]
    values = {}
    for unit in sorted(set(units.values())):
        for period in starts:
            chosen = [
                r
                for r in rows
                if units.get(r["unit"]) == unit
                and period <= month_number(dt.date.fromisoformat(r["date"])) < period + length
                and (division is None or r["offence_code"].startswith(division))
            ]
            values[(unit, period)] = len(chosen) if count == "events" else len({r[count[:-1]] for r in chosen})
    return values


def as_numbers(frame: pd.DataFrame) -> dict:
    return {(row.unit_code, month_number(row.period_start)): row.numerator for row in frame.itertuples()}


@pytest.mark.parametrize(
    "period_type, length, start_on",
    [
        ("month", 1, None),
        ("quarter", 3, 0),
        ("calendar_year", 12, 0),
        ("july_june", 12, 6),
        ("year_ended", 12, None),
    ],
)
@pytest.mark.parametrize("count", ["events", "victims", "offenders"])
def test_numerators_match_the_plain_computation_for_every_period_type(events, period_type, length, start_on, count):
    for level in ("district", "area"):
        frame = event_numerators(count=count, period_type=period_type, level=level)
        assert as_numbers(frame) == oracle(events, count=count, length=length, start_on=start_on, level=level), (period_type, count, level)
        assert list(frame.columns) == ["unit_code", "period_start", "period_end", "numerator"]
        assert (frame["period_end"] > frame["period_start"]).all()


def test_a_rolling_year_is_12_months_summed_and_no_year_reaching_outside_the_data_has_a_value(events):
    monthly = event_numerators(period_type="month")
    rolling = event_numerators(period_type="year_ended")
    shore = monthly[monthly.unit_code == "waitemata"].set_index("period_start")["numerator"]
    june_2024 = rolling[(rolling.unit_code == "waitemata") & (rolling.period_end == dt.date(2024, 6, 30))]["numerator"].item()
    assert june_2024 == shore.loc[dt.date(2023, 7, 1) : dt.date(2024, 6, 1)].sum()
    assert rolling["period_end"].min() == dt.date(2023, 6, 30) and rolling["period_end"].max() == dt.date(2024, 6, 30)
    year_ended_june = event_numerators(period_type="year_ended", year_end_month=6)
    assert sorted(set(year_ended_june["period_end"])) == [dt.date(2023, 6, 30), dt.date(2024, 6, 30)]
    # Asked for a range that starts mid-year, the first year ended June is incomplete and so has no value.
    asked = event_numerators(period_type="july_june", date_from="2022-10-01", date_to="2024-06-30")
    assert sorted(set(asked["period_start"])) == [dt.date(2023, 7, 1)]


def test_disaggregation_and_offence_filters(events):
    frame = event_numerators(period_type="calendar_year", disaggregate_by=("offence_division",), offence_divisions=["02", "07"])
    assert list(frame.columns) == ["unit_code", "period_start", "period_end", "offence_division", "numerator"]
    assert set(frame["offence_division"]) == {"02", "07"}
    year_2023 = frame[(frame.unit_code == "waitemata") & (frame.period_start == dt.date(2023, 1, 1))].set_index("offence_division")["numerator"]
    expected = Counter(r["offence_code"][:2] for r in events if r["date"].startswith("2023") and DISTRICT[r["unit"]] == "waitemata")
    assert year_2023.to_dict() == {"02": expected["02"], "07": expected["07"]}
    assault = event_numerators(period_type="quarter", offence_codes=["0211"])
    assert as_numbers(assault) == oracle(events, count="events", length=3, start_on=0, level="district", division="0211")


def test_a_unit_with_no_events_in_a_period_counts_zero(events):
    frame = event_numerators(period_type="month", level="area", offence_codes=["0311"])
    counts = defaultdict(int)
    for r in events:
        if r["offence_code"] == "0311" and r["unit"] in AREA:
            counts[(AREA[r["unit"]], month_number(dt.date.fromisoformat(r["date"])))] += 1
    assert len(frame) == 3 * 24 and (frame["numerator"] == 0).sum() == 3 * 24 - len(counts)


def test_the_same_ibis_expression_runs_on_postgresql(events):
    """Load the stored events into PostgreSQL through Ibis and compare every numerator with DuckDB's."""
    import ibis
    import psycopg
    import pyarrow.parquet as pq

    try:
        postgres = ibis.postgres.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    except psycopg.OperationalError as exc:  # the service is part of the test environment: say so plainly
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is needed for this test ({exc})")
    schema = f"rocc_events_test_{uuid.uuid4().hex[:8]}"
    postgres.raw_sql(f"CREATE SCHEMA {schema}").close()
    try:
        events_files, persons_files = store.stored_files()
        pg = ibis.postgres.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres", schema=schema)
        pg.create_table(store.EVENTS_TABLE, pd.concat([pq.read_table(f).to_pandas() for f in events_files]), overwrite=True)
        pg.create_table(store.PERSONS_TABLE, pd.concat([pq.read_table(f).to_pandas() for f in persons_files]), overwrite=True)
        for arguments in [
            {"period_type": "month"},
            {"period_type": "year_ended", "disaggregate_by": ("offence_division",)},
            {"period_type": "july_june", "count": "victims", "level": "area"},
            {"period_type": "year_ended", "count": "offenders", "offence_divisions": ["02"]},
            {"period_type": "year_ended", "year_end_month": 6, "count": "victims", "date_from": "2022-07-01", "date_to": "2024-06-30"},
        ]:
            on_duckdb = event_numerators(**arguments)
            on_postgres = event_numerators(**arguments, backend=pg)
            assert len(on_duckdb) > 0
            pd.testing.assert_frame_equal(on_postgres, on_duckdb, check_dtype=False), arguments
    finally:
        postgres.raw_sql(f"DROP SCHEMA {schema} CASCADE").close()
