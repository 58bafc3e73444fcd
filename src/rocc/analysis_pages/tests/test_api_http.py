"""The analyses API through the test client with bearer tokens: list and read saved analyses in scope, save one computed
with `rocc analyse … --json`; 403 for forbidden writes and person-level reads without a purpose, 404 outside
scope, 422 naming the wrong field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rocc.analysis_pages.models import SavedAnalysis
from rocc.analysis_pages.tests.conftest import CHICAGO
from rocc.audit.models import AuditEntry, AuditKind
from rocc.core.tokens import token_issue
from rocc.testing import api_call as call


@pytest.fixture
def server(db):
    return "/api/analyses"


def knox_json() -> dict:
    rocc = Path(sys.executable).with_name("rocc")
    completed = subprocess.run(
        [
            str(rocc),
            "analyse",
            "near-repeat",
            str(CHICAGO),
            "--no-header",
            "--x",
            "1",
            "--y",
            "2",
            "--date",
            "3",
            "--distance-bands",
            "0,100,200,inf",
            "--day-bands",
            "0,7,14,inf",
            "--permutations",
            "19",
            "--seed",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(completed.stdout)


def test_an_analyst_saves_a_cli_result_and_readers_in_scope_list_and_read_it(server, make_user):
    analyst = token_issue(user=make_user("analyst", units=["waitemata"]), name="test")
    result = knox_json()
    status, created = call(
        f"{server}/saved",
        analyst,
        {
            "kind": "near_repeat",
            "title": "Chicago burglaries, month 1",
            "unit": "waitemata",
            "source": "chicago.csv",
            "parameters": {"permutations": 19, "seed": 3},
            "result": result,
        },
    )
    assert status == 201, created
    assert created["holds_person_level"] is False and created["result"]["observed"] == result["observed"]
    viewer = token_issue(user=make_user("viewer", units=["waitemata"]), name="test")
    status, listed = call(f"{server}/saved", viewer)
    assert status == 200 and [a["title"] for a in listed] == ["Chicago burglaries, month 1"]
    status, read = call(f"{server}/saved/{created['id']}", viewer)
    assert status == 200 and read["result"]["seed"] == 3 and read["unit"] == "waitemata"
    elsewhere = token_issue(user=make_user("viewer", units=["canterbury"]), name="test")
    assert call(f"{server}/saved", elsewhere) == (200, [])
    assert call(f"{server}/saved/{created['id']}", elsewhere)[0] == 404


def test_a_person_level_analysis_is_read_only_by_analysts_with_a_purpose(server, make_user):
    analyst_user = make_user("analyst", units=["waitemata"])
    analyst = token_issue(user=analyst_user, name="test")
    result = {"as_of": "2024-06-30", "window_days": 365, "persons": [{"person": "P1", "count": 2}], "summary": {}}
    status, created = call(f"{server}/saved", analyst, {"kind": "repeat_victims", "title": "Victims", "unit": "north-shore", "result": result})
    assert status == 201 and created["holds_person_level"] is True  # a list of victims always is
    status, refused = call(f"{server}/saved/{created['id']}", analyst)
    assert status == 403 and "purpose" in refused["detail"]
    status, read = call(f"{server}/saved/{created['id']}?purpose=Prevention%20visits", analyst)
    assert status == 200 and read["result"]["persons"][0]["person"] == "P1"
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS, actor=analyst_user, purpose="Prevention visits").count() == 1
    coordinator = token_issue(user=make_user("regional_coordinator", units=["waitemata"]), name="test")
    assert call(f"{server}/saved/{created['id']}?purpose=Curious%20about%20it", coordinator)[0] == 404
    assert call(f"{server}/saved", coordinator) == (200, [])


def test_saving_is_refused_to_non_analysts_and_outside_scope_and_bad_input_names_its_field(server, make_user):
    body = {"kind": "hot_times", "title": "Evenings", "unit": "waitemata", "result": {"matrix": []}}
    coordinator = token_issue(user=make_user("regional_coordinator", units=["waitemata"]), name="test")
    assert call(f"{server}/saved", coordinator, body)[0] == 403
    analyst = token_issue(user=make_user("analyst", units=["waitemata"]), name="test")
    assert call(f"{server}/saved", analyst, {**body, "unit": "canterbury"})[0] == 403
    status, error = call(f"{server}/saved", analyst, {**body, "kind": "crystal_ball"})
    assert status == 422 and "kind" in error["errors"]
    status, error = call(f"{server}/saved", analyst, {**body, "unit": "atlantis"})
    assert status == 422 and error["errors"] == {"unit": ["No unit with code 'atlantis'."]}
    status, error = call(f"{server}/saved", analyst, {**body, "title": "  "})
    assert status == 422 and "title" in error["errors"]
    assert SavedAnalysis.objects.count() == 0
