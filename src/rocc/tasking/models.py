"""Tasking & Coordination records: forums and their meetings, insights products, OCCC insights reports with
their routing, the risk prioritisation methodology and its scores, taskings, targets and deconfliction alerts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rocc.core.models import NormalisedText
from rocc.org.models import NationalGroup, OrgUnit

USER = settings.AUTH_USER_MODEL


def _exactly_one(*fields: str) -> Q:
    """A condition true when exactly one of the nullable foreign keys is set."""
    condition = Q()
    for chosen in fields:
        term = Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                term &= Q(**{f"{other}__isnull": True})
        condition |= term
    return condition


class ForumKind(models.TextChoices):
    OCCC = "occc", "Organised Crime Coordination Committee"
    PRE_TC = "pre_tc", "Pre T&C"
    STRATEGIC_TC = "strategic_tc", "Strategic T&C"
    DCE_GROUP = "dce_group", "DCE group (multi-agency response)"
    DISTRICT_TC = "district_tc", "District T&C"


class Forum(models.Model):
    """A Tasking & Coordination forum: the OCCC, Pre T&C, Strategic T&C, the ROCC and TNOC DCE groups, or a
    district's own T&C. Its unit is the national unit for national forums and the district for a district's."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    short_name = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=ForumKind.choices)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="tasking_forums")
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        USER, blank=True, related_name="tasking_forums", help_text="People who attend besides the T&C members whose scope covers the forum's unit"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class ProductKind(models.TextChoices):
    DISTRICT_INSIGHTS = "district_insights", "District insights product"
    DISTRICT_SCANNING = "district_scanning", "District scanning product"
    NOCG = "nocg", "National Organised Crime Group product"
    FCG = "fcg", "Financial Crime Group product"
    PLO_NETWORK = "plo_network", "Police Liaison Officer network product"


DISTRICT_PRODUCT_KINDS = {ProductKind.DISTRICT_INSIGHTS, ProductKind.DISTRICT_SCANNING}
# The national group whose products each national kind is: the PLO network is run by the International Services Group.
PRODUCT_KIND_GROUP = {ProductKind.NOCG: "nocg", ProductKind.FCG: "fcg", ProductKind.PLO_NETWORK: "international-services"}


class InsightsProduct(NormalisedText):
    """A product provided to the OCCC: from a district, or from NOCG, FCG or the Police Liaison Officer network."""

    kind = models.CharField(max_length=20, choices=ProductKind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    handling_caveat = models.CharField(max_length=200, help_text="How the product may be handled and shared, e.g. IN-CONFIDENCE: Police only")
    source_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="insights_products")
    source_group = models.ForeignKey(NationalGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="insights_products")
    product_date = models.DateField(help_text="The date of the product")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="insights_products", help_text="The product's author or point of contact")
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    saved_analyses = models.ManyToManyField("analyses.SavedAnalysis", blank=True, related_name="insights_products")
    cases = models.ManyToManyField("problems.Case", blank=True, related_name="insights_products")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one("source_unit", "source_group"), name="product_one_source"),
            models.CheckConstraint(condition=~Q(handling_caveat=""), name="product_has_handling_caveat"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"IP-{timezone.localtime(self.received_at):%Y}-{self.pk:04d}" if self.pk else "IP-new"

    @property
    def source(self):
        return self.source_unit or self.source_group

    text_fields = ("title", "summary", "handling_caveat")
    folded = {"search_text": ("title", "summary")}


class ReportStatus(models.TextChoices):
    NEW = "new", "New (awaiting routing)"
    ROUTED = "routed", "Routed"
    CLOSED = "closed", "Closed"


# The statuses a report may move to from each status: routing (again, onward) keeps it routed; a routed report
# closes; a closed report moves no more. Services enforce this table and pages offer only what it allows.
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.NEW: frozenset({ReportStatus.ROUTED}),
    ReportStatus.ROUTED: frozenset({ReportStatus.ROUTED, ReportStatus.CLOSED}),
    ReportStatus.CLOSED: frozenset(),
}


class InsightsReport(NormalisedText):
    """An OCCC insights report compiled from products. It is new until routed; ``current_forum`` is where
    its latest routing decision sent it. ``version`` rises with every change so a stale edit is refused."""

    title = models.CharField(max_length=200)
    summary = models.TextField()
    products = models.ManyToManyField(InsightsProduct, related_name="reports")
    compiled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="compiled_insights_reports")
    compiled_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW)
    current_forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.PROTECT, related_name="current_reports")
    closed_reason = models.TextField(blank=True, help_text="Why the report needs nothing more")
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-compiled_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new", current_forum__isnull=True) | (~Q(status="new") & Q(current_forum__isnull=False)), name="report_routed_has_forum"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(condition=~Q(status="closed") | (~Q(closed_reason="") & Q(closed_at__isnull=False)), name="report_closed_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"IR-{timezone.localtime(self.compiled_at):%Y}-{self.pk:04d}" if self.pk else "IR-new"

    text_fields = ("title", "summary", "closed_reason")
    folded = {"search_text": ("title", "summary")}


class RoutingDirection(models.TextChoices):
    DISTRICT = "district", "District specific: back to the district"
    NATIONAL = "national", "National or regional issue: Pre T&C, then Strategic T&C"
    MULTI_AGENCY = "multi_agency", "Multi-agency response: the ROCC or TNOC DCE group"


# Which forums each direction may send a report to.
DIRECTION_FORUM_KINDS = {
    RoutingDirection.DISTRICT: {ForumKind.DISTRICT_TC},
    RoutingDirection.NATIONAL: {ForumKind.PRE_TC, ForumKind.STRATEGIC_TC},
    RoutingDirection.MULTI_AGENCY: {ForumKind.DCE_GROUP},
}


class RoutingDecision(NormalisedText):
    """Where a report went, why, who decided and when. Decisions are added, never edited."""

    report = models.ForeignKey(InsightsReport, on_delete=models.CASCADE, related_name="routing_decisions")
    direction = models.CharField(max_length=20, choices=RoutingDirection.choices)
    from_forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="routed_reports")
    rationale = models.TextField()
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="routing_decisions")

    class Meta:
        ordering = ["report", "decided_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(rationale=""), name="routing_has_rationale")]

    def __str__(self) -> str:
        return f"{self.report.reference} → {self.to_forum}"

    text_fields = ("rationale",)


class DimensionRole(models.TextChoices):
    HARM = "harm", "Harm"
    LIKELIHOOD = "likelihood", "Likelihood"
    MODIFIER = "modifier", "Modifier (confidence, organisational position)"


class RiskMethodology(models.Model):
    """One version of a risk prioritisation methodology. Exactly one version is current; scores made under
    older versions are kept with their version."""

    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    modifier_floor = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=0.5,
        help_text="What the modifiers multiply the score by at the bottom of their scales (1.00 at the top)",
    )
    note = models.CharField(max_length=300, blank=True, help_text="What changed in this version")
    is_current = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name_plural = "risk methodologies"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="methodology_version_unique"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_methodology"),
            models.CheckConstraint(condition=Q(modifier_floor__gte=0, modifier_floor__lte=1), name="methodology_floor_in_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RiskDimension(models.Model):
    """One dimension of a methodology with its scale (whole numbers from ``scale_min`` to ``scale_max``,
    each level described in ``levels``) and its weight within its role."""

    methodology = models.ForeignKey(RiskMethodology, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    question = models.TextField()
    role = models.CharField(max_length=12, choices=DimensionRole.choices)
    scale_min = models.IntegerField()
    scale_max = models.IntegerField()
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    levels = models.JSONField(default=list, help_text='[{"value": 0, "label": "..."}, ...] one per point of the scale')
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["methodology", "order"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="dimension_code_unique"),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="dimension_scale_ordered"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="dimension_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scale_min}–{self.scale_max}, weight {self.weight})"

    def level_label(self, value: int) -> str:
        for level in self.levels:
            if level.get("value") == value:
                return level.get("label", "")
        return ""


class TargetKind(models.TextChoices):
    PERSON = "person", "A person (pseudonymised)"
    GROUP = "group", "A group"
    PLACE = "place", "A place"


class TaskingStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# The statuses an update may give a tasking in each status. An update that keeps the status records a note; a
# completed or cancelled tasking takes no more updates. Services enforce this table and pages offer only what it allows.
TASKING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    TaskingStatus.OPEN: (TaskingStatus.OPEN, TaskingStatus.IN_PROGRESS, TaskingStatus.COMPLETED, TaskingStatus.CANCELLED),
    TaskingStatus.IN_PROGRESS: (TaskingStatus.IN_PROGRESS, TaskingStatus.OPEN, TaskingStatus.COMPLETED, TaskingStatus.CANCELLED),
    TaskingStatus.COMPLETED: (),
    TaskingStatus.CANCELLED: (),
}
CLOSED_TASKING_STATUSES = {status for status, onward in TASKING_TRANSITIONS.items() if not onward}


class Tasking(NormalisedText):
    """Work tasked to a district or a national group, with an owner and a due date; overdue when the due
    date has passed and it is neither completed nor cancelled."""

    title = models.CharField(max_length=200)
    description = models.TextField()
    report = models.ForeignKey(InsightsReport, null=True, blank=True, on_delete=models.PROTECT, related_name="taskings")
    forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.PROTECT, related_name="taskings", help_text="The forum that tasked it")
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="taskings")
    case = models.ForeignKey(
        "problems.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="taskings",
        help_text="The problem-solving case it is a Deploy milestone of",
    )
    tasked_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="taskings")
    tasked_group = models.ForeignKey(NationalGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="taskings")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="taskings")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=TaskingStatus.choices, default=TaskingStatus.OPEN)
    result = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one("tasked_unit", "tasked_group"), name="tasking_one_assignee"),
            models.CheckConstraint(condition=~Q(status="completed") | ~Q(result=""), name="tasking_completed_has_result"),
            models.CheckConstraint(condition=Q(version__gte=1), name="tasking_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"TK-{timezone.localtime(self.created_at):%Y}-{self.pk:04d}" if self.pk else "TK-new"

    @property
    def tasked_to(self):
        return self.tasked_unit or self.tasked_group

    def is_overdue(self, today: dt.date) -> bool:
        return self.status not in CLOSED_TASKING_STATUSES and self.due_date < today

    text_fields = ("title", "description", "result")
    folded = {"search_text": ("title", "description")}


class TaskingUpdate(NormalisedText):
    """One entry of a tasking's log: a status change or a note. Entries are added, never edited."""

    tasking = models.ForeignKey(Tasking, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=TaskingStatus.choices)
    note = models.TextField()

    class Meta:
        ordering = ["tasking", "-recorded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="tasking_update_has_note")]

    text_fields = ("note",)


class Target(NormalisedText):
    """A target named by a product, a tasking or a case: a pseudonymised person (the key only, never the
    identifier), a group by name, or a place as NZTM2000 metres. Deconfliction compares these."""

    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    person_key = models.CharField(max_length=128, blank=True, db_index=True)
    group_name = models.CharField(max_length=200, blank=True)
    group_folded = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    place_label = models.CharField(max_length=200, blank=True, help_text="A description of the place, e.g. a street or landmark")
    x = models.FloatField(null=True, blank=True, help_text="NZTM2000 easting, metres")
    y = models.FloatField(null=True, blank=True, help_text="NZTM2000 northing, metres")
    product = models.ForeignKey(InsightsProduct, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    tasking = models.ForeignKey(Tasking, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    case = models.ForeignKey("problems.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="tasking_targets")
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to", help_text="The product's target a case inherited this one from"
    )
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["x", "y"], name="target_place_xy")]
        constraints = [
            models.CheckConstraint(condition=_exactly_one("product", "tasking", "case"), name="target_one_subject"),
            models.CheckConstraint(
                condition=(
                    (Q(kind="person") & ~Q(person_key="")) | (Q(kind="group") & ~Q(group_folded="")) | Q(kind="place", x__isnull=False, y__isnull=False)
                ),
                name="target_complete_for_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == TargetKind.PERSON:
            return "A pseudonymised person"
        if self.kind == TargetKind.GROUP:
            return self.group_name
        return self.place_label or f"NZTM {self.x:.0f} E, {self.y:.0f} N"

    @property
    def subject(self):
        return self.product or self.tasking or self.case

    @property
    def subject_owner_id(self) -> int:
        return self.subject.owner_id

    text_fields = ("group_name", "place_label")
    folded = {"group_folded": ("group_name",)}


class RiskScore(models.Model):
    """The ratings of one report, case or target under one methodology version, and the score they give.
    Only the newest score of a subject under the current methodology is current; the rest are history."""

    methodology = models.ForeignKey(RiskMethodology, on_delete=models.PROTECT, related_name="scores")
    report = models.ForeignKey(InsightsReport, null=True, blank=True, on_delete=models.CASCADE, related_name="risk_scores")
    case = models.ForeignKey("problems.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="risk_scores")
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.CASCADE, related_name="risk_scores")
    ratings = models.JSONField(help_text="{dimension code: value on its scale}")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    rationale = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    rescored_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The score whose ratings this one re-applied under a new methodology version",
    )
    scored_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one("report", "case", "target"), name="score_one_subject"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="score_in_0_100"),
            models.UniqueConstraint(fields=["report"], condition=Q(is_current=True, report__isnull=False), name="one_current_score_per_report"),
            models.UniqueConstraint(fields=["case"], condition=Q(is_current=True, case__isnull=False), name="one_current_score_per_case"),
            models.UniqueConstraint(fields=["target"], condition=Q(is_current=True, target__isnull=False), name="one_current_score_per_target"),
        ]

    def __str__(self) -> str:
        return f"{self.score} under {self.methodology}"

    @property
    def subject(self):
        return self.report or self.case or self.target


class AlertBasis(models.TextChoices):
    PERSON = "person", "the same person"
    GROUP = "group", "the same group"
    PLACE = "place", "a place within the deconfliction distance"


class DeconflictionAlert(models.Model):
    """Two targets owned by different people that name the same person or group, or places close together.
    Each owner is told only who the other owner is and what kind of match it is, and must acknowledge."""

    target_a = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    target_b = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=10, choices=AlertBasis.choices)
    distance_m = models.FloatField(null=True, blank=True)
    owner_a = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    owner_b = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    acknowledged_a_at = models.DateTimeField(null=True, blank=True)
    acknowledged_b_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["target_a", "target_b"], name="alert_once_per_pair"),
            models.CheckConstraint(condition=Q(target_a__lt=models.F("target_b")), name="alert_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"Deconfliction alert {self.pk}: {self.get_basis_display()}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_a_at is None or self.acknowledged_b_at is None


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


class Meeting(models.Model):
    """A meeting of a forum. Its agenda is built when it is opened; its decisions are minutes."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title or f"{self.forum} meeting, {self.held_on:%d %b %Y}"


class Minute(NormalisedText):
    """A decision recorded at a meeting, linked to what it decided: a report, a tasking, a product,
    a deconfliction alert, or a case."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    decision = models.TextField()
    report = models.ForeignKey(InsightsReport, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes")
    tasking = models.ForeignKey(Tasking, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes")
    product = models.ForeignKey(InsightsProduct, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes")
    alert = models.ForeignKey(DeconflictionAlert, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes")
    case = models.ForeignKey("problems.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="tasking_minutes")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "recorded_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(decision=""), name="minute_has_decision")]

    def __str__(self) -> str:
        return self.decision[:80]

    @property
    def decided(self):
        return self.report or self.tasking or self.product or self.alert or self.case

    text_fields = ("decision",)
