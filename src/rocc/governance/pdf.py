"""The governance report pack as a PDF, drawn with fpdf2 (pure Python: no browser, no system libraries).

What the file carries for assistive technology: the document title (shown by viewers instead of the file name), its
language (en-NZ), an outline (bookmarks) of every section, and a structure tree in which headings are tagged H1–H3,
paragraphs P and each chart a Figure with its alternative text; running headers and footers are marked as artifacts.
Tables are tagged Table → TR → TH (with the column scope) / TD, so a screen reader reads a cell with its column
heading; a heading row repeated on a later page, the table's rules and fills are artifacts. fpdf2 tags only images
and its own section titles, and its structure-tree builder hangs every element on the document, so the tags here
are written with a builder of our own over fpdf2 2.8.9's (pinned) structure classes (``_StructureTree``), which can
nest elements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from django.conf import settings
from fpdf import FPDF, ViewerPreferences
from fpdf.enums import XPos, YPos
from fpdf.structure_tree import StructElem, StructureTreeBuilder

from rocc.governance.selectors import PROTECTED_STATUS_NOTE, PackContents

# rocc's colours (web/static/rocc/rocc.css), as RGB.
INK = (0x1B, 0x1F, 0x23)
MUTED = (0x4A, 0x55, 0x60)
PANEL = (0xF4, 0xF6, 0xF8)
LINE = (0xC9, 0xD1, 0xD9)
BRAND = (0x0B, 0x4F, 0x6C)
LINK = (0x0A, 0x55, 0xA0)
OK = (0x1E, 0x6B, 0x34)
WARN = (0x8A, 0x53, 0x00)
BAD = (0xA4, 0x26, 0x2C)
STATUS_COLOUR = {"on_track": OK, "at_risk": WARN, "off_track": BAD, "complete": OK}

FONT = "rocc"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class PackFontMissing(RuntimeError):
    """No Unicode font to draw te reo Māori's macrons with: the pack is refused rather than drawn without them."""


def font_dir() -> Path:
    """Where DejaVu Sans is: ``ROCC_PDF_FONT_DIR`` when set, else the copy rocc ships (``governance/fonts``, under
    the DejaVu fonts' free licence beside it), so a fresh install writes packs without any system font."""
    candidates = [getattr(settings, "ROCC_PDF_FONT_DIR", "") or "", str(Path(__file__).parent / "fonts")]
    for candidate in filter(None, candidates):
        if all((Path(candidate) / name).is_file() for name in FONT_FILES.values()):
            return Path(candidate)
    raise PackFontMissing(
        "No DejaVu Sans font was found to write the pack with (needed for macrons): the copy shipped in rocc's "
        "governance/fonts is missing, and ROCC_PDF_FONT_DIR does not name a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf."
    )


def figure(value, *, suppressed: bool = False) -> str:
    """A figure as the pack writes it (and the tests read it): 's' when suppressed, '–' when there is none, whole
    numbers without decimals, others to one decimal place."""
    if value is None:
        return "s" if suppressed else "–"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"


def day(value) -> str:
    return f"{value:%-d %b %Y}" if value else "–"


class _Element(StructElem):
    """A structure element that may also carry attributes (``/A``, e.g. a header cell's scope)."""

    def __init__(self, *args, attributes: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.a = attributes  # written as /A when set


class _StructureTree(StructureTreeBuilder):
    """fpdf2's structure tree with nesting: an element may hang under another (a cell under its row, a row under its
    table) instead of always under the document. Marked-content ids are numbered per page in the order drawn, and
    the parent tree lists each page's elements in that order, as the PDF specification asks (14.7.4.4)."""

    def __init__(self) -> None:
        super().__init__()
        self._next_mcid: dict[int, int] = {}

    def next_mcid_for_page(self, page_number: int) -> int:
        return self._next_mcid.get(page_number, 0)

    def add_marked_content(
        self,
        page_number: int,
        struct_type: str,
        mcid: int | None = None,
        title: str | None = None,
        alt_text: str | None = None,
        parent: StructElem | None = None,
        attributes: str | None = None,
        page=None,
    ) -> tuple[StructElem, int]:
        spid = self.spid_per_page_number.setdefault(page_number, len(self.spid_per_page_number))
        parent = parent or self.doc_struct_elem
        element = _Element(
            struct_type=struct_type,
            parent=parent,
            kids=[] if mcid is None else [mcid],
            page_number=page_number,
            title=title,
            alt=alt_text,
            attributes=attributes,
        )
        element.pg = page  # fpdf2 sets the page of the document's own children only; nested ones name theirs here
        parent.k.append(element)
        if mcid is not None:
            self._next_mcid[page_number] = mcid + 1
            self.struct_tree_root.parent_tree.nums[spid].append(element)
        return element, spid

    def __iter__(self):
        yield self.struct_tree_root
        yield self.doc_struct_elem
        yield self.struct_tree_root.parent_tree

        def descendants(element):
            for kid in element.k:
                if isinstance(kid, StructElem):
                    yield kid
                    yield from descendants(kid)

        yield from descendants(self.doc_struct_elem)


class _PackPDF(FPDF):
    struct_builder: _StructureTree

    def __init__(self, contents: PackContents):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.struct_builder = _StructureTree()
        self.contents = contents
        fonts = font_dir()
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(fonts / name))
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(contents.title)
        self.set_lang("en-NZ")
        self.set_subject(f"Governance report pack for {contents.unit_name}, {contents.period.label} ({contents.audience_label})")
        self.set_author("rocc")
        self.set_creator("rocc")
        self.set_keywords(["governance", "action plan", "scorecard", "turn the curve", contents.unit_name])
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.alias_nb_pages()

    @contextmanager
    def artifact(self) -> Iterator[None]:
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    def header(self) -> None:
        with self.artifact():
            self.set_fill_color(*BRAND)
            self.rect(0, 0, self.w, 8, style="F")
            self.set_xy(18, 9.5)
            self.set_font(FONT, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"rocc · {self.contents.title} · {self.contents.audience_label}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(20)

    def footer(self) -> None:
        with self.artifact():
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


@contextmanager
def _tagged(
    pdf: _PackPDF, struct_type: str, *, alt: str | None = None, title: str | None = None, parent: StructElem | None = None, attributes: str | None = None
) -> Iterator[None]:
    """Mark what is drawn inside as one structure element (H1, H2, H3, P, Figure, TH, TD), under ``parent`` (the
    document by default). It must stay on one page."""
    mcid = pdf.struct_builder.next_mcid_for_page(pdf.page)
    pdf._add_marked_content(struct_type=f"/{struct_type}", mcid=mcid, title=title, alt_text=alt, parent=parent, attributes=attributes, page=pdf.pages[pdf.page])
    pdf._out(f"/{struct_type} <</MCID {mcid}>> BDC")
    yield
    pdf._out("EMC")


def _group(pdf: _PackPDF, struct_type: str, *, parent: StructElem | None = None) -> StructElem:
    """A structure element that holds others (a Table, a TR) and no content of its own."""
    element, _ = pdf.struct_builder.add_marked_content(page_number=pdf.page, struct_type=f"/{struct_type}", parent=parent, page=pdf.pages[pdf.page])
    return element


COLUMN_HEADER = "<</O /Table /Scope /Column>>"


def _room_for(pdf: _PackPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _text_height(pdf: _PackPDF, text: str, line_height: float) -> float:
    lines = pdf.multi_cell(pdf.epw, line_height, text, dry_run=True, output="LINES")
    return len(lines) * line_height


def heading(pdf: _PackPDF, text: str, level: int) -> None:
    """A heading (level 1 is the title), in the outline and tagged H1–H3; kept with the lines after it."""
    sizes = {1: 18, 2: 14, 3: 11.5}
    pdf.set_font(FONT, "B", sizes[level])
    line = sizes[level] * 0.5
    _room_for(pdf, _text_height(pdf, text, line) + 18)
    pdf.ln(3 if level > 1 else 0)
    pdf.start_section(text, level=level - 1)
    pdf.set_text_color(*(BRAND if level < 3 else INK))
    with _tagged(pdf, f"H{level}"):
        pdf.multi_cell(0, line, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def paragraph(pdf: _PackPDF, text: str, *, size: float = 9.5, bold: bool = False, colour=INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    line = size * 0.5
    height = _text_height(pdf, text, line)
    if height < pdf.eph * 0.8:
        _room_for(pdf, height)
        with _tagged(pdf, "P"):
            pdf.multi_cell(0, line, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:  # longer than a page: it must break across pages, which one tagged block cannot
        pdf.multi_cell(0, line, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)


class _Widths:
    """Word widths measured once per font and size: a national pack's tables wrap thousands of cells, and measuring
    each word again is what would make them slow."""

    def __init__(self, pdf: _PackPDF):
        self.pdf = pdf
        self.known: dict[tuple[str, float, str], float] = {}

    def of(self, word: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt, word)
        width = self.known.get(key)
        if width is None:
            width = self.known[key] = self.pdf.get_string_width(word)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """The text broken into lines no wider than ``width`` (at spaces; a word too long for a line, such as a
        link, is broken between characters)."""
        space = self.of(" ")
        lines: list[str] = []
        for paragraph_text in str(text).split("\n"):
            current, used = "", 0.0
            for word in paragraph_text.split(" "):
                size = self.of(word)
                while size > width:  # break an over-long word where it no longer fits
                    if current:
                        lines.append(current)
                        current, used = "", 0.0
                    cut = len(word)
                    while cut > 1 and self.of(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.of(word)
                if current and used + space + size > width:
                    lines.append(current)
                    current, used = word, size
                else:
                    current, used = (f"{current} {word}" if current else word), (used + space + size if current else size)
            lines.append(current)
        return lines


def table(pdf: _PackPDF, headings: list[str], rows: list[list[str]], widths: tuple[float, ...], *, status_column: int | None = None, statuses=()) -> None:
    """A table with its heading row repeated on each page, rows kept whole, lines between rows, and the status column
    in the status's colour; tagged Table → TR → TH (column scope) / TD, the repeated heading rows, fills and rules
    as artifacts."""
    size, line, pad = 7.5, 3.4, 1.2
    total = sum(widths)
    columns = [pdf.epw * w / total for w in widths]
    measure = _Widths(pdf)
    tagged_table: StructElem | None = None

    def draw_row(values: list[str], *, bold: bool, fill, colours, repeated: bool = False) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        wrapped = []
        for index, (value, width) in enumerate(zip(values, columns)):
            pdf.set_font(FONT, "B" if bold or colours[index] else "", size)
            wrapped.append(measure.wrap(value, width - 2 * pad))
        height = max(len(lines) for lines in wrapped) * line + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not bold:
                draw_row(headings, bold=True, fill=PANEL, colours=[None] * len(headings), repeated=True)
        top, x = pdf.get_y(), pdf.l_margin
        if fill:
            with pdf.artifact():
                pdf.set_fill_color(*fill)
                pdf.rect(x, top, pdf.epw, height, style="F")
        row = None if repeated else _group(pdf, "TR", parent=tagged_table)
        for lines, width, colour in zip(wrapped, columns, colours):
            pdf.set_font(FONT, "B" if bold or colour else "", size)
            pdf.set_text_color(*(colour or INK))
            drawn = [(n, text) for n, text in enumerate(lines) if text]
            cell: AbstractContextManager
            if row is None:  # a heading row repeated on a later page: the reader has it from the first page
                cell = pdf.artifact()
            elif drawn:
                cell = _tagged(pdf, "TH" if bold else "TD", parent=row, attributes=COLUMN_HEADER if bold else None)
            else:
                _group(pdf, "TH" if bold else "TD", parent=row)  # an empty cell is still a cell of its row
                cell = nullcontext()
            with cell:
                for n, text in drawn:
                    pdf.text(x + pad, top + pad + line * (n + 1) - 0.9, text)
            x += width
        with pdf.artifact():
            pdf.set_draw_color(*LINE)
            pdf.set_line_width(0.2)
            pdf.line(pdf.l_margin, top + height, pdf.l_margin + pdf.epw, top + height)
        pdf.set_y(top + height)

    _room_for(pdf, 24)
    tagged_table = _group(pdf, "Table")
    draw_row(headings, bold=True, fill=PANEL, colours=[None] * len(headings))
    for index, values in enumerate(rows):
        colours = [None] * len(values)
        if status_column is not None and index < len(statuses):
            colours[status_column] = STATUS_COLOUR.get(statuses[index], INK)
        draw_row(values, bold=False, fill=None, colours=colours)
    pdf.ln(3)


# --- charts ---------------------------------------------------------------------------------------------------------


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 0.1
    step = max(magnitude, round(raw / magnitude) * magnitude)
    tick, ticks = (low // step) * step, []
    while tick <= high + step / 2 and len(ticks) < 10:
        ticks.append(round(tick, 6))
        tick += step
    return ticks


def curve_alt_text(curve: dict) -> str:
    """The chart's alternative text: what it shows and its figures in words."""
    points = curve["points"]
    shown = [p for p in points if p["value"] is not None]
    target = (curve.get("target") or {}).get("value")
    parts = [f"Line chart of {curve['name']} in {curve['unit_name']}"]
    if points:
        parts.append(f"over {len(points)} periods from {points[0]['label']} to {points[-1]['label']}")
    text = " ".join(parts) + "."
    if shown:
        low = min(shown, key=lambda p: p["value"])
        high = max(shown, key=lambda p: p["value"])
        text += f" Lowest {figure(low['value'])} ({low['label']}), highest {figure(high['value'])} ({high['label']}), latest {figure(shown[-1]['value'])} ({shown[-1]['label']})."
    suppressed = sum(1 for p in points if p["suppressed"])
    if suppressed:
        text += f" {suppressed} period{'s are' if suppressed != 1 else ' is'} suppressed to protect small numbers."
    if target is not None:
        text += f" Target {figure(target)}; the dashed line is the glide path to it."
    return text + " Status: off track."


def curve_chart(pdf: _PackPDF, curve: dict) -> None:
    """The off-track indicator's curve: the value line in rocc's brand colour, the glide path dashed, the target as
    a line, suppressed periods marked 's' on the axis; tagged as a Figure with its alternative text."""
    points = curve["points"]
    width, height = pdf.epw, 58
    _room_for(pdf, height + 12)
    left, top = pdf.l_margin + 14, pdf.get_y() + 2
    plot_w, plot_h = width - 16, height - 14
    values = [p["value"] for p in points if p["value"] is not None]
    glide = [p["glide"] for p in points if p["glide"] is not None]
    target = (curve.get("target") or {}).get("value")
    references = glide + ([target] if target is not None else [])
    ticks = _ticks(min([0.0, *values, *references]), max([*values, *references, 1.0]))
    y_low, y_high = ticks[0], ticks[-1]

    def x(i: int) -> float:
        return left + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - y_low) / ((y_high - y_low) or 1))

    with _tagged(pdf, "Figure", alt=curve_alt_text(curve)):
        pdf.set_font(FONT, "", 7)
        pdf.set_text_color(*MUTED)
        pdf.set_draw_color(*LINE)
        pdf.set_line_width(0.2)
        for tick in ticks:
            pdf.line(left, y(tick), left + plot_w, y(tick))
            pdf.set_xy(pdf.l_margin, y(tick) - 2)
            pdf.cell(12, 4, figure(tick), align="R")
        for index in sorted({0, len(points) // 2, len(points) - 1}) if points else []:
            pdf.set_xy(x(index) - 15, top + plot_h + 1)
            pdf.cell(30, 4, points[index]["label"], align="C")
        if target is not None:
            pdf.set_draw_color(*OK)
            pdf.set_line_width(0.4)
            pdf.line(left, y(target), left + plot_w, y(target))
        glide_points = [(x(i), y(p["glide"])) for i, p in enumerate(points) if p["glide"] is not None]
        if len(glide_points) > 1:
            pdf.set_draw_color(*MUTED)
            pdf.set_line_width(0.3)
            with pdf.local_context():
                pdf.set_dash_pattern(dash=1.2, gap=1)
                pdf.polyline(glide_points)
        pdf.set_draw_color(*BRAND)
        pdf.set_fill_color(*BRAND)
        pdf.set_line_width(0.7)
        run: list[tuple[float, float]] = []
        for i, point in enumerate(points + [{"value": None, "suppressed": False}]):
            if point["value"] is None:
                if len(run) > 1:
                    pdf.polyline(run)
                elif len(run) == 1:
                    pdf.circle(x=run[0][0], y=run[0][1], radius=0.8, style="F")
                run = []
                if point["suppressed"] and i < len(points):
                    pdf.set_text_color(*BAD)
                    pdf.set_xy(x(i) - 2, top + plot_h - 4)
                    pdf.cell(4, 4, "s", align="C")
                continue
            run.append((x(i), y(point["value"])))
        pdf.set_xy(pdf.l_margin, top + plot_h + 6)
        pdf.set_text_color(*MUTED)
        pdf.cell(0, 4, f"Line: {curve['unit_label'] or 'value'}. Dashed: glide path to the target. Green: target. s: suppressed.")
    pdf.set_y(top + height)


# --- the pack ---------------------------------------------------------------------------------------------------------


def _milestones(items) -> str:
    return "; ".join(f"{title} ({day(date)})" for title, date in items) or "–"


def pack_pdf(contents: PackContents, *, generated_at: dt.datetime) -> bytes:
    pdf = _PackPDF(contents)
    pdf.set_creation_date(generated_at)
    pdf.add_page()
    heading(pdf, contents.title, 1)
    dates = f" ({day(contents.period.start)} to {day(contents.period.end)})" if contents.period.is_quarter else ""
    paragraph(pdf, f"Period: {contents.period.label}{dates}.")
    paragraph(pdf, f"Audience: {contents.audience_label}. Prepared by {contents.prepared_by} on {generated_at:%-d %B %Y at %H:%M} UTC.")
    paragraph(pdf, contents.disclosure_note, colour=MUTED)
    summary = contents.summary()
    paragraph(
        pdf,
        f"In this pack: {summary['activities']} activities ({summary['milestones_overdue']} overdue milestones); {summary['indicators']} indicators, "
        f"{summary['off_track_curves']} off track; {summary['stories']} turn-the-curve stories; {summary['barriers']} barriers; "
        f"{summary['gaps']} stocktake gaps; {summary['district_plans']} district plans.",
    )

    heading(pdf, "Action plan", 2)
    if not contents.activities:
        paragraph(pdf, "No action plan of this unit is recorded.")
    for plan in contents.plans:
        heading(pdf, f"{plan['title']} ({plan['status'].lower()})", 3)
        rows = [a for a in contents.activities if a.plan == plan["title"]]
        table(
            pdf,
            ["#", "Activity", "Lead", "Status", "Latest update", "Milestones", "Evidence"],
            [
                [
                    str(a.number),
                    a.title,
                    a.lead or "–",
                    a.status_label,
                    f"{day(a.latest_update_date)}: {a.latest_narrative}" if a.latest_update_date else "No update recorded",
                    f"Due: {_milestones(a.milestones_due)}\nDone: {_milestones(a.milestones_done)}\nOverdue: {_milestones(a.milestones_overdue)}",
                    "\n".join(a.evidence_links) or "–",
                ]
                for a in rows
            ],
            (4, 20, 10, 10, 30, 26, 20),
            status_column=3,
            statuses=[a.status for a in rows],
        )

    heading(pdf, "Scorecard", 2)
    paragraph(pdf, "Each indicator's latest figure and status in each unit.", colour=MUTED)
    cells = [(row, cell) for row in contents.scorecard.get("rows", []) for cell in row["cells"] if cell]
    table(
        pdf,
        ["Indicator", "Unit", "Latest period", "Value", "Status"],
        [
            [
                row["name"],
                cell["unit_name"],
                cell.get("period_label") or "–",
                figure(cell.get("value"), suppressed=cell.get("suppressed", False)),
                cell["status_label"],
            ]
            for row, cell in cells
        ],
        (38, 20, 16, 12, 14),
        status_column=4,
        statuses=[cell["status"] for _, cell in cells],
    )
    if contents.protected_cells:
        paragraph(pdf, PROTECTED_STATUS_NOTE, colour=MUTED)

    heading(pdf, "Off-track indicators", 2)
    if not contents.curves:
        paragraph(pdf, "No indicator is off track.")
    for curve in contents.curves:
        heading(pdf, f"{curve['name']} — {curve['unit_name']}", 3)
        target = (curve.get("target") or {}).get("value")
        paragraph(
            pdf,
            f"Latest: {figure(curve['latest_value'])} ({curve['latest_period'] or '–'}). Target: {figure(target)}. {curve['status_explanation']}",
        )
        curve_chart(pdf, curve)

    heading(pdf, "Turn the curve", 2)
    if not contents.stories:
        paragraph(pdf, "No turn-the-curve story is recorded for these indicators.")
    for story in contents.stories:
        heading(pdf, f"{story['name']} — {story['unit_name']}", 3)
        for label, key in (
            ("The story behind the curve", "story_behind_curve"),
            ("Partners", "partners"),
            ("What works", "what_works"),
            ("Action plan", "action_plan"),
        ):
            if story[key]:
                paragraph(pdf, f"{label}: {story[key]}")

    heading(pdf, "Barrier register", 2)
    if not contents.barriers:
        paragraph(pdf, "No barrier was open in the period.")
    else:
        table(
            pdf,
            ["Barrier", "Region", "Severity", "Status", "Raised", "The centre's answer"],
            [
                [
                    b["title"],
                    b["unit_name"],
                    b["severity"],
                    b["status"],
                    day(b["raised_on"]),
                    (f"{day(b['responded_on'])}: {b['response']}" if b["response"] else "Awaiting the centre"),
                ]
                for b in contents.barriers
            ],
            (26, 14, 10, 14, 12, 34),
        )

    heading(pdf, "Initiative stocktake: gaps", 2)
    paragraph(pdf, f"Strategic focus areas with no initiative running on {day(contents.gaps_as_at)}.", colour=MUTED)
    if not contents.gaps:
        paragraph(pdf, "Every focus area has at least one initiative running.")
    else:
        table(pdf, ["Focus area", "Unit"], [[g["focus_area"], g["unit_name"]] for g in contents.gaps], (50, 50))

    heading(pdf, "District plans", 2)
    if not contents.district_plans:
        paragraph(pdf, "No district plan is recorded.")
    else:
        table(
            pdf,
            ["Plan", "District", "In force", "Agreed", "Working version"],
            [
                [
                    p["title"],
                    p["unit_name"],
                    f"Version {p['in_force_version']} ({p['in_force_status'].lower()})" if p["in_force_version"] else "None yet",
                    day(p["agreed_on"]),
                    f"Version {p['working_version']} ({p['working_status'].lower()})",
                ]
                for p in contents.district_plans
            ],
            (30, 18, 20, 14, 18),
        )
    return bytes(pdf.output())
