"""API endpoints of referrals and the services directory, mounted at /api/referrals/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["referrals"])
