"""Every read of releases: the snapshot a release freezes (figures through the public disclosure gate, less those
without their provider's consent), the live releases anonymous visitors see, previews, the calendar, providers'
consent and where their figures were published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.measures.disclosure import DisclosureRules
from rocc.measures.models import Status
from rocc.measures.selectors import (
    indicator_data,
    indicator_dict,
    indicators_for,
    narrative_for,
    population_table,
    series_for,
    units_for_measures,
)
from rocc.org.models import OrgUnit
from rocc.org.scope import scope_of
from rocc.releases.models import (
    PublicationConsent,
    Release,
    ReleaseStage,
    ReleaseStatus,
    ReleaseVersion,
    release_stage,
)
from rocc.returns.selectors import data_set_assignments, data_set_list, return_list
from rocc.strategy.selectors import frameworks as strategy_selectors

DEFAULT_LICENCE = {"name": "Creative Commons Attribution 4.0 International (CC BY 4.0)", "url": "https://creativecommons.org/licenses/by/4.0/"}
NO_CONSENT = "Not published: the provider whose returns give these figures has not agreed to their publication."


def open_data_licence() -> dict[str, str]:
    """The licence open-data files are offered under (``ROCC_OPEN_DATA_LICENCE``; CC BY 4.0 by default)."""
    configured = getattr(settings, "ROCC_OPEN_DATA_LICENCE", None) or {}
    return {"name": configured.get("name", DEFAULT_LICENCE["name"]), "url": configured.get("url", DEFAULT_LICENCE["url"])}


def public_headings_mi() -> dict[str, str]:
    """Te reo Māori headings the deployment supplies (``ROCC_PUBLIC_HEADINGS_MI``: English heading → te reo). rocc ships
    none of its own: the wording comes from the deployment or the source documents, never from us."""
    return dict(getattr(settings, "ROCC_PUBLIC_HEADINGS_MI", None) or {})


# --- consent ---------------------------------------------------------------------------------------------------


def consent_latest(*, data_set_id: int, agency_id: int) -> PublicationConsent | None:
    return PublicationConsent.objects.filter(data_set_id=data_set_id, agency_id=agency_id).order_by("-decided_at", "-pk").first()


def _consents_standing() -> dict[tuple[int, int], bool]:
    """(data set, agency) → whether the latest decision agrees to publication."""
    standing: dict[tuple[int, int], bool] = {}
    for data_set_id, agency_id, given in PublicationConsent.objects.order_by("decided_at", "pk").values_list("data_set_id", "agency_id", "given"):
        standing[(data_set_id, agency_id)] = given
    return standing


@dataclass
class ConsentRow:
    """One data set a provider reports, with its standing decision and the decisions before it."""

    data_set: Any
    agency: Any
    units: list[str]
    given: bool
    latest: PublicationConsent | None
    history: list[PublicationConsent] = field(default_factory=list)


def consents_for(*, user) -> list[ConsentRow]:
    """The data sets the provider reporter's agency reports, each with its consent to publish (none given: not
    published). Read through the returns selectors, so a provider sees only its own assignments."""

    if not user.has_perm("releases.use_consent"):
        raise PermissionDenied("Only a provider's own reporter decides on publishing its figures.")
    rows = []
    for data_set in data_set_list(user=user):
        assignments = list(data_set_assignments(user=user, data_set=data_set))
        if not assignments:
            continue
        agency = assignments[0].agency
        history = list(PublicationConsent.objects.filter(data_set=data_set, agency=agency).select_related("decided_by").order_by("-decided_at", "-pk"))
        rows.append(
            ConsentRow(
                data_set=data_set,
                agency=agency,
                units=[a.unit.name for a in assignments],
                given=bool(history and history[0].given),
                latest=history[0] if history else None,
                history=history,
            )
        )
    return rows


def publications_of_provider(*, user) -> list[dict]:
    """Where the provider's figures were published: each published release version whose figures include its returns."""
    if not user.has_perm("releases.use_consent"):
        raise PermissionDenied("Only a provider's reporter sees where its figures were published.")
    agency_id = scope_of(user).agency_id
    out = []
    for version in published_versions().select_related("release").defer("content"):
        mine = [s for s in version.sources if s.get("agency_id") == agency_id]
        if mine:
            out.append({"release": version.release, "version": version, "sources": mine})
    return out


def consents_overview(*, user) -> QuerySet[PublicationConsent]:
    """Every consent decision (the programme office checks who agreed to what before preparing a release)."""
    if not user.has_perm("releases.view_consents"):
        raise PermissionDenied
    return PublicationConsent.objects.select_related("data_set", "agency", "decided_by").order_by("-decided_at", "-pk")


# --- the snapshot ----------------------------------------------------------------------------------------------


def _provider_sources(*, user, indicator_codes: set[str], reference_date: dt.date) -> list[dict]:
    """Every (data set, provider, unit, indicator) whose approved returns up to the reference date landed as
    observations of these indicators, read through the returns selectors."""

    rows = (
        return_list(user=user, status="approved")
        .filter(values__indicator__code__in=indicator_codes, values__value__isnull=False, period_end__lte=reference_date)
        .values_list("data_set_id", "data_set__code", "data_set__name", "provider_id", "provider__short_name", "unit__path", "values__indicator__code")
        .distinct()
    )
    return [
        {"data_set_id": r[0], "data_set": r[1], "data_set_name": r[2], "agency_id": r[3], "agency": r[4], "unit_path": r[5], "indicator": r[6]} for r in rows
    ]


def _action_plan_progress(*, user) -> list[dict]:
    """The national action plans' activities and their status, read through the strategy selectors."""
    plans = []
    for plan in strategy_selectors.action_plan_list(user=user).filter(scope_unit__parent__isnull=True).exclude(status="draft").order_by("year"):
        activities = []
        counts: dict[str, int] = {}
        for activity in strategy_selectors.activity_list(user=user, plan=plan).order_by("number"):
            label = activity.get_status_display()
            counts[label] = counts.get(label, 0) + 1
            activities.append(
                {
                    "number": activity.number,
                    "title": activity.title or activity.description[:120],
                    "area": activity.priority_action_area.title if activity.priority_action_area_id else "",
                    "status": activity.status,
                    "status_label": label,
                    "lead": [a.short_name for a in activity.lead_agencies] if not activity.all_agencies_lead else ["All agencies"],
                }
            )
        plans.append({"title": plan.title, "year": plan.year, "counts": counts, "activities": activities})
    return plans


def _point_row(point: dict) -> dict:
    return {
        "period": point["period"],
        "label": point["label"],
        "period_end": point["period_end"],
        "numerator": point["numerator"],
        "value": point["value"],
        "suppressed": point["suppressed"],
        "is_approximate": point["is_approximate"],
        "status": point["status"],
    }


def _public_cell(*, user, data, unit: OrgUnit, reference_date: dt.date) -> dict:
    """One indicator's curve in one unit as at the reference date, through the public disclosure gate: counts rounded
    or suppressed, then value, status and trend computed from what the gate let out."""

    # As at the reference date: a period that ends after it is not in this release.
    payload = series_for(user=user, indicator=data.indicator, unit=unit, public=True, as_at=reference_date, with_forecast=False, data=data)
    points = [_point_row(p) for p in payload["points"]]
    latest = next((p for p in reversed(points) if p["value"] is not None or p["suppressed"]), None)
    status = payload["status"]

    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "withheld": None,
        "period_type": payload["period_type"],
        "disclosure_applied": payload["disclosure_applied"],
        "baseline_label": payload["baseline_label"],
        "target": payload["target"],
        "status": status["status"],
        "status_label": Status(status["status"]).label,
        "explanation": status["explanation"],
        "trend_text": payload["trend_text"],
        "latest": latest,
        "points": points,
    }


def _definition(indicator) -> dict:

    described = indicator_dict(indicator)
    keep: tuple[str, ...] = ("number", "effective_from", "description", "kind_label", "unit_label", "numerator", "denominator", "factor", "polarity")
    keep += ("period_label", "data_source", "responsible_agency", "responsibility", "change_note")
    return {
        "current": {k: described["current"].get(k) for k in keep} if described["current"] else None,
        "versions": [{k: v.get(k) for k in keep} for v in described["versions"]],
    }


@dataclass
class Snapshot:
    content: dict
    withheld: list[dict]
    sources: list[dict]
    curves: dict[str, dict[str, list[dict]]] = field(default_factory=dict)  # indicator → unit → points

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps([self.content, self.curves], sort_keys=True, default=str).encode()).hexdigest()


def release_snapshot_compute(*, user, release: Release) -> Snapshot:
    """Everything the release's public pages and files show, computed now and then stored (never recomputed): the
    chosen indicators nationally and by district, each district's own chosen indicators, stories and the action
    plan's progress. A unit's figures of an indicator that include returns of a provider without consent for that
    data set are left out, and listed in ``withheld``."""

    if not user.has_perm("releases.create_release"):
        raise PermissionDenied("Only the programme office computes a release's figures.")
    reference_date = release.reference_date
    units = list(units_for_measures(user=user))
    national = [u for u in units if u.parent_id is None]
    chosen_codes = set(release.indicators.values_list("code", flat=True))
    district_choice: dict[str, set[str]] = {}
    for code, path in release.district_indicators.values_list("indicator__code", "unit__path"):
        district_choice.setdefault(code, set()).add(path)
    codes = chosen_codes | set(district_choice)
    indicators = [i for i in indicators_for(user=user).filter(code__in=codes) if i.versions.exists()]

    standing = _consents_standing()
    sources = _provider_sources(user=user, indicator_codes=codes, reference_date=reference_date)
    refused = [s for s in sources if not standing.get((s["data_set_id"], s["agency_id"]), False)]

    population = population_table()
    all_units = {u.path: u for u in OrgUnit.objects.all()}
    withheld: list[dict] = []
    used_sources: dict[tuple, dict] = {}
    indicator_rows = []
    curves: dict[str, dict[str, list[dict]]] = {}
    for indicator in indicators:
        data = indicator_data(indicator, populations=population, units=all_units)
        wanted = units if indicator.code in chosen_codes else [u for u in units if u.path in district_choice.get(indicator.code, set())]
        cells = []
        for unit in wanted:
            blocking = [s for s in refused if s["indicator"] == indicator.code and s["unit_path"].startswith(unit.path)]
            if blocking:
                cells.append({"unit": unit.code, "unit_name": unit.name, "withheld": NO_CONSENT, "latest": None, "status": None})
                for s in blocking:
                    withheld.append(
                        {"indicator": indicator.code, "unit": unit.code, "agency": s["agency"], "data_set": s["data_set"], "data_set_name": s["data_set_name"]}
                    )
                continue
            cell = _public_cell(user=user, data=data, unit=unit, reference_date=reference_date)
            curves.setdefault(indicator.code, {})[unit.code] = cell.pop("points")
            cell["periods"] = len(curves[indicator.code][unit.code])
            cells.append(cell)
            for s in sources:
                if s["indicator"] == indicator.code and s["unit_path"].startswith(unit.path):
                    key = (s["data_set_id"], s["agency_id"])
                    entry = used_sources.setdefault(
                        key, {"data_set": s["data_set"], "data_set_name": s["data_set_name"], "agency_id": s["agency_id"], "agency": s["agency"], "figures": []}
                    )
                    figure = f"{indicator.code}@{unit.code}"
                    if figure not in entry["figures"]:
                        entry["figures"].append(figure)
        version = data.current
        indicator_rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "scope": "national" if indicator.code in chosen_codes else "district",
                "unit_label": version.unit_label,
                "polarity": version.polarity,
                "is_rate": version.is_rate,
                "definition": _definition(indicator),
                "cells": cells,
            }
        )

    stories = []
    for story in release.stories.select_related("indicator", "unit"):
        narrative = narrative_for(user=user, indicator=story.indicator, unit=story.unit)
        if narrative is None:
            continue
        stories.append(
            {
                "indicator": story.indicator.code,
                "indicator_name": story.indicator.name,
                "unit": story.unit.code,
                "unit_name": story.unit.name,
                "story_behind_curve": narrative.story_behind_curve,
                "partners": narrative.partners,
                "what_works": narrative.what_works,
                "action_plan": narrative.action_plan,
            }
        )
    rules = DisclosureRules.from_settings()
    content = {
        "slug": release.slug,
        "title": release.title,
        "summary": release.summary,
        "reference_date": reference_date.isoformat(),
        "units": [{"code": u.code, "name": u.name, "national": u in national} for u in units],
        "indicators": indicator_rows,
        "stories": stories,
        "action_plan": _action_plan_progress(user=user) if release.include_action_plan else [],
        "disclosure": {
            "suppress_below": rules.suppress_below,
            "base": rules.base,
            "text": f"Counts from 1 to {rules.suppress_below - 1} are suppressed; every other count is randomly rounded to a multiple "
            f"of {rules.base}, and rates, statuses and trends are computed from the rounded counts.",
        },
        "withheld_count": len(withheld),
        "licence": open_data_licence(),
    }
    return Snapshot(content=content, withheld=withheld, sources=list(used_sources.values()), curves=curves)


# --- management reads ------------------------------------------------------------------------------------------


def release_list(*, user) -> QuerySet[Release]:
    if not user.has_perm("releases.view_manage"):
        raise PermissionDenied("Only the programme office and regional coordinators prepare releases.")
    return Release.objects.select_related("created_by").prefetch_related(
        Prefetch("versions", queryset=ReleaseVersion.objects.defer("content", "withheld", "sources"))
    )


def release_get(*, user, slug: str) -> Release:
    found = release_list(user=user).filter(slug=slug).first()
    if found is None:
        raise Http404("No such release")
    return found


def release_preview(*, user, release: Release, number: int | None = None) -> ReleaseVersion | None:
    """The frozen version the public will see (the latest by default), for those who prepare releases; None before
    the release is frozen."""
    if not user.has_perm("releases.preview_release"):
        raise PermissionDenied
    versions = release.versions.order_by("-number")
    if number is not None:
        versions = versions.filter(number=number)
    return versions.first()


# --- public reads (no permission: only live releases and their published versions) -----------------------------


def live_releases(*, now: dt.datetime | None = None) -> QuerySet[Release]:
    """Releases past their embargo, newest first."""
    now = now or timezone.now()
    return Release.objects.filter(status=ReleaseStatus.SCHEDULED, go_live_at__lte=now).order_by("-go_live_at", "-pk")


def published_versions(*, now: dt.datetime | None = None) -> QuerySet[ReleaseVersion]:
    """Every version the public may read: of a live release, published at or before now."""
    now = now or timezone.now()
    return ReleaseVersion.objects.filter(release__in=live_releases(now=now)).filter(Q(number=1) | Q(published_at__lte=now)).order_by("release", "number")


def public_release_get(*, slug: str, now: dt.datetime | None = None) -> Release:
    found = live_releases(now=now).filter(slug=slug).first()
    if found is None:
        raise Http404("No such published release")
    return found


def public_version_get(*, release: Release, number: int | None = None, now: dt.datetime | None = None) -> ReleaseVersion:
    """A published version of a live release: the latest by default."""
    versions = published_versions(now=now).filter(release=release).order_by("-number")
    if number is not None:
        versions = versions.filter(number=number)
    found = versions.first()
    if found is None:
        raise Http404("No such version of this release")
    return found


def latest_public_version(*, now: dt.datetime | None = None) -> ReleaseVersion | None:
    release = live_releases(now=now).first()
    return public_version_get(release=release, now=now) if release is not None else None


def release_calendar(*, now: dt.datetime | None = None) -> dict:
    """What the calendar announces: releases planned (draft or embargoed: title and date only) and published ones."""
    now = now or timezone.now()
    planned, published = [], []
    for release in Release.objects.exclude(status=ReleaseStatus.CANCELLED).order_by("planned_for", "pk"):
        stage = release_stage(release, now)
        if stage == ReleaseStage.LIVE:
            published.append(release)
        else:
            planned.append(release)
    return {"planned": planned, "published": list(reversed(published))}


def indicator_in(content: dict, code: str) -> dict:
    found = next((i for i in content["indicators"] if i["code"] == code), None)
    if found is None:
        raise Http404("This release has no such indicator")
    return found


def version_curves(version: ReleaseVersion, code: str | None = None) -> dict[str, dict[str, list[dict]]]:
    """The stored curves of a version (of one indicator when ``code`` is given): indicator → unit → points."""
    rows = version.curves.all()
    if code is not None:
        rows = rows.filter(indicator_code=code)
    return {row.indicator_code: row.points for row in rows}


def indicator_with_curves(version: ReleaseVersion, code: str) -> dict:
    """One indicator of a version with each unit's cell carrying its points (what an indicator page draws)."""
    indicator = indicator_in(version.content, code)
    points = version_curves(version, code).get(code, {})
    return {**indicator, "cells": [{**cell, "points": points.get(cell["unit"], [])} for cell in indicator["cells"]]}


def open_data_rows(version: ReleaseVersion) -> list[dict]:
    """The version's figures as flat rows (the CSV and the JSON's "figures"): every point of every published curve."""
    content = version.content
    curves = version_curves(version)
    rows = []
    for indicator in content["indicators"]:
        for cell in indicator["cells"]:
            base = {
                "release": content["slug"],
                "version": version.number,
                "reference_date": content["reference_date"],
                "indicator": indicator["code"],
                "indicator_name": indicator["name"],
                "unit": cell["unit"],
                "unit_name": cell["unit_name"],
                "measure": indicator["unit_label"],
            }
            if cell["withheld"]:
                rows.append({**base, "period": "", "period_end": "", "count": None, "value": None, "status": "", "note": cell["withheld"]})
                continue
            for point in curves.get(indicator["code"], {}).get(cell["unit"], []):
                note = "suppressed (small count)" if point["suppressed"] else ("approximate" if point["is_approximate"] else "")
                rows.append(
                    {
                        **base,
                        "period": point["period"],
                        "period_end": point["period_end"],
                        "count": point["numerator"],
                        "value": point["value"],
                        "status": point["status"],
                        "note": note,
                    }
                )
    return rows
