"""A saved analysis's result is checked against its kind's schema before it is saved: junk of every kind is refused
through the API with each wrong field named and nothing saved, and a real result of the library is accepted, reads
back unchanged and its page opens."""

from __future__ import annotations

import pandas as pd
import pytest

from rocc.analysis_pages import runners
from rocc.analysis_pages.models import AnalysisKind, SavedAnalysis
from rocc.analysis_pages.result_schemas import RESULT_SCHEMAS
from rocc.core.tokens import token_issue
from rocc.testing import api_call

SAVED = "/api/analyses/saved"


def _result(kind: str, frame: pd.DataFrame, parameters: dict) -> dict:
    # Through the runner the pages use, so the result is what `rocc analyse` and the pages would keep.
    return runners.analysis_compute(kind, parameters, lambda header=True: frame).result


def _events() -> pd.DataFrame:
    days = pd.date_range("2024-03-01 18:00", periods=24, freq="37h")
    return pd.DataFrame(
        {
            "x": [1_750_000 + 40 * i for i in range(24)],
            "y": [5_920_000 + 25 * (i % 6) for i in range(24)],
            "start": days.strftime("%Y-%m-%d %H:%M"),
            "date": days.strftime("%Y-%m-%d"),
            "address": [f"{i % 5} Queen Street" for i in range(24)],
        }
    )


REAL = {
    "hot_times": lambda: _result("hot_times", _events(), {"start": "start"}),
    "near_repeat": lambda: _result(
        "near_repeat",
        _events(),
        {"x": "x", "y": "y", "date": "date", "distance_bands": [0, 100, 400, "inf"], "day_bands": [0, 7, 14, "inf"], "permutations": 19, "seed": 3},
    ),
    "concentration": lambda: _result("concentration", _events(), {"unit": "address"}),
    "network": lambda: _result(
        "network", pd.DataFrame({"from": ["a", "a", "b", "c", "d"], "to": ["b", "c", "c", "d", "e"]}), {"source": "from", "target": "to"}
    ),
}


@pytest.fixture
def analyst(make_user):
    user = make_user("analyst", units=["waitemata"])
    return user, token_issue(user=user, name="test")


def _save(token: str, kind: str, result) -> tuple[int, dict]:
    return api_call(SAVED, token, {"kind": kind, "title": f"A {kind} result", "unit": "waitemata", "result": result})


def test_every_kind_has_a_result_schema():
    assert set(RESULT_SCHEMAS) == set(AnalysisKind.values)


@pytest.mark.parametrize("kind", AnalysisKind.values)
def test_a_result_that_is_not_of_its_kind_is_refused_naming_the_fields_and_nothing_is_saved(analyst, kind):
    _, token = analyst
    status, error = _save(token, kind, {"rows": "nonsense", "matrix": [["high"]], "method": 7})
    assert status == 422, error
    assert error["errors"] and all(field.startswith("result") for field in error["errors"]), error
    assert SavedAnalysis.objects.count() == 0


def test_numbers_given_as_text_or_tables_that_do_not_match_their_bands_are_refused(analyst):
    _, token = analyst
    result = REAL["hot_times"]()
    status, error = _save(token, "hot_times", {**result, "matrix": [["3", *row[1:]] for row in result["matrix"]]})
    assert status == 422 and "result.matrix.0.0" in error["errors"]
    status, error = _save(token, "hot_times", {**result, "matrix": result["matrix"][:-1]})
    assert status == 422 and error["errors"]["result"] == ["matrix must have 7 rows of 24 values, one per band"]
    network = REAL["network"]()
    status, error = _save(token, "network", {**network, "edges": [*network["edges"], ["a", "stranger", 1.0]]})
    assert status == 422 and "stranger" in error["errors"]["result"][0]
    assert SavedAnalysis.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(REAL))
def test_a_real_result_is_saved_reads_back_unchanged_and_its_page_opens(analyst, client, kind):
    user, token = analyst
    result = REAL[kind]()
    status, created = _save(token, kind, result)
    assert status == 201, created
    status, read = api_call(f"{SAVED}/{created['id']}?purpose=Checking%20the%20saved%20network", token)
    assert status == 200 and read["result"] == result
    client.force_login(user)
    page = client.get(f"/analyses/saved/{created['id']}/")
    assert page.status_code == 200
