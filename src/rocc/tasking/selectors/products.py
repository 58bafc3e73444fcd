"""Reads of insights products: those the user owns or received, those of their district or national group, and
those of reports they see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rocc.analysis_pages.selectors import saved_analysis_list
from rocc.org.scope import scope_of
from rocc.tasking.models import InsightsProduct
from rocc.tasking.rules import DISTRICT_ROLES, decision_maker, works_in_tasking
from rocc.tasking.selectors.reports import report_list
from rocc.tasking.selectors.scope import group_ids, one_or_404, role_of


def product_list(*, user) -> QuerySet[InsightsProduct]:
    if not works_in_tasking(user):
        return InsightsProduct.objects.none()
    qs = InsightsProduct.objects.select_related("source_unit", "source_group", "owner", "received_by")
    if decision_maker(user):
        return qs
    visible = Q(owner=user) | Q(received_by=user) | Q(source_group__in=group_ids(user)) | Q(reports__in=report_list(user=user))
    if role_of(user) in DISTRICT_ROLES:
        visible |= scope_of(user).condition("source_unit")
    return qs.filter(pk__in=InsightsProduct.objects.filter(visible).values("pk"))


def product_get(*, user, pk: int) -> InsightsProduct:
    return one_or_404(product_list(user=user), pk, "insights product")


def products_citing_analysis(*, user, analysis) -> QuerySet[InsightsProduct]:
    """The insights products the user may see that link this saved analysis."""
    return product_list(user=user).filter(saved_analyses=analysis).order_by("-product_date", "pk")


def analyses_behind_report(*, user, report) -> list:
    """The saved analyses behind a report's products that the user may see, each with the products citing it."""
    from_products = product_list(user=user).filter(reports=report)
    analyses = (
        saved_analysis_list(user=user).filter(insights_products__in=from_products).distinct().order_by("created_at", "pk").prefetch_related("insights_products")
    )
    visible = set(from_products.values_list("pk", flat=True))
    return [(analysis, [p for p in analysis.insights_products.all() if p.pk in visible]) for analysis in analyses]
