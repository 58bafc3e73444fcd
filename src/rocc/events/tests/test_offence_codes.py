"""Offence codes mean one thing everywhere: a division (02), subdivision (021) or group (0211) selects the same
events in the event filters, person-level reads, indicator numerators, the analysis pages' store filter, the
serious-offence list and harm weights; an unknown code is an error in each, never a selection of nothing."""

from __future__ import annotations

import pytest

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import HarmIndex, harm_weights
from rocc.analysis.repeat_victims import repeat_victims
from rocc.audit.models import AuditEntry, AuditKind
from rocc.events.numerators import event_numerators
from rocc.events.offences import anzsoc
from rocc.events.selectors import events_frame, persons_frame
from rocc.events.testing import events_create

ROWS = [
    {"event_id": "A", "date": "2024-02-01", "offence_code": "0211", "unit": "North Shore", "victim": "V-1"},
    {"event_id": "B", "date": "2024-03-01", "offence_code": "0212", "unit": "North Shore", "victim": "V-1"},
    {"event_id": "C", "date": "2024-04-01", "offence_code": "021", "unit": "Rodney", "victim": "V-2"},
    {"event_id": "D", "date": "2024-05-01", "offence_code": "0291", "unit": "Rodney", "victim": "V-2"},
    {"event_id": "E", "date": "2024-06-01", "offence_code": "02", "unit": "North Shore", "victim": "V-3"},
    {"event_id": "F", "date": "2024-07-01", "offence_code": "1211", "unit": "North Shore", "victim": "V-3"},
    {"event_id": "G", "date": "2024-08-01", "offence_code": "0711", "unit": "Rodney", "victim": "V-4"},
]
SELECTS = {
    "02": {"A", "B", "C", "D", "E"},
    "021": {"A", "B", "C"},
    "0211": {"A"},
    "211": {"A"},  # a spreadsheet dropped the leading zero of 0211
}
PURPOSE = "checking the offence filters agree"


@pytest.fixture
def analyst(event_store, make_user):
    analyst = make_user("analyst", units=["waitemata"])
    events_create(user=analyst, rows=ROWS)
    return analyst


def _paths(analyst, code: str) -> dict[str, set[str]]:
    """The events each path selects with ``code``."""
    from rocc.analysis_pages.sources import events_table

    selected = {
        "events filter": set(events_frame(user=analyst, offence_codes=[code])["event_id"]),
        "person-level read": set(persons_frame(user=analyst, purpose=PURPOSE, offence_codes=[code])["event_id"]),
        "analysis pages, store events": set(events_table(user=analyst, kind="hotspots", unit_code="waitemata", offence_codes=[code])()["event_id"]),
        "analysis pages, store persons": set(
            events_table(user=analyst, kind="repeat_victims", unit_code="waitemata", purpose=PURPOSE, offence_codes=[code])()["event_id"]
        ),
    }
    # Numerators: each selected event is one count in the calendar year 2024.
    for name, argument in (("numerator, offence codes", "offence_codes"), ("numerator, offence divisions", "offence_divisions")):
        counted = event_numerators(
            count="events", period_type="calendar_year", level="district", date_from="2024-01-01", date_to="2024-12-31", **{argument: [code]}
        )
        selected[name] = int(counted["numerator"].sum())
    # The serious-offence list: persons with a serious victimisation.
    result = repeat_victims(
        persons=[r["victim"] for r in ROWS],
        dates=[r["date"] for r in ROWS],
        offences=[r["offence_code"] for r in ROWS],
        as_of="2024-12-31",
        serious_codes=[code],
        classification=anzsoc(),
    )
    selected["serious list (victims)"] = {p["person"] for p in result.to_dict()["persons"] if p["serious"]}
    # Harm weights: the events that take the code's weight rather than the default.
    weights = harm_weights([r["offence_code"] for r in ROWS], index=HarmIndex(weights={code: 10.0}, classification=anzsoc()), default_weight=0.0)
    selected["harm weights"] = {r["event_id"] for r, w in zip(ROWS, weights, strict=True) if w == 10.0}
    return selected


@pytest.mark.parametrize("code", list(SELECTS))
def test_a_code_at_any_level_selects_the_same_events_on_every_path(analyst, code):
    expected = SELECTS[code]
    victims = {r["victim"] for r in ROWS if r["event_id"] in expected}
    assert _paths(analyst, code) == {
        "events filter": expected,
        "person-level read": expected,
        "analysis pages, store events": expected,
        "analysis pages, store persons": expected,
        "numerator, offence codes": len(expected),
        "numerator, offence divisions": len(expected),
        "serious list (victims)": victims,
        "harm weights": expected,
    }


@pytest.mark.parametrize(
    "path",
    [
        "events filter",
        "person-level read",
        "numerator offence codes",
        "numerator offence divisions",
        "serious list",
        "harm index",
    ],
)
def test_an_unknown_code_is_an_error_naming_it_on_every_path(analyst, path):
    attempts = {
        "events filter": lambda: events_frame(user=analyst, offence_codes=["02", "17"]),
        "person-level read": lambda: persons_frame(user=analyst, purpose=PURPOSE, offence_codes=["17"]),
        "numerator offence codes": lambda: event_numerators(offence_codes=["17"]),
        "numerator offence divisions": lambda: event_numerators(offence_divisions=["17"]),
        "serious list": lambda: repeat_victims(persons=["V"], dates=["2024-01-01"], offences=["0211"], serious_codes=["17"], classification=anzsoc()),
        "harm index": lambda: HarmIndex(weights={"17": 1.0}, classification=anzsoc()),
    }
    looks = AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count()
    with pytest.raises(AnalysisInputError, match="unknown offence code '17'"):
        attempts[path]()
    assert AuditEntry.objects.filter(kind=AuditKind.PERSON_ACCESS).count() == looks  # a refused read is not a look


def test_the_shipped_victim_focus_serious_list_is_checked_codes():
    from rocc.events.offences import victim_focus_settings

    settings = victim_focus_settings()
    assert settings["serious_codes"] == ("01", "02", "03", "05", "06", "07")
    assert settings["serious"].hierarchical
