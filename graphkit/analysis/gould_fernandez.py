"""Gould–Fernandez brokerage roles (domain-model §3.6), written here: NetworkX has none (anchors.md §5).

A broker b on a two-path a -> b -> c (with no arc a -> c) plays one of five roles, by the groups of a, b and c;
:func:`gould_fernandez` counts them per node. :mod:`graphkit.analysis.brokerage` uses the counts in its ranking of
boundary spanners.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.analysis._common import edges

COORDINATOR = "coordinator"
ITINERANT = "itinerant"
GATEKEEPER = "gatekeeper"
REPRESENTATIVE = "representative"
LIAISON = "liaison"
ROLES: tuple[str, ...] = (COORDINATOR, ITINERANT, GATEKEEPER, REPRESENTATIVE, LIAISON)


@dataclass(frozen=True)
class BrokerageRoles:
    """Counts of the five Gould–Fernandez roles a node plays as broker."""

    coordinator: int = 0
    itinerant: int = 0
    gatekeeper: int = 0
    representative: int = 0
    liaison: int = 0

    @property
    def total(self) -> int:
        """All brokered two-paths."""
        return self.coordinator + self.itinerant + self.gatekeeper + self.representative + self.liaison


def brokerage_role(source_group: Hashable, broker_group: Hashable, target_group: Hashable) -> str:
    """The Gould–Fernandez role of broker b on a two-path a -> b -> c, from the three groups:

    * coordinator (w_I): a, b, c all in one group;
    * itinerant / consultant (w_O): a and c share a group, b is outside it;
    * gatekeeper (b_OI): b and c share a group, a comes from another (b guards the receiving group);
    * representative (b_IO): a and b share a group, c is in another (b speaks for the sending group);
    * liaison (b_O): all three groups differ.

    Basis: domain-model §3.6; Gould & Fernandez (1989) via anchors.md §5. Complexity: O(1).

    >>> [brokerage_role(*g) for g in ("AAA", "ABA", "BAA", "AAB", "ABC")]
    ['coordinator', 'itinerant', 'gatekeeper', 'representative', 'liaison']
    """
    if source_group == broker_group:
        return COORDINATOR if broker_group == target_group else REPRESENTATIVE
    if broker_group == target_group:
        return GATEKEEPER
    return ITINERANT if source_group == target_group else LIAISON


def gould_fernandez(G: nx.Graph, groups: Mapping[Any, Hashable] | str) -> dict[str, BrokerageRoles]:
    """Gould–Fernandez brokerage: for every node b, count the roles (see :func:`brokerage_role`) it plays over all
    directed two-paths a -> b -> c with a, b, c distinct and **no edge a -> c** (an edge c -> a does not matter:
    b still brokers the flow from a to c). This is the convention of Gould & Fernandez (1989) and of R's
    ``sna::brokerage``.

    ``groups``: a mapping node -> group, or the name of a node attribute. A node without a group is put in a group
    of its own. Multi-edges collapse to one arc; self-loops are ignored; an undirected graph is read as having arcs
    both ways. Returns counts for every node (zeros included).
    Basis: domain-model §3.6 (Federation -> STP representation is "representative"; a council officer linking a
    PCN to housing planning is "liaison", ``004:724``); anchors.md §5.
    Complexity: O(Σ_b indeg(b) · outdeg(b)) with O(1) arc look-ups.

    >>> D = nx.DiGraph([(1, 2), (1, 3), (2, 3), (2, 4), (3, 4), (4, 1)])   # the cograph/sna 4-node example
    >>> roles = gould_fernandez(D, {1: "A", 2: "A", 3: "B", 4: "B"})
    >>> roles["1"], roles["4"].total
    (BrokerageRoles(coordinator=0, itinerant=1, gatekeeper=1, representative=0, liaison=0), 2)
    """
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes)
    for u, v, _ in edges(G):
        if u != v:
            D.add_edge(u, v)
            if not G.is_directed():
                D.add_edge(v, u)

    def group(n: Any) -> Hashable:
        value = G.nodes[n].get(groups) if isinstance(groups, str) else groups.get(n)
        return ("__own__", n) if value is None else value

    out: dict[str, BrokerageRoles] = {}
    for b in D.nodes:
        counts: Counter[str] = Counter()
        gb = group(b)
        for a in D.predecessors(b):
            for c in D.successors(b):
                if a == c or D.has_edge(a, c):
                    continue
                counts[brokerage_role(group(a), gb, group(c))] += 1
        out[str(b)] = BrokerageRoles(**{r: counts[r] for r in ROLES})
    return out

