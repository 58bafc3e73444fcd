"""The API's error plumbing is written once: every operation that can refuse documents the one error schema, and no
endpoint module translates a refusal itself (rocc.api does, for every app)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rocc.core.errors import Conflict, ErrorOut, InvalidInput, StaleRecord

SRC = Path(__file__).resolve().parents[2]
API_MODULES = sorted([*SRC.glob("*/api.py"), *SRC.glob("*/api/*.py")])
WRITES = {"post", "put", "patch", "delete"}
# A path parameter that is a search term, not a record: an unknown code answers an empty list.
NOT_RECORDS = {"GET /api/strategy/indicators/{indicator_code}/links"}
STALE = [
    "measures.services.NarrativeChanged",
    "returns.services.ReturnChanged",
    "problems.services.CaseChanged",
    "strategy.services.frameworks.ActivityChanged",
    "tasking.services.common.RecordChanged",
]


@pytest.fixture(scope="module")
def openapi():
    from rocc.api import api

    return api.get_openapi_schema()


def _operations(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            # ninja keys responses by int; the OpenAPI text has them as strings.
            yield f"{method.upper()} {path}", method, {**operation, "responses": {str(c): r for c, r in operation["responses"].items()}}


def _schema(openapi, response) -> dict:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def test_every_error_answer_an_operation_documents_is_the_error_schema(openapi):
    fields = set(ErrorOut.model_fields)
    wrong = [
        f"{name} {code}"
        for name, _, operation in _operations(openapi)
        for code, response in operation["responses"].items()
        if code in {"403", "404", "409", "422"} and not fields <= set(_schema(openapi, response).get("properties", {}))
    ]
    assert wrong == []


def test_every_write_documents_refused_and_invalid(openapi):
    missing = [
        f"{name} {code}"
        for name, method, operation in _operations(openapi)
        if method in WRITES
        for code in ("403", "422")
        if code not in operation["responses"]
    ]
    assert missing == []


def test_every_operation_on_a_named_record_documents_not_found(openapi):
    missing = [
        name
        for name, _, operation in _operations(openapi)
        if name not in NOT_RECORDS and any(p["in"] == "path" for p in operation.get("parameters", [])) and "404" not in operation["responses"]
    ]
    assert missing == []


def test_the_five_stale_record_exceptions_are_one_family():
    for dotted in STALE:
        module, name = dotted.rsplit(".", 1)
        assert issubclass(getattr(importlib.import_module(f"rocc.{module}"), name), StaleRecord), dotted


def _family_names() -> set[str]:
    """Every refused / stale / invalid exception class, by name, once each app's modules are imported."""
    for path in API_MODULES:
        importlib.import_module(".".join(("rocc", *path.relative_to(SRC).with_suffix("").parts)))
    names, todo = set(), [PermissionDenied, ValidationError, Conflict, InvalidInput]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _caught(node: ast.expr | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, ast.Tuple):
        return [name for element in node.elts for name in _caught(element)]
    return [node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")]


def test_no_endpoint_module_answers_a_refusal_itself():
    # Catching one to raise a better-located one (a unit's name as a field error) is fine; answering it is not.
    family = _family_names()
    found = []
    for path in API_MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and family & set(_caught(node.type)):
                if not any(isinstance(inner, ast.Raise) for statement in node.body for inner in ast.walk(statement)):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert API_MODULES and found == []
