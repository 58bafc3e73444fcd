"""One way to turn an analysis's ``seed`` into random draws: the same seed gives the same answer, and the seed
actually used is recorded."""

import numpy as np
import pytest

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import rng, seed_int


def test_the_same_integer_seed_gives_the_same_draws_and_is_recorded():
    first, used_first = rng(42)
    second, used_second = rng(np.int64(42))

    assert used_first == used_second == 42
    assert first.permutation(50).tolist() == second.permutation(50).tolist()


def test_no_seed_draws_a_fresh_one_that_repeats_the_run():
    generator, used = rng(None)

    assert isinstance(used, int) and used >= 0
    assert generator.permutation(50).tolist() == rng(used)[0].permutation(50).tolist()


def test_a_generator_is_used_as_given_and_its_seed_is_not_claimed():
    given = np.random.default_rng(7)

    generator, used = rng(given)

    assert generator is given
    assert used is None


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, np.bool_(True)])
def test_a_seed_that_is_not_a_whole_number_of_at_least_0_is_refused(bad):
    with pytest.raises(AnalysisInputError, match="seed must be a whole number of at least 0"):
        rng(bad)
    with pytest.raises(AnalysisInputError, match="seed must be a whole number of at least 0"):
        seed_int(bad)


def test_an_integer_seed_for_igraph_is_the_seed_itself_or_drawn_from_the_generator():
    assert seed_int(5) == 5
    drawn = seed_int(np.random.default_rng(11))
    assert drawn == seed_int(np.random.default_rng(11))
    assert 0 <= drawn < 2**31 - 1
    with pytest.raises(AnalysisInputError):
        seed_int(None)  # type: ignore[arg-type]  (igraph's communities need a seed: the default is 0)
