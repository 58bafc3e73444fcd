"""Repeat victims: the window, the counts, the Victim Focus tiers, and the fast version against a loop."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.repeat_victims import (
    VICTIM_FOCUS_TIERS,
    ResponseTier,
    repeat_victims,
    response_tiers_from_table,
)
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


def reference_repeat_victims(persons, dates, offences, *, as_of, window_days, serious_codes, serious_harm, weights, tiers):
    """Person by person, event by event: the specification of the window, the tiers and the summary."""
    start = as_of - dt.timedelta(days=window_days)
    people: dict = {}
    for i, (person, day) in enumerate(zip(persons, dates)):
        if not (start < day <= as_of):
            continue
        record = people.setdefault(person, {"count": 0, "first": day, "last": day, "offences": {}, "serious": False, "harm": 0.0})
        record["count"] += 1
        record["first"] = min(record["first"], day)
        record["last"] = max(record["last"], day)
        if offences is not None:
            record["offences"][offences[i]] = record["offences"].get(offences[i], 0) + 1
            if offences[i] in serious_codes:
                record["serious"] = True
        if weights is not None:
            record["harm"] += weights[i]
            if serious_harm is not None and weights[i] >= serious_harm:
                record["serious"] = True
    for record in people.values():
        record["tier"] = None
        for tier in tiers:
            if record["count"] >= tier.min_events and (record["serious"] or not tier.serious):
                record["tier"] = tier.name
    events = sum(r["count"] for r in people.values())
    repeat_events = sum(r["count"] for r in people.values() if r["count"] >= 2)
    summary = {
        "prevalence": len(people),
        "incidence": events,
        "repeat_victims": sum(1 for r in people.values() if r["count"] >= 2),
        "repeat_events": repeat_events,
        "concentration": repeat_events / events if events else None,
    }
    return people, summary


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_person_victimised_three_times_in_the_year_is_a_repeat_victim():
    result = repeat_victims(
        persons=["A", "B", "A", "A"],
        dates=["2018-01-10", "2018-03-01", "2018-02-01", "2018-06-30"],
        offences=["burglary", "theft", "burglary", "theft"],
        as_of="2018-06-30",
    )
    first = result.to_dict()["persons"][0]
    assert first == {
        "person": "A",
        "count": 3,
        "first": "2018-01-10",
        "last": "2018-06-30",
        "tier": "repeat victim",
        "response": "graduated response",
        "serious": False,
        "offences": {"burglary": 2, "theft": 1},
    }
    assert result.summary["prevalence"] == 2
    assert result.summary["incidence"] == 4
    assert result.summary["concentration"] == 0.75


def test_the_window_excludes_its_first_day_and_includes_as_of():
    result = repeat_victims(
        persons=["A", "A", "A", "A"],
        dates=["2017-06-30", "2017-07-01", "2018-06-30", "2018-07-01"],
        as_of="2018-06-30",
        window_days=365,
    )
    record = result.victim("A")
    assert (record["count"], record["first"], record["last"]) == (2, "2017-07-01", "2018-06-30")
    assert result.summary["events_before_window"] == 1
    assert result.summary["events_after_as_of"] == 1


def test_serious_and_repeat_victims_get_an_intervention_plan():
    result = repeat_victims(
        persons=["A", "A", "B", "B", "C"],
        dates=["2018-01-01"] * 5,
        offences=["robbery", "theft", "theft", "theft", "robbery"],
        serious_codes=["robbery"],
    )
    tiers = {p["person"]: (p["tier"], p["response"]) for p in result.to_dict()["persons"]}
    assert tiers["A"] == ("serious and repeat victim", "intervention plan with other agencies")
    assert tiers["B"] == ("repeat victim", "graduated response")
    # One serious victimisation is not repeat victimisation: the seed's plan is for "serious and repeat".
    assert tiers["C"] == ("first-time victim", "prevention advice")


def test_a_harm_threshold_also_makes_a_victimisation_serious():
    result = repeat_victims(persons=["A", "A"], dates=["2018-01-01", "2018-01-02"], weights=[5.0, 400.0], serious_harm=365.0)
    assert result.victim("A")["tier"] == "serious and repeat victim"
    assert result.victim("A")["harm"] == 405.0


def test_without_a_definition_of_serious_the_result_says_no_one_can_be_serious():
    result = repeat_victims(persons=["A", "A"], dates=["2018-01-01", "2018-01-02"])
    assert any("serious" in note for note in result.summary["notes"])


def test_tiers_can_be_configured_from_a_table():
    tiers = response_tiers_from_table(
        pd.DataFrame(
            {
                "name": ["victim", "serious victim", "chronic victim"],
                "response": ["advice", "safety plan", "case conference"],
                "min_events": ["1", "1", "4"],
                "serious": ["no", "yes", "no"],
            }
        )
    )
    result = repeat_victims(
        persons=["A", "B", "B", "B", "B"],
        dates=["2018-01-01"] * 5,
        offences=["rape", "x", "x", "x", "x"],
        serious_codes=["rape"],
        tiers=tiers,
    )
    assert result.victim("A")["response"] == "safety plan"
    assert result.victim("B")["response"] == "case conference"


def test_a_victim_below_every_tier_has_no_tier():
    result = repeat_victims(persons=["A"], dates=["2018-01-01"], tiers=[ResponseTier(name="repeat", response="visit", min_events=2)])
    assert result.victim("A")["tier"] is None
    assert "1 victims meet no response tier" in result.summary["notes"]


def test_as_of_defaults_to_the_latest_event():
    result = repeat_victims(persons=["A", "B"], dates=["2018-01-01", "2018-05-05"])
    assert str(result.as_of) == "2018-05-05"


def test_no_events_in_the_window_is_an_empty_result_not_an_error():
    result = repeat_victims(persons=["A"], dates=["2010-01-01"], as_of="2018-01-01")
    document = result.to_dict()
    assert document["persons"] == []
    assert document["summary"]["concentration"] is None


def test_the_frontline_lookup_of_someone_not_victimised_is_none():
    result = repeat_victims(persons=["A"], dates=["2018-01-01"])
    assert result.victim("Z") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"persons": [], "dates": []}, "no events"),
        ({"persons": ["A", " "], "dates": ["2018-01-01", "2018-01-02"]}, "column 'person', row 2"),
        ({"persons": ["A", "B"], "dates": ["2018-01-01", "31/02/2018"]}, "column 'date', row 2"),
        ({"persons": ["A"], "dates": ["2018-01-01"], "as_of": "someday"}, "as_of: cannot read 'someday'"),
        ({"persons": ["A"], "dates": ["2018-01-01"], "window_days": 0}, "window_days"),
        ({"persons": ["A"], "dates": ["2018-01-01"], "window_days": -5}, "window_days"),
        ({"persons": ["A"], "dates": ["2018-01-01"], "weights": [-1.0]}, "row 1"),
        ({"persons": ["A"], "dates": ["2018-01-01"], "serious_harm": 5.0}, "needs a harm weight"),
        ({"persons": ["A"], "dates": ["2018-01-01"], "serious_codes": ["x"]}, "need the offence"),
        ({"persons": ["A", "B"], "dates": ["2018-01-01"]}, "dates has 1 values"),
    ],
)
def test_bad_input_says_what_is_wrong(kwargs, message):
    with pytest.raises(AnalysisInputError, match=message):
        repeat_victims(**kwargs)


def test_a_data_frame_column_is_named_in_errors():
    frame = pd.DataFrame({"victim_id": ["A", None]})
    with pytest.raises(AnalysisInputError, match="column 'victim_id', row 2"):
        repeat_victims(persons=frame["victim_id"], dates=["2018-01-01", "2018-01-02"])


PEOPLE = st.sampled_from(["ana", "ben", "cai", "dee", "eru", "fai", 7, 8])
OFFENCES = st.sampled_from(["burglary", "theft", "assault", "robbery"])


@st.composite
def victimisations(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    persons = draw(st.lists(PEOPLE, min_size=n, max_size=n))
    offsets = draw(st.lists(st.integers(min_value=0, max_value=800), min_size=n, max_size=n))
    dates = [dt.date(2017, 1, 1) + dt.timedelta(days=o) for o in offsets]
    offences = draw(st.lists(OFFENCES, min_size=n, max_size=n))
    weights = draw(st.one_of(st.none(), st.lists(st.floats(0, 500), min_size=n, max_size=n)))
    as_of = dt.date(2017, 1, 1) + dt.timedelta(days=draw(st.integers(0, 800)))
    window = draw(st.integers(min_value=1, max_value=400))
    serious = draw(st.sets(OFFENCES, max_size=2))
    serious_harm = draw(st.none() | st.floats(0, 500)) if weights is not None else None
    return persons, dates, offences, weights, as_of, window, serious, serious_harm


@settings(max_examples=80, deadline=None)
@given(case=victimisations())
def test_the_fast_version_matches_the_reference_loop(case):
    persons, dates, offences, weights, as_of, window, serious, serious_harm = case
    result = repeat_victims(
        persons=persons,
        dates=np.array(dates, dtype="datetime64[D]"),
        offences=offences,
        as_of=as_of,
        window_days=window,
        serious_codes=serious,
        serious_harm=serious_harm,
        weights=weights,
    )
    people, summary = reference_repeat_victims(
        persons,
        dates,
        offences,
        as_of=as_of,
        window_days=window,
        serious_codes=serious,
        serious_harm=serious_harm,
        weights=weights,
        tiers=VICTIM_FOCUS_TIERS,
    )
    records = result.to_dict()["persons"]
    assert {r["person"] for r in records} == set(people)
    for record in records:
        expected = people[record["person"]]
        assert record["count"] == expected["count"]
        assert record["first"] == expected["first"].isoformat()
        assert record["last"] == expected["last"].isoformat()
        assert record["offences"] == expected["offences"]
        assert record["serious"] == expected["serious"]
        assert record["tier"] == expected["tier"]
        if weights is not None:
            assert record["harm"] == pytest.approx(expected["harm"])
    for key, value in summary.items():
        assert result.summary[key] == (pytest.approx(value) if isinstance(value, float) else value)
    order = [(-r["count"], -day(r["last"]).toordinal()) for r in records]
    assert order == sorted(order)


def _write(tmp_path, text, name="events.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_rocc_analyse_repeat_victims_prints_the_documented_json(tmp_path):
    path = _write(
        tmp_path,
        "victim,date,offence\nP1,2018-01-05,1311\nP1,12/03/2018,1311\nP2,2018-03-04,1211\nP3,2016-01-01,1311\n",
    )
    result = CliRunner().invoke(
        app,
        [
            "analyse",
            "repeat-victims",
            path,
            "--person",
            "victim",
            "--date",
            "date",
            "--offence",
            "offence",
            "--as-of",
            "2018-06-30",
            "--window-days",
            "365",
            "--serious-codes",
            "1211,1311",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"as_of", "window_days", "persons", "summary"} <= document.keys()
    assert document["as_of"] == "2018-06-30"
    assert document["persons"][0]["person"] == "P1"
    assert document["persons"][0]["last"] == "2018-03-12"
    assert document["persons"][0]["tier"] == "serious and repeat victim"
    assert document["summary"]["repeat_victims"] == 1
    assert document["summary"]["events_before_window"] == 1


def test_rocc_analyse_repeat_victims_takes_tiers_from_a_file(tmp_path):
    events = _write(tmp_path, "victim,date\nP1,2018-01-05\nP1,2018-01-06\n")
    tiers = _write(tmp_path, "name,response,min_events\nknown,note it,1\ntwice,call back,2\n", "tiers.csv")
    result = CliRunner().invoke(app, ["analyse", "repeat-victims", events, "--person", "victim", "--date", "date", "--tiers", tiers, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["persons"][0]["response"] == "call back"


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", [], "empty"),
        ("victim,day\nP1,2018-01-01\n", [], "column 'date': no such column; the file has: victim, day"),
        ("victim,date\nP1,2018-01-01\nP2,not a date\n", [], "column 'date', row 2: expected a date"),
        ("victim,date\nP1,2018-01-01\n", ["--as-of", "2018-13-45"], "as_of: cannot read"),
        ("victim,date\nP1,2018-01-01\n", ["--window-days", "0"], "window_days"),
    ],
)
def test_rocc_analyse_repeat_victims_reports_bad_input_without_a_traceback(tmp_path, text, options, message):
    path = _write(tmp_path, text)
    result = CliRunner().invoke(app, ["analyse", "repeat-victims", path, "--person", "victim", "--date", "date", *options])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


# --- ANZSOC serious codes at any level, and the one tier rule ------------------------------------------


def test_a_division_in_the_serious_list_selects_its_subdivisions_and_groups():
    from rocc.events.offences import anzsoc

    result = repeat_victims(
        persons=["A", "A", "B", "B", "C", "C"],
        dates=["2024-01-01", "2024-02-01"] * 3,
        offences=["0711", "1211", "071", "1211", "1211", "0811"],
        as_of="2024-06-30",
        serious_codes=["07"],
        classification=anzsoc(),
    )
    tiers = {p["person"]: p["tier"] for p in result.to_dict()["persons"]}
    assert tiers == {"A": "serious and repeat victim", "B": "serious and repeat victim", "C": "repeat victim"}
    assert result.parameters["serious_codes"] == ["07"]


def test_an_unknown_serious_code_is_an_error_not_a_list_that_matches_nothing():
    from rocc.events.offences import anzsoc

    with pytest.raises(AnalysisInputError, match="serious offence codes: unknown offence code '17'"):
        repeat_victims(persons=["A"], dates=["2024-01-01"], offences=["0711"], serious_codes=["07", "17"], classification=anzsoc())


def test_a_code_whose_leading_zero_was_dropped_is_read_with_it():
    from rocc.events.offences import anzsoc

    result = repeat_victims(
        persons=["A", "A"],
        dates=["2024-01-01", "2024-02-01"],
        offences=["211", "0211"],
        as_of="2024-06-30",
        serious_codes=["21"],
        classification=anzsoc(),
    )
    person = result.to_dict()["persons"][0]
    assert person["offences"] == {"0211": 2} and person["tier"] == "serious and repeat victim"


def test_labels_compared_as_written_say_which_serious_code_matched_nothing():
    result = repeat_victims(persons=["A"], dates=["2024-01-01"], offences=["Burglary"], serious_codes=["Burglary", "Robery"])
    assert any("Robery" in note and "match no event" in note for note in result.summary["notes"])


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 6), st.booleans())
def test_the_one_person_tier_rule_is_the_population_rule(count, serious):
    from rocc.analysis.repeat_victims import response_tier, response_tier_indices

    index = int(response_tier_indices(np.array([count]), np.array([serious]))[0])
    one = response_tier(count=count, serious=serious)
    assert (one is None and index == -1) or one == VICTIM_FOCUS_TIERS[index]
    expected = None
    for tier in VICTIM_FOCUS_TIERS:  # the specification, tier by tier
        if count >= tier.min_events and (serious or not tier.serious):
            expected = tier
    assert one == expected


def test_rocc_analyse_repeat_victims_takes_a_division_as_a_serious_code(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("victim,date,offence\nA,2024-01-01,0711\nA,2024-02-01,1211\nB,2024-01-05,1211\nB,2024-03-01,1211\n")
    result = CliRunner().invoke(
        app, ["analyse", "repeat-victims", str(path), "--person", "victim", "--date", "date", "--offence", "offence", "--serious-codes", "07", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    tiers = {p["person"]: p["tier"] for p in json.loads(result.stdout)["persons"]}
    assert tiers == {"A": "serious and repeat victim", "B": "repeat victim"}
    refused = CliRunner().invoke(
        app, ["analyse", "repeat-victims", str(path), "--person", "victim", "--date", "date", "--offence", "offence", "--serious-codes", "7x"]
    )
    assert refused.exit_code == 2 and "unknown offence code '7x'" in refused.stderr
