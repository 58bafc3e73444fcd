"""`rocc analyse harm`: the harm profile of a file of events, and the --harm option other analyses share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import harm_index_read, harm_profile, harm_weights
from rocc.analysis.inputs import column, read_table
from rocc.analysis.offences import OffenceClassification
from rocc.cli.analyse import analyse_app, emit, fail

HARM_HELP = (
    "CSV of offence_code,weight: weight each event by the harm of its offence (needs --offence). An ANZSOC code at "
    "any level weights every code below it; the most specific listed code wins."
)
DEFAULT_WEIGHT_HELP = "Weight for offence codes the harm file does not list (otherwise they are an error)."
CODES_HELP = (
    "anzsoc: offence codes are ANZSOC 2011 codes, checked, and a division (07) or subdivision (071) takes every code "
    "below it; as-written: codes are labels of another classification, compared exactly as written."
)
CODES_CHOICES = ("anzsoc", "as-written")


def offence_classification(codes: str) -> OffenceClassification | None:
    """The classification a command's --codes option names (the shipped ANZSOC 2011, or none)."""
    if codes == "as-written":
        return None
    if codes != "anzsoc":
        raise AnalysisInputError(f"--codes: expected one of {', '.join(CODES_CHOICES)}, found {codes!r}")
    from rocc.events.offences import anzsoc

    return anzsoc()


def harm_option_weights(
    frame: pd.DataFrame, *, harm: Path | None, offence: str | None, default_weight: float | None, codes: str = "anzsoc"
) -> np.ndarray | None:
    """The per-event harm weights a command's --harm/--offence/--default-weight/--codes options ask for, or None.
    Every command that weights by harm reads the codes the same way (ANZSOC unless --codes as-written)."""
    if harm is None:
        if default_weight is not None:
            raise AnalysisInputError("--default-weight only applies with --harm")
        return None
    if offence is None:
        raise AnalysisInputError("--harm needs --offence, the column holding each event's offence code")
    index = harm_index_read(harm, classification=offence_classification(codes))
    return harm_weights(column(frame, offence), index=index, default_weight=default_weight, name=offence)


@analyse_app.command("harm")
def harm_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet)."),
    offence: str = typer.Option(..., "--offence", help="Column with each event's offence code."),
    harm: Path = typer.Option(..., "--harm", help="CSV of offence_code,weight (e.g. sentencing-based days)."),
    default_weight: float | None = typer.Option(None, "--default-weight", help=DEFAULT_WEIGHT_HELP),
    codes: str = typer.Option("anzsoc", "--codes", help=CODES_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Total harm of the events and its split by offence code, from a harm weight per offence code."""
    try:
        frame = read_table(file)
        index = harm_index_read(harm, classification=offence_classification(codes))
        result = harm_profile(column(frame, offence), index=index, default_weight=default_weight)
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    top = result.to_frame().head(5)
    lines = [f"{result.events} events, total harm {result.total_harm:,.1f}"]
    lines += [f"  {row.offence}: {row.count} × {row.weight:g} = {row.harm:,.1f}" for row in top.itertuples()]
    if result.defaulted_events:
        lines.append(f"  {result.defaulted_events} events took the default weight {default_weight:g}")
    emit(result, as_json=as_json, summary="\n".join(lines))
