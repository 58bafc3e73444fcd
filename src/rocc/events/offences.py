"""The ANZSOC 2011 offence classification shipped with rocc: which codes exist and the division each belongs to."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class OffenceClassification:
    divisions: dict[str, str]  # "02" → "Acts intended to cause injury"
    subdivisions: dict[str, str]  # "021" → "Assault"

    def division_of(self, code: str) -> str | None:
        """The two-digit division of a division (2 digits), subdivision (3) or group (4) code; None when unknown.

        A group code is accepted when its subdivision is known (groups are not listed one by one)."""
        code = code.strip()
        if not code.isdigit():
            return None
        if len(code) == 2:
            return code if code in self.divisions else None
        if len(code) in (3, 4):
            return code[:2] if code[:3] in self.subdivisions else None
        return None


@functools.cache
def anzsoc() -> OffenceClassification:
    text = resources.files("rocc.events.defaults").joinpath("anzsoc2011_divisions_subdivisions.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return OffenceClassification(
        divisions={r["division_code"]: r["division_title"] for r in rows},
        subdivisions={r["subdivision_code"]: r["subdivision_title"] for r in rows},
    )


@functools.cache
def victim_focus_settings() -> dict:
    import yaml

    text = resources.files("rocc.events.defaults").joinpath("victim_focus.yaml").read_text(encoding="utf-8")
    settings = yaml.safe_load(text)
    return {"window_days": int(settings["window_days"]), "serious_divisions": tuple(settings["serious_divisions"])}
