"""Organisational-unit boundaries as reference data: each import recorded with its source and licence, one current
boundary per unit, kept in WGS84 for drawing and in NZTM2000 for placing events."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BoundarySet(models.Model):
    """One imported boundaries file: where it came from, under what licence, who loaded it and when."""

    file_name = models.CharField(max_length=255)
    source = models.CharField(max_length=500, help_text="Who published the boundaries, and which edition")
    licence = models.CharField(max_length=300, help_text="The licence they are used under, e.g. CC BY 4.0")
    source_crs = models.CharField(max_length=40, help_text="The coordinate system the file was in")
    features = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source})"


class Boundary(models.Model):
    """The current boundary of one organisational unit. ``geometry_wgs84`` is GeoJSON in longitude/latitude (for the
    map); ``geometry_nztm`` is the same polygon in NZTM2000 metres (for placing events, which are stored in NZTM)."""

    unit = models.OneToOneField("org.OrgUnit", on_delete=models.CASCADE, related_name="boundary")
    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.PROTECT, related_name="boundaries")
    geometry_wgs84 = models.JSONField()
    geometry_nztm = models.JSONField()
    nztm_wkb = models.BinaryField(editable=False, help_text="geometry_nztm as well-known binary: the placement index loads it in milliseconds")
    area_km2 = models.FloatField()
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()

    class Meta:
        ordering = ["unit__path"]
        verbose_name_plural = "boundaries"
        constraints = [
            models.CheckConstraint(condition=models.Q(west__lte=models.F("east"), south__lte=models.F("north")), name="boundary_extent_ordered"),
        ]

    def __str__(self) -> str:
        return f"Boundary of {self.unit}"

    @property
    def scope_unit(self):
        return self.unit
