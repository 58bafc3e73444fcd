"""Every CSV and Excel cell rocc writes goes through here, so no text a user typed runs as a formula when the file
is opened in a spreadsheet.

A text cell that starts with = + - @, a tab or a carriage return is what Excel, LibreOffice and Google Sheets would
run as a formula (or a DDE command); such text is written with a single quote in front, as OWASP's guidance on CSV
injection advises. Numbers are written as numbers, and text that is a plain number (``-12.5``) stays as it is, so a
negative figure is still a figure.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is loaded by the writers that make a workbook, on first use
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a spreadsheet cell: formula-like text quoted, everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquote_cell(value: Any) -> Any:
    """Text read back from a file rocc wrote, without the quote :func:`safe_cell` put in front (so a round trip
    through an exported workbook keeps the text as the user typed it)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class SafeCsvWriter:
    """``csv.writer`` with every cell passed through :func:`safe_cell`."""

    def __init__(self, stream: IO[str], **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` with every value passed through :func:`safe_cell` (the header row too)."""

    def __init__(self, stream: IO[str], fieldnames: Sequence[str], **options: Any):
        self._writer = csv.DictWriter(stream, fieldnames=fieldnames, **options)
        self.fieldnames = fieldnames

    def writeheader(self) -> Any:
        return self._writer.writerow({name: safe_cell(name) for name in self.fieldnames})

    def writerow(self, row: dict[str, Any]) -> Any:
        return self._writer.writerow({key: safe_cell(value) for key, value in row.items()})

    def writerows(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **options: Any) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **options)


def csv_dict_writer(stream: IO[str], fieldnames: Sequence[str], **options: Any) -> SafeDictWriter:
    return SafeDictWriter(stream, fieldnames, **options)


def sheet_cell(sheet: Worksheet, *, row: int, column: int, value: Any) -> Cell:
    """Write one cell of a worksheet (text kept as text, never a formula) and return it for styling."""
    cell = sheet.cell(row=row, column=column)
    cell.value = safe_cell(value)
    return cell


def sheet_append(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row to a worksheet, every cell through :func:`safe_cell`."""
    sheet.append(safe_row(values))


def sheet_formula(sheet: Worksheet, *, row: int, column: int, formula: str) -> Cell:
    """A formula rocc itself writes (a template's total), never text from a user: the one way to put one in a sheet."""
    if not formula.startswith("="):
        raise ValueError(f"a formula starts with '=': {formula!r}")
    cell = sheet.cell(row=row, column=column)
    cell.value = formula
    return cell
