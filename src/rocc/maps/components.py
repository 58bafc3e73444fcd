"""The map component's context: what ``maps/_map.html`` draws (the spec the browser reads) and shows beside it (legend,
notes, the table that is the map's text alternative), built from the selectors for each kind of map."""

from __future__ import annotations

import itertools
from typing import Any

from django.templatetags.static import static
from django.urls import reverse

from rocc.maps import geometry as geo
from rocc.maps import selectors

_ids = itertools.count(1)


def _base(*, title: str, description: str, key: str, layers: list[dict], boundaries_level: str | None = "") -> dict[str, Any]:
    map_id = f"map-{key}-{next(_ids)}"
    boundaries_url = reverse("api:maps_boundaries")
    if boundaries_level:
        boundaries_url += f"?level={boundaries_level}"
    base = selectors.basemap()
    return {
        "id": map_id,
        "spec_id": f"{map_id}-spec",
        "title": title,
        "description": description,
        "basemap": base,
        "outline_note": "The grey land is an approximate national outline (Natural Earth 1:10m, public domain), not a survey.",
        "sources_note": selectors.sources_note(),
        "spec": {
            "outline_url": reverse("api:maps_outline"),
            "boundaries_url": boundaries_url if boundaries_level is not None else None,
            "basemap": base,
            "licence_url": static("maps/leaflet/LICENSE"),
            "layers": layers,
        },
    }


def hotspot_map(result: dict[str, Any]) -> dict[str, Any] | None:
    """The hot-spot result on the map, its cells sent in the page, or None when its cells are not NZTM2000."""
    parts = selectors.hotspot_columns(result)
    if parts is None:
        return None
    columns, head = parts
    return _hotspot_context(head, columns)


def saved_hotspot_map(head: dict[str, Any], *, cells_url: str) -> dict[str, Any]:
    """A saved hot-spot result on the map from what was stored with it: the head (legend, hot cells, top hot spots)
    in the page and the cells' columns fetched from ``cells_url``, which answers the stored columns as they are."""
    return _hotspot_context(head, {"url": cells_url, "hot_total": head["hot_total"]})


def _hotspot_context(head: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    named = selectors.hotspot_names(head)
    # The names by area go with the layer (the browser adds them to fetched columns); the table has the hot rows.
    layer = {**layer, "area": named["area"], "top": named["top"]}
    context = _base(
        title="Hot-spot map",
        description=(
            "Grid cells shaded by kernel density (KDE, quintiles of the cells drawn), hot spots by Getis-Ord Gi* after the "
            f"correction for testing every cell ({head['p_label']}), the top hot spots numbered and named by the area they "
            "fall in. Select a cell to see its figures."
        ),
        key="hotspots",
        layers=[layer],
    )
    breaks = head["breaks"]
    context.update(
        toggles=[{"key": "density", "label": "Density surface (KDE)"}, {"key": "hot", "label": "Hot spots (Gi*)"}],
        legend=[
            {"css": "swatch-shade-1", "label": f"lowest fifth of density (up to {breaks[0]:g})" if breaks else "lowest density"},
            {"css": "swatch-shade-3", "label": "middle fifth"},
            {"css": "swatch-shade-5", "label": f"highest fifth (above {breaks[-1]:g})" if breaks else "highest density"},
            {"css": "swatch-hot-95", "label": "hot spot at 95%"},
            {"css": "swatch-hot-99", "label": "hot spot at 99% (thick outline)"},
        ],
        explain=f"Density is {head['density_unit'] or 'per km²'}. Cells are drawn within {head['max_error_m']:.1f} m of their NZTM2000 position.",
        summary=f"{head['drawn']:,} cells with events, density or a hot-spot label are drawn.",
        table_template="maps/_table_hotspots.html",
        heading_level=3,
        hot_rows=named["hot_rows"],
        top=named["top"],
    )
    return context


def events_map(*, user) -> dict[str, Any]:
    context = _base(
        title="Events on the map",
        description="Events in your units with coordinates, as dots, or pooled into numbered clusters when zoomed out. Select one to see its id, date and offence; the map shows no persons.",
        key="events",
        layers=[{"url": reverse("api:maps_events")}],
    )
    context.update(
        legend=[{"css": "swatch-point", "label": "an event, or a cluster of events (the number says how many)"}],
        summary="Loading the events…",
        table_template=None,
        heading_level=3,
    )
    return context


def deconfliction_map(*, user, views) -> dict[str, Any]:
    layer = selectors.places_layer(user=user, views=views)
    context = _base(
        title="Your places in deconfliction alerts",
        description=(
            f"Each of your place targets in an alert, with a circle of the deconfliction distance ({layer['radius_m']:,.0f} m). "
            "The other owner's place is not shown: contact them to deconflict."
        ),
        key="deconfliction",
        layers=[layer],
    )
    context.update(
        legend=[{"css": "swatch-place", "label": "your place target"}],
        summary=f"{len(layer['places'])} place{'s' if len(layer['places']) != 1 else ''} in alerts."
        if layer["places"]
        else "None of the alerts on your targets is about a place.",
        table_template="maps/_table_places.html",
        places=layer["places"],
        heading_level=2,
    )
    return context


def area_map(*, user, unit) -> dict[str, Any]:
    layer = selectors.unit_area_layer(user=user, unit=unit)
    context = _base(
        title=f"The case's area: {unit.name}",
        description=(
            f"The boundary of {layer['shown']} ({layer['level'].lower()}), {layer['area_km2']:,.1f} km²."
            if layer["geometry"]
            else f"No boundary is loaded for {unit.name}: the map shows the national outline only."
        ),
        key="area",
        layers=[layer],
    )
    context.update(legend=[{"css": "swatch-area", "label": f"{layer['shown']}"}] if layer["geometry"] else [], summary=layer["source"] or "")
    return context


def choropleth_map(*, user, indicator_code: str, level: str, period: str | None, public: bool = False) -> dict[str, Any]:
    layer = selectors.choropleth_for(user=user, indicator_code=indicator_code, level=level, period=period, public=public)
    layer_for_browser = {**layer, "periods": None}
    context = _base(
        title=f"{layer['name']} by {level}",
        description=f"Each {level} shaded by its {'figure for the chosen period' if period else 'latest figure'} ({layer['unit_label']}); {layer['polarity'].lower()}.",
        key="indicator",
        layers=[layer_for_browser],
        boundaries_level=None,
    )
    legend = [
        {"css": f"swatch-class-{c['colour'].lstrip('#')}", "label": f"class {c['number']}: {_range(c)} ({c['units']} {level}{'s' if c['units'] != 1 else ''})"}
        for c in layer["classes"]
    ]
    legend.append({"css": "swatch-suppressed", "label": "suppressed: too few to show safely"})
    legend.append({"css": "swatch-none", "label": "no figure"})
    notes = [f"Classes are {layer['class_method']}."]
    if layer["protected"]:
        notes.append("Counts are protected (small counts suppressed, others randomly rounded) and classes are drawn from the protected figures.")
    if layer["mixed_periods"]:
        notes.append("Not every unit has a figure for the same period: the table says which period each shows.")
    if layer["without_boundary"]:
        notes.append(f"No boundary is loaded for {', '.join(layer['without_boundary'])}: they are in the table only.")
    context.update(
        legend=legend,
        explain=" ".join(notes),
        summary=f"Periods shown: {', '.join(layer['periods_shown']) or 'none'}.",
        table_template="maps/_table_choropleth.html",
        layer=layer,
    )
    return context


def _range(c: dict) -> str:
    return f"{c['low']:,.4g} to {c['high']:,.4g}" if c["low"] != c["high"] else f"{c['high']:,.4g}"


def pairs_map(result: dict[str, Any], *, chains: bool) -> dict[str, Any] | None:
    """A near-repeat result's linked pairs as short lines between the two events (the Knox test's close pairs, or
    the chains' links), with the same pairs as a table; None when the result has no pairs or its coordinates are
    not NZTM2000. Only the pairs the result kept are drawn (it says how many there are in all)."""
    pairs = result.get("pairs") or []
    if result.get("crs") != geo.NZTM or not pairs:
        return None
    rows = selectors.pairs_rows(result, chains=chains)
    total = int(result["links"] if chains else result.get("pairs_total") or len(pairs))
    what = "linked pairs" if chains else "close pairs"
    context = _base(
        title="Near-repeat pairs on the map",
        description=(
            "Each line joins two events that are linked: at most the chosen distance and days apart, in the same chain. "
            if chains
            else "Each line joins two events counted in a close cell of the Knox table (a finite distance band and a finite day band). "
        )
        + "Select a line to see its events, distance and days apart.",
        key="pairs",
        layers=[selectors.pairs_layer(rows)],
    )
    context.update(
        legend=[{"css": "swatch-pair", "label": "a pair of events: a dot at each, joined by a line"}],
        summary=(
            f"The first {len(rows):,} of {total:,} {what} are drawn ({'the largest chains first' if chains else 'nearest bands first'}); the counts above hold them all."
            if len(rows) < total
            else f"All {total:,} {what} are drawn."
        ),
        table_template="maps/_table_pairs.html",
        pairs=rows,
        chains=chains,
        heading_level=3,
    )
    return context
