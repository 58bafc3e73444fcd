"""Validation rules and outlier flags on returns, and timeliness and completeness per provider."""

import datetime as dt
import math

import pytest

from rocc.measures.models_reporting import ProviderReturn
from rocc.measures.selectors_reporting import modified_z_score, reporting_performance, return_flags
from rocc.measures.services_reporting import ReturnInputInvalid, return_submit, return_values_save
from rocc.measures.tests.returns_fixtures import *  # noqa: F403
from rocc.measures.tests.returns_fixtures import REFERRAL_CODES

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
    # A warning does not stop submission; it travels with the return to the approver.
    ret = return_submit(user=people["ngo"], provider_return=ret, version=ret.version)
    submitted = ret.events.get(action="submitted")
    assert {f["rule"] for f in submitted.flags} >= {"outlier", "change_ratio"}


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
    from rocc.measures.services_reporting import return_open
    from rocc.org.models import OrgUnit

    approved_history({"2024-07": (1, 1, 1), "2024-08": (1, 1, 1), "2024-09": (1, 1, 1)})
    # July was first submitted on its due date (20 Aug), August three days late; September is late too (submitted today).
    ProviderReturn.objects.filter(period_start=dt.date(2024, 7, 1)).update(first_submitted_at=dt.datetime(2024, 8, 20, 8, 0, tzinfo=dt.timezone.utc))
    ProviderReturn.objects.filter(period_start=dt.date(2024, 8, 1)).update(first_submitted_at=dt.datetime(2024, 9, 23, 1, 0, tzinfo=dt.timezone.utc))
    # A draft is not received.
    return_open(user=people["pho"], data_set=data_set, unit=OrgUnit.objects.get(code="canterbury"), period="2024-07")

    rows = {r.assignment.agency.short_name: r for r in reporting_performance(user=people["manager"], data_set=data_set, today=dt.date(2024, 11, 5))}
    ngo, pho = rows["Te Whare Āwhina"], rows["Waitaha PHO"]
    # Due by 5 November: July (20 Aug), August (20 Sep) and September (20 Oct); October (due 20 Nov) is not expected yet.
    assert (ngo.expected, ngo.received, ngo.on_time, ngo.late, ngo.approved) == (3, 3, 1, 2, 3)
    assert ngo.completeness == 100 and math.isclose(ngo.timeliness, 100 / 3)
    # Dates are New Zealand dates: 20 Aug 08:00 UTC is 20:00 on the due date here; 23 Sep 13:00 is 3 days late.
    ProviderReturn.objects.filter(period_start=dt.date(2024, 7, 1)).update(first_submitted_at=dt.datetime(2024, 8, 20, 13, 0, tzinfo=dt.timezone.utc))
    later = {r.assignment.agency.short_name: r for r in reporting_performance(user=people["manager"], data_set=data_set, today=dt.date(2024, 11, 5))}
    assert later["Te Whare Āwhina"].on_time == 0  # 13:00 UTC on 20 Aug is 01:00 on 21 Aug in Aotearoa
    assert (pho.expected, pho.received, pho.completeness, pho.timeliness) == (3, 0, 0, 0)
    assert [p.key for p in pho.outstanding] == ["2024-07", "2024-08", "2024-09"]


def test_a_regional_coordinator_sees_the_performance_of_their_own_region_only(data_set, people):
    rows = reporting_performance(user=people["canterbury_coordinator"], data_set=data_set, today=dt.date(2024, 11, 5))
    assert [r.assignment.unit.code for r in rows] == ["canterbury"]
    assert reporting_performance(user=people["ngo"], data_set=data_set) == []
