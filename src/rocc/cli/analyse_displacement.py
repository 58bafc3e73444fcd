"""`rocc analyse displacement`: WDQ and WDD around a place-based intervention, or a before/after comparison
of an indicator with a control series."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from rocc.analysis.displacement import (
    BeforeAfterComparison,
    DisplacementAnalysis,
    before_after_with_control,
    displacement_analysis,
    read_displacement_counts,
    read_indicator_series,
)
from rocc.analysis.errors import AnalysisInputError
from rocc.cli.analyse import analyse_app, emit, fail

_COUNT_OPTIONS = ("target", "buffer", "control", "buffer_control")


def _counts_from_options(values: dict[str, float | None]) -> pd.DataFrame:
    rows = []
    for area in _COUNT_OPTIONS:
        for period in ("before", "after"):
            value = values[f"{area}_{period}"]
            if value is not None and value < 0:
                option = f"--{area.replace('_', '-')}-{period}"
                raise AnalysisInputError(f"{option}: a negative count ({value:g}); counts cannot be below 0")
            if value is not None:
                rows.append({"area": area, "period": period, "count": value})
    if not rows:
        raise AnalysisInputError(
            "give the counts: a FILE of area,period,count[,harm], or --target-before/--target-after, "
            "--control-before/--control-after (and optionally the buffer's), or --series FILE"
        )
    return pd.DataFrame(rows)


def _displacement_summary(result: DisplacementAnalysis) -> str:
    lines = []
    for measures in (result.count, result.harm):
        if measures is None:
            continue
        wdd = measures.wdd
        lines.append(f"[{measures.measure}] {wdd.form}")
        lines.append(f"  local {wdd.local_estimate:+.4g} (SE {wdd.local_se:.3g})")
        if wdd.displacement_estimate is not None:
            lines.append(f"  buffer {wdd.displacement_estimate:+.4g} (SE {wdd.displacement_se:.3g})")
        lines.append(f"  {wdd.interpretation}")
        if measures.wdq is not None and measures.wdq.wdq is not None:
            q = measures.wdq
            lines.append(
                f"  WDQ {q.wdq:.3f} (success measure {q.success_measure:+.4f}, buffer displacement measure "
                f"{q.buffer_displacement_measure:+.4f}): {q.interpretation}"
            )
            lines.append(f"  total net effect {q.total_net_effect:+.4g} (positive = prevented)")
        else:
            lines.append(f"  {measures.wdq_not_given}")
    return "\n".join(lines)


def _series_summary(result: BeforeAfterComparison) -> str:
    lines = [
        f"Intervention {result.intervention_date}: {result.n_before} observations before, {result.n_after} after",
        f"target mean {result.target_mean_before:.4g} → {result.target_mean_after:.4g}; control mean "
        f"{result.control_mean_before:.4g} → {result.control_mean_after:.4g}",
        result.interpretation,
    ]
    if result.ratio_not_given:
        lines.append(result.ratio_not_given)
    elif result.dispersion is not None and result.dispersion <= 1:
        lines.append(f"the counts are not over-dispersed (dispersion {result.dispersion:.2f}): the Poisson interval stands")
    elif result.ratio_ci_low_overdispersed is not None:
        lines.append(
            f"allowing for over-dispersion ({result.dispersion:.2f}): {result.ratio_ci_low_overdispersed:.3g} to {result.ratio_ci_high_overdispersed:.3g}"
        )
    return "\n".join(lines)


@analyse_app.command("displacement")
def displacement_command(
    file: Path | None = typer.Argument(None, help="Counts as area,period,count[,harm]: area target/buffer/control/buffer_control, period before/after."),
    target_before: float | None = typer.Option(None, "--target-before", help="Crimes in the target area before."),
    target_after: float | None = typer.Option(None, "--target-after", help="Crimes in the target area after."),
    buffer_before: float | None = typer.Option(None, "--buffer-before", help="Crimes in the buffer area before."),
    buffer_after: float | None = typer.Option(None, "--buffer-after", help="Crimes in the buffer area after."),
    control_before: float | None = typer.Option(None, "--control-before", help="Crimes in the control area before."),
    control_after: float | None = typer.Option(None, "--control-after", help="Crimes in the control area after."),
    buffer_control_before: float | None = typer.Option(None, "--buffer-control-before", help="Crimes in the buffer's own control area before."),
    buffer_control_after: float | None = typer.Option(None, "--buffer-control-after", help="Crimes in the buffer's own control area after."),
    before_days: float | None = typer.Option(None, "--before-days", help="Length of the before period in days (with --after-days)."),
    after_days: float | None = typer.Option(None, "--after-days", help="Length of the after period in days; WDD is then per after period."),
    target_km2: float | None = typer.Option(None, "--target-km2", help="Size of the target area in km² (give every area's size or none)."),
    buffer_km2: float | None = typer.Option(None, "--buffer-km2", help="Size of the buffer area in km²."),
    control_km2: float | None = typer.Option(None, "--control-km2", help="Size of the control area in km²."),
    buffer_control_km2: float | None = typer.Option(None, "--buffer-control-km2", help="Size of the buffer's control area in km²."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level of the intervals."),
    series: Path | None = typer.Option(None, "--series", help="Instead: a file with one row per date of a target and a control indicator."),
    date_column: str = typer.Option("date", "--date-column", help="--series: the date column."),
    target_column: str = typer.Option("target", "--target-column", help="--series: the target indicator column."),
    control_column: str = typer.Option("control", "--control-column", help="--series: the control indicator column."),
    intervention: str | None = typer.Option(None, "--intervention", help="--series: the intervention date (YYYY-MM-DD); that day counts as after."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Displacement or diffusion of benefits (WDQ, WDD test), or an indicator before/after against a control."""
    counts = {
        "target_before": target_before,
        "target_after": target_after,
        "buffer_before": buffer_before,
        "buffer_after": buffer_after,
        "control_before": control_before,
        "control_after": control_after,
        "buffer_control_before": buffer_control_before,
        "buffer_control_after": buffer_control_after,
    }
    sizes = {"target": target_km2, "buffer": buffer_km2, "control": control_km2, "buffer_control": buffer_control_km2}
    try:
        if series is not None:
            if file is not None or any(v is not None for v in counts.values()):
                raise AnalysisInputError("--series compares two indicator series; it takes no area counts")
            if intervention is None:
                raise AnalysisInputError("--series needs --intervention YYYY-MM-DD")
            dates, target, control = read_indicator_series(series, date=date_column, target=target_column, control=control_column)
            comparison = before_after_with_control(dates, target, control, intervention_date=intervention, confidence=confidence)
            emit(comparison, as_json=as_json, summary=_series_summary(comparison))
            return
        if file is not None:
            if any(v is not None for v in counts.values()):
                raise AnalysisInputError("give the counts either in FILE or as options, not both")
            table = read_displacement_counts(file)
        else:
            table = _counts_from_options(counts)
        given_sizes = {area: size for area, size in sizes.items() if size is not None}
        result = displacement_analysis(
            table,
            before_days=before_days,
            after_days=after_days,
            area_km2=given_sizes or None,
            confidence=confidence,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    emit(result, as_json=as_json, summary=_displacement_summary(result))
