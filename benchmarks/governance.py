"""Benchmark: generating a national quarter's governance report pack (PDF and Excel), internal and public.

Run: .venv/bin/python benchmarks/governance.py [--indicators 20] [--years 5] [--repeat 3]

What is measured: on the shipped content (framework, Year Two plan, the shipped indicators and their figures) plus a
busy quarter (a progress update on every activity, three milestones each, 24 barriers, 40 initiatives) and
``--indicators`` synthetic indicators with ``--years`` of monthly figures in every district and a national target
(about a third of them off track), the worker's whole job is timed: gathering every section through the selectors,
the off-track curves, drawing the PDF and writing the workbook, for the national unit and the last complete quarter,
once for the internal audience and once for the public one. Target: under 10 s. Uses SQLite in a throw-away data
directory under /tmp (``--postgres URL`` runs it on PostgreSQL instead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--postgres", default="", help="a DATABASE_URL to run on PostgreSQL")
    args = parser.parse_args()
    data = Path("/tmp/rocc-bench-governance" + ("-postgres" if args.postgres else ""))
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    env["ROCC_DATA_DIR"] = str(data)
    subprocess.run([sys.executable, "-m", "rocc.cli", "migrate"], env=env, check=True, capture_output=True)
    os.environ.update({"ROCC_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "rocc.settings"})
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    import numpy as np
    from content import benchmark_indicator
    from django.db import connection
    from django.utils import timezone

    from rocc.governance.models import ReportPack
    from rocc.governance.periods import last_complete_quarter
    from rocc.governance.services import pack_generate
    from rocc.measures.models import BaselineKind, TargetKind
    from rocc.measures.periods import add_months, month_end
    from rocc.measures.services import ObservationInput, measures_defaults_load, observations_record_many, statuses_recompute, target_set
    from rocc.org.models import OrgUnit
    from rocc.org.services import defaults_load, user_create
    from rocc.strategy.models import Activity
    from rocc.strategy.services.frameworks import activity_status_update, milestone_add, milestone_complete, strategy_defaults_load
    from rocc.strategy.services.register import barrier_escalate, barrier_raise, barrier_respond, initiative_save

    started = time.perf_counter()
    defaults_load()
    strategy_defaults_load()
    measures_defaults_load()
    rng = np.random.default_rng(args.seed)
    manager = user_create(username="bench-pm", password="bench-password-1234", role="programme_manager", units=[]).user
    nz = OrgUnit.objects.get(code="nz")
    districts = list(OrgUnit.objects.filter(level="district"))
    quarter = last_complete_quarter(timezone.localdate())
    statuses = ["on_track", "at_risk", "off_track", "not_started"]
    for n, activity in enumerate(Activity.objects.filter(plan__code="rocc-year-2").order_by("number")):
        activity_status_update(
            user=manager,
            activity=activity,
            version=activity.version,
            status=statuses[n % 4],
            narrative=f"Quarter's progress for activity {activity.number}: hui with whānau, hapū and iwi; next steps agreed with partner agencies.",
            evidence_links=[f"https://example.org/evidence/{activity.number}/{k}" for k in range(2)],
            date=quarter.end - dt.timedelta(days=n),
        )
        for k in range(3):
            milestone = milestone_add(
                user=manager,
                activity=activity,
                title=f"Milestone {k + 1} of activity {activity.number}",
                due_date=quarter.start + dt.timedelta(days=20 * k + n),
            )
            if k == 0:
                milestone_complete(user=manager, milestone=milestone, done_date=milestone.due_date)
    for n in range(24):
        barrier = barrier_raise(
            user=manager, unit=districts[n % len(districts)], severity=1 + n % 4, title=f"Barrier {n + 1}", description="A systemic barrier met by the region."
        )
        barrier_escalate(user=manager, barrier=barrier)
        if n % 2:
            barrier_respond(user=manager, barrier=barrier, response="The centre's answer: a national agreement is being drafted.")
    for n in range(40):
        initiative_save(
            user=manager,
            name=f"Initiative {n + 1}",
            provider="Provider",
            unit=districts[n % len(districts)],
            focus_area=["SUPPLY", "DEMAND", "RESILIENCE", "ENABLE"][n % 4],
        )
    first = add_months(dt.date(quarter.end.year - args.years, quarter.end.month, 1), 1)
    months = [add_months(first, i) for i in range(12 * args.years)]
    for n in range(args.indicators):
        indicator = benchmark_indicator(n, polarity="lower", data_source="Synthetic")
        rising = n % 3 == 0
        observations_record_many(
            items=[
                ObservationInput(
                    indicator=indicator,
                    unit=unit,
                    period_start=m,
                    period_end=month_end(m),
                    numerator=float(rng.poisson((4 if d == 0 else 60) * (1 + (0.01 * i if rising else -0.003 * i)))),
                )
                for d, unit in enumerate(districts)
                for i, m in enumerate(months)
            ],
            source="import",
        )
        target_set(
            user=None,
            indicator=indicator,
            unit=nz,
            period_type="month",
            baseline_kind=BaselineKind.FIXED_PERIOD,
            baseline_period_end=month_end(months[0]),
            baseline_label="the first month",
            target_kind=TargetKind.CHANGE,
            target_change_percent=-20,
            target_date=month_end(add_months(months[-1], 12)),
        )
    statuses_recompute()
    setup = time.perf_counter() - started

    print(
        f"{dt.date.today()} · {os.cpu_count()} cores · {platform.processor() or platform.machine()} · Python {platform.python_version()} · {connection.vendor}"
    )
    print(f"setup (shipped content + synthetic quarter): {setup:.1f} s; period {quarter.label}; load average {os.getloadavg()[0]:.1f}")
    for audience in ("internal", "public"):
        times, cpu = [], []
        for _ in range(args.repeat):
            pack = ReportPack.objects.create(
                unit=nz, period_start=quarter.start, period_end=quarter.end, period_label=quarter.label, audience=audience, requested_by=manager
            )
            t, c = time.perf_counter(), time.process_time()
            pack = pack_generate(pack_id=pack.pk)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert pack.status == "done", pack.error
        pdf = ReportPack.objects.filter(pk=pack.pk).values_list("pdf", "xlsx").get()
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(bytes(pdf[0]))).pages)
        print(
            f"{audience}: best {min(times):.2f} s wall ({min(cpu):.2f} s CPU), runs {', '.join(f'{t:.2f}' for t in times)} s · load {os.getloadavg()[0]:.1f} · {pages} pages, PDF {len(pdf[0]) / 1024:.0f} KB, "
            f"Excel {len(pdf[1]) / 1024:.0f} KB · {pack.summary} · target < 10 s: {'met' if min(times) < 10 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
