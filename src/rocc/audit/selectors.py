"""Reading the audit trail, scoped: administrators see every entry, everyone else their own."""

from __future__ import annotations

from django.db.models import QuerySet

from rocc.audit.models import AuditEntry


def audit_entries_for(*, user, kind: str | None = None) -> QuerySet[AuditEntry]:
    if not getattr(user, "is_authenticated", False):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.select_related("actor")
    if not user.has_perm("audit.view_all_entries"):
        entries = entries.filter(actor=user)
    if kind:
        entries = entries.filter(kind=kind)
    return entries
