"""Helpers shared by the analysis modules: edge iteration, kinds, scale levels, JSON conversion.

Nothing here reads a database, a file or a setting: every function takes a graph or a mapping.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

# --- edge kinds (edge attribute ``kind``) ---------------------------------------------------------------------------

#: Membership of a meta-organisation (member -> centre). Defines who is a member; never a functional tie.
MEMBERSHIP_KINDS: frozenset[str] = frozenset({"FederationMembership", "PCNMembership"})
#: Member -> subfederation group. A structural tie to a local centre, not a functional tie between two members.
SUBFEDERATION_KIND = "SubfederationMembership"
#: Kinds that count as functional ties (domain-model §3 layer ``G_fed``). The weight of a pair is the number of
#: distinct kinds among them that join it.
FUNCTIONAL_KIND_ORDER: tuple[str, ...] = (
    "ServiceProvisionTie",
    "CaretakingTie",
    "ReferralTie",
    "DependenceTie",
    "RiskSharingTie",
    "CoverArrangement",
    "StaffSharingTie",
    "PeerNetworkTie",
    "DeliversUnder",
)
FUNCTIONAL_KINDS: frozenset[str] = frozenset(FUNCTIONAL_KIND_ORDER)
POST_KIND = "PostHolding"
PERSON_KIND = "Person"

#: Fallback scale ladder by node ``kind`` when a node has no ``scale_level`` attribute. The levels follow the graph
#: convention of this package (1 practice, 2 subfederation/PCN/locality, 3 federation/CCG/place, 4 STP/ICS/ICB/region,
#: 5 national), i.e. the ontology's ``pcg:scaleLevel`` (0-4) plus one.
SCALE_LEVEL_BY_KIND: Mapping[str, int] = {
    **dict.fromkeys(("GPPractice", "BranchSurgery", "SuperPractice", "WalkInCentre", "PrescribingCostCentre"), 1),
    **dict.fromkeys(("SubfederationGroup", "PrimaryCareNetwork", "CCGLocality"), 2),
    **dict.fromkeys(
        (
            "GPFederation",
            "FederationBoard",
            "ClinicalCommissioningGroup",
            "CCGCommittee",
            "CCGGoverningBody",
            "SubICBLocation",
            "LocalAuthority",
            "LocalMedicalCommittee",
            "NHSTrust",
            "AcuteTrust",
            "CommunityTrust",
            "FoundationTrust",
            "MentalHealthTrust",
            "CareTrust",
            "PrimaryCareTrust",
            "PrimaryCareGroup",
            "CommissioningSupportUnit",
        ),
        3,
    ),
    **dict.fromkeys(
        (
            "SustainabilityAndTransformationPartnership",
            "STPBoard",
            "IntegratedCareSystem",
            "IntegratedCareBoard",
            "StrategicPartnership",
            "NHSEnglandRegion",
            "NHSEnglandLocalOffice",
            "GPProviderCollaborative",
        ),
        4,
    ),
    **dict.fromkeys(("NHSEngland", "CareQualityCommission", "Regulator"), 5),
}


def edges(G: nx.Graph) -> Iterator[tuple[Any, Any, Mapping[str, Any]]]:
    """Yield ``(u, v, data)`` for every edge of a Graph, DiGraph, MultiGraph or MultiDiGraph.

    >>> sorted((u, v) for u, v, _ in edges(nx.MultiDiGraph([("a", "b"), ("a", "b")])))
    [('a', 'b'), ('a', 'b')]
    """
    yield from G.edges(data=True)


def edges_among(G: nx.Graph, nodes: Collection[Hashable]) -> Iterator[tuple[Any, Any, Mapping[str, Any]]]:
    """The edges of :func:`edges` with both ends in ``nodes``, in the same order and direction, each once; reading
    only the edges of those nodes (a walk over the node list keeps the graph's order), not every edge of the graph.

    >>> G = nx.MultiDiGraph([("a", "b"), ("c", "a"), ("b", "c"), ("a", "b")])
    >>> [(u, v) for u, v, _ in edges_among(G, {"a", "b"})] == [(u, v) for u, v, _ in edges(G) if {u, v} <= {"a", "b"}]
    True
    """
    wanted = {str(n) for n in nodes}  # ids compared as text, as the measures name them
    done: set[str] = set()
    for u in G:
        if str(u) not in wanted:
            continue
        found = G.out_edges(u, data=True) if G.is_directed() else G.edges(u, data=True)
        for e in found:
            if str(e[1]) in wanted and str(e[1]) not in done:
                yield e
        if not G.is_directed():
            done.add(str(u))


def edge_kind(data: Mapping[str, Any]) -> str | None:
    """The ``kind`` attribute of an edge, or None.

    >>> edge_kind({"kind": "CoverArrangement"}), edge_kind({})
    ('CoverArrangement', None)
    """
    kind = data.get("kind")
    return str(kind) if kind is not None else None


def is_mutual(G: nx.Graph, data: Mapping[str, Any]) -> bool:
    """True if an edge stands for both directions: ``mutual=True``, or the graph is undirected.

    >>> is_mutual(nx.DiGraph(), {"mutual": True}), is_mutual(nx.DiGraph(), {}), is_mutual(nx.Graph(), {})
    (True, False, True)
    """
    return bool(data.get("mutual", False)) or not G.is_directed()


def node_kind(G: nx.Graph, node: Hashable) -> str | None:
    """The ``kind`` attribute of a node, or None if absent or the node is not in ``G``.

    >>> G = nx.Graph(); G.add_node("A81001", kind="GPPractice")
    >>> node_kind(G, "A81001"), node_kind(G, "nope")
    ('GPPractice', None)
    """
    if node not in G:
        return None
    kind = G.nodes[node].get("kind")
    return str(kind) if kind is not None else None


def scale_level(G: nx.Graph, node: Hashable, fallback: Mapping[str, int] = SCALE_LEVEL_BY_KIND) -> int | None:
    """A node's ``scale_level`` attribute, else the level of its ``kind`` in ``fallback``, else None.

    >>> G = nx.Graph(); G.add_node("X", kind="STPBoard"); G.add_node("Y", kind="Thing", scale_level=2)
    >>> scale_level(G, "X"), scale_level(G, "Y"), scale_level(G, "Z")
    (4, 2, None)
    """
    if node not in G:
        return None
    level = G.nodes[node].get("scale_level")
    if level is not None:
        return int(level)
    kind = node_kind(G, node)
    return fallback.get(kind) if kind is not None else None


def is_person(G: nx.Graph, node: Hashable) -> bool:
    """True if the node is a person: ``kind == "Person"``, or ``bipartite == 0`` when it has no kind.

    >>> G = nx.Graph(); G.add_node("P-1", kind="Person"); G.add_node("P-2", bipartite=0); G.add_node("A", bipartite=1)
    >>> is_person(G, "P-1"), is_person(G, "P-2"), is_person(G, "A")
    (True, True, False)
    """
    attrs = G.nodes[node]
    kind = attrs.get("kind")
    if kind is not None:
        return str(kind) == PERSON_KIND
    return attrs.get("bipartite") == 0


def memberships_from_graph(
    G: nx.Graph, kinds: Collection[str] = frozenset(MEMBERSHIP_KINDS)
) -> dict[str, set[str]]:
    """Meta-organisation -> set of members, read from membership edges (member -> organisation).

    >>> G = nx.MultiDiGraph([("P1", "F", {"kind": "FederationMembership"}), ("P2", "F", {"kind": "PCNMembership"})])
    >>> {k: sorted(v) for k, v in memberships_from_graph(G).items()}
    {'F': ['P1', 'P2']}
    """
    out: dict[str, set[str]] = {}
    for u, v, data in edges(G):
        if edge_kind(data) in kinds:
            out.setdefault(str(v), set()).add(str(u))
    return out


def neighbours(G: nx.Graph, node: Hashable) -> set[Any]:
    """Nodes joined to ``node`` by an edge in either direction (itself excluded).

    >>> sorted(neighbours(nx.DiGraph([("a", "b"), ("c", "a"), ("a", "a")]), "a"))
    ['b', 'c']
    """
    if node not in G:
        return set()
    found = set(G.successors(node)) | set(G.predecessors(node)) if G.is_directed() else set(G.neighbors(node))
    found.discard(node)
    return found


def incident_edges(G: nx.Graph, node: Hashable) -> Iterator[tuple[Any, Any, Mapping[str, Any]]]:
    """Edges with ``node`` at either end, as ``(u, v, data)`` in their stored direction.

    >>> sorted((u, v) for u, v, _ in incident_edges(nx.MultiDiGraph([("a", "b"), ("c", "a"), ("b", "c")]), "a"))
    [('a', 'b'), ('c', 'a')]
    """
    if node not in G:
        return
    if G.is_directed():
        yield from G.out_edges(node, data=True)
        yield from (e for e in G.in_edges(node, data=True) if e[0] != node)
    else:
        yield from G.edges(node, data=True)


def members_of(G: nx.Graph, centre: Hashable, kinds: Collection[str] = MEMBERSHIP_KINDS) -> set[str]:
    """Members of a meta-organisation: nodes joined to ``centre`` by a membership edge (member -> centre by
    convention; the reverse direction is accepted too).

    >>> G = nx.MultiDiGraph([("P1", "F", {"kind": "FederationMembership"}), ("P2", "F", {"kind": "ReferralTie"})])
    >>> sorted(members_of(G, "F"))
    ['P1']
    """
    found: set[str] = set()
    for u, v, data in incident_edges(G, centre):
        if edge_kind(data) in kinds:
            other = v if u == centre else u
            if other != centre:
                found.add(str(other))
    return found


def node_attribute_map(G: nx.Graph, attr: str) -> dict[str, Any]:
    """Node id -> value of ``attr`` for the nodes that have it (e.g. ``area`` or ``list_size``).

    >>> G = nx.Graph(); G.add_node("P1", area="01K"); G.add_node("P2")
    >>> node_attribute_map(G, "area")
    {'P1': '01K'}
    """
    return {str(n): a[attr] for n, a in G.nodes(data=True) if a.get(attr) is not None}


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean (0.0 for no values).

    >>> mean([1, 0, 0.5]), mean([])
    (0.5, 0.0)
    """
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0


def to_jsonable(obj: Any) -> Any:
    """Turn analysis output into JSON-ready data: dataclasses and mappings become dicts (keys as str), sets become
    sorted lists, tuples become lists, and NaN or infinite floats become None.

    >>> import dataclasses
    >>> @dataclasses.dataclass
    ... class R:
    ...     x: float
    ...     s: frozenset[str]
    >>> to_jsonable({"r": R(float("nan"), frozenset({"b", "a"})), 1: (2, 3)})
    {'r': {'x': None, 's': ['a', 'b']}, '1': [2, 3]}
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, set | frozenset):
        return [to_jsonable(v) for v in sorted(obj, key=str)]
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


# --- areas (the ``area`` parameter of the analyses of one date) -------------------------------------------------------

#: Kinds of organisation that can hold practices, and so be the ``area`` of an analysis: a commissioner (sub-ICB
#: location, CCG, CCG locality, primary care trust), a system (ICB, ICS, STP) or an NHS England region or local office.
AREA_KINDS: frozenset[str] = frozenset({
    "SubICBLocation", "ClinicalCommissioningGroup", "CCGLocality", "PrimaryCareTrust", "IntegratedCareBoard",
    "IntegratedCareSystem", "SustainabilityAndTransformationPartnership", "NHSEnglandRegion",
    "NHSEnglandLocalOffice",
})


@dataclasses.dataclass(frozen=True)
class Area:
    """An area on a date: its code, kind and name, and ``codes``, the organisations below it then (itself, its
    commissioners, PCNs and practices, as ``graphkit.store.areas.descendants`` walks them).

    A practice is in the area when it is one of ``codes`` or its ``area`` (its commissioner on the date) is; a
    centre (a PCN or federation) when it is one of ``codes`` or has a member practice in the area.

    >>> G = nx.MultiDiGraph([("P1", "U1", {"kind": "PCNMembership"}), ("P2", "U2", {"kind": "PCNMembership"})])
    >>> G.nodes["P1"]["area"], G.nodes["P2"]["area"] = "16C", "00K"
    >>> a = Area("16C", "SubICBLocation", None, frozenset({"16C"}))
    >>> a.holds_practice(G, "P1"), a.holds_centre(G, "U1"), a.holds_centre(G, "U2")
    (True, True, False)
    """

    code: str
    kind: str
    name: str | None
    codes: frozenset[str]

    def holds_practice(self, G: nx.Graph, practice: Hashable) -> bool:
        return str(practice) in self.codes or (practice in G and G.nodes[practice].get("area") in self.codes)

    def holds_centre(self, G: nx.Graph, centre: Hashable) -> bool:
        return str(centre) in self.codes or any(self.holds_practice(G, m) for m in members_of(G, centre))

    def summary(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "name": self.name}
