"""Audit entries: append-only, each carrying a SHA-256 hash chained to the entry before it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditKind(models.TextChoices):
    CHANGE = "change", "Change to a record"
    PERSON_ACCESS = "person_access", "Look at person-level data"
    AUTH = "auth", "Sign-in event"
    SYSTEM = "system", "System operation"


GENESIS_HASH = "0" * 64


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One audited event. ``prev_hash`` is unique, so the chain can never fork; ``hash`` covers every field."""

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=AuditKind.choices, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept even if the user is later removed")
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    object_repr = models.CharField(max_length=300, blank=True)
    purpose = models.TextField(blank=True, help_text="The stated purpose, required for looks at person-level data")
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="person_access") | ~models.Q(purpose=""),
                name="auditentry_person_access_has_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.get_kind_display()}: {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditHead(models.Model):
    """The chain's newest hash and length, written in the same transaction as each entry, so that
    removing entries from the end of the chain is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)
