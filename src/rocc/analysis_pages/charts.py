"""Turning stored results into what the pages draw: heat tables with a text label in every cell, and SVG
maps, curves and network drawings laid out on the server, so that nothing needs the internet, a tile
server or inline script, and nothing relies on colour alone."""

from __future__ import annotations

import math
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rocc.analysis.near_repeat import SAME_LOCATION, significant
from rocc.analysis.results import p_text

HEAT_STEPS = 6
COMMUNITY_COLOURS = 8
MAX_MAP_CELLS = 30_000
MAP_WIDTH = 760
NETWORK_WIDTH, NETWORK_HEIGHT, NETWORK_MARGIN = 760, 560, 36
SIZE_MEASURES = [
    ("degree", "Degree (ties)"),
    ("strength", "Strength (summed tie weights)"),
    ("betweenness", "Betweenness"),
    ("closeness", "Closeness"),
    ("eigenvector", "Eigenvector centrality"),
]


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


# --- near repeats ---------------------------------------------------------------------------------


def _knox_heat(ratio: float | None) -> int:
    if ratio is None or ratio <= 1:
        return 0
    for step, upper in enumerate((1.2, 1.5, 2.0, 3.0), start=1):
        if ratio <= upper:
            return step
    return 5


def distance_label(lo: float, hi: float | None) -> str:
    if hi is not None and hi <= SAME_LOCATION:
        return "Same place (0 m)"
    low = 0 if lo <= SAME_LOCATION else lo
    return f"{low:g} m and beyond" if hi is None else f"{low:g} to under {hi:g} m"


def day_label(lo: float, hi: float | None) -> str:
    first = math.ceil(lo)
    if hi is None:
        return f"{first}+ days"
    last = math.ceil(hi) - 1
    return "Same day" if last == 0 else f"{first}–{last} days"


def knox_table(result: dict[str, Any]) -> dict[str, Any]:
    """The Knox table as rows of cells, each with its ratio as text, counts, p-value, heat step and mark."""
    summary_cell = (result.get("plain_summary") or {}).get("cell")
    rows = []
    for i, (d_lo, d_hi) in enumerate(result["distance_bands"]):
        cells = []
        for j in range(len(result["day_bands"])):
            ratio, p = result["knox_ratio"][i][j], result["p_value"][i][j]
            marked = significant(ratio, p)
            cells.append(
                {
                    "ratio": _fmt(ratio),
                    "observed": result["observed"][i][j],
                    "expected": _fmt(result["expected"][i][j], 1),
                    "p": p_text(p),
                    "heat": _knox_heat(ratio),
                    "significant": marked,
                    "summarised": summary_cell == [i, j],
                }
            )
        rows.append({"label": distance_label(d_lo, d_hi), "cells": cells})
    return {"columns": [day_label(lo, hi) for lo, hi in result["day_bands"]], "rows": rows}


# --- hot times ------------------------------------------------------------------------------------


def _share_heat(value: float, top: float) -> int:
    if top <= 0 or value <= 0:
        return 0
    return min(HEAT_STEPS - 1, 1 + int((value / top) * (HEAT_STEPS - 1) - 1e-9))


def hot_times_table(result: dict[str, Any]) -> dict[str, Any]:
    matrix = result["matrix"]
    top = max((v for row in matrix for v in row), default=0)
    rows = [
        {"day": day, "total": _fmt(sum(values), 1), "cells": [{"value": _fmt(v, 1), "heat": _share_heat(v, top)} for v in values]}
        for day, values in zip(result["days"], matrix, strict=True)
    ]
    hours = [{"short": label[:2], "label": label} for label in result["hours"]]
    return {"hours": hours, "rows": rows}


# --- hot spots ------------------------------------------------------------------------------------


def hotspot_map(result: dict[str, Any]) -> dict[str, Any]:
    """The grid as SVG rectangles in NZTM metres scaled to the page (north up), shaded by density, with hot
    cells outlined and hatched (99% cross-hatched) so that they read without colour too."""
    cell = float(result["parameters"]["cell"])
    grid = result["grid"]
    west, south = grid["origin"]
    cols, rows = grid["cols"], grid["rows"]
    scale = MAP_WIDTH / max(cols * cell, rows * cell / 0.75)
    width, height = cols * cell * scale, rows * cell * scale
    cells = result["cells"]
    drawn = [c for c in cells if c["count"] > 0 or c["hot"] or (c["density"] or 0) > 0]
    truncated = False
    if len(drawn) > MAX_MAP_CELLS:
        drawn = [c for c in drawn if c["count"] > 0 or c["hot"]]
        truncated = True
    densities = sorted(c["density"] for c in drawn if c["density"])
    breaks = [densities[int(len(densities) * q) - 1] for q in (0.2, 0.4, 0.6, 0.8)] if densities else []

    def shade(density: float | None) -> int:
        if not density:
            return 0
        return 1 + sum(density > b for b in breaks)

    # Tens of thousands of cells: the markup is built here in one pass (a template loop takes seconds). The
    # titles hold only numbers and fixed words, so they need no escaping.
    size = f"{cell * scale:.2f}"
    shaded, hatched = [], []
    for c in drawn:
        density, hot_at = c["density"], c["hot"]
        rect = f'<rect x="{(c["x"] - cell / 2 - west) * scale:.2f}" y="{height - (c["y"] + cell / 2 - south) * scale:.2f}" width="{size}" height="{size}"'
        title = (
            f"<title>Cell centre {c['x']:.0f} E, {c['y']:.0f} N: {c['count']:g} events, density "
            f"{'–' if density is None else f'{density:,.1f}'} per km²"
            + (f", Gi* z {c['gi_z']:.2f}, hot spot at {hot_at}%" if hot_at else "")
            + "</title></rect>"
        )
        shaded.append(f'{rect} class="map-{shade(density)}">{title}')
        if hot_at:
            hatched.append(f'{rect} fill="url(#hatch-{hot_at})" class="hot-{hot_at}">{title}')
    judged_by = result["parameters"].get("judged_by") or "gi_p"
    hot = [{**c, "p_text": p_text(c.get(judged_by))} for c in sorted((c for c in cells if c["hot"]), key=lambda c: -(c["gi_z"] or 0))]
    scale_metres = _nice(cols * cell / 4)
    return {
        "width": round(width, 1),
        "height": round(height, 1),
        "rects": len(shaded),
        "truncated": truncated,
        "svg_cells": mark_safe("".join(shaded) + "".join(hatched)),
        "svg_width": round(width + 8, 1),
        "svg_height": round(height + 40, 1),
        "scale_y": round(height + 20, 1),
        "hot_cells": hot,
        "breaks": [_fmt(b, 1) for b in breaks],
        "scale_bar": {"length": round(scale_metres * scale, 1), "label": f"{scale_metres / 1000:g} km" if scale_metres >= 1000 else f"{scale_metres:g} m"},
        "extent": {"west": west, "south": south, "east": west + cols * cell, "north": south + rows * cell},
        "crs": result["parameters"].get("crs") or "the input's projected metres",
        "judged_by": {"gi_p_fdr": "p (false discovery rate corrected)", "gi_p_sim": "pseudo p (permutations)"}.get(judged_by, "p"),
    }


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 5) if step * power <= value) if value >= power else power


# --- concentration --------------------------------------------------------------------------------

PLOT = 320


def lorenz_plot(result: dict[str, Any]) -> dict[str, Any]:
    points = " ".join(f"{x * PLOT:.1f},{PLOT - y * PLOT:.1f}" for x, y in result["lorenz"])
    ticks = [{"at": round(t * PLOT, 1), "y_at": round(PLOT - t * PLOT, 1), "label": f"{t:.0%}"} for t in (0, 0.25, 0.5, 0.75, 1)]
    shares = [{"share": f"{float(k):.0%}", "value": f"{v:.1%}" if v is not None else "–"} for k, v in result["top_shares"].items()]
    return {
        "size": PLOT,
        "points": points,
        "ticks": ticks,
        "top_shares": shares,
        "mid": PLOT / 2,
        "half_share": f"{result['units_for_half']:.1%}",
        "view_size": PLOT + 64,
        "view_height": PLOT + 56,
        "tick_y": PLOT + 18,
        "label_y": PLOT + 38,
        "tick_end": PLOT + 5,
        # Shares to one decimal place: whole percentages would show a unit with 0.4% as 0%.
        "top_units": [{**u, "share_text": f"{u['share']:.1%}"} for u in result.get("top_units") or []],
        "confidence_text": f"{result['confidence']:.0%}" if result.get("confidence") else "",
        "chance_points": " ".join(f"{x * PLOT:.1f},{PLOT - y * PLOT:.1f}" for x, y in result.get("chance_lorenz") or []),
    }


# --- harm -----------------------------------------------------------------------------------------


def harm_bars(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = result["by_offence"]
    top = max((r["harm"] for r in rows), default=0) or 1
    return [{**r, "bar": round(300 * r["harm"] / top, 1), "share_text": f"{(r['share'] or 0):.1%}"} for r in rows]


# --- networks -------------------------------------------------------------------------------------


def network_drawing(result: dict[str, Any], *, size_by: str = "betweenness", links: dict[str, str] | None = None) -> dict[str, Any] | None:
    """Nodes and ties placed from the stored layout; node area by ``size_by``; colour and number by
    community; key players ringed and labelled. None when the network was too large to draw."""
    layout = result.get("layout")
    if not layout:
        return None
    links = links or {}
    nodes = result["nodes"]
    values = {n["node"]: (n.get(size_by) or 0.0) for n in nodes}
    top = max(values.values(), default=0) or 1.0
    key_players = set((result.get("key_players") or {}).get("nodes") or [])
    inner_w, inner_h = NETWORK_WIDTH - 2 * NETWORK_MARGIN, NETWORK_HEIGHT - 2 * NETWORK_MARGIN

    def place(name: str) -> tuple[float, float]:
        x, y = layout[name]
        return round(NETWORK_MARGIN + x * inner_w, 1), round(NETWORK_MARGIN + (1 - y) * inner_h, 1)

    ranked = sorted(nodes, key=lambda n: -values[n["node"]])
    labelled = {n["node"] for n in (nodes if len(nodes) <= 40 else ranked[:15])} | key_players
    drawn_nodes = []
    for n in nodes:
        cx, cy = place(n["node"])
        drawn_nodes.append(
            {
                "cx": cx,
                "cy": cy,
                "r": round(4 + 14 * math.sqrt(values[n["node"]] / top), 1),
                "community": n["community"] % COMMUNITY_COLOURS,
                "community_number": n["community"] + 1,
                "label": n["node"],
                "show_label": n["node"] in labelled,
                "key_player": n["node"] in key_players,
                "linked": n["node"] in links,
                "title": f"{n['node']}: community {n['community'] + 1}, degree {n['degree']}, {size_by} {_fmt(n.get(size_by), 3)}"
                + (" — key player" if n["node"] in key_players else ""),
            }
        )
    weights = [w for _, _, w in result["edges"]]
    heaviest = max(weights, default=1) or 1
    edges = []
    for s, t, w in result["edges"]:
        x1, y1 = place(s)
        x2, y2 = place(t)
        edges.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "width": round(0.8 + 2.7 * (w / heaviest), 2)})
    directed = result["summary"]["directed"]
    return {
        "width": NETWORK_WIDTH,
        "height": NETWORK_HEIGHT,
        "directed": directed,
        "size_by": size_by,
        "svg": _network_svg(drawn_nodes, edges, directed=directed),
    }


def _network_svg(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, directed: bool) -> SafeString:
    """The ties, nodes and labels as SVG markup, built in one pass (thousands of elements)."""
    arrow = ' marker-end="url(#arrow)"' if directed else ""
    lines = "".join(f'<line x1="{e["x1"]}" y1="{e["y1"]}" x2="{e["x2"]}" y2="{e["y2"]}" stroke-width="{e["width"]}"{arrow}/>' for e in edges)
    circles = "".join(
        f'<circle cx="{n["cx"]}" cy="{n["cy"]}" r="{n["r"]}" class="community-{n["community"]}'
        f'{" key-player" if n["key_player"] else ""}{" linked" if n["linked"] else ""}"><title>{escape(n["title"])}</title></circle>'
        for n in nodes
    )
    bold = ' class="key-player-label"'
    labels = "".join(
        f'<text x="{n["cx"]}" y="{n["cy"]}" dx="{n["r"]}" dy="-3"{bold if n["key_player"] else ""}>{escape(n["label"])}</text>'
        for n in nodes
        if n["show_label"]
    )
    return mark_safe(f'<g class="edges">{lines}</g><g class="nodes">{circles}</g><g class="labels">{labels}</g>')


def network_tables(result: dict[str, Any], *, size_by: str = "betweenness") -> dict[str, Any]:
    nodes = sorted(result["nodes"], key=lambda n: (-(n.get(size_by) or 0), n["node"]))
    communities: dict[int, list[str]] = {}
    for n in result["nodes"]:
        communities.setdefault(n["community"], []).append(n["node"])
    return {
        "nodes": nodes,
        "communities": [
            {"number": c + 1, "colour": c % COMMUNITY_COLOURS, "members": members, "size": len(members)} for c, members in sorted(communities.items())
        ],
    }


# --- displacement ---------------------------------------------------------------------------------


def displacement_sections(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [result[m] for m in ("count", "harm") if result.get(m)]


# --- space–time interaction beyond Knox -----------------------------------------------------------------------

#: Rows of a chain listing drawn on the page; the stored result keeps more, the counts keep all.
MAX_CHAIN_ROWS_SHOWN = 500


def space_time_view(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of a Jacquez, Mantel or chains result as the page prints them (text in every cell)."""
    method = result.get("method")
    if method == "jacquez":
        rows = []
        for k in range(result["k_max"]):
            j, j_expected, j_p = result["j_observed"][k], result["j_expected"][k], result["j_p_value"][k]
            d, d_expected, d_p = result["delta_observed"][k], result["delta_expected"][k], result["delta_p_value"][k]
            rows.append(
                {
                    "k": k + 1,
                    "j": j,
                    "j_expected": _fmt(j_expected, 1),
                    "j_p": p_text(j_p),
                    "j_significant": j_p is not None and j_p <= 0.05 and j_expected is not None and j > j_expected,
                    "delta": d,
                    "delta_expected": _fmt(d_expected, 1),
                    "delta_p": p_text(d_p),
                    "delta_significant": d_p is not None and d_p <= 0.05 and d_expected is not None and d > d_expected,
                }
            )
        return {"rows": rows}
    if method == "mantel":
        return {
            "r": _fmt(result["r"], 4),
            "expected_r": _fmt(result["expected_r"], 4),
            "sd_r": _fmt(result["sd_r"], 4),
            "z": _fmt(result["z"], 2),
            "p": p_text(result["p_value"]),
        }
    listing = result.get("listing") or []
    sizes = [{"size": int(size), "count": count} for size, count in sorted((result.get("chains_by_size") or {}).items(), key=lambda kv: int(kv[0]))]
    return {"sizes": sizes, "listing": listing[:MAX_CHAIN_ROWS_SHOWN], "listing_cut": len(listing) > MAX_CHAIN_ROWS_SHOWN}


# --- centre, spread and direction -----------------------------------------------------------------------------

CENTRE_WIDTH = 560
#: The page's community colours (analyses.css), each with a contrast of at least 3:1 on white.
CENTRE_COLOURS = ("#0b4f6c", "#b35806", "#1e6b34", "#7b3294", "#a4262c", "#5e6b00", "#01665e", "#4a5560")


def centrography_view(result: dict[str, Any]) -> dict[str, Any]:
    """The rows as the page's table prints them, and an SVG drawing of each group's (or period's) mean centre,
    standard distance circle and one-standard-deviation ellipse, north up, on one scale."""
    rows = []
    for row in result["rows"]:
        rows.append(
            {
                **row,
                "label": _centre_label(row),
                "mean_x_text": f"{row['mean_x']:,.0f}" if row["mean_x"] is not None else "–",
                "mean_y_text": f"{row['mean_y']:,.0f}" if row["mean_y"] is not None else "–",
                "standard_distance_text": _fmt(row["standard_distance"], 0),
                "within_text": f"{row['within_standard_distance']:.0%}" if row["within_standard_distance"] is not None else "–",
                "major_text": _fmt(row["ellipse_major"], 0),
                "minor_text": _fmt(row["ellipse_minor"], 0),
                "bearing_text": f"{row['ellipse_bearing']:.0f}°" if row["ellipse_bearing"] is not None else "–",
                "area_text": f"{row['ellipse_area'] / 1e6:,.2f}" if row["ellipse_area"] is not None else "–",
            }
        )
    # Draw the overall row and the rows that split one way (groups, or periods), not every group × period.
    drawn = [r for r in rows if (r["group"] == "all") != (r["period"] == "all") or (r["group"] == "all" and r["period"] == "all")]
    drawn = [r for r in drawn if r["mean_x"] is not None][: len(CENTRE_COLOURS)]
    reach = [
        (r["mean_x"] - e, r["mean_x"] + e, r["mean_y"] - e, r["mean_y"] + e)
        for r in drawn
        for e in [max(r["standard_distance"] or 0, r["ellipse_major"] or 0) or 1.0]
    ]
    if not reach:
        return {"rows": rows, "shapes": [], "size": CENTRE_WIDTH}
    west, east = min(b[0] for b in reach), max(b[1] for b in reach)
    south, north = min(b[2] for b in reach), max(b[3] for b in reach)
    scale = (CENTRE_WIDTH - 40) / max(east - west, north - south, 1.0)
    shapes = []
    for k, r in enumerate(drawn):
        cx = 20 + (r["mean_x"] - west) * scale
        cy = 20 + (north - r["mean_y"]) * scale
        shapes.append(
            {
                "label": r["label"],
                "colour": CENTRE_COLOURS[k % len(CENTRE_COLOURS)],
                "cx": round(cx, 1),
                "cy": round(cy, 1),
                "circle": round((r["standard_distance"] or 0) * scale, 1),
                # SVG turns clockwise with y pointing down: the long axis drawn north–south then turned by its bearing.
                "rx": round((r["ellipse_minor"] or 0) * scale, 1),
                "ry": round((r["ellipse_major"] or 0) * scale, 1),
                "bearing": round(r["ellipse_bearing"] or 0, 1),
                "has_spread": r["standard_distance"] is not None,
            }
        )
    bar = 10 ** math.floor(math.log10(max((CENTRE_WIDTH - 40) / scale / 4, 1)))
    return {
        "rows": rows,
        "shapes": shapes,
        "size": CENTRE_WIDTH,
        "bar_end": round(20 + bar * scale, 1),
        "bar_y": CENTRE_WIDTH - 16,
        "bar_label_y": CENTRE_WIDTH - 4,
        "scale_label": f"{bar:,.0f} m",
    }


def _centre_label(row: dict[str, Any]) -> str:
    if row["group"] == "all" and row["period"] == "all":
        return "All events"
    if row["period"] == "all":
        return row["group"]
    if row["group"] == "all":
        return row["period"]
    return f"{row['group']}, {row['period']}"
