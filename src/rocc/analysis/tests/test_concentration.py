"""The Power Few: Gini, generalised Gini, top shares and the Lorenz curve against loops and known values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.concentration import MAX_LORENZ_POINTS, concentration
from rocc.analysis.errors import AnalysisInputError
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


def events_at(counts: list[int]) -> list[str]:
    """One event row per event, for units u0, u1, ... with the given counts."""
    return [f"u{i}" for i, count in enumerate(counts) for _ in range(count)]


def lorenz_area(values: list[float]) -> float:
    """Area under the Lorenz curve, one trapezoid per unit (smallest first)."""
    values = sorted(values)
    total, n = sum(values), len(values)
    area, before = 0.0, 0.0
    for value in values:
        area += (before + before + value) / total / (2 * n)
        before += value
    return area


def reference_concentration(units, weights, units_total):
    """Totals per unit, padded with zeros; the statistics by their definitions."""
    totals: dict = {}
    for i, unit in enumerate(units):
        totals[unit] = totals.get(unit, 0.0) + (1.0 if weights is None else weights[i])
    n = len(totals) if units_total is None else units_total
    values = list(totals.values()) + [0.0] * (n - len(totals))
    total = sum(values)
    mean = total / n
    gini = sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)
    events = len(units)
    if events < n:
        # The most equal spread possible: one event at each of E units.
        most_equal = lorenz_area([0.0] * (n - events) + [1.0] * events)
    else:
        most_equal = 0.5
    generalised = 1 - lorenz_area(values) / most_equal
    descending = sorted(values, reverse=True)
    top = {}
    for fraction in (0.01, 0.05, 0.1, 0.2):
        k, held = fraction * n, 0.0
        for i, value in enumerate(descending):
            held += value * min(1.0, max(0.0, k - i))
        top[str(fraction)] = held / total
    cumulative, lorenz = 0.0, [(0.0, 0.0)]
    for i, value in enumerate(sorted(values)):
        cumulative += value
        lorenz.append(((i + 1) / n, cumulative / total))
    held, target = 0.0, total / 2
    for i, value in enumerate(descending):
        if value > 0 and held + value >= target:
            units_for_half = (i + (target - held) / value) / n
            break
        held += value
    return {
        "units": n,
        "gini": gini,
        "generalised": generalised,
        "top": top,
        "lorenz": lorenz,
        "units_for_half": units_for_half,
    }


def test_gini_of_one_busy_unit_among_four_is_three_quarters():
    result = concentration(units=events_at([10]), units_total=4)
    assert result.gini == 0.75
    assert result.units == 4 and result.units_observed == 1
    assert result.lorenz == [[0.0, 0.0], [0.75, 0.0], [1.0, 1.0]]


def test_gini_counts_zero_weight_units_as_units():
    result = concentration(units=["a", "b", "c", "d"], weights=[0, 0, 0, 10])
    assert result.gini == 0.75


def test_generalised_gini_is_zero_when_each_of_fewer_events_than_units_is_at_its_own_unit():
    # Bernasco & Steenbeek (2017): with E ≤ N, one event per unit is the most equal spread possible,
    # the line of maximal equality itself, so it scores 0 — while the ordinary Gini calls it unequal.
    result = concentration(units=["a", "b", "c"], units_total=10)
    assert result.gini == pytest.approx(0.7)
    assert result.generalised_gini == 0.0


def test_generalised_gini_of_all_events_at_one_unit_is_one_less_one_over_events():
    result = concentration(units=events_at([3]), units_total=10)
    assert result.generalised_gini == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("counts", "gini", "generalised"),
    [
        # The worked examples of the authors' R package lorenzgini (biased forms).
        ([10, 8, 2, 0, 0, 0, 0, 0, 0, 0], 0.78, 0.78),
        ([5, 2, 1, 0, 0, 0, 0, 0, 0, 0], 0.8, 0.75),
    ],
)
def test_generalised_gini_matches_the_published_examples(counts, gini, generalised):
    result = concentration(units=events_at(counts), units_total=len(counts))
    assert result.gini == pytest.approx(gini)
    assert result.generalised_gini == pytest.approx(generalised)


def test_generalised_gini_equals_gini_when_events_outnumber_units():
    result = concentration(units=events_at([7, 3, 1, 1]), units_total=4)
    assert result.generalised_gini == pytest.approx(result.gini)


def test_without_units_total_the_generalised_gini_is_null_and_explained():
    document = concentration(units=events_at([4, 1])).to_dict()
    assert document["generalised_gini"] is None
    assert "units_total" in document["notes"][0]


def test_weighted_totals_have_no_generalised_gini():
    result = concentration(units=["a", "b"], weights=[1.5, 3], units_total=5)
    assert result.generalised_gini is None
    assert any("counts of events" in note for note in result.notes)


def test_top_shares_count_a_fraction_of_a_unit():
    # 4 units: the top 20% is 0.8 of the busiest unit, which holds all 10 events.
    result = concentration(units=events_at([10]), units_total=4)
    assert result.top_shares == {"0.01": 0.04, "0.05": 0.2, "0.1": 0.4, "0.2": 0.8}


def test_top_shares_of_a_hundred_units():
    counts = [50, 20, 10, 5, 5] + [1] * 10 + [0] * 85
    result = concentration(units=events_at(counts), units_total=100)
    assert result.top_shares["0.01"] == pytest.approx(50 / 100)
    assert result.top_shares["0.05"] == pytest.approx(90 / 100)
    assert result.top_shares["0.1"] == pytest.approx(95 / 100)
    assert result.top_shares["0.2"] == pytest.approx(100 / 100)
    assert result.units_for_half == pytest.approx(0.01)
    assert result.top_units[0] == {"unit": "u0", "value": 50.0, "share": 0.5}


def test_a_long_lorenz_curve_is_resampled_and_says_so():
    rng = np.random.default_rng(2)
    units = np.arange(5000)
    result = concentration(units=units, weights=rng.uniform(0, 1, 5000))
    assert len(result.lorenz) == MAX_LORENZ_POINTS
    assert result.lorenz[0] == [0.0, 0.0] and result.lorenz[-1] == [1.0, 1.0]
    assert any("resampled" in note for note in result.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": []}, "no events"),
        ({"units": ["a", "b", "c"], "units_total": 2}, "units total 2 is less than the 3 distinct units"),
        ({"units": ["a"], "units_total": 2.5}, "whole number"),
        ({"units": ["a", ""]}, "column 'unit', row 2"),
        ({"units": ["a", "b"], "weights": [1, -1]}, "row 2"),
        ({"units": ["a", "b"], "weights": [0, 0]}, "weight 0"),
    ],
)
def test_bad_input_says_what_is_wrong(kwargs, message):
    with pytest.raises(AnalysisInputError, match=message):
        concentration(**kwargs)


@st.composite
def unit_events(draw):
    n = draw(st.integers(min_value=1, max_value=50))
    units = draw(st.lists(st.integers(0, 25), min_size=n, max_size=n))
    weights = draw(st.one_of(st.none(), st.lists(st.floats(0, 100), min_size=n, max_size=n)))
    if weights is not None and sum(weights) <= 0:
        weights = None
    extra = draw(st.one_of(st.none(), st.integers(0, 60)))
    units_total = None if extra is None else len(set(units)) + extra
    return units, weights, units_total


@settings(max_examples=80, deadline=None)
@given(case=unit_events())
def test_the_fast_version_matches_the_definitions(case):
    units, weights, units_total = case
    result = concentration(units=units, weights=weights, units_total=units_total)
    expected = reference_concentration(units, weights, units_total)
    assert result.units == expected["units"]
    assert result.gini == pytest.approx(expected["gini"], abs=1e-9)
    if units_total is not None and weights is None:
        assert result.generalised_gini == pytest.approx(max(expected["generalised"], 0.0), abs=1e-9)
    for key, share in expected["top"].items():
        assert result.top_shares[key] == pytest.approx(share, abs=1e-9)
    # Every unit's point of the full Lorenz curve lies on the compressed curve.
    curve = np.array(result.lorenz)
    assert np.all(np.diff(curve[:, 0]) > 0)
    for unit_share, event_share in expected["lorenz"]:
        assert np.interp(unit_share, curve[:, 0], curve[:, 1]) == pytest.approx(event_share, abs=1e-9)
    assert result.units_for_half == pytest.approx(expected["units_for_half"], abs=1e-9)


def _write(tmp_path, text):
    path = tmp_path / "events.csv"
    path.write_text(text)
    return str(path)


def test_rocc_analyse_concentration_prints_the_documented_json(tmp_path):
    path = _write(tmp_path, "place\n" + "\n".join(events_at([5, 2, 1])) + "\n")
    result = CliRunner().invoke(app, ["analyse", "concentration", path, "--unit", "place", "--units-total", "10", "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"units", "events", "gini", "generalised_gini", "top_shares", "lorenz"} <= document.keys()
    assert document["units"] == 10 and document["events"] == 8
    assert document["gini"] == pytest.approx(0.8)
    assert document["generalised_gini"] == pytest.approx(0.75)
    assert set(document["top_shares"]) == {"0.01", "0.05", "0.1", "0.2"}
    assert document["lorenz"][0] == [0, 0] and document["lorenz"][-1] == [1, 1]


def test_rocc_analyse_concentration_takes_a_weight_column(tmp_path):
    path = _write(tmp_path, "place,loss\na,100\nb,300\n")
    result = CliRunner().invoke(app, ["analyse", "concentration", path, "--unit", "place", "--weight", "loss", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["top_units"][0] == {"unit": "b", "value": 300.0, "share": 0.75}


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", [], "empty"),
        ("where\na\n", [], "column 'place': no such column; the file has: where"),
        ("place\na\nb\nc\n", ["--units-total", "2"], "units total 2 is less than the 3 distinct units"),
        ("place,loss\na,1\nb,-4\n", ["--weight", "loss"], "column 'loss', row 2"),
        ("place,loss\na,1\nb,x\n", ["--weight", "loss"], "column 'loss', row 2: expected a number"),
        ("place,loss\na,1\n", ["--weight", "loss", "--harm", "h.csv"], "give --weight or --harm, not both"),
    ],
)
def test_rocc_analyse_concentration_reports_bad_input_without_a_traceback(tmp_path, text, options, message):
    result = CliRunner().invoke(app, ["analyse", "concentration", _write(tmp_path, text), "--unit", "place", *options])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
