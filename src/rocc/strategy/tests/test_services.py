"""Progress updates, optimistic concurrency, milestones, flags and search, through the real services and selectors."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rocc.strategy.models import Activity, Milestone, ProgressUpdate
from rocc.strategy.selectors import frameworks as frameworks_selectors
from rocc.strategy.services.frameworks import ActivityChanged, activity_status_update, milestone_add, milestone_complete


@pytest.fixture
def cobalt(year_two):
    return Activity.objects.get(plan=year_two, number=1)


def test_a_programme_manager_records_an_update_and_the_status_and_version_follow(cobalt, make_user):
    manager = make_user("programme_manager")
    update = activity_status_update(
        user=manager,
        activity=cobalt,
        version=1,
        status="at_risk",
        narrative="Staff redeployed to flood response.",
        evidence_links=["https://example.org/minutes"],
    )
    cobalt.refresh_from_db()
    assert (cobalt.status, cobalt.version, cobalt.changed_by) == ("at_risk", 2, manager)
    assert update.evidence_links == ["https://example.org/minutes"] and update.author == manager


def test_a_save_from_an_out_of_date_page_is_refused_and_says_who_changed_it(cobalt, make_user):
    first = make_user("programme_manager", username="aroha")
    first.first_name, first.last_name = "Aroha", "Ngata"
    first.save()
    second = make_user("administrator")
    activity_status_update(user=first, activity=cobalt, version=1, status="on_track", narrative="Going well.")
    stale = Activity.objects.get(pk=cobalt.pk)
    stale.version = 1  # what the second person's page still shows
    with pytest.raises(ActivityChanged) as refused:
        activity_status_update(user=second, activity=stale, version=1, status="off_track", narrative="Stalled.")
    assert "changed since you opened it (by Aroha Ngata at" in refused.value.message and "reload to see the changes" in refused.value.message
    cobalt.refresh_from_db()
    assert cobalt.status == "on_track" and ProgressUpdate.objects.count() == 1


@pytest.mark.parametrize("role", ["regional_coordinator", "analyst", "provider_reporter", "tc_member", "viewer"])
def test_roles_outside_the_national_office_cannot_update_the_national_plan(cobalt, make_user, role):
    user = make_user(role, agency="MSD" if role == "provider_reporter" else None)
    with pytest.raises(PermissionDenied):
        activity_status_update(user=user, activity=cobalt, version=1, status="on_track", narrative="x")
    with pytest.raises(PermissionDenied):
        milestone_add(user=user, activity=cobalt, title="Phase two", due_date=dt.date(2030, 1, 1))
    assert ProgressUpdate.objects.count() == 0 and Milestone.objects.count() == 0


def test_a_regional_coordinator_updates_their_own_districts_plan_only(district_plan, make_user):
    coordinator = make_user("regional_coordinator", units=["waitemata"])
    own = Activity.objects.get(plan=district_plan("north-shore"))
    other = Activity.objects.get(plan=district_plan("canterbury"))
    activity_status_update(user=coordinator, activity=own, version=1, status="on_track", narrative="Navigators hired.")
    with pytest.raises(PermissionDenied):
        activity_status_update(user=coordinator, activity=other, version=1, status="on_track", narrative="x")


def test_bad_updates_are_refused_with_the_field_named_and_nothing_saved(cobalt, make_user):
    manager = make_user("programme_manager")
    cases = [
        ({"status": "finished", "narrative": "x"}, "status"),
        ({"status": "on_track", "narrative": "  "}, "narrative"),
        ({"status": "on_track", "narrative": "x", "evidence_links": ["not a link"]}, "evidence_links"),
        ({"status": "on_track", "narrative": "x", "date": timezone.localdate() + dt.timedelta(days=1)}, "date"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as refused:
            activity_status_update(user=manager, activity=cobalt, version=1, **values)
        assert field in refused.value.message_dict
    cobalt.refresh_from_db()
    assert cobalt.version == 1 and ProgressUpdate.objects.count() == 0


def test_overdue_milestones_are_flagged_until_done(cobalt, make_user):
    manager = make_user("programme_manager")
    today = timezone.localdate()
    late = milestone_add(user=manager, activity=cobalt, title="Phase one review", due_date=today - dt.timedelta(days=3))
    milestone_add(user=manager, activity=cobalt, title="Phase two plan", due_date=today + dt.timedelta(days=30))
    flags = frameworks_selectors.activity_flags(user=manager, activities=[cobalt])[cobalt.pk]
    assert [m.title for m in flags.overdue_milestones] == ["Phase one review"] and flags.any
    milestone_complete(user=manager, milestone=late)
    assert frameworks_selectors.activity_flags(user=manager, activities=[cobalt])[cobalt.pk].overdue_milestones == []


def test_activities_without_an_update_for_the_chosen_days_are_flagged(year_two, make_user):
    manager = make_user("programme_manager")
    Activity.objects.filter(plan=year_two).update(created_at=timezone.now() - dt.timedelta(days=45))
    fresh = Activity.objects.get(plan=year_two, number=2)
    activity_status_update(user=manager, activity=fresh, version=1, status="on_track", narrative="Navigators in place.")
    done = Activity.objects.get(plan=year_two, number=3)
    activity_status_update(user=manager, activity=done, version=1, status="complete", narrative="Finished.", date=timezone.localdate() - dt.timedelta(days=40))
    flagged = {a.number for a in frameworks_selectors.activities_needing_attention(user=manager, plan=year_two, stale_after_days=30)}
    assert flagged == set(range(1, 16)) - {2, 3}
    assert frameworks_selectors.activities_needing_attention(user=manager, plan=year_two, stale_after_days=60) == []


def test_search_matches_with_or_without_macrons(year_two, make_user):
    viewer = make_user("viewer")
    assert {a.number for a in frameworks_selectors.activity_search(user=viewer, query="whanau-centred")} == {5}
    assert {a.number for a in frameworks_selectors.activity_search(user=viewer, query="whānau-centred")} == {5}
    # Agencies and sub-activities are searched too: Kāinga Ora leads 7 and supports 5.
    assert {a.number for a in frameworks_selectors.activity_search(user=viewer, query="Kainga Ora")} == {5, 7}
    assert {a.number for a in frameworks_selectors.activity_search(user=viewer, query="border to backyard")} == {3}


def test_a_district_plan_is_read_within_its_scope_but_the_national_plan_by_everyone(district_plan, year_two, make_user):
    district_plan("canterbury")
    viewer = make_user("viewer", units=["waitemata"])
    assert [p.code for p in frameworks_selectors.action_plan_list(user=viewer)] == ["rocc-year-2"]
    assert {p.code for p in frameworks_selectors.action_plan_list(user=make_user("programme_manager"))} == {"rocc-year-2", "canterbury-plan"}
