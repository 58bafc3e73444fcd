"""Public releases: frozen, scheduled, revisable snapshots of published figures, and the data owners' consent to
publish the figures their returns provide.

A release's figures live in its versions (``ReleaseVersion.content``), computed once, already through disclosure
control for the public, and never recomputed: later observations cannot move a published figure. A correction is a
new version with a note; earlier versions stay readable at their own address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rocc.core.text import nfc
from rocc.org.models import Agency, OrgUnit


class ReleaseStatus(models.TextChoices):
    """What is stored. Whether a scheduled release is still under embargo or live follows from its go-live time
    (``release_stage``), so no job has to flip it at the right second."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class ReleaseStage(models.TextChoices):
    """The stage a release is in at a moment: the stored status with the embargo read against the clock."""

    DRAFT = "draft", "Draft"
    EMBARGOED = "embargoed", "Scheduled (under embargo)"
    LIVE = "live", "Published"
    CANCELLED = "cancelled", "Cancelled"


# The moves on a release and the stages each may start from (services enforce, rules.py asks).
RELEASE_MOVES: dict[str, set[str]] = {
    "edit": {ReleaseStage.DRAFT},
    "freeze": {ReleaseStage.DRAFT},
    "schedule": {ReleaseStage.DRAFT},
    "unschedule": {ReleaseStage.EMBARGOED},
    "revise": {ReleaseStage.LIVE},
    "cancel": {ReleaseStage.DRAFT, ReleaseStage.EMBARGOED},
}
# Where each move leaves the stored status.
RELEASE_MOVE_STATUS = {
    "schedule": ReleaseStatus.SCHEDULED,
    "unschedule": ReleaseStatus.DRAFT,
    "cancel": ReleaseStatus.CANCELLED,
}


def release_stage(release: Release, now=None) -> str:
    now = now or timezone.now()
    if release.status == ReleaseStatus.SCHEDULED:
        return ReleaseStage.LIVE if release.go_live_at is not None and release.go_live_at <= now else ReleaseStage.EMBARGOED
    return ReleaseStage(release.status).value


class Release(models.Model):
    """One release of progress figures as at a reference date (for example "Progress to June 2026")."""

    slug = models.SlugField(max_length=60, unique=True, help_text="The release's stable address: /public/releases/<slug>/")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="A plain-language paragraph opening the release")
    reference_date = models.DateField(help_text="Figures as at this date: periods ending after it are left out")
    planned_for = models.DateField(help_text="The date the release calendar announces")
    status = models.CharField(max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    go_live_at = models.DateTimeField(null=True, blank=True, help_text="The embargo: the release is public from this moment")
    indicators = models.ManyToManyField("measures.Indicator", blank=True, related_name="+", help_text="National selection")
    include_action_plan = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, help_text="Goes up with every change, so concurrent edits are seen")

    class Meta:
        ordering = ["-planned_for", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="scheduled") | Q(go_live_at__isnull=False), name="release_scheduled_has_go_live"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title, self.summary = nfc(self.title), nfc(self.summary)
        super().save(*args, **kwargs)

    @property
    def stage(self) -> str:
        return release_stage(self)


class DistrictIndicator(models.Model):
    """A region's own indicator that its coordinator (or the programme office) publishes in a release for one district."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="district_indicators")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey("measures.Indicator", on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["release", "unit__path", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["release", "unit", "indicator"], name="districtindicator_once")]

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit


class ReleaseStory(models.Model):
    """A turn-the-curve story chosen for a release: the narrative of one indicator in one unit, copied when frozen."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="stories")
    indicator = models.ForeignKey("measures.Indicator", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["release", "indicator__code", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["release", "indicator", "unit"], name="releasestory_once")]


class ReleaseVersion(models.Model):
    """A frozen snapshot of a release. Version 1 is the release as first published (refrozen freely while the release
    is a draft); every later version is a correction with a note. ``published_at`` is when it became (or becomes)
    public; a version with none has not been published."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="Every figure, label and text the public pages and files show, already protected")
    withheld = models.JSONField(default=list, blank=True, help_text="Figures left out, each with the reason (no consent from its provider)")
    sources = models.JSONField(default=list, blank=True, help_text="The providers whose returns gave figures in this version")
    note = models.TextField(blank=True, help_text="For a correction: what changed and why")
    content_sha256 = models.CharField(max_length=64)
    frozen_at = models.DateTimeField(default=timezone.now)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["release", "number"]
        constraints = [
            models.UniqueConstraint(fields=["release", "number"], name="releaseversion_number_unique"),
            models.CheckConstraint(condition=Q(number=1) | ~Q(note=""), name="releaseversion_correction_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.release.slug} v{self.number}"


class ReleaseCurve(models.Model):
    """One indicator's curves in a version (each unit's points), stored apart from the version's summary so a page
    reads only the curve it draws."""

    version = models.ForeignKey(ReleaseVersion, on_delete=models.CASCADE, related_name="curves")
    indicator_code = models.CharField(max_length=60)
    points = models.JSONField(help_text="Unit code → the protected points of its curve")

    class Meta:
        ordering = ["version", "indicator_code"]
        constraints = [models.UniqueConstraint(fields=["version", "indicator_code"], name="releasecurve_once_per_version")]


class PublicationConsent(models.Model):
    """A provider's decision on publishing the figures of one data set: given or withdrawn, by whom and when. Each
    decision is a row of its own; the latest one stands (so the history is the table)."""

    data_set = models.ForeignKey("returns.DataSet", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    given = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["data_set", "agency", "-decided_at", "-pk"]
        indexes = [models.Index(fields=["data_set", "agency", "decided_at"], name="consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.agency} {'agreed' if self.given else 'withdrew'} for {self.data_set_id} at {self.decided_at:%Y-%m-%d %H:%M}"

    @property
    def scope_agency(self) -> Agency:
        return self.agency

    def save(self, *args, **kwargs):
        self.note = nfc(self.note)
        super().save(*args, **kwargs)


class FreezeKind(models.TextChoices):
    FREEZE = "freeze", "Freeze the draft"
    REVISE = "revise", "Publish a corrected version"


class FreezeStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Computing the figures"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FREEZE_UNFINISHED = (FreezeStatus.QUEUED, FreezeStatus.RUNNING)


class ReleaseFreeze(models.Model):
    """One computation of a release's figures by the worker: freezing a draft (version 1) or a correction of a live
    release (the next version, with its note). Its progress is written as each indicator is done, so the release's
    page shows how far it has got; a failure is kept with its reason. One at a time per release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="freezes")
    kind = models.CharField(max_length=10, choices=FreezeKind.choices, default=FreezeKind.FREEZE)
    note = models.TextField(blank=True, help_text="For a correction: what changed and why")
    release_version = models.PositiveIntegerField(help_text="The release's edit version when asked: a change while computing fails the freeze")
    status = models.CharField(max_length=10, choices=FreezeStatus.choices, default=FreezeStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done")
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    made = models.ForeignKey(ReleaseVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="releasefreeze_progress_is_a_percentage"),
            models.UniqueConstraint(fields=["release"], condition=Q(status__in=["queued", "running"]), name="releasefreeze_one_at_a_time"),
            models.CheckConstraint(condition=~Q(kind="revise") | ~Q(note=""), name="releasefreeze_correction_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.release.slug}: {self.get_kind_display()} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in FREEZE_UNFINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == FreezeStatus.DONE

    @property
    def failed(self) -> bool:
        return self.status == FreezeStatus.FAILED
