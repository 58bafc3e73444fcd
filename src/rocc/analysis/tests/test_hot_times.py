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
    result = hot_times(starts=["2018-06-04 10:00", "2018-06-01 09:00"], ends=["2018-06-04 10:00", "2018-06-20 09:00"])
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
            min_size=n,
            max_size=n,
        )
    )
    durations = draw(
        st.lists(
            st.one_of(st.none(), st.integers(0, 3000), st.integers(10_080, 10_081), st.integers(10_082, 90_000)),
            min_size=n,
            max_size=n,
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
    # The kernel is what is checked here: times at midnight are taken as times.
    result = hot_times(
        starts=[s.isoformat(sep=" ") for s in starts],
        ends=[e.isoformat(sep=" ") if e else e for e in ends_or_blank],
        weights=weights,
        midnight_is_date_only=False,
    )
    expected = np.array(reference_hot_times(starts, ends, weights))
    np.testing.assert_allclose(result.matrix, expected, rtol=1e-9, atol=1e-9)
    assert result.matrix.sum() == pytest.approx(result.total)


# --- events known only to the day ------------------------------------------------------------------


def test_a_date_without_a_time_is_spread_over_its_day_not_piled_at_midnight():
    result = hot_times(starts=["2018-06-04", "2018-06-04 10:30"])  # a Monday
    assert result.matrix[0, 0] == pytest.approx(1 / 24)
    assert result.matrix[0, 10] == pytest.approx(1 + 1 / 24)
    np.testing.assert_allclose(result.matrix[0, 1:10], 1 / 24)
    assert result.matrix.sum() == pytest.approx(2.0)
    assert (result.date_only, result.single_time, result.windowed) == (1, 1, 0)
    summary = result.to_dict()["summary"]
    assert summary["date_only"] == 1 and summary["date_only_treatment"] == "spread"
    assert "1 event known only to the day is spread evenly over the hours of that day" in summary["notes"][0]


def test_a_run_of_dates_is_spread_over_every_day_of_the_run_including_the_last():
    result = hot_times(starts=["2018-06-04"], ends=["05/06/2018"])  # Monday to Tuesday, day first
    np.testing.assert_allclose(result.matrix[0], 1 / 48)
    np.testing.assert_allclose(result.matrix[1], 1 / 48)
    assert result.matrix[2:].sum() == 0.0 and result.date_only == 1


def test_events_known_only_to_the_day_can_be_shown_apart_by_day_of_week():
    result = hot_times(
        starts=["2018-06-04", "2018-06-09", "2018-06-09 23:10", "2018-06-04"],
        ends=["", "2018-06-10", "", "2018-06-20"],
        date_only="apart",
    )
    assert result.matrix.sum() == pytest.approx(1.0) and result.matrix[5, 23] == 1.0
    by_day = result.to_dict()["summary"]["date_only_by_day"]
    # Monday alone; Saturday and Sunday half each; a run longer than a week evenly over all seven days.
    assert by_day["Monday"] == pytest.approx(1 + 1 / 7)
    assert by_day["Saturday"] == pytest.approx(0.5 + 1 / 7) and by_day["Sunday"] == pytest.approx(0.5 + 1 / 7)
    assert sum(by_day.values()) == pytest.approx(3.0)
    assert result.date_only == 3 and result.long_windows == 0
    assert "3 events known only to the day are left out of the hour table" in result.to_dict()["summary"]["notes"][0]


def test_midnight_can_be_trusted_as_a_time_when_the_analyst_says_so():
    result = hot_times(starts=["2018-06-04 00:00"], midnight_is_date_only=False)
    assert result.matrix[0, 0] == 1.0 and result.date_only == 0


def test_a_window_from_midnight_to_a_time_is_an_ordinary_window():
    result = hot_times(starts=["2018-06-04 00:00"], ends=["2018-06-04 02:00"])
    assert result.matrix[0, 0] == pytest.approx(0.5) and result.matrix[0, 1] == pytest.approx(0.5)
    assert result.date_only == 0 and result.windowed == 1


def test_a_second_past_midnight_is_a_time():
    result = hot_times(starts=["2018-06-04 00:00:01"])
    assert result.matrix[0, 0] == 1.0 and result.date_only == 0


def test_the_caller_may_flag_the_events_known_only_to_the_day():
    result = hot_times(starts=["2018-06-04 00:00", "2018-06-05 00:00"], known_to_the_day=[False, True])
    assert result.matrix[0, 0] == 1.0 and result.matrix[1, 5] == pytest.approx(1 / 24)
    with pytest.raises(AnalysisInputError, match="known_to_the_day has 1 values"):
        hot_times(starts=["2018-06-04", "2018-06-05"], known_to_the_day=[True])
    with pytest.raises(AnalysisInputError, match="unknown treatment of events known only to the day 'midnight'"):
        hot_times(starts=["2018-06-04"], date_only="midnight")


@settings(max_examples=40, deadline=None)
@given(days=st.lists(st.tuples(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)), st.integers(0, 9)), min_size=1, max_size=8))
def test_dates_without_times_match_a_minute_by_minute_loop_over_their_whole_days(days):
    starts = [dt.datetime.combine(first, dt.time()) for first, _ in days]
    ends = [s + dt.timedelta(days=extra) for s, (_, extra) in zip(starts, days)]
    result = hot_times(starts=[s.date().isoformat() for s in starts], ends=[e.date().isoformat() for e in ends])
    whole_days = [e + dt.timedelta(days=1) for e in ends]
    np.testing.assert_allclose(result.matrix, np.array(reference_hot_times(starts, whole_days, None)), rtol=1e-9, atol=1e-9)
    assert result.date_only == len(days) and result.matrix[:, 0].sum() < len(days)


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
    result = CliRunner().invoke(app, ["analyse", "hot-times", path, "--from", "from", "--harm", str(harm), "--offence", "offence", "--json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["matrix"][0][10] == 375.0
    assert document["parameters"]["harm_weighted"] is True


def test_rocc_analyse_hot_times_shows_dates_without_a_time_apart_when_asked(tmp_path):
    path = _write(tmp_path, "from\n2018-06-04\n2018-06-04 10:30\n")
    spread = CliRunner().invoke(app, ["analyse", "hot-times", path, "--from", "from"])
    assert spread.exit_code == 0 and "note: 1 event known only to the day is spread evenly" in spread.stdout
    apart = CliRunner().invoke(app, ["analyse", "hot-times", path, "--from", "from", "--date-only", "apart", "--json"])
    document = json.loads(apart.stdout)
    assert document["summary"]["date_only_by_day"]["Monday"] == 1.0 and document["matrix"][0][0] == 0.0
    trusted = json.loads(CliRunner().invoke(app, ["analyse", "hot-times", path, "--from", "from", "--midnight-is-a-time", "--json"]).stdout)
    assert trusted["matrix"][0][0] == 1.0 and trusted["summary"]["date_only"] == 0
