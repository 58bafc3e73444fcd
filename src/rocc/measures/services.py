"""Every write to indicator definitions, observations, populations, targets, statuses and turn-the-curve narratives."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rocc.audit.services import shipped_content_load
from rocc.core.errors import StaleRecord
from rocc.core.text import nfc
from rocc.events.numerators import event_numerators
from rocc.inbox import hooks as notifications
from rocc.measures.disclosure import DisclosureGate, DisclosureRules
from rocc.measures.models import (
    BaselineKind,
    DenominatorKind,
    Indicator,
    IndicatorVersion,
    Narrative,
    NumeratorSource,
    Observation,
    PeriodType,
    SourceKind,
    Status,
    StatusSnapshot,
    Target,
    TargetKind,
)
from rocc.measures.periods import Period, PeriodError, add_months, month_end, period_check
from rocc.measures.populations import PopulationTable
from rocc.measures.progress import scorecard_target
from rocc.measures.rates import ObservationInvalid, disaggregation_cell, disaggregation_key, rate_value
from rocc.measures.selectors import protected_cell_compute, status_before, status_compute, targets_for
from rocc.measures.series import IndicatorData
from rocc.org.models import OrgUnit
from rocc.org.services import agency_resolve, unit_resolve
from rocc.strategy.selectors.frameworks import activities_with_ids


def _indicator(indicator: Indicator | str) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    try:
        return Indicator.objects.get(code=indicator)
    except Indicator.DoesNotExist:
        raise ObservationInvalid(f"There is no indicator with code {indicator!r}.") from None


def _unit(unit: OrgUnit | str) -> OrgUnit:
    if isinstance(unit, OrgUnit):
        return unit
    found = OrgUnit.objects.filter(code=unit).first()
    if found is not None:
        return found
    try:
        return unit_resolve(unit)
    except Exception:
        raise ObservationInvalid(f"There is no organisational unit called {unit!r}.") from None


def population_for(
    *, unit: OrgUnit, period_start: dt.date, period_end: dt.date, population_filter: Mapping[str, str] | None = None, cell: Mapping[str, str] | None = None
) -> tuple[float | None, bool]:
    """The population of ``unit`` for a period and (optionally) a cell's age band, sex or ethnicity: the unit's own row
    or, when it has none, the sum of its children's. A row counts for a period when its own period contains the
    period's midpoint (the nearest row otherwise). Returns (value, is_approximate); (None, False) when none is on file."""
    wanted = {"age_band": "", "sex": "", "ethnicity": ""}
    wanted.update({k: v for k, v in (population_filter or {}).items() if k in wanted})
    wanted.update({k: v for k, v in (cell or {}).items() if k in wanted})
    midpoint = period_start + (period_end - period_start) / 2
    return PopulationTable.load().value(unit.path, midpoint, wanted["age_band"], wanted["sex"], wanted["ethnicity"])


@dataclass(frozen=True)
class ObservationInput:
    """One figure to record, as the reporting workflow or an import hands it over."""

    indicator: Indicator | str
    unit: OrgUnit | str
    period_start: dt.date
    period_end: dt.date
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None
    disaggregation: Mapping[str, str] | str | None = None
    is_approximate: bool = False
    provenance: str = ""
    source_ref: str = ""
    period_type: str | None = None


class _Lookups:
    """Indicators, versions, units and populations looked up once for a batch of figures."""

    def __init__(self):
        self.indicators: dict = {}
        self.versions: dict[int, list[IndicatorVersion]] = {}
        self.units: dict = {}
        self._populations = None

    def indicator(self, ref) -> Indicator:
        key = ref.pk if isinstance(ref, Indicator) else ref
        if key not in self.indicators:
            indicator = _indicator(ref)
            self.versions[indicator.pk] = sorted(indicator.versions.all(), key=lambda v: v.effective_from)
            self.indicators[key] = indicator
        return self.indicators[key]

    def version_at(self, indicator: Indicator, day: dt.date) -> IndicatorVersion | None:
        """As ``Indicator.version_at``, from the versions looked up with the indicator."""
        versions = self.versions[indicator.pk]
        chosen = versions[0] if versions else None
        for version in versions:
            if version.effective_from <= day:
                chosen = version
        return chosen

    def unit(self, ref) -> OrgUnit:
        key = ref.pk if isinstance(ref, OrgUnit) else ref
        if key not in self.units:
            self.units[key] = _unit(ref)
        return self.units[key]

    def populations(self):
        if self._populations is None:
            self._populations = PopulationTable.load()
        return self._populations


def _prepare(item: ObservationInput, *, source: str, lookups: _Lookups) -> dict:
    indicator = lookups.indicator(item.indicator)
    version = lookups.version_at(indicator, item.period_end)
    if version is None:
        raise ObservationInvalid(f"Indicator {indicator.code} has no definition yet.")
    period_type = item.period_type or version.period_type
    try:
        period_check(period_type, item.period_start, item.period_end, year_end_month=version.year_end_month if period_type == version.period_type else None)
    except PeriodError as exc:
        raise ObservationInvalid(f"{indicator.code}: {exc}") from None
    unit = lookups.unit(item.unit)
    key = disaggregation_key(item.disaggregation)
    for name, figure in (("numerator", item.numerator), ("denominator", item.denominator), ("value", item.value)):
        if figure is not None and (not isinstance(figure, (int, float)) or isinstance(figure, bool) or not math.isfinite(figure)):
            raise ObservationInvalid(f"{indicator.code} {unit.code} {item.period_start}: the {name} must be a number; got {figure!r}.")
        if figure is not None and name != "value" and figure < 0:
            raise ObservationInvalid(f"{indicator.code} {unit.code} {item.period_start}: the {name} cannot be negative; got {figure}.")
    if item.numerator is None and item.value is None:
        raise ObservationInvalid(f"{indicator.code} {unit.code} {item.period_start}: give a numerator or a value.")
    denominator, approximate = item.denominator, item.is_approximate
    if denominator is None and item.numerator is not None and version.denominator_kind == DenominatorKind.POPULATION:
        wanted = {"age_band": "", "sex": "", "ethnicity": ""}
        wanted.update({k: v for k, v in (version.denominator_population_filter or {}).items() if k in wanted})
        wanted.update({k: v for k, v in disaggregation_cell(key).items() if k in wanted})
        midpoint = item.period_start + (item.period_end - item.period_start) / 2
        denominator, population_approximate = lookups.populations().value(unit.path, midpoint, wanted["age_band"], wanted["sex"], wanted["ethnicity"])
        approximate = approximate or population_approximate
    value = item.value
    if value is None:
        value = rate_value(item.numerator, denominator, version.factor) if version.is_rate else item.numerator
    return {
        "indicator": indicator,
        "version": version,
        "unit": unit,
        "period_type": period_type,
        "period_start": item.period_start,
        "period_end": item.period_end,
        "disaggregation_key": key,
        "numerator": None if item.numerator is None else float(item.numerator),
        "denominator": None if denominator is None else float(denominator),
        "value": None if value is None else float(value),
        "is_approximate": approximate,
        "provenance": nfc(item.provenance)[:500],
        "source_ref": item.source_ref[:100],
    }


@transaction.atomic
def observations_record_many(*, items: Iterable[ObservationInput], source: str, actor=None) -> list[Observation]:
    """Record figures all-or-nothing: every item is checked before anything is written, and a figure for the same
    cell, definition version and source replaces the earlier one (so recording the same figures twice adds nothing).
    Raises ObservationInvalid listing every bad item."""
    if source not in SourceKind.values:
        raise ObservationInvalid(f"Unknown source {source!r}; expected one of {', '.join(SourceKind.values)}.")
    prepared, errors = [], []
    lookups = _Lookups()
    for index, item in enumerate(items, start=1):
        try:
            prepared.append(_prepare(item, source=source, lookups=lookups))
        except ObservationInvalid as exc:
            errors.append(f"item {index}: {exc}")
    if errors:
        raise ObservationInvalid("; ".join(errors))
    now = timezone.now()
    recorder = actor if _is_user(actor) else None
    identity_fields = ("version_id", "unit_id", "period_type", "period_start", "period_end", "disaggregation_key")
    existing: dict[tuple, Observation] = {}
    version_ids = {values["version"].pk for values in prepared}
    for stored in Observation.objects.filter(version_id__in=version_ids, source=source):
        existing[tuple(getattr(stored, f) for f in identity_fields)] = stored
    created: dict[tuple, Observation] = {}
    changed: dict[int, Observation] = {}
    out = []
    for values in prepared:
        identity = (values["version"].pk, values["unit"].pk, values["period_type"], values["period_start"], values["period_end"], values["disaggregation_key"])
        rest = {k: v for k, v in values.items() if k not in ("version", "unit", "indicator", "period_type", "period_start", "period_end", "disaggregation_key")}
        obs = existing.get(identity) or created.get(identity)
        if obs is None:
            obs = Observation(
                source=source,
                recorded_at=now,
                recorded_by=recorder,
                indicator=values["indicator"],
                version=values["version"],
                unit=values["unit"],
                period_type=values["period_type"],
                period_start=values["period_start"],
                period_end=values["period_end"],
                disaggregation_key=values["disaggregation_key"],
                **rest,
            )
            created[identity] = obs
        elif any(getattr(obs, k) != v for k, v in rest.items()):
            for k, v in rest.items():
                setattr(obs, k, v)
            obs.recorded_at, obs.recorded_by = now, recorder
            if obs.pk:
                changed[obs.pk] = obs
        out.append(obs)
    Observation.objects.bulk_create(list(created.values()), batch_size=500)
    if changed:
        Observation.objects.bulk_update(
            list(changed.values()),
            ["numerator", "denominator", "value", "is_approximate", "provenance", "source_ref", "recorded_at", "recorded_by"],
            batch_size=500,
        )
    if any(obs.pk is None for obs in out):  # backends that do not return keys from bulk inserts
        for obs in out:
            if obs.pk is None:
                obs.pk = Observation.objects.get(
                    version=obs.version,
                    unit=obs.unit,
                    period_type=obs.period_type,
                    period_start=obs.period_start,
                    period_end=obs.period_end,
                    disaggregation_key=obs.disaggregation_key,
                    source=source,
                ).pk
    return out


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def observations_record(
    *,
    indicator: Indicator | str,
    unit: OrgUnit | str,
    period_start: dt.date,
    period_end: dt.date,
    numerator: float | None = None,
    denominator: float | None = None,
    value: float | None = None,
    disaggregation: Mapping[str, str] | str | None = None,
    source: str = SourceKind.RETURN,
    actor=None,
    provenance: str = "",
    source_ref: str = "",
    is_approximate: bool = False,
    period_type: str | None = None,
) -> Observation:
    """Record one figure of an indicator for a unit and period (see :func:`observations_record_many`). The value
    is computed as numerator / denominator × factor when not given; with a population denominator and no
    denominator given, the unit's population for the period is used; a zero denominator gives no value."""
    item = ObservationInput(
        indicator=indicator,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        numerator=numerator,
        denominator=denominator,
        value=value,
        disaggregation=disaggregation,
        is_approximate=is_approximate,
        provenance=provenance,
        source_ref=source_ref,
        period_type=period_type,
    )
    return observations_record_many(items=[item], source=source, actor=actor)[0]


@transaction.atomic
def observations_withdraw(*, source_ref: str, actor=None) -> int:
    """Remove every observation recorded from one return or import batch (for example when an approved return
    is reopened). Returns how many were removed."""
    deleted, _ = Observation.objects.filter(source_ref=source_ref).delete()
    return deleted


# -- definitions ------------------------------------------------------------------------------------------------

DEFINITION_FIELDS = (
    "description",
    "kind",
    "unit_label",
    "numerator_label",
    "numerator_source",
    "numerator_event_measure",
    "numerator_event_filters",
    "denominator_kind",
    "denominator_label",
    "denominator_population_filter",
    "denominator_indicator",
    "factor",
    "polarity",
    "period_type",
    "year_end_month",
    "disaggregations",
    "attribution",
    "data_source",
    "responsible_agency",
    "responsibility",
)


def _require(user, perm: str, obj=None) -> None:
    if user is not None and not user.has_perm(perm, obj):
        raise PermissionDenied(f"You may not do this ({perm}).")


def _definition_values(values: Mapping) -> dict:
    unknown = set(values) - set(DEFINITION_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a field of an indicator definition." for name in sorted(unknown)})
    return dict(values)


@transaction.atomic
def indicator_define(
    *,
    user,
    code: str,
    name: str,
    effective_from: dt.date,
    order: int = 0,
    is_published: bool = True,
    change_note: str = "",
    owner_unit: OrgUnit | None = None,
    **definition,
) -> Indicator:
    """Create an indicator with its first definition, or (for an existing code) add a definition version that takes
    effect from ``effective_from``. Values already recorded keep the version they were recorded under. ``owner_unit``
    makes it a region's own indicator (its district's coordinators publish it)."""
    _require(user, "measures.change_definition")
    values = _definition_values(definition)
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        indicator = Indicator(code=code, name=name, order=order, is_published=is_published, owner_unit=owner_unit)
        indicator.full_clean()
        indicator.save()
    elif (name and name != indicator.name) or (owner_unit is not None and owner_unit.pk != indicator.owner_unit_id):
        indicator.name = name or indicator.name
        indicator.owner_unit = owner_unit or indicator.owner_unit
        indicator.save()
    existing = indicator.versions.filter(effective_from=effective_from).first()
    number = existing.number if existing else (max(indicator.versions.values_list("number", flat=True), default=0) + 1)
    version = existing or IndicatorVersion(indicator=indicator, number=number, effective_from=effective_from)
    for field_name, value in values.items():
        setattr(version, field_name, value)
    version.change_note = change_note
    if existing is None and _is_user(user):
        version.created_by = user
    version.full_clean(exclude=["indicator"])
    version.save()
    return indicator


@transaction.atomic
def indicator_owner_set(*, user, indicator: Indicator, owner_unit: OrgUnit | None) -> Indicator:
    """Make the indicator a district's own (its coordinators publish it for that district; it leaves the national
    selection of releases) or, with ``owner_unit`` None, national again. The rule is asked of the unit it belongs to
    now and of the one it moves to (the national unit for a national indicator), so a programme manager scoped to one
    district moves indicators only into and out of that district's own."""
    current = Indicator.objects.select_for_update(of=("self",)).select_related("owner_unit").get(pk=indicator.pk)
    national = OrgUnit.objects.get(parent__isnull=True)
    for unit in (current.owner_unit or national, owner_unit or national):
        _require(user, "measures.set_indicator_owner", unit)
    if owner_unit is not None and owner_unit.level != "district":
        raise ValidationError({"owner_unit": f"{owner_unit.name} is not a district: a region's own indicator belongs to a district."})
    if current.owner_unit_id != (owner_unit.pk if owner_unit else None):
        current.owner_unit = owner_unit
        current.save(update_fields=["owner_unit"])
    return current


@transaction.atomic
def target_set(
    *,
    user,
    indicator: Indicator,
    unit: OrgUnit,
    target_date: dt.date,
    baseline_kind: str,
    target_kind: str,
    baseline_period_end: dt.date | None = None,
    baseline_value: float | None = None,
    baseline_label: str = "",
    target_change_percent: float | None = None,
    target_value: float | None = None,
    description: str = "",
    period_type: str = "",
) -> Target:
    """Set (or replace) the baseline and target of an indicator in a unit."""
    _require(user, "measures.set_target", unit)
    errors = {}
    if baseline_kind == BaselineKind.FIXED_PERIOD and baseline_period_end is None:
        errors["baseline_period_end"] = "A fixed-period baseline needs the end of that period."
    if baseline_kind == BaselineKind.ENTERED and baseline_value is None:
        errors["baseline_value"] = "An entered baseline needs its value."
    if target_kind == TargetKind.CHANGE and target_change_percent is None:
        errors["target_change_percent"] = "A change target needs the percentage change, e.g. -20."
    if target_kind == TargetKind.ABSOLUTE and target_value is None:
        errors["target_value"] = "An absolute target needs its value."
    if baseline_period_end and target_date <= baseline_period_end:
        errors["target_date"] = "The target date must come after the baseline."
    if errors:
        raise ValidationError(errors)
    target, _ = Target.objects.update_or_create(
        indicator=indicator,
        unit=unit,
        period_type=period_type,
        defaults={
            "baseline_kind": baseline_kind,
            "baseline_period_end": baseline_period_end,
            "baseline_value": baseline_value,
            "baseline_label": nfc(baseline_label),
            "target_kind": target_kind,
            "target_change_percent": target_change_percent,
            "target_value": target_value,
            "target_date": target_date,
            "description": nfc(description),
        },
    )
    target.full_clean()
    return target


class NarrativeChanged(StaleRecord):
    """Raised when a narrative is saved from a version someone has since changed."""

    def __init__(self, narrative: Narrative):
        self.narrative = narrative
        super().__init__(
            changed_by=narrative.changed_by,
            changed_at=narrative.changed_at,
            message=f"This story changed since you opened it (by {self.who(narrative.changed_by)} at "
            f"{self.when(narrative.changed_at)}); reload to see the changes.",
        )


@transaction.atomic
def narrative_update(
    *, user, indicator: Indicator, unit: OrgUnit, version: int, story_behind_curve: str, partners: str, what_works: str, action_plan: str
) -> Narrative:
    """Save the turn-the-curve narrative of an indicator in a unit. ``version`` is the one the user saw (0 for none);
    a save based on an older version is refused with NarrativeChanged."""
    _require(user, "measures.edit_narrative", unit)
    narrative, _ = Narrative.objects.get_or_create(indicator=indicator, unit=unit, defaults={"version": 0})
    narrative = Narrative.objects.select_for_update(of=("self",)).select_related("changed_by").get(pk=narrative.pk)
    if narrative.version != version:
        raise NarrativeChanged(narrative)
    narrative.story_behind_curve, narrative.partners = story_behind_curve.strip(), partners.strip()
    narrative.what_works, narrative.action_plan = what_works.strip(), action_plan.strip()
    narrative.version += 1
    narrative.changed_by, narrative.changed_at = user, timezone.now()
    narrative.save()
    return narrative


@transaction.atomic
def indicator_activities_set(*, user, indicator: Indicator, activity_ids: list[int]) -> None:
    """Link the action-plan activities an indicator's curve is meant to turn."""
    _require(user, "measures.change_definition")
    activities = activities_with_ids(activity_ids)
    missing = set(activity_ids) - {a.pk for a in activities}
    if missing:
        raise ValidationError({"activities": f"No activity has id {', '.join(map(str, sorted(missing)))}."})
    indicator.activities.set(activities)


# -- statuses ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusesRecomputed:
    indicators: int
    cells: int


def _protected_state(cell: dict | None) -> tuple | None:
    return (cell.get("status"), cell.get("period")) if cell else None


def _storable(cell: dict) -> dict | None:
    """The cell as JSON can hold it, or None (computed on reading instead) when a figure is not a finite number."""
    finite = all(not isinstance(v, float) or math.isfinite(v) for v in cell.values())
    return cell if finite else None


@transaction.atomic
def statuses_recompute(*, user=None, indicators: Iterable[Indicator] | None = None, units: Iterable[OrgUnit] | None = None) -> StatusesRecomputed:
    """Recompute the status snapshot of every indicator in the national unit and every district (the scorecards' cells)."""

    _require(user, "measures.recompute_statuses")
    indicators = list(indicators if indicators is not None else Indicator.objects.prefetch_related("versions", "targets"))
    unit_list = list(units if units is not None else OrgUnit.objects.filter(level__in=["national", "district"]))
    all_units = {u.path: u for u in OrgUnit.objects.all()}
    populations = PopulationTable.load()
    now = timezone.now()
    rules = DisclosureRules.from_settings()
    protected_gate = DisclosureGate(protect=True, rules=rules)
    snapshots = []
    # What each cell was before this recompute (status and latest period, true and protected), to tell when a cell
    # goes newly off track now rather than was already.
    before = {
        (snap.indicator_id, snap.unit_id): ((snap.status, snap.latest_period_end), _protected_state(snap.protected_cell))
        for snap in StatusSnapshot.objects.filter(indicator__in=indicators, unit__in=unit_list).only(
            "indicator_id", "unit_id", "status", "latest_period_end", "protected_cell"
        )
    }
    went_off: list[dict | None] = []
    for indicator in indicators:
        if not indicator.versions.exists():
            continue
        data = IndicatorData(indicator, populations=populations, units=all_units)
        targets = targets_for(indicator)
        for unit in unit_list:
            target = scorecard_target(targets, unit=unit, current=data.current)
            series, progress = status_compute(data, target=target, unit=unit)
            latest = series.latest
            previous_status, previous_period = "", None
            if progress.status.status == Status.OFF_TRACK and latest is not None:
                previous_status, previous_period = status_before(data, target=target, unit=unit, latest=latest)
            protected_cell = protected_cell_compute(data, targets=targets, unit=unit, gate=protected_gate)
            snapshots.append(
                StatusSnapshot(
                    indicator=indicator,
                    unit=unit,
                    period_type=series.period_type,
                    status=progress.status.status,
                    latest_period_start=latest.period.start if latest else None,
                    latest_period_end=latest.period.end if latest else None,
                    latest_value=latest.value if latest else None,
                    latest_numerator=latest.numerator if latest else None,
                    latest_denominator=latest.denominator if latest else None,
                    interval_low=progress.status.interval[0] if progress.status.interval else None,
                    interval_high=progress.status.interval[1] if progress.status.interval else None,
                    glide_value=progress.status.expected,
                    baseline_value=progress.glide.baseline_value if progress.glide else None,
                    target_value=progress.glide.target_value if progress.glide else None,
                    trend_percent_per_year=progress.trend.percent_per_year if progress.trend else None,
                    trend_p_value=progress.trend.p_value if progress.trend else None,
                    is_approximate=bool(latest and latest.is_approximate),
                    explanation=progress.status.explanation[:400],
                    protected_cell=_storable(protected_cell),
                    protected_rules=rules.fingerprint,
                    previous_status=previous_status,
                    previous_period_start=previous_period.start if previous_period else None,
                    previous_period_end=previous_period.end if previous_period else None,
                    computed_at=now,
                )
            )
            went_off.append(_off_track_change(snapshots[-1], protected_cell, before.get((indicator.pk, unit.pk))))
    StatusSnapshot.objects.filter(indicator__in=indicators, unit__in=unit_list).delete()
    StatusSnapshot.objects.bulk_create(snapshots)
    notifications.indicators_newly_off_track([change for change in went_off if change is not None])
    return StatusesRecomputed(indicators=len(indicators), cells=len(snapshots))


def _off_track_change(snapshot: StatusSnapshot, protected_cell: dict, before: tuple | None) -> dict | None:
    """The cell, if this recompute is when it went newly off track at its latest period (truly, or as it leaves
    through disclosure control); None if not, or if it already was before this recompute (told then)."""

    def newly(status, previous, period_end, earlier) -> bool:
        return status == Status.OFF_TRACK and bool(previous) and previous != Status.OFF_TRACK and earlier != (Status.OFF_TRACK, period_end)

    stored, stored_protected = (before[0], before[1]) if before else (None, None)
    true_newly = newly(snapshot.status, snapshot.previous_status, snapshot.latest_period_end, stored)
    protected_end = protected_cell.get("period")
    protected_newly = protected_cell.get("newly_off_track") is True and stored_protected != (Status.OFF_TRACK, protected_end)
    if not (true_newly or protected_newly) or snapshot.latest_period_start is None or snapshot.latest_period_end is None:
        return None
    period = Period(snapshot.latest_period_start, snapshot.latest_period_end, snapshot.period_type)
    return {"indicator": snapshot.indicator, "unit": snapshot.unit, "period": period, "newly": true_newly, "newly_protected": protected_newly}


# -- shipped content --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuresDefaultsLoaded:
    indicators: int
    versions: int
    targets: int
    observations: int


def _defaults_text(name: str) -> str:

    return resources.files("rocc.measures.defaults").joinpath(name).read_text(encoding="utf-8")


def _defaults_csv(name: str) -> list[dict[str, str]]:

    return list(csv.DictReader(_defaults_text(name).splitlines()))


BPS_PROGRESS_CODES = {
    "total_recorded_crime_rate": "bps-total-crime-rate",
    "violent_crime_rate": "bps-violent-crime-rate",
    "youth_crime_rate": "bps-youth-crime-rate",
    "reoffending_rate": "bps-reoffending-rate",
    "violent_crime_in_dwellings": "bps-violent-crime-dwellings",
    "violent_crime_in_public_places": "bps-violent-crime-public-places",
}
YOUTH_COURT_FILE = "youth_court_appearances_by_district_2011_2021.csv"
VICTIMISATIONS_FILE = "rcvs_person_victimisations_by_police_district_monthly_2014-07_2022.csv"


def _definitions_load() -> tuple[int, int, int]:

    entries = yaml.safe_load(_defaults_text("indicators.yaml"))
    versions = targets = 0
    units = {u.code: u for u in OrgUnit.objects.all()}
    for entry in entries:
        for raw in entry["versions"]:
            values = {k: v for k, v in raw.items() if k not in ("effective_from", "change_note")}
            agency_name = values.pop("responsible_agency", "")
            values["responsible_agency"] = agency_resolve(agency_name) if agency_name else None
            if isinstance(values.get("denominator_indicator"), str):  # a series denominator named by its code
                values["denominator_indicator"] = Indicator.objects.get(code=values["denominator_indicator"])
            values.setdefault("denominator_kind", DenominatorKind.NONE)
            values.setdefault("denominator_population_filter", {})
            values.setdefault("disaggregations", [])
            indicator_define(
                user=None,
                code=entry["code"],
                name=entry["name"],
                order=entry.get("order", 0),
                effective_from=raw["effective_from"],
                change_note=raw.get("change_note", ""),
                **values,
            )
            versions += 1
        indicator = Indicator.objects.get(code=entry["code"])
        for raw in entry.get("targets", []):
            for code in [u.code for u in units.values() if u.level in ("national", "district")] if raw["unit"] == "*" else [raw["unit"]]:
                values = {k: v for k, v in raw.items() if k != "unit"}
                existing = Target.objects.filter(indicator=indicator, unit=units[code], period_type="").first()
                if existing is None or any(getattr(existing, k) != v for k, v in values.items()):
                    target_set(user=None, indicator=indicator, unit=units[code], **values)
                targets += 1
    return len(entries), versions, targets


def _bps_progress_items() -> list[ObservationInput]:

    items = []
    for code in BPS_PROGRESS_CODES.values():
        items.append(
            ObservationInput(
                indicator=code,
                unit="nz",
                period_start=dt.date(2010, 7, 1),
                period_end=dt.date(2011, 6, 30),
                value=100.0,
                provenance="Baseline: year ended June 2011 = 100 by definition of the index",
            )
        )
    for row in _defaults_csv("bps_result7_progress.csv"):
        end = dt.date.fromisoformat(row["period_end"])
        change = float(row["pct_change_vs_june_2011_baseline"])
        note = f"Published: {change:+g}% on year ended June 2011. {row['source_note']}. {row['extra']}".strip(" .") + f". {row['source_url']}"
        items.append(
            ObservationInput(
                indicator=BPS_PROGRESS_CODES[row["measure"]],
                unit="nz",
                period_start=add_months(end.replace(day=1), -11),
                period_end=month_end(end),
                value=100.0 + change,
                provenance=note,
            )
        )
    return items


def _youth_court_items() -> list[ObservationInput]:
    items = []
    for row in _defaults_csv(YOUTH_COURT_FILE):
        if row["pop"] in ("", "NA"):
            continue  # "Outside New Zealand (District)": no population, so no rate (at most one appearance a year)
        year = int(row["year"])
        items.append(
            ObservationInput(
                indicator="youth-court-appearances",
                unit=row["district"],
                period_start=dt.date(year - 1, 7, 1),
                period_end=dt.date(year, 6, 30),
                numerator=float(row["count"]),
                denominator=float(row["pop"]),
                provenance=f"Ministry of Justice Youth Justice Indicators, year ended June {year}: {row['count']} charged, "
                f"youth population {row['pop']}, published rate {float(row['rate']):.1f} per 10,000",
            )
        )
    return items


def _victimisation_items() -> list[ObservationInput]:

    items = []
    for row in _defaults_csv(VICTIMISATIONS_FILE):
        if row["police_district"] == "Not Specified":
            continue  # no district, so no population: counted in no unit
        start = dt.date.fromisoformat(row["year_month"] + "-01")
        items.append(
            ObservationInput(
                indicator="person-victimisations",
                unit=row["police_district"],
                period_start=start,
                period_end=month_end(start),
                numerator=float(row["victimisations"]),
                provenance="NZ Police Recorded Crime Victims Statistics (policedata.nz), victimisations of persons",
            )
        )
    return items


@shipped_content_load
def measures_defaults_load() -> MeasuresDefaultsLoaded:
    """Create or update the shipped indicators, their targets and their figures. Loading again changes nothing that is
    already as shipped and never removes what users added."""
    indicators, versions, targets = _definitions_load()
    observations = 0
    observations += len(observations_record_many(items=_bps_progress_items(), source=SourceKind.REPORTED))
    observations += len(observations_record_many(items=_youth_court_items(), source=SourceKind.IMPORT))
    observations += len(observations_record_many(items=_victimisation_items(), source=SourceKind.IMPORT))
    statuses_recompute()
    return MeasuresDefaultsLoaded(indicators=indicators, versions=versions, targets=targets, observations=observations)


@dataclass(frozen=True)
class EventNumeratorsComputed:
    indicator: str
    observations: int
    periods: int
    units: int


def indicator_compute_from_events(*, user=None, indicator: Indicator, date_from=None, date_to=None, backend=None) -> EventNumeratorsComputed:
    """Count an event-store indicator's numerators (events, distinct victims or offenders matching its filters) by
    district and period, and record them as computed observations under the definition in force for each period;
    the denominators come from the populations as for any figure. Recomputing replaces the earlier computed figures."""

    _require(user, "measures.recompute_statuses")
    version = indicator.current
    if version is None or version.numerator_source != NumeratorSource.EVENTS:
        raise ObservationInvalid(f"{indicator.code}: its numerator is not counted from the event store.")
    filters = version.numerator_event_filters or {}
    disaggregate_by = [d for d in (version.disaggregations or []) if d in ("offence_division", "offence_code")]
    frame = event_numerators(
        count=version.numerator_event_measure or "events",
        period_type=version.period_type,
        year_end_month=version.year_end_month if version.period_type == PeriodType.YEAR_ENDED else None,
        level="district",
        offence_divisions=filters.get("divisions") or filters.get("offence_divisions") or None,
        offence_codes=filters.get("offence_codes") or None,
        disaggregate_by=disaggregate_by,
        date_from=date_from,
        date_to=date_to,
        backend=backend,
    )
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=set(frame["unit_code"]))}
    totals = frame.groupby(["unit_code", "period_start", "period_end"], as_index=False)["numerator"].sum() if disaggregate_by else frame
    items = []
    for grouped, with_disaggregation in ((totals, False), (frame, True) if disaggregate_by else (None, False)):
        if grouped is None:
            continue
        for row in grouped.itertuples(index=False):
            unit = units.get(row.unit_code)
            if unit is None:
                continue
            items.append(
                ObservationInput(
                    indicator=indicator,
                    unit=unit,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    numerator=float(row.numerator),
                    period_type=version.period_type,
                    disaggregation={d: str(getattr(row, d)) for d in disaggregate_by} if with_disaggregation else None,
                    provenance=f"Counted from the event store ({version.get_numerator_event_measure_display().lower() or 'events'})",
                    source_ref="events",
                )
            )
    recorded = observations_record_many(items=items, source=SourceKind.COMPUTED, actor=user)
    statuses_recompute(indicators=[indicator])
    return EventNumeratorsComputed(
        indicator=indicator.code,
        observations=len(recorded),
        periods=int(frame["period_start"].nunique()) if len(frame) else 0,
        units=len(units),
    )
