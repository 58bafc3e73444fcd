"""Notifications: what rocc tells a person (a reason, a short title and a link to the page), and how each person
wants to hear by e-mail (at once, in a daily digest, or not at all).

A notification never carries person-level data: its title names a record (a return, a tasking, a case) by its
reference and unit only, and its link leads to the page, where the reader's scope and the audit trail apply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rocc.core.text import nfc


class Reason(models.TextChoices):
    RETURN_DUE_SOON = "return_due_soon", "Return due soon"
    RETURN_OVERDUE = "return_overdue", "Return overdue"
    RETURN_SUBMITTED = "return_submitted", "Return submitted for approval"
    RETURN_RETURNED = "return_returned", "Return returned for revision"
    RETURN_APPROVED = "return_approved", "Return approved"
    TASKING_ASSIGNED = "tasking_assigned", "Tasking assigned"
    TASKING_DUE_SOON = "tasking_due_soon", "Tasking due soon"
    TASKING_OVERDUE = "tasking_overdue", "Tasking overdue"
    TASKING_COMPLETED = "tasking_completed", "Tasking completed"
    BARRIER_ESCALATED = "barrier_escalated", "Barrier escalated"
    BARRIER_ANSWERED = "barrier_answered", "Barrier answered"
    ALERT_RAISED = "alert_raised", "Deconfliction alert raised"
    ALERT_ACKNOWLEDGED = "alert_acknowledged", "Deconfliction alert acknowledged"
    CASE_REVIEW_DUE = "case_review_due", "Case review due"
    IMPORT_FINISHED = "import_finished", "Import finished"
    IMPORT_FAILED = "import_failed", "Import failed"
    REFERRAL = "referral", "Referral"
    INDICATOR_OFF_TRACK = "indicator_off_track", "Indicator newly off track"
    OTHER = "other", "Notice"


class Notification(models.Model):
    """One thing one person is told. ``key`` names the item and the reason for reminders the schedule raises
    (``tasking:12:overdue``), so each is raised once however often the schedule runs."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, help_text="The page inside rocc the notification leads to (a path, never another site)")
    key = models.CharField(max_length=120, blank=True, help_text="Item and reason of a reminder: raised once per recipient")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When it left by e-mail, at once or in a digest")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~Q(key=""), name="notification_once_per_key"),
            models.CheckConstraint(condition=Q(url__startswith="/"), name="notification_url_inside_rocc"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def save(self, *args, **kwargs):
        self.title = nfc(self.title)
        super().save(*args, **kwargs)


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", "Each notification as it happens"
    DIGEST = "digest", "One daily digest"
    NONE = "none", "No e-mail (the inbox only)"


class Preference(models.Model):
    """How one person hears by e-mail; ``digest_sent_on`` makes the daily digest leave once a day."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference")
    email = models.CharField(max_length=10, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE)
    digest_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"
