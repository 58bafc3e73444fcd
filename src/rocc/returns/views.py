"""Pages of provider reporting: the returns list, a data set (template, upload, providers), a return with its
figures, flags and history, the approvers' review, timeliness and completeness, and the returns export."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from rocc.core.spreadsheets import csv_writer, sheet_append
from rocc.org.models import Agency, AgencyKind, OrgUnit, Role
from rocc.org.scope import scope_of
from rocc.returns import selectors, services
from rocc.returns.forms import (
    FigureChecksForm,
    ProviderAddForm,
    ReturnFiguresForm,
    ReturnOpenForm,
    ReviewForm,
    TemplateUploadForm,
)
from rocc.returns.models import ReturnStatus, TemplateUpload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _use(request) -> None:
    if not request.user.has_perm("returns.use_returns"):
        raise PermissionDenied


@login_required
def returns_list(request):
    _use(request)
    status = request.GET.get("status", "")
    if status and status not in ReturnStatus.values:
        status = ""
    user = request.user
    returns = list(selectors.return_list(user=user, status=status or None)[:200])
    awaiting = selectors.returns_awaiting_approval(user=user)
    return render(
        request,
        "returns/list.html",
        {
            "data_sets": selectors.data_set_list(user=user),
            "returns": returns,
            "awaiting": awaiting,
            "status": status,
            "statuses": ReturnStatus.choices,
            "may_approve": user.has_perm("returns.review_returns"),
            "is_provider": scope_of(user).role == Role.PROVIDER_REPORTER,
        },
    )


def _open_form_parts(user, data_set):
    assignments = [a for a in selectors.data_set_assignments(user=user, data_set=data_set) if user.has_perm("returns.edit_return", a)]
    periods = []
    if assignments:
        first = min(a.first_period_start for a in assignments)
        periods = list(reversed(selectors.reportable_periods(data_set=data_set, first=first)))[:36]
    return assignments, periods


def _data_set_page(
    request, data_set, *, upload_form=None, upload_problems=None, open_form=None, provider_form=None, checks_form=None, checks_item=None, status=200
):
    user = request.user
    assignments, periods = _open_form_parts(user, data_set)
    may_manage = user.has_perm("returns.manage_data_sets")
    items = list(data_set.items.all())
    checks_forms = []
    if may_manage:
        for item in items:
            form = (
                checks_form
                if checks_item is not None and item.pk == checks_item.pk
                else FigureChecksForm(
                    prefix=f"item{item.pk}",
                    initial={"check_population": item.check_population, "max_change_ratio": item.max_change_ratio, "plausible_max": item.plausible_max},
                )
            )
            checks_forms.append((item, form))
    return render(
        request,
        "returns/data_set.html",
        {
            "data_set": data_set,
            "items": items,
            "checks_forms": checks_forms,
            "assignments": selectors.data_set_assignments(user=user, data_set=data_set),
            "my_assignments": assignments,
            "open_form": open_form or (ReturnOpenForm(assignments=assignments, periods=periods) if assignments and periods else None),
            "upload_form": upload_form or TemplateUploadForm(),
            "upload_problems": upload_problems or [],
            "returns": selectors.return_list(user=user, data_set=data_set)[:50],
            "may_manage": may_manage,
            "provider_form": provider_form
            or (
                ProviderAddForm(
                    agencies=Agency.objects.filter(kind__in=[AgencyKind.NGO, AgencyKind.IWI, AgencyKind.PHO, AgencyKind.GOVERNMENT, AgencyKind.COUNCIL]),
                    units=OrgUnit.objects.exclude(level="national"),
                )
                if may_manage
                else None
            ),
            "may_see_performance": user.has_perm("returns.view_reporting_performance"),
        },
        status=status,
    )


@login_required
def data_set_detail(request, code: str):
    _use(request)
    return _data_set_page(request, selectors.data_set_get(user=request.user, code=code))


@login_required
def data_set_template(request, code: str):
    _use(request)
    data_set = selectors.data_set_get(user=request.user, code=code)
    mine = _open_form_parts(request.user, data_set)[0]
    provider = unit = None
    if mine and len({a.agency_id for a in mine}) == 1:
        provider = mine[0].agency
        unit = mine[0].unit if len(mine) == 1 else None
    content = services.return_template(data_set=data_set, provider=provider, unit=unit)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{data_set.code}-template-v{data_set.template_version}.xlsx"'
    return response


@login_required
@require_POST
def data_set_upload(request, code: str):
    _use(request)
    data_set = selectors.data_set_get(user=request.user, code=code)
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _data_set_page(request, data_set, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = services.return_upload_accept(user=request.user, data_set=data_set, upload=upload)
    except services.ReturnInputInvalid as refused:
        return _data_set_page(request, data_set, upload_form=form, upload_problems=refused.problems, status=400)
    except services.ReturnStateError as refused:
        return _data_set_page(request, data_set, upload_form=form, upload_problems=[refused.message], status=409)
    if isinstance(result, TemplateUpload):
        return redirect("returns:upload_job", pk=result.pk)
    messages.success(
        request,
        f"{result.figures} figure{'s' if result.figures != 1 else ''} uploaded into the {result.provider_return.period_label} "
        "return. Check them below, then submit.",
    )
    return redirect("returns:detail", pk=result.provider_return.pk)


@login_required
def upload_job(request, pk: int):
    """A queued template upload: its progress while the worker reads it, then the return it filled or its problems."""
    _use(request)
    return render(request, "returns/upload.html", {"job": selectors.template_upload_get(user=request.user, pk=pk)})


@login_required
def upload_job_status(request, pk: int):
    """The status panel alone: the upload's page polls it with htmx until the worker has read the file."""
    _use(request)
    return render(request, "returns/_upload_status.html", {"job": selectors.template_upload_get(user=request.user, pk=pk)})


@login_required
@require_POST
def return_start(request, code: str):
    _use(request)
    data_set = selectors.data_set_get(user=request.user, code=code)
    assignments, periods = _open_form_parts(request.user, data_set)
    form = ReturnOpenForm(request.POST, assignments=assignments, periods=periods)
    if not form.is_valid():
        return _data_set_page(request, data_set, open_form=form, status=400)
    assignment = next(a for a in assignments if str(a.pk) == form.cleaned_data["assignment"])
    try:
        ret = services.return_open(user=request.user, data_set=data_set, unit=assignment.unit, period=form.cleaned_data["period"], agency=assignment.agency)
    except services.ReturnInputInvalid as refused:
        form.add_error("period", [p.message for p in refused.problems])
        return _data_set_page(request, data_set, open_form=form, status=400)
    return redirect("returns:detail", pk=ret.pk)


@login_required
@require_POST
def data_set_provider_add(request, code: str):
    _use(request)
    data_set = selectors.data_set_get(user=request.user, code=code)
    agencies = Agency.objects.all()
    units = OrgUnit.objects.exclude(level="national")
    form = ProviderAddForm(request.POST, agencies=agencies, units=units)
    if not form.is_valid():
        return _data_set_page(request, data_set, provider_form=form, status=400)
    assignment = services.data_set_provider_add(
        user=request.user, data_set=data_set, agency=agencies.get(pk=form.cleaned_data["agency"]), unit=units.get(pk=form.cleaned_data["unit"])
    )
    messages.success(request, f"{assignment.agency} now reports {data_set.name} for {assignment.unit.name}.")
    return redirect("returns:data_set", code=code)


@login_required
@require_POST
def data_set_figure_checks(request, code: str, item_pk: int):
    _use(request)
    data_set = selectors.data_set_get(user=request.user, code=code)
    item = next((i for i in data_set.items.all() if i.pk == item_pk), None)
    if item is None:
        raise Http404("No such figure in this data set")
    form = FigureChecksForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        return _data_set_page(request, data_set, checks_form=form, checks_item=item, status=400)
    try:
        services.data_set_indicator_checks_set(
            user=request.user,
            item=item,
            check_population=form.cleaned_data["check_population"],
            max_change_ratio=form.cleaned_data["max_change_ratio"],
            plausible_max=form.cleaned_data["plausible_max"],
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _data_set_page(request, data_set, checks_form=form, checks_item=item, status=400)
    messages.success(request, f"Checks of “{item.question}” saved.")
    return redirect("returns:data_set", code=code)


@login_required
def performance(request, code: str):
    _use(request)
    if not request.user.has_perm("returns.view_reporting_performance"):
        raise PermissionDenied
    data_set = selectors.data_set_get(user=request.user, code=code)
    rows = selectors.reporting_performance(user=request.user, data_set=data_set)
    totals = {k: sum(getattr(r, k) for r in rows) for k in ("expected", "received", "on_time", "late", "approved")}
    return render(request, "returns/performance.html", {"data_set": data_set, "rows": rows, "totals": totals})


def _return_page(request, ret, *, form=None, review_form=None, checks=None, checked=False, problems=None, confirm=None, status=200):
    """A return's page. ``checks`` are those of the figures shown (typed but not saved, after Check figures);
    ``confirm`` is the refusal of a submission whose warnings the provider must confirm with a note."""
    user = request.user
    may_edit = ret.is_editable and user.has_perm("returns.edit_return", ret)
    may_review = ret.status == ReturnStatus.SUBMITTED and user.has_perm("returns.approve_return", ret)
    values = selectors.return_values(ret)
    if form is None and may_edit:
        initial = {"version": ret.version, "note": ret.note}
        initial.update({f"figure_{item.indicator.code}": "" if value is None else value for item, value in values})
        form = ReturnFiguresForm(initial=initial, items=[item for item, _ in values])
    checks = selectors.return_checks(ret) if checks is None else checks
    rows = [
        {
            "item": item,
            "value": value,
            "checks": checks.for_code(item.indicator.code),
            "field": form[f"figure_{item.indicator.code}"] if form is not None else None,
        }
        for item, value in values
    ]
    returned = ret.events.filter(action="returned").order_by("-at").first() if ret.status == ReturnStatus.RETURNED else None
    submission = selectors.return_submission(ret) if not may_edit else None
    return render(
        request,
        "returns/detail.html",
        {
            "ret": ret,
            "data_set": ret.data_set,
            "rows": rows,
            "form": form,
            "checks": checks,
            "checked": checked,
            # The warnings on this page are the ones the provider has been shown: submitting with them confirms them.
            "warning_keys": [w.key for w in checks.warnings],
            "may_edit": may_edit,
            "may_review": may_review,
            "history": selectors.return_history(ret),
            "returned": returned,
            "submission": submission,
            "confirm": confirm,
            "review_form": review_form or (ReviewForm(initial={"version": ret.version}) if may_review else None),
            "problems": problems or [],
            "own_submission": ret.submitted_by_id == user.pk,
            "on_time": ret.first_submitted_at is not None and timezone.localtime(ret.first_submitted_at).date() <= ret.due_date,
        },
        status=status,
    )


@login_required
def return_detail(request, pk: int):
    _use(request)
    ret = selectors.return_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _return_page(request, ret)
    if not (ret.is_editable and request.user.has_perm("returns.edit_return", ret)):
        raise PermissionDenied
    form = ReturnFiguresForm(request.POST, items=[item for item, _ in selectors.return_values(ret)])
    action = request.POST.get("action", "save")
    if not form.is_valid():
        return _return_page(request, ret, form=form, status=400)
    figures = {code: raw for code, raw in form.figures().items()}
    if action == "check":
        # Show the checks of the figures as typed, without saving anything.
        parsed = {code: services.figure_parse(raw)[0] for code, raw in figures.items()}
        return _return_page(request, ret, form=form, checks=selectors.return_checks(ret, values=parsed), checked=True)
    try:
        ret = services.return_values_save(
            user=request.user, provider_return=ret, version=form.cleaned_data["version"], values=figures, note=form.cleaned_data["note"]
        )
        if action == "submit":
            ret = services.return_submit(user=request.user, provider_return=ret, version=ret.version, warnings_seen=request.POST.getlist("warnings_seen"))
    except services.ReturnChanged as changed:
        form.add_error(None, changed.message)
        return _return_page(request, selectors.return_get(user=request.user, pk=pk), form=form, status=409)
    except services.ReturnStateError as refused:
        form.add_error(None, refused.message)
        return _return_page(request, selectors.return_get(user=request.user, pk=pk), form=form, status=409)
    except services.ReturnInputInvalid as refused:
        # The figures were saved; submission was refused by a validation rule: show the page with the flags.
        fresh = selectors.return_get(user=request.user, pk=pk)
        return _return_page(request, fresh, problems=[str(p) for p in refused.problems], checked=True, status=400)
    except services.ReturnWarningsToConfirm as refused:
        # The figures were saved; the provider now sees the warnings and is asked for a note before submitting again.
        fresh = selectors.return_get(user=request.user, pk=pk)
        return _return_page(request, fresh, confirm=refused, checked=True, status=400)
    if action == "submit":
        messages.success(request, f"Return for {ret.period_label} submitted for approval.")
    else:
        messages.success(request, "Draft saved. Check any flags below before you submit.")
    return redirect("returns:detail", pk=pk)


@login_required
@require_POST
def return_review(request, pk: int):
    _use(request)
    ret = selectors.return_get(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    action = request.POST.get("action")
    if not form.is_valid() or action not in ("approve", "send_back"):
        return _return_page(request, ret, review_form=form, status=400)
    try:
        if action == "approve":
            ret = services.return_approve(user=request.user, provider_return=ret, version=form.cleaned_data["version"], comment=form.cleaned_data["comment"])
            messages.success(request, f"Return approved; its figures are now the {ret.unit.name} figures for {ret.period_label}.")
        else:
            ret = services.return_send_back(user=request.user, provider_return=ret, version=form.cleaned_data["version"], comment=form.cleaned_data["comment"])
            messages.success(request, f"Return sent back to {ret.provider} for revision.")
    except (services.ReturnChanged, services.ReturnStateError) as refused:
        form.add_error(None, refused.message)
        return _return_page(request, selectors.return_get(user=request.user, pk=pk), review_form=form, status=409)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _return_page(request, ret, review_form=form, status=400)
    return redirect("returns:detail", pk=pk)


@login_required
def return_template(request, pk: int):
    _use(request)
    ret = selectors.return_get(user=request.user, pk=pk)
    response = HttpResponse(services.return_template(data_set=ret.data_set, provider_return=ret), content_type=XLSX)
    name = slugify(f"{ret.data_set.code}-{ret.provider.short_name}-{ret.unit.code}-{ret.period_key}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def returns_export(request, code: str, fmt: str):
    """Every return of a data set the user may read, one row per return and figure (unit-level: providers see only
    their own, approvers those in their scope)."""
    _use(request)
    data_set = selectors.data_set_get(user=request.user, code=code)
    header, rows = selectors.returns_table(user=request.user, data_set=data_set)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Returns"
        sheet_append(sheet, header)
        for row in rows:
            sheet_append(sheet, row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        raise Http404("Export as csv or xlsx")
    response["Content-Disposition"] = f'attachment; filename="{data_set.code}-returns.{fmt}"'
    return response
