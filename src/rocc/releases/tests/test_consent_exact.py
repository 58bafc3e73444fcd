"""Consent is applied figure by figure: a count summed over providers is published from the consenting providers'
returns, marked as excluding the others and not compared with its target; a figure that cannot be split (a rate, or a
unit whose only figures are the refusing provider's) is left out; the preview says whose data set is missing."""

from __future__ import annotations

import datetime as dt

from rocc.releases import selectors, services

REFERRAL = "mf-whanau-support-referrals"


def _cell(version, code, unit):
    indicator = selectors.indicator_with_curves(version, code)
    return next(c for c in indicator["cells"] if c["unit"] == unit)


def test_a_national_count_is_published_from_the_consenting_providers_only_and_says_so(world, draft, client):
    services.consent_decide(user=world["pho"], data_set=world["data_set"], given=True)  # the NGO (Waitematā) has not agreed
    release = draft()
    frozen = services.release_freeze(user=world["manager"], release=release)

    waitemata = _cell(frozen, REFERRAL, "waitemata")
    assert waitemata["withheld"] and not waitemata.get("points"), "every Waitematā figure is the NGO's"
    national = _cell(frozen, REFERRAL, "nz")
    assert not national["withheld"] and national["partial"]
    # June: the PHO's 32 (rounded to a multiple of 3), never the whole 54 with the NGO's 22.
    june = next(p for p in national["points"] if p["period_end"] == "2025-06-30")
    assert june["numerator"] in (30, 33) and june["partial"]
    assert national["status_label"] == "Not judged" and "not compared with the target" in national["explanation"]
    assert "Te Whare Āwhina" not in national["partial"], "the public pages name no provider"
    canterbury = _cell(frozen, REFERRAL, "canterbury")
    assert not canterbury["withheld"] and not canterbury.get("partial"), "Canterbury's figures are the consenting PHO's alone"

    entries = {(w["indicator"], w["unit"]): w for w in frozen.withheld}
    assert entries[(REFERRAL, "nz")]["effect"] == "partial" and "Waitaha PHO (Canterbury)" in entries[(REFERRAL, "nz")]["covers"]
    assert entries[(REFERRAL, "waitemata")]["effect"] == "withheld"
    assert {w["agency"] for w in frozen.withheld} == {"Te Whare Āwhina"}
    assert entries[(REFERRAL, "nz")]["periods"] == "April 2025 to June 2025"

    client.force_login(world["manager"])
    preview = client.get(f"/public/manage/{release.slug}/preview/").content.decode()
    assert "Te Whare Āwhina" in preview and "Whānau services: referrals and assessments" in preview
    assert "published without" in preview and "excludes" in preview
    rows = [r for r in selectors.open_data_rows(frozen) if r["indicator"] == REFERRAL and r["unit"] == "nz" and r["period"] == "2025-06"]
    assert rows and "excludes" in rows[0]["note"]


def test_with_every_consent_nothing_is_partial(world, draft, consent_all):
    consent_all()
    frozen = services.release_freeze(user=world["manager"], release=draft())
    national = _cell(frozen, REFERRAL, "nz")
    assert not national.get("partial") and not frozen.withheld
    june = next(p for p in national["points"] if p["period_end"] == "2025-06-30")
    assert june["numerator"] in (54, 57) or abs(june["numerator"] - 54) <= 2


def test_a_rate_cannot_be_split_between_providers_and_is_left_out(world):
    """A rate's denominator is the whole population: taking one provider's count out of its numerator would publish
    a wrong rate, so no split reading is made (the cell is left out)."""
    from rocc.measures.selectors import indicator_data
    from rocc.releases.selectors import _withheld_reason, _without_refused

    data = indicator_data(world["assaults"])
    refused = [{"unit_path": "/nz/waitemata/", "period_start": dt.date(2025, 6, 1), "period_end": dt.date(2025, 6, 30), "value": 3}]
    assert _without_refused(data, refused, [], for_units_above=True) is None
    assert "population denominator cannot be split" in _withheld_reason(data, None, None)
