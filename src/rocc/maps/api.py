"""API endpoints of maps and boundaries, mounted at /api/maps/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["maps"])
