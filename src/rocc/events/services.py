"""Every write to the event store: saving a source's mapping, queueing and running an import batch."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.core import limits
from rocc.events import store
from rocc.events.importer import REPORT_LIMIT, FileRefused, Problem, events_arrow, file_check, persons_arrow
from rocc.events.mapping import MappingInvalid, SourceMapping, mapping_from_dict
from rocc.events.models import BatchStatus, EventSource, ImportBatch
from rocc.events.models import BatchStatus as Status
from rocc.events.person_index import index_build_streaming, index_extend
from rocc.events.tasks import batch_import_task
from rocc.inbox import hooks as notifications
from rocc.org.models import OrgUnit
from rocc.org.scope import scope_of
from rocc.org.services import unit_resolve

Progress = Callable[[int, str], None]
ACCEPTED_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".parquet"}


def _require(user, permission: str) -> None:
    if user is None:  # the command line run by the operator of the installation, who holds the data directory
        return
    if not user.has_perm(permission):
        raise PermissionDenied("Your role cannot import events: importing is for analysts and administrators.")


@transaction.atomic
def source_save(*, user, mapping: SourceMapping | dict) -> EventSource:
    """Create or replace a source with its column mapping (checked before anything is saved)."""
    _require(user, "events.import_events")
    if isinstance(mapping, dict):
        try:
            mapping = mapping_from_dict(mapping, source="mapping")
        except MappingInvalid as invalid:
            raise ValidationError({"mapping": invalid.problems}) from None
    if mapping.default_unit:
        unit_resolve(mapping.default_unit)  # raises a ValidationError naming the unit
    source, created = EventSource.objects.get_or_create(
        name=mapping.name, defaults={"description": mapping.description, "mapping": mapping.model_dump(), "created_by": user}
    )
    if not created:
        source.description = mapping.description
        source.mapping = mapping.model_dump()
        source.save()
    return source


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _suffix(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ValidationError({"file": f"{file_name}: expected a CSV (.csv), Excel (.xlsx) or Parquet (.parquet) file"})
    return suffix


@transaction.atomic
def batch_create(*, user, source: EventSource, file_name: str, sha256: str, partial: bool, upload_file: str = "") -> ImportBatch:
    _require(user, "events.import_events")
    return ImportBatch.objects.create(
        source=source, file_name=Path(file_name).name[:255], sha256=sha256, partial=partial, created_by=user, upload_file=upload_file
    )


def batch_queue(*, user, source: EventSource, upload, partial: bool) -> ImportBatch:
    """Keep an uploaded file in the data directory (owner-only) and queue its import as a background task.
    The upload is deleted once the import has run, whatever its outcome."""
    _require(user, "events.import_events")
    suffix = _suffix(upload.name)
    try:
        limits.size_check(upload.size, file=upload.name)  # the rest of the limits are the worker's, before it reads
    except limits.FileRefusal as refusal:
        raise ValidationError({"file": str(refusal)}) from None
    relative = store.relative_name("incoming", f"{uuid.uuid4().hex}{suffix}")
    digest = hashlib.sha256()
    chunks = []
    for chunk in upload.chunks():
        digest.update(chunk)
        chunks.append(chunk)
    store.write_bytes_atomically(b"".join(chunks), relative)
    batch = batch_create(user=user, source=source, file_name=upload.name, sha256=digest.hexdigest(), partial=partial, upload_file=relative)

    transaction.on_commit(lambda: batch_import_task.enqueue(batch.pk))
    return batch


def events_import(
    *, user, source: EventSource, path: Path, partial: bool = False, file_name: str | None = None, progress: Progress | None = None
) -> ImportBatch:
    """Import one file now (the command line's way): create its batch and run it, reporting progress."""
    _require(user, "events.import_events")
    path = Path(path)
    _suffix(file_name or path.name)
    batch = batch_create(user=user, source=source, file_name=file_name or path.name, sha256=file_sha256(path), partial=partial)
    return batch_run(batch=batch, path=path, progress=progress)


def _progress_saver(batch: ImportBatch, also: Progress | None) -> Progress:
    def report(percent: int, stage: str) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=min(int(percent), 100), stage=stage[:80])
        if also:
            also(percent, stage)

    return report


def _finish(batch: ImportBatch, status: str, *, message: str, problems: Sequence[Problem] = (), **counts) -> ImportBatch:
    batch.status = status
    batch.message = message
    batch.problems = [p.to_dict() for p in list(problems)[:REPORT_LIMIT]]
    batch.problems_total = len(problems)
    batch.progress = 100
    batch.stage = "finished"
    batch.finished_at = timezone.now()
    for name, value in counts.items():
        setattr(batch, name, value)
    batch.save()
    notifications.import_finished(batch)
    return batch


def batch_run(*, batch: ImportBatch, path: Path | None = None, progress: Progress | None = None) -> ImportBatch:
    """Check the batch's file and store its events, all or nothing (or the valid rows, when the batch is partial).

    Nothing is stored when a row is wrong and the batch is not partial; the same file, or events already
    stored from this source, are never stored twice.
    """
    upload = store.absolute(batch.upload_file) if batch.upload_file else None
    path = Path(path) if path else upload
    if path is None:
        # The upload is deleted once a batch has run: running it again (a repeated task) must not mark a
        # finished import as failed while its events stay in the store.
        raise ValidationError(
            f"import batch {batch.pk} ({batch.file_name}) has no file to read: its upload went when the batch ran; "
            "nothing was changed (import the file again for a new batch)"
        )
    try:
        return _run(batch, path, _progress_saver(batch, progress))
    except Exception as exc:
        _finish(batch, BatchStatus.FAILED, message=f"the import stopped unexpectedly ({type(exc).__name__}: {exc}); nothing was stored")
        raise
    finally:
        if upload is not None:
            upload.unlink(missing_ok=True)
            ImportBatch.objects.filter(pk=batch.pk).update(upload_file="")
            batch.upload_file = ""


def _run(batch: ImportBatch, path: Path, progress: Progress) -> ImportBatch:
    batch.status = BatchStatus.RUNNING
    batch.save(update_fields=["status"])
    source = batch.source
    if ImportBatch.objects.filter(source=source, sha256=batch.sha256, status=BatchStatus.DONE).exclude(pk=batch.pk).exists():
        return _finish(batch, BatchStatus.ALREADY, message="this file was imported before from this source: nothing new was added")
    mapping = SourceMapping.model_validate(source.mapping)
    try:
        checked = file_check(path, file_name=batch.file_name, mapping=mapping, scope_paths=_import_scope(batch), progress=progress)
    except FileRefused as refused:
        return _finish(batch, BatchStatus.REJECTED, message="the file cannot be imported: nothing was stored", problems=refused.problems)
    problems = checked.problems
    counts = {"rows_read": checked.rows_read, "rows_rejected": checked.rejected_rows}
    if problems and not batch.partial:
        return _finish(
            batch,
            BatchStatus.REJECTED,
            problems=problems,
            rows_rejected=checked.rejected_rows,
            rows_read=checked.rows_read,
            message=f"{checked.rejected_rows} of {checked.rows_read} rows have problems: nothing was stored "
            "(fix them, or import the valid rows and keep the rejected ones)",
        )
    progress(75, "storing")
    with store.store_lock():
        valid = checked.valid.copy()
        already = _already_stored(source.name, checked.event_ids[valid])
        stored_before = np.zeros(len(valid), dtype=bool)
        if already:
            stored_before = checked.event_ids.isin(already).to_numpy() & valid
            valid &= ~stored_before
        counts["rows_already_stored"] = int(stored_before.sum())
        if checked.rejected_rows:
            rejects = store.relative_name("rejects", f"{batch.pk}.csv")
            store.write_bytes_atomically(checked.rejects_csv(), rejects)
            batch.rejects_file = rejects
        if not valid.any():
            if checked.rejected_rows and not counts["rows_already_stored"]:
                return _finish(batch, BatchStatus.REJECTED, problems=problems, message="no row could be imported: nothing was stored", **counts)
            return _finish(
                batch, BatchStatus.DONE, problems=problems, rows_imported=0, message="nothing new: every valid event is already in the store", **counts
            )
        events = checked.events[valid].reset_index(drop=True)
        events["batch_id"] = np.int64(batch.pk)
        keep = pd.Series(valid)[checked.persons["position"].to_numpy()].to_numpy()
        persons = checked.persons[keep].copy()
        renumber = np.cumsum(valid) - 1
        persons["position"] = renumber[persons["position"].to_numpy()]
        event_table = events_arrow(events)
        # Sorted by date, each batch's row groups hold narrow date ranges: period queries read and group less.
        person_table = persons_arrow(persons.reset_index(drop=True), event_table).sort_by([("date_from", "ascending"), ("event_id", "ascending")])
        event_table = event_table.sort_by([("date_from", "ascending"), ("event_id", "ascending")])
        events_file = store.relative_name("batches", f"{batch.pk}.events.parquet")
        persons_file = store.relative_name("batches", f"{batch.pk}.persons.parquet")
        store.write_parquet_atomically(event_table, events_file)
        store.write_parquet_atomically(person_table, persons_file)
        progress(90, "recording the batch")
        imported = int(valid.sum())
        note = f"{imported} events imported"
        if counts["rows_already_stored"]:
            note += f"; {counts['rows_already_stored']} were already in the store and were not added again"
        if checked.rejected_rows:
            note += f"; {checked.rejected_rows} rows were rejected (download them with their reasons)"
        with transaction.atomic():
            batch.events_file, batch.persons_file = events_file, persons_file
            _finish(batch, BatchStatus.DONE, problems=problems, message=note, rows_imported=imported, persons_imported=person_table.num_rows, **counts)
        progress(95, "indexing persons")

        index_extend(person_table.to_pandas(), batch_id=batch.pk)
        if store.engine() == "postgres":
            store.postgres_sync()  # the engine's tables take the batch now, not on the next read
    progress(100, "finished")
    return batch


def _import_scope(batch: ImportBatch) -> tuple[str, ...]:
    if batch.created_by_id is None:
        return tuple(OrgUnit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    return scope_of(batch.created_by).unit_paths


def _already_stored(source: str, ids: pd.Series) -> set[str]:
    """The ids among ``ids`` that the store already holds for this source."""
    events, _ = store.stored_files()
    if not events or ids.empty:
        return set()
    # The write's own check reads the record (the Parquet files, under the store lock) whatever engine serves
    # the reads: a copy in another engine may lag the files by the batch being written.
    con = store.duckdb_backend()
    stored = con.table(store.EVENTS_TABLE)
    wanted = con.create_table("wanted", pd.DataFrame({"event_id": ids.drop_duplicates().to_numpy(dtype=object)}), temp=True)
    found = stored.filter(stored.source == source).join(wanted, "event_id").select("event_id").distinct().to_pyarrow()
    con.disconnect()
    return set(found.column("event_id").to_pylist())


def index_rebuild() -> int:
    """Rebuild the person index from every stored batch (after a restore, or if an import was interrupted),
    one batch at a time: memory follows the largest batch, not the store."""
    import pyarrow.parquet as pq

    columns = ["person_key", "role", "date_from", "offence_code", "unit_code", "unit_path"]
    with store.store_lock():
        batches = list(ImportBatch.objects.filter(status=Status.DONE).exclude(persons_file="").order_by("pk").values_list("pk", "persons_file"))
        return index_build_streaming((pk, pq.read_table(store.absolute(name), columns=columns).to_pandas()) for pk, name in batches)


def rejects_path(batch: ImportBatch) -> Path | None:
    return store.absolute(batch.rejects_file) if batch.rejects_file else None


def rejects_copy(batch: ImportBatch, target: Path) -> None:
    shutil.copyfile(store.absolute(batch.rejects_file), target)
