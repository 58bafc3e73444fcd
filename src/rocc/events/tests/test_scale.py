"""The event store at scale: rolling distinct persons by the sweep give the values of the old formulation
(every person-month copied to the 12 year-ends it falls in) and of a plain-Python oracle on a generated store;
events are counted in the engine; the person index is extended by segments, never rewritten, and a rebuild
gives the same answers; the engine is a setting every read follows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from rocc.events import person_index, store
from rocc.events.numerators import event_numerators
from rocc.events.store import EVENT_SCHEMA, EVENTS_TABLE, PERSON_SCHEMA, PERSONS_TABLE
from rocc.events.testing import events_create, events_engine_on_postgresql

UNITS = ["waitemata", "canterbury", "wellington"]
DIVISIONS = ["01", "02", "07"]


def generated_store(seed: int = 11, persons: int = 4000):
    """A DuckDB holding generated store tables: person rows over 2020-01 .. 2023-12 with gaps of exactly 12,
    13 and more months between a person's events (the edges of the sweep), and the events they belong to."""
    import ibis

    rng = np.random.default_rng(seed)
    base = np.datetime64("2020-01-01", "D")
    people = rng.integers(0, 300, persons)
    # Months chosen so that many people have runs broken by 12, 13 or 24 months.
    months = (rng.integers(0, 4, persons) * 12 + rng.choice([0, 1, 11, 12, 13], persons)) % 48
    days = np.array([np.datetime64(f"{2020 + m // 12}-{m % 12 + 1:02d}-01", "D") for m in months.tolist()]) + rng.integers(0, 28, persons).astype(
        "timedelta64[D]"
    )
    assert days.min() >= base
    unit = np.array(UNITS, dtype=object)[rng.integers(0, 3, persons)]
    code = np.array([d + "11" for d in DIVISIONS], dtype=object)[rng.integers(0, 3, persons)]
    role = np.where(rng.random(persons) < 0.7, "victim", "offender")
    date_from = days.astype("datetime64[us]")
    month_numbers = (days.astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32)
    place = {
        "unit_code": unit,
        "unit_path": np.char.add(np.char.add("/nz/", unit.astype(str)), "/").astype(object),
        "district_code": unit,
        "area_code": np.full(persons, None, dtype=object),
    }
    person_rows = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(persons)],
            "source": "generated",
            "batch_id": 1,
            "person_key": [f"{p:032x}" for p in people.tolist()],
            "role": role,
            "date_from": date_from,
            "month": month_numbers,
            "offence_code": code,
            "offence_division": [c[:2] for c in code],
            **place,
        }
    )
    event_rows = pd.DataFrame(
        {
            "event_id": person_rows["event_id"],
            "source": "generated",
            "batch_id": 1,
            "date_from": date_from,
            "date_to": date_from,
            "month": month_numbers,
            "offence_code": code,
            "offence_division": person_rows["offence_division"],
            "x": rng.uniform(1.7e6, 1.8e6, persons),
            "y": rng.uniform(5.9e6, 6.0e6, persons),
            **place,
        }
    )
    con = ibis.duckdb.connect()
    con.create_table(EVENTS_TABLE, ibis.memtable(event_rows[EVENT_SCHEMA.names]).cast(ibis.Schema.from_pyarrow(EVENT_SCHEMA)).to_pyarrow())
    con.create_table(PERSONS_TABLE, ibis.memtable(person_rows[PERSON_SCHEMA.names]).cast(ibis.Schema.from_pyarrow(PERSON_SCHEMA)).to_pyarrow())
    return con, person_rows


def oracle(rows: pd.DataFrame, *, role: str, by_division: bool, date_from: dt.date | None = None) -> dict:
    """Plain Python: for every year-end inside the coverage, the persons with a month in its 12 months."""
    first = int(rows["month"].min()) if date_from is None else date_from.year * 12 + date_from.month - 1 + (date_from.day != 1)
    last = int(rows["month"].max())
    if date_from is not None:
        rows = rows[rows["date_from"] >= pd.Timestamp(date_from)]
    months = defaultdict(set)
    for r in rows[rows["role"] == role].itertuples():
        group = (r.district_code, r.offence_division) if by_division else (r.district_code,)
        months[group, r.person_key].add(int(r.month))
    values = {}
    groups = {(u, d) if by_division else (u,) for u in UNITS for d in DIVISIONS}
    for end in range(first + 11, last + 1):
        for group in groups:
            values[(*group, end)] = 0
    for (group, _), held in months.items():
        for end in range(first + 11, last + 1):
            if any(end - 11 <= m <= end for m in held):
                values[(*group, end)] += 1
    return values


def as_values(frame: pd.DataFrame, *, by_division: bool) -> dict:
    ends = [d.year * 12 + d.month - 1 for d in frame["period_end"]]
    keys = zip(frame["unit_code"], frame["offence_division"], ends) if by_division else zip(frame["unit_code"], ends)
    return dict(zip(keys, frame["numerator"].tolist()))


def old_formulation(con, *, role: str, by_division: bool) -> dict:
    """The formulation the sweep replaced: each person-month spread to the 12 year-ends it falls in."""
    import ibis

    t = con.table(PERSONS_TABLE)
    t = t.filter(t.role == role)
    keys = [t.district_code.name("unit_code"), *([t.offence_division] if by_division else [])]
    monthly = t.select(*keys, t.person_key, t.month.cast("int64").name("month")).distinct()
    spread = monthly.cross_join(ibis.memtable({"months_back": list(range(12))}))
    names = [k.get_name() for k in keys]
    spread = spread.select(*[spread[n] for n in names], spread.person_key, (spread.month + spread.months_back).name("period"))
    counted = spread.group_by([*[spread[n] for n in names], spread.period]).agg(numerator=spread.person_key.nunique()).to_pandas()
    return {tuple(row[:-1]): int(row[-1]) for row in counted[[*names, "period", "numerator"]].itertuples(index=False)}


@pytest.mark.parametrize("by_division", [False, True])
@pytest.mark.parametrize("role", ["victim", "offender"])
def test_rolling_distinct_persons_by_the_sweep_match_the_oracle_and_the_old_formulation(role, by_division):
    con, rows = generated_store()
    count = "victims" if role == "victim" else "offenders"
    frame = event_numerators(count=count, period_type="year_ended", disaggregate_by=("offence_division",) if by_division else (), backend=con)
    ours = as_values(frame, by_division=by_division)
    if by_division:  # every ANZSOC division is listed; those with no events count 0
        assert all(value == 0 for key, value in ours.items() if key[1] not in DIVISIONS)
        ours = {key: value for key, value in ours.items() if key[1] in DIVISIONS}
    expected = oracle(rows, role=role, by_division=by_division)
    assert ours == expected
    assert sum(ours.values()) > 1000
    old = old_formulation(con, role=role, by_division=by_division)
    assert all(old.get(key, 0) == value for key, value in ours.items())


def test_a_coverage_starting_mid_month_counts_the_stretches_that_began_before_it():
    """date_from on the 15th: the first whole month is the next, but persons of the first half-month are in."""
    con, rows = generated_store(seed=3)
    start = dt.date(2020, 3, 15)
    frame = event_numerators(count="victims", period_type="year_ended", date_from=start, backend=con)
    assert frame["period_start"].min() == dt.date(2020, 4, 1)
    assert as_values(frame, by_division=False) == oracle(rows, role="victim", by_division=False, date_from=start)


# --- counted in the engine ------------------------------------------------------------------------


@pytest.fixture
def stored(event_store, make_user):
    admin = make_user("administrator", username="loader")
    rows = [
        {"event_id": f"S{i}", "date": f"2024-0{1 + i % 6}-1{i % 9}", "offence_code": ["0211", "0711"][i % 2], "unit": ["North Shore", "Christchurch"][i % 2]}
        | ({"x": 1755000 + i, "y": 5925000} if i % 3 else {})
        | {"victim": f"V{i % 7}"}
        for i in range(60)
    ]
    events_create(user=admin, rows=rows)
    return admin


def test_events_are_counted_in_the_engine_as_the_frame_would_give_them(stored, make_user):
    from rocc.events.selectors import events_count, events_frame

    analyst = make_user("analyst", units=["waitemata"], username="counting-analyst")
    for user in (stored, analyst):
        for filters in ({}, {"date_from": "2024-03-01", "date_to": "2024-04-30"}, {"offence_codes": ["07"]}):
            assert events_count(user=user, **filters) == len(events_frame(user=user, **filters))
    assert events_count(user=analyst) == 30


def test_the_frame_pulls_only_the_columns_asked_for_and_the_located_rows(stored):
    from rocc.events.selectors import events_frame

    whole = events_frame(user=stored)
    located = events_frame(user=stored, columns=["x", "y", "date_from"], located=True)
    assert list(located.columns) == ["x", "y", "date_from"]
    expected = whole.dropna(subset=["x", "y"]).reset_index(drop=True)[["x", "y", "date_from"]]
    pd.testing.assert_frame_equal(located, expected)
    with pytest.raises(ValueError, match="'persons' is not one of"):
        events_frame(user=stored, columns=["persons"])


# --- the person index -----------------------------------------------------------------------------


def _people(n: int, seed: int, *, units=("waitemata", "canterbury")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.array(units, dtype=object)[rng.integers(0, len(units), n)]
    return pd.DataFrame(
        {
            "person_key": [f"{p:032x}" for p in rng.integers(0, 40, n).tolist()],
            "role": np.where(rng.random(n) < 0.6, "victim", "offender"),
            "date_from": np.datetime64("2024-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]"),
            "offence_code": np.array(["0211", "0711", "1211"], dtype=object)[rng.integers(0, 3, n)],
            "unit_code": unit,
            "unit_path": np.char.add(np.char.add("/nz/", unit.astype(str)), "/").astype(object),
        }
    )


def _answers(keys) -> dict:
    answers = {}
    for key in keys:
        found = person_index.person_events(key)
        answers[key] = sorted(zip(found.days.tolist(), found.roles, found.unit_codes, found.offence_codes, found.unit_paths))
    return answers


def test_an_import_adds_a_segment_and_leaves_the_indexed_rows_untouched(event_store):
    batches = [_people(50, seed) for seed in range(1, 4)]
    segments_seen = []
    for number, persons in enumerate(batches, start=1):
        person_index.index_extend(persons, batch_id=number)
        folder = event_store / "events" / "index" / "segments"
        segments_seen.append({p.name: p.joinpath("high.npy").stat().st_ino for p in folder.iterdir()})
    # Each import kept the segments before it as they were (same files) and added one.
    assert [len(s) for s in segments_seen] == [1, 2, 3]
    assert all(set(before.items()) <= set(after.items()) for before, after in zip(segments_seen, segments_seen[1:]))
    assert person_index.index_batches() == [1, 2, 3]
    assert person_index.index_extend(batches[0], batch_id=1) == 150  # a batch already held adds nothing

    keys = [f"{p:032x}" for p in range(41)]  # 40 is nobody
    every = pd.concat(batches, ignore_index=True)
    expected = {}
    for key in keys:
        mine = every[every["person_key"] == key]
        expected[key] = sorted(
            zip(mine["date_from"].to_numpy().astype("datetime64[D]").tolist(), mine["role"], mine["unit_code"], mine["offence_code"], mine["unit_path"])
        )
    assert _answers(keys) == expected
    victims = person_index.person_events(keys[0], role="victim", since=np.datetime64("2024-06-01"), until=np.datetime64("2024-09-30"))
    assert all(r == "victim" for r in victims.roles) and all(np.datetime64("2024-06-01") <= d <= np.datetime64("2024-09-30") for d in victims.days)


def test_more_segments_than_the_limit_are_merged_smallest_first_with_the_same_answers(event_store):
    batches = [_people(5 + i, 100 + i, units=("waitemata", "canterbury", f"unit-{i % 3}")) for i in range(person_index.MAX_SEGMENTS + 3)]
    for number, persons in enumerate(batches, start=1):
        person_index.index_extend(persons, batch_id=number)
    _, meta = person_index._current()
    assert len(meta["segments"]) == person_index.MAX_SEGMENTS
    assert meta["rows"] == sum(len(b) for b in batches)
    on_disk = {p.name for p in (event_store / "events" / "index" / "segments").iterdir()}
    assert on_disk == {s["path"].split("/")[1] for s in meta["segments"]}  # merged segments' files are gone
    merged = _answers([f"{p:032x}" for p in range(40)])
    # A rebuild from the batches one at a time gives the same answers.
    assert person_index.index_build_streaming((number, persons) for number, persons in enumerate(batches, start=1)) == meta["rows"]
    assert person_index.index_batches() == list(range(1, len(batches) + 1))
    assert _answers([f"{p:032x}" for p in range(40)]) == merged


def test_an_index_written_before_segments_is_read_and_extended(event_store):
    """The layout of earlier versions (the columns in the version folder itself) is one segment."""
    import json

    first = _people(30, 7)
    rows, units = person_index.IndexRows.from_persons(first, [])
    root = event_store / "events" / "index"
    folder = root / "v-earlier"
    folder.mkdir(parents=True)
    order = np.lexsort((rows.low, rows.high))
    for name in person_index._COLUMNS:
        np.save(folder / f"{name}.npy", getattr(rows, name)[order])
    (folder / "meta.json").write_text(json.dumps({"units": units, "rows": len(order), "batches": [1]}))
    (root / "CURRENT").write_text("v-earlier")
    second = _people(20, 8)
    assert person_index.index_extend(second, batch_id=2) == 50
    assert (root / "v-earlier" / "high.npy").exists()
    found = person_index.person_events(first["person_key"].iloc[0])
    assert len(found.days) == int((pd.concat([first, second])["person_key"] == first["person_key"].iloc[0]).sum())


# --- the engine setting ---------------------------------------------------------------------------


def test_an_unknown_engine_is_an_error_naming_the_setting(settings):
    settings.ROCC_EVENTS_ENGINE = "oracle"
    with pytest.raises(ValueError, match="ROCC_EVENTS_ENGINE: expected one of duckdb, postgres, spark, found 'oracle'"):
        store.backend()


NUMERATOR_CASES = [
    {"period_type": "month"},
    {"period_type": "year_ended", "disaggregate_by": ("offence_division",)},
    {"period_type": "year_ended", "count": "victims"},
    {"period_type": "quarter", "count": "victims", "offence_divisions": ["02"]},
]


def engine_reads(user, analyst) -> dict:
    """Every kind of event-store read, as plain values to compare between engines."""
    from rocc.events.selectors import events_count, events_frame, events_summary, persons_frame

    return {
        "numerators": [event_numerators(**case) for case in NUMERATOR_CASES],
        "frame": events_frame(user=user),
        "located": events_frame(user=user, columns=["x", "y"], located=True),
        "count": events_count(user=user, offence_codes=["02"]),
        "summary": events_summary(user=user).astype({"events": np.int64}),
        "persons": persons_frame(user=analyst, purpose="comparing engines", role="victim"),
        **analysis_aggregates(user),
    }


def analysis_aggregates(user) -> dict:
    """The aggregates the analyses take from the engine (hot-spot grid and units per cell, hot-time counts)."""
    from rocc.analysis.hotspots import grid_for_bounds
    from rocc.events.aggregates import hotspot_grid, hour_counts, points_extent

    extent = points_extent(user=user)
    west, south, rows, cols = grid_for_bounds(x_range=extent.x_range, y_range=extent.y_range, cell=500)
    grid = hotspot_grid(user=user, west=west, south=south, cell=500.0, rows=rows, cols=cols, by_unit=True)
    hours = hour_counts(user=user, midnight_is_date_only=True)
    assert grid.places is not None
    return {
        "extent": extent,
        "cells": grid.cells.sort_values(["col", "row"]).reset_index(drop=True),
        "places": grid.places.sort_values(["col", "row", "unit_code"]).reset_index(drop=True),
        "points": (grid.x.tolist(), grid.y.tolist()),
        "hours": (hours.counts.tolist(), hours.single_time, hours.events, hours.rows.tolist(), [str(d) for d in hours.starts], [str(d) for d in hours.ends]),
    }


def assert_same_reads(ours: dict, theirs: dict) -> None:
    for a, b in zip(ours["numerators"], theirs["numerators"], strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    for name in ("frame", "located", "persons"):
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_dtype=False)
    assert ours["count"] == theirs["count"] > 0
    for name in ("cells", "places"):
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_dtype=False)
    assert (ours["extent"], ours["points"], ours["hours"]) == (theirs["extent"], theirs["points"], theirs["hours"])
    assert ours["extent"].located > 0 and ours["hours"][2] > 0
    pd.testing.assert_frame_equal(
        ours["summary"].assign(first=pd.to_datetime(ours["summary"]["first"]), last=pd.to_datetime(ours["summary"]["last"])),
        theirs["summary"].assign(first=pd.to_datetime(theirs["summary"]["first"]), last=pd.to_datetime(theirs["summary"]["last"])),
        check_dtype=False,
    )


@pytest.mark.postgres
def test_on_postgresql_every_read_gives_what_duckdb_gives(stored, settings, monkeypatch, make_user):
    """ROCC_EVENTS_ENGINE=postgres: the tables are filled from the Parquet batches on first read (and by each
    import after that), and every read answers as DuckDB does."""
    import psycopg

    analyst = make_user("analyst", units=["waitemata"], username="engine-analyst")
    on_duckdb = engine_reads(stored, analyst)
    with events_engine_on_postgresql(settings, monkeypatch) as url:
        assert_same_reads(engine_reads(stored, analyst), on_duckdb)
        # A new import reaches the engine's tables as it finishes.
        events_create(user=stored, rows=[{"event_id": "LATE", "date": "2024-06-20", "offence_code": "0211", "unit": "North Shore"}], source="late")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT count(*) FROM rocc_events WHERE event_id = 'LATE'").fetchone() == (1,)
        assert store.postgres_sync() == []


@pytest.mark.spark
def test_on_spark_the_numerators_and_analysis_reads_give_what_duckdb_gives(stored, settings, make_user):
    """ROCC_EVENTS_ENGINE=spark in local mode over the store rocc wrote. Needs the spark extra (pyspark, Java 17)."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install -e '.[spark]'); see docs/scaling.md")
    analyst = make_user("analyst", units=["waitemata"], username="engine-analyst")
    on_duckdb = engine_reads(stored, analyst)
    settings.ROCC_EVENTS_ENGINE = "spark"
    assert_same_reads(engine_reads(stored, analyst), on_duckdb)
