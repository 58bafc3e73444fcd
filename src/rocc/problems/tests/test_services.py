"""Problem-solving cases through their services: the shipped questions, stage gates, history, stale versions,
closed cases, the versioned question bank, evidence, assessment figures, the board and the library."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rocc.analysis.displacement import weighted_displacement_difference, weighted_displacement_quotient
from rocc.org.models import Agency, OrgUnit, Population
from rocc.problems import exports, selectors, services
from rocc.problems.models import Answer, Case, Evidence, Question, QuestionBank, StageMove
from rocc.problems.tests.conftest import complete_stage


def _to_assess(case, actor):
    for _ in range(4):
        case = complete_stage(case, actor)
        case = services.case_advance(actor=actor, case=case, version=case.version)
    return case


def test_the_shipped_questions_are_the_seeds_five_stages_word_for_word_and_load_once(bank):
    texts = {
        stage: list(bank.questions.filter(stage=stage).order_by("order").values_list("text", flat=True))
        for stage in ("scan", "analyse", "nominate", "deploy", "assess")
    }
    assert [len(texts[s]) for s in texts] == [9, 8, 11, 10, 6]
    assert "Is this a high harm or high volume problem?" in texts["scan"]
    assert (
        "Do our communities and iwi agree that this is a problem? Do our communities and iwi agree on the definition and "
        "drivers of the problem as we and our partners see it?"
    ) in texts["scan"]
    assert "What is the cultural impact of our planned approach?" in texts["nominate"]
    assert "Do we need to change tack (e.g. displacement, times, locations)?" in texts["deploy"]
    assert "Has the initiative produced any unintended and/or disproportionate impact(s) on specific communities?" in texts["assess"]
    assert texts["assess"][-1].endswith("used elsewhere in Aotearoa New Zealand?")
    assert "Have we considered the impact of our views, choices and approach on our communities and for Māori?" in texts["analyse"]
    assert "engage early, be inclusive and think broadly" in bank.purposes["scan"].lower()
    assert "VIPERS" in bank.purposes["nominate"]
    again = services.problems_defaults_load()
    assert again.created is False and QuestionBank.objects.count() == 1 and Question.objects.count() == 44


def test_advancing_with_required_answers_missing_is_refused_listing_each_one_and_nothing_moves(case, owner):
    with pytest.raises(services.GateClosed) as refused:
        services.case_advance(actor=owner, case=case, version=case.version)
    missing = refused.value.missing
    assert len(missing) == 8  # "Is this causing panic?" is optional
    assert missing[0] == "question 1, “Describe the nature of the problem and the harm that it causes.”, is not answered"
    assert any("high harm or high volume" in m and "scanning facts" in m for m in missing)
    assert "Problem scan is not finished" in refused.value.message
    case.refresh_from_db()
    assert case.stage == "scan" and case.version == 1 and case.moves.count() == 1

    case = services.case_update(actor=owner, case=case, version=case.version, harm_or_volume="high_volume")
    with pytest.raises(services.GateClosed) as still:
        services.case_advance(actor=owner, case=case, version=case.version)
    assert len(still.value.missing) == 7


def test_a_case_goes_from_scan_to_assessed_and_every_move_is_in_its_history(case, owner):
    case = _to_assess(case, owner)
    assert case.stage == "assess" and case.deployed_on == dt.date.today()
    case = complete_stage(case, owner)
    case = services.case_advance(actor=owner, case=case, version=case.version)
    assert case.status == "closed" and case.closed_at is not None
    moves = list(case.moves.values_list("kind", "from_stage", "to_stage"))
    assert moves == [
        ("opened", "", "scan"),
        ("advanced", "scan", "analyse"),
        ("advanced", "analyse", "nominate"),
        ("advanced", "nominate", "deploy"),
        ("advanced", "deploy", "assess"),
        ("closed", "assess", "assess"),
    ]


def test_nominate_needs_a_vipers_component_and_assess_needs_an_outcome_measure(case, owner):
    for _ in range(2):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    assert case.stage == "nominate"
    case = services.case_update(
        actor=owner, case=case, version=case.version, objective_police="a", objective_community="b", success_looks_like="c", cultural_impact="d"
    )
    services.lead_measure_add(actor=owner, case=case, description="Visits", monitored_by="Sergeant")
    case.refresh_from_db()
    answers = {q.pk: "yes" for q in case.question_bank.questions.filter(stage="nominate", fact="")}
    case = services.answers_save(actor=owner, case=case, answers=answers, version=case.version)
    assert selectors.stage_missing(case) == ["the strategy has no VIPERS component yet (Victims, Intelligence, Prevention, Enforcement, Reassurance, Support)"]
    services.strategy_set(actor=owner, case=case, components={"reassurance": "Foot patrols at the shops", "support": ""})
    assert selectors.stage_missing(case) == []
    assert list(case.strategy_components.values_list("component", flat=True)) == ["reassurance"]


def test_going_back_needs_a_reason_which_the_history_keeps(case, owner):
    case = complete_stage(case, owner)
    case = services.case_advance(actor=owner, case=case, version=case.version)
    with pytest.raises(ValidationError) as no_reason:
        services.case_back(actor=owner, case=case, version=case.version, reason="  ")
    assert "reason" in no_reason.value.message_dict
    case = services.case_back(actor=owner, case=case, version=case.version, reason="Iwi do not agree on the drivers yet")
    assert case.stage == "scan"
    back = case.moves.get(kind=StageMove.Kind.BACK)
    assert (back.from_stage, back.to_stage, back.reason, back.moved_by) == ("analyse", "scan", "Iwi do not agree on the drivers yet", owner)
    with pytest.raises(ValidationError, match="first stage"):
        services.case_back(actor=owner, case=case, version=case.version, reason="Again")


def test_two_people_moving_the_same_case_the_second_is_refused_as_changed_since_opened(case, owner, make_user):
    case = complete_stage(case, owner)
    coordinator = make_user("programme_manager", username="kahu")
    seen = case.version
    services.case_advance(actor=coordinator, case=case, version=seen)
    with pytest.raises(services.CaseChanged) as stale:
        services.case_advance(actor=owner, case=case, version=seen)
    assert "changed since you opened it (by kahu at" in stale.value.message
    case.refresh_from_db()
    assert case.stage == "analyse" and case.moves.filter(kind="advanced").count() == 1
    with pytest.raises(services.CaseChanged):
        services.answer_save(
            actor=owner, case=case, question=case.question_bank.questions.get(stage="analyse", order=101), text="From an old copy", version=seen
        )
    assert not Answer.objects.filter(case=case, question__stage="analyse").exists()


def test_a_closed_case_refuses_every_edit_with_a_message_and_changes_nothing(case, owner):
    case = _to_assess(case, owner)
    case = complete_stage(case, owner)
    case = services.case_advance(actor=owner, case=case, version=case.version)
    version, question = case.version, case.question_bank.questions.get(stage="assess", order=401)
    attempts = [
        lambda: services.case_update(actor=owner, case=case, version=version, title="Renamed"),
        lambda: services.answer_save(actor=owner, case=case, question=question, text="Changed", version=version),
        lambda: services.case_back(actor=owner, case=case, version=version, reason="Reopen"),
        lambda: services.case_advance(actor=owner, case=case, version=version),
        lambda: services.outcome_measure_add(actor=owner, case=case, description="x", before_target=1, after_target=1),
        lambda: services.evidence_add(actor=owner, case=case, question=question, kind="indicator", indicator_code="FV-01"),
    ]
    for attempt in attempts:
        with pytest.raises(services.CaseClosed, match="read-only and nothing was changed"):
            attempt()
    case.refresh_from_db()
    assert case.title == "Burglaries around Henderson town centre" and case.version == version and case.status == "closed"


def test_revising_the_question_bank_leaves_open_cases_on_the_version_they_were_opened_under(case, owner, make_user):
    admin = make_user("administrator", username="admin-q")
    specs = [services.QuestionSpec(stage=q.stage, text=q.text, required=q.required, fact=q.fact) for q in case.question_bank.questions.order_by("order")]
    specs[0] = services.QuestionSpec(stage="scan", text="Describe the problem, the harm and who bears it.")
    with pytest.raises(PermissionDenied):
        services.question_bank_revise(actor=owner, questions=specs, note="x")
    with pytest.raises(ValidationError) as bad:
        services.question_bank_revise(actor=admin, questions=[s for s in specs if s.stage != "deploy"], note="Drop deploy")
    assert "Deploy has no questions" in str(bad.value)
    new = services.question_bank_revise(actor=admin, questions=specs, note="Clearer first question")
    assert new.version == 2 and new.is_current and not QuestionBank.objects.get(version=1).is_current
    later = services.case_open(actor=owner, title="Later", description="", scope_unit=case.scope_unit, owner=owner)
    case.refresh_from_db()
    assert case.question_bank.version == 1 and later.question_bank.version == 2
    assert selectors.stage_missing(case)[0].startswith("question 1, “Describe the nature of the problem")
    assert selectors.stage_missing(later)[0].startswith("question 1, “Describe the problem, the harm and who bears it.”")
    with pytest.raises(ValidationError, match="another version"):
        services.answer_save(actor=owner, case=case, question=new.questions.get(order=1), text="x", version=case.version)


def test_evidence_of_each_kind_is_checked_and_an_uploaded_document_lands_in_the_data_directory(case, owner, settings, tmp_path):
    settings.ROCC_DATA_DIR = tmp_path
    question = case.question_bank.questions.get(stage="scan", order=3)
    with pytest.raises(ValidationError, match="Answer the question first"):
        services.evidence_add(actor=owner, case=case, question=question, kind="indicator", indicator_code="X1")
    case.refresh_from_db()
    services.answer_save(actor=owner, case=case, question=question, text="Yes: the marae hui said so.", version=case.version)
    engagement = services.evidence_add(
        actor=owner,
        case=case,
        question=question,
        kind="engagement",
        engaged_who="Te Whānau o Waipareira",
        engaged_how="Hui at the marae",
        engaged_said="Burglary is the top worry",
        engaged_on=dt.date(2024, 5, 2),
    )
    document = services.evidence_add(
        actor=owner, case=case, question=question, kind="document", title="Hui notes", upload=("hui notes (May).pdf", b"%PDF-1.4 notes")
    )
    linked = services.evidence_add(actor=owner, case=case, question=question, kind="document", title="Council report", url="https://example.org/report")
    indicator = services.evidence_add(actor=owner, case=case, question=question, kind="indicator", indicator_code="burglary-rate")
    assert services.document_path(document).read_bytes() == b"%PDF-1.4 notes"
    assert document.file_path.startswith("problems/documents/") and document.file_path.endswith("-hui-notes-May-.pdf")
    assert (engagement.engaged_who, linked.url, indicator.indicator_code) == ("Te Whānau o Waipareira", "https://example.org/report", "burglary-rate")
    refusals = {
        "engaged_on": dict(kind="engagement", engaged_who="x", engaged_how="y", engaged_said="z"),
        "url": dict(kind="document", title="Both", url="https://example.org", upload=("a.txt", b"a")),
        "indicator_code": dict(kind="indicator", indicator_code="bad code!"),
        "analysis": dict(kind="analysis"),
        "kind": dict(kind="rumour"),
    }
    for field, values in refusals.items():
        with pytest.raises(ValidationError) as error:
            services.evidence_add(actor=owner, case=case, question=question, **values)
        assert field in error.value.message_dict, field
    assert Evidence.objects.count() == 4


def test_an_outcome_measure_is_compared_with_the_comparison_area_by_the_displacement_library(case, owner):
    case = _to_assess(case, owner)
    measure = services.outcome_measure_add(
        actor=owner,
        case=case,
        description="Burglaries",
        before_target=120,
        after_target=80,
        before_comparison=100,
        after_comparison=95,
        before_buffer=60,
        after_buffer=62,
    )
    wdd = weighted_displacement_difference(target_before=120, target_after=80, control_before=100, control_after=95, buffer_before=60, buffer_after=62)
    wdq = weighted_displacement_quotient(target_before=120, target_after=80, buffer_before=60, buffer_after=62, control_before=100, control_after=95)
    assert measure.result["wdd"]["estimate"] == pytest.approx(wdd.estimate) == pytest.approx(-28.0)
    assert measure.result["wdq"]["wdq"] == pytest.approx(wdq.wdq)
    assert measure.result["target"]["percent"] == pytest.approx(-100 / 3)
    alone = services.outcome_measure_add(actor=owner, case=case, description="Calls", before_target=10, after_target=5)
    assert alone.result["wdd"] is None and "No comparison area" in alone.result["notes"][0]
    with pytest.raises(ValidationError) as half:
        services.outcome_measure_add(actor=owner, case=case, description="x", before_target=1, after_target=1, before_comparison=3)
    assert "after_comparison" in half.value.message_dict
    with pytest.raises(ValidationError, match="not a count"):
        services.outcome_measure_add(actor=owner, case=case, description="x", before_target=-1, after_target=1)
    assert case.outcome_measures.count() == 2


def test_figures_by_community_give_shares_rates_from_known_populations_and_flag_a_rising_share(case, owner):
    case = _to_assess(case, owner)
    Population.objects.create(
        unit=case.scope_unit, period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31), ethnicity="Māori", value=20000, source="test"
    )
    services.community_figure_add(actor=owner, case=case, community="Maori", measure="Stop and search", before=20, after=40)
    services.community_figure_add(actor=owner, case=case, community="European", measure="Stop and search", before=80, after=60, population=100000)
    rows = {r.community: r for r in exports.community_rows(case, user=owner)}
    assert rows["Maori"].population == 20000 and rows["Maori"].rate_after == pytest.approx(20.0)
    assert rows["Maori"].share_before == pytest.approx(20.0) and rows["Maori"].share_after == pytest.approx(40.0)
    assert rows["Maori"].flagged and not rows["European"].flagged
    with pytest.raises(ValidationError, match="already a figure"):
        services.community_figure_add(actor=owner, case=case, community="European", measure="Stop and search", before=1, after=1)


def test_opening_a_case_checks_the_unit_and_the_owner(bank, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    viewer = make_user("viewer", units=["waitemata"])
    elsewhere = make_user("regional_coordinator", units=["canterbury"])
    waitemata, canterbury = OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="canterbury")
    with pytest.raises(PermissionDenied):
        services.case_open(actor=viewer, title="x", description="", scope_unit=waitemata, owner=viewer)
    with pytest.raises(PermissionDenied):
        services.case_open(actor=analyst, title="x", description="", scope_unit=canterbury, owner=analyst)
    with pytest.raises(ValidationError) as owner_elsewhere:
        services.case_open(actor=analyst, title="Ram raids", description="", scope_unit=waitemata, owner=elsewhere)
    assert "owner" in owner_elsewhere.value.message_dict
    with pytest.raises(ValidationError, match="title"):
        services.case_open(actor=analyst, title=" ", description="", scope_unit=waitemata, owner=analyst)
    assert Case.objects.count() == 0
    opened = services.case_open(actor=analyst, title="Ram raids", description="", scope_unit=waitemata, owner=analyst)
    assert (opened.stage, opened.status, opened.version, opened.source_report) == ("scan", "open", 1, None)


def test_the_board_groups_by_district_and_stage_and_flags_overdue_reviews(case, owner, make_user):
    north_shore = OrgUnit.objects.get(code="north-shore")
    other = services.case_open(actor=owner, title="Crashes on the motorway", description="", scope_unit=north_shore, owner=owner)
    services.case_update(actor=owner, case=other, version=other.version, harm_or_volume="high_volume")
    for _ in range(3):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    case = services.case_update(actor=owner, case=case, version=case.version, review_cycle="weekly")
    board = selectors.case_board(user=owner)
    assert [row.label for row in board.rows] == ["Waitematā"] and board.stage_counts() == [1, 0, 0, 1, 0]
    assert not any(item.review_overdue for item in board.cases)
    assert board.cases[0].review_due == dt.date.today() + dt.timedelta(days=7)
    Case.objects.filter(pk=case.pk).update(deployed_on=dt.date.today() - dt.timedelta(days=10))  # deployed ten days ago
    flagged = selectors.case_board(user=owner, overdue=True)
    assert [item.case.title for item in flagged.cases] == [case.title]
    assert flagged.cases[0].review_due == dt.date.today() - dt.timedelta(days=3)
    services.review_record(actor=owner, case=case, held_on=dt.date.today(), notes="On track", change_of_tack="Move patrols to 3–6pm")
    assert selectors.case_board(user=owner, overdue=True).cases == []
    assert [c.case.title for c in selectors.case_board(user=owner, harm="high_volume").cases] == ["Crashes on the motorway"]
    assert selectors.case_board(user=make_user("analyst", units=["canterbury"])).cases == []


def test_closed_cases_form_a_library_searched_with_or_without_macrons(case, owner, make_user):
    case = services.case_update(actor=owner, case=case, version=case.version, partner_agencies=[Agency.objects.get(short_name="MSD")])
    case = _to_assess(case, owner)
    case = complete_stage(case, owner)
    case = services.case_advance(actor=owner, case=case, version=case.version)
    services.case_open(actor=owner, title="Open case about whānau", description="", scope_unit=case.scope_unit, owner=owner)
    elsewhere = make_user("analyst", units=["canterbury"])
    for query in ("whanau", "Whānau", "target hardening marae", "waitemata"):
        assert [c.pk for c in selectors.case_library(user=elsewhere, query=query)] == [case.pk], query
    assert list(selectors.case_library(user=elsewhere, query="ram raids")) == []
    assert list(selectors.case_library(user=make_user("provider_reporter", agency="MSD"))) == []
