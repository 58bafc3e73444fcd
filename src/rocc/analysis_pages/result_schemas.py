"""The shape of each analysis kind's stored result: the figures its page reads, as the library's ``to_dict()``
writes them, checked before a result is saved so that a page never fails on what was accepted.

Each kind has a pydantic model of the fields its page and charts read (other fields the library adds are kept as
they are). Numbers must be numbers (not text, not true/false), lists must be lists, and tables must agree with
their bands (a Knox table has a row per distance band and a column per day band). ``result_problems`` gives every
problem under its place in the result (``result.matrix.2``), for the service's one refusal.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from rocc.analysis.near_repeat import MAX_PAIRS_KEPT

Number = float | None
Whole = Annotated[int, Strict()]
Text = Annotated[str, Strict()]
Pair = Annotated[list[float], Field(min_length=2, max_length=2)]
Real = Annotated[float, Strict()]


class _Part(BaseModel):
    # Strict: "3" is not a number and true is not a count; extra fields are the library's own and are kept.
    model_config = ConfigDict(strict=True, extra="allow")


def _same_shape(name: str, table: list[list[Any]], rows: int, columns: int) -> None:
    if len(table) != rows or any(len(row) != columns for row in table):
        raise ValueError(f"{name} must have {rows} rows of {columns} values, one per band")


# --- near repeats (Knox) ---------------------------------------------------------------------------


class _PlainSummary(_Part):
    text: Text


class _LinkedPair(_Part):
    # Two linked events' rows (1-based) and places, for the map and its table: no identifier of a person.
    row_a: Whole = Field(ge=1)
    row_b: Whole = Field(ge=1)
    x_a: Real
    y_a: Real
    x_b: Real
    y_b: Real
    distance: Real = Field(ge=0)
    days: Whole = Field(ge=0)


class _KnoxPair(_LinkedPair):
    distance_band: Whole = Field(ge=0)
    day_band: Whole = Field(ge=0)


class _ChainPair(_LinkedPair):
    chain: Whole = Field(ge=1)
    id_a: Text | None = None
    id_b: Text | None = None


def _pairs_bounded(pairs: list[Any], total: int | None) -> None:
    if len(pairs) > MAX_PAIRS_KEPT:
        raise ValueError(f"a result keeps at most {MAX_PAIRS_KEPT:,} linked pairs for its map, found {len(pairs):,}")
    if total is not None and len(pairs) > total:
        raise ValueError(f"{len(pairs):,} linked pairs are kept but the result counts {total:,} in all")


class NearRepeatResult(_Part):
    distance_bands: list[Annotated[list[Number], Field(min_length=2, max_length=2)]] = Field(min_length=1)
    day_bands: list[Annotated[list[Number], Field(min_length=2, max_length=2)]] = Field(min_length=1)
    observed: list[list[float]]
    expected: list[list[Number]]
    knox_ratio: list[list[Number]]
    p_value: list[list[Number]]
    plain_summary: _PlainSummary | None = None
    pairs: list[_KnoxPair] = []
    pairs_total: Whole = Field(0, ge=0)

    @model_validator(mode="after")
    def _tables_match_bands(self):
        for name in ("observed", "expected", "knox_ratio", "p_value"):
            _same_shape(name, getattr(self, name), len(self.distance_bands), len(self.day_bands))
        _pairs_bounded(self.pairs, self.pairs_total)
        for pair in self.pairs:
            if pair.distance_band >= len(self.distance_bands) or pair.day_band >= len(self.day_bands):
                raise ValueError("a close pair's distance band and day band must be cells of the table")
        return self


# --- hot times -------------------------------------------------------------------------------------


class HotTimesResult(_Part):
    matrix: list[list[float]] = Field(min_length=1)
    days: list[Text]
    hours: list[Text]

    @model_validator(mode="after")
    def _matrix_matches_labels(self):
        _same_shape("matrix", self.matrix, len(self.days), len(self.hours))
        return self


# --- hot spots -------------------------------------------------------------------------------------


class _Grid(_Part):
    origin: Pair
    rows: Whole = Field(ge=1)
    cols: Whole = Field(ge=1)


class _CellGrid(_Grid):
    cell: float = Field(gt=0)


class _HotspotCell(_Part):
    x: float
    y: float
    count: float
    density: Number
    gi_z: Number = None
    hot: Whole | Text | None = None


class _HotspotParameters(_Part):
    cell: float = Field(gt=0)
    judged_by: Text | None = None
    crs: Text | None = None


class HotspotsResult(_Part):
    parameters: _HotspotParameters
    grid: _Grid
    cells: list[_HotspotCell]


# --- concentration (the Power Few) -----------------------------------------------------------------


class _TopUnit(_Part):
    unit: Text | Whole
    share: float


class ConcentrationResult(_Part):
    lorenz: list[Pair]
    top_shares: dict[str, Number]
    units_for_half: float

    @model_validator(mode="after")
    def _shares_keyed_by_fraction(self):
        for share in self.top_shares:
            try:
                float(share)
            except ValueError:
                raise ValueError(f"top_shares is keyed by the share of units (0.01, 0.1…), not {share!r}") from None
        return self

    top_units: list[_TopUnit] | None = None
    confidence: Number = None
    chance_lorenz: list[Pair] | None = None


# --- harm ------------------------------------------------------------------------------------------


class _HarmRow(_Part):
    offence: Text
    harm: float
    share: Number


class HarmResult(_Part):
    by_offence: list[_HarmRow]


# --- networks --------------------------------------------------------------------------------------


class _Node(_Part):
    node: Text
    degree: float
    community: Whole = Field(ge=0)
    # The measures a drawing may be sized by (charts.SIZE_MEASURES).
    strength: Number = None
    betweenness: Number = None
    closeness: Number = None
    eigenvector: Number = None


class _NetworkSummary(_Part):
    directed: bool


class _KeyPlayers(_Part):
    nodes: list[Text] | None = None


class NetworkResult(_Part):
    summary: _NetworkSummary
    nodes: list[_Node]
    # JSON has no tuples: a tie is the list [source, target, weight], read as a tuple of strict parts.
    edges: list[Annotated[tuple[Text, Text, Real], Strict(False)]]
    layout: dict[str, Pair] | None = None
    key_players: _KeyPlayers | None = None

    @model_validator(mode="after")
    def _ties_and_places_name_nodes(self):
        names = {n.node for n in self.nodes}
        strangers = sorted({end for s, t, _ in self.edges for end in (s, t)} - names)
        if strangers:
            raise ValueError(f"edges name nodes that are not in nodes: {', '.join(strangers[:5])}")
        if self.layout and names - set(self.layout):
            raise ValueError("layout must place every node")
        return self


# --- displacement ----------------------------------------------------------------------------------


class DisplacementResult(_Part):
    count: dict[str, Any] | None = None
    harm: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _has_a_measure(self):
        if not self.count and not self.harm:
            raise ValueError("a displacement result has its count measure, its harm measure, or both")
        return self


# --- space–time interaction ------------------------------------------------------------------------


class SpaceTimeResult(_Part):
    method: Text
    k_max: Whole | None = Field(None, ge=0)
    j_observed: list[float] | None = None
    j_expected: list[Number] | None = None
    j_p_value: list[Number] | None = None
    delta_observed: list[float] | None = None
    delta_expected: list[Number] | None = None
    delta_p_value: list[Number] | None = None
    r: Number = None
    expected_r: Number = None
    sd_r: Number = None
    z: Number = None
    p_value: Number = None
    listing: list[dict[str, Any]] | None = None
    chains_by_size: dict[str, Whole] | None = None
    pairs: list[_ChainPair] | None = None
    links: Whole | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _method_has_its_figures(self):
        if self.method == "jacquez":
            series = ("j_observed", "j_expected", "j_p_value", "delta_observed", "delta_expected", "delta_p_value")
            if self.k_max is None or any(getattr(self, s) is None or len(getattr(self, s)) < self.k_max for s in series):
                raise ValueError(f"a Jacquez result has k_max and {', '.join(series)}, each with a value for every k")
        elif self.method == "mantel":
            if "r" not in self.model_fields_set or "p_value" not in self.model_fields_set:
                raise ValueError("a Mantel result has r, expected_r, sd_r, z and p_value")
        elif self.method != "chains":
            raise ValueError("method must be jacquez, mantel or chains")
        for size in self.chains_by_size or {}:
            if not size.isdigit():
                raise ValueError("chains_by_size is keyed by chain size (a whole number)")
        _pairs_bounded(self.pairs or [], self.links)
        return self


# --- centre, spread and direction ------------------------------------------------------------------


class _CentreRow(_Part):
    group: Text
    period: Text
    mean_x: Number
    mean_y: Number
    standard_distance: Number
    within_standard_distance: Number
    ellipse_major: Number
    ellipse_minor: Number
    ellipse_bearing: Number
    ellipse_area: Number


class SpatialDescriptionResult(_Part):
    rows: list[_CentreRow]


# --- spatial autocorrelation -----------------------------------------------------------------------


class _Moran(_Part):
    statistic: Number
    expected: Number
    p_randomisation: Number
    p_sim: Number
    z_sim: Number


class _GeneralG(_Part):
    statistic: Number
    expected: Number
    z_normal: Number
    p_normal: Number
    p_sim: Number
    z_sim: Number


class _Area(_Part):
    cluster: Text
    local_i: Number
    value: Number
    p: Number
    x: Number = None
    y: Number = None


class AutocorrelationResult(_Part):
    moran: _Moran
    general_g: _GeneralG | None = None
    areas: list[_Area]
    counts: dict[str, Whole]
    grid: _CellGrid | None = None

    @model_validator(mode="after")
    def _grid_areas_are_placed(self):
        if self.grid is not None and any(a.x is None or a.y is None for a in self.areas):
            raise ValueError("on a grid every area has its cell centre x and y")
        return self


# --- forecast accuracy -----------------------------------------------------------------------------


class _Score(_Part):
    method: Text
    cell: float
    share: float
    hit_rate: Number
    pai: Number
    pei: Number
    rri: Number


class ForecastAccuracyResult(_Part):
    scores: list[_Score]


# --- point patterns --------------------------------------------------------------------------------


class _NearestNeighbour(_Part):
    p: Number


class _Ripley(_Part):
    distance: float
    l_minus_d: float
    l_lower: Number
    l_upper: Number

    @model_validator(mode="after")
    def _envelope_whole(self):
        if (self.l_lower is None) != (self.l_upper is None):
            raise ValueError("the envelope has both l_lower and l_upper, or neither")
        return self


class _Density(_Part):
    grid: _CellGrid
    cells: list[Annotated[tuple[Real, Real, Real], Strict(False)]]
    max: Number


class PointPatternResult(_Part):
    nearest_neighbour: _NearestNeighbour
    ripley: list[_Ripley] = Field(min_length=1)
    density: _Density | None = None

    @model_validator(mode="after")
    def _envelopes_alike(self):
        if len({r.l_lower is None for r in self.ripley}) > 1:
            raise ValueError("either every distance of ripley has its envelope or none does")
        return self


# --- emerging hot spots ----------------------------------------------------------------------------


class _EmergingCell(_Part):
    x: float
    y: float
    events: float
    spots: list[Whole]
    pattern: Text
    trend_p: Number


class EmergingHotspotsResult(_Part):
    counts: dict[str, Whole]
    cells: list[_EmergingCell]


# --- repeat victims --------------------------------------------------------------------------------


class _Person(_Part):
    person: Text
    count: Whole = Field(ge=0)


class RepeatVictimsResult(_Part):
    persons: list[_Person]
    summary: dict[str, Any]


#: Each kind's result schema (the keys are rocc.analysis_pages.models.AnalysisKind's values).
RESULT_SCHEMAS: dict[str, type[BaseModel]] = {
    "repeat_victims": RepeatVictimsResult,
    "hot_times": HotTimesResult,
    "hotspots": HotspotsResult,
    "concentration": ConcentrationResult,
    "harm": HarmResult,
    "near_repeat": NearRepeatResult,
    "network": NetworkResult,
    "displacement": DisplacementResult,
    "autocorrelation": AutocorrelationResult,
    "emerging_hotspots": EmergingHotspotsResult,
    "forecast_accuracy": ForecastAccuracyResult,
    "point_pattern": PointPatternResult,
    "space_time": SpaceTimeResult,
    "spatial_description": SpatialDescriptionResult,
}

#: Problems listed in one refusal at most: a result wrong everywhere says enough with these.
MAX_PROBLEMS = 20


def result_problems(kind: str, result: Any) -> dict[str, list[str]]:
    """Every way ``result`` is not a result of ``kind``, each under its place (``result.cells.3.x``); empty if it is."""
    schema = RESULT_SCHEMAS[kind]
    try:
        schema.model_validate(result)
    except ValidationError as error:
        problems: dict[str, list[str]] = {}
        for problem in error.errors(include_url=False)[:MAX_PROBLEMS]:
            where = ".".join(["result", *(str(part) for part in problem["loc"])])
            message = problem["msg"].removeprefix("Value error, ")
            problems.setdefault(where, []).append(message)
        return problems
    return {}
