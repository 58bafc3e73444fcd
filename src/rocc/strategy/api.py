"""API endpoints for frameworks, plans, activities and progress updates."""

from ninja import Router

router = Router(tags=["strategy"])
