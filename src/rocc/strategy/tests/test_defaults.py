"""The shipped ROCC framework and Year Two action plan match the source documents, and load idempotently."""

import unicodedata

from rocc.strategy.models import ActionPlan, Activity, ActivityStatus, Framework, ProgressUpdate
from rocc.strategy.services.frameworks import strategy_defaults_load

# Number → (focus area, title, lead agencies, support agencies), as Appendix 8 lists them ("All" = every partner agency).
SEED = {
    1: ("SUPPLY", "Operation Cobalt", ["Police"], []),
    2: ("SUPPLY", "Reintegration support for deportees", ["APA", "MSD"], ["Police"]),
    3: ("SUPPLY", "Alignment of TNOC and ROCC", ["ROCC", "TNOC"], ["MBIE", "Police"]),
    4: ("DEMAND", "Coordination of meth harm reduction programmes", ["Te Whatu Ora"], ["Manatū Hauora", "Te Aka Whai Ora", "Police", "NDIB", "SWA"]),
    5: ("DEMAND", "Gang Harm Reduction Project rollout", ["Police"], ["APA", "Te Whatu Ora", "Kāinga Ora", "TPK", "MSD", "MBIE"]),
    6: ("RESILIENCE", "", [], []),
    7: ("RESILIENCE", "Disruptive Behaviour Referrals", ["Kāinga Ora"], ["Police", "APA", "MSD", "Oranga Tamariki", "Te Whatu Ora"]),
    8: ("RESILIENCE", "Oranga Tamariki Action Plan (OTAP)", ["Oranga Tamariki", "Police", "Manatū Hauora", "MoE", "MSD", "MOJ"], []),
    9: ("RESILIENCE", "Oranga Rangatahi and Youth Inclusion Programmes", ["Oranga Tamariki"], ["Police", "MoE"]),
    10: ("ENABLE", "ROCC Strategic Intent Document", ["All"], ["ROCC"]),
    11: ("ENABLE", "Insights-led decision making", ["SWA"], ["APA", "Police", "MBIE", "NDIB", "GHIC", "RPS Policy Office", "ROCC"]),
    12: ("ENABLE", "Enablement of regions to implement ROCC", ["MSD", "RPS Policy Office"], ["SWA", "ROCC"]),
    13: ("ENABLE", "Meth Harm Tranche 2 Paper", ["Police"], ["All"]),
    14: ("ENABLE", "Evaluation of ROCC", ["ROCC"], ["All"]),
    15: ("ENABLE", "Stocktake of initiatives", ["ROCC"], ["All"]),
}


def _agencies(names, all_agencies):
    return (["All"] if all_agencies else []) + [agency.short_name for agency in names]


def test_the_year_two_plan_has_the_fifteen_activities_of_the_seed_with_their_agencies(year_two):
    activities = {a.number: a for a in Activity.objects.filter(plan=year_two)}
    assert sorted(activities) == list(range(1, 16))
    for number, (focus, title, lead, support) in SEED.items():
        activity = activities[number]
        assert activity.priority_action_area.focus_area.kind == focus, number
        assert activity.title == title, number
        assert _agencies(activity.lead_agencies, activity.all_agencies_lead) == lead, number
        assert _agencies(activity.support_agencies, activity.all_agencies_support) == support, number


def test_activity_six_has_no_description_and_says_it_is_yet_to_be_finalised(year_two):
    six = Activity.objects.get(plan=year_two, number=6)
    assert six.description == "" and six.status == ActivityStatus.DESCRIPTION_PENDING
    assert str(six) == "6. Activity description yet to be finalised"
    assert Activity.objects.filter(plan=year_two, status=ActivityStatus.NOT_STARTED).count() == 14


def test_activity_three_carries_its_sub_activities_and_the_footnote(year_two):
    three = Activity.objects.get(plan=year_two, number=3)
    subs = list(three.sub_activities.all())
    assert [s.title for s in subs] == [
        "Deportee journey mapping",
        "Continued development of the Border to Backyard website",
        "Delivery of training and educational material to improve awareness and understanding of trafficking in persons domestically",
    ]
    assert subs[2].note == "This sub-activity will work with MBIE and Police's Trafficking in Persons (TiP) team"
    assert three.description == "The ROCC and TNOC will strengthen alignment through:"


def test_the_framework_carries_the_seed_wording_with_corrected_spelling(strategy):
    framework = Framework.objects.get(code="rocc")
    assert framework.mandate.startswith("Addressing the wellbeing harms & drivers of organised crime is a social issue")
    assert [p.name for p in framework.principles.all()] == ["Ownership", "Co-design", "Facilitate", "Coordinate", "Evidence based", "Te Tiriti o Waitangi"]
    assert [o.link for o in framework.objectives.all()] == ["resilience", "demand", "supply"]
    assert framework.objectives.first().statement.startswith("Strengthen whānau wellbeing")
    assert framework.barriers.count() == 10 and not any("?" in b.text for b in framework.barriers.all())
    assert framework.measures.count() == 3 and len(framework.linked_strategies) == 8
    assert framework.outcomes.last().text.startswith("Communities are resilient, strong and thriving")
    everything = " ".join([framework.mandate, framework.goal, *framework.linked_strategies, *(o.text for o in framework.outcomes.all())])
    assert "Actearoa" not in everything and "Aotearoa New Zealand" in everything
    assert unicodedata.is_normalized("NFC", Activity.objects.get(number=5).description)
    assert "whānau-centred" in Activity.objects.get(number=5).description


def test_loading_again_adds_nothing_and_keeps_what_users_recorded(year_two, make_user):
    from rocc.strategy.services.frameworks import activity_status_update

    manager = make_user("programme_manager")
    activity = Activity.objects.get(plan=year_two, number=1)
    activity_status_update(user=manager, activity=activity, version=1, status="on_track", narrative="Phase two under way.")
    counts = (Framework.objects.count(), ActionPlan.objects.count(), Activity.objects.count())
    assert strategy_defaults_load().activities == 15
    assert (Framework.objects.count(), ActionPlan.objects.count(), Activity.objects.count()) == counts
    activity.refresh_from_db()
    assert activity.status == "on_track" and activity.version == 2 and ProgressUpdate.objects.count() == 1


def test_loading_again_writes_no_change_history(strategy):
    from auditlog.models import LogEntry

    before = LogEntry.objects.count()
    strategy_defaults_load()
    assert LogEntry.objects.count() == before
