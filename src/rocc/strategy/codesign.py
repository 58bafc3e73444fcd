"""The rules of a co-designed plan that reads and writes share: what is still missing in each of the four steps,
which links a logic chain allows, and how a version's content is written out for comparison and files."""

from __future__ import annotations

from dataclasses import dataclass

from rocc.strategy.models import (
    KIND_RANK,
    MONITORING_QUESTIONS,
    PRIORITY_ACTION_QUESTIONS,
    ChainElement,
    ElementKind,
    PlanVersion,
)

STEPS = [
    (1, "Focus areas", "Agree the issues for the community"),
    (2, "Conditions for success", "Understand the environment & agree what is needed to succeed"),
    (3, "Priority actions", "Agree the priority actions to address the issues"),
    (4, "Monitoring framework", "Agree how to monitor the priority actions"),
]
STEP_QUESTIONS = {3: PRIORITY_ACTION_QUESTIONS, 4: MONITORING_QUESTIONS}


@dataclass(frozen=True)
class Gap:
    """Something a plan still lacks. A blocking gap stops the plan being agreed; the others are reminders."""

    step: int
    message: str
    blocking: bool = True


def link_allowed(source_kind: str, target_kind: str) -> bool:
    """A chain runs Activity → Output → Outcome → Impact; an outcome may also lead to a longer-term outcome
    and an impact to a wider impact. Nothing leads back."""
    if source_kind == target_kind:
        return source_kind in (ElementKind.OUTCOME, ElementKind.IMPACT)
    return KIND_RANK[target_kind] > KIND_RANK[source_kind]


def find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a graph given as key → keys it leads to, as the keys around it (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _reachable(start: ChainElement, edges: dict[int, list[ChainElement]]) -> list[ChainElement]:
    seen, todo, found = {start.pk}, list(edges.get(start.pk, [])), []
    while todo:
        element = todo.pop()
        if element.pk in seen:
            continue
        seen.add(element.pk)
        found.append(element)
        todo.extend(edges.get(element.pk, []))
    return found


def _quoted(text: str, limit: int = 70) -> str:
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def version_gaps(version: PlanVersion) -> list[Gap]:
    """Every gap of a version, step by step. Blocking: a step with nothing in it, a priority action that reaches
    no outcome or no impact, an outcome without an indicator that has a data source and a responsible
    organisation. Reminders: a priority action without an output, questions not answered yet."""
    gaps: list[Gap] = []
    if not version.focus_areas.exists():
        gaps.append(Gap(1, "No focus area yet: agree at least one issue for the community."))
    if not version.conditions.exists():
        gaps.append(Gap(2, "No condition for success yet: agree what is needed to succeed."))

    elements = list(version.elements.prefetch_related("leads_to"))
    edges = {e.pk: list(e.leads_to.all()) for e in elements}
    actions = [e for e in elements if e.kind == ElementKind.ACTIVITY]
    if not actions:
        gaps.append(Gap(3, "No priority action yet: add at least one chain Activity → Output → Outcome → Impact."))
    for action in actions:
        kinds = {e.kind for e in _reachable(action, edges)}
        if ElementKind.OUTPUT not in kinds:
            gaps.append(Gap(3, f"Priority action {_quoted(action.text)} has no output.", blocking=False))
        if ElementKind.OUTCOME not in kinds:
            gaps.append(Gap(3, f"Priority action {_quoted(action.text)} has no outcome."))
        if ElementKind.IMPACT not in kinds:
            gaps.append(Gap(3, f"Priority action {_quoted(action.text)} has no impact."))

    answered = {a.question for a in version.answers.all() if a.text.strip()}
    for step, questions in STEP_QUESTIONS.items():
        for code, question in questions:
            if code not in answered:
                gaps.append(Gap(step, f"Not answered yet: {question}", blocking=False))

    rows_by_outcome: dict[int, list] = {}
    for row in version.monitoring.select_related("responsible_agency"):
        rows_by_outcome.setdefault(row.outcome_id, []).append(row)
    for outcome in (e for e in elements if e.kind == ElementKind.OUTCOME):
        rows = rows_by_outcome.get(outcome.pk, [])
        if any(row.is_complete for row in rows):
            continue
        if not rows or not any(row.indicator_code and row.indicator_name for row in rows):
            gaps.append(Gap(4, f"Outcome {_quoted(outcome.text)} has no indicator."))
            continue
        for row in rows:
            missing = []
            if not (row.indicator_code and row.indicator_name):
                missing.append("an indicator code and name")
            if not row.data_source:
                missing.append("a data source")
            if not row.responsible_agency_id:
                missing.append("a responsible organisation")
            gaps.append(Gap(4, f"Outcome {_quoted(outcome.text)}: indicator {_quoted(row.indicator_name or row.indicator_code)} "
                               f"has no {' and no '.join(m.removeprefix('an ').removeprefix('a ') for m in missing)}."))
    return gaps


@dataclass(frozen=True)
class StepProgress:
    number: int
    title: str
    purpose: str
    count: int
    gaps: list[Gap]

    @property
    def blocking(self) -> list[Gap]:
        return [g for g in self.gaps if g.blocking]

    @property
    def done(self) -> bool:
        return self.count > 0 and not self.blocking


def version_progress(version: PlanVersion) -> list[StepProgress]:
    gaps = version_gaps(version)
    counts = {
        1: version.focus_areas.count(),
        2: version.conditions.count(),
        3: version.elements.filter(kind=ElementKind.ACTIVITY).count(),
        4: version.monitoring.count(),
    }
    return [StepProgress(n, title, purpose, counts[n], [g for g in gaps if g.step == n]) for n, title, purpose in STEPS]
