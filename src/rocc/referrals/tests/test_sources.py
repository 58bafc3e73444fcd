"""Referrals raised from a tasking, a PANDA case's Deploy stage and a Victim Focus result: the source page offers the
referral with its source filled in, the referral links back, and the source page lists the referrals raised from it."""

from __future__ import annotations

import datetime as dt

from rocc.referrals.tests.fixtures import *  # noqa: F403


def _make_from(client, directory, source, source_id, **extra):
    return client.post(
        "/referrals/new/",
        {
            "service": directory["whanau"].pk,
            "unit": directory["whanau"].units_served.get(code="west-auckland").pk,
            "reason": "Raised from the plan",
            "urgency": "routine",
            "contact_route": "through_referrer",
            "lawful_basis": "other",
            "other_basis": "Recorded basis",
            "source": source,
            "source_id": source_id,
            **extra,
        },
    )


def test_a_referral_raised_from_a_tasking_links_back_and_is_listed_there(client, people, directory):
    from rocc.org.models import OrgUnit
    from rocc.referrals.models import Referral
    from rocc.tasking.services.taskings import tasking_create

    tc = people["police_tc"]
    tasking = tasking_create(
        actor=people["programme"],
        title="Disrupt supply in West Auckland",
        description="Connect users with support",
        tasked_unit=OrgUnit.objects.get(code="waitemata"),
        owner=tc,
        due_date=dt.date(2030, 1, 1),
    )
    client.force_login(tc)
    page = client.get(f"/tasking/taskings/{tasking.pk}/").content.decode()
    assert f"/referrals/new/?source=tasking&amp;source_id={tasking.pk}" in page
    made = _make_from(client, directory, "tasking", tasking.pk)
    assert made.status_code == 302, made.content.decode()[:2000]
    referral = Referral.objects.get()
    assert referral.source == "tasking" and referral.source_id == str(tasking.pk)
    assert f'href="/tasking/taskings/{tasking.pk}/"' in client.get(f"/referrals/{referral.pk}/").content.decode()
    assert referral.reference in client.get(f"/tasking/taskings/{tasking.pk}/").content.decode()


def test_a_referral_raised_from_a_cases_deploy_stage_links_back(client, people, directory):
    from rocc.org.models import OrgUnit
    from rocc.problems.services import case_open
    from rocc.referrals.models import Referral

    case = case_open(
        actor=people["coordinator"],
        title="Methamphetamine harm in Henderson",
        description="Whānau affected by supply",
        scope_unit=OrgUnit.objects.get(code="waitemata"),
        owner=people["coordinator"],
    )
    client.force_login(people["police"])
    page = client.get(f"/problems/cases/{case.pk}/deploy/").content.decode()
    assert f"/referrals/new/?source=problem_case&amp;source_id={case.pk}" in page
    assert _make_from(client, directory, "problem_case", case.pk).status_code == 302
    referral = Referral.objects.get()
    assert f'href="/problems/cases/{case.pk}/"' in client.get(f"/referrals/{referral.pk}/").content.decode()
    assert referral.reference in client.get(f"/problems/cases/{case.pk}/deploy/").content.decode()


def test_a_victim_focus_result_offers_a_referral_with_the_persons_pseudonym(client, people, directory):
    from rocc.events.pseudonym import person_key
    from rocc.referrals.models import Referral

    client.force_login(people["police"])
    page = client.post("/events/victim-focus/", {"person": "NIA-777", "purpose": "Repeat victim check after a burglary"}).content.decode()
    key = person_key("NIA-777")
    assert f"source=victim_focus&amp;person_key={key}" in page and "NIA-777" not in page
    assert _make_from(client, directory, "victim_focus", "", person_key=key).status_code == 302
    referral = Referral.objects.get()
    assert referral.person_key == key and referral.source == "victim_focus"
    assert 'href="/events/victim-focus/"' in client.get(f"/referrals/{referral.pk}/").content.decode()
