"""Every CSV and Excel file rocc writes keeps formula-like text as text: each writer is fed a hostile value and its
file read back; and no module writes a spreadsheet cell except through rocc.core.spreadsheets."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from rocc.core.spreadsheets import csv_dict_writer, csv_writer, safe_cell, sheet_append, sheet_cell, unquote_cell

HOSTILE = '=HYPERLINK("http://x","y")'
QUOTED = "'" + HOSTILE
ROCC = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", [HOSTILE, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=1"])
def test_formula_like_text_is_quoted(text):
    assert safe_cell(text) == "'" + text
    assert unquote_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [-12, -12.5, 0, 3.25, "-12", "-12.5", "+4", "-1e3", "Hawke’s Bay", "", None, dt.date(2025, 3, 1), "a=b"])
def test_numbers_and_plain_text_are_written_as_they_are(value):
    assert safe_cell(value) == value


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_values(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a cell was written as a formula"
    return [cell.value for cell in cells]


def _workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_writers_quote_every_hostile_cell_and_keep_negative_numbers():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["name", "count"])
    writer.writerows([[HOSTILE, -3], ["-2", "@x"]])
    assert _csv_cells(out.getvalue().encode()) == [["name", "count"], [QUOTED, "-3"], ["-2", "'@x"]]
    out = io.StringIO()
    writer = csv_dict_writer(out, fieldnames=["a", "b"])
    writer.writeheader()
    writer.writerows([{"a": HOSTILE, "b": -1.5}])
    assert _csv_cells(out.getvalue().encode()) == [["a", "b"], [QUOTED, "-1.5"]]


def test_sheet_helpers_write_text_never_a_formula():
    book = Workbook()
    sheet = book.active
    sheet_cell(sheet, row=1, column=1, value=HOSTILE)
    sheet_append(sheet, [HOSTILE, -4, "-4"])
    values = _xlsx_values(_workbook_bytes(book))
    assert values == [QUOTED, QUOTED, -4, "-4"]


def test_rejected_rows_file_quotes_formula_text():
    from rocc.events.importer import CheckedFile, Problem

    raw = pd.DataFrame({"event_id": [HOSTILE, "e2"], "offence_code": ["@cmd", "1"], "count": ["-1", "2"]})
    checked = CheckedFile(
        rows_read=2,
        problems=[Problem(2, "offence_code", f"not a known code ({HOSTILE})")],
        valid=np.array([False, True]),
        event_ids=raw["event_id"],
        events=pd.DataFrame(),
        persons=pd.DataFrame(),
        raw=raw,
    )
    rows = _csv_cells(checked.rejects_csv())
    assert rows[0] == ["row", "event_id", "offence_code", "count", "reason"]
    assert rows[1][:4] == ["2", QUOTED, "'@cmd", "-1"]
    assert rows[1][4].startswith("offence_code: not a known code")


def test_indicator_exports_quote_formula_text():
    from rocc.measures.exports import csv_bytes, xlsx_bytes

    columns, rows, notes = ["indicator", "value"], [[HOSTILE, -2.5]], [HOSTILE]
    assert _csv_cells(csv_bytes(columns, rows, notes))[1] == [QUOTED, "-2.5"]
    values = _xlsx_values(xlsx_bytes("Series", columns, rows, notes))
    assert QUOTED in values and -2.5 in values and HOSTILE not in values


def test_return_template_quotes_formula_text_and_reads_it_back_as_typed():
    from rocc.returns.excel import TemplateRow, template_read, template_write

    data = template_write(
        data_set_code="ds",
        data_set_name=HOSTILE,
        template_version=1,
        period_hint=HOSTILE,
        rows=[TemplateRow(code="-a", question=HOSTILE, guidance=HOSTILE, value=3)],
        provider=HOSTILE,
        unit="ak",
        period="2025-03",
    )
    values = _xlsx_values(data)
    assert HOSTILE not in values and QUOTED in values
    filled = template_read(data)
    assert filled.provider == HOSTILE and "-a" in filled.figures


def test_governance_workbook_quotes_formula_text():
    from rocc.governance.periods import PackPeriod
    from rocc.governance.selectors import PackContents
    from rocc.governance.workbook import pack_workbook

    contents = PackContents(
        title=HOSTILE,
        unit_code="nz",
        unit_name=HOSTILE,
        period=PackPeriod(dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        audience="internal",
        audience_label="Internal",
        prepared_by=HOSTILE,
        disclosure_note="",
        stories=[{"name": HOSTILE, "unit_name": "nz", "story_behind_curve": HOSTILE, "partners": "", "what_works": "", "action_plan": "-x"}],
    )
    values = _xlsx_values(pack_workbook(contents, generated_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC)))
    assert HOSTILE not in values and "'-x" in values


@pytest.mark.parametrize("module", ["rocc.problems.exports", "rocc.tasking.exports"])
def test_case_and_tasking_sheets_quote_formula_text(module):
    import importlib

    book = Workbook()
    importlib.import_module(module)._sheet(book, "Sheet", ["title", "count"], [[HOSTILE, -1]])
    values = _xlsx_values(_workbook_bytes(book))
    assert QUOTED in values and -1 in values and HOSTILE not in values


def test_action_plan_workbook_quotes_formula_text_and_reads_it_back_as_typed():
    from rocc.strategy.workbooks import _sheet_table, _text

    book = Workbook()
    _sheet_table(book.active, ["Activity"], [[HOSTILE]])
    data = _workbook_bytes(book)
    assert _xlsx_values(data) == ["Activity", QUOTED]
    assert _text(load_workbook(io.BytesIO(data)).active["A2"].value) == HOSTILE


# ------------------------------------------------------------------------------------------- structure

CSV_WRITERS = {"writer", "DictWriter"}
FRAME_WRITERS = {"to_csv", "to_excel"}


def _contains_safe_cell(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) or any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "safe_cell" for n in ast.walk(node))


def _worksheet_names(tree: ast.AST) -> set[str]:
    """Names bound to a worksheet: from a workbook's .active or .create_sheet(), or a parameter called sheet."""
    names = {"sheet", "ws", "worksheet"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            (isinstance(n, ast.Attribute) and n.attr == "active") or (isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "create_sheet")
            for n in ast.walk(node.value)
        ):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _spreadsheet_writes(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if not any(word in text for word in ("csv", "to_excel", "openpyxl")):
        return []  # every write looked for below names one of these (csv.writer, .to_csv, .to_excel, an openpyxl import)
    tree = ast.parse(text)
    uses_openpyxl = any(
        (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("openpyxl"))
        or (isinstance(n, ast.Import) and any(a.name.startswith("openpyxl") for a in n.names))
        for n in ast.walk(tree)
    )
    sheets = _worksheet_names(tree)
    found = []
    name = path.relative_to(ROCC.parent) if path.is_relative_to(ROCC) else path.name
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if node.func.attr in CSV_WRITERS and isinstance(receiver, ast.Name) and receiver.id == "csv":
                found.append(f"{where}: csv.{node.func.attr}")
            elif node.func.attr in FRAME_WRITERS:
                found.append(f"{where}: .{node.func.attr}()")
            elif uses_openpyxl and node.func.attr == "cell" and any(k.arg == "value" for k in node.keywords):
                found.append(f"{where}: .cell(value=...)")
            elif uses_openpyxl and node.func.attr == "append" and isinstance(receiver, ast.Name) and receiver.id in sheets:
                found.append(f"{where}: {receiver.id}.append")
        elif uses_openpyxl and isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = zip(target.elts, node.value.elts) if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) else [(target, node.value)]
                for one, value in pairs:
                    is_cell = isinstance(one, ast.Subscript) and isinstance(one.value, ast.Name) and one.value.id in sheets
                    if (is_cell or (isinstance(one, ast.Attribute) and one.attr == "value" and "cell" in ast.unparse(one.value))) and not _contains_safe_cell(
                        value
                    ):
                        found.append(f"{where}: a cell set without safe_cell")
    return found


def test_no_module_writes_a_spreadsheet_cell_except_through_the_one_helper():
    skipped = {ROCC / "core" / "spreadsheets.py"}
    paths = [p for p in sorted(ROCC.rglob("*.py")) if p not in skipped and "tests" not in p.parts and p.name != "testing.py" and "migrations" not in p.parts]
    found = [hit for path in paths for hit in _spreadsheet_writes(path)]
    assert found == [], "write spreadsheet cells through rocc.core.spreadsheets (safe_cell, csv_writer, sheet_cell, sheet_append):\n" + "\n".join(found)


def test_the_structure_check_sees_a_raw_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import csv\nfrom openpyxl import Workbook\nbook = Workbook()\nsheet = book.active\nsheet.append(['x'])\nsheet['A1'] = x\ncsv.writer(f)\n"
    )
    assert len(_spreadsheet_writes(sample)) == 3
