"""Where rocc keeps its data and how it is configured, read from the environment without ever failing.

Settings import this module; problems found here (an unwritable data directory, a malformed
DATABASE_URL) are collected in ``problems`` so that ``rocc check`` and ``rocc serve`` can say exactly
what is wrong, instead of Django failing with a traceback at start-up.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Problem:
    """Something in the configuration that stops rocc working, and how to fix it."""

    what: str
    fix: str


@dataclass(frozen=True)
class Transport:
    """HTTPS as a deployment behind TLS sets it: all off by default, so the local demo works over plain HTTP."""

    hsts_seconds: int  # ROCC_HSTS_SECONDS: Strict-Transport-Security max-age on secure answers; 0 sends none
    proxy_ssl_header: tuple[str, str] | None  # ROCC_SECURE_PROXY_SSL_HEADER: the proxy's header saying it was HTTPS
    ssl_redirect: bool  # ROCC_SECURE_SSL_REDIRECT: plain-HTTP requests are redirected to HTTPS


@dataclass
class Config:
    data_dir: Path
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    database: dict
    database_label: str
    problems: list[Problem] = field(default_factory=list)
    transport: Transport = field(default_factory=lambda: Transport(0, None, False))


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def data_dir_from_env() -> Path:
    return Path(os.environ.get("ROCC_DATA_DIR", "var")).expanduser().resolve()


def _data_dir_problem(data_dir: Path) -> Problem | None:
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        return Problem(
            f"the data directory {data_dir} cannot be created ({exc.strerror})",
            "set ROCC_DATA_DIR to a folder you can write to, or create this one",
        )
    if not os.access(data_dir, os.W_OK | os.X_OK):
        return Problem(
            f"the data directory {data_dir} is not writable by this user",
            f"give this user write access (chmod u+w {data_dir}) or set ROCC_DATA_DIR to another folder",
        )
    return None


def _secret_key(data_dir: Path, writable: bool) -> tuple[str, Problem | None]:
    """The secret key from ROCC_SECRET_KEY, else from the data directory, generated there on first run."""
    from_env = os.environ.get("ROCC_SECRET_KEY", "").strip()
    if from_env:
        if len(from_env) < 50:
            return from_env, Problem(
                "ROCC_SECRET_KEY is shorter than 50 characters",
                "use a long random value, for example from: python -c 'import secrets; print(secrets.token_urlsafe(64))'",
            )
        return from_env, None
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip(), None
    if not writable:
        # An ephemeral key lets `rocc check` start and report; nothing is served with it.
        return secrets.token_urlsafe(64), Problem(
            "no secret key: ROCC_SECRET_KEY is not set and the data directory cannot hold one",
            "fix the data directory, or set ROCC_SECRET_KEY",
        )
    key = secrets.token_urlsafe(64)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key, None


def _database(data_dir: Path) -> tuple[dict, str, Problem | None]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        path = data_dir / "rocc.sqlite3"
        return (
            {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {
                    # WAL lets pages be read while an import writes; IMMEDIATE avoids lock upgrades failing.
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                    "transaction_mode": "IMMEDIATE",
                },
            },
            f"SQLite database {path}",
            None,
        )
    import dj_database_url

    scheme = urlsplit(url).scheme
    supported = {"postgres", "postgresql", "pgsql", "sqlite"}
    problem = None
    if scheme not in supported:
        problem = Problem(
            f"DATABASE_URL has the scheme '{scheme or '(none)'}', which rocc does not support",
            "use postgres://USER@HOST:PORT/NAME for PostgreSQL, or unset DATABASE_URL for the embedded SQLite database",
        )
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=60)
        except Exception as exc:  # the parser raises several types for malformed URLs
            problem = Problem(
                f"DATABASE_URL cannot be read ({exc})",
                "write it as postgres://USER:PASSWORD@HOST:PORT/NAME",
            )
        else:
            if scheme != "sqlite" and not config.get("NAME"):
                problem = Problem(
                    "DATABASE_URL names no database",
                    "add the database name after the host: postgres://USER@HOST:5432/NAME",
                )
            else:
                if scheme != "sqlite":
                    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
                label = f"{config['ENGINE'].rsplit('.', 1)[-1]} database {config.get('NAME')} on {config.get('HOST') or 'local socket'}"
                return config, label, None
    return {"ENGINE": "django.db.backends.dummy"}, "no usable database", problem


def _transport() -> tuple[Transport, list[Problem]]:
    problems: list[Problem] = []
    raw = os.environ.get("ROCC_HSTS_SECONDS", "").strip()
    hsts = 0
    if raw:
        if raw.isdigit():
            hsts = int(raw)
        else:
            problems.append(
                Problem(
                    f"ROCC_HSTS_SECONDS={raw!r} is not a whole number of seconds",
                    "set it to how long browsers should insist on HTTPS, for example 31536000 (a year), or 0 or unset for none",
                )
            )
    header: tuple[str, str] | None = None
    raw = os.environ.get("ROCC_SECURE_PROXY_SSL_HEADER", "").strip()
    if raw:
        name, colon, value = raw.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name or not value or not all(c.isalnum() or c == "-" for c in name):
            problems.append(
                Problem(
                    f"ROCC_SECURE_PROXY_SSL_HEADER={raw!r} is not a header and its value",
                    "write it as the header your proxy sets on HTTPS requests and that value: X-Forwarded-Proto: https",
                )
            )
        else:
            header = ("HTTP_" + name.upper().replace("-", "_"), value)
    elif _truthy(os.environ.get("ROCC_BEHIND_TLS_PROXY")):
        header = ("HTTP_X_FORWARDED_PROTO", "https")  # the older, shorter setting for the usual header
    return Transport(hsts, header, _truthy(os.environ.get("ROCC_SECURE_SSL_REDIRECT"))), problems


#: What rocc creates is its owner's alone: files 0600 and folders 0700 (the database and its WAL, keys, backups,
#: uploads, exports, the event store), whichever code path creates them, since the mask applies to every one.
OWNER_ONLY_UMASK = 0o077


def load() -> Config:
    os.umask(OWNER_ONLY_UMASK)
    data_dir = data_dir_from_env()
    problems: list[Problem] = []
    dir_problem = _data_dir_problem(data_dir)
    if dir_problem:
        problems.append(dir_problem)
    key, key_problem = _secret_key(data_dir, writable=dir_problem is None)
    if key_problem:
        problems.append(key_problem)
    database, label, db_problem = _database(data_dir)
    if db_problem:
        problems.append(db_problem)
    transport, transport_problems = _transport()
    problems += transport_problems
    hosts = [h.strip() for h in os.environ.get("ROCC_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
    return Config(
        data_dir=data_dir,
        secret_key=key,
        debug=_truthy(os.environ.get("ROCC_DEBUG")),
        allowed_hosts=hosts,
        database=database,
        database_label=label,
        problems=problems,
        transport=transport,
    )
