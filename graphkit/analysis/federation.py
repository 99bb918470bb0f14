"""One meta-organisation's graph as the interdependence measures read it (domain-model §3.1), extracted once.

:func:`federation_view` picks the centre, the members, the subfederation groups and the functional ties among them
out of ``G_fed``; :func:`removed_graph` is the graph left when the centre is taken away. The measures
(:mod:`graphkit.analysis.measures`) and the classification (:mod:`graphkit.analysis.interdependence`) read only
this view.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import networkx as nx

from graphkit.analysis._common import (
    FUNCTIONAL_KINDS,
    SUBFEDERATION_KIND,
    edge_kind,
    edges_among,
    incident_edges,
    is_mutual,
    members_of,
    node_kind,
)


@dataclass(frozen=True)
class FederationView:
    """The parts of ``G_fed`` the measures use, extracted once (see :func:`federation_view`)."""

    centre: str
    members: frozenset[str]
    groups: frozenset[str]
    #: functional kinds per unordered pair of nodes among centre, members and groups
    pair_kinds: Mapping[frozenset[str], frozenset[str]]
    #: directed functional arcs (u, v, kind); a mutual edge gives both directions
    arcs: frozenset[tuple[str, str, str]]
    #: (member, group) subfederation memberships
    group_links: frozenset[tuple[str, str]]

    def pairs(self, within: frozenset[str]) -> list[frozenset[str]]:
        """Functional pairs with both ends in ``within``, in a stable order."""
        return sorted((p for p in self.pair_kinds if p <= within), key=sorted)



def federation_view(G: nx.Graph, centre: str, *, members: Collection[str] | None = None) -> FederationView:
    """Extract centre, members, subfederation groups and functional ties from ``G_fed``.

    Members: nodes joined to ``centre`` by a ``FederationMembership``/``PCNMembership`` edge (either direction),
    unless ``members`` is given. Groups: the federation's own, i.e. targets of ``SubfederationMembership`` edges
    from members and nodes of kind ``SubfederationGroup`` joined to the centre by any edge (a group of another
    federation is not this one's). Functional ties are kept only between nodes of
    ``{centre} ∪ members ∪ groups``; ties to anything else (e.g. non-member practices served by the centre) are
    ignored here. Self-loops are ignored.

    Basis: the layer ``G_fed(F,t)`` of domain-model §3 (R1, R5, R11, R15, R17, R26-R28).
    Complexity: O(V) plus the edges of the centre and its members.

    >>> from graphkit.analysis import examples
    >>> v = federation_view(examples.two_stars(), "ZZF001")
    >>> len(v.members), len(v.pair_kinds), sorted(v.pair_kinds[frozenset({"ZZP001", "ZZP004"})])
    (6, 7, ['CoverArrangement'])
    """
    centre = str(centre)
    if centre not in G:
        raise KeyError(f"centre {centre!r} is not in the graph")
    found = members_of(G, centre) if members is None else {str(m) for m in members}
    member_set = frozenset(found - {centre})
    # this federation's groups only: those its members belong to, and subfederation groups tied to its centre (read
    # from the edges of the centre and its members, not every edge of the graph)
    groups: set[str] = set()
    links: set[tuple[str, str]] = set()
    for node in sorted(member_set | {centre}):
        for u, v, data in incident_edges(G, node):
            a, b = str(u), str(v)
            if edge_kind(data) == SUBFEDERATION_KIND and a in member_set:
                groups.add(b)
                links.add((a, b))
            elif centre in (a, b) and node_kind(G, b if a == centre else a) == "SubfederationGroup":
                groups.add(b if a == centre else a)
    group_set = frozenset(groups - member_set - {centre})
    links = {(m, g) for m, g in links if g in group_set}
    scope = member_set | group_set | {centre}
    pair_kinds: dict[frozenset[str], set[str]] = {}
    arcs: set[tuple[str, str, str]] = set()
    for u, v, data in edges_among(G, scope):
        kind = edge_kind(data)
        a, b = str(u), str(v)
        if kind not in FUNCTIONAL_KINDS or a == b:
            continue
        pair_kinds.setdefault(frozenset((a, b)), set()).add(kind)
        arcs.add((a, b, kind))
        if is_mutual(G, data):
            arcs.add((b, a, kind))
    return FederationView(
        centre=centre,
        members=member_set,
        groups=group_set,
        pair_kinds={p: frozenset(k) for p, k in pair_kinds.items()},
        arcs=frozenset(arcs),
        group_links=frozenset(links),
    )


def removed_graph(view: FederationView) -> nx.Graph:
    """Undirected simple graph of members and groups without the centre; weight = distinct kinds (group link = 1)."""
    H = nx.Graph()
    H.add_nodes_from(sorted(view.members | view.groups))
    for p in view.pairs(view.members | view.groups):
        a, b = sorted(p)
        H.add_edge(a, b, weight=len(view.pair_kinds[p]))
    for m, g in sorted(view.group_links):
        if H.has_edge(m, g):
            H[m][g]["weight"] += 1
        else:
            H.add_edge(m, g, weight=1)
    return H

