"""`rocc analyse concentration`: the Power Few — Lorenz curve, Gini and top-unit shares of a file of events."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.concentration import concentration
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import event_weights
from rocc.analysis.inputs import column, numeric_column, read_table
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_harm import CODES_HELP, DEFAULT_WEIGHT_HELP, HARM_HELP, harm_option_weights


@analyse_app.command("concentration")
def concentration_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet), one row per event."),
    unit: str = typer.Option(..., "--unit", help="Column with the unit: place, victim or offender identifier."),
    weight: str | None = typer.Option(None, "--weight", help="Column with a weight per event (≥ 0)."),
    units_total: int | None = typer.Option(None, "--units-total", help="Number of units including those with no events (enables the generalised Gini)."),
    offence: str | None = typer.Option(None, "--offence", help="Column with the offence code (for --harm)."),
    harm: Path | None = typer.Option(None, "--harm", help=HARM_HELP),
    default_weight: float | None = typer.Option(None, "--default-weight", help=DEFAULT_WEIGHT_HELP),
    codes: str = typer.Option("anzsoc", "--codes", help=CODES_HELP),
    bootstrap: int = typer.Option(0, "--bootstrap", help="Bootstrap replicates for an interval of the Gini (999 is usual; 0: none)."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level of the bootstrap interval."),
    seed: int = typer.Option(1, "--seed", help="Seed for the bootstrap (1 unless given, as on the pages); recorded in the output."),
    chance: bool = typer.Option(False, "--chance", help="Add the chance baseline: the Lorenz curve and Gini of Poisson counts with the same mean."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """How concentrated events are over units: Gini, generalised Gini, top 1/5/10/20% shares, Lorenz curve."""
    try:
        if weight and harm:
            raise AnalysisInputError("give --weight or --harm, not both")
        frame = read_table(file)
        weights = harm_option_weights(frame, harm=harm, offence=offence, default_weight=default_weight, codes=codes)
        if weight:
            weights = event_weights(numeric_column(frame, weight), events=len(frame), name=weight)
        result = concentration(
            units=column(frame, unit), weights=weights, units_total=units_total, bootstrap=bootstrap, confidence=confidence, seed=seed, chance_baseline=chance
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    generalised = result.generalised_gini
    lines = [
        f"{result.events} events over {result.units} units ({result.units_observed} with events)",
        f"Gini: {result.gini:.3f}",
        f"generalised Gini: {generalised:.3f}" if generalised is not None else "generalised Gini: not computed",
    ]
    lines += [f"top {float(share):.0%} of units hold {value:.1%}" for share, value in result.top_shares.items()]
    lines.append(f"half of the total is held by {result.units_for_half:.1%} of units")
    if result.gini_interval is not None:
        low, high = result.gini_interval
        lines.append(
            f"Gini {result.confidence:.0%} bootstrap interval ({result.gini_interval_method}): {low:.3f} to {high:.3f} "
            f"({result.bootstrap} replicates, seed {result.seed})"
        )
    if result.chance_gini is not None:
        lines.append(f"Gini if events fell by chance (Poisson, {result.chance_mean:.3g} per unit): {result.chance_gini:.3f}")
    lines += [f"note: {note}" for note in result.notes]
    emit(result, as_json=as_json, summary="\n".join(lines))
