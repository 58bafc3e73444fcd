"""Benchmark: the event store growing batch by batch: each batch imported through the real import service
(every row checked, identifiers pseudonymised, Parquet written, the person index extended), and at each
checkpoint the numerators, the Victim Focus lookup, the count and the analyses' reads measured, each in its
own process so that its peak memory is its own. Hot spots are measured both ways: with the grid counted in the
engine (what a run on the store does) and over the selected events' frame (":frame", how every run read before).

Run: .venv/bin/python benchmarks/event_store_scale.py [--batch 1000000] [--batches 10] [--checkpoints 1,2,5,10]
     [--old-until 2]   (the formulation the sweep replaced is measured up to that many batches)
Targets: rolling distinct victims at 10M events ≤ 10 s and ≤ 2 GB; an import's time and memory flat as the
store grows. Everything goes under /tmp/rocc-bench-store-scale (removed at the start).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from generate_events import EXTRACT_NAMES, MAPPING, store_columns

DATA = Path("/tmp/rocc-bench-store-scale")
ENV = {"ROCC_DATA_DIR": str(DATA), "DJANGO_SETTINGS_MODULE": "rocc.settings", "ROCC_PSEUDONYM_KEY": "benchmark-" + "k" * 40}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batch_file(number: int, size: int) -> Path:
    """Batch ``number`` as a district extract writes it: its own occurrence ids, victims drawn from one national
    population (so people recur across batches), a third of events with an offender."""
    seed = 20261121 + number
    rng = np.random.default_rng(seed)
    columns = store_columns(size, seed)
    victims = rng.integers(0, 2_000_000, size)  # one population across every batch: repeat victims over years
    frame = pd.DataFrame(
        {
            "Occurrence ID": np.char.add(f"OCC-{number}-", np.arange(size).astype(str)),
            "Date": pd.Series(columns["date_from"]).dt.strftime("%Y-%m-%d %H:%M"),
            "Offence": np.char.add(columns["offence_code"].astype(str), rng.integers(1, 3, size).astype(str)),
            "District": np.array(EXTRACT_NAMES, dtype=object)[columns["district"]],
            "X": np.round(columns["x"]).astype(np.int64),
            "Y": np.round(columns["y"]).astype(np.int64),
            "Victim ID": np.char.add("PRN-", np.where(rng.random(size) < 0.5, columns["victim"], victims).astype(str)),
            "Offender ID": np.where(rng.random(size) < 0.33, np.char.add("PRN-O", rng.integers(0, 400_000, size).astype(str)), ""),
        }
    )
    path = Path(f"/tmp/rocc-bench-store-scale-batch-{number}.csv")
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path


def _django() -> None:
    os.environ.update(ENV)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def child_import(number: int, size: int) -> dict:
    path = batch_file(number, size)
    _django()
    from rocc.events.services import events_import, source_save

    source = source_save(user=None, mapping=MAPPING)
    stages: list[tuple[float, str]] = []
    started = time.perf_counter()
    batch = events_import(user=None, source=source, path=path, progress=lambda p, stage: stages.append((time.perf_counter() - started, stage)))
    elapsed = time.perf_counter() - started
    path.unlink()
    steps = {}
    for (at, stage), (following, _) in zip(stages, stages[1:] + [(elapsed, "")]):
        steps[stage] = steps.get(stage, 0) + following - at
    assert batch.status == "done", batch.message
    return {
        "seconds": elapsed,
        "peak_mb": peak_mb(),
        "events": batch.rows_imported,
        "persons": batch.persons_imported,
        "index_s": steps.get("indexing persons", 0),
    }


def _national_analyst():
    from django.contrib.auth import get_user_model

    from rocc.org.models import OrgUnit
    from rocc.org.services import user_create

    user = get_user_model().objects.filter(username="bench-national").first()
    if user is None:
        user = user_create(username="bench-national", password="x" * 20, role="analyst", units=[OrgUnit.objects.get(parent__isnull=True)]).user
    return user


def old_rolling_distinct(con) -> pd.DataFrame:
    """The formulation the sweep replaced: every person-month copied to the 12 year-ends it falls in."""
    import ibis

    from rocc.events.store import PERSONS_TABLE

    t = con.table(PERSONS_TABLE)
    t = t.filter(t.district_code.notnull() & (t.district_code != "") & (t.role == "victim"))
    monthly = t.select(t.district_code.name("unit_code"), t.person_key, t.month.cast("int64").name("month")).distinct()
    spread = monthly.cross_join(ibis.memtable({"months_back": list(range(12))}))
    spread = spread.select(spread.unit_code, spread.person_key, (spread.month + spread.months_back).name("period"))
    return spread.group_by([spread.unit_code, spread.period]).agg(numerator=spread.person_key.nunique()).to_pandas()


def child_measure(what: str) -> dict:
    _django()
    from rocc.events import store
    from rocc.events.numerators import event_numerators

    started = time.perf_counter()
    out: dict = {}
    if what == "sweep":
        frame = event_numerators(count="victims", period_type="year_ended")
        out["values"] = len(frame)
        out["checksum"] = int(frame["numerator"].sum())
    elif what == "old":
        frame = old_rolling_distinct(store.backend())
        out["values"] = len(frame)
    elif what == "events_rolling":
        frame = event_numerators(period_type="year_ended", disaggregate_by=("offence_division",))
        out["values"] = len(frame)
    elif what == "count":
        from rocc.events.selectors import events_count

        out["events"] = events_count(user=_national_analyst())
    elif what == "whole_frame":  # what every analysis loaded before: every column of every selected event
        from rocc.events.selectors import events_frame

        out["rows"] = len(events_frame(user=_national_analyst()))
    elif what.startswith("analysis:"):
        kind, unit, *path = what.split(":")[1:]
        from rocc.analysis_pages.runners import analysis_compute
        from rocc.analysis_pages.sources import events_table

        params = {
            "hot_times": {"start": "date_from", "end": "date_to", "offence": "offence_code", "offence_codes_are": "anzsoc"},
            "hotspots": {"x": "x", "y": "y", "cell": 5000, "coordinates": "nztm", "drop_unlocated": True, "place": "unit_name", "places_are": "unit"},
            "concentration": {"unit": "unit_code", "group_by": "unit", "offence": "offence_code"},
            "repeat_victims": {
                "person": "person_key",
                "date": "date_from",
                "offence": "offence_code",
                "offence_codes_are": "anzsoc",
                "window_days": 365,
                "serious_codes": ["01", "02", "0711"],
            },
        }[kind]
        period = {} if "all" in path else {"date_from": "2023-01-01", "date_to": "2023-12-31"}  # ":all": the whole store
        purpose = "Benchmark of the repeat-victims run on the event store" if kind == "repeat_victims" else ""
        loader = events_table(user=_national_analyst(), kind=kind, unit_code=unit, purpose=purpose, **period)
        if "frame" in path:  # the run over the selected events' frame, as every analysis on the store ran before
            result = analysis_compute(kind, params, lambda header=True: loader(header)).result
        else:
            result = analysis_compute(kind, params, loader).result
        out["events"] = result.get("events") or result.get("total") or result.get("parameters", {}).get("events")
        if kind == "repeat_victims":
            out["victims"] = result["summary"]["prevalence"]
            out["checksum"] = sum(p["count"] * (i + 1) for i, p in enumerate(result["persons"][:1000]))  # the same order both ways
    elif what == "victim_focus":
        import datetime as dt

        from rocc.events.pseudonym import person_key
        from rocc.events.selectors import victim_focus_for
        from rocc.org.scope import Scope

        rng = np.random.default_rng(7)
        asked = [f"PRN-{v}" for v in rng.integers(0, 2_000_000, 1000)] + [f"PRN-X{v}" for v in rng.integers(0, 10**9, 1000)]
        national = Scope(role="analyst", unit_paths=("/nz/",), agency_id=None)
        for identifier in asked[:50]:
            victim_focus_for(person_key(identifier), scope=national, as_of=dt.date(2024, 12, 1))
        times = []
        for identifier in asked:
            begun = time.perf_counter()
            victim_focus_for(person_key(identifier), scope=national, as_of=dt.date(2024, 12, 1))
            times.append(time.perf_counter() - begun)
        out["p50_ms"] = float(np.percentile(times, 50) * 1000)
        out["p99_ms"] = float(np.percentile(times, 99) * 1000)
    out["seconds"] = time.perf_counter() - started
    out["peak_mb"] = peak_mb()
    return out


def _run_child(*arguments: str) -> dict:
    env = {**os.environ, **ENV}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, __file__, "--child", *arguments], env=env, capture_output=True, text=True, cwd=Path(__file__).parent)
    if done.returncode:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--checkpoints", default="1,2,5,10")
    parser.add_argument("--old-until", type=int, default=2)
    parser.add_argument("--measures", help="only these measures, comma-separated (e.g. analysis:repeat_victims:nz:all)")
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_import(int(rest[0]), int(rest[1])) if kind == "import" else child_measure(rest[0])
        print(json.dumps(result))
        return

    shutil.rmtree(DATA, ignore_errors=True)
    env = {**os.environ, **ENV}
    env.pop("DATABASE_URL", None)
    for command in (["migrate"], ["load-defaults"]):
        subprocess.run([sys.executable, "-m", "rocc.cli", *command], env=env, check=True, capture_output=True)
    checkpoints = {int(c) for c in args.checkpoints.split(",")}
    print(f"batches of {args.batch:,} events; checkpoints at {sorted(checkpoints)} batches", flush=True)
    for number in range(1, args.batches + 1):
        imported = _run_child("import", str(number), str(args.batch))
        print(
            f"batch {number}: import {imported['seconds']:.1f} s (index {imported['index_s']:.1f} s), peak {imported['peak_mb']:.0f} MB, "
            f"{imported['events']:,} events, {imported['persons']:,} persons; store {number * args.batch:,} events",
            flush=True,
        )
        if number not in checkpoints:
            continue
        measures = ["sweep", "events_rolling", "count", "victim_focus", "analysis:hot_times:waitemata", "analysis:hotspots:waitemata", "analysis:hot_times:nz"]
        measures += ["analysis:hotspots:waitemata:frame", "analysis:hotspots:nz", "analysis:hotspots:nz:frame"]
        measures += ["analysis:hotspots:nz:all", "analysis:hotspots:nz:all:frame"]
        measures += ["analysis:repeat_victims:nz", "analysis:repeat_victims:nz:frame", "analysis:repeat_victims:nz:all", "analysis:repeat_victims:nz:all:frame"]
        if number <= args.old_until:
            measures += ["old", "whole_frame"]
        if args.measures:
            measures = args.measures.split(",")
        for what in measures:
            got = _run_child("measure", what)
            extra = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in got.items() if k not in {"seconds", "peak_mb"})
            print(f"  at {number * args.batch:,} events, {what}: {got['seconds']:.2f} s, peak {got['peak_mb']:.0f} MB ({extra})", flush=True)


if __name__ == "__main__":
    main()
