"""A case and the board as Excel workbooks and as the sections of the printable page, and the figures by
community that answer the question on disproportionate impact."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from rocc.measures.selectors import disclosure_for
from rocc.problems.models import STAGE_ORDER, Case, Stage
from rocc.problems.selectors import Board, case_flags, case_questions

SHARE_SHIFT_POINTS = 5.0  # a community's share of a measure moving this many points is flagged for a look


@dataclass(frozen=True)
class CommunityRow:
    community: str
    measure: str
    before: float | None  # None: suppressed by disclosure control
    after: float | None
    change_percent: float | None
    share_before: float | None
    share_after: float | None
    population: int | None
    rate_before: float | None
    rate_after: float | None
    flagged: bool
    disclosure_applied: bool = False


def community_rows(case: Case, *, user) -> list[CommunityRow]:
    """Each community's figures with its share of the measure's total before and after, and rates per 10,000
    where its population is known; a share that rose by five points or more is flagged. The counts pass the
    measures capability's disclosure gate for the user in the case's unit; each measure's total is protected as a
    cell of its own, and shares, changes and rates are computed from the protected counts only."""
    gate = disclosure_for(user=user, unit=case.scope_unit)
    figures = list(case.community_figures.all())
    totals: dict[str, tuple[float, float]] = {}
    for f in figures:
        b, a = totals.get(f.measure, (0.0, 0.0))
        totals[f.measure] = (b + f.before, a + f.after)

    def cell(name: str) -> str:
        return f"problems.case:{case.pk}|{name}"

    shown_totals = {m: (gate.count(b, cell(f"{m}|total|before")), gate.count(a, cell(f"{m}|total|after"))) for m, (b, a) in totals.items()}
    rows = []
    for f in figures:
        before = gate.count(f.before, cell(f"{f.measure}|{f.community}|before"))
        after = gate.count(f.after, cell(f"{f.measure}|{f.community}|after"))
        total_before, total_after = shown_totals[f.measure]
        share_before = before / total_before * 100 if before is not None and total_before else None
        share_after = after / total_after * 100 if after is not None and total_after else None
        rows.append(CommunityRow(
            community=f.community, measure=f.measure, before=before, after=after,
            change_percent=(after - before) / before * 100 if before and after is not None else None,
            share_before=share_before, share_after=share_after, population=f.population,
            rate_before=before / f.population * 10_000 if f.population and before is not None else None,
            rate_after=after / f.population * 10_000 if f.population and after is not None else None,
            flagged=share_before is not None and share_after is not None and share_after - share_before >= SHARE_SHIFT_POINTS,
            disclosure_applied=gate.protect,
        ))
    return rows


def case_sections(case: Case, *, user) -> dict:
    """Everything the printable page and the workbook show about a case, as ``user`` may see it."""
    return {
        "stages": [(value, label, case_questions(case, value)) for value, label in Stage.choices],
        "moves": list(case.moves.select_related("moved_by")),
        "components": list(case.strategy_components.all()),
        "lead_measures": list(case.lead_measures.all()),
        "milestones": list(case.milestones.all()),
        "reviews": list(case.reviews.select_related("recorded_by")),
        "outcomes": list(case.outcome_measures.all()),
        "figures": community_rows(case, user=user),
        "partners": list(case.partner_agencies.all()),
        "flags": case_flags([case])[0],
        "printed_at": timezone.localtime(),
    }


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(["" if value is None else value for value in row])
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1] or "")) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 80)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def case_workbook(case: Case, *, user) -> bytes:
    sections = case_sections(case, user=user)
    workbook = Workbook()
    workbook.remove(workbook.active)
    facts = [
        ["Title", case.title], ["Description", case.description], ["Organisational unit", case.scope_unit.name],
        ["Owner", _who(case.owner)], ["Stage", case.get_stage_display()], ["Status", case.get_status_display()],
        ["Question bank version", case.question_bank.version], ["Insights report", case.source_report],
        ["Partner agencies", ", ".join(a.name for a in sections["partners"])], ["Other partners", case.partner_others],
        ["High harm or high volume", case.get_harm_or_volume_display()],
        ["Crime, harm or crash", f"{case.get_problem_kind_display()}: {case.problem_type}" if case.problem_kind else case.problem_type],
        ["Pattern over time", case.get_time_pattern_display()],
        ["Communities and iwi agree it is a problem", case.get_communities_agree_problem_display()],
        ["Communities and iwi agree on its drivers", case.get_communities_agree_drivers_display()],
        ["Objectives (Police)", case.objective_police], ["Objectives (communities)", case.objective_community],
        ["What success looks like", case.success_looks_like], ["Cultural impact", case.cultural_impact],
        ["Review cycle", case.get_review_cycle_display()], ["Resources", case.resources],
        ["Next review due", sections["flags"].review_due], ["Comparison area", case.comparison_unit.name if case.comparison_unit else ""],
        ["Unintended or disproportionate impact on communities", case.community_impact],
        ["Lessons learned", case.lessons_learned], ["What worked", case.what_worked],
        ["Can be used elsewhere", {True: "Yes", False: "No"}.get(case.usable_elsewhere, "Not decided")],
        ["Where and how", case.usable_elsewhere_note],
        ["Opened", timezone.localtime(case.created_at).replace(tzinfo=None)],
        ["Closed", timezone.localtime(case.closed_at).replace(tzinfo=None) if case.closed_at else ""],
    ]
    _sheet(workbook, "Case", ["Field", "Value"], facts)
    answers = []
    for _value, label, questions in sections["stages"]:
        for view in questions:
            evidence = "; ".join(_evidence_text(e) for e in view.evidence)
            answers.append([label, view.number, view.question.text, "Yes" if view.question.required else "No",
                            "Yes" if view.answered else "No", view.answer.text if view.answer else "", evidence])
    _sheet(workbook, "Questions", ["Stage", "No.", "Question", "Required", "Answered", "Answer", "Evidence"], answers)
    _sheet(workbook, "Strategy", ["VIPERS component", "What the strategy does"],
           [[c.get_component_display(), c.description] for c in sections["components"]])
    _sheet(workbook, "Lead measures", ["Lead measure", "Indicator", "Monitored by"],
           [[m.description, m.indicator_code, m.monitored_by] for m in sections["lead_measures"]])
    _sheet(workbook, "Milestones", ["Milestone", "Responsible", "Due", "Done"],
           [[m.description, m.responsible, m.due, m.done_on] for m in sections["milestones"]])
    _sheet(workbook, "Reviews", ["Held on", "Notes", "Change of tack", "Recorded by"],
           [[r.held_on, r.notes, r.change_of_tack, _who(r.recorded_by)] for r in sections["reviews"]])
    outcomes = []
    for m in sections["outcomes"]:
        wdd, wdq = m.result.get("wdd") or {}, m.result.get("wdq") or {}
        outcomes.append([m.description, m.indicator_code, m.before_target, m.after_target, m.before_comparison, m.after_comparison,
                         m.before_buffer, m.after_buffer, wdd.get("estimate"), wdd.get("p_value"), wdq.get("wdq"),
                         wdq.get("interpretation") or "; ".join(m.result.get("notes", []))])
    _sheet(workbook, "Outcomes", ["Outcome measure", "Indicator", "Case area before", "Case area after", "Comparison before",
                                  "Comparison after", "Surrounding before", "Surrounding after", "WDD", "WDD p-value", "WDQ", "Reading"], outcomes)
    _sheet(workbook, "By community", ["Measure", "Community", "Before", "After", "Change %", "Share before %", "Share after %",
                                      "Population", "Rate per 10,000 before", "Rate per 10,000 after", "Share rose ≥5 points"],
           [[r.measure, r.community, _shown(r.before, r), _shown(r.after, r), _round(r.change_percent), _round(r.share_before), _round(r.share_after),
             r.population, _round(r.rate_before), _round(r.rate_after), "Yes" if r.flagged else ""] for r in sections["figures"]])
    _sheet(workbook, "History", ["When", "Move", "From", "To", "Reason", "By"],
           [[timezone.localtime(m.moved_at).replace(tzinfo=None), m.get_kind_display(), m.get_from_stage_display(),
             m.get_to_stage_display(), m.reason, _who(m.moved_by)] for m in sections["moves"]])
    return _bytes(workbook)


def _shown(count: float | None, row: CommunityRow):
    return "S (suppressed)" if count is None and row.disclosure_applied else count


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _evidence_text(evidence) -> str:
    if evidence.kind == "analysis":
        return f"Analysis: {evidence.analysis}"
    if evidence.kind == "indicator":
        return f"Indicator {evidence.indicator_code}"
    if evidence.kind == "document":
        return f"Document: {evidence.title} ({evidence.url or 'uploaded file'})"
    return f"Engagement {evidence.engaged_on}: {evidence.engaged_who} ({evidence.engaged_how}) said “{evidence.engaged_said}”"


def board_workbook(board: Board) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = [
        [item.district.name if item.district else "National", item.case.scope_unit.name, item.case.title,
         item.case.get_stage_display(), item.case.get_status_display(), _who(item.case.owner),
         item.case.get_harm_or_volume_display(), item.case.problem_type, item.review_due,
         "Yes" if item.review_overdue else "", item.overdue_milestones or "",
         timezone.localtime(item.case.updated_at).replace(tzinfo=None)]
        for item in board.cases
    ]
    _sheet(workbook, "Cases", ["District", "Unit", "Case", "Stage", "Status", "Owner", "Harm or volume", "Problem type",
                               "Next review due", "Review overdue", "Overdue milestones", "Last changed"], rows)
    counts = [[row.label] + [len(cell) for cell in row.in_order()] for row in board.rows]
    _sheet(workbook, "By stage", ["District"] + [Stage(s).label for s in STAGE_ORDER], counts)
    return _bytes(workbook)
