"""Two versions of a co-designed plan side by side: each step's lines matched up, with what was added, removed or changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rocc.strategy.models import QUESTIONS, PlanVersion


@dataclass(frozen=True)
class Line:
    left: str
    right: str
    change: str  # same | added | removed | changed


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[Line]

    @property
    def changed(self) -> int:
        return sum(1 for line in self.lines if line.change != "same")


def _version_lines(version: PlanVersion) -> list[tuple[str, list[str]]]:
    elements = list(version.elements.prefetch_related("leads_to", "activities__plan"))
    names = {e.pk: e.key for e in elements}

    def element_line(e) -> str:
        line = f"[{e.key}] {e.get_kind_display()}: {e.text}"
        if e.owner:
            line += f" · owner: {e.owner}"
        if e.timeframe:
            line += f" · timeframe: {e.timeframe}"
        targets = sorted(names[t.pk] for t in e.leads_to.all())
        if targets:
            line += " → " + ", ".join(targets)
        activities = sorted(f"{a.plan.code}/{a.number}" for a in e.activities.all())
        if activities:
            line += " · action plan: " + ", ".join(activities)
        return line

    answers = {a.question: a.text for a in version.answers.all()}
    monitoring = [
        f"{r.outcome.key}: {r.indicator_name} [{r.indicator_code}] · baseline: {r.baseline or '—'} · data source: "
        f"{r.data_source or '—'} · responsibility: {r.responsible_agency.short_name if r.responsible_agency else '—'}"
        + (f" ({r.responsibility})" if r.responsibility else "")
        for r in version.monitoring.select_related("outcome", "responsible_agency")
    ]
    return [
        ("1. Focus areas", [p.text for p in version.focus_areas.all()]),
        ("2. Conditions for success", [p.text for p in version.conditions.all()]),
        ("Questions", [f"{QUESTIONS[q]} {answers[q]}" for q in QUESTIONS if q in answers]),
        ("3. Priority actions (logic model boxes)", [element_line(e) for e in elements]),
        ("4. Monitoring framework", monitoring),
    ]


def _pair(left: list[str], right: list[str]) -> list[Line]:
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=left, b=right, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [Line(left[i], right[j], "same") for i, j in zip(range(i1, i2), range(j1, j2))]
        elif tag == "delete":
            lines += [Line(left[i], "", "removed") for i in range(i1, i2)]
        elif tag == "insert":
            lines += [Line("", right[j], "added") for j in range(j1, j2)]
        else:
            olds, news = left[i1:i2], right[j1:j2]
            for n in range(max(len(olds), len(news))):
                old, new = (olds[n] if n < len(olds) else ""), (news[n] if n < len(news) else "")
                lines.append(Line(old, new, "changed" if old and new else ("removed" if old else "added")))
    return lines


def versions_compare(left: PlanVersion, right: PlanVersion) -> list[Section]:
    """The steps of two versions line by line; a line only on the left was removed, only on the right added."""
    return [Section(title, _pair(a, b)) for (title, a), (_, b) in zip(_version_lines(left), _version_lines(right))]
