"""Emerging hot spots side by side with their peers in one run, on the same space–time cube: rocc's Gi* of each
bin against PySAL's esda (``G_Local``, star, binary queen weights with the cell itself, one slice at a time: the
neighbourhood time step 0) and against the direct formula over an explicit space–time weights matrix (each bin's
3×3 block in its slice and the slice before: time step 1, the GIS tools' default), with the agreement of every
z-score; and the whole analysis (cube, Gi*, Mann–Kendall per cell, patterns) as the page runs it.

Run: .venv/bin/python benchmarks/emerging_hotspots.py [--events 40000] [--size 100] [--slices 26] [--seed 20261202]

esda and libpysal come from the `bench` extra (pip install -e '.[bench]'); without them the esda row is left out.
Timings are the best of --repeats runs (1 unless told), each from the same data.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
from scipy import sparse, stats

from rocc.analysis.emerging_hotspots import emerging_hotspots, space_time_gi_star

warnings.filterwarnings("ignore")


def best(repeats: int, call):
    times = []
    value = None
    for _ in range(repeats):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return min(times), value


def events(args):
    """A year of burglaries over a square of ``size`` × 100 m cells: a background everywhere, a hot spot all year
    in the south-west, one that appears in the last third in the north-east, one that fades in the north-west."""
    rng = np.random.default_rng(args.seed)
    side = args.size * 100.0
    days = args.slices * 14
    n = args.events
    background = n // 2
    xs = [rng.uniform(0, side, background)]
    ys = [rng.uniform(0, side, background)]
    ds = [rng.integers(0, days, background)]
    for (cx, cy), share, (first, last) in (((0.2, 0.2), 0.2, (0, days)), ((0.8, 0.8), 0.15, (2 * days // 3, days)), ((0.2, 0.8), 0.15, (0, days // 3))):
        k = int(n * share)
        xs.append(rng.normal(cx * side, side / 40, k).clip(0, side - 1))
        ys.append(rng.normal(cy * side, side / 40, k).clip(0, side - 1))
        ds.append(rng.integers(first, last, k))
    dates = np.datetime64("2025-01-06") + np.concatenate(ds).astype("timedelta64[D]")
    return np.concatenate(xs), np.concatenate(ys), dates


def cube_of(x, y, dates, args) -> np.ndarray:
    day = (dates - np.datetime64("2025-01-06")).astype(np.int64)
    cube = np.zeros((args.slices, args.size, args.size))
    np.add.at(cube, (day // 14, (y // 100).astype(int), (x // 100).astype(int)), 1.0)
    return cube


def space_time_weights(slices: int, rows: int, cols: int, time_step: int) -> sparse.csr_matrix:
    """The binary space–time weights written out: bin (t, r, c) neighbours every (s, r', c') with t − time_step ≤ s ≤ t
    and |r − r'| ≤ 1, |c − c'| ≤ 1, itself included."""
    t, r, c = np.meshgrid(np.arange(slices), np.arange(rows), np.arange(cols), indexing="ij")
    t, r, c = t.ravel(), r.ravel(), c.ravel()
    sources, targets = [], []
    for dt in range(0, time_step + 1):
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                tt, rr, cc = t - dt, r + dr, c + dc
                inside = (tt >= 0) & (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
                sources.append(((t * rows + r) * cols + c)[inside])
                targets.append(((tt * rows + rr) * cols + cc)[inside])
    i, j = np.concatenate(sources), np.concatenate(targets)
    n = slices * rows * cols
    return sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))


def direct_gi_star(cube: np.ndarray, w: sparse.csr_matrix) -> np.ndarray:
    """Gi* by the textbook formula over the whole cube: (Σⱼ wᵢⱼxⱼ − x̄ Wᵢ) / (S √[(n Wᵢ − Wᵢ²)/(n − 1)])."""
    x = cube.ravel()
    n = x.size
    wi = np.asarray(w.sum(axis=1)).ravel()
    z = (w @ x - x.mean() * wi) / (x.std() * np.sqrt((n * wi - wi**2) / (n - 1)))
    return z.reshape(cube.shape)


def esda_per_slice(cube: np.ndarray):
    import esda
    from libpysal.weights import lat2W

    slices, rows, cols = cube.shape
    w = lat2W(rows, cols, rook=False)
    z = np.empty_like(cube)
    for k in range(slices):
        g = esda.G_Local(cube[k].ravel(), w, transform="B", permutations=0, star=True)
        z[k] = np.asarray(g.Zs).reshape(rows, cols)
    return z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--size", type=int, default=100, help="Cells along each side (100 m cells).")
    parser.add_argument("--slices", type=int, default=26, help="Fortnightly slices.")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    try:
        import esda
        import libpysal

        peers = f"esda {esda.__version__}, libpysal {libpysal.__version__}"
    except ImportError:
        esda = None
        peers = "esda not installed"
    x, y, dates = events(args)
    cube = cube_of(x, y, dates, args)
    bins = cube.size
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; {peers}")
    print(f"{len(x):,} events, {args.size} × {args.size} cells of 100 m × {args.slices} fortnightly slices = {bins:,} bins")
    print("| step | rocc | peer | ratio | agreement (largest absolute difference of z) |")
    print("|---|---|---|---|---|")

    t_ours1, (z_ours1, _) = best(args.repeats, lambda: space_time_gi_star(cube, time_step=1))
    t_w, w = best(args.repeats, lambda: space_time_weights(*cube.shape, time_step=1))
    t_direct, z_direct = best(args.repeats, lambda: direct_gi_star(cube, w))
    diff1 = float(np.nanmax(np.abs(z_ours1 - z_direct)))
    print(
        f"| Gi* of every bin, time step 1 (this slice and the one before) | {t_ours1:.3f} s | direct formula, explicit sparse weights: "
        f"{t_w + t_direct:.3f} s ({t_w:.3f} s to build them) | {(t_w + t_direct) / t_ours1:.1f}× | {diff1:.1e} |",
        flush=True,
    )
    t_ours0, (z_ours0, _) = best(args.repeats, lambda: space_time_gi_star(cube, time_step=0))
    if esda is not None:
        t_esda, z_esda = best(args.repeats, lambda: esda_per_slice(cube))
        diff0 = float(np.nanmax(np.abs(z_ours0 - z_esda)))
        print(
            f"| Gi* of every bin, time step 0 (each slice alone) | {t_ours0:.3f} s | esda `G_Local` (star, binary) per slice: {t_esda:.3f} s "
            f"| {t_esda / t_ours0:.1f}× | {diff0:.1e} |",
            flush=True,
        )
    t_all, result = best(
        args.repeats,
        lambda: emerging_hotspots(x=x, y=y, dates=dates, cell=100.0, slice_days=14, start="2025-01-06", extent=(0, 0, args.size * 100.0, args.size * 100.0)),
    )
    found = ", ".join(f"{v} {k}" for k, v in result.counts.items() if v and k != "no pattern")
    print(f"| the whole analysis, time step 1 (cube, Gi*, Mann–Kendall per cell, patterns) | {t_all:.3f} s | — | — | {found} |")
    ours_significant = int((np.nan_to_num(2 * stats.norm.sf(np.abs(z_ours1)), nan=1.0) <= 0.05).sum())
    direct_significant = int((np.nan_to_num(2 * stats.norm.sf(np.abs(z_direct)), nan=1.0) <= 0.05).sum())
    print(f"(bins significant at p ≤ 0.05 with time step 1: rocc {ours_significant:,}, direct formula {direct_significant:,})")


if __name__ == "__main__":
    main()
