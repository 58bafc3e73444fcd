"""Evidence a case carried with it from its product or report is cited under an Analyse question as evidence attached
there directly is: the same question rules, only by who may see the analysis, and once cited it sits under the answer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rocc.analysis_pages.models import SavedAnalysis
from rocc.org.models import OrgUnit
from rocc.problems import services
from rocc.problems.models import Evidence, Stage
from rocc.problems.tests.conftest import complete_stage


def patterns_question(case):
    return case.question_bank.questions.get(stage=Stage.ANALYSE, text__startswith="Are there patterns in who is victimised")


@pytest.fixture
def analyst(make_user):
    return make_user("analyst", units=["waitemata"], username="carried-analyst")


@pytest.fixture
def carried(case, owner, analyst):
    """The case at Analyse, with two saved analyses it carried from a product: one its analyst may see, and one of
    Canterbury that they may not."""
    case = complete_stage(case, owner)
    case = services.case_advance(actor=owner, case=case, version=case.version)
    assert case.stage == Stage.ANALYSE

    def saved(title, unit):
        return SavedAnalysis.objects.create(kind="hot_times", title=title, scope_unit=OrgUnit.objects.get(code=unit), source="events", created_by=analyst)

    seen = Evidence.objects.create(
        case=case, kind="analysis", analysis=saved("Henderson burglary hot times", "waitemata"), carried_from="IP-2026-001", added_by=analyst
    )
    unseen = Evidence.objects.create(
        case=case, kind="analysis", analysis=saved("Christchurch hot times", "canterbury"), carried_from="IP-2026-001", added_by=analyst
    )
    return case, seen, unseen


def test_carried_evidence_is_cited_under_an_analyse_question_and_leaves_the_carried_list(carried, analyst):
    case, seen, _ = carried
    question = patterns_question(case)
    with pytest.raises(ValidationError, match="Answer the question first"):
        services.evidence_cite(actor=analyst, case=case, evidence_id=seen.pk, question=question)
    case.refresh_from_db()
    services.answer_save(actor=analyst, case=case, question=question, text="Burglary peaks on weekday afternoons.", version=case.version)
    services.evidence_cite(actor=analyst, case=case, evidence_id=seen.pk, question=question)
    seen.refresh_from_db()
    assert (seen.answer.question, seen.carried_from) == (question, "IP-2026-001")
    # Cited once: it is no longer carried, so citing it again is refused and changes nothing.
    with pytest.raises(ValidationError) as error:
        services.evidence_cite(actor=analyst, case=case, evidence_id=seen.pk, question=question)
    assert "evidence" in error.value.message_dict


def test_evidence_the_user_may_not_see_or_of_another_case_or_stage_cannot_be_cited(carried, analyst, owner, bank):
    case, seen, unseen = carried
    question = patterns_question(case)
    case.refresh_from_db()
    services.answer_save(actor=analyst, case=case, question=question, text="Answered.", version=case.version)
    with pytest.raises(ValidationError) as error:
        services.evidence_cite(actor=analyst, case=case, evidence_id=unseen.pk, question=question)
    assert "evidence" in error.value.message_dict
    later = case.question_bank.questions.filter(stage=Stage.ASSESS).first()
    with pytest.raises(ValidationError, match="not reached yet"):
        services.evidence_cite(actor=analyst, case=case, evidence_id=seen.pk, question=later)
    other = services.case_open(actor=owner, title="Another", description="", scope_unit=OrgUnit.objects.get(code="waitemata"), owner=owner)
    with pytest.raises(ValidationError):
        services.evidence_cite(actor=analyst, case=other, evidence_id=seen.pk, question=other.question_bank.questions.filter(stage=Stage.SCAN).first())
    assert Evidence.objects.filter(answer__isnull=False).count() == 0


def test_the_analyse_page_offers_the_carried_evidence_under_each_answer_and_cites_it(carried, analyst):
    case, seen, unseen = carried
    question = patterns_question(case)
    case.refresh_from_db()
    services.answer_save(actor=analyst, case=case, question=question, text="Answered.", version=case.version)
    client = Client()
    client.force_login(analyst)
    html = client.get(f"/problems/cases/{case.pk}/analyse/").content.decode()
    assert f'action="/problems/cases/{case.pk}/analyse/questions/{question.pk}/cite/"' in html
    assert "Henderson burglary hot times (came with IP-2026-001)" in html and "Christchurch" not in html
    response = client.post(f"/problems/cases/{case.pk}/analyse/questions/{question.pk}/cite/", {"evidence": seen.pk})
    assert response.status_code == 302
    seen.refresh_from_db()
    assert seen.answer.question == question
    html = client.get(f"/problems/cases/{case.pk}/analyse/").content.decode()
    assert f'href="/analyses/saved/{seen.analysis_id}/"' in html and "/cite/" not in html
