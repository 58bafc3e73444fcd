"""The hand-offs from insights to a problem-solving case and back: a case opened from a report or a product links its
source and carries the products' saved analyses (as evidence) and targets; the analysis shows who cites it; a case's
taskings are its Deploy milestones, and closing one shows on the other. Permissions hold along the thread."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rocc.analysis_pages.models import SavedAnalysis
from rocc.core.tokens import token_issue
from rocc.problems import services as problems
from rocc.problems.models import Evidence, Milestone, Stage
from rocc.tasking.models import DeconflictionAlert, Target, Tasking
from rocc.tasking.services.deconfliction import target_name
from rocc.tasking.services.milestones import milestone_raise_as_tasking
from rocc.tasking.services.reports import report_route
from rocc.tasking.services.taskings import tasking_update
from rocc.testing import api_call

TODAY = dt.date.today()


def page(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.fixture
def analyses(people, unit):
    """Two saved analyses of Waitematā: a hot-times summary every analyst and T&C member there may see, and a
    near-repeat result that names persons (analysts only)."""
    hot_spots = SavedAnalysis.objects.create(
        kind="hot_times",
        title="North Shore burglary hot times",
        scope_unit=unit("waitemata"),
        source="events",
        created_by=people["waitemata_analyst"],
        result={
            "matrix": [[0] * 24] * 7,
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            "hours": [f"{h:02d}:00–{h:02d}:59" for h in range(24)],
            "by_hour": {},
            "events": 0,
            "total": 0,
            "peak": {"day": "Monday", "hour": "00:00–00:59", "value": 0},
            "summary": {"windowed": 0, "notes": []},
            "parameters": {"harm_weighted": False},
        },
    )
    persons = SavedAnalysis.objects.create(
        kind="near_repeat",
        title="Near repeats naming victims",
        scope_unit=unit("waitemata"),
        source="events",
        created_by=people["waitemata_analyst"],
        holds_person_level=True,
    )
    return hot_spots, persons


@pytest.fixture
def routed(people, make_product, make_report, unit, analyses):
    """A Waitematā product citing both analyses and naming a group and a place, compiled into a report routed to
    Waitematā's T&C."""
    product = make_product(saved_analyses=list(analyses))
    target_name(actor=people["waitemata_analyst"], subject=product, kind="group", group_name="Tūhoe Street crew")
    target_name(actor=people["waitemata_analyst"], subject=product, kind="place", x=1_756_000.0, y=5_920_000.0, place_label="Car park")
    report = make_report(products=[product])
    report_route(actor=people["occc"], report=report, version=1, direction="district", district=unit("waitemata"), rationale="Local supply.")
    report.refresh_from_db()
    return product, report


def test_a_case_opened_from_a_report_links_it_and_inherits_its_analyses_and_targets(people, routed, analyses):
    product, report = routed
    manager = people["manager"]
    case = problems.case_open_from(actor=people["waitemata_analyst"], report=report)
    assert (case.source_report, case.source_product, case.scope_unit.code, case.title) == (report, None, "waitemata", report.title)
    carried = Evidence.objects.filter(case=case, answer__isnull=True)
    assert sorted((e.analysis.title, e.carried_from) for e in carried) == sorted((a.title, product.reference) for a in analyses)
    assert list(product.cases.all()) == [case]
    targets = list(Target.objects.filter(case=case).order_by("pk"))
    assert [(t.kind, t.group_name, t.x) for t in targets] == [("group", "Tūhoe Street crew", None), ("place", "", 1_756_000.0)]
    assert all(t.carried_from.product == product for t in targets)
    # The hand-off is the same work, not two owners unaware of each other: no alert between a target and its copy.
    assert not DeconflictionAlert.objects.exists()
    # Someone else naming the same group later is alerted against the product and the case alike.
    other = problems.case_open(actor=manager, title="Elsewhere", description="", scope_unit=case.scope_unit, owner=manager)
    _, alerts = target_name(actor=manager, subject=other, kind="group", group_name="Tuhoe Street Crew")
    assert len(alerts) == 2


def test_a_case_opened_from_a_product_links_back_and_its_evidence_links_to_the_analysis(people, routed, analyses):
    product, _ = routed
    analyst = people["waitemata_analyst"]
    client = Client()
    client.force_login(analyst)
    response = client.post(f"/tasking/products/{product.pk}/case/")
    case = product.cases_opened.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/cases/{case.pk}/"
    html = page(analyst, f"/problems/cases/{case.pk}/")
    assert f'href="/tasking/products/{product.pk}/"' in html and product.reference in html
    for analysis in analyses:
        assert f'href="/analyses/saved/{analysis.pk}/"' in html
    # The analysis names the product and the case that cite it.
    cited = page(analyst, f"/analyses/saved/{analyses[0].pk}/")
    assert f'href="/tasking/products/{product.pk}/"' in cited and f'href="/problems/cases/{case.pk}/"' in cited


def test_a_report_shows_the_analyses_behind_its_products(people, routed, analyses):
    _, report = routed
    html = page(people["waitemata_analyst"], f"/tasking/reports/{report.pk}/")
    assert "Analyses behind it" in html and all(f'href="/analyses/saved/{a.pk}/"' in html for a in analyses)
    # The T&C member sees the hot-spot summary, not the analysis that names persons.
    html = page(people["waitemata_tc"], f"/tasking/reports/{report.pk}/")
    assert analyses[0].title in html and analyses[1].title not in html


def test_a_user_who_cannot_see_an_analysis_does_not_see_it_through_a_case(people, routed, analyses):
    _, report = routed
    case = problems.case_open_from(actor=people["waitemata_analyst"], report=report)
    html = page(people["waitemata_tc"], f"/problems/cases/{case.pk}/")
    assert analyses[0].title in html
    assert analyses[1].title not in html and "1 more saved analysis came with it that you may not see" in html
    # The analysis's own page stays closed to them too.
    client = Client()
    client.force_login(people["waitemata_tc"])
    assert client.get(f"/analyses/saved/{analyses[1].pk}/").status_code == 404


def test_an_opener_carries_only_what_they_may_see_and_only_from_insights_in_their_scope(people, routed, analyses, make_product):
    product, report = routed
    with pytest.raises(PermissionDenied):
        problems.case_open_from(actor=people["canterbury_analyst"], report=report)
    with pytest.raises(ValidationError):
        problems.case_open_from(actor=people["waitemata_analyst"], report=report, product=product)
    # The programme manager (no person-level analyses) opens one: the named-persons analysis stays behind.
    case = problems.case_open_from(actor=people["manager"], product=product)
    assert [e.analysis for e in case.evidence.all()] == [analyses[0]]


def test_a_case_opens_from_insights_over_the_api(people, routed, analyses):
    product, report = routed
    token = token_issue(user=people["waitemata_analyst"], name="test")
    status, body = api_call("/api/problems/cases/from-insights", token, {"report_id": report.pk})
    assert status == 201, body
    assert (body["source_report"], body["source_report_id"], body["source_product_id"]) == (report.reference, report.pk, None)
    status, body = api_call("/api/problems/cases/from-insights", token, {"report_id": report.pk, "product_id": product.pk})
    assert status == 422
    other = token_issue(user=people["canterbury_analyst"], name="test")
    assert api_call("/api/problems/cases/from-insights", other, {"report_id": report.pk})[0] == 404


@pytest.fixture
def deployed(people, routed):
    """The case opened from the routed report, with one Deploy milestone due next week."""
    _, report = routed
    case = problems.case_open_from(actor=people["waitemata_analyst"], report=report)
    case.stage = Stage.DEPLOY
    case.save()
    milestone = Milestone.objects.create(
        case=case, description="Close the car park at night", responsible="Waitematā road policing", due=TODAY + dt.timedelta(days=7)
    )
    return case, milestone


def test_a_milestone_raised_as_a_tasking_is_that_tasking_and_completing_it_marks_the_milestone_done(people, deployed, forum):
    case, milestone = deployed
    tc = people["waitemata_tc"]
    tasking = milestone_raise_as_tasking(actor=tc, milestone=milestone, owner=tc, tasked_unit=case.scope_unit)
    milestone.refresh_from_db()
    assert (milestone.tasking, tasking.case, tasking.forum, tasking.due_date, tasking.report) == (
        tasking,
        case,
        forum("waitemata-tc"),
        milestone.due,
        case.source_report,
    )
    with pytest.raises(ValidationError):
        milestone_raise_as_tasking(actor=tc, milestone=milestone, owner=tc, tasked_unit=case.scope_unit)
    tasking_update(actor=tc, tasking=tasking, version=tasking.version, status="completed", note="Gates fitted.", result="Car park closed 10pm–6am.")
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY


def test_marking_a_tasked_milestone_done_completes_its_tasking_with_the_result(people, deployed):
    case, milestone = deployed
    analyst = people["waitemata_analyst"]  # the case's owner, and the tasking's
    tasking = milestone_raise_as_tasking(actor=people["waitemata_tc"], milestone=milestone, owner=analyst, tasked_unit=case.scope_unit)
    milestone.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        problems.milestone_done(actor=analyst, milestone=milestone)
    assert "result" in refused.value.message_dict
    milestone.refresh_from_db()
    assert milestone.done_on is None
    problems.milestone_done(actor=analyst, milestone=milestone, result="Car park closed at night.")
    tasking.refresh_from_db()
    assert (tasking.status, tasking.result) == ("completed", "Car park closed at night.")


def test_only_who_may_task_at_the_cases_forum_raises_a_milestone_as_a_tasking(people, deployed):
    case, milestone = deployed
    with pytest.raises((PermissionDenied, ValidationError)):
        milestone_raise_as_tasking(actor=people["canterbury_tc"], milestone=milestone, owner=people["waitemata_tc"], tasked_unit=case.scope_unit)
    assert not Tasking.objects.exists()


def test_the_deploy_stage_shows_the_cases_taskings_with_owner_due_status_and_overdue(people, deployed, unit):
    case, milestone = deployed
    tc = people["waitemata_tc"]
    html = page(tc, f"/problems/cases/{case.pk}/deploy/")
    assert f'action="/tasking/cases/{case.pk}/milestones/{milestone.pk}/task/"' in html
    client = Client()
    client.force_login(tc)
    response = client.post(f"/tasking/cases/{case.pk}/milestones/{milestone.pk}/task/", {f"t{milestone.pk}-owner": tc.pk})
    assert response.status_code == 302
    tasking = Tasking.objects.get(case=case)
    Tasking.objects.filter(pk=tasking.pk).update(due_date=TODAY - dt.timedelta(days=1))
    html = page(tc, f"/problems/cases/{case.pk}/deploy/")
    assert tasking.reference in html and "Overdue" in html and "Milestone" in html
    # The analyst who owns the case (no T&C seat) sees the tasking but is not offered raising one.
    Milestone.objects.create(case=case, description="Talk to the school", responsible="Youth aid", due=TODAY + dt.timedelta(days=3))
    html = page(people["waitemata_analyst"], f"/problems/cases/{case.pk}/deploy/")
    assert tasking.reference in html and "/task/" not in html


def test_the_review_cycle_marks_the_taskings_due_by_the_next_review(people, deployed):
    case, milestone = deployed
    tc = people["waitemata_tc"]
    case.review_cycle, case.deployed_on = "fortnightly", TODAY
    case.save()
    milestone_raise_as_tasking(actor=tc, milestone=milestone, owner=tc, tasked_unit=case.scope_unit)
    html = page(tc, f"/problems/cases/{case.pk}/deploy/")
    assert "Due by the next review" in html
