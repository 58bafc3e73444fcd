"""Every read of indicators, observations, series, scorecards and populations, scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse

from rocc.measures.disclosure import DisclosureGate, DisclosureRules, cell_identity, protect_series
from rocc.measures.models import (
    BaselineKind,
    DenominatorKind,
    Indicator,
    IndicatorVersion,
    Narrative,
    Observation,
    Status,
    StatusSnapshot,
    Target,
)
from rocc.measures.periods import Period
from rocc.measures.populations import PopulationTable
from rocc.measures.progress import progress_compute, scorecard_target
from rocc.measures.series import IndicatorData
from rocc.org.models import OrgUnit
from rocc.org.scope import scope_of
from rocc.strategy.selectors.plans import indicator_links


def _require_view(user) -> None:
    if not user.has_perm("measures.view_measures"):
        raise PermissionDenied("Sign in with a role to see measures.")


def indicators_for(*, user):
    """Every indicator with its versions (all roles read definitions)."""
    _require_view(user)
    return Indicator.objects.prefetch_related(
        Prefetch("versions", queryset=IndicatorVersion.objects.select_related("responsible_agency", "denominator_indicator"))
    )


def indicator_get(*, user, code: str) -> Indicator:
    _require_view(user)
    return indicators_for(user=user).get(code=code)


def indicator_owner_choices(*, user, indicator: Indicator) -> dict:
    """What the user may do with the indicator's owner (``measures.set_indicator_owner``), for the indicator page:
    ``may_change`` (the unit it belongs to now is in their scope), the ``districts`` they may make it belong to, and
    whether they may make it ``national`` (a national scope)."""
    national = OrgUnit.objects.filter(parent__isnull=True).first()
    current = indicator.owner_unit or national
    may_change = current is not None and user.has_perm("measures.set_indicator_owner", current)
    districts = [u for u in OrgUnit.objects.filter(level="district").order_by("path") if user.has_perm("measures.set_indicator_owner", u)] if may_change else []
    return {
        "may_change": may_change,
        "districts": districts,
        "national": may_change and national is not None and user.has_perm("measures.set_indicator_owner", national),
    }


def units_for_measures(*, user):
    """The national unit and the districts, for the unit switch (every role reads every unit's published figures)."""
    _require_view(user)
    return OrgUnit.objects.filter(level__in=["national", "district"]).order_by("path")


def default_unit_for(*, user) -> OrgUnit:
    scope = scope_of(user)
    if scope.unit_paths and not scope.national:
        unit = OrgUnit.objects.filter(path=sorted(scope.unit_paths)[0]).first()
        if unit is not None:
            return unit
    root = OrgUnit.objects.filter(parent__isnull=True).first()
    if root is None:
        raise OrgUnit.DoesNotExist("There is no national unit: load the organisation (rocc defaults) first.")
    return root


def disclosure_for(*, user, unit: OrgUnit, public: bool = False) -> DisclosureGate:
    """The disclosure gate of this user in this unit: the one place that decides whether figures leave protected.
    Figures pass unchanged only to a user who may see unit-level output there, and never when ``public`` is asked."""
    protect = bool(public) or not user.has_perm("org.view_unit_level_output", unit)
    return DisclosureGate(protect=protect, rules=DisclosureRules.from_settings())


def needs_disclosure(*, user, unit: OrgUnit) -> bool:
    """Whether counts for this unit leave through disclosure control for this user (asks the gate)."""
    return disclosure_for(user=user, unit=unit).protect


def _version_dict(version: IndicatorVersion) -> dict:
    return {
        "number": version.number,
        "effective_from": version.effective_from.isoformat(),
        "description": version.description,
        "kind": version.kind,
        "kind_label": version.get_kind_display(),
        "unit_label": version.unit_label,
        "numerator": version.numerator_label,
        "numerator_source": version.numerator_source,
        "numerator_event_measure": version.numerator_event_measure,
        "numerator_event_filters": version.numerator_event_filters,
        "denominator_kind": version.denominator_kind,
        "denominator": version.denominator_label,
        "denominator_population_filter": version.denominator_population_filter,
        "denominator_indicator": version.denominator_indicator.code if version.denominator_indicator is not None else None,
        "factor": version.factor,
        "polarity": version.polarity,
        "period_type": version.period_type,
        "period_label": version.period_label,
        "year_end_month": version.year_end_month,
        "disaggregations": version.disaggregations,
        "attribution": version.attribution,
        "data_source": version.data_source,
        "responsible_agency": version.responsible_agency.short_name if version.responsible_agency is not None else None,
        "responsibility": version.responsibility,
        "change_note": version.change_note,
    }


def indicator_dict(indicator: Indicator) -> dict:
    versions = sorted(indicator.versions.all(), key=lambda v: v.effective_from)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "is_published": indicator.is_published,
        "current": _version_dict(versions[-1]) if versions else None,
        "versions": [_version_dict(v) for v in versions],
    }


def series_payload(progress) -> dict:
    """A series with its progress as plain data (for pages, exports, the API and the command line). The progress was
    computed on the series as the asker may see it, so a protected series carries only protected figures."""
    series = progress.series
    version = series.version
    glide = progress.glide
    return {
        "indicator": series.indicator.code,
        "name": series.indicator.name,
        "unit": series.unit.code,
        "unit_name": series.unit.name,
        "period_type": series.period_type,
        "as_reported": series.as_reported,
        "disaggregation": series.disaggregation,
        "disclosure_applied": series.disclosure_applied,
        "is_approximate": series.is_approximate,
        "definition": _version_dict(version),
        "baseline_label": progress.baseline_label,
        "target": (
            {
                "description": progress.target.description,
                "date": progress.target.target_date.isoformat(),
                "baseline": glide.baseline_value if glide else None,
                "value": glide.target_value if glide else None,
            }
            if progress.target
            else None
        ),
        "status": progress.status.to_dict(),
        "trend": progress.trend.to_dict() if progress.trend else None,
        "trend_text": progress.trend_text(),
        "trend_withheld": progress.trend_withheld,
        "forecast": [f.to_dict() for f in progress.forecast],
        "points": progress.points_with_status(),
    }


def target_for(indicator: Indicator, unit: OrgUnit, period_type: str | None) -> Target | None:
    """The unit's target for the series asked for; with no period type asked for, the unit's target on any series
    (so the page opens on the series the target is set on)."""
    # Read from the indicator's targets (one query, none when prefetched), so a caller drawing many units' series
    # does not ask the database once per unit.
    targets = sorted((t for t in indicator.targets.all() if t.unit_id == unit.pk), key=lambda t: t.period_type)
    if period_type is None:
        return next((t for t in targets if not t.period_type), None) or (targets[0] if targets else None)
    exact = next((t for t in targets if t.period_type == period_type), None)
    if exact is not None:
        return exact
    # A target set on no particular series is the target of the indicator's own period type.
    generic = next((t for t in targets if not t.period_type), None)
    current = indicator.current if generic is not None else None
    return generic if current is not None and current.period_type == period_type else None


def indicator_data(indicator: Indicator, *, populations: PopulationTable | None = None, units: dict | None = None) -> IndicatorData:
    """One indicator's observations loaded once, to pass to ``series_for`` for each of many units."""
    return IndicatorData(indicator, populations=populations, units=units)


def series_for(
    *,
    user,
    indicator: Indicator,
    unit: OrgUnit,
    period_type: str | None = None,
    as_reported: bool = False,
    disaggregation: str = "",
    public: bool | None = None,
    as_at: dt.date | None = None,
    with_forecast: bool = True,
    data: IndicatorData | None = None,
) -> dict:
    """The series payload as this user may see it: through the disclosure gate unless the user may see unit-level
    output for the unit (``public=True`` forces it), with status, interval, glide path, trend and forecast computed
    from the figures the gate let out. ``as_at`` leaves out every period that ends after it (a release's reference
    date); ``data`` (from ``indicator_data``) lets a caller reading many units' series load the indicator once."""

    _require_view(user)
    data = data or IndicatorData(indicator)
    target = target_for(indicator, unit, period_type)
    if period_type is None and target is not None and target.period_type:
        period_type = target.period_type
    series = data.series(unit, period_type=period_type, as_reported=as_reported, disaggregation=disaggregation)
    if target is not None and target.period_type and target.period_type != series.period_type:
        target = None
    if as_at is not None:
        series = replace(series, points=[point for point in series.points if point.period.end <= as_at])
    series = protect_series(series, disclosure_for(user=user, unit=unit, public=bool(public)))
    payload = series_payload(progress_compute(series, target, with_forecast=with_forecast))
    payload["disaggregations"] = data.disaggregation_keys()
    return payload


def observations_for(*, user, indicator: Indicator, unit: OrgUnit | None = None) -> list[dict]:
    """The figures recorded for an indicator (optionally in one unit), each as the user may see it."""

    _require_view(user)
    qs = Observation.objects.filter(indicator=indicator).select_related("indicator", "unit", "version").order_by("unit__path", "period_start")
    if unit is not None:
        qs = qs.filter(unit=unit)
    gates: dict[int, DisclosureGate] = {}
    out = []
    for obs in qs:
        if obs.unit_id not in gates:
            gates[obs.unit_id] = disclosure_for(user=user, unit=obs.unit)
        out.append(observation_dict(obs, gate=gates[obs.unit_id], period=Period(obs.period_start, obs.period_end, obs.period_type)))
    return out


def observation_dict(obs: Observation, *, gate: DisclosureGate, period=None) -> dict:
    """One observation as plain data, through ``gate`` (the cell identity matches the series cell it feeds)."""

    period = period or Period(obs.period_start, obs.period_end, obs.period_type)
    numerator, denominator, value = obs.numerator, obs.denominator, obs.value
    version = obs.version
    applied = gate.protect and numerator is not None
    if applied:
        identity = cell_identity(
            indicator=obs.indicator.code, unit=obs.unit.code, period=period.key, disaggregation=obs.disaggregation_key, series=obs.period_type
        )
        if version.is_rate:
            numerator, denominator, value = gate.rate(
                numerator, denominator, version.factor, identity, denominator_is_count=version.denominator_kind == DenominatorKind.SERIES
            )
        else:
            numerator = value = gate.count(numerator, identity)
    return {
        "indicator": obs.indicator.code,
        "unit": obs.unit.code,
        "period": period.key,
        "period_type": obs.period_type,
        "period_start": obs.period_start,
        "period_end": obs.period_end,
        "disaggregation": obs.disaggregation_key,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "source": obs.source,
        "version": version.number,
        "is_approximate": obs.is_approximate,
        "provenance": obs.provenance,
        "disclosure_applied": applied,
    }


def narrative_for(*, user, indicator: Indicator, unit: OrgUnit) -> Narrative | None:
    _require_view(user)
    return Narrative.objects.filter(indicator=indicator, unit=unit).select_related("changed_by").first()


def indicator_plan_links(*, user, indicator: Indicator) -> list[dict]:
    """What this indicator serves: the action-plan activities linked to it (and, where the strategy app provides
    them, the logic-model outcomes and plans that use its code), as {"label", "url", "kind"}."""

    links = []
    if user.has_perm("strategy.view_strategy"):
        for activity in indicator.activities.select_related("plan").order_by("plan__pk", "number"):
            try:
                url = reverse("strategy:activity", args=[activity.plan.code, activity.number])
            except NoReverseMatch:
                url = ""
            links.append({"label": f"{activity.plan} — activity {activity}", "url": url, "kind": "activity"})
        links.extend(indicator_links(user=user, indicator_code=indicator.code))
    return links


# -- scorecards ---------------------------------------------------------------------------------------------------

STATUS_ORDER = {"off_track": 0, "at_risk": 1, "on_track": 2, "not_enough_data": 3}


def _cell_row(
    *,
    indicator: Indicator,
    unit: OrgUnit,
    version: IndicatorVersion | None,
    status: str,
    period,
    numerator,
    denominator,
    value,
    interval,
    glide,
    target,
    trend_percent,
    trend_p,
    approximate: bool,
    explanation: str,
    applied: bool,
    suppressed: bool,
    previous_status: str | None = None,
    previous_period: Period | None = None,
) -> dict:
    # "Newly off track": off track now and not at the previous reporting period; None where that is not known
    # (a cell stored before previous statuses were recorded) or the cell is not off track.
    newly = None if status != Status.OFF_TRACK or not previous_status else previous_status != Status.OFF_TRACK
    return {
        "indicator": indicator.code,
        "name": indicator.name,
        "unit": unit.code,
        "unit_name": unit.name,
        "status": status,
        "status_label": Status(status).label,
        "period": period.key if period else None,
        "period_label": period.label if period else None,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "interval_low": interval[0] if interval else None,
        "interval_high": interval[1] if interval else None,
        "target": target,
        "glide": glide,
        "trend_percent_per_year": trend_percent,
        "trend_p_value": trend_p,
        "is_approximate": approximate,
        "explanation": explanation,
        "unit_label": version.unit_label if version else "",
        "disclosure_applied": applied,
        "suppressed": suppressed,
        "previous_status": previous_status or None,
        "previous_period_label": previous_period.label if previous_period else None,
        "newly_off_track": newly,
    }


def _snapshot_row(snapshot: StatusSnapshot, *, version: IndicatorVersion | None) -> dict:
    """A scorecard cell from its stored status: true figures, for users who may see unit-level output."""

    start, end = snapshot.latest_period_start, snapshot.latest_period_end  # stored together, from the latest figure
    period = Period(start, end, snapshot.period_type) if start is not None and end is not None else None
    interval = (snapshot.interval_low, snapshot.interval_high) if snapshot.interval_low is not None else None
    return _cell_row(
        indicator=snapshot.indicator,
        unit=snapshot.unit,
        version=version,
        status=snapshot.status,
        period=period,
        numerator=snapshot.latest_numerator,
        denominator=snapshot.latest_denominator,
        value=snapshot.latest_value,
        interval=interval,
        glide=snapshot.glide_value,
        target=snapshot.target_value,
        trend_percent=snapshot.trend_percent_per_year,
        trend_p=snapshot.trend_p_value,
        approximate=snapshot.is_approximate,
        explanation=snapshot.explanation,
        applied=False,
        suppressed=False,
        previous_status=snapshot.previous_status,
        previous_period=(
            Period(snapshot.previous_period_start, snapshot.previous_period_end, snapshot.period_type)
            if snapshot.previous_period_start and snapshot.previous_period_end
            else None
        ),
    )


def status_compute(data, *, target: Target | None, unit: OrgUnit, gate: DisclosureGate | None = None, as_at: dt.date | None = None):
    """(series, progress) of a scorecard cell: the series a status needs, through ``gate`` when one is given, as at
    ``as_at`` (every period ending after it left out) when one is given. The status recompute and every cell computed
    on reading use this, so a cell is the same wherever it is computed."""
    period_type = target.period_type if target and target.period_type else None
    baseline_end = target.baseline_period_end if target and target.baseline_kind == BaselineKind.FIXED_PERIOD else None
    series = data.series(unit, period_type=period_type, for_status=True, baseline_end=baseline_end, as_at=as_at)
    if gate is not None:
        series = protect_series(series, gate)
    return series, progress_compute(series, target, with_forecast=False)


def status_before(data, *, target: Target | None, unit: OrgUnit, latest, gate: DisclosureGate | None = None) -> tuple[str, Period | None]:
    """The status the cell had at the previous reporting period: the series as at the day before its latest period
    began (on the figures held now), and that period."""
    series, progress = status_compute(data, target=target, unit=unit, gate=gate, as_at=latest.period.start - dt.timedelta(days=1))
    return progress.status.status, series.latest.period if series.latest else None


def protected_cell_compute(data, *, targets: dict, unit: OrgUnit, gate: DisclosureGate, as_at: dt.date | None = None) -> dict:
    """A scorecard cell recomputed from the protected series, exactly as the status recompute builds it from the true
    one: the stored status, interval and trend come from true counts and must not leave. With an open gate (a user
    who may see unit-level output) it is the true cell; ``as_at`` computes the cell as it stood at that date."""

    target = scorecard_target(targets, unit=unit, current=data.current)
    series, progress = status_compute(data, target=target, unit=unit, gate=gate, as_at=as_at)
    latest = series.latest
    counted = gate.protect and any(p.numerator is not None or p.suppressed for p in series.points)
    previous_status, previous_period = None, None
    if progress.status.status == Status.OFF_TRACK and latest is not None:
        previous_status, previous_period = status_before(data, target=target, unit=unit, latest=latest, gate=gate)
    return _cell_row(
        indicator=data.indicator,
        unit=unit,
        version=data.current,
        status=progress.status.status,
        period=latest.period if latest else None,
        numerator=latest.numerator if latest else None,
        denominator=latest.denominator if latest else None,
        value=latest.value if latest else None,
        interval=progress.status.interval,
        glide=progress.status.expected,
        target=progress.glide.target_value if progress.glide else None,
        trend_percent=progress.trend.percent_per_year if progress.trend else None,
        trend_p=progress.trend.p_value if progress.trend else None,
        approximate=bool(latest and latest.is_approximate),
        explanation=progress.status.explanation,
        applied=counted,
        suppressed=bool(latest and latest.suppressed),
        previous_status=previous_status,
        previous_period=previous_period,
    )


def _scorecard_cells(*, user, units: list[OrgUnit], indicators: list[Indicator], public: bool = False, as_at: dt.date | None = None) -> tuple[dict, dict]:
    """(current version by indicator, cell by (indicator, unit)): every stored status cell as the user may see it.
    Where the user may not see unit-level output (or ``public`` is asked) the cell is recomputed from protected
    counts: its value, interval, glide path, trend and status alike. With ``as_at`` every cell is computed from the
    series as at that date (no stored status is as at a past date)."""

    current = {}
    for ind in indicators:
        versions = sorted(ind.versions.all(), key=lambda v: v.effective_from)
        if versions:
            current[ind.pk] = versions[-1]
    gates = {u.pk: disclosure_for(user=user, unit=u, public=public) for u in units}
    cells: dict = {}
    if as_at is not None:
        populations, every_unit = population_table(), {u.path: u for u in OrgUnit.objects.all()}
        for ind in indicators:
            if ind.pk not in current:
                continue
            data = IndicatorData(ind, populations=populations, units=every_unit)
            targets = targets_for(ind)
            for unit in units:
                cells[(ind.pk, unit.pk)] = protected_cell_compute(data, targets=targets, unit=unit, gate=gates[unit.pk], as_at=as_at)
        return current, cells
    protected_units = [u for u in units if gates[u.pk].protect]
    open_units = [u for u in units if not gates[u.pk].protect]
    # The indicators and units are in hand: each stored cell is read alone (no joins, no protected copy) and given them.
    indicator_by_pk, unit_by_pk = {ind.pk: ind for ind in indicators}, {u.pk: u for u in open_units}
    for snap in StatusSnapshot.objects.filter(unit__in=open_units, indicator__in=indicators).defer("protected_cell", "protected_rules", "computed_at"):
        snap.indicator, snap.unit = indicator_by_pk[snap.indicator_id], unit_by_pk[snap.unit_id]
        cells[(snap.indicator_id, snap.unit_id)] = _snapshot_row(snap, version=current.get(snap.indicator_id))
    if protected_units:
        # Cells stored protected by the last recompute under today's rules are read as they are; any other cell
        # (rules changed since, or a snapshot from before protected cells were stored) is computed here.
        fingerprint = DisclosureRules.from_settings().fingerprint
        by_pk = {u.pk: u for u in protected_units}
        with_status = set()
        names = {ind.pk: ind.name for ind in indicators}
        for snap in StatusSnapshot.objects.filter(unit__in=protected_units, indicator__in=indicators).only(
            "indicator_id", "unit_id", "protected_cell", "protected_rules"
        ):
            if snap.protected_cell is not None and snap.protected_rules == fingerprint:
                unit = by_pk[snap.unit_id]
                version = current.get(snap.indicator_id)
                cells[(snap.indicator_id, snap.unit_id)] = {
                    **snap.protected_cell,
                    "name": names[snap.indicator_id],
                    "unit_name": unit.name,
                    "unit_label": version.unit_label if version else "",
                }
            else:
                with_status.add((snap.indicator_id, snap.unit_id))
        population = population_table() if with_status else None
        all_units = {u.path: u for u in OrgUnit.objects.all()} if with_status else {}
        for ind in indicators:
            wanted = [u for u in protected_units if (ind.pk, u.pk) in with_status]
            if ind.pk not in current or not wanted:
                continue
            data = IndicatorData(ind, populations=population, units=all_units)
            targets = targets_for(ind)
            for unit in wanted:
                cells[(ind.pk, unit.pk)] = protected_cell_compute(data, targets=targets, unit=unit, gate=gates[unit.pk])
    return current, cells


def scorecard_for(
    *,
    user,
    units: list[OrgUnit] | None = None,
    indicator: Indicator | None = None,
    public: bool = False,
    with_intervals: bool = True,
    as_at: dt.date | None = None,
) -> dict:
    """Status at a glance: one row per indicator and one column per unit (the national unit and the districts by
    default), each cell the latest value and status as the user may see it (see ``_scorecard_cells``); with
    ``as_at``, the latest value and status as at that date (a governance pack's period end)."""
    _require_view(user)
    units = units if units is not None else list(units_for_measures(user=user))
    indicators = [indicator] if indicator is not None else list(indicators_for(user=user))
    current, cells = _scorecard_cells(user=user, units=units, indicators=indicators, public=public, as_at=as_at)
    if not with_intervals:
        for cell in cells.values():
            cell["interval_low"] = cell["interval_high"] = None
    rows = []
    for ind in indicators:
        if ind.pk not in current:
            continue
        rows.append(
            {
                "indicator": ind.code,
                "name": ind.name,
                "unit_label": current[ind.pk].unit_label,
                "polarity": current[ind.pk].polarity,
                "cells": [cells.get((ind.pk, u.pk)) for u in units],
            }
        )
    return {"units": [{"code": u.code, "name": u.name} for u in units], "rows": rows}


def indicator_overview_for(*, user) -> dict:
    """The indicator list: every indicator with its national status and latest figure, as the user may see them."""
    _require_view(user)
    national = OrgUnit.objects.filter(parent__isnull=True).first()
    indicators = list(indicators_for(user=user))
    _, cells = _scorecard_cells(user=user, units=[national], indicators=indicators) if national else ({}, {})
    return {
        "national": national,
        "rows": [{"indicator": i, "current": i.current, "cell": cells.get((i.pk, national.pk)) if national else None} for i in indicators],
    }


def indicator_statuses_for(*, user, codes, unit: OrgUnit) -> dict[str, list[str]]:
    """The statuses of these indicators in ``unit`` (one per series with a status), as the user may see them: for
    the logic model's boxes. A status the gate withholds reads "not_enough_data"."""
    codes = {c for c in codes if c}
    if not codes or unit is None:
        return {}
    indicators = list(Indicator.objects.filter(code__in=codes).prefetch_related("versions"))
    gate = disclosure_for(user=user, unit=unit)
    found: dict[str, list[str]] = {}
    if not gate.protect:
        for code, status in StatusSnapshot.objects.filter(indicator__in=indicators, unit=unit).values_list("indicator__code", "status"):
            found.setdefault(code, []).append(status)
        return found
    _, cells = _scorecard_cells(user=user, units=[unit], indicators=indicators)
    for cell in cells.values():
        found.setdefault(cell["indicator"], []).append(cell["status"])
    return found


@dataclass(frozen=True)
class OffTrack:
    """The off-track cells of a scorecard (see ``off_track_for``) and how many of its cells the gate suppresses."""

    cells: list[dict]
    suppressed: int  # cells whose latest figure the disclosure gate suppresses for the user: no status is shown for them


def off_track_for(*, user, units: list[OrgUnit] | None = None) -> OffTrack:
    """The indicators off track on their latest figure in ``units`` (the user's measures units by default), as the
    user may see them: each a scorecard cell through the disclosure gate, so a status withheld there is not listed.
    Each says whether it is newly off track (``newly_off_track``: not off track at the previous reporting period,
    ``previous_status`` and ``previous_period_label``). ``suppressed`` counts the scorecard's cells (the same units
    and indicators) whose latest figure is suppressed, read from the same pass."""
    _require_view(user)
    units = units if units is not None else list(units_for_measures(user=user))
    indicators = list(indicators_for(user=user))
    current, cells = _scorecard_cells(user=user, units=units, indicators=indicators)
    off = [cell for cell in cells.values() if cell and cell.get("status") == Status.OFF_TRACK]
    unknown = [cell for cell in off if cell.get("newly_off_track") is None]
    if unknown:
        _previous_status_fill(user=user, cells=unknown, indicators=indicators, units=units)
    suppressed = sum(1 for (indicator_pk, _), cell in cells.items() if indicator_pk in current and cell and cell.get("suppressed"))
    return OffTrack(sorted(off, key=lambda c: (c.get("unit_name") or "", c.get("name") or "")), suppressed)


def indicators_off_track(*, user, units: list[OrgUnit] | None = None) -> list[dict]:
    """The off-track cells of ``off_track_for``."""
    return off_track_for(user=user, units=units).cells


def _previous_status_fill(*, user, cells: list[dict], indicators: list[Indicator], units: list[OrgUnit]) -> None:
    """Give off-track cells stored before previous statuses were recorded their status at the previous reporting
    period, computed here as the recompute would (through the same gate), so "newly off track" is never a guess."""
    by_code = {i.code: i for i in indicators}
    unit_by_code = {u.code: u for u in units}
    population, all_units = population_table(), {u.path: u for u in OrgUnit.objects.all()}
    loaded: dict[str, tuple[IndicatorData, dict]] = {}
    for cell in cells:
        indicator, unit = by_code[cell["indicator"]], unit_by_code[cell["unit"]]
        if indicator.code not in loaded:
            loaded[indicator.code] = (IndicatorData(indicator, populations=population, units=all_units), targets_for(indicator))
        data, targets = loaded[indicator.code]
        gate = disclosure_for(user=user, unit=unit)
        target = scorecard_target(targets, unit=unit, current=data.current)
        series, _ = status_compute(data, target=target, unit=unit, gate=gate)
        if series.latest is None:
            continue
        previous, period = status_before(data, target=target, unit=unit, latest=series.latest, gate=gate)
        cell["previous_status"], cell["previous_period_label"] = previous, period.label if period else None
        cell["newly_off_track"] = previous != Status.OFF_TRACK


def population_table() -> PopulationTable:
    return PopulationTable.load()


def targets_for(indicator: Indicator) -> dict[tuple[int, str], Target]:
    return {(t.unit_id, t.period_type): t for t in indicator.targets.all()}
