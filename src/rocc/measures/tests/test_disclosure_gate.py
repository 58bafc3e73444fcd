"""The one disclosure gate: every figure that leaves the measures capability for someone not authorised for unit-level
output has passed it, with status, interval, glide path, trend and forecast computed from the protected counts.

The walking test at the end visits every page, API endpoint, export and ``--public`` command with small counts as a
viewer, a provider and an anonymous visitor, and fails on any figure that only the true counts could have produced."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook
from typer.testing import CliRunner

from rocc.measures.disclosure import DisclosureRules, cell_identity, disclose_count
from rocc.testing import load_once

# Northland's monthly counts are large, all one or two above a multiple of 3 (so every true count differs from its
# rounded one) and rise steeply (so the trend is a figure worth hiding). Waitematā's are small: some suppressed, the
# latest among them, some just above the threshold; none is one above a multiple of 3, so the national totals too
# differ from their rounded counts.
MONTHS = [dt.date(year, month, 1) for year in (2019, 2020) for month in range(1, 13)]
NORTHLAND = [7001 + 300 * i for i in range(24)]
WAITEMATA = [5, 8, 2, 11, 8, 3, 14, 8, 5, 11, 8, 2, 8, 3, 11, 14, 2, 8, 11, 5, 8, 14, 11, 5]
BAND = "gate-test-band"  # the rate indicator's own population band, so its rates are distinctive numbers
POPULATION = {"waitemata": 7, "northland": 1_000_003}
OTHER_POPULATION = 50_000


def _month_end(start: dt.date) -> dt.date:
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@pytest.fixture
def gate_world(defaults):
    """Two indicators, a count and a rate per 10,000, recorded in Northland and Waitematā for 2019–2020, with a
    national and district target each (baseline June 2019, −20% by June 2021), and statuses computed: built through
    the services once per test process, its rows replayed into later tests."""
    return load_once(_gate_world_build)


def _gate_world_build() -> dict:
    from rocc.measures.models import BaselineKind, SourceKind, TargetKind
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many, statuses_recompute, target_set
    from rocc.org.models import OrgUnit, Population

    for unit in OrgUnit.objects.filter(level="district"):
        Population.objects.create(
            unit=unit,
            period_start=dt.date(2019, 1, 1),
            period_end=dt.date(2020, 12, 31),
            age_band=BAND,
            value=POPULATION.get(unit.code, OTHER_POPULATION),
            source="test",
        )
    common = dict(
        effective_from=dt.date(2000, 1, 1), kind="population", numerator_label="Incidents", polarity="lower", period_type="month", data_source="Test data"
    )
    count = indicator_define(user=None, code="gate-count", name="Gate incidents (count)", unit_label="incidents", denominator_kind="none", factor=1, **common)
    rate = indicator_define(
        user=None,
        code="gate-rate",
        name="Gate incidents (rate)",
        unit_label="per 10,000 people",
        denominator_kind="population",
        denominator_population_filter={"age_band": BAND},
        factor=10000,
        **common,
    )
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["nz", "northland", "waitemata"])}
    for indicator in (count, rate):
        items = []
        for code, counts in (("northland", NORTHLAND), ("waitemata", WAITEMATA)):
            for start, value in zip(MONTHS, counts, strict=True):
                items.append(ObservationInput(indicator=indicator, unit=units[code], period_start=start, period_end=_month_end(start), numerator=value))
        observations_record_many(items=items, source=SourceKind.IMPORT)
        for unit in units.values():
            target_set(
                user=None,
                indicator=indicator,
                unit=unit,
                baseline_kind=BaselineKind.FIXED_PERIOD,
                baseline_period_end=dt.date(2019, 6, 30),
                baseline_label="June 2019",
                target_kind=TargetKind.CHANGE,
                target_change_percent=-20,
                target_date=dt.date(2021, 6, 30),
                description="20% fewer by June 2021",
            )
    statuses_recompute()
    return {"count": count, "rate": rate, "units": units}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _rules() -> DisclosureRules:
    return DisclosureRules.from_settings()


# -- the rules, on the series --------------------------------------------------------------------------------------


def test_a_suppressed_latest_figure_has_no_value_no_status_and_no_interval(gate_world, make_user):
    from rocc.measures.selectors import series_for

    viewer = make_user("viewer", units=["waitemata"])
    payload = series_for(user=viewer, indicator=gate_world["count"], unit=gate_world["units"]["waitemata"])
    latest = payload["points"][-1]
    assert latest["period"] == "2020-12" and latest["suppressed"] is True
    assert latest["numerator"] is None and latest["value"] is None and latest["status"] == "not_enough_data"
    status = payload["status"]
    assert status["status"] == "not_enough_data" and status["value"] is None and status["interval"] is None
    assert "suppressed" in status["explanation"]
    # Every suppressed point, not only the latest, keeps its status to itself.
    assert all(p["status"] == "not_enough_data" for p in payload["points"] if p["suppressed"])
    assert sum(p["suppressed"] for p in payload["points"]) == sum(1 <= c <= 5 for c in WAITEMATA)


def test_a_trend_and_forecast_that_would_need_a_suppressed_count_are_withheld_and_say_so(gate_world, make_user):
    from rocc.measures.selectors import series_for

    viewer = make_user("viewer", units=["waitemata"])
    analyst = make_user("analyst", units=["waitemata"])
    shown = series_for(user=viewer, indicator=gate_world["rate"], unit=gate_world["units"]["waitemata"])
    true = series_for(user=analyst, indicator=gate_world["rate"], unit=gate_world["units"]["waitemata"])
    assert true["trend"] is not None and true["forecast"]  # the analyst, allowed unit-level output, sees them
    assert shown["trend"] is None and shown["forecast"] == [] and shown["trend_withheld"] is True
    assert "suppressed" in shown["trend_text"]


def test_status_interval_glide_path_and_trend_come_from_the_protected_counts(gate_world, make_user):
    from rocc.measures.selectors import series_for
    from rocc.measures.stats import rate_interval, trend_fit

    viewer = make_user("viewer", units=["waitemata"])
    northland = gate_world["units"]["northland"]
    payload = series_for(user=viewer, indicator=gate_world["rate"], unit=northland)
    points = payload["points"]
    assert all(p["numerator"] % 3 == 0 and p["value"] == pytest.approx(p["numerator"] / p["denominator"] * 10000) for p in points)
    latest = points[-1]
    assert payload["status"]["value"] == latest["value"]
    assert payload["status"]["interval"] == pytest.approx(list(rate_interval(latest["numerator"], latest["denominator"], 10000)))
    baseline = next(p for p in points if p["period"] == "2019-06")
    assert payload["target"]["baseline"] == baseline["value"]  # the glide path starts from the published baseline
    assert payload["target"]["value"] == pytest.approx(baseline["value"] * 0.8)
    window = points[-24:]
    expected = trend_fit(
        days=[dt.date.fromisoformat(p["period_end"]) for p in window],
        counts=[p["numerator"] for p in window],
        denominators=[p["denominator"] for p in window],
        factor=10000,
    )
    assert payload["trend"]["percent_per_year"] == pytest.approx(expected.percent_per_year)


def test_a_total_is_protected_as_a_cell_of_its_own_not_summed_from_protected_parts(gate_world, make_user):
    from rocc.measures.selectors import series_for

    viewer = make_user("viewer", units=["waitemata"])
    payload = series_for(user=viewer, indicator=gate_world["count"], unit=gate_world["units"]["nz"])
    rules = _rules()
    for point, north, wai in zip(payload["points"], NORTHLAND, WAITEMATA, strict=True):
        identity = cell_identity(indicator="gate-count", unit="nz", period=point["period"], series="month")
        assert point["numerator"] == disclose_count(north + wai, identity + "|numerator", rules=rules)


def test_the_same_cell_shows_the_same_figure_on_every_output(gate_world, make_user):
    """The list, the scorecards, the comparison, the curve, the API and the files all agree for a viewer."""
    from rocc.measures.selectors import indicator_overview_for, observations_for, scorecard_for, series_for

    viewer = make_user("viewer", units=["waitemata"])
    indicator, units = gate_world["count"], gate_world["units"]
    curve = series_for(user=viewer, indicator=indicator, unit=units["nz"])
    listed = next(r for r in indicator_overview_for(user=viewer)["rows"] if r["indicator"].code == "gate-count")["cell"]
    card = scorecard_for(user=viewer, units=[units["nz"]], indicator=indicator)["rows"][0]["cells"][0]
    assert listed["value"] == card["value"] == curve["points"][-1]["value"] == curve["status"]["value"]
    assert listed["status"] == card["status"] == curve["status"]["status"]
    north = series_for(user=viewer, indicator=indicator, unit=units["northland"])
    recorded = observations_for(user=viewer, indicator=indicator, unit=units["northland"])
    assert [o["numerator"] for o in recorded] == [p["numerator"] for p in north["points"]]
    district = scorecard_for(user=viewer, units=[units["northland"]], indicator=indicator)["rows"][0]["cells"][0]
    assert district["value"] == north["status"]["value"]
    assert [district["interval_low"], district["interval_high"]] == pytest.approx(north["status"]["interval"])
    assert district["status"] == north["status"]["status"]


def test_an_authorised_user_sees_true_figures_and_a_public_export_does_not(gate_world, make_user):
    from rocc.measures.selectors import scorecard_for, series_for

    analyst = make_user("analyst", units=["northland"])
    northland = gate_world["units"]["northland"]
    true = series_for(user=analyst, indicator=gate_world["count"], unit=northland)
    assert [p["numerator"] for p in true["points"]] == NORTHLAND and true["disclosure_applied"] is False
    public = series_for(user=analyst, indicator=gate_world["count"], unit=northland, public=True)
    assert public["disclosure_applied"] is True and all(p["numerator"] % 3 == 0 for p in public["points"])
    cell = scorecard_for(user=analyst, units=[northland], indicator=gate_world["count"])["rows"][0]["cells"][0]
    assert cell["value"] == NORTHLAND[-1] and cell["disclosure_applied"] is False
    cell = scorecard_for(user=analyst, units=[northland], indicator=gate_world["count"], public=True)["rows"][0]["cells"][0]
    assert cell["value"] == public["points"][-1]["value"] and cell["disclosure_applied"] is True


def test_a_logic_model_box_shows_no_status_the_gate_withholds(gate_world, make_user):
    """The example plan (on the national unit) monitors mf-meth-wastewater; its national latest count is small."""
    from rocc.measures.models import BaselineKind, SourceKind, TargetKind
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many, statuses_recompute, target_set
    from rocc.strategy.logic_model import logic_model
    from rocc.strategy.models import DistrictPlan
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    indicator = indicator_define(
        user=None,
        code="mf-meth-wastewater",
        name="Methamphetamine in wastewater",
        effective_from=dt.date(2000, 1, 1),
        kind="population",
        unit_label="detections",
        numerator_label="Detections",
        denominator_kind="none",
        factor=1,
        polarity="lower",
        period_type="month",
        data_source="Test data",
    )
    waitemata, nz = gate_world["units"]["waitemata"], gate_world["units"]["nz"]
    observations_record_many(
        items=[
            ObservationInput(indicator=indicator, unit=waitemata, period_start=s, period_end=_month_end(s), numerator=c)
            for s, c in zip(MONTHS, WAITEMATA, strict=True)
        ],
        source=SourceKind.IMPORT,
    )
    target_set(
        user=None,
        indicator=indicator,
        unit=nz,
        baseline_kind=BaselineKind.ENTERED,
        baseline_value=100,
        baseline_period_end=dt.date(2019, 6, 30),
        target_kind=TargetKind.ABSOLUTE,
        target_value=50,
        target_date=dt.date(2021, 6, 30),
    )
    statuses_recompute()
    version = DistrictPlan.objects.get(code="example-district-plan").versions.get()
    manager, viewer = make_user("programme_manager"), make_user("viewer", units=["waitemata"])
    assert {b.key: b for b in logic_model(user=manager, version=version).boxes}["reduced-drug-supply"].status == "on_track"
    assert {b.key: b for b in logic_model(user=viewer, version=version).boxes}["reduced-drug-supply"].status == "none"


def test_figures_by_community_typed_into_a_case_pass_the_gate(gate_world, make_user):
    from rocc.problems import exports, services
    from rocc.problems.services import case_open, problems_defaults_load
    from rocc.problems.tests.conftest import complete_stage

    load_once(problems_defaults_load)
    owner = make_user("regional_coordinator", units=["waitemata"])
    case = case_open(actor=owner, title="Burglaries", description="", scope_unit=gate_world["units"]["waitemata"], owner=owner)
    for _ in range(4):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    services.community_figure_add(actor=owner, case=case, community="Māori", measure="Stop and search", before=4, after=41, population=1001)
    services.community_figure_add(actor=owner, case=case, community="European", measure="Stop and search", before=80, after=61)
    true = {r.community: r for r in exports.community_rows(case, user=owner)}
    assert true["Māori"].before == 4 and true["Māori"].after == 41 and true["Māori"].disclosure_applied is False
    viewer = make_user("viewer", units=["waitemata"])
    shown = {r.community: r for r in exports.community_rows(case, user=viewer)}
    assert shown["Māori"].before is None and shown["Māori"].change_percent is None and shown["Māori"].rate_before is None
    assert shown["Māori"].after % 3 == 0 and shown["European"].before % 3 == 0 and shown["European"].after % 3 == 0
    assert shown["Māori"].rate_after == pytest.approx(shown["Māori"].after / 1001 * 10000)
    total_after = disclose_count(102, f"problems.case:{case.pk}|Stop and search|total|after|numerator", rules=_rules())
    assert shown["Māori"].share_after == pytest.approx(shown["Māori"].after / total_after * 100)
    page = _client(viewer).get(f"/problems/cases/{case.pk}/assess/").content.decode()
    assert "suppressed: too few to publish" in page and "4 → 41" not in page
    book = load_workbook(io.BytesIO(_client(viewer).get(f"/problems/cases/{case.pk}/export.xlsx").content))
    rows = list(book["By community"].iter_rows(min_row=2, values_only=True))
    assert {r[1]: r[2] for r in rows}["Māori"] == "S (suppressed)" and 41 not in [r[3] for r in rows]


def _case_at_assess(owner, unit, title="Incidents"):
    from rocc.problems import services
    from rocc.problems.services import case_open, problems_defaults_load
    from rocc.problems.tests.conftest import complete_stage

    load_once(problems_defaults_load)
    case = case_open(actor=owner, title=title, description="", scope_unit=unit, owner=owner)
    for _ in range(4):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    return case


# Outcome measures typed into a case: counts one or two above a multiple of 3 (so each differs from its rounded one),
# one measure with a small count in its surrounding area, one with small counts in the case's own area.
OUTCOME_LARGE = dict(before_target=8002, after_target=5501, before_comparison=9001, after_comparison=8800, before_buffer=4001, after_buffer=4102)
OUTCOME_SMALL_BUFFER = dict(before_target=7301, after_target=6202, before_comparison=9001, after_comparison=8800, before_buffer=4, after_buffer=7)
OUTCOME_SMALL_TARGET = dict(before_target=5, after_target=2)
OUTCOME_COUNTS = [f"{period}_{area}" for area in ("target", "comparison", "buffer") for period in ("before", "after")]


def _outcome_shown(case, measure, name: str):
    """The oracle's own protection of one outcome count, from the rounding primitive and the documented cell identity."""
    period, area = name.split("_")
    return disclose_count(getattr(measure, name), f"problems.case:{case.pk}|outcome:{measure.pk}|{area}|{period}|numerator", rules=_rules())


def _outcome_figures(result: dict) -> list[float]:
    """The figures an outcome's result puts on a page or in a file: each area's change in per cent, the WDD with its
    interval and p-value, the WDQ and the success measure its reading quotes. (Not every figure in the result: a
    count's difference, say, is a short number that ids and counts elsewhere on a page can equal.)"""
    changes = [(result.get(area) or {}).get("percent") for area in ("target", "comparison", "buffer")]
    wdd, wdq = result.get("wdd") or {}, result.get("wdq") or {}
    return _figures(changes + [wdd.get(k) for k in ("estimate", "ci_low", "ci_high", "p_value")] + [wdq.get("wdq"), wdq.get("success_measure")])


def test_outcome_measures_of_a_case_pass_the_gate_with_the_displacement_computed_from_protected_counts(gate_world, make_user):
    from rocc.analysis.displacement import weighted_displacement_difference, weighted_displacement_quotient
    from rocc.problems import exports, services

    owner = make_user("regional_coordinator", units=["waitemata"])
    case = _case_at_assess(owner, gate_world["units"]["waitemata"])
    large = services.outcome_measure_add(actor=owner, case=case, description="Burglaries", **OUTCOME_LARGE)
    small_buffer = services.outcome_measure_add(actor=owner, case=case, description="Car thefts", **OUTCOME_SMALL_BUFFER)
    small_target = services.outcome_measure_add(actor=owner, case=case, description="Arson", **OUTCOME_SMALL_TARGET)

    true = exports.outcome_rows(case, user=owner)  # unit-level output: the figures as typed, the result as computed
    assert [r.before_target for r in true] == [8002, 7301, 5] and true[0].result == large.result
    assert not any(r.disclosure_applied or r.suppressed for r in true)

    viewer = make_user("viewer", units=["waitemata"])
    shown = {r.description: r for r in exports.outcome_rows(case, user=viewer)}
    row = shown["Burglaries"]
    expected = {name: _outcome_shown(case, large, name) for name in OUTCOME_COUNTS}
    assert {name: getattr(row, name) for name in OUTCOME_COUNTS} == expected and row.disclosure_applied
    assert all(v % 3 == 0 and v != getattr(large, k) for k, v in expected.items())
    wdd = weighted_displacement_difference(
        target_before=expected["before_target"],
        target_after=expected["after_target"],
        control_before=expected["before_comparison"],
        control_after=expected["after_comparison"],
        buffer_before=expected["before_buffer"],
        buffer_after=expected["after_buffer"],
    )
    wdq = weighted_displacement_quotient(
        target_before=expected["before_target"],
        target_after=expected["after_target"],
        buffer_before=expected["before_buffer"],
        buffer_after=expected["after_buffer"],
        control_before=expected["before_comparison"],
        control_after=expected["after_comparison"],
    )
    assert row.result["wdd"]["estimate"] == pytest.approx(wdd.estimate) and row.result["wdd"]["p_value"] == pytest.approx(wdd.p_value)
    # Not asserted: that the estimate differs from the true one. The cells round by an identity that includes record
    # ids, and the rounded counts can give the same estimate by chance (the counts themselves differ: asserted above).
    assert row.result["wdq"]["wdq"] == pytest.approx(wdq.wdq)
    assert row.result["target"]["percent"] == pytest.approx((expected["after_target"] - expected["before_target"]) / expected["before_target"] * 100)

    buffered = shown["Car thefts"]  # a small surrounding count: no WDD or WDQ, and the reading says why
    assert buffered.before_buffer is None and buffered.suppressed == {"before_buffer"} and buffered.after_buffer % 3 == 0
    assert buffered.result["wdd"] is None and buffered.result["wdq"] is None and buffered.result["buffer"] is None
    assert buffered.result["target"]["before"] == _outcome_shown(case, small_buffer, "before_target")
    assert any(
        "withholds the Weighted Displacement Difference and the Weighted Displacement Quotient" in n and "surrounding area" in n
        for n in buffered.result["notes"]
    )
    tiny = shown["Arson"]
    assert tiny.before_target is None and tiny.after_target is None and tiny.result["target"] is None
    assert tiny.suppressed == {"before_target", "after_target"} and small_target.result["target"]["percent"] == -60
    assert any("withheld" in n for n in tiny.result["notes"])

    for path in (f"/problems/cases/{case.pk}/assess/", f"/problems/cases/{case.pk}/print/"):
        page = _client(viewer).get(path).content.decode()
        assert f"{expected['before_target']} → {expected['after_target']}" in page, path
        assert "8002" not in page and "5 → 2" not in page and "-60.0%" not in page, path
        assert f"Weighted Displacement Difference {wdd.estimate:.1f} " in page and "suppressed: too few to publish" in page, path
        assert "computed from the rounded counts" in page, path
    assert "8002 → 5501" in _client(owner).get(f"/problems/cases/{case.pk}/assess/").content.decode()

    book = load_workbook(io.BytesIO(_client(viewer).get(f"/problems/cases/{case.pk}/export.xlsx").content))
    rows = {r[0]: r for r in book["Outcomes"].iter_rows(min_row=2, values_only=True)}
    assert list(rows["Burglaries"][2:8]) == [expected[name] for name in OUTCOME_COUNTS]
    assert rows["Burglaries"][8] == pytest.approx(wdd.estimate) and "rounded" in rows["Burglaries"][11]
    assert rows["Car thefts"][6] == "S (suppressed)" and rows["Car thefts"][8] is None and "withholds" in rows["Car thefts"][11]
    assert rows["Arson"][2:4] == ("S (suppressed)", "S (suppressed)")
    owners_book = load_workbook(io.BytesIO(_client(owner).get(f"/problems/cases/{case.pk}/export.xlsx").content))
    owners_rows = {r[0]: r for r in owners_book["Outcomes"].iter_rows(min_row=2, values_only=True)}
    assert owners_rows["Burglaries"][2] == 8002 and owners_rows["Burglaries"][8] == pytest.approx(large.result["wdd"]["estimate"])


# -- nothing outside the gate reads raw figures ----------------------------------------------------------------------

RAW = {
    "IndicatorData",
    "series_build",
    "progress_compute",
    "StatusSnapshot",
    "Observation",
    "disclose_count",
    "disclose_rate",
    "random_round",
    "series_payload",
}


def test_no_page_api_command_or_file_writer_reads_raw_figures_around_the_gate():
    """Figures leave the measures capability through its selectors only: the thin layers, and every other app, never
    build a series, read stored statuses or observations, or call the rounding primitives themselves."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    thin = [root / "measures" / name for name in ("views.py", "api.py", "cli.py", "exports.py")]
    others = [p for p in root.rglob("*.py") if "measures" not in p.parts and "tests" not in p.parts and "migrations" not in p.parts]
    offenders = []
    for path in thin + others:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rocc.measures"):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model" and len(node.args) == 2:
                names = [getattr(node.args[1], "value", "")] if getattr(node.args[0], "value", "") == "measures" else []
            offenders += [f"{path.relative_to(root)}:{node.lineno} {name}" for name in names if name in RAW]
    assert offenders == []


# -- the walk ------------------------------------------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])-?\d+(?:\.\d+)?(?![\w])")


def _figures(payload) -> list[float]:
    """Every number in a payload (nested dicts and lists)."""
    if isinstance(payload, bool) or payload is None:
        return []
    if isinstance(payload, (int, float)):
        return [float(payload)]
    if isinstance(payload, dict):
        return [f for v in payload.values() for f in _figures(v)]
    if isinstance(payload, (list, tuple)):
        return [f for v in payload for f in _figures(v)]
    return []


def _significant(token: str) -> int:
    return len(token.replace("-", "").replace(",", "").replace(".", "").lstrip("0"))


def _shown_as(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


class Oracle:
    """The figures only true counts produce (for the indicators, units and series walked), less any a protected
    output shows as well; a displayed number is a leak when it is one of the first at the precision shown and none of
    the second."""

    def __init__(self, true: list[float], protected: list[float]):
        self.protected = frozenset(protected)
        self.sensitive = frozenset(t for t in set(true) if t not in self.protected)

    # The figures are kept as frozen sets, so that adding to them (``oracle.sensitive |= {...}``) assigns a new set and
    # forgets the figures written out at each precision, which are worked out once per precision a page shows.
    @property
    def sensitive(self) -> frozenset[float]:
        return self._sensitive

    @sensitive.setter
    def sensitive(self, figures) -> None:
        self._sensitive, self._sensitive_shown = frozenset(figures), {}

    @property
    def protected(self) -> frozenset[float]:
        return self._protected

    @protected.setter
    def protected(self, figures) -> None:
        self._protected, self._protected_shown = frozenset(figures), {}

    @staticmethod
    def _shown(figures: frozenset[float], cache: dict[int, frozenset[str]], decimals: int) -> frozenset[str]:
        if decimals not in cache:
            cache[decimals] = frozenset(_shown_as(f, decimals) for f in figures)
        return cache[decimals]

    def leaks(self, text: str) -> list[str]:
        found = []
        for match in NUMBER.finditer(text):
            token = match.group()
            if _significant(token) < 3:
                continue  # too short to tell a true figure from any other number on a page
            plain = token.replace(",", "")
            decimals = len(plain.split(".")[1]) if "." in plain else 0
            if plain in self._shown(self.sensitive, self._sensitive_shown, decimals) and plain not in self._shown(
                self.protected, self._protected_shown, decimals
            ):
                found.append(token)
        return found


def _published_series(series):
    """The oracle's own protection of a true series, from the rounding primitive alone (not the gate under test)."""
    from dataclasses import replace

    rules, points = _rules(), []
    for point in series.points:
        identity = cell_identity(
            indicator=series.indicator.code, unit=series.unit.code, period=point.period.key, disaggregation=series.disaggregation, series=series.period_type
        )
        shown = disclose_count(point.numerator, identity + "|numerator", rules=rules)
        value = (shown / point.denominator * series.version.factor if shown is not None and point.denominator else None) if series.version.is_rate else shown
        points.append(replace(point, numerator=shown, value=value, suppressed=shown is None and point.numerator is not None))
    return replace(series, points=points, disclosure_applied=True)


@pytest.fixture
def oracle(gate_world, make_user):
    """True figures from the unprotected builders; allowed figures from the oracle's own protection of the same series,
    run through the same progress (status, interval, glide path, trend, forecast)."""
    from rocc.measures.progress import progress_compute
    from rocc.measures.selectors import observations_for, scorecard_for, series_payload, target_for
    from rocc.measures.series import IndicatorData

    insider = make_user("administrator")
    true, allowed = [], []
    for indicator in (gate_world["count"], gate_world["rate"]):
        data = IndicatorData(indicator)
        for unit in gate_world["units"].values():
            for period_type in ("month", "quarter", "calendar_year", "year_ended", "july_june"):
                target = target_for(indicator, unit, period_type)
                for as_reported in (False, True):
                    series = data.series(unit, period_type=period_type, as_reported=as_reported)
                    true += _figures(series_payload(progress_compute(series, target)))
                    allowed += _figures(series_payload(progress_compute(_published_series(series), target)))
        true += _figures(observations_for(user=insider, indicator=indicator))
    true += _figures(scorecard_for(user=insider))
    assert set(true) - set(allowed), "the world must hold figures that disclosure control changes"
    return Oracle(true, allowed)


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


# The routes whose answers carry indicator figures (or statuses or figures typed into a case). Provider returns have
# their own rules (a provider sees its own figures) and their own tests.
WALKED = re.compile(r"^(measures/(?!returns)|api/measures/(?!returns)|problems/cases/|api/problems/|strategy/district-plans/<slug:code>/v<int:number>/)")
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(route: str, values: dict) -> list[str]:
    paths = [route]
    for _converter, name in PARAMETER.findall(route):
        assert name in values, f"the walk has no value for <{name}> in {route}: add one so this route is walked"
        paths = [re.sub(rf"<(?:\w+:)?{name}>", str(v), p, count=1) for p in paths for v in values[name]]
    return ["/" + p for p in paths]


def _texts(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an Excel workbook: every cell, numbers at full precision
        book = load_workbook(io.BytesIO(content))
        return [
            " ".join(repr(c) if isinstance(c, float) else str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
            for sheet in book.worksheets
        ]
    return [content.decode("utf-8-sig", errors="replace")]


def test_walking_every_output_path_with_small_counts_shows_no_protected_figure(gate_world, oracle, make_user):
    from rocc.measures.cli import measures_app
    from rocc.problems import services
    from rocc.problems.services import case_open, problems_defaults_load
    from rocc.problems.tests.conftest import complete_stage
    from rocc.strategy.models import DistrictPlan
    from rocc.strategy.services.frameworks import strategy_defaults_load

    load_once(strategy_defaults_load)
    load_once(problems_defaults_load)
    owner = make_user("regional_coordinator", units=["waitemata"])
    case = case_open(actor=owner, title="Incidents", description="", scope_unit=gate_world["units"]["waitemata"], owner=owner)
    for _ in range(4):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    services.community_figure_add(actor=owner, case=case, community="Māori", measure="Incidents", before=NORTHLAND[3], after=NORTHLAND[5])
    services.community_figure_add(actor=owner, case=case, community="Pākehā", measure="Incidents", before=4, after=NORTHLAND[7])
    oracle.sensitive |= {float(NORTHLAND[3]), float(NORTHLAND[5]), float(NORTHLAND[7])}
    # Outcome measures: their counts and everything computed from them (changes, WDD with its interval, WDQ) are
    # sensitive, unless the oracle's own protection of the counts gives the same figure.
    for description, counts in (("Incidents", OUTCOME_LARGE), ("Incidents nearby", OUTCOME_SMALL_BUFFER)):
        measure = services.outcome_measure_add(actor=owner, case=case, description=description, **counts)
        shown = {name: _outcome_shown(case, measure, name) for name in OUTCOME_COUNTS}
        protected = list(shown.values())
        if None not in shown.values():
            protected += _outcome_figures(
                services.outcome_comparison(
                    target_before=shown["before_target"],
                    target_after=shown["after_target"],
                    comparison_before=shown["before_comparison"],
                    comparison_after=shown["after_comparison"],
                    buffer_before=shown["before_buffer"],
                    buffer_after=shown["after_buffer"],
                )
            )
        else:
            # With a count suppressed the displacement is withheld, but the other areas' changes are still shown,
            # computed from their protected counts: the same per cent may then equal the true one by chance.
            for area in ("target", "comparison", "buffer"):
                before, after = shown[f"before_{area}"], shown[f"after_{area}"]
                if before is not None and after is not None:
                    protected += _figures([(services.outcome_change(before, after) or {}).get("percent")])
        oracle.protected |= {float(f) for f in protected if f is not None}
        oracle.sensitive |= {f for f in [float(c) for c in counts.values()] + _outcome_figures(measure.result) if f not in oracle.protected}
    plan = DistrictPlan.objects.get(code="example-district-plan")
    version = plan.versions.get()

    values = {
        "code": ["gate-count", "gate-rate", plan.code],
        "fmt": ["csv", "xlsx"],
        "unit_code": ["nz", "northland", "waitemata"],
        "number": [version.number],
        "key": [version.elements.first().key],
        "pk": [case.pk],
        "case_id": [case.pk],
        "stage": ["scan", "assess"],
        "direction": ["forward"],
        "what": ["figure"],
        "milestone_id": [1],
        "evidence_id": [1],
        "question_id": [1],
        "move": ["agree"],
    }
    queries = (
        [""]
        + [f"?unit={u}" for u in ("nz", "northland", "waitemata")]
        + [f"?unit={u}&period_type={p}" for u in ("nz", "waitemata") for p in ("quarter", "year_ended")]
        + ["?unit=northland&public=1"]
    )
    routes = [r for r in _routes(get_resolver().url_patterns) if WALKED.match(r)]
    assert any(r.startswith("api/measures/") for r in routes) and any(r.startswith("measures/") for r in routes)

    visitors = {
        "viewer": make_user("viewer", units=["waitemata"]),
        "provider": make_user("provider_reporter", units=["northland"], agency="MSD"),
        "anonymous": None,
    }
    leaks, answered = [], set()
    for who, user in visitors.items():
        client = _client(user)
        for route in routes:
            for path in _fill(route, values):
                for query in queries if path.startswith(("/measures/", "/api/measures/")) else [""]:
                    response = client.get(path + query)
                    if response.status_code == 200:
                        answered.add(route)
                    for text in _texts(response):
                        leaks += [f"{who} {path}{query}: {token}" for token in oracle.leaks(text)]
    commands = [
        ["series", code, "--unit", unit, "--public", "--json", *extra]
        for code in ("gate-count", "gate-rate")
        for unit in ("nz", "Northland", "Waitematā")
        for extra in ([], ["--period-type", "year_ended"], ["--as-reported"])
    ]
    commands += [["export", code, "--unit", unit, "--public", "--format", "csv"] for code in ("gate-count", "gate-rate") for unit in ("nz", "Northland")]
    for command in commands:
        result = CliRunner().invoke(measures_app, command)
        assert result.exit_code == 0, result.output
        leaks += [f"rocc measures {' '.join(command)}: {token}" for token in oracle.leaks(result.output)]
    assert leaks == []
    # The walk saw the figures it was meant to: each kind of output answered the viewer.
    for route in (
        "measures/",
        "measures/indicators/<slug:code>/",
        "measures/indicators/<slug:code>/series.<str:fmt>",
        "measures/indicators/<slug:code>/districts/",
        "measures/scorecard/",
        "measures/scorecard.<str:fmt>",
        "measures/scorecard/<slug:unit_code>/",
        "api/measures/indicators/<code>/series",
        "api/measures/indicators/<code>/observations",
        "api/measures/scorecard",
        "problems/cases/<int:pk>/<slug:stage>/",
        "problems/cases/<int:pk>/export.xlsx",
        "problems/cases/<int:pk>/print/",
        "strategy/district-plans/<slug:code>/v<int:number>/logic-model/",
    ):
        assert route in answered, route


def test_the_walk_catches_a_true_figure_when_one_is_shown(gate_world, oracle, make_user):
    """The oracle is not vacuous: the true latest figures, as a page would print them, are caught."""
    from rocc.measures.templatetags.measures_extras import figure

    small_rate = WAITEMATA[-1] / POPULATION["waitemata"] * 10000  # a suppressed count's rate
    assert oracle.leaks(f"<td>{NORTHLAND[-1]:,}</td>") and oracle.leaks(f"<td>{figure(small_rate)}</td>")
    assert oracle.leaks(json.dumps({"value": NORTHLAND[-1] / POPULATION["northland"] * 10000}))
    identity = cell_identity(indicator="gate-count", unit="northland", period="2020-12", series="month")
    published = disclose_count(NORTHLAND[-1], identity + "|numerator", rules=_rules())
    assert not oracle.leaks(f"<td>{published:,}</td>")  # the rounded count is what a viewer may see
