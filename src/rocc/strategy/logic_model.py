"""The live logic model: a plan version's chains laid out as boxes in four columns (Activity → Output → Outcome →
Impact), each carrying its indicators, its action-plan activities and a status rolled up from them, for an SVG
drawn on the server."""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from PIL import ImageFont

from rocc.governance.pdf import FONT_FILES, font_dir
from rocc.measures.selectors import indicator_statuses_for, scorecard_for
from rocc.strategy.models import KIND_RANK, ActivityStatus, ElementKind, PlanVersion
from rocc.strategy.selectors.frameworks import latest_progress_updates
from rocc.strategy.selectors.plans import measures_indicator_url, measures_indicators

COLUMN_GAP, MARGIN, HEADER = 70, 16, 40
LINE, BOX_PAD, BOX_GAP = 17, 10, 18
#: A column is as wide as its widest line of text (plus padding), between these widths in pixels; longer text wraps.
COLUMN_MIN, COLUMN_MAX = 170, 320
#: The size text is measured at: the diagram's 13 px text, in DejaVu Sans (the PDF's and the PNG's font, and wider
#: than the common sans-serif fonts a browser may draw the SVG in, so a line measured to fit fits in them too).
TEXT_PX = 13
COLUMN_WIDTH = COLUMN_MIN  # a box's width before the layout sets its column's

# Worst first: a box is as well as the worst thing feeding it.
ROLLUP_ORDER = ["off_track", "at_risk", "not_started", "on_track", "complete"]
ROLLUP_LABELS = {
    "off_track": "Off track",
    "at_risk": "At risk",
    "not_started": "Not started",
    "on_track": "On track",
    "complete": "Complete",
    "none": "No status yet",
}


@functools.cache
def diagram_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_dir() / FONT_FILES["B" if bold else ""]), size)


def text_width(text: str, *, size: int = TEXT_PX, bold: bool = False) -> float:
    """How wide ``text`` is drawn in DejaVu Sans at ``size`` pixels."""
    return float(diagram_font(size, bold).getlength(text))


def wrap_to_width(text: str, width: float, *, size: int = TEXT_PX, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels, broken between words; a word wider than a line on its own
    (a long web address) is broken within it."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size=size, bold=bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and text_width(line + char, size=size, bold=bold) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]


def _activity_rollup_status(status: str) -> str:
    return "not_started" if status == ActivityStatus.DESCRIPTION_PENDING else status


def _worst(statuses) -> str:
    ranked = [s for s in statuses if s in ROLLUP_ORDER]
    return min(ranked, key=ROLLUP_ORDER.index) if ranked else "none"


def _indicator_statuses(codes, unit, user) -> dict[str, str]:
    """The on-track status of each indicator in the plan's unit (worst across period types), as the measures
    capability lets this user see it (a status its disclosure gate withholds adds nothing); indicators without
    enough data add nothing."""
    found = indicator_statuses_for(user=user, codes=codes, unit=unit)
    return {code: _worst(statuses) for code, statuses in found.items() if _worst(statuses) != "none"}


def _indicator_figures(codes, unit, user) -> dict[str, dict]:
    """Each indicator's latest figure in the plan's unit: its scorecard cell as the user may see it (through the
    measures capability's disclosure gate), so the box and the scorecard show the same figure."""
    codes = set(codes)
    if not codes or unit is None:
        return {}
    try:
        card = scorecard_for(user=user, units=[unit])
    except PermissionDenied:
        return {}
    return {row["indicator"]: {**row["cells"][0], "polarity": row["polarity"]} for row in card["rows"] if row["indicator"] in codes and row["cells"][0]}


def _number(value) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def figure_text(cell: dict | None) -> str:
    """One line of what an indicator shows: latest figure and period, target, direction, status; or why not."""
    if not cell:
        return "no figure yet"
    if cell.get("suppressed"):
        latest = "too few to show (S)"
    elif cell.get("value") is None:
        return "no figure yet"
    else:
        latest = _number(cell["value"])
    parts = [f"{latest}{' (' + cell['period_label'] + ')' if cell.get('period_label') else ''}"]
    if cell.get("target") is not None:
        parts.append(f"target {_number(cell['target'])}")
    trend = cell.get("trend_percent_per_year")
    if trend is not None and not cell.get("suppressed"):
        parts.append(f"{'rising' if trend > 0 else 'falling' if trend < 0 else 'flat'} {abs(trend):.1f}%/yr")
    parts.append(cell.get("status_label") or "")
    return ", ".join(p for p in parts if p)


def update_text(update) -> str:
    """An activity's latest progress update in a line: its date, then the start of its narrative."""
    if update is None:
        return "no progress update yet"
    narrative = " ".join(update.narrative.split())
    return f"updated {update.date:%d %b %Y}" + (f": {textwrap.shorten(narrative, 90, placeholder='…')}" if narrative else "")


@dataclass
class Box:
    key: str
    kind: str
    label: str
    lines: list[str]
    url: str
    x: int = 0
    y: int = 0
    width: int = COLUMN_WIDTH
    height: int = 0
    indicators: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    own_statuses: list[str] = field(default_factory=list)
    status: str = "none"
    wrapped_info: list[str] = field(default_factory=list)  # the info lines as wrapped to the column (set by the layout)

    @property
    def status_label(self) -> str:
        return ROLLUP_LABELS[self.status]

    @property
    def text_x(self) -> int:
        return self.x + BOX_PAD

    @property
    def text_y(self) -> int:
        return self.y + BOX_PAD + 12

    @property
    def info_items(self) -> list[str]:
        """What feeds the box, one item each, before wrapping."""
        items = [f"{indicator['name']}: {indicator['figure']}" for indicator in self.indicators]
        items += [f"Action plan {activity['label']}: {activity['status_label'].lower()}, {activity['update']}" for activity in self.activities]
        return items + [f"Status: {self.status_label}"]

    @property
    def info_lines(self) -> list[str]:
        return self.wrapped_info or self.info_items

    @property
    def description(self) -> str:
        parts = [f"{self.label}: {' '.join(self.lines)}."]
        if self.indicators:
            parts.append("Indicators: " + "; ".join(f"{i['name']}: {i['figure']}" for i in self.indicators) + ".")
        if self.activities:
            parts.append("Action-plan activities: " + "; ".join(f"{a['title']} ({a['status_label'].lower()}, {a['update']})" for a in self.activities) + ".")
        parts.append(f"Status: {self.status_label}.")
        return " ".join(parts)


@dataclass
class Edge:
    path: str
    source: str
    target: str


@dataclass
class LogicModel:
    title: str
    description: str
    width: int
    height: int
    columns: list[tuple[str, int]]
    boxes: list[Box]
    edges: list[Edge]


def logic_model(*, user, version: PlanVersion) -> LogicModel:
    """Lay out the version's boxes. Within a column, boxes are ordered by where the boxes leading to them sit,
    which keeps most arrows from crossing."""
    plan = version.plan
    elements = list(version.elements.prefetch_related("leads_to", "activities__plan"))
    rows = list(version.monitoring.select_related("responsible_agency"))
    reported = {e.key: e.reported_indicator_code for e in elements if e.kind == ElementKind.OUTPUT and e.reported_indicator_code}
    defined = measures_indicators([r.indicator_code for r in rows] + list(reported.values()))
    indicator_status = _indicator_statuses(defined, plan.scope_unit, user)
    figures = _indicator_figures(defined, plan.scope_unit, user)
    unit_query = f"?unit={plan.scope_unit.code}" if plan.scope_unit is not None else ""
    latest_updates = latest_progress_updates({a.pk for e in elements for a in e.activities.all()})

    boxes: dict[str, Box] = {}
    for element in elements:
        box = Box(
            key=element.key,
            kind=element.kind,
            label=element.get_kind_display(),
            lines=[element.text],  # wrapped to its column by the layout
            url=reverse("strategy:element", args=[plan.code, version.number, element.key]),
        )
        for activity in element.activities.all():
            update = latest_updates.get(activity.pk)
            box.activities.append(
                {
                    "label": f"{activity.number}",
                    "title": str(activity),
                    "status": activity.status,
                    "status_label": activity.get_status_display(),
                    "url": reverse("strategy:activity", args=[activity.plan.code, activity.number]),
                    "update": update_text(update),
                    "update_date": update.date if update else None,
                }
            )
            box.own_statuses.append(_activity_rollup_status(activity.status))
        boxes[element.key] = box
    for key, code in reported.items():
        # An output shows the figure it reports (how much was done); it is not an on-track status to roll up.
        boxes[key].indicators.append(
            {
                "code": code,
                "name": f"Reported: {defined[code].name}" if code in defined else f"Reported: {code}",  # type: ignore[attr-defined]
                "defined": code in defined,
                "url": (measures_indicator_url(code) or "") + unit_query if code in defined else None,
                "figure": figure_text(figures.get(code)) if code in defined else "not defined under Measures",
                "cell": figures.get(code),
            }
        )
    by_pk = {e.pk: e for e in elements}
    for row in rows:
        box = boxes[by_pk[row.outcome_id].key]
        if row.indicator_code:
            box.indicators.append(
                {
                    "code": row.indicator_code,
                    "name": row.indicator_name or row.indicator_code,
                    "defined": row.indicator_code in defined,
                    # "Open the indicator" opens it for the plan's own unit.
                    "url": (measures_indicator_url(row.indicator_code) or "") + unit_query if row.indicator_code in defined else None,
                    "figure": figure_text(figures.get(row.indicator_code)) if row.indicator_code in defined else "not defined under Measures",
                    "cell": figures.get(row.indicator_code),
                }
            )
            if row.indicator_code in indicator_status:
                box.own_statuses.append(indicator_status[row.indicator_code])

    # Roll statuses down the chains: a box is as well as its own activities and indicators and the boxes leading to it.
    sources: dict[str, list[str]] = {e.key: [] for e in elements}
    for element in elements:
        for target in element.leads_to.all():
            sources[target.key].append(element.key)
    settled: dict[str, str] = {}

    def settle(key: str, visiting=()) -> str:
        if key not in settled:
            upstream = [settle(s, visiting + (key,)) for s in sources[key] if s not in visiting]
            settled[key] = _worst(boxes[key].own_statuses + upstream)
        return settled[key]

    for key, box in boxes.items():
        box.status = settle(key)

    # Columns and vertical order.
    kinds = [ElementKind.ACTIVITY, ElementKind.OUTPUT, ElementKind.OUTCOME, ElementKind.IMPACT]
    position: dict[str, float] = {}
    column_bottom = {}
    # Each box's text wrapped to the widest a column may be, then each column as wide as its widest line.
    text_room = COLUMN_MAX - 2 * BOX_PAD
    for element in elements:
        box = boxes[element.key]
        box.lines = wrap_to_width(element.text, text_room)
        box.wrapped_info = [line for item in box.info_items for line in wrap_to_width(item, text_room)]
    column_x, x = [], MARGIN
    column_widths = []
    for kind in kinds:
        widest = max((text_width(line) for e in elements if e.kind == kind for line in boxes[e.key].lines + boxes[e.key].info_lines), default=0.0)
        width = min(COLUMN_MAX, max(COLUMN_MIN, int(widest + 0.999) + 2 * BOX_PAD))
        column_x.append(x)
        column_widths.append(width)
        x += width + COLUMN_GAP
    for index, kind in enumerate(kinds):
        column = [e for e in elements if e.kind == kind]
        if index:
            column.sort(key=lambda e: (sum(position.get(s, 0) for s in sources[e.key]) / len(sources[e.key]) if sources[e.key] else 1e9, e.order))
        y = HEADER + MARGIN
        for rank, element in enumerate(column):
            box = boxes[element.key]
            box.x = column_x[index]
            box.width = column_widths[index]
            box.y = y
            box.height = BOX_PAD * 2 + LINE * (len(box.lines) + len(box.info_lines)) + 6
            y += box.height + BOX_GAP
            position[element.key] = rank
        column_bottom[kind] = y

    edges = []
    for element in elements:
        source = boxes[element.key]
        for target_element in element.leads_to.all():
            target = boxes[target_element.key]
            if KIND_RANK[element.kind] == KIND_RANK[target_element.kind]:
                x = source.x + source.width
                sy, ty = source.y + source.height // 2, target.y + target.height // 2
                path = f"M{x},{sy} C{x + 40},{sy} {x + 40},{ty} {x + 4},{ty}"
            else:
                sx, sy = source.x + source.width, source.y + source.height // 2
                tx, ty = target.x - 4, target.y + target.height // 2
                middle = (sx + tx) // 2
                path = f"M{sx},{sy} C{middle},{sy} {middle},{ty} {tx},{ty}"
            edges.append(Edge(path=path, source=element.key, target=target_element.key))

    width = x - COLUMN_GAP + MARGIN
    height = max(column_bottom.values(), default=HEADER + MARGIN) + MARGIN
    columns = [(label, column_x[i]) for i, label in enumerate(["Activity", "Output", "Outcome", "Impact"])]
    actions = sum(1 for e in elements if e.kind == ElementKind.ACTIVITY)
    example = " (an example plan)" if plan.is_example else ""
    return LogicModel(
        title=f"Logic model of {plan.title}{example}, version {version.number}",
        description=(
            f"{actions} priority action{'s' if actions != 1 else ''} as chains Activity → Output → Outcome → Impact, "
            f"{len(edges)} link{'s' if len(edges) != 1 else ''}. Each box links to its record; the table after the diagram lists the same chains."
        ),
        width=width,
        height=height,
        columns=columns,
        boxes=list(boxes.values()),
        edges=edges,
    )
