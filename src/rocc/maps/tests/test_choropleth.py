"""Indicator maps: the quantile classes and their legend, and small counts protected as everywhere else (a viewer's
map shows the protected figures and draws suppressed units as suppressed; an analyst in scope sees the true ones)."""

from __future__ import annotations

import datetime as dt

import pytest

from rocc.maps.selectors import choropleth_classes, class_of


def test_ten_values_make_five_classes_of_two_each():
    classes = choropleth_classes([float(v) for v in range(1, 11)])
    assert [(c.low, c.high, c.units) for c in classes] == [(1, 2, 2), (2, 4, 2), (4, 6, 2), (6, 8, 2), (8, 10, 2)]
    assert [class_of(v, classes) for v in (1, 2, 3, 8, 9, 10)] == [1, 1, 2, 4, 5, 5]
    assert [c.colour for c in classes] == ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]


def test_fewer_distinct_values_make_fewer_classes_and_missing_values_have_none():
    classes = choropleth_classes([5.0, 5.0, 7.0, None])  # type: ignore[list-item]
    assert [(c.low, c.high, c.units) for c in classes] == [(5, 5, 2), (5, 7, 1)]
    assert class_of(None, classes) is None and class_of(5.0, classes) == 1 and class_of(7.0, classes) == 2
    assert choropleth_classes([]) == []
    assert [(c.low, c.high, c.units) for c in choropleth_classes([3.0])] == [(3, 3, 1)]


def test_every_value_is_in_exactly_one_class():
    values = [0.4, 12.0, 3.3, 3.3, 8.1, 150.0, 0.0, 42.0, 42.0, 42.0, 7.0, 19.5]
    classes = choropleth_classes(values)
    assert sum(c.units for c in classes) == len(values)
    for v in values:
        number = class_of(v, classes)
        c = classes[number - 1]
        assert (c.low <= v <= c.high) if number == 1 else (c.low < v <= c.high)


@pytest.fixture
def counts(defaults):
    """A monthly count indicator with a large count in every district except Waitematā, whose count is small."""
    from rocc.measures.models import SourceKind
    from rocc.measures.services import ObservationInput, indicator_define, observations_record_many
    from rocc.org.models import OrgUnit

    indicator = indicator_define(
        user=None,
        code="map-burglaries",
        name="Burglaries",
        effective_from=dt.date(2000, 1, 1),
        kind="how_much",
        unit_label="burglaries",
        numerator_label="Burglaries",
        denominator_kind="none",
        factor=1,
        polarity="lower",
        period_type="month",
        data_source="Test data",
    )
    items = []
    for i, unit in enumerate(OrgUnit.objects.filter(level="district").order_by("path")):
        for month in (1, 2):
            count = 2 if unit.code == "waitemata" else 1001 + 100 * i + month
            items.append(
                ObservationInput(
                    indicator=indicator,
                    unit=unit,
                    period_start=dt.date(2024, month, 1),
                    period_end=dt.date(2024, month, 29 if month == 2 else 31),
                    numerator=count,
                )
            )
    observations_record_many(items=items, source=SourceKind.IMPORT)
    return indicator


def _by_code(layer):
    return {u["code"]: u for u in layer["units"]}


def test_an_analyst_in_scope_sees_true_figures_and_a_viewer_sees_them_protected(counts, make_user):
    from rocc.maps.selectors import choropleth_for

    analyst = make_user("analyst", units=["nz"])
    true = _by_code(choropleth_for(user=analyst, indicator_code="map-burglaries"))
    assert true["waitemata"]["value"] == 2 and not true["waitemata"]["suppressed"] and not true["waitemata"]["protected"]
    assert true["northland"]["value"] == 1001 + 100 * 6 + 2 and true["northland"]["period"] == "2024-02"  # 7th district by path, February

    viewer = make_user("viewer", units=["waitemata"])
    layer = choropleth_for(user=viewer, indicator_code="map-burglaries")
    shown = _by_code(layer)
    assert shown["waitemata"]["suppressed"] and shown["waitemata"]["value"] is None and shown["waitemata"]["class_number"] is None
    assert shown["waitemata"]["colour"] is None  # drawn as suppressed, never shaded
    assert shown["northland"]["protected"] and shown["northland"]["value"] % 3 == 0  # randomly rounded to base 3
    assert layer["protected"] and layer["suppressed"] == 1
    # The classes come from the protected figures only: no break is a true count.
    true_values = {u["value"] for u in true.values()} - {u["value"] for u in shown.values()}
    assert not {c["low"] for c in layer["classes"]} & true_values and not {c["high"] for c in layer["classes"]} & true_values


def test_the_public_view_protects_even_an_analysts_map_and_a_chosen_period_is_used(counts, make_user):
    from rocc.maps.selectors import choropleth_for

    analyst = make_user("analyst", units=["nz"])
    layer = choropleth_for(user=analyst, indicator_code="map-burglaries", public=True, period="2024-01")
    shown = _by_code(layer)
    assert shown["waitemata"]["suppressed"] and shown["northland"]["protected"] and shown["northland"]["period"] == "2024-01"
    assert {p["key"] for p in layer["periods"]} == {"2024-01", "2024-02"}
    assert not layer["mixed_periods"]


def test_the_indicator_map_page_explains_classes_and_protection(counts, make_user, client):
    viewer = make_user("viewer", units=["waitemata"])
    client.force_login(viewer)
    response = client.get("/maps/", {"indicator": "map-burglaries", "level": "district"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Classes are quantiles: each class holds about the same number of units" in text
    assert "Counts are protected (small counts suppressed, others randomly rounded)" in text
    assert "suppressed: too few to show safely" in text
    import re

    assert re.search(r"<td>Waitematā</td><td>[^<]+</td>\s*<td class=\"num\">suppressed</td>", text), "Waitematā's small count is not shown"
