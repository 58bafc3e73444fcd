"""Hot times: day × hour counts, aoristic spreading of time windows, and the fast kernel against a
minute-by-minute loop."""

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
from rocc.analysis.hot_times import DAYS, HOURS, hot_times
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()

WEEK = dt.timedelta(days=7)


def reference_hot_times(starts, ends, weights):
    """Walk every minute of every window and give it an equal share of the event's weight."""
    matrix = [[0.0] * 24 for _ in range(7)]
    for i, start in enumerate(starts):
        weight = 1.0 if weights is None else weights[i]
        start = start.replace(second=0, microsecond=0)
        end = start if ends is None or ends[i] is None else ends[i].replace(second=0, microsecond=0)
        if end <= start:
            matrix[start.weekday()][start.hour] += weight
        elif end - start > WEEK:
            for d in range(7):
                for h in range(24):
                    matrix[d][h] += weight / 168
        else:
            minutes = int((end - start).total_seconds() // 60)
            t = start
            while t < end:
                matrix[t.weekday()][t.hour] += weight / minutes
                t += dt.timedelta(minutes=1)
    return matrix


def test_a_window_is_split_by_the_minutes_in_each_hour():
    # Monday 4 June 2018, 10:30 to 11:15: 30 minutes in the 10:00 hour, 15 in the 11:00 hour.
    result = hot_times(starts=["2018-06-04 10:30"], ends=["2018-06-04 11:15"])
    assert result.matrix[0, 10] == pytest.approx(2 / 3)
    assert result.matrix[0, 11] == pytest.approx(1 / 3)
    assert result.matrix.sum() == pytest.approx(1.0)


def test_a_single_time_counts_one_in_its_hour():
    result = hot_times(starts=["2018-06-10 23:59:59"])  # a Sunday
    assert result.matrix[6, 23] == 1.0
    assert result.matrix.sum() == 1.0
    assert result.single_time == 1


def test_a_window_crossing_midnight_on_sunday_wraps_to_monday():
    result = hot_times(starts=["2018-06-10 23:00"], ends=["2018-06-11 01:00"])
    assert result.matrix[6, 23] == pytest.approx(0.5)
    assert result.matrix[0, 0] == pytest.approx(0.5)


def test_a_window_longer_than_a_week_is_spread_evenly_and_flagged():
    result = hot_times(
        starts=["2018-06-04 10:00", "2018-06-01 09:00"], ends=["2018-06-04 10:00", "2018-06-20 09:00"]
    )
    assert result.long_windows == 1
    assert result.long_window_rows == (2,)
    assert result.matrix[0, 10] == pytest.approx(1 + 1 / 168)
    assert result.matrix[3, 3] == pytest.approx(1 / 168)
    assert "longer than a week" in result.to_dict()["summary"]["notes"][0]


def test_blank_ends_are_single_times():
    result = hot_times(starts=["2018-06-04 10:30", "2018-06-04 10:30"], ends=["", "2018-06-04 12:30"])
    assert result.single_time == 1 and result.windowed == 1
    assert result.matrix[0, 10] == pytest.approx(1.25)


def test_harm_weights_are_spread_instead_of_counts():
    result = hot_times(starts=["2018-06-04 10:30"], ends=["2018-06-04 11:30"], weights=[30.0])
    assert result.matrix[0, 10] == pytest.approx(15.0)
    assert result.total == 30.0


def test_time_zone_aware_times_count_at_their_local_clock_time():
    stamps = pd.Series(pd.to_datetime(["2018-06-04 10:30"]).tz_localize("Pacific/Auckland"))
    assert hot_times(starts=stamps).matrix[0, 10] == 1.0


def test_times_before_1970_fall_on_the_right_day():
    result = hot_times(starts=[dt.datetime(1969, 12, 29, 0, 10)])  # a Monday
    assert result.matrix[0, 0] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"starts": []}, "no events"),
        ({"starts": ["2018-06-04 10:30", "whenever"]}, "column 'from', row 2"),
        ({"starts": ["2018-06-04 10:30", ""]}, "column 'from', row 2: expected a date and time, found a blank"),
        ({"starts": ["2018-06-04 10:30"], "ends": ["2018-06-04 09:30"]}, "column 'to', row 1: the end of the window is before"),
        ({"starts": ["2018-06-04 10:30"], "ends": ["soon"]}, "column 'to', row 1"),
        ({"starts": ["2018-06-04 10:30"], "weights": [-2]}, "row 1"),
        ({"starts": ["2018-06-04 10:30"], "ends": ["2018-06-04 11:30", "2018-06-04 11:30"]}, "to has 2 values"),
    ],
)
def test_bad_input_says_what_is_wrong(kwargs, message):
    with pytest.raises(AnalysisInputError, match=message):
        hot_times(**kwargs)


@st.composite
def timed_events(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    starts = draw(
        st.lists(
            st.datetimes(min_value=dt.datetime(1965, 1, 1), max_value=dt.datetime(2030, 12, 31)),
            min_size=n, max_size=n,
        )
    )
    durations = draw(
        st.lists(
            st.one_of(st.none(), st.integers(0, 3000), st.integers(10_080, 10_081), st.integers(10_082, 90_000)),
            min_size=n, max_size=n,
        )
    )
    ends = [None if d is None else s + dt.timedelta(minutes=d, seconds=draw(st.integers(0, 59))) for s, d in zip(starts, durations)]
    weights = draw(st.one_of(st.none(), st.lists(st.floats(0, 1000), min_size=n, max_size=n)))
    return starts, ends, weights


@settings(max_examples=60, deadline=None)
@given(case=timed_events())
def test_the_fast_kernel_matches_the_minute_by_minute_loop(case):
    starts, ends, weights = case
    ends_or_blank = [e if e is not None else "" for e in ends]
    result = hot_times(
        starts=[s.isoformat(sep=" ") for s in starts],
        ends=[e.isoformat(sep=" ") if e else e for e in ends_or_blank],
        weights=weights,
    )
    expected = np.array(reference_hot_times(starts, ends, weights))
    np.testing.assert_allclose(result.matrix, expected, rtol=1e-9, atol=1e-9)
    assert result.matrix.sum() == pytest.approx(result.total)


def _write(tmp_path, text):
    path = tmp_path / "events.csv"
    path.write_text(text)
    return str(path)


def test_rocc_analyse_hot_times_prints_a_seven_by_twenty_four_matrix(tmp_path):
    path = _write(
        tmp_path,
        "from,to\n2018-06-04 10:30,2018-06-04 11:15\n05/06/2018 22:00,\n2018-06-06T03:00:00,2018-06-06T05:00:00\n",
    )
    result = CliRunner().invoke(app, ["analyse", "hot-times", path, "--from", "from", "--to", "to", "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["days"] == list(DAYS) and document["hours"] == list(HOURS)
    matrix = np.array(document["matrix"])
    assert matrix.shape == (7, 24)
    assert matrix[1, 22] == 1.0  # 5 June 2018 (day first) was a Tuesday
    assert matrix[2, 3] == pytest.approx(0.5) and matrix[2, 4] == pytest.approx(0.5)
    assert document["events"] == 3
    assert document["parameters"]["aoristic"] is True


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", [], "empty"),
        ("start\n2018-06-04 10:30\n", [], "column 'from': no such column; the file has: start"),
        ("from,to\n2018-06-04 10:30,2018-06-04 09:00\n", ["--to", "to"], "column 'to', row 1: the end of the window is before its start"),
        ("from\n2018-06-04 10:30\nlater\n", [], "column 'from', row 2"),
    ],
)
def test_rocc_analyse_hot_times_reports_bad_input_without_a_traceback(tmp_path, text, options, message):
    result = CliRunner().invoke(app, ["analyse", "hot-times", _write(tmp_path, text), "--from", "from", *options])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_rocc_analyse_hot_times_weights_by_harm(tmp_path):
    path = _write(tmp_path, "from,offence\n2018-06-04 10:30,1211\n2018-06-04 10:45,1412\n")
    harm = tmp_path / "harm.csv"
    harm.write_text("offence_code,weight\n1211,365\n1412,10\n")
    result = CliRunner().invoke(
        app, ["analyse", "hot-times", path, "--from", "from", "--harm", str(harm), "--offence", "offence", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["matrix"][0][10] == 375.0
    assert document["parameters"]["harm_weighted"] is True
