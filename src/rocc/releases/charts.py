"""Curves drawn on the server as inline SVG, so a public page's chart needs no script and reads on a slow connection.

The chart takes a frozen cell's points (already protected) and draws the value line, the baseline and the target;
suppressed periods are marked on the axis. Its figures are repeated in a table beside it for screen readers.
"""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


def figure(value, *, decimals: int | None = None) -> str:
    """A figure as the public pages write it: whole numbers without decimals, others to one decimal place."""
    if value is None or isinstance(value, str) or isinstance(value, bool):
        return "" if value in (None, "") else str(value)
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return f"{value:,.{decimals}f}"


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + 1
    span = high - low
    raw = span / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = max(magnitude, round(raw / magnitude) * magnitude) or 1
    start = (low // step) * step
    ticks, tick = [], start
    while tick <= high + step / 2 and len(ticks) < 10:
        ticks.append(round(tick, 6))
        tick += step
    return ticks


def curve_svg(*, cell: dict, title: str, chart_id: str) -> SafeString:
    """The cell's curve as an SVG image with a title and a description; an empty string when it has no points."""
    points = cell.get("points") or []
    if not points:
        return mark_safe("")
    target = (cell.get("target") or {}).get("value")
    baseline = (cell.get("target") or {}).get("baseline")
    values = [p["value"] for p in points if p["value"] is not None]
    references = [v for v in (target, baseline) if v is not None]
    if not values and not references:
        return mark_safe("")
    ticks = _ticks(min([0.0, *values, *references]), max([*values, *references, 1.0]))
    y_low, y_high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - y_low) / ((y_high - y_low) or 1))

    parts = []
    for tick in ticks:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(figure(tick))}</text>')
    for index in sorted({0, len(points) - 1}):
        parts.append(f'<text class="tick" x="{x(index):.1f}" y="{HEIGHT - 12}" text-anchor="middle">{escape(points[index]["label"])}</text>')
    if baseline is not None:
        parts.append(f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(baseline):.1f}" y2="{y(baseline):.1f}"/>')
    if target is not None:
        parts.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>')
    # The value line breaks where a period has no figure (missing or suppressed).
    run: list[str] = []
    for i, point in enumerate(points):
        if point["value"] is None:
            if len(run) > 1:
                parts.append(f'<polyline class="curve" points="{" ".join(run)}"/>')
            run = []
            if point["suppressed"]:
                parts.append(f'<text class="suppressed" x="{x(i):.1f}" y="{TOP + plot_h - 2}" text-anchor="middle">s</text>')
            continue
        run.append(f"{x(i):.1f},{y(point['value']):.1f}")
    if len(run) > 1:
        parts.append(f'<polyline class="curve" points="{" ".join(run)}"/>')
    elif len(run) == 1:
        cx, cy = run[0].split(",")
        parts.append(f'<circle class="curve-dot" cx="{cx}" cy="{cy}" r="3"/>')
    latest = cell.get("latest") or {}
    description = (
        f"{len(points)} periods from {points[0]['label']} to {points[-1]['label']}. Latest: "
        f"{figure(latest.get('value')) or 'not shown'}"
        + (f"; baseline {figure(baseline)}" if baseline is not None else "")
        + (f"; target {figure(target)}" if target is not None else "")
        + ". The figures are in the table that follows."
    )
    return format_html(
        '<svg class="curve-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(parts)),
    )
