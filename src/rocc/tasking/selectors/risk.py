"""Reads of risk prioritisation: the current methodology and its versions, reports, cases and targets ranked by
their current score, what still needs a score, and each record's score history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rocc.org.models import OrgUnit, UnitLevel
from rocc.tasking.models import InsightsReport, ReportStatus, RiskMethodology, RiskScore
from rocc.tasking.rules import works_in_tasking
from rocc.tasking.selectors.deconfliction import subject_unit, targets_visible
from rocc.tasking.selectors.reports import report_list
from rocc.tasking.selectors.scope import cases_visible


def current_methodology() -> RiskMethodology | None:
    return RiskMethodology.objects.filter(is_current=True).prefetch_related("dimensions").first()


def methodology_list() -> QuerySet[RiskMethodology]:
    return RiskMethodology.objects.prefetch_related("dimensions").order_by("-is_current", "code", "-version")


@dataclass(frozen=True)
class Ranked:
    rank: int
    score: RiskScore
    kind: str  # "report", "case" or "target"
    subject: object


def rankings(*, user, kind: str | None = None, limit: int | None = None, within: OrgUnit | None = None) -> list[Ranked]:
    """Reports, cases and targets the user may see, ranked by their current score under the current methodology.
    ``within`` keeps only what belongs to that unit (a district forum's agenda)."""
    methodology = current_methodology()
    if methodology is None or not works_in_tasking(user):
        return []
    visible = (
        Q(report__in=report_list(user=user).values("pk"))
        | Q(case__in=cases_visible(user=user).values("pk"))
        | Q(target__in=targets_visible(user=user).values("pk"))
    )
    scores = (
        RiskScore.objects.filter(visible, is_current=True, methodology=methodology)
        .select_related(
            "report__current_forum__scope_unit",
            "case__scope_unit",
            "target__product__source_unit",
            "target__tasking__tasked_unit",
            "target__case__scope_unit",
        )
        .order_by("-score", "scored_at", "pk")
    )
    if kind:
        scores = scores.filter(**{f"{kind}__isnull": False})
    part = within if within is not None and within.level != UnitLevel.NATIONAL else None
    if limit and part is None:
        scores = scores[:limit]  # the top of the ranking is read, not every score (a unit's part is chosen row by row)
    ranked: list[Ranked] = []
    for score in scores:
        if part is not None:
            unit = subject_unit(score.subject)
            if unit is None or not unit.path.startswith(part.path):
                continue
        subject_kind = "report" if score.report_id else "case" if score.case_id else "target"
        ranked.append(Ranked(rank=len(ranked) + 1, score=score, kind=subject_kind, subject=score.subject))
        if limit and len(ranked) >= limit:
            break
    return ranked


def reports_needing_scores(*, user) -> QuerySet[InsightsReport]:
    """Open reports the user sees with no score under the current methodology (new, or scored under an older version)."""
    methodology = current_methodology()
    reports = report_list(user=user).exclude(status=ReportStatus.CLOSED)
    if methodology is None:
        return reports
    scored = RiskScore.objects.filter(is_current=True, methodology=methodology, report__isnull=False).values("report")
    return reports.exclude(pk__in=scored)


def score_history(*, subject) -> QuerySet[RiskScore]:
    field = {"InsightsReport": "report", "Case": "case", "Target": "target"}[type(subject).__name__]
    return RiskScore.objects.filter(**{field: subject}).select_related("methodology", "scored_by").order_by("-scored_at", "-pk")


def current_report_scores(reports) -> dict[int, RiskScore]:
    """Each report's current score (any methodology version), by report key."""
    scores = RiskScore.objects.filter(report__in=reports, is_current=True).select_related("methodology")
    by_report: dict[int, RiskScore] = {}
    for score in scores:
        assert score.report_id is not None  # the filter keeps only scores of reports
        by_report[score.report_id] = score
    return by_report
