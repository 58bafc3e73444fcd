"""Indicator definitions and their versions, observations, baselines, targets, statuses and turn-the-curve narratives."""

from __future__ import annotations

import calendar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rocc.core.models import NormalisedText
from rocc.org.models import Agency, OrgUnit


class IndicatorKind(models.TextChoices):
    """Results-Based Accountability's split: conditions of a population, and performance measures of a service."""

    POPULATION = "population", "Population indicator"
    HOW_MUCH = "how_much", "How much did we do?"
    HOW_WELL = "how_well", "How well did we do it?"
    BETTER_OFF = "better_off", "Is anyone better off?"


class Polarity(models.TextChoices):
    LOWER_IS_BETTER = "lower", "Lower is better"
    HIGHER_IS_BETTER = "higher", "Higher is better"


class PeriodType(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    CALENDAR_YEAR = "calendar_year", "Calendar year"
    YEAR_ENDED = "year_ended", "Year ended (rolling 12 months)"
    JULY_JUNE = "july_june", "July–June year"


class Attribution(models.TextChoices):
    ATTRIBUTABLE = "attributable", "Attributable"
    CONTRIBUTORY = "contributory", "Contributory"


class DenominatorKind(models.TextChoices):
    NONE = "none", "None (a count)"
    POPULATION = "population", "A population"
    SERIES = "series", "Another indicator's series"


class NumeratorSource(models.TextChoices):
    OBSERVED = "observed", "Reported, returned or imported figures"
    EVENTS = "events", "Counted from the event store"


class EventMeasure(models.TextChoices):
    EVENTS = "events", "Events"
    VICTIMS = "victims", "Distinct victims"
    OFFENDERS = "offenders", "Distinct offenders"


FACTOR_CHOICES = [(1, "1"), (100, "per 100"), (1000, "per 1,000"), (10000, "per 10,000"), (100000, "per 100,000")]


class Indicator(NormalisedText):
    """A named indicator. What it measures and how lives in its versions; the identity (code) never changes,
    so plans, logic models and scripts refer to an indicator by code."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=True, help_text="Shown on public scorecards (with disclosure control)")
    owner_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A region's own indicator: the district whose coordinators publish it (blank: national)",
    )
    created_at = models.DateTimeField(default=timezone.now)
    search_text = models.TextField(editable=False, default="")
    activities = models.ManyToManyField(
        "strategy.Activity", blank=True, related_name="indicators", help_text="Action-plan activities this indicator's curve is meant to turn"
    )

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    text_fields = ("name",)
    folded = {"search_text": ("code", "name")}

    def _prefetched_versions(self) -> list[IndicatorVersion] | None:
        """The versions a selector fetched with the indicator (``prefetch_related("versions")``), or None."""
        return getattr(self, "_prefetched_objects_cache", {}).get("versions")

    def version_at(self, day) -> IndicatorVersion | None:
        """The definition in force on ``day`` (the latest version whose effective date is not after it)."""
        versions = self._prefetched_versions()
        if versions is not None:
            in_force = [v for v in versions if v.effective_from <= day]
            return max(in_force, key=_version_order, default=None) or min(versions, key=_version_order, default=None)
        return (
            self.versions.filter(effective_from__lte=day).order_by("-effective_from", "-number").first()
            or self.versions.order_by("effective_from", "number").first()
        )

    @property
    def current(self) -> IndicatorVersion | None:
        versions = self._prefetched_versions()
        if versions is not None:
            return max(versions, key=_version_order, default=None)
        return self.versions.order_by("-effective_from", "-number").first()


def _version_order(version: IndicatorVersion) -> tuple:
    return (version.effective_from, version.number)


class IndicatorVersion(models.Model):
    """One definition of an indicator, in force from ``effective_from`` until the next version's date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    effective_from = models.DateField()
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=IndicatorKind.choices, default=IndicatorKind.POPULATION)
    unit_label = models.CharField(max_length=100, blank=True, help_text="What a value is, e.g. 'offences per 10,000 people'")
    # Numerator
    numerator_label = models.CharField(max_length=300, blank=True)
    numerator_source = models.CharField(max_length=10, choices=NumeratorSource.choices, default=NumeratorSource.OBSERVED)
    numerator_event_measure = models.CharField(
        max_length=10, choices=EventMeasure.choices, blank=True, help_text="With an event-store numerator: count events, distinct victims or distinct offenders"
    )
    numerator_event_filters = models.JSONField(
        default=dict, blank=True, help_text='With an event-store numerator: e.g. {"offence_codes": [...], "divisions": [...], "event_type": "victimisation"}'
    )
    # Denominator
    denominator_kind = models.CharField(max_length=12, choices=DenominatorKind.choices, default=DenominatorKind.NONE)
    denominator_label = models.CharField(max_length=300, blank=True)
    denominator_population_filter = models.JSONField(default=dict, blank=True, help_text='Which population: {"age_band": "10-16", "sex": "", "ethnicity": ""}')
    denominator_indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="used_as_denominator")
    factor = models.PositiveIntegerField(choices=FACTOR_CHOICES, default=1)
    polarity = models.CharField(max_length=6, choices=Polarity.choices, default=Polarity.LOWER_IS_BETTER)
    period_type = models.CharField(max_length=14, choices=PeriodType.choices, default=PeriodType.MONTH)
    year_end_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For 'year ended' periods: the month the headline year ends (1–12); empty means a rolling year ended every month"
    )
    disaggregations = models.JSONField(default=list, blank=True, help_text='Dimensions values can be split by, e.g. ["age_band", "sex", "ethnicity"]')
    attribution = models.CharField(max_length=12, choices=Attribution.choices, default=Attribution.CONTRIBUTORY)
    data_source = models.CharField(max_length=300, blank=True)
    responsible_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="indicator_versions")
    responsibility = models.CharField(
        max_length=200, blank=True, help_text="Who reports, when it is a kind of organisation rather than one agency, e.g. 'NGO / iwi provider'"
    )
    change_note = models.TextField(blank=True, help_text="Why the definition changed")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["indicator", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "effective_from"], name="indicatorversion_one_per_date"),
            models.UniqueConstraint(fields=["indicator", "number"], name="indicatorversion_number_unique"),
            models.CheckConstraint(condition=Q(factor__in=[1, 100, 1000, 10000, 100000]), name="indicatorversion_factor_allowed"),
            models.CheckConstraint(
                condition=Q(year_end_month__isnull=True) | Q(year_end_month__gte=1, year_end_month__lte=12),
                name="indicatorversion_year_end_month_valid",
            ),
            models.CheckConstraint(
                condition=~Q(denominator_kind="series") | Q(denominator_indicator__isnull=False),
                name="indicatorversion_series_denominator_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} v{self.number} (from {self.effective_from:%Y-%m-%d})"

    @property
    def is_rate(self) -> bool:
        return self.denominator_kind != DenominatorKind.NONE

    @property
    def period_label(self) -> str:
        if self.period_type == PeriodType.YEAR_ENDED and self.year_end_month:
            return f"Year ended {calendar.month_name[self.year_end_month]}"
        return self.get_period_type_display()

    def clean(self) -> None:
        errors = {}
        if self.year_end_month is not None and not 1 <= self.year_end_month <= 12:
            errors["year_end_month"] = "The month the year ends is a number from 1 to 12."
        if self.denominator_kind == DenominatorKind.SERIES and not self.denominator_indicator_id:
            errors["denominator_indicator"] = "Name the indicator whose series is the denominator."
        if self.denominator_kind == DenominatorKind.SERIES and self.denominator_indicator_id == self.indicator_id:
            errors["denominator_indicator"] = "An indicator cannot be its own denominator."
        if self.numerator_source == NumeratorSource.EVENTS and not self.numerator_event_measure:
            errors["numerator_event_measure"] = "Say whether to count events, victims or offenders."
        if errors:
            raise ValidationError(errors)


class SourceKind(models.TextChoices):
    REPORTED = "reported", "Reported (published figure)"
    RETURN = "return", "Provider return"
    IMPORT = "import", "Imported"
    COMPUTED = "computed", "Computed by rocc"


class Observation(models.Model):
    """One figure of an indicator for a unit, a period and a disaggregation cell ("" is the total), kept under
    the definition version it was reported or computed under."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    version = models.ForeignKey(IndicatorVersion, on_delete=models.PROTECT, related_name="observations")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="observations")
    period_start = models.DateField()
    period_end = models.DateField()
    period_type = models.CharField(max_length=14, choices=PeriodType.choices)
    disaggregation_key = models.CharField(
        max_length=200, blank=True, default="", help_text='"" for the total, else sorted "dimension=value" pairs joined by ";"'
    )
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True, help_text="Empty means no value (for example no rate because the population is zero)")
    source = models.CharField(max_length=10, choices=SourceKind.choices)
    is_approximate = models.BooleanField(default=False, help_text="Computed with an approximate population, or published as approximate")
    provenance = models.CharField(max_length=500, blank=True, help_text="Where the figure came from: file, table, return")
    source_ref = models.CharField(max_length=100, blank=True, help_text="Identifier of the return or import batch, e.g. 'return:42'")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["indicator", "unit__path", "period_start", "disaggregation_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "period_type", "period_start", "period_end", "disaggregation_key", "source"],
                name="observation_one_per_cell_and_source",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="observation_period_ordered"),
            models.CheckConstraint(condition=Q(numerator__isnull=True) | Q(numerator__gte=0), name="observation_numerator_not_negative"),
            models.CheckConstraint(condition=Q(denominator__isnull=True) | Q(denominator__gte=0), name="observation_denominator_not_negative"),
        ]
        indexes = [models.Index(fields=["indicator", "unit", "period_type", "period_start"], name="observation_series_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}: {self.value}"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit


class BaselineKind(models.TextChoices):
    FIXED_PERIOD = "fixed_period", "A fixed period"
    PREVIOUS_PERIOD = "previous_period", "The previous period"
    ENTERED = "entered", "An entered value"


class TargetKind(models.TextChoices):
    CHANGE = "change", "A change from the baseline by a date"
    ABSOLUTE = "absolute", "An absolute value by a date"


class Target(models.Model):
    """A baseline and a target for an indicator in a unit (for example total crime rate, national: baseline year
    ended June 2011, −15% by June 2017)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="indicator_targets")
    period_type = models.CharField(
        max_length=14, choices=PeriodType.choices, blank=True, help_text="The series the target is set on; empty means the indicator's own period type"
    )
    baseline_kind = models.CharField(max_length=16, choices=BaselineKind.choices, default=BaselineKind.FIXED_PERIOD)
    baseline_period_end = models.DateField(null=True, blank=True, help_text="With a fixed-period baseline: the end of that period")
    baseline_value = models.FloatField(null=True, blank=True, help_text="With an entered baseline: the value")
    baseline_label = models.CharField(max_length=100, blank=True, help_text="How the baseline is described, e.g. 'year ended June 2011'")
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices, default=TargetKind.CHANGE)
    target_change_percent = models.FloatField(null=True, blank=True, help_text="With a change target: e.g. -20 for a 20% reduction")
    target_value = models.FloatField(null=True, blank=True, help_text="With an absolute target: the value to reach")
    target_date = models.DateField(help_text="The end of the period by which the target is to be reached")
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period_type"], name="target_one_per_indicator_unit_series"),
            models.CheckConstraint(condition=~Q(baseline_kind="fixed_period") | Q(baseline_period_end__isnull=False), name="target_fixed_baseline_has_period"),
            models.CheckConstraint(condition=~Q(baseline_kind="entered") | Q(baseline_value__isnull=False), name="target_entered_baseline_has_value"),
            models.CheckConstraint(condition=~Q(target_kind="change") | Q(target_change_percent__isnull=False), name="target_change_has_percent"),
            models.CheckConstraint(condition=~Q(target_kind="absolute") | Q(target_value__isnull=False), name="target_absolute_has_value"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code}: {self.description or self.get_target_kind_display()}"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NOT_ENOUGH_DATA = "not_enough_data", "Not enough data"


class StatusSnapshot(models.Model):
    """The last computed status of an indicator in a unit, so scorecards read one row per cell."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="statuses")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="indicator_statuses")
    period_type = models.CharField(max_length=14, choices=PeriodType.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    latest_period_start = models.DateField(null=True, blank=True)
    latest_period_end = models.DateField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    latest_numerator = models.FloatField(null=True, blank=True)
    latest_denominator = models.FloatField(null=True, blank=True)
    interval_low = models.FloatField(null=True, blank=True)
    interval_high = models.FloatField(null=True, blank=True)
    glide_value = models.FloatField(null=True, blank=True)
    baseline_value = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    trend_percent_per_year = models.FloatField(null=True, blank=True)
    trend_p_value = models.FloatField(null=True, blank=True)
    is_approximate = models.BooleanField(default=False)
    explanation = models.CharField(max_length=400, blank=True)
    # The same cell as it leaves through disclosure control (value, interval, trend and status computed from the
    # protected counts), computed with the true one so a protected scorecard reads one row per cell too; valid only
    # for the disclosure rules it was computed under.
    protected_cell = models.JSONField(null=True, blank=True)
    protected_rules = models.CharField(max_length=64, blank=True)
    # For a cell off track: the status it had at the previous reporting period (the series as at the day before the
    # latest period began, on the figures held now), which tells "newly off track" from "still off track".
    previous_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    previous_period_start = models.DateField(null=True, blank=True)
    previous_period_end = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["indicator", "unit", "period_type"], name="statussnapshot_one_per_cell")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code}: {self.get_status_display()}"


class Narrative(NormalisedText):
    """The Results-Based Accountability story of one indicator in one unit: the story behind the curve, the partners
    with a role to play, what works, and the action plan. ``version`` guards against overwriting someone's edit."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="narratives")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="indicator_narratives")
    story_behind_curve = models.TextField(blank=True)
    partners = models.TextField(blank=True)
    what_works = models.TextField(blank=True)
    action_plan = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["indicator", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["indicator", "unit"], name="narrative_one_per_indicator_unit")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code} narrative"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit

    text_fields = ("story_behind_curve", "partners", "what_works", "action_plan")
