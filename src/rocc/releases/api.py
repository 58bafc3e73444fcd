"""API endpoints of public releases, mounted at /api/releases/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["releases"])
