"""Weighted betweenness and closeness (a tie of weight w is 1/w long), in-closeness and k-cores: rocc against networkx,
side by side in one run on the same seeded call network, with the answers compared.

Run: .venv/bin/python benchmarks/networks_networkx.py [--nodes 2000] [--edges 8000] [--large-nodes 5000] [--seed 20261121]

networkx comes with the bench extra (pip install -e '.[bench]'). Its pure-Python Dijkstra makes the 5,000-node network
slow to run for it, so the side-by-side uses --nodes/--edges, and rocc alone is timed on --large-nodes.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from networks import synthetic_network  # noqa: E402  (the seeded call network of the other network benchmark)

from rocc.analysis.networks import network_analysis, network_from_edge_list  # noqa: E402


def timed(run):
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def as_networkx(network):
    graph = nx.DiGraph() if network.directed else nx.Graph()
    graph.add_nodes_from(network.nodes)
    for s, t, w in zip(network.source, network.target, network.weight):
        graph.add_edge(network.nodes[s], network.nodes[t], length=1.0 / w)
    return graph


def compare(n_nodes: int, n_edges: int, seed: int, directed: bool, powers_of_two: bool = False) -> None:
    table = synthetic_network(n_nodes, n_edges, seed=seed, directed=directed)
    if powers_of_two:
        # Lengths 1, 1/2, 1/4, … add up exactly, so paths equally short in exact arithmetic are so for both libraries.
        table["calls"] = 2 ** np.floor(np.log2(table["calls"]))
    network = network_from_edge_list(table, source="from", target="to", weight="calls", directed=directed)
    graph = as_networkx(network)
    # network_analysis does every measure (communities, constraint, eigenvector too); the betweenness-only step is the
    # fair comparison, so it is timed on its own as well.
    t_all, result = timed(lambda: network_analysis(network, geodesics="inverse_weight"))
    igraph_graph = network.graph
    lengths = (1.0 / network.weight).tolist()
    t_b, _ = timed(lambda: igraph_graph.betweenness(directed=directed, weights=lengths))
    t_nx_b, nx_b = timed(lambda: nx.betweenness_centrality(graph, weight="length", normalized=False))
    t_c, _ = timed(lambda: igraph_graph.closeness(mode="in" if directed else "all", weights=lengths))
    t_nx_c, nx_c = timed(lambda: nx.closeness_centrality(graph, distance="length", wf_improved=True))
    undirected = network.undirected
    t_k, _ = timed(lambda: undirected.coreness())
    t_nx_k, nx_k = timed(lambda: nx.core_number(graph.to_undirected() if directed else graph))
    rows = {n.node: n for n in result.nodes}
    b_diff = max(abs(rows[v].betweenness - nx_b[v]) for v in graph)
    # networkx's closeness of a directed graph is over the nodes that reach a node: rocc's in-closeness.
    closeness = {v: (rows[v].in_closeness if directed else rows[v].closeness) or 0.0 for v in graph}
    c_diff = max(abs(closeness[v] - nx_c[v]) for v in graph)
    same_cores = all(rows[v].core == nx_k[v] for v in graph)
    kind = "directed" if directed else "undirected"
    lengths_are = "calls rounded down to a power of two" if powers_of_two else "calls as drawn"
    print(f"{n_nodes:,} nodes / {network.n_edges:,} {kind} ties, weighted geodesics (1/weight, {lengths_are}):")
    print(f"  betweenness: igraph {t_b:.2f} s, networkx {t_nx_b:.1f} s, ratio {t_nx_b / t_b:.0f}×, largest difference {b_diff:.1e}")
    print(f"  closeness{' (in)' if directed else ''}: igraph {t_c:.2f} s, networkx {t_nx_c:.1f} s, ratio {t_nx_c / t_c:.0f}×, largest difference {c_diff:.1e}")
    print(f"  core numbers: igraph {t_k * 1000:.1f} ms, networkx {t_nx_k * 1000:.0f} ms, ratio {t_nx_k / t_k:.0f}×, identical: {same_cores}")
    print(f"  the whole analysis (every measure, communities, cores): rocc {t_all:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2_000)
    parser.add_argument("--edges", type=int, default=8_000)
    parser.add_argument("--large-nodes", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()} · networkx {nx.__version__}")
    for directed in (False, True):
        compare(args.nodes, args.edges, args.seed, directed)
    compare(args.nodes, args.edges, args.seed, False, powers_of_two=True)
    table = synthetic_network(args.large_nodes, 4 * args.large_nodes, seed=args.seed, directed=False)
    network = network_from_edge_list(table, source="from", target="to", weight="calls")
    t_all, _ = timed(lambda: network_analysis(network, geodesics="inverse_weight"))
    print(f"{args.large_nodes:,} nodes / {network.n_edges:,} ties, weighted: rocc's whole analysis {t_all:.2f} s (target < 5 s for betweenness)")


if __name__ == "__main__":
    main()
