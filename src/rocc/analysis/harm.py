"""Harm weighting: a weight per offence code (for example sentencing-based days), the per-event
weights it gives, and the harm profile of a set of events.

With a classification (rocc passes ANZSOC 2011) a weight given for a code at any level weights every event
whose code starts with it, the most specific listed code winning (a weight for ``0711`` beats one for ``07``),
and the index and the events are checked against it; without one, codes are labels compared as written."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import column, read_table
from rocc.analysis.offences import OffenceClassification, OffenceSelection, event_offence_labels
from rocc.analysis.results import jsonable


@dataclasses.dataclass(frozen=True)
class HarmIndex:
    """A harm weight (≥ 0) per offence code; codes are trimmed text, and with a ``classification`` they are
    that classification's codes at any level (checked, leading zero put back)."""

    weights: Mapping[str, float]
    source: str | None = None
    classification: OffenceClassification | None = None

    def __post_init__(self) -> None:
        if not self.weights:
            raise AnalysisInputError("the harm index has no offence codes")
        for code, weight in self.weights.items():
            if not isinstance(code, str) or not code.strip():
                raise AnalysisInputError(f"harm index: offence code {code!r} is not a non-blank text code")
            if not np.isfinite(weight) or weight < 0:
                raise AnalysisInputError(f"harm index: weight {weight!r} of offence code {code!r} must be a number ≥ 0")
        written = {code.strip(): float(weight) for code, weight in self.weights.items()}
        if self.classification is not None:
            normal: dict[str, float] = {}
            for code, weight in written.items():
                as_code = self.classification.normalised(code)
                if as_code is None:
                    raise AnalysisInputError(f"harm index: unknown offence code {code!r}: expected {self.classification.expected()}")
                if as_code in normal:
                    raise AnalysisInputError(f"harm index: offence code {code!r} is listed twice (as {as_code})")
                normal[as_code] = weight
            written = normal
        object.__setattr__(self, "weights", written)

    @property
    def selection(self) -> OffenceSelection:
        """The index's codes as a selection: what each weight applies to."""
        return OffenceSelection(
            tuple(self.weights), hierarchical=self.classification is not None, classification=self.classification.name if self.classification else None
        )


def harm_index_from_table(frame: pd.DataFrame, *, source: str | None = None, classification: OffenceClassification | None = None) -> HarmIndex:
    """A harm index from a table with columns ``offence_code`` and ``weight`` (other columns are ignored).
    With a ``classification`` each code is checked against it (an unknown one is an error naming its row) and
    two spellings of one code (``211`` and ``0211``) are a code listed twice."""
    codes = column(frame, "offence_code").astype(str).str.strip()
    raw = column(frame, "weight")
    weights = pd.to_numeric(raw, errors="coerce")
    for row, (code, text, weight) in enumerate(zip(codes, raw, weights, strict=True), start=1):
        if not code:
            raise AnalysisInputError("blank offence code", column="offence_code", row=row)
        if pd.isna(weight) or not np.isfinite(weight):
            raise AnalysisInputError(f"expected a number, found {text!r}", column="weight", row=row)
        if weight < 0:
            raise AnalysisInputError(f"harm weights must be ≥ 0, found {weight:g}", column="weight", row=row)
    if classification is not None:
        for row, code in enumerate(codes, start=1):
            if classification.normalised(code) is None:
                raise AnalysisInputError(f"unknown offence code {code!r}: expected {classification.expected()}", column="offence_code", row=row)
        codes = codes.map(classification.normalised)
    duplicated = codes.duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0]) + 1
        raise AnalysisInputError(f"offence code {codes.iloc[row - 1]!r} is listed twice", column="offence_code", row=row)
    return HarmIndex(weights=dict(zip(codes, weights.astype(float), strict=True)), source=source, classification=classification)


def harm_index_read(path: str | Path, *, classification: OffenceClassification | None = None) -> HarmIndex:
    """Read a harm index CSV/Excel/Parquet file with columns ``offence_code,weight``."""
    try:
        return harm_index_from_table(read_table(path), source=Path(path).name, classification=classification)
    except AnalysisInputError as exc:
        raise AnalysisInputError(f"harm index {Path(path).name}: {exc}") from None


def column_name(values: Any, default: str) -> str:
    """The name to report in errors about per-event values: a data frame column's own name, else ``default``."""
    return str(values.name) if isinstance(values, pd.Series) and values.name is not None else default


def event_weights(weights: Any, *, events: int, name: str = "weights") -> np.ndarray | None:
    """Check a per-event weight array once, for every analysis that accepts one.

    ``None`` stays ``None`` (each event counts 1). Otherwise the array must have one finite,
    non-negative number per event; the first bad one is reported by row (1-based).
    """
    if weights is None:
        return None
    try:
        values = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise AnalysisInputError(f"{name} must be numbers") from None
    if values.ndim != 1 or values.shape[0] != events:
        raise AnalysisInputError(f"{name} must have one value per event ({events}), found shape {values.shape}")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError(f"{name} must be finite numbers ≥ 0, found {values[row]!r}", column=name, row=row + 1)
    return values


def factorized(values: Any, *, name: str, blank_allowed: bool = False, as_text: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-event labels (victims, places, offence codes) as int64 codes into their distinct labels.

    Text is trimmed, so " A" and "A" are one label; ``as_text`` turns every label into text (offence
    codes read from a spreadsheet as numbers still match a harm index's text codes). A missing or
    blank label is an error naming its row, unless ``blank_allowed``, when it becomes the label "".
    Only the distinct labels are cleaned, so millions of events cost one hash pass.
    """
    if not isinstance(values, (pd.Series, np.ndarray)):
        values = np.asarray(list(values), dtype=object)  # a list of mixed ids stays as given
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques)
    missing = codes < 0
    if uniques.dtype.kind in "biuf" and not as_text:
        # Numbers cannot be blank or need trimming: only missing values to look for.
        if missing.any():
            if not blank_allowed:
                row = int(np.flatnonzero(missing)[0])
                raise AnalysisInputError("missing or blank identifier", column=name, row=row + 1)
            codes = np.where(missing, len(uniques), codes)
            return codes.astype(np.int64), np.append(uniques.astype(object), "")
        return codes.astype(np.int64), uniques.astype(object)
    labels = [str(u).strip() if as_text or isinstance(u, str) else u for u in uniques]
    blank_label = np.array([isinstance(u, str) and u == "" for u in labels] + [True], dtype=bool)
    blank = blank_label[np.where(missing, len(labels), codes)]
    if blank.any():
        if not blank_allowed:
            row = int(np.flatnonzero(blank)[0])
            raise AnalysisInputError("missing or blank identifier", column=name, row=row + 1)
        labels.append("")
        codes = np.where(missing, len(labels) - 1, codes)
    clean_codes, clean = pd.factorize(pd.Series(labels, dtype=object), use_na_sentinel=False)
    return clean_codes[codes].astype(np.int64), np.asarray(clean, dtype=object)


def offence_codes(offences: Any) -> np.ndarray:
    """Offence codes as an array of trimmed text (missing values become the blank code "")."""
    codes, labels = factorized(offences, name="offence", blank_allowed=True, as_text=True)
    return labels[codes]


def _event_codes(offences: Any, *, index: HarmIndex, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-event codes into distinct offence labels, read as the index's classification reads them."""
    codes, labels = factorized(offences, name=name, blank_allowed=True, as_text=True)
    if index.classification is None:
        return codes, labels

    def row_of(label: int) -> int:
        return int(np.flatnonzero(codes == label)[0]) + 1

    written = event_offence_labels(labels, classification=index.classification, name=name, row_of=row_of)
    distinct, renumber = np.unique(written.astype(str), return_inverse=True)
    return renumber[codes], distinct.astype(object)


def _label_weights(labels: np.ndarray, index: HarmIndex) -> np.ndarray:
    """The weight of each distinct label (NaN where no listed code applies): the most specific listed code."""
    weights = np.array(list(index.weights.values()), dtype=np.float64)
    found = index.selection.most_specific(labels)
    return np.where(found >= 0, weights[np.maximum(found, 0)], np.nan) if len(weights) else np.full(len(labels), np.nan)


def harm_weights(
    offences: Any,
    *,
    index: HarmIndex,
    default_weight: float | None = None,
    name: str | None = None,
) -> np.ndarray:
    """The harm weight of each event, looked up by its offence code.

    An offence code the index does not list (nor, with a classification, any code above it) is an error
    naming the code and its row (1-based), unless ``default_weight`` (≥ 0) is given, in which case such
    events take that weight.
    """
    if default_weight is not None and (not np.isfinite(default_weight) or default_weight < 0):
        raise AnalysisInputError(f"default weight must be a number ≥ 0, found {default_weight!r}")
    name = name or column_name(offences, "offence")
    codes, labels = _event_codes(offences, index=index, name=name)
    weights = _label_weights(labels, index)[codes]
    unknown = np.isnan(weights)
    if unknown.any():
        if default_weight is None:
            row = int(np.flatnonzero(unknown)[0])
            code = labels[codes[row]]
            what = "has no offence code" if code == "" else f"offence code {code!r} is not in the harm index"
            raise AnalysisInputError(f"{what} (give a default weight to weight unlisted codes)", column=name, row=row + 1)
        weights[unknown] = default_weight
    return weights


@dataclasses.dataclass(frozen=True, eq=False)
class HarmResult:
    """The harm profile of a set of events: total harm and harm by offence code (largest first)."""

    events: int
    total_harm: float
    offence: np.ndarray
    weight: np.ndarray
    count: np.ndarray
    harm: np.ndarray
    defaulted_events: int
    defaulted_codes: tuple[str, ...]
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        share = self.harm / self.total_harm if self.total_harm > 0 else np.full(len(self.harm), np.nan)
        return pd.DataFrame({"offence": self.offence, "weight": self.weight, "count": self.count, "harm": self.harm, "share": share})

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "events": self.events,
                "total_harm": self.total_harm,
                "by_offence": self.to_frame().to_dict(orient="records"),
                "defaulted_events": self.defaulted_events,
                "defaulted_codes": list(self.defaulted_codes),
                "parameters": self.parameters,
            }
        )


def harm_profile(
    offences: Sequence[Any] | np.ndarray | pd.Series,
    *,
    index: HarmIndex,
    default_weight: float | None = None,
) -> HarmResult:
    """Total harm of the events and its split by offence code, using ``index`` weights.

    Parameters
    ----------
    offences : one offence code per event.
    index : the harm weight per offence code.
    default_weight : weight for codes the index does not list; without it such codes are an error.
    """
    name = column_name(offences, "offence")
    codes, labels = _event_codes(offences, index=index, name=name)
    if len(codes) == 0:
        raise AnalysisInputError("there are no events")
    weights = harm_weights(offences, index=index, default_weight=default_weight, name=name)
    count = np.bincount(codes, minlength=len(labels))
    harm = np.bincount(codes, weights=weights, minlength=len(labels))
    weight = np.zeros(len(labels))
    weight[codes] = weights
    listed = ~np.isnan(_label_weights(labels, index))
    # Most harm first; among equals, more events first, then the code.
    order = np.lexsort((labels.astype(str), -count, -harm))
    return HarmResult(
        events=len(codes),
        total_harm=float(weights.sum()),
        offence=labels[order],
        weight=weight[order],
        count=count[order],
        harm=harm[order],
        defaulted_events=int(count[~listed].sum()),
        defaulted_codes=tuple(sorted(labels[~listed].tolist())),
        parameters={
            "default_weight": default_weight,
            "harm_index": index.source,
            "codes_in_index": len(index.weights),
            "offence_codes": (
                f"{index.classification.name}: a weight applies to every code below its code, the most specific winning"
                if index.classification is not None
                else "compared as written"
            ),
        },
    )
