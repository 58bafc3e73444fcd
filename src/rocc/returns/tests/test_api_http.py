"""The provider-returns API through the test client with bearer tokens: list own, read, open, save figures, submit, return for
revision, approve; 403, 404 (another agency's return), 409 (two approvers at once) and 422 (per-figure problems)."""

import pytest

from rocc.core.tokens import token_issue
from rocc.measures.models import Observation
from rocc.returns.models import ProviderReturn, ReturnValue
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES
from rocc.testing import api_call as call

WHANAU, COUNSELLING, HUBS = REFERRAL_CODES


@pytest.fixture
def api(data_set, people):
    tokens = {name: token_issue(user=user, name="test") for name, user in people.items()}
    return "/api/measures/returns", tokens


def test_a_provider_opens_fills_submits_and_an_approver_returns_then_approves_over_http(api):
    base, tokens = api
    status, data_sets = call(f"{base}/data-sets", tokens["ngo"])
    assert status == 200 and [d["code"] for d in data_sets] == ["whanau-services-returns"]
    assert [f["code"] for f in data_sets[0]["figures"]] == REFERRAL_CODES
    assert data_sets[0]["providers"] == [{"provider": "Te Whare Āwhina", "unit": "waitemata", "from_period_start": "2024-07-01"}]

    status, opened = call(f"{base}/", tokens["ngo"], {"data_set": "whanau-services-returns", "unit": "waitemata", "period": "2025-03"})
    assert status == 201 and opened["status"] == "draft" and opened["period"] == "2025-03" and opened["due_date"] == "2025-04-20"
    url = f"{base}/{opened['id']}"
    status, saved = call(f"{url}/values", tokens["ngo"], {"version": opened["version"], "values": {WHANAU: 12, COUNSELLING: "7", HUBS: 0}}, "PUT")
    assert status == 200 and saved["values"] == {WHANAU: 12, COUNSELLING: 7, HUBS: 0} and saved["flags"] == []
    status, submitted = call(f"{url}/submit", tokens["ngo"], {"version": saved["version"]})
    assert status == 200 and submitted["status"] == "submitted"

    status, sent_back = call(f"{url}/return", tokens["waitemata_coordinator"], {"version": submitted["version"], "comment": "Hubs look low"})
    assert status == 200 and sent_back["status"] == "returned" and sent_back["history"][-1]["comment"] == "Hubs look low"
    status, fixed = call(f"{url}/values", tokens["ngo"], {"version": sent_back["version"], "values": {HUBS: 3}}, "PUT")
    status, resubmitted = call(f"{url}/submit", tokens["ngo"], {"version": fixed["version"]})
    status, approved = call(f"{url}/approve", tokens["manager"], {"version": resubmitted["version"]})
    assert status == 200 and approved["status"] == "approved" and approved["approved_at"]
    assert Observation.objects.get(indicator__code=HUBS).numerator == 3

    status, mine = call(f"{base}/", tokens["ngo"])
    assert status == 200 and [(r["id"], r["status"]) for r in mine] == [(opened["id"], "approved")]
    status, locked = call(f"{url}/values", tokens["ngo"], {"version": approved["version"], "values": {HUBS: 4}}, "PUT")
    assert status == 409 and "can no longer be changed" in locked["detail"]


def test_another_agencys_provider_gets_404_and_sees_none_of_its_returns(api, open_return):
    base, tokens = api
    ret = open_return("2025-03")
    assert call(f"{base}/{ret.pk}", tokens["pho"])[0] == 404
    assert call(f"{base}/{ret.pk}/values", tokens["pho"], {"version": ret.version, "values": {WHANAU: 1}}, "PUT")[0] == 404
    assert call(f"{base}/{ret.pk}/submit", tokens["pho"], {"version": ret.version})[0] == 404
    assert call(f"{base}/", tokens["pho"]) == (200, [])
    assert call(f"{base}/{ret.pk}", tokens["canterbury_coordinator"])[0] == 404
    # A provider cannot open a return for a unit it does not report for.
    status, body = call(f"{base}/", tokens["pho"], {"data_set": "whanau-services-returns", "unit": "waitemata", "period": "2025-03"})
    assert status == 403 and "not a provider" in body["detail"]
    assert ReturnValue.objects.count() == 0


def test_bad_figures_get_422_with_one_problem_per_figure_and_nothing_saved(api, open_return):
    base, tokens = api
    ret = open_return("2025-03")
    status, body = call(f"{base}/{ret.pk}/values", tokens["ngo"], {"version": ret.version, "values": {WHANAU: "twelve", COUNSELLING: -2, "made-up": 1}}, "PUT")
    assert status == 422 and body["detail"] == "Nothing was saved."
    by_figure = {p["indicator"]: p["message"] for p in body["problems"]}
    assert "'twelve' is not a number" in by_figure[WHANAU] and "-2 is negative" in by_figure[COUNSELLING]
    assert "'made-up' is not one of this data set's figures" in by_figure["made-up"]
    assert ReturnValue.objects.count() == 0 and ProviderReturn.objects.get().version == ret.version
    status, body = call(f"{base}/", tokens["ngo"], {"data_set": "whanau-services-returns", "unit": "waitemata", "period": "2019-05"})
    assert status == 422 and body["problems"][0]["message"] == "May 2019 is outside this data set: its first period is Jul 2024."
    status, body = call(f"{base}/{ret.pk}/submit", tokens["ngo"], {"version": ret.version})
    assert status == 422 and {p["indicator"] for p in body["problems"]} == set(REFERRAL_CODES)


def test_two_approvers_at_once_the_second_gets_409(api, open_return, people):
    from rocc.returns.services import return_submit, return_values_save

    base, tokens = api
    ret = open_return("2025-03")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (1, 2, 3))))
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert call(f"{base}/{ret.pk}/approve", tokens["manager"], {"version": ret.version})[0] == 200
    status, body = call(f"{base}/{ret.pk}/return", tokens["waitemata_coordinator"], {"version": ret.version, "comment": "Check"})
    assert status == 409 and "changed since you opened it (by manager" in body["detail"]


def test_roles_that_may_not_act_get_403(api, open_return, people, make_user):
    from rocc.returns.services import return_submit, return_values_save

    base, tokens = api
    ret = open_return("2025-03")
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, (1, 2, 3))))
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert call(f"{base}/{ret.pk}/approve", tokens["ngo"], {"version": ret.version})[0] == 403
    assert call(f"{base}/{ret.pk}/values", tokens["manager"], {"version": ret.version, "values": {}}, "PUT")[0] == 403
    analyst = token_issue(user=make_user("analyst", units=["waitemata"]), name="test")
    assert call(f"{base}/{ret.pk}", analyst)[0] == 404 and call(f"{base}/", analyst) == (200, [])
    assert call(f"{base}/{ret.pk}/return", tokens["manager"], {"version": ret.version, "comment": ""})[0] == 422


def test_the_openapi_document_describes_the_returns_endpoints(data_set):
    status, document = call("/api/openapi.json")
    assert status == 200
    paths = document["paths"]
    assert {"/api/measures/returns/", "/api/measures/returns/{return_id}/approve", "/api/measures/returns/data-sets"} <= set(paths)
    assert set(paths["/api/measures/returns/{return_id}/values"]["put"]["responses"]) >= {"200", "403", "404", "409", "422"}


def test_submitting_over_the_api_with_new_warnings_is_refused_until_their_keys_and_a_note_come_back(api, approved_history):
    base, tokens = api
    approved_history({"2024-10": (10, 4, 2), "2024-11": (12, 5, 2), "2024-12": (11, 4, 3), "2025-01": (13, 6, 2), "2025-02": (12, 5, 2)})
    status, opened = call(f"{base}/", tokens["ngo"], {"data_set": "whanau-services-returns", "unit": "waitemata", "period": "2025-03"})
    url = f"{base}/{opened['id']}"
    status, saved = call(f"{url}/values", tokens["ngo"], {"version": opened["version"], "values": {WHANAU: 60, COUNSELLING: 5, HUBS: 2}}, "PUT")
    assert status == 200 and {f["rule"] for f in saved["flags"]} == {"change_ratio", "outlier"}
    status, refused = call(f"{url}/submit", tokens["ngo"], {"version": saved["version"]})
    assert status == 422 and refused["detail"].startswith("The return was not submitted: its figures raise 2 warnings")
    keys = [w["key"] for w in refused["warnings"]]
    assert sorted(keys) == sorted(f["key"] for f in saved["flags"])
    status, unexplained = call(f"{url}/submit", tokens["ngo"], {"version": saved["version"], "warnings_seen": keys})
    assert status == 422 and "say in the note" in unexplained["detail"]
    assert ProviderReturn.objects.get(pk=opened["id"]).status == "draft"
    status, submitted = call(f"{url}/submit", tokens["ngo"], {"version": saved["version"], "warnings_seen": keys, "note": "A new hub opened."})
    assert status == 200 and submitted["status"] == "submitted"
    assert sorted(w["key"] for w in submitted["warnings_shown"]) == sorted(keys)
    status, read = call(url, tokens["waitemata_coordinator"])
    assert status == 200 and len(read["warnings_shown"]) == 2 and read["checks_summary"] == "2 warnings"


def test_the_api_reports_checks_that_could_not_run_and_never_as_passed(api):
    base, tokens = api
    status, opened = call(f"{base}/", tokens["ngo"], {"data_set": "whanau-services-returns", "unit": "waitemata", "period": "2025-03"})
    status, saved = call(f"{base}/{opened['id']}/values", tokens["ngo"], {"version": opened["version"], "values": {WHANAU: 12, COUNSELLING: 7, HUBS: 0}}, "PUT")
    assert status == 200 and saved["flags"] == [] and saved["checks_summary"] == "6 checks could not run"
    outcomes = {(c["code"], c["rule"]): c["outcome"] for c in saved["checks"]}
    assert outcomes[(WHANAU, "change_ratio")] == "not_run" and outcomes[(WHANAU, "outlier")] == "not_run"
    assert outcomes[(WHANAU, "above_population")] == "passed"
    assert [c["basis"] for c in saved["checks"] if c["rule"] == "above_population"][0] == "the population of Waitematā (575,550, approximate)"
    status, sets = call(f"{base}/data-sets", tokens["ngo"])
    assert {f["plausible_max"] for f in sets[0]["figures"]} == {10000}
