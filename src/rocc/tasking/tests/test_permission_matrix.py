"""The Tasking & Coordination permission matrix: every role × action × in-scope / out-of-scope object, cell by cell;
and the selectors' lists agree with the permission rules for every actor and record."""

import datetime as dt

import pytest

from rocc.tasking.models import InsightsProduct, Tasking
from rocc.tasking.selectors.meetings import meeting_list
from rocc.tasking.selectors.products import product_list
from rocc.tasking.selectors.reports import report_list
from rocc.tasking.selectors.taskings import tasking_list
from rocc.tasking.services.meetings import meeting_create
from rocc.tasking.services.reports import report_route
from rocc.tasking.services.taskings import tasking_create

# Y: allowed for both objects (or allowed, for an action without one); I: only the in-scope (Waitematā) object; N: never.
ACTIONS = ["view", "compile", "method", "v.prod", "add.prod", "v.rep", "route", "v.task", "upd.task", "add.task", "score", "v.meet", "minute"]
EXPECTED = {
    #                        view cmp mth vpr apr vrp rte vtk utk atk scr vmt min
    "administrator": "Y    Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
    "programme_manager": "Y    Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
    "regional_coordinator": "N    N   N   N   N   N   N   N   N   N   N   N   N",
    "analyst": "Y    N   N   I   I   I   N   I   N   N   N   N   N",
    "provider_reporter": "N    N   N   N   N   N   N   N   N   N   N   N   N",
    "tc_member": "Y    N   N   I   I   I   I   I   I   I   I   I   I",
    "viewer": "N    N   N   N   N   N   N   N   N   N   N   N   N",
    "no role": "N    N   N   N   N   N   N   N   N   N   N   N   N",
    "anonymous": "N    N   N   N   N   N   N   N   N   N   N   N   N",
}
PERMS = {
    "view": "tasking.view_tasking",
    "compile": "tasking.compile_report",
    "method": "tasking.change_methodology",
    "v.prod": "tasking.view_product",
    "add.prod": "tasking.add_product",
    "v.rep": "tasking.view_report",
    "route": "tasking.route_report",
    "v.task": "tasking.view_tasking_record",
    "upd.task": "tasking.update_tasking",
    "add.task": "tasking.add_tasking",
    "score": "tasking.score",
    "v.meet": "tasking.view_meeting",
    "minute": "tasking.minute_meeting",
}


@pytest.fixture
def objects(actors, people, make_report, make_product, unit, forum):
    """Waitematā (in scope of the actors) against Canterbury (out of scope), for each kind of record."""
    made = {}
    for district, analyst, tc in (("waitemata", "waitemata_analyst", "waitemata_tc"), ("canterbury", "canterbury_analyst", "canterbury_tc")):
        product = make_product(actor=people[analyst], district=district)
        report = make_report(products=[product])
        report_route(actor=people["occc"], report=report, version=1, direction="district", district=unit(district), rationale="Local.")
        tasking = tasking_create(
            actor=people["occc"],
            title="Disrupt",
            description="x",
            owner=people[tc],
            due_date=dt.date.today(),
            tasked_unit=unit(district),
            forum=forum(f"{district}-tc"),
        )
        meeting = meeting_create(actor=people["occc"], forum=forum(f"{district}-tc"), held_on=dt.date.today())
        made[district] = {
            "v.prod": product,
            "add.prod": InsightsProduct(kind="district_insights", source_unit=unit(district)),
            "v.rep": report,
            "route": report,
            "score": report,
            "v.task": tasking,
            "upd.task": tasking,
            "add.task": Tasking(forum=forum(f"{district}-tc")),
            "v.meet": meeting,
            "minute": meeting,
        }
    return {action: (made["waitemata"][action], made["canterbury"][action]) for action in made["waitemata"]}


def _cell(user, action, objects) -> str:
    perm = PERMS[action]
    if action not in objects:
        return "Y" if user.has_perm(perm) else "N"
    inside, outside = objects[action]
    allowed_inside, allowed_outside = user.has_perm(perm, inside), user.has_perm(perm, outside)
    if allowed_inside and allowed_outside:
        return "Y"
    if allowed_inside:
        return "I"
    assert not allowed_outside, f"{action} allows the out-of-scope object but not the in-scope one"
    return "N"


def test_tasking_permission_matrix_is_exactly_as_decided(actors, objects):
    differences = [
        f"{role}: {action} expected {expected} got {got}"
        for role, user in actors.items()
        for action, expected, got in zip(ACTIONS, EXPECTED[role].split(), [_cell(user, a, objects) for a in ACTIONS])
        if expected != got
    ]
    assert not differences, "tasking permission matrix changed:\n" + "\n".join(differences)


def test_the_selectors_list_exactly_what_the_rules_let_each_actor_see(actors, people, objects, make_report, forum):
    from rocc.tasking.models import InsightsReport, Meeting

    make_report(title="New, still with the OCCC")  # unrouted: only the OCCC and the programme office see it
    forum("pre-tc").members.add(actors["analyst"])
    pairs = [
        (product_list, "tasking.view_product", InsightsProduct.objects.all()),
        (report_list, "tasking.view_report", InsightsReport.objects.all()),
        (tasking_list, "tasking.view_tasking_record", Tasking.objects.all()),
        (meeting_list, "tasking.view_meeting", Meeting.objects.all()),
    ]
    everyone = {**actors, **{name: people[name] for name in ("occc", "waitemata_tc", "canterbury_analyst")}}
    for name, user in everyone.items():
        for selector, perm, records in pairs:
            listed = set(selector(user=user).values_list("pk", flat=True))
            allowed = {record.pk for record in records if user.has_perm(perm, record)}
            assert listed == allowed, f"{name}: {selector.__name__} lists {sorted(listed)}, the rule allows {sorted(allowed)}"
