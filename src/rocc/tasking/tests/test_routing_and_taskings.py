"""Products, reports, routing in the three directions, taskings and meetings: the rules, and bad input refused whole."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rocc.org.models import NationalGroup
from rocc.tasking.models import InsightsProduct, InsightsReport, Minute, RoutingDecision, Tasking, TaskingUpdate
from rocc.tasking.selectors.meetings import meeting_agenda
from rocc.tasking.selectors.taskings import overdue_taskings, tasking_get
from rocc.tasking.services.common import RecordChanged
from rocc.tasking.services.defaults import tasking_defaults_load
from rocc.tasking.services.meetings import meeting_create, minute_record
from rocc.tasking.services.products import product_receive
from rocc.tasking.services.reports import report_close, report_compile, report_route
from rocc.tasking.services.taskings import tasking_create, tasking_update

TODAY = dt.date.today()
NEXT_WEEK = TODAY + dt.timedelta(days=7)


def _messages(error: ValidationError) -> dict:
    return {field: " ".join(texts) for field, texts in error.message_dict.items()}


def test_the_shipped_forums_are_the_strategys_and_each_district_has_its_own_t_and_c(tasking, forum):
    from rocc.tasking.models import Forum

    national = list(Forum.objects.filter(scope_unit__level="national").values_list("short_name", flat=True))
    assert national == ["OCCC", "Pre T&C", "Strategic T&C", "ROCC DCE", "TNOC DCE"]
    assert Forum.objects.filter(kind="district_tc").count() == 12
    assert forum("waitemata-tc").name == "Waitematā District T&C"
    assert tasking.forums == 17 and tasking_defaults_load() == tasking  # loading again changes nothing


def test_a_national_groups_product_comes_from_its_group_and_a_district_product_names_its_district(people, make_product):
    nocg = make_product(actor=people["occc"], kind="nocg", title="Cross-border methamphetamine route")
    assert nocg.source_group.code == "nocg" and nocg.source_unit is None
    plo = make_product(actor=people["occc"], kind="plo_network", title="Offshore precursor supplier")
    assert plo.source_group.code == "international-services"
    with pytest.raises(ValidationError) as refused:
        make_product(actor=people["occc"], kind="fcg", source_group=NationalGroup.objects.get(code="nocg"))
    assert "comes from Financial Crime Group, not National Organised Crime Group" in _messages(refused.value)["source_group"]
    with pytest.raises(ValidationError) as refused:
        make_product(source_unit=None)
    assert "names the district" in _messages(refused.value)["source_unit"]


def test_a_product_with_every_field_wrong_is_refused_with_every_problem_and_nothing_saved(people, unit):
    with pytest.raises(ValidationError) as refused:
        product_receive(
            actor=people["waitemata_analyst"],
            kind="district_insights",
            title=" ",
            summary="",
            handling_caveat="",
            product_date=TODAY + dt.timedelta(days=1),
            source_unit=unit("waitemata"),
        )
    problems = _messages(refused.value)
    assert set(problems) == {"title", "summary", "handling_caveat", "product_date"}
    assert problems["handling_caveat"] == "State the handling caveat (how the product may be handled and shared)."
    assert problems["product_date"] == "A product cannot be dated in the future."
    assert InsightsProduct.objects.count() == 0


def test_an_analyst_records_products_only_for_their_own_district(people, make_product):
    with pytest.raises(PermissionDenied):
        make_product(actor=people["waitemata_analyst"], district="canterbury")
    assert make_product(actor=people["waitemata_analyst"], district="north-shore").source_unit.code == "north-shore"


def test_only_the_occc_compiles_reports_and_a_report_needs_a_product(people, make_product):
    product = make_product()
    with pytest.raises(PermissionDenied):
        report_compile(actor=people["waitemata_tc"], title="x", summary="y", products=[product])
    with pytest.raises(ValidationError) as refused:
        report_compile(actor=people["occc"], title="Gang recruitment", summary="Seen in schools.", products=[])
    assert _messages(refused.value) == {"products": "Compile the report from at least one insights product."}


def test_a_routing_without_a_rationale_is_refused_and_nothing_changes(people, make_report, unit):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        report_route(actor=people["occc"], report=report, version=report.version, direction="district", district=unit("waitemata"), rationale="  ")
    assert _messages(refused.value) == {"rationale": "Give the rationale for this routing: it is required."}
    report.refresh_from_db()
    assert report.status == "new" and report.version == 1 and RoutingDecision.objects.count() == 0


def test_the_database_itself_refuses_a_routing_without_a_rationale(people, make_report, forum):
    from django.db import IntegrityError, transaction

    report = make_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingDecision.objects.create(
            report=report, direction="national", to_forum=forum("pre-tc"), rationale="", decided_by=people["occc"], decided_at=report.compiled_at
        )


def test_a_district_specific_report_goes_back_to_the_named_district(people, make_report, unit):
    report = make_report()
    decision = report_route(
        actor=people["occc"], report=report, version=1, direction="district", district=unit("waitemata"), rationale="Local supply; local levers."
    )
    assert decision.to_forum.code == "waitemata-tc" and decision.from_forum is None and decision.decided_by == people["occc"]
    assert report.status == "routed" and report.current_forum.scope_unit.code == "waitemata" and report.version == 2
    with pytest.raises(ValidationError) as refused:
        report_route(actor=people["occc"], report=report, version=2, direction="district", district=unit("north-shore"), rationale="x")
    assert "North Shore is not a district" in _messages(refused.value)["district"]


def test_a_national_issue_goes_to_pre_t_and_c_and_only_from_there_on_to_strategic_t_and_c(people, make_report, forum):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        report_route(actor=people["occc"], report=report, version=1, direction="national", to_forum=forum("strategic-tc"), rationale="Big.")
    assert _messages(refused.value) == {"to_forum": "A report goes on to Strategic T&C from Pre T&C: route it to Pre T&C first."}
    first = report_route(actor=people["occc"], report=report, version=1, direction="national", rationale="Crosses three districts.")
    assert first.to_forum.code == "pre-tc"
    second = report_route(
        actor=people["occc"], report=report, version=2, direction="national", to_forum=forum("strategic-tc"), rationale="Needs national resourcing."
    )
    assert second.from_forum.code == "pre-tc" and second.to_forum.code == "strategic-tc"
    assert [d.to_forum.code for d in report.routing_decisions.all()] == ["pre-tc", "strategic-tc"]


def test_a_multi_agency_response_goes_to_the_rocc_or_tnoc_dce_group(people, make_report, forum):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        report_route(actor=people["occc"], report=report, version=1, direction="multi_agency", to_forum=forum("pre-tc"), rationale="x")
    assert "ROCC DCE group or the TNOC DCE group" in _messages(refused.value)["to_forum"]
    decision = report_route(
        actor=people["occc"], report=report, version=1, direction="multi_agency", to_forum=forum("tnoc-dce"), rationale="Offshore supply: Customs and partners."
    )
    assert decision.to_forum.short_name == "TNOC DCE"


def test_two_people_routing_the_same_report_at_once_the_second_is_refused(people, make_report, unit, forum):
    report = make_report()
    seen_by_second = InsightsReport.objects.get(pk=report.pk)
    report_route(actor=people["occc"], report=report, version=1, direction="national", rationale="National.")
    with pytest.raises(RecordChanged) as changed:
        report_route(
            actor=people["manager"], report=seen_by_second, version=seen_by_second.version, direction="district", district=unit("waitemata"), rationale="Local."
        )
    assert "This report changed since you opened it (by occc-chair at" in changed.value.message
    assert RoutingDecision.objects.count() == 1


def test_pre_t_and_c_attendees_route_on_what_sits_with_them_but_not_new_reports(people, make_report, forum):
    report = make_report()
    attendee = people["canterbury_tc"]
    forum("pre-tc").members.add(attendee)
    with pytest.raises(PermissionDenied):
        report_route(actor=attendee, report=report, version=1, direction="national", rationale="x")
    report_route(actor=people["occc"], report=report, version=1, direction="national", rationale="National.")
    report_route(actor=attendee, report=report, version=2, direction="national", to_forum=forum("strategic-tc"), rationale="Escalate.")
    assert report.current_forum.code == "strategic-tc"


def test_a_tasking_without_an_owner_or_due_date_is_refused_saying_what_is_missing(people, make_report, unit):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        tasking_create(
            actor=people["occc"],
            title="Disrupt supply",
            description="Target the address.",
            owner=None,
            due_date=None,
            tasked_unit=unit("waitemata"),
            report=report,
        )
    assert _messages(refused.value) == {
        "owner": "Name the owner: a tasking without an owner is refused.",
        "due_date": "Give the due date: a tasking without one is refused.",
    }
    assert Tasking.objects.count() == 0 and TaskingUpdate.objects.count() == 0


def test_a_tasking_goes_to_exactly_one_district_or_group_owned_by_someone_there(people, unit):
    base = {"actor": people["occc"], "title": "Financial profile", "description": "Profile the group's assets.", "due_date": NEXT_WEEK}
    with pytest.raises(ValidationError) as refused:
        tasking_create(**base, owner=people["occc"], tasked_unit=unit("waitemata"), tasked_group=NationalGroup.objects.get(code="fcg"))
    assert "exactly one" in _messages(refused.value)["tasked_to"]
    with pytest.raises(ValidationError) as refused:
        tasking_create(**base, owner=people["canterbury_analyst"], tasked_unit=unit("waitemata"))
    assert _messages(refused.value) == {"owner": "canterbury-analyst does not work in Waitematā: choose an owner there."}
    fcg = NationalGroup.objects.get(code="fcg")
    with pytest.raises(ValidationError):
        tasking_create(**base, owner=people["waitemata_analyst"], tasked_group=fcg)
    people["waitemata_analyst"].profile.groups.add(fcg)
    tasked = tasking_create(**base, owner=people["waitemata_analyst"], tasked_group=fcg)
    assert tasked.tasked_to == fcg and tasked.updates.get().note.startswith("Tasked to Financial Crime Group, owner waitemata-analyst")
    assert tasking_get(user=people["waitemata_analyst"], pk=tasked.pk) == tasked


def test_a_tasking_is_completed_with_its_result_and_then_stays_as_it_is(people, unit):
    tasking = tasking_create(
        actor=people["occc"],
        title="Visit whānau",
        description="Prevention visits.",
        owner=people["waitemata_tc"],
        due_date=NEXT_WEEK,
        tasked_unit=unit("waitemata"),
    )
    with pytest.raises(ValidationError) as refused:
        tasking_update(actor=people["waitemata_tc"], tasking=tasking, version=1, status="completed", note="Done.")
    assert _messages(refused.value) == {"result": "Record the result: a tasking is completed with its result."}
    tasking_update(actor=people["waitemata_tc"], tasking=tasking, version=1, status="completed", note="Done.", result="Eight whānau visited; three referrals.")
    assert tasking.status == "completed" and tasking.completed_at is not None and tasking.version == 2
    with pytest.raises(ValidationError) as refused:
        tasking_update(actor=people["waitemata_tc"], tasking=tasking, version=2, status="open", note="Reopen.")
    assert _messages(refused.value) == {"status": "This tasking is completed; it is not changed any more."}


def test_overdue_taskings_are_flagged_until_completed(people, unit):
    tasking = tasking_create(
        actor=people["occc"], title="Search warrant", description="Execute it.", owner=people["waitemata_tc"], due_date=NEXT_WEEK, tasked_unit=unit("waitemata")
    )
    assert list(overdue_taskings(user=people["occc"])) == []
    later = NEXT_WEEK + dt.timedelta(days=1)
    assert list(overdue_taskings(user=people["occc"], today=later)) == [tasking] and tasking.is_overdue(later)
    tasking_update(actor=people["waitemata_tc"], tasking=tasking, version=1, status="completed", note="Done.", result="Warrant executed.")
    assert list(overdue_taskings(user=people["occc"], today=later)) == []


def test_a_tasking_set_at_a_meeting_and_a_routing_decided_there_are_minuted_with_what_they_decided(people, make_report, forum, unit):
    report = make_report()
    occc = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=TODAY)
    report_route(actor=people["occc"], report=report, version=1, direction="district", district=unit("waitemata"), rationale="Local.", meeting=occc)
    district = meeting_create(actor=people["waitemata_tc"], forum=forum("waitemata-tc"), held_on=TODAY)
    tasking = tasking_create(
        actor=people["waitemata_tc"],
        title="Close the address",
        description="Warrant.",
        owner=people["waitemata_analyst"],
        due_date=NEXT_WEEK,
        tasked_unit=unit("waitemata"),
        report=report,
        meeting=district,
    )
    assert report.routing_decisions.get().meeting == occc
    routed, tasked = Minute.objects.order_by("pk")
    assert routed.meeting == occc and routed.report == report and "Routed" in routed.decision and "Local." in routed.decision
    assert tasked.meeting == district and tasked.tasking == tasking and tasked.report == report


def test_the_occc_agenda_lists_new_reports_and_another_forums_lists_what_arrived_since_it_last_minuted_it(people, make_report, forum, unit):
    waiting, routed = make_report(title="Waiting"), make_report(title="Routed")
    report_route(actor=people["occc"], report=routed, version=1, direction="national", rationale="National.")
    occc = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=TODAY)
    assert meeting_agenda(user=people["occc"], meeting=occc).new_reports == [waiting]
    pre = meeting_create(actor=people["occc"], forum=forum("pre-tc"), held_on=TODAY)
    assert meeting_agenda(user=people["occc"], meeting=pre).new_reports == [routed]
    minute_record(actor=people["occc"], meeting=pre, decision="Noted; NOCG to brief next month.", report=routed)
    assert meeting_agenda(user=people["occc"], meeting=pre).new_reports == []


def test_a_district_t_and_c_agenda_holds_only_its_own_overdue_taskings(people, unit, forum):
    for district, owner in (("waitemata", "waitemata_tc"), ("canterbury", "canterbury_tc")):
        tasking_create(actor=people["occc"], title=f"{district} job", description="x", owner=people[owner], due_date=NEXT_WEEK, tasked_unit=unit(district))
    meeting = meeting_create(actor=people["waitemata_tc"], forum=forum("waitemata-tc"), held_on=NEXT_WEEK + dt.timedelta(days=3))
    agenda = meeting_agenda(user=people["occc"], meeting=meeting)
    assert [t.title for t in agenda.overdue_taskings] == ["waitemata job"]
    national = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=NEXT_WEEK + dt.timedelta(days=3))
    assert len(meeting_agenda(user=people["occc"], meeting=national).overdue_taskings) == 2


def test_a_minute_needs_its_decision_written(people, forum):
    meeting = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        minute_record(actor=people["occc"], meeting=meeting, decision=" ")
    assert _messages(refused.value) == {"decision": "Write the decision."}
    with pytest.raises(PermissionDenied):
        minute_record(actor=people["waitemata_tc"], meeting=meeting, decision="Not my meeting.")


def test_a_product_links_the_saved_analyses_and_cases_its_author_may_see(people, make_product, unit):
    from rocc.analysis_pages.models import SavedAnalysis
    from rocc.problems.models import Case, QuestionBank

    def analysis(district):
        return SavedAnalysis.objects.create(
            kind="hotspots", title=f"{district} hot spots", scope_unit=unit(district), source="events", created_by=people["occc"]
        )

    bank = QuestionBank.objects.first() or QuestionBank.objects.create(version=1, is_current=True)
    case = Case.objects.create(title="Ram raids", scope_unit=unit("waitemata"), owner=people["waitemata_analyst"], question_bank=bank)
    product = make_product(saved_analyses=[analysis("waitemata")], cases=[case])
    assert [a.title for a in product.saved_analyses.all()] == ["waitemata hot spots"] and list(product.cases.all()) == [case]
    with pytest.raises(ValidationError) as refused:
        make_product(title="Reaching too far", saved_analyses=[analysis("canterbury")])
    assert "outside your scope" in _messages(refused.value)["saved_analyses"]
    assert not InsightsProduct.objects.filter(title="Reaching too far").exists()


def test_a_routed_report_is_closed_with_its_reason_and_is_not_routed_again(people, make_report, unit, forum):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        report_close(actor=people["occc"], report=report, version=1, reason="Nothing to do.")
    assert "a new report needs a routing decision first" in _messages(refused.value)["report"]
    report_route(actor=people["occc"], report=report, version=1, direction="district", district=unit("waitemata"), rationale="Local.")
    with pytest.raises(ValidationError) as refused:
        report_close(actor=people["waitemata_tc"], report=report, version=2, reason="")
    assert _messages(refused.value) == {"reason": "Say why the report is closed."}
    meeting = meeting_create(actor=people["waitemata_tc"], forum=forum("waitemata-tc"), held_on=TODAY)
    report_close(actor=people["waitemata_tc"], report=report, version=2, reason="Address closed; no further risk.", meeting=meeting)
    assert report.status == "closed" and report.closed_by == people["waitemata_tc"] and report.closed_reason == "Address closed; no further risk."
    assert meeting.minutes.get().report == report
    with pytest.raises(ValidationError) as refused:
        report_route(actor=people["occc"], report=report, version=3, direction="national", rationale="Again.")
    assert "closed" in _messages(refused.value)["report"]
