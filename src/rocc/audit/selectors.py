"""Reading the audit trail, scoped: administrators see every entry, everyone else their own."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from rocc.audit.models import AuditEntry, AuditKind


def audit_entries_for(*, user, kind: str | None = None) -> QuerySet[AuditEntry]:
    if not getattr(user, "is_authenticated", False):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.select_related("actor")
    if not user.has_perm("audit.view_all_entries"):
        entries = entries.filter(actor=user)
    if kind:
        entries = entries.filter(kind=kind)
    return entries


def person_looks_recent(*, user, days: int = 30) -> QuerySet[AuditEntry]:
    """The user's own looks at person-level data over the last ``days`` days, newest first (their work queue's
    reminder of what they looked at and why)."""

    if not getattr(user, "is_authenticated", False):
        return AuditEntry.objects.none()
    since = timezone.now() - dt.timedelta(days=days)
    return AuditEntry.objects.filter(actor=user, kind=AuditKind.PERSON_ACCESS, at__gte=since).order_by("-at", "-pk")
