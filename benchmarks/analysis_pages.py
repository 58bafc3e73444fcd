"""Timing of the analysis result pages' server-side work on large results: building the map, heat table and
network drawing from a stored result and rendering the page fragment, so that re-opening a saved analysis
never keeps an analyst waiting.

Run: .venv/bin/python benchmarks/analysis_pages.py [--seed 20261121]

Targets: each fragment renders in under 1 s — a hot-spot grid of 100,000 cells (the map draws at most
30,000), a network of 1,500 nodes and 6,000 ties (the largest drawn), and a 20 × 20 Knox table. The
network's layout is computed once, when the analysis runs; it is timed here too.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from types import SimpleNamespace

import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocc.settings")
import django  # noqa: E402

django.setup()

from django.template.loader import render_to_string  # noqa: E402
from django.urls import reverse  # noqa: E402
from networks import synthetic_network  # noqa: E402  (benchmarks/networks.py: this folder is on the path)

from rocc.analysis.hotspots import hotspots  # noqa: E402
from rocc.analysis.near_repeat import plain_summary  # noqa: E402
from rocc.analysis.networks import network_analysis, network_from_edge_list  # noqa: E402
from rocc.analysis_pages import charts  # noqa: E402
from rocc.analysis_pages.runners import network_layout  # noqa: E402


def timed(label: str, work, target: float | None = None):
    start = time.perf_counter()
    value = work()
    seconds = time.perf_counter() - start
    verdict = "" if target is None else (f" (target < {target:.1f} s: {'met' if seconds < target else 'MISSED'})")
    print(f"{label}: {seconds:.3f} s{verdict}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    obj = SimpleNamespace(pk=1)
    reverse("analyses:overview")  # the URL map loads once per process, not per page: keep it out of the timings

    # Hot spots: 50,000 events over a 100 km × 100 km area at 316 m cells, about 100,000 cells.
    x = np.concatenate([rng.uniform(1_700_000, 1_800_000, 40_000), rng.normal(1_750_000, 800, 10_000)])
    y = np.concatenate([rng.uniform(5_880_000, 5_980_000, 40_000), rng.normal(5_920_000, 800, 10_000)])
    result = hotspots(x=x, y=y, cell=316, crs="EPSG:2193").to_dict()
    print(f"hot spots: {len(result['cells']):,} cells")
    drawn = timed("  map view-model", lambda: charts.hotspot_map(result))
    timed(
        "  map fragment rendered",
        lambda: render_to_string("analyses/results/hotspots.html", {"result": result, "map": drawn, "obj": obj, "geojson_url": "run"}),
        1.0,
    )

    # A network of 1,500 nodes and 6,000 ties.
    frame = synthetic_network(1500, 6000, seed=args.seed, directed=False)
    network = network_from_edge_list(frame, source="from", target="to", weight="calls")
    analysis = network_analysis(network, seed=0).to_dict()
    analysis["edges"] = [[s, t, float(w)] for s, t, w in network.edge_table().itertuples(index=False)]
    analysis["layout"] = timed("network: layout (once, when the analysis runs)", lambda: network_layout(network, seed=0))
    context = timed(
        "  drawing and tables",
        lambda: {"drawing": charts.network_drawing(analysis, size_by="betweenness"), "tables": charts.network_tables(analysis)},
    )
    timed(
        "  network fragment rendered",
        lambda: render_to_string(
            "analyses/results/network.html",
            {
                "result": analysis,
                **context,
                "size_by": "betweenness",
                "size_measures": charts.SIZE_MEASURES,
                "links": {},
            },
        ),
        1.0,
    )

    # A 20 × 20 Knox table.
    bands = 20
    ratio = rng.uniform(0.5, 2.5, (bands, bands))
    knox = {
        "n_events": 20_000,
        "metric": "manhattan",
        "permutations": 999,
        "seed": 1,
        "notes": [],
        "distance_bands": [[i * 100.0, (i + 1) * 100.0] for i in range(bands)],
        "day_bands": [[i * 7.0, (i + 1) * 7.0] for i in range(bands)],
        "observed": rng.integers(0, 500, (bands, bands)).tolist(),
        "expected": (ratio * 100).tolist(),
        "knox_ratio": ratio.tolist(),
        "p_value": rng.uniform(0, 1, (bands, bands)).tolist(),
    }
    text, cell = plain_summary(
        distance_bands=knox["distance_bands"],
        day_bands=knox["day_bands"],
        knox_ratio=knox["knox_ratio"],
        p_value=knox["p_value"],
        permutations=knox["permutations"],
        event_label="burglary",
    )
    knox["plain_summary"] = {"text": text, "cell": cell}
    timed(
        "Knox 20 × 20 fragment rendered",
        lambda: render_to_string("analyses/results/near_repeat.html", {"result": knox, "knox": charts.knox_table(knox)}),
        1.0,
    )


if __name__ == "__main__":
    main()
