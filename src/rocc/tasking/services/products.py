"""Writes of insights products: recording a product provided to the OCCC, with the saved analyses and cases it
links."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.org.models import NationalGroup, OrgUnit, UnitLevel
from rocc.tasking.models import DISTRICT_PRODUCT_KINDS, PRODUCT_KIND_GROUP, InsightsProduct, ProductKind
from rocc.tasking.selectors.scope import cases_visible
from rocc.tasking.services.common import clean_text, require


def _linked_in_scope(records, *, visible, field: str, noun: str) -> list:
    """The records to link, when ``visible`` says the actor may see every one; else the first hidden one is named."""
    records = list(records or [])
    hidden = [r for r in records if not visible(r)]
    if hidden:
        raise ValidationError({field: f"You cannot link {noun} '{hidden[0].title}': it is outside your scope."})
    return records


@transaction.atomic
def product_receive(
    *,
    actor,
    kind: str,
    title: str,
    summary: str,
    handling_caveat: str,
    product_date: dt.date | None,
    source_unit: OrgUnit | None = None,
    source_group: NationalGroup | None = None,
    owner=None,
    saved_analyses=(),
    cases=(),
) -> InsightsProduct:
    """Record a product provided to the OCCC. A district product names its district (or area); a NOCG, FCG or
    PLO network product comes from its national group, filled in when not given. Every problem is reported at once."""
    errors: dict[str, str] = {}
    if kind not in ProductKind.values:
        errors["kind"] = f"Unknown kind '{kind}'; choose one of: {', '.join(ProductKind.values)}."
    elif kind in DISTRICT_PRODUCT_KINDS:
        if source_unit is None or source_unit.level == UnitLevel.NATIONAL:
            errors["source_unit"] = "A district product names the district (or area) it comes from."
        source_group = None
    else:
        expected = NationalGroup.objects.filter(code=PRODUCT_KIND_GROUP[ProductKind(kind)]).first()
        if source_group is not None and expected is not None and source_group.pk != expected.pk:
            errors["source_group"] = f"A {ProductKind(kind).label} comes from {expected.name}, not {source_group.name}."
        source_group = source_group or expected
        if source_group is None:
            errors["source_group"] = f"The national group for a {ProductKind(kind).label} is missing: load the defaults."
        source_unit = None
    for name, value in (("title", title), ("summary", summary), ("handling_caveat", handling_caveat)):
        if not clean_text(value):
            errors[name] = {
                "title": "Give the product a title.",
                "summary": "Summarise the product.",
                "handling_caveat": "State the handling caveat (how the product may be handled and shared).",
            }[name]
    if product_date is None:
        errors["product_date"] = "Give the product's date."
    elif product_date > timezone.localdate():
        errors["product_date"] = "A product cannot be dated in the future."
    if errors:
        raise ValidationError(errors)
    assert product_date is not None  # a missing date is among the errors refused above
    product = InsightsProduct(
        kind=kind,
        title=title,
        summary=summary,
        handling_caveat=handling_caveat,
        product_date=product_date,
        source_unit=source_unit,
        source_group=source_group,
        owner=owner or actor,
        received_by=actor,
        received_at=timezone.now(),
    )
    require(actor, "tasking.add_product", product, "You may record products only for your own district or national group.")
    analyses = _linked_in_scope(
        saved_analyses, visible=lambda a: actor.has_perm("analyses.view_saved_analysis", a), field="saved_analyses", noun="saved analysis"
    )
    cases = list(cases or [])
    allowed = set(cases_visible(user=actor).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
    linked_cases = _linked_in_scope(cases, visible=lambda c: c.pk in allowed, field="cases", noun="case")
    product.save()
    product.saved_analyses.set(analyses)
    product.cases.set(linked_cases)
    return product
