"""Timing of the space–time interaction tests (Jacquez, Mantel, near-repeat chains) against direct formulas, side by side
in one run on the same seeded events, with their answers compared.

Run: .venv/bin/python benchmarks/space_time.py [--events 20000] [--mantel-events 3000] [--seed 20261121]

No maintained Python package implements the Jacquez test or space–time chains, so the peers are the direct
formulas written with numpy/scipy as an analyst would: for Jacquez, the full n × n rank matrices in space and time
(numpy argsort), re-ranked in time for each permutation; for Mantel, scipy's condensed pair distances and
numpy's correlation per permutation (the way scikit-bio's mantel works); for chains, every pair's distance and
days (scipy pdist) and scipy's connected components.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import pdist, squareform
from scipy.stats import rankdata

from rocc.analysis.space_time import jacquez_knn, mantel_test, near_repeat_chains


def synthetic_burglaries(n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Burglaries over 20 km × 20 km and two years: 60 % background, 40 % follow-ups ~150 m and ~6 days after another."""
    rng = np.random.default_rng(seed)
    base = int(n * 0.6)
    xs, ys = rng.uniform(0, 20_000, base), rng.uniform(0, 20_000, base)
    days = rng.integers(0, 730, base)
    parents = rng.integers(0, base, n - base)
    xs = np.r_[xs, xs[parents] + rng.normal(0, 150, n - base)]
    ys = np.r_[ys, ys[parents] + rng.normal(0, 150, n - base)]
    days = np.r_[days, days[parents] + rng.integers(0, 12, n - base)]
    return xs, ys, days


def timed(run):
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def direct_jacquez(xs, ys, days, k_max, permutations, seed):
    """J_k from full rank matrices (ties by 'min' rank), re-ranking time for each permutation."""
    n = len(xs)
    space = squareform(pdist(np.column_stack([xs, ys])))
    np.fill_diagonal(space, np.inf)
    space_rank = rankdata(space, method="min", axis=1) - 1

    def j(d):
        apart = np.abs(d[:, None] - d[None, :]).astype(float)
        np.fill_diagonal(apart, np.inf)
        time_rank = rankdata(apart, method="min", axis=1) - 1
        both = np.maximum(space_rank, time_rank)
        return np.array([(both < k).sum() for k in range(1, k_max + 1)])

    observed = j(days)
    rng = np.random.default_rng(seed)
    draws = np.array([j(days[rng.permutation(n)]) for _ in range(permutations)])
    return observed, (1 + (draws >= observed).sum(axis=0)) / (permutations + 1)


def direct_mantel(xs, ys, days, permutations, seed):
    """Mantel's r with reciprocal distances from condensed pair vectors, np.corrcoef per permutation."""
    n = len(xs)
    f = 1 / (pdist(np.column_stack([xs, ys])) + 1)
    rng = np.random.default_rng(seed)

    def r(d):
        return np.corrcoef(f, 1 / (pdist(d.reshape(-1, 1).astype(float), "cityblock") + 1))[0, 1]

    observed = r(days)
    draws = np.array([r(days[rng.permutation(n)]) for _ in range(permutations)])
    return observed, (1 + (draws >= observed - 1e-12).sum()) / (permutations + 1)


def direct_chains(xs, ys, days, distance, max_days):
    """Every pair's Manhattan distance and days, linked pairs, and scipy's connected components."""
    n = len(xs)
    i, j = np.triu_indices(n, 1)
    near = (pdist(np.column_stack([xs, ys]), "cityblock") <= distance) & (pdist(days.reshape(-1, 1).astype(float), "cityblock") <= max_days)
    a, b = i[near], j[near]
    _, component = connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)
    sizes = np.bincount(component)
    return len(a), int(sizes[sizes >= 2].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--direct-events", type=int, default=1_500, help="events for the direct-formula Jacquez and chains (n × n matrices)")
    parser.add_argument("--mantel-events", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}")
    xs, ys, days = synthetic_burglaries(args.events, seed=args.seed)
    # Compile the kernels once so that the timings below are of the analyses, not of numba.
    mantel_test(x=xs[:50], y=ys[:50], dates=days[:50], permutations=2, seed=1)

    small = args.direct_events
    permutations = 49
    t_rocc, rocc = timed(lambda: jacquez_knn(x=xs[:small], y=ys[:small], dates=days[:small], k_max=10, permutations=permutations, seed=1))
    t_direct, (observed, p) = timed(lambda: direct_jacquez(xs[:small], ys[:small], days[:small], 10, permutations, 1))
    agree = rocc.j_observed.tolist() == observed.tolist() and np.allclose(rocc.j_p_value, p)
    print(
        f"Jacquez k=10, {small:,} events × {permutations}: rocc {t_rocc:.2f} s, direct rank matrices {t_direct:.2f} s, ratio {t_direct / t_rocc:.0f}×, same J and p: {agree}"
    )
    t_big, big = timed(lambda: jacquez_knn(x=xs, y=ys, dates=days, k_max=10, permutations=999, seed=1))
    print(f"Jacquez k=10, {args.events:,} events × 999: rocc {t_big:.2f} s (J_1 = {big.j_observed[0]}, p = {big.j_p_value[0]:.3f})")

    m = args.mantel_events
    t_rocc, rocc_m = timed(lambda: mantel_test(x=xs[:m], y=ys[:m], dates=days[:m], metric="euclidean", permutations=99, seed=1))
    t_direct, (r, p) = timed(lambda: direct_mantel(xs[:m], ys[:m], days[:m], 99, 1))
    print(
        f"Mantel, {m:,} events ({m * (m - 1) // 2:,} pairs) × 99: rocc {t_rocc:.2f} s, direct pdist + corrcoef {t_direct:.2f} s, "
        f"ratio {t_direct / t_rocc:.1f}×, |Δr| = {abs(rocc_m.r - r):.1e}, same p: {rocc_m.p_value == p}"
    )
    t_rocc, rocc_m = timed(lambda: mantel_test(x=xs[:m], y=ys[:m], dates=days[:m], permutations=999, seed=1))
    print(f"Mantel, {m:,} events × 999: rocc {t_rocc:.2f} s")

    t_rocc, chains = timed(lambda: near_repeat_chains(x=xs[:small], y=ys[:small], dates=days[:small], max_distance=400, max_days=7))
    t_direct, (links, in_chains) = timed(lambda: direct_chains(xs[:small], ys[:small], days[:small], 400, 7))
    print(
        f"chains 400 m / 7 days, {small:,} events: rocc {t_rocc * 1000:.1f} ms, direct all pairs {t_direct * 1000:.1f} ms, ratio {t_direct / t_rocc:.0f}×, "
        f"same links and events in chains: {(chains.links, chains.events_in_chains) == (links, in_chains)}"
    )
    t_rocc, chains = timed(lambda: near_repeat_chains(x=xs, y=ys, dates=days, max_distance=400, max_days=7))
    t_direct, (links, in_chains) = timed(lambda: direct_chains(xs, ys, days, 400, 7))
    print(
        f"chains 400 m / 7 days, {args.events:,} events: rocc {t_rocc * 1000:.0f} ms, direct all pairs {t_direct:.2f} s, ratio {t_direct / t_rocc:.0f}×, "
        f"same: {(chains.links, chains.events_in_chains) == (links, in_chains)} ({chains.links:,} links, {len(chains.chains):,} chains)"
    )


if __name__ == "__main__":
    main()
