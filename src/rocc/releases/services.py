"""Every write of releases: prepare, freeze, schedule (the embargo), unschedule, revise, cancel; a district's own
indicators and the chosen stories; providers' consent decisions. Each checks its rule from ``rules.py`` and the
move table beside the model, inside one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from rocc.core.errors import Conflict, InvalidInput, Refused, StaleRecord
from rocc.core.text import nfc
from rocc.measures.selectors import indicators_for, narrative_for
from rocc.org.models import OrgUnit
from rocc.releases.models import (
    FREEZE_UNFINISHED,
    RELEASE_MOVE_STATUS,
    RELEASE_MOVES,
    DistrictIndicator,
    FreezeKind,
    FreezeStatus,
    PublicationConsent,
    Release,
    ReleaseCurve,
    ReleaseFreeze,
    ReleaseStage,
    ReleaseStory,
    ReleaseVersion,
    release_stage,
)
from rocc.releases.selectors import release_snapshot_compute
from rocc.releases.tasks import release_freeze_task
from rocc.returns.selectors import data_set_assignments

log = logging.getLogger(__name__)


class ReleaseChanged(StaleRecord):
    def __init__(self, release: Release):
        super().__init__(
            changed_by=release.changed_by,
            changed_at=release.changed_at,
            message=f"{StaleRecord.who(release.changed_by)} changed this release at {StaleRecord.when(release.changed_at)}: reload it and try again.",
        )


class ReleaseStateError(Conflict):
    """The release is not at a stage that allows this move."""


def _lock(release: Release, version: int | None) -> Release:
    current = Release.objects.select_for_update().get(pk=release.pk)
    if version is not None and current.version != version:
        raise ReleaseChanged(current)
    return current


def _move(user, release: Release, move: str, version: int | None) -> Release:
    """Lock the release and check the move: the permission first (403), then the stage (409)."""
    current = _lock(release, version)
    if not user.has_perm("releases.create_release"):
        raise Refused("Only the programme office prepares and publishes releases.")
    stage = release_stage(current)
    if stage not in RELEASE_MOVES[move]:
        raise ReleaseStateError(f"A release that is {ReleaseStage(stage).label.lower()} cannot be {_MOVE_WORDS[move]}.")
    return current


_MOVE_WORDS = {
    "edit": "changed",
    "freeze": "frozen again",
    "schedule": "scheduled",
    "unschedule": "taken off the schedule",
    "revise": "revised",
    "cancel": "cancelled",
}


def _touch(release: Release, user) -> None:
    release.version += 1
    release.changed_at, release.changed_by = timezone.now(), user


def _indicators(codes: Iterable[str] | None, *, user):

    available = indicators_for(user=user)
    if codes is None:  # every national indicator marked for publication (districts' own are chosen per district)
        return list(available.filter(is_published=True, owner_unit__isnull=True))
    codes = [c for c in codes if c]
    found = list(available.filter(code__in=codes))
    missing = sorted(set(codes) - {i.code for i in found})
    if missing:
        raise InvalidInput(field_errors={"indicators": [f"No indicator with the code {', '.join(missing)}."]})
    unpublished = sorted(i.code for i in found if not i.is_published)
    if unpublished:
        raise InvalidInput(field_errors={"indicators": [f"Not marked for publication: {', '.join(unpublished)}."]})
    regional = sorted(i.code for i in found if i.owner_unit_id)
    if regional:
        message = f"A district's own indicator, published for its district only: {', '.join(regional)}."
        raise InvalidInput(field_errors={"indicators": [message]})
    return found


def _fields_check(*, title: str, reference_date: dt.date | None, planned_for: dt.date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give the release a title."]
    if reference_date is None:
        errors["reference_date"] = ["Give the date the figures are as at."]
    if planned_for is None:
        errors["planned_for"] = ["Give the date the calendar announces."]
    if reference_date and planned_for and planned_for < reference_date:
        errors["planned_for"] = ["A release is planned on or after the date its figures are as at."]
    return errors


@transaction.atomic
def release_create(
    *,
    user,
    title: str,
    reference_date: dt.date | None,
    planned_for: dt.date | None,
    slug: str = "",
    summary: str = "",
    indicator_codes: Iterable[str] | None = None,
    include_action_plan: bool = True,
) -> Release:
    """A draft release (every indicator marked for publication unless ``indicator_codes`` chooses)."""
    if not user.has_perm("releases.create_release"):
        raise Refused("Only the programme office prepares releases.")
    errors = _fields_check(title=title, reference_date=reference_date, planned_for=planned_for)
    slug = slugify(slug or title)[:60]
    if not slug:
        errors.setdefault("slug", ["Give the release an address (letters, digits and hyphens)."])
    elif Release.objects.filter(slug=slug).exists():
        errors["slug"] = [f"A release at /public/releases/{slug}/ exists already: choose another address."]
    if errors:
        raise InvalidInput(field_errors=errors)
    indicators = _indicators(indicator_codes, user=user)
    assert reference_date is not None and planned_for is not None  # checked above
    release = Release.objects.create(
        slug=slug,
        title=nfc(title.strip()),
        summary=nfc(summary.strip()),
        reference_date=reference_date,
        planned_for=planned_for,
        include_action_plan=include_action_plan,
        created_by=user,
        changed_by=user,
    )
    release.indicators.set(indicators)
    return release


@transaction.atomic
def release_update(
    *,
    user,
    release: Release,
    version: int,
    title: str,
    reference_date: dt.date | None,
    planned_for: dt.date | None,
    summary: str = "",
    indicator_codes: Iterable[str] | None = None,
    include_action_plan: bool = True,
) -> Release:
    """Change a draft release's text, date and choice of indicators (freeze it again to see the change)."""
    current = _move(user, release, "edit", version)
    errors = _fields_check(title=title, reference_date=reference_date, planned_for=planned_for)
    if errors:
        raise InvalidInput(field_errors=errors)
    assert reference_date is not None and planned_for is not None
    indicators = _indicators(indicator_codes, user=user)
    current.title, current.summary = nfc(title.strip()), nfc(summary.strip())
    current.reference_date, current.planned_for, current.include_action_plan = reference_date, planned_for, include_action_plan
    _touch(current, user)
    current.save()
    current.indicators.set(indicators)
    return current


@transaction.atomic
def district_indicator_add(*, user, release: Release, unit: OrgUnit, indicator_code: str) -> DistrictIndicator:
    """A region's own indicator published for its district in a draft release: by the district's coordinator (only
    the district's own indicators) or the programme office (any)."""

    if not user.has_perm("releases.choose_district_indicator", unit):
        raise Refused("Only the district's coordinators and the programme office choose its indicators.")
    current = Release.objects.select_for_update().get(pk=release.pk)
    if release_stage(current) not in RELEASE_MOVES["edit"]:
        raise ReleaseStateError("Indicators are chosen while the release is a draft.")
    if unit.level != "district":
        raise InvalidInput(field_errors={"unit": ["Choose a district."]})
    indicator = indicators_for(user=user).filter(code=indicator_code).select_related("owner_unit").first()
    if indicator is None:
        raise InvalidInput(field_errors={"indicator": [f"No indicator with the code {indicator_code}."]})
    choice = DistrictIndicator(release=current, unit=unit, indicator=indicator, chosen_by=user)
    if not user.has_perm("releases.publish_district_indicator", choice):
        owner = f"{indicator.owner_unit.name}'s own indicator" if indicator.owner_unit_id else "a national indicator"
        raise Refused(f"{indicator.name} is {owner}: a coordinator publishes only their own district's indicators.")
    choice, _ = DistrictIndicator.objects.get_or_create(release=current, unit=unit, indicator=indicator, defaults={"chosen_by": user})
    _touch(current, user)
    current.save()
    return choice


@transaction.atomic
def district_indicator_remove(*, user, choice: DistrictIndicator) -> None:
    if not user.has_perm("releases.publish_district_indicator", choice):
        raise Refused("Only the district's coordinators (for its own indicators) and the programme office choose its indicators.")
    if release_stage(choice.release) not in RELEASE_MOVES["edit"]:
        raise ReleaseStateError("Indicators are chosen while the release is a draft.")
    choice.delete()


@transaction.atomic
def release_story_choose(*, user, release: Release, indicator_code: str, unit: OrgUnit, chosen: bool = True) -> None:
    """Include (or drop) the turn-the-curve story of an indicator in a unit."""

    current = _move(user, release, "edit", None)
    indicator = indicators_for(user=user).filter(code=indicator_code).first()
    if indicator is None:
        raise InvalidInput(field_errors={"indicator": [f"No indicator with the code {indicator_code}."]})
    if not chosen:
        ReleaseStory.objects.filter(release=current, indicator=indicator, unit=unit).delete()
        return
    if narrative_for(user=user, indicator=indicator, unit=unit) is None:
        raise InvalidInput(field_errors={"story": [f"{indicator.name} has no turn-the-curve story for {unit.name} yet."]})
    ReleaseStory.objects.get_or_create(release=current, indicator=indicator, unit=unit)


def _national_selection_check(release: Release) -> None:
    """A region's own indicator is never in the national selection: one that became a district's own after the draft
    chose it (its owner is set on its measures page) stops the freeze until it is taken out."""
    regional = sorted(release.indicators.filter(owner_unit__isnull=False).values_list("code", flat=True))
    if regional:
        message = (
            f"Now a district's own indicator, published for its district only: {', '.join(regional)}. "
            "Take it out of the national selection (or make it national again), then freeze."
        )
        raise InvalidInput(message, field_errors={"indicators": [message]})


@transaction.atomic
def release_freeze(*, user, release: Release, version: int | None = None) -> ReleaseVersion:
    """Compute the release's figures now, in this call, and store them as its version 1 (scripts, benchmarks and
    tests; the release page and the API ask the worker instead, with ``release_freeze_request``)."""
    current = _move(user, release, "freeze", version)
    _national_selection_check(current)
    snapshot = release_snapshot_compute(user=user, release=current)
    return _freeze_store(current, snapshot, user)


def _freeze_store(current: Release, snapshot, user) -> ReleaseVersion:
    """Store a draft's snapshot as its version 1, replacing an earlier freeze (nothing of a draft has been public)."""
    current.versions.all().delete()
    frozen = ReleaseVersion.objects.create(
        release=current,
        number=1,
        content=snapshot.content,
        withheld=snapshot.withheld,
        sources=snapshot.sources,
        content_sha256=snapshot.sha256,
        frozen_by=user,
    )
    _curves_store(frozen, snapshot.curves)
    _touch(current, user)
    current.save()
    return frozen


class FreezeUnderWay(Conflict):
    """The release's figures are being computed already."""


def _freeze_ask(*, user, release: Release, version: int | None, kind: str, note: str = "") -> ReleaseFreeze:
    with transaction.atomic():
        current = _move(user, release, kind, version)  # who and which stage first (403, 409), then the note (422)
        if kind == FreezeKind.REVISE and not note:
            raise InvalidInput(field_errors={"note": ["Say what the correction changes and why: the public reads this note."]})
        if kind == FreezeKind.FREEZE:
            _national_selection_check(current)
        if current.freezes.filter(status__in=FREEZE_UNFINISHED).exists():
            raise FreezeUnderWay("The release's figures are being computed already: wait for that to finish.")
        job = ReleaseFreeze.objects.create(release=current, kind=kind, note=note, release_version=current.version, requested_by=user)
    transaction.on_commit(lambda: release_freeze_task.enqueue(job.pk))
    return job


def release_freeze_request(*, user, release: Release, version: int | None = None) -> ReleaseFreeze:
    """Ask the worker to freeze a draft: the release's page shows the progress, then the preview (or why it failed)."""
    return _freeze_ask(user=user, release=release, version=version, kind=FreezeKind.FREEZE)


def release_revise_request(*, user, release: Release, note: str, version: int) -> ReleaseFreeze:
    """Ask the worker for a correction of a live release, published as the next version with ``note`` once computed."""
    return _freeze_ask(user=user, release=release, version=version, kind=FreezeKind.REVISE, note=nfc((note or "").strip()))


def _freeze_record(freeze_id: int, **fields) -> None:
    ReleaseFreeze.objects.filter(pk=freeze_id).update(**fields)


def release_freeze_run(*, freeze_id: int) -> ReleaseFreeze:
    """The worker's half: compute the figures as the person who asked may (progress written per indicator, outside
    any lock), then store them if the release is still as it was when asked. A release changed meanwhile, a move no
    longer allowed, or an error fails the freeze with its reason and stores nothing."""
    job = ReleaseFreeze.objects.select_related("release", "requested_by").get(pk=freeze_id)
    if job.finished:
        return job
    _freeze_record(job.pk, status=FreezeStatus.RUNNING, started_at=timezone.now(), progress=1, stage="Starting")
    user = job.requested_by
    try:
        if not user.has_perm("releases.create_release"):
            raise Refused("The person who asked may no longer prepare releases.")
        snapshot = release_snapshot_compute(
            user=user, release=job.release, progress=lambda percent, stage: _freeze_record(job.pk, progress=percent, stage=stage)
        )
        _freeze_record(job.pk, progress=96, stage="Storing the figures")
        with transaction.atomic():
            current = _move(user, job.release, job.kind, None)
            if current.version != job.release_version:
                raise ReleaseChanged(current)
            if job.kind == FreezeKind.FREEZE:
                _national_selection_check(current)
            made = _freeze_store(current, snapshot, user) if job.kind == FreezeKind.FREEZE else _revision_store(current, snapshot, user, job.note)
    except (PermissionDenied, Conflict, InvalidInput) as refused:
        message = getattr(refused, "message", "") or str(refused)
        _freeze_record(job.pk, status=FreezeStatus.FAILED, error=f"Nothing was stored: {message}", finished_at=timezone.now(), stage="")
    except Exception:
        log.exception("freezing release %s failed", job.release_id)
        error = "Nothing was stored: the computation stopped with an internal error, which has been logged."
        _freeze_record(job.pk, status=FreezeStatus.FAILED, error=error, finished_at=timezone.now(), stage="")
    else:
        _freeze_record(job.pk, status=FreezeStatus.DONE, progress=100, stage="", made=made, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _curves_store(version: ReleaseVersion, curves: dict) -> None:
    ReleaseCurve.objects.bulk_create([ReleaseCurve(version=version, indicator_code=code, points=points) for code, points in curves.items()])


@transaction.atomic
def release_schedule(*, user, release: Release, go_live_at: dt.datetime | None, version: int, now: dt.datetime | None = None) -> Release:
    """Set the embargo: the frozen release becomes public at ``go_live_at`` (which must not be in the past)."""
    current = _move(user, release, "schedule", version)
    now = now or timezone.now()
    if go_live_at is None:
        raise InvalidInput(field_errors={"go_live_at": ["Give the date and time the release goes live."]})
    if timezone.is_naive(go_live_at):
        go_live_at = timezone.make_aware(go_live_at)
    if go_live_at < now - dt.timedelta(minutes=1):
        raise InvalidInput(field_errors={"go_live_at": ["The go-live time has passed: choose a time from now on."]})
    frozen = current.versions.filter(number=1).first()
    if frozen is None:
        raise ReleaseStateError("Freeze the release (and check its preview) before scheduling it.")
    current.status, current.go_live_at = RELEASE_MOVE_STATUS["schedule"], go_live_at
    _touch(current, user)
    current.save()
    frozen.published_at = go_live_at
    frozen.save(update_fields=["published_at"])
    return current


@transaction.atomic
def release_unschedule(*, user, release: Release, version: int) -> Release:
    """Lift the schedule of a release still under embargo (back to a draft: nothing of it was public)."""
    current = _move(user, release, "unschedule", version)
    current.status, current.go_live_at = RELEASE_MOVE_STATUS["unschedule"], None
    _touch(current, user)
    current.save()
    current.versions.update(published_at=None)
    return current


@transaction.atomic
def release_cancel(*, user, release: Release, version: int) -> Release:
    current = _move(user, release, "cancel", version)
    current.status, current.go_live_at = RELEASE_MOVE_STATUS["cancel"], None
    _touch(current, user)
    current.save()
    current.versions.update(published_at=None)
    return current


@transaction.atomic
def release_revise(*, user, release: Release, note: str, version: int) -> ReleaseVersion:
    """A correction of a live release: its figures computed again (as at the same reference date) and published now
    as the next version, with the note saying what changed and why. Earlier versions stay as they were. (In this
    call: scripts and tests; the release page and the API ask the worker, with ``release_revise_request``.)"""
    current = _move(user, release, "revise", version)
    note = nfc((note or "").strip())
    if not note:
        raise InvalidInput(field_errors={"note": ["Say what the correction changes and why: the public reads this note."]})
    snapshot = release_snapshot_compute(user=user, release=current)
    return _revision_store(current, snapshot, user, note)


def _revision_store(current: Release, snapshot, user, note: str) -> ReleaseVersion:
    number = (current.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revised = ReleaseVersion.objects.create(
        release=current,
        number=number,
        content=snapshot.content,
        withheld=snapshot.withheld,
        sources=snapshot.sources,
        note=note,
        content_sha256=snapshot.sha256,
        frozen_by=user,
        published_at=timezone.now(),
    )
    _curves_store(revised, snapshot.curves)
    _touch(current, user)
    current.save()
    return revised


# --- consent -----------------------------------------------------------------------------------------------------


@transaction.atomic
def consent_decide(*, user, data_set, given: bool, note: str = "") -> PublicationConsent:
    """The provider's own reporter agrees to (or withdraws) publication of its figures of one data set. Recorded
    with who and when; the latest decision stands for every release frozen after it."""

    assignments = list(data_set_assignments(user=user, data_set=data_set))
    if not assignments or not user.has_perm("releases.decide_consent", assignments[0]):
        raise Refused("Only the provider's own reporter decides on publishing its figures.")
    agency = assignments[0].agency
    return PublicationConsent.objects.create(data_set=data_set, agency=agency, given=bool(given), note=nfc((note or "").strip())[:500], decided_by=user)
