"""What the pages of the spatial-statistics toolkit draw from a stored result (autocorrelation, forecast accuracy,
point patterns): SVG laid out on the server, with a pattern or a text label beside every colour."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import mark_safe

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
    from rocc.analysis.forecast_accuracy import METHOD_NAMES

    best: dict[float, float] = {}
    for r in result["scores"]:
        if r["pai"] is not None:
            best[r["share"]] = max(best.get(r["share"], float("-inf")), r["pai"])
    rows = [
        {
            **r,
            "method_name": METHOD_NAMES.get(r["method"], r["method"]),
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
