"""The spatial-statistics toolkit side by side with its peers in one run, on the same data: rocc's spatial
autocorrelation against PySAL's esda (Moran's I, General G, local Moran's I), its point patterns against PySAL's
pointpats (nearest-neighbour distances, Ripley's K with a simulated envelope), and its forecast accuracy against
the direct cell-by-cell count of the test suite, with the agreement of every figure.

Run: .venv/bin/python benchmarks/spatial_statistics.py [--rows 150] [--cols 150] [--permutations 999] [--seed 20261202]

The peers come from the `bench` extra (pip install -e '.[bench]'). Timings are the best of --repeats runs (1 unless told), each
run starting from the same data; numba functions are compiled (one warm-up call) before timing, on both sides.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np

from rocc.analysis.autocorrelation import general_g as rocc_g
from rocc.analysis.autocorrelation import global_moran as rocc_moran
from rocc.analysis.autocorrelation import grid_weights, local_moran_p, spatial_autocorrelation

warnings.filterwarnings("ignore")


def best(repeats: int, call):
    times = []
    value = None
    for _ in range(repeats):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return min(times), value


def clustered_counts(rows: int, cols: int, *, seed: int) -> np.ndarray:
    """Burglaries per cell: a Poisson background with a few smooth hot areas."""
    rng = np.random.default_rng(seed)
    r, c = np.mgrid[0:rows, 0:cols]
    intensity = np.full((rows, cols), 0.6)
    for _ in range(6):
        cr, cc, spread = rng.uniform(0, rows), rng.uniform(0, cols), rng.uniform(3, 12)
        intensity += 6 * np.exp(-((r - cr) ** 2 + (c - cc) ** 2) / (2 * spread**2))
    return rng.poisson(intensity).ravel().astype(float)


def autocorrelation(args) -> list[str]:
    import esda
    from libpysal.weights import lat2W

    counts = clustered_counts(args.rows, args.cols, seed=args.seed)
    n = counts.size
    ours = grid_weights(rows=args.rows, cols=args.cols, contiguity="queen")
    theirs = lat2W(args.rows, args.cols, rook=False)
    # lat2W numbers cells row by row, as the hot-spot grid does: the neighbour lists must be the same.
    assert all(sorted(theirs.neighbors[i]) == sorted(ours.matrix.indices[ours.matrix.indptr[i] : ours.matrix.indptr[i + 1]].tolist()) for i in range(n))
    theirs.transform = "r"
    small = clustered_counts(12, 12, seed=1)
    spatial_autocorrelation(values=small, weights=grid_weights(rows=12, cols=12), permutations=9, seed=1)
    esda.Moran_Local(small, lat2W(12, 12, rook=False), permutations=9, seed=1)

    lines = []
    t_moran, m = best(args.repeats, lambda: rocc_moran(values=counts, weights=ours, permutations=args.permutations, seed=1))
    t_moran_esda, em = best(args.repeats, lambda: esda.Moran(counts, theirs, permutations=args.permutations))
    lines.append(
        f"| global Moran's I, {args.permutations} permutations ({n:,} cells) | {t_moran:.3f} s | {t_moran_esda:.3f} s | {t_moran_esda / t_moran:.1f}× | "
        f"I {abs(m.statistic - em.I):.1e}, z_norm {abs(m.z_normal - em.z_norm):.1e}, z_rand {abs(m.z_randomisation - em.z_rand):.1e} |"
    )
    binary = lat2W(args.rows, args.cols, rook=False)
    binary.transform = "b"
    t_g, g = best(args.repeats, lambda: rocc_g(values=counts, weights=ours, permutations=args.permutations, seed=1))
    t_g_esda, eg = best(args.repeats, lambda: esda.G(counts, binary, permutations=args.permutations))
    lines.append(
        f"| General G, {args.permutations} permutations | {t_g:.3f} s | {t_g_esda:.3f} s | {t_g_esda / t_g:.1f}× | "
        f"G {abs(g.statistic - eg.G):.1e}, EG {abs(g.expected - eg.EG):.1e}, z {abs(g.z_normal - eg.z_norm):.1e} |"
    )
    t_all, result = best(args.repeats, lambda: spatial_autocorrelation(values=counts, weights=ours, permutations=args.permutations, seed=1))
    t_local_esda, lm = best(args.repeats, lambda: esda.Moran_Local(counts, theirs, permutations=args.permutations, seed=1))
    z = (counts - counts.mean()) / counts.std()
    t_local, _ = best(args.repeats, lambda: local_moran_p(z, ours.transformed("r"), permutations=args.permutations, rng=np.random.default_rng(1)))
    lines.append(
        f"| local Moran's I alone: conditional permutations ({args.permutations}) | {t_local:.3f} s | {t_local_esda:.3f} s (Moran_Local) | "
        f"{t_local_esda / t_local:.1f}× | — |"
    )
    quadrants = {"HH": 1, "LH": 2, "LL": 3, "HL": 4}
    same_quadrant = float(np.mean([quadrants[q] == e for q, e in zip(result.quadrant, lm.q, strict=True)]))
    agree = float(np.mean((result.local_p_sim <= 0.05) == (lm.p_sim <= 0.05)))
    lines.append(
        f"| local Moran's I, {args.permutations} conditional permutations (rocc: with Moran's I and General G and their permutations) | "
        f"{t_all:.3f} s | {t_local_esda:.3f} s (Moran_Local alone) | {t_local_esda / t_all:.1f}× | "
        f"I_i {np.abs(result.local_i - lm.Is).max():.1e}; quadrants {same_quadrant:.0%} the same; significant at 0.05 in both or neither: "
        f"{agree:.1%} (independent random draws) |"
    )
    return lines


def point_patterns(args) -> list[str]:
    from pointpats import PointPattern, k_test
    from pointpats.distance_statistics import k as pointpats_k

    from rocc.analysis.point_pattern import point_pattern, ripley_k

    rng = np.random.default_rng(args.seed)
    n = args.events
    x = np.r_[rng.normal(2000, 200, n // 2), rng.uniform(0, 5000, n - n // 2)]
    y = np.r_[rng.normal(2500, 300, n // 2), rng.uniform(0, 5000, n - n // 2)]
    coords = np.column_stack([x, y])
    area = (x.max() - x.min()) * (y.max() - y.min())
    steps = np.linspace(0, 1000, 21)[1:]
    ours = ripley_k(x=x, y=y, distances=steps, area=area)
    _, theirs = pointpats_k(coords, support=steps)
    # pointpats counts pairs closer than d over n² (rocc: at most d, over n(n − 1)); with these continuous
    # coordinates no pair sits exactly at a step, so the two differ by the factor n / (n − 1) alone.
    k_difference = float(np.max(np.abs(ours * (n - 1) / n - theirs) / theirs))
    nnd = PointPattern(coords).mean_nnd
    t_ours, result = best(args.repeats, lambda: point_pattern(x=x, y=y, distances=steps, simulations=99, seed=1, cell=100))
    t_theirs, _ = best(args.repeats, lambda: k_test(coords, support=steps, n_simulations=99))
    return [
        f"| point patterns: nearest-neighbour index, Ripley's K and L at 20 distances with a 99-pattern envelope, and the density "
        f"({n:,} events; pointpats: k_test with 99 simulations) | {t_ours:.3f} s | {t_theirs:.3f} s | {t_theirs / t_ours:.1f}× | "
        f"K {k_difference:.1e} (relative, after the n / (n − 1) convention); mean nearest-neighbour distance "
        f"{abs(result.nearest_neighbour['observed_mean_distance'] - nnd):.1e} m |"
    ]


def forecast(args) -> list[str]:
    from rocc.analysis.forecast_accuracy import forecast_accuracy
    from rocc.analysis.tests.test_forecast_accuracy import oracle_counts

    rng = np.random.default_rng(args.seed)
    n = args.events
    x = np.r_[rng.normal(2000, 300, n), rng.uniform(0, 10000, n)]
    y = np.r_[rng.normal(2500, 300, n), rng.uniform(0, 10000, n)]
    late = rng.random(2 * n) < 0.5
    dates = np.where(late, "2024-04-15", "2024-03-15")
    x, y = np.clip(x, 0, 9999.9), np.clip(y, 0, 9999.9)
    t_ours, result = best(
        args.repeats,
        lambda: forecast_accuracy(x=x, y=y, dates=dates, split="2024-04-01", cells=[100], methods=["counts"], shares=[0.05], extent=(0, 0, 10000, 10000)),
    )
    before = list(zip(x[~late].tolist(), y[~late].tolist(), strict=True))
    after = list(zip(x[late].tolist(), y[late].tolist(), strict=True))
    t_direct, expected = best(1, lambda: oracle_counts(before, after, cell=100, share=0.05, west=0, south=0, cols=100, rows=100))
    row = result.scores[0]
    t_all, _ = best(args.repeats, lambda: forecast_accuracy(x=x, y=y, dates=dates, split="2024-04-01", cells=[100, 250, 500], extent=(0, 0, 10000, 10000)))
    return [
        f"| forecast accuracy: PAI, PEI, RRI of a grid-count map, 100 m cells, 5% of the area ({2 * n:,} events, 10,000 cells) | {t_ours:.3f} s | "
        f"{t_direct:.3f} s (the cell-by-cell count in Python) | {t_direct / t_ours:.1f}× | PAI {abs(row['pai'] - expected[2]):.1e}, "
        f"PEI {abs(row['pei'] - expected[3]):.1e}, RRI {abs(row['rri'] - expected[4]):.1e} |",
        f"| … every method (counts, density, Gi*) × 3 cell sizes × 5 shares | {t_all:.3f} s | — | — | — |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=150)
    parser.add_argument("--cols", type=int, default=150)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--events", type=int, default=2000, help="Events for the point-pattern and forecast benchmarks.")
    args = parser.parse_args()
    import esda
    import libpysal
    import pointpats

    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}; "
        f"esda {esda.__version__}, libpysal {libpysal.__version__}, pointpats {pointpats.__version__}"
    )
    print("| analysis | rocc | peer | ratio | agreement (largest absolute difference) |")
    print("|---|---|---|---|---|")
    for section in (forecast, point_patterns, autocorrelation):
        for line in section(args):
            print(line, flush=True)


if __name__ == "__main__":
    main()
