"""`rocc analyse centrography`: centre, spread and direction of events (mean centre, standard distance, standard
deviational ellipse), overall and by group and period, as CrimeStat gives them."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.centrography import CentrographyResult, centre_and_spread
from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.harm import event_weights
from rocc.analysis.inputs import column, date_column, numeric_column, read_table
from rocc.cli.analyse import analyse_app, emit, fail


@analyse_app.command("centrography")
def centrography_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet), one row per event."),
    x: str = typer.Option(..., "--x", help="Column with the x coordinate (projected, metres)."),
    y: str = typer.Option(..., "--y", help="Column with the y coordinate (projected, metres)."),
    group: str | None = typer.Option(None, "--group", help="Column to split by (offence, unit): a row per group."),
    date: str | None = typer.Option(None, "--date", help="Column with the event date (for --period)."),
    period: str | None = typer.Option(None, "--period", help="month, quarter or year: a row per period, to follow the centre."),
    weight: str | None = typer.Option(None, "--weight", help="Column with a weight per event (≥ 0), e.g. harm."),
    no_header: bool = typer.Option(False, "--no-header", help="The file has no header row; columns are 1, 2, 3, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Where events are centred, how far they spread, and in which direction."""
    try:
        frame = read_table(file, header=not no_header)
        if period and not date:
            raise AnalysisInputError("--period needs --date, the column with each event's date")
        result = centre_and_spread(
            x=numeric_column(frame, x),
            y=numeric_column(frame, y),
            weights=event_weights(numeric_column(frame, weight), events=len(frame), name=weight) if weight else None,
            groups=column(frame, group) if group else None,
            dates=date_column(frame, date) if date else None,
            period=period,
            group_label=group,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    emit(result, as_json=as_json, summary=_text(result))


def _text(result: CentrographyResult) -> str:
    lines = [result.summary, ""]
    lines.append(
        f"{'group':<20} {'period':<10} {'events':>7} {'mean x':>12} {'mean y':>12} {'standard distance':>18} {'ellipse major':>14} {'minor':>10} {'bearing':>8}"
    )
    for r in result.rows:

        def number(value, digits=0):
            return "-" if value is None else f"{value:,.{digits}f}"

        lines.append(
            f"{r.group[:20]:<20} {r.period:<10} {r.events:>7} {r.mean_x:>12,.1f} {r.mean_y:>12,.1f} {number(r.standard_distance):>18} "
            f"{number(r.ellipse_major):>14} {number(r.ellipse_minor):>10} {number(r.ellipse_bearing):>8}"
        )
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)
