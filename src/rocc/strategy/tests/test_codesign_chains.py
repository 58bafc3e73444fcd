"""Logic chains never lose or orphan work: removing a priority action takes exactly the boxes no other chain uses
(and says so first), re-adding a chain joins the boxes it names, and the agree gate refuses a box on no chain."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from rocc.org.models import Agency, OrgUnit
from rocc.strategy.codesign import box_match_key, chain_removal, stray_boxes
from rocc.strategy.models import ChainElement, Framework
from rocc.strategy.services.plans import (
    PlanNotAgreeable,
    chain_element_add,
    chain_element_remove,
    district_plan_create,
    monitoring_row_add,
    plan_agree,
    plan_part_add,
    priority_action_add,
    priority_action_remove,
)
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)


@pytest.fixture
def coordinator(make_user):
    return make_user("regional_coordinator", units=["bay-of-plenty"], username="mere")


@pytest.fixture
def plan(strategy, coordinator, measures_catalogue):
    return district_plan_create(
        user=coordinator, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title="Rotorua chains plan"
    )


def _boxes(plan) -> list[tuple[str, str]]:
    """The working version's boxes as (kind, text), in the order they were added."""
    version = plan.versions.order_by("-number").first()
    return [(e.kind, e.text) for e in version.elements.order_by("order")]


def _key(plan, text: str) -> str:
    return plan.versions.order_by("-number").first().elements.get(text=text).key


def _two_chains_sharing_outcome_and_impact(plan, user):
    priority_action_add(
        user=user,
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau receiving intensive support",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    priority_action_add(
        user=user,
        plan=plan,
        activity="Community based hubs",
        output="Established hubs",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )


def _draft(plan):
    return plan.versions.get(status="draft")


# --- Removing a priority action ------------------------------------------------------------------------------------


def test_removing_a_priority_action_removes_the_boxes_no_other_chain_uses_and_keeps_the_shared_ones(plan, coordinator):
    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    action = _draft(plan).elements.get(text="Whānau support and navigation")
    preview = chain_removal(_draft(plan), action)
    assert [e.text for e in preview.removed] == ["Whānau support and navigation", "Whānau receiving intensive support"]
    assert [(box.text, [u.text for u in users]) for box, users in preview.kept] == [
        ("Increase in whānau support and access to services", ["Community based hubs"]),
        ("Improved whānau wellbeing", ["Community based hubs"]),
    ]

    done = priority_action_remove(user=coordinator, plan=plan, key=action.key, seen=preview.fingerprint)

    assert [e.text for e in done.removed] == [e.text for e in preview.removed]
    assert _boxes(plan) == [
        ("outcome", "Increase in whānau support and access to services"),
        ("impact", "Improved whānau wellbeing"),
        ("activity", "Community based hubs"),
        ("output", "Established hubs"),
    ]
    assert stray_boxes(_draft(plan)) == []


def test_removing_the_last_chain_through_an_outcome_removes_it_with_its_monitoring_rows_and_renumbers_the_rest(plan, coordinator):
    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Targeted enforcement",
        output="Warrants and arrests",
        outcome="Reduced supply of illicit drugs",
        impact="Reduced harm from offending",
    )
    for outcome, code, indicator in [
        ("Increase in whānau support and access to services", "mf-whanau-support-referrals", "Referrals"),
        ("Reduced supply of illicit drugs", "mf-meth-wastewater", "Methamphetamine in wastewater"),
    ]:
        monitoring_row_add(user=coordinator, plan=plan, outcome_key=_key(plan, outcome), indicator_code=code, indicator_name=indicator)
    priority_action_remove(user=coordinator, plan=plan, key=_key(plan, "Whānau support and navigation"))
    hubs = _draft(plan).elements.get(text="Community based hubs")

    preview = chain_removal(_draft(plan), hubs)
    assert [e.text for e in preview.removed] == [
        "Community based hubs",
        "Established hubs",
        "Increase in whānau support and access to services",
        "Improved whānau wellbeing",
    ]
    assert preview.kept == [] and [r.indicator_name for r in preview.monitoring] == ["Referrals"]
    priority_action_remove(user=coordinator, plan=plan, key=hubs.key, seen=preview.fingerprint)

    assert _boxes(plan) == [
        ("activity", "Targeted enforcement"),
        ("output", "Warrants and arrests"),
        ("outcome", "Reduced supply of illicit drugs"),
        ("impact", "Reduced harm from offending"),
    ]
    assert list(_draft(plan).monitoring.values_list("order", "indicator_name")) == [(1, "Methamphetamine in wastewater")]


def test_a_removal_confirmed_after_the_plan_changed_removes_nothing(plan, coordinator, make_user):
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Increased local counselling",
        output="Individuals in counselling",
        outcome="Increase in access to counselling",
        impact="Reduced drug use and harm",
    )
    shown = chain_removal(_draft(plan), _draft(plan).elements.get(kind="activity"))
    assert len(shown.removed) == 4
    # Meanwhile a colleague adds a chain that meets the same outcome: removing would now keep it, not remove it.
    colleague = make_user("regional_coordinator", units=["rotorua"], username="rawiri")
    priority_action_add(user=colleague, plan=plan, activity="Community based hubs", outcome="Increase in access to counselling")
    before = _boxes(plan)

    with pytest.raises(ValidationError) as refused:
        priority_action_remove(user=coordinator, plan=plan, key=shown.action.key, seen=shown.fingerprint)

    assert "changed since you opened the page" in str(refused.value) and "nothing was removed" in str(refused.value)
    assert _boxes(plan) == before


def test_removing_a_priority_action_shown_on_an_agreed_version_works_on_a_new_draft_and_the_agreed_version_keeps_it(plan, coordinator):
    plan_part_add(user=coordinator, plan=plan, part="focus_areas", text="Methamphetamine harm to whānau")
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="Strong local governance and leadership")
    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="Targeted enforcement",
        output="Warrants and arrests",
        outcome="Reduced supply of illicit drugs",
        impact="Reduced harm from offending",
    )
    msd = Agency.objects.get(short_name="MSD")
    for outcome, code, indicator in [
        ("Increase in whānau support and access to services", "mf-whanau-support-referrals", "Referrals"),
        ("Reduced supply of illicit drugs", "mf-meth-wastewater", "Methamphetamine in wastewater"),
    ]:
        monitoring_row_add(
            user=coordinator,
            plan=plan,
            outcome_key=_key(plan, outcome),
            indicator_code=code,
            indicator_name=indicator,
            data_source="Provider reporting",
            responsible_agency=msd,
        )
    agreed = plan_agree(user=coordinator, plan=plan)
    shown = chain_removal(agreed, agreed.elements.get(text="Targeted enforcement"))
    assert len(shown.removed) == 4 and [r.indicator_name for r in shown.monitoring] == ["Methamphetamine in wastewater"]

    priority_action_remove(user=coordinator, plan=plan, key=shown.action.key, seen=shown.fingerprint)

    agreed, draft = plan.versions.order_by("number")
    assert (agreed.status, draft.status) == ("agreed", "draft")
    assert agreed.elements.count() == 10 and agreed.monitoring.count() == 2
    assert draft.elements.count() == 6 and list(draft.monitoring.values_list("indicator_name", flat=True)) == ["Referrals"]


def test_only_a_priority_action_is_removed_as_a_chain(plan, coordinator):
    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    with pytest.raises(ValidationError) as refused:
        priority_action_remove(user=coordinator, plan=plan, key=_key(plan, "Established hubs"))
    assert "not a priority action" in str(refused.value)
    assert len(_boxes(plan)) == 6


def test_a_box_on_a_chain_is_never_removed_alone_so_nothing_after_it_is_orphaned(plan, coordinator):
    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    for text in ("Established hubs", "Improved whānau wellbeing", "Community based hubs"):
        with pytest.raises(ValidationError):
            chain_element_remove(user=coordinator, plan=plan, key=_key(plan, text))
    assert len(_boxes(plan)) == 6


def test_a_box_on_no_chain_is_listed_and_can_be_removed(plan, coordinator):
    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    stray = chain_element_add(user=coordinator, plan=plan, kind="output", text="Pamphlets printed")
    assert [e.text for e in stray_boxes(_draft(plan))] == ["Pamphlets printed"]
    with pytest.raises(ValidationError):
        chain_element_remove(user=coordinator, plan=plan, key=stray.key, seen="Something else")
    chain_element_remove(user=coordinator, plan=plan, key=stray.key, seen="Pamphlets printed")
    assert stray_boxes(_draft(plan)) == [] and len(_boxes(plan)) == 6


# --- Re-adding a chain joins what exists ---------------------------------------------------------------------------


def test_boxes_are_the_same_box_whatever_the_case_macron_encoding_and_spacing():
    decomposed = unicodedata.normalize("NFD", "Whānau receiving intensive support")
    assert decomposed != "Whānau receiving intensive support"
    assert box_match_key(decomposed) == box_match_key("  whanau   RECEIVING intensive\nsupport ")
    assert box_match_key("Whānau support") != box_match_key("Whānau supports")


def test_a_re_added_chain_joins_the_output_outcome_and_impact_it_names_instead_of_copying_them(plan, coordinator):
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
        activity="Rangatahi mentoring",
        output=unicodedata.normalize("NFD", "whanau  receiving intensive support"),
        outcome="INCREASE IN WHĀNAU SUPPORT AND ACCESS TO SERVICES",
        impact="Improved whanau wellbeing",
    )
    draft = _draft(plan)
    assert sorted(draft.elements.values_list("kind", flat=True)) == ["activity", "activity", "impact", "outcome", "output"]
    output = draft.elements.get(kind="output")
    assert output.text == "Whānau receiving intensive support"
    assert sorted(output.led_from.values_list("text", flat=True)) == ["Rangatahi mentoring", "Whānau support and navigation"]


def test_a_row_naming_an_existing_priority_action_extends_its_chain(plan, coordinator):
    priority_action_add(user=coordinator, plan=plan, activity="Targeted enforcement", output="Warrants and arrests", owner="Police")
    priority_action_add(
        user=coordinator,
        plan=plan,
        activity="targeted  enforcement",
        output="Seizures of methamphetamine",
        outcome="Reduced supply of illicit drugs",
        timeframe="2026",
    )
    draft = _draft(plan)
    action = draft.elements.get(kind="activity")
    assert draft.elements.filter(kind="activity").count() == 1
    assert sorted(action.leads_to.values_list("text", flat=True)) == ["Seizures of methamphetamine", "Warrants and arrests"]
    assert (action.owner, action.timeframe) == ("Police", "2026")


def test_a_row_that_would_replace_an_owner_or_adds_nothing_is_refused_and_changes_nothing(plan, coordinator):
    priority_action_add(
        user=coordinator, plan=plan, activity="Targeted enforcement", output="Warrants and arrests", outcome="Reduced supply of illicit drugs", owner="Police"
    )
    before = _boxes(plan)
    with pytest.raises(ValidationError) as replaced:
        priority_action_add(user=coordinator, plan=plan, activity="Targeted enforcement", output="Seizures", owner="Customs")
    assert replaced.value.message_dict["owner"] == [
        "The priority action “Targeted enforcement” already has the owner “Police”; edit the box to change it. Nothing was added."
    ]
    with pytest.raises(ValidationError) as again:
        priority_action_add(
            user=coordinator, plan=plan, activity="Targeted Enforcement", output="warrants and arrests", outcome="Reduced supply of illicit drugs"
        )
    assert "nothing was added" in again.value.message_dict["activity"][0]
    assert _boxes(plan) == before
    assert _draft(plan).elements.get(kind="activity").owner == "Police"


# --- The agree gate refuses boxes on no chain ----------------------------------------------------------------------


def test_the_agree_gate_lists_an_output_no_activity_feeds_and_an_outcome_and_impact_no_chain_reaches(plan, coordinator):
    plan_part_add(user=coordinator, plan=plan, part="focus_areas", text="Gang violence")
    plan_part_add(user=coordinator, plan=plan, part="conditions", text="Community owns the response")
    priority_action_add(
        user=coordinator, plan=plan, activity="Community based hubs", output="Established hubs", outcome="Increased access to services", impact="Reduced harm"
    )
    monitoring_row_add(
        user=coordinator,
        plan=plan,
        outcome_key=_key(plan, "Increased access to services"),
        indicator_code="mf-community-hub-referrals",
        indicator_name="Hub referrals",
        data_source="Provider reporting",
        responsible_agency=Agency.objects.get(short_name="MSD"),
    )
    # An output nothing feeds, leading to an outcome that only it feeds; and an impact on its own.
    output = chain_element_add(user=coordinator, plan=plan, kind="output", text="Pamphlets printed")
    chain_element_add(user=coordinator, plan=plan, kind="outcome", text="Better informed whānau", led_from=[output.key])
    chain_element_add(user=coordinator, plan=plan, kind="impact", text="Safer streets")

    with pytest.raises(PlanNotAgreeable) as refused:
        plan_agree(user=coordinator, plan=plan)

    assert [(g.step, g.message) for g in refused.value.gaps] == [
        (3, "Output “Pamphlets printed” is on no chain: no priority action leads to it. Link it into a chain or remove it."),
        (3, "Outcome “Better informed whānau” is on no chain: no priority action's output leads to it. Link it into a chain or remove it."),
        (3, "Impact “Safer streets” is on no chain: no priority action's outcome leads to it. Link it into a chain or remove it."),
        (4, "Outcome “Better informed whānau” has no indicator."),
    ]
    assert _draft(plan).status == "draft"
    for text in ("Safer streets", "Better informed whānau", "Pamphlets printed"):
        chain_element_remove(user=coordinator, plan=plan, key=_key(plan, text))
    assert plan_agree(user=coordinator, plan=plan).status == "agreed"


def test_the_shipped_example_plan_has_no_box_on_no_chain(strategy):
    from rocc.strategy.models import DistrictPlan

    version = DistrictPlan.objects.get(code="example-district-plan").versions.get()
    assert stray_boxes(version) == []
    assert ChainElement.objects.filter(version=version).count() == 20


# --- The same rules over the API -----------------------------------------------------------------------------------


def test_the_api_shows_a_removal_first_and_removes_exactly_that_or_nothing(plan, coordinator, make_user):
    import json

    from django.test import Client

    from rocc.core.tokens import token_issue

    _two_chains_sharing_outcome_and_impact(plan, coordinator)
    client, base = Client(), f"/api/strategy/district-plans/{plan.code}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=coordinator, name='test')}"}
    hubs = _key(plan, "Community based hubs")

    shown = client.get(f"{base}/priority-actions/{hubs}/removal", **auth).json()
    assert [b["text"] for b in shown["removed"]] == ["Community based hubs", "Established hubs"]
    assert [(b["text"], b["used_by"]) for b in shown["kept"]] == [
        ("Increase in whānau support and access to services", [_key(plan, "Whānau support and navigation")]),
        ("Improved whānau wellbeing", [_key(plan, "Whānau support and navigation")]),
    ]
    stale = client.delete(f"{base}/priority-actions/{hubs}?seen=0000000000000000", **auth)
    assert stale.status_code == 422 and "nothing was removed" in json.dumps(stale.json(), ensure_ascii=False)
    assert len(_boxes(plan)) == 6
    viewer = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=make_user('viewer', units=['rotorua']), name='test')}"}
    assert client.delete(f"{base}/priority-actions/{hubs}?seen={shown['fingerprint']}", **viewer).status_code == 403

    done = client.delete(f"{base}/priority-actions/{hubs}?seen={shown['fingerprint']}", **auth)

    assert done.status_code == 200 and [b["text"] for b in done.json()["logic_model"]] == [
        "Whānau support and navigation",
        "Whānau receiving intensive support",
        "Increase in whānau support and access to services",
        "Improved whānau wellbeing",
    ]
    outcome = _key(plan, "Increase in whānau support and access to services")
    assert client.delete(f"{base}/boxes/{outcome}", **auth).status_code == 422
    stray = chain_element_add(user=coordinator, plan=plan, kind="output", text="Pamphlets printed")
    assert client.delete(f"{base}/boxes/{stray.key}", **auth).status_code == 200 and len(_boxes(plan)) == 4
