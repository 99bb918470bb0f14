"""Gould–Fernandez brokerage, projections, structural holes and the boundary-spanner ranking (domain-model §3.6)."""

from __future__ import annotations

import networkx as nx
import pytest

from graphkit.analysis import brokerage as br
from graphkit.analysis.brokerage import BrokerageRoles, gould_fernandez


def triad(groups: dict[str, str], *, closing: tuple[str, str] | None = None) -> dict[str, BrokerageRoles]:
    D = nx.DiGraph([("a", "b"), ("b", "c")])
    if closing:
        D.add_edge(*closing)
    return gould_fernandez(D, groups)


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ({"a": "X", "b": "X", "c": "X"}, "coordinator"),  # all three in one group
        ({"a": "X", "b": "Y", "c": "X"}, "itinerant"),  # broker outside the group a and c share
        ({"a": "Y", "b": "X", "c": "X"}, "gatekeeper"),  # a elsewhere; b guards c's group
        ({"a": "X", "b": "X", "c": "Y"}, "representative"),  # b speaks for a's group to c's
        ({"a": "X", "b": "Y", "c": "Z"}, "liaison"),  # all differ
    ],
)
def test_each_triad_type(groups: dict[str, str], role: str) -> None:
    roles = triad(groups)
    expected = BrokerageRoles(**{role: 1})
    assert roles["b"] == expected
    assert roles["b"].total == 1
    assert roles["a"] == roles["c"] == BrokerageRoles()  # the ends broker nothing


def test_a_to_c_edge_removes_the_brokerage_but_c_to_a_does_not() -> None:
    groups = {"a": "X", "b": "Y", "c": "Z"}
    assert triad(groups, closing=("a", "c"))["b"].total == 0
    # c -> a: b still brokers a -> c; and now a brokers c -> a -> b (no c -> b), c brokers b -> c -> a (no b -> a)
    roles = triad(groups, closing=("c", "a"))
    assert roles["b"].liaison == 1
    assert roles["a"].liaison == 1 and roles["c"].liaison == 1


def test_reference_four_node_example() -> None:
    """The 4-node example in the cograph/sna docs (anchors.md §5), counted by hand.

    arcs 1->2, 1->3, 2->3, 2->4, 3->4, 4->1; groups 1,2 = A, 3,4 = B. Open two-paths:
    4->1->2 (B,A,A gatekeeper), 4->1->3 (B,A,B itinerant), 1->2->4 (A,A,B representative; 1->2->3 closed by 1->3),
    1->3->4 (A,B,B gatekeeper; 2->3->4 closed by 2->4), 2->4->1 (A,B,A itinerant), 3->4->1 (B,B,A representative).
    """
    D = nx.DiGraph([(1, 2), (1, 3), (2, 3), (2, 4), (3, 4), (4, 1)])
    roles = gould_fernandez(D, {1: "A", 2: "A", 3: "B", 4: "B"})
    assert roles["1"] == BrokerageRoles(itinerant=1, gatekeeper=1)
    assert roles["2"] == BrokerageRoles(representative=1)
    assert roles["3"] == BrokerageRoles(gatekeeper=1)
    assert roles["4"] == BrokerageRoles(itinerant=1, representative=1)


def test_groups_from_an_attribute_and_missing_groups() -> None:
    D = nx.MultiDiGraph()
    D.add_node("a", sector="practice")
    D.add_node("b", sector="federation")
    D.add_node("c")  # no group: a group of its own
    D.add_edge("a", "b")
    D.add_edge("a", "b")  # multi-edges collapse
    D.add_edge("b", "c")
    D.add_edge("b", "b")  # self-loops are ignored
    assert gould_fernandez(D, "sector")["b"] == BrokerageRoles(liaison=1)


def test_two_paths_counted_per_pair() -> None:
    # star of flows through b: two sources in group X, two targets in group Y, b in X: 2*2 representative paths
    D = nx.DiGraph([("a1", "b"), ("a2", "b"), ("b", "c1"), ("b", "c2")])
    groups = {"a1": "X", "a2": "X", "b": "X", "c1": "Y", "c2": "Y"}
    assert gould_fernandez(D, groups)["b"] == BrokerageRoles(representative=4)


# --- bipartite ---------------------------------------------------------------------------------------------------


def people_graph() -> nx.MultiDiGraph:
    """P1: federation F, CCG committee C, STP board S; P2: F and practice PR; P3: S only."""
    B = nx.MultiDiGraph()
    for org, kind, level in (
        ("F", "GPFederation", 3),
        ("C", "CCGCommittee", 3),
        ("S", "STPBoard", 4),
        ("PR", "GPPractice", 1),
    ):
        B.add_node(org, kind=kind, scale_level=level)
    for p in ("P1", "P2", "P3"):
        B.add_node(p, kind="Person", name=f"Person {p}")
    for p, o in (("P1", "F"), ("P1", "C"), ("P1", "S"), ("P2", "F"), ("P2", "PR"), ("P3", "S")):
        B.add_edge(p, o, kind="PostHolding", role="member")
    B.add_edge("F", "S", kind="CoProduces")  # not a post: ignored by the bipartite measures
    return B


def test_projections() -> None:
    B = people_graph()
    P = br.person_projection(B)
    assert sorted(P.edges(data="weight")) == [("P1", "P2", 1), ("P1", "P3", 1)]
    interlocks = br.organisation_projection(B)
    assert sorted(interlocks.edges()) == [("C", "F"), ("C", "S"), ("F", "PR"), ("F", "S")]


def test_betweenness_in_both_projections() -> None:
    B = people_graph()
    # person line P2 - P1 - P3: P1 on the one shortest path; normalised by (n-1)(n-2)/2 = 1
    assert br.projected_betweenness(B, "person") == {"P1": 1.0, "P2": 0.0, "P3": 0.0}
    # organisations: triangle F, C, S plus PR hanging on F: F is on PR-C and PR-S, 2 of (4-1)(4-2)/2 = 3 pairs
    org = br.projected_betweenness(B, "organisation")
    assert org == {"C": 0.0, "F": pytest.approx(2 / 3), "PR": 0.0, "S": 0.0}
    with pytest.raises(ValueError):
        br.projected_betweenness(B, "both")


def test_structural_holes() -> None:
    holes = br.structural_holes(br.person_projection(people_graph()))
    # P1: two contacts, not tied to each other, 1/2 each: constraint (1/2)^2 + (1/2)^2; effective size 2 - 0
    assert holes["P1"] == br.StructuralHoles(constraint=0.5, effective_size=2.0)
    assert holes["P2"] == br.StructuralHoles(constraint=1.0, effective_size=1.0)
    isolated = nx.Graph()
    isolated.add_node("P9")
    assert br.structural_holes(isolated)["P9"] == br.StructuralHoles(None, None)


def test_affiliation_diversity() -> None:
    d = br.affiliation_diversity(people_graph(), "P1")
    assert d.organisations == ["C", "F", "S"]
    assert d.types == {"CCGCommittee": 1, "GPFederation": 1, "STPBoard": 1}
    assert (d.n_types, d.scale_levels, d.n_levels) == (3, [3, 4], 2)
    assert d.blau == pytest.approx(1 - 3 * (1 / 3) ** 2)
    nobody = br.affiliation_diversity(people_graph(), "P-unknown")
    assert (nobody.n_types, nobody.blau) == (0, 0.0)


def test_bipartite_attribute_instead_of_kind() -> None:
    B = nx.Graph()
    B.add_nodes_from(["x", "y"], bipartite=0)
    B.add_nodes_from(["o1", "o2"], bipartite=1)
    B.add_edges_from([("x", "o1"), ("x", "o2"), ("y", "o2")])
    _, people, orgs = br.affiliation_graph(B)
    assert (people, orgs) == ({"x", "y"}, {"o1", "o2"})


def test_boundary_spanner_ranking() -> None:
    B = people_graph()
    ranking = br.boundary_spanners(B)
    first = ranking.people[0]
    assert first.node == "P1" and first.name == "Person P1"
    assert first.criteria == ["betweenness", "types"]  # top decile (ceil(0.1 * 3) = 1 node) and 3 kinds
    assert first.constraint == 0.5
    assert [r.node for r in ranking.people if r.is_spanner] == ["P1"]
    # organisations: F is the interlock broker and shares people with a committee, an STP board and a practice
    assert ranking.organisations[0].node == "F"
    assert ranking.organisations[0].criteria == ["betweenness", "types"]


def test_liaison_role_makes_a_spanner() -> None:
    B = people_graph()
    flows = nx.DiGraph([("P3", "P2"), ("P2", "PR")])
    flows.nodes["P3"]["group"] = "system"
    flows.nodes["P2"]["group"] = "federation"
    B.nodes["PR"]["group"] = "practice"  # groups may come from B too
    ranking = br.boundary_spanners(B, flows=flows)
    p2 = next(r for r in ranking.people if r.node == "P2")
    assert (p2.liaison, p2.brokerage, p2.criteria) == (1, 1, ["liaison"])
    assert [r.node for r in ranking.people if r.is_spanner] == ["P1", "P2"]
    stricter = br.boundary_spanners(B, flows=flows, min_types=4, top_fraction=0.0)
    assert [(r.node, r.criteria) for r in stricter.people if r.is_spanner] == [("P2", ["liaison"])]
    # a larger fraction: ceil(0.5 * 3) = 2 highest, but P2 and P3 have betweenness 0 and never count
    wide = br.boundary_spanners(B, top_fraction=0.5, min_types=4)
    assert [(r.node, r.criteria) for r in wide.people if r.is_spanner] == [("P1", ["betweenness"])]


def test_a_graph_without_posts_has_no_spanners() -> None:
    # the national graph holds no posts: nobody to rank, and organisations without interlocks
    G = nx.MultiDiGraph()
    G.add_node("A81001", kind="GPPractice")
    G.add_node("U89141", kind="PrimaryCareNetwork")
    G.add_edge("A81001", "U89141", kind="PCNMembership")
    ranking = br.boundary_spanners(G)
    assert ranking.people == []
    assert [(r.node, r.is_spanner, r.betweenness) for r in ranking.organisations] == [
        ("A81001", False, 0.0), ("U89141", False, 0.0)
    ]
    assert br.person_projection(G).number_of_nodes() == 0
    assert sorted(br.organisation_projection(G).nodes) == ["A81001", "U89141"]


def test_betweenness_skips_isolated_nodes_but_keeps_their_count_in_the_normalisation() -> None:
    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "e")])
    G.add_nodes_from(f"iso{i}" for i in range(20))
    expected = {str(k): v for k, v in nx.betweenness_centrality(G, normalized=True).items()}
    assert br.betweenness(G) == pytest.approx(expected)
    assert br.betweenness(G)["b"] > 0 and br.betweenness(G)["iso3"] == 0.0
    D = nx.DiGraph([("a", "b"), ("b", "c")])
    D.add_node("z")
    assert br.betweenness(D) == pytest.approx(
        {str(k): v for k, v in nx.betweenness_centrality(D, normalized=True).items()}
    )
