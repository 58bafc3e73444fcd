"""Every write of the analyses capability: uploads, runs (in the request or in the background), saving a run,
linking network nodes to persons, and recording each look at person-level results."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import read_table
from rocc.analysis_pages import runners
from rocc.analysis_pages.models import AnalysisKind, AnalysisRun, AnalysisUpload, NodePersonLink, RunStatus, SavedAnalysis
from rocc.analysis_pages.result_schemas import result_problems
from rocc.analysis_pages.sources import events_count, events_table
from rocc.analysis_pages.tasks import analysis_run_task, analysis_upload_task
from rocc.analysis_pages.unit_areas import unit_areas
from rocc.audit.services import person_access_record
from rocc.core import limits
from rocc.events import store
from rocc.events.pseudonym import person_key as pseudonymise
from rocc.maps.selectors import hotspot_columns
from rocc.org.models import OrgUnit

log = logging.getLogger(__name__)

#: Uploads older than this are cleared when their owner uploads again: they are working copies, not records.
UPLOAD_KEEP = dt.timedelta(days=2)


class AnalysisRefused(Exception):
    """The analysis could not use its input; ``error`` is the library's located message."""

    def __init__(self, error: AnalysisInputError, *, where: str = ""):
        self.error = error
        self.column = error.column
        self.row = error.row
        self.message = f"{where}: {error}" if where else str(error)
        super().__init__(self.message)


# --- uploads --------------------------------------------------------------------------------------


def _frame_from_bytes(name: str, content: bytes, *, header: bool, in_request: bool = True) -> pd.DataFrame:
    suffix = Path(name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as folder:
        # The library reads by path (it picks the reader from the suffix); the name keeps messages readable.
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            _limits_check(path, suffix=suffix, name=name, in_request=in_request)
            frame = read_table(path, header=header)
            limits.frame_check(frame, file=name)
            return frame
        except limits.FileRefusal as refusal:
            raise AnalysisInputError(str(refusal)) from None
        except AnalysisInputError as error:
            raise AnalysisInputError(str(error).replace(str(path), name).replace(path.name, name)) from None
        except Exception as error:  # a damaged Excel or Parquet file: the library's words would name the server's path
            raise AnalysisInputError(f"{name}: cannot be read as a table: its contents are damaged ({type(error).__name__})") from None


def _limits_check(path: Path, *, suffix: str, name: str, in_request: bool = True) -> None:
    """The limits of a file (rocc.core.limits), before it is parsed: the lower request limits when a page waits."""
    limits.size_check(path.stat().st_size, file=name, in_request=in_request)
    if suffix in {".xlsx", ".xlsm"}:
        limits.xlsx_check(path, file=name, in_request=in_request)
    elif suffix == ".parquet":
        limits.parquet_check(path, file=name)
    else:
        limits.csv_check(path, file=name, in_request=in_request)


def upload_frame(upload: AnalysisUpload, *, header: bool | None = None) -> pd.DataFrame:
    """The uploaded table, read as the library reads files (any common encoding, BOM, Excel, Parquet). A file too
    large to read inline is only ever read by the worker (its check and its runs), within the worker's limits."""
    return _frame_from_bytes(
        upload.name, bytes(upload.content), header=upload.has_header if header is None else header, in_request=limits.read_inline(upload.size)
    )


def analysis_upload_accept(*, user, upload: UploadedFile, has_header: bool = True) -> AnalysisUpload:
    """A file to analyse, checked now when it is small (``limits.read_inline``), or kept and queued for the worker to
    check when it is larger, so a large or hostile file never holds up a web server's worker; the page follows it."""
    name = upload.name or "the file"
    if limits.read_inline(upload.size or 0):
        return analysis_upload_create(user=user, name=name, content=upload.read(), has_header=has_header)
    return analysis_upload_queue(user=user, upload=upload, has_header=has_header)


def analysis_upload_create(*, user, name: str, content: bytes, has_header: bool = True) -> AnalysisUpload:
    """Keep a file to analyse after checking it reads as a table; an unreadable file is refused, nothing kept."""
    if not user.has_perm("analyses.run_analyses"):
        raise PermissionDenied
    try:
        frame = _frame_from_bytes(name, content, header=has_header)
    except AnalysisInputError as error:
        raise AnalysisRefused(error) from None
    with transaction.atomic():
        _uploads_clear(user)
        return AnalysisUpload.objects.create(
            name=name[:255],
            content=content,
            size=len(content),
            has_header=has_header,
            columns=[str(c) for c in frame.columns],
            rows=len(frame),
            created_by=user,
        )


def _uploads_clear(user) -> None:
    for old in AnalysisUpload.objects.filter(created_by=user, created_at__lt=timezone.now() - UPLOAD_KEEP).only("pk", "upload_file"):
        if old.upload_file:
            store.absolute(old.upload_file).unlink(missing_ok=True)
        old.delete()


def analysis_upload_queue(*, user, upload: UploadedFile, has_header: bool = True) -> AnalysisUpload:
    """Keep an uploaded file in the data directory (owner-only) and queue its check for the worker; the file is
    deleted once checked, whatever the outcome (a good file's content is then kept as any upload's is)."""
    if not user.has_perm("analyses.run_analyses"):
        raise PermissionDenied
    name, size = Path(upload.name or "the file").name, upload.size or 0
    try:
        limits.size_check(size, file=name)
    except limits.FileRefusal as refusal:
        raise AnalysisRefused(AnalysisInputError(str(refusal))) from None
    relative = f"analyses/incoming/{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    store.write_bytes_atomically(b"".join(upload.chunks()), relative)
    with transaction.atomic():
        _uploads_clear(user)
        kept = AnalysisUpload.objects.create(
            name=name[:255], content=b"", size=size, has_header=has_header, status=RunStatus.QUEUED, progress=0, upload_file=relative, created_by=user
        )
        transaction.on_commit(lambda: analysis_upload_task.enqueue(kept.pk))
    return kept


def analysis_upload_check(*, upload_id: int) -> AnalysisUpload:
    """The worker's half of a queued upload: check the kept file within the limits and read it as a table; keep its
    content, columns and rows, or the located reason it cannot be used (then nothing of it is kept)."""
    upload = AnalysisUpload.objects.defer("content").get(pk=upload_id)
    if upload.finished:
        return upload  # a repeated task: the outcome stands
    AnalysisUpload.objects.filter(pk=upload.pk).update(status=RunStatus.RUNNING, progress=10)
    fields: dict[str, Any]
    try:
        if not upload.upload_file:
            raise AnalysisInputError(f"{upload.name}: the uploaded file is no longer kept; upload it again")
        content = store.absolute(upload.upload_file).read_bytes()
        frame = _frame_from_bytes(upload.name, content, header=upload.has_header, in_request=False)
        fields = {"status": RunStatus.DONE, "content": content, "columns": [str(c) for c in frame.columns], "rows": len(frame)}
    except AnalysisInputError as error:
        fields = {"status": RunStatus.FAILED, "error": str(error)}
    except Exception as error:
        log.exception("analysis upload %s failed", upload.pk)
        fields = {"status": RunStatus.FAILED, "error": f"{upload.name}: the check stopped unexpectedly ({type(error).__name__}); nothing was kept"}
    finally:
        if upload.upload_file:
            store.absolute(upload.upload_file).unlink(missing_ok=True)
    AnalysisUpload.objects.filter(pk=upload.pk).update(progress=100, upload_file="", **fields)
    return AnalysisUpload.objects.defer("content").get(pk=upload.pk)


# --- runs -----------------------------------------------------------------------------------------


def _frame_loader(run_or_upload: AnalysisUpload | None, *, user=None, events: dict | None = None):
    if events is not None:
        return events_table(user=user, **events)
    if run_or_upload is None:
        return None

    def frame_of(header: bool = True) -> pd.DataFrame:
        return upload_frame(run_or_upload, header=None if header else False)

    return frame_of


def analysis_run_start(
    *,
    user,
    kind: str,
    scope_unit: OrgUnit,
    parameters: dict[str, Any],
    source: str,
    upload: AnalysisUpload | None = None,
    events: dict[str, Any] | None = None,
    purpose: str = "",
    background: bool | None = None,
) -> AnalysisRun:
    """Run an analysis for ``scope_unit``: at once when it is small (a refused input raises AnalysisRefused and
    nothing is kept), or queued for a worker when it would keep the page waiting (the run page then polls).

    ``events`` are the event-store filters when the data are the store's events; analyses of persons
    (repeat victims, networks of co-offenders) read person-level data and need ``purpose``.
    """
    if kind not in AnalysisKind.values:
        raise ValidationError({"kind": f"unknown analysis {kind!r}"})
    if not user.has_perm("analyses.save_analysis", scope_unit):
        raise PermissionDenied
    if upload is not None and upload.created_by_id != user.pk:
        raise PermissionDenied
    if upload is not None and not upload.ready:
        raise ValidationError({"upload": f"{upload.name} has not been checked yet, or could not be used: wait for its check, or upload it again"})
    data_source = "events" if events is not None else ("file" if upload is not None else "figures")
    if events is not None:
        events = {**events, "kind": kind, "unit_code": events.get("unit_code") or scope_unit.code, "purpose": purpose}
    parameters = {**parameters, "_events": events} if events is not None else parameters
    rows = upload.rows if upload is not None else 0
    if events is not None:
        rows = events_count(user=user, **events)
    long = runners.is_long(kind, parameters, rows) if background is None else background
    if upload is not None and not limits.read_inline(upload.size):
        long = True  # a large file is read by the worker only, never while a page waits
    run = AnalysisRun(
        kind=kind,
        scope_unit=scope_unit,
        upload=upload,
        source=source[:300],
        data_source=data_source,
        parameters=parameters,
        created_by=user,
    )
    if not long:
        outcome = _compute(run, user=user)
        now = timezone.now()
        run.status, run.result, run.holds_person_level = RunStatus.DONE, outcome.result, outcome.holds_person_level
        run.started_at = run.finished_at = now
        run.save()
        return run
    run.save()

    analysis_run_task.enqueue(run.pk)
    return run


def _compute(run: AnalysisRun, *, user) -> runners.Outcome:
    params = dict(run.parameters)
    events = params.pop("_events", None)
    try:
        loader = _frame_loader(run.upload, user=user, events=events)
        if run.kind == AnalysisKind.AUTOCORRELATION and params.get("areas_are") == "units":
            within = OrgUnit.objects.get(code=events["unit_code"]) if events else run.scope_unit
            params["_areas"] = unit_areas(user=user, level=params.get("boundary_level") or "area", within=within)
        return runners.analysis_compute(run.kind, params, loader)
    except AnalysisInputError as error:
        where = run.upload.name if run.upload is not None else ("the events" if events else "")
        raise AnalysisRefused(error, where=where) from None


def analysis_run_execute(*, run_id: int) -> AnalysisRun:
    """The background half of a long run: compute, then keep the result or the located error for the page."""
    run = AnalysisRun.objects.select_related("upload", "created_by").get(pk=run_id)
    if run.finished:
        return run
    AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    try:
        outcome = _compute(run, user=run.created_by)
    except AnalysisRefused as refused:
        AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=refused.message, finished_at=timezone.now())
    except Exception:
        log.exception("analysis run %s failed", run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error="The analysis stopped with an internal error; it has been logged.",
            finished_at=timezone.now(),
        )
    else:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            result=outcome.result,
            holds_person_level=outcome.holds_person_level,
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


# --- saving ---------------------------------------------------------------------------------------


_NODE_KEYS = {"node", "source", "target"}
_NODE_LIST_KEYS = {"nodes", "nodes_added", "nodes_removed", "became_central", "left_centre"}


def person_level_removed(kind: str, result: dict[str, Any]) -> dict[str, Any]:
    """The result without the persons it names: the victim list dropped, a network's members numbered
    instead of named, a concentration's top units (persons) dropped. Summaries and figures stay."""
    if kind == AnalysisKind.REPEAT_VICTIMS:
        return {**result, "persons": [], "persons_removed": len(result.get("persons") or [])}
    if kind == AnalysisKind.CONCENTRATION:
        return {**result, "top_units": [], "persons_removed": len(result.get("top_units") or [])}
    if kind == AnalysisKind.NETWORK:
        numbers = {node["node"]: f"node {i}" for i, node in enumerate(result.get("nodes") or [], start=1)}

        def relabel(value, key=None):
            if isinstance(value, dict):
                if key == "layout":
                    return {numbers.get(k, k): v for k, v in value.items()}
                return {k: relabel(v, k) for k, v in value.items()}
            if isinstance(value, list):
                if key == "edges":
                    return [[numbers.get(s, s), numbers.get(t, t), w] for s, t, w in value]
                if key in _NODE_LIST_KEYS:
                    return [numbers.get(v, v) if isinstance(v, str) else relabel(v) for v in value]
                return [relabel(v) for v in value]
            if key in _NODE_KEYS and isinstance(value, str):
                return numbers.get(value, value)
            return value

        return {**relabel(result), "persons_removed": len(numbers)}
    return result


def result_names_persons(kind: str, result: dict[str, Any]) -> bool:
    if kind == AnalysisKind.REPEAT_VICTIMS:
        return bool(result.get("persons"))
    if kind == AnalysisKind.NETWORK:
        return bool(result.get("nodes")) and not result.get("persons_removed")
    return False


def stored_head(kind: str, result: dict[str, Any]) -> dict[str, Any]:
    """What is kept beside a saved result so that its page need not read the result: for hot spots, the result without
    its per-cell rows, and for a grid in NZTM2000 the map's head and its cells as the JSON text the map is sent. Other
    kinds (their results are small) keep nothing: their pages read the result."""
    if kind != AnalysisKind.HOTSPOTS or not isinstance(result, dict):
        return {}
    fields: dict[str, Any] = {"result_head": {k: v for k, v in result.items() if k != "cells"}, "map_head": None, "map_cells": ""}
    parts = hotspot_columns(result)
    if parts is not None:
        columns, head = parts
        # Encoded as the page's scripts read it; "<", ">" and "&" escaped as json_script does, so it may sit in a page.
        try:
            text = json.dumps(columns, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except ValueError:  # a figure the browser could not parse (NaN): the page builds the map from the result
            return fields
        fields.update(map_head=head, map_cells=text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    return fields


def saved_analysis_head_store(*, saved: SavedAnalysis) -> SavedAnalysis:
    """Keep the head of a result saved before heads were kept (computed from its result, read once), so its next views
    read the head only. Safe to repeat: the head follows from the result, which never changes once saved."""
    result = SavedAnalysis.objects.filter(pk=saved.pk).values_list("result", flat=True).first()
    fields = stored_head(saved.kind, result or {})
    if fields:
        SavedAnalysis.objects.filter(pk=saved.pk, result_head__isnull=True).update(**fields)
        for name, value in fields.items():
            setattr(saved, name, value)
    return saved


def saved_analysis_from_run(*, user, run: AnalysisRun, title: str, keep_persons: bool = False) -> SavedAnalysis:
    """Keep a finished run as a saved analysis. Person-level detail is dropped unless the analyst keeps it;
    then only analysts in the unit may open it."""
    if run.created_by_id != user.pk or not user.has_perm("analyses.save_analysis", run.scope_unit):
        raise PermissionDenied
    if run.status != RunStatus.DONE:
        raise ValidationError("Only a finished analysis can be saved.")
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the analysis a title."})
    person_level = run.holds_person_level and keep_persons
    result = run.result if person_level or not run.holds_person_level else person_level_removed(run.kind, run.result)
    parameters = {k: v for k, v in run.parameters.items() if k != "_events"}
    if run.data_source == "events":
        events = dict(run.parameters.get("_events") or {})
        events.pop("purpose", None)
        parameters["events"] = events
    with transaction.atomic():
        saved = SavedAnalysis.objects.create(
            kind=run.kind,
            title=title[:200],
            scope_unit=run.scope_unit,
            source=run.source,
            parameters=parameters,
            result=result,
            holds_person_level=person_level,
            created_by=user,
            **stored_head(run.kind, result),
        )
        run.saved = saved
        run.save(update_fields=["saved"])
    return saved


def saved_analysis_create(
    *,
    user,
    kind: str,
    title: str,
    scope_unit: OrgUnit,
    source: str,
    parameters: dict[str, Any],
    result: dict[str, Any],
    holds_person_level: bool = False,
) -> SavedAnalysis:
    """Keep a result computed elsewhere (for example `rocc analyse … --json`). A result that names persons is
    marked person-level whatever the caller says."""
    if kind not in AnalysisKind.values:
        raise ValidationError({"kind": f"unknown analysis {kind!r}; expected one of {', '.join(AnalysisKind.values)}"})
    if not user.has_perm("analyses.save_analysis", scope_unit):
        raise PermissionDenied
    problems: dict[str, list[str]] = {}
    if not title.strip():
        problems["title"] = ["Give the analysis a title."]
    if not isinstance(result, dict) or not result:
        problems["result"] = ["The result must be the analysis's JSON document."]
    else:
        # A result the kind's page cannot read is refused here, so that its page never fails for every reader.
        problems.update(result_problems(kind, result))
    if problems:
        raise ValidationError(problems)
    person_level = bool(holds_person_level) or result_names_persons(kind, result)
    with transaction.atomic():
        return SavedAnalysis.objects.create(
            kind=kind,
            title=title.strip()[:200],
            scope_unit=scope_unit,
            source=source[:300] or "given through the API",
            parameters=parameters or {},
            result=result,
            holds_person_level=person_level,
            created_by=user,
            **stored_head(kind, result),
        )


# --- person-level looks and links -----------------------------------------------------------------


def person_level_view_record(*, user, obj: SavedAnalysis | AnalysisRun, purpose: str, what: str):
    """Record a look at the persons an analysis names; refused without the permission or a purpose."""
    if not user.has_perm("org.view_person_level", obj.scope_unit):
        raise PermissionDenied
    kind = "saved analysis" if isinstance(obj, SavedAnalysis) else "analysis run"
    return person_access_record(
        user=user,
        subject_type=kind,
        subject_id=str(obj.pk),
        subject_repr=str(obj),
        purpose=purpose,
        what=what,
    )


def node_person_link(*, user, analysis: SavedAnalysis, node: str, purpose: str, identifier: str = "", person_key: str = "") -> NodePersonLink:
    """Link a node of a saved network to a person in the event store, by the person's pseudonymised key (made
    from the identifier the way the store makes it; the identifier itself is not kept). Audited."""
    if analysis.kind != AnalysisKind.NETWORK:
        raise ValidationError("Only a network's nodes link to persons.")
    if not user.has_perm("analyses.link_persons", analysis):
        raise PermissionDenied
    known = {n["node"] for n in analysis.result.get("nodes") or []}
    if node not in known:
        raise ValidationError({"node": f"The network has no node {node!r}."})
    if identifier.strip():
        person_key = pseudonymise(identifier)
    person_key = person_key.strip()
    if not person_key:
        raise ValidationError({"identifier": "Give the person's identifier or their person key."})
    with transaction.atomic():
        person_access_record(
            user=user,
            subject_type="person",
            subject_id=person_key,
            purpose=purpose,
            what=f"linked node {node!r} of saved network analysis {analysis.pk} to this person",
        )
        link, _ = NodePersonLink.objects.update_or_create(
            analysis=analysis,
            node=node,
            defaults={"person_key": person_key, "purpose": purpose.strip(), "linked_by": user},
        )
    return link
