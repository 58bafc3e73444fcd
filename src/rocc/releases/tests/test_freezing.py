"""Freezing a release runs in the worker: the request only asks, the release page shows the progress and then the
preview, a failure is shown with its reason and stores nothing, and one freeze runs at a time."""

from __future__ import annotations

import pytest

from rocc.core.errors import Conflict
from rocc.releases import selectors, services
from rocc.releases.models import FreezeStatus, Release, ReleaseFreeze


def test_the_page_asks_the_worker_shows_progress_then_the_preview(world, draft, client, django_capture_on_commit_callbacks):
    release = draft()
    client.force_login(world["manager"])
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"/public/manage/{release.slug}/do/freeze/", {"version": release.version})
    assert response.status_code == 302
    job = ReleaseFreeze.objects.get(release=release)
    assert job.status == FreezeStatus.QUEUED and job.requested_by == world["manager"]
    assert not release.versions.exists(), "the request stores nothing: the worker computes the figures"
    page = client.get(f"/public/manage/{release.slug}/").content.decode()
    assert '<progress id="freeze-progress"' in page and 'data-freeze-status="queued"' in page
    assert "Freeze the figures now" not in page, "no second freeze while one is queued"
    panel = client.get(f"/public/manage/{release.slug}/freezing/").content.decode()
    assert f'hx-get="/public/manage/{release.slug}/freezing/"' in panel, "the panel polls while the worker runs"

    for callback in queued:  # the commit enqueues the task; the inline backend runs it as `rocc worker` would
        callback()
    job.refresh_from_db()
    assert job.status == FreezeStatus.DONE and job.progress == 100 and job.made == release.versions.get(number=1)
    panel = client.get(f"/public/manage/{release.slug}/freezing/", headers={"HX-Request": "true"})
    assert panel["HX-Refresh"] == "true", "once done the page reloads with its preview link"
    assert "hx-get" not in panel.content.decode() and "Open the preview" in panel.content.decode()
    assert client.get(f"/public/manage/{release.slug}/preview/").status_code == 200


def test_progress_is_reported_indicator_by_indicator(world, draft):
    release = draft()
    seen: list[tuple[int, str]] = []
    selectors.release_snapshot_compute(user=world["manager"], release=release, progress=lambda percent, stage: seen.append((percent, stage)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and 0 < percents[0] and percents[-1] <= 95
    assert any("Serious assaults" in stage for _, stage in seen)


def test_a_release_changed_while_it_was_computed_fails_and_stores_nothing(world, draft, client, django_capture_on_commit_callbacks):
    release = draft()
    with django_capture_on_commit_callbacks() as queued:
        job = services.release_freeze_request(user=world["manager"], release=release, version=release.version)
    release.refresh_from_db()
    services.release_update(
        user=world["manager"],
        release=release,
        version=release.version,
        title="Progress to June 2025 (renamed)",
        reference_date=release.reference_date,
        planned_for=release.planned_for,
        indicator_codes=["assaults"],
    )
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == FreezeStatus.FAILED and "Nothing was stored" in job.error and "changed this release" in job.error
    assert not release.versions.exists()
    client.force_login(world["manager"])
    page = client.get(f"/public/manage/{release.slug}/").content.decode()
    assert 'data-freeze-status="failed"' in page and "Nothing was stored" in page and "Freeze the figures now" in page


def test_one_freeze_at_a_time_and_only_by_the_office(world, draft):
    release = draft()
    services.release_freeze_request(user=world["manager"], release=release, version=release.version)
    with pytest.raises(Conflict, match="being computed already"):
        services.release_freeze_request(user=world["manager"], release=release)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.release_freeze_request(user=world["waitemata_coordinator"], release=release)
    assert ReleaseFreeze.objects.filter(release=release).count() == 1


def test_a_correction_is_computed_by_the_worker_and_published_with_its_note(live, world, django_capture_on_commit_callbacks):
    release = live()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.release_revise_request(user=world["manager"], release=release, note="A return was corrected.", version=release.version)
    job.refresh_from_db()
    assert job.status == FreezeStatus.DONE and job.made.number == 2 and job.made.note == "A return was corrected."
    assert job.made.published_at is not None
    assert Release.objects.get(pk=release.pk).versions.count() == 2


def test_an_indicator_made_a_districts_own_after_the_draft_chose_it_stops_the_freeze(world, draft, django_capture_on_commit_callbacks):
    from rocc.core.errors import InvalidInput
    from rocc.measures.services import indicator_owner_set
    from rocc.org.models import OrgUnit

    release = draft(indicator_codes=["assaults"])
    with django_capture_on_commit_callbacks() as queued:
        job = services.release_freeze_request(user=world["manager"], release=release, version=release.version)
    # Meanwhile its owner is set on its measures page: a region's own indicator is never in the national selection.
    indicator_owner_set(user=world["manager"], indicator=world["assaults"], owner_unit=OrgUnit.objects.get(code="waitemata"))
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == FreezeStatus.FAILED and "Now a district's own indicator" in job.error and "assaults" in job.error
    assert not release.versions.exists()
    with pytest.raises(InvalidInput, match="Take it out of the national selection"):
        services.release_freeze_request(user=world["manager"], release=Release.objects.get(pk=release.pk))
    with pytest.raises(InvalidInput):
        services.release_freeze(user=world["manager"], release=Release.objects.get(pk=release.pk))
