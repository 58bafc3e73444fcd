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

The queries see the tables ``rocc_events`` and ``rocc_event_persons``. Every read goes through :func:`backend`,
which gives them on the engine ``ROCC_EVENTS_ENGINE`` names: DuckDB over the Parquet files (the default),
PostgreSQL (tables filled from the files), or Spark (views over the same files, wherever the cluster reads them).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
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
    if getattr(_held, "depth", 0):  # already held by this thread: a nested use (an import's engine copy) goes on
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    path = absolute(relative_name("store.lock"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


_held = threading.local()


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


#: The engines that can serve the store's reads (``ROCC_EVENTS_ENGINE``), DuckDB the default.
ENGINES = ("duckdb", "postgres", "spark")


def engine() -> str:
    """The engine every event-store read uses: ``ROCC_EVENTS_ENGINE`` in the environment (or the Django setting
    of that name), ``duckdb`` when unset. An unknown name is an error naming the setting."""
    name = (getattr(settings, "ROCC_EVENTS_ENGINE", None) or os.environ.get("ROCC_EVENTS_ENGINE") or "duckdb").strip().lower()
    if name not in ENGINES:
        raise ValueError(f"ROCC_EVENTS_ENGINE: expected one of {', '.join(ENGINES)}, found {name!r}")
    return name


def backend(name: str | None = None):
    """The one connection factory for event-store reads: an Ibis backend holding ``rocc_events`` and
    ``rocc_event_persons`` on the configured engine (or ``name``).

    - duckdb: a fresh in-memory DuckDB with views over the stored Parquet batches;
    - postgres: the database at ``ROCC_EVENTS_POSTGRES_URL`` (default ``DATABASE_URL``), whose tables are
      brought up to date with every finished batch first (see :func:`postgres_sync`);
    - spark: a Spark session (``ROCC_SPARK_MASTER``, default ``local[2]``) with temporary views over the same
      Parquet files, read from ``ROCC_EVENTS_STORE_URL`` when the cluster sees the data directory elsewhere.
    """
    name = name or engine()
    if name == "postgres":
        return postgres_backend()
    if name == "spark":
        return spark_backend()
    return duckdb_backend()


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


def engine_location(path: str) -> str:
    """Where the engine reads a stored file: under ``ROCC_EVENTS_STORE_URL`` (a shared file system's path or an
    object-storage URL holding a copy of the data directory) when set, else the local path."""
    base = os.environ.get("ROCC_EVENTS_STORE_URL", "").rstrip("/")
    if not base:
        return path
    return base + "/" + Path(path).resolve().relative_to(data_dir().resolve()).as_posix()


_spark = None


def spark_backend():
    """Ibis over a Spark session, with temporary views ``rocc_events`` and ``rocc_event_persons`` over the stored
    Parquet batches. Needs the ``spark`` extra (pyspark) and Java 17."""
    global _spark
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError:
        raise ValueError("ROCC_EVENTS_ENGINE=spark needs pyspark: install rocc with the spark extra (pip install 'rocc[spark]')") from None
    if _spark is None:
        _spark = (
            SparkSession.builder.master(os.environ.get("ROCC_SPARK_MASTER", "local[2]"))
            .appName("rocc-events")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", os.environ.get("ROCC_SPARK_PARTITIONS", "8"))
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    events, persons = stored_files()
    for name, files, schema in ((EVENTS_TABLE, events, EVENT_SCHEMA), (PERSONS_TABLE, persons, PERSON_SCHEMA)):
        if files:
            frame = _spark.read.option("mergeSchema", "true").parquet(*[engine_location(f) for f in files])
        else:
            frame = _spark.createDataFrame(schema.empty_table().to_pandas(), schema=_spark_schema(schema))
        frame.createOrReplaceTempView(name)
    return ibis.pyspark.connect(_spark)


def _spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    kinds = {
        pa.string(): T.StringType(),
        pa.int64(): T.LongType(),
        pa.int32(): T.IntegerType(),
        pa.float64(): T.DoubleType(),
        pa.timestamp("us"): T.TimestampNTZType(),
    }
    return T.StructType([T.StructField(f.name, kinds[f.type], True) for f in schema])


BATCHES_TABLE = "rocc_event_batches"


def postgres_url() -> str:
    url = os.environ.get("ROCC_EVENTS_POSTGRES_URL") or os.environ.get("DATABASE_URL") or ""
    if not url.startswith(("postgres://", "postgresql://")):
        raise ValueError("ROCC_EVENTS_ENGINE=postgres needs ROCC_EVENTS_POSTGRES_URL (or DATABASE_URL) naming a PostgreSQL database")
    return url


def postgres_backend():
    """Ibis over the PostgreSQL database holding the store's tables, after :func:`postgres_sync`."""
    import ibis

    url = postgres_url()
    postgres_sync(url)
    return ibis.connect(url.replace("postgresql://", "postgres://", 1))


def postgres_sync(url: str | None = None) -> list[int]:
    """Copy every finished batch the PostgreSQL tables do not hold yet into them (``rocc_event_batches`` lists
    those held), under the store lock; returns the batches copied. The Parquet files stay the record: the
    tables can be dropped and are filled again on the next read."""
    import psycopg

    url = url or postgres_url()
    done = dict(ImportBatch.objects.filter(status=BatchStatus.DONE).exclude(events_file="").values_list("pk", "persons_file"))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {BATCHES_TABLE} (batch_id bigint PRIMARY KEY)")
        for name, schema in ((EVENTS_TABLE, EVENT_SCHEMA), (PERSONS_TABLE, PERSON_SCHEMA)):
            columns = ", ".join(f"{f.name} {_POSTGRES_TYPES[str(f.type)]}" for f in schema)
            connection.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        held = {row[0] for row in connection.execute(f"SELECT batch_id FROM {BATCHES_TABLE}")}
        missing = sorted(pk for pk in done if pk not in held)
        if not missing:
            return []
        copied = []
        with store_lock():
            files = dict(ImportBatch.objects.filter(pk__in=missing).values_list("pk", "events_file"))
            for pk in missing:
                with connection.transaction():
                    if connection.execute(f"SELECT 1 FROM {BATCHES_TABLE} WHERE batch_id = %s", [pk]).fetchone():
                        continue  # another process copied it meanwhile
                    _postgres_copy(connection, EVENTS_TABLE, EVENT_SCHEMA, absolute(files[pk]))
                    if done[pk]:
                        _postgres_copy(connection, PERSONS_TABLE, PERSON_SCHEMA, absolute(done[pk]))
                    connection.execute(f"INSERT INTO {BATCHES_TABLE} (batch_id) VALUES (%s)", [pk])
                copied.append(pk)
        return copied


_POSTGRES_TYPES = {"string": "text", "int64": "bigint", "int32": "integer", "double": "double precision", "timestamp[us]": "timestamp"}


def _postgres_copy(connection, table: str, schema: pa.Schema, path: Path) -> None:
    """Stream one Parquet file into a table with COPY, a row group at a time (memory bounded by a row group).
    Values are quoted and nulls left bare, so PostgreSQL keeps an empty text apart from a missing one."""
    import pyarrow.csv as pacsv

    names = [f.name for f in schema]
    parquet = pq.ParquetFile(path)
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with connection.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT csv)") as copy:
        for group in range(parquet.num_row_groups):
            part = parquet.read_row_group(group)
            part = pa.table({n: part[n] if n in part.column_names else pa.nulls(part.num_rows, schema.field(n).type) for n in names}, schema=schema)
            sink = pa.BufferOutputStream()
            pacsv.write_csv(part, sink, write_options=options)
            copy.write(sink.getvalue().to_pybytes())


def _ibis_schema(schema: pa.Schema):
    import ibis

    return ibis.Schema.from_pyarrow(schema)


def empty_frame(schema: pa.Schema):
    return schema.empty_table().to_pandas()
