"""CSV and Excel files of a series or a scorecard, written from payloads that have already passed disclosure control."""

from __future__ import annotations

import io

from rocc.core.spreadsheets import csv_writer, sheet_append

SERIES_COLUMNS = [
    "indicator",
    "unit",
    "period",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "baseline",
    "target",
    "glide",
    "status",
    "is_approximate",
    "source",
    "version",
    "note",
]
SCORECARD_COLUMNS = [
    "indicator",
    "name",
    "unit",
    "unit_name",
    "period",
    "numerator",
    "denominator",
    "value",
    "interval_low",
    "interval_high",
    "target",
    "status",
    "trend_percent_per_year",
    "trend_p_value",
    "is_approximate",
    "unit_label",
]


def _series_rows(payload: dict) -> list[list]:
    rows = []
    for point in payload["points"]:
        rows.append(
            [
                payload["indicator"],
                payload["unit"],
                point["period"],
                point["period_start"],
                point["period_end"],
                point["numerator"],
                point["denominator"],
                point["value"],
                point["baseline"],
                point["target"],
                point["glide"],
                point["status"],
                point["is_approximate"],
                point["source"],
                point["version"],
                "suppressed" if point.get("suppressed") else point["note"],
            ]
        )
    return rows


def _scorecard_rows(scorecard: dict) -> list[list]:
    rows = []
    for row in scorecard["rows"]:
        for cell in row["cells"]:
            if cell is not None:
                rows.append([cell.get(c) for c in SCORECARD_COLUMNS])
    return rows


def _note(disclosed: bool, approximate: bool) -> list[str]:
    lines = []
    if disclosed:
        lines.append("Counts are randomly rounded to base 3 and small counts suppressed (disclosure control); rates are computed from the rounded counts.")
    if approximate:
        lines.append("Some figures use approximate populations (is_approximate = true).")
    return lines


def csv_bytes(columns: list[str], rows: list[list], notes: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    for note in notes:
        writer.writerow([f"# {note}"])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(title: str, columns: list[str], rows: list[list], notes: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet_append(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet_append(sheet, row)
    sheet.freeze_panes = "A2"
    if notes:
        about = book.create_sheet("About")
        for note in notes:
            sheet_append(about, [note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def series_file(payload: dict, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a series."""
    notes = _note(payload["disclosure_applied"], payload["is_approximate"])
    notes.insert(
        0,
        f"{payload['name']} ({payload['definition']['unit_label']}), {payload['unit_name']}, "
        f"{'as reported at the time' if payload['as_reported'] else 'under the current definition'}.",
    )
    name = f"{payload['indicator']}-{payload['unit']}-{payload['period_type']}"
    if fmt == "xlsx":
        return (
            xlsx_bytes(payload["indicator"], SERIES_COLUMNS, _series_rows(payload), notes),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    return csv_bytes(SERIES_COLUMNS, _series_rows(payload), notes), "text/csv; charset=utf-8", f"{name}.csv"


def scorecard_file(scorecard: dict, fmt: str, *, name: str = "scorecard") -> tuple[bytes, str, str]:
    disclosed = any(c and c["disclosure_applied"] for r in scorecard["rows"] for c in r["cells"])
    approximate = any(c and c["is_approximate"] for r in scorecard["rows"] for c in r["cells"])
    notes = _note(disclosed, approximate)
    if fmt == "xlsx":
        return (
            xlsx_bytes("Scorecard", SCORECARD_COLUMNS, _scorecard_rows(scorecard), notes),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    return csv_bytes(SCORECARD_COLUMNS, _scorecard_rows(scorecard), notes), "text/csv; charset=utf-8", f"{name}.csv"
