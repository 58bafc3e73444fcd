"""The linked pairs a near-repeat result keeps for the map: the Knox test's close pairs (a finite distance band and
a finite day band) and the chains' links, each with its two events' rows and coordinates, bounded in number, the
counts always whole."""

from __future__ import annotations

import math

import numpy as np

from rocc.analysis.near_repeat import MAX_PAIRS_KEPT, band_words, near_repeat_knox
from rocc.analysis.space_time import near_repeat_chains

# Six events on a line, checked by hand: rows 1–2 are 50 m and 2 days apart, rows 5–6 10 m and the same day (both
# close: under 100 m and under 7 days); rows 3–4 are 30 m but 15 days apart (the open-ended day band: not close).
X = [0.0, 50.0, 1000.0, 1030.0, 5000.0, 5010.0]
Y = [0.0] * 6
DATES = ["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-20", "2024-02-01", "2024-02-01"]


def test_the_knox_result_keeps_its_close_pairs_with_their_places_nearest_band_first():
    result = near_repeat_knox(x=X, y=Y, dates=DATES, distance_bands=[0, 100, 200, math.inf], day_bands=[0, 7, 14, math.inf], permutations=19, seed=1)
    assert result.pairs_total == 2 == int(result.observed[:-1, :-1].sum())
    assert [(p["row_a"], p["row_b"]) for p in result.pairs] == [(5, 6), (1, 2)]  # the same cell: nearer first
    first = result.pairs[0]
    assert (first["x_a"], first["y_a"], first["x_b"], first["y_b"]) == (5000.0, 0.0, 5010.0, 0.0)
    assert (first["distance"], first["days"], first["distance_band"], first["day_band"]) == (10.0, 0, 0, 0)
    assert set(first) == {"row_a", "row_b", "x_a", "y_a", "x_b", "y_b", "distance", "days", "distance_band", "day_band"}
    document = result.to_dict()
    assert document["pairs_total"] == 2 and document["pairs"][1]["row_b"] == 2
    words = band_words(document["distance_bands"][0], document["day_bands"][0])
    assert words == "0 to under 100 m apart, 0–6 days apart"


def test_the_knox_pairs_agree_with_every_close_cell_of_the_table():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 2000, 300), rng.uniform(0, 2000, 300)
    days = rng.integers(0, 120, 300)
    result = near_repeat_knox(x=x, y=y, dates=days, distance_bands=[0, 100, 200, 400], day_bands=[0, 7, 14, 28], permutations=9, seed=2)
    assert result.pairs_total == int(result.observed.sum())  # every band finite: every counted pair is close
    kept = np.zeros_like(result.observed)
    for pair in result.pairs:
        a, b = pair["row_a"] - 1, pair["row_b"] - 1
        assert (pair["x_a"], pair["y_a"], pair["x_b"], pair["y_b"]) == (x[a], y[a], x[b], y[b])
        assert math.isclose(pair["distance"], abs(x[a] - x[b]) + abs(y[a] - y[b]), abs_tol=1e-3)
        assert pair["days"] == abs(int(days[a]) - int(days[b]))
        kept[pair["distance_band"], pair["day_band"]] += 1
    if result.pairs_total <= MAX_PAIRS_KEPT:
        assert (kept == result.observed).all()


def test_no_more_than_the_bound_is_kept_and_the_total_says_how_many_there_are():
    n = 80  # 3,160 pairs, all within 10 m and 3 days
    x = np.arange(n) * 0.1
    result = near_repeat_knox(x=x, y=np.zeros(n), dates=np.arange(n) % 3, distance_bands=[0, 10, math.inf], day_bands=[0, 7, math.inf], permutations=9, seed=1)
    assert result.pairs_total == n * (n - 1) // 2 > MAX_PAIRS_KEPT
    assert len(result.pairs) == MAX_PAIRS_KEPT
    distances = [p["distance"] for p in result.pairs]
    assert distances == sorted(distances)  # one cell: the nearest pairs are the ones kept


def test_the_nrc_mode_keeps_the_coordinates_as_given():
    x = [1755000.25, 1755010.75, 1756000.5]
    result = near_repeat_knox(
        x=x, y=[5925000.5] * 3, dates=[0, 1, 2], distance_bands=[0, 50, math.inf], day_bands=[0, 7, math.inf], permutations=9, seed=1, compat="nrc"
    )
    assert [(p["x_a"], p["x_b"]) for p in result.pairs] == [(1755000.25, 1755010.75)]


def test_the_chains_keep_their_links_with_places_largest_chain_first():
    result = near_repeat_chains(x=X, y=Y, dates=DATES, max_distance=100, max_days=7, ids=list("abcdef"))
    assert result.links == len(result.pairs) == 2
    assert [(p["chain"], p["id_a"], p["id_b"]) for p in result.pairs] == [(1, "a", "b"), (2, "e", "f")]
    assert result.pairs[1]["x_b"] == 5010.0 and result.pairs[1]["days"] == 0 and result.pairs[0]["days"] == 2
    for pair in result.pairs:
        assert result.chain_of[pair["row_a"] - 1] == result.chain_of[pair["row_b"] - 1] == pair["chain"]
    assert result.to_dict()["pairs"][0]["row_a"] == 1


def test_a_chain_of_many_links_keeps_the_bound_and_counts_them_all():
    n = 80
    result = near_repeat_chains(x=np.arange(n) * 0.1, y=np.zeros(n), dates=np.zeros(n, dtype=int), max_distance=10, max_days=0)
    assert result.links == n * (n - 1) // 2 and len(result.pairs) == MAX_PAIRS_KEPT
    assert {p["chain"] for p in result.pairs} == {1}
    assert all(p["id_a"] is None for p in result.pairs)
