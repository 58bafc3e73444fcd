"""`rocc analyse hot-times`: events by day of week and hour, aoristically weighted over time windows."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.hot_times import DAYS, HOURS, hot_times
from rocc.analysis.inputs import datetime_column, read_table
from rocc.cli.analyse import analyse_app, emit, fail
from rocc.cli.analyse_harm import CODES_HELP, DEFAULT_WEIGHT_HELP, HARM_HELP, harm_option_weights


@analyse_app.command("hot-times")
def hot_times_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet)."),
    from_column: str = typer.Option(..., "--from", help="Column with the time of the event, or the start of its window (local time)."),
    to_column: str | None = typer.Option(None, "--to", help="Column with the end of the window (blank for events with a single known time)."),
    offence: str | None = typer.Option(None, "--offence", help="Column with the offence code (for --harm)."),
    harm: Path | None = typer.Option(None, "--harm", help=HARM_HELP),
    default_weight: float | None = typer.Option(None, "--default-weight", help=DEFAULT_WEIGHT_HELP),
    codes: str = typer.Option("anzsoc", "--codes", help=CODES_HELP),
    date_only: str = typer.Option(
        "spread",
        "--date-only",
        help="Events known only to the day: spread over the day's hours (spread) or counted by day on their own (apart).",
    ),
    midnight_is_a_time: bool = typer.Option(
        False, "--midnight-is-a-time", help="Trust times of exactly 00:00 as midnight (by default they mean a date without a time)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Counts by day of week × hour; an event known only within a window is spread over its hours."""
    try:
        frame = read_table(file)
        result = hot_times(
            starts=datetime_column(frame, from_column),
            ends=datetime_column(frame, to_column, blank_allowed=True) if to_column else None,
            weights=harm_option_weights(frame, harm=harm, offence=offence, default_weight=default_weight, codes=codes),
            date_only=date_only,
            midnight_is_date_only=not midnight_is_a_time,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    width = 6
    lines = [f"{result.events} events ({result.windowed} with a time window), total {result.total:,.2f}"]
    lines.append("hour  " + " ".join(day[:3].rjust(width) for day in DAYS))
    for hour, label in enumerate(HOURS):
        lines.append(f"{label[:2]}    " + " ".join(f"{result.matrix[day, hour]:{width}.2f}" for day in range(7)))
    peak = result.peak()
    lines.append(f"peak: {peak['day']} {peak['hour']} ({peak['value']:.2f})")
    if result.date_only_by_day is not None and result.date_only:
        lines.append("known only to the day, by day: " + ", ".join(f"{day[:3]} {value:.2f}" for day, value in zip(DAYS, result.date_only_by_day, strict=True)))
    lines += [f"note: {note}" for note in result.to_dict()["summary"]["notes"]]
    emit(result, as_json=as_json, summary="\n".join(lines))
