"""API endpoints of notifications, mounted at /api/inbox/: your own notifications, the unread count, marking read,
and your e-mail choice."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from rocc.core.bounds import BoundedInput, BoundedQuery
from rocc.core.errors import error_responses
from rocc.inbox import selectors, services
from rocc.inbox.models import Preference

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    reason: str
    reason_label: str
    title: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxFilter(BoundedQuery):
    unread: bool = False


class UnreadOut(Schema):
    unread: int


class PreferenceIn(BoundedInput):
    bounded_by = (Preference,)
    email: str


class PreferenceOut(Schema):
    email: str


def _out(n) -> NotificationOut:
    return NotificationOut(id=n.pk, reason=n.reason, reason_label=n.get_reason_display(), title=n.title, url=n.url, created_at=n.created_at, read_at=n.read_at)


@router.get("/", response=list[NotificationOut], summary="Your notifications, newest first (the latest 200)")
def notifications(request: HttpRequest, filters: Query[InboxFilter]):
    return [_out(n) for n in selectors.notification_list(user=request.user, unread_only=filters.unread)[:200]]


@router.get("/unread", response=UnreadOut, summary="How many of your notifications are unread")
def unread(request: HttpRequest):
    return UnreadOut(unread=selectors.unread_count(user=request.user))


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **error_responses(403, 404, 422)},
    summary="Mark one of your notifications read (404 for anyone else's)",
)
def read(request: HttpRequest, notification_id: int):
    return _out(services.notification_open(user=request.user, notification=selectors.notification_get(user=request.user, pk=notification_id)))


@router.get("/preference", response=PreferenceOut, summary="How you are told by e-mail: immediate, digest or none")
def preference(request: HttpRequest):
    return PreferenceOut(email=services.preference_of(request.user).email)


@router.put("/preference", response={200: PreferenceOut, **error_responses(403, 422)}, summary="Choose how you are told by e-mail: immediate, digest or none")
def preference_set(request: HttpRequest, payload: PreferenceIn):
    return PreferenceOut(email=services.preference_set(user=request.user, email=payload.email).email)
