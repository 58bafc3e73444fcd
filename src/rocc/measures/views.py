"""Pages of the measures capability: the indicator list, turn-the-curve pages, scorecards, district comparison and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rocc.measures import selectors, services
from rocc.measures.exports import scorecard_file, series_file
from rocc.measures.forms import IndicatorOwnerForm
from rocc.measures.models import Indicator, PeriodType
from rocc.org.models import OrgUnit

STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "not_enough_data": "Not enough data"}


def _indicator(user, code: str) -> Indicator:
    try:
        indicator = selectors.indicator_get(user=user, code=code)
    except Indicator.DoesNotExist:
        raise Http404("No such indicator") from None
    if not indicator.versions.exists():
        raise Http404("This indicator has no definition yet")
    return indicator


def _unit(request, default: OrgUnit) -> OrgUnit:
    code = request.GET.get("unit") or request.POST.get("unit")
    if not code:
        return default
    return get_object_or_404(OrgUnit, code=code)


def _series_args(request, indicator: Indicator) -> dict:
    period_type = request.GET.get("period_type") or None
    if period_type and period_type not in PeriodType.values:
        raise Http404("Unknown period type")
    return {
        "period_type": period_type,
        "as_reported": request.GET.get("as_reported") in ("1", "true", "on"),
        "disaggregation": request.GET.get("disaggregation", ""),
    }


@login_required
def overview(request):
    if not request.user.has_perm("measures.view_measures"):
        raise PermissionDenied
    return render(request, "measures/overview.html", selectors.indicator_overview_for(user=request.user))


@login_required
def indicator_detail(request, code: str):
    indicator = _indicator(request.user, code)
    unit = _unit(request, selectors.default_unit_for(user=request.user))
    args = _series_args(request, indicator)
    payload = selectors.series_for(user=request.user, indicator=indicator, unit=unit, **args)
    narrative = selectors.narrative_for(user=request.user, indicator=indicator, unit=unit)
    owner_form = IndicatorOwnerForm(user=request.user, indicator=indicator)
    chart = {key: payload[key] for key in ("points", "forecast", "name", "unit_name", "status", "disclosure_applied")}
    chart["unit_label"] = payload["definition"]["unit_label"]
    chart["lower_is_better"] = payload["definition"]["polarity"] == "lower"
    return render(
        request,
        "measures/indicator.html",
        {
            "indicator": indicator,
            "unit": unit,
            "payload": payload,
            "chart": chart,
            "narrative": narrative,
            "may_edit_narrative": request.user.has_perm("measures.edit_narrative", unit),
            "owner_form": owner_form if owner_form.may_change else None,
            "links": selectors.indicator_plan_links(user=request.user, indicator=indicator),
            "units": selectors.units_for_measures(user=request.user),
            "period_types": PeriodType.choices,
            "status_label": STATUS_LABELS[payload["status"]["status"]],
            "args": args,
            "query": request.GET.urlencode(),
            "versions": sorted(indicator.versions.all(), key=lambda v: v.effective_from),
        },
    )


@login_required
@require_POST
def narrative_edit(request, code: str):
    indicator = _indicator(request.user, code)
    unit = get_object_or_404(OrgUnit, code=request.POST.get("unit", ""))
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        services.narrative_update(
            user=request.user,
            indicator=indicator,
            unit=unit,
            version=version,
            story_behind_curve=request.POST.get("story_behind_curve", ""),
            partners=request.POST.get("partners", ""),
            what_works=request.POST.get("what_works", ""),
            action_plan=request.POST.get("action_plan", ""),
        )
        messages.success(request, "The story behind the curve was saved.")
    except services.NarrativeChanged as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('measures:indicator', args=[indicator.code])}?unit={unit.code}#narrative")


@login_required
@require_POST
def indicator_owner_edit(request, code: str):
    """Set whose indicator it is (national, or a district's own): the form's choices and the service ask one rule."""
    indicator = _indicator(request.user, code)
    form = IndicatorOwnerForm(request.POST, user=request.user, indicator=indicator)
    if not form.may_change:
        raise PermissionDenied
    if form.is_valid():
        try:
            changed = services.indicator_owner_set(user=request.user, indicator=indicator, owner_unit=form.cleaned_data["owner_unit"])
        except ValidationError as exc:
            messages.error(request, bad_request_message(exc))
        else:
            owner = f"{changed.owner_unit.name}'s own indicator" if changed.owner_unit else "a national indicator"
            messages.success(request, f"{changed.name} is now {owner}.")
    else:
        messages.error(request, "; ".join(m for errors in form.errors.values() for m in errors))
    return redirect(f"{reverse('measures:indicator', args=[indicator.code])}?{request.GET.urlencode()}#owner")


@login_required
def indicator_export(request, code: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Export as .csv or .xlsx")
    indicator = _indicator(request.user, code)
    unit = _unit(request, selectors.default_unit_for(user=request.user))
    payload = selectors.series_for(
        user=request.user, indicator=indicator, unit=unit, public=True if request.GET.get("public") else None, **_series_args(request, indicator)
    )
    content, content_type, name = series_file(payload, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def scorecard(request):
    card = selectors.scorecard_for(user=request.user, with_intervals=False)  # the grid shows no intervals
    return render(request, "measures/scorecard.html", {"card": card, "status_labels": STATUS_LABELS})


@login_required
def scorecard_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Export as .csv or .xlsx")
    unit_code = request.GET.get("unit")
    units = [get_object_or_404(OrgUnit, code=unit_code)] if unit_code else None
    card = selectors.scorecard_for(user=request.user, units=units, public=bool(request.GET.get("public")))
    content, content_type, name = scorecard_file(card, fmt, name=f"scorecard-{unit_code}" if unit_code else "scorecard")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def district_scorecard(request, unit_code: str):
    unit = get_object_or_404(OrgUnit, code=unit_code)
    card = selectors.scorecard_for(user=request.user, units=[unit])
    rows = [{"row": row, "cell": row["cells"][0]} for row in card["rows"]]
    counts = {key: sum(1 for r in rows if r["cell"] and r["cell"]["status"] == key) for key in STATUS_LABELS}
    return render(
        request,
        "measures/district_scorecard.html",
        {"unit": unit, "rows": rows, "counts": counts, "status_labels": STATUS_LABELS, "units": selectors.units_for_measures(user=request.user)},
    )


@login_required
def compare(request, code: str):
    indicator = _indicator(request.user, code)
    units = list(OrgUnit.objects.filter(level="district").order_by("path"))
    card = selectors.scorecard_for(user=request.user, units=units, indicator=indicator)
    cells = [c for c in card["rows"][0]["cells"]] if card["rows"] else []
    rows = [{"unit": u, "cell": c} for u, c in zip(units, cells, strict=True)]
    national = selectors.scorecard_for(user=request.user, units=[OrgUnit.objects.get(parent__isnull=True)], indicator=indicator)
    chart = {
        "name": indicator.name,
        "unit_label": indicator.current.unit_label,
        "national": national["rows"][0]["cells"][0] if national["rows"] else None,
        "districts": [{"unit": r["unit"].name, **(r["cell"] or {})} for r in rows],
    }
    return render(
        request, "measures/compare.html", {"indicator": indicator, "rows": rows, "chart": chart, "status_labels": STATUS_LABELS, "national": chart["national"]}
    )


def bad_request_message(exc: ValidationError) -> str:
    return "; ".join(m for msgs in getattr(exc, "message_dict", {"": exc.messages}).values() for m in msgs)
