"""Interdependence measures (domain-model §3.1) on hand-computed graphs, and the classification fixtures."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graphkit.analysis import interdependence as ia
from graphkit.analysis.interdependence import InterdependenceThresholds, classify_interdependence, interdependence

C = "ZZF900"


def federation(n: int, centre: str = C) -> tuple[nx.MultiDiGraph, list[str]]:
    G = nx.MultiDiGraph()
    G.add_node(centre, kind="GPFederation")
    members = [f"m{i}" for i in range(1, n + 1)]
    for m in members:
        G.add_node(m, kind="GPPractice")
        G.add_edge(m, centre, kind="FederationMembership")
    return G, members


def star() -> nx.MultiDiGraph:
    """Centre serves 4 members; no lateral ties."""
    G, ms = federation(4)
    for m in ms:
        G.add_edge(C, m, kind="ServiceProvisionTie")
    return G


def k4() -> nx.MultiDiGraph:
    """K4 of members (mutual cover) plus a centre serving all four: K5 as a simple graph."""
    G = star()
    ms = ["m1", "m2", "m3", "m4"]
    for i, a in enumerate(ms):
        for b in ms[i + 1 :]:
            G.add_edge(a, b, kind="CoverArrangement", mutual=True)
    return G


def two_stars() -> nx.MultiDiGraph:
    """Hubs m1 (leaves m2, m3) and m4 (leaves m5, m6), hub-hub edge m1-m4; the centre serves m1 and m4."""
    G, _ = federation(6)
    for hub, leaves in (("m1", ("m2", "m3")), ("m4", ("m5", "m6"))):
        G.add_edge(C, hub, kind="ServiceProvisionTie")
        for leaf in leaves:
            G.add_edge(hub, leaf, kind="CoverArrangement", mutual=True)
    G.add_edge("m1", "m4", kind="CoverArrangement", mutual=True)
    return G


def path() -> nx.MultiDiGraph:
    """C - m1 - m2 - m3 - m4: a service to m1, then peer-network ties along the chain."""
    G, _ = federation(4)
    G.add_edge(C, "m1", kind="ServiceProvisionTie")
    for a, b in (("m1", "m2"), ("m2", "m3"), ("m3", "m4")):
        G.add_edge(a, b, kind="PeerNetworkTie", mutual=True)
    return G


# --- the four shapes ---------------------------------------------------------------------------------------------


def test_star() -> None:
    r = interdependence(star(), C)
    assert r.n_members == 4
    assert (r.lateral_ties, r.centre_ties) == (0, 4)
    assert r.lateral_tie_share == 0.0  # 0 / (0 + 4)
    assert r.degree_centralisation == 1.0  # N = 5: 4 leaves * (4 - 1) / (4 * 3) = 12 / 12
    assert r.fragmentation == 0.75  # 1 - 1/4: every member alone once the centre goes
    assert r.components_after_removal == 4
    assert r.effective_number_of_centres is None  # every member degree is 0: 0/0
    assert r.local_centres == 0
    assert r.interdependence_index == 0.0  # (0 + 0) / 4
    assert r.reciprocity is None  # no directed member-member dyads
    assert r.dependence_index == 1.0  # 4 service kinds / 4 members
    assert r.mean_lateral_degree == 0.0
    # low rule does not fire (dependence 1.0 >= 0.5); LTS 0 < 0.2 and FR 0.75 > 0.7
    assert r.classification == "unicentric"


def test_k4_plus_centre() -> None:
    r = interdependence(k4(), C)
    assert (r.lateral_ties, r.centre_ties) == (6, 4)
    assert r.lateral_tie_share == 0.6  # 6 / (6 + 4)
    assert r.degree_centralisation == 0.0  # K5: all degrees 4
    assert (r.fragmentation, r.components_after_removal) == (0.0, 1)
    assert r.effective_number_of_centres == 1.0  # degrees 3,3,3,3: 12^2 / (4 * 36)
    # one Louvain community (splitting K4 lowers modularity); sd = 0 so every node meets "mean + 1 sd"
    assert r.local_centres == 1
    assert r.reciprocated_pairs == 6 and r.risk_sharing_pairs == 0
    assert r.interdependence_index == 1.5  # (6 + 0) / 4
    assert r.reciprocity == 1.0
    assert r.dependence_index == 1.0
    assert r.mean_lateral_degree == 3.0  # 2 * 6 / 4
    # LTS 0.6 > 0.5 and FR 0 < 0.3 but 1 local centre < 2
    assert r.classification == "mixed"


def test_two_stars_joined_by_one_member_edge() -> None:
    r = interdependence(two_stars(), C)
    assert (r.lateral_ties, r.centre_ties) == (5, 2)
    assert r.lateral_tie_share == pytest.approx(5 / 7)
    # N = 7; degrees C 2, m1 4, m4 4, leaves 1 (x4); d_max 4: (2 + 0 + 0 + 4*3) / (6 * 5) = 14/30
    assert r.degree_centralisation == pytest.approx(7 / 15)
    assert (r.fragmentation, r.components_after_removal) == (0.0, 1)
    # member degrees without C: 3, 1, 1, 3, 1, 1: sum 10, squares 22: 100 / (6 * 22)
    assert r.effective_number_of_centres == pytest.approx(25 / 33)
    # Louvain: {m1,m2,m3} and {m4,m5,m6} (Q = 2 * (2/5 - (5/10)^2) = 0.3); within each, degrees 2,1,1:
    # mean 4/3, sd sqrt(2/9) = 0.471, hub needs >= 1.805: the hub (2) qualifies
    assert r.local_centres == 2
    assert [c.hubs for c in r.local_centre_detail] == [["m1"], ["m4"]]
    assert [c.members for c in r.local_centre_detail] == [["m1", "m2", "m3"], ["m4", "m5", "m6"]]
    assert r.interdependence_index == pytest.approx(5 / 6)  # 5 mutual cover pairs / 6 members
    assert r.dependence_index == pytest.approx(2 / 6)
    assert r.classification == "pluricentric"


def test_path() -> None:
    r = interdependence(path(), C)
    assert r.lateral_tie_share == 0.75  # 3 / (3 + 1)
    # degrees C 1, m1 2, m2 2, m3 2, m4 1: (1 + 0 + 0 + 0 + 1) / (4 * 3)
    assert r.degree_centralisation == pytest.approx(1 / 6)
    assert (r.fragmentation, r.components_after_removal) == (0.0, 1)
    assert r.effective_number_of_centres == pytest.approx(0.9)  # degrees 1,2,2,1: 36 / (4 * 10)
    assert r.local_centres == 0  # Louvain splits into {m1,m2}, {m3,m4}: under 3 members each
    assert r.interdependence_index == 0.0  # peer networks are lateral but not interdependence
    assert r.dependence_index == 0.25
    assert r.mean_lateral_degree == 1.5
    assert r.classification == "mixed"


def test_single_measure_functions_agree_with_the_bundle() -> None:
    G = two_stars()
    r = interdependence(G, C)
    assert ia.lateral_tie_share(G, C) == r.lateral_tie_share
    assert ia.freeman_centralisation(G, C) == r.degree_centralisation
    assert ia.centre_removal_fragmentation(G, C) == ia.Fragmentation(r.fragmentation, r.components_after_removal)
    assert ia.effective_number_of_centres(G, C) == r.effective_number_of_centres
    assert len(ia.local_centres(G, C)) == r.local_centres
    assert ia.interdependence_index(G, C) == r.interdependence_index
    assert ia.dependence_index(G, C) == r.dependence_index


# --- conventions --------------------------------------------------------------------------------------------------


def test_membership_alone_is_not_a_functional_tie() -> None:
    G, _ = federation(3)
    r = interdependence(G, C)
    assert (r.lateral_ties, r.centre_ties, r.lateral_tie_share) == (0, 0, None)
    assert r.classification == "low interdependence"


def test_weight_counts_distinct_kinds_per_pair() -> None:
    G, _ = federation(2)
    G.add_edge("m1", "m2", kind="CoverArrangement")
    G.add_edge("m1", "m2", kind="CoverArrangement")  # duplicate kind: still weight 1
    G.add_edge("m2", "m1", kind="RiskSharingTie")
    G.add_edge(C, "m1", kind="ServiceProvisionTie")
    r = interdependence(G, C)
    assert r.lateral_tie_share == 0.5  # pairs: 1 lateral, 1 centre
    assert r.weighted_lateral_tie_share == pytest.approx(2 / 3)  # weights: 2 (cover + risk) vs 1
    assert r.reciprocated_pairs == 0  # cover only one way; risk sharing is not a reciprocal kind
    assert r.risk_sharing_pairs == 1
    assert r.interdependence_index == 0.5  # (0 + 1) / 2


def test_reciprocation_may_mix_kinds_and_mutual_flag() -> None:
    G, _ = federation(3)
    G.add_edge("m1", "m2", kind="CoverArrangement")
    G.add_edge("m2", "m1", kind="StaffSharingTie")  # m1 <-> m2 reciprocated through two kinds
    G.add_edge("m2", "m3", kind="DeliversUnder", mutual=True)  # mutual flag: both directions
    G.add_edge("m3", "m1", kind="CoverArrangement")  # one way only
    r = interdependence(G, C)
    assert r.reciprocated_pairs == 2
    assert r.reciprocity == pytest.approx(2 / 3)
    assert r.interdependence_index == pytest.approx(2 / 3)


def test_reverse_dependence_and_referrals() -> None:
    G, _ = federation(4)
    for m in ("m1", "m2"):
        G.add_edge(m, C, kind="DeliversUnder")  # members deliver under the centre's contract
    G.add_edge("m3", C, kind="ReferralTie")
    G.add_edge("m3", C, kind="ReferralTie")
    G.add_edge(C, "m3", kind="CaretakingTie")
    r = interdependence(G, C)
    assert r.reverse_dependence == 0.5  # 2 of 4 members deliver for the centre
    assert r.dependence_index == 0.5  # m3: referral + caretaking = 2 kinds; 2 / 4


def test_subfederation_groups_hold_members_together() -> None:
    G, ms = federation(6)
    G.add_node("G1", kind="SubfederationGroup")
    for m in ms:
        G.add_edge(C, m, kind="ServiceProvisionTie")
        G.add_edge(m, "G1", kind="SubfederationMembership")
    r = interdependence(G, C)
    assert r.n_groups == 1
    assert r.lateral_tie_share == 0.0  # group links are not member-member ties
    assert r.fragmentation == 0.0  # ... but the group keeps them in one component
    assert r.degree_centralisation == 1.0  # groups are not nodes of C_D (N = n + 1)
    assert r.local_centres == 1 and r.local_centre_detail[0].hubs == ["G1"]
    # member degrees without the centre: 1 each (the group): 36 / (6 * 6)
    assert r.effective_number_of_centres == 1.0


def test_groups_are_counted_per_federation() -> None:
    """Two federations in one graph, each with its own group: each counts one (not every group in the graph), and a
    group tied to the centre (its sub-board) counts even when no member belongs to it yet."""
    G, ms = federation(4)
    G.add_node("G1", kind="SubfederationGroup")
    for m in ms[:2]:
        G.add_edge(m, "G1", kind="SubfederationMembership")
    G.add_node("ZZF901", kind="GPFederation")
    for i in range(5, 9):
        G.add_edge(f"m{i}", "ZZF901", kind="FederationMembership")
    for g in ("G2", "G3"):
        G.add_node(g, kind="SubfederationGroup")
        G.add_edge("m5", g, kind="SubfederationMembership")
    G.add_node("G4", kind="SubfederationGroup")
    G.add_edge("G4", "ZZF901", kind="StructuralMembership")
    assert interdependence(G, C).n_groups == 1
    assert interdependence(G, "ZZF901").n_groups == 3  # G2, G3 (its members') and G4 (tied to its centre)
    # another federation's groups are no isolated parts of this one's centre-removed graph
    alone, members = federation(4)
    alone.add_node("G1", kind="SubfederationGroup")
    for m in members[:2]:
        alone.add_edge(m, "G1", kind="SubfederationMembership")
    assert interdependence(G, C).fragmentation == interdependence(alone, C).fragmentation


def test_members_argument_overrides_membership_edges() -> None:
    G = star()
    assert ia.lateral_tie_share(G, C, members=["m1", "m2"]) == 0.0
    assert ia.centre_removal_fragmentation(G, C, members=["m1", "m2"]).fragmentation == 0.5


def test_unknown_centre() -> None:
    with pytest.raises(KeyError):
        interdependence(star(), "nope")


def test_generic_freeman_centralisation() -> None:
    assert ia.degree_centralisation(nx.star_graph(4)) == 1.0
    assert ia.degree_centralisation(nx.cycle_graph(6)) == 0.0
    assert ia.degree_centralisation(nx.path_graph(2)) is None  # N < 3
    # directed multigraph read as undirected simple: star 0->1, 2->0 twice, 0->3
    D = nx.MultiDiGraph([(0, 1), (2, 0), (2, 0), (0, 3)])
    assert ia.degree_centralisation(D) == 1.0


def test_louvain_is_deterministic_whatever_the_insertion_order() -> None:
    G = two_stars()
    baseline = interdependence(G, C).local_centre_detail
    edges = list(G.edges(keys=True, data=True))
    for seed in range(5):
        random.Random(seed).shuffle(edges)
        H = nx.MultiDiGraph()
        nodes = list(G.nodes(data=True))
        random.Random(seed).shuffle(nodes)
        H.add_nodes_from(nodes)
        H.add_edges_from((u, v, k, d) for u, v, k, d in edges)
        assert interdependence(H, C).local_centre_detail == baseline


# --- classification fixtures ------------------------------------------------------------------------------------


def expanding_like() -> nx.MultiDiGraph:
    """Two subfederation groups of 4, cover arrangements inside each, peer networks across, risk sharing, and the
    centre's payroll service to everyone (004:253, 004:633-634, 004:638)."""
    G, ms = federation(8)
    for g, group in (("G1", ms[:4]), ("G2", ms[4:])):
        G.add_node(g, kind="SubfederationGroup")
        for i, a in enumerate(group):
            G.add_edge(a, g, kind="SubfederationMembership")
            for b in group[i + 1 :]:
                G.add_edge(a, b, kind="CoverArrangement", mutual=True)
    G.add_edge("m1", "m5", kind="PeerNetworkTie", mutual=True)
    G.add_edge("m2", "m6", kind="PeerNetworkTie", mutual=True)
    G.add_edge("m1", "m2", kind="RiskSharingTie")
    G.add_edge("m5", "m6", kind="RiskSharingTie")
    for m in ms:
        G.add_edge(C, m, kind="ServiceProvisionTie")
    return G


def embedded_like() -> nx.MultiDiGraph:
    """Hub service to and referrals from all 10 members, caretaking of one, one peer tie (004:632)."""
    G, ms = federation(10)
    for m in ms:
        G.add_edge(C, m, kind="ServiceProvisionTie")
        G.add_edge(m, C, kind="ReferralTie")
    G.add_edge(C, "m10", kind="CaretakingTie")
    G.add_edge("m1", "m2", kind="PeerNetworkTie", mutual=True)
    return G


def struggling_like() -> nx.MultiDiGraph:
    """Ten members, one service to one practice, one referral between two members (004:758: "distant")."""
    G, _ = federation(10)
    G.add_edge(C, "m1", kind="ServiceProvisionTie")
    G.add_edge("m3", "m4", kind="ReferralTie")
    return G


def small_like() -> nx.MultiDiGraph:
    """Six members all delivering the prescribing scheme under the centre, one peer tie (004:427, 004:758)."""
    G, ms = federation(6)
    for m in ms:
        G.add_edge(m, C, kind="DeliversUnder")
    G.add_edge("m1", "m2", kind="PeerNetworkTie", mutual=True)
    return G


def test_expanding_like_is_pluricentric() -> None:
    r = interdependence(expanding_like(), C)
    # lateral pairs: 6 + 6 covers + 2 peer = 14; centre pairs 8: LTS = 14/22
    assert r.lateral_tie_share == pytest.approx(14 / 22)
    assert r.fragmentation == 0.0
    assert r.local_centres == 2
    assert [c.groups for c in r.local_centre_detail] == [["G1"], ["G2"]]
    # 12 mutual cover pairs + 2 risk-sharing pairs over 8 members
    assert r.interdependence_index == pytest.approx(14 / 8)
    assert r.classification == "pluricentric"


def test_embedded_like_is_unicentric() -> None:
    r = interdependence(embedded_like(), C)
    assert r.lateral_tie_share == pytest.approx(1 / 11)  # 1 lateral pair, 10 centre pairs
    assert r.fragmentation == pytest.approx(0.8)  # 1 - 2/10
    assert r.dependence_index == pytest.approx(2.1)  # (10 services + 10 referrals + 1 caretaking) / 10
    assert r.classification == "unicentric"


def test_sparse_federations_have_low_interdependence() -> None:
    s = interdependence(struggling_like(), C)
    assert s.mean_lateral_degree == pytest.approx(0.2)  # 2 * 1 / 10
    assert s.dependence_index == pytest.approx(0.1)
    assert s.classification == "low interdependence"
    small = interdependence(small_like(), C)
    assert small.dependence_index == 0.0  # delivering for the centre is reverse dependence
    assert small.reverse_dependence == 1.0
    assert small.classification == "low interdependence"


def test_thresholds_are_configurable() -> None:
    r = interdependence(k4(), C)
    assert classify_interdependence(r) == "mixed"
    one_centre = InterdependenceThresholds(pluricentric_min_local_centres=1)
    assert classify_interdependence(r, one_centre) == "pluricentric"
    assert interdependence(k4(), C, thresholds=one_centre).classification == "pluricentric"
    # switching the low rule off makes the Small-like federation fall through to §3.1's rules
    off = InterdependenceThresholds(low_max_lateral_degree=0.0, low_max_dependence=0.0)
    assert interdependence(small_like(), C, thresholds=off).classification == "mixed"  # LTS 1/7, FR 2/3
    with pytest.raises(AttributeError):
        one_centre.pluricentric_min_lts = 0.1  # type: ignore[misc]
