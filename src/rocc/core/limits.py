"""The limits every file reader in rocc checks before it reads: file and inflated sizes, compression ratio, rows,
columns, cell length, YAML aliases, depth and size, and Parquet metadata.

Each check looks at what a file declares (its size, a zip archive's directory, a sheet's dimension, a Parquet footer)
before a parser is given it, so a file past a limit is refused in seconds and in little memory with a plain sentence
that names the file, and the sheet, row and column where they are known. The limits are read from ``ROCC_LIMIT_*``
environment variables (docs/configuration.md) each time they are asked for, so a deployment changes them without code.
"""

from __future__ import annotations

import codecs
import copy
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree

import yaml

MB = 1024 * 1024
EXCEL_MAX_ROWS = 1_048_576  # an Excel sheet holds at most this many rows
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767  # and a cell at most this many characters
SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: File → Save As → 'CSV UTF-8 (Comma delimited)') and try again"
_CHUNK = MB
EXCEL = "an Excel workbook (.xlsx)"


@dataclass(frozen=True)
class Limits:
    """What a file may hold; each figure's environment variable is beside it."""

    file_bytes: int  # ROCC_LIMIT_FILE_MB: a file as it is (compressed, for Excel and zip files)
    uncompressed_bytes: int  # ROCC_LIMIT_UNCOMPRESSED_MB: what a zip archive (an .xlsx) inflates to in all
    compression_ratio: int  # ROCC_LIMIT_COMPRESSION_RATIO: inflated ÷ compressed, for a member larger than 10 MB
    request_bytes: int  # ROCC_LIMIT_REQUEST_MB: a file read while a page or API request waits (size and inflated)
    inline_upload_bytes: int  # ROCC_LIMIT_INLINE_UPLOAD_KB: an upload larger than this is read by the background worker
    rows: int  # ROCC_LIMIT_ROWS: rows of a table (an Excel sheet also stops at 1,048,576)
    columns: int  # ROCC_LIMIT_COLUMNS
    cell_chars: int  # ROCC_LIMIT_CELL_CHARS: characters in one cell or field
    yaml_aliases: int  # ROCC_LIMIT_YAML_ALIASES: aliases (*name) in one YAML document
    nesting_depth: int  # ROCC_LIMIT_NESTING_DEPTH: lists and mappings inside each other (YAML, JSON)
    yaml_nodes: int  # ROCC_LIMIT_YAML_NODES: values in a YAML document, counting each alias as what it repeats
    parquet_row_groups: int  # ROCC_LIMIT_PARQUET_ROW_GROUPS


DEFAULTS = {
    "ROCC_LIMIT_FILE_MB": 512,
    "ROCC_LIMIT_UNCOMPRESSED_MB": 2048,
    "ROCC_LIMIT_COMPRESSION_RATIO": 200,
    "ROCC_LIMIT_REQUEST_MB": 20,
    "ROCC_LIMIT_INLINE_UPLOAD_KB": 1024,
    "ROCC_LIMIT_ROWS": 5_000_000,
    "ROCC_LIMIT_COLUMNS": 500,
    "ROCC_LIMIT_CELL_CHARS": EXCEL_MAX_CELL_CHARS,
    "ROCC_LIMIT_YAML_ALIASES": 100,
    "ROCC_LIMIT_NESTING_DEPTH": 50,
    "ROCC_LIMIT_YAML_NODES": 200_000,
    "ROCC_LIMIT_PARQUET_ROW_GROUPS": 10_000,
}


def _parsed(name: str) -> int | None:
    raw = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def _setting(name: str) -> int:
    return _parsed(name) or DEFAULTS[name]


def problems() -> list[str]:
    """The ROCC_LIMIT_* variables set to something that is not a whole number above 0 (their default is used)."""
    return [
        f"{name}={os.environ[name]!r} is not a whole number above 0; the default {DEFAULTS[name]:,} is used"
        for name in DEFAULTS
        if os.environ.get(name, "").strip() and _parsed(name) is None
    ]


def limits() -> Limits:
    """The limits in force now (read from the environment each time)."""
    return Limits(
        file_bytes=_setting("ROCC_LIMIT_FILE_MB") * MB,
        uncompressed_bytes=_setting("ROCC_LIMIT_UNCOMPRESSED_MB") * MB,
        compression_ratio=_setting("ROCC_LIMIT_COMPRESSION_RATIO"),
        request_bytes=_setting("ROCC_LIMIT_REQUEST_MB") * MB,
        inline_upload_bytes=_setting("ROCC_LIMIT_INLINE_UPLOAD_KB") * 1024,
        rows=_setting("ROCC_LIMIT_ROWS"),
        columns=_setting("ROCC_LIMIT_COLUMNS"),
        cell_chars=_setting("ROCC_LIMIT_CELL_CHARS"),
        yaml_aliases=_setting("ROCC_LIMIT_YAML_ALIASES"),
        nesting_depth=_setting("ROCC_LIMIT_NESTING_DEPTH"),
        yaml_nodes=_setting("ROCC_LIMIT_YAML_NODES"),
        parquet_row_groups=_setting("ROCC_LIMIT_PARQUET_ROW_GROUPS"),
    )


class FileRefusal(ValueError):
    """A file refused before it is read: past a limit (``setting`` names the variable that sets it), damaged, or not
    in the encoding asked for. ``str()`` is the located sentence shown to the user; it never holds a server path."""

    def __init__(self, message: str, *, file: str, sheet: str | None = None, row: int | None = None, column: str | None = None, setting: str | None = None):
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.setting = setting
        super().__init__(str(self))

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row:,}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def located(self) -> str:
        """The message with the sheet named, for readers that report the row and column themselves."""
        return f"sheet '{self.sheet}': {self.message}" if self.sheet else self.message

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"


def _over(what: str, found: str, limit: str, setting: str) -> str:
    return f"{what} {found}, more than the limit of {limit} (set by {setting}); nothing was read"


def size_check(size: int, *, file: str, in_request: bool = False) -> None:
    """Refuse a file larger than the limit (the lower request limit when a page or API request waits for it)."""
    found = limits()
    limit, setting = (found.request_bytes, "ROCC_LIMIT_REQUEST_MB") if in_request else (found.file_bytes, "ROCC_LIMIT_FILE_MB")
    if size > limit:
        raise FileRefusal(_over("the file is", _mb(size), _mb(limit), setting), file=file, setting=setting)


def read_inline(size: int) -> bool:
    """Whether an uploaded file is small enough to read while its page or API request waits; a larger one is stored
    and read by the background worker, so a large or hostile file never ties up a web server's worker."""
    return size <= limits().inline_upload_bytes


# --------------------------------------------------------------------------------------------- zip and Excel


Source = str | Path | bytes


def _open_zip(source: Source, *, file: str, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefusal(f"not {kind}: its zip archive is damaged or it is another kind of file", file=file) from None


def zip_check(source: Source, *, file: str, kind: str = "a zip archive", in_request: bool = False, most: int | None = None) -> list[zipfile.ZipInfo]:
    """Refuse a zip archive (an .xlsx is one) by its directory alone: damaged, inflating past the limit in all, or a
    large member compressed past the ratio a real file reaches (a zip bomb). ``most`` is a reader's own lower bound
    on the inflated size, for a kind of file that is never larger (a return template). Returns the members."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    size_check(size, file=file, in_request=in_request)
    found = limits()
    with _open_zip(source, file=file, kind=kind) as archive:
        members = archive.infolist()
    if not members:
        raise FileRefusal(f"not {kind}: the zip archive is empty", file=file)
    limit, setting = (found.request_bytes, "ROCC_LIMIT_REQUEST_MB") if in_request else (found.uncompressed_bytes, "ROCC_LIMIT_UNCOMPRESSED_MB")
    total = sum(m.file_size for m in members)
    if most is not None and most < limit and total > most:
        raise FileRefusal(f"the file inflates to {_mb(total)}, far more than such a file holds (at most {_mb(most)}); nothing was read", file=file)
    if total > limit:
        raise FileRefusal(_over("the file inflates to", _mb(total), _mb(limit), setting), file=file, setting=setting)
    for member in members:
        if member.file_size > 10 * MB and member.file_size > found.compression_ratio * max(member.compress_size, 1):
            ratio = member.file_size / max(member.compress_size, 1)
            raise FileRefusal(
                f"its part {member.filename} inflates {ratio:,.0f} times (from {_mb(member.compress_size)} to {_mb(member.file_size)}), "
                f"more than a real file does (the limit is {found.compression_ratio:,} times, set by ROCC_LIMIT_COMPRESSION_RATIO); nothing was read",
                file=file,
                setting="ROCC_LIMIT_COMPRESSION_RATIO",
            )
    return members


@dataclass(frozen=True)
class Workbook:
    """What an Excel workbook's parts declare, read before openpyxl opens it."""

    sheets: list[tuple[str, str]]  # (sheet name, the part holding it), in the workbook's order

    @property
    def first_sheet(self) -> tuple[str, str]:
        return self.sheets[0]


_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pkg": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?\"")


def column_letters(number: int) -> str:
    """A column's letters as Excel shows them (1 → A, 27 → AA)."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def xlsx_check(source: Source, *, file: str, in_request: bool = False, most: int | None = None) -> Workbook:
    """Refuse an Excel workbook past a limit before openpyxl opens it: the zip checks, then each sheet's declared
    dimension (rows and columns). Returns its sheets and the parts that hold them."""
    zip_check(source, file=file, kind=EXCEL, in_request=in_request, most=most)
    with _open_zip(source, file=file, kind=EXCEL) as archive:
        sheets = _sheets(archive, file=file)
        for name, part in sheets:
            try:
                with archive.open(part) as handle:
                    head = handle.read(64 * 1024)
            except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                raise FileRefusal("not an Excel workbook (.xlsx) that can be read: a sheet's part is missing or damaged", file=file, sheet=name) from None
            except Exception:  # zlib.error for a damaged stream
                raise FileRefusal("not an Excel workbook (.xlsx) that can be read: a sheet's part is damaged", file=file, sheet=name) from None
            match = _DIMENSION.search(head)
            if match:
                last_column, last_row = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
                rows, columns = int(last_row), _column_number(last_column.decode())
                rows_check(rows - 1, file=file, sheet=name, excel=True)
                columns_check(columns, file=file, sheet=name)
    return Workbook(sheets=sheets)


def _sheets(archive: zipfile.ZipFile, *, file: str) -> list[tuple[str, str]]:
    def part(name: str) -> ElementTree.Element:
        try:
            info = archive.getinfo(name)
            if info.file_size > 10 * MB:
                raise FileRefusal(
                    f"not an Excel workbook (.xlsx) that can be read: its part {name} is {_mb(info.file_size)}, far more than a workbook needs", file=file
                )
            return ElementTree.fromstring(archive.read(name))
        except FileRefusal:
            raise
        except Exception:  # KeyError (missing), ParseError, BadZipFile, zlib.error
            raise FileRefusal(f"not an Excel workbook (.xlsx) that can be read: its part {name} is missing or damaged", file=file) from None

    book = part("xl/workbook.xml")
    relations = part("xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in relations.findall("pkg:Relationship", _NS)}
    sheets = []
    for sheet in book.findall("main:sheets/main:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['rel']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        sheets.append((sheet.get("name", ""), path))
    if not sheets:
        raise FileRefusal("not an Excel workbook (.xlsx) that can be read: it has no sheets", file=file)
    return sheets


def stream_member(source: Source, part: str, *, file: str) -> Iterable[bytes]:
    """A zip member's bytes in chunks (after ``zip_check``), for a scan that must not hold the part in memory."""
    with _open_zip(source, file=file, kind=EXCEL) as archive:
        try:
            with archive.open(part) as handle:
                while chunk := handle.read(_CHUNK):
                    yield chunk
        except (KeyError, zipfile.BadZipFile, OSError, EOFError):
            raise FileRefusal("not an Excel workbook (.xlsx) that can be read: a sheet's part is missing or damaged", file=file) from None
        except Exception:  # zlib.error
            raise FileRefusal("not an Excel workbook (.xlsx) that can be read: a sheet's part is damaged", file=file) from None


# --------------------------------------------------------------------------------------------- tables


def rows_check(rows: int, *, file: str, sheet: str | None = None, excel: bool = False) -> None:
    """Refuse a table with more rows (below its header) than the limit; an Excel sheet never holds more than 1,048,576."""
    limit = limits().rows
    if excel:
        limit = min(limit, EXCEL_MAX_ROWS - 1)
    if rows > limit:
        raise FileRefusal(_over("the table has", f"{rows:,} rows", f"{limit:,} rows", "ROCC_LIMIT_ROWS"), file=file, sheet=sheet, setting="ROCC_LIMIT_ROWS")


def columns_check(columns: int, *, file: str, sheet: str | None = None) -> None:
    limit = limits().columns
    if columns > limit:
        raise FileRefusal(
            _over("the table has", f"{columns:,} columns", f"{limit:,} columns", "ROCC_LIMIT_COLUMNS"), file=file, sheet=sheet, setting="ROCC_LIMIT_COLUMNS"
        )


def cell_check(value: object, *, file: str, row: int | None, column: str | None, sheet: str | None = None) -> None:
    """Refuse one cell or field longer than the limit (checked as a reader walks its rows)."""
    if isinstance(value, str) and len(value) > limits().cell_chars:
        raise FileRefusal(_cell_message(len(value)), file=file, sheet=sheet, row=row, column=column, setting="ROCC_LIMIT_CELL_CHARS")


def _cell_message(length: int) -> str:
    limit = limits().cell_chars
    return _over("the cell holds", f"{length:,} characters", f"{limit:,}", "ROCC_LIMIT_CELL_CHARS")


def frame_check(frame: Any, *, file: str, sheet: str | None = None, excel: bool = False, first_row: int = 2) -> None:
    """Refuse a data frame as read (text cells) past the row, column or cell-length limits; the first over-long cell
    is located by its row as a spreadsheet numbers it (the header is row 1) and its column's name."""
    import numpy as np
    import pandas as pd

    rows_check(len(frame), file=file, sheet=sheet, excel=excel)
    columns_check(frame.shape[1], file=file, sheet=sheet)
    limit = limits().cell_chars
    for name in frame.columns:
        if len(str(name)) > limit:
            raise FileRefusal(
                _cell_message(len(str(name))), file=file, sheet=sheet, row=first_row - 1, column=str(name)[:40] + "…", setting="ROCC_LIMIT_CELL_CHARS"
            )
        series = frame[name]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        lengths = series.str.len().fillna(0).to_numpy(dtype=np.int64)
        if len(lengths) and lengths.max() > limit:
            position = int(np.argmax(lengths > limit))
            raise FileRefusal(
                _cell_message(int(lengths[position])), file=file, sheet=sheet, row=position + first_row, column=str(name), setting="ROCC_LIMIT_CELL_CHARS"
            )


# --------------------------------------------------------------------------------------------- text and CSV

_BOMS = [
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
]


def _encoding_refusal(*, file: str, row: int, offset: int) -> FileRefusal:
    return FileRefusal(f"the file is not UTF-8 text (byte {offset:,} cannot be read); {SAVE_AS_UTF8}", file=file, row=row)


def _bom_check(head: bytes, *, file: str) -> None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            raise FileRefusal(f"the file is {name} text; {SAVE_AS_UTF8}", file=file)
    if len(head) >= 4 and head[1:4:2] == b"\0\0" and head[0:1] != b"\0":
        raise FileRefusal(f"the file is UTF-16 text; {SAVE_AS_UTF8}", file=file)


def text_check(handle: IO[bytes], *, file: str, rows: bool = True) -> int:
    """Read a text file through once in chunks: refuse UTF-16/32 and bytes that are not UTF-8 (with the row and
    byte), and, for a table, more lines than the row limit. Returns the number of lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    row_limit = limits().rows + 1  # the header
    lines, offset, first = 0, 0, True
    while chunk := handle.read(_CHUNK):
        if first:
            _bom_check(chunk, file=file)
            first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            at = error.start
            raise _encoding_refusal(file=file, row=lines + chunk.count(b"\n", 0, at) + 1, offset=offset + at + 1) from None
        lines += chunk.count(b"\n")
        offset += len(chunk)
        if rows and lines > row_limit:
            raise FileRefusal(
                _over("the file has", f"more than {row_limit - 1:,} rows", f"{row_limit - 1:,} rows", "ROCC_LIMIT_ROWS"), file=file, setting="ROCC_LIMIT_ROWS"
            )
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _encoding_refusal(file=file, row=lines + 1, offset=offset) from None
    return lines


def csv_check(source: Source, *, file: str, in_request: bool = False) -> None:
    """Refuse a CSV file past the size or row limits, or not in UTF-8, before a parser reads it."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    size_check(size, file=file, in_request=in_request)
    if isinstance(source, bytes):
        text_check(io.BytesIO(source), file=file)
    else:
        with open(source, "rb") as handle:
            text_check(handle, file=file)


def utf8_text(data: bytes, *, file: str) -> str:
    """Bytes as text (a byte-order mark dropped), or a refusal that says where the file stops being UTF-8 and how to
    save it as UTF-8."""
    _bom_check(data[:4], file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _encoding_refusal(file=file, row=data.count(b"\n", 0, error.start) + 1, offset=error.start + 1) from None


# --------------------------------------------------------------------------------------------- Parquet


def parquet_check(path: str | Path, *, file: str) -> None:
    """Refuse a Parquet file by its footer alone: unreadable (never with the path or the library's words), or past
    the row, column, row-group or inflated-size limits."""
    import pyarrow.parquet as pq

    path = Path(path)
    size_check(path.stat().st_size, file=file)
    try:
        metadata = pq.ParquetFile(path).metadata
    except Exception:  # ArrowInvalid, OSError and others, whose words name the server's path
        raise FileRefusal("not a readable Parquet file: its footer is missing or damaged (it may be cut short, or another kind of file)", file=file) from None
    found = limits()
    rows_check(metadata.num_rows, file=file)
    columns_check(metadata.num_columns, file=file)
    if metadata.num_row_groups > found.parquet_row_groups:
        raise FileRefusal(
            _over("the file has", f"{metadata.num_row_groups:,} row groups", f"{found.parquet_row_groups:,}", "ROCC_LIMIT_PARQUET_ROW_GROUPS"),
            file=file,
            setting="ROCC_LIMIT_PARQUET_ROW_GROUPS",
        )
    inflated = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if inflated > found.uncompressed_bytes:
        raise FileRefusal(
            _over("the file inflates to", _mb(inflated), _mb(found.uncompressed_bytes), "ROCC_LIMIT_UNCOMPRESSED_MB"),
            file=file,
            setting="ROCC_LIMIT_UNCOMPRESSED_MB",
        )


# --------------------------------------------------------------------------------------------- YAML and JSON


class YamlLimitExceeded(yaml.MarkedYAMLError):
    """A YAML document past the alias, depth or size limits; a YAMLError with its line and column, so the readers
    that already report YAML errors by position report this one too."""

    def __init__(self, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts, while composing, how deep it is, how many aliases it met and how many values
    the document holds with every alias expanded (a "billion laughs" file holds a few aliases and billions of values)."""

    def __init__(self, stream):
        super().__init__(stream)
        found = limits()
        self._aliases_left = found.yaml_aliases
        self._depth_left = found.nesting_depth
        self._node_limit = found.yaml_nodes
        self._weights: dict[int, int] = {}

    def fetch_flow_collection_start(self, TokenClass):
        # The scanner reads ahead through every open bracket before the composer sees the first one (and each bracket
        # costs it a look at all the others), so flow nesting is refused here, as the bracket past the limit is read.
        if self.flow_level >= limits().nesting_depth:
            raise YamlLimitExceeded(f"nested more than {limits().nesting_depth:,} levels deep (the limit is set by ROCC_LIMIT_NESTING_DEPTH)", self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            self._aliases_left -= 1
            if self._aliases_left < 0:
                raise YamlLimitExceeded(f"more than {limits().yaml_aliases:,} aliases (the limit is set by ROCC_LIMIT_YAML_ALIASES)", mark)
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        self._depth_left -= 1
        if self._depth_left < 0:
            raise YamlLimitExceeded(f"nested more than {limits().nesting_depth:,} levels deep (the limit is set by ROCC_LIMIT_NESTING_DEPTH)", mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth_left += 1
        if isinstance(node, yaml.SequenceNode):
            weight = 1 + sum(self._weights.get(id(item), 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            weight = 1 + sum(self._weights.get(id(k), 1) + self._weights.get(id(v), 1) for k, v in node.value)
        else:
            weight = 1
        self._weights[id(node)] = weight
        if weight > self._node_limit:
            raise YamlLimitExceeded(
                f"holds more than {self._node_limit:,} values once its aliases are expanded (the limit is set by ROCC_LIMIT_YAML_NODES)", node.start_mark
            )
        return node


def yaml_load(text: str) -> Any:
    """A YAML document's data, read safely within the limits (yaml.YAMLError, with a position, when it is not)."""
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def yaml_compose(text: str) -> tuple[yaml.Node | None, Any]:
    """A YAML document's node tree (with line and column marks) and its data, from one reading of the text within
    the limits (reading it is most of the work on a long file)."""
    loader = _LimitedLoader(text)
    try:
        root = loader.get_single_node()
        # The data is built from a copy: building it rewrites merge keys (<<) in the tree it reads.
        return root, (loader.construct_document(copy.deepcopy(root)) if root is not None else None)
    finally:
        loader.dispose()


def json_load(data: bytes, *, file: str) -> Any:
    """A JSON document from UTF-8 bytes, refused plainly when it is not UTF-8, not JSON, or nested too deeply."""
    text = utf8_text(data, file=file)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRefusal(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})", file=file) from None
    except RecursionError:
        raise FileRefusal("the JSON is nested too deeply to be a real file", file=file) from None
