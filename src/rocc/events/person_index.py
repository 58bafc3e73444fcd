"""The per-person index behind the Victim Focus lookup: every person-in-event of the store, sorted by person
key, in memory-mapped NumPy files, so one person's events are a binary search away (microseconds over tens
of millions of rows).

``events/index/CURRENT`` names the live version folder; an import writes a new version (the old rows merged
with the batch's, sorted) and swaps CURRENT with one atomic rename, so a reader always sees a whole index.
Readers that still hold the old version's memory maps keep reading it safely until they next look.
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


def _current() -> tuple[Path | None, dict]:
    root = _root()
    try:
        version = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None, {"units": [], "rows": 0, "batches": []}
    folder = root / version
    return folder, json.loads((folder / "meta.json").read_text())


def index_extend(persons: pd.DataFrame, *, batch_id: int) -> int:
    """Merge a batch's person rows into the index and make the result live; returns the index's row count.
    Call under ``store_lock`` (one writer at a time)."""
    folder, meta = _current()
    if batch_id in meta["batches"]:
        return meta["rows"]
    rows, units = IndexRows.from_persons(persons, meta["units"])
    columns = {name: getattr(rows, name) for name in _COLUMNS}
    if folder is not None:
        columns = {name: np.concatenate([np.load(folder / f"{name}.npy"), columns[name]]) for name in _COLUMNS}
    order = np.lexsort((columns["low"], columns["high"]))
    meta = {"units": units, "rows": int(len(order)), "batches": [*meta["batches"], batch_id]}
    _write_version({name: values[order] for name, values in columns.items()}, meta)
    return meta["rows"]


def index_build(rows: IndexRows, units: list[dict], *, batches: list[int]) -> None:
    """Write a whole index from rows (used by a rebuild and by the benchmark's generator)."""
    order = np.lexsort((rows.low, rows.high))
    _write_version({name: getattr(rows, name)[order] for name in _COLUMNS}, {"units": units, "rows": int(len(order)), "batches": batches})


def _write_version(columns: dict[str, np.ndarray], meta: dict) -> None:
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    version = f"v-{uuid.uuid4().hex}"
    folder = root / version
    folder.mkdir()
    for name, values in columns.items():
        np.save(folder / f"{name}.npy", values)
    (folder / "meta.json").write_text(json.dumps(meta))
    pointer = root / f".CURRENT.{version}"
    pointer.write_text(version)
    os.replace(pointer, root / "CURRENT")
    for old in root.iterdir():
        if old.is_dir() and old.name != version:
            shutil.rmtree(old, ignore_errors=True)


_open: dict[str, tuple[dict[str, np.ndarray], dict]] = {}


def _loaded() -> tuple[dict[str, np.ndarray], dict] | None:
    root = _root()
    try:
        version = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    cached = _open.get(str(root))
    if cached is not None and cached[1]["version"] == version:
        return cached
    folder = root / version
    columns = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _COLUMNS}
    meta = json.loads((folder / "meta.json").read_text())
    meta["version"] = version
    meta["unit_paths"] = np.array([u["path"] for u in meta["units"]], dtype=object)
    meta["unit_codes"] = np.array([u["code"] for u in meta["units"]], dtype=object)
    _open[str(root)] = (columns, meta)
    return columns, meta


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
    columns, meta = loaded
    high, low = int(person_key[:16], 16), int(person_key[16:32], 16)
    high_column = columns["high"]
    start = int(np.searchsorted(high_column, np.uint64(high), side="left"))
    stop = int(np.searchsorted(high_column, np.uint64(high), side="right"))
    if start == stop:
        return empty
    keep = np.asarray(columns["low"][start:stop]) == np.uint64(low)
    if role is not None:
        keep &= np.asarray(columns["role"][start:stop]) == ROLE_CODES[role]
    days = np.asarray(columns["day"][start:stop]).astype("datetime64[D]")
    if since is not None:
        keep &= days >= since
    if until is not None:
        keep &= days <= until
    units = np.asarray(columns["unit"][start:stop])
    return PersonEvents(
        days=days[keep],
        roles=[ROLE_NAMES[r] for r in np.asarray(columns["role"][start:stop])[keep].tolist()],
        unit_codes=meta["unit_codes"][units[keep]].tolist(),
        offence_codes=[c.decode() for c in np.asarray(columns["code"][start:stop])[keep].tolist()],
        unit_paths=meta["unit_paths"][units[keep]].tolist(),
    )
