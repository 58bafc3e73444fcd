"""The JSON API at /api/: one NinjaAPI, each capability adding its router; OpenAPI at /api/openapi.json."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from rocc.core.errors import Conflict, InvalidInput
from rocc.core.tokens import token_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, for integrators (tokens from `rocc token create`)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="rocc API",
    version="1",
    description=(
        "Read and write rocc's records with the same permission rules as the web pages. "
        "Authenticate with the browser session (and CSRF token for writes) or with "
        "`Authorization: Bearer <token>`. Objects outside your scope answer 404."
    ),
    # The token first: the session's CSRF check would otherwise refuse a token-only write before the token is read.
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


# The services decide every refusal; these are the one place the API words them, so no endpoint catches them.
@api.exception_handler(PermissionDenied)
def refused(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(Conflict)
def conflict(request, exc: Conflict):
    return api.create_response(request, exc.answer(), status=409)


@api.exception_handler(InvalidInput)
def invalid(request, exc: InvalidInput):
    return api.create_response(request, exc.answer(), status=422)


@api.exception_handler(ValidationError)
def not_valid(request, exc: ValidationError):
    return invalid(request, InvalidInput.from_validation(exc))


from rocc.analysis_pages.api import router as analyses_router  # noqa: E402
from rocc.audit.api import router as audit_router  # noqa: E402
from rocc.events.api import router as events_router  # noqa: E402
from rocc.governance.api import router as governance_router  # noqa: E402
from rocc.inbox.api import router as inbox_router  # noqa: E402
from rocc.maps.api import router as maps_router  # noqa: E402
from rocc.measures.api import router as measures_router  # noqa: E402
from rocc.org.api import router as org_router  # noqa: E402
from rocc.problems.api import router as problems_router  # noqa: E402
from rocc.referrals.api import router as referrals_router  # noqa: E402
from rocc.releases.api import router as releases_router  # noqa: E402
from rocc.returns.api import router as returns_router  # noqa: E402
from rocc.strategy.api import router as strategy_router  # noqa: E402
from rocc.tasking.api import router as tasking_router  # noqa: E402

api.add_router("/org/", org_router)
api.add_router("/audit/", audit_router)
api.add_router("/strategy/", strategy_router)
api.add_router("/measures/", measures_router)
api.add_router("/measures/returns", returns_router)
api.add_router("/events/", events_router)
api.add_router("/analyses/", analyses_router)
api.add_router("/problems/", problems_router)
api.add_router("/tasking/", tasking_router)
api.add_router("/referrals/", referrals_router)
api.add_router("/releases/", releases_router)
api.add_router("/inbox/", inbox_router)
api.add_router("/governance/", governance_router)
api.add_router("/maps/", maps_router)
