"""Harm weighting: the index file, per-event weights, unknown codes, and the harm profile against a loop."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import HarmIndex, event_weights, harm_index_read, harm_profile, harm_weights
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()

INDEX = HarmIndex(weights={"burglary": 30.0, "assault": 120.0, "theft": 5.0})


def reference_profile(codes: list[str], weights: dict[str, float], default: float | None) -> dict[str, tuple[int, float]]:
    """Count and total harm per code, one event at a time."""
    profile: dict[str, tuple[int, float]] = {}
    for code in codes:
        weight = weights.get(code, default)
        count, harm = profile.get(code, (0, 0.0))
        profile[code] = (count + 1, harm + weight)
    return profile


def test_each_event_takes_the_weight_of_its_offence_code():
    weights = harm_weights(["theft", "assault", " burglary "], index=INDEX)
    assert weights.tolist() == [5.0, 120.0, 30.0]


def test_an_unlisted_offence_code_is_an_error_naming_the_code_and_row():
    with pytest.raises(AnalysisInputError) as error:
        harm_weights(["theft", "arson", "assault"], index=INDEX)
    assert "'arson'" in str(error.value) and "row 2" in str(error.value)


def test_a_default_weight_covers_unlisted_codes():
    assert harm_weights(["arson", "theft"], index=INDEX, default_weight=1.0).tolist() == [1.0, 5.0]


def test_a_blank_offence_code_is_named_as_missing():
    with pytest.raises(AnalysisInputError, match="row 1.*no offence code"):
        harm_weights([None, "theft"], index=INDEX)


def test_a_negative_default_weight_is_refused():
    with pytest.raises(AnalysisInputError, match="default weight"):
        harm_weights(["theft"], index=INDEX, default_weight=-1)


def test_the_harm_index_is_read_from_a_csv(tmp_path):
    path = tmp_path / "harm.csv"
    path.write_text("offence_code,weight,description\nburglary,30,Burglary\nassault,120.5,Assault\n")
    index = harm_index_read(path)
    assert index.weights == {"burglary": 30.0, "assault": 120.5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("offence_code,weight\nburglary,-3\n", "row 1.*≥ 0"),
        ("offence_code,weight\nburglary,lots\n", "row 1.*expected a number"),
        ("offence_code,weight\nburglary,3\nburglary,4\n", "row 2.*listed twice"),
        ("code,weight\nburglary,3\n", "the file has: code, weight"),
        ("", "empty"),
    ],
)
def test_a_bad_harm_index_says_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "harm.csv"
    path.write_text(text)
    with pytest.raises(AnalysisInputError, match=message):
        harm_index_read(path)


def test_negative_event_weights_are_reported_by_row():
    with pytest.raises(AnalysisInputError, match="row 3"):
        event_weights([1.0, 2.0, -0.5], events=3)


def test_event_weights_must_match_the_events():
    with pytest.raises(AnalysisInputError, match="one value per event"):
        event_weights([1.0, 2.0], events=3)


def test_non_numeric_event_weights_are_refused():
    with pytest.raises(AnalysisInputError, match="must be numbers"):
        event_weights(["a", "b"], events=2)


@settings(max_examples=60, deadline=None)
@given(
    codes=st.lists(st.sampled_from(["burglary", "assault", "theft", "arson", "fraud"]), min_size=1, max_size=60),
    default=st.floats(min_value=0, max_value=50),
)
def test_the_harm_profile_matches_a_loop_over_events(codes, default):
    result = harm_profile(codes, index=INDEX, default_weight=default)
    expected = reference_profile(codes, dict(INDEX.weights), default)
    got = {row.offence: (row.count, row.harm) for row in result.to_frame().itertuples()}
    assert got.keys() == expected.keys()
    for code, (count, harm) in expected.items():
        assert got[code][0] == count
        assert got[code][1] == pytest.approx(harm)
    assert result.total_harm == pytest.approx(sum(harm for _, harm in expected.values()))
    assert result.defaulted_events == sum(1 for code in codes if code not in INDEX.weights)
    assert list(result.harm) == sorted(result.harm, reverse=True)


def test_rocc_analyse_harm_prints_one_json_document(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("id,offence\n1,burglary\n2,assault\n3,burglary\n")
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\nburglary,30\nassault,120\n")
    result = CliRunner().invoke(app, ["analyse", "harm", str(events), "--offence", "offence", "--harm", str(index), "--codes", "as-written", "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total_harm"] == 180.0
    assert document["by_offence"][0] == {"offence": "assault", "weight": 120.0, "count": 1, "harm": 120.0, "share": 120 / 180}


def test_rocc_analyse_harm_names_an_unknown_code_and_its_row(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("id,offence\n1,burglary\n2,arson\n")
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\nburglary,30\n")
    result = CliRunner().invoke(app, ["analyse", "harm", str(events), "--offence", "offence", "--harm", str(index), "--codes", "as-written"])
    assert result.exit_code == 2
    assert "'arson'" in result.stderr and "row 2" in result.stderr and "column 'offence'" in result.stderr
    assert "Traceback" not in result.output


def test_harm_weighting_needs_the_offence_column(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("unit,offence\na,burglary\n")
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\nburglary,30\n")
    result = CliRunner().invoke(app, ["analyse", "concentration", str(events), "--unit", "unit", "--harm", str(index)])
    assert result.exit_code == 2
    assert "--harm needs --offence" in result.stderr


def test_harm_weights_flow_into_concentration(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("unit,offence\na,burglary\nb,assault\nb,theft\n")
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\nburglary,30\nassault,120\ntheft,10\n")
    result = CliRunner().invoke(
        app,
        ["analyse", "concentration", str(events), "--unit", "unit", "--harm", str(index), "--offence", "offence", "--codes", "as-written", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total"] == 160.0
    assert document["top_units"][0] == {"unit": "b", "value": 130.0, "share": 130 / 160}
    assert np.isclose(document["gini"], abs(130 - 30) / (2 * 2 * 80))


# --- ANZSOC codes at any level: one weight covers every code below it --------------------------------


def anzsoc_index(weights: dict[str, float]) -> HarmIndex:
    from rocc.events.offences import anzsoc

    return HarmIndex(weights=weights, classification=anzsoc())


def test_a_division_weight_covers_its_subdivisions_and_groups_and_the_most_specific_code_wins():
    index = anzsoc_index({"07": 60.0, "0711": 90.0, "021": 200.0})
    weights = harm_weights(["0711", "0712", "071", "07", "0211", "021"], index=index)
    assert weights.tolist() == [90.0, 60.0, 60.0, 60.0, 200.0, 200.0]


def test_a_code_above_the_listed_ones_is_not_guessed_a_weight():
    # An event recorded only as division 07 cannot take the weight of group 0711: it is unlisted, said so.
    with pytest.raises(AnalysisInputError, match="row 1.*'07' is not in the harm index"):
        harm_weights(["07"], index=anzsoc_index({"0711": 90.0}))


def test_the_harm_profile_counts_an_event_covered_by_a_division_as_weighted_not_defaulted():
    result = harm_profile(["0711", "0712", "1211"], index=anzsoc_index({"07": 60.0}), default_weight=1.0)
    assert result.total_harm == 121.0
    assert result.defaulted_events == 1 and result.defaulted_codes == ("1211",)
    assert "ANZSOC 2011" in result.parameters["offence_codes"]


def test_an_unknown_code_in_an_anzsoc_harm_index_is_an_error_naming_its_row(tmp_path):
    from rocc.events.offences import anzsoc

    path = tmp_path / "harm.csv"
    path.write_text("offence_code,weight\n07,60\n17,10\n")
    with pytest.raises(AnalysisInputError, match="row 2.*unknown offence code '17'"):
        harm_index_read(path, classification=anzsoc())


def test_two_spellings_of_one_code_in_a_harm_index_are_a_code_listed_twice(tmp_path):
    from rocc.events.offences import anzsoc

    path = tmp_path / "harm.csv"
    path.write_text("offence_code,weight\n0211,60\n211,10\n")  # a spreadsheet dropped the zero of the second
    with pytest.raises(AnalysisInputError, match="row 2.*'0211' is listed twice"):
        harm_index_read(path, classification=anzsoc())


def test_an_event_code_that_is_not_anzsoc_is_an_error_not_an_unweighted_event():
    with pytest.raises(AnalysisInputError, match="column 'offence', row 2.*'Burglary' is not an ANZSOC 2011"):
        harm_weights(["0711", "Burglary"], index=anzsoc_index({"07": 60.0}), default_weight=1.0)


def test_rocc_analyse_harm_reads_anzsoc_codes_by_default_with_a_division_weight(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("id,offence\n1,0711\n2,712\n3,0211\n")  # 712: a spreadsheet dropped the zero of 0712
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\n07,60\n02,100\n")
    result = CliRunner().invoke(app, ["analyse", "harm", str(events), "--offence", "offence", "--harm", str(index), "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total_harm"] == 220.0
    assert {row["offence"]: row["harm"] for row in document["by_offence"]} == {"0211": 100.0, "0711": 60.0, "0712": 60.0}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["0211", "0212", "021", "02", "0711", "0712", "0811", "07", "1211"]), min_size=1, max_size=40))
def test_hierarchical_harm_weights_match_a_code_by_code_loop(codes):
    weights = {"02": 100.0, "0212": 150.0, "07": 60.0, "071": 70.0, "0711": 90.0}
    expected = []
    for code in codes:  # the longest listed code that the event's code starts with
        matches = [c for c in weights if code.startswith(c)]
        expected.append(weights[max(matches, key=len)] if matches else 1.0)
    assert harm_weights(codes, index=anzsoc_index(weights), default_weight=1.0).tolist() == expected


def _total_weight(document: dict) -> float:
    return document["total"] if "total" in document else float(np.sum(document["matrix"]))


@pytest.mark.parametrize("command", [["hot-times", "--from", "date"], ["concentration", "--unit", "unit"]])
def test_every_command_that_weights_by_harm_reads_a_division_weight_the_same_way(tmp_path, command):
    events = tmp_path / "events.csv"
    events.write_text("date,unit,offence\n2024-06-04 10:30,a,0711\n2024-06-04 10:45,a,0712\n")
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\n07,60\n")
    result = CliRunner().invoke(app, ["analyse", command[0], str(events), *command[1:], "--harm", str(index), "--offence", "offence", "--json"])
    assert result.exit_code == 0, result.stderr
    assert _total_weight(json.loads(result.stdout)) == 120.0
