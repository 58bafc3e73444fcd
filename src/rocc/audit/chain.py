"""Appending to the audit chain and verifying it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from rocc.audit.models import GENESIS_HASH, AuditEntry, AuditHead

HASHED_FIELDS = ("at", "kind", "actor_name", "object_type", "object_id", "object_repr", "purpose", "details")


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def entry_hash(prev_hash: str, values: dict[str, Any]) -> str:
    body = {name: _canonical(values[name]) for name in HASHED_FIELDS}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def _lock_chain() -> None:
    # SQLite transactions here are IMMEDIATE, so writers are already serialised; PostgreSQL needs a lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7406315)")


def append(
    *,
    kind: str,
    actor=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    purpose: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Add one entry at the end of the chain, in the caller's transaction if there is one."""
    with transaction.atomic():
        _lock_chain()
        head, _ = AuditHead.objects.get_or_create(id=1)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        now = timezone.now()
        values = {
            # Millisecond precision: what every database and Django's JSON serialisation (backups) keep exactly.
            "at": now.replace(microsecond=now.microsecond // 1000 * 1000),
            "kind": kind,
            "actor_name": actor_obj.get_username() if actor_obj else "",
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": str(object_repr)[:300],
            "purpose": purpose,
            # A JSON round trip now, so the stored details hash the same when read back.
            "details": json.loads(json.dumps(details or {}, default=str)),
        }
        entry = AuditEntry(actor=actor_obj, prev_hash=head.last_hash, hash=entry_hash(head.last_hash, values), **values)
        entry.save()
        AuditHead.objects.filter(id=1).update(last_id=entry.id, last_hash=entry.hash, count=head.count + 1)
        return entry


@dataclass
class Verification:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def verify(*, checkpoint: tuple[int, str] | None = None) -> Verification:
    """Walk the chain from the start: every entry must hash to its stored hash and link to the one before.

    A ``checkpoint`` (entry id and hash noted elsewhere earlier) proves that the chain still holds it.
    """
    problems: list[str] = []
    previous_hash = GENESIS_HASH
    previous_id = 0
    checked = 0
    seen_checkpoint = checkpoint is None
    rows = AuditEntry.objects.order_by("id").values("id", "prev_hash", "hash", *HASHED_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        checked += 1
        if row["prev_hash"] != previous_hash:
            problems.append(f"entry #{row['id']}: does not follow entry #{previous_id} — an entry between them was removed or changed")
        if entry_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(f"entry #{row['id']}: its content no longer matches its hash — it was changed")
        if checkpoint and row["id"] == checkpoint[0]:
            seen_checkpoint = True
            if row["hash"] != checkpoint[1]:
                problems.append(f"entry #{row['id']}: its hash differs from the checkpoint")
        previous_hash, previous_id = row["hash"], row["id"]
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and checked:
        if head.count != checked or head.last_hash != previous_hash:
            problems.append(
                f"the chain ends at entry #{previous_id} after {checked} entries, but the head records "
                f"{head.count} entries ending at #{head.last_id} — entries were removed from the end"
            )
    elif head is not None and head.count and not checked:
        problems.append(f"the head records {head.count} entries but the chain is empty — entries were removed")
    if not seen_checkpoint:
        problems.append(f"the checkpoint entry #{checkpoint[0]} is no longer in the chain")
    return Verification(ok=not problems, checked=checked, problems=problems)
