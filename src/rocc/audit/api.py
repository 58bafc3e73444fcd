"""API endpoints for the audit trail: entries you may see, and verification for administrators."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from rocc.audit import chain
from rocc.audit.selectors import audit_entries_for
from rocc.core.errors import error_responses

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


class EntriesPage(LimitOffsetPagination):
    """Pages of at most 1,000 entries; the bounds are in the document, and a page past them is refused (422)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=1_000_000_000)


@router.get("/entries", response=list[EntryOut], summary="Audit entries (administrators: all; others: their own)")
@paginate(EntriesPage)
def entries(request: HttpRequest, kind: str = ""):
    return audit_entries_for(user=request.user, kind=kind or None)


@router.get("/verify", response={200: VerificationOut, **error_responses(403)}, summary="Recompute the hash chain (administrators)")
def verify(request: HttpRequest):
    if not request.user.has_perm("audit.verify_chain"):
        raise HttpError(403, "Only administrators verify the audit trail.")
    return chain.verify()
