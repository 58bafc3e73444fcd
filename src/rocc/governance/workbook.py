"""The governance report pack as an Excel workbook: the same sections as the PDF, one sheet each, figures as numbers."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from rocc.core.spreadsheets import sheet_cell
from rocc.governance.selectors import PackContents

HEADER_FILL = PatternFill("solid", fgColor="F4F6F8")
TITLE_FONT = Font(bold=True, size=13, color="0B4F6C")
SUPPRESSED = "s"
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(book: Workbook, title: str, heading: str, headers: list[str], rows: list[list], widths: list[int]) -> None:
    sheet = book.create_sheet(title)
    sheet_cell(sheet, row=1, column=1, value=heading).font = TITLE_FONT
    for column, header in enumerate(headers, start=1):
        cell = sheet_cell(sheet, row=3, column=column, value=header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for r, row in enumerate(rows, start=4):
        for column, value in enumerate(row, start=1):
            cell = sheet_cell(sheet, row=r, column=column, value=value)
            if isinstance(value, str) and (len(value) > 30 or "\n" in value):
                cell.alignment = WRAP  # only where it is needed: setting a style is most of the workbook's cost
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A4"


def _value(value, suppressed: bool):
    """A figure for a cell: the number, 's' when the gate suppressed it, empty when there is none."""
    if value is None:
        return SUPPRESSED if suppressed else None
    return value


def _milestones(items) -> str:
    return "\n".join(f"{title} ({date:%Y-%m-%d})" for title, date in items)


def pack_workbook(contents: PackContents, *, generated_at: dt.datetime) -> bytes:
    book = Workbook()
    about = book.active
    about.title = "About"
    facts = [
        ("Governance report pack", contents.title),
        ("Unit", contents.unit_name),
        ("Period", contents.period.label),
        ("Period start", contents.period.start),
        ("Period end", contents.period.end),
        ("Audience", contents.audience_label),
        ("Prepared by", contents.prepared_by),
        ("Generated (UTC)", generated_at.replace(tzinfo=None)),
        ("Disclosure", contents.disclosure_note),
    ]
    for r, (label, value) in enumerate(facts, start=1):
        sheet_cell(about, row=r, column=1, value=label).font = Font(bold=True)
        cell = sheet_cell(about, row=r, column=2, value=value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 22, 100

    _sheet(
        book,
        "Action plan",
        "Action plan: status and progress in the period",
        [
            "Plan",
            "Activity",
            "Title",
            "Strategic Focus Area",
            "Priority Action Area",
            "Agency Lead",
            "Status",
            "Latest update",
            "Latest narrative",
            "Milestones due",
            "Milestones done",
            "Milestones overdue",
            "Evidence links",
        ],
        [
            [
                a.plan,
                a.number,
                a.title,
                a.focus_area,
                a.priority_action_area,
                a.lead,
                a.status_label,
                a.latest_update_date,
                a.latest_narrative,
                _milestones(a.milestones_due),
                _milestones(a.milestones_done),
                _milestones(a.milestones_overdue),
                "\n".join(a.evidence_links),
            ]
            for a in contents.activities
        ],
        [28, 9, 36, 14, 30, 18, 14, 13, 60, 32, 32, 32, 40],
    )
    cells = [(row, cell) for row in contents.scorecard.get("rows", []) for cell in row["cells"] if cell]
    _sheet(
        book,
        "Scorecard",
        "Scorecard: each indicator's latest figure and status",
        ["Indicator code", "Indicator", "Unit", "Latest period", "Value", "Unit of measure", "Status", "Explanation"],
        [
            [
                row["indicator"],
                row["name"],
                cell["unit_name"],
                cell.get("period_label"),
                _value(cell.get("value"), cell.get("suppressed", False)),
                cell.get("unit_label"),
                cell["status_label"],
                cell.get("explanation"),
            ]
            for row, cell in cells
        ],
        [24, 40, 20, 20, 12, 24, 14, 60],
    )
    _sheet(
        book,
        "Off-track curves",
        "Off-track indicators: every point of each curve",
        ["Indicator", "Unit", "Period", "Count", "Value", "Glide path", "Target"],
        [
            [
                curve["name"],
                curve["unit_name"],
                point["label"],
                _value(point["numerator"], point["suppressed"]),
                _value(point["value"], point["suppressed"]),
                point["glide"],
                (curve.get("target") or {}).get("value"),
            ]
            for curve in contents.curves
            for point in curve["points"]
        ],
        [40, 20, 20, 12, 12, 12, 12],
    )
    _sheet(
        book,
        "Turn the curve",
        "Turn-the-curve stories",
        ["Indicator", "Unit", "The story behind the curve", "Partners", "What works", "Action plan"],
        [[s["name"], s["unit_name"], s["story_behind_curve"], s["partners"], s["what_works"], s["action_plan"]] for s in contents.stories],
        [36, 20, 60, 40, 40, 40],
    )
    _sheet(
        book,
        "Barriers",
        "Barrier register with the centre's answers",
        ["Barrier", "Region", "Severity", "Status", "Framework barrier", "Description", "Raised", "Escalated", "The centre's answer", "Answered"],
        [
            [
                b["title"],
                b["unit_name"],
                b["severity"],
                b["status"],
                b["framework_barrier"],
                b["description"],
                b["raised_on"],
                b["escalated_on"],
                b["response"],
                b["responded_on"],
            ]
            for b in contents.barriers
        ],
        [36, 20, 12, 22, 36, 50, 12, 12, 60, 12],
    )
    _sheet(
        book,
        "Stocktake gaps",
        f"Initiative stocktake on {contents.gaps_as_at:%Y-%m-%d}: initiatives running by focus area and unit (0 is a gap)"
        if contents.gaps_as_at
        else "Initiative stocktake",
        ["Strategic focus area", "Unit", "Initiatives running", "Gap"],
        [[g["focus_area"], g["unit_name"], g["initiatives"], "Gap" if not g["initiatives"] else ""] for g in contents.gap_counts],
        [24, 24, 18, 8],
    )
    _sheet(
        book,
        "District plans",
        "District plans' status",
        ["Plan", "District", "Version in force", "Its status", "Agreed", "Working version", "Its status"],
        [
            [p["title"], p["unit_name"], p["in_force_version"], p["in_force_status"], p["agreed_on"], p["working_version"], p["working_status"]]
            for p in contents.district_plans
        ],
        [40, 20, 14, 16, 12, 14, 16],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
