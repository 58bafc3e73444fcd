"""Releases: frozen snapshots, the embargo, revisions, the calendar, and the data owners' consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rocc.core.errors import Conflict, InvalidInput
from rocc.releases import selectors, services
from rocc.releases.models import Release, ReleaseStage, release_stage
from rocc.testing import load_once


def _cell(version, code, unit):
    """One unit's cell of an indicator in a frozen version, with its curve's points."""
    indicator = selectors.indicator_with_curves(version, code)
    return next(c for c in indicator["cells"] if c["unit"] == unit)


def test_a_release_is_frozen_later_figures_do_not_change_it(live, world):
    from rocc.measures.models import SourceKind
    from rocc.measures.services import ObservationInput, observations_record_many, statuses_recompute
    from rocc.org.models import OrgUnit

    release = live()
    before = selectors.public_version_get(release=release)
    national = _cell(before, "assaults", "nz")
    assert national["points"] and national["points"][-1]["period"] == "YE2025-06", "periods after the reference date are left out"
    frozen = (before.content_sha256, before.content, selectors.version_curves(before))
    # More figures arrive, for periods in the release and after it.
    unit = OrgUnit.objects.get(code="auckland-city")
    items = [
        ObservationInput(indicator=world["assaults"], unit=unit, period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 7, 31), numerator=900),
        ObservationInput(indicator=world["assaults"], unit=unit, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31), numerator=900),
    ]
    observations_record_many(items=items, source=SourceKind.REPORTED)
    statuses_recompute()
    after = selectors.public_version_get(release=release)
    assert (after.content_sha256, after.content, selectors.version_curves(after)) == frozen


def test_periods_after_the_reference_date_are_not_in_the_release(world, draft, consent_all):
    consent_all()
    release = draft(reference_date=dt.date(2025, 3, 31))
    frozen = services.release_freeze(user=world["manager"], release=release)
    periods = [p["period_end"] for p in _cell(frozen, "assaults", "nz")["points"]]
    assert periods and max(periods) <= "2025-03-31"


def test_embargo_the_release_is_not_visible_before_its_time_and_is_after(world, draft, client):
    release = draft()
    services.release_freeze(user=world["manager"], release=release)
    release.refresh_from_db()
    go_live = timezone.now() + dt.timedelta(hours=2)
    services.release_schedule(user=world["manager"], release=release, go_live_at=go_live, version=release.version)
    release.refresh_from_db()
    assert release_stage(release) == ReleaseStage.EMBARGOED
    assert client.get(f"/public/releases/{release.slug}/").status_code == 404
    assert client.get(f"/public/releases/{release.slug}/data.csv").status_code == 404
    assert client.get("/public/").content.decode().count("Progress to June 2025") == 0
    calendar = client.get("/public/calendar/").content.decode()
    assert "Progress to June 2025" in calendar, "the calendar announces what is planned"
    later = go_live + dt.timedelta(seconds=1)
    assert release_stage(release, later) == ReleaseStage.LIVE
    assert selectors.public_release_get(slug=release.slug, now=later) == release
    assert selectors.public_version_get(release=release, now=later).number == 1


def test_embargo_lifts_on_its_own_at_the_go_live_time(world, draft, client):
    import time

    release = draft()
    services.release_freeze(user=world["manager"], release=release)
    release.refresh_from_db()
    services.release_schedule(user=world["manager"], release=release, go_live_at=timezone.now() + dt.timedelta(seconds=1.5), version=release.version)
    assert client.get(f"/public/releases/{release.slug}/").status_code == 404
    time.sleep(1.6)
    assert client.get(f"/public/releases/{release.slug}/").status_code == 200


def test_a_go_live_time_in_the_past_is_refused_and_nothing_changes(world, draft):
    release = draft()
    services.release_freeze(user=world["manager"], release=release)
    release.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        services.release_schedule(user=world["manager"], release=release, go_live_at=timezone.now() - dt.timedelta(days=1), version=release.version)
    assert "go_live_at" in refused.value.field_errors
    release.refresh_from_db()
    assert release_stage(release) == ReleaseStage.DRAFT


def test_a_release_cannot_be_scheduled_before_it_is_frozen(world, draft):
    release = draft()
    with pytest.raises(Conflict):
        services.release_schedule(user=world["manager"], release=release, go_live_at=timezone.now() + dt.timedelta(days=1), version=release.version)


def test_a_live_release_is_never_changed_in_place(live, world):
    release = live()
    with pytest.raises(Conflict):
        services.release_freeze(user=world["manager"], release=release, version=release.version)
    with pytest.raises(Conflict):
        services.release_update(
            user=world["manager"],
            release=release,
            version=release.version,
            title="Changed",
            reference_date=dt.date(2025, 6, 30),
            planned_for=dt.date(2025, 9, 1),
        )


def test_a_revision_keeps_the_earlier_version_readable_and_says_what_changed(live, world, client):
    from rocc.measures.models import SourceKind
    from rocc.measures.services import ObservationInput, observations_record_many
    from rocc.org.models import OrgUnit

    release = live()
    first = selectors.public_version_get(release=release)
    # A late correction of a period inside the release.
    unit = OrgUnit.objects.get(code="auckland-city")
    observations_record_many(
        items=[ObservationInput(indicator=world["assaults"], unit=unit, period_start=dt.date(2025, 6, 1), period_end=dt.date(2025, 6, 30), numerator=300)],
        source=SourceKind.IMPORT,
    )
    with pytest.raises(InvalidInput):
        services.release_revise(user=world["manager"], release=release, note="  ", version=release.version)
    revised = services.release_revise(user=world["manager"], release=release, note="Auckland City's June count corrected by Police.", version=release.version)
    assert revised.number == 2
    first.refresh_from_db()
    assert first.content == selectors.public_version_get(release=release, number=1).content
    assert selectors.version_curves(first) == selectors.version_curves(selectors.public_version_get(release=release, number=1))
    assert _cell(revised, "assaults", "auckland-city") != _cell(first, "assaults", "auckland-city")
    latest = client.get(f"/public/releases/{release.slug}/").content.decode()
    assert "Auckland City&#x27;s June count corrected by Police." in latest or "Auckland City's June count corrected by Police." in latest
    old = client.get(f"/public/releases/{release.slug}/v1/")
    assert old.status_code == 200 and "A later version of this release corrects it" in old.content.decode()
    assert client.get(f"/public/releases/{release.slug}/v1/data.csv").status_code == 200


def test_without_consent_a_providers_figures_are_left_out_and_the_preview_says_so(world, draft, client):
    from rocc.releases.services import consent_decide

    consent_decide(user=world["pho"], data_set=world["data_set"], given=True)  # the NGO has not agreed
    release = draft()
    frozen = services.release_freeze(user=world["manager"], release=release)
    referral = "mf-whanau-support-referrals"
    assert _cell(frozen, referral, "waitemata")["withheld"]
    national = _cell(frozen, referral, "nz")  # the national total is published without the NGO's figures, and says so
    assert not national["withheld"] and national["partial"] and national["status_label"] == "Not judged"
    assert not _cell(frozen, referral, "canterbury")["withheld"]
    assert _cell(frozen, referral, "canterbury")["points"]
    assert {w["agency"] for w in frozen.withheld} == {"Te Whare Āwhina"}
    client.force_login(world["manager"])
    preview = client.get(f"/public/manage/{release.slug}/preview/").content.decode()
    assert "left out because their provider has not agreed" in preview and "Te Whare Āwhina" in preview


def test_consent_withdrawn_removes_the_providers_figures_from_the_next_release(live, world, draft, client):
    from rocc.releases.services import consent_decide

    first = live()
    referral = "mf-whanau-support-referrals"
    assert not _cell(selectors.public_version_get(release=first), referral, "waitemata")["withheld"]
    decision = consent_decide(user=world["ngo"], data_set=world["data_set"], given=False, note="Our board has not approved this yet.")
    assert decision.decided_by == world["ngo"] and decision.decided_at is not None
    second = draft("progress-2025-06-b", title="Second release")
    frozen = services.release_freeze(user=world["manager"], release=second)
    assert _cell(frozen, referral, "waitemata")["withheld"]
    assert "Te Whare Āwhina" in {w["agency"] for w in frozen.withheld}
    client.force_login(world["manager"])
    assert "Te Whare Āwhina" in client.get(f"/public/manage/{second.slug}/preview/").content.decode()
    # The published release is not changed by the withdrawal (it was agreed when it was frozen).
    assert not _cell(selectors.public_version_get(release=first), referral, "waitemata")["withheld"]


def test_providers_see_where_their_figures_were_published(live, world, client):
    release = live()
    client.force_login(world["ngo"])
    page = client.get("/public/consent/").content.decode()
    assert release.title in page and "mf-whanau-support-referrals@waitemata" in page
    published = selectors.publications_of_provider(user=world["ngo"])
    assert [p["release"] for p in published] == [release]


def test_only_the_providers_own_reporter_decides_consent(world):
    from rocc.core.errors import Refused
    from rocc.releases.services import consent_decide

    for user in (world["manager"], world["waitemata_coordinator"]):
        with pytest.raises(Refused):
            consent_decide(user=user, data_set=world["data_set"], given=True)


def test_consent_page_gives_and_withdraws_with_who_and_when(world, client):
    client.force_login(world["ngo"])
    client.post("/public/consent/", {"data_set": world["data_set"].code, "given": "1"})
    row = selectors.consents_for(user=world["ngo"])[0]
    assert row.given and row.latest.decided_by == world["ngo"]
    client.post("/public/consent/", {"data_set": world["data_set"].code, "given": "0", "note": "Paused"})
    row = selectors.consents_for(user=world["ngo"])[0]
    assert not row.given and [d.given for d in row.history] == [False, True]


def test_a_district_coordinator_publishes_their_own_indicator_for_their_district_only(world, draft, own_indicator):
    from rocc.core.errors import Refused
    from rocc.org.models import OrgUnit

    release = draft(indicator_codes=["assaults"])
    waitemata, canterbury = OrgUnit.objects.get(code="waitemata"), OrgUnit.objects.get(code="canterbury")
    own_indicator("waitemata-hub-visits", "waitemata")
    own_indicator("canterbury-hub-visits", "canterbury")
    coordinator = world["waitemata_coordinator"]
    services.district_indicator_add(user=coordinator, release=release, unit=waitemata, indicator_code="waitemata-hub-visits")
    with pytest.raises(Refused):  # not their district
        services.district_indicator_add(user=coordinator, release=release, unit=canterbury, indicator_code="waitemata-hub-visits")
    with pytest.raises(Refused, match="Canterbury's own indicator"):  # another region's indicator, even for their own district
        services.district_indicator_add(user=coordinator, release=release, unit=waitemata, indicator_code="canterbury-hub-visits")
    with pytest.raises(Refused, match="a national indicator"):
        services.district_indicator_add(user=coordinator, release=release, unit=waitemata, indicator_code="mf-counselling-referrals")
    assert [(c.unit.code, c.indicator.code) for c in release.district_indicators.all()] == [("waitemata", "waitemata-hub-visits")]
    # The programme manager's release includes it, for Waitematā only; a region's own indicator is not national.
    frozen = services.release_freeze(user=world["manager"], release=release)
    own = next(i for i in frozen.content["indicators"] if i["code"] == "waitemata-hub-visits")
    assert own["scope"] == "district" and [c["unit"] for c in own["cells"]] == ["waitemata"]
    assert own["cells"][0]["latest"]["value"] is not None
    assert not any(i["code"] == "canterbury-hub-visits" for i in frozen.content["indicators"])
    with pytest.raises(InvalidInput) as refused:
        services.release_update(
            user=world["manager"],
            release=release,
            version=Release.objects.get(pk=release.pk).version,
            title=release.title,
            reference_date=release.reference_date,
            planned_for=release.planned_for,
            indicator_codes=["assaults", "canterbury-hub-visits"],
        )
    assert "district's own indicator" in refused.value.field_errors["indicators"][0]
    assert "canterbury-hub-visits" not in {i.code for i in draft("default-selection").indicators.all()}


def test_turn_the_curve_stories_chosen_are_copied_into_the_release(world, draft):
    from rocc.measures.services import narrative_update
    from rocc.org.models import OrgUnit

    nz = OrgUnit.objects.get(code="nz")
    narrative_update(
        user=world["manager"],
        indicator=world["assaults"],
        unit=nz,
        version=0,
        story_behind_curve="Fewer assaults near the new hubs.",
        partners="",
        what_works="",
        action_plan="",
    )
    release = draft()
    services.release_story_choose(user=world["manager"], release=release, indicator_code="assaults", unit=nz)
    frozen = services.release_freeze(user=world["manager"], release=release)
    assert frozen.content["stories"][0]["story_behind_curve"] == "Fewer assaults near the new hubs."


@pytest.mark.django_db
def test_the_action_plan_progress_lists_the_shipped_plans_activities_with_their_priority_areas(defaults, make_user):
    """The national action plan as shipped (activities under priority action areas) goes into a release's snapshot:
    each activity with its number, status and area, nothing left out."""
    from rocc.releases.selectors import release_snapshot_compute
    from rocc.releases.services import release_create
    from rocc.strategy.models import Activity
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    manager = make_user("programme_manager")
    release = release_create(user=manager, title="Action plan only", reference_date=dt.date(2025, 6, 30), planned_for=dt.date(2025, 7, 1), indicator_codes=[])
    plans = release_snapshot_compute(user=manager, release=release).content["action_plan"]
    shown = {(plan["title"], row["number"]): row for plan in plans for row in plan["activities"]}
    published = Activity.objects.filter(plan__scope_unit__parent__isnull=True).exclude(plan__status="draft").select_related("plan", "priority_action_area")
    assert published.exists() and len(shown) == published.count()
    for activity in published:
        row = shown[(activity.plan.title, activity.number)]
        assert row["status"] == activity.status
        assert row["area"] == (activity.priority_action_area.title if activity.priority_action_area_id else "")
