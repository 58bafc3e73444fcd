"""Referral figures as measures' computed observations: for every unit and month they equal the counts of referrals
in the database, under the indicator's definition version; a service's monitoring-framework indicator is counted
from its referrals; viewers get them through disclosure control; the retention run reduces expired referrals to
counts and the figures stay as they were; "declined: no capacity" by service and area, page and CSV."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.utils import timezone

from rocc.referrals.tests.fixtures import *  # noqa: F403


@pytest.fixture
def many_referrals(people, directory, refer, referral_indicators):
    """Sixty referrals over four months, in three areas and two services, taken to every kind of end, with their
    times set as if they happened then."""
    from rocc.referrals.models import Referral, Step
    from rocc.referrals.services import referral_move

    rng = random.Random(20261202)
    directory["counselling"].indicator_code = "mf-counselling-referrals"
    directory["counselling"].save()
    made = []
    for _ in range(60):
        service, unit = rng.choice([("whanau", "west-auckland"), ("whanau", "north-shore"), ("counselling", "rodney"), ("counselling", "north-shore")])
        referral = refer(service, by=rng.choice(["police", "kainga_ora"]), unit=unit)
        provider = people["provider"] if service == "whanau" else people["other_provider"]
        path = rng.choice(["none", "declined_capacity", "declined_other", "accepted", "contacted", "engaged", "completed", "partly"])
        if path.startswith("declined"):
            referral_move(user=provider, referral=referral, move="decline", decline_reason="no_capacity" if path == "declined_capacity" else "not_eligible")
        elif path != "none":
            referral_move(user=provider, referral=referral, move="accept")
            if path != "accepted":
                referral_move(user=provider, referral=referral, move="contact")
            if path in ("engaged", "completed", "partly"):
                referral_move(user=provider, referral=referral, move="engage")
            if path in ("completed", "partly"):
                referral_move(user=provider, referral=referral, move="outcome", outcome="completed" if path == "completed" else "partly")
        # Back-date it: made in one of four months (New Zealand time), first contact some days later.
        made_at = timezone.make_aware(dt.datetime(2025, rng.choice([1, 2, 3, 4]), rng.randint(1, 28), rng.randint(0, 23)))
        referral = Referral.objects.get(pk=referral.pk)
        updates = {"made_at": made_at, "response_due": made_at + dt.timedelta(days=3)}
        if referral.first_contact_at:
            updates["first_contact_at"] = made_at + dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 5))
        Referral.objects.filter(pk=referral.pk).update(**updates)
        Step.objects.filter(referral=referral).update(at=made_at)
        made.append(referral.pk)
    return made


def _expected_by_unit_and_month():
    """The figures counted straight from the database rows, referral by referral, into each unit and those above it."""
    from rocc.referrals.models import Referral

    expected: dict[tuple[str, dt.date], Counter] = {}
    for r in Referral.objects.select_related("unit"):
        month = timezone.localtime(r.made_at).date().replace(day=1)
        codes = r.unit.path.strip("/").split("/")
        for code in codes:
            cell = expected.setdefault((code, month), Counter())
            cell["referrals-made"] += 1
            cell["referrals-accepted"] += r.accepted_at is not None
            cell["referrals-declined-no-capacity"] += r.decline_reason == "no_capacity"
            cell["referrals-contacted"] += r.first_contact_at is not None
            cell["referrals-engaged"] += r.engaged_at is not None
            cell["referrals-completed"] += r.outcome == "completed"
            if r.first_contact_at:
                cell["days"] += (timezone.localtime(r.first_contact_at).date() - timezone.localtime(r.made_at).date()).days
            if r.service.indicator_code:
                cell[r.service.indicator_code] += 1
    return expected


def _computed():
    from rocc.measures.models import Observation

    out: dict[tuple[str, dt.date], dict] = {}
    for obs in Observation.objects.filter(source="computed", source_ref="referrals").select_related("indicator", "unit", "version"):
        out.setdefault((obs.unit.code, obs.period_start), {})[obs.indicator.code] = obs
    return out


def test_indicator_figures_equal_the_counts_in_the_database_for_every_unit_and_month(many_referrals):
    from rocc.measures.models import Indicator
    from rocc.referrals.services import referral_figures_compute

    result = referral_figures_compute()
    assert result.missing_indicators == () and result.months == 4
    expected, computed = _expected_by_unit_and_month(), _computed()
    assert set(computed) == set(expected)
    assert {code for code, _ in expected} == {"nz", "waitemata", "west-auckland", "north-shore", "rodney"}
    for cell, counts in expected.items():
        figures = computed[cell]
        for code in (
            "referrals-made",
            "referrals-accepted",
            "referrals-declined-no-capacity",
            "referrals-contacted",
            "referrals-engaged",
            "referrals-completed",
        ):
            assert figures[code].numerator == counts[code], (cell, code)
            assert figures[code].version == Indicator.objects.get(code=code).current  # with its definition version
            assert figures[code].period_end == (cell[1].replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if counts["referrals-contacted"]:
            mean = figures["referral-days-to-first-contact"]
            assert mean.numerator == counts["days"] and mean.denominator == counts["referrals-contacted"]
            assert mean.value == pytest.approx(counts["days"] / counts["referrals-contacted"])
        else:
            assert "referral-days-to-first-contact" not in figures
        # The monitoring framework's "Referrals / assessments for counselling" comes from the referrals themselves.
        assert (figures["mf-counselling-referrals"].numerator if "mf-counselling-referrals" in figures else 0) == counts["mf-counselling-referrals"]
    # Recomputing adds nothing twice.
    again = referral_figures_compute()
    assert again.observations == result.observations and len(_computed()) == len(computed)


def test_a_viewer_sees_the_figures_through_disclosure_control(many_referrals, people, client):
    from rocc.measures.disclosure import DisclosureRules, disclose_count
    from rocc.measures.periods import Period
    from rocc.org.models import OrgUnit
    from rocc.referrals.selectors import referral_figures_for
    from rocc.referrals.services import referral_figures_compute

    referral_figures_compute()
    unit = OrgUnit.objects.get(code="waitemata")
    true = referral_figures_for(user=people["programme"], unit=unit)
    shown = referral_figures_for(user=people["viewer"], unit=unit)
    assert not true["protected"] and shown["protected"]
    rules = DisclosureRules.from_settings()
    from rocc.measures.disclosure import cell_identity

    checked = 0
    for true_row, shown_row in zip(true["rows"], shown["rows"]):
        period = Period(true_row["month"], (true_row["month"].replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1), "month")
        for code, value in true_row["figures"].items():
            if code == "referral-days-to-first-contact":
                continue
            identity = cell_identity(indicator=code, unit="waitemata", period=period.key, series="month")
            assert shown_row["figures"][code] == disclose_count(value, identity + "|numerator", rules=rules)
            assert shown_row["figures"][code] is None or shown_row["figures"][code] % 3 == 0
            checked += 1
    assert checked >= 20
    client.force_login(people["viewer"])
    page = client.get("/referrals/figures/?unit=waitemata").content.decode()
    assert "randomly rounded to a multiple of 3" in page


def test_retention_reduces_expired_referrals_to_counts_and_the_figures_stay_the_same(many_referrals, people, settings):
    from rocc.audit.models import AuditEntry, AuditKind
    from rocc.referrals.models import Referral, ReferralTally, Step
    from rocc.referrals.services import referral_figures_compute, referrals_expire

    referral_figures_compute()
    before = {cell: {code: (o.numerator, o.denominator) for code, o in figures.items()} for cell, figures in _computed().items()}
    # Keep referrals for 30 days, as at 20 March 2025 + 30 days: those made in January and February expire.
    settings.ROCC_REFERRALS = {**settings.ROCC_REFERRALS, "retention_days": 30}
    now = timezone.make_aware(dt.datetime(2025, 4, 1))
    old = Referral.objects.filter(made_at__lt=now - dt.timedelta(days=30))
    expiring, keys = old.count(), list(old.values_list("pk", flat=True))
    assert 0 < expiring < len(many_referrals)
    result = referrals_expire(user=people["administrator"], now=now)
    assert result.reduced == expiring
    assert not Referral.objects.filter(pk__in=keys).exists() and not Step.objects.filter(referral_id__in=keys).exists()
    assert sum(ReferralTally.objects.values_list("made", flat=True)) == expiring
    # Nothing identifying is left: tallies hold counts by service, unit and month only.
    assert {f.name for f in ReferralTally._meta.get_fields()} == {
        "id",
        "service",
        "provider",
        "unit",
        "month",
        "made",
        "accepted",
        "declined_no_capacity",
        "contacted",
        "days_to_first_contact",
        "engaged",
        "completed",
    }
    referral_figures_compute()
    after = {cell: {code: (o.numerator, o.denominator) for code, o in figures.items()} for cell, figures in _computed().items()}
    assert after == before
    assert AuditEntry.objects.filter(kind=AuditKind.SYSTEM, object_repr__startswith="referrals past their retention").exists()
    # Running again reduces nothing more and changes no count.
    assert referrals_expire(now=now).reduced == 0
    assert sum(ReferralTally.objects.values_list("made", flat=True)) == expiring


def test_only_an_administrator_runs_the_expiry(people):
    from rocc.core.errors import Refused
    from rocc.referrals.services import referrals_expire

    with pytest.raises(Refused):
        referrals_expire(user=people["programme"])


def test_declined_no_capacity_by_service_and_area_page_and_csv(many_referrals, people, client):
    from rocc.referrals.models import Referral
    from rocc.referrals.selectors import capacity_declines_for

    result = capacity_declines_for(user=people["coordinator"])
    expected = Counter((r.service.name, r.unit.name) for r in Referral.objects.filter(decline_reason="no_capacity").select_related("service", "unit"))
    assert {(row["service"], row["area"]): row["declined_no_capacity"] for row in result["rows"]} == dict(expected)
    assert all(not row["protected"] for row in result["rows"])  # a coordinator sees unit-level figures in their district
    client.force_login(people["coordinator"])
    page = client.get("/referrals/capacity-declines/")
    assert page.status_code == 200 and "Demand for services greater than availability" in page.content.decode()
    csv_text = client.get("/referrals/capacity-declines.csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("service,provider,capacity now,area") and len(lines) == 1 + len(expected)
    # A provider or a referrer does not get it.
    client.force_login(people["provider"])
    assert client.get("/referrals/capacity-declines/").status_code == 403


def test_a_coordinator_attaches_declined_no_capacity_to_an_escalated_barrier(many_referrals, people, client):
    from rocc.org.models import OrgUnit
    from rocc.referrals.models import BarrierEvidence, Referral
    from rocc.referrals.selectors import barrier_evidence_for
    from rocc.strategy.services.register import barrier_close, barrier_escalate, barrier_raise, barrier_respond

    coordinator = people["coordinator"]
    barrier = barrier_raise(
        user=coordinator,
        unit=OrgUnit.objects.get(code="waitemata"),
        severity=3,
        title="Demand for services greater than availability",
        description="Whānau wait weeks for support after a referral.",
    )
    barrier_escalate(user=coordinator, barrier=barrier)
    client.force_login(coordinator)
    page = client.get("/referrals/capacity-declines/").content.decode()
    assert "Attach to a barrier" in page and "Demand for services greater than availability" in page
    answer = client.post("/referrals/capacity-declines/attach/?from=2025-01-01&to=2025-02-28", {"barrier": barrier.pk, "note": "Jan–Feb 2025"})
    assert answer.status_code == 302 and answer.url == f"/strategy/barriers/{barrier.pk}/"
    evidence = BarrierEvidence.objects.get(barrier=barrier)
    expected = Referral.objects.filter(decline_reason="no_capacity", made_at__date__gte="2025-01-01", made_at__date__lte="2025-02-28").count()
    assert sum(r["declined_no_capacity"] for r in evidence.rows) == expected > 0
    barrier_page = client.get(f"/strategy/barriers/{barrier.pk}/").content.decode()
    assert "Evidence from referrals" in barrier_page and "Jan–Feb 2025" in barrier_page
    # A viewer of the barrier sees the counts through disclosure control.
    shown = barrier_evidence_for(user=people["viewer"], barrier=barrier)[0]["rows"]
    assert all(r["protected"] and (r["declined_no_capacity"] is None or r["declined_no_capacity"] % 3 == 0) for r in shown)
    # Nothing is attached to a closed barrier.
    barrier_respond(user=people["programme"], barrier=barrier, response="Funding for two more navigators.")
    barrier_close(user=people["programme"], barrier=barrier)
    from rocc.core.errors import Refused
    from rocc.referrals.services import capacity_evidence_attach

    barrier.refresh_from_db()
    with pytest.raises(Refused):
        capacity_evidence_attach(user=coordinator, barrier=barrier)
