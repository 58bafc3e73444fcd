"""Template context every page needs: navigation, the user's role and scope, and how many notifications are unread."""

from __future__ import annotations

import rocc
from rocc.inbox.selectors import unread_count
from rocc.org.scope import scope_of
from rocc.web.navigation import entries_for


def shell(request) -> dict:
    user = getattr(request, "user", None)
    scope = scope_of(user) if user is not None else None
    return {
        "navigation": entries_for(user, request.path) if user is not None else [],
        "user_role": scope.role if scope else None,
        "unread_notifications": unread_count(user=user) if getattr(user, "is_authenticated", False) else 0,
        "ROCC_VERSION": rocc.__version__,
    }
