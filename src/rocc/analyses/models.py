"""A saved analysis: what was computed, over which data, with which parameters, and its result."""

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


class SavedAnalysis(models.Model):
    """One run of an analysis kept for evidence: problem-solving cases and insights products link to these."""

    kind = models.CharField(max_length=30, choices=AnalysisKind.choices)
    title = models.CharField(max_length=200)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="saved_analyses")
    source = models.CharField(max_length=300, help_text="What the analysis ran over: a file's name or the event-store filters")
    parameters = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    holds_person_level = models.BooleanField(
        default=False, help_text="True when the result names (pseudonymised) persons: only analysts in scope may open it"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "saved analyses"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
