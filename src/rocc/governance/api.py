"""API endpoints of governance report packs, mounted at /api/governance/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["governance"])
