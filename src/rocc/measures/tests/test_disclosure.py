"""Disclosure control: random rounding to base 3 and suppression, proved as properties over many cells."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rocc.measures.disclosure import DisclosureRules, cell_identity, disclose_count, disclose_rate, random_round

RULES = DisclosureRules(suppress_below=6, base=3, key=b"test-install-key")
identities = st.text(min_size=1, max_size=40)


@given(count=st.integers(min_value=6, max_value=10**7), identity=identities)
def test_a_published_count_is_a_multiple_of_three_within_two_of_the_truth(count, identity):
    shown = disclose_count(count, identity, rules=RULES)
    assert shown % 3 == 0
    assert abs(shown - count) <= 2


@given(count=st.integers(min_value=0, max_value=10**6), identity=identities)
def test_the_same_cell_always_rounds_the_same_way(count, identity):
    first = disclose_count(count, identity, rules=RULES)
    assert all(disclose_count(count, identity, rules=RULES) == first for _ in range(5))


@given(count=st.integers(min_value=1, max_value=5), identity=identities)
def test_counts_below_the_threshold_are_suppressed_and_zero_stays_zero(count, identity):
    assert disclose_count(count, identity, rules=RULES) is None
    assert disclose_count(0, identity, rules=RULES) == 0


@settings(max_examples=30, deadline=None)  # 6,000 cells per example
@given(count=st.integers(min_value=6, max_value=10**5).filter(lambda c: c % 3 != 0))
def test_rounding_is_unbiased_over_cells(count):
    # Over many cells holding the same true count, the mean published count is the true count.
    n = 6000
    mean = sum(random_round(count, f"cell-{i}", base=3, key=b"k") for i in range(n)) / n
    # The rounding error of one cell has standard deviation √2 ≈ 1.41; the mean of 6000 is within 0.1 by far.
    assert abs(mean - count) < 0.1


def test_each_remainder_rounds_up_with_the_right_probability():
    n = 9000
    ups_for_1 = sum(random_round(301, f"c{i}", base=3, key=b"k") == 303 for i in range(n)) / n
    ups_for_2 = sum(random_round(302, f"c{i}", base=3, key=b"k") == 303 for i in range(n)) / n
    assert abs(ups_for_1 - 1 / 3) < 0.03
    assert abs(ups_for_2 - 2 / 3) < 0.03


def test_a_different_install_key_rounds_cells_differently():
    other = DisclosureRules(suppress_below=6, base=3, key=b"another-install")
    cells = [f"cell-{i}" for i in range(200)]
    assert [disclose_count(100, c, rules=RULES) for c in cells] != [disclose_count(100, c, rules=other) for c in cells]


def test_a_rate_is_suppressed_with_its_count_and_recomputed_from_the_rounded_count():
    identity = cell_identity(indicator="x", unit="waitemata", period="2016-06")
    count, _, rate = disclose_rate(4, 1000, 10000, identity, rules=RULES)
    assert count is None and rate is None
    count, denominator, rate = disclose_rate(100, 1000, 10000, identity, rules=RULES)
    assert count % 3 == 0 and denominator == 1000
    assert rate == count / 1000 * 10000


def test_a_count_denominator_is_rounded_too():
    identity = cell_identity(indicator="x", unit="waitemata", period="2016-06")
    count, denominator, rate = disclose_rate(10, 40, 100, identity, rules=RULES, denominator_is_count=True)
    assert denominator % 3 == 0 and abs(denominator - 40) <= 2
    assert rate == count / denominator * 100
