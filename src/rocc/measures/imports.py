"""Reading observation and population files (CSV or Excel): every cell checked, every problem located, nothing saved on
any error, and importing the same file twice adding nothing."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from rocc.core import limits
from rocc.core.text import fold, nfc
from rocc.measures.models import Indicator, SourceKind
from rocc.measures.periods import PeriodError, period_check, period_parse
from rocc.measures.services import ObservationInput, ObservationInvalid, _require, observations_record_many
from rocc.org.models import OrgUnit, Population, UnitAlias

OBSERVATION_COLUMNS = {
    "indicator",
    "unit",
    "period",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "disaggregation",
    "is_approximate",
    "provenance",
}
POPULATION_COLUMNS = {"unit", "period_start", "period_end", "year", "age_band", "sex", "ethnicity", "value", "is_approximate", "source"}


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}" if self.row else f"column {self.column}: {self.message}"


class ImportRefused(ValueError):
    """A file that cannot be imported; ``problems`` lists every located problem."""

    def __init__(self, file_name: str, problems: list[CellProblem]):
        self.file_name = file_name
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{file_name}: nothing was imported; {len(problems)} problem{'s' if len(problems) != 1 else ''}:\n{shown}{more}")


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[CellProblem] = field(default_factory=list)


def read_table(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or Excel (.xlsx, first sheet) file as dicts of text keyed by the
    lower-case header. The file is held to the limits of rocc.core.limits (it is read whole, so to the lower limit of
    files read in one piece) before it is parsed, and each row and cell as it is read."""
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            return _excel_rows(name, content)
        return _csv_rows(name, content)
    except limits.FileRefusal as refusal:
        raise ImportRefused(name, [CellProblem(refusal.row or 0, refusal.column or "-", refusal.located())]) from None


def _excel_rows(name: str, content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    workbook = limits.xlsx_check(content, file=name, in_request=True)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRefused(name, [CellProblem(0, "-", f"not an Excel workbook (.xlsx) that can be read ({exc.__class__.__name__})")]) from None
    sheet = book.worksheets[0]
    header: list[str] | None = None
    out = []
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            limits.rows_check(number - 1, file=name, sheet=workbook.first_sheet[0], excel=True)
            if header is None:
                limits.columns_check(len(values), file=name, sheet=workbook.first_sheet[0])
                header = [str(h or "").strip().lower() for h in values]
                for i, h in enumerate(header):
                    limits.cell_check(h, file=name, row=1, column=limits.column_letters(i + 1))
                continue
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            row = {}
            for i, v in enumerate(values):
                if i < len(header) and header[i]:
                    row[header[i]] = text = _excel_text(v)
                    limits.cell_check(text, file=name, row=number, column=header[i])
            out.append(row)
    except limits.FileRefusal:
        raise
    except Exception as exc:  # a damaged sheet part
        raise ImportRefused(
            name, [CellProblem(0, "-", f"not an Excel workbook (.xlsx) that can be read: its contents are damaged ({exc.__class__.__name__})")]
        ) from None
    finally:
        book.close()
    return out


def _csv_rows(name: str, content: bytes) -> list[dict[str, str]]:
    limits.csv_check(content, file=name, in_request=True)
    text = limits.utf8_text(content, file=name)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            return []
        limits.columns_check(len(header), file=name)
        header = [h.strip().lower() for h in header]
        out = []
        for values in reader:
            for i, value in enumerate(values):
                limits.cell_check(value, file=name, row=reader.line_num, column=header[i] if i < len(header) else limits.column_letters(i + 1))
            if not values:
                continue
            out.append({header[i]: (values[i] if i < len(values) else "").strip() for i in range(len(header)) if header[i]})
    except csv.Error as error:
        raise ImportRefused(name, [CellProblem(reader.line_num, "-", f"the CSV cannot be read ({error}); check its quotes")]) from None
    return out


def _excel_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(text: str, row: int, column: str, problems: list[CellProblem], *, whole: bool = False, required: bool = False) -> float | None:
    if text == "":
        if required:
            problems.append(CellProblem(row, column, "a number is required here"))
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        problems.append(CellProblem(row, column, f"expected a number, got {text!r}"))
        return None
    if not math.isfinite(value):
        problems.append(CellProblem(row, column, f"expected a finite number, got {text!r}"))
        return None
    if value < 0:
        problems.append(CellProblem(row, column, f"cannot be negative (got {text})"))
        return None
    if whole and not value.is_integer():
        problems.append(CellProblem(row, column, f"expected a whole number, got {text!r}"))
        return None
    return value


def _date(text: str, row: int, column: str, problems: list[CellProblem]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(CellProblem(row, column, f"expected a date as YYYY-MM-DD, got {text!r}"))
        return None


def _bool(text: str) -> bool:
    return text.strip().lower() in {"true", "yes", "y", "1", "approx", "approximate"}


class _Units:
    def __init__(self):
        self.by_key = {}
        for unit in OrgUnit.objects.all():
            self.by_key[unit.code] = unit
            self.by_key[fold(unit.name)] = unit
        for alias in UnitAlias.objects.select_related("unit"):
            self.by_key[alias.alias_folded] = alias.unit

    def get(self, text: str) -> OrgUnit | None:
        return self.by_key.get(text.strip()) or self.by_key.get(fold(text))


def file_kind(rows: list[dict[str, str]]) -> str:
    header = set(rows[0]) if rows else set()
    return "observations" if "indicator" in header else "populations"


def observations_import(*, user, name: str, content: bytes, source: str = SourceKind.IMPORT) -> ImportResult:
    """Import observations from a file with columns indicator, unit, period (2016-06, 2016-Q2, 2016, YE2016-06,
    2015/16) or period_start and period_end, numerator, and optionally denominator, value, disaggregation
    (e.g. sex=female;age_band=15-19), is_approximate and provenance."""
    rows = read_table(name, content)
    problems: list[CellProblem] = []
    if not rows:
        raise ImportRefused(name, [CellProblem(0, "-", "the file has no rows")])
    header = set(rows[0])
    for needed in ("indicator", "unit"):
        if needed not in header:
            problems.append(CellProblem(1, needed, "this column is missing"))
    if "period" not in header and not {"period_start", "period_end"} <= header:
        problems.append(CellProblem(1, "period", "give a period column, or period_start and period_end"))
    if "numerator" not in header and "value" not in header:
        problems.append(CellProblem(1, "numerator", "give a numerator or a value column"))
    if problems:
        raise ImportRefused(name, problems)
    indicators = {i.code: i for i in Indicator.objects.prefetch_related("versions")}
    units = _Units()
    batch = "import:" + hashlib.sha256(content).hexdigest()[:16]
    items: list[tuple[int, ObservationInput]] = []
    for number, row in enumerate(rows, start=2):
        before = len(problems)
        indicator = indicators.get(row.get("indicator", ""))
        if indicator is None:
            problems.append(CellProblem(number, "indicator", f"no indicator has code {row.get('indicator', '')!r}"))
        unit = units.get(row.get("unit", ""))
        if unit is None:
            problems.append(CellProblem(number, "unit", f"no organisational unit is called {row.get('unit', '')!r}"))
        elif user is not None and not user.has_perm("measures.record_observation", unit):
            problems.append(CellProblem(number, "unit", f"you may not record figures for {unit.name}"))
        start = end = None
        period_type = None
        if row.get("period"):
            try:
                period = period_parse(row["period"])
                start, end, period_type = period.start, period.end, period.period_type
            except PeriodError as exc:
                problems.append(CellProblem(number, "period", str(exc)))
        else:
            start = _date(row.get("period_start", ""), number, "period_start", problems)
            end = _date(row.get("period_end", ""), number, "period_end", problems)
        numerator = _number(row.get("numerator", ""), number, "numerator", problems)
        denominator = _number(row.get("denominator", ""), number, "denominator", problems)
        value = _number(row.get("value", ""), number, "value", problems)
        if numerator is None and value is None and len(problems) == before:
            problems.append(CellProblem(number, "numerator", "give a numerator or a value"))
        if indicator is not None and start and end:
            version = indicator.version_at(end)
            ptype = period_type or (version.period_type if version else None)
            if version is None:
                problems.append(CellProblem(number, "indicator", f"{indicator.code} has no definition"))
            else:
                if period_type is None:
                    # A start and end alone: take the indicator's own period type, or the one the dates fit.
                    for candidate in [version.period_type, "month", "quarter", "july_june", "calendar_year", "year_ended"]:
                        try:
                            period_check(candidate, start, end)
                            ptype = candidate
                            break
                        except PeriodError:
                            continue
                try:
                    period_check(ptype, start, end)
                except PeriodError as exc:
                    problems.append(CellProblem(number, "period", str(exc)))
                if version.is_rate and denominator is None and numerator is not None and version.denominator_kind == "series":
                    problems.append(CellProblem(number, "denominator", "this indicator's denominator is another series; give it"))
                if version.disaggregations is not None and row.get("disaggregation"):
                    dims = {part.split("=", 1)[0].strip() for part in row["disaggregation"].split(";") if "=" in part}
                    unknown = dims - set(version.disaggregations)
                    if unknown:
                        problems.append(CellProblem(number, "disaggregation", f"{indicator.code} is not disaggregated by {', '.join(sorted(unknown))}"))
        if len(problems) == before:
            items.append(
                (
                    number,
                    ObservationInput(
                        indicator=indicator,
                        unit=unit,
                        period_start=start,
                        period_end=end,
                        numerator=numerator,
                        denominator=denominator,
                        value=value,
                        disaggregation=row.get("disaggregation") or None,
                        is_approximate=_bool(row.get("is_approximate", "")),
                        provenance=nfc(row.get("provenance", "")) or f"imported from {Path(name).name}",
                        source_ref=batch,
                        period_type=ptype,
                    ),
                )
            )
    if problems:
        raise ImportRefused(name, problems)
    try:
        with transaction.atomic():
            observations_record_many(items=[item for _, item in items], source=source, actor=user)
    except ObservationInvalid as exc:
        raise ImportRefused(name, [CellProblem(0, "-", str(exc))]) from None
    return ImportResult(kind="observations", rows=len(items))


def populations_import(*, user, name: str, content: bytes) -> ImportResult:
    """Import populations from a file with columns unit, period_start and period_end (or year), value, and optionally
    age_band, sex, ethnicity, is_approximate and source. A row for an existing cell replaces its value."""
    _require(user, "measures.import_populations")
    rows = read_table(name, content)
    if not rows:
        raise ImportRefused(name, [CellProblem(0, "-", "the file has no rows")])
    header = set(rows[0])
    problems: list[CellProblem] = []
    for needed in ("unit", "value"):
        if needed not in header:
            problems.append(CellProblem(1, needed, "this column is missing"))
    if "year" not in header and not {"period_start", "period_end"} <= header:
        problems.append(CellProblem(1, "period_start", "give period_start and period_end, or year"))
    if problems:
        raise ImportRefused(name, problems)
    units = _Units()
    prepared = []
    seen = {}
    for number, row in enumerate(rows, start=2):
        before = len(problems)
        unit = units.get(row.get("unit", ""))
        if unit is None:
            problems.append(CellProblem(number, "unit", f"no organisational unit is called {row.get('unit', '')!r}"))
        if row.get("year"):
            try:
                year = int(row["year"])
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            except ValueError:
                problems.append(CellProblem(number, "year", f"expected a year such as 2018, got {row['year']!r}"))
                start = end = None
        else:
            start = _date(row.get("period_start", ""), number, "period_start", problems)
            end = _date(row.get("period_end", ""), number, "period_end", problems)
            if start and end and end < start:
                problems.append(CellProblem(number, "period_end", f"ends ({end}) before it starts ({start})"))
        value = _number(row.get("value", ""), number, "value", problems, whole=True, required=True)
        cell = (unit.pk if unit else None, start, end, nfc(row.get("age_band", "")), nfc(row.get("sex", "")), nfc(row.get("ethnicity", "")))
        if len(problems) == before:
            if cell in seen:
                problems.append(CellProblem(number, "unit", f"the same population cell is already on row {seen[cell]}"))
                continue
            seen[cell] = number
            prepared.append(
                (
                    unit,
                    start,
                    end,
                    cell[3],
                    cell[4],
                    cell[5],
                    int(value),
                    _bool(row.get("is_approximate", "")),
                    nfc(row.get("source", "")) or f"imported from {Path(name).name}",
                )
            )
    if problems:
        raise ImportRefused(name, problems)
    result = ImportResult(kind="populations", rows=len(prepared))
    with transaction.atomic():
        for unit, start, end, age, sex, eth, value, approx, source in prepared:
            existing = Population.objects.filter(unit=unit, period_start=start, period_end=end, age_band=age, sex=sex, ethnicity=eth).first()
            if existing is None:
                Population.objects.create(
                    unit=unit, period_start=start, period_end=end, age_band=age, sex=sex, ethnicity=eth, value=value, is_approximate=approx, source=source
                )
                result.created += 1
            elif (existing.value, existing.is_approximate, existing.source) != (value, approx, source):
                existing.value, existing.is_approximate, existing.source = value, approx, source
                existing.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def measures_file_import(*, user, name: str, content: bytes) -> ImportResult:
    """Import a file of observations (it has an ``indicator`` column) or of populations (it has not)."""
    rows = read_table(name, content)
    if rows and file_kind(rows) == "observations":
        return observations_import(user=user, name=name, content=content)
    return populations_import(user=user, name=name, content=content)
