"""The API document names the values a field takes from a fixed set (a model field's choices, a workflow's moves) as
an enum, and any other value is refused by the schema with the field named, before a service runs; codes from open
sets (units, indicators, periods) carry real examples."""

import pytest
from pydantic import ValidationError

from rocc.api import api
from rocc.problems.api import CasePatch
from rocc.referrals.api import ServiceIn
from rocc.referrals.models import Capacity, DeclineReason, Urgency
from rocc.tasking.models import ProductKind


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def _property(document, schema: str, field: str) -> dict:
    return document["components"]["schemas"][schema]["properties"][field]


def test_a_field_saved_to_a_model_field_with_choices_documents_them_as_its_enum(document):
    assert _property(document, "ReferralIn", "urgency")["enum"] == Urgency.values
    assert _property(document, "ServiceIn", "capacity") == {"default": "open", "enum": Capacity.values, "title": "Capacity", "type": "string"}
    # A blank allowed by the model (or a default of "") is one of the values; None stays where the schema allowed it.
    assert _property(document, "MoveIn", "decline_reason")["enum"] == ["", *DeclineReason.values]
    harm = _property(document, "CasePatch", "harm_or_volume")["anyOf"]
    assert harm[0]["enum"][0] == "" and harm[1] == {"type": "null"}


def test_a_value_outside_the_set_is_refused_by_the_schema_with_the_field_named():
    with pytest.raises(ValidationError) as refused:
        ServiceIn(provider="x", name="x", offers="x", units_served=[], capacity="full")
    assert [error["loc"] for error in refused.value.errors()] == [("capacity",)]
    assert CasePatch(version=1, harm_or_volume=None).harm_or_volume is None
    assert CasePatch(version=1, harm_or_volume="").harm_or_volume == ""


def test_moves_named_in_the_path_are_enums(document):
    plan_move = document["paths"]["/api/strategy/district-plans/{code}/{move}"]["post"]["parameters"][1]["schema"]
    barrier_move = document["paths"]["/api/strategy/barriers/{pk}/{move}"]["post"]["parameters"][1]["schema"]
    assert plan_move["enum"] == ["agree", "activate", "review", "draft", "discard"]
    assert barrier_move["enum"] == ["escalate", "respond", "close"]


def test_codes_from_open_sets_carry_real_examples(document):
    assert _property(document, "ReturnOpenIn", "unit")["examples"][0] == "waitemata"
    assert _property(document, "ReturnOpenIn", "period")["examples"][0] == "2025-03"
    assert _property(document, "ObservationIn", "indicator")["examples"][0] == "bps-total-crime-rate"


def test_tasking_inputs_name_their_kinds_and_subjects(document):
    assert _property(document, "ScoreIn", "subject_type")["enum"] == ["report", "case", "target"]
    assert _property(document, "TargetIn", "subject_type")["enum"] == ["product", "tasking", "case"]
    kinds = document["components"]["schemas"][_property(document, "ProductIn", "kind")["$ref"].split("/")[-1]]
    assert kinds["enum"] == ProductKind.values
