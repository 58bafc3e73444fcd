"""The golden thread in a real browser: events imported → hot-spot and near-repeat analyses saved → an insights product
citing them → an OCCC report routed to the district → a problem-solving case opened from it with the analyses as
evidence and the product's target → a Deploy milestone raised as a T&C tasking → the outcome measure's figures
filled from the event store for the case's area, its comparison area and the area around it. Nothing is retyped
from one step to the next: each hand-off is a choice or a button, and the test fails if one is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rocc.analysis_pages.models import SavedAnalysis
from rocc.events.testing import event_store, events_create  # noqa: F401  (event_store is a fixture)
from rocc.org.models import OrgUnit
from rocc.problems.models import Case, Milestone, Stage
from rocc.tasking.models import Tasking
from rocc.tasking.services.deconfliction import target_name
from rocc.tasking.tests.test_browser import ARTEFACTS, Session
from rocc.testing import load_once
from rocc.web.testing import browser  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

# Burglaries in Waitematā's three areas: January–March 2024 (before) and April–June 2024 (after).
COUNTS = {("North Shore", 2): 5, ("North Shore", 5): 2, ("West Auckland", 1): 4, ("West Auckland", 4): 4, ("Rodney", 3): 3, ("Rodney", 6): 5}
CENTRES = {"North Shore": (1_755_000, 5_925_000), "West Auckland": (1_745_000, 5_918_000), "Rodney": (1_750_000, 5_950_000)}


@pytest.fixture
def thread_ready(event_store, people):
    """A fresh install's content (units, forums, methodology, question bank, indicators) and the imported events."""
    from rocc.measures.services import measures_defaults_load
    from rocc.problems.services import problems_defaults_load

    load_once(problems_defaults_load)
    load_once(measures_defaults_load)
    rows = []
    for (area, month), count in COUNTS.items():
        x, y = CENTRES[area]
        for i in range(count):
            rows.append(
                {
                    "event_id": f"{area}-{month}-{i}",
                    "date": f"2024-{month:02d}-{i * 3 + 1:02d}",
                    "offence_code": "0711",
                    "unit": area,
                    "x": x + 40 * i,
                    "y": y + 30 * i,
                }
            )
    events_create(user=people["waitemata_analyst"], rows=rows)


def _save_analysis(client: Client, slug: str, fields: dict, title: str) -> SavedAnalysis:
    """Run an analysis on the stored events through its page and save it, as the analyst does."""
    response = client.post(f"/analyses/{slug}/run-events/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    run_url = response["Location"]
    run_pk = int(run_url.rstrip("/").split("/")[-1])
    assert client.post(f"/analyses/runs/{run_pk}/save/", {"title": title}).status_code == 302
    return SavedAnalysis.objects.get(title=title)


def test_the_golden_thread_from_events_to_an_assessed_outcome(browser, live_server, people, thread_ready):  # noqa: F811
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    waitemata = OrgUnit.objects.get(code="waitemata")
    analyst_user = people["waitemata_analyst"]
    people["occc"], people["waitemata_tc"]  # noqa: B018  (made before the browser signs in)

    # Hot spots and near repeats of the stored burglaries, saved.
    client = Client()
    client.force_login(analyst_user)
    hot_spots = _save_analysis(
        client,
        "hotspots",
        {"events-offence_codes": "07", "ev-scope_unit": waitemata.pk, "ev-cell": "250", "ev-coordinates": "nztm"},
        "Waitematā burglary hot spots",
    )
    near_repeats = _save_analysis(
        client,
        "near-repeat",
        {
            "ev-scope_unit": waitemata.pk,
            "ev-coordinates": "nztm",
            "ev-event_label": "burglary",
            "ev-distance_bands": "0,200,400,inf",
            "ev-day_bands": "0,14,28,inf",
            "ev-metric": "manhattan",
            "ev-permutations": "99",
            "ev-seed": "5",
        },
        "Waitematā burglary near repeats",
    )

    # The insights product cites both analyses, chosen from the list.
    analyst = Session(browser, live_server.url, "waitemata-analyst")
    page = analyst.page
    page.goto("/tasking/products/new/")
    page.get_by_label("Kind of product").select_option(label="District insights product")
    page.get_by_label("Title").fill("Burglary on the North Shore")
    page.get_by_label("Summary").fill("A cluster of burglaries with near repeats within 200 m and a fortnight.")
    page.get_by_label("Handling caveat").fill("IN-CONFIDENCE: Police only")
    page.get_by_label("District or area (district products)").select_option(label="— North Shore (Waitematā)")
    page.get_by_label(str(hot_spots)).check()
    page.get_by_label(str(near_repeats)).check()
    page.get_by_role("button", name="Record product").click()
    page.wait_for_url("**/tasking/products/*/")
    analyst.check("thread-01-product")
    product_url = page.url
    product_pk = int(product_url.rstrip("/").split("/")[-1])
    from rocc.tasking.models import InsightsProduct

    product = InsightsProduct.objects.get(pk=product_pk)
    assert set(product.saved_analyses.all()) == {hot_spots, near_repeats}
    target_name(actor=analyst_user, subject=product, kind="place", x=1_755_000.0, y=5_925_000.0, place_label="Hot cell by the shops")

    # The OCCC compiles the report from the product and routes it to the district.
    occc = Session(browser, live_server.url, "occc-chair")
    page = occc.page
    page.goto(product_url)
    page.get_by_role("link", name="Compile a report from this product").click()
    page.get_by_label("Title").fill("Burglary cluster, North Shore")
    page.get_by_label("Summary").fill("Near repeats: a district response with prevention visits.")
    page.get_by_role("button", name="Compile report").click()
    page.wait_for_url("**/tasking/reports/*/")
    page.get_by_label("District specific: back to the district").check()
    page.get_by_label("District (district specific)").select_option(label="Waitematā")
    page.get_by_label("Rationale").fill("District levers: prevention visits and the council.")
    page.get_by_role("button", name="Record routing decision").click()
    page.wait_for_url("**/tasking/reports/*/")
    assert page.get_by_role("link", name=hot_spots.title).count() == 1, "the report shows the analyses behind it"
    occc.check("thread-02-report-routed")
    report_url = page.url
    occc.close()

    # The analyst opens the case from the report: its source, evidence and target come with it.
    page = analyst.page
    page.goto(report_url)
    page.get_by_role("button", name="Open a problem-solving case from this report").click()
    page.wait_for_url("**/problems/cases/*/")
    case = Case.objects.get()
    assert case.scope_unit.code == "north-shore", "the case sits where the product's problem is"
    assert page.get_by_role("link", name=f"{case.source_report.reference} {case.source_report.title}").count() == 1
    carried = page.get_by_role("region", name="Evidence carried with the problem")
    assert carried.get_by_role("link", name=hot_spots.title).count() == 1 and carried.get_by_role("link", name=near_repeats.title).count() == 1
    assert "Hot cell by the shops" in page.content()
    analyst.check("thread-03-case-opened")
    # The saved analysis names the case that cites it.
    page.goto(f"/analyses/saved/{hot_spots.pk}/")
    assert page.get_by_role("region", name="Cited by").get_by_role("link", name=case.title).count() == 1

    # Deploy: the milestone (recorded on the case) is raised as a tasking of the district's T&C.
    case.stage = Stage.DEPLOY
    case.save()
    milestone = Milestone.objects.create(
        case=case, description="Prevention visits to the hot cell", responsible="North Shore prevention team", due=dt.date.today() + dt.timedelta(days=14)
    )
    tc = Session(browser, live_server.url, "waitemata-tc")
    page = tc.page
    page.goto(f"/problems/cases/{case.pk}/deploy/")
    page.get_by_text(f"Raise “{milestone.description}” as a tasking").click()
    page.get_by_label("Owner").select_option(label="waitemata-analyst (waitemata-analyst)")
    page.get_by_role("button", name="Raise as a tasking of Waitematā T&C").click()
    page.wait_for_url(f"**/problems/cases/{case.pk}/deploy/")
    tasking = Tasking.objects.get(case=case)
    assert page.get_by_role("link", name=tasking.reference).count() >= 1
    tc.check("thread-04-milestone-tasked")
    tc.close()

    # Assess: the outcome measure picks the event-based indicator and the periods; its figures come from the store.
    case.stage = Stage.ASSESS
    case.comparison_unit = OrgUnit.objects.get(code="west-auckland")
    case.save()
    page = analyst.page
    page.goto(f"/problems/cases/{case.pk}/assess/")
    page.get_by_label("Outcome measure", exact=True).fill("Burglaries")
    page.get_by_label("Indicator", exact=True).select_option(value="events-burglary")
    page.get_by_label("Before: from").fill("2024-01-01")
    page.get_by_label("Before: to").fill("2024-03-31")
    page.get_by_label("After: from").fill("2024-04-01")
    page.get_by_label("After: to").fill("2024-06-30")
    page.get_by_role("button", name="Add outcome measure").click()
    page.wait_for_load_state()
    measure = case.outcome_measures.get()
    assert [measure.before_target, measure.after_target, measure.before_comparison, measure.after_comparison, measure.before_buffer, measure.after_buffer] == [
        5,
        2,
        4,
        4,
        3,
        5,
    ]
    row = page.locator("table.outcomes tbody tr").first
    assert "5 → 2" in row.inner_text() and "Figures from the event store" in row.inner_text()
    analyst.check("thread-05-assessed-from-the-store")
    analyst.close()

    # The measures count the same indicator from the store (the worker's recompute), and the district plan's outcome
    # is monitored by it: the logic-model box shows the figure the scorecard shows.
    from rocc.measures.models import Indicator
    from rocc.measures.selectors import scorecard_for
    from rocc.measures.services import indicator_compute_from_events
    from rocc.org.models import Agency
    from rocc.strategy.logic_model import figure_text
    from rocc.strategy.models import ChainElement, Framework
    from rocc.strategy.services.frameworks import strategy_defaults_load
    from rocc.strategy.services.plans import district_plan_create, monitoring_row_add, priority_action_add

    burglary = Indicator.objects.get(code="events-burglary")
    indicator_compute_from_events(indicator=burglary, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 6, 30))
    load_once(strategy_defaults_load)
    coordinator = people.make_user("regional_coordinator", units=["waitemata"], username="waitemata-coordinator")
    plan = district_plan_create(user=coordinator, framework=Framework.objects.get(code="rocc"), unit=waitemata, title="Waitematā safer homes")
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Prevention visits after a burglary",
        output="Homes visited",
        outcome="Fewer burglaries of whānau homes",
        impact="Whānau feel safe at home",
    )
    monitoring_row_add(
        user=coordinator,
        plan=plan,
        outcome_key=ChainElement.objects.get(version__plan=plan, kind="outcome").key,
        indicator_name="Burglary victimisations",
        indicator_code="events-burglary",
        data_source="Event store",
        responsible_agency=Agency.objects.get(short_name="Police"),
    )
    cell = scorecard_for(user=coordinator, units=[waitemata], indicator=burglary)["rows"][0]["cells"][0]
    assert cell["value"] is not None and cell["period_label"]
    co_design = Session(browser, live_server.url, "waitemata-coordinator")
    page = co_design.page
    page.goto(f"/strategy/district-plans/{plan.code}/v1/logic-model/")
    assert page.locator(".lm-figure").first.inner_text() == figure_text(cell)
    assert figure_text(cell) in (page.locator("svg.logic-model").get_attribute("aria-label") or "") + page.content()
    co_design.check("thread-06-logic-model-live")
    page.goto(f"/measures/scorecard/{waitemata.code}/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=burglary.name))
    assert cell["period_label"] in row.inner_text() and figure_text(cell).split(" (")[0] in row.inner_text()
    co_design.check("thread-07-scorecard")
    co_design.close()
