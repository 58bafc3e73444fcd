"""Pages of insights products: the list, recording a product, and a product with its reports, links and targets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rocc.analysis_pages.selectors import saved_analysis_list
from rocc.problems.services import case_open_from, case_unit_for_source
from rocc.tasking.forms import (
    CAVEATS,
    ProductForm,
)
from rocc.tasking.selectors import products as products_selectors
from rocc.tasking.selectors import reports as reports_selectors
from rocc.tasking.selectors import scope as scope_selectors
from rocc.tasking.services import products as products_services
from rocc.tasking.views.common import errors_into, read_allowed
from rocc.tasking.views.deconfliction import targets_panel


def _product_form(request, data=None):
    return ProductForm(
        data,
        analyses=saved_analysis_list(user=request.user),
        cases=scope_selectors.cases_visible(user=request.user),
        initial={"product_date": timezone.localdate()},
    )


@login_required
def product_list(request):
    read_allowed(request)
    return render(request, "tasking/products.html", {"products": products_selectors.product_list(user=request.user)})


@login_required
def product_new(request):
    read_allowed(request)
    form = _product_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = products_services.product_receive(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                summary=data["summary"],
                handling_caveat=data["handling_caveat"],
                product_date=data["product_date"],
                source_unit=data["source_unit"],
                saved_analyses=data["saved_analyses"],
                cases=data["cases"],
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            status = 403
        except ValidationError as error:
            errors_into(form, error)
            status = 400
        else:
            messages.success(request, f"Product {product.reference} received.")
            return redirect("tasking:product", pk=product.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "tasking/product_new.html", {"form": form, "caveats": CAVEATS}, status=status)


@login_required
def product_detail(request, pk: int):
    read_allowed(request)
    product = products_selectors.product_get(user=request.user, pk=pk)
    return render(
        request,
        "tasking/product.html",
        {
            "product": product,
            **targets_panel(user=request.user, subject=product),
            "reports": reports_selectors.report_list(user=request.user).filter(products=product),
            "analyses": [a for a in product.saved_analyses.all() if request.user.has_perm("analyses.view_saved_analysis", a)],
            "cases": scope_selectors.cases_visible(user=request.user).filter(insights_products=product),
            "may_open_case": request.user.has_perm("problems.open_case", case_unit_for_source(product=product)),
        },
    )


@login_required
@require_POST
def product_open_case(request, pk: int):
    """Open a PANDA problem-solving case from a product, with its saved analyses as evidence and its targets."""
    read_allowed(request)
    product = products_selectors.product_get(user=request.user, pk=pk)
    try:
        case = case_open_from(actor=request.user, product=product)
    except ValidationError as error:
        messages.error(request, "The case was not opened: " + " ".join(error.messages))
        return redirect("tasking:product", pk=pk)
    messages.success(request, f"Problem-solving case opened from {product.reference}, with its evidence and targets.")
    return redirect(reverse("problems:case", args=[case.pk]))
