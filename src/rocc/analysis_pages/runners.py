"""Running each analysis of the library on a table and its parameters, giving a JSON-ready result.

The parameters are the plain JSON the pages store (column names, numbers, band edges), so that the same
call runs in a request, in a background worker, and again when a saved analysis is re-run. Nothing here
reads the database: a table source hands over the data frame.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import event_weights, harm_index_from_table, harm_profile, harm_weights
from rocc.analysis.inputs import column, date_column, datetime_column, numeric_column
from rocc.analysis.library import analysis_module
from rocc.analysis.results import jsonable
from rocc.events.importer import NZ_LATITUDE, NZ_LONGITUDE, NZTM_X, NZTM_Y, outside_new_zealand_lonlat, outside_new_zealand_nztm
from rocc.events.offences import anzsoc

NZTM = "EPSG:2193"
#: Networks larger than this are measured but not drawn: a drawing of thousands of nodes shows nothing.
MAX_DRAWN_NODES = 1500

FrameLoader = Callable[..., pd.DataFrame]  # frame(header=True) -> the table


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    holds_person_level: bool


# --- shared pieces ----------------------------------------------------------------------------------


def offence_classification(params: dict[str, Any]):
    """The classification the offence codes of a run belong to: ANZSOC 2011 (the store's, and the default), or
    none when the analyst said the file's codes are labels to compare as written."""

    return None if params.get("offence_codes_are") == "as_written" else anzsoc()


def harm_index_parse(text: str, classification=None):
    """A harm index from lines of ``offence_code,weight`` (a header line is optional); errors name the line.
    With a classification a code at any level weights every code below it."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    if not lines:
        raise AnalysisInputError("harm weights: give one line per offence code, as code,weight")
    if not lines[0].split(",")[0].strip().lower().startswith("offence"):
        lines.insert(0, "offence_code,weight")
    frame = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False, skipinitialspace=True)
    try:
        return harm_index_from_table(frame, source="harm weights entered on the page", classification=classification)
    except AnalysisInputError as error:
        raise AnalysisInputError(f"harm weights: {error}") from None


def _harm(frame: pd.DataFrame, params: dict[str, Any]) -> np.ndarray | None:
    """Per-event harm weights when the parameters ask for harm weighting, else None."""
    if not params.get("harm"):
        return None
    if not params.get("offence"):
        raise AnalysisInputError("harm weighting needs the column holding each event's offence code")
    index = harm_index_parse(params["harm"], offence_classification(params))
    return harm_weights(column(frame, params["offence"]), index=index, default_weight=params.get("default_weight"), name=params["offence"])


def _located(frame: pd.DataFrame, params: dict[str, Any]) -> tuple[pd.DataFrame, int]:
    """The rows with both coordinates, when the analyst chose to leave out the others (or the data are
    events from the store, where an unknown location is empty); the count left out."""
    if not params.get("drop_unlocated"):
        return frame, 0
    blank = np.zeros(len(frame), dtype=bool)
    for name in (params["x"], params["y"]):
        values = column(frame, name)
        blank |= (values.isna() | values.astype(str).str.strip().isin(["", "nan", "NaN"])).to_numpy()
    return frame.loc[~blank].reset_index(drop=True), int(blank.sum())


def _inside_new_zealand(longitude: np.ndarray, latitude: np.ndarray, params: dict[str, Any]) -> None:
    """Refuse longitude/latitude outside New Zealand, by the event importer's own bounds: NZTM2000 is only
    right for New Zealand, and silently projecting other points into it would put them in the wrong place."""

    outside = outside_new_zealand_lonlat(longitude, latitude)
    if not outside.any():
        return
    i = int(np.flatnonzero(outside)[0])
    swapped = NZ_LATITUDE[0] <= longitude[i] <= NZ_LATITUDE[1]
    raise AnalysisInputError(
        f"longitude {longitude[i]:g}, latitude {latitude[i]:g} is outside New Zealand (expected longitude {NZ_LONGITUDE[0]:g} "
        f"to {NZ_LONGITUDE[1]:g} and latitude {NZ_LATITUDE[0]:g} to {NZ_LATITUDE[1]:g}), and these pages project "
        f"longitude and latitude to NZTM2000; {int(outside.sum())} row{'s are' if outside.sum() != 1 else ' is'} outside"
        + (
            "; are longitude and latitude swapped?"
            if swapped
            else '; for another country, project the coordinates to its own system in metres first and choose "another projected system"'
        ),
        column=params["x"],
        row=i + 1,
    )


def _inside_nztm(x: np.ndarray, y: np.ndarray, params: dict[str, Any]) -> None:
    """Refuse easting/northing outside New Zealand, by the event importer's bounds: longitude and latitude
    (or another system's metres) taken as NZTM2000 would give a grid in the wrong place, with no warning."""

    outside = outside_new_zealand_nztm(x, y)
    if not outside.any():
        return
    i = int(np.flatnonzero(outside)[0])
    degrees = abs(x[i]) <= 180 and abs(y[i]) <= 180
    raise AnalysisInputError(
        f"x={x[i]:,.0f}, y={y[i]:,.0f} is outside New Zealand in NZTM2000 (expected x {NZTM_X[0]:,.0f} to {NZTM_X[1]:,.0f} "
        f"and y {NZTM_Y[0]:,.0f} to {NZTM_Y[1]:,.0f} metres); {int(outside.sum())} row{'s are' if outside.sum() != 1 else ' is'} outside"
        + ("; these look like longitude and latitude: choose WGS84" if degrees else '; for another system in metres choose "another projected system"'),
        column=params["x"],
        row=i + 1,
    )


def _projected(frame: pd.DataFrame, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str | None]:
    xs, ys = numeric_column(frame, params["x"]), numeric_column(frame, params["y"])
    if params.get("coordinates") == "wgs84":
        _inside_new_zealand(xs, ys, params)
        xs, ys = analysis_module("hotspots").project_lonlat(xs, ys, crs=NZTM)
        return xs, ys, NZTM
    if params.get("coordinates") == "nztm":
        _inside_nztm(xs, ys, params)
    return xs, ys, NZTM if params.get("coordinates") == "nztm" else None


def _points(frame: pd.DataFrame, params: dict[str, Any], *, required: bool = True) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, str | None, int]:
    """The preamble of every analysis of points: the located rows (when the analyst leaves out the others),
    refused when none is left (``required``), and their projected coordinates. Gives the rows kept, x, y, the
    coordinates' CRS and how many rows were left out."""
    frame, dropped = _located(frame, params)
    if required and frame.empty:
        raise AnalysisInputError("no row has both coordinates")
    xs, ys, crs = _projected(frame, params)
    return frame, xs, ys, crs, dropped


def _left_out(rows: int) -> str:
    if not rows:
        return ""
    return f"{rows} row{'s' if rows != 1 else ''} without coordinates {'were' if rows != 1 else 'was'} left out"


def _notes(result: dict[str, Any], *extra: str) -> None:
    notes = result.setdefault("notes", [])
    notes.extend(note for note in extra if note)


# --- the analyses ---------------------------------------------------------------------------------


def run_repeat_victims(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    repeat_victims = analysis_module("repeat_victims")
    weights = _harm(frame, params)
    result = repeat_victims.repeat_victims(
        persons=column(frame, params["person"]),
        dates=date_column(frame, params["date"]),
        offences=column(frame, params["offence"]) if params.get("offence") else None,
        as_of=params.get("as_of") or None,
        window_days=int(params.get("window_days") or 365),
        serious_codes=params.get("serious_codes") or [],
        serious_harm=params.get("serious_harm"),
        weights=weights,
        tiers=repeat_victims.VICTIM_FOCUS_TIERS,
        classification=offence_classification(params),
    )
    return Outcome(result.to_dict(), holds_person_level=True)


def run_repeat_victims_on_store(events, params: dict[str, Any]) -> Outcome | None:
    """:func:`run_repeat_victims` on the event store with each victim's events in the window counted in the engine by
    offence code: one row per victim and offence is pulled, not one per event. None when the run needs each event's
    row (an input not the store's, a harm index that refuses a code), so the frame is read."""
    repeat_victims = analysis_module("repeat_victims")
    if (params.get("person"), params.get("date")) != ("person_key", "date_from") or params.get("offence") not in (None, "", "offence_code"):
        return None
    with_offences = bool(params.get("offence"))
    if params.get("harm") and not with_offences:
        return None  # the frame's run says what is missing
    as_of = repeat_victims.parse_date(params["as_of"], name="as_of") if params.get("as_of") else None
    window_days = int(params.get("window_days") or 365)
    counted = events.victim_counts(as_of=as_of.astype(dt.date) if as_of is not None else None, window_days=window_days)
    if not counted.events:
        raise AnalysisInputError(NO_STORE_EVENTS)
    groups = counted.groups
    first_seen, group_person = np.unique(groups["first_seen"].to_numpy(dtype=np.int64), return_inverse=True)
    label_of = dict(zip(groups["first_seen"].tolist(), groups["person_key"].tolist(), strict=True))
    raw, raw_index = np.unique(groups["offence_code"].fillna("").astype(str).str.strip().to_numpy(dtype=object), return_inverse=True)
    classification = offence_classification(params)
    group_offence = offence_labels = group_weight = None
    if with_offences:
        renumber, offence_labels = repeat_victims.offence_labels_in_order(raw, classification=classification, name=params["offence"])
        group_offence = renumber[raw_index]
    if params.get("harm"):
        try:
            index = harm_index_parse(params["harm"], classification)
            weights = harm_weights(pd.Series(raw, dtype=object), index=index, default_weight=params.get("default_weight"), name=params["offence"])
        except AnalysisInputError:
            return None  # the frame's run names the first row it refuses
        group_weight = np.asarray(weights, dtype=np.float64)[raw_index]

    def days(name: str) -> np.ndarray:
        return pd.to_datetime(groups[name]).to_numpy().astype("datetime64[D]").astype(np.int64)

    result = repeat_victims.repeat_victims_from_groups(
        repeat_victims.VictimGroups(
            person=np.array([label_of[key] for key in first_seen.tolist()], dtype=object),
            group_person=group_person,
            group_offence=group_offence,
            group_weight=group_weight,
            group_count=groups["count"].to_numpy(dtype=np.int64),
            group_first=days("first"),
            group_last=days("last"),
            offence_labels=offence_labels,
            as_of=np.datetime64(counted.as_of, "D"),
            events=counted.events,
            events_before_window=counted.events_before_window,
            events_after_as_of=counted.events_after_as_of,
        ),
        window_days=window_days,
        serious_codes=params.get("serious_codes") or [],
        serious_harm=params.get("serious_harm"),
        tiers=repeat_victims.VICTIM_FOCUS_TIERS,
        classification=classification,
    )
    return Outcome(result.to_dict(), holds_person_level=True)


def run_hot_times(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    hot_times = analysis_module("hot_times")
    result = hot_times.hot_times(
        starts=datetime_column(frame, params["start"]),
        ends=datetime_column(frame, params["end"], blank_allowed=True) if params.get("end") else None,
        weights=_harm(frame, params),
        date_only=params.get("date_only") or "spread",
        midnight_is_date_only=not params.get("midnight_is_a_time"),
    )
    return Outcome(result.to_dict(), holds_person_level=False)


def run_hotspots(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    hotspots = analysis_module("hotspots")
    frame, xs, ys, crs, dropped = _points(frame, params)
    permutations = int(params.get("permutations") or 0)
    result = hotspots.hotspots(
        x=xs,
        y=ys,
        cell=params["cell"],
        bandwidth=params.get("bandwidth"),
        weights=_harm(frame, params),
        crs=crs,
        correction=params.get("correction") or "fdr",
        permutations=permutations,
        # A page's run is repeatable: its seed is the form's (1 unless changed), recorded with the result.
        seed=int(params["seed"]) if params.get("seed") is not None else 1,
        places=column(frame, params["place"]) if params.get("place") else None,
        places_are=params.get("places_are") or "recorded place",
    ).to_dict()
    _notes(result, _left_out(dropped))
    return Outcome(result, holds_person_level=False)


def run_hotspots_on_store(events, params: dict[str, Any]) -> Outcome | None:
    """:func:`run_hotspots` on the event store with the grid counted in the engine (and each cell's units counted
    there too); the events' coordinates are the only per-event values pulled, for the kernel density. None when the
    run needs each event's row (harm weights, a refused coordinate, an input not the store's), so the frame is read."""
    hotspots = analysis_module("hotspots")
    if params.get("harm") or params.get("coordinates") != "nztm" or not params.get("drop_unlocated"):
        return None
    if (params.get("x"), params.get("y")) != ("x", "y") or params.get("place") not in (None, "unit_name"):
        return None
    extent = events.points_extent()
    if not extent.events:
        raise AnalysisInputError(NO_STORE_EVENTS)
    if not extent.located:
        raise AnalysisInputError("no row has both coordinates")
    if extent.outside_new_zealand:
        return None  # the frame's run names the first such row
    permutations = int(params.get("permutations") or 0)
    west, south, rows, cols = hotspots.grid_for_bounds(x_range=extent.x_range, y_range=extent.y_range, cell=params["cell"], permutations=permutations)
    counts = events.hotspot_counts(west=west, south=south, cell=float(params["cell"]), rows=rows, cols=cols, by_place=bool(params.get("place")))
    result = hotspots.hotspots_from_counts(
        cells=counts.cells,
        x=counts.x,
        y=counts.y,
        x_range=extent.x_range,
        y_range=extent.y_range,
        cell=params["cell"],
        bandwidth=params.get("bandwidth"),
        crs=NZTM,
        correction=params.get("correction") or "fdr",
        permutations=permutations,
        seed=int(params["seed"]) if params.get("seed") is not None else 1,
        place_tally=counts.places,
        places_are=params.get("places_are") or "recorded place",
    ).to_dict()
    _notes(result, _left_out(extent.events - extent.located))
    return Outcome(result, holds_person_level=False)


def run_hot_times_on_store(events, params: dict[str, Any]) -> Outcome | None:
    """:func:`run_hot_times` on the event store with the events that fall in one hour counted in the engine; only the
    others (windows across an hour's end, dates without a time) are pulled, with their start, end and row, to be
    spread. None when the run needs each event's row (harm weights, an end before its start, an input not the
    store's), so the frame is read."""
    hot_times = analysis_module("hot_times")
    if params.get("harm") or (params.get("start"), params.get("end")) != ("date_from", "date_to"):
        return None
    counted = events.hour_counts(midnight_is_date_only=not params.get("midnight_is_a_time"))
    if not counted.events:
        raise AnalysisInputError(NO_STORE_EVENTS)
    if counted.ends_before_starts:
        return None  # the frame's run names the first such row
    result = hot_times.hot_times_from_counts(
        counts=counted.counts,
        events=counted.events,
        single_time=counted.single_time,
        starts=counted.starts,
        ends=counted.ends,
        rows=counted.rows,
        date_only=params.get("date_only") or "spread",
        midnight_is_date_only=not params.get("midnight_is_a_time"),
    )
    return Outcome(result.to_dict(), holds_person_level=False)


#: The runs that take the event store's engine-side aggregates when their table is the store's (the events given
#: as a loader with the aggregates); each gives None when its run needs the rows, and the frame runner runs.
STORE_RUNNERS: dict[str, Callable[[Any, dict[str, Any]], Outcome | None]] = {
    "hotspots": run_hotspots_on_store,
    "hot_times": run_hot_times_on_store,
    "repeat_victims": run_repeat_victims_on_store,
}
NO_STORE_EVENTS = "there are no events in the store for these filters"


def run_concentration(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    concentration = analysis_module("concentration")
    weights = _harm(frame, params)
    if params.get("weight"):
        if weights is not None:
            raise AnalysisInputError("give a weight column or harm weights, not both")
        weights = event_weights(numeric_column(frame, params["weight"]), events=len(frame), name=params["weight"])
    notes = []
    if params.get("group_by") == "cell":
        units, kept, size = _grid_places(frame, params)
        if weights is not None:
            weights = weights[kept]
        if (~kept).any():
            notes.append(_left_out(int((~kept).sum())))
        notes.append(f"places are {size:g} m grid cells: events in the same square count as one place")
    else:
        units = column(frame, params["unit"])
        if params.get("group_by") == "unit":
            notes.append("places are the units the events were recorded in")
        elif params.get("group_by") in ("victim", "offender"):
            notes.append(f"units are {params['group_by']}s: each counts the events they were recorded in")
    result = concentration.concentration(
        units=units,
        weights=weights,
        units_total=params.get("units_total"),
        bootstrap=int(params.get("bootstrap") or 0),
        confidence=float(params.get("confidence") or 0.95),
        # A page's run is repeatable: its seed is the form's (1 unless changed), recorded with the result.
        seed=int(params["seed"]) if params.get("seed") is not None else 1,
        chance_baseline=bool(params.get("chance_baseline")),
    ).to_dict()
    _notes(result, *notes)
    return Outcome(result, holds_person_level=bool(params.get("units_are_persons")))


def _grid_places(frame: pd.DataFrame, params: dict[str, Any]) -> tuple[pd.Series, np.ndarray, float]:
    """Each located event's grid cell, named by the cell's south-west corner; and which events were located."""
    size = float(params.get("group_cell") or 100.0)
    if not (math.isfinite(size) and size > 0):
        raise AnalysisInputError(f"the grid cell size for places must be a number of metres > 0, found {size!r}")
    xs = pd.to_numeric(frame[params.get("x") or "x"], errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(frame[params.get("y") or "y"], errors="coerce").to_numpy(dtype=float)
    kept = np.isfinite(xs) & np.isfinite(ys)
    if not kept.any():
        raise AnalysisInputError("no event has a location, so none can be placed in a grid cell")
    west = (np.floor(xs[kept] / size) * size).astype(np.int64)
    south = (np.floor(ys[kept] / size) * size).astype(np.int64)
    names = pd.Series([f"{w} E, {s} N" for w, s in zip(west.tolist(), south.tolist())], dtype=object, name="place")
    return names, kept, size


def run_harm(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    result = harm_profile(
        column(frame, params["offence"]),
        index=harm_index_parse(params["harm"], offence_classification(params)),
        default_weight=params.get("default_weight"),
    )
    return Outcome(result.to_dict(), holds_person_level=False)


def run_near_repeat(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    near_repeat = analysis_module("near_repeat")
    frame, xs, ys, crs, dropped = _points(frame, params, required=False)  # the Knox test says itself what it cannot use
    result = near_repeat.near_repeat_knox(
        x=xs,
        y=ys,
        dates=date_column(frame, params["date"]),
        distance_bands=[_edge(v) for v in params["distance_bands"]],
        day_bands=[_edge(v) for v in params["day_bands"]],
        metric=params.get("metric", "manhattan"),
        permutations=int(params.get("permutations", 999)),
        seed=params.get("seed"),
        event_label=params.get("event_label") or "event",
    ).to_dict()
    # The page shows the library's own sentence (the one the CLI prints) and marks the cell it quotes.
    result["plain_summary"] = {"text": result["summary"], "cell": result["summary_cell"]}
    result["notes"] = [_left_out(dropped)] if dropped else []
    result["crs"] = crs  # the close pairs' coordinates go on the map only in NZTM2000
    _notes(result, _pairs_cut(len(result["pairs"]), result["pairs_total"], "close pairs", "nearest bands first"))
    return Outcome(result, holds_person_level=False)


def _pairs_cut(kept: int, total: int, what: str, order: str) -> str:
    """The note a near-repeat result carries when its map and pairs table show only some of its linked pairs."""
    if kept >= total:
        return ""
    return f"the map and its table show the first {kept:,} of {total:,} {what} ({order}); the counts hold them all"


def run_network(frame_of: FrameLoader, params: dict[str, Any]) -> Outcome:
    networks = analysis_module("networks")
    if params.get("format") == "adjacency":
        network = networks.network_from_adjacency(frame_of(header=False), directed=params.get("directed"))
    else:
        network = networks.network_from_edge_list(
            frame_of(header=True),
            source=params["source"],
            target=params["target"],
            weight=params.get("weight") or None,
            directed=bool(params.get("directed")),
            merge_duplicates=bool(params.get("merge_duplicates")),
        )
    seed = int(params.get("seed") or 0)
    analysis = networks.network_analysis(
        network,
        key_players=int(params.get("key_players") or 0),
        community_method=params.get("communities", "leiden"),
        resolution=float(params.get("resolution") or 1.0),
        seed=seed,
        geodesics=params.get("geodesics") or "steps",
    )
    result = analysis.to_dict()
    edges = network.edge_table()
    result["edges"] = [[s, t, float(w)] for s, t, w in edges.itertuples(index=False)]
    result["layout"] = network_layout(network, seed=seed) if network.n_nodes <= MAX_DRAWN_NODES else None
    return Outcome(result, holds_person_level=True)


def run_displacement(params: dict[str, Any]) -> Outcome:
    displacement = analysis_module("displacement")
    rows = [
        {"area": area, "period": period, "count": value} for area, periods in params["counts"].items() for period, value in periods.items() if value is not None
    ]
    if params.get("harm"):
        for row in rows:
            harm = params["harm"].get(row["area"], {}).get(row["period"])
            if harm is None:
                raise AnalysisInputError(f"harm totals: give one for every area and period with a count ({row['area']}, {row['period']})")
            row["harm"] = harm
    sizes = {area: size for area, size in (params.get("area_km2") or {}).items() if size is not None}
    result = displacement.displacement_analysis(
        pd.DataFrame(rows),
        before_days=params.get("before_days"),
        after_days=params.get("after_days"),
        area_km2=sizes or None,
        confidence=float(params.get("confidence") or 0.95),
    )
    return Outcome(result.to_dict(), holds_person_level=False)


FRAME_RUNNERS: dict[str, Callable[[pd.DataFrame, dict[str, Any]], Outcome]] = {
    "repeat_victims": run_repeat_victims,
    "hot_times": run_hot_times,
    "hotspots": run_hotspots,
    "concentration": run_concentration,
    "harm": run_harm,
    "near_repeat": run_near_repeat,
}


def analysis_compute(kind: str, params: dict[str, Any], frame_of: FrameLoader | None) -> Outcome:
    """Run analysis ``kind``; ``frame_of(header=True)`` gives its table (None for figures typed in).
    Raises AnalysisInputError with a located message for anything the analysis cannot use."""
    try:
        if kind == "displacement":
            outcome = run_displacement(params)
        elif kind == "network":
            outcome = run_network(frame_of, params)
        else:
            on_store = STORE_RUNNERS.get(kind) if hasattr(frame_of, "points_extent") else None
            stored = on_store(frame_of, params) if on_store is not None else None
            outcome = stored if stored is not None else FRAME_RUNNERS[kind](frame_of(header=True), params)
    except AnalysisInputError:
        raise
    except (ValueError, TypeError, KeyError) as error:
        # The library checks its inputs; anything else that slips through is still the input's fault
        # and must read as a message, not a server error.
        raise AnalysisInputError(f"the analysis could not use this input: {error}") from None
    return Outcome(jsonable(outcome.result), outcome.holds_person_level)


def _edge(value: Any) -> float:
    return math.inf if value is None or value == "inf" else float(value)


def is_long(kind: str, params: dict[str, Any], rows: int) -> bool:
    """Whether a run would keep a page waiting for more than a few seconds, so belongs in the background."""
    if kind == "space_time":
        return space_time_is_long(params, rows)
    if kind == "near_repeat":
        return rows * int(params.get("permutations", 999)) > 3_000_000
    if kind == "network":
        return rows > 5_000 or (int(params.get("key_players") or 0) > 0 and rows > 1_000)
    return rows > 500_000


# --- drawing a network ----------------------------------------------------------------------------


def network_layout(network, *, seed: int) -> dict[str, list[float]]:
    """Node positions in [0, 1]² from a force-directed layout of the undirected projection, seeded so that
    the same network draws the same way every time."""
    graph = network.undirected
    n = graph.vcount()
    if n == 0:
        return {}
    start = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2)).tolist()
    weights = graph.es["weight"] if graph.ecount() else None
    # Fewer iterations for big networks: the picture settles early and the run stays interactive.
    layout = graph.layout_fruchterman_reingold(seed=start, weights=weights, niter=500 if n <= 300 else 150)
    coords = np.asarray(layout.coords, dtype=float)
    low, high = coords.min(axis=0), coords.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    coords = (coords - low) / span
    return {name: [round(float(x), 4), round(float(y), 4)] for name, (x, y) in zip(graph.vs["name"], coords, strict=True)}


# --- space–time interaction beyond Knox (Jacquez, Mantel, chains) ----------------------------------------------

#: Rows of the chain listing kept with a result: enough to read every chain of a district's month; the counts
#: and each event's chain number are kept whole.
MAX_CHAIN_ROWS_LISTED = 2000


def run_space_time(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    space_time = analysis_module("space_time")
    frame, xs, ys, crs, dropped = _points(frame, params)
    events = {"x": xs, "y": ys, "dates": date_column(frame, params["date"]), "event_label": params.get("event_label") or "event"}
    method = params.get("method") or "jacquez"
    seed = int(params["seed"]) if params.get("seed") is not None else 1
    permutations = int(params.get("permutations") or 999)
    notes = [_left_out(dropped)]
    if method == "jacquez":
        result = space_time.jacquez_knn(
            **events, k_max=int(params.get("k") or 10), metric=params.get("metric") or "euclidean", permutations=permutations, seed=seed
        ).to_dict()
    elif method == "mantel":
        result = space_time.mantel_test(
            **events,
            metric=params.get("metric") or "euclidean",
            transform=params.get("transform") or "reciprocal",
            space_constant=float(params.get("space_constant") or 1.0),
            time_constant=float(params.get("time_constant") or 1.0),
            permutations=permutations,
            seed=seed,
        ).to_dict()
    elif method == "chains":
        if params.get("max_distance") is None or params.get("max_days") is None:
            raise AnalysisInputError("near-repeat chains need the distance (metres) and the days that link two events")
        ids = column(frame, params["id"]).astype(str).tolist() if params.get("id") else None
        chains = space_time.near_repeat_chains(
            **events, max_distance=float(params["max_distance"]), max_days=int(params["max_days"]), metric=params.get("metric") or "manhattan", ids=ids
        )
        result = chains.to_dict()
        listing = chains.to_frame()
        result["listing"] = listing.head(MAX_CHAIN_ROWS_LISTED).to_dict("records")
        if len(listing) > MAX_CHAIN_ROWS_LISTED:
            notes.append(
                f"the listing shows the first {MAX_CHAIN_ROWS_LISTED:,} of {len(listing):,} events in chains (the largest chains first); the counts hold them all"
            )
        result["crs"] = crs  # the linked pairs' coordinates go on the map only in NZTM2000
        notes.append(_pairs_cut(len(result["pairs"]), result["links"], "linked pairs", "the largest chains first"))
    else:
        raise AnalysisInputError(f"unknown space–time method {method!r}; use jacquez, mantel or chains")
    result["plain_summary"] = {"text": result["summary"]}
    _notes(result, *notes)
    return Outcome(result, holds_person_level=False)


def space_time_is_long(params: dict[str, Any], rows: int) -> bool:
    """Jacquez and Mantel redo their count in every permutation (Mantel over every pair); chains are one pass."""
    method = params.get("method") or "jacquez"
    permutations = int(params.get("permutations") or 999)
    if method == "mantel":
        return rows * rows // 2 * permutations > 1_000_000_000
    if method == "jacquez":
        return rows * int(params.get("k") or 10) * permutations > 20_000_000
    return rows > 500_000


FRAME_RUNNERS["space_time"] = run_space_time


# --- spatial autocorrelation (Moran's I, General G, LISA) ---------------------------------------------------


def run_autocorrelation(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    """Areas given one per row with their neighbours, or events counted on the hot-spot grid (the event store's
    always are)."""
    autocorrelation = analysis_module("autocorrelation")

    common = {
        "permutations": int(params["permutations"]) if params.get("permutations") is not None else 999,
        "seed": int(params["seed"]) if params.get("seed") is not None else 1,
        "significance": float(params.get("significance") or 0.05),
        "correction": params.get("correction") or "none",
    }
    if (params.get("areas_are") or "grid") == "areas":
        if not (params.get("area") and params.get("value") and params.get("neighbours")):
            raise AnalysisInputError("areas need their id, value and neighbours columns")
        listed = autocorrelation.neighbours_from_table(frame, area=params["area"], neighbours=params["neighbours"], separator=params.get("separator") or ";")
        weights = autocorrelation.weights_from_neighbours(neighbours=listed, definition=f"the neighbour list in column '{params['neighbours']}'")
        label = params.get("value_label") or f"values of {params['value']}"
        result = autocorrelation.spatial_autocorrelation(values=numeric_column(frame, params["value"]), weights=weights, value_label=label, **common).to_dict()
        return Outcome(result, holds_person_level=False)
    if (params.get("areas_are") or "grid") == "units":
        return _unit_autocorrelation(frame, params, common)
    frame, xs, ys, crs, dropped = _points(frame, params)
    result = autocorrelation.grid_autocorrelation(
        x=xs,
        y=ys,
        cell=float(params.get("cell") or 250),
        contiguity=params.get("contiguity") or "queen",
        weights=_harm(frame, params),
        value_label=params.get("value_label") or ("harm per cell" if params.get("harm") else "events per cell"),
        **common,
    ).to_dict()
    result["parameters"]["crs"] = crs
    _notes(result, _left_out(dropped))
    return Outcome(result, holds_person_level=False)


def _unit_autocorrelation(frame: pd.DataFrame, params: dict[str, Any], common: dict[str, Any]) -> Outcome:
    """Events counted in units with boundaries (``_areas``: the service reads them for the run), with the units'
    contiguity. Coordinates must be NZTM2000, the boundaries' (longitude/latitude are projected to it)."""
    contiguity = analysis_module("contiguity")
    areas = params.get("_areas")
    if areas is None:
        raise AnalysisInputError("units with boundaries need the boundaries of the run's units")
    frame, xs, ys, crs, dropped = _points(frame, params)
    if crs != NZTM:
        raise AnalysisInputError("units' boundaries are in NZTM2000: give the coordinates as NZTM2000 metres or as longitude/latitude")
    result = contiguity.area_autocorrelation(
        x=xs,
        y=ys,
        ids=areas.codes,
        geometries=areas.geometries,
        names=areas.names,
        contiguity=params.get("contiguity") or "queen",
        weights=_harm(frame, params),
        value_label=params.get("value_label") or ("harm per unit" if params.get("harm") else "events per unit"),
        **common,
    ).to_dict()
    names = dict(zip(areas.codes, areas.names, strict=True))
    for row in result["areas"]:
        row["name"] = names.get(row["area"])
    result["parameters"].update(crs=NZTM, boundary_level=areas.level, within=areas.within)
    without = (
        f"{areas.without_boundary} {areas.level} unit{'s have' if areas.without_boundary != 1 else ' has'} no boundary loaded and "
        f"{'are' if areas.without_boundary != 1 else 'is'} not among the areas (their events count as outside)"
        if areas.without_boundary
        else ""
    )
    _notes(result, _left_out(dropped), without, "the values are counts of events, not rates per head: a unit with more people may have more events")
    return Outcome(result, holds_person_level=False)


FRAME_RUNNERS["autocorrelation"] = run_autocorrelation


# --- hot-spot forecast accuracy (PAI, PEI, RRI) ----------------------------------------------------------------


def run_forecast_accuracy(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    """Hot-spot maps drawn from the events before the split date, scored against those from it."""
    forecast_accuracy = analysis_module("forecast_accuracy")

    frame, xs, ys, _, dropped = _points(frame, params)
    if not params.get("split"):
        raise AnalysisInputError("give the first day of the forecast period")
    result = forecast_accuracy.forecast_accuracy(
        x=xs,
        y=ys,
        dates=date_column(frame, params["date"]),
        split=params["split"],
        end=params.get("end") or None,
        cells=params.get("cells") or [250.0],
        methods=params.get("methods") or ["counts", "density", "gi"],
        shares=params.get("shares") or list(forecast_accuracy.DEFAULT_SHARES),
        bandwidth_cells=float(params.get("bandwidth_cells") or 3.0),
        study_area=params.get("study_area") or None,
    ).to_dict()
    _notes(result, _left_out(dropped))
    return Outcome(result, holds_person_level=False)


FRAME_RUNNERS["forecast_accuracy"] = run_forecast_accuracy


# --- centre, spread and direction (mean centre, standard distance, standard deviational ellipse) ---------------


def run_spatial_description(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    centrography = analysis_module("centrography")
    frame, xs, ys, crs, dropped = _points(frame, params)
    weights = _harm(frame, params)
    if params.get("weight"):
        if weights is not None:
            raise AnalysisInputError("give a weight column or harm weights, not both")
        weights = event_weights(numeric_column(frame, params["weight"]), events=len(frame), name=params["weight"])
    period = params.get("period") or None
    if period and not params.get("date"):
        raise AnalysisInputError("splitting by period needs the date column")
    group = params.get("group") or None
    result = centrography.centre_and_spread(
        x=xs,
        y=ys,
        weights=weights,
        groups=column(frame, group).astype(str) if group else None,
        dates=date_column(frame, params["date"]) if period else None,
        period=period,
        group_label=params.get("group_label") or group,
        crs=crs,
    ).to_dict()
    _notes(result, _left_out(dropped))
    return Outcome(result, holds_person_level=False)


FRAME_RUNNERS["spatial_description"] = run_spatial_description


# --- point patterns (nearest neighbour, Ripley's K and L, kernel density) ---------------------------------------


def run_point_pattern(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    point_pattern = analysis_module("point_pattern")
    frame, xs, ys, _, dropped = _points(frame, params)
    result = point_pattern.point_pattern(
        x=xs,
        y=ys,
        study_area=params.get("study_area") or None,
        simulations=int(params["simulations"]) if params.get("simulations") is not None else 99,
        seed=int(params["seed"]) if params.get("seed") is not None else 1,
        bandwidth=params.get("bandwidth") or None,
        cell=params.get("cell") or None,
        event_label=params.get("event_label") or "events",
    ).to_dict()
    _notes(result, _left_out(dropped))
    return Outcome(result, holds_person_level=False)


FRAME_RUNNERS["point_pattern"] = run_point_pattern


# --- emerging hot spots (Gi* per time slice, Mann–Kendall trend) ------------------------------------------------


def run_emerging_hotspots(frame: pd.DataFrame, params: dict[str, Any]) -> Outcome:
    emerging_hotspots = analysis_module("emerging_hotspots")
    frame, xs, ys, _, dropped = _points(frame, params)
    result = emerging_hotspots.emerging_hotspots(
        x=xs,
        y=ys,
        dates=date_column(frame, params["date"]),
        cell=float(params.get("cell") or 250),
        slice_days=int(params.get("slice_days") or 28),
        start=params.get("start") or None,
        significance=float(params.get("significance") or 0.05),
        # Runs saved before the neighbourhood time step existed judged each slice on its own.
        time_step=int(params["time_step"]) if params.get("time_step") is not None else (1 if "time_step" in params else 0),
    ).to_dict()
    _notes(result, _left_out(dropped))
    return Outcome(result, holds_person_level=False)


FRAME_RUNNERS["emerging_hotspots"] = run_emerging_hotspots
