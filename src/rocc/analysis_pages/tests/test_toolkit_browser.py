"""In a real browser: three analyses of the spatial-statistics toolkit run on the event store (autocorrelation,
forecast accuracy, point patterns), one saved and cited as evidence at the Analyse stage of a problem-solving case —
with an axe check and a screenshot at each step, no content-security violation and no request off the site."""

from __future__ import annotations

import pytest

from rocc.analysis_pages.tests.test_event_store import stored  # noqa: F401  (a fixture)
from rocc.conftest import PASSWORD
from rocc.events.testing import event_store  # noqa: F401  (a fixture)
from rocc.testing import load_once
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def analysing_case(defaults, analyst):
    """A case of the analyst's unit, moved on to its Analyse stage."""
    from rocc.org.models import OrgUnit
    from rocc.problems import services
    from rocc.problems.tests.conftest import complete_stage

    load_once(services.problems_defaults_load)
    case = services.case_open(
        actor=analyst,
        title="North Shore burglary cluster",
        description="A run of burglaries over a fortnight.",
        scope_unit=OrgUnit.objects.get(code="waitemata"),
        owner=analyst,
    )
    case = complete_stage(case, analyst)
    return services.case_advance(actor=analyst, case=case, version=case.version)


def _run_from_the_store(page, name: str, fill, *, heading: str, shot: str) -> str:
    page.goto("/analyses/")
    page.get_by_role("link", name=name).click()
    store = page.get_by_role("region", name="From the event store")
    fill(store)
    assert serious_violations(page) == []
    store.get_by_role("button", name="Run on the event store").click()
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=120_000)
    assert page.locator(".error-summary").count() == 0
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / f"toolkit-{shot}.png"), full_page=True)
    return page.url


def test_three_toolkit_analyses_run_on_the_event_store_and_one_becomes_case_evidence(browser, live_server, analyst, stored, analysing_case):  # noqa: F811
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused, external = [], []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    def autocorrelation(store):
        store.locator("#id_ev-cell").fill("500")
        store.locator("#id_ev-permutations").fill("199")

    _run_from_the_store(
        page, "Spatial autocorrelation (Moran's I, General G, LISA)", autocorrelation, heading="Spatial autocorrelation", shot="01-autocorrelation"
    )
    assert "High–high cluster (HH)" in page.locator("ul.legend").inner_text()
    assert page.get_by_role("img", name="Map of local clusters and outliers").count() == 1

    def forecast(store):
        store.locator("#id_ev-split").fill("2024-06-01")
        store.locator("#id_ev-cells").fill("250,500")

    _run_from_the_store(page, "Hot-spot forecast accuracy (PAI, PEI, RRI)", forecast, heading="Hot-spot forecast accuracy", shot="02-forecast")
    assert page.get_by_role("table", name="Scores by share of the study area").locator("tbody tr").count() == 2 * 3 * 5

    def points(store):
        store.locator("#id_ev-event_label").fill("burglaries")
        store.locator("#id_ev-simulations").fill("39")

    _run_from_the_store(page, "Point patterns (nearest neighbour, Ripley's K, density)", points, heading="Point pattern", shot="03-point-pattern")
    summary = page.locator("#point-pattern-summary").inner_text()
    assert summary.startswith("The burglaries are clustered")
    page.locator("#id_title").fill("North Shore burglaries: point pattern")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="North Shore burglaries: point pattern").wait_for()
    assert page.locator("#point-pattern-summary").inner_text() == summary
    assert serious_violations(page) == []

    page.goto(f"/problems/cases/{analysing_case.pk}/analyse/")
    # Evidence backs an answer: answer the stage's first question, then cite the saved analysis under it.
    page.locator("form.answers textarea[name^='a-q']").first.fill("The burglaries cluster within a few hundred metres: see the point pattern.")
    page.locator("form.answers button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0
    page.locator("details summary", has_text="Add evidence to question").first.click()
    form = page.locator("form[action$='/evidence/']").first
    form.get_by_label("Kind of evidence").select_option("analysis")
    form.get_by_label("Saved analysis").select_option(label="Point patterns (nearest neighbour, Ripley's K, density): North Shore burglaries: point pattern")
    form.get_by_role("button", name="Add evidence").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0
    evidence = page.get_by_role("link", name="North Shore burglaries: point pattern")
    assert evidence.count() >= 1
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTEFACTS / "toolkit-04-case-evidence.png"), full_page=True)

    from rocc.problems.models import Evidence

    cited = Evidence.objects.get(kind="analysis")
    assert cited.analysis.kind == "point_pattern" and cited.answer.case_id == analysing_case.pk
    assert refused == [], refused
    assert external == [], external
    context.close()
