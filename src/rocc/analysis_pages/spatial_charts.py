"""What the pages of the spatial-statistics toolkit draw from a stored result (autocorrelation, forecast accuracy,
point patterns): SVG laid out on the server, with a pattern or a text label beside every colour."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import mark_safe

from rocc.analysis.library import analysis_module
from rocc.analysis.results import p_text

MAP_WIDTH = 760
MAX_MAP_CELLS = 30_000
MAX_LISTED = 200
#: Cluster label -> (css class, short code), in the order the legend lists them.
LISA_CLASSES = {
    "High–high cluster": ("lisa-hh", "HH"),
    "Low–low cluster": ("lisa-ll", "LL"),
    "High–low outlier": ("lisa-hl", "HL"),
    "Low–high outlier": ("lisa-lh", "LH"),
}


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _global_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    moran = result["moran"]
    rows.append(
        {
            "name": "Moran's I (row-standardised weights)",
            "statistic": _number(moran["statistic"], 4),
            "expected": _number(moran["expected"], 4),
            "z": f"{_number(moran['z_normal'], 2)} / {_number(moran['z_randomisation'], 2)}",
            "z_note": "normality / randomisation",
            "p_normal": p_text(moran["p_randomisation"]),
            "p_sim": p_text(moran["p_sim"]),
            "z_sim": _number(moran["z_sim"], 2),
        }
    )
    g = result.get("general_g")
    if g:
        rows.append(
            {
                "name": "General G (binary weights)",
                "statistic": _number(g["statistic"], 5),
                "expected": _number(g["expected"], 5),
                "z": _number(g["z_normal"], 2),
                "z_note": "normality",
                "p_normal": p_text(g["p_normal"]),
                "p_sim": p_text(g["p_sim"]),
                "z_sim": _number(g["z_sim"], 2),
            }
        )
    return rows


def autocorrelation_view(result: dict[str, Any]) -> dict[str, Any]:
    """The global statistics as table rows, the cluster counts, the significant areas (highest |I_i| first) and,
    for grid cells, a map of the clusters and outliers."""
    areas = result["areas"]
    listed = sorted((a for a in areas if a["cluster"] in LISA_CLASSES), key=lambda a: -abs(a["local_i"] or 0))
    legend = [{"label": label, "css": css, "code": code, "count": result["counts"].get(label, 0)} for label, (css, code) in LISA_CLASSES.items()]
    view: dict[str, Any] = {
        "global_rows": _global_rows(result),
        "legend": legend,
        "listed": [{**a, "code": LISA_CLASSES[a["cluster"]][1], "p_text": p_text(a["p"])} for a in listed[:MAX_LISTED]],
        "listed_total": len(listed),
        "is_grid": result.get("grid") is not None,
        "map": None,
    }
    if result.get("grid"):
        view["map"] = _lisa_map(result)
    return view


def _lisa_map(result: dict[str, Any]) -> dict[str, Any]:
    grid = result["grid"]
    cell = float(grid["cell"])
    west, south = grid["origin"]
    rows, cols = grid["rows"], grid["cols"]
    scale = MAP_WIDTH / max(cols * cell, rows * cell / 0.75)
    width, height = cols * cell * scale, rows * cell * scale
    drawn = [a for a in result["areas"] if a["cluster"] in LISA_CLASSES or (a["value"] or 0) > 0]
    truncated = len(drawn) > MAX_MAP_CELLS
    if truncated:
        drawn = [a for a in drawn if a["cluster"] in LISA_CLASSES]
    size = f"{cell * scale:.2f}"
    parts = []
    for a in drawn:
        css, code = LISA_CLASSES.get(a["cluster"], ("lisa-none", ""))
        x = (a["x"] - cell / 2 - west) * scale
        y = height - (a["y"] + cell / 2 - south) * scale
        fill = f' fill="url(#pattern-{css})"' if code else ""
        # Titles hold only numbers and fixed words, so they need no escaping.
        title = f"Cell centre {a['x']:.0f} E, {a['y']:.0f} N: {a['value']:g}" + (f", {a['cluster'].lower()} (p {p_text(a['p'])})" if code else "")
        parts.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{size}" height="{size}" class="{css}"{fill}><title>{title}</title></rect>')
    return {
        "svg_cells": mark_safe("".join(parts)),
        "width": round(width, 1),
        "height": round(height, 1),
        "svg_width": round(width + 8, 1),
        "svg_height": round(height + 8, 1),
        "truncated": truncated,
        "extent": {"west": west, "south": south, "east": west + cols * cell, "north": south + rows * cell},
    }


def forecast_view(result: dict[str, Any]) -> dict[str, Any]:
    """The scores as table rows grouped by share of the study area, the highest PAI at each share marked."""

    method_names = analysis_module("forecast_accuracy").METHOD_NAMES
    best: dict[float, float] = {}
    for r in result["scores"]:
        if r["pai"] is not None:
            best[r["share"]] = max(best.get(r["share"], float("-inf")), r["pai"])
    rows = [
        {
            **r,
            "method_name": method_names.get(r["method"], r["method"]),
            "share_text": f"{r['share']:.0%}" if r["share"] >= 0.01 else f"{r['share']:.1%}",
            "hit_rate_text": "–" if r["hit_rate"] is None else f"{r['hit_rate']:.1%}",
            "pai_text": _number(r["pai"], 2),
            "pei_text": "–" if r["pei"] is None else f"{r['pei']:.0%}",
            "rri_text": _number(r["rri"], 2),
            "best": r["pai"] is not None and r["pai"] == best.get(r["share"]),
        }
        for r in sorted(result["scores"], key=lambda r: (r["share"], r["method"], r["cell"]))
    ]
    return {"rows": rows}


PLOT_W, PLOT_H, PLOT_M = 520, 260, 44
DENSITY_STEPS = 5


def point_pattern_view(result: dict[str, Any]) -> dict[str, Any]:
    """Ripley's L − d against distance with the envelope of random patterns drawn as a band, and the density
    surface as shaded cells (cells outside the study area left unshaded and marked as such in their titles)."""
    rows = result["ripley"]
    view: dict[str, Any] = {
        "rows": [
            {
                **r,
                "l_minus_d_text": f"{r['l_minus_d']:,.1f}",
                "envelope_text": "–" if r["l_lower"] is None else f"{r['l_lower'] - r['distance']:,.1f} to {r['l_upper'] - r['distance']:,.1f}",
            }
            for r in rows
        ],
        "nn": result["nearest_neighbour"],
        "nn_p": p_text(result["nearest_neighbour"]["p"]),
        "plot": _l_plot(rows) if rows else None,
        "density": _density_map(result["density"]) if result.get("density") else None,
    }
    return view


def _l_plot(rows: list[dict[str, Any]]) -> dict[str, Any]:
    distances = [r["distance"] for r in rows]
    values = [r["l_minus_d"] for r in rows]
    for r in rows:
        if r["l_lower"] is not None:
            values += [r["l_lower"] - r["distance"], r["l_upper"] - r["distance"]]
    top, bottom = max(values + [0.0]), min(values + [0.0])
    span = (top - bottom) or 1.0
    far = max(distances) or 1.0

    def at(d: float, v: float) -> str:
        return f"{PLOT_M + d / far * (PLOT_W - 2 * PLOT_M):.1f},{PLOT_H - PLOT_M - (v - bottom) / span * (PLOT_H - 2 * PLOT_M):.1f}"

    band = None
    if rows[0]["l_lower"] is not None:
        upper = [at(r["distance"], r["l_upper"] - r["distance"]) for r in rows]
        lower = [at(r["distance"], r["l_lower"] - r["distance"]) for r in reversed(rows)]
        band = " ".join(upper + lower)
    zero_y = PLOT_H - PLOT_M - (0 - bottom) / span * (PLOT_H - 2 * PLOT_M)
    return {
        "width": PLOT_W,
        "height": PLOT_H,
        "line": " ".join(at(r["distance"], r["l_minus_d"]) for r in rows),
        "band": band,
        "zero_y": round(zero_y, 1),
        "left": PLOT_M,
        "right": PLOT_W - PLOT_M,
        "bottom_y": PLOT_H - PLOT_M + 18,
        "far": f"{far:,.0f} m",
        "top": f"{top:,.0f}",
        "low": f"{bottom:,.0f}",
        "top_y": PLOT_M,
        "low_y": PLOT_H - PLOT_M,
        "frame_w": PLOT_W - 2 * PLOT_M,
        "frame_h": PLOT_H - 2 * PLOT_M,
    }


def _density_map(density: dict[str, Any]) -> dict[str, Any]:
    grid = density["grid"]
    cell = float(grid["cell"])
    west, south = grid["origin"]
    rows, cols = grid["rows"], grid["cols"]
    scale = MAP_WIDTH / max(cols * cell, rows * cell / 0.75)
    height = rows * cell * scale
    top = density["max"] or 1.0
    size = f"{cell * scale:.2f}"
    parts = []
    for x, y, value in density["cells"]:
        if value is not None and value <= 0:
            continue
        step = "none" if value is None else str(min(DENSITY_STEPS, 1 + int(value / top * DENSITY_STEPS - 1e-9)))
        css = "outside-study" if value is None else f"map-{step}"
        title = f"{x:.0f} E, {y:.0f} N: " + ("outside the study area" if value is None else f"{value:,.1f} per km²")
        parts.append(
            f'<rect x="{(x - cell / 2 - west) * scale:.2f}" y="{height - (y + cell / 2 - south) * scale:.2f}" width="{size}" height="{size}" class="{css}"><title>{title}</title></rect>'
        )
    if len(parts) > MAX_MAP_CELLS:
        parts = parts[:MAX_MAP_CELLS]
    return {
        "svg_cells": mark_safe("".join(parts)),
        "width": round(cols * cell * scale, 1),
        "height": round(height, 1),
        "svg_width": round(cols * cell * scale + 8, 1),
        "svg_height": round(height + 8, 1),
        "top": f"{top:,.1f}",
    }


def emerging_view(result: dict[str, Any]) -> dict[str, Any]:
    """The pattern counts (those found) and the cells with a pattern, most events first, each slice's state as a
    letter (H hot, C cold, · neither) so the history reads without colour."""
    counts = [{"pattern": name, "count": n} for name, n in result["counts"].items() if n and name != "no pattern"]
    cells = sorted((c for c in result["cells"] if c["pattern"] != "no pattern"), key=lambda c: (-c["events"], c["y"], c["x"]))
    listed = [
        {**c, "history": " ".join("H" if s == 1 else ("C" if s == -1 else "·") for s in c["spots"]), "trend_p_text": p_text(c["trend_p"])}
        for c in cells[:MAX_LISTED]
    ]
    return {"counts": counts, "cells": listed, "total": len(cells)}
