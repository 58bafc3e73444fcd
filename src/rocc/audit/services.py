"""Writing to the audit trail from the rest of rocc."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import transaction

from rocc.audit import chain
from rocc.audit.models import AuditEntry, AuditKind

T = TypeVar("T")

MIN_PURPOSE_LENGTH = 5


def person_access_record(*, user, subject_type: str, subject_id: str, subject_repr: str = "", purpose: str, what: str) -> AuditEntry:
    """Record that ``user`` looked at person-level data, and why. Refuses a look without a stated purpose."""
    purpose = (purpose or "").strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise ValidationError({"purpose": "State why you need to see this person-level data (at least a few words)."})
    if not getattr(user, "is_authenticated", False):
        raise ValidationError("Only a signed-in user can look at person-level data.")
    return chain.append(
        kind=AuditKind.PERSON_ACCESS,
        actor=user,
        object_type=subject_type,
        object_id=subject_id,
        object_repr=subject_repr or subject_id,
        purpose=purpose,
        details={"what": what},
    )


def system_event_record(*, what: str, actor=None, details: dict | None = None) -> AuditEntry:
    """Record an operation such as a backup, a restore or loading default data."""
    return chain.append(kind=AuditKind.SYSTEM, actor=actor, object_repr=what, details=details or {})


def shipped_content_load(loader: Callable[..., T]) -> Callable[..., T]:
    """Wrap a loader of shipped default content: one transaction, no per-row change history (the content is
    the same on every install and versioned with the code), and one system event naming the loader instead."""

    @functools.wraps(loader)
    def load(*args, **kwargs):

        with transaction.atomic(), disable_auditlog():
            result = loader(*args, **kwargs)
            system_event_record(what=f"shipped content loaded: {loader.__module__}.{loader.__name__}")
        return result

    return load
