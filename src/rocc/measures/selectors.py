"""Every read of indicators, observations, series, scorecards and populations, scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from rocc.org.models import OrgUnit, Population


@dataclass
class PopulationTable:
    """Populations held in memory for one computation: by unit path and (age band, sex, ethnicity), each a list of
    (start, end, value, is_approximate). A unit with no rows of its own takes the sum of its children."""

    rows: dict[tuple[str, str, str, str], list[tuple[dt.date, dt.date, int, bool]]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, unit_paths: list[str] | None = None) -> PopulationTable:
        rows: dict = defaultdict(list)
        qs = Population.objects.select_related("unit").only(
            "unit__path", "period_start", "period_end", "age_band", "sex", "ethnicity", "value", "is_approximate")
        for p in qs:
            rows[(p.unit.path, p.age_band, p.sex, p.ethnicity)].append((p.period_start, p.period_end, p.value, p.is_approximate))
        for key in rows:
            rows[key].sort()
        children: dict = defaultdict(list)
        for path, parent_path in OrgUnit.objects.filter(parent__isnull=False).values_list("path", "parent__path"):
            children[parent_path].append(path)
        return cls(rows=dict(rows), children=dict(children))

    def value(self, unit_path: str, day: dt.date, age_band: str = "", sex: str = "", ethnicity: str = "") -> tuple[float | None, bool]:
        own = self.rows.get((unit_path, age_band, sex, ethnicity))
        if own:
            containing = [r for r in own if r[0] <= day <= r[1]]
            if containing:
                row = containing[0]
            else:
                row = min(own, key=lambda r: min(abs((r[0] - day).days), abs((r[1] - day).days)))
            return float(row[2]), row[3]
        kids = self.children.get(unit_path, [])
        if not kids:
            return None, False
        total, approximate = 0.0, False
        for child in kids:
            value, approx = self.value(child, day, age_band, sex, ethnicity)
            if value is None:
                return None, False
            total += value
            approximate = approximate or approx
        return total, approximate


def population_table() -> PopulationTable:
    return PopulationTable.load()


# -- indicators, series and scorecards --------------------------------------------------------------------------

from django.core.exceptions import PermissionDenied  # noqa: E402
from django.db.models import Prefetch  # noqa: E402

from rocc.measures.disclosure import DisclosureRules, cell_identity, disclose_count, disclose_rate  # noqa: E402
from rocc.measures.models import DenominatorKind, Indicator, IndicatorVersion, Narrative, StatusSnapshot, Target  # noqa: E402
from rocc.org.scope import scope_of  # noqa: E402


def _require_view(user) -> None:
    if not user.has_perm("measures.view_measures"):
        raise PermissionDenied("Sign in with a role to see measures.")


def indicators_for(*, user):
    """Every indicator with its versions (all roles read definitions)."""
    _require_view(user)
    return Indicator.objects.prefetch_related(
        Prefetch("versions", queryset=IndicatorVersion.objects.select_related("responsible_agency", "denominator_indicator")))


def indicator_get(*, user, code: str) -> Indicator:
    _require_view(user)
    return indicators_for(user=user).get(code=code)


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
    return OrgUnit.objects.get(parent__isnull=True) if OrgUnit.objects.filter(parent__isnull=True).count() == 1 else OrgUnit.objects.filter(parent__isnull=True).first()


def needs_disclosure(*, user, unit: OrgUnit) -> bool:
    """Counts for this unit leave rocc through disclosure control unless the user may see unit-level output there."""
    return not user.has_perm("org.view_unit_level_output", unit)


def _version_dict(version: IndicatorVersion) -> dict:
    return {
        "number": version.number, "effective_from": version.effective_from.isoformat(), "description": version.description,
        "kind": version.kind, "kind_label": version.get_kind_display(), "unit_label": version.unit_label,
        "numerator": version.numerator_label, "numerator_source": version.numerator_source,
        "numerator_event_measure": version.numerator_event_measure, "numerator_event_filters": version.numerator_event_filters,
        "denominator_kind": version.denominator_kind, "denominator": version.denominator_label,
        "denominator_population_filter": version.denominator_population_filter,
        "denominator_indicator": version.denominator_indicator.code if version.denominator_indicator_id else None,
        "factor": version.factor, "polarity": version.polarity, "period_type": version.period_type,
        "period_label": version.period_label, "year_end_month": version.year_end_month, "disaggregations": version.disaggregations,
        "attribution": version.attribution, "data_source": version.data_source,
        "responsible_agency": version.responsible_agency.short_name if version.responsible_agency_id else None,
        "responsibility": version.responsibility, "change_note": version.change_note,
    }


def indicator_dict(indicator: Indicator) -> dict:
    versions = sorted(indicator.versions.all(), key=lambda v: v.effective_from)
    return {"code": indicator.code, "name": indicator.name, "is_published": indicator.is_published,
            "current": _version_dict(versions[-1]) if versions else None, "versions": [_version_dict(v) for v in versions]}


def series_payload(progress, *, disclose: bool, rules: DisclosureRules | None = None) -> dict:
    """A series with its progress as plain data (for pages, exports, the API and the command line). With ``disclose``,
    every count passes disclosure control and every figure derived from a count is recomputed from the published
    count, so nothing reveals the true count."""
    from rocc.measures.stats import GlidePath, rate_interval, status_assess

    series = progress.series
    version = series.version
    rules = rules or (DisclosureRules.from_settings() if disclose else None)
    count_denominator = version.denominator_kind == DenominatorKind.SERIES
    points = progress.points_with_status()
    glide = progress.glide
    if disclose:
        for row, point in zip(points, series.points, strict=True):
            identity = cell_identity(indicator=series.indicator.code, unit=series.unit.code, period=point.period.key,
                                     disaggregation=series.disaggregation, series=series.period_type)
            if point.numerator is None:
                continue  # a published figure with no count behind it is already public
            if version.is_rate:
                row["numerator"], row["denominator"], row["value"] = disclose_rate(
                    point.numerator, point.denominator, version.factor, identity, rules=rules, denominator_is_count=count_denominator)
            else:
                row["numerator"] = row["value"] = disclose_count(point.numerator, identity + "|numerator", rules=rules)
            row["suppressed"] = row["value"] is None and point.value is not None
        if glide is not None and progress.target is not None and progress.target.baseline_kind != "entered":
            base = next((r for r in points if r["period_end"] == glide.baseline_date.isoformat()), None)
            base_value = base["value"] if base else None
            if base_value is None:
                glide = None
            else:
                target_value = (base_value * (1 + progress.target.target_change_percent / 100)
                                if progress.target.target_kind == "change" else glide.target_value)
                glide = GlidePath(glide.baseline_date, base_value, glide.target_date, target_value)
        for row in points:
            row["baseline"] = glide.baseline_value if glide else None
            row["target"] = glide.target_value if glide else None
            row["glide"] = glide.at(dt.date.fromisoformat(row["period_end"])) if glide else None
    latest = next((r for r in reversed(points) if r["value"] is not None), None)
    status = progress.status.to_dict()
    if disclose and status.get("interval") and latest is not None:
        count = latest["numerator"]
        denominator = latest["denominator"] if version.is_rate else 1
        interval = rate_interval(count, denominator, version.factor if version.is_rate else 1) if count is not None else None
        status["interval"] = list(interval) if interval else None
        status["explanation"] = status_assess(
            value=latest["value"], day=dt.date.fromisoformat(latest["period_end"]), glide=glide,
            lower_is_better=progress.lower_is_better, count=count, denominator=denominator,
            factor=version.factor if version.is_rate else 1).explanation
    return {
        "indicator": series.indicator.code, "name": series.indicator.name, "unit": series.unit.code, "unit_name": series.unit.name,
        "period_type": series.period_type, "as_reported": series.as_reported, "disaggregation": series.disaggregation,
        "disclosure_applied": disclose, "is_approximate": series.is_approximate,
        "definition": _version_dict(version), "baseline_label": progress.baseline_label,
        "target": ({"description": progress.target.description, "date": progress.target.target_date.isoformat(),
                    "baseline": glide.baseline_value if glide else None, "value": glide.target_value if glide else None}
                   if progress.target else None),
        "status": status, "trend": progress.trend.to_dict() if progress.trend else None, "trend_text": progress.trend_text(),
        "forecast": [f.to_dict() for f in progress.forecast], "points": points,
    }


def target_for(indicator: Indicator, unit: OrgUnit, period_type: str | None) -> Target | None:
    """The unit's target for the series asked for; with no period type asked for, the unit's target on any series
    (so the page opens on the series the target is set on)."""
    targets = list(indicator.targets.filter(unit=unit).order_by("period_type"))
    if period_type is None:
        return next((t for t in targets if not t.period_type), None) or (targets[0] if targets else None)
    return (next((t for t in targets if t.period_type == period_type), None)
            or next((t for t in targets if not t.period_type and period_type == indicator.current.period_type), None))


def series_for(*, user, indicator: Indicator, unit: OrgUnit, period_type: str | None = None, as_reported: bool = False,
               disaggregation: str = "", public: bool | None = None) -> dict:
    """The series payload as this user may see it: disclosure control applies unless the user may see unit-level
    output for the unit (``public=True`` forces it)."""
    from rocc.measures.progress import progress_compute
    from rocc.measures.series import IndicatorData

    _require_view(user)
    data = IndicatorData(indicator)
    target = target_for(indicator, unit, period_type)
    if period_type is None and target is not None and target.period_type:
        period_type = target.period_type
    series = data.series(unit, period_type=period_type, as_reported=as_reported, disaggregation=disaggregation)
    if target is not None and target.period_type and target.period_type != series.period_type:
        target = None
    progress = progress_compute(series, target)
    disclose = public if public is not None else needs_disclosure(user=user, unit=unit)
    payload = series_payload(progress, disclose=disclose or bool(public))
    payload["disaggregations"] = data.disaggregation_keys()
    return payload


def narrative_for(*, user, indicator: Indicator, unit: OrgUnit) -> Narrative | None:
    _require_view(user)
    return Narrative.objects.filter(indicator=indicator, unit=unit).select_related("changed_by").first()


def indicator_plan_links(*, user, indicator: Indicator) -> list[dict]:
    """What this indicator serves: the action-plan activities linked to it (and, where the strategy app provides
    them, the logic-model outcomes and plans that use its code), as {"label", "url", "kind"}."""
    from django.urls import NoReverseMatch, reverse

    links = []
    if user.has_perm("strategy.view_strategy"):
        for activity in indicator.activities.select_related("plan").order_by("plan__pk", "number"):
            try:
                url = reverse("strategy:activity", args=[activity.plan.code, activity.number])
            except NoReverseMatch:
                url = ""
            links.append({"label": f"{activity.plan} — activity {activity}", "url": url, "kind": "activity"})
        try:
            from rocc.strategy.selectors import indicator_links
        except ImportError:
            indicator_links = None
        if indicator_links is not None:
            links.extend(indicator_links(user=user, indicator_code=indicator.code))
    return links


# -- scorecards ---------------------------------------------------------------------------------------------------

STATUS_ORDER = {"off_track": 0, "at_risk": 1, "on_track": 2, "not_enough_data": 3}


def _snapshot_row(snapshot: StatusSnapshot, *, disclose: bool, rules: DisclosureRules | None, version: IndicatorVersion,
                  with_interval: bool = True) -> dict:
    from rocc.measures.periods import Period

    numerator, denominator, value = snapshot.latest_numerator, snapshot.latest_denominator, snapshot.latest_value
    low, high = snapshot.interval_low, snapshot.interval_high
    period = Period(snapshot.latest_period_start, snapshot.latest_period_end, snapshot.period_type) if snapshot.latest_period_end else None
    if disclose and numerator is not None and period is not None:
        from rocc.measures.stats import rate_interval

        identity = cell_identity(indicator=snapshot.indicator.code, unit=snapshot.unit.code, period=period.key, series=snapshot.period_type)
        if version.is_rate:
            numerator, denominator, value = disclose_rate(numerator, denominator, version.factor, identity, rules=rules,
                                                          denominator_is_count=version.denominator_kind == DenominatorKind.SERIES)
        else:
            numerator = value = disclose_count(numerator, identity + "|numerator", rules=rules)
        interval = None
        if with_interval and numerator is not None:
            interval = rate_interval(numerator, denominator if version.is_rate else 1, version.factor if version.is_rate else 1)
        low, high = interval if interval else (None, None)
    return {
        "indicator": snapshot.indicator.code, "name": snapshot.indicator.name, "unit": snapshot.unit.code, "unit_name": snapshot.unit.name,
        "status": snapshot.status, "status_label": snapshot.get_status_display(), "period": period.key if period else None,
        "period_label": period.label if period else None, "numerator": numerator, "denominator": denominator, "value": value,
        "interval_low": low, "interval_high": high, "target": snapshot.target_value if not disclose or numerator is None else None,
        "glide": snapshot.glide_value if not disclose or snapshot.latest_numerator is None else None,
        "trend_percent_per_year": snapshot.trend_percent_per_year, "trend_p_value": snapshot.trend_p_value,
        "is_approximate": snapshot.is_approximate, "explanation": snapshot.explanation if not disclose or snapshot.latest_numerator is None else "",
        "unit_label": version.unit_label, "disclosure_applied": disclose and snapshot.latest_numerator is not None,
    }


def scorecard_for(*, user, units: list[OrgUnit] | None = None, indicator: Indicator | None = None, public: bool = False,
                  with_intervals: bool = True) -> dict:
    """Status at a glance: one row per indicator and one column per unit (the national unit and the districts by
    default), each cell the latest value and status, with disclosure control per the user's rights in that unit."""
    _require_view(user)
    units = units if units is not None else list(units_for_measures(user=user))
    indicators = [indicator] if indicator is not None else list(indicators_for(user=user))
    current = {}
    for ind in indicators:
        versions = sorted(ind.versions.all(), key=lambda v: v.effective_from)
        if versions:
            current[ind.pk] = versions[-1]
    snapshots = StatusSnapshot.objects.filter(unit__in=units, indicator__in=indicators).select_related("indicator", "unit")
    rules = DisclosureRules.from_settings()
    disclose_unit = {u.pk: public or needs_disclosure(user=user, unit=u) for u in units}
    cells = {}
    for snap in snapshots:
        cells[(snap.indicator_id, snap.unit_id)] = _snapshot_row(snap, disclose=disclose_unit[snap.unit_id], rules=rules,
                                                                 version=current[snap.indicator_id], with_interval=with_intervals)
    rows = []
    for ind in indicators:
        if ind.pk not in current:
            continue
        rows.append({"indicator": ind.code, "name": ind.name, "unit_label": current[ind.pk].unit_label, "polarity": current[ind.pk].polarity,
                     "cells": [cells.get((ind.pk, u.pk)) for u in units]})
    return {"units": [{"code": u.code, "name": u.name} for u in units], "rows": rows}
