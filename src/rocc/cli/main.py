"""The top-level `rocc` command and its sub-commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rocc.cli.analyse import analyse_app, load_commands
from rocc.core.ready import django_ready, django_setup

app = typer.Typer(
    help="rocc: run a multi-agency programme that builds community resilience to organised crime.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(analyse_app, name="analyse")
from rocc.strategy.cli import framework_app  # noqa: E402

app.add_typer(framework_app, name="framework")
from rocc.events.cli import events_app  # noqa: E402

app.add_typer(events_app, name="events")
from rocc.measures.cli import measures_app  # noqa: E402

app.add_typer(measures_app, name="measures")
from rocc.tasking.cli import tasking_app  # noqa: E402

app.add_typer(tasking_app, name="tasking")
from rocc.maps.cli import org_app  # noqa: E402  (rocc org boundaries: maps owns the boundaries)

app.add_typer(org_app, name="org")
audit_app = typer.Typer(help="Check the audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
token_app = typer.Typer(help="API tokens for integrators.", no_args_is_help=True)
app.add_typer(token_app, name="token")

console = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def _stop(message: str, fix: str = "", code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True, highlight=False)
    if fix:
        err.print(f"  fix: {fix}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


def _print_checks(checks) -> bool:
    for check in checks:
        mark = "[green]ok[/]     " if check.ok else ("[red]FAILED[/] " if check.blocking else "[yellow]warning[/]")
        console.print(f"{mark} {check.name}: {check.message}", soft_wrap=True, highlight=False)
        if check.fix:
            console.print(f"         fix: {check.fix}", soft_wrap=True, highlight=False)
    return all(c.ok or not c.blocking for c in checks)


@app.command()
def check() -> None:
    """Check the configuration, the database and the data directory, and say how to fix what is wrong."""
    django_setup()
    from rocc.core.checks import run_checks

    if not _print_checks(run_checks()):
        raise typer.Exit(1)


@app.command()
def migrate() -> None:
    """Create or update the database tables."""
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    for problem in settings.ROCC_CONFIG_PROBLEMS:
        _stop(problem.what, problem.fix)
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as exc:  # connection errors differ by driver; say what failed without a traceback
        _stop(f"migration failed: {str(exc).strip().splitlines()[0]}", "run `rocc check` to see what is wrong")
    console.print(f"[green]Database is up to date[/] ({settings.ROCC.database_label}).")


@app.command("load-defaults")
def load_defaults() -> None:
    """Load the shipped reference data: agencies, the organisational units with populations, the national structure."""
    django_ready()
    from rocc.audit.services import system_event_record
    from rocc.org.services import defaults_load
    from rocc.strategy.services.frameworks import strategy_defaults_load

    loaded = defaults_load()
    strategy = strategy_defaults_load()  # needs the agencies above
    from rocc.measures.services import measures_defaults_load

    measures = measures_defaults_load()  # needs the units, agencies and populations above
    from rocc.returns.services import reporting_defaults_load

    reporting_defaults_load()  # the example provider data set (needs the monitoring-framework indicators above)
    from rocc.problems.services import problems_defaults_load

    problems_defaults_load()  # the PANDA guiding questions, version 1 of the question bank
    from rocc.tasking.services.defaults import tasking_defaults_load

    tasking_defaults_load()  # the T&C forums and the default risk methodology (needs the units above)
    system_event_record(what="default reference data loaded", details={**loaded.__dict__, **strategy.__dict__})
    console.print(
        f"[green]Reference data loaded:[/] {loaded.agencies} agencies, {loaded.units} organisational units "
        f"({loaded.aliases} aliases), {loaded.populations} populations (approximate), {loaded.groups} national groups; "
        f"{strategy.frameworks} framework, {strategy.plans} action plan with {strategy.activities} activities."
    )
    console.print(f"[green]Measures loaded:[/] {measures.indicators} indicators, {measures.targets} targets, {measures.observations} figures.")


@app.command()
def createuser(
    username: Annotated[str, typer.Argument(help="The sign-in name")],
    role: Annotated[
        str, typer.Option(help="administrator, programme_manager, regional_coordinator, analyst, provider_reporter, tc_member or viewer")
    ] = "viewer",
    unit: Annotated[list[str] | None, typer.Option(help="A unit of the user's scope (name, code or alias); repeat for several")] = None,
    agency: Annotated[str | None, typer.Option(help="The user's agency (short name), required for a provider reporter")] = None,
    email: Annotated[str, typer.Option(help="E-mail address")] = "",
    full_name: Annotated[str, typer.Option(help="Full name")] = "",
    password: Annotated[str | None, typer.Option(envvar="ROCC_PASSWORD", help="Password (else asked for; or set ROCC_PASSWORD)")] = None,
    demo: Annotated[bool, typer.Option(help="Create the demo login if missing, with a generated password kept in the data directory, and print it")] = False,
) -> None:
    """Create a user with a role and a scope (organisational units, each with its descendants, and optionally an agency)."""
    django_ready()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from rocc.org.services import agency_resolve, unit_resolve, user_create

    demo_file = settings.ROCC_DATA_DIR / "demo-login.txt"
    if demo:
        if get_user_model().objects.filter(username=username).exists() and demo_file.exists():
            console.print(demo_file.read_text().strip())
            return
        import secrets

        password = "-".join(secrets.token_urlsafe(4) for _ in range(4))
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        units = [unit_resolve(name) for name in unit or []]
        agency_obj = agency_resolve(agency) if agency else None
        profile = user_create(username=username, password=password, role=role, units=units, agency=agency_obj, email=email, full_name=full_name)
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for field, errors in messages.items():
            for message in errors:
                err.print(f"[bold red]error:[/] {field + ': ' if field else ''}{message}")
        raise typer.Exit(1) from None
    scope = ", ".join(u.name for u in profile.units.all())
    if demo:
        text = f"Demo login: user '{username}', password '{password}' ({profile.get_role_display()}, scope {scope})"
        fd = os.open(demo_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        console.print(text)
    else:
        console.print(f"[green]Created[/] {username}: {profile.get_role_display()}, scope {scope}" + (f", agency {profile.agency}" if profile.agency else ""))


# Not collected: files of the plotly package that no page uses (the Jupyter widget bundle, its sample data and
# themes), and the source maps some libraries ship (debugging aids for their own developers).
STATIC_IGNORED = ["widgetbundle.js", "datasets", "templates", "*.map"]


def _default_workers() -> int:
    """Two web processes per core: while one waits on the database, the other computes."""
    return max(2, 2 * (os.cpu_count() or 1))


def _port_free(host: str, port: int) -> str | None:
    """None when the address can be listened on, else why not (so the error names the port before any worker starts)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _warm_up(_process) -> None:
    """Import every page's code in a new web process before it takes requests, so that no user waits for it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading the URL map imports every view
    import ibis

    # The event store's engine (events pages, the events map): Ibis imports its SQL compilers on first use, about a
    # second of the first such page in each process otherwise.
    ibis.duckdb  # noqa: B018


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Web processes (0: two per core)", min=0)] = 0,
    threads: Annotated[int, typer.Option(help="Threads in each web process", min=1)] = 4,
    worker: Annotated[bool, typer.Option(help="Also run the background-task worker (imports, recomputes) beside the server")] = True,
) -> None:
    """Serve the web app and the API with several processes (gunicorn), after checking the configuration and database,
    with the static files collected into the data directory (hashed names, compressed)."""
    # Set before Django reads its settings: the collected, hashed and compressed static files are served.
    os.environ["ROCC_STATIC_COLLECTED"] = "1"
    django_ready()
    import signal
    import subprocess

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=STATIC_IGNORED)
    connections.close_all()  # the web processes open their own
    problem = _port_free(host, port)
    if problem:
        _stop(f"cannot listen on {host}:{port} ({problem})", "choose another --port, or stop what is using this one")
    workers = workers or _default_workers()

    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # Small analyses run in the request; longer ones go to the background worker.
                "timeout": 120,
                "graceful_timeout": 30,
                "keepalive": 5,
                # The longest request line gunicorn takes (its default is half): a query string of the API's bounded
                # text (rocc.core.bounds.QUERY_TEXT_MAX), percent-encoded, reaches Django and its 422 in the API's
                # error schema instead of gunicorn's own HTML 400.
                "limit_request_line": 8190,
                "proc_name": "rocc",
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,
                "post_worker_init": _warm_up,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from rocc.wsgi import application

            return application

    worker_process = subprocess.Popen([sys.executable, "-m", "rocc.cli", "worker"]) if worker else None
    # A service manager stops the server with SIGTERM: gunicorn stops its processes, and `finally` stops the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    console.print(
        f"rocc is serving on [bold]http://{host}:{port}/[/] (API docs at http://{host}:{port}/api/docs) "
        f"with {workers} processes × {threads} threads. Ctrl+C stops it."
    )
    demo = Path(settings.ROCC_DATA_DIR).resolve() / "demo-login.txt"
    if demo.exists():
        console.print(demo.read_text().strip())
    try:
        _Server().run()
    finally:
        if worker_process is not None:
            worker_process.terminate()


@app.command()
def worker() -> None:
    """Run queued background tasks (imports, recomputes) until stopped, and the schedule beside them (reminders for due
    dates, e-mail, daily digests); `rocc serve` starts one by itself."""
    django_ready()
    from django.core.management import call_command

    from rocc.inbox.schedule import schedule_start

    schedule_start()
    call_command("db_worker", verbosity=0)


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="The backup file to write (.tar.gz), or a folder to write it in")]) -> None:
    """Write a consistent copy of the database and the data directory, restorable on another machine."""
    django_ready()
    from rocc.audit.services import system_event_record
    from rocc.core.backup import BackupError, backup_create

    try:
        summary = backup_create(path)
    except BackupError as exc:
        _stop(str(exc))
    system_event_record(what="backup written", details={"file": summary.path.name, "rows": summary.rows})
    console.print(f"[green]Backup written:[/] {summary.path} ({summary.rows} rows, {summary.files} data files). It holds keys: keep it safe.")
    console.print(
        f"Signed with {summary.signed_with}. A restore needs the same key: keep a copy of it apart from the backups "
        "(set ROCC_BACKUP_KEY on the machine that restores, or put the key file in its data directory)."
    )


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A backup written by `rocc backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the current database and data directory with a backup. Nothing changes unless it all succeeds."""
    django_ready()
    from rocc.core.backup import BackupError, backup_restore

    if not yes and not typer.confirm("This replaces all current data with the backup's. Go on?"):
        raise typer.Exit(1)
    try:
        summary = backup_restore(path)
    except BackupError as exc:
        _stop(f"restore refused, nothing was changed: {exc}")
    console.print(f"[green]Restored[/] {summary.rows} rows and {summary.files} data files from {summary.path}.")


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[str | None, typer.Option(help="An entry noted earlier as ID:HASH (from `rocc audit head`), which must still be in the chain")] = None,
) -> None:
    """Recompute the audit chain and report any entry that was changed or removed."""
    django_ready()
    from rocc.audit.chain import verify

    point = None
    if checkpoint:
        entry_id, _, digest = checkpoint.partition(":")
        if not entry_id.isdigit() or len(digest) != 64:
            _stop("--checkpoint takes ID:HASH, as printed by `rocc audit head`", code=2)
        point = (int(entry_id), digest)
    result = verify(checkpoint=point)
    if result.ok:
        console.print(f"[green]The audit trail is intact:[/] {result.checked} entries verified.")
        return
    for problem in result.problems:
        err.print(f"[bold red]tampered:[/] {problem}")
    err.print(f"{len(result.problems)} problem(s) in {result.checked} entries.")
    raise typer.Exit(1)


@audit_app.command("head")
def audit_head() -> None:
    """Print the newest entry as ID:HASH, to note outside rocc as a checkpoint for `rocc audit verify`."""
    django_ready()
    from rocc.audit.models import AuditEntry

    newest = AuditEntry.objects.order_by("-id").first()
    console.print(f"{newest.id}:{newest.hash}" if newest else "the audit trail is empty")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="The user the token acts as")],
    name: Annotated[str, typer.Option(help="What the token is for")] = "integration",
) -> None:
    """Create an API token (shown once; only its hash is stored). Send it as `Authorization: Bearer <token>`."""
    django_ready()
    from django.contrib.auth import get_user_model

    from rocc.core.tokens import token_issue

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        _stop(f"no user called '{username}'")
    console.print(token_issue(user=user, name=name))


def main() -> None:
    if "analyse" in sys.argv[1:2]:
        load_commands()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
