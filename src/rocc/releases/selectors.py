"""Every read of releases: the snapshot a release freezes (figures through the public disclosure gate, less those
without their provider's consent), the live releases anonymous visitors see, previews, the calendar, providers'
consent and where their figures were published."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rocc.measures.disclosure import DisclosureRules
from rocc.measures.models import SourceKind, Status
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
    ReleaseFreeze,
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


def _provider_contributions(*, user, indicator_codes: set[str], reference_date: dt.date) -> list[dict]:
    """Every figure a provider's approved return up to the reference date gave one of these indicators (its data set,
    provider, unit, period and value), read through the returns selectors: what consent decides on."""

    rows = (
        return_list(user=user, status="approved")
        .filter(values__indicator__code__in=indicator_codes, values__value__isnull=False, period_end__lte=reference_date)
        .values_list(
            "data_set_id",
            "data_set__code",
            "data_set__name",
            "provider_id",
            "provider__short_name",
            "unit__path",
            "unit__name",
            "values__indicator__code",
            "period_start",
            "period_end",
            "values__value",
        )
    )
    return [
        {
            "data_set_id": r[0],
            "data_set": r[1],
            "data_set_name": r[2],
            "agency_id": r[3],
            "agency": r[4],
            "unit_path": r[5],
            "unit_name": r[6],
            "indicator": r[7],
            "period_start": r[8],
            "period_end": r[9],
            "value": r[10],
        }
        for r in rows
    ]


def _period_span(contributions: list[dict]) -> str:
    first = min(c["period_start"] for c in contributions)
    last = max(c["period_end"] for c in contributions)
    return f"{first:%B %Y}" if (first.year, first.month) == (last.year, last.month) else f"{first:%B %Y} to {last:%B %Y}"


def _without_refused(data, refused: list[dict], consenting: list[dict], *, for_units_above: bool):
    """The indicator's observations less the refused providers' contributions, when that is an honest figure: a count
    (no denominator) whose observation of a unit and period is the sum of the providers' approved returns there. The
    refused providers' values are taken out of that sum; a unit and period left with no consenting provider's figure
    has no observation at all (never a zero), so its own curve has no figure there. For the units above it
    (``for_units_above``) that unit and period counts nothing instead: their sums are then exactly the consenting
    providers' figures (a sum with a part missing would otherwise, rightly, not be made at all). None when the figures
    cannot be split so: a rate (its denominator is the whole population, not the consenting providers' share), or an
    observation that is not the returns' sum."""

    if data.current.is_rate:
        return None
    removed: dict[tuple[str, dt.date, dt.date], float] = {}
    for c in refused:
        key = (c["unit_path"], c["period_start"], c["period_end"])
        removed[key] = removed.get(key, 0) + c["value"]
    kept: dict[tuple[str, dt.date, dt.date], float] = {}
    for c in consenting:
        key = (c["unit_path"], c["period_start"], c["period_end"])
        kept[key] = kept.get(key, 0) + c["value"]
    cells = {bucket_key: dict(bucket) for bucket_key, bucket in data.cells.items()}
    for (path, start, end), value in removed.items():
        for (bucket_path, key, _ptype), bucket in cells.items():
            row = bucket.get((start, end))
            if bucket_path != path or key != "" or row is None:
                continue
            numerator = row[5]
            if row[9] != SourceKind.RETURN or numerator is None or numerator < value:
                return None
            if (path, start, end) not in kept:
                if abs(numerator - value) > 1e-6:  # more in the observation than the refused returns: not their sum
                    return None
                if for_units_above:
                    bucket[(start, end)] = (*row[:5], 0.0, row[6], 0.0 if row[7] is not None else None, *row[8:])
                else:
                    del bucket[(start, end)]
                continue
            left = numerator - value
            if abs(left - kept[(path, start, end)]) > 1e-6:  # not the sum of the returns approved there
                return None
            bucket[(start, end)] = (*row[:5], left, row[6], left if row[7] is not None else None, *row[8:])
    adjusted = copy.copy(data)
    adjusted.cells = cells
    adjusted._memo = {}  # the copy's cells differ: nothing built from the full figures may be reused
    return adjusted


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


def _by_provider(contributions: list[dict]) -> dict[tuple[int, int], list[dict]]:
    grouped: dict[tuple[int, int], list[dict]] = {}
    for c in sorted(contributions, key=lambda c: (c["agency"], c["data_set"], c["unit_path"], c["period_start"])):
        grouped.setdefault((c["data_set_id"], c["agency_id"]), []).append(c)
    return grouped


def _covers(unit: OrgUnit, consenting: list[dict]) -> str:
    """What a figure published without a provider's returns still counts (for the preview)."""
    others = sorted({f"{c['agency']} ({c['unit_name']})" for c in consenting if c["unit_path"].startswith(unit.path)})
    text = f"{unit.name}'s figures without the refused returns"
    return text + (
        f": the returns of {', '.join(others)} and every figure not from a provider's return" if others else ": every figure not from a provider's return"
    )


def _withheld_reason(data, cell: dict | None, adjusted) -> str:
    if cell is not None:
        return "published without these returns (consent not given)"
    if data.current.is_rate:
        return "left out: a rate's population denominator cannot be split between providers (consent not given)"
    if adjusted is None:
        return "left out: the figures cannot be split between providers (consent not given)"
    return "left out: every figure here came from these returns (consent not given)"


Progress = Callable[[int, str], None]


def _partial_note(blocking: list[dict]) -> str:
    """What a figure published without some providers' returns leaves out (the public's words: no provider named)."""
    where = sorted({c["unit_name"] for c in blocking})
    return (
        f"Excludes the figures of a provider that has not agreed to their publication ({', '.join(where)}, {_period_span(blocking)}): "
        "these figures count the other providers' returns only, so they are not compared with the target."
    )


def _mark_partial(cell: dict, points: list[dict], blocking: list[dict]) -> int:
    """Flag the points whose period takes in a refused contribution; a curve with any has no status or trend."""
    spans = [(c["period_start"].isoformat(), c["period_end"].isoformat()) for c in blocking]
    marked = 0
    for point in points:
        start = point.get("period_start") or point["period_end"]
        point["partial"] = any(start <= end and begin <= point["period_end"] for begin, end in spans)
        marked += point["partial"]
    if marked:
        cell["partial"] = _partial_note(blocking)
        cell["status"], cell["status_label"] = Status.NOT_ENOUGH_DATA.value, "Not judged"
        cell["explanation"], cell["trend_text"] = cell["partial"], ""
        if cell["latest"] is not None:
            cell["latest"] = {**cell["latest"], "partial": next((p["partial"] for p in points if p["period"] == cell["latest"]["period"]), False)}
    return marked


def release_snapshot_compute(*, user, release: Release, progress: Progress | None = None) -> Snapshot:
    """Everything the release's public pages and files show, computed now and then stored (never recomputed): the
    chosen indicators nationally and by district, each district's own chosen indicators, stories and the action
    plan's progress.

    Consent is applied figure by figure. A unit's curve that takes in returns of a provider without consent for that
    data set is, for a count (summed over providers), published from the other providers' contributions only, marked
    as excluding them, with no status against the target; for a rate (whose population denominator cannot be split
    between providers), or where the providers' figures were all the unit had, it is left out. Either way ``withheld``
    lists the provider, data set, unit and periods, and what the published figure covers.

    Each indicator's observations and targets are loaded once (the units' series share them); ``progress`` is told
    how far the computation has got (per cent, stage)."""

    if not user.has_perm("releases.create_release"):
        raise PermissionDenied("Only the programme office computes a release's figures.")
    report = progress or (lambda percent, stage: None)
    reference_date = release.reference_date
    units = list(units_for_measures(user=user))
    national = [u for u in units if u.parent_id is None]
    chosen_codes = set(release.indicators.values_list("code", flat=True))
    district_choice: dict[str, set[str]] = {}
    for code, path in release.district_indicators.values_list("indicator__code", "unit__path"):
        district_choice.setdefault(code, set()).add(path)
    codes = chosen_codes | set(district_choice)
    indicators = [i for i in indicators_for(user=user).filter(code__in=codes).prefetch_related("versions", "targets") if i.versions.all()]

    standing = _consents_standing()
    contributions = _provider_contributions(user=user, indicator_codes=codes, reference_date=reference_date)
    by_indicator: dict[str, list[dict]] = {}
    for c in contributions:
        c["consent"] = standing.get((c["data_set_id"], c["agency_id"]), False)
        by_indicator.setdefault(c["indicator"], []).append(c)

    population = population_table()
    all_units = {u.path: u for u in OrgUnit.objects.all()}
    withheld: list[dict] = []
    used_sources: dict[tuple, dict] = {}
    indicator_rows = []
    curves: dict[str, dict[str, list[dict]]] = {}
    report(2, "Reading the indicators")
    for done, indicator in enumerate(indicators):
        report(2 + round(88 * done / max(len(indicators), 1)), f"{indicator.name} ({done + 1} of {len(indicators)})")
        data = indicator_data(indicator, populations=population, units=all_units)
        mine = by_indicator.get(indicator.code, [])
        refused = [c for c in mine if not c["consent"]]
        consenting = [c for c in mine if c["consent"]]
        # Two readings without the refused returns: a unit whose own returns they are has no figure where only they
        # reported; the units above count those returns as nothing, so their sums are the consenting providers'.
        own = _without_refused(data, refused, consenting, for_units_above=False) if refused else None
        above = _without_refused(data, refused, consenting, for_units_above=True) if refused else None
        wanted = units if indicator.code in chosen_codes else [u for u in units if u.path in district_choice.get(indicator.code, set())]
        cells = []
        for unit in wanted:
            blocking = [c for c in refused if c["unit_path"].startswith(unit.path)]
            cell = points = None
            adjusted = (own if any(c["unit_path"] == unit.path for c in blocking) else above) if blocking else data
            if adjusted is not None:
                cell = _public_cell(user=user, data=adjusted, unit=unit, reference_date=reference_date)
                points = cell.pop("points")
                if blocking and not any(p["value"] is not None or p["suppressed"] for p in points):
                    cell = None  # every figure the unit had was the refused providers'
            if cell is None:
                cells.append({"unit": unit.code, "unit_name": unit.name, "withheld": NO_CONSENT, "latest": None, "status": None})
            else:
                assert points is not None
                marked = _mark_partial(cell, points, blocking) if blocking else 0
                curves.setdefault(indicator.code, {})[unit.code] = points
                cell["periods"] = len(points)
                cells.append(cell)
                if blocking and not marked:
                    blocking = []  # the refused figures fall outside this curve's periods
            covers = _covers(unit, consenting) if cell is not None else ""
            for group in _by_provider(blocking).values():
                first = group[0]
                withheld.append(
                    {
                        "indicator": indicator.code,
                        "indicator_name": indicator.name,
                        "unit": unit.code,
                        "unit_name": unit.name,
                        "agency": first["agency"],
                        "data_set": first["data_set"],
                        "data_set_name": first["data_set_name"],
                        "where": ", ".join(sorted({c["unit_name"] for c in group})),
                        "periods": _period_span(group),
                        "effect": "withheld" if cell is None else "partial",
                        "reason": _withheld_reason(data, cell, own),
                        "covers": covers,
                    }
                )
            if cell is None:
                continue
            for c in mine:
                if c["consent"] and c["unit_path"].startswith(unit.path):
                    entry = used_sources.setdefault(
                        (c["data_set_id"], c["agency_id"]),
                        {"data_set": c["data_set"], "data_set_name": c["data_set_name"], "agency_id": c["agency_id"], "agency": c["agency"], "figures": []},
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
    report(92, "Stories and the action plan")

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


def release_freeze_latest(*, user, release: Release) -> ReleaseFreeze | None:
    """The release's latest computation by the worker (queued, running, done or failed), for its page."""
    if not user.has_perm("releases.preview_release"):
        raise PermissionDenied
    return release.freezes.select_related("requested_by", "made").order_by("-requested_at", "-pk").first()


def release_freeze_get(*, user, release: Release, pk: int) -> ReleaseFreeze:
    """One computation of the release's figures (to follow its progress), for those who preview releases."""
    if not user.has_perm("releases.preview_release"):
        raise PermissionDenied
    found = release.freezes.select_related("release", "requested_by", "made").filter(pk=pk).first()
    if found is None:
        raise Http404("No such freeze of this release")
    return found


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
                if point.get("partial"):
                    note = "; ".join(n for n in (note, "excludes a provider's figures (consent not given)") if n)
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
