"""Displacement counts from the event store around a saved hot spot: the target cells, a buffer ring and a control
(a unit, or a wider ring), counted for the before and after periods over the events the user may read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.library import analysis_module
from rocc.analysis_pages.models import AnalysisKind, SavedAnalysis
from rocc.analysis_pages.selectors import saved_analysis_get
from rocc.events.selectors import events_frame
from rocc.maps.geometry import NZTM

PERIODS = ("before", "after")
TARGET_CHOICE_NAMES = {"hot": "its hot cells", "hot_99": "its cells hot at 99%", "top": "its top {top} cells by Gi* z"}


@dataclass(frozen=True)
class HotSpotDisplacementCounts:
    """The counts of each area and period, what the areas are, and how many events of each period had no
    coordinates (so could be placed in no ring; with a control unit they count in the control if they are its)."""

    analysis: SavedAnalysis
    counts: dict[str, dict[str, int]]
    target_cells: int
    cell_m: float
    buffer_m: float
    control: str
    unlocated: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def areas(self) -> dict[str, Any]:
        """What the counts were taken over, kept with the run's parameters."""
        return {
            "saved_analysis": self.analysis.pk,
            "saved_analysis_title": self.analysis.title,
            "target_cells": self.target_cells,
            "cell_m": self.cell_m,
            "buffer_m": self.buffer_m,
            "control": self.control,
            "unlocated": self.unlocated,
            "notes": self.notes,
        }


def _window(window: tuple[dt.date, dt.date], name: str) -> tuple[dt.date, dt.date]:
    start, end = window
    if start > end:
        raise AnalysisInputError(f"{name} period: it ends ({end}) before it starts ({start})")
    return start, end


def displacement_counts_from_hot_spot(
    *,
    user,
    analysis_id: int,
    choose: str,
    top: int | None,
    buffer_m: float,
    before: tuple[dt.date, dt.date],
    after: tuple[dt.date, dt.date],
    offence_codes: list[str] | None = None,
    control_unit_code: str | None = None,
    control_m: float | None = None,
) -> HotSpotDisplacementCounts:
    """Count the events of the user's units in a saved hot spot's target cells (``choose``/``top``, as
    ``rocc.analysis.displacement.target_cells_choose``), in the ring within ``buffer_m`` metres of them, and in the
    control: a unit of the user's scope (``control_unit_code``; its events in the target or the buffer are left to
    those areas) or a ring out to ``control_m`` metres; for the before and after periods (inclusive days) and the
    offence codes. Raises Http404 for an analysis the user may not open, AnalysisInputError (located) for anything
    else that cannot be used."""
    if (control_unit_code is None) == (control_m is None):
        raise AnalysisInputError("control: give either a control unit or the outer edge of a control ring in metres, not both or neither")
    before, after = _window(before, "before"), _window(after, "after")
    if after[0] <= before[1]:
        raise AnalysisInputError(f"after period: it starts ({after[0]}) before the before period has ended ({before[1]})")
    analysis = saved_analysis_get(user=user, pk=analysis_id)
    if analysis.kind != AnalysisKind.HOTSPOTS:
        raise AnalysisInputError(f"saved analysis '{analysis.title}': it is a {analysis.get_kind_display().lower()} analysis, not hot spots")
    parameters = analysis.result.get("parameters") or {}
    if parameters.get("crs") != NZTM:
        raise AnalysisInputError(
            f"saved analysis '{analysis.title}': its cells are not in NZTM2000 ({parameters.get('crs') or 'no coordinate system stated'}), "
            "so they cannot be laid over the event store's coordinates"
        )
    displacement = analysis_module("displacement")
    centres = displacement.target_cells_choose(analysis.result.get("cells") or [], choose=choose, top=top)
    cell = float(parameters["cell"])
    counts: dict[str, dict[str, int]] = {"target": {}, "buffer": {}, "control": {}}
    unlocated: dict[str, int] = {}
    for period, (start, end) in zip(PERIODS, (before, after), strict=True):
        frame = events_frame(user=user, date_from=start, date_to=end, offence_codes=offence_codes, columns=["x", "y"])
        rings = displacement.cell_rings(x=frame["x"].to_numpy(), y=frame["y"].to_numpy(), centres=centres, cell=cell, buffer_m=buffer_m, control_m=control_m)
        placed = rings.counts()
        counts["target"][period], counts["buffer"][period] = placed["target"], placed["buffer"]
        unlocated[period] = int((frame["x"].isna() | frame["y"].isna()).sum())
        if control_m is not None:
            counts["control"][period] = placed["control"]
        else:
            in_unit = events_frame(user=user, unit_code=control_unit_code, date_from=start, date_to=end, offence_codes=offence_codes, columns=["x", "y"])
            unit_rings = displacement.cell_rings(x=in_unit["x"].to_numpy(), y=in_unit["y"].to_numpy(), centres=centres, cell=cell, buffer_m=buffer_m)
            counts["control"][period] = int(len(in_unit) - (unit_rings.area != None).sum())  # noqa: E711 (element-wise)
    target_name = TARGET_CHOICE_NAMES[choose].format(top=top)
    control = f"the unit {control_unit_code} outside the target and buffer" if control_m is None else f"the ring from {buffer_m:g} to {control_m:g} m"
    notes = [f"target: {len(centres)} cell{'s' if len(centres) != 1 else ''} of {cell:g} m ({target_name}); buffer: within {buffer_m:g} m of them"]
    if any(unlocated.values()):
        notes.append(
            f"{unlocated['before']} events before and {unlocated['after']} after have no coordinates, so are in neither the target nor the buffer"
            + (" (a control unit counts those that are its own)" if control_m is None else "")
        )
    return HotSpotDisplacementCounts(
        analysis=analysis,
        counts=counts,
        target_cells=len(centres),
        cell_m=cell,
        buffer_m=float(buffer_m),
        control=control,
        unlocated=unlocated,
        notes=notes,
    )
