"""The network page with weighted geodesics: the choice reaches the library, the page states how paths were measured,
and the normalised betweenness, in-closeness and core number of each node are shown."""

from __future__ import annotations

from rocc.analysis_pages.models import AnalysisRun
from rocc.analysis_pages.tests.test_pages import followed, run, text

CALLS = b"from,to,calls\na,b,1\nb,c,1\na,d,10\nd,c,10\n"


def test_weighted_geodesics_send_every_shortest_path_through_the_strong_ties(analyst_client, upload, waitemata):
    _, upload_id = upload("network", ("calls.csv", CALLS))
    fields = {"format": "edges", "source": "from", "target": "to", "weight": "calls", "directed": "no", "key_players": "0"}
    fields |= {"communities": "leiden", "resolution": "1", "seed": "0", "geodesics": "inverse_weight"}
    html = text(followed(analyst_client, run(analyst_client, "network", upload_id, waitemata, **fields)))
    assert "Shortest paths (betweenness, closeness) are weighted: a tie of weight w is 1 / w long" in html
    assert "The innermost k-core is the 2-core" in html
    assert '<th scope="col" class="num">Betweenness (share of pairs)</th>' in html and '<th scope="col" class="num">Core (k)</th>' in html
    nodes = {n["node"]: n for n in AnalysisRun.objects.get().result["nodes"]}
    assert nodes["d"]["betweenness"] == 1.0 and nodes["b"]["betweenness"] == 0.0
    assert nodes["d"]["betweenness_normalised"] == 1 / 3 and nodes["a"]["core"] == 2


def test_steps_stay_the_default(analyst_client, upload, waitemata):
    _, upload_id = upload("network", ("calls.csv", CALLS))
    fields = {"format": "edges", "source": "from", "target": "to", "weight": "calls", "directed": "no", "key_players": "0"}
    fields |= {"communities": "leiden", "resolution": "1", "seed": "0"}
    html = text(followed(analyst_client, run(analyst_client, "network", upload_id, waitemata, **fields)))
    assert "Shortest paths (betweenness, closeness) are counted in steps" in html
    nodes = {n["node"]: n for n in AnalysisRun.objects.get().result["nodes"]}
    assert nodes["d"]["betweenness"] == nodes["b"]["betweenness"] == 0.5
