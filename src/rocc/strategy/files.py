"""The framework YAML file (a framework with its action plans and co-designed district plans): its schema, checking
a file with every problem located by file, line and column, and writing records back out in the same form."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as SchemaError

from rocc.core import limits
from rocc.core.bounds import TEXT_MAX, shown_input
from rocc.core.errors import InvalidInput
from rocc.org.models import OrgUnit
from rocc.org.services import agency_resolve
from rocc.strategy.codesign import find_cycle, link_allowed
from rocc.strategy.models import QUESTIONS, Activity, DistrictPlan
from rocc.strategy.selectors.plans import measures_indicators_all

ALL_AGENCIES = "all"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=TEXT_MAX)  # a 3 MB goal is refused


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


class BoxFile(_Strict):
    id: str = Field(pattern=r"^[-a-z0-9_]+$", max_length=80)
    kind: Literal["activity", "output", "outcome", "impact"]
    text: str = Field(min_length=1)
    owner: str = ""
    timeframe: str = ""
    leads_to: list[str] = []
    activities: list[str] = []  # action-plan activities as "<plan code>/<number>"
    reported_indicator: str = Field("", pattern=r"^[-a-z0-9_]*$", max_length=80)  # an output's figure: a Measures indicator code


class MonitoringFile(_Strict):
    outcome: str = Field(min_length=1)
    indicator_code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=80)  # an indicator of the Measures catalogue
    indicator_name: str = ""  # the group's own wording for it; the catalogue's name when left out
    baseline: str = ""
    data_source: str = ""
    responsible_agency: str = ""
    responsibility: str = ""


class DistrictPlanFile(_Strict):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)
    title: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    example: bool = False
    version: int = Field(default=1, ge=1)
    status: Literal["draft", "agreed", "active", "under_review"] = "draft"
    agreed_by: str = ""
    agreed_at: str = ""
    focus_areas: list[str] = []
    conditions: list[str] = []
    answers: dict[str, str] = {}
    logic_model: list[BoxFile] = []
    monitoring: list[MonitoringFile] = []


DISTRICT_PLAN_CONTENT = {"focus_areas", "conditions", "answers", "logic_model", "monitoring"}


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
    district_plans: list[DistrictPlanFile] = []


@dataclass(frozen=True)
class FileProblem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class FrameworkFileInvalid(InvalidInput):
    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("The file was not imported.")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def answer(self) -> dict:
        return {**super().answer(), "problems": [str(p) for p in self.problems]}


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
    if path and isinstance(path[-1], tuple) and path in positions:  # already a ("key", name) path
        return positions[path]
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
    return f"'{name}': {error['msg'].lower()} (got {shown_input(error['input'])})"


def indicator_catalogue_for_files() -> dict[str, str]:
    """The indicators a framework file may name (code → name): those of the Measures catalogue, and those shipped with
    rocc. The shipped ones count because ``rocc load-defaults`` loads the shipped framework before the shipped
    indicators (they link to its action-plan activities), so its monitoring rows name indicators loaded just after."""
    shipped_text = resources.files("rocc.measures.defaults").joinpath("indicators.yaml").read_text(encoding="utf-8")
    shipped = {str(entry["code"]): str(entry.get("name") or entry["code"]) for entry in yaml.safe_load(shipped_text) or []}
    return {**shipped, **measures_indicators_all()}


def framework_file_check(text: str, *, source: str, catalogue: dict[str, str] | None = None) -> tuple[FrameworkFile | None, list[FileProblem]]:
    """The parsed file, or the list of everything wrong with it, each problem with its line and column. Indicators a
    plan names (monitoring rows, an output's reported figure) are checked against ``catalogue`` (code → name;
    :func:`indicator_catalogue_for_files` when not given)."""
    try:
        limits.size_check(len(text.encode("utf-8", errors="replace")), file=source, in_request=True)
    except limits.FileRefusal as refusal:
        return None, [FileProblem(source, 1, 1, refusal.message)]
    try:
        root, data = limits.yaml_compose(text)  # within the alias, depth and size limits (a YAML "billion laughs" is refused)
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
        return None, [FileProblem(source, *_where(positions, tuple(e["loc"]), key=e["type"] == "extra_forbidden"), _schema_message(e)) for e in error.errors()]
    problems = [
        FileProblem(source, *_where(positions, path, key=bool(path) and isinstance(path[-1], tuple)), message)
        for path, message in [
            *_meaning_problems(parsed),
            *_district_plan_problems(parsed, catalogue if catalogue is not None else (indicator_catalogue_for_files() if parsed.district_plans else {})),
        ]
    ]
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


def _not_in_catalogue(code: str) -> str:
    return (
        f"'{code}' is not an indicator of the Measures catalogue: define it under Measures first (or load the file of "
        "indicators that defines it), then name it here by its code"
    )


def _district_plan_problems(framework: FrameworkFile, catalogue: dict[str, str]):
    """References inside co-designed plans: units, users, boxes, chains (no cycles, only forward links),
    action-plan activities, outcomes and agencies."""

    in_file = {(p.code, a.number) for p in framework.action_plans for f in p.focus_areas for a in f.activities}
    for index, count in _duplicates([p.code for p in framework.district_plans]):
        yield ("district_plans", index, "code"), f"the plan code '{framework.district_plans[index].code}' is used {count} times"

    for p, plan in enumerate(framework.district_plans):
        where = ("district_plans", p)
        other = DistrictPlan.objects.filter(code=plan.code).exclude(framework__code=framework.code).select_related("framework").first()
        if other is not None:
            yield where + ("code",), f"the plan code '{plan.code}' belongs to a plan of another framework ({other.framework.code})"
        if not OrgUnit.objects.filter(code=plan.unit).exists():
            yield where + ("unit",), f"no organisational unit has the code '{plan.unit}'"
        if plan.status == "draft":
            for name in ("agreed_by", "agreed_at"):
                if getattr(plan, name):
                    yield where + (name,), f"a draft has not been agreed: remove '{name}' or give the status it was agreed with"
        else:
            if not plan.agreed_by:
                yield where + ("status",), f"a plan that is {plan.status.replace('_', ' ')} says who agreed it: 'agreed_by' is missing"
            elif not get_user_model().objects.filter(username=plan.agreed_by).exists():
                yield where + ("agreed_by",), f"no user is called '{plan.agreed_by}'"
            try:
                when = dt.datetime.fromisoformat(plan.agreed_at)
                if when.tzinfo is None:
                    yield where + ("agreed_at",), f"'{plan.agreed_at}' has no time zone (write it like 2026-03-01T10:00:00+13:00)"
            except ValueError:
                yield where + ("agreed_at",), f"expected the date and time it was agreed, like 2026-03-01T10:00:00+13:00 (got {plan.agreed_at!r})"
        for question in plan.answers:
            if question not in QUESTIONS:
                yield where + ("answers", ("key", question)), f"unknown question '{question}' (the questions are: {', '.join(QUESTIONS)})"
        boxes = {}
        for index, count in _duplicates([b.id for b in plan.logic_model]):
            yield where + ("logic_model", index, "id"), f"the box id '{plan.logic_model[index].id}' is used {count} times in the plan"
        for b, box in enumerate(plan.logic_model):
            boxes.setdefault(box.id, (b, box))
        for b, box in enumerate(plan.logic_model):
            at = where + ("logic_model", b)
            for t, target in enumerate(box.leads_to):
                if target not in boxes:
                    yield at + ("leads_to", t), f"unknown reference: no box of this plan has the id '{target}'"
                elif not link_allowed(box.kind, boxes[target][1].kind):
                    yield (
                        at + ("leads_to", t),
                        (f"a chain runs activity → output → outcome → impact: the {box.kind} '{box.id}' cannot lead to the {boxes[target][1].kind} '{target}'"),
                    )
            if box.reported_indicator and box.kind != "output":
                yield at + ("reported_indicator",), f"only an output carries a reported figure; '{box.id}' is an {box.kind}"
            elif box.reported_indicator and box.reported_indicator not in catalogue:
                yield at + ("reported_indicator",), _not_in_catalogue(box.reported_indicator)
            for a, reference in enumerate(box.activities):
                plan_code, _, number = reference.partition("/")
                known = number.isdigit() and (
                    (plan_code, int(number)) in in_file
                    or Activity.objects.filter(plan__code=plan_code, number=int(number), plan__framework__code=framework.code).exists()
                )
                if not known:
                    yield at + ("activities", a), f"unknown reference: no activity '{reference}' (write <action plan code>/<number>, e.g. rocc-year-2/5)"
        cycle = find_cycle({box.id: [t for t in box.leads_to if t in boxes] for box in plan.logic_model})
        if cycle:
            yield where + ("logic_model", boxes[cycle[0]][0], "leads_to"), "the chain goes round in a circle: " + " → ".join(cycle)
        for m, row in enumerate(plan.monitoring):
            at = where + ("monitoring", m)
            if row.outcome not in boxes:
                yield at + ("outcome",), f"unknown reference: no box of this plan has the id '{row.outcome}'"
            elif boxes[row.outcome][1].kind != "outcome":
                yield at + ("outcome",), f"'{row.outcome}' is an {boxes[row.outcome][1].kind}, not an outcome; monitoring rows belong to outcomes"
            if row.indicator_code not in catalogue:
                yield at + ("indicator_code",), _not_in_catalogue(row.indicator_code)
            if row.responsible_agency:
                try:
                    agency_resolve(row.responsible_agency)
                except ValidationError:
                    yield at + ("responsible_agency",), f"no agency is called '{row.responsible_agency}' (use a short name, name or alias from the agency list)"


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


def framework_yaml(framework, plans, district_plans=()) -> str:
    """The framework and the given plans as a file in this format; reading it back gives the same records.
    ``district_plans`` are (plan, version) pairs: a co-designed plan is written as one of its versions."""
    data = {
        "code": framework.code,
        "name": framework.name,
        "jurisdiction": framework.jurisdiction,
        "mandate": framework.mandate,
        "goal": framework.goal,
        "linked_strategies": list(framework.linked_strategies),
        "principles": [{"name": p.name, "description": p.description} for p in framework.principles.all()],
        "objectives": [{"link": o.link, "statement": o.statement} for o in framework.objectives.all()],
        "barriers": [b.text for b in framework.barriers.all()],
        "measures": [m.text for m in framework.measures.all()],
        "outcomes": [o.text for o in framework.outcomes.all()],
        "action_plans": [_plan_data(plan) for plan in plans],
    }
    district_plans = [district_plan_data(plan, version) for plan, version in district_plans]
    if district_plans:
        data["district_plans"] = district_plans
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _agency_names(activity, role: str, all_agencies: bool) -> list[str]:
    names = ["All"] if all_agencies else []
    return names + [link.agency.short_name for link in activity.agency_links.all() if link.role == role]


def _plan_data(plan) -> dict:
    focus_areas = []
    for focus_area in plan.focus_areas.all():
        activities = (
            plan.activities.filter(priority_action_area__focus_area=focus_area)
            .select_related("priority_action_area")
            .prefetch_related("sub_activities", "agency_links__agency")
            .order_by("number")
        )
        focus_areas.append(
            {
                "kind": focus_area.kind,
                "statement": focus_area.statement,
                "activities": [
                    {
                        "number": a.number,
                        "priority_action_area": a.priority_action_area.title,
                        "title": a.title,
                        "description": a.description,
                        "status": a.status,
                        "sub_activities": [{"title": s.title, "note": s.note} for s in a.sub_activities.all()],
                        "lead": _agency_names(a, "lead", a.all_agencies_lead),
                        "support": _agency_names(a, "support", a.all_agencies_support),
                    }
                    for a in activities
                ],
            }
        )
    return {"code": plan.code, "title": plan.title, "year": plan.year, "status": plan.status, "unit": plan.scope_unit.code, "focus_areas": focus_areas}


def district_plan_data(plan, version) -> dict:
    """A co-designed plan as the file writes it: the identity, the version's number and status, and its four steps."""

    elements = list(version.elements.prefetch_related("leads_to", "activities__plan"))
    data = {"code": plan.code, "title": plan.title, "unit": plan.scope_unit.code}
    if plan.is_example:
        data["example"] = True
    data["version"] = version.number
    data["status"] = "draft" if version.status == "superseded" else version.status
    if data["status"] != "draft":
        data["agreed_by"] = version.agreed_by.get_username()
        data["agreed_at"] = timezone.localtime(version.agreed_at).isoformat()
    data["focus_areas"] = [p.text for p in version.focus_areas.all()]
    data["conditions"] = [p.text for p in version.conditions.all()]
    data["answers"] = {a.question: a.text for a in version.answers.all()}
    boxes = []
    for e in elements:
        box = {"id": e.key, "kind": e.kind, "text": e.text}
        if e.owner:
            box["owner"] = e.owner
        if e.timeframe:
            box["timeframe"] = e.timeframe
        box["leads_to"] = [t.key for t in sorted(e.leads_to.all(), key=lambda t: t.order)]
        links = sorted(e.activities.all(), key=lambda a: (a.plan.code, a.number))
        if links:
            box["activities"] = [f"{a.plan.code}/{a.number}" for a in links]
        if e.reported_indicator_code:
            box["reported_indicator"] = e.reported_indicator_code
        boxes.append(box)
    data["logic_model"] = boxes
    rows = []
    for r in version.monitoring.select_related("outcome", "responsible_agency"):
        row = {
            "outcome": r.outcome.key,
            "indicator_code": r.indicator_code,
            "indicator_name": r.indicator_name,
            "baseline": r.baseline,
            "data_source": r.data_source,
        }
        if r.responsible_agency:
            row["responsible_agency"] = r.responsible_agency.short_name
        if r.responsibility:
            row["responsibility"] = r.responsibility
        rows.append(row)
    data["monitoring"] = rows
    return data


def file_problem_at(text: str, *, source: str, path: tuple, message: str) -> FileProblem:
    """A problem found after checking (for example while loading), located in the file like the others."""
    return FileProblem(source, *_where(_positions(yaml.compose(text)), path), message)
