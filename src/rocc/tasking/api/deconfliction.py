"""API endpoints of targets and deconfliction: naming a target, and the alerts on your own targets."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from rocc.core.bounds import BoundedInput
from rocc.core.errors import InvalidInput, error_responses
from rocc.tasking.api.common import subject_named
from rocc.tasking.models import TargetKind
from rocc.tasking.selectors import deconfliction as deconfliction_selectors
from rocc.tasking.services import deconfliction as deconfliction_services

router = Router()


class TargetIn(BoundedInput):
    subject_type: Literal["product", "tasking", "case"]
    subject_id: int
    kind: TargetKind
    identifier: str = ""
    purpose: str = ""
    group_name: str = ""
    x: float | None = None
    y: float | None = None
    place_label: str = ""


class TargetOut(Schema):
    id: int
    kind: str
    alerts_raised: int


class AlertOut(Schema):
    """What an owner is told: the kind of match, their own record, who owns the other — nothing of the other record."""

    id: int
    basis: str
    distance_m: float | None
    own_record: str
    other_owner: str
    other_team: str
    acknowledged_by_me: bool
    acknowledged_by_other: bool
    open: bool
    created_at: dt.datetime


@router.post(
    "/targets",
    response={201: TargetOut, **error_responses(403, 404, 422)},
    summary="Name a target (a person, a group or a place) on a product, tasking or case",
    description="A person's `identifier` is pseudonymised at once and never stored; naming a person needs a `purpose`, "
    "recorded in the audit trail. A place is NZTM2000 `x`/`y` in metres. Matching targets of other owners "
    "raise deconfliction alerts to both owners. 404 when the product, tasking or case is not one you may see.",
)
def target_add(request: HttpRequest, payload: TargetIn):
    if payload.subject_type not in {"product", "tasking", "case"}:
        raise InvalidInput("The target was not saved.", field_errors={"subject_type": ["Name targets on a product, a tasking or a case."]})
    subject = subject_named(request.user, payload.subject_type, payload.subject_id)
    target, alerts = deconfliction_services.target_name(
        actor=request.user,
        subject=subject,
        kind=payload.kind,
        identifier=payload.identifier,
        purpose=payload.purpose,
        group_name=payload.group_name,
        x=payload.x,
        y=payload.y,
        place_label=payload.place_label,
    )
    return Status(201, TargetOut(id=target.pk, kind=target.kind, alerts_raised=len(alerts)))


def alert_out(view) -> AlertOut:
    own = view.own_target.subject
    other = view.other_owner
    return AlertOut(
        id=view.alert.pk,
        basis=view.alert.basis,
        distance_m=view.alert.distance_m,
        own_record=str(own),
        other_owner=other.get_full_name() or other.get_username(),
        other_team=view.other_team,
        acknowledged_by_me=view.acknowledged_by_me,
        acknowledged_by_other=view.acknowledged_by_other,
        open=view.alert.is_open,
        created_at=view.alert.created_at,
    )


@router.get("/alerts", response=list[AlertOut], summary="Deconfliction alerts on your own targets")
def alerts(request: HttpRequest, open_only: bool = False):
    return [alert_out(v) for v in deconfliction_selectors.alert_views(user=request.user, open_only=open_only)]


@router.post("/alerts/{alert_id}/acknowledge", response={200: AlertOut, **error_responses(403, 404, 422)}, summary="Acknowledge your side of an alert")
def alert_acknowledge(request: HttpRequest, alert_id: int):
    found = deconfliction_selectors.alert_get(user=request.user, pk=alert_id)
    deconfliction_services.alert_acknowledge(actor=request.user, alert=found)
    return alert_out(deconfliction_selectors.alert_view(user=request.user, alert=found))
