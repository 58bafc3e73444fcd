"""The action plan knows where it is used: an activity's page shows the district-plan boxes that cite it (in each
plan's version in force) and the indicators their chains carry, the curves whose turn-the-curve action plan picks
it, and the taskings and cases linked to it; a curve's action plan picks real activities and taskings, beside its
free text, and shows each one's status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rocc.measures.models import Indicator
from rocc.org.models import Agency, OrgUnit
from rocc.strategy.models import Activity, ChainElement, CurveAction, Framework
from rocc.strategy.selectors.frameworks import activity_uses, curve_actions_for
from rocc.strategy.services.frameworks import curve_actions_set
from rocc.strategy.services.plans import chain_element_edit, district_plan_create, monitoring_row_add, plan_agree, plan_part_add, priority_action_add
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)
from rocc.testing import load_once

CODE = "mf-whanau-support-referrals"


@pytest.fixture
def scene(strategy, measures_catalogue, make_user):
    from rocc.problems.services import case_open, problems_defaults_load
    from rocc.tasking.services.defaults import tasking_defaults_load
    from rocc.tasking.services.taskings import tasking_create

    load_once(tasking_defaults_load)
    load_once(problems_defaults_load)
    waitemata = OrgUnit.objects.get(code="waitemata")
    people = {
        "manager": make_user("programme_manager", username="pm"),
        "coordinator": make_user("regional_coordinator", units=["waitemata"], username="rc-waitemata"),
        "occc": make_user("tc_member", units=["nz"], username="occc"),
        "member": make_user("tc_member", units=["waitemata"], username="member-waitemata"),
        "viewer": make_user("viewer", units=["waitemata"], username="viewer-waitemata"),
    }
    activity = Activity.objects.filter(plan__scope_unit__level="national").order_by("plan__code", "number").first()
    plan = district_plan_create(user=people["coordinator"], framework=Framework.objects.get(code="rocc"), unit=waitemata, title="Waitematā whānau plan")
    plan_part_add(user=people["coordinator"], plan=plan, part="focus_areas", text="Methamphetamine harm to whānau")
    plan_part_add(user=people["coordinator"], plan=plan, part="conditions", text="Strong local governance and leadership")
    priority_action_add(
        user=people["coordinator"],
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau receiving intensive support",
        outcome="Increase in whānau support and access to services",
        impact="Improved whānau wellbeing",
    )
    box = ChainElement.objects.get(version__plan=plan, kind="activity")
    chain_element_edit(user=people["coordinator"], plan=plan, key=box.key, activities=[activity])
    monitoring_row_add(
        user=people["coordinator"],
        plan=plan,
        outcome_key=ChainElement.objects.get(version__plan=plan, kind="outcome").key,
        indicator_code=CODE,
        data_source="Provider reporting",
        responsible_agency=Agency.objects.get(short_name="MSD"),
    )
    plan_agree(user=people["coordinator"], plan=plan)
    plan_part_add(user=people["coordinator"], plan=plan, part="conditions", text="Sustained investment")  # a draft, version 2
    case = case_open(
        actor=people["coordinator"], title="Meth supply in Henderson", description="Supply to whānau.", scope_unit=waitemata, owner=people["coordinator"]
    )
    tasking = tasking_create(
        actor=people["occc"],
        title="Map the supply network",
        description="Who supplies whom.",
        owner=people["member"],
        due_date=timezone.localdate() + dt.timedelta(days=14),
        tasked_unit=waitemata,
        case=case,
    )
    return {"activity": activity, "plan": plan, "box": box, "case": case, "tasking": tasking, "indicator": Indicator.objects.get(code=CODE), **people}


def _pick(scene, who="manager", activities=None, taskings=None):
    return curve_actions_set(
        user=scene[who],
        indicator=scene["indicator"],
        unit=OrgUnit.objects.get(code="waitemata"),
        activity_ids=[scene["activity"].pk] if activities is None else activities,
        tasking_ids=[scene["tasking"].pk] if taskings is None else taskings,
    )


def test_a_curves_action_plan_picks_an_activity_and_a_tasking_and_shows_each_status(scene):
    _pick(scene)
    picked = curve_actions_for(user=scene["manager"], indicator=scene["indicator"], unit=OrgUnit.objects.get(code="waitemata"))
    by_kind = {item.kind: item for item in picked.items}
    assert by_kind["activity"].status == scene["activity"].get_status_display()
    assert by_kind["activity"].url == f"/strategy/plans/{scene['activity'].plan.code}/activities/{scene['activity'].number}/"
    assert by_kind["tasking"].status == "Open" and by_kind["tasking"].url == f"/tasking/taskings/{scene['tasking'].pk}/"
    assert by_kind["tasking"].case_url == f"/problems/cases/{scene['case'].pk}/"
    assert picked.hidden == 0


def test_picking_again_replaces_the_picks_and_keeps_what_the_picker_may_not_see(scene):
    _pick(scene)
    # The coordinator may write Waitematā's story but sees no taskings: their save keeps the tasking picked.
    _pick(scene, who="coordinator", taskings=[])
    assert CurveAction.objects.filter(tasking=scene["tasking"]).exists()
    picked = curve_actions_for(user=scene["coordinator"], indicator=scene["indicator"], unit=OrgUnit.objects.get(code="waitemata"))
    assert [item.kind for item in picked.items] == ["activity"] and picked.hidden == 1
    _pick(scene, activities=[], taskings=[])
    assert not CurveAction.objects.exists()


def test_a_pick_is_refused_for_someone_who_may_not_write_the_curve_or_for_an_unknown_action(scene):
    with pytest.raises(PermissionDenied):
        _pick(scene, who="viewer")
    with pytest.raises(ValidationError) as refused:
        _pick(scene, activities=[999999], taskings=[888888])
    assert set(refused.value.message_dict) == {"activities", "taskings"}
    with pytest.raises(ValidationError):
        _pick(scene, who="coordinator")  # a tasking the coordinator may not see is not theirs to pick
    assert not CurveAction.objects.exists()


def test_the_activity_knows_the_boxes_that_cite_it_their_indicators_and_the_taskings_and_cases_linked(scene):
    _pick(scene)
    uses = activity_uses(user=scene["manager"], activity=scene["activity"])
    [box] = uses.boxes
    assert box.text == "Whānau support and navigation" and box.version_label == "version 1 (agreed, in force)"
    assert f"/v1/boxes/{scene['box'].key}/" in box.url
    assert [(i["code"], i["url"]) for i in box.indicators] == [(CODE, f"/measures/indicators/{CODE}/?unit=waitemata")]
    assert [c["label"] for c in uses.curves] == [f"{scene['indicator'].name} · Waitematā"]
    assert [t.url for t in uses.taskings] == [f"/tasking/taskings/{scene['tasking'].pk}/"]
    assert uses.cases == [{"label": str(scene["case"]), "url": f"/problems/cases/{scene['case'].pk}/"}]
    hidden = activity_uses(user=scene["coordinator"], activity=scene["activity"])
    assert hidden.taskings == [] and hidden.hidden_taskings == 1 and hidden.cases == []


def test_the_pages_show_the_picks_and_where_the_activity_is_used(client, scene):
    client.force_login(scene["manager"])
    url = f"/strategy/curves/{CODE}/waitemata/actions/"
    answer = client.post(url, {"activities": [scene["activity"].pk], "taskings": [scene["tasking"].pk]})
    assert answer.status_code == 302 and answer["Location"] == f"/measures/indicators/{CODE}/?unit=waitemata#narrative"
    curve = client.get(f"/measures/indicators/{CODE}/?unit=waitemata").content.decode()
    assert "Actions picked from the action plan and T&amp;C" in curve
    assert f'name="taskings" value="{scene["tasking"].pk}" id="curve-tasking-{scene["tasking"].pk}" checked' in curve
    assert f"/tasking/taskings/{scene['tasking'].pk}/" in curve and "Open" in curve
    activity = client.get(f"/strategy/plans/{scene['activity'].plan.code}/activities/{scene['activity'].number}/").content.decode()
    assert "Where this activity is used" in activity and "Waitematā whānau plan" in activity and "version 1 (agreed, in force)" in activity
    assert f"/measures/indicators/{CODE}/?unit=waitemata" in activity and f"/problems/cases/{scene['case'].pk}/" in activity
    client.force_login(scene["viewer"])
    assert 'action="/strategy/curves/' not in client.get(f"/measures/indicators/{CODE}/?unit=waitemata").content.decode(), "no form for a reader"
    assert client.post(url, {"activities": [scene["activity"].pk]}).status_code == 403
