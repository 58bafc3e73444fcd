"""`rocc analyse network`: centrality, brokerage, communities, key players and change of a criminal network."""

from __future__ import annotations

from pathlib import Path

import typer

from rocc.analysis.errors import AnalysisInputError
from rocc.analysis.networks import NetworkAnalysis, network_analysis, read_groups, read_network
from rocc.cli.analyse import analyse_app, emit, fail


def _summary(result: NetworkAnalysis, *, show: int = 5) -> str:
    s = result.summary
    lines = [
        f"{s.n_nodes} nodes, {s.n_edges} {'directed' if s.directed else 'undirected'} ties"
        + (f", density {s.density:.3f}" if s.density is not None else "")
        + f", {s.components} component(s), largest {s.largest_component}",
        f"{s.n_communities} communities ({s.community_method})" + (f", modularity {s.modularity:.3f}" if s.modularity is not None else ""),
        f"shortest paths {result.parameters['geodesics']}",
        f"k-cores: the innermost is the {s.max_core}-core ({(s.core_sizes or {}).get(s.max_core or 0, 0)} nodes)" if s.max_core else "k-cores: no ties",
        "",
        f"Top {show} by betweenness (node: betweenness, degree, constraint, community):",
    ]
    ranked = sorted(result.nodes, key=lambda n: (-n.betweenness, -n.degree, n.node))[:show]
    for node in ranked:
        constraint = f"{node.constraint:.3f}" if node.constraint is not None else "n/a"
        lines.append(f"  {node.node}: {node.betweenness:.1f}, {node.degree}, {constraint}, {node.community}")
    if result.key_players is not None:
        kp = result.key_players
        lines += [
            "",
            f"Key players (k={kp.k}): {', '.join(kp.nodes)}",
            f"  fragmentation {kp.fragmentation_before:.3f} → {kp.fragmentation_after:.3f}; largest component "
            f"{kp.largest_component_before} → {kp.largest_component_after}; components "
            f"{kp.components_before} → {kp.components_after}",
        ]
    if result.comparison is not None:
        c = result.comparison
        lines += [
            "",
            f"Change: nodes {c.n_nodes_before} → {c.n_nodes_after} (+{len(c.nodes_added)}, −{len(c.nodes_removed)}), "
            f"ties {c.n_edges_before} → {c.n_edges_after} (+{len(c.edges_added)}, −{len(c.edges_removed)}, "
            f"{len(c.weight_changes)} reweighted)",
            f"  became central (top {c.top} by {c.rank_by}): {', '.join(c.became_central) or 'none'}",
            f"  left the centre: {', '.join(c.left_centre) or 'none'}",
        ]
    if result.brokerage_roles is not None:
        brokers = sorted(result.brokerage_roles, key=lambda b: (-b.total, b.node))[:show]
        lines += ["", "Top brokers (node: coordinator/itinerant/representative/gatekeeper/liaison):"]
        lines += [f"  {b.node} ({b.group}): {b.coordinator}/{b.itinerant}/{b.representative}/{b.gatekeeper}/{b.liaison}" for b in brokers]
    lines += [f"Note: {note}" for note in result.notes]
    return "\n".join(lines)


@analyse_app.command("network")
def network_command(
    file: Path = typer.Argument(..., help="The network: an edge list or an adjacency matrix (CSV, Excel or Parquet)."),
    edges: bool = typer.Option(False, "--edges", help="The file is an edge list, one tie per row (needs --source and --target)."),
    adjacency: bool = typer.Option(False, "--adjacency", help="The file is an adjacency matrix; its first row and column are node labels."),
    source: str | None = typer.Option(None, "--source", help="Edge list: the column naming the first (from) node."),
    target: str | None = typer.Option(None, "--target", help="Edge list: the column naming the second (to) node."),
    weight: str | None = typer.Option(None, "--weight", help="Edge list: a column of positive tie strengths (calls, co-offences)."),
    directed: bool | None = typer.Option(
        None,
        "--directed/--undirected",
        help="Whether ties have a direction. Default: an edge list is undirected; a matrix is directed unless symmetric.",
    ),
    merge_duplicates: bool = typer.Option(False, "--merge-duplicates", help="Merge a tie given on several rows into one, adding weights (else refused)."),
    key_players: int = typer.Option(0, "--key-players", help="Choose this many nodes whose removal fragments the network most."),
    compare: Path | None = typer.Option(None, "--compare", help="A later snapshot of the same network (same format) to compare with."),
    groups: Path | None = typer.Option(None, "--groups", help="A file with columns node,group for Gould–Fernandez brokerage roles."),
    communities: str = typer.Option("leiden", "--communities", help="Community method: leiden or multilevel (Louvain)."),
    resolution: float = typer.Option(1.0, "--resolution", help="Modularity resolution; above 1 gives smaller communities."),
    rank_by: str = typer.Option("betweenness", "--rank-by", help="For --compare: betweenness, degree, strength, closeness or eigenvector."),
    top: int = typer.Option(10, "--top", help="For --compare: how many top places count as central."),
    seed: int = typer.Option(0, "--seed", help="Seed for the community search; the same seed gives the same communities."),
    geodesics: str = typer.Option(
        "steps", "--geodesics", help="Shortest paths for betweenness and closeness: steps (count ties) or inverse_weight (a tie of weight w is 1/w long)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Who is central, who brokers, which communities, whose removal fragments the network, and what changed."""
    try:
        if edges and adjacency:
            raise AnalysisInputError("give either --edges or --adjacency, not both")
        if not adjacency and not edges and source is None:
            raise AnalysisInputError("say what the file is: --edges --source COL --target COL, or --adjacency")
        options = dict(
            adjacency=adjacency,
            source=source,
            target=target,
            weight=weight,
            directed=directed,
            merge_duplicates=merge_duplicates,
        )
        network = read_network(file, **options)
        later = read_network(compare, **options) if compare is not None else None
        node_groups = read_groups(groups) if groups is not None else None
        result = network_analysis(
            network,
            key_players=key_players,
            compare_with=later,
            groups=node_groups,
            community_method=communities,
            resolution=resolution,
            rank_by=rank_by,
            top=top,
            seed=seed,
            geodesics=geodesics,
        )
    except (AnalysisInputError, ValueError) as error:
        fail(error)
        return
    emit(result, as_json=as_json, summary=_summary(result))
