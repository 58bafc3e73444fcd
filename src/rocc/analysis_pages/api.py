"""API endpoints of the analyses capability: list, read and create saved analyses, with the pages' rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rocc.analysis_pages import selectors, services
from rocc.analysis_pages.models import AnalysisKind
from rocc.core.api_fields import UnitCode
from rocc.core.bounds import BoundedInput
from rocc.core.errors import Refused, error_responses
from rocc.org.api import unit_named

router = Router(tags=["analyses"])


class SavedAnalysisOut(Schema):
    id: int
    kind: str
    title: str
    unit: str
    source: str
    holds_person_level: bool
    created_by: str
    created_at: dt.datetime


class SavedAnalysisDetailOut(SavedAnalysisOut):
    parameters: dict[str, Any]
    result: dict[str, Any]


class SavedAnalysisIn(BoundedInput):
    kind: AnalysisKind = Field(description="The analysis the result is of; its result is checked against that kind's schema")
    title: str = Field(max_length=200)
    unit: UnitCode = Field(description="Code of the organisational unit the analysis is for (one of your scope)")
    source: str = Field("", max_length=300, description="What the analysis ran over: a file's name or the event-store filters")
    parameters: dict[str, Any] = {}
    result: dict[str, Any] = Field(
        description="The analysis's JSON document, e.g. the output of `rocc analyse … --json`. It must have the figures "
        "the kind's page reads (422 names each field that is missing or of the wrong type, as `result.<field>`)"
    )
    holds_person_level: bool = Field(False, description="Whether the result names persons; a repeat-victim list or a network's nodes always do")


def _out(saved) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "kind": saved.kind,
        "title": saved.title,
        "unit": saved.scope_unit.code,
        "source": saved.source,
        "holds_person_level": saved.holds_person_level,
        "created_by": saved.created_by.get_username(),
        "created_at": saved.created_at,
    }


@router.get("/saved", response=list[SavedAnalysisOut], summary="Saved analyses of your units")
def saved_list(request: HttpRequest, kind: AnalysisKind | None = None):
    analyses = selectors.saved_analysis_list(user=request.user)
    if kind:
        analyses = analyses.filter(kind=kind)
    return [_out(saved) for saved in analyses]


@router.get(
    "/saved/{pk}",
    response={200: SavedAnalysisDetailOut, **error_responses(403, 404)},
    summary="One saved analysis with its parameters and result",
    description="A saved analysis that names persons answers 403 unless `purpose` says why you need it; the look is "
    "then recorded in the audit trail with that purpose. Outside your scope, or person-level without the permission: 404.",
)
def saved_get(request: HttpRequest, pk: int, purpose: str = ""):
    saved = selectors.saved_analysis_get(user=request.user, pk=pk)
    if saved.holds_person_level:
        try:
            services.person_level_view_record(user=request.user, obj=saved, purpose=purpose, what="read through the API")
        except ValidationError:
            # A missing purpose is a refusal to show, not a bad form: the answer says how to ask properly.
            raise Refused("This analysis names persons: give ?purpose=… (recorded in the audit trail).") from None
    return {**_out(saved), "parameters": saved.parameters, "result": saved.result}


@router.post(
    "/saved",
    response={201: SavedAnalysisDetailOut, **error_responses(403, 422)},
    summary="Save an analysis computed elsewhere",
    description="Analysts save in a unit of their scope (403 otherwise). 422 names any field that was wrong; nothing is saved.",
)
def saved_create(request: HttpRequest, payload: SavedAnalysisIn):
    unit = unit_named(payload.unit)
    try:
        saved = services.saved_analysis_create(
            user=request.user,
            kind=payload.kind,
            title=payload.title,
            scope_unit=unit,
            source=payload.source,
            parameters=payload.parameters,
            result=payload.result,
            holds_person_level=payload.holds_person_level,
        )
    except PermissionDenied as denied:
        # The service refuses without words (the pages show their own); the API says who may save where.
        raise Refused(str(denied) or "Only analysts save analyses, in a unit of their scope.") from denied
    return Status(201, {**_out(saved), "parameters": saved.parameters, "result": saved.result})
