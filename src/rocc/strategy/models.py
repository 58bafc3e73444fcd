"""Frameworks (mandate, goal, principles, objectives, barriers, measures, outcomes) and annual action plans
(focus areas → priority action areas → activities with agencies, milestones and progress updates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rocc.core.text import fold, nfc
from rocc.org.models import Agency, OrgUnit


class Framework(models.Model):
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

    def save(self, *args, **kwargs):
        self.name, self.mandate, self.goal = nfc(self.name), nfc(self.mandate), nfc(self.goal)
        self.linked_strategies = [nfc(s) for s in self.linked_strategies]
        super().save(*args, **kwargs)


class _FrameworkPart(models.Model):
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

    def save(self, *args, **kwargs):
        self.name, self.description = nfc(self.name), nfc(self.description)
        super().save(*args, **kwargs)


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

    def save(self, *args, **kwargs):
        self.statement = nfc(self.statement)
        super().save(*args, **kwargs)


class _Statement(_FrameworkPart):
    text = models.TextField()

    class Meta(_FrameworkPart.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.text = nfc(self.text)
        super().save(*args, **kwargs)


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


class ActionPlan(models.Model):
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

    def save(self, *args, **kwargs):
        self.title = nfc(self.title)
        super().save(*args, **kwargs)


class FocusAreaKind(models.TextChoices):
    SUPPLY = "SUPPLY", "Supply"
    DEMAND = "DEMAND", "Demand"
    RESILIENCE = "RESILIENCE", "Resilience"
    ENABLE = "ENABLE", "Enable"


class FocusArea(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="focus_areas")
    kind = models.CharField(max_length=12, choices=FocusAreaKind.choices)
    statement = models.TextField()
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="focus_area_one_per_kind_in_plan")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.statement}"

    def save(self, *args, **kwargs):
        self.statement = nfc(self.statement)
        super().save(*args, **kwargs)


class PriorityActionArea(models.Model):
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="priority_action_areas")
    title = models.CharField(max_length=300)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["focus_area", "order"]
        constraints = [models.UniqueConstraint(fields=["focus_area", "title"], name="priority_action_area_unique_in_focus_area")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title = nfc(self.title)
        super().save(*args, **kwargs)


class ActivityStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    DESCRIPTION_PENDING = "description_pending", "Description yet to be finalised"


class Activity(models.Model):
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

    def save(self, *args, **kwargs):
        self.title, self.description = nfc(self.title), nfc(self.description)
        self.search_text = fold(f"{self.number} {self.title} {self.description}")
        super().save(*args, **kwargs)


class SubActivity(models.Model):
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

    def save(self, *args, **kwargs):
        self.title, self.note = nfc(self.title), nfc(self.note)
        self.search_text = fold(f"{self.title} {self.note}")
        super().save(*args, **kwargs)


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


class Milestone(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_date = models.DateField()
    done_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_date:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        self.title = nfc(self.title)
        super().save(*args, **kwargs)

    def is_overdue(self, today) -> bool:
        return self.done_date is None and self.due_date < today


class ProgressUpdate(models.Model):
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

    def save(self, *args, **kwargs):
        self.narrative = nfc(self.narrative)
        super().save(*args, **kwargs)
