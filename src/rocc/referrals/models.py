"""The services directory (what each provider offers, for whom, where, and its capacity) and referrals of people and
whānau to those services: the lawful basis, the provider's response and outcome, each step of its life, and the counts
left behind when a referral's retention period ends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rocc.org.models import Agency, OrgUnit


class Capacity(models.TextChoices):
    OPEN = "open", "Open: taking referrals"
    WAITING = "waiting", "Waiting list"
    CLOSED = "closed", "Closed to new referrals"


class Service(models.Model):
    """One service a provider (iwi, NGO, PHO, government agency) offers, kept by the provider itself."""

    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    offers = models.TextField(help_text="What the service offers, in plain words")
    eligibility = models.TextField(blank=True, help_text="Who the service is for")
    how_to_refer = models.TextField(blank=True, help_text="What the provider needs to receive a referral well")
    units_served = models.ManyToManyField(OrgUnit, related_name="services", help_text="Districts or areas the service works in")
    capacity = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.OPEN)
    capacity_note = models.CharField(max_length=300, blank=True, help_text="For a waiting list: how long, roughly")
    response_days = models.PositiveSmallIntegerField(default=5, help_text="Days within which the provider answers a referral")
    indicator_code = models.SlugField(max_length=60, blank=True, help_text="Monitoring-framework indicator the referrals made to this service count towards")
    is_active = models.BooleanField(default=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_name_unique_per_provider"),
            models.CheckConstraint(condition=Q(response_days__gte=1), name="service_response_days_positive"),
        ]
        indexes = [models.Index(fields=["is_active", "capacity"], name="service_active_capacity_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    @property
    def scope_agency(self) -> Agency:
        return self.provider


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon (within days)"
    URGENT = "urgent", "Urgent (today)"


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent given"
    OTHER = "other", "Another recorded basis"


class ContactRoute(models.TextChoices):
    PHONE = "phone", "Phone the person"
    EMAIL = "email", "E-mail the person"
    VISIT = "visit", "Visit (address given)"
    THROUGH_REFERRER = "through_referrer", "Through the referrer"
    OTHER = "other", "Another way (described)"


class Source(models.TextChoices):
    DIRECT = "direct", "Raised directly"
    VICTIM_FOCUS = "victim_focus", "Victim Focus intervention plan"
    PROBLEM_CASE = "problem_case", "PANDA case, Deploy stage"
    TASKING = "tasking", "Tasking"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent, awaiting the provider"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CONTACTED = "contacted", "In contact"
    ENGAGED = "engaged", "Engaged with the service"
    OUTCOME = "outcome", "Outcome recorded"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Consent withdrawn"


class Move(models.TextChoices):
    ACCEPT = "accept", "Accept"
    DECLINE = "decline", "Decline"
    CONTACT = "contact", "Record contact"
    ENGAGE = "engage", "Record engagement"
    OUTCOME = "outcome", "Record the outcome"
    CLOSE = "close", "Close"
    WITHDRAW_CONSENT = "withdraw_consent", "Record that consent was withdrawn"


# The life of a referral: from each status, the moves allowed and where each leads. Withdrawal of consent is allowed
# from every status but its own (a closed referral still stops being shared), and only under a consent basis (the
# service checks that). Contact may be recorded again while in contact (a second attempt) without changing status.
REFERRAL_MOVES: dict[str, dict[str, str]] = {
    ReferralStatus.SENT: {Move.ACCEPT: ReferralStatus.ACCEPTED, Move.DECLINE: ReferralStatus.DECLINED, Move.CLOSE: ReferralStatus.CLOSED},
    ReferralStatus.ACCEPTED: {Move.CONTACT: ReferralStatus.CONTACTED, Move.DECLINE: ReferralStatus.DECLINED, Move.CLOSE: ReferralStatus.CLOSED},
    ReferralStatus.CONTACTED: {Move.CONTACT: ReferralStatus.CONTACTED, Move.ENGAGE: ReferralStatus.ENGAGED, Move.CLOSE: ReferralStatus.CLOSED},
    ReferralStatus.ENGAGED: {Move.OUTCOME: ReferralStatus.OUTCOME, Move.CLOSE: ReferralStatus.CLOSED},
    ReferralStatus.OUTCOME: {Move.CLOSE: ReferralStatus.CLOSED},
    ReferralStatus.DECLINED: {},
    ReferralStatus.CLOSED: {},
    ReferralStatus.WITHDRAWN: {},
}
for _status, _moves in REFERRAL_MOVES.items():
    if _status != ReferralStatus.WITHDRAWN:
        _moves[Move.WITHDRAW_CONSENT] = ReferralStatus.WITHDRAWN

# Statuses in which the provider still owes a first answer (accept or decline).
AWAITING_RESPONSE = (ReferralStatus.SENT,)
# Moves the receiving provider makes; the referrer's side makes none of these (it may close or record a withdrawal).
PROVIDER_MOVES = (Move.ACCEPT, Move.DECLINE, Move.CONTACT, Move.ENGAGE, Move.OUTCOME)


# What each move asks for besides the referral's version (the service refuses a move without what it needs).
MOVE_INPUTS: dict[str, tuple[str, ...]] = {
    Move.ACCEPT: ("note",),
    Move.DECLINE: ("decline_reason", "note"),
    Move.CONTACT: ("note",),
    Move.ENGAGE: ("note",),
    Move.OUTCOME: ("outcome", "note"),
    Move.CLOSE: ("note",),
    Move.WITHDRAW_CONSENT: ("note",),
}


def referral_moves(status: str) -> dict[str, str]:
    return REFERRAL_MOVES.get(status, {})


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No capacity"
    NOT_ELIGIBLE = "not_eligible", "Not eligible for the service"
    PERSON_DECLINED = "person_declined", "The person declined"
    CANNOT_CONTACT = "cannot_contact", "Could not make contact"
    OTHER = "other", "Another reason (described)"


class Outcome(models.TextChoices):
    COMPLETED = "completed", "Completed the service"
    PARTLY = "partly", "Partly completed"
    NOT_COMPLETED = "not_completed", "Did not complete"


class Referral(models.Model):
    """A person or whānau referred to a service. The identifying details (name, contact) are for the referrer's side
    and the receiving provider only; the person is linked to the event store by the keyed pseudonym, never in clear."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_received")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="referrals", help_text="Where the person lives or is helped")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    referrer_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made")
    made_at = models.DateTimeField(default=timezone.now)
    response_due = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    # Why, for whom
    is_whanau = models.BooleanField(default=False, help_text="A whānau rather than one person")
    reason = models.TextField()
    needs = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    # Identifying details (referrer's side and receiving provider only)
    person_name = models.CharField(max_length=200, blank=True)
    contact_route = models.CharField(max_length=20, choices=ContactRoute.choices)
    contact_details = models.CharField(max_length=300, blank=True)
    person_key = models.CharField(max_length=32, blank=True, db_index=True, help_text="The event store's keyed pseudonym of the person")
    # Lawful basis
    lawful_basis = models.CharField(max_length=10, choices=LawfulBasis.choices)
    consent_given_by = models.CharField(max_length=200, blank=True)
    consent_given_at = models.DateField(null=True, blank=True)
    consent_for = models.CharField(max_length=300, blank=True, help_text="What the consent covers")
    other_basis = models.TextField(blank=True, help_text="The basis for sharing without consent, as recorded")
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Where it was raised
    source = models.CharField(max_length=14, choices=Source.choices, default=Source.DIRECT)
    source_id = models.CharField(max_length=40, blank=True)
    # The provider's side
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=16, choices=DeclineReason.choices, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    engaged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-made_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent") | (~Q(consent_given_by="") & Q(consent_given_at__isnull=False) & ~Q(consent_for="")),
                name="referral_consent_recorded",
            ),
            models.CheckConstraint(condition=~Q(lawful_basis="other") | ~Q(other_basis=""), name="referral_other_basis_recorded"),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""), name="referral_decline_has_reason"),
            models.CheckConstraint(condition=~Q(status="outcome") | ~Q(outcome=""), name="referral_outcome_recorded"),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "made_at"], name="referral_provider_queue_idx"),
            models.Index(fields=["provider", "made_at"], name="referral_provider_recent_idx"),
            models.Index(fields=["unit", "made_at"], name="referral_unit_month_idx"),
            models.Index(fields=["status", "response_due"], name="referral_overdue_idx"),
            models.Index(fields=["provider", "status", "response_due"], name="referral_provider_overdue_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else "R-new"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit

    @property
    def scope_agency(self) -> Agency:
        return self.provider

    def is_overdue(self, now=None) -> bool:
        return self.status in AWAITING_RESPONSE and self.response_due < (now or timezone.now())


class Step(models.Model):
    """One step in a referral's life, with who took it and a note (the history both sides read)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    move = models.CharField(max_length=20, choices=[("made", "Referral made"), *Move.choices])
    status_after = models.CharField(max_length=12, choices=ReferralStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ReferralTally(models.Model):
    """The counts an expired referral leaves behind once its retention period ends and it is deleted: per service,
    unit and month made, exactly the figures the referral indicators count."""

    service = models.ForeignKey(Service, null=True, on_delete=models.SET_NULL, related_name="tallies")
    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referral_tallies")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="referral_tallies")
    month = models.DateField(help_text="First day of the month the referrals were made")
    made = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    declined_no_capacity = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    days_to_first_contact = models.PositiveIntegerField(default=0, help_text="Sum over the contacted referrals")
    engaged = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "unit", "month"], name="referraltally_one_per_cell")]

    @property
    def scope_unit(self) -> OrgUnit:
        return self.unit


class BarrierEvidence(models.Model):
    """ "Declined: no capacity" by service and area over a period, attached by a regional coordinator (or the programme
    office) to an escalated barrier such as "Demand for services greater than availability". The counts are kept as
    they were when attached (true counts: each reader sees them through the disclosure gate of each area)."""

    barrier = models.ForeignKey("strategy.BarrierEscalation", on_delete=models.CASCADE, related_name="referral_evidence")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The area chosen, if any")
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    rows = models.JSONField(default=list, help_text="[{service, provider, area, area_code, declined_no_capacity}]")
    note = models.TextField(blank=True)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-attached_at"]
        verbose_name_plural = "barrier evidence"

    @property
    def scope_unit(self) -> OrgUnit:
        return self.barrier.unit
