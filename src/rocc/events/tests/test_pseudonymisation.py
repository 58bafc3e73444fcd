"""Pseudonymisation: identifiers become keyed hashes on import, the key stays outside the database, and the
original identifier is written nowhere: not in a Parquet file, the index, the rejects, or any database row."""

from __future__ import annotations

import os
import stat

import pytest
from django.db import connection

from rocc.events.pseudonym import normalised_identifier, person_key, pseudonym_key
from rocc.events.services import events_import
from rocc.events.tests.conftest import csv_text

SECRET = "PRN-ZZ-4417-QX"


def database_text() -> bytes:
    """Every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks).encode("utf-8")


def test_the_identifier_appears_in_no_stored_file_and_no_database_row(source, analyst, write, event_store):
    rows = [f"E1,2024-03-01,0211,North Shore,,,{SECRET},", f"E2,2024-03-09,071,Rodney,,,{SECRET.lower()},OFF-{SECRET}", f"E3,2024-13-09,071,Rodney,,,{SECRET},"]
    upload = write("with-secret.csv", csv_text(*rows))
    batch = events_import(user=analyst, source=source, path=upload, partial=True)
    assert batch.rows_imported == 2 and batch.rejects_file
    from rocc.events.selectors import victim_focus_lookup

    assert victim_focus_lookup(user=analyst, identifier=SECRET, purpose="a call for service", as_of="2024-04-01").count == 2
    needles = [SECRET.encode(), SECRET.lower().encode(), normalised_identifier(SECRET).encode()]
    files = [p for p in event_store.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".npy" for p in files)
    for path in files:
        content = path.read_bytes()
        assert not any(n in content for n in needles), path
    content = database_text()
    assert not any(n in content for n in needles)
    assert person_key(SECRET).encode() in content  # the lookup's audit entry names the person by key only


def test_the_key_is_created_on_first_use_readable_by_its_owner_only(event_store, monkeypatch):
    monkeypatch.delenv("ROCC_PSEUDONYM_KEY", raising=False)
    key = pseudonym_key()
    key_file = event_store / "pseudonym_key"
    assert len(key) == 32 and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert pseudonym_key() == key  # the same key on every use
    assert person_key(" prn  1001 ") == person_key("PRN 1001")  # case and spacing do not make another person
    assert person_key("PRN 1001") != person_key("PRN 1002")


def test_a_key_from_the_environment_gives_other_person_keys(event_store, monkeypatch):
    monkeypatch.delenv("ROCC_PSEUDONYM_KEY", raising=False)
    from_file = person_key("PRN 1001")
    monkeypatch.setenv("ROCC_PSEUDONYM_KEY", "x" * 40)
    assert person_key("PRN 1001") != from_file
    monkeypatch.setenv("ROCC_PSEUDONYM_KEY", "short")
    from rocc.events.pseudonym import PseudonymKeyError

    with pytest.raises(PseudonymKeyError, match="shorter than 32"):
        person_key("PRN 1001")
