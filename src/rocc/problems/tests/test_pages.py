"""The problem-solving pages: the board, opening a case, the stage pages with their forms and refusals,
printing and Excel exports, the library and revising the questions."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from rocc.conftest import PASSWORD
from rocc.problems import services
from rocc.problems.models import Case, QuestionBank
from rocc.problems.tests.conftest import complete_stage


@pytest.fixture
def signed_in(db):
    def sign_in(user):
        client = Client()
        assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
        return client

    return sign_in


def test_open_a_case_answer_on_the_stage_page_and_see_refusals_when_missing_or_stale(signed_in, bank, owner):
    client = signed_in(owner)
    page = client.get("/problems/")
    assert page.status_code == 200 and b"Open a case" in page.content
    response = client.post(
        "/problems/new/", {"title": "Family harm in Ranui", "description": "Repeat call-outs.", "scope_unit": owner.profile.units.first().pk, "owner": owner.pk}
    )
    case = Case.objects.get(title="Family harm in Ranui")
    assert response.status_code == 302 and response["Location"] == f"/problems/cases/{case.pk}/"
    detail = client.get(f"/problems/cases/{case.pk}/").content.decode()
    assert "Before the case can move on, it still needs" in detail and "Describe the nature of the problem" in detail

    refused = client.post(f"/problems/cases/{case.pk}/move/advance/", {"version": 1})
    assert refused.status_code == 400 and "Problem scan is not finished" in refused.content.decode()
    assert "question 2, “How do we understand the problem?" in refused.content.decode()

    stage = client.get(f"/problems/cases/{case.pk}/scan/").content.decode()
    assert "Scanning facts" in stage and "Is this causing panic?" in stage and "Engage early, be inclusive and think broadly." in stage
    first = case.question_bank.questions.get(order=1)
    saved = client.post(
        f"/problems/cases/{case.pk}/scan/save/",
        {
            "stage-version": 1,
            f"a-q{first.pk}": "Repeat family harm call-outs.",
            "s-communities_agree_problem": "unknown",
            "s-communities_agree_drivers": "unknown",
        },
    )
    assert saved.status_code == 302
    stale = client.post(
        f"/problems/cases/{case.pk}/scan/save/",
        {
            "stage-version": 1,
            "s-harm_or_volume": "high_harm",
            "s-communities_agree_problem": "yes",
            "s-communities_agree_drivers": "yes",
            f"a-q{first.pk}": "Repeat family harm call-outs.",
        },
    )
    assert stale.status_code == 409 and "changed since you opened it" in stale.content.decode()
    case.refresh_from_db()
    assert case.harm_or_volume == "" and case.answers.get().text == "Repeat family harm call-outs."

    upload = io.BytesIO(b"minutes")
    upload.name = "hui minutes.txt"
    added = client.post(
        f"/problems/cases/{case.pk}/scan/questions/{first.pk}/evidence/",
        {f"e{first.pk}-kind": "document", f"e{first.pk}-title": "Hui minutes", f"e{first.pk}-file": upload},
    )
    assert added.status_code == 302
    evidence = case.answers.get().evidence.get()
    download = client.get(f"/problems/cases/{case.pk}/evidence/{evidence.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"minutes"


def test_a_closed_case_prints_exports_appears_in_the_library_and_refuses_edits_on_its_pages(signed_in, case, owner, make_user):
    for _ in range(5):
        case = complete_stage(case, owner)
        if case.stage == "assess":
            services.community_figure_add(actor=owner, case=case, community="Māori", measure="Arrests", before=10, after=12)
            case.refresh_from_db()
        case = services.case_advance(actor=owner, case=case, version=case.version)
    client = signed_in(owner)
    refused = client.post(f"/problems/cases/{case.pk}/details/", {"g-version": case.version, "g-title": "Renamed", "g-owner": owner.pk})
    assert refused.status_code == 409 and "read-only and nothing was changed" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).title == "Burglaries around Henderson town centre"
    assert b"Save answers" not in client.get(f"/problems/cases/{case.pk}/analyse/").content

    printed = client.get(f"/problems/cases/{case.pk}/print/").content.decode()
    assert "print.css" in printed and "Weighted Displacement Difference" in printed and "Target hardening" in printed
    assert "Has the initiative produced any unintended and/or disproportionate impact(s) on specific communities?" in printed

    workbook = load_workbook(io.BytesIO(client.get(f"/problems/cases/{case.pk}/export.xlsx").content))
    assert workbook.sheetnames == ["Case", "Questions", "Strategy", "Lead measures", "Milestones", "Reviews", "Outcomes", "By community", "History"]
    assert workbook["Case"]["B2"].value == "Burglaries around Henderson town centre"
    assert workbook["Outcomes"]["I2"].value == pytest.approx(-28.0)
    assert [r[1] for r in workbook["History"].iter_rows(min_row=2, values_only=True)][-1] == "Closed"
    assert workbook["By community"]["B2"].value == "Māori"
    assert len(list(workbook["Questions"].iter_rows(min_row=2))) == 44

    board = load_workbook(io.BytesIO(client.get("/problems/?format=xlsx").content))
    assert board["Cases"].max_row == 1  # only open cases are on the board

    reader = signed_in(make_user("viewer", units=["canterbury"]))
    library = reader.get("/problems/library/?q=whanau").content.decode()
    assert "Target hardening with the marae" in library and f'href="/problems/cases/{case.pk}/"' not in library
    assert reader.get(f"/problems/cases/{case.pk}/").status_code == 404


def test_an_administrator_publishes_a_new_version_of_the_questions_from_the_page(signed_in, bank, make_user):
    admin = make_user("administrator", username="admin-page")
    client = signed_in(admin)
    page = client.get("/problems/questions/revise/")
    formset = page.context["formset"]
    data = {
        "note": "Add a question on harm to tamariki",
        "form-TOTAL_FORMS": str(len(formset.forms)),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, form in enumerate(formset.forms):
        for name in ("stage", "text", "fact"):
            data[f"form-{i}-{name}"] = form.initial.get(name, "") or ""
        if form.initial.get("required"):
            data[f"form-{i}-required"] = "on"
    extra = formset.initial_form_count()
    data.update({f"form-{extra}-stage": "scan", f"form-{extra}-text": "Are tamariki harmed by this problem?", f"form-{extra}-required": "on"})
    response = client.post("/problems/questions/revise/", data)
    assert response.status_code == 302
    current = QuestionBank.objects.get(is_current=True)
    assert current.version == 2 and current.questions.count() == 45
    assert current.questions.filter(text="Are tamariki harmed by this problem?", required=True).exists()
    assert signed_in(make_user("programme_manager")).get("/problems/questions/revise/").status_code == 403
