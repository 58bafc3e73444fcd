"""The one offence-code matcher: a code at any level selects every code below it, checked against the
classification; the numpy mask and the query condition agree with a code-by-code loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.offences import offence_selection
from rocc.events.offences import anzsoc

EVENT_CODES = ["01", "011", "0111", "02", "021", "0211", "0212", "029", "07", "071", "0711", "0712", "08", "081", "0811", "12", "1211"]


def test_a_division_subdivision_or_group_selects_itself_and_every_code_below_it():
    events = np.array(EVENT_CODES, dtype=object)
    assert events[offence_selection(["07"], classification=anzsoc()).mask(events)].tolist() == ["07", "071", "0711", "0712"]
    assert events[offence_selection(["02"], classification=anzsoc()).mask(events)].tolist() == ["02", "021", "0211", "0212", "029"]
    assert events[offence_selection(["021"], classification=anzsoc()).mask(events)].tolist() == ["021", "0211", "0212"]
    assert events[offence_selection(["0711"], classification=anzsoc()).mask(events)].tolist() == ["0711"]


def test_unknown_codes_are_all_named_in_one_error():
    with pytest.raises(AnalysisInputError) as error:
        offence_selection(["07", "17", "0899", "burglary"], classification=anzsoc(), name="serious offence codes")
    message = str(error.value)
    assert message.startswith("serious offence codes: unknown offence codes '17', '0899', 'burglary'")
    assert "ANZSOC 2011" in message


def test_codes_are_trimmed_deduplicated_and_given_back_a_dropped_leading_zero():
    selection = offence_selection(" 711, 0711,,21 ", classification=anzsoc())
    assert selection.codes == ("0711", "021")


def test_without_a_classification_codes_are_labels_compared_exactly():
    selection = offence_selection(["Burglary"], classification=None)
    assert selection.mask(["Burglary", "Burglary of a dwelling", "burglary"]).tolist() == [True, False, False]
    assert "exactly" in selection.describe()


def test_the_query_condition_is_the_same_rule_as_the_mask():
    frame = pd.DataFrame({"code": EVENT_CODES})

    class Column:  # the two methods an Ibis string column offers, over pandas
        def __init__(self, series):
            self.series = series

        def startswith(self, prefix):
            return Column(self.series.str.startswith(prefix))

        def isin(self, values):
            return Column(self.series.isin(values))

        def __or__(self, other):
            return Column(self.series | other.series)

    selection = offence_selection(["02", "0711"], classification=anzsoc())
    condition = selection.predicate(Column(frame["code"])).series.to_numpy()
    assert condition.tolist() == selection.mask(EVENT_CODES).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(EVENT_CODES), min_size=1, max_size=4), st.lists(st.sampled_from(EVENT_CODES), max_size=30))
def test_the_mask_matches_a_code_by_code_loop(selected, events):
    selection = offence_selection(selected, classification=anzsoc())
    expected = [any(event.startswith(code) for code in selected) for event in events]
    assert selection.mask(events).tolist() == expected
