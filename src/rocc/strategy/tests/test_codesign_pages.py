"""The co-design pages through Django's test client: the guided steps, the agree refusal, versions side by side,
the logic model, the barrier register, the initiative stocktake and the workbooks."""

import io

import pytest
from openpyxl import load_workbook

from rocc.conftest import PASSWORD
from rocc.strategy.models import BarrierEscalation, DistrictPlan, Initiative
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)

ROLES = ["administrator", "programme_manager", "regional_coordinator", "analyst", "provider_reporter", "tc_member", "viewer"]
EXAMPLE = "/strategy/district-plans/example-district-plan/"


def _login(client, user):
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_example_plan_and_sees_it_marked_as_an_example(client, strategy, make_user, role):
    _login(client, make_user(role, agency="MSD" if role == "provider_reporter" else None))
    for url in [
        "/strategy/district-plans/",
        EXAMPLE,
        EXAMPLE + "steps/1/",
        EXAMPLE + "steps/3/",
        EXAMPLE + "steps/4/",
        EXAMPLE + "v1/",
        EXAMPLE + "v1/logic-model/",
        EXAMPLE + "v1/boxes/whanau-support-access/",
        EXAMPLE + "compare/",
        "/strategy/barriers/",
        "/strategy/initiatives/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        if url.startswith(EXAMPLE):
            assert "Example" in page and "<script>" not in page and 'style="' not in page, url


def test_the_example_shows_the_seeds_tables_and_the_logic_model_links_every_box(client, strategy, make_user):
    _login(client, make_user("viewer"))
    page = client.get(EXAMPLE + "v1/").content.decode()
    for heading in ["Activity", "Output", "Outcome", "Impact", "Indicator", "Baseline", "Data source", "Responsibility"]:
        assert f'<th scope="col">{heading}</th>' in page
    assert "Who are the stakeholders &amp; who owns the problem?" in page and "Te Arawhiti Guidelines" in page
    svg = client.get(EXAMPLE + "v1/logic-model/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in svg and '<title id="lm-title">' in svg and '<desc id="lm-desc">' in svg
    assert svg.count('class="lm-box') == 20 and svg.count('class="lm-edge"') == 15
    assert 'href="/strategy/district-plans/example-district-plan/v1/boxes/reduced-drug-supply/"' in svg
    assert (
        'aria-label="Outcome: Reduced supply of illicit drugs. Indicators: Drops in mL per 10,000 people of methamphetamine in wastewater: not defined under Measures. Status: No status yet."'
        in svg
    )
    standalone = client.get(EXAMPLE + "v1/logic-model/?format=svg")
    assert standalone["Content-Type"] == "image/svg+xml" and standalone.content.startswith(b"<?xml")


def test_the_steps_show_what_is_missing_and_readers_get_no_forms(client, strategy, make_user):
    _login(client, make_user("viewer"))
    page = client.get(EXAMPLE + "steps/4/").content.decode()
    assert "Still missing in this step" in page and "has no responsible organisation" in page
    assert 'name="action"' not in page
    assert client.post(EXAMPLE + "steps/1/", {"action": "add", "text": "x"}).status_code == 403


def test_a_coordinator_co_designs_a_plan_step_by_step_and_agrees_it(client, strategy, make_user, measures_catalogue):
    _login(client, make_user("regional_coordinator", units=["rotorua"], username="tui"))
    response = client.post("/strategy/district-plans/", {"unit": _unit_pk("rotorua"), "title": "Rotorua whānau plan"})
    plan = DistrictPlan.objects.get(title="Rotorua whānau plan")
    assert response.status_code == 302 and response["Location"].endswith("/steps/1/")
    base = f"/strategy/district-plans/{plan.code}/"
    refused = client.post(base + "lifecycle/agree/")
    assert refused.status_code == 400 and "The plan cannot be agreed yet" in refused.content.decode()
    assert client.post(base + "steps/1/", {"action": "add", "text": "Meth harm to whānau"}).status_code == 302
    assert client.post(base + "steps/2/", {"action": "add", "text": "Strong local leadership"}).status_code == 302
    assert (
        client.post(
            base + "steps/3/",
            {
                "action": "chain",
                "activity": "Whānau navigation",
                "output": "Whānau supported",
                "outcome": "More whānau reach services",
                "impact": "Improved whānau wellbeing",
            },
        ).status_code
        == 302
    )
    outcome = plan.versions.get().elements.get(kind="outcome")
    assert (
        client.post(
            base + "steps/4/",
            {
                "action": "monitoring",
                "outcome": outcome.key,
                "indicator_code": "mf-whanau-support-referrals",
                "data_source": "Provider reporting",
                "responsible_agency": _agency_pk("MSD"),
            },
        ).status_code
        == 302
    )
    assert client.post(base + "lifecycle/agree/").status_code == 302
    version = plan.versions.get()
    assert version.status == "agreed" and version.agreed_by.username == "tui"
    # Editing the agreed plan starts version 2; the two compare side by side.
    assert client.post(base + "steps/1/", {"action": "add", "text": "Gang recruitment of rangatahi"}).status_code == 302
    compare = client.get(base + "compare/?left=1&right=2").content.decode()
    assert "Gang recruitment of rangatahi" in compare and 'class="change-added"' in compare


def test_a_coordinator_edits_a_boxs_text_owner_and_timeframe_on_the_step_page(client, strategy, make_user):
    _login(client, make_user("regional_coordinator", units=["rotorua"], username="hemi"))
    client.post("/strategy/district-plans/", {"unit": _unit_pk("rotorua"), "title": "Rotorua plan"})
    plan = DistrictPlan.objects.get(title="Rotorua plan")
    base = f"/strategy/district-plans/{plan.code}/steps/3/"
    client.post(
        base,
        {
            "action": "chain",
            "activity": "Whanau navigation",
            "output": "Whānau supported",
            "outcome": "More whānau reach services",
            "impact": "Improved whānau wellbeing",
        },
    )
    page = client.get(base).content.decode()
    assert 'value="edit-box"' in page
    activity = plan.versions.get().elements.get(kind="activity")
    response = client.post(
        base, {"action": "edit-box", "key": activity.key, "text": "Whānau navigation", "owner": "Te Arawa iwi provider", "timeframe": "2025–2026"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.text, activity.owner, activity.timeframe) == ("Whānau navigation", "Te Arawa iwi provider", "2025–2026")
    emptied = client.post(base, {"action": "edit-box", "key": activity.key, "text": "  "})
    assert emptied.status_code == 400
    activity.refresh_from_db()
    assert activity.text == "Whānau navigation"


def test_two_people_removing_items_at_once_never_remove_the_wrong_one(client, strategy, make_user):
    _login(client, make_user("regional_coordinator", units=["rotorua"], username="aroha"))
    client.post("/strategy/district-plans/", {"unit": _unit_pk("rotorua"), "title": "Rotorua shared plan"})
    plan = DistrictPlan.objects.get(title="Rotorua shared plan")
    base = f"/strategy/district-plans/{plan.code}/steps/1/"
    for text in ("Meth harm to whānau", "Gang recruitment of rangatahi", "Retail crime\r\nin the CBD"):
        client.post(base, {"action": "add", "text": text})
    page = client.get(base).content.decode()
    assert page.count('name="seen"') >= 6  # every edit and remove form says what it was opened on
    # Both had the page open; the first removes item 1, the second then asks to remove item 1 as they saw it.
    assert client.post(base, {"action": "remove", "order": 1, "seen": "Meth harm to whānau"}).status_code == 302
    refused = client.post(base, {"action": "remove", "order": 1, "seen": "Meth harm to whānau"})
    assert refused.status_code == 400 and "changed since you opened the page" in refused.content.decode()
    texts = list(plan.versions.get().focus_areas.order_by("order").values_list("text", flat=True))
    assert texts == ["Gang recruitment of rangatahi", "Retail crime\nin the CBD"]
    # What the browser sends back for a multi-line item (CRLF) still matches what was shown.
    assert client.post(base, {"action": "edit", "order": 2, "seen": "Retail crime\r\nin the CBD", "text": "Retail crime"}).status_code == 302


def test_a_coordinator_cannot_start_a_plan_outside_their_districts(client, strategy, make_user):
    _login(client, make_user("regional_coordinator", units=["rotorua"]))
    response = client.post("/strategy/district-plans/", {"unit": _unit_pk("christchurch"), "title": "Not mine"})
    assert response.status_code == 400 and not DistrictPlan.objects.filter(title="Not mine").exists()


def test_a_region_raises_and_escalates_a_barrier_and_the_centre_responds_and_closes_it(client, strategy, make_user):
    _login(client, make_user("regional_coordinator", units=["rotorua"]))
    response = client.post(
        "/strategy/barriers/",
        {"unit": _unit_pk("rotorua"), "framework_barrier": "", "title": "No venue for hui", "severity": 3, "description": "The marae is booked for months."},
    )
    barrier = BarrierEscalation.objects.get()
    assert response.status_code == 302 and barrier.status == "raised"
    client.post(f"/strategy/barriers/{barrier.pk}/", {"action": "escalate"})
    assert client.post(f"/strategy/barriers/{barrier.pk}/", {"action": "respond", "response": "x"}).status_code in (302, 403)
    barrier.refresh_from_db()
    assert barrier.status == "escalated" and barrier.response == ""
    client.logout()
    _login(client, make_user("programme_manager"))
    client.post(f"/strategy/barriers/{barrier.pk}/", {"action": "respond", "response": "Funding for a venue approved."})
    client.post(f"/strategy/barriers/{barrier.pk}/", {"action": "close"})
    barrier.refresh_from_db()
    assert barrier.status == "closed" and barrier.response == "Funding for a venue approved."


def test_the_gap_matrix_counts_initiatives_by_focus_area_and_district(client, strategy, make_user):
    _login(client, make_user("programme_manager"))
    for unit, kind in [("rotorua", "RESILIENCE"), ("taupo", "RESILIENCE"), ("christchurch", "SUPPLY")]:
        assert (
            client.post(
                "/strategy/initiatives/", {"name": f"{kind} in {unit}", "provider": "Te Whatu Ora", "unit": _unit_pk(unit), "focus_area": kind}
            ).status_code
            == 302
        )
    page = client.get("/strategy/initiatives/").content.decode()
    assert 'aria-label="2 RESILIENCE initiatives in Bay of Plenty"' in page
    assert 'aria-label="1 SUPPLY initiative in Canterbury"' in page
    assert "Nothing happening: no DEMAND initiative in Bay of Plenty" in page
    assert Initiative.objects.get(name="SUPPLY in christchurch").provider_agency.short_name == "Te Whatu Ora"


def test_the_action_plan_and_a_plans_monitoring_framework_download_as_the_seeds_tables(client, year_two, make_user):
    _login(client, make_user("viewer"))
    book = load_workbook(io.BytesIO(client.get("/strategy/plans/rocc-year-2/action-plan.xlsx").content))
    rows = list(book["Activities"].iter_rows(values_only=True))
    assert list(rows[0][:6]) == ["Strategic Focus Area", "Priority Action Area", "Activity", "Description", "Agency Lead", "Support Agencies"]
    assert rows[1][2] == "1. Operation Cobalt" and rows[6][2] == "6." and len(rows) == 16
    book = load_workbook(io.BytesIO(client.get(EXAMPLE + "v1/monitoring.xlsx").content))
    sheet = book["Monitoring framework"]
    assert sheet["A1"].value.startswith("EXAMPLE — ")
    assert [c.value for c in sheet[3]][:6] == ["Outcome", "Indicator", "Indicator code", "Baseline", "Data source", "Responsibility"]
    assert [c.value for c in sheet[8]][5] == "Police"


def _unit_pk(code):
    from rocc.org.models import OrgUnit

    return OrgUnit.objects.get(code=code).pk


def _agency_pk(short_name):
    from rocc.org.models import Agency

    return Agency.objects.get(short_name=short_name).pk
