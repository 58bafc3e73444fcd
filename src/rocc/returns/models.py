"""Provider reporting: data sets, the providers that report them, returns with their values and workflow history.

The tables keep the names they had when provider reporting lived in measures (``measures_…``), so moving the code
into its own app moved no data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rocc.core.models import NormalisedText
from rocc.measures.periods import Period, period_label
from rocc.org.models import Agency, OrgUnit

__all__ = [
    "DataSet",
    "DataSetIndicator",
    "DataSetProvider",
    "ProviderReturn",
    "ReturnAction",
    "ReturnEvent",
    "ReturnStatus",
    "ReturnValue",
    "TemplateUpload",
    "TemplateUploadStatus",
    "RETURN_PERIOD_TYPES",
    "REPORTING_MODELS",
]

# A return covers one whole period; rolling "year ended" totals are computed from monthly returns, never reported.
RETURN_PERIOD_TYPES = ["month", "quarter", "calendar_year", "july_june"]
RETURN_PERIOD_CHOICES = [("month", "Month"), ("quarter", "Quarter"), ("calendar_year", "Calendar year"), ("july_june", "July–June year")]


class DataSet(NormalisedText):
    """What a group of providers reports, how often and by when: a set of indicators, a period type, and the days
    after a period's end that its return is due. ``template_version`` changes whenever the indicators change, so an
    Excel template downloaded before the change is recognised and refused."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    period_type = models.CharField(max_length=14, choices=RETURN_PERIOD_CHOICES, default="month")
    due_days = models.PositiveSmallIntegerField(default=20, help_text="Days after the end of a period that its return is due")
    first_period_start = models.DateField(help_text="The start of the first period providers report")
    last_period_end = models.DateField(null=True, blank=True, help_text="The end of the last period, if the data set has closed")
    template_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "measures_dataset"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(period_type__in=RETURN_PERIOD_TYPES), name="dataset_period_type_reportable"),
            models.CheckConstraint(condition=Q(last_period_end__isnull=True) | Q(last_period_end__gte=F("first_period_start")), name="dataset_periods_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    text_fields = ("name", "description")


class DataSetIndicator(models.Model):
    """One figure a data set asks for, with the validation rules that apply to it."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey("measures.Indicator", on_delete=models.PROTECT, related_name="data_set_items")
    order = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=300, blank=True, help_text="How the form asks for the figure; the indicator's name when empty")
    guidance = models.CharField(max_length=500, blank=True, help_text="What to count, shown beside the field")
    check_population = models.BooleanField(default=True, help_text="Refuse a figure above the population of the reporting unit")
    max_change_ratio = models.FloatField(
        null=True, blank=True, default=3.0, help_text="Flag a change from the last period by more than this factor (up or down); empty: no check"
    )
    plausible_max = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The most this figure can plausibly be for one period (a ceiling that catches slips such as 99,999,999); "
        "a figure above it stops submission. Empty: no ceiling",
    )

    class Meta:
        db_table = "measures_datasetindicator"
        ordering = ["data_set", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "indicator"], name="datasetindicator_once_per_data_set"),
            models.CheckConstraint(condition=Q(max_change_ratio__isnull=True) | Q(max_change_ratio__gt=1), name="datasetindicator_ratio_above_one"),
            models.CheckConstraint(condition=Q(plausible_max__isnull=True) | Q(plausible_max__gte=1), name="datasetindicator_ceiling_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.data_set.code}: {self.indicator.code}"

    @property
    def question(self) -> str:
        return self.label or self.indicator.name


class DataSetProvider(models.Model):
    """An agency that reports a data set for a unit, from a first period on (completeness counts from there)."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="providers")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="data_set_assignments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="data_set_assignments")
    from_period_start = models.DateField(null=True, blank=True, help_text="The first period this provider reports; the data set's first when empty")

    class Meta:
        db_table = "measures_datasetprovider"
        ordering = ["data_set", "agency__short_name", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["data_set", "agency", "unit"], name="datasetprovider_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.agency} for {self.unit} ({self.data_set.code})"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit

    @property
    def scope_agency(self) -> Agency:
        return self.agency

    @property
    def first_period_start(self):
        return max(self.from_period_start or self.data_set.first_period_start, self.data_set.first_period_start)


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for revision"
    APPROVED = "approved", "Approved"


class ProviderReturn(models.Model):
    """One provider's figures for one unit and period of a data set. ``version`` goes up with every change, so two
    people acting on the same return at once cannot overwrite each other unseen."""

    data_set = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="returns")
    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="returns")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    note = models.TextField(blank=True, help_text="The provider's explanation of anything unusual, for the approver")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    first_submitted_at = models.DateTimeField(null=True, blank=True, help_text="When the return was first submitted: timeliness counts this")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "measures_providerreturn"
        ordering = ["-period_start", "data_set__name", "provider__short_name", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "provider", "unit", "period_start"], name="providerreturn_one_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="providerreturn_period_ordered"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(approved_at__isnull=False), name="providerreturn_approved_has_time"),
            models.CheckConstraint(condition=Q(status="draft") | Q(first_submitted_at__isnull=False), name="providerreturn_submitted_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.data_set.name}: {self.provider} for {self.unit}, {self.period_label}"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit

    @property
    def scope_agency(self) -> Agency:
        return self.provider

    @property
    def is_draft(self) -> bool:
        return self.status == ReturnStatus.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == ReturnStatus.APPROVED

    @property
    def period_label(self) -> str:

        return period_label(self.data_set.period_type, self.period_start, self.period_end)

    @property
    def period_key(self) -> str:

        return Period(self.period_start, self.period_end, self.data_set.period_type).key

    @property
    def is_editable(self) -> bool:
        """The provider may change the figures: a draft, or a return sent back for revision."""
        return self.status in (ReturnStatus.DRAFT, ReturnStatus.RETURNED)


class ReturnValue(models.Model):
    """One figure of a return: a whole, non-negative count (empty until entered)."""

    provider_return = models.ForeignKey(ProviderReturn, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey("measures.Indicator", on_delete=models.PROTECT, related_name="return_values")
    value = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "measures_returnvalue"
        ordering = ["provider_return", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider_return", "indicator"], name="returnvalue_once_per_indicator"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="returnvalue_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class ReturnAction(models.TextChoices):
    CREATED = "created", "Started"
    SAVED = "saved", "Figures saved"
    UPLOADED = "uploaded", "Figures uploaded from the Excel template"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for revision"
    APPROVED = "approved", "Approved"


class ReturnEvent(models.Model):
    """A step in a return's history: who did what, when, with the approver's comment and the flags shown at the time."""

    provider_return = models.ForeignKey(ProviderReturn, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=ReturnAction.choices)
    status = models.CharField(max_length=10, choices=ReturnStatus.choices, help_text="The return's status after this step")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="The validation and outlier flags of the return when this step was taken")
    warnings_shown = models.JSONField(
        default=list, blank=True, help_text="On a submission: the warnings the provider was shown, and confirmed with a note, before submitting"
    )

    class Meta:
        db_table = "measures_returnevent"
        ordering = ["provider_return", "at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(action="returned") | ~Q(comment=""), name="returnevent_returned_has_comment")]

    def __str__(self) -> str:
        return f"{self.provider_return_id}: {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def flag_count(self) -> int:
        """Problems and warnings recorded at this step (entries from before checks said they could not run are flags)."""
        return sum(1 for f in self.flags if f.get("outcome", "flagged") == "flagged")

    @property
    def not_run_count(self) -> int:
        return sum(1 for f in self.flags if f.get("outcome") == "not_run")


REPORTING_MODELS = [DataSet, DataSetIndicator, DataSetProvider, ProviderReturn, ReturnValue, ReturnEvent]


class TemplateUploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be read"
    RUNNING = "running", "Being read"
    DONE = "done", "Uploaded"
    REFUSED = "refused", "Refused (problems found, nothing saved)"
    FAILED = "failed", "Failed"


class TemplateUpload(models.Model):
    """A filled template too large to read while the page waits: kept in the data directory (owner-only) until the
    worker has read it, with its status and progress for the page to poll and, when it is refused, each problem with
    its sheet and cell. The same fields and statuses as an events import batch (``events.ImportBatch``)."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255, help_text="The name of the file as the user gave it (no folder)")
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=TemplateUploadStatus.choices, default=TemplateUploadStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done")
    stage = models.CharField(max_length=80, blank=True)
    problems = models.JSONField(default=list, blank=True, help_text="Each problem: sheet, cell, indicator, message")
    message = models.TextField(blank=True)
    figures = models.PositiveIntegerField(default=0, help_text="Figures filled in the return, once uploaded")
    provider_return = models.ForeignKey(ProviderReturn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    upload_file = models.CharField(max_length=200, blank=True, help_text="The file while it waits to be read (data-directory-relative); removed after")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="templateupload_progress_is_a_percentage")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in {TemplateUploadStatus.QUEUED, TemplateUploadStatus.RUNNING}

    @property
    def succeeded(self) -> bool:
        return self.status == TemplateUploadStatus.DONE
