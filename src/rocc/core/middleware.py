"""Response headers that a security review expects on every page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse

# Everything rocc serves comes from its own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
# The API docs page (Swagger UI) needs an inline bootstrap style; it is scoped to that path only.
API_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def _tile_origin() -> str:
    """The origin of the basemap tile server the operator configured (ROCC_MAP_TILES), or "" when there is none."""

    parts = urlsplit(getattr(django_settings, "ROCC_MAP_TILES", "") or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        policy = API_DOCS_POLICY if request.path.startswith("/api/docs") else CONTENT_SECURITY_POLICY
        tiles = _tile_origin()
        if tiles:
            policy = policy.replace("img-src 'self' data:", f"img-src 'self' data: {tiles}")  # the operator's basemap (rocc.maps)
        framing = getattr(response, "rocc_frame_ancestors", None)
        if framing:
            policy = policy.replace("frame-ancestors 'none'", f"frame-ancestors {framing}")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return middleware


def allow_framing(view):
    """Lets other sites frame this one view (the embeddable public scorecard and indicator): its policy names the
    ancestors from ``ROCC_EMBED_FRAME_ANCESTORS`` (every site by default) and it sends no X-Frame-Options. Every
    other page keeps ``frame-ancestors 'none'``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.rocc_frame_ancestors = getattr(settings, "ROCC_EMBED_FRAME_ANCESTORS", "*") or "*"
        response.xframe_options_exempt = True
        return response

    return wrapped
