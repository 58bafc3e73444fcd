"""Reading an events file through its source's mapping and checking every row: the validation report
(row, column, what was wrong), the valid events ready to store, and the rejected rows.

Row numbers are as a spreadsheet shows them: the header is row 1, the first event row 2. Checks run
column-wise over the whole file (a million rows in seconds); messages are built only for the rows that
fail. Person identifiers are replaced by their person keys here and go no further.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from django.core.exceptions import ValidationError

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import read_table
from rocc.core import limits
from rocc.core.bounds import IDENTIFIER_MAX, BoundSettingInvalid, events_window, too_long
from rocc.core.spreadsheets import csv_writer
from rocc.events.mapping import SourceMapping
from rocc.events.offences import anzsoc
from rocc.events.pseudonym import person_keys
from rocc.events.store import EVENT_SCHEMA, PERSON_SCHEMA
from rocc.maps.placement import blank_units_placed
from rocc.org.scope import Scope
from rocc.org.services import unit_resolve

# NZTM2000 (EPSG:2193) coordinates of mainland New Zealand, Stewart Island and the near islands, with a margin.
NZTM_X = (1_000_000.0, 2_200_000.0)
NZTM_Y = (4_700_000.0, 6_300_000.0)
NZ_LATITUDE = (-48.0, -34.0)
NZ_LONGITUDE = (165.5, 179.0)


def outside_new_zealand_lonlat(longitude: np.ndarray, latitude: np.ndarray) -> np.ndarray:
    """Which WGS84 points lie outside New Zealand: the one test the importer and the analysis pages both apply."""
    return ~((latitude >= NZ_LATITUDE[0]) & (latitude <= NZ_LATITUDE[1]) & (longitude >= NZ_LONGITUDE[0]) & (longitude <= NZ_LONGITUDE[1]))


def outside_new_zealand_nztm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which NZTM2000 points lie outside New Zealand (the same test everywhere)."""
    return ~((x >= NZTM_X[0]) & (x <= NZTM_X[1]) & (y >= NZTM_Y[0]) & (y <= NZTM_Y[1]))


WITHHELD = "(withheld)"
REPORT_LIMIT = 1000  # problems kept in the report; the count says how many there were in all

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row as a spreadsheet numbers it, column) and what."""

    row: int | None
    column: str | None
    message: str

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileRefused(Exception):
    """The file as a whole cannot be imported (unreadable, empty, a missing column, merged header cells)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class CheckedFile:
    rows_read: int
    problems: list[Problem]
    valid: np.ndarray  # bool per row
    event_ids: pd.Series
    events: pd.DataFrame  # every row (valid or not), in the store's columns
    persons: pd.DataFrame  # event position, role, person_key
    raw: pd.DataFrame  # the file as read (text), for the rejects file
    withheld_columns: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return int((~self.valid).sum())

    def rejects_csv(self) -> bytes:
        """The rejected rows as they were in the file, with person identifiers withheld and the reasons added."""
        rejected = np.flatnonzero(~self.valid)
        frame = self.raw.iloc[rejected].copy()
        for name in self.withheld_columns:
            frame[name] = np.where(frame[name].astype(str).str.strip() != "", WITHHELD, "")
        reasons: dict[int, list[str]] = {}
        for problem in self.problems:
            if problem.row is not None:
                reasons.setdefault(problem.row, []).append(f"{problem.column}: {problem.message}" if problem.column else problem.message)
        rows = rejected + 2
        frame.insert(0, "row", rows)
        frame["reason"] = ["; ".join(reasons.get(int(r), ["rejected"])) for r in rows]
        buffer = io.StringIO()
        writer = csv_writer(buffer, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows(frame.itertuples(index=False, name=None))
        return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------- reading


def file_read(path: Path, *, file_name: str) -> pd.DataFrame:
    """The file as text cells ("" for blank), header row 1; refuses empty, unreadable and merged-header files, and
    files past the limits (rocc.core.limits) before they are parsed."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise FileRefused([Problem(None, None, f"{file_name} is empty")])
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".csv", ".txt", ".parquet"}:
        raise FileRefused([Problem(None, None, f"{file_name}: expected a CSV (.csv), Excel (.xlsx) or Parquet (.parquet) file")])
    sheet = None
    try:
        if suffix in {".xlsx", ".xlsm"}:
            workbook = limits.xlsx_check(path, file=file_name)
            sheet = workbook.first_sheet[0]
            _refuse_merged_header(path, workbook, file_name)
        elif suffix == ".parquet":
            limits.parquet_check(path, file=file_name)
        else:
            limits.csv_check(path, file=file_name)
    except limits.FileRefusal as refusal:
        raise FileRefused([Problem(refusal.row, refusal.column, f"{file_name}: {refusal.located()}")]) from None
    try:
        frame = _csv_fast(path) if suffix in {".csv", ".txt"} else None
        if frame is None:
            frame = read_table(path)
    except AnalysisInputError as exc:
        raise FileRefused([Problem(None, None, _without_path(str(exc), path, file_name))]) from None
    except Exception as exc:  # a corrupt Excel or Parquet file: say so, without a traceback or the library's words (they hold paths)
        kind = "a Parquet file" if suffix == ".parquet" else "an Excel workbook" if sheet is not None else "a table"
        raise FileRefused([Problem(None, None, f"{file_name} cannot be read as {kind}: its contents are damaged ({type(exc).__name__})")]) from None
    unnamed = [i for i, name in enumerate(frame.columns) if not name or name.startswith("Unnamed:")]
    if unnamed:
        raise FileRefused([Problem(1, None, f"the header of column {_letters(unnamed[0] + 1)} is blank; give every column a name")])
    frame = frame.apply(_as_text)
    try:
        limits.frame_check(frame, file=file_name, sheet=sheet, excel=sheet is not None)
    except limits.FileRefusal as refusal:
        raise FileRefused([Problem(refusal.row, refusal.column, f"{file_name}: {refusal.located()}")]) from None
    return frame


def _without_path(message: str, path: Path, file_name: str) -> str:
    """A reader's message with the server's path (and the stored file's name) replaced by the name the user gave."""
    return message.replace(str(path), file_name).replace(str(path.parent), "").replace(path.name, file_name)


def _csv_fast(path: Path) -> pd.DataFrame | None:
    """A well-formed UTF-8 CSV read by Arrow's multi-threaded reader, every cell as text (a byte-order mark and
    Windows line endings are taken in its stride). None when Arrow cannot read it: the analysis library's
    reader then reads it or says what is wrong."""

    import pyarrow.csv as arrow_csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
        if not header or len(set(header)) != len(header):
            return None
        table = arrow_csv.read_csv(
            path,
            convert_options=arrow_csv.ConvertOptions(
                column_types={name: pa.string() for name in header}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (UnicodeDecodeError, pa.ArrowInvalid, OSError, csv.Error):
        return None
    if table.num_rows == 0:
        return None
    frame = table.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?\"")


def _refuse_merged_header(path: Path, workbook: limits.Workbook, file_name: str) -> None:
    """Refuse a first sheet whose header row has merged cells, scanning its part in chunks (openpyxl would load the
    whole sheet to list them)."""
    merged, tail = [], b""
    for chunk in limits.stream_member(path, workbook.first_sheet[1], file=file_name):
        text = tail + chunk
        for match in _MERGE.finditer(text):
            if int(match.group(2)) == 1:
                merged.append(match.group(0).split(b'"')[1].decode())
        tail = text[-200:]  # a tag cut by the chunk's end is whole in the next text (one found twice counts once)
    if merged:
        ranges = ", ".join(dict.fromkeys(merged))
        raise FileRefused([Problem(1, None, f"the header has merged cells ({ranges}): unmerge them and give every column its own name")])


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _as_text(series: pd.Series) -> pd.Series:
    """A column as text: Excel and Parquet give numbers and dates; whole numbers lose their ".0"."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False).fillna("")
    if pd.api.types.is_string_dtype(series.dtype) and not series.isna().any():
        return series.astype(str)

    def text(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
            return ""
        if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
            stamp = pd.Timestamp(value)
            return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return series.map(text).astype(object)


# --------------------------------------------------------------------------------------------- dates

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_FORMATS = [
    ("iso", re.compile(r"^\d{4}-\d{1,2}-\d{1,2}" + _TIME + "$")),
    ("slashed", re.compile(r"^\d{1,2}/\d{1,2}/\d{4}" + _TIME + "$")),
    ("dashed", re.compile(r"^\d{1,2}[-.]\d{1,2}[-.]\d{4}" + _TIME + "$")),
    ("named", re.compile(r"^\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}" + _TIME + "$")),
]


def _format_label(family: str, day_first: bool) -> str:
    order = "day/month/year" if day_first else "month/day/year"
    return {
        "iso": "year-month-day (2019-04-03)",
        "slashed": f"{order} (03/04/2019)",
        "dashed": f"{order.replace('/', '-')} (03-04-2019)",
        "named": "day, month name, year (3 Apr 2019)",
    }[family]


def _classify(text: pd.Series) -> pd.Series:
    family = pd.Series("", index=text.index, dtype=object)
    todo = text != ""
    for name, pattern in _DATE_FORMATS:
        if not todo.any():
            break
        hit = text[todo].str.match(pattern)
        hit = hit[hit].index
        family[hit] = name
        todo[hit] = False
    family[todo] = "?"
    return family


def _parse(text: pd.Series, family: pd.Series, day_first: bool) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    iso = family == "iso"
    if iso.any():
        parsed[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
    numeric = family.isin(["slashed", "dashed"])
    if numeric.any():
        part = text[numeric].str.replace(r"[-.]", "/", regex=True).str.replace("T", " ", regex=False)
        has_time = part.str.contains(":", regex=False)
        seconds = part.str.count(":") == 2
        part = part.where(~has_time, part.where(seconds, part + ":00"))
        part = part.where(has_time, part + " 00:00:00")
        layout = "%d/%m/%Y %H:%M:%S" if day_first else "%m/%d/%Y %H:%M:%S"
        parsed[numeric] = pd.to_datetime(part.str.replace(r"\.\d+$", "", regex=True), format=layout, errors="coerce")
    named = family == "named"
    if named.any():
        parsed[named] = pd.to_datetime(text[named], format="mixed", dayfirst=True, errors="coerce")
    return parsed


# --------------------------------------------------------------------------------------------- checking


class _Report:
    def __init__(self, rows: int):
        self.problems: list[Problem] = []
        self.bad = np.zeros(rows, dtype=bool)

    def add(self, mask: np.ndarray | pd.Series, column: str | None, messages) -> None:
        """Flag the rows in ``mask``; ``messages`` is one text for all, or a function of a row position."""
        positions = np.flatnonzero(np.asarray(mask))
        if not len(positions):
            return
        self.bad[positions] = True
        for position in positions.tolist():
            message = messages(position) if callable(messages) else messages
            self.problems.append(Problem(position + 2, column, message))


def file_check(
    path: Path,
    *,
    file_name: str,
    mapping: SourceMapping,
    scope_paths: tuple[str, ...],
    progress: Progress = lambda percent, stage: None,
    resolve_unit: Callable[[str], object] | None = None,
) -> CheckedFile:
    """Read and check a file against a mapping; refuses the whole file (FileRefused) when it cannot be read
    or lacks a mapped column, else reports each bad row and returns the events of every row."""
    progress(2, "reading the file")
    raw = file_read(path, file_name=file_name)
    missing = [c for c in dict.fromkeys(mapping.required_columns()) if c not in raw.columns]
    if missing:
        have = ", ".join(f"'{c}'" for c in raw.columns)
        raise FileRefused([Problem(1, name, f"no such column (the mapping of source '{mapping.name}' needs it); the file has: {have}") for name in missing])
    if mapping.default_unit and not mapping.unit:
        _resolved(resolve_unit, mapping.default_unit)  # a wrong default unit refuses the file, before any row
    rows = len(raw)
    report = _Report(rows)
    text = {name: raw[name].astype(str).str.strip() for name in dict.fromkeys(mapping.required_columns())}
    progress(10, "checking event ids")

    # Event ids: present, and once only in the file (every row sharing an id is refused: none is picked silently).
    ids = text[mapping.event_id]
    report.add(ids == "", mapping.event_id, "the event id is blank")
    overlong = _overlong(ids, mapping.event_id, "the event id", report)
    repeated = ids.duplicated(keep=False) & (ids != "") & ~overlong
    if repeated.any():
        rows_of = pd.Series(np.arange(rows) + 2)[repeated.to_numpy()].groupby(ids[repeated].to_numpy()).agg(list).to_dict()
        report.add(
            repeated,
            mapping.event_id,
            lambda i: f"event id '{ids.iat[i]}' appears more than once in the file (rows {', '.join(map(str, rows_of[ids.iat[i]][:10]))})",
        )

    progress(20, "checking dates")
    date_from, date_to = _dates_check(text, mapping, report)

    progress(35, "checking offence codes")
    offence_code, offence_division = _offences_check(text[mapping.offence_code], mapping.offence_code, report)

    progress(45, "checking locations")
    x, y = _locations_check(text, mapping, report)

    progress(50, "checking units")
    units = _units_check(text, mapping, report, scope_paths, resolve_unit, x=x, y=y)

    progress(60, "pseudonymising persons")
    person_frames = []
    for column in dict.fromkeys(p.identifier for p in mapping.persons):
        _overlong(text[column], column, "the person identifier", report)
    for column in mapping.persons:
        identifiers = text[column.identifier]
        present = np.flatnonzero((identifiers != "").to_numpy())
        if len(present):
            person_frames.append(
                pd.DataFrame(
                    {
                        "position": present,
                        "role": column.role,
                        "person_key": person_keys(identifiers.to_numpy()[present]),
                    }
                )
            )
    persons = (
        pd.concat(person_frames, ignore_index=True)
        if person_frames
        else pd.DataFrame({"position": pd.Series(dtype=np.int64), "role": pd.Series(dtype=object), "person_key": pd.Series(dtype=object)})
    )
    if len(mapping.persons) > len({p.role for p in mapping.persons}):
        # The same person twice in one role in one event (say in two victim columns) counts once.
        persons = persons.drop_duplicates(["position", "role", "person_key"], ignore_index=True)

    progress(70, "preparing the events")
    unit_code, unit_path, district, area = units
    events = pd.DataFrame(
        {
            "event_id": ids.to_numpy(dtype=object),
            "source": mapping.name,
            "batch_id": np.int64(0),
            "date_from": date_from.to_numpy(),
            "date_to": date_to.to_numpy(),
            "month": (date_from.dt.year * 12 + date_from.dt.month - 1).fillna(0).to_numpy(dtype=np.int32),
            "offence_code": offence_code,
            "offence_division": offence_division,
            "x": x,
            "y": y,
            "unit_code": unit_code,
            "unit_path": unit_path,
            "district_code": district,
            "area_code": area,
        }
    )
    problems = sorted(report.problems, key=lambda p: (p.row or 0, mapping.required_columns().index(p.column) if p.column in mapping.required_columns() else 99))
    return CheckedFile(
        rows_read=rows,
        problems=problems,
        valid=~report.bad,
        event_ids=ids,
        events=events,
        persons=persons,
        raw=raw,
        withheld_columns=list(dict.fromkeys(p.identifier for p in mapping.persons)),
    )


def _overlong(values: pd.Series, column: str, what: str, report: _Report) -> np.ndarray:
    """Flag identifiers past their bound (rocc.core.bounds), saying how long they are rather than repeating them."""
    overlong = (values.str.len() > IDENTIFIER_MAX).to_numpy()
    report.add(overlong, column, lambda i: f"{what} {too_long(values.iat[i], IDENTIFIER_MAX)}")
    return overlong


def _dates_check(text: dict[str, pd.Series], mapping: SourceMapping, report: _Report) -> tuple[pd.Series, pd.Series]:
    try:
        earliest, latest = events_window()
    except BoundSettingInvalid as exc:
        raise FileRefused([Problem(None, None, f"{exc} (the deployment's setting, not the file)")]) from None
    columns = [mapping.date_from_column] + ([mapping.date_to] if mapping.date_to else [])
    families = {name: _classify(text[name]) for name in columns}
    written = pd.concat([f[f.isin(["iso", "slashed", "dashed", "named"])] for f in families.values()])
    counts = written.value_counts()
    dominant = None
    if len(counts):
        # The most common way of writing dates; on a tie, the way the first dated row writes them.
        leaders = set(counts.index[counts == counts.iloc[0]])
        dominant = next(f for f in written.sort_index(kind="stable") if f in leaders)
    parsed = {}
    for name in columns:
        values, family = text[name], families[name]
        if name == mapping.date_from_column:
            report.add(values == "", name, "the date is blank")
        report.add(family == "?", name, lambda i, v=values: f"expected a date such as 2019-04-03 or 03/04/2019, found '{v.iat[i]}'")
        other = family.isin(["iso", "slashed", "dashed", "named"]) & (family != dominant)
        report.add(
            other,
            name,
            lambda i, v=values, f=family: (
                f"'{v.iat[i]}' is written {_format_label(f.iat[i], mapping.day_first)}, but the other dates in this file are "
                f"written {_format_label(dominant, mapping.day_first)}: write every date the same way"
            ),
        )
        dates = _parse(values, family, mapping.day_first)
        unreal = dates.isna() & (family != "?") & (family != "")
        report.add(unreal, name, lambda i, v=values, f=family: f"'{v.iat[i]}' is not a real date (read as {_format_label(f.iat[i], mapping.day_first)})")
        report.add(
            dates > latest,
            name,
            lambda i, d=dates: f"{_show(d.iat[i])} is in the future (events are dated up to {latest:%Y-%m-%d}, a day's clock difference allowed)",
        )
        report.add(
            dates < earliest,
            name,
            lambda i, d=dates: f"{_show(d.iat[i])} is before {earliest:%Y-%m-%d}, the earliest date this deployment accepts for an event",
        )
        parsed[name] = dates
    date_from = parsed[mapping.date_from_column]
    date_to = parsed[mapping.date_to] if mapping.date_to else date_from
    if mapping.date_to:
        date_to = date_to.fillna(date_from)  # a blank "to" means the date is exact
        reversed_ = (date_to < date_from).to_numpy()
        report.add(
            reversed_,
            mapping.date_to,
            lambda i: f"the occurrence window ends ({_show(date_to.iat[i])}) before it starts ({_show(date_from.iat[i])}, column '{mapping.date_from}')",
        )
    return date_from, date_to


def _show(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M")


def _offences_check(codes: pd.Series, column: str, report: _Report) -> tuple[np.ndarray, np.ndarray]:
    classification = anzsoc()
    known_code: dict[str, str] = {}
    known_division: dict[str, str] = {}
    for code in codes.unique().tolist():
        # The classification's own reading (a leading zero a spreadsheet dropped is put back), as every filter reads codes.
        normal = classification.normalised(code)
        if normal is not None:
            known_code[code], known_division[code] = normal, normal[:2]
    mapped = codes.map(known_code)
    unknown = mapped.isna() & (codes != "")
    report.add(codes == "", column, "the offence code is blank")
    report.add(
        unknown, column, lambda i: f"unknown offence code '{codes.iat[i]}': expected an ANZSOC 2011 division, subdivision or group code (e.g. 02, 021 or 0211)"
    )
    return mapped.fillna("").to_numpy(dtype=object), codes.map(known_division).fillna("").to_numpy(dtype=object)


def _numbers(values: pd.Series, column: str, report: _Report) -> np.ndarray:
    numbers = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    report.add(numbers.isna() & (values != ""), column, lambda i: f"expected a number, found '{values.iat[i]}'")
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def _locations_check(text: dict[str, pd.Series], mapping: SourceMapping, report: _Report) -> tuple[np.ndarray, np.ndarray]:
    rows = len(report.bad)
    if mapping.x:
        first, second = mapping.x, mapping.y
    elif mapping.latitude:
        first, second = mapping.latitude, mapping.longitude
    else:
        return np.full(rows, np.nan), np.full(rows, np.nan)
    a, b = _numbers(text[first], first, report), _numbers(text[second], second, report)
    first_blank, second_blank = (text[first] == "").to_numpy(), (text[second] == "").to_numpy()
    report.add(first_blank & ~second_blank, first, f"give both '{first}' and '{second}', or neither")
    report.add(second_blank & ~first_blank, second, f"give both '{first}' and '{second}', or neither")
    both = ~np.isnan(a) & ~np.isnan(b)
    if mapping.x:
        outside = both & outside_new_zealand_nztm(a, b)
        report.add(
            outside,
            first,
            lambda i: (
                f"x={a[i]:,.0f}, y={b[i]:,.0f} is outside New Zealand in NZTM2000 (expected x {NZTM_X[0]:,.0f} to "
                f"{NZTM_X[1]:,.0f} and y {NZTM_Y[0]:,.0f} to {NZTM_Y[1]:,.0f} metres)"
                + ("; these look like latitude/longitude: map them as latitude and longitude" if abs(a[i]) <= 180 and abs(b[i]) <= 180 else "")
            ),
        )
        return a, b
    latitude, longitude = a, b
    outside = both & outside_new_zealand_lonlat(longitude, latitude)
    report.add(
        outside,
        first,
        lambda i: (
            f"latitude {latitude[i]}, longitude {longitude[i]} is outside New Zealand (expected latitude {NZ_LATITUDE[0]} to "
            f"{NZ_LATITUDE[1]} and longitude {NZ_LONGITUDE[0]} to {NZ_LONGITUDE[1]})"
            + ("; are latitude and longitude swapped?" if NZ_LATITUDE[0] <= longitude[i] <= NZ_LATITUDE[1] else "")
        ),
    )
    x = np.full(rows, np.nan)
    y = np.full(rows, np.nan)
    inside = both & ~outside
    if inside.any():
        from pyproj import Transformer

        to_nztm = Transformer.from_crs("EPSG:4326", "EPSG:2193", always_xy=True)
        x[inside], y[inside] = to_nztm.transform(longitude[inside], latitude[inside])
    return x, y


def _resolved(resolve_unit, name: str):

    resolve = resolve_unit or _unit_resolve
    try:
        return resolve(name)
    except ValidationError as exc:
        raise FileRefused([Problem(None, None, f"the source's default unit: {exc.messages[0]}")]) from None


def _unit_resolve(name: str):

    return unit_resolve(name)


def _units_check(text, mapping: SourceMapping, report: _Report, scope_paths: tuple[str, ...], resolve_unit, *, x=None, y=None):

    rows = len(report.bad)
    resolve = resolve_unit or _unit_resolve
    outside: dict[int, str] = {}
    if mapping.unit:
        names = text[mapping.unit]
        if x is not None:
            # Events with coordinates but no unit: placed in the unit whose boundary holds them (maps owns this).

            names, outside = blank_units_placed(names, x, y)
    else:
        names = pd.Series([mapping.default_unit] * rows, dtype=object)
    found: dict[str, tuple[str, str]] = {}
    problems: dict[str, str] = {}
    for name in names.unique().tolist():
        if not name:
            problems[name] = "the organisational unit is blank"
            continue
        try:
            unit = resolve(name)
        except ValidationError as exc:
            problems[name] = exc.messages[0].replace("No organisational unit", "no organisational unit")
            continue
        if not Scope(role=None, unit_paths=scope_paths, agency_id=None).covers(unit.path):
            problems[name] = f"{unit.name} is outside your scope: you can import events only for your own units"
            continue
        found[name] = (unit.code, unit.path)
    if problems:
        bad = names.isin(list(problems))
        report.add(bad, mapping.unit or "default_unit", lambda i: outside.get(i) or problems[names.iat[i]])

    def part(path: str, depth: int) -> str | None:
        codes = path.strip("/").split("/")
        return codes[depth] if len(codes) > depth else None

    code = names.map({n: c for n, (c, _) in found.items()}).to_numpy(dtype=object, na_value="")
    path = names.map({n: p for n, (_, p) in found.items()}).to_numpy(dtype=object, na_value="")
    district = names.map({n: part(p, 1) for n, (_, p) in found.items()}).to_numpy(dtype=object, na_value=None)
    area = names.map({n: part(p, 2) for n, (_, p) in found.items()}).to_numpy(dtype=object, na_value=None)
    return code, path, district, area


def events_arrow(events: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(events, schema=EVENT_SCHEMA, preserve_index=False)


def persons_arrow(persons: pd.DataFrame, events: pa.Table) -> pa.Table:
    """Person rows with their event's id, date, offence and unit copied in."""
    joined = events.take(pa.array(persons["position"].to_numpy()))
    columns = {name: joined.column(name) for name in joined.column_names}
    columns["person_key"] = pa.array(persons["person_key"].to_numpy(), type=pa.string())
    columns["role"] = pa.array(persons["role"].to_numpy(), type=pa.string())
    return pa.table({field.name: columns[field.name] for field in PERSON_SCHEMA}, schema=PERSON_SCHEMA)
