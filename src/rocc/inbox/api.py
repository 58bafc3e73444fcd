"""API endpoints of notifications, mounted at /api/inbox/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["inbox"])
