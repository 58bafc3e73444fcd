"""Step 3 through Django's test client: removing a priority action asks first and lists what goes and what stays,
a stale confirmation removes nothing, boxes on no chain are listed and removable, and the add form offers the
boxes that exist so a chain added again joins them."""

import re

import pytest

from rocc.org.models import OrgUnit
from rocc.strategy.models import Framework
from rocc.strategy.services.plans import chain_element_add, district_plan_create, priority_action_add


@pytest.fixture
def coordinator(make_user):
    return make_user("regional_coordinator", units=["rotorua"], username="ngaio")


@pytest.fixture
def plan(strategy, coordinator):
    plan = district_plan_create(
        user=coordinator, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title="Rotorua step 3 plan"
    )
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau receiving intensive support",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Community based hubs",
        output="Established hubs",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    return plan


def _step3(plan) -> str:
    return f"/strategy/district-plans/{plan.code}/steps/3/"


def _remove_url(plan, text) -> str:
    return f"{_step3(plan)}remove/{plan.versions.get().elements.get(text=text).key}/"


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def _texts(plan) -> list[str]:
    return list(plan.versions.get().elements.order_by("order").values_list("text", flat=True))


def test_removing_a_priority_action_asks_first_listing_what_goes_and_what_stays(client, plan, coordinator):
    client.force_login(coordinator)
    step = client.get(_step3(plan)).content.decode()
    assert f'href="{_remove_url(plan, "Community based hubs")}"' in step
    assert 'value="remove-box"' not in step  # no box on a chain is removed with one click

    asked = client.get(_remove_url(plan, "Community based hubs"))
    page = asked.content.decode()
    assert asked.status_code == 200 and len(_texts(plan)) == 6  # asking removes nothing
    assert re.findall(r"<li>(.*?)</li>", _section(page, "removed-heading")) == ["Activity: Community based hubs", "Output: Established hubs"]
    kept = _section(page, "kept-heading")
    assert "Outcome: Increase in whānau support and access to services" in kept and "Impact: Improved whānau wellbeing" in kept
    assert "used by “Whānau support and navigation”" in kept
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)

    done = client.post(_remove_url(plan, "Community based hubs"), {"seen": seen})

    assert done.status_code == 302 and done["Location"] == _step3(plan)
    assert _texts(plan) == [
        "Whānau support and navigation",
        "Whānau receiving intensive support",
        "Increase in whānau support and access to services",
        "Improved whānau wellbeing",
    ]
    message = client.get(_step3(plan)).content.decode()
    assert "Removed the priority action “Community based hubs” and 1 box no other priority action used; kept 2 shared" in message


def test_a_confirmation_from_a_page_opened_before_the_plan_changed_removes_nothing_and_shows_what_removing_takes_now(client, plan, coordinator):
    client.force_login(coordinator)
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', client.get(_remove_url(plan, "Whānau support and navigation")).content.decode()).group(1)
    # Meanwhile the other chain goes, so removing this one would now also take the outcome and the impact.
    other = client.get(_remove_url(plan, "Community based hubs")).content.decode()
    client.post(_remove_url(plan, "Community based hubs"), {"seen": re.search(r'name="seen" value="([0-9a-f]+)"', other).group(1)})
    before = _texts(plan)

    refused = client.post(_remove_url(plan, "Whānau support and navigation"), {"seen": seen})

    page = refused.content.decode()
    assert refused.status_code == 400 and "Nothing was removed" in page and "changed since you opened the page" in page
    assert "Outcome: Increase in whānau support and access to services" in _section(page, "removed-heading")
    assert _texts(plan) == before


def test_readers_are_not_offered_removal_and_cannot_remove(client, plan, make_user):
    client.force_login(make_user("viewer", units=["rotorua"]))
    assert "remove/" not in client.get(_step3(plan)).content.decode()
    assert client.get(_remove_url(plan, "Community based hubs")).status_code == 403
    assert client.post(_remove_url(plan, "Community based hubs"), {"seen": ""}).status_code == 403
    assert len(_texts(plan)) == 6


def test_step_3_lists_boxes_on_no_chain_and_removes_one_as_it_was_shown(client, plan, coordinator):
    chain_element_add(user=coordinator, plan=plan, kind="outcome", text="Better informed whānau")
    client.force_login(coordinator)
    page = client.get(_step3(plan)).content.decode()
    stray = _section(page, "stray-heading")
    assert "Outcome: Better informed whānau" in stray and 'value="remove-box"' in stray
    assert "Needed to agree:</strong> Outcome “Better informed whānau” is on no chain" in page
    key = plan.versions.get().elements.get(text="Better informed whānau").key
    assert client.post(_step3(plan), {"action": "remove-box", "key": key, "seen": "Better informed whānau"}).status_code == 302
    assert "Better informed whānau" not in _texts(plan) and 'id="stray-heading"' not in client.get(_step3(plan)).content.decode()


def test_a_box_on_a_chain_cannot_be_removed_alone_from_the_page(client, plan, coordinator):
    client.force_login(coordinator)
    key = plan.versions.get().elements.get(text="Established hubs").key
    refused = client.post(_step3(plan), {"action": "remove-box", "key": key, "seen": "Established hubs"})
    assert refused.status_code == 400 and "Output “Established hubs” is on a priority action" in refused.content.decode()
    assert len(_texts(plan)) == 6


def test_the_add_form_offers_the_plans_boxes_and_a_picked_one_is_joined(client, plan, coordinator):
    client.force_login(coordinator)
    page = client.get(_step3(plan)).content.decode()
    assert 'list="existing-output"' in page and 'list="existing-outcome"' in page
    outputs = page.split('<datalist id="existing-output">', 1)[1].split("</datalist>", 1)[0]
    assert re.findall(r'<option value="(.*?)">', outputs) == ["Whānau receiving intensive support", "Established hubs"]
    response = client.post(
        _step3(plan),
        {"action": "chain", "activity": "Rangatahi mentoring", "output": "Established hubs", "outcome": "increase in whanau support and access to services"},
    )
    assert response.status_code == 302
    assert _texts(plan)[-1] == "Rangatahi mentoring" and len(_texts(plan)) == 7
    again = client.post(_step3(plan), {"action": "chain", "activity": "Rangatahi mentoring", "output": "Established hubs"})
    assert again.status_code == 400 and "nothing was added" in again.content.decode() and len(_texts(plan)) == 7
