"""The area of the analyses of one date and their every-centre mode, on small graphs (no store): which organisations an
area keeps, how the rows of every centre are paged, and that a centre the analysis cannot determine keeps its row."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graphkit.analysis import registry
from graphkit.analysis._common import Area, edges, edges_among
from graphkit.errors import BadParameter, NotFound


def two_areas() -> nx.MultiDiGraph:
    """Two CCGs, 01A (practices a1-a4) and 02B (b1-b3); PCN U1 = a1, a2, a3; U2 = a4, b1 (across the boundary);
    U3 = b2; federation F1 = a1..a4 with peer ties a1-a2, a2-a3, a3-a1; F2 a federation with no member on the date."""
    g = nx.MultiDiGraph()
    for ccg, practices in (("01A", ["a1", "a2", "a3", "a4"]), ("02B", ["b1", "b2", "b3"])):
        g.add_node(ccg, kind="ClinicalCommissioningGroup", name=f"CCG {ccg}")
        for p in practices:
            g.add_node(p, kind="GPPractice", area=ccg, list_size=10_000)
            g.add_edge(p, ccg, kind="CommissionerAssignment")
    for pcn, members in (("U1", ["a1", "a2", "a3"]), ("U2", ["a4", "b1"]), ("U3", ["b2"])):
        g.add_node(pcn, kind="PrimaryCareNetwork", name=f"PCN {pcn}")
        for m in members:
            g.add_edge(m, pcn, kind="PCNMembership")
    g.add_node("F1", kind="GPFederation", name="Federation 1")
    g.add_node("F2", kind="GPFederation", name="Federation 2")
    for m in ("a1", "a2", "a3", "a4"):
        g.add_edge(m, "F1", kind="FederationMembership")
    for u, v in (("a1", "a2"), ("a2", "a3"), ("a3", "a1")):
        g.add_edge(u, v, kind="PeerNetworkTie", mutual=True)
    return g


def test_an_area_holds_its_practices_and_the_centres_with_a_member_in_it() -> None:
    g = two_areas()
    area = registry.graph_area(g, "02B")
    assert area.codes == {"02B", "b1", "b2", "b3"} and area.kind == "ClinicalCommissioningGroup"
    assert [c for c in ("U1", "U2", "U3", "F1") if area.holds_centre(g, c)] == ["U2", "U3"]
    with pytest.raises(NotFound, match="'09X'"):
        registry.graph_area(g, "09X")
    with pytest.raises(BadParameter, match="'U1' is a PrimaryCareNetwork on the date, not an area"):
        registry.get("footprint").run(g, area="U1")


def test_footprint_in_an_area_keeps_its_organisations_and_counts_its_practices() -> None:
    g = two_areas()
    whole = registry.get("footprint").run(g)
    local = registry.get("footprint").run(g, area="02b")  # codes are upper-cased
    assert sorted(whole["footprints"]) == ["U1", "U2", "U3"] and sorted(local["footprints"]) == ["U2", "U3"]
    # U2's shares are still of whole areas: one member in each; the modal area is the one it covers more, 02B (1/3)
    assert local["footprints"]["U2"] == whole["footprints"]["U2"]
    assert (local["footprints"]["U2"]["modal_area"], local["footprints"]["U2"]["coverage"]) == ("02B", 1 / 3)
    assert local["multi_area"] == {"U2": ["01A", "02B"]}
    assert local["area"] == {"code": "02B", "kind": "ClinicalCommissioningGroup", "name": "CCG 02B", "practices": 3,
                             "in_an_organisation": 2, "outside": ["b3"],
                             "membership": {"b1": ["U2"], "b2": ["U3"], "b3": []}}


def test_every_centre_rows_are_paged_and_an_undetermined_centre_keeps_its_row() -> None:
    g = two_areas()
    inter = registry.get("interdependence")
    every = inter.run(g, kind="federation")
    assert (every["count"], every["limit"], every["offset"]) == (2, 100, 0)
    f1, f2 = every["data"]
    assert (f1["centre"], f1["undetermined"], f1["verdict"], f1["n_members"]) == ("F1", False, "mixed", 4)
    # three members in a triangle of peer ties and a fourth alone: LTS 1, one local centre, FR 1/4
    assert f1["reason"] == "LTS 1, FR 0.25, 1 local centres: neither rule holds"
    assert f1["reasons"]["class"] == "mixed"  # the reasons of the single-centre answer
    assert (f2["centre"], f2["undetermined"], f2["verdict"]) == ("F2", True, None)
    assert f2["reason"] == "'F2' has no members on the date: its interdependence is undetermined"
    # one centre alone answers as its row does, and the undetermined one is refused (422 over HTTP)
    single = inter.run(g, centre="F1")
    assert {k: v for k, v in f1.items() if k not in ("name", "undetermined", "verdict")} == single
    with pytest.raises(ValueError, match="undetermined"):
        inter.run(g, centre="F2")
    pcns = inter.run(g, kind="pcn", limit=2, offset=1)
    assert pcns["count"] == 3 and [r["centre"] for r in pcns["data"]] == ["U2", "U3"]
    assert inter.run(g, kind="pcn", offset=3)["data"] == [] and inter.run(g, kind="pcn", offset=3)["count"] == 3
    assert [r["centre"] for r in inter.run(g, kind="pcn", area="02B")["data"]] == ["U2", "U3"]


def test_style_and_footprint_of_every_centre_give_a_verdict_and_its_reason() -> None:
    g = two_areas()
    styles = registry.get("style").run(g, kind="federation")["data"]
    assert [(r["centre"], r["verdict"], r["undetermined"]) for r in styles] == [
        ("F1", "neglectful", False), ("F2", None, True)]
    assert styles[0]["reason"] == styles[0]["reasons"]["rule"] and "CTRL 0.000 < τ 0.5" in styles[0]["reason"]
    rows = registry.get("footprint").run(g, kind="pcn")["data"]
    assert [(r["centre"], r["verdict"]) for r in rows] == [
        ("U1", "not coterminous"), ("U2", "not coterminous"), ("U3", "not coterminous")]
    assert rows[0]["coverage"] == 3 / 4 and rows[0]["population"]["population"] == 30_000
    assert "coverage 0.75" in rows[0]["reason"] and "3 of its 3 placed members are in 01A" in rows[0]["reason"]
    one = registry.get("footprint").run(g, centre="U1", threshold=0.75)
    assert (one["verdict"], one["coverage"], one["containment"]) == ("coterminous", 0.75, 1.0)
    fed = registry.get("footprint").run(g, kind="federation")["data"]
    assert [(r["centre"], r["verdict"], r["undetermined"]) for r in fed] == [
        ("F1", "coterminous", False), ("F2", None, True)]
    with pytest.raises(ValueError, match="'a1' is a GPPractice, not a PCN or a federation"):
        registry.get("footprint").run(g, centre="a1")


def test_competition_and_spanners_in_an_area() -> None:
    g = two_areas()
    g.add_node("P-1", kind="Person", bipartite=0)
    g.add_edge("P-1", "F1", kind="PostHolding", role="BoardChair")
    comp = registry.get("competition").run(g, area="01A")
    assert sorted(comp["choice_sets"]) == ["a1", "a2", "a3", "a4"] and list(comp["concentration"]) == ["01A"]
    assert comp["contestability"] == {"F1": 0.0} and comp["area"]["practices"] == 4
    assert registry.get("competition").run(g, area="02B")["contestability"] == {}
    spanners = registry.get("boundary-spanners").run(g, area="02B")
    assert spanners["people"] == [] and "F1" not in {r["node"] for r in spanners["organisations"]}
    assert [r["node"] for r in registry.get("boundary-spanners").run(g, area="01A")["people"]] == ["P-1"]


def test_an_area_object_passes_through() -> None:
    g = two_areas()
    area = Area("X", "IntegratedCareBoard", None, frozenset({"X", "01A"}))
    assert sorted(registry.get("footprint").run(g, area=area)["footprints"]) == ["U1", "U2"]


@pytest.mark.parametrize("seed", range(5))
def test_edges_among_is_the_filter_of_every_edge_in_the_graphs_order(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(12)]
    for graph in (nx.MultiDiGraph(), nx.Graph(), nx.MultiGraph()):
        for _ in range(40):
            graph.add_edge(rng.choice(nodes), rng.choice(nodes), kind=rng.choice("abc"))
        wanted = set(rng.sample(nodes, 6))
        expected = [(u, v, d) for u, v, d in edges(graph) if u in wanted and v in wanted]
        assert list(edges_among(graph, wanted)) == expected
