"""How map data is cached by the browser: one rule for every map answer that carries an entity tag.

The browser may keep the body but asks again every time (``private, no-cache``): the view has already checked the
asker's right to read it before this is called, so a 304 Not Modified (no body) goes only to someone who may still
read it. A long ``max-age`` or ``immutable`` would save that request but let the browser serve the data without
asking: after the record is deleted, after the user's rights are withdrawn, or to the next person who signs in on
the same browser (police workstations are shared), so rocc does not use them for scoped data.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse

CACHE_CONTROL = "private, no-cache"


def entity_tag(prefix: str, body: bytes | str) -> str:
    """A strong entity tag naming ``body`` (its SHA-256): the same bytes give the same tag."""
    data = body.encode() if isinstance(body, str) else body
    return f'"{prefix}-{hashlib.sha256(data).hexdigest()[:20]}"'


def not_modified(request: HttpRequest, etag: str) -> bool:
    """Whether the browser already holds the body tagged ``etag`` (If-None-Match names it, or is ``*``)."""
    asked = request.headers.get("If-None-Match", "")
    return asked.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in asked.split(","))


def revalidated_json(request: HttpRequest, body: bytes | str, etag: str) -> HttpResponse:
    """The JSON ``body`` with its tag, or 304 Not Modified with no body when the browser holds it already. Call it
    only after the asker's right to read the body has been checked."""
    response = HttpResponse(status=304) if not_modified(request, etag) else HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response
