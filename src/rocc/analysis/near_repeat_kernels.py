"""The compiled loops of the Knox test (numba): finding the close pairs through the grid, and tallying them under
each date assignment. They live apart from :mod:`rocc.analysis.near_repeat`, which loads them when a test first
runs, so that the pages and maps reading its band words and limits do not wait for numba to load."""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange


def threads() -> int:
    """The threads numba's parallel loops use (near_repeat sizes its work by them)."""
    return get_num_threads()


@njit(cache=True)
def _distance(xa, ya, xb, yb, euclidean):
    """The distance between two events in the coordinates' precision: with float32 coordinates
    every step is rounded to float32, which reproduces the Near Repeat Calculator's tables."""
    dx = abs(xa - xb)
    dy = abs(ya - yb)
    if euclidean:
        return np.sqrt(dx * dx + dy * dy)
    return dx + dy


@njit(cache=True)
def _band_row(distance, edges, keep_below):
    """The band of a distance: k with edges[k] <= distance < edges[k + 1]; the extra last row for
    distances below edges[0] when keep_below; -1 for a pair not counted."""
    last = edges.size - 1
    if distance >= edges[last]:
        return -1
    if distance < edges[0]:
        return last if keep_below else -1
    k = last - 1
    while edges[k] > distance:
        k -= 1
    return k


@njit(cache=True)
def _scan_cell(c, xs, ys, cell_start, cell_key, width, edges, keep_below, euclidean, fill, offset, pair_a, pair_b, pair_row):
    """The pairs whose first event lies in cell c: within the cell, and with the four cells ahead
    of it (right, and the three above), so each unordered pair is met once."""
    found = 0
    lo, hi = cell_start[c], cell_start[c + 1]
    for a in range(lo, hi):
        for b in range(a + 1, hi):
            band = _band_row(_distance(xs[a], ys[a], xs[b], ys[b], euclidean), edges, keep_below)
            if band >= 0:
                if fill:
                    pair_a[offset + found] = a
                    pair_b[offset + found] = b
                    pair_row[offset + found] = band
                found += 1
    key = cell_key[c]
    for neighbour in (key + 1, key + width - 1, key + width, key + width + 1):
        m = np.searchsorted(cell_key, neighbour)
        if m == cell_key.size or cell_key[m] != neighbour:
            continue
        for a in range(lo, hi):
            for b in range(cell_start[m], cell_start[m + 1]):
                band = _band_row(_distance(xs[a], ys[a], xs[b], ys[b], euclidean), edges, keep_below)
                if band >= 0:
                    if fill:
                        pair_a[offset + found] = a
                        pair_b[offset + found] = b
                        pair_row[offset + found] = band
                    found += 1
    return found


@njit(cache=True)
def scan_cells(first, stop, xs, ys, cell_start, cell_key, width, edges, keep_below, euclidean, fill, counts, offsets, pair_a, pair_b, pair_row):
    """Cells first..stop-1: count their pairs into ``counts``, or (``fill``) write them from ``offsets``."""
    for c in range(first, stop):
        found = _scan_cell(c, xs, ys, cell_start, cell_key, width, edges, keep_below, euclidean, fill, offsets[c], pair_a, pair_b, pair_row)
        if not fill:
            counts[c] = found


@njit(cache=True, parallel=True)
def scan_cells_in_parallel(n_groups, xs, ys, cell_start, cell_key, width, edges, keep_below, euclidean, fill, counts, offsets, pair_a, pair_b, pair_row):
    n_cells = cell_key.size
    for g in prange(n_groups):
        scan_cells(
            g * n_cells // n_groups,
            (g + 1) * n_cells // n_groups,
            xs,
            ys,
            cell_start,
            cell_key,
            width,
            edges,
            keep_below,
            euclidean,
            fill,
            counts,
            offsets,
            pair_a,
            pair_b,
            pair_row,
        )


# --- the permutation tallies --------------------------------------------------------------------


@njit(cache=True)
def tally_pairs(first, stop, pair_a, pair_b, pair_row, event_days, day_column, table):
    """Add pairs first..stop-1 to ``table[k, row, column]`` under each date assignment k of a block.

    ``event_days[i, k]`` is event i's day under assignment k, so one pass over the pairs serves
    the whole block: the pair list, larger than the cache, is read once per block rather than
    once per permutation (about twice as fast as a pass per permutation on 100,000 events).
    """
    block = event_days.shape[1]
    for p in range(first, stop):
        days_a = event_days[pair_a[p]]
        days_b = event_days[pair_b[p]]
        row = pair_row[p]
        for k in range(block):
            column = day_column[abs(days_a[k] - days_b[k])]
            if column >= 0:
                table[k, row, column] += 1


@njit(cache=True, parallel=True)
def tally_in_parallel(n_groups, pair_a, pair_b, pair_row, event_days, day_column, tables):
    """The pairs split into ``n_groups`` runs, one per core, each with tables of its own."""
    n_pairs = pair_a.size
    for g in prange(n_groups):
        tally_pairs(g * n_pairs // n_groups, (g + 1) * n_pairs // n_groups, pair_a, pair_b, pair_row, event_days, day_column, tables[g])
