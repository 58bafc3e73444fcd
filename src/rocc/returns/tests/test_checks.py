"""Validation rules and outlier flags on returns, and timeliness and completeness per provider."""

import datetime as dt
import math

import pytest

from rocc.returns.models import ProviderReturn
from rocc.returns.selectors import modified_z_score, reporting_performance, return_flags
from rocc.returns.services import ReturnInputInvalid, ReturnWarningsToConfirm, return_submit, return_values_save
from rocc.returns.tests.fixtures import *  # noqa: F403
from rocc.returns.tests.fixtures import REFERRAL_CODES

WHANAU, COUNSELLING, HUBS = REFERRAL_CODES


def test_modified_z_score_matches_the_formula_and_needs_enough_history():
    history = [10, 12, 11, 13, 12, 11, 10]
    score = modified_z_score(40, history)
    # median 11, absolute deviations 1,1,0,2,1,0,1 → MAD 1; M = 0.6745 × (40 − 11) / 1
    assert score.median == 11 and score.spread == 1 and math.isclose(score.score, 0.6745 * 29) and score.is_outlier
    assert not modified_z_score(12, history).is_outlier
    assert modified_z_score(40, history[:4]) is None  # four earlier returns say too little
    # MAD of zero: the mean absolute deviation stands in (Iglewicz & Hoaglin)
    flat = [5, 5, 5, 5, 9]
    fallback = modified_z_score(20, flat)
    assert math.isclose(fallback.score, (20 - 5) / (1.253314 * 0.8)) and fallback.is_outlier
    assert math.isinf(modified_z_score(6, [5] * 6).score) and modified_z_score(5, [5] * 6).score == 0


def _draft(open_return, people, period, values):
    ret = open_return(period)
    return return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, values)))


def test_an_outlier_against_the_providers_history_is_flagged_to_the_provider_before_submission(open_return, people, approved_history):
    approved_history({"2024-07": (10, 4, 2), "2024-08": (12, 5, 2), "2024-09": (11, 4, 3), "2024-10": (13, 6, 2), "2024-11": (12, 5, 2)})
    ret = _draft(open_return, people, "2024-12", (60, 5, 2))
    flags = return_flags(ret)
    outliers = [f for f in flags if f.rule == "outlier"]
    assert [(f.code, f.severity) for f in outliers] == [(WHANAU, "warning")]
    assert "60 is unusual for this provider (modified z-score +32.4 against 5 earlier returns, median 12" in outliers[0].message
    # A warning does not stop submission once the provider has been shown it and explained it in the note; it then
    # travels with the return to the approver.
    with pytest.raises(ReturnWarningsToConfirm):
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    shown = [f.key for f in return_flags(ret) if f.severity == "warning"]
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version, note="Two new whānau hubs opened.", warnings_seen=shown)
    submitted = ret.events.get(action="submitted")
    assert {f["rule"] for f in submitted.flags} >= {"outlier", "change_ratio"}
    assert {f["rule"] for f in submitted.warnings_shown} == {"outlier", "change_ratio"}


def test_a_change_from_last_period_beyond_the_set_ratio_is_flagged_both_ways(open_return, people, approved_history):
    approved_history({"2025-01": (10, 9, 4)})
    ret = _draft(open_return, people, "2025-02", (31, 2, 4))
    changes = {f.code: f.message for f in return_flags(ret) if f.rule == "change_ratio"}
    assert set(changes) == {WHANAU, COUNSELLING}
    assert changes[WHANAU] == "Changed from 10 in Jan 2025 to 31 (×3.10); the data set flags changes beyond ×3 or ÷3."
    assert "from 9 in Jan 2025 to 2 (×0.22)" in changes[COUNSELLING]
    # Exactly three times (or a third) is within the ratio.
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values={WHANAU: 30, COUNSELLING: 3})
    assert [f for f in return_flags(ret) if f.rule == "change_ratio"] == []


def test_a_figure_above_the_units_population_is_an_error_that_stops_submission(open_return, people):
    ret = _draft(open_return, people, "2025-03", (600000, 1, 1))
    flags = return_flags(ret)
    above = [f for f in flags if f.rule == "above_population"]
    assert len(above) == 1 and above[0].severity == "error"
    assert "600,000 is more than the population of Waitematā (575,550, approximate)" in above[0].message
    with pytest.raises(ReturnInputInvalid, match="more than the population"):
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert ProviderReturn.objects.get(pk=ret.pk).status == "draft"


def test_flags_check_figures_before_they_are_saved(open_return, people):
    ret = open_return("2025-03")
    flags = return_flags(ret, values={WHANAU: 1, COUNSELLING: 2, HUBS: None})
    assert [(f.code, f.rule) for f in flags] == [(HUBS, "missing")]


def test_timeliness_and_completeness_per_provider(open_return, people, data_set, approved_history):
    from rocc.org.models import OrgUnit
    from rocc.returns.services import return_open

    approved_history({"2024-07": (1, 1, 1), "2024-08": (1, 1, 1), "2024-09": (1, 1, 1)})
    # July was first submitted on its due date (20 Aug), August three days late; September is late too (submitted today).
    ProviderReturn.objects.filter(period_start=dt.date(2024, 7, 1)).update(first_submitted_at=dt.datetime(2024, 8, 20, 8, 0, tzinfo=dt.UTC))
    ProviderReturn.objects.filter(period_start=dt.date(2024, 8, 1)).update(first_submitted_at=dt.datetime(2024, 9, 23, 1, 0, tzinfo=dt.UTC))
    # A draft is not received.
    return_open(user=people["pho"], data_set=data_set, unit=OrgUnit.objects.get(code="canterbury"), period="2024-07")

    rows = {r.assignment.agency.short_name: r for r in reporting_performance(user=people["manager"], data_set=data_set, today=dt.date(2024, 11, 5))}
    ngo, pho = rows["Te Whare Āwhina"], rows["Waitaha PHO"]
    # Due by 5 November: July (20 Aug), August (20 Sep) and September (20 Oct); October (due 20 Nov) is not expected yet.
    assert (ngo.expected, ngo.received, ngo.on_time, ngo.late, ngo.approved) == (3, 3, 1, 2, 3)
    assert ngo.completeness == 100 and math.isclose(ngo.timeliness, 100 / 3)
    # Dates are New Zealand dates: 20 Aug 08:00 UTC is 20:00 on the due date here; 23 Sep 13:00 is 3 days late.
    ProviderReturn.objects.filter(period_start=dt.date(2024, 7, 1)).update(first_submitted_at=dt.datetime(2024, 8, 20, 13, 0, tzinfo=dt.UTC))
    later = {r.assignment.agency.short_name: r for r in reporting_performance(user=people["manager"], data_set=data_set, today=dt.date(2024, 11, 5))}
    assert later["Te Whare Āwhina"].on_time == 0  # 13:00 UTC on 20 Aug is 01:00 on 21 Aug in Aotearoa
    assert (pho.expected, pho.received, pho.completeness, pho.timeliness) == (3, 0, 0, 0)
    assert [p.key for p in pho.outstanding] == ["2024-07", "2024-08", "2024-09"]


def test_a_regional_coordinator_sees_the_performance_of_their_own_region_only(data_set, people):
    rows = reporting_performance(user=people["canterbury_coordinator"], data_set=data_set, today=dt.date(2024, 11, 5))
    assert [r.assignment.unit.code for r in rows] == ["canterbury"]
    assert reporting_performance(user=people["ngo"], data_set=data_set) == []


# --- a check never claims what it did not check ---------------------------------------------------------------------

STEADY = {"2024-10": (10, 4, 2), "2024-11": (12, 5, 2), "2024-12": (11, 4, 3), "2025-01": (13, 6, 2), "2025-02": (12, 5, 2)}


@pytest.fixture
def area_return(data_set, people):
    """area_return(period="2025-03") → the NGO's draft for the North Shore area of Waitematā (areas have no
    population on file; their district has)."""
    from rocc.org.models import OrgUnit
    from rocc.returns.services import data_set_provider_add, return_open

    north_shore = OrgUnit.objects.get(code="north-shore")
    data_set_provider_add(user=people["manager"], data_set=data_set, agency=data_set.providers.get(unit__code="waitemata").agency, unit=north_shore)

    def make(period: str = "2025-03", values=None):
        ret = return_open(user=people["ngo"], data_set=data_set, unit=north_shore, period=period)
        if values is not None:
            ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values=dict(zip(REFERRAL_CODES, values)))
        return ret

    return make


def _by_rule(checks, rule, code=WHANAU):
    [found] = [c for c in checks.results if c.rule == rule and c.code == code]
    return found


def test_an_areas_figure_is_checked_against_its_districts_population_and_the_check_says_so(area_return):
    from rocc.returns.selectors import return_checks

    ret = area_return(values=(600000, 12, 0))
    above = _by_rule(return_checks(ret), "above_population")
    assert (above.outcome, above.severity) == ("flagged", "error")
    assert above.message == (
        "600,000 is more than the population of Waitematā district, as North Shore has none on file (575,550, approximate); check the figure."
    )
    usual = _by_rule(return_checks(ret), "above_population", COUNSELLING)
    assert usual.outcome == "passed"
    assert usual.basis == "the population of Waitematā district, as North Shore has none on file (575,550, approximate)"


def test_the_population_check_says_plainly_that_it_could_not_run_when_no_population_is_on_file(area_return, open_return, people):
    from rocc.org.models import Population
    from rocc.returns.selectors import return_checks

    Population.objects.filter(unit__code="waitemata").delete()
    area = return_checks(area_return(values=(600000, 12, 0)))
    result = _by_rule(area, "above_population")
    assert (result.outcome, result.message) == ("not_run", "Could not run: no population for North Shore or its district Waitematā.")
    assert result not in area.passed and not area.all_passed and "could not run" in area.summary()
    district = return_checks(_draft(open_return, people, "2025-03", (12, 7, 0)))
    assert _by_rule(district, "above_population").message == "Could not run: no population for Waitematā."


def test_a_figure_above_its_ceiling_stops_submission_even_where_no_population_is_on_file(area_return, people):
    from rocc.org.models import Population
    from rocc.returns.selectors import return_checks

    Population.objects.filter(unit__code="waitemata").delete()
    ret = area_return(values=(99999999, 12, 0))
    ceiling = _by_rule(return_checks(ret), "above_ceiling")
    assert (ceiling.outcome, ceiling.severity) == ("flagged", "error")
    assert ceiling.message.startswith("99,999,999 is above the data set's ceiling for one month (10,000); check the figure.")
    with pytest.raises(ReturnInputInvalid, match="above the data set's ceiling"):
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version, note="It is right", warnings_seen=["anything"])
    assert ProviderReturn.objects.get(pk=ret.pk).status == "draft"
    assert _by_rule(return_checks(ret), "above_ceiling", COUNSELLING).message == "Not above the data set's ceiling for one month (10,000)."


def test_a_first_return_does_not_claim_that_the_change_and_outlier_checks_passed(open_return, people):
    from rocc.returns.selectors import return_checks

    checks = return_checks(_draft(open_return, people, "2025-03", (12, 7, 0)))
    change, outlier = _by_rule(checks, "change_ratio"), _by_rule(checks, "outlier")
    assert change.outcome == "not_run" and change.message == "Could not run: no submitted or approved figure for Feb 2025 to compare with."
    assert outlier.outcome == "not_run" and "0 earlier returns of this provider for Waitematā; 5 are needed" in outlier.message
    assert checks.flags == [] and not checks.all_passed
    assert checks.summary() == "6 checks could not run"


def test_a_change_from_zero_is_reported_as_not_checked_rather_than_passed(open_return, people, approved_history):
    from rocc.returns.selectors import return_checks

    approved_history({"2025-02": (10, 9, 0)})
    hubs = _by_rule(return_checks(_draft(open_return, people, "2025-03", (10, 9, 400))), "change_ratio", HUBS)
    assert (hubs.outcome, hubs.message) == ("not_run", "Could not run: the figure for Feb 2025 was 0, so a change is not a ratio.")


def test_every_check_that_ran_states_what_it_compared_the_figure_with(open_return, people, approved_history):
    from rocc.returns.selectors import return_checks

    approved_history(STEADY)
    checks = return_checks(_draft(open_return, people, "2025-03", (12, 5, 2)))
    assert checks.all_passed and checks.summary() == "all checks passed"
    assert {c.rule for c in checks.results} == {"above_ceiling", "above_population", "change_ratio", "outlier"}
    assert all(c.basis for c in checks.results)
    assert _by_rule(checks, "change_ratio").message == "Within ×3 of 12 in Feb 2025 (×1.00)."
    assert _by_rule(checks, "outlier").basis == "5 earlier returns, median 12"


def test_submitting_new_warnings_is_refused_until_the_provider_has_seen_them_and_written_a_note(open_return, people, approved_history):
    approved_history(STEADY)
    ret = _draft(open_return, people, "2025-03", (60, 5, 2))
    with pytest.raises(ReturnWarningsToConfirm) as refused:
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert refused.value.unseen and {w.rule for w in refused.value.warnings} == {"change_ratio", "outlier"}
    shown = [w.key for w in refused.value.warnings]
    # Seen, but not explained: still refused, and still nothing saved.
    with pytest.raises(ReturnWarningsToConfirm, match="say in the note for the approver why the figures are right") as unexplained:
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version, warnings_seen=shown)
    assert not unexplained.value.unseen
    # A changed figure is a new warning that has not been shown yet.
    ret = return_values_save(user=people["ngo"], provider_return=ret, version=ret.version, values={WHANAU: 70})
    with pytest.raises(ReturnWarningsToConfirm):
        return_submit(user=people["ngo"], provider_return=ret, version=ret.version, note="A new hub.", warnings_seen=shown)
    assert ProviderReturn.objects.get(pk=ret.pk).status == "draft" and ProviderReturn.objects.get(pk=ret.pk).note == ""
    shown = [f.key for f in return_flags(ret) if f.severity == "warning"]
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version, note="A new hub opened in Ōrewa.", warnings_seen=shown)
    submitted = ret.events.get(action="submitted")
    assert ret.status == "submitted" and submitted.comment == "A new hub opened in Ōrewa."
    assert sorted(w["key"] for w in submitted.warnings_shown) == sorted(shown)
    assert all(w["outcome"] == "flagged" and w["severity"] == "warning" for w in submitted.warnings_shown)


def test_a_submission_without_warnings_records_that_none_were_shown(open_return, people, approved_history):
    approved_history(STEADY)
    ret = _draft(open_return, people, "2025-03", (12, 5, 2))
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    assert ret.events.get(action="submitted").warnings_shown == []


def test_the_ceiling_and_checks_are_set_on_the_data_sets_figure_by_the_programme_office(data_set, people):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import IntegrityError, transaction

    from rocc.returns.models import DataSetIndicator
    from rocc.returns.services import data_set_indicator_checks_set

    item = data_set.items.get(indicator__code=WHANAU)
    assert item.plausible_max == 10_000  # the shipped example's ceiling
    changed = data_set_indicator_checks_set(user=people["manager"], item=item, check_population=True, max_change_ratio=4, plausible_max=2500)
    assert (changed.plausible_max, changed.max_change_ratio) == (2500, 4)
    data_set.refresh_from_db()
    assert data_set.template_version == 1  # the figures asked for did not change
    with pytest.raises(PermissionDenied):
        data_set_indicator_checks_set(user=people["ngo"], item=item, check_population=True, max_change_ratio=3, plausible_max=None)
    with pytest.raises(ValidationError) as refused:
        data_set_indicator_checks_set(user=people["manager"], item=item, check_population=True, max_change_ratio=1, plausible_max=0)
    assert set(refused.value.message_dict) == {"max_change_ratio", "plausible_max"}
    assert DataSetIndicator.objects.get(pk=item.pk).plausible_max == 2500
    with pytest.raises(IntegrityError), transaction.atomic():
        DataSetIndicator.objects.filter(pk=item.pk).update(plausible_max=0)
