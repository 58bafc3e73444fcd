"""API endpoints of the tasking capability."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["tasking"])
