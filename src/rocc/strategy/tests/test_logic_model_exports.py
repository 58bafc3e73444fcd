"""The logic model is live and can be taken to a hui: an activity box shows its action-plan activity's status and
latest update, the diagram downloads as SVG and as a PDF drawn on the server (real text, macrons kept, boxes linked
to their records), and "Open the indicator" on a box's page keeps the plan's unit."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from rocc.org.models import Agency, OrgUnit
from rocc.strategy.logic_model import logic_model
from rocc.strategy.models import Activity, ChainElement, Framework
from rocc.strategy.services.frameworks import activity_status_update
from rocc.strategy.services.plans import chain_element_edit, district_plan_create, monitoring_row_add, priority_action_add
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)

CODE = "mf-whanau-support-referrals"


@pytest.fixture
def people(make_user):
    return {"manager": make_user("programme_manager", username="pm"), "coordinator": make_user("regional_coordinator", units=["waitemata"], username="rc")}


@pytest.fixture
def plan(strategy, measures_catalogue, people):
    coordinator = people["coordinator"]
    plan = district_plan_create(
        user=coordinator, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="waitemata"), title="Waitematā whānau plan"
    )
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau receiving intensive support",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    activity = Activity.objects.filter(plan__scope_unit__level="national").order_by("plan__code", "number").first()
    chain_element_edit(user=coordinator, plan=plan, key=ChainElement.objects.get(version__plan=plan, kind="activity").key, activities=[activity])
    monitoring_row_add(
        user=coordinator,
        plan=plan,
        outcome_key=ChainElement.objects.get(version__plan=plan, kind="outcome").key,
        indicator_code=CODE,
        data_source="Provider reporting",
        responsible_agency=Agency.objects.get(short_name="MSD"),
    )
    activity_status_update(
        user=people["manager"],
        activity=activity,
        version=activity.version,
        status="at_risk",
        narrative="Two hubs opened; the third waits on a lease.",
        date=dt.date(2026, 3, 12),
    )
    return plan


def _activity_box(plan, user):
    model = logic_model(user=user, version=plan.versions.get())
    return model, next(b for b in model.boxes if b.kind == "activity")


def test_an_activity_box_shows_its_activitys_status_and_latest_update(plan, people):
    _, box = _activity_box(plan, people["coordinator"])
    [activity] = box.activities
    assert activity["status_label"] == "At risk" and activity["update_date"] == dt.date(2026, 3, 12)
    assert activity["update"] == "updated 12 Mar 2026: Two hubs opened; the third waits on a lease."
    assert " ".join(box.info_lines).startswith(f"Action plan {activity['label']}: at risk, updated 12 Mar 2026: Two hubs")
    assert "updated 12 Mar 2026" in box.description


def test_the_logic_model_downloads_as_svg_and_as_a_pdf_with_its_text_and_links(client, plan, people):
    client.force_login(people["coordinator"])
    base = f"/strategy/district-plans/{plan.code}/v1/logic-model/"
    page = client.get(base).content.decode()
    assert 'href="?format=svg"' in page and 'href="?format=pdf"' in page
    svg = client.get(base + "?format=svg")
    assert svg["Content-Type"] == "image/svg+xml" and "Whānau support and navigation" in svg.content.decode()
    answer = client.get(base + "?format=pdf")
    assert answer["Content-Type"] == "application/pdf" and answer["Content-Disposition"].endswith('-v1-logic-model.pdf"')
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    model, box = _activity_box(plan, people["coordinator"])
    assert model.title in text
    for line in ["Whānau support and navigation", "Improved whānau wellbeing", "Activity", "Impact", "updated 12 Mar 2026"]:
        assert line in text, line
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert f"http://testserver{box.url}" in links and len(links) == len(model.boxes)


def test_open_the_indicator_on_a_boxs_page_keeps_the_plans_unit(client, plan, people):
    client.force_login(people["coordinator"])
    outcome = ChainElement.objects.get(version__plan=plan, kind="outcome")
    page = client.get(f"/strategy/district-plans/{plan.code}/v1/boxes/{outcome.key}/").content.decode()
    assert f'<a href="/measures/indicators/{CODE}/?unit=waitemata">Open the indicator</a>' in page
    model = logic_model(user=people["coordinator"], version=plan.versions.get())
    [indicator] = next(b for b in model.boxes if b.kind == "outcome").indicators
    assert indicator["url"] == f"/measures/indicators/{CODE}/?unit=waitemata"


def _record_referrals(unit_code: str, counts: list[int]):
    from rocc.measures.models import Indicator, SourceKind
    from rocc.measures.periods import month_end
    from rocc.measures.services import ObservationInput, observations_record_many, statuses_recompute

    indicator, unit = Indicator.objects.get(code=CODE), OrgUnit.objects.get(code=unit_code)
    observations_record_many(
        items=[
            ObservationInput(indicator=indicator, unit=unit, period_start=dt.date(2025, m, 1), period_end=month_end(dt.date(2025, m, 1)), numerator=n)
            for m, n in enumerate(counts, start=1)
        ],
        source=SourceKind.IMPORT,
    )
    statuses_recompute()
    return indicator


def test_an_output_linked_to_its_reported_figure_shows_it_as_the_scorecard_does(client, plan, people):
    from rocc.measures.selectors import scorecard_for
    from rocc.strategy.logic_model import figure_text

    indicator = _record_referrals("waitemata", [40, 44, 52])
    output = ChainElement.objects.get(version__plan=plan, kind="output")
    client.force_login(people["coordinator"])
    step = f"/strategy/district-plans/{plan.code}/steps/3/"
    assert f'name="reported_indicator_code" id="figure-{output.key}"' in client.get(step).content.decode()
    assert client.post(step, {"action": "box-figure", "key": output.key, "reported_indicator_code": CODE}).status_code == 302
    output.refresh_from_db()
    assert output.reported_indicator_code == CODE
    model = logic_model(user=people["coordinator"], version=plan.versions.get())
    box = next(b for b in model.boxes if b.kind == "output")
    [shown] = box.indicators
    cell = scorecard_for(user=people["coordinator"], units=[OrgUnit.objects.get(code="waitemata")], indicator=indicator)["rows"][0]["cells"][0]
    assert cell["value"] == 52 and shown["figure"] == figure_text(cell) and shown["figure"].startswith("52 (Mar 2025)")
    assert shown["name"] == f"Reported: {indicator.name}" and shown["url"] == f"/measures/indicators/{CODE}/?unit=waitemata"
    assert any(line.startswith("Reported:") for line in box.info_lines)
    assert client.post(step, {"action": "box-figure", "key": output.key, "reported_indicator_code": ""}).status_code == 302
    output.refresh_from_db()
    assert output.reported_indicator_code == ""


def test_only_an_output_carries_a_reported_figure_and_only_from_the_catalogue(plan, people):
    from django.core.exceptions import ValidationError

    coordinator = people["coordinator"]
    outcome = ChainElement.objects.get(version__plan=plan, kind="outcome")
    output = ChainElement.objects.get(version__plan=plan, kind="output")
    with pytest.raises(ValidationError, match="Only an output carries a reported figure"):
        chain_element_edit(user=coordinator, plan=plan, key=outcome.key, reported_indicator_code=CODE)
    with pytest.raises(ValidationError, match="Measures catalogue"):
        chain_element_edit(user=coordinator, plan=plan, key=output.key, reported_indicator_code="hubs-opened")
    output.refresh_from_db()
    assert output.reported_indicator_code == ""
