"""`rocc.testing.load_once` replays a shipped-content load exactly: the same rows, in every table, as the real loader
leaves, so a test that starts from a replay starts where the real load would have left it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from rocc.measures.services import measures_defaults_load
from rocc.strategy.services.frameworks import strategy_defaults_load
from rocc.testing import _rows, _tables, load_once


def _contents() -> dict:
    return {model._meta.db_table: _rows(model) for model in _tables()}


def _timeless(rows: dict) -> dict:
    return {pk: tuple(None if isinstance(value, dt.datetime) else value for value in row) for pk, row in rows.items()}


def _inside_a_rollback(step):
    """What the database holds after ``step()``, with everything it wrote taken back afterwards."""
    with transaction.atomic():
        step()
        contents = _contents()
        transaction.set_rollback(True)
    return contents


@pytest.mark.django_db
@pytest.mark.parametrize("loader", [strategy_defaults_load, measures_defaults_load], ids=["strategy", "measures"])
def test_a_replayed_load_leaves_the_same_rows_as_the_real_loader(defaults, loader):
    before = _contents()
    real = _inside_a_rollback(loader)
    first = _inside_a_rollback(lambda: load_once(loader))
    replayed = _inside_a_rollback(lambda: load_once(loader))  # recorded by now, so this one is a replay
    assert _contents() == before, "each step was taken back"

    assert replayed == first, "a replay writes exactly the rows the recorded load wrote"
    changed = {table for table in real if real[table] != before[table]}
    assert changed, "the loader wrote something"
    assert {table: len(rows) for table, rows in replayed.items()} == {table: len(rows) for table, rows in real.items()}
    assert {table for table in replayed if replayed[table] != before[table]} == changed
    # Row for row the same as the real load's, but for when each row was written (and the audit chain's hashes,
    # which cover that time); on PostgreSQL the keys differ too, since its sequences never go back.
    if connection.vendor == "sqlite":
        for table in changed - {"audit_auditentry", "audit_audithead"}:
            assert _timeless(replayed[table]) == _timeless(real[table]), table


@pytest.mark.django_db
def test_a_test_that_added_rows_of_its_own_gets_a_load_of_its_own(defaults, make_user):
    load_once(strategy_defaults_load)
    with transaction.atomic():
        make_user("programme_manager", username="a-user-of-this-test")
        from rocc.testing import _LOADED

        known = len(_LOADED)
        load_once(strategy_defaults_load)
        assert len(_LOADED) == known + 1, "a database state not seen before runs the real loader"
        transaction.set_rollback(True)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="on PostgreSQL a test's own entry takes a new key (sequences never go back), so the state is new anyway"
)
@pytest.mark.django_db
def test_a_load_after_the_tests_own_audit_entries_is_replayed_chained_on_from_them(defaults):
    """Two tests that each write an audit entry before the load meet the same state but for the trail's newest hash
    (their entries were written at different moments): the second gets a replay, chained on from its own entry."""
    import time

    from rocc.audit.chain import append, verify
    from rocc.audit.models import AuditEntry, AuditHead
    from rocc.testing import _LOADED

    def load_after_an_entry_of_its_own():
        with transaction.atomic():
            own = append(kind="system", object_repr="a test's own entry")
            load_once(strategy_defaults_load)
            entries = list(AuditEntry.objects.order_by("id").values_list("id", "object_repr", "prev_hash", "hash"))
            head = AuditHead.objects.values_list("last_id", "last_hash", "count").get(id=1)
            checked = verify()
            transaction.set_rollback(True)
        return own.hash, entries, head, checked

    first = load_after_an_entry_of_its_own()
    known = len(_LOADED)
    time.sleep(0.002)  # the next entry is written at another millisecond, so it hashes differently
    second = load_after_an_entry_of_its_own()
    assert len(_LOADED) == known, "the second load is a replay"
    assert first[0] != second[0], "the two tests' own entries hash differently"
    assert [row[:2] for row in second[1]] == [row[:2] for row in first[1]], "the same entries, with the same ids"
    assert len(second[1]) > 1 and second[1][-1][3] == second[2][1] and second[2][2] == len(second[1])
    assert first[3].ok and second[3].ok, (first[3].problems, second[3].problems)
