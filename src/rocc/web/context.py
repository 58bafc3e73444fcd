"""Template context every page needs: navigation, the user's role and scope."""

from __future__ import annotations

import rocc
from rocc.org.scope import scope_of
from rocc.web.navigation import entries_for


def shell(request) -> dict:
    user = getattr(request, "user", None)
    scope = scope_of(user) if user is not None else None
    return {
        "navigation": entries_for(user, request.path) if user is not None else [],
        "user_role": scope.role if scope else None,
        "ROCC_VERSION": rocc.__version__,
    }
