"""A saved analysis: what was computed, over which data, with which parameters, and its result; and the
working records behind it (uploaded files, runs in progress, links from network nodes to persons)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rocc.org.models import OrgUnit


class AnalysisKind(models.TextChoices):
    REPEAT_VICTIMS = "repeat_victims", "Repeat victims"
    HOT_TIMES = "hot_times", "Hot times"
    HOTSPOTS = "hotspots", "Hot spots"
    CONCENTRATION = "concentration", "Concentration (the Power Few)"
    HARM = "harm", "Harm index"
    NEAR_REPEAT = "near_repeat", "Near repeats (Knox)"
    NETWORK = "network", "Criminal network"
    DISPLACEMENT = "displacement", "Displacement"
    AUTOCORRELATION = "autocorrelation", "Spatial autocorrelation (Moran's I, General G, LISA)"
    EMERGING_HOTSPOTS = "emerging_hotspots", "Emerging hot spots"
    FORECAST_ACCURACY = "forecast_accuracy", "Hot-spot forecast accuracy (PAI, PEI, RRI)"
    POINT_PATTERN = "point_pattern", "Point patterns (nearest neighbour, Ripley's K, density)"
    SPACE_TIME = "space_time", "Space–time interaction (Jacquez, Mantel, chains)"
    SPATIAL_DESCRIPTION = "spatial_description", "Centre, spread and direction"


class SavedAnalysis(models.Model):
    """One run of an analysis kept for evidence: problem-solving cases and insights products link to these."""

    kind = models.CharField(max_length=30, choices=AnalysisKind.choices)
    title = models.CharField(max_length=200)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="saved_analyses")
    source = models.CharField(max_length=300, help_text="What the analysis ran over: a file's name or the event-store filters")
    parameters = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    holds_person_level = models.BooleanField(default=False, help_text="True when the result names (pseudonymised) persons: only analysts in scope may open it")
    # Kept beside a large result so that its page need not read the result (a 90,000-cell hot-spot grid is ~15 MB of
    # JSON): the result without its per-cell rows, the map's head (legend, hot cells, top hot spots) and the map's
    # cells as the JSON text the browser is sent. Written with the result, or on its first view for one saved before;
    # result_head is null until then (and for kinds whose whole result is small).
    result_head = models.JSONField(null=True, blank=True)
    map_head = models.JSONField(null=True, blank=True)
    map_cells = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "saved analyses"

    @property
    def has_stored_head(self) -> bool:
        return self.result_head is not None

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AnalysisUpload(models.Model):
    """A file an analyst uploaded to analyse. Held in the database (not on one machine's disk) so that any
    web process or worker can read it; only its uploader uses it, and old ones are cleared.

    A file larger than ROCC_LIMIT_INLINE_UPLOAD_KB is first kept owner-only in the data directory (``upload_file``)
    and checked by the worker, as a run is: queued, running, then done (its content, columns and rows kept) or
    failed (``error`` says where the file is wrong and nothing is kept)."""

    name = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    has_header = models.BooleanField(default=True)
    columns = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DONE)
    progress = models.PositiveSmallIntegerField(default=100, help_text="Per cent of the check done")
    error = models.TextField(blank=True)
    upload_file = models.CharField(max_length=200, blank=True, help_text="The file while it waits to be checked (data-directory-relative); removed after")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="analysisupload_progress_is_a_percentage")]

    def __str__(self) -> str:
        return self.name

    @property
    def ready(self) -> bool:
        """Checked and kept: its columns can be picked and it can be analysed."""
        return self.status == RunStatus.DONE

    @property
    def failed(self) -> bool:
        return self.status == RunStatus.FAILED

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class AnalysisRun(models.Model):
    """One computation of an analysis, before anyone saves it: run in the request when small, or queued for a
    worker when long, with its status for the page to poll."""

    kind = models.CharField(max_length=30, choices=AnalysisKind.choices)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    upload = models.ForeignKey(AnalysisUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    source = models.CharField(max_length=300)
    data_source = models.CharField(max_length=10, default="file")  # file, events or figures
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    holds_person_level = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    saved = models.ForeignKey(SavedAnalysis, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run {self.pk} ({self.status})"

    @property
    def is_queued(self) -> bool:
        return self.status == RunStatus.QUEUED

    @property
    def failed(self) -> bool:
        return self.status == RunStatus.FAILED

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class NodePersonLink(models.Model):
    """A network node an analyst linked to a person in the event store, by pseudonymised key, with the stated
    purpose (the same purpose is in the audit trail)."""

    analysis = models.ForeignKey(SavedAnalysis, on_delete=models.CASCADE, related_name="node_links")
    node = models.CharField(max_length=200)
    person_key = models.CharField(max_length=128)
    purpose = models.TextField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node"]
        constraints = [models.UniqueConstraint(fields=["analysis", "node"], name="one_person_per_network_node")]

    def __str__(self) -> str:
        return f"{self.node} → {self.person_key[:12]}…"
