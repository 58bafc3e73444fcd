"""Indicators newly off track: off track at their latest period and not at the previous reporting period. The status
recompute records each off-track cell's previous status; the programme manager's queue lists the newly off-track
ones and is told of each in the inbox once; a coordinator's queue lists their districts' off-track indicators with
the newly off-track ones marked."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.inbox.models import Notification, Reason
from rocc.measures.models import BaselineKind, SourceKind, StatusSnapshot, TargetKind
from rocc.measures.periods import month_end
from rocc.measures.selectors import indicators_off_track
from rocc.measures.services import ObservationInput, indicator_define, observations_record_many, statuses_recompute, target_set
from rocc.org.models import OrgUnit
from rocc.web.queues import work_queue


def _month(indicator, unit, month: int, count: int) -> ObservationInput:
    start = dt.date(2024, 1, 1).replace(year=2024 + (month - 1) // 12, month=(month - 1) % 12 + 1)
    return ObservationInput(indicator=indicator, unit=unit, period_start=start, period_end=month_end(start), numerator=count)


@pytest.fixture
def burglary(defaults, make_user):
    """Burglaries in Waitematā: eleven months better than the glide path (on track), then a twelfth far worse (off
    track); the programme manager and the coordinator exist before the recompute that sees it."""
    people = {"manager": make_user("programme_manager"), "coordinator": make_user("regional_coordinator", units=["waitemata"])}
    waitemata = OrgUnit.objects.get(code="waitemata")
    indicator = indicator_define(
        user=None,
        code="burglary-test",
        name="Burglaries (queue test)",
        effective_from=dt.date(2000, 1, 1),
        kind="population",
        unit_label="per 10,000 people",
        numerator_label="Burglaries",
        denominator_kind="population",
        factor=10000,
        polarity="lower",
        period_type="month",
        data_source="Test data",
    )
    items = [_month(indicator, waitemata, 1, 100)] + [_month(indicator, waitemata, m, 80) for m in range(2, 12)] + [_month(indicator, waitemata, 12, 200)]
    observations_record_many(items=items, source=SourceKind.IMPORT)
    target_set(
        user=None,
        indicator=indicator,
        unit=waitemata,
        period_type="month",
        baseline_kind=BaselineKind.FIXED_PERIOD,
        baseline_period_end=dt.date(2024, 1, 31),
        baseline_label="January 2024",
        target_kind=TargetKind.CHANGE,
        target_change_percent=-10,
        target_date=dt.date(2025, 12, 31),
    )
    statuses_recompute()
    return {"indicator": indicator, "waitemata": waitemata, **people}


def _section(user, key="off-track"):
    """The section, with only this test's indicator's items (the shipped indicators may be off track too)."""
    section = next(s for s in work_queue(user) if s.key == key)
    section.items = [i for i in section.items if i.label.startswith("Burglaries (queue test)")]
    return section


def _told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, reason=Reason.INDICATOR_OFF_TRACK))


def test_the_recompute_records_the_status_an_off_track_cell_had_at_the_previous_period(burglary):
    cell = StatusSnapshot.objects.get(indicator=burglary["indicator"], unit=burglary["waitemata"])
    assert cell.status == "off_track" and cell.latest_period_end == dt.date(2024, 12, 31)
    assert cell.previous_status == "on_track" and cell.previous_period_end == dt.date(2024, 11, 30)
    national = StatusSnapshot.objects.get(indicator=burglary["indicator"], unit__code="nz")
    assert national.status != "off_track" and national.previous_status == ""  # recorded for off-track cells only


def test_the_programme_manager_sees_an_indicator_newly_off_track_and_is_told_once(burglary):
    manager = burglary["manager"]
    section = _section(manager)
    assert section.title == "Indicators newly off track" and "not at the previous reporting period" in section.note
    [item] = section.items
    assert item.label == "Burglaries (queue test) · Waitematā" and item.flag == "newly off track"
    assert item.url == "/measures/indicators/burglary-test/?unit=waitemata"
    assert item.detail == "latest Dec 2024 · not off track at Nov 2024"
    [told] = _told(manager)
    assert told.title == "Newly off track: Burglaries (queue test) in Waitematā, Dec 2024" and told.url == item.url
    statuses_recompute()  # nothing changed: nobody is told again
    assert len(_told(manager)) == 1
    assert _told(burglary["coordinator"]) == []  # the centre is told; the coordinator sees it on their queue


def test_an_indicator_still_off_track_a_period_later_is_not_newly_off_track(burglary):
    manager, indicator, waitemata = burglary["manager"], burglary["indicator"], burglary["waitemata"]
    observations_record_many(items=[_month(indicator, waitemata, 13, 210)], source=SourceKind.IMPORT)
    statuses_recompute()
    section = _section(manager)
    assert section.items == [] and "off track at the previous period too" in section.empty
    assert len(_told(manager)) == 1  # told of December, not again for January
    [item] = _section(burglary["coordinator"]).items
    assert item.flag == "off track" and item.detail == "latest Jan 2025 · off track at Dec 2024 too"


def test_a_cell_stored_before_previous_statuses_were_recorded_is_judged_on_reading(burglary):
    StatusSnapshot.objects.filter(indicator=burglary["indicator"]).update(previous_status="", previous_period_start=None, previous_period_end=None)
    [cell] = [c for c in indicators_off_track(user=burglary["manager"]) if c["indicator"] == "burglary-test"]
    assert cell["newly_off_track"] is True and cell["previous_status"] == "on_track" and cell["previous_period_label"] == "Nov 2024"


def test_the_coordinators_districts_off_track_indicators_mark_the_newly_off_track(burglary):
    section = _section(burglary["coordinator"])
    assert section.title == "Your districts' indicators off track"
    assert [(i.label, i.flag) for i in section.items] == [("Burglaries (queue test) · Waitematā", "newly off track")]
