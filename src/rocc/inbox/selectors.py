"""Every read of notifications: a person reads only their own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from rocc.inbox.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    found = Notification.objects.filter(recipient=user)
    return found.filter(read_at__isnull=True) if unread_only else found


def notification_get(*, user, pk: int) -> Notification:
    """One of the user's own notifications; 404 for anyone else's (whether it exists is not said)."""
    found = notification_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such notification")
    return found


def unread_count(*, user) -> int:
    return notification_list(user=user, unread_only=True).count()
