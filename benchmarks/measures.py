"""Benchmark: the national scorecard over 30 indicators × 13 units × 10 years of monthly figures, and recomputing every status.

Run: .venv/bin/python benchmarks/measures.py [--indicators 30] [--years 10] [--repeat 5] [--seed 20261121]
What is timed: (1) `rocc.measures.services.statuses_recompute` for every indicator in the national unit and the 12
districts (series built from the monthly district figures, national from summed numerators and denominators, rolling
years ended, glide paths, exact Poisson intervals, Poisson trend); (2) the national scorecard page
(GET /measures/scorecard/ through Django's test client as a viewer, so disclosure control runs on every cell), server
time only. Targets: scorecard < 300 ms, recompute < 2 s. Uses SQLite in a throw-away data directory under /tmp.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    data = Path("/tmp/rocc-bench-measures")
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ROCC_DATA_DIR"] = str(data)
    subprocess.run([sys.executable, "-m", "rocc.cli", "migrate"], env=env, check=True, capture_output=True)
    os.environ.update({"ROCC_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "rocc.settings"})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    import numpy as np
    from content import benchmark_indicator
    from django.test import Client

    from rocc.measures.models import Indicator, Observation, StatusSnapshot
    from rocc.measures.periods import add_months, month_end
    from rocc.measures.services import ObservationInput, observations_record_many, statuses_recompute, target_set
    from rocc.org.models import OrgUnit
    from rocc.org.services import defaults_load, user_create

    defaults_load()
    rng = np.random.default_rng(args.seed)
    districts = list(OrgUnit.objects.filter(level="district"))
    units = [OrgUnit.objects.get(code="nz"), *districts]
    first = dt.date(2026 - args.years, 1, 1)
    months = [add_months(first, i) for i in range(12 * args.years)]
    started = time.perf_counter()
    for n in range(args.indicators):
        indicator = benchmark_indicator(n, polarity="lower" if n % 3 else "higher")
        items = []
        for d in districts:
            level = rng.uniform(3, 300)
            trend = rng.uniform(-0.004, 0.002)
            for i, start in enumerate(months):
                items.append(
                    ObservationInput(
                        indicator=indicator, unit=d, period_start=start, period_end=month_end(start), numerator=float(rng.poisson(level * np.exp(trend * i)))
                    )
                )
        observations_record_many(items=items, source="import")
        for unit in units:
            target_set(
                user=None,
                indicator=indicator,
                unit=unit,
                period_type="year_ended",
                baseline_kind="fixed_period",
                baseline_period_end=month_end(months[11]),
                baseline_label="first year",
                target_kind="change",
                target_change_percent=-10,
                target_date=month_end(months[-1]),
            )
    print(
        f"setup: {Indicator.objects.count()} indicators, {Observation.objects.count():,} monthly figures in {len(districts)} districts "
        f"({time.perf_counter() - started:.0f} s)"
    )

    recompute = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = statuses_recompute()
        recompute.append(time.perf_counter() - t)
    cells = result.cells
    print(
        f"recompute every status ({cells} cells): median {statistics.median(recompute):.2f} s, best {min(recompute):.2f} s "
        f"(target < 2 s) — statuses: {dict(StatusSnapshot.objects.values_list('status').annotate(n=django.db.models.Count('id')))}"
    )

    viewer = user_create(username="bench-viewer", password="bench-password-long-1", role="viewer", units=[districts[0]], agency=None).user
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    client.get("/measures/scorecard/")  # warm the template cache
    page = []
    for _ in range(max(args.repeat, 10)):
        t = time.perf_counter()
        response = client.get("/measures/scorecard/")
        page.append(time.perf_counter() - t)
        assert response.status_code == 200
    print(
        f"national scorecard page ({args.indicators} × {len(units)} cells, disclosure control on each): "
        f"median {statistics.median(page) * 1000:.0f} ms, best {min(page) * 1000:.0f} ms (target < 300 ms)"
    )

    curve = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        response = client.get("/measures/indicators/bench-00/?unit=nz&period_type=year_ended")
        curve.append(time.perf_counter() - t)
        assert response.status_code == 200
    print(f"turn-the-curve page, national rolling years from {len(districts) * len(months):,} district months: median {statistics.median(curve) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
