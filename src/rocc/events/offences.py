"""The ANZSOC 2011 offence classification shipped with rocc, the Victim Focus settings, and the one way rocc
turns offence codes typed anywhere (a filter, an indicator's numerator, a serious-offence list, a harm index)
into what they select: the analysis library's :func:`~rocc.analysis.offences.offence_selection` against this
classification."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from importlib import resources
from typing import Any

from rocc.analysis.offences import OffenceClassification, OffenceSelection, offence_selection


@functools.cache
def anzsoc() -> OffenceClassification:
    text = resources.files("rocc.events.defaults").joinpath("anzsoc2011_divisions_subdivisions.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return OffenceClassification(
        name="ANZSOC 2011",
        divisions={r["division_code"]: r["division_title"] for r in rows},
        subdivisions={r["subdivision_code"]: r["subdivision_title"] for r in rows},
    )


def offence_codes_selection(codes: Iterable[Any] | str | None, *, name: str = "offence codes") -> OffenceSelection:
    """ANZSOC codes at any level as what they select; an unknown code raises AnalysisInputError (a ValueError)
    naming it."""
    return offence_selection(codes, classification=anzsoc(), name=name)


@functools.cache
def victim_focus_settings() -> dict:
    """The look-back window and the serious-offence selection, checked once: an unknown code in the file is an
    error naming the file, not a serious list that silently matches nothing."""
    import yaml

    text = resources.files("rocc.events.defaults").joinpath("victim_focus.yaml").read_text(encoding="utf-8")
    settings = yaml.safe_load(text)
    serious = offence_codes_selection(settings["serious_codes"], name="victim_focus.yaml serious_codes")
    return {"window_days": int(settings["window_days"]), "serious": serious, "serious_codes": serious.codes}
