"""Importing observations and populations from CSV and Excel: located problems, nothing saved on any error, idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from rocc.measures.imports import ImportRefused, measures_file_import, observations_import, populations_import
from rocc.measures.models import Observation
from rocc.org.models import Population


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_observations_import_from_csv_computes_rates_and_adds_nothing_the_second_time(small_world):
    content = b"indicator,unit,period,numerator\nassaults,Waitemata,2021-01,12\nassaults,Counties/Manukau,2021-01,30\n"
    before = Observation.objects.count()
    observations_import(user=None, name="jan.csv", content=content)
    observations_import(user=None, name="jan.csv", content=content)
    assert Observation.objects.count() == before + 2
    obs = Observation.objects.get(unit__code="waitemata", period_start=dt.date(2021, 1, 1))
    assert obs.numerator == 12 and obs.value == pytest.approx(12 / obs.denominator * 10000) and obs.is_approximate


def test_a_bad_observation_file_is_refused_with_every_problem_located_and_nothing_saved(small_world):
    content = (
        b"indicator,unit,period,numerator\n"
        b"assaults,Waitemata,2021-01,twelve\n"
        b"assaults,Atlantis,2021-02,3\n"
        b"assaults,Northland,2021-13,3\n"
        b"assaults,Northland,2021-03,-4\n"
        b"nope,Northland,2021-03,4\n"
        b"assaults,Northland,2021-04,5\n"
    )
    before = Observation.objects.count()
    with pytest.raises(ImportRefused) as refused:
        observations_import(user=None, name="bad.csv", content=content)
    text = str(refused.value)
    assert "row 2, column numerator: expected a number, got 'twelve'" in text
    assert "row 3, column unit: no organisational unit is called 'Atlantis'" in text
    assert "row 4, column period" in text
    assert "row 5, column numerator: cannot be negative" in text
    assert "row 6, column indicator: no indicator has code 'nope'" in text
    assert Observation.objects.count() == before


def test_populations_import_from_excel_and_a_bad_cell_saves_nothing(defaults):
    good = _xlsx(
        [
            ["unit", "year", "age_band", "value", "is_approximate", "source"],
            ["Waitematā", 2018, "10-16", 52000, "yes", "test estimate"],
            ["northland", 2018, "10-16", 17000, "", "test estimate"],
        ]
    )
    result = populations_import(user=None, name="pop.xlsx", content=good)
    assert result.created == 2
    assert populations_import(user=None, name="pop.xlsx", content=good).unchanged == 2
    assert Population.objects.get(unit__code="waitemata", age_band="10-16").is_approximate
    bad = _xlsx([["unit", "year", "value"], ["Northland", 2019, 17000], ["Waikato", 2019, "about 5000"], ["Waikato", "twenty", 1]])
    count = Population.objects.count()
    with pytest.raises(ImportRefused) as refused:
        measures_file_import(user=None, name="pop.xlsx", content=bad)
    assert "row 3, column value: expected a number, got 'about 5000'" in str(refused.value)
    assert "row 4, column year" in str(refused.value)
    assert Population.objects.count() == count


def test_a_file_that_is_not_a_table_is_refused_clearly(defaults):
    with pytest.raises(ImportRefused, match="not an Excel workbook"):
        measures_file_import(user=None, name="x.xlsx", content=b"not a zip")
    with pytest.raises(ImportRefused, match="not UTF-8"):
        measures_file_import(user=None, name="x.csv", content="unit,value\nM\xe4ori,1\n".encode("latin-1"))
