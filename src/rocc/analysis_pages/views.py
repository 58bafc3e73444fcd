"""Pages of the analyses capability: the overview, one page per analysis (data, parameters, run), a run's
result with its chart or map, saving it, and re-opening saved analyses."""

from __future__ import annotations

import json
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis_pages import charts, displacement_sources, selectors, services, sources, spatial_charts
from rocc.analysis_pages.forms import FORMS, DisplacementHotSpotForm, EventsSourceForm, NodeLinkForm, PurposeForm, SaveForm, UploadForm
from rocc.analysis_pages.models import AnalysisKind, AnalysisRun, RunStatus, SavedAnalysis
from rocc.maps.caching import entity_tag, revalidated_json
from rocc.problems import selectors as problems_selectors
from rocc.tasking.selectors import products as tasking_products

DESCRIPTIONS = {
    AnalysisKind.REPEAT_VICTIMS: "Who was victimised more than once in the past 12 months (or another window), and the Victim Focus response each victim is due.",
    AnalysisKind.HOT_TIMES: "Events by day of week and hour; an event known only within a window is spread over its hours.",
    AnalysisKind.HOTSPOTS: "Grid counts, kernel density and Getis-Ord Gi* hot spots at 95% and 99%, on a map that needs no internet.",
    AnalysisKind.CONCENTRATION: "The Power Few: how concentrated events are over places, victims or offenders (Lorenz curve, Gini, top shares).",
    AnalysisKind.HARM: "Total harm and its split by offence, from a harm weight per offence code.",
    AnalysisKind.NEAR_REPEAT: "The Knox test: how much more often events fall close together in both space and time than chance would give.",
    AnalysisKind.NETWORK: "Who is central, who brokers, which communities, and whose removal fragments a criminal network most.",
    AnalysisKind.DISPLACEMENT: "Whether crime moved to a buffer area or benefits spread to it after an intervention (WDQ and WDD).",
    AnalysisKind.SPACE_TIME: "Whether events close in space are close in time beyond the Knox table (Jacquez k nearest neighbours, Mantel), and the chains of events linked within a distance and days.",
}
DESCRIPTIONS[AnalysisKind.AUTOCORRELATION] = (
    "Whether like values sit beside like (global Moran's I, General G), and where: high–high and low–low clusters, "
    "high–low and low–high outliers (local Moran's I), over grid cells or areas with neighbours."
)
DESCRIPTIONS[AnalysisKind.FORECAST_ACCURACY] = (
    "How well last period's hot spots caught this period's events (PAI, PEI, RRI), by method, cell size and share of the area: "
    "choose a hot-spot method on evidence."
)
DESCRIPTIONS[AnalysisKind.SPATIAL_DESCRIPTION] = (
    "Where events are centred, how far they spread and in which direction (mean centre, standard distance, "
    "standard deviational ellipse), overall and by group and period, as CrimeStat gives them."
)
DESCRIPTIONS[AnalysisKind.POINT_PATTERN] = (
    "Whether events are clustered, random or evenly spread, and at which distances (nearest-neighbour index, Ripley's K and L "
    "against random patterns), with a kernel density surface over a study area that need not count water."
)
DESCRIPTIONS[AnalysisKind.EMERGING_HOTSPOTS] = (
    "Which hot spots are new, growing, lasting, fading or on-and-off: Gi* in each time slice and a Mann–Kendall trend per cell."
)
PERSON_GRANT_SECONDS = 30 * 60


def _slug(kind: str) -> str:
    return kind.replace("_", "-")


def _kind(slug: str) -> str:
    kind = slug.replace("-", "_")
    if kind not in AnalysisKind.values or kind not in FORMS:
        raise Http404("No such analysis")
    return kind


def _may_read(request) -> None:
    if not request.user.has_perm("analyses.view_analyses"):
        raise PermissionDenied


def _may_run(request) -> None:
    if not request.user.has_perm("analyses.run_analyses"):
        raise PermissionDenied


@login_required
def overview(request):
    _may_read(request)
    # Kinds declared ahead of their pages are listed once their page exists.
    kinds = [{"kind": k, "label": label, "slug": _slug(k), "description": DESCRIPTIONS[k]} for k, label in AnalysisKind.choices if k in FORMS]
    return render(
        request,
        "analyses/overview.html",
        {
            "kinds": kinds,
            "may_run": request.user.has_perm("analyses.run_analyses"),
            "saved": selectors.saved_analysis_list(user=request.user)[:50],
            # The list names each run; its result, parameters and uploaded file stay in the database.
            "runs": selectors.analysis_run_list(user=request.user)
            .filter(saved__isnull=True)
            .defer("parameters", "result", "upload__content", "saved__parameters", "saved__result")[:10],
        },
    )


def _hot_spot_form(request, units, data=None) -> DisplacementHotSpotForm | None:
    """The displacement page's form for counts around a saved hot spot, when the store has events."""
    if not sources.events_available():
        return None
    analyses = selectors.saved_analysis_list(user=request.user).filter(kind=AnalysisKind.HOTSPOTS)
    return DisplacementHotSpotForm(data, units=units, analyses=analyses, prefix="hs")


def _analysis_page(
    request, kind: str, *, upload=None, form=None, events_form=None, events_params=None, upload_form=None, hot_spot_form=None, error=None, status=200
):
    """The page of one analysis: its data (an uploaded file, the event store, or figures typed in), the
    columns and parameters, and any located error from the last attempt."""
    form_class = FORMS[kind]
    units = selectors.analysis_units(user=request.user)
    if kind == AnalysisKind.DISPLACEMENT and hot_spot_form is None:
        hot_spot_form = _hot_spot_form(request, units)
    if form is None and (upload is not None or kind == AnalysisKind.DISPLACEMENT):
        form = form_class(columns=upload.columns if upload is not None else None, units=units)
    events_available = sources.events_available() and kind in sources.EVENT_KINDS
    if events_available:
        events_form = events_form or EventsSourceForm(prefix="events")
        events_params = events_params or form_class(columns=None, units=units, prefix="ev")
    return render(
        request,
        "analyses/analysis.html",
        {
            "kind": kind,
            "slug": _slug(kind),
            "label": AnalysisKind(kind).label,
            "description": DESCRIPTIONS[kind],
            "upload": upload,
            "upload_form": upload_form or UploadForm(),
            "form": form,
            "events_form": events_form,
            "events_params": events_params,
            "events_available": events_available,
            "hot_spot_form": hot_spot_form,
            "person_kind": kind in sources.PERSON_KINDS,
            "person_optional": kind in sources.PERSON_OPTIONAL_KINDS,
            "error": error,
            "purpose": request.POST.get("purpose", ""),
        },
        status=status,
    )


@login_required
def analysis_page(request, slug: str):
    _may_run(request)
    kind = _kind(slug)
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return _analysis_page(request, kind, upload_form=upload_form, status=400)
        try:
            upload = services.analysis_upload_accept(
                user=request.user, upload=upload_form.cleaned_data["file"], has_header=not upload_form.cleaned_data["no_header"]
            )
        except services.AnalysisRefused as refused:
            return _analysis_page(request, kind, upload_form=upload_form, error=refused.message, status=400)
        return redirect(f"{reverse('analyses:analysis', args=[slug])}?upload={upload.pk}")
    upload = None
    if request.GET.get("upload"):
        try:
            upload = selectors.analysis_upload_get(user=request.user, pk=int(request.GET["upload"]))
        except ValueError:
            raise Http404("No such upload") from None
    return _analysis_page(request, kind, upload=upload)


def _attach_error(form, refused: services.AnalysisRefused) -> None:
    """Put the library's message on the column picker it is about, as well as at the top of the page."""
    if refused.column is None:
        return
    for name in form.column_fields:
        if form.cleaned_data.get(name) == refused.column and name in form.fields:
            form.add_error(name, refused.message)
            return


@login_required
@require_POST
def analysis_run(request, slug: str):
    _may_run(request)
    kind = _kind(slug)
    units = selectors.analysis_units(user=request.user)
    upload = None
    if kind != AnalysisKind.DISPLACEMENT:
        try:
            upload = selectors.analysis_upload_get(user=request.user, pk=int(request.POST.get("upload", "")))
        except ValueError:
            raise Http404("No such upload") from None
    form = FORMS[kind](request.POST, columns=upload.columns if upload else None, units=units)
    if not form.is_valid():
        return _analysis_page(request, kind, upload=upload, form=form, status=400)
    try:
        run = services.analysis_run_start(
            user=request.user,
            kind=kind,
            scope_unit=form.cleaned_data["scope_unit"],
            parameters=form.parameters(source="file"),
            upload=upload,
            source=upload.name if upload else "figures entered on the page",
        )
    except services.AnalysisRefused as refused:
        _attach_error(form, refused)
        return _analysis_page(request, kind, upload=upload, form=form, error=refused.message, status=400)
    return redirect("analyses:run", pk=run.pk)


@login_required
@require_POST
def analysis_run_events(request, slug: str):
    _may_run(request)
    kind = _kind(slug)
    if not sources.events_available() or kind not in sources.EVENT_KINDS:
        raise Http404("This analysis does not run on the event store")
    units = selectors.analysis_units(user=request.user)
    events_form = EventsSourceForm(request.POST, prefix="events")
    form = FORMS[kind](request.POST, columns=None, units=units, prefix="ev")
    purpose = request.POST.get("purpose", "").strip()
    if not (events_form.is_valid() & form.is_valid()):
        return _analysis_page(request, kind, events_params=form, events_form=events_form, status=400)
    parameters = form.parameters(source="events")
    role = sources.person_role(kind, parameters)
    if role and len(purpose) < 5:
        return _analysis_page(
            request,
            kind,
            events_params=form,
            events_form=events_form,
            status=400,
            error="This analysis reads person-level data: state its purpose (it is recorded in the audit trail).",
        )
    filters = sources.filters_from(events_form.cleaned_data, grouped_by_persons=role if kind in sources.PERSON_OPTIONAL_KINDS else None)
    try:
        run = services.analysis_run_start(
            user=request.user,
            kind=kind,
            scope_unit=form.cleaned_data["scope_unit"],
            parameters=parameters,
            events=filters,
            purpose=purpose,
            source=sources.describe(filters, unit=form.cleaned_data["scope_unit"]),
        )
    except services.AnalysisRefused as refused:
        return _analysis_page(request, kind, events_params=form, events_form=events_form, error=refused.message, status=400)
    return redirect("analyses:run", pk=run.pk)


@login_required
@require_POST
def displacement_from_hot_spot(request):
    """Displacement with its counts taken from the event store around a saved hot spot (target cells, buffer ring,
    control unit or ring), run as figures entered are, with the areas kept in its parameters."""
    _may_run(request)
    kind = AnalysisKind.DISPLACEMENT
    units = selectors.analysis_units(user=request.user)
    form = _hot_spot_form(request, units, data=request.POST)
    if form is None:
        raise Http404("The event store holds no events")
    if not form.is_valid():
        return _analysis_page(request, kind, hot_spot_form=form, status=400)
    data = form.cleaned_data
    before, after = (data["before_from"], data["before_to"]), (data["after_from"], data["after_to"])
    ring = data["control"] == "ring"
    try:
        found = displacement_sources.displacement_counts_from_hot_spot(
            user=request.user,
            analysis_id=data["analysis"],
            choose=data["choose"],
            top=data.get("top"),
            buffer_m=data["buffer_m"],
            before=before,
            after=after,
            offence_codes=data["offence_codes"] or None,
            control_unit_code=None if ring else data["control_unit"].code,
            control_m=data["control_m"] if ring else None,
        )
        run = services.analysis_run_start(
            user=request.user,
            kind=kind,
            scope_unit=data["scope_unit"],
            parameters={
                "counts": found.counts,
                "harm": None,
                "area_km2": None,
                "before_days": (before[1] - before[0]).days + 1,
                "after_days": (after[1] - after[0]).days + 1,
                "confidence": data["confidence"],
                "areas_from_hot_spot": {
                    **found.areas(),
                    "offence_codes": data["offence_codes"],
                    "before": [str(d) for d in before],
                    "after": [str(d) for d in after],
                },
            },
            source=f"events around the saved hot spot '{found.analysis.title}': {'; '.join(found.notes)}; control: {found.control}",
        )
    except AnalysisInputError as error:
        return _analysis_page(request, kind, hot_spot_form=form, error=str(error), status=400)
    except services.AnalysisRefused as refused:
        return _analysis_page(request, kind, hot_spot_form=form, error=refused.message, status=400)
    return redirect("analyses:run", pk=run.pk)


# --- showing a result -----------------------------------------------------------------------------


def _grant_key(obj) -> str:
    return f"analyses-persons:{'saved' if isinstance(obj, SavedAnalysis) else 'run'}:{obj.pk}"


def _persons_shown(request, obj) -> bool:
    """Whether this look may show the persons the result names: a purpose stated for it in the last half
    hour (each look is recorded again with that purpose), and the permission for the unit."""
    if not obj.holds_person_level or not request.user.has_perm("org.view_person_level", obj.scope_unit):
        return False
    grant = request.session.get(_grant_key(obj))
    if not grant or grant["until"] < time.time():
        return False
    services.person_level_view_record(user=request.user, obj=obj, purpose=grant["purpose"], what="looked again at the persons in this analysis")
    return True


def _result_context(request, obj, *, show_persons: bool) -> dict:
    # A saved hot-spot map drawn from what was stored with it: the page reads the result's head and the map's head,
    # and the map fetches the cells as stored; the result itself (every cell's figures) stays in the database.
    stored_map = obj.map_head if isinstance(obj, SavedAnalysis) and obj.kind == AnalysisKind.HOTSPOTS and obj.has_stored_head else None
    if stored_map is not None:
        result = obj.result_head
    else:
        result = obj.result if (show_persons or not obj.holds_person_level) else services.person_level_removed(obj.kind, obj.result)
    context = {
        "result": result,
        "result_template": f"analyses/results/{obj.kind}.html",
        "show_persons": show_persons,
        "person_level": obj.holds_person_level,
        "purpose_form": PurposeForm(),
        "may_see_persons": request.user.has_perm("org.view_person_level", obj.scope_unit),
    }
    if obj.kind == AnalysisKind.NEAR_REPEAT:
        context["knox"] = charts.knox_table(result)
    elif obj.kind == AnalysisKind.HOT_TIMES:
        context["hot_times"] = charts.hot_times_table(result)
    elif obj.kind == AnalysisKind.HOTSPOTS:
        # Built only when the page draws the SVG grid (cells outside NZTM2000); the map component draws the others.
        context["map"] = SimpleLazyObject(lambda: charts.hotspot_map(result))
        if stored_map is not None:
            context.update(stored_map=stored_map, cells_url=reverse("analyses:saved_map_cells", args=[obj.pk]))
    elif obj.kind == AnalysisKind.CONCENTRATION:
        context["lorenz"] = charts.lorenz_plot(result)
    elif obj.kind == AnalysisKind.HARM:
        context["bars"] = charts.harm_bars(result)
    elif obj.kind == AnalysisKind.NETWORK:
        size_by = request.GET.get("size_by", "betweenness")
        if size_by not in dict(charts.SIZE_MEASURES):
            size_by = "betweenness"
        links = {}
        if isinstance(obj, SavedAnalysis) and show_persons:
            links = {link.node: link.person_key for link in selectors.node_links(user=request.user, analysis=obj)}
        context.update(
            drawing=charts.network_drawing(result, size_by=size_by, links=links),
            tables=charts.network_tables(result, size_by=size_by),
            size_by=size_by,
            size_measures=charts.SIZE_MEASURES,
            links=links,
        )
    elif obj.kind == AnalysisKind.DISPLACEMENT:
        context["sections"] = charts.displacement_sections(result)
    elif obj.kind == AnalysisKind.SPACE_TIME:
        context["space_time"] = charts.space_time_view(result)
    elif obj.kind == AnalysisKind.SPATIAL_DESCRIPTION:
        context["view"] = charts.centrography_view(result)
    elif obj.kind == AnalysisKind.AUTOCORRELATION:
        context["view"] = spatial_charts.autocorrelation_view(result)
    elif obj.kind == AnalysisKind.FORECAST_ACCURACY:
        context["view"] = spatial_charts.forecast_view(result)
    elif obj.kind == AnalysisKind.POINT_PATTERN:
        context["view"] = spatial_charts.point_pattern_view(result)
    elif obj.kind == AnalysisKind.EMERGING_HOTSPOTS:
        context["view"] = spatial_charts.emerging_view(result)
    return context


def _run_page(request, run: AnalysisRun, *, show_persons: bool | None = None, save_form=None, status=200):
    if show_persons is None:
        show_persons = _persons_shown(request, run) if run.status == RunStatus.DONE else False
    context = {"run": run, "slug": _slug(run.kind), "save_form": save_form or SaveForm(), "polling": not run.finished}
    if run.status == RunStatus.DONE:
        context.update(_result_context(request, run, show_persons=show_persons))
    return render(request, "analyses/run.html", context, status=status)


@login_required
def run_detail(request, pk: int):
    _may_run(request)
    return _run_page(request, selectors.analysis_run_get(user=request.user, pk=pk))


@login_required
def upload_status(request, pk: int):
    """The polled fragment of an upload the worker is checking; once it is ready, htmx reloads the whole page
    (which then offers its columns), and a refused file's located reason stays in the fragment."""
    _may_run(request)
    upload = selectors.analysis_upload_get(user=request.user, pk=pk)
    if upload.ready:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "analyses/_upload_status.html", {"upload": upload})


@login_required
def run_status(request, pk: int):
    """The polled fragment of a run in progress; once finished, htmx reloads the whole page."""
    _may_run(request)
    run = selectors.analysis_run_get(user=request.user, pk=pk)
    if run.finished:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    started = run.started_at or run.created_at
    return render(request, "analyses/_run_status.html", {"run": run, "elapsed": int((timezone.now() - started).total_seconds())})


def _purpose_then(request, obj, render_page):
    form = PurposeForm(request.POST)
    if not form.is_valid():
        return render_page(show_persons=False, status=400, purpose_form=form)
    try:
        services.person_level_view_record(user=request.user, obj=obj, purpose=form.cleaned_data["purpose"], what="looked at the persons in this analysis")
    except (PermissionDenied, ValidationError):
        raise PermissionDenied from None
    request.session[_grant_key(obj)] = {"purpose": form.cleaned_data["purpose"], "until": time.time() + PERSON_GRANT_SECONDS}
    return render_page(show_persons=True, status=200)


@login_required
@require_POST
def run_persons(request, pk: int):
    _may_run(request)
    run = selectors.analysis_run_get(user=request.user, pk=pk)

    def page(*, show_persons, status, purpose_form=None):
        response = _run_page(request, run, show_persons=show_persons, status=status)
        return response

    return _purpose_then(request, run, page)


@login_required
@require_POST
def run_save(request, pk: int):
    _may_run(request)
    run = selectors.analysis_run_get(user=request.user, pk=pk)
    form = SaveForm(request.POST)
    if not form.is_valid():
        return _run_page(request, run, save_form=form, status=400)
    try:
        saved = services.saved_analysis_from_run(user=request.user, run=run, title=form.cleaned_data["title"], keep_persons=form.cleaned_data["keep_persons"])
    except ValidationError as error:
        form.add_error(None, error)
        return _run_page(request, run, save_form=form, status=400)
    messages.success(request, f"Saved “{saved.title}”.")
    return redirect("analyses:saved", pk=saved.pk)


def _geojson(obj) -> JsonResponse:
    if obj.kind != AnalysisKind.HOTSPOTS:
        raise Http404("Only hot spots have a map to download")
    response = JsonResponse(sources.hotspots_geojson(obj.result), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="hotspots-{obj.pk}.geojson"'
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
def run_geojson(request, pk: int):
    _may_run(request)
    return _geojson(selectors.analysis_run_get(user=request.user, pk=pk))


# --- saved analyses -------------------------------------------------------------------------------


def _saved_page(request, saved: SavedAnalysis, *, show_persons: bool | None = None, link_form=None, status=200):
    if show_persons is None:
        show_persons = _persons_shown(request, saved)
    context = {"saved": saved, "slug": _slug(saved.kind), "parameters_json": json.dumps(saved.parameters, indent=2, ensure_ascii=False)}
    context.update(_result_context(request, saved, show_persons=show_persons))
    # Cited by: the insights products and problem-solving cases the user may see that link this analysis.
    context["cited_products"] = tasking_products.products_citing_analysis(user=request.user, analysis=saved)
    context["cited_cases"] = problems_selectors.cases_citing_analysis(user=request.user, analysis=saved)
    if saved.kind == AnalysisKind.NETWORK and show_persons and request.user.has_perm("analyses.link_persons", saved):
        nodes = [n["node"] for n in saved.result.get("nodes") or []]
        context["link_form"] = link_form or NodeLinkForm(nodes=nodes)
    return render(request, "analyses/saved.html", context, status=status)


@login_required
def saved_detail(request, pk: int):
    _may_read(request)
    saved = selectors.saved_analysis_get(user=request.user, pk=pk, page=True)
    if saved.kind == AnalysisKind.HOTSPOTS and not saved.has_stored_head:
        saved = services.saved_analysis_head_store(saved=saved)  # saved before heads were kept: once, on this view
    if request.method == "POST":
        return _purpose_then(
            request, saved, lambda *, show_persons, status, purpose_form=None: _saved_page(request, saved, show_persons=show_persons, status=status)
        )
    return _saved_page(request, saved)


@login_required
def saved_map_cells(request, pk: int):
    """The cells of a saved hot-spot analysis's map, as stored when it was saved (the page's map fetches them), with
    an entity tag: the browser asks again each time and gets 304 Not Modified while the user may still read them."""
    _may_read(request)
    saved, cells = selectors.saved_analysis_map_cells(user=request.user, pk=pk)
    if saved.kind != AnalysisKind.HOTSPOTS:
        raise Http404("Only hot spots have a map of cells")
    if not cells and saved.result_head is None:
        cells = services.saved_analysis_head_store(saved=saved).map_cells
    if not cells:
        raise Http404("This grid is not in NZTM2000, so it has no cells for the map")
    # The cells never change once saved: a browser that holds them is answered 304 with no body, after the checks above.
    return revalidated_json(request, cells, entity_tag(f"cells-{saved.pk}", cells))


@login_required
def saved_geojson(request, pk: int):
    _may_read(request)
    return _geojson(selectors.saved_analysis_get(user=request.user, pk=pk))


@login_required
@require_POST
def saved_link(request, pk: int):
    _may_read(request)
    saved = selectors.saved_analysis_get(user=request.user, pk=pk)
    if not request.user.has_perm("analyses.link_persons", saved):
        raise PermissionDenied
    form = NodeLinkForm(request.POST, nodes=[n["node"] for n in saved.result.get("nodes") or []])
    if not form.is_valid():
        return _saved_page(request, saved, show_persons=True, link_form=form, status=400)
    try:
        link = services.node_person_link(
            user=request.user,
            analysis=saved,
            node=form.cleaned_data["node"],
            purpose=form.cleaned_data["purpose"],
            identifier=form.cleaned_data["identifier"],
            person_key=form.cleaned_data["person_key"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _saved_page(request, saved, show_persons=True, link_form=form, status=400)
    request.session[_grant_key(saved)] = {"purpose": form.cleaned_data["purpose"], "until": time.time() + PERSON_GRANT_SECONDS}
    messages.success(request, f"Linked {link.node} to person {link.person_key[:12]}….")
    return redirect("analyses:saved", pk=saved.pk)
