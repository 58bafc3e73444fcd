"""The events page's counts by unit: the store's counts are read once for each state of the store, and each reader
sees only their units' counts, the same as a scoped read in the engine gives."""

from __future__ import annotations

from rocc.events import selectors, store
from rocc.events.testing import event_store, events_create  # noqa: F401 (fixture)

ROWS = [
    {"event_id": "E1", "date": "2024-03-01", "offence_code": "0211", "unit": "waitemata"},
    {"event_id": "E2", "date": "2024-05-09", "offence_code": "0211", "unit": "waitemata"},
    {"event_id": "E3", "date": "2024-04-02", "offence_code": "1311", "unit": "auckland-city"},
]


def _scoped_in_the_engine(user) -> dict:
    table = selectors._filtered(store.backend().table(store.EVENTS_TABLE), user=user, unit=None, date_from=None, date_to=None, offence_codes=None)
    counted = table.group_by("unit_code").agg(events=table.count()).to_pandas()
    return dict(zip(counted.unit_code, counted.events.astype(int)))


def test_each_reader_sees_their_units_counts_and_a_new_batch_is_counted_at_once(event_store, make_user):  # noqa: F811
    national = make_user("analyst", units=["nz"])
    waitemata = make_user("analyst", units=["waitemata"])
    events_create(user=national, rows=ROWS)

    for user, expected in ((national, {"auckland-city": 1, "waitemata": 2}), (waitemata, {"waitemata": 2})):
        summary = selectors.events_summary(user=user)
        assert dict(zip(summary.unit_code, summary.events.astype(int))) == expected == _scoped_in_the_engine(user)
    first = selectors.events_summary(user=waitemata)
    assert str(first["first"].iloc[0])[:10] == "2024-03-01" and str(first["last"].iloc[0])[:10] == "2024-05-09"

    events_create(user=national, rows=[{"event_id": "E4", "date": "2024-06-01", "offence_code": "0211", "unit": "waitemata"}], source="second")
    summary = selectors.events_summary(user=waitemata)
    assert dict(zip(summary.unit_code, summary.events.astype(int))) == {"waitemata": 3} == _scoped_in_the_engine(waitemata)


def test_a_reader_of_units_without_events_sees_no_counts(event_store, make_user):  # noqa: F811
    events_create(user=make_user("analyst", units=["nz"]), rows=ROWS)
    elsewhere = make_user("analyst", units=["counties-manukau"])
    assert selectors.events_summary(user=elsewhere).empty and _scoped_in_the_engine(elsewhere) == {}


def test_an_empty_store_gives_an_empty_summary_and_the_events_page_says_there_are_none(event_store, client, make_user):  # noqa: F811
    analyst = make_user("analyst", units=["waitemata"])
    summary = selectors.events_summary(user=analyst)
    assert summary.empty and list(summary.columns) == ["unit_code", "events", "first", "last"]
    client.force_login(analyst)
    assert client.get("/events/").status_code == 200
