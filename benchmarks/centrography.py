"""Timing of centre, spread and direction (mean centre, standard distance, standard deviational ellipse) by group and
month on a million events, against the direct formulas, side by side in one run, with the answers compared.

Run: .venv/bin/python benchmarks/centrography.py [--events 1000000] [--seed 20261121]

No maintained Python package gives CrimeStat's standard deviational ellipse (with its √2 and N − 2), so the peer is
the direct formula: CrimeStat's sums written out with numpy for each group and month in a Python loop over the
groups (the way an analyst would write it in a notebook), and the pure-Python oracle of the tests on a sample.
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np
import pandas as pd

from rocc.analysis.centrography import centre_and_spread
from rocc.analysis.tests.test_centrography import oracle


def synthetic(n: int, *, seed: int):
    rng = np.random.default_rng(seed)
    groups = rng.choice([f"offence {k}" for k in range(10)], n)
    centres = {g: rng.uniform(1_740_000, 1_780_000, 2) for g in np.unique(groups)}
    angle = rng.uniform(0, math.pi, n)
    along, across = rng.normal(0, 2500, n), rng.normal(0, 800, n)
    xs = np.array([centres[g][0] for g in groups]) + along * np.cos(angle[0]) - across * np.sin(angle[0])
    ys = np.array([centres[g][1] for g in groups]) + along * np.sin(angle[0]) + across * np.cos(angle[0])
    dates = np.datetime64("2024-01-01") + rng.integers(0, 366, n).astype("timedelta64[D]")
    return xs, ys, groups, dates


def direct(xs, ys, groups, dates):
    """CrimeStat's sums with numpy, one group × month at a time."""
    frame = pd.DataFrame({"x": xs, "y": ys, "g": groups, "m": pd.Series(dates).dt.strftime("%Y-%m")})
    out = {}
    for key, part in frame.groupby(["g", "m"]):
        x, y = part["x"].to_numpy(), part["y"].to_numpy()
        n = len(x)
        dx, dy = x - x.mean(), y - y.mean()
        sxx, syy, sxy = (dx * dx).sum(), (dy * dy).sum(), (dx * dy).sum()
        theta = math.atan(((sxx - syy) + math.sqrt((sxx - syy) ** 2 + 4 * sxy**2)) / (2 * sxy))
        sx = math.sqrt(2 * ((dx * math.cos(theta) - dy * math.sin(theta)) ** 2).sum() / (n - 2))
        sy = math.sqrt(2 * ((dx * math.sin(theta) + dy * math.cos(theta)) ** 2).sum() / (n - 2))
        out[key] = (x.mean(), y.mean(), math.sqrt((sxx + syy) / (n - 2)), sx, sy)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}")
    xs, ys, groups, dates = synthetic(args.events, seed=args.seed)
    start = time.perf_counter()
    result = centre_and_spread(x=xs, y=ys, groups=groups, dates=dates, period="month")
    t_rocc = time.perf_counter() - start
    start = time.perf_counter()
    peer = direct(xs, ys, groups, dates)
    t_direct = time.perf_counter() - start
    worst = 0.0
    for row in result.rows:
        if row.group != "all" and row.period != "all":
            mx, my, sdd, sx, sy = peer[(row.group, row.period)]
            for a, b in ((row.mean_x, mx), (row.mean_y, my), (row.standard_distance, sdd), (row.ellipse_sx, sx), (row.ellipse_sy, sy)):
                worst = max(worst, abs(a - b) / max(abs(b), 1.0))
    print(
        f"{args.events:,} events, {len(result.rows)} rows (10 groups × 12 months, each group, each month, all): "
        f"rocc {t_rocc:.2f} s, direct numpy per group × month {t_direct:.2f} s, ratio {t_direct / t_rocc:.1f}×, largest relative difference {worst:.1e}"
    )
    sample = 2_000
    start = time.perf_counter()
    oracle(list(xs[:sample]), list(ys[:sample]))
    t_oracle = time.perf_counter() - start
    start = time.perf_counter()
    centre_and_spread(x=xs[:sample], y=ys[:sample])
    t_small = time.perf_counter() - start
    print(f"{sample:,} events, one row: rocc {t_small * 1000:.1f} ms, pure-Python oracle {t_oracle * 1000:.0f} ms, ratio {t_oracle / t_small:.0f}×")


if __name__ == "__main__":
    main()
