"""Reporting periods of packs: quarters by default, any span of days otherwise."""

import datetime as dt

from rocc.governance.periods import PackPeriod, last_complete_quarter, parse_quarter, quarter_of, recent_quarters


def test_the_default_period_is_the_last_complete_quarter():
    assert last_complete_quarter(dt.date(2026, 12, 2)) == PackPeriod(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert last_complete_quarter(dt.date(2026, 1, 1)) == PackPeriod(dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_quarters_have_keys_and_labels_and_other_spans_say_their_dates():
    q = quarter_of(dt.date(2026, 2, 14))
    assert (q.start, q.end, q.key, q.is_quarter) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026-Q1", True)
    assert q.label == "Jan–Mar 2026"
    assert parse_quarter("2026-Q1") == q and parse_quarter("2026-Q5") is None and parse_quarter("nonsense") is None
    span = PackPeriod(dt.date(2026, 1, 15), dt.date(2026, 6, 30))
    assert not span.is_quarter and span.label == "15 Jan 2026 – 30 Jun 2026"
    quarters = recent_quarters(dt.date(2026, 12, 2), count=3)
    assert [x.key for x in quarters] == ["2026-Q4", "2026-Q3", "2026-Q2"]
