"""API endpoints of insights products: the products you may see, and recording one."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from rocc.analysis_pages.selectors import saved_analyses_with_ids
from rocc.core.api_fields import IsoDate, UnitCode
from rocc.core.bounds import BoundedInput
from rocc.core.errors import error_responses
from rocc.problems.selectors import cases_with_ids
from rocc.tasking.api.common import group_named, unit_named
from rocc.tasking.models import ProductKind
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.services import products as products_services

router = Router()


class ProductOut(Schema):
    id: int
    reference: str
    kind: str
    title: str
    summary: str
    handling_caveat: str
    source_unit: str | None
    source_group: str | None
    product_date: IsoDate
    owner: str
    received_at: dt.datetime
    saved_analyses: list[int]
    cases: list[int]


class ProductIn(BoundedInput):
    kind: ProductKind
    title: str
    summary: str
    handling_caveat: str
    product_date: IsoDate | None = None
    source_unit: UnitCode | None = None
    source_group: str | None = None
    saved_analyses: list[int] = []
    cases: list[int] = []


def product_out(p) -> ProductOut:
    return ProductOut(
        id=p.pk,
        reference=p.reference,
        kind=p.kind,
        title=p.title,
        summary=p.summary,
        handling_caveat=p.handling_caveat,
        source_unit=p.source_unit.code if p.source_unit_id else None,
        source_group=p.source_group.code if p.source_group_id else None,
        product_date=p.product_date,
        owner=p.owner.get_username(),
        received_at=p.received_at,
        saved_analyses=list(p.saved_analyses.values_list("pk", flat=True)),
        cases=list(p.cases.values_list("pk", flat=True)),
    )


@router.get("/products", response=list[ProductOut], summary="Insights products you may see, newest first")
def products(request: HttpRequest):
    return [product_out(p) for p in products_selectors.product_list(user=request.user).prefetch_related("saved_analyses", "cases")]


@router.get("/products/{product_id}", response={200: ProductOut, **error_responses(404)}, summary="One insights product (404 when outside your scope)")
def product(request: HttpRequest, product_id: int):
    return product_out(products_selectors.product_get(user=request.user, pk=product_id))


@router.post(
    "/products",
    response={201: ProductOut, **error_responses(403, 422)},
    summary="Record the receipt of an insights product",
    description="District products name `source_unit` (a district or area, by code or name); NOCG, FCG and PLO network "
    "products come from their national group. 403 when you may not record products for that source.",
)
def product_add(request: HttpRequest, payload: ProductIn):
    created = products_services.product_receive(
        actor=request.user,
        kind=payload.kind,
        title=payload.title,
        summary=payload.summary,
        handling_caveat=payload.handling_caveat,
        product_date=payload.product_date,
        source_unit=unit_named(payload.source_unit, "source_unit"),
        source_group=group_named(payload.source_group, "source_group"),
        saved_analyses=saved_analyses_with_ids(payload.saved_analyses),
        cases=cases_with_ids(payload.cases),
    )
    return Status(201, product_out(created))
