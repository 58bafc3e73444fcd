"""The logic model as a PDF to show at a hui: the same layout as the page's diagram (boxes, their lines, the links
between them, each box's status bar), drawn as vector shapes and real text, so it prints at any size, can be read
aloud and searched, and needs no browser to make."""

from __future__ import annotations

import re

from fpdf import FPDF

from rocc.governance.pdf import FONT, FONT_FILES, font_dir
from rocc.strategy.logic_model import LINE, LogicModel

TITLE_SPACE = 34  # points above the diagram for its title
STATUS_COLOURS = {"off_track": (176, 0, 32), "at_risk": (138, 90, 0), "on_track": (27, 110, 47), "complete": (27, 110, 47)}
NO_STATUS_COLOUR = (110, 110, 110)
_POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def _curve(path: str, dy: float) -> list[tuple[float, float]]:
    """The four points of a link's cubic curve ("M x,y C x1,y1 x2,y2 x,y", as the layout writes it)."""
    return [(float(x), float(y) + dy) for x, y in _POINT.findall(path)][:4]


def logic_model_pdf(model: LogicModel, *, base_url: str = "") -> bytes:
    """One page the size of the diagram (a point per pixel of the page's SVG), in DejaVu Sans so macrons print.
    With ``base_url``, each box links to its record."""
    pdf = FPDF(orientation="L" if model.width >= model.height else "P", unit="pt", format=(model.width, model.height + TITLE_SPACE))
    fonts = font_dir()
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, str(fonts / name))
    pdf.set_title(model.title)
    pdf.set_subject(model.description)
    pdf.set_lang("en-NZ")
    pdf.set_creator("rocc")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.text(16, 20, model.title)
    dy = TITLE_SPACE
    pdf.set_font(FONT, "B", 11)
    for label, x in model.columns:
        pdf.text(x, 26 + dy - 4, label)
    pdf.set_draw_color(85, 85, 85)
    pdf.set_line_width(1)
    for edge in model.edges:
        points = _curve(edge.path, dy)
        if len(points) != 4:
            continue
        pdf.bezier(points, style="D")
        (cx, cy), (ex, ey) = points[2], points[3]
        # The arrowhead points along the curve's last tangent.
        length = max(((ex - cx) ** 2 + (ey - cy) ** 2) ** 0.5, 1e-6)
        ux, uy = (ex - cx) / length, (ey - cy) / length
        head = [(ex, ey), (ex - 7 * ux - 3.5 * uy, ey - 7 * uy + 3.5 * ux), (ex - 7 * ux + 3.5 * uy, ey - 7 * uy - 3.5 * ux)]
        pdf.set_fill_color(85, 85, 85)
        pdf.polygon(head, style="F")
    for box in model.boxes:
        y = box.y + dy
        colour = STATUS_COLOURS.get(box.status, NO_STATUS_COLOUR)
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(box.x, y, box.width, box.height, style="DF", round_corners=True, corner_radius=6)
        pdf.set_fill_color(*colour)
        pdf.rect(box.x, y, 6, box.height, style="F")
        baseline = box.text_y + dy
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "B", 10)
        for n, line in enumerate(box.lines):
            pdf.text(box.text_x, baseline + n * LINE, line)
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(60, 60, 60)
        for n, line in enumerate(box.info_lines, start=len(box.lines)):
            pdf.text(box.text_x, baseline + n * LINE, line)
        if base_url:
            pdf.link(box.x, y, box.width, box.height, base_url.rstrip("/") + box.url, alt_text=box.description)
    return bytes(pdf.output())
