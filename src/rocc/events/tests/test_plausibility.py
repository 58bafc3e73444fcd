"""Implausible rows are refused where they are: an event dated in the future or before the deployment's earliest
date, and an event id or person identifier longer than rocc's bound (said by its length, not repeated)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rocc.core.bounds import IDENTIFIER_MAX, events_window
from rocc.events.models import BatchStatus
from rocc.events.services import events_import
from rocc.events.tests.conftest import csv_text


def _messages(batch) -> list[tuple]:
    return [(p["row"], p["column"], p["message"]) for p in batch.problems]


def test_events_dated_2099_or_1899_are_refused_with_their_row(source, analyst, write):
    rows = ["E1,2099-01-01,0211,North Shore,,,,", "E2,1899-12-31,0211,North Shore,,,,", "E3,2024-03-01,0211,North Shore,,,,"]
    batch = events_import(user=analyst, source=source, path=write("dates.csv", csv_text(*rows)))
    assert batch.status == BatchStatus.REJECTED and batch.rows_imported == 0
    found = _messages(batch)
    assert (2, "Date", found[0][2]) == found[0] and found[0][2].startswith("2099-01-01 is in the future")
    assert found[1] == (3, "Date", "1899-12-31 is before 1900-01-01, the earliest date this deployment accepts for an event")
    assert len(found) == 2


def test_tomorrow_is_allowed_for_clock_skew_but_the_day_after_is_not(source, analyst, write):
    today = timezone.localdate()
    rows = [f"E1,{today + dt.timedelta(days=1)},0211,North Shore,,,,", f"E2,{today + dt.timedelta(days=2)},0211,North Shore,,,,"]
    batch = events_import(user=analyst, source=source, path=write("skew.csv", csv_text(*rows)))
    assert [(r, c) for r, c, _ in _messages(batch)] == [(3, "Date")]


def test_a_deployment_sets_its_own_earliest_date(source, analyst, write, settings):
    settings.ROCC_EVENTS_EARLIEST = "2015-07-01"
    batch = events_import(
        user=analyst, source=source, path=write("early.csv", csv_text("E1,2015-06-30,0211,North Shore,,,,", "E2,2015-07-01,0211,North Shore,,,,"))
    )
    assert _messages(batch) == [(2, "Date", "2015-06-30 is before 2015-07-01, the earliest date this deployment accepts for an event")]


def test_a_malformed_earliest_date_setting_refuses_the_import_saying_so(source, analyst, write, settings):
    settings.ROCC_EVENTS_EARLIEST = "July 2015"
    batch = events_import(user=analyst, source=source, path=write("early.csv", csv_text("E1,2024-03-01,0211,North Shore,,,,")))
    assert batch.status != BatchStatus.DONE
    assert "ROCC_EVENTS_EARLIEST is 'July 2015': expected a date written YYYY-MM-DD" in " ".join(m for _, _, m in _messages(batch)) + batch.message


def test_the_window_ends_with_tomorrow():
    earliest, latest = events_window(dt.date(2026, 3, 1))
    assert earliest == dt.datetime(1900, 1, 1) and latest.date() == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "column, row", [("Occurrence ID", "{long},2024-03-01,0211,North Shore,,,,"), ("Victim ID", "E1,2024-03-01,0211,North Shore,,,{long},")]
)
def test_an_overlong_identifier_is_refused_by_its_length(source, analyst, write, column, row):
    long = "X" * (IDENTIFIER_MAX + 1)
    batch = events_import(user=analyst, source=source, path=write("ids.csv", csv_text(row.format(long=long))))
    found = _messages(batch)
    assert batch.status == BatchStatus.REJECTED
    assert (2, column) in [(r, c) for r, c, _ in found]
    message = next(m for r, c, m in found if c == column)
    assert f"is {IDENTIFIER_MAX + 1:,} characters long; at most {IDENTIFIER_MAX:,} are allowed" in message and long not in message


def test_a_two_megabyte_identifier_is_refused_with_its_location(source, analyst, write):
    batch = events_import(
        user=analyst,
        source=source,
        path=write("huge.csv", csv_text("E1,2024-03-01,0211,North Shore,,,,", "Z" * 2 * 1024 * 1024 + ",2024-03-01,0211,North Shore,,,,")),
    )
    assert batch.status != BatchStatus.DONE and batch.rows_imported == 0
    where = [(p["row"], p["column"]) for p in batch.problems]
    assert where and where[0][0] == 3 and where[0][1] in {"Occurrence ID", None}
    assert all(len(p["message"]) < 1000 for p in batch.problems)
