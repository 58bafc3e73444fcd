"""Pages of governance report packs: ask for one, watch it being generated, download it again later."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from rocc.core.errors import InvalidInput
from rocc.governance import selectors, services
from rocc.governance.forms import PackForm

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def packs(request):
    packs = selectors.pack_list(user=request.user)[:50]
    units = selectors.units_for_packs(user=request.user)
    form = PackForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            pack = services.pack_request(
                user=request.user, unit=form.units[form.cleaned_data["unit"]], period=form.cleaned_data["period"], audience=form.cleaned_data["audience"]
            )
        except InvalidInput as invalid:
            for name, errors in invalid.field_errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            return redirect("governance:pack", pack.pk)
    return render(request, "governance/packs.html", {"form": form, "packs": packs})


@login_required
def pack(request, pack_id: int):
    return render(request, "governance/pack.html", {"pack": selectors.pack_get(user=request.user, pk=pack_id)})


@login_required
def pack_status(request, pack_id: int):
    """The status panel alone: the pack page polls it with htmx until the pack is ready or has failed."""
    return render(request, "governance/_pack_status.html", {"pack": selectors.pack_get(user=request.user, pk=pack_id)})


@login_required
def pack_download(request, pack_id: int, kind: str):
    pack, data = selectors.pack_file(user=request.user, pk=pack_id, kind=kind)
    response = HttpResponse(data, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{pack.file_stem()}.{kind}"'
    return response
