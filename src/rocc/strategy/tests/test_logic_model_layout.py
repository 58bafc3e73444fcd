"""The logic model is readable at any length of text: each column is as wide as its widest line (within bounds), long
titles wrap to it so no line runs out of its box, boxes never overlap, and the diagram downloads as a PNG picture
drawn on the server as well as SVG and PDF."""

from __future__ import annotations

import io

from PIL import Image

from rocc.strategy.logic_model import BOX_PAD, COLUMN_MAX, COLUMN_MIN, logic_model, text_width, wrap_to_width
from rocc.strategy.logic_model_pdf import TITLE_SPACE
from rocc.strategy.logic_model_png import SCALE
from rocc.strategy.models import ChainElement
from rocc.strategy.services.plans import priority_action_add
from rocc.strategy.tests.catalogue import measures_catalogue  # noqa: F401  (a fixture)
from rocc.strategy.tests.test_logic_model_exports import people, plan  # noqa: F401  (fixtures)

LONG = (
    "Whānau-led navigation into kaupapa Māori services, with hapū and iwi providers, for every household touched by "
    "methamphetamine supply in the rohe, https://example.org/a-very-long-address-that-cannot-break-between-words"
)


def _fits(model) -> None:
    for box in model.boxes:
        for line in box.lines + box.info_lines:
            assert text_width(line) + 2 * BOX_PAD <= box.width + 0.5, (box.key, line)
        assert COLUMN_MIN <= box.width <= COLUMN_MAX
    by_column: dict[int, list] = {}
    for box in model.boxes:
        by_column.setdefault(box.x, []).append(box)
    for boxes in by_column.values():
        boxes.sort(key=lambda b: b.y)
        assert all(a.y + a.height < b.y for a, b in zip(boxes, boxes[1:], strict=False)), "boxes overlap"
    xs = sorted(by_column)
    widths = {x: by_column[x][0].width for x in xs}
    assert all(a + widths[a] < b for a, b in zip(xs, xs[1:], strict=False)), "columns overlap"
    assert model.width >= xs[-1] + widths[xs[-1]]


def test_wrapping_breaks_between_words_and_within_a_word_too_long_for_a_line():
    lines = wrap_to_width(LONG, 200)
    assert len(lines) > 3 and all(text_width(line) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == LONG.replace(" ", "")
    assert wrap_to_width("", 200) == [""]


def test_columns_fit_their_text_and_a_long_title_wraps_inside_its_box(plan, people):  # noqa: F811
    short = logic_model(user=people["coordinator"], version=plan.versions.get())
    _fits(short)
    priority_action_add(user=people["coordinator"], plan=plan, activity=LONG, output="Reached", outcome="Safer homes", impact="Improved whānau wellbeing")
    model = logic_model(user=people["coordinator"], version=plan.versions.get())
    _fits(model)
    box = next(b for b in model.boxes if b.lines[0].startswith("Whānau-led navigation"))
    assert len(box.lines) >= 3 and box.width > COLUMN_MAX - 40  # as wide as its widest wrapped line
    # The short column stays narrow: widths follow each column's own text.
    impact = next(b for b in model.boxes if b.kind == "impact")
    assert impact.width < COLUMN_MAX


def test_the_logic_model_downloads_as_a_png_of_the_diagram(client, plan, people):  # noqa: F811
    client.force_login(people["coordinator"])
    base = f"/strategy/district-plans/{plan.code}/v1/logic-model/"
    assert 'href="?format=png"' in client.get(base).content.decode()
    answer = client.get(base + "?format=png")
    assert answer["Content-Type"] == "image/png" and answer["Content-Disposition"].endswith('-v1-logic-model.png"')
    image = Image.open(io.BytesIO(answer.content))
    model = logic_model(user=people["coordinator"], version=plan.versions.get())
    assert image.size == (model.width * SCALE, (model.height + TITLE_SPACE) * SCALE)
    # Something is drawn in each box: its outline, in the box's status colour or grey, is not the white background.
    outcome = ChainElement.objects.get(version__plan=plan, kind="outcome")
    box = next(b for b in model.boxes if b.key == outcome.key)
    assert image.getpixel(((box.x + 2) * SCALE, (box.y + TITLE_SPACE + box.height // 2) * SCALE)) != (255, 255, 255)
