"""Benchmark of the near-repeat Knox test on seeded, clustered synthetic burglaries.

Run: .venv/bin/python benchmarks/near_repeat.py            (every case, each in a fresh process)
     .venv/bin/python benchmarks/near_repeat.py --case 20000 --permutations 999   (one case, in this process)

Each case reports the wall time of the analysis (numba already compiled: the compile time is
measured separately, in a process with an empty numba cache), and the peak resident memory of
the process (ru_maxrss), next to the resident memory once the libraries are loaded and compiled.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

AREA_METRES = 20_000.0
PERIOD_DAYS = 730
DISTANCE_BANDS = (0, 100, 200, 300, 400, 500, float("inf"))
DAY_BANDS = (0, 7, 14, 21, 28, 35, float("inf"))
# (events, permutations): the first two are the sizes of the published baselines (the R package
# NearRepeat: 5,000 x 999 in about 40 minutes; the Near Repeat Calculator: 12,334 x 99 in about
# 9 minutes); then the targets, 20,000 x 999 (under 5 s, under 500 MB) and 100,000 (under a minute).
CASES = ((5_000, 999), (12_334, 99), (20_000, 999), (100_000, 999))


def clustered_events(n: int, *, seed: int = 20261121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n events over a 20 km x 20 km area and two years: 60% background (denser towards a few
    town centres) and 40% near-repeat chains (follow-ups within a few hundred metres and weeks)."""
    rng = np.random.default_rng(seed)
    n_background = int(n * 0.6)
    centres = rng.uniform(2_000, AREA_METRES - 2_000, size=(8, 2))
    from_centre = rng.random(n_background) < 0.5
    x = rng.uniform(0, AREA_METRES, n_background)
    y = rng.uniform(0, AREA_METRES, n_background)
    pick = rng.integers(0, len(centres), from_centre.sum())
    x[from_centre] = centres[pick, 0] + rng.normal(0, 1_500, from_centre.sum())
    y[from_centre] = centres[pick, 1] + rng.normal(0, 1_500, from_centre.sum())
    day = rng.integers(0, PERIOD_DAYS, n_background)

    xs, ys, days = [x], [y], [day]
    remaining = n - n_background
    while remaining > 0:
        size = min(remaining, 1 + rng.poisson(3))
        ox, oy, od = rng.uniform(0, AREA_METRES, 2).tolist() + [int(rng.integers(0, PERIOD_DAYS))]
        xs.append(ox + rng.normal(0, 150, size))
        ys.append(oy + rng.normal(0, 150, size))
        days.append(np.minimum(od + rng.exponential(6, size).astype(np.int64), PERIOD_DAYS - 1))
        remaining -= size
    dates = np.datetime64("2024-01-01") + np.concatenate(days).astype("timedelta64[D]")
    return np.concatenate(xs), np.concatenate(ys), dates


def run_case(n: int, permutations: int) -> dict:
    from rocc.analysis import near_repeat
    from rocc.analysis.near_repeat import near_repeat_knox

    x, y, dates = clustered_events(n)
    started = time.perf_counter()
    # Loads the compiled kernels from numba's cache (or compiles them on a first run): once on one
    # core and once, by lowering the threshold for this small run, in parallel.
    small = clustered_events(200, seed=1)
    threshold = near_repeat._PARALLEL_WORK
    for near_repeat._PARALLEL_WORK in (threshold, 0):
        near_repeat_knox(x=small[0], y=small[1], dates=small[2], distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, permutations=9, seed=1)
    near_repeat._PARALLEL_WORK = threshold
    warm_up = time.perf_counter() - started
    ready_rss = _rss_now_mb()

    started = time.perf_counter()
    result = near_repeat_knox(x=x, y=y, dates=dates, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, permutations=permutations, seed=7)
    seconds = time.perf_counter() - started
    near_pairs = int(result.observed[:-1].sum())
    return {
        "events": n,
        "permutations": permutations,
        "seconds": round(seconds, 2),
        "warm_up_seconds": round(warm_up, 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "rss_after_warm_up_mb": round(ready_rss, 1),
        "pairs_within_500m": near_pairs,
        "summary": result.summary,
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _in_fresh_process(n: int, permutations: int, env: dict | None = None) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--case", str(n), "--permutations", str(permutations)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", type=int, help="run one case of this many events in this process")
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.permutations)))
        return

    with tempfile.TemporaryDirectory() as cache:
        cold = _in_fresh_process(200, 9, env={**os.environ, "NUMBA_CACHE_DIR": cache})
    print(f"numba compile time (empty cache): {cold['warm_up_seconds']} s; loading from the cache: {_in_fresh_process(200, 9)['warm_up_seconds']} s")
    print(f"bands: distance {DISTANCE_BANDS} m, days {DAY_BANDS}; machine: {os.cpu_count()} cores")
    for n, permutations in CASES:
        figures = _in_fresh_process(n, permutations)
        print(
            f"{n:>7,} events x {permutations} permutations: {figures['seconds']:6.2f} s, "
            f"peak RSS {figures['peak_rss_mb']:.0f} MB (after imports and warm-up {figures['rss_after_warm_up_mb']:.0f} MB), "
            f"{figures['pairs_within_500m']:,} pairs within 500 m"
        )


if __name__ == "__main__":
    main()
