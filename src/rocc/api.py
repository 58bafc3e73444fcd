"""The JSON API at /api/: one NinjaAPI, each capability adding its router; OpenAPI at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from rocc.core.errors import Conflict, ErrorOut, InvalidInput
from rocc.core.tokens import token_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, for integrators (tokens from `rocc token create`)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session. Only a signed-in session is checked for its CSRF token: a request with no session is
    not signed in at all, and answers 401 as the document promises, not a CSRF refusal."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


#: The answers every operation can give besides its own, and when: how the API words them is below.
_COMMON_ANSWERS = {
    400: "The request body is not JSON.",
    401: "Not signed in: no valid bearer token or browser session.",
    422: "A parameter or a field of the body is not valid (each named in `errors`); nothing changed.",
}


class RoccAPI(NinjaAPI):
    """The API whose document lists, for every operation, the answers django-ninja gives before the operation
    runs (no sign-in: 401; a parameter that does not parse: 422; a body that is not JSON: 400), in the one error
    schema, beside the answers the operation documents itself."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                answers = []
                if operation.get("security"):
                    answers.append(401)
                if operation.get("parameters") or operation.get("requestBody"):
                    answers.append(422)
                if operation.get("requestBody"):
                    answers.append(400)
                for code in answers:
                    responses.setdefault(code, {"description": _COMMON_ANSWERS[code], **error})
        return schema


api = RoccAPI(
    title="rocc API",
    version="1",
    description=(
        "Read and write rocc's records with the same permission rules as the web pages. "
        "Authenticate with the browser session (and CSRF token for writes) or with "
        "`Authorization: Bearer <token>`. Objects outside your scope answer 404."
    ),
    # The token first: the session's CSRF check would otherwise refuse a token-only write before the token is read.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc: RequestInvalid):
    # django-ninja's own check of the parameters and body, in the one error shape, so an integrator reads the same
    # answer as a service's refusal.
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:
        loc = [str(part) for part in problem.get("loc", ())]
        # A body's fields are named as the services name them ("title"), a parameter by its name ("purpose").
        parts = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        errors.setdefault(".".join(parts) or "request", []).append(problem.get("msg", "not valid"))
    return api.create_response(request, {"detail": "The request is not valid; nothing changed.", "errors": errors}, status=422)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


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
