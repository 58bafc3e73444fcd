"""The Tasking & Coordination pages through Django's test client: the flow from a product to a completed tasking,
refusals shown on the page, the meeting agenda with its printable page and Excel exports, and who sees what."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from rocc.tasking.models import InsightsProduct, InsightsReport, RoutingDecision, Tasking
from rocc.testing import load_once


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_a_product_goes_from_receipt_through_routing_to_a_completed_tasking_on_the_pages(people, signed_in, unit, ratings):
    analyst = signed_in(people["waitemata_analyst"])
    response = analyst.post(
        "/tasking/products/new/",
        {
            "kind": "district_scanning",
            "title": "Tinnie house on Rata Street",
            "summary": "Scanning shows repeat callouts.",
            "handling_caveat": "IN-CONFIDENCE: Police only",
            "product_date": dt.date.today().isoformat(),
            "source_unit": unit("waitemata").pk,
        },
    )
    product = InsightsProduct.objects.get(title="Tinnie house on Rata Street")
    assert response.status_code == 302 and response["Location"] == f"/tasking/products/{product.pk}/"

    occc = signed_in(people["occc"])
    response = occc.post(
        "/tasking/reports/new/", {"title": "Drug supply in West Auckland", "summary": "One address drives callouts.", "products": [product.pk]}
    )
    report = InsightsReport.objects.get()
    assert response.status_code == 302 and report.status == "new"

    page = occc.post(
        f"/tasking/reports/{report.pk}/route/", {"version": report.version, "direction": "district", "district": unit("waitemata").pk, "rationale": ""}
    )
    assert page.status_code == 400 and "Give the rationale for this routing: it is required." in page.content.decode()
    assert RoutingDecision.objects.count() == 0

    occc.post(
        f"/tasking/reports/{report.pk}/route/",
        {"version": report.version, "direction": "district", "district": unit("waitemata").pk, "rationale": "A district problem with district levers."},
    )
    report.refresh_from_db()
    assert report.current_forum.code == "waitemata-tc" and report.version == 2

    page = occc.post(f"/tasking/reports/{report.pk}/score/", {**{f"rating_{k}": v for k, v in ratings(likelihood=9).items()}})
    assert page.status_code == 400 and "Likelihood" in page.content.decode()  # 9 is not among the offered choices
    occc.post(f"/tasking/reports/{report.pk}/score/", {f"rating_{k}": v for k, v in ratings().items()})
    assert report.risk_scores.get().score > 0

    district = signed_in(people["waitemata_tc"])
    page = district.post(
        f"/tasking/reports/{report.pk}/task/",
        {"title": "Close the tinnie house", "description": "Search warrant and referrals.", "tasked_unit": unit("waitemata").pk},
    )
    text = page.content.decode()
    assert page.status_code == 400 and "Name the owner: a tasking without an owner is refused." in text and "Give the due date" in text
    district.post(
        f"/tasking/reports/{report.pk}/task/",
        {
            "title": "Close the tinnie house",
            "description": "Search warrant and referrals.",
            "tasked_unit": unit("waitemata").pk,
            "owner": people["waitemata_analyst"].pk,
            "due_date": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
        },
    )
    tasking = Tasking.objects.get()
    assert tasking.forum.code == "waitemata-tc"

    district.post(f"/tasking/taskings/{tasking.pk}/", {"version": tasking.version, "status": "in_progress", "note": "Warrant applied for."})
    owner = signed_in(people["waitemata_analyst"])
    stale = owner.post(f"/tasking/taskings/{tasking.pk}/", {"version": tasking.version, "status": "in_progress", "note": "From an old page."})
    assert stale.status_code == 409 and "changed since you opened it (by waitemata-tc at" in stale.content.decode()
    tasking.refresh_from_db()
    page = owner.post(f"/tasking/taskings/{tasking.pk}/", {"version": tasking.version, "status": "completed", "note": "Done.", "result": ""})
    assert page.status_code == 400 and "Record the result" in page.content.decode()
    owner.post(
        f"/tasking/taskings/{tasking.pk}/",
        {"version": tasking.version, "status": "completed", "note": "Warrant executed.", "result": "Address closed; two whānau referred to support."},
    )
    tasking.refresh_from_db()
    assert tasking.status == "completed" and tasking.result.startswith("Address closed")
    assert [u.status for u in tasking.updates.all()] == ["completed", "in_progress", "open"]


def test_every_page_renders_for_the_occc(people, signed_in, make_report, make_product):
    report = make_report()
    client = signed_in(people["occc"])
    for path in [
        "/tasking/",
        "/tasking/products/",
        "/tasking/products/new/",
        f"/tasking/products/{report.products.first().pk}/",
        "/tasking/reports/",
        "/tasking/reports/new/",
        f"/tasking/reports/{report.pk}/",
        "/tasking/taskings/",
        "/tasking/taskings/?overdue=1",
        "/tasking/deconfliction/",
        "/tasking/risk/",
        "/tasking/meetings/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"<h1>" in response.content


def test_the_meeting_page_builds_the_agenda_prints_and_exports(people, signed_in, make_report, forum):
    from rocc.tasking.services.meetings import meeting_create

    waiting = make_report(title="Firearms theft ring")
    meeting = meeting_create(actor=people["occc"], forum=forum("occc"), held_on=dt.date.today())
    client = signed_in(people["occc"])
    page = client.get(f"/tasking/meetings/{meeting.pk}/").content.decode()
    assert "Firearms theft ring" in page and "1. New reports" in page

    response = client.post(f"/tasking/meetings/{meeting.pk}/", {"decision": "Hold until NOCG reports back.", "decided": f"report:{waiting.pk}"})
    assert response.status_code == 302
    assert waiting.minutes.get().decision == "Hold until NOCG reports back."

    printable = client.get(f"/tasking/meetings/{meeting.pk}/print/").content.decode()
    assert "Hold until NOCG reports back." in printable and "tasking/tasking.css" in printable and 'class="print-only"' in printable

    response = client.get(f"/tasking/meetings/{meeting.pk}/agenda.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["New reports", "Top risks", "Overdue taskings", "Deconfliction alerts", "Minutes"]
    assert [c.value for c in book["New reports"][2]][1] == "Firearms theft ring"
    assert book["Minutes"]["B2"].value == "Hold until NOCG reports back."


def test_the_reports_export_holds_only_what_the_user_may_see(people, signed_in, make_report, make_product, unit):
    from rocc.tasking.services.reports import report_route

    waitemata = make_report(title="Waitematā supply")
    canterbury = make_report(products=[make_product(actor=people["canterbury_analyst"], district="canterbury")], title="Canterbury supply")
    for report, district in ((waitemata, "waitemata"), (canterbury, "canterbury")):
        report_route(actor=people["occc"], report=report, version=report.version, direction="district", district=unit(district), rationale="Local.")
    book = load_workbook(io.BytesIO(signed_in(people["waitemata_tc"]).get("/tasking/reports/export.xlsx").content))
    titles = [row[1].value for row in book["Insights reports"].iter_rows(min_row=2)]
    assert titles == ["Waitematā supply"]
    assert [row[2].value for row in book["Routing decisions"].iter_rows(min_row=2)] == ["OCCC"]


def test_a_report_outside_scope_is_not_found_and_a_viewer_is_refused_the_section(people, signed_in, make_report, make_user):
    report = make_report()
    assert signed_in(people["canterbury_tc"]).get(f"/tasking/reports/{report.pk}/").status_code == 404
    viewer = make_user("viewer", username="just-a-viewer")
    assert signed_in(viewer).get("/tasking/").status_code == 403


def test_an_analyst_opens_a_problem_solving_case_from_a_report_routed_to_their_district(people, signed_in, make_report, unit):
    from rocc.problems.models import Case
    from rocc.tasking.services.reports import report_route

    report = make_report()
    report_route(actor=people["occc"], report=report, version=1, direction="district", district=unit("waitemata"), rationale="Local.")
    client = signed_in(people["waitemata_analyst"])
    response = client.post(f"/tasking/reports/{report.pk}/case/")
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/cases/{case.pk}/"
    assert case.scope_unit.code == "waitemata" and case.owner == people["waitemata_analyst"] and case.source_report == report
    assert case.stage == "scan" and case.title == report.title
    assert case.title in client.get(f"/tasking/reports/{report.pk}/").content.decode()
    # A T&C member does not open cases (that is the analysts' and the programme office's work).
    assert "Open a problem-solving case" not in signed_in(people["waitemata_tc"]).get(f"/tasking/reports/{report.pk}/").content.decode()


def test_a_case_owner_names_a_target_on_the_case_page_and_the_other_owner_is_alerted(people, signed_in, make_product, unit):
    from rocc.problems.services import case_open, problems_defaults_load
    from rocc.tasking.models import DeconflictionAlert, Target
    from rocc.tasking.services.deconfliction import target_name

    load_once(problems_defaults_load)
    canterbury = make_product(actor=people["canterbury_analyst"], district="canterbury")
    target_name(actor=people["canterbury_analyst"], subject=canterbury, kind="group", group_name="Mongrel Mob Waikato")
    analyst = people["waitemata_analyst"]
    case = case_open(
        actor=analyst, title="Gang-linked supply", description="Supply through a North Shore address.", scope_unit=unit("waitemata"), owner=analyst
    )
    client = signed_in(analyst)
    page = client.get(f"/problems/cases/{case.pk}/").content.decode()
    assert "Name a target" in page and f"/tasking/targets/case/{case.pk}/" in page
    response = client.post(f"/tasking/targets/case/{case.pk}/", {"kind": "group", "group_name": "Mongrel Mob Waikato"})
    assert response.status_code == 302 and response["Location"] == f"/problems/cases/{case.pk}/"
    assert Target.objects.filter(case=case, kind="group").count() == 1
    assert DeconflictionAlert.objects.count() == 1
    assert "Mongrel Mob Waikato" in client.get(f"/problems/cases/{case.pk}/").content.decode()
    # A reader of the case who may not change it sees the targets but no form.
    reader_page = signed_in(people["waitemata_tc"]).get(f"/problems/cases/{case.pk}/")
    assert reader_page.status_code == 200
    assert "Mongrel Mob Waikato" in reader_page.content.decode() and "Name a target" not in reader_page.content.decode()
