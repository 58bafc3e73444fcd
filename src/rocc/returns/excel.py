"""The Excel template of a data set: written stamped with the data set's code and template version, read back cell by cell.

The stamp lives on a very hidden sheet (Excel's menus cannot unhide it) and the return sheet is protected with only
the cells a provider fills left unlocked, so a template from another data set or an older version of this one is
recognised on upload and refused with a message that says which template to use instead.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from rocc.core import limits
from rocc.core.spreadsheets import safe_cell, unquote_cell

SHEET = "Return"
STAMP_SHEET = "rocc"
PROVIDER_CELL = "C4"
UNIT_CELL = "C5"
PERIOD_CELL = "C6"
HEADER_ROW = 8
FIRST_VALUE_ROW = 9
CODE_COLUMN, NAME_COLUMN, VALUE_COLUMN, GUIDANCE_COLUMN = "A", "B", "C", "D"
STAMP_KIND = "rocc provider return template"
TEMPLATE_MOST_BYTES = 4 * 1024 * 1024  # a filled template inflates to tens of kilobytes; this leaves room for thousands of figures

_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: the cells to fill
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class TemplateRow:
    code: str
    question: str
    guidance: str = ""
    value: int | None = None


@dataclass(frozen=True)
class CellProblem:
    """A problem with one cell of an uploaded file (or one field of the web form, when ``cell`` is empty)."""

    message: str
    cell: str = ""
    sheet: str = SHEET
    code: str = ""  # the indicator code, when the problem is about one figure

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.cell else self.message

    def to_dict(self) -> dict:
        return {"sheet": self.sheet if self.cell else "", "cell": self.cell, "indicator": self.code, "message": self.message}


@dataclass(frozen=True)
class FilledTemplate:
    """What an uploaded template says: its stamp, the provider, unit and period cells, and each figure's raw cell value."""

    data_set_code: str
    template_version: int | None
    provider: object
    unit: object
    period: object
    figures: dict[str, tuple[str, object]]  # indicator code → (cell reference, raw value)


class TemplateUnreadable(ValueError):
    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def template_write(
    *,
    data_set_code: str,
    data_set_name: str,
    template_version: int,
    period_hint: str,
    rows: list[TemplateRow],
    provider: str = "",
    unit: str = "",
    period: str = "",
) -> bytes:
    """An .xlsx template for one data set; provider, unit and period are filled in when known (and then locked)."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet["A1"] = safe_cell(data_set_name)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        "Fill the yellow cells: whole numbers, 0 when there were none. Leave the other cells as they are, then upload this file on the data set's page in rocc."
    )
    sheet["A2"].alignment = Alignment(wrap_text=True)
    sheet.merge_cells("A2:D2")
    sheet.row_dimensions[2].height = 32
    for cell, label, value, hint in (
        (PROVIDER_CELL, "Provider", provider, "The agency reporting"),
        (UNIT_CELL, "Reporting unit", unit, "The district or area reported for"),
        (PERIOD_CELL, "Period", period, period_hint),
    ):
        row = int(cell[1:])
        sheet[f"A{row}"] = safe_cell(label)
        sheet[f"A{row}"].font = _BOLD
        sheet[cell] = safe_cell(value) or None
        sheet[cell].number_format = "@"  # text, so Excel does not turn 2025-03 into a date
        sheet[f"{GUIDANCE_COLUMN}{row}"] = safe_cell(hint)
        if not value:
            sheet[cell].fill = _FILL
            sheet[cell].protection = Protection(locked=False)
    for column, heading in zip((CODE_COLUMN, NAME_COLUMN, VALUE_COLUMN, GUIDANCE_COLUMN), ("Code", "Figure", "Value", "What to count")):
        sheet[f"{column}{HEADER_ROW}"] = safe_cell(heading)
        sheet[f"{column}{HEADER_ROW}"].font = _BOLD
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="A whole number",
        error="Enter a whole number, 0 or more.",
    )
    sheet.add_data_validation(whole)
    for index, item in enumerate(rows):
        row = FIRST_VALUE_ROW + index
        sheet[f"{CODE_COLUMN}{row}"] = safe_cell(item.code)
        sheet[f"{NAME_COLUMN}{row}"] = safe_cell(item.question)
        sheet[f"{GUIDANCE_COLUMN}{row}"] = safe_cell(item.guidance)
        value_cell = sheet[f"{VALUE_COLUMN}{row}"]
        value_cell.value = safe_cell(item.value)
        value_cell.fill = _FILL
        value_cell.protection = Protection(locked=False)
        whole.add(value_cell)
    for column, width in zip("ABCD", (18, 48, 14, 52)):
        sheet.column_dimensions[column].width = width
    sheet.protection.sheet = True  # no password: protection guards against slips, not against the provider

    stamp = book.create_sheet(STAMP_SHEET)
    for row, (key, value) in enumerate(
        (
            ("kind", STAMP_KIND),
            ("data_set", data_set_code),
            ("template_version", template_version),
            ("written_at", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ),
        start=1,
    ):
        stamp[f"A{row}"], stamp[f"B{row}"] = safe_cell(key), safe_cell(value)
    stamp.protection.sheet = True
    stamp.sheet_state = "veryHidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_read(data: bytes, *, file_name: str = "the file", in_request: bool = True) -> FilledTemplate:
    """Read a filled template. Raises TemplateUnreadable when the file is not an Excel workbook or not a rocc
    template at all; what the cells say is checked against the data set by the caller. A file past the limits
    (rocc.core.limits; a template is never more than a few megabytes) is refused before it is opened, whether it is
    read while a request waits (``in_request``) or by the background worker."""
    not_a_workbook = TemplateUnreadable(
        [CellProblem(f"{file_name} is not an Excel workbook (.xlsx). Download the data set's template, fill it and upload it as it is.", sheet="")]
    )
    try:
        limits.xlsx_check(data, file=file_name, in_request=in_request, most=TEMPLATE_MOST_BYTES)
    except limits.FileRefusal as refusal:
        if refusal.setting is None and refusal.message.startswith("not "):
            raise not_a_workbook from None
        raise TemplateUnreadable([CellProblem(f"{file_name}: {refusal.located()}", sheet="")]) from None
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise not_a_workbook from None
    except Exception:  # zlib.error and others for a damaged part
        raise not_a_workbook from None
    if STAMP_SHEET not in book.sheetnames or SHEET not in book.sheetnames:
        raise TemplateUnreadable(
            [
                CellProblem(
                    f"{file_name} is not a rocc return template (it has no '{SHEET}' sheet with rocc's stamp). Download the data set's template and fill that.",
                    sheet="",
                )
            ]
        )
    stamp = {str(r[0].value): unquote_cell(r[1].value) for r in book[STAMP_SHEET].iter_rows(min_row=1, max_col=2) if r[0].value}
    if stamp.get("kind") != STAMP_KIND or not stamp.get("data_set"):
        raise TemplateUnreadable(
            [
                CellProblem(
                    f"{file_name} is not a rocc return template (its stamp is missing or changed). Download the data set's template and fill that.", sheet=""
                )
            ]
        )
    try:
        version = int(stamp.get("template_version"))
    except (TypeError, ValueError):
        version = None
    sheet = book[SHEET]
    figures: dict[str, tuple[str, object]] = {}
    row = FIRST_VALUE_ROW
    while True:
        code = unquote_cell(sheet[f"{CODE_COLUMN}{row}"].value)
        if code is None or str(code).strip() == "":
            break
        figures[str(code).strip()] = (f"{VALUE_COLUMN}{row}", sheet[f"{VALUE_COLUMN}{row}"].value)
        row += 1
    _cells_check(sheet, figures, file_name)
    return FilledTemplate(
        data_set_code=str(stamp["data_set"]),
        template_version=version,
        provider=unquote_cell(sheet[PROVIDER_CELL].value),
        unit=unquote_cell(sheet[UNIT_CELL].value),
        period=unquote_cell(sheet[PERIOD_CELL].value),
        figures=figures,
    )


def _cells_check(sheet, figures: dict[str, tuple[str, object]], file_name: str) -> None:
    """Refuse a template whose provider, unit, period or figure cells hold more text than a cell may (the limit of
    rocc.core.limits), naming the cell."""
    cells = [PROVIDER_CELL, UNIT_CELL, PERIOD_CELL, *(f"{CODE_COLUMN}{cell[1:]}" for cell, _ in figures.values()), *(cell for cell, _ in figures.values())]
    for cell in cells:
        try:
            limits.cell_check(sheet[cell].value, file=file_name, row=None, column=None)
        except limits.FileRefusal as refusal:
            raise TemplateUnreadable([CellProblem(refusal.message, cell=cell)]) from None
