"""Benchmark: import a million events from a CSV extract, with every row validated and every person
identifier pseudonymised, through the same service the command line and the web use.

Run: .venv/bin/python benchmarks/events_import.py [--events 1000000] [--seed 20261121]
Target: under 60 s on a 2-core machine. The file and a throw-away data directory go under /tmp.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from generate_events import MAPPING, import_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    data = Path("/tmp/rocc-bench-events-import")
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_PSEUDONYM_KEY"}}
    env["ROCC_DATA_DIR"] = str(data)
    for command in (["migrate"], ["load-defaults"]):
        subprocess.run([sys.executable, "-m", "rocc.cli", *command], env=env, check=True, capture_output=True)
    extract = import_file(Path(f"/tmp/rocc-bench-events-{args.events}.csv"), args.events, args.seed)
    print(f"{args.events:,} events, {extract.stat().st_size / 1e6:.0f} MB CSV")

    os.environ.update({"ROCC_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "rocc.settings"})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from rocc.events.services import events_import, source_save

    source = source_save(user=None, mapping=MAPPING)
    stages: list[tuple[float, str]] = []
    started = time.perf_counter()
    batch = events_import(user=None, source=source, path=extract, progress=lambda p, stage: stages.append((time.perf_counter() - started, stage)))
    elapsed = time.perf_counter() - started
    for (at, stage), (following, _) in zip(stages, stages[1:] + [(elapsed, "")]):
        if following - at > 0.05:
            print(f"  {stage:<28} {following - at:6.1f} s")
    print(f"status {batch.status}: {batch.message}")
    print(f"import of {batch.rows_imported:,} events with {batch.persons_imported:,} persons: {elapsed:.1f} s (target < 60 s)")
    extract.unlink()
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
