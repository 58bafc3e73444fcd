"""One rule, decided where the write happens and offered by the page from the same rule: who may own a tasking, the
statuses a tasking update may give, and when a report may be routed or closed. Each test checks both sides: what
the service (and the API) accepts, and what the page offers."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from rocc.conftest import PASSWORD
from rocc.core.tokens import token_issue
from rocc.tasking.models import REPORT_TRANSITIONS, TASKING_TRANSITIONS, InsightsReport, ReportStatus, Tasking, TaskingStatus
from rocc.tasking.rules import may_own_tasking, tasking_owner_refusal
from rocc.tasking.selectors.taskings import tasking_owner_candidates
from rocc.tasking.services.common import RecordChanged
from rocc.tasking.services.reports import report_close, report_route
from rocc.tasking.services.taskings import tasking_create, tasking_update

NEXT_WEEK = dt.date.today() + dt.timedelta(days=7)


class _Undo(Exception):
    """Raised to roll back a write that was only tried, to learn whether the service accepts it."""


def accepted(write) -> bool:
    """Whether the service accepts ``write``; whatever it wrote is rolled back."""
    try:
        with transaction.atomic():
            write()
            raise _Undo
    except _Undo:
        return True
    except (ValidationError, PermissionDenied, RecordChanged):
        return False


def _client(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def candidates(people, make_user):
    """Everyone who might be named the owner of a Waitematā tasking, by what they are."""
    from rocc.org.models import Agency

    Agency.objects.create(short_name="Waipareira", name="Te Whānau o Waipareira", kind="ngo")
    return {
        "waitemata T&C member": people["waitemata_tc"],
        "waitemata analyst": people["waitemata_analyst"],
        "OCCC chair (national T&C)": people["occc"],
        "administrator": make_user("administrator", username="admin-owner"),
        "canterbury analyst": people["canterbury_analyst"],
        "programme manager (national)": people["manager"],
        "waitemata viewer": make_user("viewer", units=["waitemata"], username="waitemata-viewer"),
        "waitemata NGO provider": make_user("provider_reporter", units=["waitemata"], agency="Waipareira", username="waitemata-provider"),
        "waitemata regional coordinator": make_user("regional_coordinator", units=["waitemata"], username="waitemata-coordinator"),
    }


EXPECTED_OWNERS_OF_A_WAITEMATA_TASKING = {
    "waitemata T&C member": True,
    "waitemata analyst": True,
    "OCCC chair (national T&C)": True,
    "administrator": True,
    "canterbury analyst": False,
    "programme manager (national)": True,
    "waitemata viewer": False,
    "waitemata NGO provider": False,
    "waitemata regional coordinator": False,
}


def test_only_tc_people_working_in_the_tasked_district_may_own_its_tasking_in_the_service_the_rule_and_the_owner_list(
    people,
    candidates,
    unit,
):
    waitemata = unit("waitemata")
    offered = set(tasking_owner_candidates(user=people["occc"], tasked_unit=waitemata))
    service = {}
    for name, owner in candidates.items():
        service[name] = accepted(
            lambda owner=owner: tasking_create(
                actor=people["occc"], title="Disrupt supply", description="Target the address.", owner=owner, due_date=NEXT_WEEK, tasked_unit=waitemata
            )
        )
    assert service == EXPECTED_OWNERS_OF_A_WAITEMATA_TASKING
    assert {name: owner in offered for name, owner in candidates.items()} == EXPECTED_OWNERS_OF_A_WAITEMATA_TASKING
    probe = Tasking(tasked_unit=waitemata)
    assert {name: may_own_tasking(owner, probe) for name, owner in candidates.items()} == EXPECTED_OWNERS_OF_A_WAITEMATA_TASKING
    assert Tasking.objects.count() == 0


def test_a_viewer_or_an_ngo_provider_named_as_owner_is_refused_with_the_reason_and_nothing_is_saved(people, candidates, unit):
    for name in ("waitemata viewer", "waitemata NGO provider"):
        with pytest.raises(ValidationError) as refused:
            tasking_create(
                actor=people["occc"],
                title="Disrupt supply",
                description="Target the address.",
                owner=candidates[name],
                due_date=NEXT_WEEK,
                tasked_unit=unit("waitemata"),
            )
        assert set(refused.value.message_dict) == {"owner"}
        assert "cannot own a tasking: owners are T&C members, analysts, the programme office or administrators" in refused.value.message_dict["owner"][0]
    assert "is a viewer and cannot own a tasking" in tasking_owner_refusal(candidates["waitemata viewer"], tasked_unit=unit("waitemata"))
    assert Tasking.objects.count() == 0


def test_the_api_answers_422_naming_the_owner_when_a_viewer_is_made_owner_and_201_for_an_analyst_there(people, candidates):
    client = Client()
    token = token_issue(user=people["occc"], name="test")
    payload = {"title": "Disrupt supply", "description": "Target the address.", "due_date": NEXT_WEEK.isoformat(), "tasked_unit": "waitemata"}

    def post(owner):
        return client.post(
            "/api/tasking/taskings", json.dumps({**payload, "owner": owner.username}), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    refused = post(candidates["waitemata viewer"])
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["owner"]
    assert "cannot own a tasking" in refused.json()["errors"]["owner"][0] and Tasking.objects.count() == 0
    assert post(candidates["waitemata analyst"]).status_code == 201


def test_the_report_pages_tasking_form_offers_as_owners_exactly_the_people_the_rule_allows(people, candidates, make_report):
    report = make_report()
    report_route(actor=people["occc"], report=report, version=1, direction="district", district=report.products.get().source_unit, rationale="Local.")
    page = _client(people["occc"]).get(f"/tasking/reports/{report.pk}/")
    offered = set(page.context["tasking_form"].fields["owner"].queryset)
    assert offered == set(tasking_owner_candidates(user=people["occc"]))
    assert {name: owner in offered for name, owner in candidates.items() if name not in {"canterbury analyst", "programme manager (national)"}} == {
        "waitemata T&C member": True,
        "waitemata analyst": True,
        "OCCC chair (national T&C)": True,
        "administrator": True,
        "waitemata viewer": False,
        "waitemata NGO provider": False,
        "waitemata regional coordinator": False,
    }
    html = page.content.decode()
    assert "waitemata-analyst" in html and "waitemata-viewer" not in html and "waitemata-provider" not in html


def _tasking_in(status: str, people, unit) -> Tasking:
    tasking = tasking_create(
        actor=people["occc"],
        title="Visit whānau",
        description="Prevention visits.",
        owner=people["waitemata_tc"],
        due_date=NEXT_WEEK,
        tasked_unit=unit("waitemata"),
    )
    if status != TaskingStatus.OPEN:
        tasking_update(
            actor=people["waitemata_tc"],
            tasking=tasking,
            version=tasking.version,
            status=status,
            note="Moved.",
            result="Eight whānau visited." if status == TaskingStatus.COMPLETED else "",
        )
    tasking.refresh_from_db()
    return tasking


@pytest.mark.parametrize("start", TaskingStatus.values)
def test_every_status_a_tasking_page_offers_is_accepted_by_the_service_and_every_other_is_refused(start, people, unit):
    tasking = _tasking_in(start, people, unit)
    page = _client(people["waitemata_tc"]).get(f"/tasking/taskings/{tasking.pk}/")
    offered = [value for value, _ in page.context["form"].fields["status"].choices] if page.context["may_update"] else []
    assert offered == list(TASKING_TRANSITIONS[start])
    for status in TaskingStatus.values:
        result = "The result." if status == TaskingStatus.COMPLETED else ""
        fresh = Tasking.objects.get(pk=tasking.pk)  # the service refreshes what it is given, even in a write rolled back
        assert accepted(
            lambda status=status, result=result, fresh=fresh: tasking_update(
                actor=people["waitemata_tc"],
                tasking=fresh,
                version=fresh.version,
                status=status,
                note="An update.",
                result=result,
            )
        ) == (status in offered), (start, status)
    if not offered:
        assert "Record an update" not in page.content.decode()


def test_a_status_the_table_refuses_is_refused_by_the_service_with_the_statuses_it_allows(people, unit):
    tasking = _tasking_in(TaskingStatus.CANCELLED, people, unit)
    with pytest.raises(ValidationError) as refused:
        tasking_update(actor=people["waitemata_tc"], tasking=tasking, version=tasking.version, status="open", note="Reopen.")
    assert refused.value.message_dict == {"status": ["This tasking is cancelled; it is not changed any more."]}
    assert tasking.updates.count() == 2


def _report_in(status: str, people, make_report):
    report = make_report()
    district = report.products.get().source_unit
    if status != ReportStatus.NEW:
        report_route(actor=people["occc"], report=report, version=report.version, direction="district", district=district, rationale="Local.")
    if status == ReportStatus.CLOSED:
        report_close(actor=people["occc"], report=report, version=report.version, reason="Nothing more needed.")
    report.refresh_from_db()
    return report


@pytest.mark.parametrize("start", ReportStatus.values)
def test_a_report_page_offers_routing_and_closing_exactly_when_the_service_accepts_them(start, people, make_report, unit):
    report = _report_in(start, people, make_report)
    page = _client(people["occc"]).get(f"/tasking/reports/{report.pk}/")
    html = page.content.decode()
    offers = {"route": 'id="route-heading"' in html, "close": 'id="close-heading"' in html}
    assert offers == {"route": page.context["may_route"], "close": page.context["may_close"]}

    def fresh():  # the service refreshes what it is given, even in a write rolled back
        return InsightsReport.objects.get(pk=report.pk)

    service = {
        "route": accepted(
            lambda: report_route(
                actor=people["occc"], report=fresh(), version=report.version, direction="district", district=unit("canterbury"), rationale="Canterbury leads."
            )
        ),
        "close": accepted(lambda: report_close(actor=people["occc"], report=fresh(), version=report.version, reason="Done.")),
    }
    assert service == offers
    assert offers == {"route": ReportStatus.ROUTED in REPORT_TRANSITIONS[start], "close": ReportStatus.CLOSED in REPORT_TRANSITIONS[start]}
