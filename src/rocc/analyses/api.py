"""API endpoints of the analyses capability."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analyses"])
