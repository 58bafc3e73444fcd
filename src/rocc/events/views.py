"""Pages of the events capability: the overview, importing a file (with progress), a batch's validation report
and rejected rows, and the Victim Focus lookup."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from rocc.events import selectors, services
from rocc.events.forms import ImportForm, VictimFocusForm
from rocc.events.mapping import MappingInvalid, mapping_from_yaml
from rocc.events.models import EventSource


@login_required
def overview(request):
    if not request.user.has_perm("org.view_reference"):
        raise PermissionDenied
    may_read = request.user.has_perm("events.view_events")
    summary = selectors.events_summary(user=request.user) if may_read else None
    by_unit = [] if summary is None else [{"unit": r.unit_code, "events": int(r.events)} for r in summary.itertuples()]
    may_import = request.user.has_perm("events.import_events")
    return render(
        request,
        "events/overview.html",
        {
            "may_read": may_read,
            "events_total": sum(r["events"] for r in by_unit),
            "by_unit": by_unit,
            "first": summary["first"].min() if by_unit else None,
            "last": summary["last"].max() if by_unit else None,
            "may_import": may_import,
            "batches": selectors.batches_list(user=request.user)[:10] if may_import else [],
            "may_look_up": request.user.has_perm("events.victim_focus_lookup"),
        },
    )


@login_required
def import_page(request):
    if not request.user.has_perm("events.import_events"):
        raise PermissionDenied
    sources = EventSource.objects.all()
    form = ImportForm(request.POST or None, request.FILES or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        try:
            source = _source_for(request, form)
            batch = services.batch_queue(user=request.user, source=source, upload=form.cleaned_data["file"], partial=form.cleaned_data["partial"])
        except MappingInvalid as invalid:
            for problem in invalid.problems:
                form.add_error("mapping", problem)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("events:batch", batch_id=batch.pk)
    return render(request, "events/import.html", {"form": form, "sources": sources}, status=422 if form.errors else 200)


def _source_for(request, form) -> EventSource:
    mapping_file = form.cleaned_data.get("mapping")
    name = form.cleaned_data.get("source") or form.cleaned_data.get("new_source")
    if mapping_file:
        text = mapping_file.read().decode("utf-8-sig", errors="replace")
        mapping = mapping_from_yaml(text, source=mapping_file.name, default_name=name)
        if mapping.name != name:
            raise MappingInvalid([f"{mapping_file.name}: the mapping is for source '{mapping.name}', not '{name}'"])
        return services.source_save(user=request.user, mapping=mapping)
    return EventSource.objects.get(name=name)


@login_required
def batch_detail(request, batch_id: int):
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    return render(request, "events/batch.html", {"batch": batch})


@login_required
def batch_status(request, batch_id: int):
    """The status panel alone: the batch page polls it with htmx until the import has finished."""
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    return render(request, "events/_batch_status.html", {"batch": batch})


@login_required
def batch_rejects(request, batch_id: int):
    batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    path = services.rejects_path(batch)
    if path is None or not path.exists():
        raise Http404("This batch has no rejected rows.")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"rejected-rows-batch-{batch.pk}.csv", content_type="text/csv")


@login_required
def victim_focus(request):
    if not request.user.has_perm("events.victim_focus_lookup"):
        raise PermissionDenied
    form = VictimFocusForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = selectors.victim_focus_lookup(user=request.user, identifier=form.cleaned_data["person"], purpose=form.cleaned_data["purpose"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("purpose", message)
        except ValueError as error:
            form.add_error("person", str(error))
        else:
            messages.info(request, "This lookup was recorded in the audit trail with its purpose.")
            form = VictimFocusForm()  # the identifier is not echoed back into the page
    return render(request, "events/victim_focus.html", {"form": form, "found": found})
