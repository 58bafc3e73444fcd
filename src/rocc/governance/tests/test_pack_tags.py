"""The pack's PDF carries its structure for assistive technology: headings H1–H3, charts as Figures with alternative
text, and tables as Table → TR → TH (column scope) / TD; every marked piece of content on a page is the element the
page's parent tree names for it. Read back with pypdf."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from rocc.governance.pdf import pack_pdf
from rocc.governance.selectors import pack_contents


def _kids(node) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, list) else [kids]


def _elements(node):
    for kid in _kids(node):
        if isinstance(kid, IndirectObject):
            element = kid.get_object()
            yield element
            yield from _elements(element)


def test_the_packs_headings_figures_and_tables_are_tagged_and_each_tag_is_the_content_it_names(world):
    contents = pack_contents(user=world["manager"], unit=world["nz"], period=world["period"], audience="internal")
    reader = PdfReader(io.BytesIO(pack_pdf(contents, generated_at=timezone.now())))
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    [document] = [kid.get_object() for kid in _kids(root)]
    elements = list(_elements(document))
    kinds = [str(e["/S"]) for e in elements]
    assert {"/H1", "/H2", "/H3", "/P", "/Figure", "/Table", "/TR", "/TH", "/TD"} <= set(kinds)
    assert all(str(e.get("/Alt", "")).startswith("Line chart of ") for e in elements if e["/S"] == "/Figure")

    # Tables: one per table drawn (action plan, scorecard, barriers, gaps, district plans), each a heading row of
    # column headers, then rows of data cells, one cell per column.
    tables = [e for e in elements if e["/S"] == "/Table"]
    assert len(tables) == len(contents.plans) + 4
    scorecard = next(
        t
        for t in tables
        if len(_kids(_kids(t)[0].get_object())) == 5 and len(_kids(t)) == 1 + sum(1 for r in contents.scorecard["rows"] for c in r["cells"] if c)
    )
    rows = [kid.get_object() for kid in _kids(scorecard)]
    assert all(row["/S"] == "/TR" and row["/P"].get_object() is scorecard for row in rows)
    headers = [cell.get_object() for cell in _kids(rows[0])]
    assert [h["/S"] for h in headers] == ["/TH"] * 5 and all(h["/A"]["/Scope"] == "/Column" and h["/A"]["/O"] == "/Table" for h in headers)
    assert all([c.get_object()["/S"] for c in _kids(row)] == ["/TD"] * 5 for row in rows[1:])

    # Every marked-content sequence on each page (BDC with an MCID) is the element at that index of the page's
    # parent tree, of the same type, on that page: a reader can follow each cell to its row, table and header.
    parents = dict(zip(*[iter(root["/ParentTree"]["/Nums"])] * 2))
    marked = 0
    for page in reader.pages:
        stream = page.get_contents().get_data().decode("latin-1")
        found = [(tag, int(mcid)) for tag, mcid in re.findall(r"/(\w+) <</MCID (\d+)>> BDC", stream)]
        if not found:
            continue
        listed = [e.get_object() for e in parents[page["/StructParents"]]]
        assert [mcid for _, mcid in found] == list(range(len(found))) == list(range(len(listed)))
        for (tag, mcid), element in zip(found, listed):
            assert element["/S"] == f"/{tag}" and mcid in _kids(element)
            assert element["/Pg"].get_object().indirect_reference == page.indirect_reference
        marked += len(found)
    assert marked >= len([k for k in kinds if k in ("/TH", "/TD")])  # header cells and data cells are marked content
