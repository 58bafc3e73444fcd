"""A stage page's facts, VIPERS components and answers are one form, saved together or not at all, and nothing typed
is lost when a save is refused; the moves a page offers (advance, close, go back) are exactly those the service
accepts; an outcome measure names an indicator of the catalogue."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from rocc.conftest import PASSWORD
from rocc.problems import services
from rocc.problems.models import CASE_MOVES, Case, CaseStatus, OutcomeMeasure, Stage, StageMove
from rocc.problems.tests.conftest import complete_stage
from rocc.testing import load_once


@pytest.fixture
def signed_in(db):
    def sign_in(user):
        client = Client()
        assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
        return client

    return sign_in


def _scan_questions(case):
    return list(case.question_bank.questions.filter(stage=Stage.SCAN, fact="").order_by("order"))


def test_one_save_on_the_scan_page_keeps_the_facts_and_the_answers_typed_together(signed_in, case, owner):
    first, second = _scan_questions(case)[:2]
    saved = signed_in(owner).post(
        f"/problems/cases/{case.pk}/scan/save/",
        {
            "stage-version": case.version,
            "s-harm_or_volume": "high_harm",
            "s-problem_kind": "crime",
            "s-problem_type": "Burglary of whānau homes",
            "s-communities_agree_problem": "yes",
            "s-communities_agree_drivers": "partly",
            f"a-q{first.pk}": "Repeat burglaries of the same homes.",
            f"a-q{second.pk}": "Analysis of 18 months of burglaries.",
        },
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert (case.harm_or_volume, case.problem_type, case.communities_agree_drivers) == ("high_harm", "Burglary of whānau homes", "partly")
    assert dict(case.answers.values_list("question_id", "text")) == {
        first.pk: "Repeat burglaries of the same homes.",
        second.pk: "Analysis of 18 months of burglaries.",
    }
    assert case.version == 2, "one save is one change of the case"


def test_a_refused_fact_saves_nothing_and_the_page_comes_back_with_everything_typed(signed_in, case, owner):
    first = _scan_questions(case)[0]
    refused = signed_in(owner).post(
        f"/problems/cases/{case.pk}/scan/save/",
        {
            "stage-version": case.version,
            "s-harm_or_volume": "enormous",
            "s-problem_type": "Burglary of whānau homes",
            "s-communities_agree_problem": "yes",
            "s-communities_agree_drivers": "yes",
            f"a-q{first.pk}": "Typed with care: repeat burglaries.",
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 400 and "Nothing was saved." in html
    assert "Typed with care: repeat burglaries." in html and 'value="Burglary of whānau homes"' in html
    case.refresh_from_db()
    assert case.version == 1 and case.problem_type == "" and not case.answers.exists()


def test_a_stale_save_is_refused_and_keeps_what_was_typed_on_the_page(signed_in, case, owner):
    first = _scan_questions(case)[0]
    services.case_update(actor=owner, case=case, version=1, problem_type="Someone else's change")
    refused = signed_in(owner).post(
        f"/problems/cases/{case.pk}/scan/save/",
        {
            "stage-version": 1,
            "s-communities_agree_problem": "yes",
            "s-communities_agree_drivers": "yes",
            f"a-q{first.pk}": "My answer, typed before the other change.",
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 409 and "changed since you opened it" in html and "My answer, typed before the other change." in html
    case.refresh_from_db()
    assert case.problem_type == "Someone else's change" and not case.answers.exists()


def test_the_service_saves_a_stage_all_or_nothing(case, owner):
    first = _scan_questions(case)[0]
    with pytest.raises(ValidationError) as refused:
        services.case_stage_save(
            actor=owner,
            case=case,
            version=1,
            stage=Stage.SCAN,
            changes={"problem_type": "Burglary", "time_pattern": "every full moon"},
            answers={first.pk: "An answer that must not be saved alone."},
        )
    assert set(refused.value.message_dict) == {"time_pattern"}
    case.refresh_from_db()
    assert case.problem_type == "" and not case.answers.exists() and case.version == 1


def test_the_nominate_page_saves_objectives_vipers_and_answers_in_one_go(signed_in, case, owner):
    for _ in range(2):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    assert case.stage == Stage.NOMINATE
    question = case.question_bank.questions.filter(stage=Stage.NOMINATE, fact="").first()
    saved = signed_in(owner).post(
        f"/problems/cases/{case.pk}/nominate/save/",
        {
            "stage-version": case.version,
            "s-objective_police": "Fewer repeat burglaries",
            "s-objective_community": "Whānau feel safe",
            "v-prevention": "Target hardening with the marae",
            "v-victims": "",
            f"a-q{question.pk}": "With the iwi liaison.",
        },
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.objective_community == "Whānau feel safe"
    assert dict(case.strategy_components.values_list("component", "description")) == {"prevention": "Target hardening with the marae"}
    assert case.answers.get(question=question).text == "With the iwi liaison."


class _Undo(Exception):
    pass


def accepted(write) -> bool:
    """Whether the service accepts ``write``; whatever it wrote is rolled back."""
    try:
        with transaction.atomic():
            write()
            raise _Undo
    except _Undo:
        return True
    except (ValidationError, PermissionDenied, services.GateClosed, services.CaseClosed, services.CaseChanged):
        return False


def _offers(client, case) -> dict[str, bool]:
    html = client.get(f"/problems/cases/{case.pk}/").content.decode()
    return {"advance": "/move/advance/" in html, "back": "/move/back/" in html}


def _service(owner, case) -> dict[str, bool]:
    def fresh():
        return Case.objects.get(pk=case.pk)

    return {
        "advance": accepted(lambda: services.case_advance(actor=owner, case=fresh(), version=case.version)),
        "back": accepted(lambda: services.case_back(actor=owner, case=fresh(), version=case.version, reason="Rethink.")),
    }


def test_every_move_a_case_page_offers_is_accepted_by_the_service_and_every_refused_one_is_not_offered(signed_in, case, owner):
    client = signed_in(owner)
    seen = []
    while True:
        case.refresh_from_db()
        assert _offers(client, case) == _service(owner, case), (case.stage, case.status, "gate closed")
        seen.append((case.stage, case.status, _offers(client, case)))
        if case.is_closed:
            break
        case = complete_stage(case, owner)
        assert _offers(client, case) == _service(owner, case), (case.stage, "gate open")
        assert _offers(client, case)["advance"]
        services.case_advance(actor=owner, case=case, version=case.version)
    assert seen[0] == (Stage.SCAN, CaseStatus.OPEN, {"advance": False, "back": False})
    assert seen[1] == (Stage.ANALYSE, CaseStatus.OPEN, {"advance": False, "back": True})
    assert seen[-1] == (Stage.ASSESS, CaseStatus.CLOSED, {"advance": False, "back": False})
    assert CASE_MOVES.get((CaseStatus.CLOSED, Stage.ASSESS)) is None


def test_the_stage_page_offers_the_advance_only_when_the_gate_is_open(signed_in, case, owner):
    client = signed_in(owner)
    closed_gate = client.get(f"/problems/cases/{case.pk}/scan/").content.decode()
    assert "Advance to the next stage" not in closed_gate and "Before the case can move on, it still needs" in closed_gate
    case = complete_stage(case, owner)
    assert "Advance to the next stage" in client.get(f"/problems/cases/{case.pk}/scan/").content.decode()


def test_a_reader_who_may_not_work_on_the_case_is_offered_no_move_and_no_save(signed_in, case, make_user):
    reader = make_user("tc_member", units=["waitemata"], username="reader")
    client = signed_in(reader)
    assert _offers(client, case) == {"advance": False, "back": False}
    assert "/scan/save/" not in client.get(f"/problems/cases/{case.pk}/scan/").content.decode()


@pytest.fixture
def catalogue(defaults):
    from rocc.measures.services import measures_defaults_load

    load_once(measures_defaults_load)
    from rocc.measures.models import Indicator

    return dict(Indicator.objects.values_list("code", "name"))


@pytest.fixture
def at_assess(case, owner):
    for _ in range(4):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    assert case.stage == Stage.ASSESS
    return case


def _measure(owner, case, code):
    return services.outcome_measure_add(actor=owner, case=case, description="Burglaries", before_target=120, after_target=80, indicator_code=code)


def test_an_outcome_measure_names_an_indicator_of_the_catalogue_or_none(catalogue, at_assess, owner):
    code = next(iter(catalogue))
    assert _measure(owner, at_assess, code).indicator_code == code
    assert _measure(owner, at_assess, "").indicator_code == ""
    with pytest.raises(ValidationError) as refused:
        _measure(owner, at_assess, "burglary-rate-typo")
    assert refused.value.message_dict == {
        "indicator_code": [
            "'burglary-rate-typo' is not an indicator in the catalogue: choose one of the indicators under Measures, or leave the indicator empty."
        ]
    }
    assert at_assess.outcome_measures.count() == 2


def test_the_outcome_form_offers_the_catalogue_and_a_code_outside_it_is_refused_on_the_page(signed_in, catalogue, at_assess, owner):
    client = signed_in(owner)
    page = client.get(f"/problems/cases/{at_assess.pk}/assess/")
    assert [value for value, _ in page.context["outcome_form"].fields["indicator_code"].choices] == ["", *catalogue]
    refused = client.post(
        f"/problems/cases/{at_assess.pk}/add/outcome/",
        {"o-description": "Burglaries", "o-indicator_code": "made-up", "o-before_target": "10", "o-after_target": "5"},
    )
    assert refused.status_code == 400 and not OutcomeMeasure.objects.filter(description="Burglaries", indicator_code="made-up").exists()


def test_an_outcome_measure_recorded_before_the_rule_with_a_code_outside_the_catalogue_stays_readable(signed_in, catalogue, at_assess, owner):
    known = next(iter(catalogue))
    OutcomeMeasure.objects.create(case=at_assess, description="Recorded earlier", indicator_code="FV.01", before_target=5, after_target=3)
    OutcomeMeasure.objects.create(case=at_assess, description="Linked earlier", indicator_code=known, before_target=5, after_target=3)
    client = signed_in(owner)
    for url in (f"/problems/cases/{at_assess.pk}/assess/", f"/problems/cases/{at_assess.pk}/print/"):
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200 and "FV.01: not in the indicator catalogue" in html, url
        assert f'href="/measures/indicators/{known}/"' in html, url


def test_the_moves_table_sends_a_case_forward_back_and_closed_from_assess_only():
    assert {stage: set(CASE_MOVES[(CaseStatus.OPEN, stage)]) for stage in Stage.values} == {
        "scan": {StageMove.Kind.ADVANCED},
        "analyse": {StageMove.Kind.ADVANCED, StageMove.Kind.BACK},
        "nominate": {StageMove.Kind.ADVANCED, StageMove.Kind.BACK},
        "deploy": {StageMove.Kind.ADVANCED, StageMove.Kind.BACK},
        "assess": {StageMove.Kind.CLOSED, StageMove.Kind.BACK},
    }
