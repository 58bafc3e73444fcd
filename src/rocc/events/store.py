"""The event store on disk: Parquet batches under ``<data directory>/events/``, written atomically and read
with DuckDB through Ibis.

Layout (every name the database keeps is relative to the data directory):

    events/batches/<batch>.events.parquet    one row per event, sorted by date; ``month`` is the month number of
                                             date_from (year × 12 + month − 1), the key every period is built on
    events/batches/<batch>.persons.parquet   one row per person in an event (pseudonymised), with the event's
                                             date, offence and unit copied in so person counts need no join
    events/rejects/<batch>.csv               the rows an import refused, with the reason
    events/incoming/                         uploads waiting for their import (removed once it has run)
    events/index/                            the per-person index behind the Victim Focus lookup

The queries see the tables ``rocc_events`` and ``rocc_event_persons``; on another backend (PostgreSQL,
Spark) tables with those names and columns serve the same Ibis expressions.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from rocc.events.models import BatchStatus, ImportBatch

EVENTS_TABLE = "rocc_events"
PERSONS_TABLE = "rocc_event_persons"

_PLACE = [
    ("unit_code", pa.string()),
    ("unit_path", pa.string()),
    ("district_code", pa.string()),
    ("area_code", pa.string()),
]
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("source", pa.string()),
        ("batch_id", pa.int64()),
        ("date_from", pa.timestamp("us")),
        ("date_to", pa.timestamp("us")),
        ("month", pa.int32()),
        ("offence_code", pa.string()),
        ("offence_division", pa.string()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        *_PLACE,
    ]
)
PERSON_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("source", pa.string()),
        ("batch_id", pa.int64()),
        ("person_key", pa.string()),
        ("role", pa.string()),
        ("date_from", pa.timestamp("us")),
        ("month", pa.int32()),
        ("offence_code", pa.string()),
        ("offence_division", pa.string()),
        *_PLACE,
    ]
)


def data_dir() -> Path:

    return Path(settings.ROCC_DATA_DIR)


def absolute(relative: str) -> Path:
    """The path of a data-directory-relative name, refusing names that climb out of the data directory."""
    root = data_dir().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"{relative!r} is not inside the data directory")
    return path


def relative_name(*parts: str) -> str:
    return "/".join(("events", *parts))


def write_parquet_atomically(table: pa.Table, relative: str) -> None:
    """Write a Parquet file under a temporary name, flush it to disk, then rename it into place,
    so a reader never sees half a file and a crash leaves only a stray temporary file."""
    target = absolute(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, temporary, compression="zstd")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes_atomically(data: bytes, relative: str, *, mode: int = 0o600) -> None:
    target = absolute(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def store_lock() -> Iterator[None]:
    """One writer at a time across processes: checking which events are already stored, writing a batch
    and extending the person index happen under this lock."""
    path = absolute(relative_name("store.lock"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def stored_files() -> tuple[list[str], list[str]]:
    """The absolute paths of the events and persons files of every completed batch (from the database, so a
    file whose batch never finished is never read)."""

    rows = ImportBatch.objects.filter(status=BatchStatus.DONE).exclude(events_file="").values_list("events_file", "persons_file")
    events, persons = [], []
    for events_file, persons_file in rows:
        events.append(str(absolute(events_file)))
        if persons_file:
            persons.append(str(absolute(persons_file)))
    return events, persons


def duckdb_backend():
    """A fresh in-memory DuckDB (through Ibis) with the tables ``rocc_events`` and ``rocc_event_persons``
    as views over the stored Parquet batches (empty tables when there are none)."""
    import ibis

    con = ibis.duckdb.connect()
    events, persons = stored_files()
    _view(con, EVENTS_TABLE, events, EVENT_SCHEMA)
    _view(con, PERSONS_TABLE, persons, PERSON_SCHEMA)
    return con


def _view(con, name: str, files: list[str], schema: pa.Schema) -> None:
    if files:
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.raw_sql(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}], union_by_name = true)")
    else:
        con.create_table(name, schema=_ibis_schema(schema), overwrite=True)


def _ibis_schema(schema: pa.Schema):
    import ibis

    return ibis.Schema.from_pyarrow(schema)


def empty_frame(schema: pa.Schema):
    return schema.empty_table().to_pandas()
