"""The stage gates are pure rules over what a case holds: decided here with no database at all (pytest-django
refuses any query in a test without the ``db`` fixture), from plain values."""

from __future__ import annotations

from dataclasses import dataclass

from rocc.problems import gates
from rocc.problems.models import Agreement, Fact, Stage


@dataclass(frozen=True)
class Q:
    pk: int
    text: str
    required: bool = True
    fact: str = ""


def _holding(**overrides) -> gates.CaseHolding:
    fields = dict.fromkeys(gates.GATE_FIELDS, "")
    fields.update(communities_agree_problem=Agreement.UNKNOWN, communities_agree_drivers=Agreement.UNKNOWN, usable_elsewhere=None)
    counts = {k: overrides.pop(k) for k in ("answered", "lead_measures", "milestones", "strategy_components", "outcome_measures") if k in overrides}
    fields.update(overrides)
    return gates.CaseHolding(fields=fields, answered=frozenset(counts.pop("answered", ())), **counts)


def test_scan_gate_lists_each_unanswered_required_question_with_where_to_answer_a_fact():
    questions = [Q(1, "Describe the problem."), Q(2, "High harm or high volume?", fact=Fact.HARM_OR_VOLUME), Q(3, "Anything else?", required=False)]
    assert gates.stage_missing(Stage.SCAN, questions, _holding()) == [
        "question 1, “Describe the problem.”, is not answered",
        f"question 2, “High harm or high volume?”, is not answered ({gates.FACT_WHERE[Fact.HARM_OR_VOLUME]})",
    ]
    assert gates.stage_missing(Stage.SCAN, questions, _holding(answered={1}, harm_or_volume="high_harm")) == []


def test_communities_agreeing_counts_only_once_neither_answer_is_not_yet_known():
    question = Q(1, "Do communities and iwi agree?", fact=Fact.COMMUNITIES_AGREE)
    assert not gates.question_answered(question, _holding(communities_agree_problem=Agreement.YES))
    assert gates.question_answered(question, _holding(communities_agree_problem=Agreement.YES, communities_agree_drivers=Agreement.NO))


def test_nominate_needs_a_vipers_component_and_assess_an_outcome_measure_and_what_worked():
    assert gates.stage_missing(Stage.NOMINATE, [], _holding())[0].startswith("the strategy has no VIPERS component")
    assert gates.stage_missing(Stage.NOMINATE, [], _holding(strategy_components=1)) == []
    assert len(gates.stage_missing(Stage.ASSESS, [], _holding())) == 2
    assert gates.stage_missing(Stage.ASSESS, [], _holding(outcome_measures=1, what_worked="Target hardening")) == []


def test_facts_answered_by_entries_count_the_entries():
    lead = Q(1, "Lead measures?", fact=Fact.LEAD_MEASURES)
    assert not gates.question_answered(lead, _holding())
    assert gates.question_answered(lead, _holding(lead_measures=2))
    assert gates.question_answered(Q(2, "Used elsewhere?", fact=Fact.USABLE_ELSEWHERE), _holding(usable_elsewhere=False))
