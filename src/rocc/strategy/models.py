"""Frameworks (mandate, goal, principles, objectives, barriers, measures, outcomes) and annual action plans
(focus areas → priority action areas → activities with agencies, milestones and progress updates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rocc.core.models import NormalisedText
from rocc.org.models import Agency, OrgUnit


class Framework(NormalisedText):
    """A strategy as its owners publish it. Nothing here is New Zealand-only: another country's
    strategy is another framework."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True)
    jurisdiction = models.CharField(max_length=120)
    mandate = models.TextField()
    goal = models.TextField()
    linked_strategies = models.JSONField(default=list, blank=True, help_text="Linked programmes and strategies, by name")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    text_fields = ("name", "mandate", "goal", "linked_strategies")


class _FrameworkPart(NormalisedText):
    """A statement that belongs to a framework in a fixed order."""

    order = models.PositiveIntegerField()

    class Meta:
        abstract = True
        ordering = ["framework", "order"]


class GuidingPrinciple(_FrameworkPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="principles")
    name = models.CharField(max_length=120)
    description = models.TextField()

    class Meta(_FrameworkPart.Meta):
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="principle_name_unique_in_framework")]

    def __str__(self) -> str:
        return self.name

    text_fields = ("name", "description")


class ChainLink(models.TextChoices):
    RESILIENCE = "resilience", "Resilience"
    DEMAND = "demand", "Demand"
    SUPPLY = "supply", "Supply"


CHAIN_ORDER = {ChainLink.RESILIENCE: 1, ChainLink.DEMAND: 2, ChainLink.SUPPLY: 3}


class Objective(_FrameworkPart):
    """One link of the objectives chain Resilience → Demand → Supply; ``order`` is its place in the chain."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="objectives")
    link = models.CharField(max_length=12, choices=ChainLink.choices)
    statement = models.TextField()

    class Meta(_FrameworkPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["framework", "link"], name="objective_one_per_link"),
            models.UniqueConstraint(fields=["framework", "order"], name="objective_one_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.get_link_display()}: {self.statement}"

    text_fields = ("statement",)


class _Statement(_FrameworkPart):
    text = models.TextField()

    class Meta(_FrameworkPart.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.text

    text_fields = ("text",)


class SystemicBarrier(_Statement):
    """A common systemic barrier to addressing harm; regions escalate barriers against this list."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="barriers")


class IndicativeMeasure(_Statement):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="measures")


class OutcomeStatement(_Statement):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="outcomes")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ActionPlan(NormalisedText):
    """An annual action plan under a framework. ``scope_unit`` is the unit whose programme it is (the
    national unit for the national plan); the permission rules scope edits by it."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="action_plans")
    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(help_text="The programme year the plan covers (2 for Year Two)")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="action_plans")

    class Meta:
        ordering = ["framework", "year"]
        constraints = [models.UniqueConstraint(fields=["framework", "scope_unit", "year"], name="action_plan_one_per_unit_year")]

    def __str__(self) -> str:
        return self.title

    text_fields = ("title",)


class FocusAreaKind(models.TextChoices):
    SUPPLY = "SUPPLY", "Supply"
    DEMAND = "DEMAND", "Demand"
    RESILIENCE = "RESILIENCE", "Resilience"
    ENABLE = "ENABLE", "Enable"


class FocusArea(NormalisedText):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="focus_areas")
    kind = models.CharField(max_length=12, choices=FocusAreaKind.choices)
    statement = models.TextField()
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="focus_area_one_per_kind_in_plan")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.statement}"

    text_fields = ("statement",)


class PriorityActionArea(NormalisedText):
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="priority_action_areas")
    title = models.CharField(max_length=300)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["focus_area", "order"]
        constraints = [models.UniqueConstraint(fields=["focus_area", "title"], name="priority_action_area_unique_in_focus_area")]

    def __str__(self) -> str:
        return self.title

    text_fields = ("title",)


class ActivityStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    DESCRIPTION_PENDING = "description_pending", "Description yet to be finalised"


class Activity(NormalisedText):
    """A numbered activity of an action plan. ``version`` goes up with every change so that a save
    made from an out-of-date page is refused instead of overwriting someone else's work."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    priority_action_area = models.ForeignKey(PriorityActionArea, on_delete=models.PROTECT, related_name="activities")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    # "All" in the plan's agency columns means every partner agency; it is a fact about the activity,
    # not an agency of its own.
    all_agencies_lead = models.BooleanField(default=False)
    all_agencies_support = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.NOT_STARTED)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="activity_number_unique_in_plan"),
            models.CheckConstraint(condition=Q(number__gte=1), name="activity_number_positive"),
            models.CheckConstraint(condition=Q(version__gte=1), name="activity_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title or 'Activity description yet to be finalised'}"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.plan.scope_unit

    @property
    def lead_agencies(self) -> list[Agency]:
        return [link.agency for link in self.agency_links.all() if link.role == AgencyRole.LEAD]

    @property
    def support_agencies(self) -> list[Agency]:
        return [link.agency for link in self.agency_links.all() if link.role == AgencyRole.SUPPORT]

    text_fields = ("title", "description")
    folded = {"search_text": ("number", "title", "description")}


class SubActivity(NormalisedText):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sub_activities")
    order = models.PositiveIntegerField()
    title = models.TextField()
    note = models.TextField(blank=True, help_text="A footnote the plan attaches to this sub-activity")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["activity", "order"]
        verbose_name_plural = "sub-activities"
        constraints = [models.UniqueConstraint(fields=["activity", "order"], name="sub_activity_order_unique")]

    def __str__(self) -> str:
        return self.title

    text_fields = ("title", "note")
    folded = {"search_text": ("title", "note")}


class AgencyRole(models.TextChoices):
    LEAD = "lead", "Lead"
    SUPPORT = "support", "Support"


class ActivityAgency(models.Model):
    """An agency leading or supporting an activity, in the order the plan lists them."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="agency_links")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="activity_links")
    role = models.CharField(max_length=10, choices=AgencyRole.choices)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["activity", "role", "order"]
        verbose_name_plural = "activity agencies"
        constraints = [models.UniqueConstraint(fields=["activity", "agency"], name="activity_agency_once")]

    def __str__(self) -> str:
        return f"{self.activity.number}: {self.agency} ({self.role})"


class Milestone(NormalisedText):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_date = models.DateField()
    done_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_date:%Y-%m-%d})"

    text_fields = ("title",)

    def is_overdue(self, today) -> bool:
        return self.done_date is None and self.due_date < today


class ProgressUpdate(NormalisedText):
    """One entry of an activity's update log; entries are added, never edited."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="progress_updates")
    date = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ActivityStatus.choices)
    narrative = models.TextField()
    evidence_links = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["activity", "-date", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.activity.number} on {self.date:%Y-%m-%d}: {self.get_status_display()}"

    text_fields = ("narrative",)


# --- District and area plans, co-designed in four steps -----------------------------------------------------------
#
# A district plan is the identity (code, unit, title); its content lives in numbered versions. A version
# that has been agreed is frozen: editing the plan afterwards works on a new draft version copied from it.


class PlanVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    SUPERSEDED = "superseded", "Superseded"


FROZEN_STATUSES = (PlanVersionStatus.AGREED, PlanVersionStatus.ACTIVE, PlanVersionStatus.UNDER_REVIEW, PlanVersionStatus.SUPERSEDED)


class PlanMove(models.TextChoices):
    """The moves of a plan's life: draft → agreed → active → under review, a new draft of a frozen version,
    and throwing a later draft away."""

    AGREE = "agree", "Agree the draft"
    ACTIVATE = "activate", "Make the agreed version active"
    REVIEW = "review", "Start a review"
    DRAFT = "draft", "Open a new draft"
    DISCARD = "discard", "Discard the draft"


# Each move: the statuses of the version it applies to, and the status that version ends in. None: the version
# keeps its status (``draft`` copies it into a new draft version; ``discard`` deletes the draft). The rules in
# rules.py add the conditions on the plan as a whole: a new draft only while there is none, and never
# discarding version 1.
PLAN_VERSION_TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    PlanMove.AGREE: ((PlanVersionStatus.DRAFT,), PlanVersionStatus.AGREED),
    PlanMove.ACTIVATE: ((PlanVersionStatus.AGREED,), PlanVersionStatus.ACTIVE),
    PlanMove.REVIEW: ((PlanVersionStatus.ACTIVE,), PlanVersionStatus.UNDER_REVIEW),
    PlanMove.DRAFT: ((PlanVersionStatus.AGREED, PlanVersionStatus.ACTIVE, PlanVersionStatus.UNDER_REVIEW), None),
    PlanMove.DISCARD: ((PlanVersionStatus.DRAFT,), None),
}


class DistrictPlan(NormalisedText):
    """A district or area plan co-designed by local groups and agencies in the four steps of the framework."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="district_plans")
    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="district_plans")
    is_example = models.BooleanField(default=False, help_text="A worked example to learn from, not a plan anyone works to")
    created_at = models.DateTimeField(default=timezone.now)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-is_example", "scope_unit__path", "code"]

    def __str__(self) -> str:
        return f"{self.title} (example)" if self.is_example else self.title

    text_fields = ("title",)
    folded = {"search_text": ("title",)}


class PlanVersion(models.Model):
    plan = models.ForeignKey(DistrictPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=14, choices=PlanVersionStatus.choices, default=PlanVersionStatus.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="draft"), name="plan_version_one_draft"),
            models.CheckConstraint(condition=Q(status="draft") | Q(agreed_at__isnull=False), name="plan_version_agreed_has_when"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number} ({self.get_status_display().lower()})"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.plan.scope_unit

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES


class _VersionPart(NormalisedText):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField()
    text = models.TextField()
    search_text = models.TextField(editable=False, default="")

    # Named here so code that takes either step's model (services' PARTS) can reach its manager.
    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.text

    text_fields = ("text",)
    folded = {"search_text": ("text",)}


class PlanFocusArea(_VersionPart):
    """Step 1: an issue the community agreed to focus on."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="focus_areas")


class SuccessCondition(_VersionPart):
    """Step 2: something needed to succeed, once the group understands the environment."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="conditions")


# The questions the framework asks the co-design group in steps 3 and 4, in its words.
PRIORITY_ACTION_QUESTIONS = [
    ("stakeholders", "Who are the stakeholders & who owns the problem?"),
    ("key_actions", "What are the key actions for the community & government?"),
    ("partnership", "What does partnership look like with whānau, hapū, and iwi, and how will Te Arawhiti Guidelines for engagement be used?"),
    ("timeframes", "What are the timeframes needed to develop responses?"),
]
MONITORING_QUESTIONS = [
    ("success", "What does success look like for the region, particularly te ao Māori perspectives on measuring wellbeing?"),
    ("wellbeing_outcomes", "What are the community wellbeing outcomes?"),
    ("balance", "How can we achieve a balance of government and whānau / community measures of success?"),
    ("government_priorities", "How do the outcomes align with government priorities?"),
    ("organisational_goals", "How will organisational goals be aligned?"),
]
QUESTIONS = dict(PRIORITY_ACTION_QUESTIONS + MONITORING_QUESTIONS)


class PlanAnswer(NormalisedText):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=30, choices=[(k, v) for k, v in QUESTIONS.items()])
    text = models.TextField()
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["version", "question"]
        constraints = [models.UniqueConstraint(fields=["version", "question"], name="plan_answer_once_per_question")]

    text_fields = ("text",)
    folded = {"search_text": ("text",)}


class ElementKind(models.TextChoices):
    ACTIVITY = "activity", "Activity"
    OUTPUT = "output", "Output"
    OUTCOME = "outcome", "Outcome"
    IMPACT = "impact", "Impact"


KIND_RANK = {ElementKind.ACTIVITY: 0, ElementKind.OUTPUT: 1, ElementKind.OUTCOME: 2, ElementKind.IMPACT: 3}


class ChainElement(NormalisedText):
    """A box of the plan's logic model. Activities are the plan's priority actions; each leads to outputs,
    outputs to outcomes, outcomes to impacts (an outcome may also lead to a longer-term outcome).
    ``key`` names the box across versions, so two versions can be compared box by box."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="elements")
    key = models.SlugField(max_length=80)
    kind = models.CharField(max_length=10, choices=ElementKind.choices)
    text = models.TextField()
    order = models.PositiveIntegerField()
    owner = models.CharField(max_length=300, blank=True, help_text="For a priority action: who owns the problem")
    timeframe = models.CharField(max_length=300, blank=True, help_text="For a priority action: when the response is developed")
    leads_to = models.ManyToManyField("self", symmetrical=False, related_name="led_from", blank=True)
    activities = models.ManyToManyField(Activity, blank=True, related_name="chain_elements", help_text="Action-plan activities that carry this box out")
    reported_indicator_code = models.SlugField(
        max_length=80, blank=True, help_text="For an output: the indicator of the Measures catalogue its figure is reported under"
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="chain_element_key_unique_in_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.version.plan.scope_unit

    text_fields = ("text", "owner", "timeframe")
    folded = {"search_text": ("text", "owner", "timeframe")}


class MonitoringRow(NormalisedText):
    """Step 4: how one outcome is monitored. The indicator is named by the code the measures capability
    keys its indicators on, so the row finds the indicator's data as soon as that code is defined there."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="monitoring")
    outcome = models.ForeignKey(ChainElement, on_delete=models.CASCADE, related_name="monitoring")
    order = models.PositiveIntegerField()
    indicator_code = models.SlugField(max_length=80, blank=True)
    indicator_name = models.CharField(max_length=300, blank=True)
    baseline = models.CharField(max_length=300, blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    responsible_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="monitoring_rows")
    responsibility = models.CharField(max_length=300, blank=True, help_text="Responsibility as the group wrote it, e.g. NGO / iwi provider")
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="monitoring_row_order_unique")]

    def __str__(self) -> str:
        return f"{self.outcome.text}: {self.indicator_name or self.indicator_code}"

    @property
    def is_complete(self) -> bool:
        """Enough to monitor with: an indicator, where its data comes from, and an organisation responsible."""
        return bool(self.indicator_code and self.indicator_name and self.data_source and self.responsible_agency_id)

    text_fields = ("indicator_name", "baseline", "data_source", "responsibility")
    folded = {"search_text": ("indicator_code", "indicator_name", "baseline", "data_source", "responsibility")}


# --- The action plan in the turn-the-curve action plans of Measures ----------------------------------------------


class CurveAction(models.Model):
    """One action a turn-the-curve action plan (an indicator's curve in a unit) picks: an activity of an action plan
    or a Tasking & Coordination tasking, never both. The free-text action plan stays beside the picks; these let the
    curve show each action's status and the activity show the curves it is meant to turn."""

    indicator = models.ForeignKey("measures.Indicator", on_delete=models.CASCADE, related_name="curve_actions")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="curve_actions")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="curve_actions")
    tasking = models.ForeignKey("tasking.Tasking", null=True, blank=True, on_delete=models.CASCADE, related_name="curve_actions")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "unit", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(activity__isnull=False) & Q(tasking__isnull=True)) | (Q(activity__isnull=True) & Q(tasking__isnull=False)),
                name="curve_action_one_action",
            ),
            models.UniqueConstraint(fields=["indicator", "unit", "activity"], name="curve_action_activity_once", condition=Q(activity__isnull=False)),
            models.UniqueConstraint(fields=["indicator", "unit", "tasking"], name="curve_action_tasking_once", condition=Q(tasking__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id}: {self.activity or self.tasking}"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit


# --- Barrier escalation (action 12) and the initiative stocktake (action 15) ------------------------------------


class BarrierSeverity(models.IntegerChoices):
    LOW = 1, "Low"
    MODERATE = 2, "Moderate"
    HIGH = 3, "High"
    SEVERE = 4, "Severe"


class BarrierStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    ESCALATED = "escalated", "Escalated to the centre"
    RESPONDED = "responded", "Centre has responded"
    CLOSED = "closed", "Closed"


class BarrierMove(models.TextChoices):
    ESCALATE = "escalate", "Escalate to the centre"
    RESPOND = "respond", "Record the centre's response"
    CLOSE = "close", "Close the barrier"


# Each move of a barrier: the statuses it is made from, and the status it leaves the barrier in. The centre may
# revise its response until it closes the barrier, so ``respond`` is also made from ``responded``.
BARRIER_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    BarrierMove.ESCALATE: ((BarrierStatus.RAISED,), BarrierStatus.ESCALATED),
    BarrierMove.RESPOND: ((BarrierStatus.ESCALATED, BarrierStatus.RESPONDED), BarrierStatus.RESPONDED),
    BarrierMove.CLOSE: ((BarrierStatus.RESPONDED,), BarrierStatus.CLOSED),
}


class BarrierEscalation(NormalisedText):
    """A barrier a region meets, raised against its plan and escalated to the centre, which responds and closes it."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="barrier_escalations")
    plan = models.ForeignKey(DistrictPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="barrier_escalations")
    framework_barrier = models.ForeignKey(
        SystemicBarrier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
        help_text="The framework's common systemic barrier this is, if it is one of them",
    )
    title = models.CharField(max_length=300)
    description = models.TextField()
    severity = models.PositiveSmallIntegerField(choices=BarrierSeverity.choices)
    status = models.CharField(max_length=10, choices=BarrierStatus.choices, default=BarrierStatus.RAISED)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-severity", "-raised_at"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4), name="barrier_severity_in_range"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(response=""), name="barrier_closed_has_response"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit

    text_fields = ("title", "description", "response")
    folded = {"search_text": ("title", "description", "response")}


class Initiative(NormalisedText):
    """One initiative of the stocktake: who delivers what, where, under which strategic focus area, with what money and evidence."""

    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    provider = models.CharField(max_length=200, help_text="Who delivers it, as they are known")
    provider_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="initiatives")
    focus_area = models.CharField(max_length=12, choices=FocusAreaKind.choices)
    funding_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, help_text="NZ dollars")
    funding_source = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="What shows it works: evaluations, results, reports")
    evidence_links = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["unit__path", "focus_area", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="initiative_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(funding_amount__isnull=True) | Q(funding_amount__gte=0), name="initiative_funding_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit

    text_fields = ("name", "description", "provider", "evidence", "funding_source")
    folded = {"search_text": ("name", "description", "provider", "evidence")}
