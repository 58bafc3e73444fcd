"""The API contract check: rocc served on a fresh data directory, and schemathesis run against its live OpenAPI
document as users of several roles (and as nobody), with a fixed seed and bounded examples. Any failure fails the
run, so the document and the API cannot drift apart.

    .venv/bin/python -m rocc.api_contract_check [--examples N] [--seed S] [--keep] [--data-dir DIR] [--only NAME]

It prints one line per caller with the operations, the test cases and the failures (and, on a failure, schemathesis's
account of it with long values cut), and exits 1 on any failure. ``--data-dir`` uses that folder as the data directory:
installed when it is new, migrated and given the callers (or their kept tokens) when it is not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rocc.testing import ROCC, install_data_dir, run

#: The checks every answer must pass: no 5xx, only documented status codes and content types, bodies that match
#: their documented schema, and invalid input refused.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]

#: schemathesis's phases: the document's own examples, the boundaries of every bound (coverage), then random cases.
PHASES = "examples,coverage,fuzzing"

#: Who the API is called as: (username, role, units, agency). The administrator reaches everything; the others
#: meet the scope and permission refusals (403, 404) the document promises.
USERS = [
    ("contract-admin", "administrator", [], None),
    ("contract-analyst", "analyst", ["waitemata"], None),
    ("contract-viewer", "viewer", ["northland"], None),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_SECRET_KEY", "ROCC_BACKUP_KEY", "DJANGO_SETTINGS_MODULE"}}
    environment["ROCC_DATA_DIR"] = str(data_dir)
    return environment


def _users_and_tokens(data_dir: Path) -> dict[str, str]:
    """Create the users (those not there yet) and a new token for each in one process; returns username → token."""
    script = (
        "import json, sys\n"
        "from rocc.core.ready import django_ready\n"
        "django_ready()\n"
        "from django.contrib.auth import get_user_model\n"
        "from rocc.core.tokens import token_issue\n"
        "from rocc.org.services import agency_resolve, unit_resolve, user_create\n"
        "tokens = {}\n"
        "for username, role, units, agency in json.loads(sys.argv[1]):\n"
        "    user = get_user_model().objects.filter(username=username).first()\n"
        "    if user is None:\n"
        "        user = user_create(username=username, password='contract-check-' + username, role=role,\n"
        "            units=[unit_resolve(u) for u in units], agency=agency_resolve(agency) if agency else None).user\n"
        "    tokens[username] = token_issue(user=user, name='contract check')\n"
        "print(json.dumps(tokens))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, json.dumps(USERS)], capture_output=True, text=True, env=_environment(data_dir), check=False)
    if done.returncode != 0:
        raise SystemExit(f"could not create the users:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prepare(data_dir: Path) -> dict[str, str]:
    """The data directory ready to serve: installed when new, else migrated (a kept folder from an older checkout); the
    callers' tokens, kept in it so a rerun reuses them."""
    if not (data_dir / "rocc.sqlite3").exists():
        install_data_dir(data_dir)
    else:
        done = run("migrate", data_dir=data_dir)
        if done.returncode != 0:
            raise SystemExit(f"could not migrate {data_dir}:\n{done.stdout}{done.stderr}")
    kept = data_dir / "contract-tokens.json"
    if kept.exists():
        tokens = json.loads(kept.read_text())
        if set(tokens) == {username for username, *_ in USERS}:
            return tokens
    tokens = _users_and_tokens(data_dir)
    fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # bearer tokens: the owner's only
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(tokens))
    return tokens


#: Where schemathesis's account of its failures starts, and the longest line of it shown (a generated value can be
#: 100,000 characters; the JUnit report keeps every one whole).
_FAILURES = "= FAILURES ="
_LINE_MOST = 400
#: schemathesis's closing line, e.g. "==== 1 failure, 3 warnings in 190.57s ====" or "==== No issues found in 60.2s ===="
_SUMMARY = re.compile(r"^=+ (.+ in [\d.]+s) =+$")


def _failures(output: str) -> str:
    """The failures part of schemathesis's output (up to its warnings), each line cut to a readable length."""
    start = output.find(_FAILURES)
    part = output[start:] if start >= 0 else output
    end = part.find("= WARNINGS =")
    part = part[:end] if end > 0 else part
    return "\n".join(line if len(line) <= _LINE_MOST else f"{line[:_LINE_MOST]}… ({len(line):,} characters)" for line in part.splitlines())


def _serve(data_dir: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [*ROCC, "serve", "--port", str(port), "--threads", "4", "--no-worker"],
        env=_environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "serve.log", "w"),  # noqa: SIM115 - kept open for the server's life
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"rocc serve did not answer within 60 s; see {data_dir / 'serve.log'}")


def _schemathesis(url: str, *, token: str | None, examples: int, seed: int, phases: str, report: Path) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        url,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--phases",
        phases,
        "--workers",
        "1",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        "--suppress-health-check",
        "all",
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10, help="most test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=17, help="the generator's seed (the same seed, the same cases)")
    parser.add_argument(
        "--phases", default=PHASES, help=f"schemathesis's phases, comma-separated (default {PHASES}; coverage is the slowest and finds the most)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data directory and the reports")
    parser.add_argument("--only", default="", help="run only this user (username, or 'anonymous')")
    parser.add_argument("--data-dir", type=Path, help="the data directory to use and keep: installed when new, migrated when not")
    args = parser.parse_args(argv)
    names = [username for username, *_ in USERS] + ["anonymous"]
    if args.only and args.only not in names:
        parser.error(f"--only takes one of {', '.join(names)}")

    started = time.monotonic()
    data_dir = args.data_dir.resolve() if args.data_dir else Path(tempfile.mkdtemp(prefix="rocc-contract-"))
    server = None
    failed = False
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tokens = _prepare(data_dir)
        port = _free_port()
        server = _serve(data_dir, port)
        url = f"http://127.0.0.1:{port}/api/openapi.json"
        callers: list[tuple[str, str | None]] = [*tokens.items(), ("anonymous", None)]
        for name, token in callers:
            if args.only and name != args.only:
                continue
            report = data_dir / f"junit-{name}.xml"
            code, output = _schemathesis(url, token=token, examples=args.examples, seed=args.seed, phases=args.phases, report=report)
            summary = [found.group(1) for found in map(_SUMMARY.match, output.splitlines()) if found]
            print(f"== {name}: {'FAILED' if code else 'passed'}; {summary[-1] if summary else 'no summary'}", flush=True)
            if code:
                failed = True
                print(_failures(output), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep or args.data_dir:
            print(f"data directory and reports kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"API contract check {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
