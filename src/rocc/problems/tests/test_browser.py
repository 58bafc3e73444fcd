"""A real browser takes a problem-solving case from Problem scan to assessed: every stage page passes an axe
check, and a screenshot of each is kept."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.conftest import PASSWORD
from rocc.problems.models import Case
from rocc.web.testing import ARTEFACTS, browser, serious_violations  # noqa: F401  (the shared browser fixture)

pytestmark = pytest.mark.browser


def _answer_all(page) -> None:
    """Answer every question on the stage page, then save the page's one form (its facts and answers together)."""
    for area in page.locator("form.answers textarea[name^='a-q']").all():
        area.fill("Answered with the community and partners: see the evidence.")
    page.locator("form.answers button[type=submit]").click()
    page.wait_for_load_state()
    refusals = page.locator(".error-summary").all_inner_texts()
    assert refusals == [], refusals


def _in(page, action: str):
    return page.locator(f"form[action$='{action}']")


def _check(page, name: str) -> None:
    assert serious_violations(page) == [], page.url
    page.screenshot(path=str(ARTEFACTS / f"problems-{name}.png"), full_page=True)


def _advance(page, stage: str) -> None:
    page.get_by_role("button", name="Advance to the next stage" if stage != "assess" else "Close the case as assessed").click()
    page.wait_for_load_state()
    refusals = page.locator(".error-summary").all_inner_texts()
    assert refusals == [], refusals


def test_a_case_goes_from_scan_to_assessed_in_the_browser(browser, live_server, bank, owner):  # noqa: F811
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto("/problems/")
    _check(page, "00-board")
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Title").fill("Tagging and disorder at Te Atatū shops")
    page.get_by_label("Description").fill("Repeat tagging and intimidation around the shops after school.")
    page.get_by_label("Organisational unit").select_option(label="Waitematā")
    _check(page, "01-open")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_load_state()
    case = Case.objects.get(title="Tagging and disorder at Te Atatū shops")
    assert "Before the case can move on, it still needs" in page.content()
    _check(page, "02-case")

    # Problem scan: while its gate is closed no move is offered; then the scanning facts and the answers, saved together.
    page.get_by_role("link", name="Work on Problem scan").click()
    page.wait_for_url(f"**/problems/cases/{case.pk}/scan/")
    assert page.get_by_role("button", name="Advance to the next stage").count() == 0
    assert "Before the case can move on, it still needs" in page.content()
    scan = _in(page, "/scan/save/")
    scan.get_by_label("High harm or high volume?").select_option("high_volume")
    scan.get_by_label("Crime, harm or crash?").select_option("crime")
    scan.get_by_label("Type of crime, harm or crash").fill("Tagging and disorder")
    scan.get_by_label("Pattern over time").select_option("flare_up")
    scan.get_by_label("Do communities and iwi agree this is a problem?").select_option("yes")
    scan.get_by_label("Do they agree on its definition and drivers?").select_option("partly")
    _answer_all(page)
    case.refresh_from_db()
    assert case.problem_type == "Tagging and disorder" and case.answers.count() > 0
    _check(page, "03-scan")
    _advance(page, "scan")

    page.goto(f"/problems/cases/{case.pk}/analyse/")
    _answer_all(page)
    _check(page, "04-analyse")
    _advance(page, "analyse")

    page.goto(f"/problems/cases/{case.pk}/nominate/")
    lead = _in(page, "/add/lead/")
    lead.get_by_label("Lead activity or measure").fill("Patrol hours at the shops")
    lead.get_by_label("Who monitors and reports it").fill("Sergeant Ngata")
    lead.get_by_role("button", name="Add lead measure").click()
    page.wait_for_load_state()
    strategy = _in(page, "/nominate/save/")
    strategy.get_by_label("Objectives from our (Police) perspective").fill("Fewer tagging and disorder incidents")
    strategy.get_by_label("Objectives from our communities' perspective").fill("Shoppers and rangatahi feel safe")
    strategy.get_by_label("What success looks like, from the perspective of our communities").fill("Shop owners stay open late")
    strategy.get_by_label("The cultural impact of our planned approach").fill("Designed with the local marae and youth workers")
    strategy.get_by_label("Prevention", exact=True).fill("Murals with rangatahi; better lighting")
    strategy.get_by_label("Reassurance", exact=True).fill("Foot patrols after school")
    _answer_all(page)
    _check(page, "05-nominate")
    _advance(page, "nominate")

    page.goto(f"/problems/cases/{case.pk}/deploy/")
    milestone = _in(page, "/add/milestone/")
    milestone.get_by_label("Milestone or intermediate outcome").fill("First mural painted")
    milestone.get_by_label("Responsible").fill("Youth worker")
    milestone.get_by_label("Due").fill((dt.date.today() + dt.timedelta(days=21)).isoformat())
    milestone.get_by_role("button", name="Add milestone").click()
    page.wait_for_load_state()
    review = _in(page, "/add/review/")
    review.get_by_label("Held on").fill(dt.date.today().isoformat())
    review.get_by_label("What the review found").fill("Tagging down; some moved to the bus stop")
    review.get_by_label("Change of tack").fill("Add the bus stop to the patrol route (displacement)")
    review.get_by_role("button", name="Record review").click()
    page.wait_for_load_state()
    deploy = _in(page, "/deploy/save/")
    deploy.get_by_label("Review cycle").select_option("fortnightly")
    deploy.get_by_label("Resources deployed, and how they are directed (time, place, process)").fill("Two officers, 3–6pm weekdays")
    _answer_all(page)
    _check(page, "06-deploy")
    _advance(page, "deploy")

    page.goto(f"/problems/cases/{case.pk}/assess/")
    outcome = _in(page, "/add/outcome/")
    outcome.get_by_label("Outcome measure").fill("Tagging and disorder incidents")
    outcome.get_by_label("Case area, before").fill("48")
    outcome.get_by_label("Case area, after").fill("20")
    outcome.get_by_label("Comparison area, before").fill("40")
    outcome.get_by_label("Comparison area, after").fill("38")
    outcome.get_by_label("Surrounding area, before").fill("15")
    outcome.get_by_label("Surrounding area, after").fill("17")
    outcome.get_by_role("button", name="Add outcome measure").click()
    page.wait_for_load_state()
    assert "Weighted Displacement Difference" in page.locator("table.outcomes").inner_text()
    figure = _in(page, "/add/figure/")
    figure.get_by_label("Community").fill("Rangatahi Māori")
    figure.get_by_label("What was counted").fill("Youth Aid referrals")
    figure.get_by_label("Before").fill("6")
    figure.get_by_label("After").fill("4")
    figure.get_by_role("button", name="Add figure").click()
    page.wait_for_load_state()
    conclusions = _in(page, "/assess/save/")
    conclusions.get_by_label("Comparison area").select_option(label="Auckland City")
    conclusions.get_by_label("Has the initiative produced any unintended and/or disproportionate impact(s) on specific communities?").fill(
        "No: Youth Aid referrals of rangatahi Māori fell (figures above)."
    )
    conclusions.get_by_label("Lessons learned and new intelligence gained").fill("Murals with rangatahi outlasted patrols")
    conclusions.get_by_label("What worked").fill("Murals painted with rangatahi, plus patrols after school")
    conclusions.get_by_label("Can this approach be used elsewhere in Aotearoa New Zealand?").select_option("yes")
    _answer_all(page)
    _check(page, "07-assess")
    _advance(page, "assess")

    assert "Assessed and closed" in page.content()
    _check(page, "08-closed")
    case.refresh_from_db()
    assert case.status == "closed" and case.moves.count() == 6

    page.goto(f"/problems/cases/{case.pk}/print/")
    _check(page, "09-print")
    page.goto("/problems/library/?q=te+atatu")
    assert "Murals painted with rangatahi" in page.content()
    _check(page, "10-library")
    context.close()


def test_a_stage_page_saves_facts_and_answers_together_and_keeps_them_when_the_save_is_refused(browser, live_server, case, owner):  # noqa: F811
    """Typing in the facts and in the answers, then saving once, keeps both; when the save is refused (someone changed
    the case meanwhile), what was typed is still on the page and nothing is saved."""
    from rocc.problems import services

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    first = case.question_bank.questions.filter(stage="scan", fact="").order_by("order").first()

    page.goto(f"/problems/cases/{case.pk}/scan/")
    form = _in(page, "/scan/save/")
    form.get_by_label("Type of crime, harm or crash").fill("Burglary of whānau homes")
    form.locator(f"textarea[name='a-q{first.pk}']").fill("The same twelve homes, again and again.")
    services.case_update(actor=owner, case=case, version=case.version, description="Changed by a colleague meanwhile.")
    form.get_by_role("button", name="Save the facts and answers").click()
    page.wait_for_load_state()
    assert "changed since you opened it" in page.locator(".error-summary").inner_text()
    form = _in(page, "/scan/save/")
    assert form.get_by_label("Type of crime, harm or crash").input_value() == "Burglary of whānau homes"
    assert form.locator(f"textarea[name='a-q{first.pk}']").input_value() == "The same twelve homes, again and again."
    _check(page, "11-stage-refused-keeps-typing")
    case.refresh_from_db()
    assert case.problem_type == "" and not case.answers.exists()

    page.goto(f"/problems/cases/{case.pk}/scan/")
    form = _in(page, "/scan/save/")
    form.get_by_label("Type of crime, harm or crash").fill("Burglary of whānau homes")
    form.get_by_label("High harm or high volume?").select_option("high_harm")
    form.locator(f"textarea[name='a-q{first.pk}']").fill("The same twelve homes, again and again.")
    form.get_by_role("button", name="Save the facts and answers").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0
    assert _in(page, "/scan/save/").locator(f"textarea[name='a-q{first.pk}']").input_value() == "The same twelve homes, again and again."
    _check(page, "12-stage-saved-together")
    case.refresh_from_db()
    assert (case.problem_type, case.harm_or_volume) == ("Burglary of whānau homes", "high_harm")
    assert case.answers.get(question=first).text == "The same twelve homes, again and again."
    assert case.description == "Changed by a colleague meanwhile."
    context.close()
