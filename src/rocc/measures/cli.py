"""The `rocc measures` commands: list indicators, print a series, import observations or populations, export a series."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from rocc.core.ready import django_ready

measures_app = typer.Typer(help="Indicators: list them, print a series, import figures and populations, export.", no_args_is_help=True)


class _Operator:
    """Whoever runs the command on the server: they reach the database directly, so the command acts with full rights
    (unit-level output included) unless ``--as`` names a user whose rights apply instead."""

    is_authenticated = True
    is_active = True

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def get_username(self) -> str:
        return "command line"


def _actor(username: str | None):
    if not username:
        return _Operator()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        typer.echo(f"No user is called {username!r}.", err=True)
        raise typer.Exit(2)
    return user


def _indicator(code: str):
    from rocc.measures.models import Indicator

    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None or not indicator.versions.exists():
        known = ", ".join(Indicator.objects.values_list("code", flat=True)[:40])
        typer.echo(f"No indicator has code {code!r}. Known codes: {known}", err=True)
        raise typer.Exit(2)
    return indicator


def _unit(name: str | None):
    from django.core.exceptions import ValidationError

    from rocc.org.models import OrgUnit
    from rocc.org.services import unit_resolve

    if not name:
        return OrgUnit.objects.filter(parent__isnull=True).first()
    try:
        return unit_resolve(name)
    except ValidationError:
        typer.echo(f"No organisational unit is called {name!r}.", err=True)
        raise typer.Exit(2) from None


@measures_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False) -> None:
    """Every indicator with its current definition."""
    django_ready()
    from rocc.measures.models import Indicator
    from rocc.measures.selectors import indicator_dict

    rows = [indicator_dict(i) for i in Indicator.objects.prefetch_related("versions__responsible_agency", "versions__denominator_indicator")]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        current = row["current"] or {}
        typer.echo(f"{row['code']:<34} {row['name'][:50]:<50} {current.get('unit_label', '')[:32]:<32} {current.get('period_label', '')}")


@measures_app.command("series")
def series(
    code: Annotated[str, typer.Argument(help="The indicator's code, e.g. youth-court-appearances")],
    unit: Annotated[str | None, typer.Option("--unit", help="The unit (name, code or alias); the national unit if omitted")] = None,
    period_type: Annotated[str | None, typer.Option("--period-type", help="month, quarter, calendar_year, year_ended or july_june")] = None,
    as_reported: Annotated[bool, typer.Option("--as-reported", help="Each figure under the definition it was recorded under")] = False,
    public: Annotated[bool, typer.Option("--public", help="Apply disclosure control, as for a published figure")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """One indicator's series in a unit with baseline, target and status per period."""
    django_ready()
    from rocc.measures.models import PeriodType
    from rocc.measures.selectors import series_for

    if period_type and period_type not in PeriodType.values:
        typer.echo(f"Unknown period type {period_type!r}; expected one of {', '.join(PeriodType.values)}.", err=True)
        raise typer.Exit(2)
    indicator, where = _indicator(code), _unit(unit)
    payload = series_for(user=_Operator(), indicator=indicator, unit=where, period_type=period_type, as_reported=as_reported, public=public or None)
    if as_json:
        out = {
            "indicator": payload["indicator"],
            "unit": payload["unit"],
            "period_type": payload["period_type"],
            "as_reported": payload["as_reported"],
            "disclosure_applied": payload["disclosure_applied"],
            "is_approximate": payload["is_approximate"],
            "status": payload["status"],
            "trend": payload["trend"],
            "points": [
                {
                    k: p[k]
                    for k in (
                        "period",
                        "period_start",
                        "period_end",
                        "numerator",
                        "denominator",
                        "value",
                        "baseline",
                        "target",
                        "status",
                        "is_approximate",
                        "version",
                    )
                }
                for p in payload["points"]
            ],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{payload['name']} · {payload['unit_name']} · {payload['definition']['unit_label']}")
    for p in payload["points"]:
        value = "—" if p["value"] is None else f"{p['value']:,.2f}"
        approx = " approx." if p["is_approximate"] else ""
        typer.echo(f"{p['period']:<12} {value:>12}{approx}  {p['status']}")
    typer.echo(f"Status: {payload['status']['status']} — {payload['status']['explanation']}")


@measures_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A CSV or Excel file of observations (with an indicator column) or populations")],
    username: Annotated[str | None, typer.Option("--as", help="Import with this user's rights")] = None,
) -> None:
    """Import observations or populations; any problem refuses the whole file and lists every located problem."""
    django_ready()
    from rocc.measures.imports import ImportRefused, measures_file_import
    from rocc.measures.services import statuses_recompute

    try:
        content = path.read_bytes()
    except OSError as error:
        typer.echo(f"{path}: cannot read the file ({error})", err=True)
        raise typer.Exit(2) from None
    actor = _actor(username)
    try:
        result = measures_file_import(user=None if isinstance(actor, _Operator) else actor, name=path.name, content=content)
    except ImportRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(2) from None
    except Exception as error:  # permission refusals name the missing right
        if error.__class__.__name__ == "PermissionDenied":
            typer.echo(f"{path}: {error}", err=True)
            raise typer.Exit(2) from None
        raise
    if result.kind == "observations":
        statuses_recompute()
        typer.echo(f"{path}: {result.rows} observations imported; statuses recomputed.")
    else:
        typer.echo(f"{path}: {result.rows} populations ({result.created} new, {result.updated} changed, {result.unchanged} unchanged).")


@measures_app.command("export")
def export(
    code: Annotated[str, typer.Argument(help="The indicator's code")],
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    public: Annotated[bool, typer.Option("--public", help="Apply disclosure control (random rounding to base 3, suppression)")] = False,
    unit: Annotated[str | None, typer.Option("--unit", help="The unit; the national unit if omitted")] = None,
    period_type: Annotated[str | None, typer.Option("--period-type", help="The period type")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output")] = None,
) -> None:
    """Export one indicator's series as CSV or Excel."""
    django_ready()
    from rocc.measures.exports import series_file
    from rocc.measures.selectors import series_for

    if fmt not in ("csv", "xlsx"):
        typer.echo("--format is csv or xlsx", err=True)
        raise typer.Exit(2)
    payload = series_for(user=_Operator(), indicator=_indicator(code), unit=_unit(unit), period_type=period_type, public=public or None)
    content, _, name = series_file(payload, fmt)
    if output is None and fmt == "xlsx" and sys.stdout.isatty():
        output = Path(name)
    if output is not None:
        output.write_bytes(content)
        typer.echo(f"Written {output}", err=True)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


@measures_app.command("compute")
def compute(
    code: Annotated[str, typer.Argument(help="An indicator whose numerator is counted from the event store")],
    date_from: Annotated[str | None, typer.Option("--from", help="First day counted (YYYY-MM-DD)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day counted (YYYY-MM-DD)")] = None,
) -> None:
    """Count an indicator's numerators from the event store by district and period and record them as figures."""
    django_ready()
    from rocc.measures.services import ObservationInvalid, indicator_compute_from_events

    indicator = _indicator(code)
    try:
        result = indicator_compute_from_events(indicator=indicator, date_from=date_from, date_to=date_to)
    except (ObservationInvalid, ValueError) as error:
        typer.echo(f"{code}: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{code}: {result.observations} figures computed for {result.units} districts over {result.periods} periods; statuses recomputed.")
