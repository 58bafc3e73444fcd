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
    result = CliRunner().invoke(app, ["analyse", "harm", str(events), "--offence", "offence", "--harm", str(index), "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total_harm"] == 180.0
    assert document["by_offence"][0] == {"offence": "assault", "weight": 120.0, "count": 1, "harm": 120.0, "share": 120 / 180}


def test_rocc_analyse_harm_names_an_unknown_code_and_its_row(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("id,offence\n1,burglary\n2,arson\n")
    index = tmp_path / "harm.csv"
    index.write_text("offence_code,weight\nburglary,30\n")
    result = CliRunner().invoke(app, ["analyse", "harm", str(events), "--offence", "offence", "--harm", str(index)])
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
        ["analyse", "concentration", str(events), "--unit", "unit", "--harm", str(index), "--offence", "offence", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total"] == 160.0
    assert document["top_units"][0] == {"unit": "b", "value": 130.0, "share": 130 / 160}
    assert np.isclose(document["gini"], abs(130 - 30) / (2 * 2 * 80))
