"""The structure of rocc, as rules a change cannot quietly break: pages ask the rules instead of comparing statuses,
layers split by concern name the same concerns, modules import one another without cycles and at the top of the
module, and the analysis library stays free of Django."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROCC = Path(__file__).resolve().parents[2]
# Every Django app of the project (a folder with an apps.py), and the plain-Python analysis library and command line.
APPS = sorted(path.parent.name for path in ROCC.glob("*/apps.py"))
PACKAGES = sorted({*APPS, "analysis", "cli"})
CONCERNS = {
    "tasking": {"products", "reports", "risk", "taskings", "deconfliction", "meetings"},
    "strategy": {"frameworks", "plans", "register"},
}

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
        yield from sorted(views.rglob("*.py")) if views.is_dir() else [path for path in [root / "views.py"] if path.exists()]


def test_no_view_or_template_decides_by_a_status_literal():
    found = []
    for path in _view_and_template_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern in STATUS_LITERALS:
                if match := pattern.search(line):
                    found.append(f"{path.relative_to(ROCC)}:{number}: {match.group(0)}")
    assert not found, "Ask rules.py, or a property of the record beside its choices, instead of comparing statuses:\n" + "\n".join(found)


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


@pytest.mark.parametrize("app", sorted(CONCERNS))
@pytest.mark.parametrize("layer", ["services", "selectors", "views", "api"])
def test_each_layer_split_by_concern_has_a_module_for_every_concern(app, layer):
    modules = {path.stem for path in (ROCC / app / layer).glob("*.py")}
    assert CONCERNS[app] <= modules, f"{app}/{layer}/ lacks {sorted(CONCERNS[app] - modules)}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROCC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_modules():
    for package in PACKAGES:
        for path in sorted((ROCC / package).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path


def _imported(node: ast.AST, known: set[str]) -> set[str]:
    """The modules of ours an import statement names (``from a.b import c`` names ``a.b.c`` when that is one)."""
    names = set()
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    elif isinstance(node, ast.ImportFrom) and node.module:
        names = {f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module for alias in node.names}
    return {name for name in names if name in known}


def test_modules_import_each_other_without_a_cycle():
    paths = {_module_name(path): path for path in _source_modules()}
    known = set(paths)
    graph = {name: set() for name in known}
    for name, path in paths.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            graph[name] |= _imported(node, known) - {name}
    # A package's __init__ composing its own modules (a router of routers) is not a cycle of concerns.
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


# Where an import may sit inside a function, and why:
# - Django start-up: an AppConfig's ready(), the settings and the configuration they read, the start-up checks, and the
#   command line, which sets Django up before it may import models;
# - a background task imports the service it runs (the service enqueues the task, so the task module cannot import
#   the service at its top);
# - heavy third-party libraries load on first use, so a page or command that does not need them does not wait for them.
STARTUP = re.compile(r"^rocc\.(\w+\.apps|\w+\.cli|cli(\.\w+)?|settings|core\.config|core\.ready|core\.checks|\w+\.tasks|\w+\.testing|testing)$")
LAZY = {
    "ibis",
    "openpyxl",
    "pyproj",
    "playwright",
    "axe_playwright_python",
    "pyarrow",
    "numba",
    "duckdb",
    "pandas",
    "scipy",
    "igraph",
    "plotly",
    "reportlab",
    "pypdf",
    "shapely",
    "shapefile",
    "matplotlib",
    "fpdf",
    "yaml",
    "networkx",
    "esda",
    "libpysal",
    "pointpats",
    "aiosmtpd",
    "schemathesis",
    "numpy",
    "PIL",
    "pyspark",
    "psycopg",
}


def _lazy(node) -> bool:
    names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return all(name.split(".")[0] in LAZY for name in names)


def test_imports_sit_at_the_top_of_the_module_except_where_start_up_or_a_heavy_library_needs_them():
    found = []
    for path in _source_modules():
        if STARTUP.match(_module_name(path)):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [
                    f"{path.relative_to(ROCC)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, (ast.Import, ast.ImportFrom)) and not _lazy(inner)
                ]
    assert not found, "Imports inside functions:\n" + "\n".join(found)


def test_the_analysis_library_imports_no_django():
    found = []
    for path in sorted((ROCC / "analysis").rglob("*.py")):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [
                f"{path.relative_to(ROCC)}:{node.lineno}: {name}"
                for name in names
                if name.split(".")[0] == "django" or name.startswith("rocc.") and not name.startswith("rocc.analysis")
            ]
    assert not found, "The analysis library is plain Python:\n" + "\n".join(found)
