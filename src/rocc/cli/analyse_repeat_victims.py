"""`rocc analyse repeat-victims`: who was victimised more than once in the window, and the response due."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import column, date_column, read_table
from rocc.analysis.repeat_victims import VICTIM_FOCUS_TIERS, repeat_victims, response_tiers_from_table
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_harm import CODES_HELP, DEFAULT_WEIGHT_HELP, HARM_HELP, harm_option_weights, offence_classification


@analyse_app.command("repeat-victims")
def repeat_victims_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet), one row per victimisation."),
    person: str = typer.Option(..., "--person", help="Column identifying the victim."),
    date: str = typer.Option(..., "--date", help="Column with the date of the event (ISO, or day first)."),
    offence: str | None = typer.Option(None, "--offence", help="Column with the offence code."),
    as_of: str | None = typer.Option(None, "--as-of", help="Last day of the window (default: the latest event)."),
    window_days: int = typer.Option(365, "--window-days", help="Length of the look-back window in days."),
    serious_codes: str = typer.Option(
        "",
        "--serious-codes",
        help="Comma-separated offence codes that are serious (an ANZSOC division such as 07 takes all its codes).",
    ),
    serious_harm: float | None = typer.Option(None, "--serious-harm", help="A victimisation with at least this harm weight is serious (needs --harm)."),
    tiers: Path | None = typer.Option(None, "--tiers", help="CSV of name,response,min_events,serious: the graduated response, lightest first."),
    harm: Path | None = typer.Option(None, "--harm", help=HARM_HELP),
    default_weight: float | None = typer.Option(None, "--default-weight", help=DEFAULT_WEIGHT_HELP),
    codes: str = typer.Option("anzsoc", "--codes", help=CODES_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document (lists each victim)."),
) -> None:
    """Repeat victimisation in the window (as_of − window_days, as_of] with the Victim Focus response tier."""
    try:
        frame = read_table(file)
        classification = offence_classification(codes)
        weights = harm_option_weights(frame, harm=harm, offence=offence, default_weight=default_weight, codes=codes)
        result = repeat_victims(
            persons=column(frame, person),
            dates=date_column(frame, date),
            offences=column(frame, offence) if offence else None,
            as_of=as_of,
            window_days=window_days,
            serious_codes=[code for code in serious_codes.split(",") if code.strip()],
            serious_harm=serious_harm,
            weights=weights,
            tiers=response_tiers_from_table(read_table(tiers)) if tiers else VICTIM_FOCUS_TIERS,
            classification=classification,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    summary = result.summary
    concentration = summary["concentration"]
    lines = [
        f"window {result.parameters['window_start_exclusive']} (exclusive) to {result.as_of}, {result.window_days} days",
        f"victims (prevalence): {summary['prevalence']}",
        f"events (incidence): {summary['incidence']}",
        f"repeat victims: {summary['repeat_victims']}, suffering {summary['repeat_events']} events"
        + (f" ({concentration:.1%} of all events)" if concentration is not None else ""),
    ]
    lines += [f"  {name}: {count}" for name, count in summary["by_tier"].items()]
    lines += [f"note: {note}" for note in summary["notes"]]
    lines.append("(use --json for the list of victims)")
    emit(result, as_json=as_json, summary="\n".join(lines))
