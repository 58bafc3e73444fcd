"""The framework YAML file: its schema, and checking a file with every problem located by file, line and column."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import yaml
from django.core.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from rocc.org.models import OrgUnit
from rocc.org.services import agency_resolve

ALL_AGENCIES = "all"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SubActivityFile(_Strict):
    title: str = Field(min_length=1)
    note: str = ""


class ActivityFile(_Strict):
    number: int = Field(ge=1)
    priority_action_area: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    status: Literal["not_started", "on_track", "at_risk", "off_track", "complete", "description_pending"] = "not_started"
    sub_activities: list[SubActivityFile] = []
    lead: list[str] = []
    support: list[str] = []


class FocusAreaFile(_Strict):
    kind: Literal["SUPPLY", "DEMAND", "RESILIENCE", "ENABLE"]
    statement: str = Field(min_length=1)
    activities: list[ActivityFile] = []


class ActionPlanFile(_Strict):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    title: str = Field(min_length=1)
    year: int = Field(ge=1)
    status: Literal["draft", "active", "closed"] = "draft"
    unit: str = Field(min_length=1)
    focus_areas: list[FocusAreaFile] = []


class PrincipleFile(_Strict):
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)


class ObjectiveFile(_Strict):
    link: Literal["resilience", "demand", "supply"]
    statement: str = Field(min_length=1)


class FrameworkFile(_Strict):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    name: str = Field(min_length=1)
    jurisdiction: str = Field(min_length=1)
    mandate: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    linked_strategies: list[str] = []
    principles: list[PrincipleFile] = []
    objectives: list[ObjectiveFile] = []
    barriers: list[str] = []
    measures: list[str] = []
    outcomes: list[str] = []
    action_plans: list[ActionPlanFile] = []


@dataclass(frozen=True)
class FileProblem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class FrameworkFileInvalid(Exception):
    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _positions(node, path=(), found=None) -> dict[tuple, tuple[int, int]]:
    """Where each value (and each mapping key, under the path ending in ("key", name)) starts, 1-based."""
    found = {} if found is None else found
    found[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found[path + (("key", key.value),)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _positions(value, path + (key.value,), found)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, path + (index,), found)
    return found


def _where(positions, path: tuple, *, key: bool = False) -> tuple[int, int]:
    if key and path and (path[:-1] + (("key", path[-1]),)) in positions:
        return positions[path[:-1] + (("key", path[-1]),)]
    while path not in positions:
        path = path[:-1]
    return positions[path]


def _schema_message(error: dict) -> str:
    name = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown field '{error['loc'][-1]}'"
    if error["type"] == "missing":
        return f"'{name}' is missing"
    return f"'{name}': {error['msg'].lower()} (got {error['input']!r})"


def framework_file_check(text: str, *, source: str) -> tuple[FrameworkFile | None, list[FileProblem]]:
    """The parsed file, or the list of everything wrong with it, each problem with its line and column."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [FileProblem(source, line, column, f"not valid YAML: {getattr(error, 'problem', error)}")]
    if root is None or not isinstance(data, dict):
        return None, [FileProblem(source, 1, 1, "expected a mapping with a framework's code, name, jurisdiction, mandate and goal")]
    positions = _positions(root)
    try:
        parsed = FrameworkFile.model_validate(data)
    except SchemaError as error:
        return None, [
            FileProblem(source, *_where(positions, tuple(e["loc"]), key=e["type"] == "extra_forbidden"), _schema_message(e))
            for e in error.errors()
        ]
    problems = [FileProblem(source, *_where(positions, path), message) for path, message in _meaning_problems(parsed)]
    return (None, problems) if problems else (parsed, [])


def _meaning_problems(framework: FrameworkFile):
    """What the schema cannot see: duplicates, and references to agencies and units that do not exist."""
    for index, count in _duplicates([o.link for o in framework.objectives]):
        yield ("objectives", index, "link"), f"the objective '{framework.objectives[index].link}' appears {count} times; each link of the chain appears once"
    for index, count in _duplicates([p.code for p in framework.action_plans]):
        yield ("action_plans", index, "code"), f"the plan code '{framework.action_plans[index].code}' is used {count} times"
    for p, plan in enumerate(framework.action_plans):
        where = ("action_plans", p)
        if not OrgUnit.objects.filter(code=plan.unit).exists():
            yield where + ("unit",), f"no organisational unit has the code '{plan.unit}'"
        for index, count in _duplicates([f.kind for f in plan.focus_areas]):
            yield where + ("focus_areas", index, "kind"), f"the focus area {plan.focus_areas[index].kind} appears {count} times in the plan"
        numbered = [(f, a, activity) for f, area in enumerate(plan.focus_areas) for a, activity in enumerate(area.activities)]
        seen: dict[int, int] = {}
        for f, a, activity in numbered:
            at = where + ("focus_areas", f, "activities", a)
            if activity.number in seen:
                yield at + ("number",), f"activity number {activity.number} is used twice in the plan"
            seen[activity.number] = a
            named: set[int] = set()
            for role in ("lead", "support"):
                for i, name in enumerate(getattr(activity, role)):
                    if name.strip().casefold() == ALL_AGENCIES:
                        continue
                    try:
                        agency = agency_resolve(name)
                    except ValidationError:
                        yield at + (role, i), f"no agency is called '{name}' (use a short name, name or alias from the agency list, or All)"
                        continue
                    if agency.pk in named:
                        yield at + (role, i), f"the agency '{name}' is named twice for activity {activity.number}"
                    named.add(agency.pk)


def _duplicates(values: list) -> list[tuple[int, int]]:
    """(index of each repeat after the first, total count) for every value that repeats."""
    counts = Counter(values)
    first_seen: set = set()
    repeats = []
    for index, value in enumerate(values):
        if value in first_seen:
            repeats.append((index, counts[value]))
        first_seen.add(value)
    return repeats


def framework_yaml(framework, plans) -> str:
    """The framework and the given plans as a file in this format; reading it back gives the same records."""
    data = {
        "code": framework.code, "name": framework.name, "jurisdiction": framework.jurisdiction,
        "mandate": framework.mandate, "goal": framework.goal, "linked_strategies": list(framework.linked_strategies),
        "principles": [{"name": p.name, "description": p.description} for p in framework.principles.all()],
        "objectives": [{"link": o.link, "statement": o.statement} for o in framework.objectives.all()],
        "barriers": [b.text for b in framework.barriers.all()],
        "measures": [m.text for m in framework.measures.all()],
        "outcomes": [o.text for o in framework.outcomes.all()],
        "action_plans": [_plan_data(plan) for plan in plans],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _agency_names(activity, role: str, all_agencies: bool) -> list[str]:
    names = ["All"] if all_agencies else []
    return names + [link.agency.short_name for link in activity.agency_links.all() if link.role == role]


def _plan_data(plan) -> dict:
    focus_areas = []
    for focus_area in plan.focus_areas.all():
        activities = (
            plan.activities.filter(priority_action_area__focus_area=focus_area)
            .select_related("priority_action_area").prefetch_related("sub_activities", "agency_links__agency").order_by("number")
        )
        focus_areas.append({
            "kind": focus_area.kind,
            "statement": focus_area.statement,
            "activities": [{
                "number": a.number, "priority_action_area": a.priority_action_area.title, "title": a.title,
                "description": a.description, "status": a.status,
                "sub_activities": [{"title": s.title, "note": s.note} for s in a.sub_activities.all()],
                "lead": _agency_names(a, "lead", a.all_agencies_lead),
                "support": _agency_names(a, "support", a.all_agencies_support),
            } for a in activities],
        })
    return {"code": plan.code, "title": plan.title, "year": plan.year, "status": plan.status, "unit": plan.scope_unit.code,
            "focus_areas": focus_areas}
