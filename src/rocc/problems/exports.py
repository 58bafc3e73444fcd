"""A case and the board as Excel workbooks and as the sections of the printable page, and the figures by
community that answer the question on disproportionate impact."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from rocc.core.spreadsheets import sheet_append
from rocc.measures.selectors import disclosure_for
from rocc.problems import services
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
        rows.append(
            CommunityRow(
                community=f.community,
                measure=f.measure,
                before=before,
                after=after,
                change_percent=(after - before) / before * 100 if before and after is not None else None,
                share_before=share_before,
                share_after=share_after,
                population=f.population,
                rate_before=before / f.population * 10_000 if f.population and before is not None else None,
                rate_after=after / f.population * 10_000 if f.population and after is not None else None,
                flagged=share_before is not None and share_after is not None and share_after - share_before >= SHARE_SHIFT_POINTS,
                disclosure_applied=gate.protect,
            )
        )
    return rows


OUTCOME_AREAS = {"target": "case's area", "comparison": "comparison area", "buffer": "surrounding area"}


@dataclass(frozen=True)
class OutcomeRow:
    """An outcome measure as one user may see it: its counts and the comparison and displacement computed from them."""

    pk: int
    description: str
    indicator_code: str
    before_target: float | None
    after_target: float | None
    before_comparison: float | None  # None: not given, or suppressed when named in ``suppressed``
    after_comparison: float | None
    before_buffer: float | None
    after_buffer: float | None
    result: dict
    suppressed: frozenset[str] = frozenset()  # the counts shown as S, by field name ("before_target", ...)
    disclosure_applied: bool = False
    periods: str = ""  # "before 1 Jan 2024–31 Mar 2024, after …" when the figures were asked of the measures
    provenance: str = ""  # where the figures came from, in words
    override_reason: str = ""


def outcome_rows(case: Case, *, user) -> list[OutcomeRow]:
    """The case's outcome measures for the Assess stage. The counts pass the measures capability's disclosure gate for
    the user in the case's unit, each a cell of its own; the changes, the Weighted Displacement Difference and the
    Weighted Displacement Quotient are then computed again from the protected counts alone (the stored result was
    computed from the true ones), or withheld, saying why, when a count they need is suppressed."""
    gate = disclosure_for(user=user, unit=case.scope_unit)
    rows = []
    for m in case.outcome_measures.all():
        shown, suppressed = {}, set()
        for area in OUTCOME_AREAS:
            for period in ("before", "after"):
                name, count = f"{period}_{area}", getattr(m, f"{period}_{area}")
                identity = f"problems.case:{case.pk}|outcome:{m.pk}|{area}|{period}"
                shown[name] = gate.count(count, identity)
                if gate.is_suppressed(count, identity):
                    suppressed.add(name)
        rows.append(
            OutcomeRow(
                pk=m.pk,
                description=m.description,
                indicator_code=m.indicator_code,
                result=_protected_outcome(shown, suppressed) if gate.protect else m.result,
                suppressed=frozenset(suppressed),
                disclosure_applied=gate.protect,
                periods=_outcome_periods(m),
                provenance=_outcome_provenance(m),
                override_reason=m.override_reason,
                **shown,
            )
        )
    return rows


SOURCE_WORDS = {"events": "the event store", "series": "the indicator's series", "entered": "entered"}


def _outcome_periods(measure) -> str:
    if measure.before_from is None:
        return ""
    return f"before {measure.before_from:%d %b %Y}–{measure.before_to:%d %b %Y}, after {measure.after_from:%d %b %Y}–{measure.after_to:%d %b %Y}"


def _outcome_provenance(measure) -> str:
    """Where the figures came from: "from the event store" when all alike, else figure by figure."""
    words = {name: SOURCE_WORDS.get(entry.get("source", ""), "") for name, entry in (measure.sources or {}).items() if entry.get("source")}
    if not words:
        return ""
    if len(set(words.values())) == 1:
        return f"Figures from {next(iter(words.values()))}."
    return "; ".join(f"{name.replace('_', ' ')}: {word}" for name, word in words.items()) + "."


def _protected_outcome(shown: dict[str, Any], suppressed: set[str]) -> dict:
    # The case-area counts are required, so with nothing suppressed they are numbers here.
    withheld = [area for area in OUTCOME_AREAS if {f"before_{area}", f"after_{area}"} & suppressed]
    if not withheld:
        return services.outcome_comparison(
            target_before=shown["before_target"],
            target_after=shown["after_target"],
            comparison_before=shown["before_comparison"],
            comparison_after=shown["after_comparison"],
            buffer_before=shown["before_buffer"],
            buffer_after=shown["after_buffer"],
        )
    result: dict = {area: None if area in withheld else services.outcome_change(shown[f"before_{area}"], shown[f"after_{area}"]) for area in OUTCOME_AREAS}
    result.update(wdd=None, wdq=None, notes=[])
    has_comparison = shown["before_comparison"] is not None or "before_comparison" in suppressed
    has_buffer = shown["before_buffer"] is not None or "before_buffer" in suppressed
    places = " and ".join(OUTCOME_AREAS[area] for area in withheld)
    if not has_comparison:
        result["notes"] += [f"The change in the {places} is withheld: a count there is too small to publish (S).", services.NO_COMPARISON_NOTE]
        return result
    what = "the Weighted Displacement Difference and the Weighted Displacement Quotient" if has_buffer else "the Weighted Displacement Difference"
    result["notes"].append(f"Disclosure control withholds {what}: they need the counts of the {places}, and a count there is too small to publish (S).")
    if not has_buffer:
        result["notes"].append(services.NO_BUFFER_NOTE)
    return result


def case_sections(case: Case, *, user) -> dict:
    """Everything the printable page and the workbook show about a case, as ``user`` may see it."""
    return {
        "stages": [(value, label, case_questions(case, value, user=user)) for value, label in Stage.choices],
        "moves": list(case.moves.select_related("moved_by")),
        "components": list(case.strategy_components.all()),
        "lead_measures": list(case.lead_measures.all()),
        "milestones": list(case.milestones.all()),
        "reviews": list(case.reviews.select_related("recorded_by")),
        "outcomes": outcome_rows(case, user=user),
        "figures": community_rows(case, user=user),
        "partners": list(case.partner_agencies.all()),
        "flags": case_flags([case])[0],
        "printed_at": timezone.localtime(),
    }


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet_append(sheet, ["" if value is None else value for value in row])
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
        ["Title", case.title],
        ["Description", case.description],
        ["Organisational unit", case.scope_unit.name],
        ["Owner", _who(case.owner)],
        ["Stage", case.get_stage_display()],
        ["Status", case.get_status_display()],
        ["Question bank version", case.question_bank.version],
        ["Insights report", case.source_report],
        ["Partner agencies", ", ".join(a.name for a in sections["partners"])],
        ["Other partners", case.partner_others],
        ["High harm or high volume", case.get_harm_or_volume_display()],
        ["Crime, harm or crash", f"{case.get_problem_kind_display()}: {case.problem_type}" if case.problem_kind else case.problem_type],
        ["Pattern over time", case.get_time_pattern_display()],
        ["Communities and iwi agree it is a problem", case.get_communities_agree_problem_display()],
        ["Communities and iwi agree on its drivers", case.get_communities_agree_drivers_display()],
        ["Objectives (Police)", case.objective_police],
        ["Objectives (communities)", case.objective_community],
        ["What success looks like", case.success_looks_like],
        ["Cultural impact", case.cultural_impact],
        ["Review cycle", case.get_review_cycle_display()],
        ["Resources", case.resources],
        ["Next review due", sections["flags"].review_due],
        ["Comparison area", case.comparison_unit.name if case.comparison_unit else ""],
        ["Unintended or disproportionate impact on communities", case.community_impact],
        ["Lessons learned", case.lessons_learned],
        ["What worked", case.what_worked],
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
            answers.append(
                [
                    label,
                    view.number,
                    view.question.text,
                    "Yes" if view.question.required else "No",
                    "Yes" if view.answered else "No",
                    view.answer.text if view.answer else "",
                    evidence,
                ]
            )
    _sheet(workbook, "Questions", ["Stage", "No.", "Question", "Required", "Answered", "Answer", "Evidence"], answers)
    _sheet(workbook, "Strategy", ["VIPERS component", "What the strategy does"], [[c.get_component_display(), c.description] for c in sections["components"]])
    _sheet(
        workbook,
        "Lead measures",
        ["Lead measure", "Indicator", "Monitored by"],
        [[m.description, m.indicator_code, m.monitored_by] for m in sections["lead_measures"]],
    )
    _sheet(
        workbook, "Milestones", ["Milestone", "Responsible", "Due", "Done"], [[m.description, m.responsible, m.due, m.done_on] for m in sections["milestones"]]
    )
    _sheet(
        workbook,
        "Reviews",
        ["Held on", "Notes", "Change of tack", "Recorded by"],
        [[r.held_on, r.notes, r.change_of_tack, _who(r.recorded_by)] for r in sections["reviews"]],
    )
    outcomes = []
    for m in sections["outcomes"]:
        wdd, wdq = m.result.get("wdd") or {}, m.result.get("wdq") or {}
        counts = [_shown_outcome(m, f"{period}_{area}") for area in OUTCOME_AREAS for period in ("before", "after")]
        reading = wdq.get("interpretation") or "; ".join(m.result.get("notes", []))
        if m.disclosure_applied:
            reading = "; ".join(filter(None, [reading, OUTCOME_DISCLOSURE_NOTE]))
        outcomes.append([m.description, m.indicator_code, *counts, wdd.get("estimate"), wdd.get("p_value"), wdq.get("wdq"), reading])
    _sheet(
        workbook,
        "Outcomes",
        [
            "Outcome measure",
            "Indicator",
            "Case area before",
            "Case area after",
            "Comparison before",
            "Comparison after",
            "Surrounding before",
            "Surrounding after",
            "WDD",
            "WDD p-value",
            "WDQ",
            "Reading",
        ],
        outcomes,
    )
    _sheet(
        workbook,
        "By community",
        [
            "Measure",
            "Community",
            "Before",
            "After",
            "Change %",
            "Share before %",
            "Share after %",
            "Population",
            "Rate per 10,000 before",
            "Rate per 10,000 after",
            "Share rose ≥5 points",
        ],
        [
            [
                r.measure,
                r.community,
                _shown(r.before, r),
                _shown(r.after, r),
                _round(r.change_percent),
                _round(r.share_before),
                _round(r.share_after),
                r.population,
                _round(r.rate_before),
                _round(r.rate_after),
                "Yes" if r.flagged else "",
            ]
            for r in sections["figures"]
        ],
    )
    _sheet(
        workbook,
        "History",
        ["When", "Move", "From", "To", "Reason", "By"],
        [
            [
                timezone.localtime(m.moved_at).replace(tzinfo=None),
                m.get_kind_display(),
                m.get_from_stage_display(),
                m.get_to_stage_display(),
                m.reason,
                _who(m.moved_by),
            ]
            for m in sections["moves"]
        ],
    )
    return _bytes(workbook)


def _shown(count: float | None, row: CommunityRow):
    return "S (suppressed)" if count is None and row.disclosure_applied else count


OUTCOME_DISCLOSURE_NOTE = (
    "Counts are randomly rounded to base 3 and small counts suppressed (S); the changes, the WDD and the WDQ are computed from the rounded counts."
)


def _shown_outcome(row: OutcomeRow, name: str):
    return "S (suppressed)" if name in row.suppressed else getattr(row, name)


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
        [
            item.district.name if item.district else "National",
            item.case.scope_unit.name,
            item.case.title,
            item.case.get_stage_display(),
            item.case.get_status_display(),
            _who(item.case.owner),
            item.case.get_harm_or_volume_display(),
            item.case.problem_type,
            item.review_due,
            "Yes" if item.review_overdue else "",
            item.overdue_milestones or "",
            timezone.localtime(item.case.updated_at).replace(tzinfo=None),
        ]
        for item in board.cases
    ]
    _sheet(
        workbook,
        "Cases",
        [
            "District",
            "Unit",
            "Case",
            "Stage",
            "Status",
            "Owner",
            "Harm or volume",
            "Problem type",
            "Next review due",
            "Review overdue",
            "Overdue milestones",
            "Last changed",
        ],
        rows,
    )
    counts = [[row.label] + [len(cell) for cell in row.in_order()] for row in board.rows]
    _sheet(workbook, "By stage", ["District"] + [Stage(s).label for s in STAGE_ORDER], counts)
    return _bytes(workbook)
