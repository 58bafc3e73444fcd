"""API endpoints of the problems capability."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["problems"])
