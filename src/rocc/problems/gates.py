"""What each PANDA stage still needs before a case may leave it, decided from what the case holds: pure rules with no
database reads (``selectors.case_holding`` reads the case; the service enforces the gate and the pages ask it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from rocc.problems.models import Agreement, Fact, Stage

# The case's own fields the gates ask about.
GATE_FIELDS = (
    "harm_or_volume",
    "problem_kind",
    "problem_type",
    "communities_agree_problem",
    "communities_agree_drivers",
    "time_pattern",
    "objective_police",
    "objective_community",
    "success_looks_like",
    "cultural_impact",
    "resources",
    "review_cycle",
    "community_impact",
    "lessons_learned",
    "usable_elsewhere",
    "what_worked",
)


class GateQuestion(Protocol):
    pk: int
    text: str
    required: bool
    fact: str


@dataclass(frozen=True)
class CaseHolding:
    """What a case holds, as far as its stage gates ask: its own fields (``GATE_FIELDS``), the questions answered
    with some text, and how many lead measures, milestones, VIPERS components and outcome measures it has."""

    fields: Mapping[str, object]
    answered: frozenset[int]
    lead_measures: int = 0
    milestones: int = 0
    strategy_components: int = 0
    outcome_measures: int = 0


def fact_answered(fact: str, holding: CaseHolding) -> bool:
    """Whether the case's fields (or entries) answer a question that asks for this fact."""
    f = holding.fields
    checks = {
        Fact.HARM_OR_VOLUME: lambda: bool(f["harm_or_volume"]),
        Fact.PROBLEM_TYPE: lambda: bool(f["problem_kind"] and f["problem_type"]),
        Fact.COMMUNITIES_AGREE: lambda: Agreement.UNKNOWN not in (f["communities_agree_problem"], f["communities_agree_drivers"]),
        Fact.TIME_PATTERN: lambda: bool(f["time_pattern"]),
        Fact.OBJECTIVES: lambda: bool(f["objective_police"] and f["objective_community"]),
        Fact.SUCCESS_LOOKS_LIKE: lambda: bool(f["success_looks_like"]),
        Fact.LEAD_MEASURES: lambda: holding.lead_measures > 0,
        Fact.CULTURAL_IMPACT: lambda: bool(f["cultural_impact"]),
        Fact.MILESTONES: lambda: holding.milestones > 0,
        Fact.RESOURCES: lambda: bool(f["resources"]),
        Fact.REVIEW_CYCLE: lambda: bool(f["review_cycle"]),
        Fact.COMMUNITY_IMPACT: lambda: bool(f["community_impact"]),
        Fact.LESSONS_LEARNED: lambda: bool(f["lessons_learned"]),
        Fact.USABLE_ELSEWHERE: lambda: f["usable_elsewhere"] is not None,
    }
    return checks[fact]()


FACT_WHERE = {
    Fact.HARM_OR_VOLUME: "choose high harm or high volume in the scanning facts",
    Fact.PROBLEM_TYPE: "give the crime, harm or crash type in the scanning facts",
    Fact.COMMUNITIES_AGREE: "record whether communities and iwi agree it is a problem and on its drivers; “Not yet known” does not count",
    Fact.TIME_PATTERN: "choose long-term, seasonal, cyclical, flare-up or spike in the scanning facts",
    Fact.OBJECTIVES: "write the objectives from both the police and the community perspective",
    Fact.SUCCESS_LOOKS_LIKE: "say what success looks like",
    Fact.LEAD_MEASURES: "add at least one lead measure and who monitors it",
    Fact.CULTURAL_IMPACT: "describe the cultural impact of the planned approach",
    Fact.MILESTONES: "add at least one milestone",
    Fact.RESOURCES: "say which resources will be deployed",
    Fact.REVIEW_CYCLE: "choose the review cycle (weekly, fortnightly or monthly)",
    Fact.COMMUNITY_IMPACT: "answer the question on unintended or disproportionate impact on communities",
    Fact.LESSONS_LEARNED: "record the lessons learned",
    Fact.USABLE_ELSEWHERE: "say whether the approach can be used elsewhere",
}


def question_answered(question: GateQuestion, holding: CaseHolding) -> bool:
    """A question asking for a fact is answered by the case's fields; any other by an answer with some text."""
    if question.fact:
        return fact_answered(question.fact, holding)
    return question.pk in holding.answered


def stage_missing(stage: str, questions: Iterable[GateQuestion], holding: CaseHolding) -> list[str]:
    """Everything the case still needs before it may leave ``stage``, one entry per missing item, in the order the
    stage asks them. ``questions`` are the stage's questions of the case's bank version, in their order."""
    missing = []
    for number, question in enumerate(questions, start=1):
        if not question.required or question_answered(question, holding):
            continue
        where = f" ({FACT_WHERE[question.fact]})" if question.fact else ""
        missing.append(f"question {number}, “{question.text}”, is not answered{where}")
    if stage == Stage.NOMINATE and not holding.strategy_components:
        missing.append("the strategy has no VIPERS component yet (Victims, Intelligence, Prevention, Enforcement, Reassurance, Support)")
    if stage == Stage.ASSESS:
        if not holding.outcome_measures:
            missing.append("add at least one outcome measure with before and after figures")
        if not holding.fields["what_worked"]:
            missing.append("say what worked (the library shows it to others facing a similar problem)")
    return missing
