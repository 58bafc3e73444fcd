"""`rocc analyse space-time`: space–time interaction beyond Knox — the Jacquez k-nearest-neighbour test, the Mantel
test, and near-repeat chains — on a file of located, dated events."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import column, date_column, numeric_column, read_table
from rocc.analysis.results import p_text
from rocc.analysis.space_time import ChainsResult, JacquezResult, MantelResult, jacquez_knn, mantel_test, near_repeat_chains
from rocc.cli.analyse import analyse_app, emit, fail

METHODS = ("jacquez", "mantel", "chains")


@analyse_app.command("space-time")
def space_time_command(
    file: Path = typer.Argument(..., help="Events file (CSV, Excel or Parquet), one row per event."),
    x: str = typer.Option(..., "--x", help="Column with the x coordinate (projected, metres)."),
    y: str = typer.Option(..., "--y", help="Column with the y coordinate (projected, metres)."),
    date: str = typer.Option(..., "--date", help="Column with the event date (ISO, or day first)."),
    method: str = typer.Option("jacquez", "--method", help="jacquez (k nearest neighbours), mantel (all pairs) or chains (linked events)."),
    k: int = typer.Option(10, "--k", help="Jacquez: the largest number of nearest neighbours (k = 1 … this)."),
    transform: str = typer.Option("reciprocal", "--transform", help="Mantel: reciprocal (1 / (distance + constant), Mantel's advice) or none."),
    space_constant: float = typer.Option(1.0, "--space-constant", help="Mantel: metres added before the reciprocal."),
    time_constant: float = typer.Option(1.0, "--time-constant", help="Mantel: days added before the reciprocal."),
    distance: float | None = typer.Option(None, "--distance", help="Chains: link events at most this many metres apart."),
    days: int | None = typer.Option(None, "--days", help="Chains: … and at most this many days apart."),
    event_id: str | None = typer.Option(None, "--id", help="Chains: column with an event identifier, for the listing."),
    metric: str | None = typer.Option(
        None, "--metric", help="euclidean or manhattan (default: euclidean for Jacquez and Mantel, manhattan for chains, as the Knox table)."
    ),
    permutations: int = typer.Option(999, "--permutations", help="Jacquez, Mantel: date shuffles for the null distribution."),
    seed: int = typer.Option(1, "--seed", help="Seed for the shuffles (1 unless given, as on the pages); recorded in the output."),
    event_label: str = typer.Option("event", "--event-label", help="What the events are, for the summary, e.g. burglary."),
    no_header: bool = typer.Option(False, "--no-header", help="The file has no header row; columns are 1, 2, 3, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Whether events close in space are close in time (Jacquez, Mantel), and the chains of linked events."""
    try:
        if method not in METHODS:
            raise AnalysisInputError(f"--method: use one of {', '.join(METHODS)}, not {method!r}")
        frame = read_table(file, header=not no_header)
        events = {"x": numeric_column(frame, x), "y": numeric_column(frame, y), "dates": date_column(frame, date), "event_label": event_label}
        result: JacquezResult | MantelResult | ChainsResult
        if method == "jacquez":
            result = jacquez_knn(**events, k_max=k, metric=metric or "euclidean", permutations=permutations, seed=seed)
        elif method == "mantel":
            result = mantel_test(
                **events,
                metric=metric or "euclidean",
                transform=transform,
                space_constant=space_constant,
                time_constant=time_constant,
                permutations=permutations,
                seed=seed,
            )
        else:
            if distance is None or days is None:
                raise AnalysisInputError("chains need --distance (metres) and --days, e.g. --distance 400 --days 7")
            ids = column(frame, event_id).tolist() if event_id else None
            result = near_repeat_chains(**events, max_distance=distance, max_days=days, metric=metric or "manhattan", ids=ids)
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    emit(result, as_json=as_json, summary=_text(result))


def _text(result: JacquezResult | MantelResult | ChainsResult) -> str:
    lines = [result.summary, ""]
    if isinstance(result, JacquezResult):
        lines.append(f"{result.n_events} events, {result.metric} distance, {result.permutations} permutations, seed {result.seed}")
        lines.append(f"{'k':>3} {'J_k':>8} {'expected':>10} {'p':>8} {'ΔJ_k':>8} {'expected':>10} {'p':>8}")
        for k in range(result.k_max):
            lines.append(
                f"{k + 1:>3} {int(result.j_observed[k]):>8} {result.j_expected[k]:>10.1f} {p_text(result.j_p_value[k]):>8} "
                f"{int(result.delta_observed[k]):>8} {result.delta_expected[k]:>10.1f} {p_text(result.delta_p_value[k]):>8}"
            )
    elif isinstance(result, MantelResult):
        lines.append(
            f"{result.n_events} events ({result.n_pairs} pairs), {result.metric} distance, transform {result.transform}, "
            f"{result.permutations} permutations, seed {result.seed}"
        )
        lines.append(f"r = {result.r:.4f}, expected {result.expected_r:.4f} (sd {result.sd_r:.4f}), z = {result.z:.2f}, p = {p_text(result.p_value)}")
    else:
        lines.append(f"{result.links} linked pairs ({result.same_place_links} at the same place); {result.isolated_events} events in no chain")
        lines += [f"chains of {size} events: {count}" for size, count in result.chains_by_size.items()]
    return "\n".join(lines)
