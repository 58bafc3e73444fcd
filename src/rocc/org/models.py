"""Agencies, the organisational-unit tree with populations, the national structure, and user profiles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from rocc.core.models import NormalisedText


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", "Government agency"
    IWI = "iwi", "Iwi or Māori organisation"
    NGO = "ngo", "Non-governmental organisation"
    PHO = "pho", "Primary health organisation"
    COUNCIL = "council", "Council"
    PROGRAMME = "programme", "Cross-agency programme or group"


class Agency(NormalisedText):
    short_name = models.CharField(max_length=40, unique=True, help_text="As the action plans write it, e.g. MSD, Kāinga Ora")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    aliases = models.JSONField(default=list, blank=True, help_text="Other spellings used in plans, e.g. OT for Oranga Tamariki")
    description = models.TextField(blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["short_name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.short_name

    text_fields = ("short_name", "name")
    folded = {"search_text": ("short_name", "name", "aliases", "description")}


class UnitLevel(models.TextChoices):
    NATIONAL = "national", "National"
    DISTRICT = "district", "District"
    AREA = "area", "Area"


LEVEL_DEPTH = {UnitLevel.NATIONAL: 0, UnitLevel.DISTRICT: 1, UnitLevel.AREA: 2}


class OrgUnit(NormalisedText):
    """A node of national → district → area. ``path`` holds the codes from the root, so a unit and
    all its descendants are one indexed prefix query (and one LIKE on PostgreSQL or SQLite)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=400, unique=True, editable=False)
    order = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    name_folded = models.CharField(max_length=120, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["path"]
        verbose_name = "organisational unit"
        constraints = [
            models.CheckConstraint(
                condition=Q(level="national", parent__isnull=True) | (~Q(level="national") & Q(parent__isnull=False)),
                name="orgunit_only_national_is_root",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None and self.level != UnitLevel.NATIONAL:
            raise ValidationError({"parent": "Only the national unit has no parent."})
        if self.parent is not None and LEVEL_DEPTH[self.parent.level] + 1 != LEVEL_DEPTH[self.level]:
            raise ValidationError({"level": f"A {self.get_level_display().lower()} cannot sit under a {self.parent.get_level_display().lower()}."})

    text_fields = ("name",)
    folded = {"name_folded": ("name",)}

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = f"{self.parent.path}{self.code}/" if self.parent_id else f"/{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moving a unit moves its subtree: rewrite the descendants' paths.
            for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.save()

    def descendants(self, *, include_self: bool = True):
        qs = OrgUnit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self):
        codes = [c for c in self.path.strip("/").split("/")]
        return OrgUnit.objects.filter(code__in=codes).order_by("path")


class UnitAlias(NormalisedText):
    """Another spelling of a unit's name, as Police data extracts write it ("Counties/Manukau", "Waitemata")."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=120)
    alias_folded = models.CharField(max_length=120, unique=True, editable=False)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "unit aliases"

    def __str__(self) -> str:
        return self.alias

    text_fields = ("alias",)
    folded = {"alias_folded": ("alias",)}


class Population(models.Model):
    """How many people live in a unit over a period, optionally for one age band, sex or ethnicity."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="populations")
    period_start = models.DateField()
    period_end = models.DateField()
    age_band = models.CharField(max_length=20, blank=True, default="")
    sex = models.CharField(max_length=20, blank=True, default="")
    ethnicity = models.CharField(max_length=40, blank=True, default="")
    value = models.PositiveBigIntegerField()
    is_approximate = models.BooleanField(default=False)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["unit__path", "period_start", "age_band", "sex", "ethnicity"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_start", "period_end", "age_band", "sex", "ethnicity"],
                name="population_one_value_per_cell",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="population_period_ordered"),
        ]

    def __str__(self) -> str:
        approx = " (approximate)" if self.is_approximate else ""
        return f"{self.unit} {self.period_start:%Y-%m-%d}: {self.value:,}{approx}"


class GroupKind(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    STRATEGIC = "strategic", "Strategic"
    BOTH = "both", "Strategic and operational"


class GroupLevel(models.TextChoices):
    NATIONAL = "national", "National"
    DISTRICT = "district", "District"


class NationalGroup(models.Model):
    """A group in the national structure for coordinating organised-crime operational activity."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=20, blank=True)
    includes = models.CharField(max_length=200, blank=True, help_text="Teams the group includes, as the strategy lists them")
    role = models.TextField(help_text="The group's role statement")
    duties = models.JSONField(default=list)
    kind = models.CharField(max_length=12, choices=GroupKind.choices)
    level = models.CharField(max_length=10, choices=GroupLevel.choices)
    notes = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager (national)"
    REGIONAL_COORDINATOR = "regional_coordinator", "Regional coordinator"
    ANALYST = "analyst", "Analyst"
    PROVIDER_REPORTER = "provider_reporter", "Provider reporter"
    TC_MEMBER = "tc_member", "Tasking & Coordination member"
    VIEWER = "viewer", "Viewer"


class Profile(models.Model):
    """A user's role and scope: the units they work in (each with its descendants) and optionally an agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.VIEWER)
    units = models.ManyToManyField(OrgUnit, blank=True, related_name="members")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    groups = models.ManyToManyField(NationalGroup, blank=True, related_name="members")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
