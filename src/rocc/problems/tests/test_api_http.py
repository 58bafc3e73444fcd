"""The problems API through the test client: opening a case, answers and evidence, stage moves with their refusals
(422 missing answers, 409 stale or closed, 403, 404 out of scope), the question bank and the library."""

import pytest

from rocc.core.tokens import token_issue
from rocc.problems.models import Case
from rocc.problems.tests.conftest import complete_stage
from rocc.testing import api_call as call


@pytest.fixture
def server(bank):
    return "/api/problems"


def test_open_answer_and_advance_a_case_over_http_with_the_gate_and_the_version_checked(server, owner, make_user):
    token = token_issue(user=owner, name="test")
    status, case = call(f"{server}/cases", token, {"title": "Ram raids on dairies", "unit": "waitemata", "description": "Night-time ram raids."})
    assert status == 201 and case["stage"] == "scan" and case["owner"] == "owner" and case["version"] == 1
    assert len(case["missing_for_stage"]) == 8 and case["history"][0]["kind"] == "opened"
    url = f"{server}/cases/{case['id']}"

    status, refused = call(f"{url}/advance", token, {"version": 1})
    assert status == 422 and len(refused["missing"]) == 8 and "Problem scan is not finished" in refused["detail"]

    status, questions = call(f"{url}/answers?stage=scan", token)
    assert status == 200 and [q["number"] for q in questions] == list(range(1, 10))
    first = questions[0]
    status, answered = call(f"{url}/answers/{first['id']}", token, {"version": 1, "text": "Ram raids on dairies at night."}, "PUT")
    assert status == 200 and answered["version"] == 2 and len(answered["missing_for_stage"]) == 7
    status, evidence = call(
        f"{url}/answers/{first['id']}/evidence",
        token,
        {
            "kind": "engagement",
            "engaged_who": "Dairy owners' association",
            "engaged_how": "Meeting",
            "engaged_said": "Owners are afraid to open late",
            "engaged_on": "2024-06-01",
        },
    )
    assert status == 201 and evidence["kind"] == "engagement"
    status, bad = call(f"{url}/answers/{first['id']}/evidence", token, {"kind": "document", "title": "No address"})
    assert status == 422 and "url" in bad["errors"]

    status, patched = call(
        url, token, {"version": 3, "harm_or_volume": "high_harm", "problem_kind": "crime", "problem_type": "Ram raids", "partner_agencies": ["MSD"]}, "PATCH"
    )
    assert status == 200 and patched["harm_or_volume"] == "high_harm" and patched["partner_agencies"] == ["MSD"]
    status, stale = call(url, token, {"version": 3, "title": "From an old copy"}, "PATCH")
    assert status == 409 and "changed since you opened it" in stale["detail"]
    status, invalid = call(url, token, {"version": 4, "time_pattern": "sometimes"}, "PATCH")
    assert status == 422 and "time_pattern" in invalid["errors"]

    complete_stage(Case.objects.get(pk=case["id"]), owner)
    current = call(url, token)[1]
    status, moved = call(f"{url}/advance", token, {"version": current["version"]})
    assert status == 200 and moved["stage"] == "analyse"
    status, again = call(f"{url}/advance", token, {"version": current["version"]})
    assert status == 409 and "changed since you opened it (by owner at" in again["detail"]
    status, back = call(f"{url}/back", token, {"version": moved["version"], "reason": ""})
    assert status == 422 and "reason" in back["errors"]
    status, back = call(f"{url}/back", token, {"version": moved["version"], "reason": "Need the dairy owners' view first"})
    assert status == 200 and back["stage"] == "scan" and back["history"][-1]["reason"] == "Need the dairy owners' view first"

    listed = call(f"{server}/cases?harm=high_harm", token)[1]
    assert [c["id"] for c in listed] == [case["id"]]
    assert call(f"{server}/cases?owner=nobody", token)[1] == []


def test_out_of_scope_is_404_readers_get_403_and_a_closed_case_is_409(server, case, owner, make_user):
    url = f"{server}/cases/{case.pk}"
    elsewhere = token_issue(user=make_user("regional_coordinator", units=["canterbury"]), name="t")
    assert call(url, elsewhere)[0] == 404
    assert call(f"{url}/advance", elsewhere, {"version": 1})[0] == 404
    viewer = token_issue(user=make_user("viewer", units=["waitemata"]), name="t")
    assert call(url, viewer)[0] == 200
    status, forbidden = call(f"{url}/advance", viewer, {"version": 1})
    assert status == 403 and "may read this case but not change it" in forbidden["detail"]
    assert call(f"{server}/cases", viewer, {"title": "x", "unit": "waitemata"})[0] == 403
    assert call(f"{server}/cases", token_issue(user=owner, name="t"), {"title": "x", "unit": "Atlantis"})[0] == 422

    from rocc.problems import services

    for _ in range(5):
        case = complete_stage(case, owner)
        case = services.case_advance(actor=owner, case=case, version=case.version)
    token = token_issue(user=owner, name="t2")
    status, closed = call(url, token, {"version": case.version, "title": "Renamed"}, "PATCH")
    assert status == 409 and "read-only" in closed["detail"]
    assert call(url, token)[1]["title"] == "Burglaries around Henderson town centre"
    library = call(f"{server}/library?q=whanau", elsewhere)[1]
    assert [c["id"] for c in library] == [case.pk]
    questions = call(f"{server}/questions", viewer)[1]
    assert len(questions) == 44 and questions[0]["text"] == "Describe the nature of the problem and the harm that it causes."
