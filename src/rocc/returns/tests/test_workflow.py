"""Provider returns through their workflow: draft → submitted → returned for revision → approved (locked), with
optimistic concurrency, the approver rule, and approved figures landing as observations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rocc.measures.models import Observation, SourceKind
from rocc.returns.models import ProviderReturn, ReturnAction, ReturnStatus
from rocc.returns.services import (
    ReturnChanged,
    ReturnInputInvalid,
    ReturnStateError,
    return_approve,
    return_send_back,
    return_submit,
    return_values_save,
)
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES

WHANAU, COUNSELLING, HUBS = REFERRAL_CODES


def _fill(user, ret, values, **kwargs):
    return return_values_save(user=user, provider_return=ret, version=ret.version, values=values, **kwargs)


def test_a_return_goes_from_draft_to_submitted_to_returned_and_back_to_approved_and_is_then_locked(open_return, people):
    ret = open_return("2025-03")
    assert ret.status == ReturnStatus.DRAFT and ret.due_date.isoformat() == "2025-04-20"
    ret = _fill(people["ngo"], ret, {WHANAU: "12", COUNSELLING: 5, HUBS: "0"}, note="March figures")
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert ret.status == ReturnStatus.SUBMITTED and ret.first_submitted_at is not None

    ret = return_send_back(
        user=people["waitemata_coordinator"],
        provider_return=ret,
        version=ret.version,
        comment="Counselling looks low: were the Ōrewa clinic's referrals included?",
    )
    assert ret.status == ReturnStatus.RETURNED
    first_submitted = ret.first_submitted_at
    ret = _fill(people["ngo"], ret, {COUNSELLING: "9"})
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert ret.first_submitted_at == first_submitted  # timeliness counts the first submission
    ret = return_approve(user=people["waitemata_coordinator"], provider_return=ret, version=ret.version)
    assert ret.status == ReturnStatus.APPROVED and ret.approved_by == people["waitemata_coordinator"]

    history = [(e.action, e.status) for e in ret.events.all()]
    assert history == [
        (ReturnAction.CREATED, "draft"),
        (ReturnAction.SAVED, "draft"),
        (ReturnAction.SUBMITTED, "submitted"),
        (ReturnAction.RETURNED, "returned"),
        (ReturnAction.SAVED, "returned"),
        (ReturnAction.SUBMITTED, "submitted"),
        (ReturnAction.APPROVED, "approved"),
    ]
    assert ret.events.get(action=ReturnAction.RETURNED).comment.startswith("Counselling looks low")

    with pytest.raises(ReturnStateError, match="approved; its figures can no longer be changed"):
        _fill(people["ngo"], ret, {WHANAU: "13"})
    with pytest.raises(ReturnStateError):
        return_send_back(user=people["manager"], provider_return=ret, version=ret.version, comment="Too late")
    assert {v.indicator.code: v.value for v in ret.values.all()} == {WHANAU: 12, COUNSELLING: 9, HUBS: 0}


def test_approved_figures_land_as_observations_of_the_unit_and_period(open_return, people):
    ret = open_return("2025-03")
    ret = _fill(people["ngo"], ret, {WHANAU: 12, COUNSELLING: 9, HUBS: 0})
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert not Observation.objects.exists()  # nothing lands before approval
    return_approve(user=people["manager"], provider_return=ret, version=ret.version)
    landed = {o.indicator.code: o for o in Observation.objects.filter(source=SourceKind.RETURN)}
    assert set(landed) == set(REFERRAL_CODES)
    whanau = landed[WHANAU]
    assert (whanau.unit.code, whanau.period_start.isoformat(), whanau.period_end.isoformat(), whanau.numerator, whanau.value) == (
        "waitemata",
        "2025-03-01",
        "2025-03-31",
        12.0,
        12.0,
    )
    assert whanau.source_ref == f"return:{ret.pk}" and "Te Whare Āwhina" in whanau.provenance
    assert landed[HUBS].value == 0.0


def test_two_providers_of_one_unit_land_as_their_sum(open_return, people, providers, data_set, make_user):
    from rocc.org.models import Agency, OrgUnit
    from rocc.returns.services import data_set_provider_add, return_open

    iwi = Agency.objects.create(short_name="Ngāti Whātua Hauora", name="Ngāti Whātua Hauora", kind="iwi")
    waitemata = OrgUnit.objects.get(code="waitemata")
    data_set_provider_add(user=people["manager"], data_set=data_set, agency=iwi, unit=waitemata)
    iwi_reporter = make_user("provider_reporter", units=["waitemata"], agency="Ngāti Whātua Hauora")
    for user, figures in ((people["ngo"], (12, 9, 0)), (iwi_reporter, (5, 1, 3))):
        ret = return_open(user=user, data_set=data_set, unit=waitemata, period="2025-03")
        ret = _fill(user, ret, dict(zip(REFERRAL_CODES, figures)))
        ret = return_submit(user=user, provider_return=ret, version=ret.version)
        return_approve(user=people["manager"], provider_return=ret, version=ret.version)
    whanau = Observation.objects.get(indicator__code=WHANAU, unit=waitemata)
    assert whanau.numerator == 17 and whanau.source_ref.startswith("return:")
    assert Observation.objects.filter(indicator__code=WHANAU).count() == 1


def test_two_approvers_at_once_the_second_is_refused_with_who_changed_it(open_return, people):
    ret = open_return("2025-03")
    ret = _fill(people["ngo"], ret, {WHANAU: 12, COUNSELLING: 9, HUBS: 0})
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    seen = ret.version  # both approvers opened the same version
    return_approve(user=people["manager"], provider_return=ProviderReturn.objects.get(pk=ret.pk), version=seen)
    with pytest.raises(ReturnChanged, match=r"changed since you opened it \(by manager at .*approved\)"):
        return_send_back(user=people["waitemata_coordinator"], provider_return=ProviderReturn.objects.get(pk=ret.pk), version=seen, comment="Check hubs")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.APPROVED and not ret.events.filter(action=ReturnAction.RETURNED).exists()


def test_a_provider_saving_over_a_newer_version_is_refused_and_nothing_changes(open_return, people):
    ret = open_return("2025-03")
    stale = ret.version
    _fill(people["ngo"], ret, {WHANAU: 12})
    with pytest.raises(ReturnChanged):
        return_values_save(user=people["ngo"], provider_return=ret, version=stale, values={WHANAU: 99})
    assert ret.values.get(indicator__code=WHANAU).value == 12


def test_sending_back_needs_a_comment(open_return, people):
    ret = open_return("2025-03")
    ret = _fill(people["ngo"], ret, {WHANAU: 12, COUNSELLING: 9, HUBS: 0})
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    with pytest.raises(ValidationError, match="comment is required"):
        return_send_back(user=people["manager"], provider_return=ret, version=ret.version, comment="  ")
    assert ProviderReturn.objects.get(pk=ret.pk).status == ReturnStatus.SUBMITTED


def test_a_return_with_a_figure_missing_cannot_be_submitted(open_return, people):
    ret = open_return("2025-03")
    ret = _fill(people["ngo"], ret, {WHANAU: 12, COUNSELLING: ""})
    with pytest.raises(ReturnInputInvalid) as refused:
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert set(refused.value.by_code()) == {COUNSELLING, HUBS}
    assert "Enter a figure (0 when there were none)" in str(refused.value)
    assert ProviderReturn.objects.get(pk=ret.pk).status == ReturnStatus.DRAFT


def test_only_approvers_in_scope_approve_and_no_one_approves_their_own_submission(open_return, people, make_user):
    ret = open_return("2025-03")
    ret = _fill(people["ngo"], ret, {WHANAU: 12, COUNSELLING: 9, HUBS: 0})
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    for user in (people["canterbury_coordinator"], people["ngo"], make_user("analyst", units=["waitemata"])):
        with pytest.raises(PermissionDenied):
            return_approve(user=user, provider_return=ret, version=ret.version)
    admin = make_user("administrator")
    from rocc.org.models import OrgUnit
    from rocc.returns.services import return_open

    # An administrator may report for a provider, but then someone else approves.
    own = return_open(user=admin, data_set=ret.data_set, unit=OrgUnit.objects.get(code="waitemata"), period="2025-04", agency=ret.provider)
    own = _fill(admin, own, {WHANAU: 11, COUNSELLING: 8, HUBS: 1})  # close to March's, so no warning to confirm
    own = return_submit(user=admin, provider_return=own, version=own.version)
    with pytest.raises(PermissionDenied, match="someone else approves"):
        return_approve(user=admin, provider_return=own, version=own.version)
    assert return_approve(user=people["manager"], provider_return=own, version=own.version).status == ReturnStatus.APPROVED


def test_a_provider_cannot_fill_another_agencys_return(open_return, people):
    ret = open_return("2025-03", "pho")
    with pytest.raises(PermissionDenied):
        _fill(people["ngo"], ret, {WHANAU: 1})
    with pytest.raises(PermissionDenied):
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version)


def test_opening_the_same_period_twice_gives_the_same_return(open_return):
    assert open_return("2025-03").pk == open_return("2025-03").pk
    assert ProviderReturn.objects.count() == 1
