"""Networks rounded out: weighted geodesics (a tie of weight w is 1 / w long) for betweenness and closeness, in- and
out-closeness, normalised centralities and k-cores, each against a pure-Python oracle (Dijkstra-based Brandes, peeling
for cores), and Krackhardt's kite reproduced."""

from __future__ import annotations

import heapq
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.networks import network_analysis, network_from_edge_list
from rocc.cli.analyse import load_commands
from rocc.cli.main import app

load_commands()


# --- the oracles --------------------------------------------------------------------------------------------------


def adjacency(n, edges, lengths, directed, reverse=False):
    out = [[] for _ in range(n)]
    for (s, t), length in zip(edges, lengths):
        if reverse:
            s, t = t, s
        out[s].append((t, length))
        if not directed:
            out[t].append((s, length))
    return out


def dijkstra(n, neighbours, source):
    """Distances, numbers of shortest paths and predecessors from ``source`` (exact: lengths are binary fractions)."""
    distance = [None] * n
    paths = [0] * n
    before = [[] for _ in range(n)]
    distance[source], paths[source] = 0.0, 1
    order = []
    heap = [(0.0, source)]
    done = [False] * n
    while heap:
        d, v = heapq.heappop(heap)
        if done[v]:
            continue
        done[v] = True
        order.append(v)
        for w, length in neighbours[v]:
            candidate = d + length
            if distance[w] is None or candidate < distance[w]:
                distance[w], paths[w], before[w] = candidate, paths[v], [v]
                heapq.heappush(heap, (candidate, w))
            elif candidate == distance[w] and not done[w]:
                paths[w] += paths[v]
                before[w].append(v)
    return distance, paths, before, order


def weighted_betweenness(n, edges, lengths, directed):
    neighbours = adjacency(n, edges, lengths, directed)
    score = [0.0] * n
    for s in range(n):
        _, paths, before, order = dijkstra(n, neighbours, s)
        dependency = [0.0] * n
        for w in reversed(order):
            for v in before[w]:
                dependency[v] += paths[v] / paths[w] * (1 + dependency[w])
            if w != s:
                score[w] += dependency[w]
    return [b if directed else b / 2 for b in score]


def wasserman_faust(n, edges, lengths, directed, reverse=False):
    neighbours = adjacency(n, edges, lengths, directed, reverse=reverse)
    values = []
    for s in range(n):
        distance, *_ = dijkstra(n, neighbours, s)
        reached = [d for i, d in enumerate(distance) if i != s and d is not None]
        values.append(np.nan if not reached else (len(reached) / (n - 1)) * (len(reached) / sum(reached)))
    return values


def core_numbers(n, edges):
    """Peel the node of least remaining degree, again and again; its core number is the largest least degree so far."""
    neighbours = [set() for _ in range(n)]
    for s, t in edges:
        neighbours[s].add(t)
        neighbours[t].add(s)
    left, core, k = set(range(n)), [0] * n, 0
    while left:
        v = min(left, key=lambda u: (len(neighbours[u] & left), u))
        k = max(k, len(neighbours[v] & left))
        core[v] = k
        left.remove(v)
    return core


@st.composite
def networks(draw, max_nodes=9):
    n = draw(st.integers(3, max_nodes))
    directed = draw(st.booleans())
    pairs = [(s, t) for s in range(n) for t in range(n) if s != t and (directed or s < t)]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
    # Weights 1, 2, 4, 8: their reciprocals are exact in binary, so ties between paths are exact ties for everyone.
    weights = draw(st.lists(st.sampled_from([1, 2, 4, 8]), min_size=len(chosen), max_size=len(chosen)))
    table = pd.DataFrame({"from": [f"p{s}" for s, _ in chosen], "to": [f"p{t}" for _, t in chosen], "calls": weights})
    return network_from_edge_list(table, source="from", target="to", weight="calls", directed=directed)


def field(result, name):
    return np.array([np.nan if getattr(node, name) is None else getattr(node, name) for node in result.nodes], dtype=float)


def indexed(network):
    index = {label: i for i, label in enumerate(network.nodes)}
    edges = [(index[network.nodes[s]], index[network.nodes[t]]) for s, t in zip(network.source, network.target)]
    return network.n_nodes, edges, network.weight.tolist()


# --- the tests ----------------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(networks())
def test_weighted_geodesics_give_the_oracles_betweenness_and_in_and_out_closeness(network):
    n, edges, weights = indexed(network)
    lengths = [1 / w for w in weights]
    result = network_analysis(network, geodesics="inverse_weight")
    np.testing.assert_allclose(field(result, "betweenness"), weighted_betweenness(n, edges, lengths, network.directed), atol=1e-9)
    np.testing.assert_allclose(field(result, "closeness"), wasserman_faust(n, edges, lengths, network.directed), atol=1e-12)
    if network.directed:
        np.testing.assert_allclose(field(result, "out_closeness"), field(result, "closeness"), atol=0)
        np.testing.assert_allclose(field(result, "in_closeness"), wasserman_faust(n, edges, lengths, True, reverse=True), atol=1e-12)
    else:
        assert all(node.in_closeness is None and node.out_closeness is None for node in result.nodes)
    assert result.parameters["geodesics_method"] == "inverse_weight" and "1 / w" in result.parameters["geodesics"]


@settings(max_examples=80, deadline=None)
@given(networks())
def test_normalised_centralities_and_core_numbers_are_the_oracles(network):
    n, edges, _ = indexed(network)
    result = network_analysis(network)
    if n >= 3:
        pairs = (n - 1) * (n - 2) / (1 if network.directed else 2)
        np.testing.assert_allclose(field(result, "betweenness_normalised"), field(result, "betweenness") / pairs)
    else:  # two nodes: there is no third to lie between them
        assert all(node.betweenness_normalised is None for node in result.nodes)
    np.testing.assert_allclose(field(result, "degree_normalised"), field(result, "degree") / ((2 if network.directed else 1) * (n - 1)))
    if network.directed:
        np.testing.assert_allclose(field(result, "in_degree_normalised"), field(result, "in_degree") / (n - 1))
        np.testing.assert_allclose(field(result, "in_closeness"), wasserman_faust(n, edges, [1.0] * len(edges), True, reverse=True), atol=1e-12)
    cores = core_numbers(n, edges)
    assert field(result, "core").tolist() == cores
    assert result.summary.max_core == max(cores)
    assert result.summary.core_sizes == {k: sum(c >= k for c in cores) for k in range(1, max(cores) + 1)}
    # Every member of the k-core has at least k ties inside it.
    for k in range(1, max(cores) + 1):
        members = {i for i, c in enumerate(cores) if c >= k}
        assert all(sum(1 for s, t in set(map(tuple, map(sorted, edges))) if i in (s, t) and {s, t} <= members) >= k for i in members)


KITE = [
    ("Andre", "Beverly"),
    ("Andre", "Carol"),
    ("Andre", "Diane"),
    ("Andre", "Fernando"),
    ("Beverly", "Diane"),
    ("Beverly", "Ed"),
    ("Beverly", "Garth"),
    ("Carol", "Diane"),
    ("Carol", "Fernando"),
    ("Diane", "Ed"),
    ("Diane", "Fernando"),
    ("Diane", "Garth"),
    ("Ed", "Garth"),
    ("Fernando", "Garth"),
    ("Fernando", "Heather"),
    ("Garth", "Heather"),
    ("Heather", "Ike"),
    ("Ike", "Jane"),
]


def test_krackhardts_kite_has_its_published_centralities():
    """Krackhardt (1990): Diane has the most ties, Fernando and Garth are closest to all, Heather brokers most."""
    table = pd.DataFrame(KITE, columns=["from", "to"])
    result = network_analysis(network_from_edge_list(table, source="from", target="to"))
    nodes = {node.node: node for node in result.nodes}
    assert nodes["Diane"].degree == 6 and nodes["Diane"].degree_normalised == pytest.approx(6 / 9)
    assert nodes["Heather"].betweenness == pytest.approx(14) and nodes["Heather"].betweenness_normalised == pytest.approx(0.389, abs=5e-4)
    assert nodes["Fernando"].betweenness == pytest.approx(25 / 3) and nodes["Ike"].betweenness == pytest.approx(8)
    assert nodes["Diane"].betweenness == pytest.approx(11 / 3) and nodes["Andre"].betweenness == pytest.approx(5 / 6)
    assert nodes["Fernando"].closeness == pytest.approx(9 / 14) and nodes["Garth"].closeness == pytest.approx(9 / 14)
    assert nodes["Diane"].closeness == pytest.approx(0.6) and nodes["Heather"].closeness == pytest.approx(0.6)
    assert nodes["Jane"].closeness == pytest.approx(9 / 29)
    assert {name for name, node in nodes.items() if node.core == 3} == {"Andre", "Beverly", "Carol", "Diane", "Ed", "Fernando", "Garth"}
    assert nodes["Heather"].core == 2 and nodes["Jane"].core == 1


def test_a_strong_tie_becomes_the_short_way_round_with_weighted_geodesics():
    # a–b–c by weak ties (1 call each) and a–d–c by strong ones (10 calls each): in steps the paths tie, weighted
    # the strong way round is shorter, so d carries every shortest a–c path and b none.
    table = pd.DataFrame({"from": ["a", "b", "a", "d"], "to": ["b", "c", "d", "c"], "calls": [1, 1, 10, 10]})
    network = network_from_edge_list(table, source="from", target="to", weight="calls")
    steps = {n.node: n.betweenness for n in network_analysis(network).nodes}
    weighted = {n.node: n.betweenness for n in network_analysis(network, geodesics="inverse_weight").nodes}
    assert steps["b"] == steps["d"] == pytest.approx(0.5)
    assert weighted["d"] == pytest.approx(1.0) and weighted["b"] == pytest.approx(0.0)
    with pytest.raises(AnalysisInputError, match="geodesics must be one of"):
        network_analysis(network, geodesics="metres")


def test_the_command_line_takes_weighted_geodesics_and_prints_cores(tmp_path):
    path = tmp_path / "calls.csv"
    pd.DataFrame({"from": ["a", "b", "a", "d"], "to": ["b", "c", "d", "c"], "calls": [1, 1, 10, 10]}).to_csv(path, index=False)
    runner = CliRunner()
    result = runner.invoke(
        app, ["analyse", "network", str(path), "--source", "from", "--target", "to", "--weight", "calls", "--geodesics", "inverse_weight", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {n["node"]: n["betweenness"] for n in document["nodes"]}["d"] == pytest.approx(1.0)
    assert document["summary"]["max_core"] == 2 and document["parameters"]["geodesics_method"] == "inverse_weight"
