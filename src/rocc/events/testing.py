"""Putting events in the store from tests (this app's and others'), through the real import path.

from rocc.events.testing import event_store, events_create  # event_store is a pytest fixture

def test_something(event_store, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    events_create(user=analyst, rows=[
        {"event_id": "E1", "date": "2024-03-01", "offence_code": "0211", "unit": "North Shore",
         "x": 1755000, "y": 5925000, "victim": "V-1"},
    ])
"""

from __future__ import annotations

import contextlib
import csv
import tempfile
import uuid
from pathlib import Path

import pytest

FIELDS = ("event_id", "date", "date_from", "date_to", "offence_code", "unit", "x", "y", "latitude", "longitude")


def events_create(*, user, rows: list[dict], source: str = "test-events", partial: bool = False, default_unit: str | None = None):
    """Import ``rows`` as one CSV file from a source of that name (created with a mapping of the keys used).

    Keys: event_id, date or date_from/date_to, offence_code, unit (name, code or alias; or give
    ``default_unit``), optional x/y (NZTM2000) or latitude/longitude, and optional ``victim`` / ``offender``
    identifiers (a list for several). Returns the ImportBatch; raises AssertionError if it was not imported.
    """
    from rocc.events.services import events_import, source_save

    keys = list(dict.fromkeys(k for row in rows for k in row))
    victims = max((len(_many(row.get("victim"))) for row in rows), default=0)
    offenders = max((len(_many(row.get("offender"))) for row in rows), default=0)
    mapping = {"name": source, **{k: k for k in keys if k in FIELDS}, "persons": []}
    if default_unit:
        mapping["default_unit"] = default_unit
    header = [k for k in keys if k in FIELDS]
    for role, count in (("victim", victims), ("offender", offenders)):
        for i in range(count):
            column = f"{role}_{i + 1}"
            header.append(column)
            mapping["persons"].append({"role": role, "identifier": column})
    source_obj = source_save(user=user, mapping=mapping)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{source}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                line = [row.get(k, "") for k in header if k in FIELDS]
                for role, count in (("victim", victims), ("offender", offenders)):
                    people = _many(row.get(role))
                    line += [people[i] if i < len(people) else "" for i in range(count)]
                writer.writerow(line)
        batch = events_import(user=user, source=source_obj, path=path, partial=partial)
    if batch.status not in {"done", "already"} and not partial:
        raise AssertionError(f"the test events were not imported: {batch.message}: {batch.problems[:5]}")
    return batch


def _many(value) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


@pytest.fixture
def event_store(settings, tmp_path, defaults):
    """An empty event store in a fresh data directory (with the reference units loaded)."""
    settings.ROCC_DATA_DIR = tmp_path / "data"
    settings.ROCC_DATA_DIR.mkdir()
    return settings.ROCC_DATA_DIR


@contextlib.contextmanager
def events_engine_on_postgresql(settings, monkeypatch):
    """Within the block the event store is read through PostgreSQL (``ROCC_EVENTS_ENGINE=postgres``), in a database
    of its own on the service at 127.0.0.1:5432, made for the block and dropped after it; yields the database's URL."""
    import psycopg

    name = f"rocc_events_engine_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is needed for this test ({exc})")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        monkeypatch.setenv("ROCC_EVENTS_POSTGRES_URL", url)
        settings.ROCC_EVENTS_ENGINE = "postgres"
        yield url
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
