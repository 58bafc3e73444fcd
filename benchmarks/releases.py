"""Benchmark: the weight of a public release's pages (what a visitor on a slow connection downloads) and the time to
freeze a release.

Run: .venv/bin/python benchmarks/releases.py [--indicators 30] [--years 10]

What is measured: a release of every indicator (30 by default, each with 10 years of monthly figures in the 12
districts and a national target) is frozen (timed: every curve nationally and by district through the public
disclosure gate); then an anonymous visitor's GET of the latest release's scorecard and of one indicator's page
(national, with its server-drawn SVG curve) through Django's test client, with every asset the page links to (its
stylesheet and icon). Bytes are given as served and gzip-compressed (level 6, what a web server in front sends).
Target: an indicator page under 300 KB transferred. Uses SQLite in a throw-away data directory under /tmp.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gzip
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--profile", action="store_true", help="print where freezing spends its time (cProfile, top 25)")
    args = parser.parse_args()
    data = Path("/tmp/rocc-bench-releases")
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
    from django.utils import timezone

    from rocc.measures.models import BaselineKind, TargetKind
    from rocc.measures.periods import add_months, month_end
    from rocc.measures.services import ObservationInput, observations_record_many, target_set
    from rocc.org.models import OrgUnit
    from rocc.org.services import defaults_load, user_create
    from rocc.releases.services import release_create, release_freeze, release_schedule

    defaults_load()
    rng = np.random.default_rng(args.seed)
    districts = list(OrgUnit.objects.filter(level="district"))
    nz = OrgUnit.objects.get(code="nz")
    first = dt.date(2026 - args.years, 1, 1)
    months = [add_months(first, i) for i in range(12 * args.years)]
    for n in range(args.indicators):
        indicator = benchmark_indicator(n, polarity="lower", data_source="Synthetic")
        items = [
            ObservationInput(indicator=indicator, unit=unit, period_start=m, period_end=month_end(m), numerator=float(rng.poisson(3 if i == 0 else 60)))
            for i, unit in enumerate(districts)
            for m in months
        ]
        observations_record_many(items=items, source="import")
        target_set(
            user=None,
            indicator=indicator,
            unit=nz,
            period_type="year_ended",
            baseline_kind=BaselineKind.FIXED_PERIOD,
            baseline_period_end=month_end(months[11]),
            baseline_label="the first year",
            target_kind=TargetKind.CHANGE,
            target_change_percent=-10,
            target_date=month_end(months[-1]),
        )
    manager = user_create(username="bench-manager", password="bench-password-123456", role="programme_manager", units=[]).user
    release = release_create(user=manager, title="Benchmark release", reference_date=month_end(months[-1]), planned_for=month_end(months[-1]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile() if args.profile else None
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        release_freeze(user=manager, release=release)
        if profiler:
            profiler.disable()
        frozen_seconds, frozen_cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    release.refresh_from_db()
    release_schedule(user=manager, release=release, go_live_at=timezone.now(), version=release.version)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"release of {args.indicators} indicators × {len(districts) + 1} units × {len(months)} months frozen in {frozen_seconds:.2f} s wall, {frozen_cpu:.2f} s CPU, {len(queries)} queries"
    )
    client = Client(HTTP_HOST="localhost")
    client.get("/public/calendar/")  # the URL map, templates and views load once per process: keep that out of the timings
    for label, url in [("scorecard", f"/public/releases/{release.slug}/"), ("indicator page", f"/public/releases/{release.slug}/indicators/bench-00/")]:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        server_ms = sorted(times)[1]  # the median of three
        assert response.status_code == 200, (url, response.status_code)
        html = response.content
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        scripts = re.findall(rb"<script", html)
        raw, compressed = len(html), len(gzip.compress(html, 6))
        for asset in assets:
            body = b"".join(client.get(asset.decode()).streaming_content)
            raw += len(body)
            compressed += len(gzip.compress(body, 6))
        verdict = f" (target < 300 KB: {'met' if compressed < 300 * 1024 else 'MISSED'})" if label == "indicator page" else ""
        print(
            f"{label}: HTML {len(html) / 1024:.1f} KB, with {len(assets)} assets {raw / 1024:.1f} KB served, "
            f"{compressed / 1024:.1f} KB gzip-compressed{verdict}; {len(scripts)} scripts; server time {server_ms:.0f} ms (median of 3)"
        )


if __name__ == "__main__":
    main()
