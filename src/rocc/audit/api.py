"""API endpoints for the audit trail: entries you may see, and verification for administrators."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from rocc.audit import chain
from rocc.audit.selectors import audit_entries_for

router = Router(tags=["audit"])


class EntryOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    actor_name: str
    object_type: str
    object_id: str
    object_repr: str
    purpose: str
    details: dict
    hash: str


class VerificationOut(Schema):
    ok: bool
    checked: int
    problems: list[str]


@router.get("/entries", response=list[EntryOut], summary="Audit entries (administrators: all; others: their own)")
@paginate
def entries(request: HttpRequest, kind: str = ""):
    return audit_entries_for(user=request.user, kind=kind or None)


@router.get("/verify", response=VerificationOut, summary="Recompute the hash chain")
def verify(request: HttpRequest):
    if not request.user.has_perm("audit.verify_chain"):
        raise HttpError(403, "Only administrators verify the audit trail.")
    return chain.verify()
