"""The hostile-file corpus: every file reader of rocc given files built to hurt it (zip bombs, YAML alias bombs and
deep nesting, broken zips, truncated and garbage Parquet, Latin-1 and UTF-16 text, formula text, huge fields,
impossible dates, ragged rows, too many rows and columns). Each file is refused with a located, plain message (no
traceback, no server path) or imported correctly; a refused file changes nothing; and each is read within a time and
memory bound measured here (safety bounds, not performance claims: rocc.core.limits refuses the worst in well under a
second).

The files are built in code in ``tmp_path``; the bombs once per module.
"""

from __future__ import annotations

import codecs
import functools
import io
import json
import resource
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
import yaml
from openpyxl import Workbook

from rocc.core import limits
from rocc.events.testing import event_store  # noqa: F401  (a fixture)
from rocc.returns.tests.fixtures import *  # noqa: F403  (the data set, its providers and reporters)

SECONDS = 10.0
PYTHON_PEAK = 200 * 1024 * 1024  # what Python allocated at its peak (tracemalloc)
RSS_GROWTH = 300 * 1024 * 1024  # how far the process's peak resident memory may grow past its peak before the file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["event_id", "date", "offence_code", "unit"]
GOOD_ROWS = [["E1", "2024-03-01", "0211", "waitemata"], ["E2", "2024-03-02", "0211", "north-shore"]]


# --------------------------------------------------------------------------------------------- measuring


@dataclass
class Outcome:
    refused: bool
    messages: list[str]
    located: bool  # a row, column, sheet, cell or line is named (or the file-wide limit that was passed)
    seconds: float = 0.0
    python_peak: int = 0
    rss_growth: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


def measured(read: Callable[[], Outcome]) -> Outcome:
    """Run one reader on one file, timing it and measuring its memory: Python's peak allocation (tracemalloc) and the
    growth of the process's peak resident size (getrusage; native buffers such as Arrow's and zlib's count there)."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = read()
    finally:
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    outcome.seconds, outcome.python_peak = seconds, peak
    outcome.rss_growth = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before)
    return outcome


def judged(outcome: Outcome, expect: str, needle: str | None, *, paths: list[Path]) -> None:
    assert outcome.seconds < SECONDS, f"took {outcome.seconds:.1f} s"
    assert outcome.python_peak < PYTHON_PEAK, f"Python peak {outcome.python_peak / 2**20:.0f} MB"
    assert outcome.rss_growth < RSS_GROWTH, f"resident memory grew {outcome.rss_growth / 2**20:.0f} MB"
    if expect == "imported":
        assert not outcome.refused, outcome.text
    elif expect == "refused":
        assert outcome.refused, "the file was accepted"
    if outcome.refused:
        assert outcome.messages and outcome.located, f"not located: {outcome.text}"
        assert "Traceback" not in outcome.text
        for path in paths:
            assert str(path) not in outcome.text, f"a server path is shown: {outcome.text}"
    if needle:
        assert needle.lower() in outcome.text.lower(), outcome.text


# --------------------------------------------------------------------------------------------- building files


def _csv(rows: list[list[str]], *, header: list[str] = HEADER, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return (newline.join(lines) + newline).encode(encoding)


def _xlsx(rows: list[list], *, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Events"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """A copy of a zip archive with each member passed through ``change`` (None leaves the member out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info.filename))
            if changed is not None:
                target.writestr(info.filename, changed)
    return out.getvalue()


def _dimension(data: bytes, ref: str) -> bytes:
    import re

    return _rezip(data, lambda name, body: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body) if "worksheets/" in name else body)


def _declared_size(data: bytes, member_suffix: str, size: int) -> bytes:
    """The archive with one member's inflated size in its central directory changed (the data stay as they are)."""
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46 : at + 46 + name_length]).decode()
        if name.endswith(member_suffix):
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _corrupt_member(data: bytes, member_suffix: str) -> bytes:
    """The archive with the compressed bytes of one member scrambled in the middle (its CRC now fails)."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(next(n for n in archive.namelist() if n.endswith(member_suffix)))
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    for i in range(start + info.compress_size // 3, start + 2 * info.compress_size // 3):
        data[i] ^= 0x5A
    return bytes(data)


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive from already deflated members: (name, deflated bytes, CRC-32, inflated size)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, deflated, crc, size in members:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0) + encoded + deflated)
        central.write(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central.getvalue()), start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


@functools.cache
def _bomb_member(prefix: bytes, repeated: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """``prefix + repeated * times + suffix`` deflated without ever building it: after a full flush deflate forgets
    what came before, so each repetition compresses to the same block, written ``times`` times."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    c.compress(repeated)
    block = c.flush(zlib.Z_FULL_FLUSH)
    c.compress(repeated)
    again = c.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    tail = c.compress(suffix) + c.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(repeated, crc)
    crc = zlib.crc32(suffix, crc)
    return head + block * times + tail, crc, len(prefix) + len(repeated) * times + len(suffix)


@functools.cache
def xlsx_bomb(inflated_mb: int = 300) -> bytes:
    """A real .xlsx of a few hundred kilobytes whose one sheet inflates to ``inflated_mb`` megabytes of rows."""
    skeleton = _xlsx([HEADER])
    members = []
    with zipfile.ZipFile(io.BytesIO(skeleton)) as archive:
        for name in archive.namelist():
            if name == "xl/worksheets/sheet1.xml":
                row = b'<row><c t="inlineStr"><is><t>E</t></is></c><c t="inlineStr"><is><t>2024-03-01</t></is></c></row>'
                repeated = row * (1024 * 1024 // len(row))
                prefix = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
                members.append((name, *_bomb_member(prefix, repeated, inflated_mb, b"</sheetData></worksheet>")))
            else:
                members.append((name, *_deflated(archive.read(name))))
    return _raw_zip(members)


@functools.cache
def zip_bomb(inflated_mb: int = 300) -> bytes:
    """A shapefile archive whose .dbf inflates to ``inflated_mb`` megabytes of nothing."""
    shp = _deflated(b"\0" * 100)
    return _raw_zip([("units.shp", *shp), ("units.dbf", *_bomb_member(b"", b"\0" * (1024 * 1024), inflated_mb, b""))])


def _parquet(columns: dict[str, list], **options) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out, **options)
    return out.getvalue()


def _good_parquet() -> bytes:
    return _parquet({name: [r[i] for r in GOOD_ROWS] for i, name in enumerate(HEADER)})


def _damaged_parquet_pages() -> bytes:
    data = bytearray(
        _parquet(
            {"event_id": [f"E{i}" for i in range(2000)], "date": ["2024-03-01"] * 2000, "offence_code": ["0211"] * 2000, "unit": ["waitemata"] * 2000},
            compression="snappy",
        )
    )
    for i in range(8, len(data) // 2):
        data[i] = 0xFF
    return bytes(data)


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)
MANY_ALIASES = "base: &b [1]\n" + "\n".join(f"k{i}: *b" for i in range(500))
DEEP_SEQUENCE = "code: x\nname: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_MAPPING = "code: x\n" + "".join(f"{'  ' * i}a:\n" for i in range(400)) + "  " * 400 + "a: 1\n"


# --------------------------------------------------------------------------------------------- the readers


@pytest.fixture
def events_reader(event_store, make_user):  # noqa: F811
    """Import a file through the event importer (the same path the worker runs for a web upload)."""
    from rocc.events.importer import Problem
    from rocc.events.models import BatchStatus, ImportBatch
    from rocc.events.services import events_import, source_save

    source = source_save(user=None, mapping={"name": "hostile", "event_id": "event_id", "date": "date", "offence_code": "offence_code", "unit": "unit"})
    batches_dir = event_store / "events" / "batches"

    def read(path: Path, rows: int | None) -> Outcome:
        stored_before = len(list(batches_dir.glob("*"))) if batches_dir.exists() else 0
        batch = events_import(user=None, source=source, path=path)
        stored_after = len(list(batches_dir.glob("*"))) if batches_dir.exists() else 0
        refused = batch.status != BatchStatus.DONE
        messages = [batch.message, *(str(Problem(p.get("row"), p.get("column"), p["message"])) for p in batch.problems)]
        if refused:  # nothing half-imported: no batch files, no events counted
            assert stored_after == stored_before and batch.rows_imported == 0, "a refused file stored something"
        elif rows is not None:
            assert batch.rows_imported == rows and stored_after == stored_before + 2
        located = bool(batch.problems) and all(
            p.get("row") is not None or p.get("column") is not None or "limit" in p["message"] or p["message"].startswith(path.name) for p in batch.problems
        )
        ImportBatch.objects.filter(pk=batch.pk).delete()  # so the next file of the same bytes is read again
        return Outcome(refused=refused, messages=messages, located=located)

    return read


EVENT_FILES: list[tuple[str, Callable[[], bytes], str, str | None, int | None]] = [
    # (file name, its bytes, "imported" | "refused" | "either", a text the message holds, rows imported)
    ("good.csv", lambda: _csv(GOOD_ROWS), "imported", None, 2),
    ("bom.csv", lambda: codecs.BOM_UTF8 + _csv(GOOD_ROWS), "imported", None, 2),
    ("crlf.csv", lambda: _csv(GOOD_ROWS, newline="\r\n"), "imported", None, 2),
    ("formula-text.csv", lambda: _csv([['"=HYPERLINK(""http://x"",""y"")"', "2024-03-01", "0211", "waitemata"]]), "imported", None, 1),
    ("latin1.csv", lambda: _csv([*GOOD_ROWS, ["E3", "2024-03-03", "0211", "Hawke's Bay café"]], encoding="latin-1"), "refused", "save it as UTF-8", None),
    ("cp1252-quotes.csv", lambda: _csv([["E1", "2024-03-01", "0211", "Hawke’s Bay"]], encoding="cp1252"), "refused", "row 2", None),
    ("utf16.csv", lambda: _csv(GOOD_ROWS, encoding="utf-16"), "refused", "UTF-16", None),
    ("utf16-no-bom.csv", lambda: _csv(GOOD_ROWS, encoding="utf-16-le"), "refused", "UTF-16", None),
    ("utf32.csv", lambda: _csv(GOOD_ROWS, encoding="utf-32"), "refused", "UTF-32", None),
    ("garbage.csv", lambda: bytes(range(256)) * 64, "refused", "UTF-8", None),
    ("empty.csv", lambda: b"", "refused", "empty", None),
    ("header-only.csv", lambda: _csv([]), "refused", None, None),
    ("huge-field.csv", lambda: _csv([["E1", "2024-03-01", "0211", "x" * 100_000]]), "refused", "ROCC_LIMIT_CELL_CHARS", None),
    ("huger-than-csv-module-field.csv", lambda: _csv([["E1", "2024-03-01", "0211", "y" * 300_000]]), "refused", "ROCC_LIMIT_CELL_CHARS", None),
    ("huge-header.csv", lambda: _csv(GOOD_ROWS, header=[*HEADER[:3], "u" * 200_000]), "refused", None, None),
    ("one-long-line.csv", lambda: b"event_id," + b"z" * 5_000_000, "refused", None, None),
    ("ragged-long.csv", lambda: _csv([*GOOD_ROWS, ["E3", "2024-03-03", "0211", "waitemata", "extra", "more"]]), "refused", "line 4", None),
    ("ragged-short.csv", lambda: _csv([*GOOD_ROWS, ["E3", "2024-03-03"]]), "refused", None, None),
    ("unbalanced-quote.csv", lambda: _csv([*GOOD_ROWS, ['"E3', "2024-03-03", "0211", "waitemata"]]), "either", None, None),
    ("nul-bytes.csv", lambda: _csv([["E\0", "2024-03-01", "0211", "waitemata"]]), "either", None, None),
    ("impossible-date.csv", lambda: _csv([["E1", "2019-02-30", "0211", "waitemata"]]), "refused", "row 2", None),
    ("far-future-date.csv", lambda: _csv([["E1", "2099-01-01", "0211", "waitemata"]]), "either", None, None),
    ("blank-header.csv", lambda: _csv(GOOD_ROWS, header=[*HEADER, ""]), "either", None, None),
    (
        "too-many-columns.csv",
        lambda: _csv([["E1", "2024-03-01", "0211", "waitemata", *[""] * 600]], header=[*HEADER, *(f"c{i}" for i in range(600))]),
        "refused",
        "ROCC_LIMIT_COLUMNS",
        None,
    ),
    ("too-many-rows.csv", lambda: _csv([[f"E{i}", "2024-03-01", "0211", "waitemata"] for i in range(150)]), "refused", "ROCC_LIMIT_ROWS", None),
    ("good.xlsx", lambda: _xlsx([HEADER, *GOOD_ROWS]), "imported", None, 2),
    ("xlsx-bomb.xlsx", lambda: xlsx_bomb(), "refused", "ROCC_LIMIT_COMPRESSION_RATIO", None),
    ("declared-4gb.xlsx", lambda: _declared_size(_xlsx([HEADER, *GOOD_ROWS]), "sheet1.xml", 0xFFFFFFF0), "refused", "ROCC_LIMIT_UNCOMPRESSED_MB", None),
    ("truncated.xlsx", lambda: _xlsx([HEADER, *GOOD_ROWS])[:3000], "refused", "damaged", None),
    ("text-named.xlsx", lambda: _csv(GOOD_ROWS), "refused", "not an Excel workbook", None),
    ("no-workbook-part.xlsx", lambda: _rezip(_xlsx([HEADER]), lambda n, b: None if n == "xl/workbook.xml" else b), "refused", "xl/workbook.xml", None),
    (
        "damaged-sheet-stream.xlsx",
        lambda: _corrupt_member(_xlsx([HEADER, *([f"E{i}", "2024-03-01", "0211", "waitemata"] for i in range(500))]), "sheet1.xml"),
        "refused",
        None,
        None,
    ),
    ("merged-header.xlsx", lambda: _xlsx([HEADER, *GOOD_ROWS], merge="A1:B1"), "refused", "merged", None),
    ("declared-two-million-rows.xlsx", lambda: _dimension(_xlsx([HEADER, *GOOD_ROWS]), "A1:D2000000"), "refused", "ROCC_LIMIT_ROWS", None),
    ("declared-xfd-columns.xlsx", lambda: _dimension(_xlsx([HEADER, *GOOD_ROWS]), "A1:XFD3"), "refused", "ROCC_LIMIT_COLUMNS", None),
    # openpyxl reads at most Excel's 32,767 characters of a cell, the default limit: the row is refused by its unit
    ("huge-cell.xlsx", lambda: _xlsx([HEADER, ["E1", "2024-03-01", "0211", "w" * 40_000]]), "refused", "row 2", None),
    ("formula-cells.xlsx", lambda: _xlsx([HEADER, ["E1", "2024-03-01", "0211", '=CONCAT("wait","emata")']]), "refused", "row 2", None),
    (
        "impossible-dates.xlsx",
        lambda: _xlsx([HEADER, ["E1", "1899-12-31", "0211", "waitemata"], ["E2", "2024-13-01", "0211", "waitemata"]]),
        "refused",
        "row 3",
        None,
    ),
    ("good.parquet", _good_parquet, "imported", None, 2),
    (
        "typed.parquet",
        lambda: _parquet(
            {
                "event_id": [1, 2],
                "date": pa.array([1709251200000, 1709337600000], type=pa.timestamp("ms")),
                "offence_code": ["0211", "0211"],
                "unit": ["waitemata", "north-shore"],
            }
        ),
        "imported",
        None,
        2,
    ),
    ("truncated.parquet", lambda: _good_parquet()[: len(_good_parquet()) // 2], "refused", "not a readable Parquet file", None),
    ("garbage.parquet", lambda: b"PAR1" + bytes(range(256)) * 10 + b"PAR1", "refused", "not a readable Parquet file", None),
    ("text-named.parquet", lambda: _csv(GOOD_ROWS), "refused", "not a readable Parquet file", None),
    ("damaged-pages.parquet", _damaged_parquet_pages, "refused", None, None),
    ("too-many-columns.parquet", lambda: _parquet({f"c{i}": ["x"] for i in range(600)}), "refused", "ROCC_LIMIT_COLUMNS", None),
    ("too-many-rows.parquet", lambda: _parquet({name: [f"{name}{i}" for i in range(150)] for name in HEADER}), "refused", "ROCC_LIMIT_ROWS", None),
    (
        "too-many-row-groups.parquet",
        lambda: _parquet({name: [f"{name}{i}" for i in range(40)] for name in HEADER}, row_group_size=2),
        "refused",
        "ROCC_LIMIT_PARQUET_ROW_GROUPS",
        None,
    ),
    (
        "huge-cell.parquet",
        lambda: _parquet({"event_id": ["E1"], "date": ["2024-03-01"], "offence_code": ["0211"], "unit": ["v" * 50_000]}),
        "refused",
        "ROCC_LIMIT_CELL_CHARS",
        None,
    ),
    ("empty.parquet", lambda: _parquet({name: pa.array([], type=pa.string()) for name in HEADER}), "refused", None, None),
]


@pytest.fixture
def low_limits(monkeypatch):
    """Row and row-group limits low enough that a small file passes them."""
    monkeypatch.setenv("ROCC_LIMIT_ROWS", "100")
    monkeypatch.setenv("ROCC_LIMIT_PARQUET_ROW_GROUPS", "10")


@pytest.mark.parametrize(("name", "build", "expect", "needle", "rows"), EVENT_FILES, ids=[case[0] for case in EVENT_FILES])
def test_the_event_importer_refuses_or_imports_each_hostile_file(name, build, expect, needle, rows, events_reader, low_limits, tmp_path, event_store):  # noqa: F811
    path = tmp_path / name
    path.write_bytes(build())
    outcome = measured(lambda: events_reader(path, rows))
    judged(outcome, expect, needle, paths=[tmp_path, event_store])


# --------------------------------------------------------------------------------------------- provider returns


@pytest.fixture
def returns_reader(data_set, people, providers, monkeypatch):
    monkeypatch.setenv("ROCC_LIMIT_CELL_CHARS", "20000")  # below the 32,767 characters openpyxl reads of a cell
    from rocc.returns.models import ProviderReturn, ReturnValue
    from rocc.returns.services import ReturnInputInvalid, return_upload

    def read(content: bytes, name: str) -> Outcome:
        before = (ProviderReturn.objects.count(), ReturnValue.objects.count())
        try:
            return_upload(user=people["ngo"], data_set=data_set, content=content, file_name=name)
        except ReturnInputInvalid as refused:
            assert (ProviderReturn.objects.count(), ReturnValue.objects.count()) == before, "a refused file saved something"
            problems = refused.problems
            return Outcome(True, [str(p) for p in problems], all(p.cell or name in p.message for p in problems))
        return Outcome(False, [], True)

    return read


def _template(data_set, providers, cells: dict) -> bytes:
    from openpyxl import load_workbook

    from rocc.org.models import OrgUnit
    from rocc.returns.services import return_template

    book = load_workbook(io.BytesIO(return_template(data_set=data_set, provider=providers["ngo"], unit=OrgUnit.objects.get(code="waitemata"))))
    for ref, value in cells.items():
        book["Return"][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


RETURN_FILES = [
    ("good.xlsx", {"C6": "2025-03", "C9": 12, "C10": 7, "C11": 0}, "imported", None),
    ("bomb.xlsx", "bomb", "refused", "inflates"),
    ("declared-4gb.xlsx", "declared", "refused", "inflates"),
    ("truncated.xlsx", "truncated", "refused", "not an Excel workbook"),
    ("notes.xlsx", "text", "refused", "not an Excel workbook"),
    ("huge-provider-cell.xlsx", {"C4": "p" * 40_000, "C6": "2025-03", "C9": 1, "C10": 1, "C11": 1}, "refused", "ROCC_LIMIT_CELL_CHARS"),
    ("formula-provider.xlsx", {"C4": '=HYPERLINK("http://x","y")', "C6": "2025-03", "C9": 1, "C10": 1, "C11": 1}, "refused", "Return!C4"),
    ("impossible-period.xlsx", {"C6": "2025-13", "C9": 1, "C10": 1, "C11": 1}, "refused", "Return!C6"),
]


@pytest.mark.parametrize(("name", "cells", "expect", "needle"), RETURN_FILES, ids=[case[0] for case in RETURN_FILES])
def test_the_returns_upload_refuses_or_reads_each_hostile_template(name, cells, expect, needle, returns_reader, data_set, providers, tmp_path):
    if isinstance(cells, dict):
        content = _template(data_set, providers, cells)
    else:
        good = _template(data_set, providers, {"C6": "2025-03"})
        content = {"bomb": xlsx_bomb(), "declared": _declared_size(good, "sheet1.xml", 0xFFFFFFF0), "truncated": good[:2000], "text": b"provider,period\n"}[
            cells
        ]
    judged(measured(lambda: returns_reader(content, name)), expect, needle, paths=[tmp_path])


# --------------------------------------------------------------------------------------------- action plan workbooks


@pytest.fixture
def plan_reader(defaults, make_user):
    from rocc.strategy.models import ActionPlan, Activity
    from rocc.strategy.services.frameworks import action_plan_workbook_import
    from rocc.strategy.workbooks import WorkbookInvalid

    manager = make_user("programme_manager")

    def read(content: bytes, name: str) -> Outcome:
        before = (ActionPlan.objects.count(), Activity.objects.count())
        try:
            action_plan_workbook_import(user=manager, data=content, source=name)
        except WorkbookInvalid as refused:
            assert (ActionPlan.objects.count(), Activity.objects.count()) == before
            return Outcome(
                True, [str(p) for p in refused.problems], all(p.sheet or p.cell or "limit" in p.message or "Excel" in p.message for p in refused.problems)
            )
        return Outcome(False, [], True)

    return read


def _plan_template() -> bytes:
    from rocc.strategy.workbooks import action_plan_template

    return action_plan_template()


PLAN_FILES = [
    ("empty-template.xlsx", _plan_template, "either", None),
    ("bomb.xlsx", lambda: xlsx_bomb(), "refused", "ROCC_LIMIT_REQUEST_MB"),
    ("declared-4gb.xlsx", lambda: _declared_size(_plan_template(), ".xml", 0xFFFFFFF0), "refused", "inflates"),
    ("truncated.xlsx", lambda: _plan_template()[:2500], "refused", "not an Excel workbook"),
    ("notes.txt", lambda: b"plan: year 3", "refused", "not an Excel workbook"),
    ("declared-two-million-rows.xlsx", lambda: _dimension(_plan_template(), "A1:M2000000"), "refused", "ROCC_LIMIT_ROWS"),
]


@pytest.mark.parametrize(("name", "build", "expect", "needle"), PLAN_FILES, ids=[case[0] for case in PLAN_FILES])
def test_the_action_plan_import_refuses_each_hostile_workbook(name, build, expect, needle, plan_reader, tmp_path):
    content = build()
    judged(measured(lambda: plan_reader(content, name)), expect, needle, paths=[tmp_path])


# --------------------------------------------------------------------------------------------- YAML files


def _framework_check(text: str) -> Outcome:
    from rocc.strategy.files import framework_file_check

    data, problems = framework_file_check(text, source="framework.yaml")
    if problems:
        return Outcome(True, [str(p) for p in problems], all(p.line >= 1 and p.column >= 1 for p in problems))
    return Outcome(False, [], True)


def _mapping_check(text: str) -> Outcome:
    from rocc.events.mapping import MappingInvalid, mapping_from_yaml

    try:
        mapping_from_yaml(text, source="mapping.yaml", default_name="hostile")
    except MappingInvalid as refused:
        return Outcome(True, list(refused.problems), all("line" in p or "mapping.yaml" in p for p in refused.problems))
    return Outcome(False, [], True)


def _methodology_check(text: str) -> Outcome:
    from django.core.exceptions import ValidationError

    from rocc.tasking.services.risk import methodology_file_rows

    try:
        methodology_file_rows(text, source="risk.yaml")
    except ValidationError as refused:
        return Outcome(True, refused.messages, all("risk.yaml" in m for m in refused.messages))
    return Outcome(False, [], True)


YAML_FILES = [
    ("billion-laughs", BILLION_LAUGHS, "values once its aliases are expanded"),
    ("many-aliases", MANY_ALIASES, "aliases"),
    ("deep-sequence", DEEP_SEQUENCE, "nested more than"),
    ("deep-mapping", DEEP_MAPPING, "nested more than"),
    ("unclosed-quote", 'code: "x\nname: y\n', "YAML"),
    ("tabs", "code:\n\t- x\n", "YAML"),
]


@pytest.mark.parametrize("reader", [_framework_check, _mapping_check, _methodology_check], ids=["framework", "event-mapping", "risk-methodology"])
@pytest.mark.parametrize(("name", "text", "needle"), YAML_FILES, ids=[case[0] for case in YAML_FILES])
def test_every_yaml_reader_refuses_bombs_and_deep_nesting_with_a_line(name, text, needle, reader, defaults):
    judged(measured(lambda: reader(text)), "refused", needle, paths=[])


def test_the_safe_loader_still_reads_aliases_and_merge_keys_within_the_limits():
    assert limits.yaml_load("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n") == {"base": {"x": 1}, "other": {"x": 1, "y": 2}}
    with pytest.raises(yaml.YAMLError) as caught:
        limits.yaml_load(BILLION_LAUGHS)
    assert caught.value.problem_mark.line >= 1


def test_the_shipped_framework_reads_within_the_limits(defaults):
    from importlib import resources

    from rocc.strategy.files import framework_file_check
    from rocc.strategy.services.frameworks import DEFAULTS_FILE

    text = resources.files("rocc.strategy").joinpath("defaults", DEFAULTS_FILE).read_text(encoding="utf-8")
    assert framework_file_check(text, source=DEFAULTS_FILE)[1] == []


def test_deeply_nested_yaml_from_the_api_answers_422_with_its_line(defaults, make_user):
    from rocc.core.tokens import token_issue
    from rocc.strategy.models import Framework
    from rocc.testing import api_call

    token = token_issue(user=make_user("programme_manager"), name="test")
    before = Framework.objects.count()
    for text in (DEEP_SEQUENCE, BILLION_LAUGHS):
        status, body = api_call("/api/strategy/frameworks", token, {"yaml": text})
        assert status == 422, body
        assert body["problems"] and body["problems"][0].startswith("request:1:") or "request:" in body["problems"][0]
    assert Framework.objects.count() == before


def test_framework_validate_says_to_save_a_latin1_file_as_utf8(tmp_path, capsys):
    from rocc.strategy.cli import _read

    path = tmp_path / "framework.yaml"
    path.write_bytes("code: x\nname: Te Ara café\n".encode("latin-1"))
    with pytest.raises(typer.Exit):
        _read(path)
    said = capsys.readouterr().err
    assert "row 2" in said and "save it as UTF-8" in said and "byte" in said


# --------------------------------------------------------------------------------------------- measures imports


@pytest.fixture
def measures_reader(defaults, monkeypatch):
    monkeypatch.setenv("ROCC_LIMIT_CELL_CHARS", "20000")  # below the 32,767 characters openpyxl reads of a cell
    from rocc.measures.imports import ImportRefused, measures_file_import
    from rocc.measures.models import Observation
    from rocc.org.models import Population

    def read(content: bytes, name: str) -> Outcome:
        before = (Population.objects.count(), Observation.objects.count())
        try:
            measures_file_import(user=None, name=name, content=content)
        except ImportRefused as refused:
            assert (Population.objects.count(), Observation.objects.count()) == before
            return Outcome(
                True,
                [str(p) for p in refused.problems],
                all(p.row or p.column != "-" or "limit" in p.message or name in p.message or "Excel" in p.message for p in refused.problems),
            )
        return Outcome(False, [], True)

    return read


POPULATION_HEADER = ["unit", "year", "value", "source"]
MEASURES_FILES = [
    ("populations.csv", lambda: _csv([["Waitematā", "2018", "52000", "test"]], header=POPULATION_HEADER), "imported", None),
    ("populations.xlsx", lambda: _xlsx([POPULATION_HEADER, ["Waitematā", 2018, 52000, "test"]]), "imported", None),
    ("latin1.csv", lambda: _csv([["Hawke's Bay", "2018", "1", "café"]], header=POPULATION_HEADER, encoding="latin-1"), "refused", "save it as UTF-8"),
    ("utf16.csv", lambda: _csv([["Northland", "2018", "1", "x"]], header=POPULATION_HEADER, encoding="utf-16"), "refused", "UTF-16"),
    ("huge-field.csv", lambda: _csv([["Northland", "2018", "1", "s" * 50_000]], header=POPULATION_HEADER), "refused", "ROCC_LIMIT_CELL_CHARS"),
    ("field-past-the-csv-module.csv", lambda: _csv([["Northland", "2018", "1", "s" * 200_000]], header=POPULATION_HEADER), "refused", "row 2"),
    ("too-many-columns.csv", lambda: _csv([["Northland"]], header=[f"c{i}" for i in range(600)]), "refused", "ROCC_LIMIT_COLUMNS"),
    ("ragged.csv", lambda: _csv([["Northland", "2018"]], header=POPULATION_HEADER), "refused", "row 2"),
    ("bomb.xlsx", lambda: xlsx_bomb(), "refused", "ROCC_LIMIT_REQUEST_MB"),
    ("truncated.xlsx", lambda: _xlsx([POPULATION_HEADER])[:2000], "refused", "not an Excel workbook"),
    ("huge-cell.xlsx", lambda: _xlsx([POPULATION_HEADER, ["Northland", 2018, 1, "s" * 40_000]]), "refused", "ROCC_LIMIT_CELL_CHARS"),
]


@pytest.mark.parametrize(("name", "build", "expect", "needle"), MEASURES_FILES, ids=[case[0] for case in MEASURES_FILES])
def test_the_measures_import_refuses_or_imports_each_hostile_file(name, build, expect, needle, measures_reader, tmp_path):
    content = build()
    judged(measured(lambda: measures_reader(content, name)), expect, needle, paths=[tmp_path])


# --------------------------------------------------------------------------------------------- boundary files


@pytest.fixture
def boundaries_reader(defaults, make_user):
    from rocc.maps.models import Boundary, BoundarySet
    from rocc.maps.services import BoundariesRefused, boundaries_import

    admin = make_user("administrator")

    def read(path: Path) -> Outcome:
        before = (Boundary.objects.count(), BoundarySet.objects.count())
        try:
            boundaries_import(actor=admin, path=path, source="Hostile test", licence="CC0")
        except BoundariesRefused as refused:
            assert (Boundary.objects.count(), BoundarySet.objects.count()) == before
            return Outcome(True, [str(p) for p in refused.problems], all(path.name in str(p) or "feature" in str(p) for p in refused.problems))
        return Outcome(False, [], True)

    return read


def _good_geojson() -> bytes:
    from rocc.maps.tests.synthetic import SHAPES, feature

    return json.dumps({"type": "FeatureCollection", "features": [feature(code, g) for code, g in SHAPES.items()]}).encode()


def _shapefile_zip(dbf: bytes = b"\x03" + b"\0" * 40) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("units.shp", b"\0" * 100)
        archive.writestr("units.dbf", dbf)
    return out.getvalue()


BOUNDARY_FILES = [
    ("good.geojson", _good_geojson, "imported", None),
    ("deep.geojson", lambda: b'{"type": "FeatureCollection", "features": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "refused", "nested too deeply"),
    ("latin1.geojson", lambda: '{"type": "FeatureCollection", "name": "café", "features": []}'.encode("latin-1"), "refused", "save it as UTF-8"),
    ("not-json.geojson", lambda: b"<kml></kml>", "refused", "not valid JSON"),
    ("bomb.zip", lambda: zip_bomb(), "refused", "ROCC_LIMIT_COMPRESSION_RATIO"),
    ("declared-4gb.zip", lambda: _declared_size(_shapefile_zip(), ".dbf", 0xFFFFFFF0), "refused", "ROCC_LIMIT_UNCOMPRESSED_MB"),
    ("truncated.zip", lambda: _shapefile_zip()[:60], "refused", "damaged"),
    ("bad-crc.zip", lambda: _corrupt_member(_shapefile_zip(dbf=bytes(range(256)) * 40), ".dbf"), "refused", "damaged"),
    ("garbage-shapefile.zip", lambda: _shapefile_zip(), "refused", "cannot read the shapefile"),
]


@pytest.mark.parametrize(("name", "build", "expect", "needle"), BOUNDARY_FILES, ids=[case[0] for case in BOUNDARY_FILES])
def test_the_boundary_import_refuses_or_loads_each_hostile_file(name, build, expect, needle, boundaries_reader, tmp_path):
    path = tmp_path / name
    path.write_bytes(build())
    judged(measured(lambda: boundaries_reader(path)), expect, needle, paths=[tmp_path])


# --------------------------------------------------------------------------------------------- analysis uploads


@pytest.fixture
def upload_reader(defaults, make_user):
    from rocc.analysis_pages.models import AnalysisUpload
    from rocc.analysis_pages.services import AnalysisRefused, analysis_upload_create

    analyst = make_user("analyst")

    def read(content: bytes, name: str) -> Outcome:
        before = AnalysisUpload.objects.count()
        try:
            analysis_upload_create(user=analyst, name=name, content=content)
        except AnalysisRefused as refused:
            assert AnalysisUpload.objects.count() == before
            return Outcome(True, [str(refused.error)], name in str(refused.error))
        return Outcome(False, [], True)

    return read


UPLOAD_FILES = [
    ("events.csv", lambda: _csv(GOOD_ROWS), "imported", None),
    ("bomb.xlsx", lambda: xlsx_bomb(), "refused", "ROCC_LIMIT_REQUEST_MB"),
    ("garbage.parquet", lambda: b"PAR1" + b"\x00" * 500, "refused", "not a readable Parquet file"),
    ("damaged-pages.parquet", _damaged_parquet_pages, "refused", "damaged"),
    ("latin1.csv", lambda: _csv([["E1", "2024-03-01", "0211", "café"]], encoding="latin-1"), "refused", "save it as UTF-8"),
    ("huge-field.csv", lambda: _csv([["E1", "2024-03-01", "0211", "x" * 100_000]]), "refused", "ROCC_LIMIT_CELL_CHARS"),
]


@pytest.mark.parametrize(("name", "build", "expect", "needle"), UPLOAD_FILES, ids=[case[0] for case in UPLOAD_FILES])
def test_the_analysis_upload_refuses_or_keeps_each_hostile_file(name, build, expect, needle, upload_reader, tmp_path):
    content = build()
    judged(measured(lambda: upload_reader(content, name)), expect, needle, paths=[tmp_path, Path("/tmp")])


def test_the_corpus_has_at_least_sixty_files():
    files = len(EVENT_FILES) + len(RETURN_FILES) + len(PLAN_FILES) + len(YAML_FILES) * 3 + len(MEASURES_FILES) + len(BOUNDARY_FILES) + len(UPLOAD_FILES)
    assert files >= 60, files
