"""PANDA problem-solving cases: the question bank, cases with their scanning facts, answers with evidence,
stage moves, the nominated strategy, deployment, and the assessment of outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rocc.core.models import NormalisedText
from rocc.org.models import Agency, OrgUnit


class Stage(models.TextChoices):
    """The five stages of PANDA, in order."""

    SCAN = "scan", "Problem scan"
    ANALYSE = "analyse", "Analyse"
    NOMINATE = "nominate", "Nominate a strategy"
    DEPLOY = "deploy", "Deploy"
    ASSESS = "assess", "Assess"


STAGE_ORDER: list[str] = [s.value for s in Stage]


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed (assessed)"


class QuestionBank(models.Model):
    """One version of the guiding questions. Cases keep the version they were opened under, so revising
    the questions never changes what an old case was answered against."""

    version = models.PositiveIntegerField(unique=True)
    note = models.CharField(max_length=300, blank=True, help_text="What changed in this version")
    is_current = models.BooleanField(default=False)
    purposes = models.JSONField(default=dict, blank=True, help_text="Stage → what the stage is for, shown above its questions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_question_bank")]

    def __str__(self) -> str:
        return f"Question bank v{self.version}"


class Fact(models.TextChoices):
    """Structured fields of a case that answer a question: the question counts as answered when they are set."""

    HARM_OR_VOLUME = "harm_or_volume", "High harm or high volume"
    PROBLEM_TYPE = "problem_type", "Crime, harm or crash type"
    COMMUNITIES_AGREE = "communities_agree", "Whether communities and iwi agree"
    TIME_PATTERN = "time_pattern", "Long-term, seasonal, cyclical, flare-up or spike"
    OBJECTIVES = "objectives", "Objectives (police and community perspectives)"
    SUCCESS_LOOKS_LIKE = "success_looks_like", "What success looks like"
    LEAD_MEASURES = "lead_measures", "Lead measures and who monitors them"
    CULTURAL_IMPACT = "cultural_impact", "Cultural impact"
    MILESTONES = "milestones", "Milestones"
    RESOURCES = "resources", "Resources"
    REVIEW_CYCLE = "review_cycle", "Review cycle"
    COMMUNITY_IMPACT = "community_impact", "Unintended or disproportionate impact on communities"
    LESSONS_LEARNED = "lessons_learned", "Lessons learned"
    USABLE_ELSEWHERE = "usable_elsewhere", "Whether it can be used elsewhere"


class Question(NormalisedText):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    order = models.PositiveIntegerField()
    text = models.TextField()
    required = models.BooleanField(default=True)
    fact = models.CharField(max_length=20, choices=Fact.choices, blank=True, help_text="Answered by this field of the case")
    help_text = models.TextField(blank=True)

    class Meta:
        ordering = ["bank", "order"]
        constraints = [models.UniqueConstraint(fields=["bank", "stage", "order"], name="question_order_unique_in_stage")]

    def __str__(self) -> str:
        return self.text

    text_fields = ("text", "help_text")


class HarmOrVolume(models.TextChoices):
    HIGH_HARM = "high_harm", "High harm"
    HIGH_VOLUME = "high_volume", "High volume"
    BOTH = "both", "High harm and high volume"


class ProblemKind(models.TextChoices):
    CRIME = "crime", "Crime"
    HARM = "harm", "Harm"
    CRASH = "crash", "Crash"


class TimePattern(models.TextChoices):
    LONG_TERM = "long_term", "Long-term"
    SEASONAL = "seasonal", "Seasonal"
    CYCLICAL = "cyclical", "Cyclical"
    FLARE_UP = "flare_up", "Short-term flare-up"
    SPIKE = "spike", "Spike"


class Agreement(models.TextChoices):
    UNKNOWN = "unknown", "Not yet known"
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class ReviewCycle(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


REVIEW_CYCLE_DAYS = {ReviewCycle.WEEKLY: 7, ReviewCycle.FORTNIGHTLY: 14, ReviewCycle.MONTHLY: 30}


class Case(models.Model):
    """A problem run through Problem scan → Analyse → Nominate a strategy → Deploy → Assess."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="problem_cases")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="problem_cases")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.SCAN)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every change; a stale version is refused")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    question_bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="cases")
    source_report = models.ForeignKey(
        "tasking.InsightsReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_opened",
        help_text="The OCCC insights report it was opened from",
    )
    source_product = models.ForeignKey(
        "tasking.InsightsProduct",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_opened",
        help_text="The insights product it was opened from",
    )
    # Scanning facts
    harm_or_volume = models.CharField(max_length=12, choices=HarmOrVolume.choices, blank=True)
    problem_kind = models.CharField(max_length=8, choices=ProblemKind.choices, blank=True)
    problem_type = models.CharField(max_length=200, blank=True, help_text="The crime, harm or crash type, in words")
    time_pattern = models.CharField(max_length=10, choices=TimePattern.choices, blank=True)
    communities_agree_problem = models.CharField(max_length=8, choices=Agreement.choices, default=Agreement.UNKNOWN)
    communities_agree_drivers = models.CharField(max_length=8, choices=Agreement.choices, default=Agreement.UNKNOWN)
    # Partners
    partner_agencies = models.ManyToManyField(Agency, blank=True, related_name="problem_cases")
    partner_others = models.TextField(blank=True, help_text="Iwi, hapū and community groups, one per line")
    # Nominate
    objective_police = models.TextField(blank=True)
    objective_community = models.TextField(blank=True)
    success_looks_like = models.TextField(blank=True)
    cultural_impact = models.TextField(blank=True)
    # Deploy
    review_cycle = models.CharField(max_length=12, choices=ReviewCycle.choices, blank=True)
    deployed_on = models.DateField(null=True, blank=True, help_text="When the case entered Deploy: reviews are due from here")
    resources = models.TextField(blank=True)
    # Assess
    comparison_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="problem_case_comparisons")
    community_impact = models.TextField(blank=True, help_text="Unintended or disproportionate impact on communities")
    lessons_learned = models.TextField(blank=True)
    usable_elsewhere = models.BooleanField(null=True, blank=True)
    usable_elsewhere_note = models.TextField(blank=True)
    what_worked = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False, help_text="Folded copy for macron-insensitive search")

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=STAGE_ORDER), name="case_stage_valid"),
            models.CheckConstraint(condition=Q(status="open") | Q(status="closed", stage="assess"), name="case_closed_only_after_assess"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)


class Answer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__order"]
        constraints = [models.UniqueConstraint(fields=["case", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.case}: {self.question}"


class EvidenceKind(models.TextChoices):
    ANALYSIS = "analysis", "Saved analysis"
    INDICATOR = "indicator", "Indicator"
    DOCUMENT = "document", "Document"
    ENGAGEMENT = "engagement", "Community engagement"


class Evidence(models.Model):
    """Evidence behind one answer: a saved analysis, an indicator, a document or a community engagement record.
    Evidence a case inherited from the product or report it was opened from belongs to the case and to no answer
    until someone cites it under a question."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    carried_from = models.CharField(max_length=40, blank=True, help_text="The reference of the product or report it came with (IP-…, IR-…)")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    analysis = models.ForeignKey("analyses.SavedAnalysis", null=True, blank=True, on_delete=models.PROTECT, related_name="problem_evidence")
    indicator_code = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    file_path = models.CharField(max_length=300, blank=True, help_text="Relative to the data directory")
    engaged_who = models.CharField(max_length=300, blank=True)
    engaged_how = models.CharField(max_length=200, blank=True)
    engaged_said = models.TextField(blank=True)
    engaged_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="analysis", analysis__isnull=False)
                    | (Q(kind="indicator") & ~Q(indicator_code=""))
                    | (Q(kind="document") & ~Q(title="") & (~Q(url="") | ~Q(file_path="")))
                    | (Q(kind="engagement") & ~Q(engaged_who="") & Q(engaged_on__isnull=False))
                ),
                name="evidence_complete_for_kind",
            ),
            models.CheckConstraint(condition=Q(answer__isnull=False) | Q(kind="analysis"), name="evidence_without_answer_is_analysis"),
        ]


class StageMove(models.Model):
    """One entry in a case's history: opened, advanced, sent back (with a reason) or closed."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ADVANCED = "advanced", "Advanced"
        BACK = "back", "Went back"
        CLOSED = "closed", "Closed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=10, choices=Stage.choices)
    reason = models.TextField(blank=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["moved_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(kind="back") | ~Q(reason=""), name="going_back_needs_a_reason")]


# The moves a case may make from each (status, stage), with the stage each leads to: on one stage, back one stage
# (with a reason), or — from Assess — closed as assessed. A closed case makes no more moves. Moving on or closing
# also needs the stage's gate open (nothing missing). Services enforce this table; pages offer only what it allows
# (``rules.may_advance_case``, ``rules.may_send_case_back``).
CASE_MOVES: dict[tuple[str, str], dict[str, str]] = {
    (CaseStatus.OPEN, Stage.SCAN): {StageMove.Kind.ADVANCED: Stage.ANALYSE},
    (CaseStatus.OPEN, Stage.ANALYSE): {StageMove.Kind.ADVANCED: Stage.NOMINATE, StageMove.Kind.BACK: Stage.SCAN},
    (CaseStatus.OPEN, Stage.NOMINATE): {StageMove.Kind.ADVANCED: Stage.DEPLOY, StageMove.Kind.BACK: Stage.ANALYSE},
    (CaseStatus.OPEN, Stage.DEPLOY): {StageMove.Kind.ADVANCED: Stage.ASSESS, StageMove.Kind.BACK: Stage.NOMINATE},
    (CaseStatus.OPEN, Stage.ASSESS): {StageMove.Kind.CLOSED: Stage.ASSESS, StageMove.Kind.BACK: Stage.DEPLOY},
}
FORWARD_MOVES = (StageMove.Kind.ADVANCED, StageMove.Kind.CLOSED)


def case_moves(case) -> dict[str, str]:
    """The moves the table allows the case now (none once it is closed), each with the stage it leads to."""
    return CASE_MOVES.get((case.status, case.stage), {})


class VipersComponent(models.TextChoices):
    VICTIMS = "victims", "Victims"
    INTELLIGENCE = "intelligence", "Intelligence"
    PREVENTION = "prevention", "Prevention"
    ENFORCEMENT = "enforcement", "Enforcement"
    REASSURANCE = "reassurance", "Reassurance"
    SUPPORT = "support", "Support"


class StrategyComponent(models.Model):
    """What the nominated strategy does under one VIPERS heading."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="strategy_components")
    component = models.CharField(max_length=12, choices=VipersComponent.choices)
    description = models.TextField()

    class Meta:
        ordering = ["case", "component"]
        constraints = [models.UniqueConstraint(fields=["case", "component"], name="one_entry_per_vipers_component")]


class LeadMeasure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lead_measures")
    description = models.CharField(max_length=300)
    indicator_code = models.CharField(max_length=80, blank=True)
    monitored_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]


class Milestone(models.Model):
    """A Deploy milestone. Raised as a T&C tasking it is that tasking: done when the tasking is completed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=300)
    responsible = models.CharField(max_length=200)
    due = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    tasking = models.OneToOneField("tasking.Tasking", null=True, blank=True, on_delete=models.SET_NULL, related_name="milestone")

    class Meta:
        ordering = ["due", "pk"]


class Review(models.Model):
    """A deployment review held on the case's cycle; ``change_of_tack`` records a change of approach."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    notes = models.TextField()
    change_of_tack = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "pk"]


class OutcomeMeasure(models.Model):
    """An outcome measure for the Assess stage: before/after in the case's unit and in a comparison area."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcome_measures")
    description = models.CharField(max_length=300)
    indicator_code = models.CharField(max_length=80, blank=True)
    indicator = models.ForeignKey("measures.Indicator", null=True, blank=True, on_delete=models.PROTECT, related_name="case_outcome_measures")
    before_from = models.DateField(null=True, blank=True)
    before_to = models.DateField(null=True, blank=True)
    after_from = models.DateField(null=True, blank=True)
    after_to = models.DateField(null=True, blank=True)
    sources = models.JSONField(
        default=dict, blank=True, help_text="Where each figure came from: {figure: {source: series|events|entered, filled: value, note: …}}"
    )
    override_reason = models.TextField(blank=True, help_text="Why figures filled from the measures were changed")
    before_target = models.FloatField(help_text="Count in the target area before")
    after_target = models.FloatField(help_text="Count in the target area after")
    before_comparison = models.FloatField(null=True, blank=True)
    after_comparison = models.FloatField(null=True, blank=True)
    before_buffer = models.FloatField(null=True, blank=True, help_text="Count in the surrounding (buffer) area before")
    after_buffer = models.FloatField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="The computed comparison and displacement")

    class Meta:
        ordering = ["pk"]


class CommunityImpactFigure(NormalisedText):
    """A before/after figure for one community, for the question on unintended or disproportionate impact."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="community_figures")
    community = models.CharField(max_length=120, help_text="e.g. Māori, Pacific peoples, a suburb, an age group")
    measure = models.CharField(max_length=200, help_text="What was counted, e.g. apprehensions, stop and searches")
    before = models.FloatField()
    after = models.FloatField()
    population = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The community's population in the unit, when known: figures become rates per 10,000"
    )

    class Meta:
        ordering = ["measure", "community", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "measure", "community"], name="one_figure_per_community_and_measure"),
            models.CheckConstraint(condition=Q(before__gte=0) & Q(after__gte=0), name="community_figures_not_negative"),
        ]

    text_fields = ("community", "measure")
