"""Criminal-network analysis: loading association, co-offending and communication networks and measuring
who is central, who brokers between groups, which communities exist, whose removal fragments the
network most, and what changed between two snapshots of the same network."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
from numba import njit

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.inputs import column, numeric_column, read_table, seed_int
from rocc.analysis.results import jsonable

COMMUNITY_METHODS = ("leiden", "multilevel")
RANKABLE_MEASURES = ("betweenness", "degree", "strength", "closeness", "eigenvector")
#: How far apart two nodes are along a path: "steps" counts ties; "inverse_weight" sums 1 / weight over the ties, so
#: that a strong tie (many calls, many co-offences) is a short step.
GEODESICS = ("steps", "inverse_weight")
GEODESIC_WORDS = {
    "steps": "counted in steps (tie weights are strengths, not distances)",
    "inverse_weight": "weighted: a tie of weight w is 1 / w long (a strong tie is a short step), summed along the path",
}
BROKERAGE_ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


# --------------------------------------------------------------------------------------------------
# The network itself


@dataclass(frozen=True, eq=False)
class CriminalNetwork:
    """Nodes (people, businesses, phones) and the ties between them.

    ``source``/``target`` index into ``nodes``; ``weight`` is the strength of each tie (calls,
    co-offences, shared addresses), 1 when the input had none. An undirected network stores each
    tie once.
    """

    nodes: tuple[str, ...]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    directed: bool
    weighted: bool

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return int(self.source.size)

    @cached_property
    def graph(self) -> ig.Graph:
        """The network as an igraph graph, node labels in the ``name`` attribute and ties in ``weight``."""
        graph = ig.Graph(
            n=self.n_nodes,
            edges=np.column_stack([self.source, self.target]).tolist(),
            directed=self.directed,
        )
        graph.vs["name"] = list(self.nodes)
        graph.es["weight"] = self.weight.tolist()
        return graph

    @cached_property
    def undirected(self) -> ig.Graph:
        """The undirected projection: one tie per pair of nodes, weight summed over both directions.

        Communities, eigenvector centrality, components and key players use it, because a call or a
        meeting in either direction connects the two people.
        """
        low = np.minimum(self.source, self.target)
        high = np.maximum(self.source, self.target)
        weight: np.ndarray
        if low.size:
            key = low * self.n_nodes + high
            unique_keys, inverse = np.unique(key, return_inverse=True)
            weight = np.bincount(inverse, weights=self.weight)
            low, high = unique_keys // self.n_nodes, unique_keys % self.n_nodes
        else:
            weight = np.zeros(0)
        graph = ig.Graph(n=self.n_nodes, edges=np.column_stack([low, high]).tolist(), directed=False)
        graph.vs["name"] = list(self.nodes)
        graph.es["weight"] = weight.tolist()
        return graph

    def edge_table(self) -> pd.DataFrame:
        """The ties as a data frame of node labels and weights."""
        labels = np.asarray(self.nodes, dtype=object)
        return pd.DataFrame({"source": labels[self.source], "target": labels[self.target], "weight": self.weight})


def _labels(raw: pd.Series, *, name: str) -> np.ndarray:
    text = raw.astype(str).str.strip()
    blank = (text == "").to_numpy()
    if blank.any():
        first = int(np.flatnonzero(blank)[0])
        raise AnalysisInputError("expected a node label, found an empty cell", column=name, row=first + 1)
    return text.to_numpy(dtype=object)


def network_from_edge_list(
    frame: pd.DataFrame,
    *,
    source: str,
    target: str,
    weight: str | None = None,
    directed: bool = False,
    merge_duplicates: bool = False,
) -> CriminalNetwork:
    """A network from a table with one tie per row.

    Parameters
    ----------
    frame : a data frame, one row per tie (rows are numbered from 1, header excluded, in messages).
    source, target : the columns naming the two nodes of each tie (for a directed network, from and to).
    weight : optional column of tie strengths (number of calls, co-offences); must be positive.
        Without it every tie has weight 1.
    directed : whether a row A→B differs from B→A (calls, payments) or not (co-offending, association).
    merge_duplicates : a tie given on more than one row is refused unless this is true, in which case
        the rows are merged into one tie whose weight is the sum of theirs (without a weight column,
        the number of rows). In an undirected network A–B and B–A are the same tie.

    A self-loop (a node tied to itself) is always refused: it is usually a data-entry slip, and none
    of the measures gives it a meaning.
    """
    if frame.empty:
        raise AnalysisInputError("the edge list has no rows")
    sources = _labels(column(frame, source), name=source)
    targets = _labels(column(frame, target), name=target)
    weights: np.ndarray
    if weight is None:
        weights = np.ones(len(frame))
    else:
        weights = numeric_column(frame, weight)
        bad = np.flatnonzero(weights <= 0)
        if bad.size:
            first = int(bad[0])
            what = "a negative weight" if weights[first] < 0 else "a zero weight"
            raise AnalysisInputError(
                f"{what} ({weights[first]:g}); tie strengths must be positive (leave out a row for no tie)",
                column=weight,
                row=first + 1,
            )
    loops = np.flatnonzero(sources == targets)
    if loops.size:
        first = int(loops[0])
        raise AnalysisInputError(
            f"a self-loop: '{sources[first]}' is tied to itself; remove the row (a self-loop has no meaning for these measures)",
            row=first + 1,
        )
    nodes = pd.unique(np.column_stack([sources, targets]).ravel())
    index = {label: i for i, label in enumerate(nodes)}
    src = np.fromiter((index[s] for s in sources), dtype=np.int64, count=sources.size)
    tgt = np.fromiter((index[t] for t in targets), dtype=np.int64, count=targets.size)
    if not directed:
        src, tgt = np.minimum(src, tgt), np.maximum(src, tgt)
    key = pd.Series(src * len(nodes) + tgt)
    repeats = key.duplicated(keep="first").to_numpy()
    if repeats.any():
        if not merge_duplicates:
            row = int(np.flatnonzero(repeats)[0])
            first = int(np.flatnonzero(key.to_numpy() == key.iloc[row])[0])
            arrow = "→" if directed else "–"
            raise AnalysisInputError(
                f"the tie '{sources[row]}' {arrow} '{targets[row]}' repeats row {first + 1}; remove the "
                "repeat, or merge repeated ties by adding their weights (--merge-duplicates)",
                row=row + 1,
            )
        unique_keys, inverse = np.unique(key.to_numpy(), return_inverse=True)
        weights = np.bincount(inverse, weights=weights)
        src, tgt = unique_keys // len(nodes), unique_keys % len(nodes)
    return CriminalNetwork(
        nodes=tuple(str(n) for n in nodes),
        source=np.asarray(src, dtype=np.int64),
        target=np.asarray(tgt, dtype=np.int64),
        weight=np.asarray(weights, dtype=np.float64),
        directed=directed,
        weighted=weight is not None or bool(repeats.any()),
    )


def network_from_adjacency(frame: pd.DataFrame, *, directed: bool | None = None) -> CriminalNetwork:
    """A network from an adjacency matrix whose first row and first column are the node labels.

    ``frame`` holds the file's cells as read without a header (``read_table(path, header=False)``):
    cell (i, j) below and right of the labels is the strength of the tie from row node i to column
    node j, 0 for none. Rows are aligned with columns by label, so the two may list the nodes in a
    different order, but they must list the same nodes.

    ``directed=None`` reads a symmetric matrix as undirected and any other as directed. Asking for
    an undirected network from a matrix that is not symmetric is refused (naming the first cell that
    differs from its mirror): the analysis already combines both directions where a measure needs to.
    """
    if frame.shape[0] < 2 or frame.shape[1] < 2:
        raise AnalysisInputError(
            "an adjacency matrix needs a first row and a first column of node labels and at least "
            f"one node; this table is {frame.shape[0]} rows by {frame.shape[1]} columns"
        )
    column_labels = frame.iloc[0, 1:].astype(str).str.strip().to_numpy(dtype=object)
    blank = np.flatnonzero(column_labels == "")
    if blank.size:
        raise AnalysisInputError(f"the first row (the node labels) has an empty cell in column {int(blank[0]) + 2}")
    row_labels = frame.iloc[1:, 0].astype(str).str.strip().to_numpy(dtype=object)
    blank = np.flatnonzero(row_labels == "")
    if blank.size:
        raise AnalysisInputError("the first column (the node labels) has an empty cell", row=int(blank[0]) + 1)
    if row_labels.size != column_labels.size:
        raise AnalysisInputError(f"the adjacency matrix is not square: {row_labels.size} labelled rows but {column_labels.size} labelled columns")
    for labels, where in ((column_labels, "first row"), (row_labels, "first column")):
        repeated = pd.Series(labels).duplicated().to_numpy()
        if repeated.any():
            raise AnalysisInputError(f"the node label '{labels[np.flatnonzero(repeated)[0]]}' appears twice in the {where}")
    known = set(column_labels)
    missing = [label for label in row_labels if label not in known]
    if missing:
        row = int(np.flatnonzero(row_labels == missing[0])[0]) + 1
        raise AnalysisInputError(
            f"the row label '{missing[0]}' is not among the column labels; the first row and the first column must name the same nodes",
            row=row,
        )
    cells = frame.iloc[1:, 1:].reset_index(drop=True)
    values = cells.apply(lambda col: pd.to_numeric(col.astype(str).str.strip(), errors="coerce"))
    matrix = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(matrix)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise AnalysisInputError(
            f"expected a number (0 for no tie) in the row of '{row_labels[i]}', found {cells.iat[i, j]!r}",
            column=column_labels[j],
            row=int(i) + 1,
        )
    if (matrix < 0).any():
        i, j = np.argwhere(matrix < 0)[0]
        raise AnalysisInputError(
            f"a negative tie strength ({matrix[i, j]:g}) from '{row_labels[i]}' to '{column_labels[j]}'; use 0 for no tie and positive values otherwise",
            column=column_labels[j],
            row=int(i) + 1,
        )
    # Rows follow the column order from here on, so that cell (i, j) is a tie from node i to node j.
    position = {label: i for i, label in enumerate(row_labels)}
    order = np.array([position[label] for label in column_labels])
    matrix = matrix[order]
    loops = np.flatnonzero(np.diag(matrix) != 0)
    if loops.size:
        label = column_labels[loops[0]]
        raise AnalysisInputError(
            f"a self-loop: '{label}' is tied to itself ({matrix[loops[0], loops[0]]:g} on the diagonal); set the diagonal to 0",
            column=label,
            row=int(order[loops[0]]) + 1,
        )
    symmetric = bool(np.array_equal(matrix, matrix.T))
    if directed is None:
        directed = not symmetric
    if not directed and not symmetric:
        i, j = np.argwhere(matrix != matrix.T)[0]
        raise AnalysisInputError(
            f"an undirected network needs a symmetric matrix, but the tie '{column_labels[i]}'→'{column_labels[j]}' "
            f"is {matrix[i, j]:g} and '{column_labels[j]}'→'{column_labels[i]}' is {matrix[j, i]:g}; "
            "analyse it as directed (communities, eigenvector centrality and key players already "
            "combine both directions)",
        )
    if directed:
        src, tgt = np.nonzero(matrix)
    else:
        src, tgt = np.nonzero(np.triu(matrix, k=1))
    weights = matrix[src, tgt]
    return CriminalNetwork(
        nodes=tuple(str(label) for label in column_labels),
        source=src.astype(np.int64),
        target=tgt.astype(np.int64),
        weight=weights.astype(np.float64),
        directed=bool(directed),
        weighted=bool(np.any(weights != 1)),
    )


def read_network(
    path: str | Path,
    *,
    adjacency: bool = False,
    source: str | None = None,
    target: str | None = None,
    weight: str | None = None,
    directed: bool | None = None,
    merge_duplicates: bool = False,
) -> CriminalNetwork:
    """A network from a CSV, Excel or Parquet file: an edge list (``source``/``target`` columns, optional
    ``weight``) or, with ``adjacency=True``, an adjacency matrix with labels in the first row and column.

    ``directed=None`` means: an edge list is undirected (co-offending, association), an adjacency
    matrix is directed unless it is symmetric.
    """
    if adjacency:
        if source or target or weight:
            raise AnalysisInputError("an adjacency matrix takes no source, target or weight column")
        if merge_duplicates:
            raise AnalysisInputError("an adjacency matrix cannot hold a repeated tie; merging applies to edge lists")
        return network_from_adjacency(read_table(path, header=False), directed=directed)
    if not source or not target:
        raise AnalysisInputError("an edge list needs the names of its source and target columns")
    return network_from_edge_list(
        read_table(path),
        source=source,
        target=target,
        weight=weight,
        directed=bool(directed),
        merge_duplicates=merge_duplicates,
    )


# --------------------------------------------------------------------------------------------------
# Result objects


@dataclass(frozen=True)
class NodeMeasures:
    """Every measure of one node. In/out figures are None for an undirected network; closeness,
    eigenvector centrality and constraint are None where they are undefined (see the field notes)."""

    node: str
    degree: int
    in_degree: int | None
    out_degree: int | None
    strength: float
    in_strength: float | None
    out_strength: float | None
    betweenness: float
    closeness: float | None
    eigenvector: float | None
    constraint: float | None
    community: int
    #: Directed only: Wasserman–Faust closeness over the nodes that reach this one (in) and that it reaches (out).
    in_closeness: float | None = None
    out_closeness: float | None = None
    #: Degree over its largest possible value: n − 1 (undirected), 2(n − 1) for in + out (directed); in/out each over n − 1.
    degree_normalised: float | None = None
    in_degree_normalised: float | None = None
    out_degree_normalised: float | None = None
    #: Betweenness over the pairs of other nodes: (n − 1)(n − 2)/2 undirected, (n − 1)(n − 2) directed (None for n < 3).
    betweenness_normalised: float | None = None
    #: The node's core number: the largest k such that it is in the k-core (every member tied to ≥ k other members),
    #: on the undirected projection.
    core: int | None = None


@dataclass(frozen=True)
class NetworkSummary:
    """The whole network in a few figures."""

    n_nodes: int
    n_edges: int
    directed: bool
    weighted: bool
    total_weight: float
    density: float | None
    components: int
    largest_component: int
    modularity: float | None
    n_communities: int
    community_method: str
    #: The largest k with a non-empty k-core, and how many nodes are in the k-core for each k from 1 up to it.
    max_core: int | None = None
    core_sizes: dict[int, int] | None = None


@dataclass(frozen=True)
class KeyPlayers:
    """The set of ``k`` nodes whose removal fragments the network most (Borgatti's KPP-Neg).

    Fragmentation F = 1 − Σ s(s−1) / (n(n−1)) over the components (sizes s) of the undirected
    projection with n nodes: 0 when everyone can reach everyone, 1 when no one can reach anyone.
    After removal, n is the number of nodes left.
    """

    k: int
    nodes: tuple[str, ...]
    fragmentation_before: float
    fragmentation_after: float
    components_before: int
    components_after: int
    largest_component_before: int
    largest_component_after: int
    fragmentation_if_removed_alone: tuple[float, ...]
    method: str


@dataclass(frozen=True)
class EdgeChange:
    source: str
    target: str
    weight_before: float | None
    weight_after: float | None
    change: float


@dataclass(frozen=True)
class RankChange:
    """A node's place in the ranking by ``rank_by`` (1 = most central) in each snapshot; None if absent."""

    node: str
    rank_before: int | None
    rank_after: int | None
    rise: int | None
    score_before: float | None
    score_after: float | None


@dataclass(frozen=True)
class NetworkComparison:
    """What changed from one snapshot of a network (``before``) to the next (``after``)."""

    n_nodes_before: int
    n_nodes_after: int
    n_edges_before: int
    n_edges_after: int
    density_before: float | None
    density_after: float | None
    nodes_added: tuple[str, ...]
    nodes_removed: tuple[str, ...]
    nodes_kept: int
    edges_added: tuple[EdgeChange, ...]
    edges_removed: tuple[EdgeChange, ...]
    weight_changes: tuple[EdgeChange, ...]
    rank_by: str
    top: int
    rank_changes: tuple[RankChange, ...]
    became_central: tuple[str, ...]
    left_centre: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        """The rank changes of the nodes central in either snapshot, one row each."""
        columns = [f.name for f in RankChange.__dataclass_fields__.values()]
        return pd.DataFrame([jsonable(r) for r in self.rank_changes], columns=columns)


@dataclass(frozen=True)
class BrokerageRoles:
    """Gould–Fernandez brokerage counts of one node: the open two-paths a→node→c (a not tied to c) it
    sits in, by the groups of a, node and c."""

    node: str
    group: str
    coordinator: int
    itinerant: int
    representative: int
    gatekeeper: int
    liaison: int
    total: int


@dataclass(frozen=True)
class NetworkAnalysis:
    """Centrality, brokerage, communities, key players and (optionally) change against a second snapshot."""

    summary: NetworkSummary
    nodes: tuple[NodeMeasures, ...]
    key_players: KeyPlayers | None
    comparison: NetworkComparison | None
    brokerage_roles: tuple[BrokerageRoles, ...] | None
    parameters: dict[str, Any]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per node with every measure (undefined values as NaN)."""
        columns = [f.name for f in NodeMeasures.__dataclass_fields__.values()]
        frame = pd.DataFrame([jsonable(n) for n in self.nodes], columns=columns)
        return frame.set_index("node")


# --------------------------------------------------------------------------------------------------
# Measures


def _density(n_nodes: int, n_edges: int, directed: bool) -> float | None:
    if n_nodes < 2:
        return None
    pairs = n_nodes * (n_nodes - 1)
    return n_edges / pairs if directed else 2 * n_edges / pairs


def _lengths(network: CriminalNetwork, geodesics: str) -> list[float] | None:
    """The length of each tie for shortest paths: None (one step each), or 1 / weight."""
    if geodesics == "steps":
        return None
    return (1.0 / network.weight).tolist()


def _closeness(network: CriminalNetwork, *, mode: str | None = None, geodesics: str = "steps") -> np.ndarray:
    """Wasserman–Faust closeness: (r/(n−1)) · (r/Σd) over the r nodes a node can reach (following the
    direction of ties in a directed network; ``mode="in"`` over the nodes that reach it). It equals ordinary
    closeness in a connected network and, unlike it, does not give a pair isolated from everyone else the
    top score. Distances d count steps, or sum 1 / weight with ``geodesics="inverse_weight"``. NaN for a node
    that reaches no one."""
    graph = network.graph
    n = network.n_nodes
    if n < 2:
        return np.full(n, np.nan)
    mode = mode or ("out" if network.directed else "all")
    reach_only = np.asarray(graph.closeness(mode=mode, weights=_lengths(network, geodesics)), dtype=float)
    if network.directed:
        reached = np.asarray(graph.neighborhood_size(order=n, mode=mode), dtype=float) - 1
    else:
        # Undirected, a node reaches the rest of its component: no second search needed.
        membership = np.asarray(graph.connected_components().membership)
        reached = np.bincount(membership)[membership].astype(float) - 1
    with np.errstate(invalid="ignore"):
        return np.where(reached > 0, reach_only * reached / (n - 1), np.nan)


def _eigenvector(network: CriminalNetwork) -> np.ndarray:
    """Eigenvector centrality of the undirected projection, weighted by tie strength, scaled so the top
    node scores 1. It is only defined within one connected component, so it is computed for the
    largest component and left undefined (NaN) elsewhere."""
    graph = network.undirected
    scores = np.full(network.n_nodes, np.nan)
    if graph.ecount() == 0:
        return scores
    components = graph.connected_components()
    largest = int(np.argmax(components.sizes()))
    members = components[largest]
    sub = graph.induced_subgraph(members)
    scores[members] = sub.eigenvector_centrality(weights="weight", scale=True)
    return scores


def _score(network: CriminalNetwork, measure: str, geodesics: str = "steps") -> np.ndarray:
    """One of the rankable measures of every node."""
    graph = network.graph
    if measure == "degree":
        return np.asarray(graph.degree(), dtype=np.int64)
    if measure == "strength":
        return np.asarray(graph.strength(weights="weight"), dtype=float)
    if measure == "betweenness":
        # By default geodesics count steps, not weights: tie strength is closeness of a relationship, not a
        # distance, and turning it into one (1 / weight) is a modelling choice the analyst makes by asking.
        return np.asarray(graph.betweenness(directed=network.directed, weights=_lengths(network, geodesics)), dtype=float)
    if measure == "closeness":
        return _closeness(network, geodesics=geodesics)
    return _eigenvector(network)


def _centralities(network: CriminalNetwork, geodesics: str = "steps") -> dict[str, np.ndarray]:
    graph = network.graph
    directed = network.directed
    measures = {measure: _score(network, measure, geodesics) for measure in RANKABLE_MEASURES}
    n = network.n_nodes
    if n >= 2:
        measures["degree_normalised"] = measures["degree"] / ((2 if directed else 1) * (n - 1))
    if n >= 3:
        measures["betweenness_normalised"] = measures["betweenness"] / ((n - 1) * (n - 2) / (1 if directed else 2))
    measures["core"] = np.asarray(network.undirected.coreness(), dtype=np.int64)
    if directed:
        measures["in_closeness"] = _closeness(network, mode="in", geodesics=geodesics)
        measures["out_closeness"] = measures["closeness"]
        measures["in_degree"] = np.asarray(graph.degree(mode="in"), dtype=np.int64)
        measures["out_degree"] = np.asarray(graph.degree(mode="out"), dtype=np.int64)
        measures["in_strength"] = np.asarray(graph.strength(mode="in", weights="weight"), dtype=float)
        measures["out_strength"] = np.asarray(graph.strength(mode="out", weights="weight"), dtype=float)
        if n >= 2:
            measures["in_degree_normalised"] = measures["in_degree"] / (n - 1)
            measures["out_degree_normalised"] = measures["out_degree"] / (n - 1)
    return measures


#: Leiden rounds at most: each round that is kept raises modularity, so the bound is only reached on a network where
#: rounds keep finding gains too small to matter; a few rounds settle the networks an analyst brings.
LEIDEN_MAX_ROUNDS = 1000


def _leiden_until_stable(graph: ig.Graph, resolution: float) -> list[int]:
    """Leiden rounds, each starting from the last round's partition, until a round no longer raises modularity.

    igraph's own "until stable" (``n_iterations=-1``) can run for ever: on some small weighted networks and random
    states it never settles (seen with igraph 1.0 on a six-person network, at 100 % of a core for minutes).
    Here a round that does not raise the modularity ends the search, and its partition is not taken."""
    membership = graph.community_leiden(objective_function="modularity", weights="weight", resolution=resolution, n_iterations=1).membership
    quality = graph.modularity(membership, weights="weight", resolution=resolution)
    for _ in range(LEIDEN_MAX_ROUNDS - 1):
        candidate = graph.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution, n_iterations=1, initial_membership=membership
        ).membership
        gained = graph.modularity(candidate, weights="weight", resolution=resolution)
        if gained <= quality + 1e-12:
            break
        membership, quality = candidate, gained
    return membership


def _communities(network: CriminalNetwork, *, method: str, resolution: float, seed: int) -> tuple[np.ndarray, float | None]:
    graph = network.undirected
    if graph.ecount() == 0:
        return np.arange(network.n_nodes), None
    # igraph draws from Python's `random` module unless told otherwise; a private generator keeps the
    # result reproducible without disturbing anyone else's random state.
    ig.set_random_number_generator(random.Random(seed))
    try:
        if method == "leiden":
            found = _leiden_until_stable(graph, resolution)
        else:
            found = graph.community_multilevel(weights="weight", resolution=resolution).membership
    finally:
        ig.set_random_number_generator(random)
    membership = _renumber(np.asarray(found, dtype=np.int64))
    modularity = graph.modularity(membership.tolist(), weights="weight", resolution=resolution)
    return membership, float(modularity)


def _renumber(membership: np.ndarray) -> np.ndarray:
    """Community numbers 0, 1, 2, ... by decreasing size (ties by first member), so that the numbering
    does not depend on the algorithm's internal order."""
    labels, first, counts = np.unique(membership, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = np.empty(labels.size, dtype=np.int64)
    mapping[order] = np.arange(labels.size)
    return mapping[np.searchsorted(labels, membership)]


def _optional(values: np.ndarray | None, i: int, kind=float):
    if values is None:
        return None
    value = values[i]
    if kind is float and not np.isfinite(value):
        return None
    return kind(value)


def network_analysis(
    network: CriminalNetwork,
    *,
    key_players: int = 0,
    compare_with: CriminalNetwork | None = None,
    groups: Mapping[str, str] | None = None,
    community_method: str = "leiden",
    resolution: float = 1.0,
    rank_by: str = "betweenness",
    top: int = 10,
    seed: int | np.random.Generator = 0,
    geodesics: str = "steps",
) -> NetworkAnalysis:
    """Measure every node of a network, find its communities and, on request, its key players, the
    brokerage roles of its nodes between groups and its change to a later snapshot.

    Parameters
    ----------
    network : from :func:`read_network`, :func:`network_from_edge_list` or :func:`network_from_adjacency`.
    key_players : how many nodes to choose for removal (0: skip); at most n − 2.
    compare_with : a later snapshot of the same network; see :func:`network_comparison`.
    groups : node label → group (gang, family, role) for Gould–Fernandez brokerage roles; every node
        must have one.
    community_method : "leiden" (default) or "multilevel" (Louvain), both maximising modularity on
        the undirected projection weighted by tie strength.
    resolution : modularity resolution (> 0); above 1 gives more, smaller communities.
    rank_by, top : for the comparison: the measure that ranks nodes and how many top places count as
        central.
    seed : an integer or numpy Generator; the same seed gives the same communities.
    geodesics : "steps" (default: a path's length is its number of ties) or "inverse_weight" (a tie of weight w
        has length 1 / w, so strong ties are short): the shortest paths behind betweenness and closeness.

    Per node: degree (ties; in + out when directed), strength (summed tie weights), betweenness
    (number of shortest paths between other pairs through the node, counted in steps and following
    direction when directed; undirected pairs counted once), Wasserman–Faust closeness, eigenvector
    centrality (largest component of the undirected projection only), Burt's constraint (low =
    a broker spanning structural holes; undefined for an isolated node) and community; in- and
    out-closeness (directed), normalised degree and betweenness, and the core number (k-core).
    """
    if community_method not in COMMUNITY_METHODS:
        raise AnalysisInputError(f"community_method must be one of {', '.join(COMMUNITY_METHODS)}, not {community_method!r}")
    if not np.isfinite(resolution) or resolution <= 0:
        raise AnalysisInputError(f"resolution must be a positive number, not {resolution!r}")
    if rank_by not in RANKABLE_MEASURES:
        raise AnalysisInputError(f"rank_by must be one of {', '.join(RANKABLE_MEASURES)}, not {rank_by!r}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise AnalysisInputError(f"top must be a positive whole number, not {top!r}")
    if isinstance(key_players, bool) or not isinstance(key_players, (int, np.integer)) or key_players < 0:
        raise AnalysisInputError(f"key_players must be a whole number ≥ 0, not {key_players!r}")
    if key_players and key_players > network.n_nodes - 2:
        raise AnalysisInputError(f"cannot choose {key_players} key players in a network of {network.n_nodes} nodes: at least two nodes must remain")
    seed_value = seed_int(seed)
    if network.n_nodes == 0:
        raise AnalysisInputError("the network has no nodes")
    if geodesics not in GEODESICS:
        raise AnalysisInputError(f"geodesics must be one of {', '.join(GEODESICS)}, not {geodesics!r}")

    measures = _centralities(network, geodesics)
    constraint = np.asarray(network.graph.constraint(weights="weight"), dtype=float)
    membership, modularity = _communities(network, method=community_method, resolution=resolution, seed=seed_value)
    directed = network.directed
    nodes = tuple(
        NodeMeasures(
            node=label,
            degree=int(measures["degree"][i]),
            in_degree=_optional(measures.get("in_degree"), i, int),
            out_degree=_optional(measures.get("out_degree"), i, int),
            strength=float(measures["strength"][i]),
            in_strength=_optional(measures.get("in_strength"), i),
            out_strength=_optional(measures.get("out_strength"), i),
            betweenness=float(measures["betweenness"][i]),
            closeness=_optional(measures["closeness"], i),
            eigenvector=_optional(measures["eigenvector"], i),
            constraint=_optional(constraint, i),
            community=int(membership[i]),
            in_closeness=_optional(measures.get("in_closeness"), i),
            out_closeness=_optional(measures.get("out_closeness"), i),
            degree_normalised=_optional(measures.get("degree_normalised"), i),
            in_degree_normalised=_optional(measures.get("in_degree_normalised"), i),
            out_degree_normalised=_optional(measures.get("out_degree_normalised"), i),
            betweenness_normalised=_optional(measures.get("betweenness_normalised"), i),
            core=int(measures["core"][i]),
        )
        for i, label in enumerate(network.nodes)
    )
    sizes = network.undirected.connected_components().sizes()
    summary = NetworkSummary(
        n_nodes=network.n_nodes,
        n_edges=network.n_edges,
        directed=directed,
        weighted=network.weighted,
        total_weight=float(network.weight.sum()),
        density=_density(network.n_nodes, network.n_edges, directed),
        components=len(sizes),
        largest_component=int(max(sizes)),
        modularity=modularity,
        n_communities=int(membership.max()) + 1,
        community_method=community_method,
        max_core=int(measures["core"].max()),
        core_sizes={k: int((measures["core"] >= k).sum()) for k in range(1, int(measures["core"].max()) + 1)},
    )
    notes = []
    if network.n_edges == 0:
        notes.append("The network has no ties: closeness, eigenvector centrality and constraint are undefined (null).")
    elif len(sizes) > 1:
        notes.append(
            f"The network has {len(sizes)} components; eigenvector centrality is given for the largest ({max(sizes)} nodes) only, and is null elsewhere."
        )
    players = key_player_set(network, k=key_players) if key_players else None
    comparison = None
    if compare_with is not None:
        comparison = network_comparison(network, compare_with, rank_by=rank_by, top=top, before_scores=measures[rank_by], geodesics=geodesics)
    roles = brokerage_roles(network, groups=groups) if groups is not None else None
    return NetworkAnalysis(
        summary=summary,
        nodes=nodes,
        key_players=players,
        comparison=comparison,
        brokerage_roles=roles,
        parameters={
            "community_method": community_method,
            "resolution": resolution,
            "seed": seed_value,
            "key_players": key_players,
            "rank_by": rank_by if compare_with is not None else None,
            "top": top if compare_with is not None else None,
            "geodesics": GEODESIC_WORDS[geodesics],
            "geodesics_method": geodesics,
            "closeness": "Wasserman–Faust: (r/(n−1))·(r/Σd) over the r nodes reachable" + (" along the direction of ties" if directed else ""),
        },
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------------
# Key players


@njit(cache=True)
def _pairs_after_each_removal(indptr, indices, removed):
    """Σ s(s−1) over the components of the graph without the ``removed`` nodes, and the same sum after
    additionally removing each remaining node v in turn (NaN for removed nodes).

    One depth-first search finds, for each node, the child subtrees its removal cuts off (those whose
    low-point does not reach above it); the rest of its component stays together.
    """
    n = indptr.size - 1
    disc = np.full(n, -1, np.int64)
    low = np.zeros(n, np.int64)
    subtree = np.ones(n, np.int64)
    cut_size = np.zeros(n, np.int64)
    cut_pairs = np.zeros(n, np.int64)
    parent = np.full(n, -1, np.int64)
    next_edge = np.zeros(n, np.int64)
    component = np.full(n, -1, np.int64)
    component_size = np.zeros(n, np.int64)
    stack = np.empty(n, np.int64)
    clock = 0
    n_components = 0
    for root in range(n):
        if removed[root] or disc[root] >= 0:
            continue
        top = 0
        stack[0] = root
        disc[root] = clock
        low[root] = clock
        clock += 1
        next_edge[root] = indptr[root]
        component[root] = n_components
        while top >= 0:
            v = stack[top]
            if next_edge[v] < indptr[v + 1]:
                w = indices[next_edge[v]]
                next_edge[v] += 1
                if removed[w]:
                    continue
                if disc[w] < 0:
                    parent[w] = v
                    disc[w] = clock
                    low[w] = clock
                    clock += 1
                    next_edge[w] = indptr[w]
                    component[w] = n_components
                    top += 1
                    stack[top] = w
                elif w != parent[v] and disc[w] < low[v]:
                    low[v] = disc[w]
            else:
                top -= 1
                p = parent[v]
                if p >= 0:
                    if low[v] < low[p]:
                        low[p] = low[v]
                    subtree[p] += subtree[v]
                    if low[v] >= disc[p]:
                        cut_size[p] += subtree[v]
                        cut_pairs[p] += subtree[v] * (subtree[v] - 1)
        component_size[n_components] = subtree[root]
        n_components += 1
    total = 0
    for c in range(n_components):
        total += component_size[c] * (component_size[c] - 1)
    after = np.full(n, np.nan)
    for v in range(n):
        if removed[v]:
            continue
        size = component_size[component[v]]
        rest = size - 1 - cut_size[v]
        after[v] = total - size * (size - 1) + cut_pairs[v] + rest * (rest - 1)
    return total, after


def _csr(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    n = graph.vcount()
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    heads = np.concatenate([edges[:, 0], edges[:, 1]])
    tails = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.argsort(heads, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n), out=indptr[1:])
    return indptr, tails[order]


def fragmentation(sizes: np.ndarray | list[int]) -> float:
    """Borgatti's fragmentation 1 − Σ s(s−1) / (n(n−1)) of a graph whose components have ``sizes``."""
    sizes = np.asarray(sizes, dtype=np.float64)
    n = sizes.sum()
    if n < 2:
        raise AnalysisInputError("fragmentation needs at least two nodes")
    return float(1.0 - np.sum(sizes * (sizes - 1)) / (n * (n - 1)))


def key_player_set(network: CriminalNetwork, *, k: int) -> KeyPlayers:
    """The ``k`` nodes whose removal fragments the undirected projection most, and by how much.

    Greedy then swap: at each of k steps remove the node whose removal raises fragmentation most
    (computed exactly for every node at once); then, as in Borgatti (2006), try replacing each chosen
    node with each node not chosen and keep any replacement that raises fragmentation, until none
    does. This finds a very good set, not always the best of all C(n, k) sets. Ties between equally
    good nodes go to the higher degree, then to the node listed first.
    """
    n = network.n_nodes
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise AnalysisInputError(f"the number of key players must be a positive whole number, not {k!r}")
    if k > n - 2:
        raise AnalysisInputError(f"cannot choose {k} key players in a network of {n} nodes: at least two nodes must remain")
    graph = network.undirected
    indptr, indices = _csr(graph)
    degree = np.diff(indptr)

    def best_addition(removed: np.ndarray, remaining_after: int) -> tuple[int, float]:
        _, after = _pairs_after_each_removal(indptr, indices, removed)
        scores = 1.0 - after / (remaining_after * (remaining_after - 1))
        scores[removed] = -np.inf
        # Round away last-bit noise so that equal fragmentations tie and the tie rule applies.
        rounded = np.round(scores, 12)
        order = np.lexsort((np.arange(n), -degree, -rounded))
        best = int(order[0])
        return best, float(scores[best])

    removed = np.zeros(n, dtype=np.bool_)
    chosen: list[int] = []
    for step in range(k):
        best, _ = best_addition(removed, n - step - 1)
        chosen.append(best)
        removed[best] = True
    current = _fragmentation_without(graph, removed)
    improved = True
    while improved:
        improved = False
        for slot in range(k):
            removed[chosen[slot]] = False
            candidate, score = best_addition(removed, n - k)
            if score > current + 1e-12 and candidate != chosen[slot]:
                chosen[slot] = candidate
                current = score
                improved = True
            removed[chosen[slot]] = True

    before_sizes = graph.connected_components().sizes()
    after_sizes = graph.induced_subgraph(np.flatnonzero(~removed).tolist()).connected_components().sizes()
    _, alone_after = _pairs_after_each_removal(indptr, indices, np.zeros(n, dtype=np.bool_))
    alone = 1.0 - alone_after[chosen] / ((n - 1) * (n - 2))
    return KeyPlayers(
        k=int(k),
        nodes=tuple(network.nodes[i] for i in chosen),
        fragmentation_before=fragmentation(before_sizes),
        fragmentation_after=fragmentation(after_sizes),
        components_before=len(before_sizes),
        components_after=len(after_sizes),
        largest_component_before=int(max(before_sizes)),
        largest_component_after=int(max(after_sizes)),
        fragmentation_if_removed_alone=tuple(float(x) for x in alone),
        method="greedy selection, then single-node swaps until no swap raises fragmentation (Borgatti 2006), on the undirected projection",
    )


def _fragmentation_without(graph: ig.Graph, removed: np.ndarray) -> float:
    keep = np.flatnonzero(~removed).tolist()
    return fragmentation(graph.induced_subgraph(keep).connected_components().sizes())


# --------------------------------------------------------------------------------------------------
# Change between snapshots


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = highest; equal scores share the better rank)."""
    rounded = np.round(np.nan_to_num(scores, nan=-np.inf), 9)
    order = np.sort(rounded)[::-1]
    # the rank of a score is 1 + how many scores are strictly higher
    return (np.searchsorted(-order, -rounded, side="left") + 1).astype(np.int64)


def _edge_weights(network: CriminalNetwork) -> dict[tuple[str, str], float]:
    labels = network.nodes
    weights = {}
    for s, t, w in zip(network.source.tolist(), network.target.tolist(), network.weight.tolist()):
        a, b = labels[s], labels[t]
        if not network.directed and b < a:
            a, b = b, a
        weights[(a, b)] = w
    return weights


def network_comparison(
    before: CriminalNetwork,
    after: CriminalNetwork,
    *,
    rank_by: str = "betweenness",
    top: int = 10,
    before_scores: np.ndarray | None = None,
    geodesics: str = "steps",
) -> NetworkComparison:
    """What changed between two snapshots of one network, nodes matched by label.

    Nodes and ties added and removed, ties whose weight changed (largest change first), and the rank
    of each node by ``rank_by`` in each snapshot for the nodes central in either: in the top ``top``
    places (equal scores share a place) with a score above zero.
    ``became_central`` lists nodes in the top places after but not before (new arrivals included):
    often the replacements after an arrest, or a facilitator who has grown in importance.
    """
    if rank_by not in RANKABLE_MEASURES:
        raise AnalysisInputError(f"rank_by must be one of {', '.join(RANKABLE_MEASURES)}, not {rank_by!r}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise AnalysisInputError(f"top must be a positive whole number, not {top!r}")
    if before.directed != after.directed:
        raise AnalysisInputError(
            "the two snapshots must both be directed or both undirected "
            f"(the first is {'directed' if before.directed else 'undirected'}, "
            f"the second {'directed' if after.directed else 'undirected'})"
        )
    scores_before = before_scores if before_scores is not None else _score(before, rank_by, geodesics)
    scores_after = _score(after, rank_by, geodesics)
    ranks_before = dict(zip(before.nodes, _ranks(scores_before).tolist()))
    ranks_after = dict(zip(after.nodes, _ranks(scores_after).tolist()))
    value_before = dict(zip(before.nodes, np.asarray(scores_before, dtype=float).tolist()))
    value_after = dict(zip(after.nodes, np.asarray(scores_after, dtype=float).tolist()))
    # A node with a zero (or undefined) score is not central however few others score above it.
    central_before = {node for node, rank in ranks_before.items() if rank <= top and value_before[node] > 0}
    central_after = {node for node, rank in ranks_after.items() if rank <= top and value_after[node] > 0}

    def order_key(node: str) -> tuple:
        rank = ranks_after.get(node)
        return (rank is None, rank or 0, ranks_before.get(node) or 0, node)

    rank_changes = []
    for node in sorted(central_before | central_after, key=order_key):
        rb, ra = ranks_before.get(node), ranks_after.get(node)
        rank_changes.append(
            RankChange(
                node=node,
                rank_before=rb,
                rank_after=ra,
                rise=rb - ra if rb is not None and ra is not None else None,
                score_before=value_before.get(node),
                score_after=value_after.get(node),
            )
        )
    weights_before, weights_after = _edge_weights(before), _edge_weights(after)
    added = [EdgeChange(a, b, None, w, w) for (a, b), w in weights_after.items() if (a, b) not in weights_before]
    removed = [EdgeChange(a, b, w, None, -w) for (a, b), w in weights_before.items() if (a, b) not in weights_after]
    changed = [
        EdgeChange(a, b, w, weights_after[(a, b)], weights_after[(a, b)] - w)
        for (a, b), w in weights_before.items()
        if (a, b) in weights_after and weights_after[(a, b)] != w
    ]
    changed.sort(key=lambda e: (-abs(e.change), e.source, e.target))
    nodes_before, nodes_after = set(before.nodes), set(after.nodes)
    return NetworkComparison(
        n_nodes_before=before.n_nodes,
        n_nodes_after=after.n_nodes,
        n_edges_before=before.n_edges,
        n_edges_after=after.n_edges,
        density_before=_density(before.n_nodes, before.n_edges, before.directed),
        density_after=_density(after.n_nodes, after.n_edges, after.directed),
        nodes_added=tuple(n for n in after.nodes if n not in nodes_before),
        nodes_removed=tuple(n for n in before.nodes if n not in nodes_after),
        nodes_kept=len(nodes_before & nodes_after),
        edges_added=tuple(added),
        edges_removed=tuple(removed),
        weight_changes=tuple(changed),
        rank_by=rank_by,
        top=int(top),
        rank_changes=tuple(rank_changes),
        became_central=tuple(r.node for r in rank_changes if r.node in central_after - central_before),
        left_centre=tuple(r.node for r in rank_changes if r.node in central_before - central_after),
    )


# --------------------------------------------------------------------------------------------------
# Brokerage between groups


def brokerage_roles(network: CriminalNetwork, *, groups: Mapping[str, str]) -> tuple[BrokerageRoles, ...]:
    """Gould and Fernandez's (1989) brokerage roles of every node, given each node's group.

    For every open two-path a → b → c (a ≠ c, and no tie a → c), the broker b is a
    coordinator (a, b, c all in b's group), itinerant (a and c share a group, b is outside it),
    representative (a in b's group, c outside), gatekeeper (c in b's group, a outside) or
    liaison (all three groups differ). In an undirected network each tie counts in both directions,
    so every open triad a – b – c counts twice (as a → b → c and c → b → a) and representative and
    gatekeeper counts mirror each other.
    """
    missing = [node for node in network.nodes if node not in groups]
    if missing:
        raise AnalysisInputError(f"{len(missing)} node(s) have no group, first '{missing[0]}'; every node needs one for brokerage roles")
    group_labels = [str(groups[node]).strip() for node in network.nodes]
    blank = [node for node, g in zip(network.nodes, group_labels) if g == ""]
    if blank:
        raise AnalysisInputError(f"the node '{blank[0]}' has an empty group")
    codes = pd.factorize(pd.Series(group_labels))[0].astype(np.int64)
    n = network.n_nodes
    if network.directed:
        tails, heads = network.source, network.target
    else:
        tails = np.concatenate([network.source, network.target])
        heads = np.concatenate([network.target, network.source])
    order = np.argsort(tails, kind="stable")
    out_heads = heads[order]
    out_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=out_start[1:])
    # Every two-path a → b → c: each arc a → b followed by each arc out of b.
    fan = out_start[heads + 1] - out_start[heads]
    first_arc = np.repeat(np.arange(tails.size), fan)
    offset = np.arange(first_arc.size) - np.repeat(np.cumsum(fan) - fan, fan)
    a = tails[first_arc]
    b = heads[first_arc]
    c = out_heads[out_start[b] + offset]
    arc_keys = np.sort(tails * n + heads)
    closing = a * n + c
    position = np.searchsorted(arc_keys, closing)
    closed = (position < arc_keys.size) & (arc_keys[np.minimum(position, arc_keys.size - 1)] == closing)
    open_path = (a != c) & ~closed
    a, b, c = a[open_path], b[open_path], c[open_path]
    ga, gb, gc = codes[a], codes[b], codes[c]
    role = np.select(
        [(ga == gb) & (gb == gc), (ga == gc) & (ga != gb), (ga == gb) & (gb != gc), (gb == gc) & (ga != gb)],
        [0, 1, 2, 3],
        default=4,
    )
    counts = np.bincount(b * 5 + role, minlength=n * 5).reshape(n, 5)
    return tuple(
        BrokerageRoles(
            node=node,
            group=group_labels[i],
            coordinator=int(counts[i, 0]),
            itinerant=int(counts[i, 1]),
            representative=int(counts[i, 2]),
            gatekeeper=int(counts[i, 3]),
            liaison=int(counts[i, 4]),
            total=int(counts[i].sum()),
        )
        for i, node in enumerate(network.nodes)
    )


def read_groups(path: str | Path, *, node: str = "node", group: str = "group") -> dict[str, str]:
    """Node → group from a two-column file (for brokerage roles); a node listed twice is refused."""
    frame = read_table(path)
    nodes = _labels(column(frame, node), name=node)
    labels = _labels(column(frame, group), name=group)
    repeated = pd.Series(nodes).duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise AnalysisInputError(f"the node '{nodes[row]}' is listed a second time", column=node, row=row + 1)
    return dict(zip(nodes.tolist(), labels.tolist()))
