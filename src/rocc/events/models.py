"""The event store's records in the database: each source's saved column mapping and each import batch.

The events themselves live in Parquet files under the data directory (see ``rocc.events.store``);
the database holds only the data-directory-relative names of those files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class EventSource(models.Model):
    """Where events come from (a district's extract, a national system) and how its columns map to ours."""

    name = models.SlugField(max_length=80, unique=True, help_text="Short name used on the command line, e.g. waitemata-victimisations")
    description = models.CharField(max_length=300, blank=True)
    mapping = models.JSONField(help_text="The column mapping, as rocc.events.mapping.SourceMapping")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Imported"
    REJECTED = "rejected", "Rejected (errors found, nothing imported)"
    FAILED = "failed", "Failed"
    ALREADY = "already", "Already imported (the same file)"


class ImportBatch(models.Model):
    """One import of one file: what came in, what was kept, what was rejected and why."""

    source = models.ForeignKey(EventSource, on_delete=models.PROTECT, related_name="batches")
    file_name = models.CharField(max_length=255, help_text="The name of the file as the user gave it (no folder)")
    sha256 = models.CharField(max_length=64, db_index=True)
    partial = models.BooleanField(default=False, help_text="Import the valid rows and keep the rejected ones")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done")
    stage = models.CharField(max_length=80, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_already_stored = models.PositiveIntegerField(default=0)
    persons_imported = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True, help_text="The validation report: row, column, message")
    problems_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    # Data-directory-relative names: readable from any machine that mounts the data directory.
    events_file = models.CharField(max_length=200, blank=True)
    persons_file = models.CharField(max_length=200, blank=True)
    rejects_file = models.CharField(max_length=200, blank=True)
    upload_file = models.CharField(max_length=200, blank=True, help_text="The uploaded file while it waits to be imported; removed after")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "import batch"
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="importbatch_progress_is_a_percentage"),
            models.UniqueConstraint(fields=["source", "sha256"], condition=Q(status="done"), name="importbatch_one_done_import_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in {BatchStatus.QUEUED, BatchStatus.RUNNING}

    @property
    def succeeded(self) -> bool:
        """Finished with its rows in the store (imported now, or already there)."""
        return self.status in {BatchStatus.DONE, BatchStatus.ALREADY}
