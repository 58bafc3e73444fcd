"""The services directory: providers keep their own entries, programme staff see all of it, referrers see the active
services that work in their units; capacity open, waiting or closed; search with or without macrons."""

from __future__ import annotations

import pytest

from rocc.core.errors import InvalidInput, Refused
from rocc.referrals.tests.fixtures import *  # noqa: F403


def _names(user, **filters):
    from rocc.referrals.selectors import directory_for

    return {s.name for s in directory_for(user=user, **filters)}


def test_programme_staff_see_the_whole_directory(people, directory):
    everything = {"Whānau navigation", "Alcohol and drug counselling", "Te Ara Ora counselling", "Youth mentoring"}
    assert _names(people["programme"]) == everything
    assert _names(people["administrator"]) == everything
    assert _names(people["coordinator"]) == everything


def test_a_provider_sees_and_keeps_only_its_own_entries(people, directory):
    from rocc.referrals.services import service_capacity_set, service_save

    assert _names(people["provider"]) == {"Whānau navigation"}
    assert _names(people["other_provider"]) == {"Alcohol and drug counselling", "Youth mentoring"}
    changed = service_capacity_set(user=people["provider"], service=directory["whanau"], capacity="waiting", capacity_note="About three weeks")
    assert changed.get_capacity_display() == "Waiting list" and changed.version == 2
    with pytest.raises(Refused):
        service_capacity_set(user=people["provider"], service=directory["counselling"], capacity="closed")
    with pytest.raises(Refused):
        service_save(
            user=people["provider"],
            provider=directory["counselling"].provider,
            name="Someone else's",
            offers="x",
            units_served=list(directory["counselling"].units_served.all()),
        )


def test_referrers_see_active_services_working_in_their_units(people, directory):
    # A Waitematā referrer sees the district's services (areas below, the district itself), not Canterbury's.
    assert _names(people["police"]) == {"Whānau navigation", "Alcohol and drug counselling", "Youth mentoring"}
    assert _names(people["police_canterbury"]) == {"Te Ara Ora counselling"}
    assert _names(people["kainga_ora"]) == {"Whānau navigation", "Alcohol and drug counselling", "Youth mentoring"}
    from rocc.referrals.selectors import services_to_refer_to

    assert "Youth mentoring" not in {s.name for s in services_to_refer_to(user=people["police"])}  # closed


def test_a_viewer_and_a_non_referring_analyst_see_no_directory(people, directory):
    with pytest.raises(Refused):
        _names(people["viewer"])
    with pytest.raises(Refused):
        _names(people["msd_analyst"])


def test_search_matches_with_or_without_macrons_and_filters_by_unit_and_capacity(people, directory):
    from rocc.org.models import OrgUnit

    assert _names(people["programme"], query="whanau") == {"Whānau navigation"}
    assert _names(people["programme"], query="Whānau") == {"Whānau navigation"}
    assert _names(people["programme"], unit=OrgUnit.objects.get(code="north-shore")) == {"Whānau navigation", "Alcohol and drug counselling", "Youth mentoring"}
    assert _names(people["programme"], capacity="closed") == {"Youth mentoring"}


def test_a_bad_entry_is_refused_field_by_field_and_nothing_is_saved(people, directory):
    from rocc.referrals.models import Service
    from rocc.referrals.services import service_save

    before = Service.objects.count()
    with pytest.raises(InvalidInput) as refused:
        service_save(user=people["programme"], provider=directory["whanau"].provider, name=" ", offers="", units_served=[], response_days=0, capacity="full")
    assert set(refused.value.field_errors) == {"name", "offers", "units_served", "response_days", "capacity"}
    assert Service.objects.count() == before


def test_a_stale_edit_is_refused(people, directory):
    from rocc.core.errors import StaleRecord
    from rocc.referrals.services import service_capacity_set

    service_capacity_set(user=people["provider"], service=directory["whanau"], capacity="waiting", version=1)
    with pytest.raises(StaleRecord, match="changed since you opened it"):
        service_capacity_set(user=people["provider"], service=directory["whanau"], capacity="open", version=1)


def test_directory_pages_and_api_scope_alike(client, people, directory):
    from rocc.core.tokens import token_issue
    from rocc.testing import api_call

    client.force_login(people["provider"])
    page = client.get("/referrals/services/").content.decode()
    assert "Whānau navigation" in page and "Alcohol and drug counselling" not in page
    status, body = api_call("/api/referrals/services", token_issue(user=people["police_canterbury"], name="test"))
    assert status == 200 and [s["name"] for s in body] == ["Te Ara Ora counselling"]
    status, body = api_call("/api/referrals/services", token_issue(user=people["viewer"], name="test"))
    assert status == 403
