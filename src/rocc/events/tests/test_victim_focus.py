"""The Victim Focus lookup agrees with the analysis library's repeat_victims (the oracle) on random histories."""

from __future__ import annotations

import datetime as dt

import numpy as np

from rocc.analysis.repeat_victims import repeat_victims
from rocc.events.offences import victim_focus_settings
from rocc.events.pseudonym import person_key
from rocc.events.selectors import victim_focus_for
from rocc.events.testing import events_create

CODES = ["0211", "0711", "1211", "0811", "1311"]


def test_lookup_matches_repeat_victims_for_every_person(event_store, make_user):
    rng = np.random.default_rng(11)
    rows = []
    for i in range(300):
        rows.append({
            "event_id": f"R{i}", "date": (dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))).isoformat(),
            "offence_code": CODES[int(rng.integers(0, len(CODES)))], "unit": "North Shore", "victim": f"P{int(rng.integers(0, 40))}",
        })
    events_create(user=make_user("analyst", units=["waitemata"]), rows=rows)
    as_of = dt.date(2024, 6, 30)
    serious = {c for c in CODES if c[:2] in victim_focus_settings()["serious_divisions"]}
    oracle = repeat_victims(persons=[r["victim"] for r in rows], dates=[r["date"] for r in rows],
                            offences=[r["offence_code"] for r in rows], as_of=as_of, window_days=365, serious_codes=serious)
    for person in sorted({r["victim"] for r in rows}):
        expected = oracle.victim(person)
        found = victim_focus_for(person_key(person), scope_paths=("/nz/",), as_of=as_of)
        if expected is None:
            assert found.count == 0 and found.tier is None
            continue
        assert (found.count, found.tier, found.response, found.serious) == (expected["count"], expected["tier"], expected["response"], expected["serious"])
        assert {o["code"]: o["count"] for o in found.offences} == expected["offences"]
        assert (found.first.isoformat(), found.last.isoformat()) == (expected["first"], expected["last"])
