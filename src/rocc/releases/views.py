"""Pages of public releases: the anonymous public pages (scorecard, indicator, action plan, earlier releases, the
calendar, open-data files, embeddable views) and, signed in, the programme office's release management, previews,
and a provider's consent page."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_POST

from rocc.core.errors import Conflict, InvalidInput
from rocc.core.middleware import allow_framing
from rocc.core.spreadsheets import csv_dict_writer
from rocc.measures.selectors import indicators_for, units_for_measures
from rocc.org.models import OrgUnit
from rocc.releases import selectors, services
from rocc.releases.models import DistrictIndicator, ReleaseStage, release_stage
from rocc.returns.selectors import data_set_get

# --- public pages (no sign-in; only live releases reach them) ------------------------------------------------------


def _public_context(request, version, *, base_url: str, preview: bool = False, embed: bool = False) -> dict:
    return {
        "release": version.release,
        "version": version,
        "content": version.content,
        "base_url": base_url,
        "preview": preview,
        "embed": embed,
        "licence": version.content.get("licence") or selectors.open_data_licence(),
        "district_own": [(i, c) for i in version.content["indicators"] if i["scope"] == "district" for c in i["cells"]],
        "later_versions": []
        if preview
        else list(selectors.published_versions().filter(release=version.release, number__gt=version.number).only("number", "release")),
    }


def _version_url(version, *, latest: bool) -> str:
    if latest:
        return reverse("releases:release", args=[version.release.slug])
    return reverse("releases:release_version", args=[version.release.slug, version.number])


def _public_version(slug: str, number: int | None):
    release = selectors.public_release_get(slug=slug)
    return selectors.public_version_get(release=release, number=number)


def public_home(request):
    """The latest release's scorecard, or a page saying none is published yet."""
    version = selectors.latest_public_version()
    if version is None:
        return render(request, "releases/public_none.html", {"calendar": selectors.release_calendar()})
    return render(request, "releases/scorecard.html", _public_context(request, version, base_url=_version_url(version, latest=True)))


def public_release(request, slug: str, number: int | None = None):
    version = _public_version(slug, number)
    return render(request, "releases/scorecard.html", _public_context(request, version, base_url=_version_url(version, latest=number is None)))


def _indicator_context(request, version, code: str, context: dict) -> dict:
    indicator = selectors.indicator_with_curves(version, code)
    cells = indicator["cells"]
    wanted = request.GET.get("unit") or ""
    cell = next((c for c in cells if c["unit"] == wanted), None) or (cells[0] if cells else None)
    if cell is None:
        raise Http404("This indicator has no figures in this release")
    return {**context, "indicator": indicator, "cell": cell, "cells": cells}


def public_indicator(request, slug: str, code: str, number: int | None = None):
    version = _public_version(slug, number)
    context = _public_context(request, version, base_url=_version_url(version, latest=number is None))
    return render(request, "releases/indicator.html", _indicator_context(request, version, code, context))


def public_action_plan(request, slug: str, number: int | None = None):
    version = _public_version(slug, number)
    return render(request, "releases/action_plan.html", _public_context(request, version, base_url=_version_url(version, latest=number is None)))


def public_releases(request):
    """Every published release and its versions, newest first."""
    releases = [(r, list(selectors.published_versions().filter(release=r).defer("content", "withheld"))) for r in selectors.live_releases()]
    return render(request, "releases/releases.html", {"releases": releases})


def public_calendar(request):
    return render(request, "releases/calendar.html", {"calendar": selectors.release_calendar()})


def _licence_headers(response: HttpResponse, licence: dict) -> HttpResponse:
    response["Link"] = f'<{licence["url"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: partners' pages may load it as they load Stats NZ's
    return response


def public_data(request, slug: str, fmt: str, number: int | None = None):
    """The version's figures as CSV or JSON, under the stated licence, at a stable address per release (and per version)."""
    version = _public_version(slug, number)
    licence = version.content.get("licence") or selectors.open_data_licence()
    rows = selectors.open_data_rows(version)
    name = f"{version.release.slug}-v{version.number}"
    if fmt == "json":
        document = {
            "release": version.release.slug,
            "title": version.content["title"],
            "version": version.number,
            "reference_date": version.content["reference_date"],
            "published_at": (version.published_at or version.release.go_live_at).isoformat(),
            "note": version.note,
            "licence": licence,
            "disclosure": version.content["disclosure"],
            "figures": rows,
        }
        response: HttpResponse = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    elif fmt == "csv":
        buffer = io.StringIO()
        columns = ["release", "version", "reference_date", "indicator", "indicator_name", "unit", "unit_name", "measure"]
        columns += ["period", "period_end", "count", "value", "status", "note"]
        writer = csv_dict_writer(buffer, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404("Open data comes as .csv or .json")
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return _licence_headers(response, licence)


@allow_framing
def embed_scorecard(request, slug: str):
    version = _public_version(slug, None)
    return render(request, "releases/embed_scorecard.html", _public_context(request, version, base_url=_version_url(version, latest=True), embed=True))


@allow_framing
def embed_indicator(request, slug: str, code: str):
    version = _public_version(slug, None)
    context = _public_context(request, version, base_url=_version_url(version, latest=True), embed=True)
    return render(request, "releases/embed_indicator.html", _indicator_context(request, version, code, context))


# --- release management (signed in) -------------------------------------------------------------------------------


def _date(raw) -> dt.date | None:
    return parse_date(raw) if raw else None


def _failed(request, error: Exception) -> None:
    if isinstance(error, InvalidInput):
        details = "; ".join(f"{', '.join(v)}" for v in error.field_errors.values()) or error.message
        messages.error(request, details)
    else:
        messages.error(request, str(getattr(error, "message", "") or error))


@login_required
def manage(request):
    user = request.user
    releases = selectors.release_list(user=user)
    if request.method == "POST":
        try:
            release = services.release_create(
                user=user,
                title=request.POST.get("title", ""),
                slug=request.POST.get("slug", ""),
                summary=request.POST.get("summary", ""),
                reference_date=_date(request.POST.get("reference_date")),
                planned_for=_date(request.POST.get("planned_for")),
            )
        except (InvalidInput, PermissionDenied) as error:
            _failed(request, error)
        else:
            messages.success(request, "Release drafted with every indicator marked for publication.")
            return redirect("releases:manage_release", release.slug)
    return render(
        request,
        "releases/manage_list.html",
        {"releases": [(r, ReleaseStage(release_stage(r)).label) for r in releases], "may_create": user.has_perm("releases.create_release")},
    )


def _district_indicators(user, districts) -> list:
    """The indicators this user may publish for one of these districts: the programme office any, a coordinator
    their districts' own (the rule in rules.py decides, per district)."""
    indicators = list(indicators_for(user=user).select_related("owner_unit"))
    return [i for i in indicators if any(user.has_perm("releases.publish_district_indicator", DistrictIndicator(unit=d, indicator=i)) for d in districts)]


def _manage_context(request, release) -> dict:

    user = request.user
    preview = selectors.release_preview(user=user, release=release)
    chosen = set(release.indicators.values_list("code", flat=True))
    districts = [u for u in units_for_measures(user=user) if u.level == "district" and user.has_perm("releases.choose_district_indicator", u)]
    return {
        "release": release,
        "stage": ReleaseStage(release_stage(release)).label,
        "frozen": preview,
        "versions": release.versions.defer("content").order_by("number"),
        "indicators": [(i, i.code in chosen) for i in indicators_for(user=user).filter(is_published=True, owner_unit__isnull=True)],
        "district_indicators": _district_indicators(user, districts),
        "districts": districts,
        "district_choices": release.district_indicators.select_related("unit", "indicator"),
        "stories": release.stories.select_related("indicator", "unit"),
        "units": units_for_measures(user=user),
        "may_district": bool(districts) and user.has_perm("releases.district_indicators_release", release),
        "may": {move: user.has_perm(f"releases.{move}_release", release) for move in ("edit", "freeze", "schedule", "unschedule", "revise", "cancel")},
        "freeze": selectors.release_freeze_latest(user=user, release=release),
    }


@login_required
def manage_release(request, slug: str):
    release = selectors.release_get(user=request.user, slug=slug)
    return render(request, "releases/manage_release.html", _manage_context(request, release))


@login_required
def freeze_status(request, slug: str):
    """The freeze panel alone: the release page polls it with htmx while the worker computes the figures."""
    release = selectors.release_get(user=request.user, slug=slug)
    freeze = selectors.release_freeze_latest(user=request.user, release=release)
    response = render(request, "releases/_freeze_status.html", {"release": release, "freeze": freeze})
    if freeze is not None and freeze.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # done: the whole page changes (its preview link, versions, moves)
    return response


@login_required
@require_POST
def manage_action(request, slug: str, action: str):
    user = request.user
    release = selectors.release_get(user=user, slug=slug)
    post = request.POST
    version = int(post["version"]) if post.get("version", "").isdigit() else None
    try:
        if action == "edit":
            services.release_update(
                user=user,
                release=release,
                version=version or 0,
                title=post.get("title", ""),
                summary=post.get("summary", ""),
                reference_date=_date(post.get("reference_date")),
                planned_for=_date(post.get("planned_for")),
                indicator_codes=post.getlist("indicators"),
                include_action_plan=bool(post.get("include_action_plan")),
            )
            done = "Release changed: freeze it again to see the change in the preview."
        elif action == "freeze":
            services.release_freeze_request(user=user, release=release, version=version)
            done = "Freezing: the worker is computing the figures; this page shows its progress, then the preview."
        elif action == "schedule":
            raw = post.get("go_live_at", "")
            go_live = parse_datetime(raw) if raw else None
            services.release_schedule(user=user, release=release, go_live_at=go_live, version=version or 0)
            done = "Scheduled: it goes live at the time set."
        elif action == "unschedule":
            services.release_unschedule(user=user, release=release, version=version or 0)
            done = "Taken off the schedule: the release is a draft again."
        elif action == "revise":
            services.release_revise_request(user=user, release=release, note=post.get("note", ""), version=version or 0)
            done = "The corrected version is being computed: it is published when done (this page shows its progress); earlier versions stay readable."
        elif action == "cancel":
            services.release_cancel(user=user, release=release, version=version or 0)
            done = "Release cancelled."
        elif action == "district":
            unit = OrgUnit.objects.filter(code=post.get("unit", "")).first()
            if unit is None:
                raise InvalidInput(field_errors={"unit": ["Choose a district."]})
            services.district_indicator_add(user=user, release=release, unit=unit, indicator_code=post.get("indicator", ""))
            done = "District indicator added."
        elif action == "district-remove":
            choice = DistrictIndicator.objects.filter(release=release, pk=post.get("choice") or 0).select_related("unit", "release").first()
            if choice is None:
                raise Http404
            services.district_indicator_remove(user=user, choice=choice)
            done = "District indicator removed."
        elif action == "story":
            unit = OrgUnit.objects.filter(code=post.get("unit", "")).first()
            if unit is None:
                raise InvalidInput(field_errors={"unit": ["Choose a unit."]})
            services.release_story_choose(user=user, release=release, indicator_code=post.get("indicator", ""), unit=unit, chosen=post.get("chosen") != "0")
            done = "Stories changed."
        else:
            raise Http404
    except (InvalidInput, Conflict, PermissionDenied) as error:
        _failed(request, error)
    else:
        messages.success(request, done)
    return redirect("releases:manage_release", release.slug)


@login_required
def preview(request, slug: str, code: str | None = None, page: str = "scorecard"):
    """The frozen release exactly as the public will see it, with what was left out and why."""
    release = selectors.release_get(user=request.user, slug=slug)
    version = selectors.release_preview(user=request.user, release=release)
    if version is None:
        messages.error(request, "Freeze the release first: the preview shows the frozen figures.")
        return redirect("releases:manage_release", slug)
    context = _public_context(request, version, base_url=reverse("releases:preview", args=[slug]), preview=True)
    if code is not None:
        return render(request, "releases/indicator.html", _indicator_context(request, version, code, context))
    if page == "action-plan":
        return render(request, "releases/action_plan.html", context)
    return render(request, "releases/scorecard.html", context)


# --- a provider's consent -------------------------------------------------------------------------------------


@login_required
def consent(request):

    user = request.user
    if request.method == "POST":
        try:
            data_set = data_set_get(user=user, code=request.POST.get("data_set", ""))
            decided = services.consent_decide(user=user, data_set=data_set, given=request.POST.get("given") == "1", note=request.POST.get("note", ""))
        except PermissionDenied as error:
            _failed(request, error)
        else:
            messages.success(request, f"Recorded: {'agreed to publish' if decided.given else 'consent withdrawn for'} {data_set.name}.")
        return redirect("releases:consent")
    return render(
        request,
        "releases/consent.html",
        {"rows": selectors.consents_for(user=user), "publications": selectors.publications_of_provider(user=user), "now": timezone.now()},
    )
