"""The structure of the Tasking & Coordination and problems capabilities, as rules a change cannot quietly break:
pages ask the rules instead of comparing statuses, every layer names the same concerns, and modules import one
another without cycles, at the top of the module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROCC = Path(__file__).resolve().parents[2]
APPS = ("tasking", "problems")
TASKING_CONCERNS = {"products", "reports", "risk", "taskings", "deconfliction", "meetings"}

# A status (or a record's stage) compared with a literal decides by hand what the transition tables and ``rules.py``
# decide once. The stage page's own ``stage`` (which page is shown) chooses its layout and is not a record's state.
STATUS_LITERALS = [
    re.compile(r"""\b[\w.]*status\s*(==|!=|\bin\b|\bnot in\b)\s*["'(\[]"""),
    re.compile(r"""["'][\w-]*["']\s*(==|!=)\s*[\w.]*status\b"""),
    re.compile(r"""\b\w+\.stage\s*(==|!=|\bin\b|\bnot in\b)\s*["'(\[]"""),
    re.compile(r"""["'][\w-]*["']\s*(==|!=)\s*\w+\.stage\b"""),
]


def _view_and_template_files():
    for app in APPS:
        root = ROCC / app
        yield from sorted((root / "templates").rglob("*.html"))
        views = root / "views"
        yield from sorted(views.rglob("*.py")) if views.is_dir() else [root / "views.py"]


def test_no_view_or_template_decides_by_a_status_literal():
    found = []
    for path in _view_and_template_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern in STATUS_LITERALS:
                if match := pattern.search(line):
                    found.append(f"{path.relative_to(ROCC)}:{number}: {match.group(0)}")
    assert not found, "Ask rules.py (or pass the rule's answer in the context) instead of comparing statuses:\n" + "\n".join(found)


def test_the_scan_finds_a_status_compared_with_a_literal():
    # The check above is only as good as its patterns: each form it must catch, caught.
    caught = [
        '{% if t.status != "completed" %}',
        "if report.status == 'new':",
        '{% if case.stage == "assess" %}',
        'if tasking.status in ("open", "in_progress"):',
        '{% if "closed" == case.status %}',
    ]
    allowed = ['{% if stage == "nominate" %}', "{% if may_advance %}", "if status in ReportStatus.values:"]
    assert all(any(p.search(line) for p in STATUS_LITERALS) for line in caught)
    assert not any(p.search(line) for line in allowed for p in STATUS_LITERALS)


@pytest.mark.parametrize("layer", ["services", "selectors", "views", "api"])
def test_each_tasking_layer_has_a_module_for_every_concern(layer):
    modules = {path.stem for path in (ROCC / "tasking" / layer).glob("*.py")}
    assert TASKING_CONCERNS <= modules, f"tasking/{layer}/ lacks {sorted(TASKING_CONCERNS - modules)}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROCC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_modules():
    for app in APPS:
        for path in sorted((ROCC / app).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path


def _imported(node: ast.AST, known: set[str]) -> set[str]:
    """The modules of these apps an import statement names (``from a.b import c`` names ``a.b.c`` when that is one)."""
    names = set()
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    elif isinstance(node, ast.ImportFrom) and node.module:
        names = {f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module for alias in node.names}
    return {name for name in names if name in known}


def test_tasking_and_problems_modules_import_each_other_without_a_cycle():
    paths = {_module_name(path): path for path in _source_modules()}
    known = set(paths)
    graph = {name: set() for name in known}
    for name, path in paths.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            graph[name] |= _imported(node, known) - {name}
    # A package's __init__ re-exporting its own modules is not a cycle of concerns.
    for name in graph:
        graph[name] = {other for other in graph[name] if not (name.startswith(other + ".") and paths[other].name == "__init__.py")}
    seen, on_path, cycles = set(), [], []

    def visit(name):
        if name in on_path:
            cycles.append(" → ".join(on_path[on_path.index(name) :] + [name]))
            return
        if name in seen:
            return
        seen.add(name)
        on_path.append(name)
        for other in sorted(graph[name]):
            visit(other)
        on_path.pop()

    for name in sorted(graph):
        visit(name)
    assert not cycles, "Import cycles:\n" + "\n".join(cycles)


# Django start-up is why these import inside a function: an AppConfig's ready(), and the command line, which sets
# Django up before it may import models.
FUNCTION_LEVEL_ALLOWED = {"rocc.tasking.apps", "rocc.problems.apps", "rocc.tasking.cli"}


def test_imports_sit_at_the_top_of_the_module_except_where_django_start_up_needs_them():
    found = []
    for path in _source_modules():
        name = _module_name(path)
        if name in FUNCTION_LEVEL_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [f"{path.relative_to(ROCC)}:{inner.lineno}" for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
    assert not found, "Imports inside functions:\n" + "\n".join(found)
