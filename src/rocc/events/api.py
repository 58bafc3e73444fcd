"""API endpoints of the events capability."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["events"])
