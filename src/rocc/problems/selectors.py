"""Every read of problem-solving cases, scoped to the user asking: the cases they may see, the board by stage
and district with its flags, the library of closed cases, and what a case still needs at its stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.analysis_pages.models import SavedAnalysis
from rocc.analysis_pages.selectors import saved_analysis_list
from rocc.core.text import fold
from rocc.measures.models import Indicator
from rocc.measures.selectors import indicators_for
from rocc.measures.window_figures import WindowFigure, surrounding_count, window_count
from rocc.org.models import OrgUnit, Role, UnitLevel
from rocc.org.scope import scope_of
from rocc.problems import gates
from rocc.problems.models import (
    REVIEW_CYCLE_DAYS,
    STAGE_ORDER,
    Answer,
    Case,
    CaseStatus,
    Evidence,
    HarmOrVolume,
    Question,
    QuestionBank,
    ReviewCycle,
    Stage,
)


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases the user may read: those of units in their scope (every case for the national office); for a
    provider, the cases its agency is a partner on."""
    scope = scope_of(user)
    if scope.role is None:
        return Case.objects.none()
    if scope.role == Role.PROVIDER_REPORTER:
        if scope.agency_id is None:
            return Case.objects.none()
        visible = Q(partner_agencies=scope.agency_id)
    else:
        if not scope.unit_paths:
            return Case.objects.none()
        visible = scope.condition("scope_unit")
    return Case.objects.filter(pk__in=Case.objects.filter(visible).values("pk")).select_related("scope_unit", "owner", "changed_by")


def case_get(*, user, pk: int) -> Case:
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case")
    return case


def cases_with_ids(ids) -> list[Case]:
    """The cases with these ids (those that exist), for another capability's write to check and link; the writing
    service decides which of them its user may cite."""
    return list(Case.objects.filter(pk__in=list(ids)).select_related("scope_unit"))


def saved_analyses_for(*, user) -> QuerySet[SavedAnalysis]:
    """Saved analyses the user may link as evidence: those of units in their scope. Person-level results are
    offered to analysts only, as the analyses capability allows."""
    return saved_analysis_list(user=user)


def indicator_catalogue(*, user) -> dict[str, str]:
    """The indicators an outcome measure may name, code → name: the measures capability's catalogue."""
    return dict(indicators_for(user=user).order_by("order", "code").values_list("code", "name"))


def district_of(unit: OrgUnit, districts: dict[str, OrgUnit]) -> OrgUnit | None:
    """The district a unit is in (itself when it is one); None for the national unit."""
    codes = unit.path.strip("/").split("/")
    return districts.get(codes[1]) if len(codes) > 1 else None


def review_due(case: Case, last_review: dt.date | None) -> dt.date | None:
    """When the next deployment review is due: one cycle after the last review (or after entering Deploy)."""
    if case.status != CaseStatus.OPEN or case.stage != Stage.DEPLOY or not case.review_cycle:
        return None
    start = last_review or case.deployed_on
    if start is None:
        return None
    return start + dt.timedelta(days=REVIEW_CYCLE_DAYS[ReviewCycle(case.review_cycle)])


@dataclass
class BoardCase:
    case: Case
    district: OrgUnit | None
    review_due: dt.date | None
    review_overdue: bool
    next_milestone: dt.date | None
    overdue_milestones: int


@dataclass
class BoardRow:
    district: OrgUnit | None
    cells: dict[str, list[BoardCase]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.district.name if self.district else "National"

    def in_order(self) -> list[list[BoardCase]]:
        return [self.cells.get(stage, []) for stage in STAGE_ORDER]


@dataclass
class Board:
    rows: list[BoardRow]
    cases: list[BoardCase]
    owners: list
    filters: dict

    def stage_counts(self) -> list[int]:
        return [sum(1 for c in self.cases if c.case.stage == stage) for stage in STAGE_ORDER]


def case_flags(cases: list[Case], today: dt.date | None = None) -> list[BoardCase]:
    today = today or timezone.localdate()
    districts = {u.code: u for u in OrgUnit.objects.filter(level=UnitLevel.DISTRICT)}
    result = []
    for case in cases:
        due = review_due(case, getattr(case, "last_review", None))
        milestones = [m for m in case.milestones.all()]
        open_due = [m.due for m in milestones if m.done_on is None]
        result.append(
            BoardCase(
                case=case,
                district=district_of(case.scope_unit, districts),
                review_due=due,
                review_overdue=due is not None and due < today,
                next_milestone=min(open_due) if open_due else None,
                overdue_milestones=sum(1 for d in open_due if d < today) if case.status == CaseStatus.OPEN else 0,
            )
        )
    return result


def case_board(
    *, user, owner: int | None = None, harm: str = "", overdue: bool = False, district: str = "", include_closed: bool = False, today: dt.date | None = None
) -> Board:
    """Open cases by district (rows) and stage (columns), filterable by owner, harm or volume, and overdue reviews."""
    cases = cases_visible_to(user).annotate(last_review=Max("reviews__held_on")).prefetch_related("milestones")
    if not include_closed:
        cases = cases.filter(status=CaseStatus.OPEN)
    all_visible = list(cases)
    owners = sorted({c.owner for c in all_visible}, key=lambda u: (u.get_full_name() or u.get_username()).casefold())
    if owner:
        cases = cases.filter(owner_id=owner)
    if harm in HarmOrVolume.values:
        cases = cases.filter(Q(harm_or_volume=harm) | Q(harm_or_volume=HarmOrVolume.BOTH))
    flagged = case_flags(list(cases.order_by("scope_unit__path", "title")), today=today)
    if overdue:
        flagged = [c for c in flagged if c.review_overdue]
    if district:
        flagged = [c for c in flagged if (c.district.code if c.district else "national") == district]
    rows: dict[str, BoardRow] = {}
    for item in flagged:
        key = item.district.path if item.district else ""
        row = rows.setdefault(key, BoardRow(district=item.district))
        row.cells.setdefault(item.case.stage, []).append(item)
    ordered = [rows[key] for key in sorted(rows)]
    return Board(rows=ordered, cases=flagged, owners=owners, filters={"owner": owner, "harm": harm, "overdue": overdue, "district": district})


def case_library(*, user, query: str = "", problem_kind: str = "", usable_elsewhere: bool | None = None) -> QuerySet[Case]:
    """Closed cases, searched with or without macrons: what worked, where, for what problem. Open to every role
    but providers, across districts, so that one district learns from another's assessed cases."""
    if not user.has_perm("problems.view_library"):
        return Case.objects.none()
    cases = Case.objects.filter(status=CaseStatus.CLOSED).select_related("scope_unit", "owner").prefetch_related("strategy_components", "outcome_measures")
    for word in fold(query).split():
        cases = cases.filter(search_text__contains=word)
    if problem_kind:
        cases = cases.filter(problem_kind=problem_kind)
    if usable_elsewhere is not None:
        cases = cases.filter(usable_elsewhere=usable_elsewhere)
    return cases.order_by("-closed_at")


@dataclass
class QuestionView:
    number: int
    question: Question
    answer: Answer | None
    answered: bool
    evidence: list[Evidence]
    hidden_evidence: int = 0  # saved analyses cited here that the user may not see: counted, never shown


def _visible_evidence(evidence: list[Evidence], visible_analyses: set[int]) -> tuple[list[Evidence], int]:
    """The evidence a user may see (a saved analysis only when they may see the analysis), and how many were left out."""
    shown = [e for e in evidence if e.analysis_id is None or e.analysis_id in visible_analyses]
    return shown, len(evidence) - len(shown)


def visible_analysis_ids(*, user) -> set[int]:
    """The saved analyses the user may see: a case shows its evidence through this, so no one sees an analysis
    through a case that they could not open on its own."""
    return set(saved_analysis_list(user=user).values_list("pk", flat=True))


def case_holding(case: Case) -> gates.CaseHolding:
    """What the case holds, as its stage gates ask it."""
    return gates.CaseHolding(
        fields={name: getattr(case, name) for name in gates.GATE_FIELDS},
        answered=frozenset(case.answers.exclude(text="").values_list("question_id", flat=True)),
        lead_measures=case.lead_measures.count(),
        milestones=case.milestones.count(),
        strategy_components=case.strategy_components.count(),
        outcome_measures=case.outcome_measures.count(),
    )


def stage_questions(case: Case, stage: str) -> QuerySet[Question]:
    """The questions of one stage in the bank version the case was opened under, in their order."""
    return case.question_bank.questions.filter(stage=stage).order_by("order")


def stage_missing(case: Case, stage: str | None = None) -> list[str]:
    """Everything the case still needs before it may leave ``stage`` (its current stage by default)."""
    stage = stage or case.stage
    return gates.stage_missing(stage, stage_questions(case, stage), case_holding(case))


def case_questions(case: Case, stage: str, *, user) -> list[QuestionView]:
    """The case's questions at one stage (from the bank version it was opened under), with answers and the evidence
    ``user`` may see (saved analyses they may not see are counted, not shown)."""
    visible = visible_analysis_ids(user=user)
    answers = {
        a.question_id: a
        for a in case.answers.filter(question__stage=stage).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.select_related("analysis", "added_by"))
        )
    }
    holding = case_holding(case)
    views = []
    for number, question in enumerate(stage_questions(case, stage), start=1):
        answer = answers.get(question.pk)
        shown, hidden = _visible_evidence(list(answer.evidence.all()) if answer else [], visible)
        views.append(
            QuestionView(
                number=number,
                question=question,
                answer=answer,
                answered=gates.question_answered(question, holding),
                evidence=shown,
                hidden_evidence=hidden,
            )
        )
    return views


@dataclass(frozen=True)
class CaseSource:
    """Where a case came from, as the user may follow it: the report or product, and whether they may open it."""

    kind: str  # "report" or "product"
    pk: int
    reference: str
    title: str
    may_open: bool


def case_sources(*, user, case: Case) -> list[CaseSource]:
    """The insights report and product a case was opened from, each a link for a user who may see it (the reference
    alone otherwise)."""
    sources = []
    for kind, record, perm in (("report", case.source_report, "tasking.view_report"), ("product", case.source_product, "tasking.view_product")):
        if record is not None:
            may_open = bool(user.has_perm(perm, record))
            sources.append(CaseSource(kind=kind, pk=record.pk, reference=record.reference, title=record.title if may_open else "", may_open=may_open))
    return sources


@dataclass(frozen=True)
class CarriedEvidence:
    evidence: list[Evidence]
    hidden: int


def case_carried_evidence(*, user, case: Case) -> CarriedEvidence:
    """The saved analyses a case inherited from its product or report and that no answer cites yet, as the user may
    see them."""
    rows = list(case.evidence.filter(answer__isnull=True).select_related("analysis__scope_unit", "added_by").order_by("pk"))
    shown, hidden = _visible_evidence(rows, visible_analysis_ids(user=user))
    return CarriedEvidence(evidence=shown, hidden=hidden)


def cases_citing_analysis(*, user, analysis: SavedAnalysis) -> QuerySet[Case]:
    """The cases the user may see whose evidence cites this saved analysis."""
    return cases_visible_to(user).filter(evidence__analysis=analysis).distinct().order_by("title")


OUTCOME_FIGURES = ("before_target", "after_target", "before_comparison", "after_comparison", "before_buffer", "after_buffer")


def outcome_figures_from_measures(
    *, user, case: Case, indicator: Indicator, before: tuple[dt.date, dt.date], after: tuple[dt.date, dt.date], backend=None
) -> dict[str, WindowFigure]:
    """The before/after counts of an outcome measure taken from the measures: the indicator's count for the case's
    unit, its comparison unit and the area around it (the unit above, less the case's and the comparison unit), each
    for the two windows, from the event store for an event-based indicator and from the indicator's series otherwise;
    each figure as the user may see it, or None with the reason."""
    figures: dict[str, WindowFigure] = {}
    for period, (start, end) in (("before", before), ("after", after)):
        figures[f"{period}_target"] = window_count(user=user, indicator=indicator, unit=case.scope_unit, start=start, end=end, backend=backend)
        if case.comparison_unit is None:
            figures[f"{period}_comparison"] = WindowFigure(value=None, source="", note="The case has no comparison unit: choose one under Assess.")
        else:
            figures[f"{period}_comparison"] = window_count(user=user, indicator=indicator, unit=case.comparison_unit, start=start, end=end, backend=backend)
        figures[f"{period}_buffer"] = surrounding_count(
            user=user, indicator=indicator, unit=case.scope_unit, start=start, end=end, leave_out=case.comparison_unit, backend=backend
        )
    return figures


def question_bank_list() -> QuerySet[QuestionBank]:
    return QuestionBank.objects.prefetch_related("questions")


# --- work queues and reminders -----------------------------------------------------------------------------------

REVIEW_DUE_SOON_DAYS = 3  # a deployment review is "due" this many days before its date


@dataclass
class OwnedCase:
    """One of a problem owner's open cases: where it stands and what its gate still needs to move on."""

    case: Case
    missing: list[str]
    review_due: dt.date | None
    review_overdue: bool


def cases_owned(*, user, today: dt.date | None = None) -> list[OwnedCase]:
    """The open cases the user owns (within what they may read), each with its stage, what the stage's gate still
    needs, and when its next deployment review is due."""
    today = today or timezone.localdate()
    cases = cases_visible_to(user).filter(owner=user, status=CaseStatus.OPEN).annotate(last_review=Max("reviews__held_on")).order_by("stage", "title")
    owned = []
    for case in cases:
        due = review_due(case, case.last_review)
        owned.append(OwnedCase(case=case, missing=stage_missing(case), review_due=due, review_overdue=due is not None and due < today))
    return owned


def case_reviews_for_reminders(*, today: dt.date) -> list[tuple[Case, dt.date]]:
    """For the reminder schedule (the system, not a user): open cases in Deploy whose next review falls within the
    next few days or has passed, with that date (each review date is its own reminder)."""
    cases = Case.objects.filter(status=CaseStatus.OPEN, stage=Stage.DEPLOY).exclude(review_cycle="").annotate(last_review=Max("reviews__held_on"))
    found: list[tuple[Case, dt.date]] = []
    for case in cases.select_related("owner", "scope_unit"):
        due = review_due(case, case.last_review)
        if due is not None and due <= today + dt.timedelta(days=REVIEW_DUE_SOON_DAYS):
            found.append((case, due))
    return found
