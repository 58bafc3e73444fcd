"""Benchmark: name a target and check it against every other target for deconfliction, with 200,000 targets on record.

Run: .venv/bin/python benchmarks/deconfliction.py [--targets 200000] [--checks 300] [--seed 20261121]
What is timed: `rocc.tasking.services.deconfliction.deconflict` for a new person, group and place target (the database lookups by
person key, folded group name and NZTM bounding box, then the exact distance). The baseline is the straightforward
way: load every target and compare in Python. Uses SQLite in a throw-away data directory under /tmp.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200_000)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    data = Path("/tmp/rocc-bench-deconfliction")
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ROCC_DATA_DIR"] = str(data)
    for command in (["migrate"], ["load-defaults"]):
        subprocess.run([sys.executable, "-m", "rocc.cli", *command], env=env, check=True, capture_output=True)
    os.environ.update({"ROCC_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "rocc.settings"})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    import numpy as np
    from django.utils import timezone

    from rocc.events.pseudonym import person_key
    from rocc.org.models import OrgUnit
    from rocc.org.services import user_create
    from rocc.tasking.models import Target
    from rocc.tasking.services.deconfliction import deconflict
    from rocc.tasking.services.products import product_receive

    rng = np.random.default_rng(args.seed)
    owners = [
        user_create(username=f"analyst-{code}", password="bench-password-that-is-long-42", role="analyst", units=[OrgUnit.objects.get(code=code)]).user
        for code in ("waitemata", "canterbury", "wellington", "southern")
    ]
    products = [
        product_receive(
            actor=owner,
            kind="district_insights",
            title=f"Product {i}",
            summary="Benchmark.",
            handling_caveat="IN-CONFIDENCE",
            product_date=timezone.localdate(),
            source_unit=owner.profile.units.first(),
        )
        for i, owner in enumerate(owners)
    ]
    now = timezone.now()
    kinds = rng.choice(["person", "group", "place"], size=args.targets, p=[0.5, 0.1, 0.4])
    people = rng.integers(0, args.targets, size=args.targets)
    groups = rng.integers(0, 2_000, size=args.targets)
    xs = rng.uniform(1_090_000, 2_090_000, size=args.targets)
    ys = rng.uniform(4_750_000, 6_200_000, size=args.targets)
    started = time.perf_counter()
    rows = []
    for i, kind in enumerate(kinds):
        values = {"kind": kind, "product": products[i % len(products)], "added_by": owners[0], "added_at": now}
        if kind == "person":
            values["person_key"] = person_key(f"PRN-{people[i]}")
        elif kind == "group":
            values.update(group_name=f"Group {groups[i]}", group_folded=f"group {groups[i]}")
        else:
            values.update(x=float(xs[i]), y=float(ys[i]))
        rows.append(Target(**values))
    Target.objects.bulk_create(rows, batch_size=5_000)
    print(f"{args.targets:,} targets on record ({time.perf_counter() - started:.1f} s to create)")

    def new_target(kind: str, i: int) -> Target:
        values = {"kind": kind, "product": products[(i + 1) % len(products)], "added_by": owners[1], "added_at": now}
        if kind == "person":
            values["person_key"] = person_key(f"PRN-{rng.integers(0, args.targets)}")
        elif kind == "group":
            name = f"Group {rng.integers(0, 2_000)}"
            values.update(group_name=name)
        else:
            values.update(x=float(rng.uniform(1_090_000, 2_090_000)), y=float(rng.uniform(4_750_000, 6_200_000)))
        return Target.objects.create(**values)

    def naive(target: Target, distance_m: float = 250.0) -> int:
        found = 0
        for other in Target.objects.exclude(pk=target.pk).values_list("kind", "person_key", "group_folded", "x", "y"):
            kind, key, folded, x, y = other
            if kind != target.kind:
                continue
            if (kind == "person" and key == target.person_key) or (kind == "group" and folded == target.group_folded):
                found += 1
            elif kind == "place" and math.hypot(x - target.x, y - target.y) <= distance_m:
                found += 1
        return found

    print(f"{'target':<8} {'p50 ms':>8} {'p99 ms':>8} {'naive p50 ms':>13} {'ratio':>7}")
    for kind in ("person", "group", "place"):
        timings, baseline = [], []
        for i in range(args.checks):
            target = new_target(kind, i)
            started = time.perf_counter()
            deconflict(target)
            timings.append(time.perf_counter() - started)
            if i < 5:
                started = time.perf_counter()
                naive(target)
                baseline.append(time.perf_counter() - started)
        p50, p99 = statistics.median(timings) * 1000, float(np.percentile(timings, 99)) * 1000
        naive_p50 = statistics.median(baseline) * 1000
        print(f"{kind:<8} {p50:8.2f} {p99:8.2f} {naive_p50:13.1f} {naive_p50 / p50:6.0f}×")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
