"""The moves of a plan's life (draft → agreed → active → under review, a new draft, discarding one) and of a
barrier's (raise → escalate → respond → close) are one rule each in rules.py: the pages offer exactly the moves
the services accept, for every role and every state."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from rocc.org.models import Agency, OrgUnit
from rocc.strategy.models import (
    BARRIER_TRANSITIONS,
    PLAN_VERSION_TRANSITIONS,
    BarrierMove,
    Framework,
    PlanMove,
)
from rocc.strategy.rules import plan_moves
from rocc.strategy.services import plans as plans_services
from rocc.strategy.services import register as register_services
from rocc.strategy.tests.catalogue import catalogue_define

PLAN_SERVICE = plans_services.PLAN_MOVE_SERVICES

# Every state a plan can be in, as the moves that build it from a complete first draft ("edit" changes the plan,
# which opens a new draft of a frozen version), and the moves the state allows someone who may edit the plan.
PLAN_STATES = {
    "draft v1": ([], "agree"),
    "agreed v1": (["agree"], "activate draft"),
    "active v1": (["agree", "activate"], "review draft"),
    "under review v1": (["agree", "activate", "review"], "draft"),
    "agreed v1, draft v2": (["agree", "edit"], "agree activate discard"),
    "active v1, draft v2": (["agree", "activate", "edit"], "agree review discard"),
    "under review v1, draft v2": (["agree", "activate", "review", "edit"], "agree discard"),
    "superseded v1, agreed v2": (["agree", "edit", "agree"], "activate draft"),
    "superseded v1, under review v2": (["agree", "edit", "agree", "activate", "review"], "draft"),
}
# The rows of the check: who may edit a Rotorua plan and who may not.
ROLES = {
    "administrator": ("administrator", None),
    "programme_manager": ("programme_manager", None),
    "coordinator of the Bay of Plenty": ("regional_coordinator", ["bay-of-plenty"]),
    "coordinator of Canterbury": ("regional_coordinator", ["canterbury"]),
    "analyst": ("analyst", ["bay-of-plenty"]),
    "viewer": ("viewer", ["bay-of-plenty"]),
}


class _Undo(Exception):
    """Raised inside a savepoint so that a move the service accepted is undone before the next one is tried."""


def _accepted(call) -> bool:
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except (PermissionDenied, ValidationError):
        return False


@pytest.fixture
def people(make_user):
    return {name: make_user(role, units=units, username=f"u{n}") for n, (name, (role, units)) in enumerate(ROLES.items())}


def _plan_in(state: str, user):
    plan = plans_services.district_plan_create(
        user=user, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title=f"Plan {state}"
    )
    plans_services.plan_part_add(user=user, plan=plan, part="focus_areas", text="Methamphetamine harm to whānau")
    plans_services.plan_part_add(user=user, plan=plan, part="conditions", text="Strong local governance and leadership")
    plans_services.priority_action_add(
        user=user,
        plan=plan,
        activity="Whānau support and navigation",
        output="Whānau supported",
        outcome="More whānau reach services",
        impact="Improved whānau wellbeing",
    )
    catalogue_define()
    plans_services.monitoring_row_add(
        user=user,
        plan=plan,
        outcome_key=plan.versions.get().elements.get(kind="outcome").key,
        indicator_code="mf-whanau-support-referrals",
        indicator_name="Referrals",
        data_source="Provider reporting",
        responsible_agency=Agency.objects.get(short_name="MSD"),
    )
    for n, move in enumerate(PLAN_STATES[state][0]):
        if move == "edit":
            plans_services.plan_part_add(user=user, plan=plan, part="conditions", text=f"Sustained investment {n}")
        else:
            PLAN_SERVICE[move](user=user, plan=plan)
    return plan


def _offered_on_the_plan_page(client, user, plan) -> set[str]:
    client.force_login(user)
    page = client.get(f"/strategy/district-plans/{plan.code}/").content.decode()
    return set(re.findall(rf'action="/strategy/district-plans/{plan.code}/lifecycle/([a-z]+)/"', page))


def test_every_move_of_a_plans_life_is_in_the_transition_table():
    assert set(PLAN_VERSION_TRANSITIONS) == set(PlanMove) and set(PLAN_SERVICE) == set(PlanMove)
    assert set(BARRIER_TRANSITIONS) == set(BarrierMove)


@pytest.mark.parametrize("state", PLAN_STATES)
def test_the_plan_page_offers_exactly_the_moves_the_service_accepts(client, strategy, people, state):
    plan = _plan_in(state, people["administrator"])
    expected_for_editors = set(PLAN_STATES[state][1].split())
    differences = []
    for name, user in people.items():
        offered = _offered_on_the_plan_page(client, user, plan)
        accepted = {move for move in PlanMove if _accepted(lambda move=move, user=user: PLAN_SERVICE[move](user=user, plan=plan))}
        if offered != accepted:
            differences.append(f"{name}: page offers {sorted(offered)}, service accepts {sorted(accepted)}")
        may_edit = user.has_perm("strategy.edit_district_plan", plan)
        if accepted != (expected_for_editors if may_edit else set()):
            differences.append(f"{name}: service accepts {sorted(accepted)}, the table says {sorted(expected_for_editors if may_edit else set())}")
    assert not differences, f"{state}:\n" + "\n".join(differences)


def test_the_moves_offered_name_the_version_they_apply_to(strategy, people):
    plan = _plan_in("active v1, draft v2", people["programme_manager"])
    assert {move: version.number for move, version in plan_moves(people["programme_manager"], plan).items()} == {"agree": 2, "review": 1, "discard": 2}


def test_agree_is_offered_on_a_draft_with_gaps_and_the_refusal_lists_them_without_changing_the_plan(client, strategy, people):
    """The state allows agreeing a draft; what the draft still lacks is the agree gate's answer, listed in full."""
    user = people["coordinator of the Bay of Plenty"]
    plan = plans_services.district_plan_create(
        user=user, framework=Framework.objects.get(code="rocc"), unit=OrgUnit.objects.get(code="rotorua"), title="Empty plan"
    )
    assert _offered_on_the_plan_page(client, user, plan) == {"agree"}
    refused = client.post(f"/strategy/district-plans/{plan.code}/lifecycle/agree/")
    assert refused.status_code == 400 and "No focus area yet" in refused.content.decode()
    assert plan.versions.get().status == "draft"


def test_a_refused_move_says_why_and_changes_nothing(client, strategy, people):
    user = people["coordinator of the Bay of Plenty"]
    plan = _plan_in("agreed v1", user)
    with pytest.raises(ValidationError) as refused:
        plans_services.plan_review_start(user=user, plan=plan)
    assert refused.value.message_dict == {"status": ["Only an active plan goes under review."]}
    with pytest.raises(ValidationError) as again:
        plans_services.plan_draft_open(user=user, plan=_plan_in("agreed v1, draft v2", user))
    assert again.value.message_dict == {"status": ["The plan already has a draft: changes go to it."]}
    with pytest.raises(PermissionDenied):
        plans_services.plan_activate(user=people["coordinator of Canterbury"], plan=plan)
    assert list(plan.versions.values_list("number", "status")) == [(1, "agreed")]


# --- The barrier escalation register -------------------------------------------------------------------------------

BARRIER_SERVICE = {
    BarrierMove.ESCALATE: lambda user, barrier: register_services.barrier_escalate(user=user, barrier=barrier),
    BarrierMove.RESPOND: lambda user, barrier: register_services.barrier_respond(user=user, barrier=barrier, response="Funding approved."),
    BarrierMove.CLOSE: lambda user, barrier: register_services.barrier_close(user=user, barrier=barrier),
}
# The moves each state allows, for the region's coordinators (and the centre) | for the centre alone.
BARRIER_STATES = {
    "raised": ([], "escalate", "escalate"),
    "escalated": (["escalate"], "", "respond"),
    "responded": (["escalate", "respond"], "", "respond close"),
    "closed": (["escalate", "respond", "close"], "", ""),
}


@pytest.mark.parametrize("state", BARRIER_STATES)
def test_the_barrier_page_offers_exactly_the_moves_the_service_accepts(client, strategy, people, state):
    centre = people["programme_manager"]
    barrier = register_services.barrier_raise(
        user=people["coordinator of the Bay of Plenty"],
        unit=OrgUnit.objects.get(code="rotorua"),
        severity=3,
        title="No venue for hui",
        description="The marae is booked for months.",
    )
    for move in BARRIER_STATES[state][0]:
        BARRIER_SERVICE[move](centre, barrier)
    barrier.refresh_from_db()
    _, region_moves, centre_moves = BARRIER_STATES[state]
    expected = {
        "administrator": set(region_moves.split()) | set(centre_moves.split()),
        "programme_manager": set(region_moves.split()) | set(centre_moves.split()),
        "coordinator of the Bay of Plenty": set(region_moves.split()),
    }
    differences = []
    for name, user in people.items():
        client.force_login(user)
        response = client.get(f"/strategy/barriers/{barrier.pk}/")
        offered = set(re.findall(r'name="action" value="([a-z]+)"', response.content.decode())) if response.status_code == 200 else set()
        accepted = {move for move in BarrierMove if _accepted(lambda move=move, user=user: BARRIER_SERVICE[move](user, barrier))}
        if offered != accepted:
            differences.append(f"{name}: page offers {sorted(offered)}, service accepts {sorted(accepted)}")
        if accepted != expected.get(name, set()):
            differences.append(f"{name}: service accepts {sorted(accepted)}, the table says {sorted(expected.get(name, set()))}")
    assert not differences, f"{state}:\n" + "\n".join(differences)


def test_the_api_makes_the_same_moves_and_refuses_the_others_with_422(strategy, people):
    from django.test import Client

    from rocc.core.tokens import token_issue

    user = people["coordinator of the Bay of Plenty"]
    plan = _plan_in("active v1, draft v2", user)
    client, base = Client(), f"/api/strategy/district-plans/{plan.code}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user, name='test')}"}
    refused = client.post(f"{base}/activate", **auth)
    assert refused.status_code == 422 and refused.json()["errors"] == {"status": ["Only an agreed version becomes active; agree the draft first."]}
    assert client.post(f"{base}/draft", **auth).status_code == 422
    discarded = client.post(f"{base}/discard", **auth)
    assert discarded.status_code == 200 and (discarded.json()["number"], discarded.json()["status"]) == (1, "active")
    assert list(plan.versions.values_list("number", "status")) == [(1, "active")]
    reader = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=people['viewer'], name='test')}"}
    assert client.post(f"{base}/review", **reader).status_code == 403
    assert plan.versions.get().status == "active"
