"""Offence codes and the one rule for matching them: a code at any level of a hierarchical classification
(ANZSOC 2011: division ``07`` ⊃ subdivision ``071`` ⊃ group ``0711``) selects every event whose code starts
with it, and a code the classification does not know is an error, never a selection that matches nothing.

Every filter, serious-offence list and harm index in rocc goes through :func:`offence_selection`; without a
classification (offence *labels* such as "Burglary" in a file from elsewhere) codes are compared exactly as
written, and the selection says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from rocc.analysis.errors import AnalysisInputError


@dataclasses.dataclass(frozen=True)
class OffenceClassification:
    """A classification whose codes nest by prefix: divisions (2 digits), subdivisions (3) and groups (4).

    Groups are not listed one by one: a 4-digit code is known when its subdivision is."""

    name: str
    divisions: Mapping[str, str]  # "02" → "Acts intended to cause injury"
    subdivisions: Mapping[str, str]  # "021" → "Assault"

    def _known(self, code: str) -> bool:
        if len(code) == 2:
            return code in self.divisions
        if len(code) in (3, 4):
            return code[:3] in self.subdivisions
        return False

    def division_of(self, code: str) -> str | None:
        """The division of a code exactly as written; None when unknown."""
        code = str(code).strip()
        return code[:2] if code.isdigit() and self._known(code) else None

    def normalised(self, code: Any) -> str | None:
        """The code as the classification writes it, or None when unknown. A spreadsheet that read a code as a
        number dropped its leading zero (``211`` for ``0211``): a code unknown as written but known with the
        zero back is that code."""
        text = str(code).strip()
        if not text.isdigit():
            return None
        if self._known(text):
            return text
        if len(text) in (1, 2, 3) and self._known("0" + text):
            return "0" + text
        return None

    def title(self, code: str) -> str:
        """The title of a code's own level (a group takes its subdivision's title)."""
        if len(code) == 2:
            return self.divisions.get(code, "")
        return self.subdivisions.get(code[:3], "")

    def expected(self) -> str:
        return f"an {self.name} division, subdivision or group code (e.g. 02, 021 or 0211)"


@dataclasses.dataclass(frozen=True)
class OffenceSelection:
    """Validated offence codes and what they select. ``hierarchical``: a code selects every event whose code
    starts with it; otherwise codes are labels compared exactly as written."""

    codes: tuple[str, ...]
    hierarchical: bool
    classification: str | None = None

    def selects(self, code: str) -> bool:
        code = str(code).strip()
        if self.hierarchical:
            return any(code.startswith(c) for c in self.codes)
        return code in self.codes

    def most_specific(self, event_codes: Iterable[str]) -> np.ndarray:
        """For each event code, the position in ``codes`` of the longest code that selects it (-1 for none): a
        harm weight for ``0711`` beats one for ``07``."""
        labels = [str(c) for c in event_codes]
        by_length = sorted(range(len(self.codes)), key=lambda i: -len(self.codes[i]))
        found = np.full(len(labels), -1, dtype=np.int64)
        for row, label in enumerate(labels):
            for i in by_length:
                code = self.codes[i]
                if label.startswith(code) if self.hierarchical else label == code:
                    found[row] = i
                    break
        return found

    def mask(self, event_codes: Iterable[str]) -> np.ndarray:
        """True for each event code the selection selects (computed once per distinct code)."""
        labels = np.asarray([str(c) for c in event_codes], dtype=object)
        if not len(labels):
            return np.zeros(0, dtype=bool)
        distinct, inverse = np.unique(labels.astype(str), return_inverse=True)
        return (self.most_specific(distinct) >= 0)[inverse]

    def predicate(self, column):
        """The same rule as a query condition over a text column (Ibis, or anything with ``startswith`` and
        ``isin``), so the engine does the filtering; None when nothing is selected."""
        if not self.codes:
            return None
        if not self.hierarchical:
            return column.isin(list(self.codes))
        condition = None
        for code in self.codes:
            one = column.startswith(code)
            condition = one if condition is None else condition | one
        return condition

    def describe(self) -> str:
        if not self.codes:
            return "all offences"
        listed = ", ".join(self.codes)
        if self.hierarchical:
            return f"{self.classification} codes {listed}, each with every code below it"
        return f"offences written exactly {listed}"


def offence_selection(codes: Iterable[Any] | str | None, *, classification: OffenceClassification | None, name: str = "offence codes") -> OffenceSelection:
    """Check offence codes once: blank ones are dropped, text is trimmed, a leading zero a spreadsheet dropped is
    put back, duplicates go, and a code the classification does not know is an error that names every such code.

    ``codes`` may be a comma-separated text. Without a classification the codes are kept as written."""
    if codes is None:
        codes = []
    elif isinstance(codes, str):
        codes = codes.split(",")
    written = [str(c).strip() for c in codes if c is not None and str(c).strip()]
    if classification is None:
        return OffenceSelection(tuple(dict.fromkeys(written)), hierarchical=False)
    normal = [classification.normalised(c) for c in written]
    unknown = [c for c, n in zip(written, normal, strict=True) if n is None]
    if unknown:
        listed = ", ".join(f"'{c}'" for c in unknown)
        raise AnalysisInputError(f"{name}: unknown offence code{'s' if len(unknown) > 1 else ''} {listed}: expected {classification.expected()}")
    known = [n for n in normal if n is not None]  # every one, once the unknown ones have raised
    return OffenceSelection(tuple(dict.fromkeys(known)), hierarchical=True, classification=classification.name)


def event_offence_labels(labels: np.ndarray, *, classification: OffenceClassification | None, name: str, row_of=None) -> np.ndarray:
    """Distinct per-event offence labels in the classification's writing (leading zero back); an unknown
    non-blank one is an error naming it and, through ``row_of(position)``, its first row. Unchanged without a
    classification."""
    if classification is None:
        return labels
    out = labels.copy()
    for i, label in enumerate(labels.tolist()):
        if label == "":
            continue
        normal = classification.normalised(label)
        if normal is None:
            raise AnalysisInputError(
                f"offence code {label!r} is not {classification.expected()}; if the codes are labels of another classification, compare them as written",
                column=name,
                row=row_of(i) if row_of else None,
            )
        out[i] = normal
    return out
