"""The per-person index behind the Victim Focus lookup: every person-in-event of the store, sorted by person
key, in memory-mapped NumPy files, so one person's events are a binary search away (microseconds over tens
of millions of rows).

The index is a list of segments (``events/index/segments/<name>/``), each sorted by person key; a lookup
binary-searches each. An import adds its batch as a new segment, never rewriting the rows already indexed
(when there are more than MAX_SEGMENTS the two smallest are merged). ``events/index/CURRENT`` names the live
version folder, whose ``meta.json`` lists the segments, units and batches; a writer swaps CURRENT with one
atomic rename, so a reader always sees a whole index, and readers that still hold a removed segment's memory
maps keep reading it safely until they next look.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rocc.events.store import absolute, relative_name

ROLE_CODES = {"victim": 1, "offender": 2}
ROLE_NAMES = {v: k for k, v in ROLE_CODES.items()}
_COLUMNS = ("high", "low", "day", "role", "unit", "code")
EPOCH = np.datetime64("1970-01-01", "D")


def _root() -> Path:
    return absolute(relative_name("index"))


def key_halves(keys) -> tuple[np.ndarray, np.ndarray]:
    """A person key (32 hex characters) as two unsigned 64-bit numbers, the index's sort key."""
    keys = list(keys)
    if not keys:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64)
    halves = np.frombuffer(bytes.fromhex("".join(keys)), dtype=">u8").reshape(-1, 2).astype(np.uint64)
    return halves[:, 0].copy(), halves[:, 1].copy()


@dataclass(frozen=True)
class IndexRows:
    """Rows for the index: one per person in an event."""

    high: np.ndarray  # uint64
    low: np.ndarray  # uint64
    day: np.ndarray  # int32 days since 1970-01-01 (the event's date_from)
    role: np.ndarray  # int8, ROLE_CODES
    unit: np.ndarray  # int32 position in the unit list
    code: np.ndarray  # S4 offence code

    @classmethod
    def from_persons(cls, persons: pd.DataFrame, units: list[dict]) -> tuple[IndexRows, list[dict]]:
        """Index rows from person rows (person_key, role, date_from, offence_code, unit_code, unit_path),
        extending the unit list with any unit not yet in it."""
        units = list(units)
        position = {u["code"]: i for i, u in enumerate(units)}
        unit_numbers, unit_codes = pd.factorize(persons["unit_code"])
        first_rows = pd.Series(np.arange(len(unit_numbers))).groupby(unit_numbers).first().to_numpy() if len(unit_numbers) else []
        paths = persons["unit_path"].to_numpy()
        for code, row in zip(list(unit_codes), list(first_rows)):
            if code not in position:
                position[code] = len(units)
                units.append({"code": code, "path": paths[row]})
        unit_map = np.array([position[c] for c in unit_codes], dtype=np.int32)
        high, low = key_halves(persons["person_key"].tolist())
        return cls(
            high=high,
            low=low,
            day=(pd.to_datetime(persons["date_from"]).to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int32),
            role=np.where(persons["role"].to_numpy() == "victim", ROLE_CODES["victim"], ROLE_CODES["offender"]).astype(np.int8),
            unit=unit_map[unit_numbers] if len(unit_numbers) else np.empty(0, dtype=np.int32),
            code=persons["offence_code"].astype(str).to_numpy(dtype="S4"),
        ), units


#: More segments than this and the two smallest are merged after an import: a lookup searches every segment
#: (a binary search each), and merging only the smallest keeps an import's work near the batch's size.
MAX_SEGMENTS = 24


def _current() -> tuple[Path | None, dict]:
    root = _root()
    try:
        version = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None, {"units": [], "rows": 0, "batches": [], "segments": []}
    folder = root / version
    return folder, _with_segments(json.loads((folder / "meta.json").read_text()), version)


def _with_segments(meta: dict, version: str) -> dict:
    """An index written before segments is one segment: its version folder."""
    if "segments" not in meta:
        meta["segments"] = [{"path": version, "rows": meta["rows"]}] if meta["rows"] else []
    return meta


def index_extend(persons: pd.DataFrame, *, batch_id: int) -> int:
    """Add a batch's person rows to the index as a new sorted segment and make the result live; returns the
    index's row count. The rows already indexed are not read or rewritten (only the two smallest segments
    are merged when there are more than MAX_SEGMENTS), so an import's time and memory follow the batch.
    Call under ``store_lock`` (one writer at a time)."""
    _, meta = _current()
    if batch_id in meta["batches"]:
        return meta["rows"]
    rows, units = IndexRows.from_persons(persons, meta["units"])
    segments = list(meta["segments"])
    if len(rows.high):
        segments.append(_write_segment({name: getattr(rows, name) for name in _COLUMNS}))
    segments = _compacted(segments)
    meta = {"units": units, "rows": int(sum(s["rows"] for s in segments)), "batches": [*meta["batches"], batch_id], "segments": segments}
    _write_version(meta)
    return meta["rows"]


def index_build(rows: IndexRows, units: list[dict], *, batches: list[int]) -> None:
    """Write a whole index from rows (used by the benchmark's generator)."""
    segments = [_write_segment({name: getattr(rows, name) for name in _COLUMNS})] if len(rows.high) else []
    _write_version({"units": units, "rows": int(len(rows.high)), "batches": batches, "segments": segments})


def index_build_streaming(batches) -> int:
    """Rebuild the index from ``(batch_id, persons frame)`` pairs read one at a time: each batch becomes a
    segment as it comes, so memory follows the largest batch, not the store. The new index goes live at the
    end in one swap; returns its row count."""
    units: list[dict] = []
    segments: list[dict] = []
    held: list[int] = []
    for batch_id, persons in batches:
        rows, units = IndexRows.from_persons(persons, units)
        if len(rows.high):
            segments = _compacted([*segments, _write_segment({name: getattr(rows, name) for name in _COLUMNS})])
        held.append(int(batch_id))
    total = int(sum(s["rows"] for s in segments))
    _write_version({"units": units, "rows": total, "batches": held, "segments": segments})
    return total


def _write_segment(columns: dict[str, np.ndarray]) -> dict:
    order = np.lexsort((columns["low"], columns["high"]))
    name = f"segments/s-{uuid.uuid4().hex}"
    folder = _root() / name
    folder.mkdir(parents=True)
    for column, values in columns.items():
        np.save(folder / f"{column}.npy", np.ascontiguousarray(values[order]))
    return {"path": name, "rows": int(len(order))}


def _compacted(segments: list[dict]) -> list[dict]:
    """Merge the two smallest segments while there are more than MAX_SEGMENTS (the merged files are removed
    once no live version names them)."""
    segments = list(segments)
    while len(segments) > MAX_SEGMENTS:
        first, second = sorted(segments, key=lambda s: s["rows"])[:2]
        merged = {name: np.concatenate([np.load(_root() / s["path"] / f"{name}.npy") for s in (first, second)]) for name in _COLUMNS}
        segments = [s for s in segments if s is not first and s is not second]
        segments.append(_write_segment(merged))
    return segments


def _write_version(meta: dict) -> None:
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    version = f"v-{uuid.uuid4().hex}"
    folder = root / version
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps(meta))
    pointer = root / f".CURRENT.{version}"
    pointer.write_text(version)
    os.replace(pointer, root / "CURRENT")
    # Readers still mapping a removed file keep reading it until they next look (the files live while mapped).
    live = {version, *(s["path"] for s in meta["segments"])}
    for old in root.iterdir():
        if old.is_dir() and old.name != "segments" and old.name not in live:
            shutil.rmtree(old, ignore_errors=True)
    for old in (root / "segments").iterdir() if (root / "segments").exists() else ():
        if f"segments/{old.name}" not in live:
            shutil.rmtree(old, ignore_errors=True)


_open: dict[str, tuple[list[dict[str, np.ndarray]], dict]] = {}


def _loaded() -> tuple[list[dict[str, np.ndarray]], dict] | None:
    root = _root()
    try:
        version = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    cached = _open.get(str(root))
    if cached is not None and cached[1]["version"] == version:
        return cached
    meta = _with_segments(json.loads((root / version / "meta.json").read_text()), version)
    segments = [{name: np.load(root / s["path"] / f"{name}.npy", mmap_mode="r") for name in _COLUMNS} for s in meta["segments"]]
    meta["version"] = version
    meta["unit_paths"] = np.array([u["path"] for u in meta["units"]], dtype=object)
    meta["unit_codes"] = np.array([u["code"] for u in meta["units"]], dtype=object)
    _open[str(root)] = (segments, meta)
    return segments, meta


def index_batches() -> list[int]:
    """The import batches the live index holds (empty when there is no index yet)."""
    _, meta = _current()
    return [int(b) for b in meta["batches"]]


@dataclass(frozen=True)
class PersonEvents:
    days: np.ndarray  # datetime64[D]
    roles: list[str]
    unit_codes: list[str]
    offence_codes: list[str]
    unit_paths: list[str]


def person_events(person_key: str, *, role: str | None = None, since=None, until=None) -> PersonEvents:
    """One person's events from the index: optionally one role, and dates in the closed range [since, until]
    (datetime64[D]). Every unit is included: the caller decides which details its user's scope lets out."""
    loaded = _loaded()
    empty = PersonEvents(np.empty(0, dtype="datetime64[D]"), [], [], [], [])
    if loaded is None:
        return empty
    segments, meta = loaded
    high, low = np.uint64(int(person_key[:16], 16)), np.uint64(int(person_key[16:32], 16))
    days, roles, units, codes = [], [], [], []
    for columns in segments:
        high_column = columns["high"]
        start = int(np.searchsorted(high_column, high, side="left"))
        stop = int(np.searchsorted(high_column, high, side="right"))
        if start == stop:
            continue
        keep = np.asarray(columns["low"][start:stop]) == low
        role_codes = np.asarray(columns["role"][start:stop])
        if role is not None:
            keep &= role_codes == ROLE_CODES[role]
        found = np.asarray(columns["day"][start:stop]).astype("datetime64[D]")
        if since is not None:
            keep &= found >= since
        if until is not None:
            keep &= found <= until
        days.append(found[keep])
        roles.append(role_codes[keep])
        units.append(np.asarray(columns["unit"][start:stop])[keep])
        codes.append(np.asarray(columns["code"][start:stop])[keep])
    if not days:
        return empty
    unit_numbers = np.concatenate(units)
    return PersonEvents(
        days=np.concatenate(days),
        roles=[ROLE_NAMES[r] for r in np.concatenate(roles).tolist()],
        unit_codes=meta["unit_codes"][unit_numbers].tolist(),
        offence_codes=[c.decode() for c in np.concatenate(codes).tolist()],
        unit_paths=meta["unit_paths"][unit_numbers].tolist(),
    )
