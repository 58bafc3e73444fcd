"""Identifier and free-text lengths are bounded in one place (rocc.core.bounds): a 3 MB framework goal is refused with
its line and column and without being echoed, every model's text is bounded on save (SQLite enforces no length), every
API input schema shows its bounds in the OpenAPI document, and a return's comment is bounded in its service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rocc.core.bounds import IDENTIFIER_MAX, QUERY_TEXT_MAX, TEXT_MAX, shown_input, text_bound_check
from rocc.strategy.files import framework_file_check
from rocc.strategy.models import Framework

THREE_MB = "g" * (3 * 1024 * 1024)

FRAMEWORK = """\
code: smallville
name: Smallville community safety framework
jurisdiction: Smallville
mandate: Keep people safe.
goal: {goal}
"""


@pytest.mark.django_db
def test_a_three_megabyte_goal_is_refused_where_it_is_without_being_repeated():
    parsed, problems = framework_file_check(FRAMEWORK.format(goal=THREE_MB), source="big.yaml")
    assert parsed is None
    goal = [p for p in problems if "goal" in p.message]
    assert goal and goal[0].line == 5, problems
    assert f"at most {TEXT_MAX} characters" in goal[0].message and f"a text of {len(THREE_MB):,} characters" in goal[0].message
    assert all(len(p.message) < 500 for p in problems)


@pytest.mark.django_db
def test_a_goal_within_the_bound_is_read():
    parsed, problems = framework_file_check(FRAMEWORK.format(goal="g" * TEXT_MAX), source="ok.yaml")
    assert [p for p in problems if "goal" in p.message] == []


@pytest.mark.django_db
def test_every_model_bounds_its_text_on_save_and_in_full_clean():
    framework = Framework(code="big", name="Big", jurisdiction="NZ", mandate="m", goal=THREE_MB)
    with pytest.raises(ValidationError) as saved:
        framework.save()
    assert saved.value.message_dict == {"goal": [f"The goal is {len(THREE_MB):,} characters long; at most {TEXT_MAX:,} are allowed."]}
    assert not Framework.objects.filter(code="big").exists()
    framework.goal, framework.name = "Fewer harms.", "n" * 201  # a CharField's own max_length, which SQLite does not enforce
    with pytest.raises(ValidationError) as saved:
        framework.save()
    assert list(saved.value.message_dict) == ["name"]
    framework.goal, framework.name = THREE_MB, "Big"
    with pytest.raises(ValidationError) as cleaned:
        framework.full_clean()
    assert cleaned.value.message_dict["goal"] == [f"The goal is {len(THREE_MB):,} characters long; at most {TEXT_MAX:,} are allowed."]


def test_a_services_text_bound_names_the_field_and_the_length():
    text_bound_check("x" * TEXT_MAX, field="comment", label="The comment")
    with pytest.raises(ValidationError) as refused:
        text_bound_check("x" * (TEXT_MAX + 1), field="comment", label="The comment")
    assert refused.value.message_dict == {"comment": [f"The comment is {TEXT_MAX + 1:,} characters long; at most {TEXT_MAX:,} are allowed."]}


def test_a_refused_value_is_shown_by_its_length_when_long():
    assert shown_input("short") == "'short'" and shown_input(THREE_MB) == f"a text of {len(THREE_MB):,} characters"


@pytest.mark.django_db
def test_every_api_input_schema_shows_its_text_bounds_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    unbounded = []
    for name, schema in schemas.items():
        if name.endswith("Out") or name in {"FrameworkFileIn"}:  # a framework file is bounded by the file limits instead
            continue
        for field, spec in schema.get("properties", {}).items():
            options = spec.get("anyOf", [spec])
            if any(o.get("type") == "string" and "maxLength" not in o and "enum" not in o and "format" not in o for o in options):
                unbounded.append(f"{name}.{field}")
    inputs = [n for n in schemas if n.endswith("In")]
    assert inputs, "no input schemas found"
    assert [u for u in unbounded if u.split(".")[0].endswith("In")] == []
    parameters = [p for path in document["paths"].values() for op in path.values() for p in op.get("parameters", [])]
    person = [p for p in parameters if p["name"] == "person"]
    assert person and person[0]["schema"]["maxLength"] == IDENTIFIER_MAX


@pytest.mark.django_db
def test_query_string_text_is_bounded_to_what_a_url_can_carry(client, make_user):
    """A request line past about 4 KB is refused by the web server itself (an undocumented HTML 400), so text in a
    query string is documented and enforced at ``QUERY_TEXT_MAX`` characters: what the document calls valid fits."""
    document = client.get("/api/openapi.json").json()
    too_long = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                options = parameter["schema"].get("anyOf", [parameter["schema"]])
                options += [o["items"] for o in options if o.get("type") == "array"]
                for option in options:
                    if option.get("type") == "string" and option.get("maxLength", 0) > QUERY_TEXT_MAX:
                        too_long.append(f"{method.upper()} {path} {parameter['name']}: {option['maxLength']}")
    assert too_long == []

    client.force_login(make_user("administrator"))
    longer = client.get("/api/referrals/services", {"q": "q" * (QUERY_TEXT_MAX + 1)})
    assert longer.status_code == 422 and "q" in longer.content.decode()
    assert client.get("/api/referrals/services", {"q": "q" * QUERY_TEXT_MAX}).status_code == 200


@pytest.mark.django_db
def test_input_fields_show_and_enforce_the_length_their_model_saves(client, make_user):
    """A field saved to a model column with a max_length is documented and refused at that length (422, the field
    named) instead of being documented as 100,000 characters and refused later by the save."""
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

    def bound(schema: str, field: str) -> int:
        spec = schemas[schema]["properties"][field]
        return next(o["maxLength"] for o in spec.get("anyOf", [spec]) if o.get("type") == "string")

    assert bound("CaseIn", "title") == 200 and bound("CasePatch", "title") == 200 and bound("CaseIn", "description") == TEXT_MAX
    assert bound("ServiceIn", "name") == 200 and bound("ReferralIn", "contact_details") == 300
    assert bound("MonitoringIn", "indicator_code") == 80 and bound("InitiativeIn", "name") == 300

    analyst = make_user("analyst", units=["waitemata"])
    client.force_login(analyst)
    longer = client.post("/api/problems/cases", {"title": "t" * 201, "unit": "waitemata"}, content_type="application/json")
    assert longer.status_code == 422 and "title" in longer.content.decode(), longer.content
