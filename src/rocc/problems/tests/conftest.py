"""Fixtures of the problems tests: the shipped question bank, a case, and a helper that completes a case's stage."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD  # noqa: F401  (re-exported for the tests here)
from rocc.testing import load_once


@pytest.fixture
def bank(defaults):
    from rocc.problems.services import problems_defaults_load

    load_once(problems_defaults_load)
    from rocc.problems.models import QuestionBank

    return QuestionBank.objects.get(is_current=True)


@pytest.fixture
def owner(make_user):
    return make_user("regional_coordinator", units=["waitemata"], username="owner")


@pytest.fixture
def case(bank, owner):
    from rocc.org.models import OrgUnit
    from rocc.problems.services import case_open

    return case_open(
        actor=owner,
        title="Burglaries around Henderson town centre",
        description="Repeat burglaries of whānau homes.",
        scope_unit=OrgUnit.objects.get(code="waitemata"),
        owner=owner,
    )


def complete_stage(case, actor):
    """Answer every required question of the case's current stage and record what its gate asks for."""
    from rocc.problems import services
    from rocc.problems.models import Stage

    case.refresh_from_db()
    stage = case.stage
    fields = {
        Stage.SCAN: dict(
            harm_or_volume="high_harm",
            problem_kind="crime",
            problem_type="Residential burglary",
            time_pattern="seasonal",
            communities_agree_problem="yes",
            communities_agree_drivers="partly",
        ),
        Stage.NOMINATE: dict(
            objective_police="Fewer repeat burglaries",
            objective_community="Whānau feel safe at home",
            success_looks_like="Residents say they feel safe",
            cultural_impact="Agreed with the iwi liaison",
        ),
        Stage.DEPLOY: dict(review_cycle="fortnightly", resources="Two prevention officers, evenings"),
        Stage.ASSESS: dict(
            community_impact="No disproportionate impact found (figures by community below)",
            lessons_learned="Target hardening works when whānau are asked first",
            what_worked="Target hardening with the marae's help",
            usable_elsewhere=True,
        ),
    }.get(stage)
    if fields:
        case = services.case_update(actor=actor, case=case, version=case.version, **fields)
    if stage == Stage.NOMINATE:
        services.strategy_set(actor=actor, case=case, components={"prevention": "Target hardening", "victims": "Visit every victim"})
        services.lead_measure_add(actor=actor, case=case, description="Homes visited", monitored_by="Sergeant Ngata")
    if stage == Stage.DEPLOY:
        services.milestone_add(
            actor=actor, case=case, description="All victims visited", responsible="Sergeant Ngata", due=dt.date.today() + dt.timedelta(days=30)
        )
    if stage == Stage.ASSESS:
        services.outcome_measure_add(
            actor=actor,
            case=case,
            description="Burglaries",
            before_target=120,
            after_target=80,
            before_comparison=100,
            after_comparison=95,
            before_buffer=60,
            after_buffer=62,
        )
    case.refresh_from_db()
    answers = {q.pk: f"Answer to: {q.text}" for q in case.question_bank.questions.filter(stage=stage, required=True, fact="")}
    services.answers_save(actor=actor, case=case, answers=answers, version=case.version)
    case.refresh_from_db()
    return case


@pytest.fixture
def complete():
    return complete_stage
