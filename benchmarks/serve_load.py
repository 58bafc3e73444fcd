"""Benchmark: `rocc serve` under load. A server on a throw-away data directory at benchmark scale, signed-in users
driving a realistic mix of pages and API reads with no think time, and each page's own time, on SQLite and PostgreSQL;
beside it the same content served the old way (the code of BASELINE_REF, started as its `rocc serve` started then:
one waitress process with 8 threads, static files read from the installed packages), in the same run.

Run: .venv/bin/python benchmarks/serve_load.py [--events 1000000] [--seconds 20] [--databases sqlite,postgres]
     [--baseline-ref REF | --no-baseline] [--users 1,50]

Content: the shipped reference data (`rocc load-defaults`), then seeded: `--events` synthetic events imported through
the event-store service (benchmarks/generate_events.py), 50 saved analyses (ten hot-spot results of about 100,000
cells, the rest hot-times, repeat-victim and smaller hot-spot results), 12 indicators × 12 districts × 5 years of
monthly figures with targets and statuses. Each virtual user is a thread with its own keep-alive connection, on one
of five signed-in sessions (an analyst with national scope); every request's time is from sending to the last byte.
Targets (issue 16): 50 users p95 ≤ 500 ms and ≥ 100 req/s; 1 user p50 ≤ 15 ms on the main pages; every page ≤ 300 ms
on the server. The machine's load average is printed beside each figure: the two cores may be shared.
PostgreSQL: the service on 127.0.0.1:5432 (override with --postgres-url); its database is dropped and made again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The last commit before `rocc serve` used gunicorn: today's server and pages, for the ratio.
BASELINE_REF = "174a3cb"
ANALYST = ("bench-analyst", "bench-analyst-password-long")
SESSIONS = 5

# (weight, what, path): the pages people open most, and the API reads integrators make. {indicator}, {saved},
# {hotspot} are filled from the seeded content.
MIX = [
    (10, "home", "/"),
    (8, "measures", "/measures/"),
    (8, "indicator", "/measures/indicators/{indicator}/"),
    (4, "scorecard", "/measures/scorecard/"),
    (5, "strategy", "/strategy/"),
    (6, "analyses", "/analyses/"),
    (4, "saved analysis", "/analyses/saved/{saved}/"),
    (2, "hot-spot result", "/analyses/saved/{hotspot}/"),
    (5, "events", "/events/"),
    (4, "problems", "/problems/"),
    (4, "tasking", "/tasking/"),
    (4, "inbox", "/inbox/"),
    (6, "api indicators", "/api/measures/indicators"),
    (6, "api units", "/api/org/units"),
    (5, "api saved analyses", "/api/analyses/saved"),
    (4, "api plans", "/api/strategy/plans"),
    (5, "api unread", "/api/inbox/unread"),
]
MAIN_PAGES = {"home", "measures", "strategy", "analyses", "events", "problems", "tasking", "inbox"}


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- content ------------------------------------------------------------------------------------------------------


def seed(events: int) -> None:
    """Runs in a child process with ROCC_DATA_DIR (and DATABASE_URL) set: the seeded content above."""
    import datetime as dt

    import django

    django.setup()
    import numpy as np
    from content import benchmark_indicator
    from generate_events import MAPPING, import_file

    from rocc.analysis.hot_times import hot_times
    from rocc.analysis.hotspots import hotspots
    from rocc.analysis_pages.services import saved_analysis_create
    from rocc.events.services import events_import, source_save
    from rocc.measures.periods import add_months, month_end
    from rocc.measures.services import ObservationInput, observations_record_many, statuses_recompute, target_set
    from rocc.org.models import OrgUnit
    from rocc.org.services import user_create

    started = time.perf_counter()
    rng = np.random.default_rng(20261121)
    nz = OrgUnit.objects.get(code="nz")
    analyst = user_create(username=ANALYST[0], password=ANALYST[1], role="analyst", units=[nz], agency=None).user

    if events:
        extract = import_file(Path(f"/tmp/rocc-bench-serve-events-{events}.csv"), events, 20261121)
        batch = events_import(user=None, source=source_save(user=None, mapping=MAPPING), path=extract)
        print(f"  {batch.rows_imported:,} events imported ({batch.status})", flush=True)

    districts = list(OrgUnit.objects.filter(level="district"))
    first = dt.date(2021, 1, 1)
    months = [add_months(first, i) for i in range(60)]
    for n in range(12):
        indicator = benchmark_indicator(n, polarity="lower" if n % 3 else "higher")
        items = [
            ObservationInput(indicator=indicator, unit=d, period_start=m, period_end=month_end(m), numerator=float(rng.poisson(rng.uniform(20, 200))))
            for d in districts
            for m in months
        ]
        observations_record_many(items=items, source="import")
        for unit in [nz, *districts]:
            target_set(
                user=None,
                indicator=indicator,
                unit=unit,
                period_type="year_ended",
                baseline_kind="fixed_period",
                baseline_period_end=month_end(months[11]),
                baseline_label="first year",
                target_kind="change",
                target_change_percent=-10,
                target_date=month_end(months[-1]),
            )
    statuses_recompute()

    # Hot spots around Auckland in NZTM2000: 50,000 events over 100 km × 100 km at 316 m cells (about 100,000 cells).
    x = np.concatenate([rng.uniform(1_700_000, 1_800_000, 40_000), rng.normal(1_750_000, 800, 10_000)])
    y = np.concatenate([rng.uniform(5_880_000, 5_980_000, 40_000), rng.normal(5_920_000, 800, 10_000)])
    large = hotspots(x=x, y=y, cell=316, crs="EPSG:2193").to_dict()
    small = hotspots(x=x[:5000], y=y[:5000], cell=1000, crs="EPSG:2193").to_dict()
    starts = np.datetime64("2025-01-01T00:00") + rng.integers(0, 365 * 24 * 60, 20_000).astype("timedelta64[m]")
    times = hot_times(starts=starts, ends=starts + rng.integers(0, 240, 20_000).astype("timedelta64[m]")).to_dict()
    kinds = [("hotspots", large, 10), ("hotspots", small, 20), ("hot_times", times, 20)]
    for kind, result, count in kinds:
        for i in range(count):
            saved_analysis_create(user=analyst, kind=kind, title=f"Benchmark {kind} {i + 1}", scope_unit=nz, source="benchmark", parameters={}, result=result)
    print(f"  content seeded in {time.perf_counter() - started:.0f} s", flush=True)


def prepare(database: str, args) -> tuple[Path, dict[str, str]]:
    data = Path(f"/tmp/rocc-bench-serve-{database}")
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ROCC_PSEUDONYM_KEY", "ROCC_SECRET_KEY", "ROCC_STATIC_COLLECTED"}}
    env.update(ROCC_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="rocc.settings", ROCC_LOG_LEVEL="ERROR")
    if database == "postgres":
        url = args.postgres_url
        name = urlsplit(url).path.lstrip("/")
        server = url.rsplit("/", 1)[0] + "/postgres"
        for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
            subprocess.run([sys.executable, "-c", f"import psycopg; c = psycopg.connect({server!r}, autocommit=True); c.execute({sql!r})"], check=True)
        env["DATABASE_URL"] = url
    for command in (["migrate"], ["load-defaults"]):
        subprocess.run([sys.executable, "-m", "rocc.cli", *command], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, str(Path(__file__)), "--seed-only", "--events", str(args.events)], env={**env, "PYTHONPATH": str(HERE)}, check=True)
    return data, env


def baseline_source(ref: str) -> Path:
    """The baseline's source tree, exported from git (the checkout is left as it is)."""
    tree = Path(f"/tmp/rocc-bench-serve-baseline-{ref}")
    if not (tree / "src" / "rocc").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree / "src"


def start(env: dict[str, str], *, baseline: Path | None, data: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    if baseline is None:
        command = [sys.executable, "-m", "rocc.cli", "serve", "--port", str(port), "--no-worker"]
        env = dict(env)
    else:
        command = [sys.executable, "-m", "rocc.cli", "serve", "--port", str(port), "--threads", "8", "--no-worker"]
        env = {**env, "PYTHONPATH": str(baseline)}
    log = open(data / f"serve-{'baseline' if baseline else 'new'}.log", "w")  # noqa: SIM115 - kept open for the server's life
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise SystemExit(f"the server did not answer within 120 s; see {log.name}")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


# --- the client ---------------------------------------------------------------------------------------------------


class Session:
    """One signed-in browser: its cookies, over a keep-alive connection per thread."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Encoding": "gzip"}

    def keep(self, response) -> None:
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]

    def sign_in(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        page = response.read().decode()
        self.keep(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": token, "username": ANALYST[0], "password": ANALYST[1]})
        connection.request("POST", "/accounts/login/", body=body, headers={**self.header(), "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        self.keep(response)
        if response.status != 302:
            raise SystemExit(f"sign-in refused ({response.status})")


def fetch(connection: http.client.HTTPConnection, session: Session, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    connection.request("GET", path, headers=session.header())
    response = connection.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, len(body)


def paths(port: int, session: Session) -> dict[str, str]:
    """The seeded objects' addresses, read through the API."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/api/analyses/saved?limit=100", headers=session.header())
    saved = json.loads(connection.getresponse().read())
    items = saved["items"] if isinstance(saved, dict) else saved
    hotspot = next(s["id"] for s in items if s["title"] == "Benchmark hotspots 1")
    other = next(s["id"] for s in items if s["kind"] == "hot_times")
    return {"indicator": "bench-00", "saved": str(other), "hotspot": str(hotspot)}


def survey(port: int, session: Session, fill: dict[str, str], repeat: int) -> dict[str, float]:
    """Each page of the mix on its own, one at a time: the median time (a warm-up request first)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    medians = {}
    for _, what, path in MIX:
        path = path.format(**fill)
        seconds, status, _ = fetch(connection, session, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        medians[what] = statistics.median(fetch(connection, session, path)[0] for _ in range(repeat))
    return medians


def load(port: int, sessions: list[Session], fill: dict[str, str], users: int, seconds: float) -> dict:
    weights = [w for w, _, _ in MIX]
    chosen = [(what, path.format(**fill)) for _, what, path in MIX]
    times: list[tuple[str, float]] = []
    errors = []
    stop_at = time.perf_counter() + seconds
    lock = threading.Lock()

    def user(n: int) -> None:
        rng = random.Random(n)
        session = sessions[n % len(sessions)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, failed = [], []
        while time.perf_counter() < stop_at:
            what, path = rng.choices(chosen, weights)[0]
            try:
                took, status, _ = fetch(connection, session, path)
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"{path}: {exc}")
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            (mine if status == 200 else failed).append((what, took) if status == 200 else f"{path}: {status}")
        with lock:
            times.extend(mine)
            errors.extend(failed)

    load_before = loadavg()
    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for _, t in times)
    main = sorted(t for what, t in times if what in MAIN_PAGES)

    def q(values, p):
        return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")

    return {
        "users": users,
        "requests": len(times),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "rps": len(times) / elapsed,
        "p50": q(every, 0.5),
        "p95": q(every, 0.95),
        "main_p50": q(main, 0.5),
        "load": f"{load_before}→{loadavg()}",
    }


def static_transfer(port: int, session: Session) -> str:
    """What the indicator page's chart library costs a browser that takes gzip."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/measures/indicators/bench-00/", headers=session.header())
    page = connection.getresponse().read().decode()
    src = re.search(r'src="(/static/vendor/plotly/[^"]+)"', page).group(1)
    connection.request("GET", src, headers=session.header())
    response = connection.getresponse()
    body = response.read()
    return f"{src.rsplit('/', 1)[1]}: {len(body) / 1e6:.2f} MB sent ({response.getheader('Content-Encoding') or 'uncompressed'}), Cache-Control {response.getheader('Cache-Control')}"


def measure(label: str, env: dict[str, str], data: Path, baseline: Path | None, args) -> dict:
    server, port = start(env, baseline=baseline, data=data)
    try:
        sessions = [Session(port) for _ in range(SESSIONS)]
        for s in sessions:
            s.sign_in()
        fill = paths(port, sessions[0])
        pages = survey(port, sessions[0], fill, args.repeat)
        print(f"  {label}: each page alone (median of {args.repeat}, load {loadavg()}):", flush=True)
        for what, seconds in pages.items():
            print(f"    {what:<20} {seconds * 1000:8.1f} ms", flush=True)
        print(f"    {static_transfer(port, sessions[0])}", flush=True)
        runs = []
        for users in args.users:
            result = load(port, sessions, fill, users, args.seconds)
            runs.append(result)
            print(
                f"  {label}, {users} user{'s' if users > 1 else ''}: {result['rps']:.1f} req/s, p50 {result['p50'] * 1000:.0f} ms, "
                f"p95 {result['p95'] * 1000:.0f} ms, main pages p50 {result['main_p50'] * 1000:.1f} ms, {result['requests']} requests, "
                f"{result['errors']} errors{' (' + result['first_error'] + ')' if result['errors'] else ''}, load average {result['load']}",
                flush=True,
            )
        return {"pages": pages, "runs": runs}
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--users", default="1,50")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/rocc_bench_serve")
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed(args.events)
        return
    args.users = [int(u) for u in args.users.split(",")]
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {loadavg()}", flush=True)
    baseline = None if args.no_baseline else baseline_source(args.baseline_ref)
    summary = {}
    for database in args.databases.split(","):
        print(f"== {database}: seeding", flush=True)
        data, env = prepare(database, args)
        new = measure(f"{database} rocc serve", env, data, None, args)
        old = measure(f"{database} baseline {args.baseline_ref}", env, data, baseline, args) if baseline else None
        summary[database] = (new, old)
    for database, (new, old) in summary.items():
        if old is None:
            continue
        print(f"== {database}: new against baseline")
        for n, o in zip(new["runs"], old["runs"]):
            print(
                f"  {n['users']} users: {n['rps']:.0f} vs {o['rps']:.0f} req/s ({n['rps'] / o['rps']:.1f}×), p95 {n['p95'] * 1000:.0f} vs "
                f"{o['p95'] * 1000:.0f} ms ({o['p95'] / n['p95']:.1f}× faster), main p50 {n['main_p50'] * 1000:.1f} vs {o['main_p50'] * 1000:.1f} ms"
            )
        for what in new["pages"]:
            print(f"  {what:<20} {new['pages'][what] * 1000:7.1f} ms vs {old['pages'][what] * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
