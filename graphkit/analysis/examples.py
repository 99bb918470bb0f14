"""Tiny synthetic graphs for the doctests and the documentation.

Every code here is invented (``ZZF...`` federations, ``ZZP...`` practices, ``P-...`` people) and cannot collide
with a real ODS code. The case-study shapes (Expanding-like, Embedded-like, ...) are caricatures of the
pseudonymised sites in domain-model §4.1-4.2, not the sites themselves.
"""

from __future__ import annotations

import itertools

import networkx as nx

CENTRE = "ZZF001"


def _federation(n_members: int, centre: str = CENTRE) -> tuple[nx.MultiDiGraph, list[str]]:
    G = nx.MultiDiGraph()
    G.add_node(centre, kind="GPFederation", name="Example federation", scale_level=3)
    members = [f"ZZP{i:03d}" for i in range(1, n_members + 1)]
    for m in members:
        G.add_node(m, kind="GPPractice", name=f"Practice {m}", scale_level=1)
        G.add_edge(m, centre, kind="FederationMembership")
    return G, members


def star(n_members: int = 4) -> nx.MultiDiGraph:
    """Centre plus ``n_members`` practices, each receiving one service from the centre and nothing else.

    >>> G = star(4); G.number_of_nodes(), G.number_of_edges()
    (5, 8)
    """
    G, members = _federation(n_members)
    for m in members:
        G.add_edge(CENTRE, m, kind="ServiceProvisionTie")
    return G


def complete(n_members: int = 4) -> nx.MultiDiGraph:
    """The star plus a mutual cover arrangement between every pair of members (K_n of members plus the centre).

    >>> complete(4).number_of_edges()  # 4 memberships + 4 services + 6 covers
    14
    """
    G = star(n_members)
    members = sorted(n for n, k in G.nodes(data="kind") if k == "GPPractice")
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            G.add_edge(a, b, kind="CoverArrangement", mutual=True)
    return G


def two_stars() -> nx.MultiDiGraph:
    """Two member-level stars (hubs ZZP001 and ZZP004, two leaves each) joined by one hub-hub edge; the centre
    serves the two hubs only. All lateral ties are mutual cover arrangements.

    >>> G = two_stars(); sorted(v for u, v, k in G.edges(CENTRE, data="kind") if k == "ServiceProvisionTie")
    ['ZZP001', 'ZZP004']
    """
    G, m = _federation(6)
    for hub, leaves in ((m[0], m[1:3]), (m[3], m[4:6])):
        G.add_edge(CENTRE, hub, kind="ServiceProvisionTie")
        for leaf in leaves:
            G.add_edge(hub, leaf, kind="CoverArrangement", mutual=True)
    G.add_edge(m[0], m[3], kind="CoverArrangement", mutual=True)
    return G


def path(n_members: int = 4) -> nx.MultiDiGraph:
    """A path centre - ZZP001 - ZZP002 - ... : the centre serves ZZP001, members are chained by peer-network ties.

    >>> sorted(path(3).successors("ZZP002"))
    ['ZZF001', 'ZZP003']
    """
    G, m = _federation(n_members)
    G.add_edge(CENTRE, m[0], kind="ServiceProvisionTie")
    for a, b in itertools.pairwise(m):
        G.add_edge(a, b, kind="PeerNetworkTie", mutual=True)
    return G


def people() -> nx.Graph:
    """A bipartite person-organisation graph: P-0001 sits on a federation board, a CCG committee and an STP board;
    P-0002 is a federation director and a GP partner in ZZP001; P-0003 sits on the STP board only.

    >>> sorted(people().neighbors("P-0001"))
    ['ZZC001', 'ZZF001', 'ZZS001']
    """
    B = nx.Graph()
    B.add_node("ZZF001", kind="GPFederation", scale_level=3, bipartite=1)
    B.add_node("ZZC001", kind="CCGCommittee", scale_level=3, bipartite=1)
    B.add_node("ZZS001", kind="STPBoard", scale_level=4, bipartite=1)
    B.add_node("ZZP001", kind="GPPractice", scale_level=1, bipartite=1)
    for p in ("P-0001", "P-0002", "P-0003"):
        B.add_node(p, kind="Person", bipartite=0)
    B.add_edge("P-0001", "ZZF001", kind="PostHolding", role="chair")
    B.add_edge("P-0001", "ZZC001", kind="PostHolding", role="committee member")
    B.add_edge("P-0001", "ZZS001", kind="PostHolding", role="board member")
    B.add_edge("P-0002", "ZZF001", kind="PostHolding", role="director")
    B.add_edge("P-0002", "ZZP001", kind="PostHolding", role="GP partner")
    B.add_edge("P-0003", "ZZS001", kind="PostHolding", role="board member")
    return B
