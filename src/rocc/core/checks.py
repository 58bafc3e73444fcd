"""The start-up checks behind `rocc check` and `rocc serve`: each says what is wrong and how to fix it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    fix: str = ""
    blocking: bool = True


_LOOSE_MOST = 100


def _open_to_others(data_dir: Path) -> list[Path]:
    """The data directory and what is in it that group or other users may read, write or enter (at most 100)."""
    found: list[Path] = []
    if data_dir.exists() and data_dir.stat().st_mode & 0o077:
        found.append(data_dir)
    for folder, folders, files in os.walk(data_dir):
        if Path(folder) == data_dir / "static":
            folders[:] = []  # the collected static files are public by nature, rebuilt at every start
            continue
        for name in [*folders, *files]:
            path = Path(folder) / name
            try:
                if not path.is_symlink() and path.stat().st_mode & 0o077:
                    found.append(path)
            except OSError:
                continue  # gone while we looked (a WAL file, a temporary upload)
            if len(found) >= _LOOSE_MOST:
                return found
    return found


def run_checks() -> list[Check]:
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    results: list[Check] = []
    problems = settings.ROCC_CONFIG_PROBLEMS
    for problem in problems:
        results.append(Check("configuration", False, problem.what, problem.fix))
    if not problems:
        results.append(Check("configuration", True, f"data directory {settings.ROCC_DATA_DIR}"))
    results.append(
        Check(
            "security",
            not settings.DEBUG,
            "debug mode is on: error pages show internals and cookies are not marked secure"
            if settings.DEBUG
            else "debug off, secure cookies, secret key outside the repository",
            "unset ROCC_DEBUG outside development" if settings.DEBUG else "",
            blocking=False,
        )
    )
    # Notification e-mail (rocc.inbox.config): a half-given mail configuration is reported, never fatal.
    for problem in getattr(settings, "ROCC_MAIL_PROBLEMS", []):
        results.append(Check("e-mail", False, problem.what, problem.fix, blocking=False))
    if not getattr(settings, "ROCC_MAIL_PROBLEMS", []):
        on = getattr(settings, "ROCC_EMAIL_ENABLED", False)
        results.append(
            Check(
                "e-mail",
                True,
                f"notifications by e-mail through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
                if on
                else "e-mail off (ROCC_SMTP_HOST unset): notifications in rocc only",
            )
        )
    if not problems:
        loose = _open_to_others(settings.ROCC_DATA_DIR)
        if loose:
            shown = ", ".join(str(p.relative_to(settings.ROCC_DATA_DIR)) or "." for p in loose[:3]) + (" …" if len(loose) > 3 else "")
            results.append(
                Check(
                    "data directory",
                    False,
                    f"{len(loose)}{'+' if len(loose) >= _LOOSE_MOST else ''} item(s) in the data directory can be read by other users ({shown})",
                    f"chmod -R go= {settings.ROCC_DATA_DIR} (rocc creates its files 0600 and folders 0700)",
                    blocking=False,
                )
            )
    # File limits (rocc.core.limits): a ROCC_LIMIT_* that is not a whole number is reported; its default is used.
    from rocc.core import limits

    limit_problems = limits.problems()
    for problem in limit_problems:
        results.append(
            Check("file limits", False, problem, "set it to a whole number above 0, or unset it (docs/configuration.md, File limits)", blocking=False)
        )
    if not limit_problems:
        found = limits.limits()
        results.append(
            Check(
                "file limits",
                True,
                f"files up to {found.file_bytes // limits.MB:,} MB ({found.request_bytes // limits.MB:,} MB while a page waits), "
                f"{found.rows:,} rows, {found.columns:,} columns",
            )
        )
    if any("DATABASE_URL" in p.what or "database" in p.what for p in problems):
        return results

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except Exception as exc:  # every driver has its own error types; the message is what matters here
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        if connection.vendor == "sqlite":
            fix = "check that the data directory exists and is writable (ROCC_DATA_DIR)"
        else:
            settings_dict = connection.settings_dict
            fix = (
                f"is the database server running on {settings_dict.get('HOST') or 'the local socket'}:{settings_dict.get('PORT') or 5432}, "
                f"and does the database '{settings_dict.get('NAME')}' exist? Check DATABASE_URL"
            )
        results.append(Check("database", False, f"cannot connect: {reason}", fix))
        return results
    label = settings.ROCC.database_label
    results.append(Check("database", True, f"connected to {label}"))

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:3]) + (" …" if len(plan) > 3 else "")
        results.append(Check("migrations", False, f"{len(plan)} migration(s) not applied ({names})", "run: rocc migrate"))
        return results
    results.append(Check("migrations", True, "all migrations applied"))

    from rocc.org.models import OrgUnit

    count = OrgUnit.objects.count()
    results.append(
        Check(
            "reference data",
            count > 0,
            f"{count} organisational units loaded" if count else "no reference data loaded",
            "" if count else "run: rocc load-defaults",
            blocking=False,
        )
    )
    return results
