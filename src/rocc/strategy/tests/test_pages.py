"""The strategy pages through Django's test client: reading per role, the action-plan table, updating, refusals."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from rocc.conftest import PASSWORD
from rocc.strategy.models import Activity, ProgressUpdate

ROLES = ["administrator", "programme_manager", "regional_coordinator", "analyst", "provider_reporter", "tc_member", "viewer"]


def _login(client, user):
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_strategy_pages(client, year_two, make_user, role):
    _login(client, make_user(role, agency="MSD" if role == "provider_reporter" else None))
    for url in [
        "/strategy/",
        "/strategy/frameworks/rocc/",
        "/strategy/plans/rocc-year-2/",
        "/strategy/plans/rocc-year-2/activities/6/",
        "/strategy/search/?q=whanau",
    ]:
        assert client.get(url).status_code == 200, url
    assert 'href="/strategy/"' in client.get("/").content.decode()  # the navigation shows Strategy


def test_anonymous_visitors_are_sent_to_sign_in(client, year_two):
    response = client.get("/strategy/plans/rocc-year-2/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_plan_page_is_laid_out_like_the_seeds_table(client, year_two, make_user):
    _login(client, make_user("viewer"))
    page = client.get("/strategy/plans/rocc-year-2/").content.decode()
    for heading in ["Strategic focus area", "Priority action area", "Activity", "Agency lead", "Support agencies", "Status"]:
        assert f'<th scope="col">{heading}</th>' in page
    assert "<caption>" in page and "6. Activity description yet to be finalised" in page
    assert page.index("1. Operation Cobalt") < page.index("<strong>DEMAND</strong>") < page.index("15. Stocktake of initiatives")
    assert "All partner agencies" in page and "<script>" not in page and "style=" not in page


def test_the_framework_page_shows_the_chain_and_the_corrected_wording(client, year_two, make_user):
    _login(client, make_user("viewer"))
    page = client.get("/strategy/frameworks/rocc/").content.decode()
    assert re.search(r"<strong>Resilience</strong> → <strong>Demand</strong> → <strong>Supply</strong>", page)
    assert "Te Tiriti o Waitangi" in page and "Lack of long-term focus &amp; commitment" in page


def test_a_programme_manager_records_an_update_through_the_form(client, year_two, make_user):
    _login(client, make_user("programme_manager"))
    url = "/strategy/plans/rocc-year-2/activities/4/"
    assert "Record a progress update" in client.get(url).content.decode()
    response = client.post(url, {"version": 1, "status": "on_track", "narrative": "Governance group met.", "evidence_link": "https://example.org/tao"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Governance group met." in page and "https://example.org/tao" in page and "status-on_track" in page


def test_a_second_save_from_a_stale_page_is_refused_on_the_form(client, year_two, make_user):
    _login(client, make_user("programme_manager", username="first-manager"))
    url = "/strategy/plans/rocc-year-2/activities/4/"
    client.post(url, {"version": 1, "status": "on_track", "narrative": "First."})
    response = client.post(url, {"version": 1, "status": "off_track", "narrative": "Second, from an old page."})
    assert response.status_code == 409
    assert "This activity changed since you opened it (by first-manager at" in response.content.decode()
    assert Activity.objects.get(plan=year_two, number=4).status == "on_track" and ProgressUpdate.objects.count() == 1


def test_a_viewer_sees_no_update_form_and_cannot_post_one(client, year_two, make_user):
    _login(client, make_user("regional_coordinator"))
    url = "/strategy/plans/rocc-year-2/activities/4/"
    assert "Record a progress update" not in client.get(url).content.decode()
    assert client.post(url, {"version": 1, "status": "on_track", "narrative": "x"}).status_code == 403
    assert client.post(url + "milestones/", {"title": "x", "due_date": "2030-01-01"}).status_code == 403
    assert ProgressUpdate.objects.count() == 0


def test_milestones_are_added_flagged_when_overdue_and_marked_done(client, year_two, make_user):
    _login(client, make_user("programme_manager"))
    url = "/strategy/plans/rocc-year-2/activities/1/"
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert client.post(url + "milestones/", {"title": "Phase one review", "due_date": yesterday.isoformat()}).status_code == 302
    assert "1 overdue milestone" in client.get("/strategy/plans/rocc-year-2/").content.decode()
    milestone = Activity.objects.get(plan=year_two, number=1).milestones.get()
    assert client.post(f"{url}milestones/{milestone.pk}/done/").status_code == 302
    assert "overdue milestone" not in client.get("/strategy/plans/rocc-year-2/").content.decode()


def test_stale_activities_are_flagged_for_the_chosen_number_of_days(client, year_two, make_user):
    _login(client, make_user("viewer"))
    Activity.objects.filter(plan=year_two).update(created_at=timezone.now() - dt.timedelta(days=20))
    assert "No update for" not in client.get("/strategy/plans/rocc-year-2/").content.decode()
    page = client.get("/strategy/plans/rocc-year-2/?stale_days=14").content.decode()
    assert page.count("No update for 20 days") == 15


def test_search_finds_activities_with_or_without_macrons(client, year_two, make_user):
    _login(client, make_user("viewer"))
    for query in ["whanau-centred", "whānau-centred", "WHANAU-CENTRED"]:
        page = client.get("/strategy/search/", {"q": query}).content.decode()
        assert "5. Gang Harm Reduction Project rollout" in page and "1 activity match" in page, query


def test_a_plan_outside_the_readers_scope_is_404(client, district_plan, make_user):
    district_plan("canterbury")
    _login(client, make_user("viewer", units=["waitemata"]))
    assert client.get("/strategy/plans/canterbury-plan/").status_code == 404
    assert client.get("/strategy/plans/canterbury-plan/activities/1/").status_code == 404
