"""Every write of releases: prepare, freeze, schedule (the embargo), unschedule, revise, cancel; a district's own
indicators and the chosen stories; providers' consent decisions. Each checks its rule from ``rules.py`` and the
move table beside the model, inside one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from rocc.core.errors import Conflict, InvalidInput, Refused, StaleRecord
from rocc.core.text import nfc
from rocc.measures.selectors import indicators_for, narrative_for
from rocc.org.models import OrgUnit
from rocc.releases.models import (
    RELEASE_MOVE_STATUS,
    RELEASE_MOVES,
    DistrictIndicator,
    PublicationConsent,
    Release,
    ReleaseCurve,
    ReleaseStage,
    ReleaseStory,
    ReleaseVersion,
    release_stage,
)
from rocc.releases.selectors import release_snapshot_compute
from rocc.returns.selectors import data_set_assignments


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
    if codes is None:
        return list(available.filter(is_published=True))
    codes = [c for c in codes if c]
    found = list(available.filter(code__in=codes))
    missing = sorted(set(codes) - {i.code for i in found})
    if missing:
        raise InvalidInput(field_errors={"indicators": [f"No indicator with the code {', '.join(missing)}."]})
    unpublished = sorted(i.code for i in found if not i.is_published)
    if unpublished:
        raise InvalidInput(field_errors={"indicators": [f"Not marked for publication: {', '.join(unpublished)}."]})
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
    """A region's own indicator published for its district in a draft release (its coordinator, or the programme office)."""

    if not user.has_perm("releases.choose_district_indicator", unit):
        raise Refused("Only the district's coordinators and the programme office choose its indicators.")
    current = Release.objects.select_for_update().get(pk=release.pk)
    if release_stage(current) not in RELEASE_MOVES["edit"]:
        raise ReleaseStateError("Indicators are chosen while the release is a draft.")
    if unit.level != "district":
        raise InvalidInput(field_errors={"unit": ["Choose a district."]})
    indicator = indicators_for(user=user).filter(code=indicator_code).first()
    if indicator is None:
        raise InvalidInput(field_errors={"indicator": [f"No indicator with the code {indicator_code}."]})
    choice, _ = DistrictIndicator.objects.get_or_create(release=current, unit=unit, indicator=indicator, defaults={"chosen_by": user})
    _touch(current, user)
    current.save()
    return choice


@transaction.atomic
def district_indicator_remove(*, user, choice: DistrictIndicator) -> None:
    if not user.has_perm("releases.choose_district_indicator", choice.unit):
        raise Refused("Only the district's coordinators and the programme office choose its indicators.")
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


@transaction.atomic
def release_freeze(*, user, release: Release, version: int | None = None) -> ReleaseVersion:
    """Compute the release's figures now and store them as its version 1 (replacing an earlier freeze of the draft:
    nothing of a draft has been public). The preview shows this version, exactly as the public will."""
    current = _move(user, release, "freeze", version)
    snapshot = release_snapshot_compute(user=user, release=current)
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
    as the next version, with the note saying what changed and why. Earlier versions stay as they were."""
    current = _move(user, release, "revise", version)
    note = nfc((note or "").strip())
    if not note:
        raise InvalidInput(field_errors={"note": ["Say what the correction changes and why: the public reads this note."]})
    snapshot = release_snapshot_compute(user=user, release=current)
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
