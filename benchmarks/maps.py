"""Benchmark: map data for 100,000 events and 90,000 hot-spot cells delivered and drawn, and boundary placement of
1,000,000 events.

Run: .venv/bin/python benchmarks/maps.py [--events 100000] [--place 1000000] [--seed 20261202]
What is timed:
- placement: `rocc.maps.selectors.units_for_points` for --place NZTM points against boundaries for the 12 districts
  and their areas (jagged synthetic polygons of ~2,000 vertices each, loaded by the real `boundaries_import`),
  including building the prepared index; the baseline is the straightforward way, one shapely point-in-polygon test
  per point per boundary, timed on 20,000 points and scaled.
- delivered: server time through Django's test client of the real `/api/maps/events` (the located events read from the
  Parquet store through the events capability's map selector, WGS84 conversion, JSON) for --events events, of the saved
  hot-spot result's page (a 300 × 300 grid, 90,000 cells, from `rocc.analysis.hotspots` on the same events, saved by
  the real service, which keeps the map's head and cells beside the result; the page reads the heads) and of the
  stored cells the map fetches, and of `hotspot_layer` + JSON alone (what a result not yet saved costs).
- delivered and drawn, end to end: `rocc serve` on the same data directory and Debian's Chromium signed in as the
  analyst: the events page and the hot-spot page, from navigation to the map reporting ready (every request the
  map makes: the page, Leaflet, the outline, the boundaries, the layer; parse, project, first draw).
- drawn alone: both layers on one page served as static files, so only the browser's work is timed, and one redraw
  after a pan.
Uses SQLite in a throw-away data directory under /tmp.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "src" / "rocc" / "maps" / "static" / "maps"
DATA = Path("/tmp/rocc-bench-maps")


def jagged_strip(west: float, east: float, south: float, north: float, *, vertices: int, phase: float):
    """A strip whose west and east sides wiggle (sinusoids shared with the neighbours), so the polygons tile."""
    import numpy as np

    n = vertices // 2
    ys = np.linspace(south, north, n)

    def edge(x: float, p: float):
        return x + 1500 * np.sin(ys / 7000 + p) + 400 * np.sin(ys / 900 + 2 * p)

    left = np.column_stack([edge(west, phase), ys])
    right = np.column_stack([edge(east, phase + 1), ys])[::-1]
    ring = np.vstack([left, right, left[:1]])
    return {"type": "Polygon", "coordinates": [ring.round(1).tolist()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--place", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = DATA
    shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ROCC_DATA_DIR"] = str(data)
    for command in (["migrate"], ["load-defaults"]):
        subprocess.run([sys.executable, "-m", "rocc.cli", *command], env=env, check=True, capture_output=True)
    os.environ.update({"ROCC_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "rocc.settings", "ROCC_TASKS_IMMEDIATE": "1"})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    import numpy as np
    import shapely

    from rocc.maps.selectors import units_for_points
    from rocc.maps.services import boundaries_import
    from rocc.org.models import OrgUnit

    rng = np.random.default_rng(args.seed)

    # --- boundaries: 12 district strips over x 1,100,000–2,100,000, each cut north–south into its areas
    districts = list(OrgUnit.objects.filter(level="district").order_by("order"))
    south, north = 4_800_000.0, 6_200_000.0
    width = 1_000_000 / len(districts)
    features = []
    for i, district in enumerate(districts):
        west = 1_100_000 + i * width
        features.append(
            {"type": "Feature", "properties": {"code": district.code}, "geometry": jagged_strip(west, west + width, south, north, vertices=2000, phase=i)}
        )
        areas = list(district.children.order_by("order"))
        for j, area in enumerate(areas):
            a_west = west + j * width / len(areas)
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": area.code},
                    "geometry": jagged_strip(a_west, a_west + width / len(areas), south, north, vertices=2000, phase=i + j / 10),
                }
            )
    # Areas must nest in their district: clip each to its district's polygon so the file is valid and non-overlapping.
    from shapely.geometry import mapping, shape

    by_code = {f["properties"]["code"]: f for f in features}
    for district in districts:
        outer = shape(by_code[district.code]["geometry"])
        areas = [by_code[a.code] for a in district.children.all()]
        used = None
        for feature in areas:
            piece = shape(feature["geometry"]).intersection(outer)
            if used is not None:
                piece = piece.difference(used)
            piece = max(getattr(piece, "geoms", [piece]), key=lambda g: g.area)
            used = piece if used is None else used.union(piece)
            feature["geometry"] = mapping(piece)
    path = data / "bench-boundaries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    vertices = sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in features)
    started = time.perf_counter()
    boundaries_import(actor=None, path=path, source="Synthetic benchmark boundaries", licence="CC0")
    print(f"boundaries: {len(features)} polygons, {vertices:,} vertices, imported in {time.perf_counter() - started:.2f} s")

    # --- placement of --place points (--place 0 skips it)
    if not args.place:
        return _map_data(args, rng, OrgUnit)
    px = rng.uniform(1_050_000, 2_150_000, args.place)
    py = rng.uniform(south - 50_000, north + 50_000, args.place)
    started = time.perf_counter()
    placement = units_for_points(px, py)
    placed_s = time.perf_counter() - started
    print(f"placement: {args.place:,} points in {placed_s:.2f} s ({placement.placed:,} inside a boundary, {int(placement.outside.sum()):,} outside)")
    sample = 20_000
    polygons = [shape(f["geometry"]) for f in features]
    started = time.perf_counter()
    for k in range(sample):
        point = shapely.Point(px[k], py[k])
        for polygon in polygons:
            polygon.contains(point)
    naive = (time.perf_counter() - started) / sample * args.place
    print(f"placement baseline (a shapely test per point per boundary): {naive:.0f} s estimated for {args.place:,} points, {naive / placed_s:.0f}× slower")
    _map_data(args, rng, OrgUnit)


def _map_data(args, rng, OrgUnit) -> None:
    import numpy as np

    # --- events in the store: a city-sized cloud with a few dense clusters, 30 km × 30 km around the North Shore
    n = args.events
    centre_x, centre_y = 1_755_000.0, 5_925_000.0
    cluster = rng.random(n) < 0.3
    ex = np.where(cluster, rng.normal(centre_x + rng.choice([-6000, 0, 5000], n), 400), rng.uniform(centre_x - 15_000, centre_x + 15_000, n))
    ey = np.where(cluster, rng.normal(centre_y + rng.choice([-4000, 2000, 7000], n), 400), rng.uniform(centre_y - 15_000, centre_y + 15_000, n))
    ex = np.clip(ex, centre_x - 14_999, centre_x + 14_999)
    ey = np.clip(ey, centre_y - 14_999, centre_y + 14_999)
    csv_path = DATA / "bench-events.csv"
    import pandas as pd

    pd.DataFrame(
        {"event_id": [f"E{i}" for i in range(n)], "date": "2024-03-01", "offence_code": "0711", "unit": "waitemata", "x": ex.round(0), "y": ey.round(0)}
    ).to_csv(csv_path, index=False)
    from django.contrib.auth import get_user_model

    from rocc.events.services import events_import, source_save
    from rocc.org.services import user_create

    analyst = user_create(username="bench-analyst", password="bench-password-123456", role="analyst", units=[OrgUnit.objects.get(code="waitemata")]).user
    source = source_save(
        user=analyst, mapping={"name": "bench", "event_id": "event_id", "date": "date", "offence_code": "offence_code", "unit": "unit", "x": "x", "y": "y"}
    )
    started = time.perf_counter()
    batch = events_import(user=analyst, source=source, path=csv_path)
    print(f"events: {batch.rows_imported:,} imported in {time.perf_counter() - started:.1f} s")
    analyst = get_user_model().objects.get(pk=analyst.pk)

    from rocc.analysis.hotspots import hotspots
    from rocc.analysis_pages.services import saved_analysis_create

    started = time.perf_counter()
    result = hotspots(
        x=ex, y=ey, cell=100, crs="EPSG:2193", extent=(centre_x - 15_000, centre_y - 15_000, centre_x + 15_000, centre_y + 15_000), seed=1
    ).to_dict()
    print(f"hot spots computed (not timed for the map): {result['grid']['rows']} × {result['grid']['cols']} cells in {time.perf_counter() - started:.1f} s")
    saved = saved_analysis_create(
        user=analyst, kind="hotspots", title="Benchmark hot spots", scope_unit=OrgUnit.objects.get(code="waitemata"), source="benchmark",
        parameters={}, result=result,
    )  # fmt: skip

    # --- delivered: server time through Django's test client (the real views, the saved result read from the database)
    from django.test import Client

    client = Client()
    client.force_login(analyst)
    deliveries = {
        "events layer: GET /api/maps/events (100,000 points)": "/api/maps/events",
        "hot-spot page: GET /analyses/saved/<pk>/ (the stored heads; the map fetches the cells)": f"/analyses/saved/{saved.pk}/",
        "hot-spot cells: GET /analyses/saved/<pk>/map-cells/ (90,000 cells as stored)": f"/analyses/saved/{saved.pk}/map-cells/",
        "events page: GET /events/ (its map fetches the layer)": "/events/",
    }
    for label, url in deliveries.items():
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            body = response.content
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, body[:300])
        print(
            f"delivered: {label}: {len(body) / 1e6:.2f} MB, best {min(times) * 1000:.0f} ms of {args.repeats} ({', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
        )
        if url == "/api/maps/events":
            events_json = body

    from rocc.maps.selectors import events_layer, hotspot_layer

    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        points_json = json.dumps(events_layer(user=analyst), separators=(",", ":")).encode()
        times.append(time.perf_counter() - started)
    print(
        f"delivered: events layer alone (events_layer + JSON): {len(points_json) / 1e6:.2f} MB, best {min(times) * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
    )

    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        layer = hotspot_layer(result)
        layer.pop("hot_rows")
        grid_json = json.dumps(layer, separators=(",", ":")).encode()
        times.append(time.perf_counter() - started)
    print(f"delivered: grid layer alone (hotspot_layer + JSON): {len(layer['col']):,} cells, {len(grid_json) / 1e6:.2f} MB, best {min(times) * 1000:.0f} ms")

    # --- delivered and drawn, end to end: `rocc serve` on this data directory, Chromium signed in as the analyst
    from playwright.sync_api import sync_playwright

    from rocc.web.testing import CHROMIUM

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    log = open(DATA / "serve.log", "w")  # noqa: SIM115 - kept open for the server's life
    server = subprocess.Popen(
        [sys.executable, "-m", "rocc.cli", "serve", "--port", str(port), "--no-worker"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_for(port)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = chromium.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("User name").fill("bench-analyst")
            page.get_by_label("Password").fill("bench-password-123456")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(base + "/")
            for label, url in (("events page", "/events/"), ("hot-spot page", f"/analyses/saved/{saved.pk}/")):
                for attempt in range(args.repeats):
                    page.goto(url, wait_until="commit")
                    page.wait_for_selector("figure.rocc-map[data-ready]", timeout=120_000)
                    _report(page, f"end to end, {label} through rocc serve (run {attempt + 1})")
            context.close()
            chromium.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=40)

    # --- drawn alone: both layers on one page, from a static server, so only the browser's work is timed
    site = DATA / "site"
    (site / "static").mkdir(parents=True)
    shutil.copytree(STATIC, site / "static" / "maps")
    from rocc.maps.selectors import outline_geojson

    (site / "outline.json").write_text(json.dumps(outline_geojson()))
    (site / "events.json").write_bytes(events_json)
    (site / "grid.json").write_bytes(grid_json)
    page_html = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>map benchmark</title>
<link rel="stylesheet" href="/static/maps/leaflet/leaflet.css"><link rel="stylesheet" href="/static/maps/maps.css"></head><body>
<figure class="rocc-map" id="m" data-spec="m-spec"><div class="rocc-map-canvas" tabindex="0"></div><p class="rocc-map-status"></p></figure>
<script type="application/json" id="m-spec">{"outline_url": "/outline.json", "boundaries_url": null, "basemap": null, "licence_url": "/static/maps/leaflet/LICENSE",
"layers": [{"url": "/events.json"}, {"url": "/grid.json"}]}</script>
<script src="/static/maps/leaflet/leaflet.js"></script><script src="/static/maps/rocc-map.js"></script></body></html>"""
    (site / "index.html").write_text(page_html)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    static_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=static_server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{static_server.server_address[1]}/index.html"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for attempt in range(args.repeats):
            page.goto(url)
            page.wait_for_selector("figure.rocc-map[data-ready]", timeout=120_000)
            _report(page, f"drawn, both layers on one page from static files (run {attempt + 1})")
            pan = page.evaluate(
                """() => new Promise(done => { const m = document.querySelector('figure').rocc.map; const t = performance.now();
                 m.once('moveend', () => requestAnimationFrame(() => done(performance.now() - t))); m.panBy([200, 100], {animate: false}); })"""
            )
            print(f"   a pan redrawn in {pan:.0f} ms")
        chromium.close()
    static_server.shutdown()


def _report(page, label: str) -> None:
    figures = page.evaluate(
        """() => { const f = document.querySelector('figure.rocc-map'); const nav = performance.getEntriesByType('navigation')[0];
        return {ready: f.dataset.ready, total: performance.now(), component: Number(f.dataset.drawMs), response: nav.responseEnd,
                timings: (f.rocc.timings || []).map(t => `${t.kind} build ${Math.round(t.buildMs)} ms, draw ${Math.round(t.drawMs || 0)} ms`)}; }"""
    )
    assert figures["ready"] == "true", figures
    print(
        f"{label}: navigation to map ready {figures['total']:.0f} ms (page received {figures['response']:.0f} ms; the component's fetch, parse, "
        f"project and first draw {figures['component']:.0f} ms: {'; '.join(figures['timings'])})"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"rocc serve did not answer within 120 s; see {DATA / 'serve.log'}")


if __name__ == "__main__":
    main()
