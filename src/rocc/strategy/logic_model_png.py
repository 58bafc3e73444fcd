"""The logic model as a PNG picture (for slides and messages where an SVG or a PDF will not go): the same layout as
the page's diagram and the PDF, drawn on the server with Pillow in DejaVu Sans, at twice the diagram's size so it
stays sharp on a projector."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from rocc.strategy.logic_model import LINE, TEXT_PX, LogicModel, diagram_font
from rocc.strategy.logic_model_pdf import NO_STATUS_COLOUR, STATUS_COLOURS, TITLE_SPACE, _curve

#: Pixels of the picture per pixel of the diagram.
SCALE = 2
EDGE_COLOUR = (75, 85, 99)
INFO_COLOUR = (55, 65, 81)


def _bezier(points: list[tuple[float, float]], steps: int = 32) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def logic_model_png(model: LogicModel) -> bytes:
    """The diagram as a PNG of (width × height + title) × SCALE pixels, white background, with its title on top."""
    s = SCALE
    image = Image.new("RGB", (model.width * s, (model.height + TITLE_SPACE) * s), "white")
    draw = ImageDraw.Draw(image)
    dy = TITLE_SPACE
    draw.text((16 * s, 8 * s), model.title, fill=(0, 0, 0), font=diagram_font(15 * s, bold=True))
    for label, x in model.columns:
        draw.text((x * s, (dy + 10) * s), label, fill=(0, 0, 0), font=diagram_font(15 * s, bold=True))
    for edge in model.edges:
        points = _curve(edge.path, dy)
        if len(points) != 4:
            continue
        draw.line([(x * s, y * s) for x, y in _bezier(points)], fill=EDGE_COLOUR, width=2 * s // 2 + 1)
        (cx, cy), (ex, ey) = points[2], points[3]
        length = max(((ex - cx) ** 2 + (ey - cy) ** 2) ** 0.5, 1e-6)
        ux, uy = (ex - cx) / length, (ey - cy) / length
        head = [(ex, ey), (ex - 7 * ux - 3.5 * uy, ey - 7 * uy + 3.5 * ux), (ex - 7 * ux + 3.5 * uy, ey - 7 * uy - 3.5 * ux)]
        draw.polygon([(x * s, y * s) for x, y in head], fill=EDGE_COLOUR)
    text_font, info_font = diagram_font(TEXT_PX * s), diagram_font((TEXT_PX - 1) * s)
    for box in model.boxes:
        colour = STATUS_COLOURS.get(box.status, NO_STATUS_COLOUR)
        top = box.y + dy
        draw.rounded_rectangle([box.x * s, top * s, (box.x + box.width) * s, (top + box.height) * s], radius=6 * s, fill="white", outline=colour, width=s + 1)
        draw.rectangle([box.x * s, top * s, (box.x + 6) * s, (top + box.height) * s], fill=colour)
        baseline = box.text_y + dy
        for n, line in enumerate(box.lines):
            draw.text((box.text_x * s, (baseline + n * LINE) * s), line, fill=(0, 0, 0), font=text_font, anchor="ls")
        for n, line in enumerate(box.info_lines, start=len(box.lines)):
            draw.text((box.text_x * s, (baseline + n * LINE) * s), line, fill=INFO_COLOUR, font=info_font, anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
