"""Excel workbooks: an action plan and a co-designed plan's steps laid out as the source documents' tables, the action-plan
template, and reading a filled-in template back with every problem located by sheet and cell."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import ValidationError as SchemaError

from rocc.core import limits
from rocc.core.bounds import shown_input
from rocc.core.spreadsheets import sheet_cell, unquote_cell
from rocc.strategy.files import ActionPlanFile, FrameworkFile, _meaning_problems
from rocc.strategy.models import ActivityStatus, FocusAreaKind, Framework
from rocc.strategy.selectors.frameworks import activity_progress_of
from rocc.strategy.selectors.plans import chain_rows

ACTIVITY_HEADERS = ["Strategic Focus Area", "Priority Action Area", "Activity", "Description", "Agency Lead", "Support Agencies", "Status"]
PLAN_FIELDS = [("Framework", "framework"), ("Plan code", "code"), ("Title", "title"), ("Year", "year"), ("Unit", "unit"), ("Status", "status")]
# The progress recorded against each activity, after the plan's own columns (the import reads only those).
PROGRESS_HEADERS = ["Latest update", "Latest narrative", "Milestones due", "Milestones done", "Milestones overdue", "Evidence links"]
SUB_ACTIVITY = "• "
NOTE = " — note: "
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
STATUS_BY_LABEL = {label.casefold(): value for value, label in ActivityStatus.choices} | {v: v for v in ActivityStatus.values}


def _sheet_table(sheet, headers: list[str], rows: list[list], *, first_row: int = 1, widths: list[int] | None = None) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet_cell(sheet, row=first_row, column=column, value=header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for r, row in enumerate(rows, start=first_row + 1):
        for column, value in enumerate(row, start=1):
            sheet_cell(sheet, row=r, column=column, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in enumerate(widths or [30] * len(headers), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _agencies(activity, role: str, all_agencies: bool) -> str:
    names = (["All"] if all_agencies else []) + [a.agency.short_name for a in activity.agency_links.all() if a.role == role]
    return "; ".join(names)


def _plan_sheet(book: Workbook, plan) -> None:
    sheet = book.active
    sheet.title = "Plan"
    values = {"framework": plan.framework.code, "code": plan.code, "title": plan.title, "year": plan.year, "unit": plan.scope_unit.code, "status": plan.status}
    for row, (label, name) in enumerate(PLAN_FIELDS, start=1):
        sheet_cell(sheet, row=row, column=1, value=label).font = Font(bold=True)
        sheet_cell(sheet, row=row, column=2, value=values[name])
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 16, 60


def progress_cells(progress) -> list:
    """The progress columns of one activity: the latest update's date and narrative, the milestones due, done and
    overdue (each listed by title and date), and the evidence links, one a line."""

    def listed(milestones, date_of) -> str:
        return "\n".join(f"{m.title} ({date_of(m):%Y-%m-%d})" for m in milestones)

    update = progress.latest_update
    return [
        update.date if update else None,
        update.narrative if update else "",
        listed(progress.milestones_due, lambda m: m.due_date),
        listed(progress.milestones_done, lambda m: m.done_date),
        listed(progress.milestones_overdue, lambda m: m.due_date),
        "\n".join(progress.evidence_links),
    ]


def action_plan_workbook(plan, activities) -> bytes:
    """The action plan as the Year Two plan's table (plus status and the progress recorded: latest update, milestones
    due, done and overdue as at today, evidence links), with a Plan sheet that lets it be imported back."""
    book = Workbook()
    _plan_sheet(book, plan)
    activities = list(activities)
    progress = activity_progress_of(activities)
    rows, last_focus, last_area = [], None, None
    for a in activities:
        focus = a.priority_action_area.focus_area
        description = a.description
        subs = [SUB_ACTIVITY + s.title + (NOTE + s.note if s.note else "") for s in a.sub_activities.all()]
        if subs:
            description = "\n".join(filter(None, [description, *subs]))
        rows.append(
            [
                f"{focus.kind}: {focus.statement}" if focus.pk != last_focus else None,
                a.priority_action_area.title if (focus.pk, a.priority_action_area.pk) != last_area else None,
                f"{a.number}. {a.title}".rstrip() if a.title else f"{a.number}.",
                description,
                _agencies(a, "lead", a.all_agencies_lead),
                _agencies(a, "support", a.all_agencies_support),
                a.get_status_display(),
                *progress_cells(progress[a.pk]),
            ]
        )
        last_focus, last_area = focus.pk, (focus.pk, a.priority_action_area.pk)
    sheet = book.create_sheet("Activities")
    _sheet_table(sheet, ACTIVITY_HEADERS + PROGRESS_HEADERS, rows, widths=[34, 34, 30, 70, 22, 26, 18, 14, 60, 36, 36, 36, 50])
    for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].number_format = "yyyy-mm-dd"
    return _bytes(book)


def action_plan_template() -> bytes:
    """An empty action plan to fill in, with instructions; rocc reads it back with `action_plan_workbook_check`."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    examples = {"framework": "rocc", "code": "rocc-year-3", "title": "Year Three ROCC Action Plan", "year": 3, "unit": "nz", "status": "draft"}
    for row, (label, name) in enumerate(PLAN_FIELDS, start=1):
        sheet_cell(sheet, row=row, column=1, value=label).font = Font(bold=True)
        sheet_cell(sheet, row=row, column=2, value=examples[name])
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 16, 60
    _sheet_table(
        book.create_sheet("Activities"),
        ACTIVITY_HEADERS,
        [
            [
                "SUPPLY: Target organised crime and supply of illicit drugs through investigations and law enforcement",
                "Enforcement activity to reduce the harm caused by organised crime in communities",
                "1. Operation Cobalt",
                "What the activity does.\n• A sub-activity\n• Another sub-activity — note: a footnote",
                "Police",
                "MSD; Kāinga Ora",
                "Not started",
            ]
        ],
        widths=[34, 34, 30, 70, 22, 26, 18],
    )
    help_sheet = book.create_sheet("How to fill in")
    lines = [
        "Plan sheet: the framework's code, a code for the plan (letters, digits, hyphens), its title, the programme year, the code of the unit whose plan it is (nz for national) and its status (draft, active or closed).",
        "Activities sheet: one row per activity, in the plan's order, under the header row.",
        f"Strategic Focus Area: one of {', '.join(FocusAreaKind.values)}, a colon, then its statement. Leave it empty to keep the one above.",
        "Priority Action Area: its title. Leave it empty to keep the one above (within the same focus area).",
        "Activity: its number, a full stop, then its title, e.g. '1. Operation Cobalt' (a number alone while the description is yet to be finalised).",
        f"Description: text; lines starting with '{SUB_ACTIVITY.strip()} ' are sub-activities, and '{NOTE.strip()}' adds a footnote to one.",
        "Agency Lead, Support Agencies: agencies by short name, name or alias, separated by semicolons; All means every partner agency.",
        "Status: Not started, On track, At risk, Off track, Complete or Description yet to be finalised (empty: Not started).",
        "Any problem refuses the whole workbook and names the sheet and cell; nothing is imported until every problem is fixed.",
    ]
    for row, line in enumerate(lines, start=1):
        sheet_cell(help_sheet, row=row, column=1, value=line).alignment = Alignment(wrap_text=True)
    help_sheet.column_dimensions["A"].width = 120
    return _bytes(book)


def monitoring_workbook(plan, version) -> bytes:
    """A co-designed plan's version: focus areas, conditions, priority actions (Activity, Output, Outcome, Impact) and
    the monitoring framework (Outcome, Indicator, Baseline, Data source, Responsibility), as the framework lays them out."""

    book = Workbook()
    marker = "EXAMPLE — " if plan.is_example else ""
    heading = f"{marker}{plan.title}, version {version.number} ({version.get_status_display().lower()})"

    def sheet_with_heading(title: str, headers, rows, widths):
        sheet = book.create_sheet(title)
        sheet_cell(sheet, row=1, column=1, value=heading).font = Font(bold=True, size=13)
        _sheet_table(sheet, headers, rows, first_row=3, widths=widths)

    sheet_with_heading(
        "Monitoring framework",
        ["Outcome", "Indicator", "Indicator code", "Baseline", "Data source", "Responsibility"],
        [
            [
                r.outcome.text,
                r.indicator_name,
                r.indicator_code,
                r.baseline,
                r.data_source,
                "; ".join(filter(None, [r.responsible_agency.short_name if r.responsible_agency else "", r.responsibility])),
            ]
            for r in version.monitoring.select_related("outcome", "responsible_agency")
        ],
        [40, 40, 26, 30, 24, 28],
    )
    sheet_with_heading(
        "Priority actions",
        ["Activity", "Output", "Outcome", "Impact"],
        [[row[k].text if row[k] else "" for k in ("activity", "output", "outcome", "impact")] for row in chain_rows(version)],
        [36, 36, 36, 36],
    )
    sheet_with_heading("Focus areas", ["Focus areas: the issues for the community"], [[p.text] for p in version.focus_areas.all()], [100])
    sheet_with_heading("Conditions for success", ["Conditions for success"], [[p.text] for p in version.conditions.all()], [100])
    del book["Sheet"]
    return _bytes(book)


# --- Reading a filled-in action-plan template --------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    source: str
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"sheet '{self.sheet}', cell {self.cell}" if self.cell else f"sheet '{self.sheet}'"
        return f"{self.source}: {where}: {self.message}"


class WorkbookInvalid(Exception):
    def __init__(self, problems: list[CellProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote_cell(str(value)).strip()


def action_plan_workbook_check(data: bytes, *, source: str):
    """(framework code, ActionPlanFile) from a filled-in template, or every problem located by sheet and cell."""

    try:
        limits.xlsx_check(data, file=source, in_request=True)
    except limits.FileRefusal as refusal:
        raise WorkbookInvalid([CellProblem(source, refusal.sheet or "", "", refusal.message)]) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise WorkbookInvalid([CellProblem(source, "", "", f"not an Excel workbook (.xlsx): its contents are damaged ({type(error).__name__})")]) from None
    missing = [name for name in ("Plan", "Activities") if name not in book.sheetnames]
    if missing:
        raise WorkbookInvalid([CellProblem(source, name, "", "the sheet is missing (start from the template)") for name in missing])
    problems: list[CellProblem] = []
    cells: dict[tuple, tuple[str, str]] = {}

    plan_values = {}
    labels = {label.casefold(): name for label, name in PLAN_FIELDS}
    for row in book["Plan"].iter_rows(min_row=1, max_col=2):
        label = _text(row[0].value).casefold()
        if label in labels:
            plan_values[labels[label]] = row[1].value
            cells[(labels[label],)] = ("Plan", f"B{row[0].row}")
    for label, name in PLAN_FIELDS:
        if name not in plan_values:
            problems.append(CellProblem(source, "Plan", "", f"no row labelled '{label}' in column A"))
    framework_code = _text(plan_values.get("framework"))
    if "framework" in plan_values and not Framework.objects.filter(code=framework_code).exists():
        problems.append(CellProblem(source, "Plan", cells[("framework",)][1], f"no framework has the code '{framework_code}'"))

    sheet = book["Activities"]
    header = [_text(c.value) for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    for index, expected in enumerate(ACTIVITY_HEADERS[:6]):
        found = header[index] if index < len(header) else ""
        if found.casefold() != expected.casefold():
            problems.append(CellProblem(source, "Activities", f"{get_column_letter(index + 1)}1", f"expected the heading '{expected}' (got {found!r})"))
    if problems:
        raise WorkbookInvalid(problems)

    focus_areas: dict[str, dict] = {}
    focus, area = None, None
    for row in sheet.iter_rows(min_row=2, max_col=7):
        values = [_text(c.value) for c in row] + [""] * (7 - len(row))
        if not any(values):
            continue
        r = row[0].row
        if values[0]:
            kind, colon, statement = values[0].partition(":")
            kind = kind.strip().upper()
            if not colon or kind not in FocusAreaKind.values or not statement.strip():
                problems.append(
                    CellProblem(source, "Activities", f"A{r}", f"expected a focus area like 'SUPPLY: its statement' (one of {', '.join(FocusAreaKind.values)})")
                )
                continue
            if kind not in focus_areas:
                focus_areas[kind] = {"kind": kind, "statement": statement.strip(), "activities": [], "_row": r}
            focus, area = focus_areas[kind], None
        if focus is None:
            problems.append(CellProblem(source, "Activities", f"A{r}", "the first activity needs its strategic focus area"))
            continue
        area = values[1] or area
        if not area:
            problems.append(CellProblem(source, "Activities", f"B{r}", "the first activity of a focus area needs its priority action area"))
            continue
        match = re.fullmatch(r"(\d+)\.?\s*(.*)", values[2], flags=re.S)
        if not match:
            problems.append(
                CellProblem(source, "Activities", f"C{r}", f"expected the activity's number and title, like '1. Operation Cobalt' (got {values[2]!r})")
            )
            continue
        status = STATUS_BY_LABEL.get(values[6].casefold(), None) if values[6] else "not_started"
        if status is None:
            problems.append(
                CellProblem(
                    source, "Activities", f"G{r}", f"unknown status {values[6]!r}; use one of: {', '.join(label for _, label in ActivityStatus.choices)}"
                )
            )
            continue
        lines = values[3].splitlines()
        subs = []
        for line in (text for text in lines if text.startswith(SUB_ACTIVITY.strip())):
            title, _, note = line.removeprefix(SUB_ACTIVITY.strip()).strip().partition(NOTE.strip())
            subs.append({"title": title.strip(), "note": note.strip()})
        description = "\n".join(text for text in lines if not text.startswith(SUB_ACTIVITY.strip())).strip()
        a = len(focus["activities"])
        f = list(focus_areas).index(focus["kind"])
        base = ("action_plans", 0, "focus_areas", f, "activities", a)
        for field, column in (
            ("number", "C"),
            ("title", "C"),
            ("priority_action_area", "B"),
            ("description", "D"),
            ("sub_activities", "D"),
            ("lead", "E"),
            ("support", "F"),
            ("status", "G"),
        ):
            cells[base + (field,)] = ("Activities", f"{column}{r}")
        focus["activities"].append(
            {
                "number": int(match.group(1)),
                "priority_action_area": area,
                "title": match.group(2).strip(),
                "description": description,
                "status": status,
                "sub_activities": subs,
                "lead": [n.strip() for n in values[4].split(";") if n.strip()],
                "support": [n.strip() for n in values[5].split(";") if n.strip()],
            }
        )
    for f, focus_row in enumerate(focus_areas.values()):
        cells[("action_plans", 0, "focus_areas", f)] = ("Activities", f"A{focus_row.pop('_row')}")
    if problems:
        raise WorkbookInvalid(problems)

    plan_data = {name: plan_values.get(name) for _, name in PLAN_FIELDS if name != "framework"}
    plan_data = {k: (_text(v) if k != "year" else v) for k, v in plan_data.items()}
    if isinstance(plan_data.get("year"), float) and plan_data["year"].is_integer():
        plan_data["year"] = int(plan_data["year"])
    plan_data["focus_areas"] = list(focus_areas.values())

    def locate(path: tuple) -> tuple[str, str]:
        path = tuple(path)
        if path[:1] != ("action_plans",):
            path = ("action_plans", 0) + path
        while path and path not in cells and path[2:] not in cells:
            path = path[:-1]
        return cells.get(path) or cells.get(path[2:]) or ("Activities", "")

    try:
        plan = ActionPlanFile.model_validate(plan_data)
    except SchemaError as error:
        found = []
        for e in error.errors():
            sheet_name, cell = locate(e["loc"])
            found.append(CellProblem(source, sheet_name, cell, f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].lower()} (got {shown_input(e['input'])})"))
        raise WorkbookInvalid(found) from None
    framework = FrameworkFile.model_construct(objectives=[], action_plans=[plan])
    found = [CellProblem(source, *locate(path), message) for path, message in _meaning_problems(framework)]
    if found:
        raise WorkbookInvalid(found)
    return framework_code, plan
