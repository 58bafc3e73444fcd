"""What every Tasking & Coordination write shares: the permission check, text as stored (NFC), and the version
check that refuses a save based on a record someone has changed since."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from rocc.core.errors import StaleRecord
from rocc.core.text import nfc


class RecordChanged(StaleRecord):
    """A save based on a version of a report or tasking that someone has changed since."""

    def __init__(self, record, noun: str):
        self.record = record
        super().__init__(
            changed_by=record.changed_by,
            changed_at=record.changed_at,
            message=f"This {noun} changed since you opened it (by {self.who(record.changed_by)} at {self.when(record.changed_at)}); reload to see the changes.",
        )


def require(user, perm: str, obj=None, message: str = "") -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message or "You may not do this here.")


def clean_text(value: str | None) -> str:
    return nfc(value or "")


def lock_current(record, *, version: int, noun: str, related: tuple[str, ...] = ()):
    """The record's row, locked for this transaction; RecordChanged when its version is not ``version``."""
    current = type(record).objects.select_for_update(of=("self",)).select_related("changed_by", *related).get(pk=record.pk)
    if current.version != version:
        raise RecordChanged(current, noun)
    return current


def bump_version(record, actor) -> None:
    record.version += 1
    record.changed_by = actor
    record.changed_at = timezone.now()
