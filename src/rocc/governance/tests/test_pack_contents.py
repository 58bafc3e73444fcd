"""The governance report pack generated on the shipped content and a realistic quarter of work, opened (PDF text,
outline and tags read with pypdf; the workbook read back with openpyxl) and checked figure by figure against what the
owning apps' selectors give the pages."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from rocc.core.errors import Refused
from rocc.core.tokens import token_issue
from rocc.governance.models import ReportPack
from rocc.governance.pdf import figure
from rocc.governance.selectors import PROTECTED_STATUS_LABEL, PROTECTED_STATUS_NOTE
from rocc.governance.services import pack_request
from rocc.measures.selectors import indicators_for, scorecard_for, series_for, units_for_measures
from rocc.strategy.selectors.frameworks import activity_list, activity_progress
from rocc.strategy.selectors.register import initiative_gap_matrix
from rocc.testing import api_call


def _same(value):
    """A figure as Excel keeps it: a float to 15 significant digits."""
    return pytest.approx(value, rel=1e-12) if isinstance(value, float) else value


def _make(committed, **kwargs) -> ReportPack:
    with committed():
        pack = pack_request(**kwargs)
    pack.refresh_from_db()
    assert pack.status == "done", pack.error
    return pack


def _pdf(pack: ReportPack) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(bytes(pack.pdf)))
    return reader, " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _rows(pack: ReportPack, sheet: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(bytes(pack.xlsx)), read_only=True)
    return [row for row in book[sheet].iter_rows(min_row=4, values_only=True) if any(v is not None for v in row)]


def _struct_types(reader: PdfReader) -> list[tuple[str, str | None]]:
    found = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            found.append((str(node["/S"]), str(node["/Alt"]) if "/Alt" in node else None))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def _outline_titles(reader: PdfReader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_national_pack_holds_what_the_pages_show_figure_by_figure(world, committed):
    manager, nz, period = world["manager"], world["nz"], world["period"]
    pack = _make(committed, user=manager, unit=nz, period=period, audience="internal")
    reader, text = _pdf(pack)

    # The document: title, language, outline, tagged headings and charts with alternative text.
    assert reader.metadata.title == f"Governance report pack: {nz.name}, {period.label}"
    assert reader.trailer["/Root"]["/Lang"] == "en-NZ"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    outline = _outline_titles(reader)
    for section in ["Action plan", "Scorecard", "Off-track indicators", "Turn the curve", "Barrier register", "Initiative stocktake: gaps", "District plans"]:
        assert section in outline
    tags = _struct_types(reader)
    assert ("/H1", None) in tags and ("/H2", None) in tags
    figures = [alt for kind, alt in tags if kind == "/Figure"]
    assert figures and all(alt and alt.startswith("Line chart of ") for alt in figures)

    # The action plan: every activity's status, latest narrative, milestones and evidence, as the selector gives them.
    plan = world["plan"]
    activities = list(activity_list(user=manager, plan=plan))
    progress = activity_progress(user=manager, activities=activities, period_start=period.start, period_end=period.end)
    rows = {(r[0], r[1]): r for r in _rows(pack, "Action plan")}
    assert len([k for k in rows if k[0] == plan.title]) == len(activities)
    for activity in activities:
        row, p = rows[(plan.title, activity.number)], progress[activity.pk]
        assert row[6] == activity.get_status_display()
        assert (row[8] or "") == (p.latest_update.narrative if p.latest_update else "")
        assert (row[9] or "") == "\n".join(f"{m.title} ({m.due_date:%Y-%m-%d})" for m in p.milestones_due)
        assert (row[10] or "") == "\n".join(f"{m.title} ({m.done_date:%Y-%m-%d})" for m in p.milestones_done)
        assert (row[11] or "") == "\n".join(f"{m.title} ({m.due_date:%Y-%m-%d})" for m in p.milestones_overdue)
        assert (row[12] or "") == "\n".join(p.evidence_links)
    first = rows[(plan.title, 1)]
    assert first[6] == "At risk" and first[11].startswith("Data-sharing agreement signed")
    assert first[12].split("\n") == ["https://example.org/dsa-draft", "https://example.org/briefing-1"]
    assert "Second phase delayed: the data-sharing agreement is not yet signed." in text
    assert "Overdue: Data-sharing agreement signed" in text
    assert "https://example.org/dsa-draft" in text.replace(" ", "")

    # The scorecard: every cell of the national unit and the districts, as the measures page shows it.
    units = list(units_for_measures(user=manager))
    expected = scorecard_for(user=manager, units=units, with_intervals=False)
    cells = [(row["indicator"], c["unit_name"], _same(c["value"]), c["status_label"]) for row in expected["rows"] for c in row["cells"] if c]
    assert [(r[0], r[2], r[4], r[6]) for r in _rows(pack, "Scorecard")] == cells
    for row in expected["rows"]:
        for c in row["cells"]:
            if c:
                assert f"{c['unit_name']} {c['period_label'] or '–'} {figure(c['value'], suppressed=c['suppressed'])} {c['status_label']}" in text

    # Each off-track cell's curve, point by point, as the indicator page's series gives it.
    off = [(row["indicator"], c["unit"]) for row in expected["rows"] for c in row["cells"] if c and c["status"] == "off_track"]
    assert ("pack-assaults", "nz") in off
    curves = _rows(pack, "Off-track curves")
    indicators = {i.code: i for i in indicators_for(user=manager)}
    by_code = {u.code: u for u in units}
    names = {row["indicator"]: row["name"] for row in expected["rows"]}
    for code, unit_code in off:
        series = series_for(user=manager, indicator=indicators[code], unit=by_code[unit_code])
        drawn = [(r[2], r[3], r[4]) for r in curves if r[0] == names[code] and r[1] == by_code[unit_code].name]
        assert drawn == [(p["label"], _same(p["numerator"]), _same(p["value"])) for p in series["points"]]
    assert len(figures) == len(off)

    # Turn the curve, the barrier register with the centre's answers, the stocktake's gaps, district plans.
    stories = _rows(pack, "Turn the curve")
    assert stories[0][:4] == (
        "Serious assaults (pack test)",
        nz.name,
        "Assaults rose after two gangs split over methamphetamine supply.",
        "Police, Kāinga Ora, iwi providers",
    )
    assert "Partners: Police, Kāinga Ora, iwi providers" in text, text[text.find("Turn the curve") :][:600]
    assert "Waitematā" in text
    barriers = {r[0]: r for r in _rows(pack, "Barriers")}
    assert barriers["Information sharing between agencies"][8] == "The centre is drafting a national information-sharing agreement."
    assert barriers["Funding cycles too short"][8] is None and "Awaiting the centre" in text
    assert "The centre is drafting a national information-sharing agreement." in text
    matrix = initiative_gap_matrix(user=manager, as_at=period.end)
    gaps = {(label, unit.name) for _, label, row in matrix.rows() for unit, count in row if not count}
    assert {(r[0], r[1]) for r in _rows(pack, "Stocktake gaps") if r[3] == "Gap"} == gaps
    assert ("Resilience", "Waitematā") not in gaps and ("Supply", nz.name) not in gaps
    assert pack.summary["gaps"] == len(gaps)
    assert [r[:2] for r in _rows(pack, "District plans")] == [("Waitematā community plan", "Waitematā")]

    # Stored, and downloadable again later with the date it was made: from the page and the API.
    client = Client()
    client.force_login(manager)
    page = client.get(f"/governance/{pack.pk}/").content.decode()
    assert f"Made on {timezone.localtime(pack.finished_at):%-d %B %Y}" in page  # the date in New Zealand, as the page shows it
    download = client.get(f"/governance/{pack.pk}/download.pdf")
    assert download["Content-Type"] == "application/pdf" and download.content == bytes(pack.pdf)
    assert client.get(f"/governance/{pack.pk}/download.xlsx").content == bytes(pack.xlsx)
    token = token_issue(user=manager, name="test")
    status, answer = api_call(f"/api/governance/packs/{pack.pk}", token)
    assert status == 200 and answer["status"] == "done" and answer["pdf_url"] == f"/api/governance/packs/{pack.pk}/pdf"
    fetched = Client().get(f"/api/governance/packs/{pack.pk}/pdf", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert fetched.status_code == 200 and fetched.content == bytes(pack.pdf)


def test_public_pack_protects_small_counts_exactly_as_the_public_pages_do(world, committed):
    coordinator, manager, waitemata, nz, period = world["coordinator"], world["manager"], world["waitemata"], world["nz"], world["period"]
    indicator = world["indicator"]

    # A coordinator's internal pack: their region alone, with its unprotected figures (they may see unit-level output).
    internal = _make(committed, user=coordinator, unit=waitemata, period=period, audience="internal")
    scorecard = _rows(internal, "Scorecard")
    assert {r[2] for r in scorecard} == {"Waitematā"}
    own = scorecard_for(user=coordinator, units=[waitemata], indicator=indicator, with_intervals=False)["rows"][0]["cells"][0]
    assert own["suppressed"] is False and own["value"] is not None
    assert [r[4] for r in scorecard if r[0] == "pack-assaults"] == [_same(own["value"])]
    with pytest.raises(Refused):
        pack_request(user=coordinator, unit=nz, period=period, audience="internal")

    # The same region's public pack: the small counts are suppressed, exactly as the public scorecard does it.
    public = _make(committed, user=coordinator, unit=waitemata, period=period, audience="public")
    shown = scorecard_for(user=coordinator, units=[waitemata], indicator=indicator, public=True, with_intervals=False)["rows"][0]["cells"][0]
    assert shown["suppressed"] is True
    row = next(r for r in _rows(public, "Scorecard") if r[0] == "pack-assaults")
    assert row[4] == "s" and row[6] == PROTECTED_STATUS_LABEL and shown["status"] == "not_enough_data"
    _, text = _pdf(public)
    assert f"Waitematā {shown['period_label']} s {PROTECTED_STATUS_LABEL}" in text and PROTECTED_STATUS_NOTE in text
    assert "Public (small numbers protected)" in text
    for code, cell in ((r[0], r) for r in _rows(public, "Scorecard")):
        expected = scorecard_for(
            user=coordinator, units=[waitemata], indicator=indicators_for(user=coordinator).get(code=code), public=True, with_intervals=False
        )
        want = expected["rows"][0]["cells"][0]
        assert cell[4] == ("s" if want["suppressed"] else _same(want["value"])), code

    # A national public pack: every cell and every curve point through the public gate.
    national = _make(committed, user=manager, unit=nz, period=period, audience="public")
    units = list(units_for_measures(user=manager))
    expected = scorecard_for(user=manager, units=units, public=True, with_intervals=False)
    cells = [(row["indicator"], c["unit_name"], "s" if c["suppressed"] else _same(c["value"])) for row in expected["rows"] for c in row["cells"] if c]
    assert [(r[0], r[2], r[4]) for r in _rows(national, "Scorecard")] == cells
    counts = [r[3] for r in _rows(national, "Off-track curves") if r[3] not in (None, "s")]
    assert counts and all(count % 3 == 0 for count in counts)  # randomly rounded to base 3
