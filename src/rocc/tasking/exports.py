"""Excel workbooks of the reports a user may see and of a meeting's agenda and minutes (records, not counts, so no
disclosure control applies; person targets never appear)."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from rocc.core.spreadsheets import sheet_append
from rocc.tasking.selectors.meetings import meeting_agenda
from rocc.tasking.selectors.reports import report_list
from rocc.tasking.selectors.risk import current_report_scores


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet_append(sheet, row)
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [len(str(r[index - 1] or "")) for r in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return sheet


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def reports_workbook(*, user) -> bytes:
    """The reports the user may see, one row each with the latest routing decision and current score, and a
    second sheet with every routing decision."""
    reports = list(report_list(user=user).prefetch_related("products", "routing_decisions__to_forum", "routing_decisions__decided_by"))
    scores = current_report_scores(reports)
    book = Workbook()
    rows = []
    for r in reports:
        last = list(r.routing_decisions.all())[-1] if r.routing_decisions.all() else None
        score = scores.get(r.pk)
        rows.append(
            [
                r.reference,
                r.title,
                r.get_status_display(),
                _local(r.compiled_at),
                r.compiled_by.get_username(),
                ", ".join(p.reference for p in r.products.all()),
                last.get_direction_display() if last else "",
                str(last.to_forum) if last else "",
                last.rationale if last else "",
                last.decided_by.get_username() if last else "",
                _local(last.decided_at) if last else "",
                float(score.score) if score else None,
                f"v{score.methodology.version}" if score else "",
            ]
        )
    _sheet(
        book,
        "Insights reports",
        [
            "Reference",
            "Title",
            "Status",
            "Compiled",
            "Compiled by",
            "Products",
            "Direction",
            "Routed to",
            "Rationale",
            "Decided by",
            "Decided at",
            "Risk score",
            "Methodology",
        ],
        rows,
        first=True,
    )
    decisions = [
        [r.reference, d.get_direction_display(), str(d.from_forum or "OCCC"), str(d.to_forum), d.rationale, d.decided_by.get_username(), _local(d.decided_at)]
        for r in reports
        for d in r.routing_decisions.all()
    ]
    _sheet(book, "Routing decisions", ["Report", "Direction", "From", "To", "Rationale", "Decided by", "Decided at"], decisions)
    return _save(book)


def agenda_workbook(*, user, meeting) -> bytes:
    """A meeting's agenda (each part a sheet) and its minutes."""
    agenda = meeting_agenda(user=user, meeting=meeting)
    book = Workbook()
    _sheet(
        book,
        "New reports",
        ["Reference", "Title", "Summary", "Compiled"],
        [[r.reference, r.title, r.summary, _local(r.compiled_at)] for r in agenda.new_reports],
        first=True,
    )
    _sheet(
        book,
        "Top risks",
        ["Rank", "Kind", "Record", "Score", "Methodology"],
        [
            [item.rank, item.kind, str(item.subject), float(item.score.score), f"{item.score.methodology.code} v{item.score.methodology.version}"]
            for item in agenda.top_risks
        ],
    )
    _sheet(
        book,
        "Overdue taskings",
        ["Reference", "Title", "Tasked to", "Owner", "Due", "Status"],
        [[t.reference, t.title, str(t.tasked_to), t.owner.get_username(), t.due_date.isoformat(), t.get_status_display()] for t in agenda.overdue_taskings],
    )
    _sheet(
        book,
        "Deconfliction alerts",
        ["Alert", "Match", "Owners", "Acknowledged by", "Raised"],
        [
            [
                a.pk,
                a.get_basis_display(),
                f"{a.owner_a.get_username()}, {a.owner_b.get_username()}",
                ", ".join(u.get_username() for u, at in ((a.owner_a, a.acknowledged_a_at), (a.owner_b, a.acknowledged_b_at)) if at),
                _local(a.created_at),
            ]
            for a in agenda.alerts
        ],
    )
    _sheet(
        book,
        "Minutes",
        ["Recorded", "Decision", "Linked to", "Recorded by"],
        [
            [_local(m.recorded_at), m.decision, str(m.decided or ""), m.recorded_by.get_username()]
            for m in meeting.minutes.select_related("recorded_by", "report", "tasking", "product", "alert", "case")
        ],
    )
    return _save(book)
