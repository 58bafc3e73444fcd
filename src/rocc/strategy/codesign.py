"""The rules of a co-designed plan that reads and writes share: what is still missing in each of the four steps,
which links a logic chain allows, when two boxes are the same box, which boxes are on no chain, and what removing
a priority action takes with it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rocc.core.text import fold, nfc
from rocc.strategy.models import (
    KIND_RANK,
    MONITORING_QUESTIONS,
    PRIORITY_ACTION_QUESTIONS,
    ChainElement,
    ElementKind,
    MonitoringRow,
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
                return path[path.index(nxt) :] + [nxt]
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


def box_match_key(text: str) -> str:
    """Two boxes of one kind are the same box when their words are: NFC, then case, macrons and runs of white space
    folded ("Whanau  support" is "Whānau support")."""
    return " ".join(fold(nfc(text)).split())


def _chains(version: PlanVersion) -> tuple[list[ChainElement], dict[int, list[ChainElement]], dict[int, list[ChainElement]]]:
    """The version's boxes, where each leads, and what each priority action reaches."""
    elements = list(version.elements.prefetch_related("leads_to"))
    edges = {e.pk: list(e.leads_to.all()) for e in elements}
    reach = {e.pk: _reachable(e, edges) for e in elements if e.kind == ElementKind.ACTIVITY}
    return elements, edges, reach


def stray_boxes(version: PlanVersion) -> list[ChainElement]:
    """Outputs, outcomes and impacts that no priority action leads to, directly or through other boxes: boxes on
    no chain, which the agree gate refuses and the step-3 page lists for removal."""
    elements, _, reach = _chains(version)
    return _stray(elements, reach)


def _stray(elements: list[ChainElement], reach: dict[int, list[ChainElement]]) -> list[ChainElement]:
    on_a_chain = {e.pk for found in reach.values() for e in found}
    return [e for e in elements if e.kind != ElementKind.ACTIVITY and e.pk not in on_a_chain]


_NOT_FED_BY = {ElementKind.OUTPUT: "priority action", ElementKind.OUTCOME: "priority action's output", ElementKind.IMPACT: "priority action's outcome"}


def stray_box_message(element: ChainElement) -> str:
    return (
        f"{element.get_kind_display()} {_quoted(element.text)} is on no chain: no {_NOT_FED_BY[element.kind]} leads to it. Link it into a chain or remove it."
    )


@dataclass(frozen=True)
class ChainRemoval:
    """What removing one priority action does: the boxes that go with it (the action, then every box that no other
    priority action reaches), the boxes that stay because other priority actions still use them, and the monitoring
    rows of the outcomes that go."""

    action: ChainElement
    removed: list[ChainElement]
    kept: list[tuple[ChainElement, list[ChainElement]]] = field(default_factory=list)
    monitoring: list[MonitoringRow] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Names what the removal takes, so a removal confirmed on a page that has since gone stale is refused. It is
        made of keys, not row ids, so a removal shown on an agreed version confirms on the draft copied from it."""
        parts = sorted(e.key for e in self.removed) + sorted(f"{r.outcome.key}:{r.indicator_code}:{r.indicator_name}" for r in self.monitoring)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def chain_removal(version: PlanVersion, action: ChainElement) -> ChainRemoval:
    """What removing the priority action ``action`` (an activity box of ``version``) removes and what it leaves."""
    _, _, reach = _chains(version)
    downstream = reach[action.pk]
    others = [(pk, {e.pk for e in found}) for pk, found in reach.items() if pk != action.pk]
    actions = {e.pk: e for e in version.elements.filter(kind=ElementKind.ACTIVITY)}
    removed, kept = [action], []
    for element in sorted(downstream, key=lambda e: (KIND_RANK[e.kind], e.order)):
        users = [actions[pk] for pk, found in others if element.pk in found]
        if users:
            kept.append((element, sorted(users, key=lambda e: e.order)))
        else:
            removed.append(element)
    monitoring = list(MonitoringRow.objects.filter(outcome__in=removed).select_related("outcome").order_by("order"))
    return ChainRemoval(action=action, removed=removed, kept=kept, monitoring=monitoring)


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

    elements, _, reach = _chains(version)
    actions = [e for e in elements if e.kind == ElementKind.ACTIVITY]
    if not actions:
        gaps.append(Gap(3, "No priority action yet: add at least one chain Activity → Output → Outcome → Impact."))
    for action in actions:
        kinds = {e.kind for e in reach[action.pk]}
        if ElementKind.OUTPUT not in kinds:
            gaps.append(Gap(3, f"Priority action {_quoted(action.text)} has no output.", blocking=False))
        if ElementKind.OUTCOME not in kinds:
            gaps.append(Gap(3, f"Priority action {_quoted(action.text)} has no outcome."))
        if ElementKind.IMPACT not in kinds:
            gaps.append(Gap(3, f"Priority action {_quoted(action.text)} has no impact."))

    gaps.extend(Gap(3, stray_box_message(element)) for element in _stray(elements, reach))

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
            gaps.append(
                Gap(
                    4,
                    f"Outcome {_quoted(outcome.text)}: indicator {_quoted(row.indicator_name or row.indicator_code)} "
                    f"has no {' and no '.join(m.removeprefix('an ').removeprefix('a ') for m in missing)}.",
                )
            )
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
