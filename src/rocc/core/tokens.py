"""Issuing and checking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from rocc.core.models import ApiToken


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user, name: str) -> str:
    """A new token for ``user``; the returned key is shown once and never stored."""
    key = "rocc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_digest(key))
    return key


def token_user(key: str):
    """The active user a token belongs to, or None."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user
