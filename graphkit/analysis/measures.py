"""The six measures of domain-model §3.1 over one meta-organisation's :class:`~graphkit.analysis.federation.
FederationView`: lateral tie share, Freeman centralisation, centre-removal fragmentation, effective number of
centres and Louvain local centres, interdependence index, dependence index.

Each measure has a public function over ``G_fed`` and the id of its centre, and a private one over the view, which
:func:`graphkit.analysis.interdependence.interdependence` calls so that the view is extracted once for all of them.
The project's conventions (functional ties, pairs not edges) are stated in :mod:`graphkit.analysis.interdependence`.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import TypedDict, Unpack

import networkx as nx

from graphkit.analysis.federation import FederationView, federation_view, removed_graph

#: Directed member-member kinds whose reciprocation signals interdependence (R26 cover, R28 staff sharing,
#: R11 delivery for each other).
RECIPROCAL_KINDS: frozenset[str] = frozenset({"CoverArrangement", "StaffSharingTie", "DeliversUnder"})
RISK_SHARING_KIND = "RiskSharingTie"
#: (kind, direction) pairs that count as a member's dependence on the centre: "out" = centre -> member,
#: "in" = member -> centre.
DEPENDENCE_KINDS: frozenset[tuple[str, str]] = frozenset(
    {("ServiceProvisionTie", "out"), ("CaretakingTie", "out"), ("ReferralTie", "in"), ("DependenceTie", "in")}
)


class Louvain(TypedDict, total=False):
    """Options of the Louvain search for local centres (:func:`local_centres`); absent ones take the defaults of
    :func:`_local_centres`, the one place they are set (seed 0, min_members 3, hub_sd 1.0)."""

    seed: int
    min_members: int
    hub_sd: float


@dataclass(frozen=True)
class LocalCentre:
    """A Louvain community of the centre-removed graph with enough members and an internal hub."""

    members: list[str]
    groups: list[str]
    hubs: list[str]



@dataclass(frozen=True)
class Fragmentation:
    """Centre-removal fragmentation ``FR`` and the number of components holding members after removal."""

    fragmentation: float | None
    components: int



def _lts(view: FederationView) -> tuple[int, int, float | None, float | None]:
    mm = [p for p in view.pair_kinds if p <= view.members]
    mc = [p for p in view.pair_kinds if view.centre in p and (p - {view.centre}) <= view.members]
    n_mm, n_mc = len(mm), len(mc)
    lts = n_mm / (n_mm + n_mc) if n_mm + n_mc else None
    w_mm = sum(len(view.pair_kinds[p]) for p in mm)
    w_mc = sum(len(view.pair_kinds[p]) for p in mc)
    wlts = w_mm / (w_mm + w_mc) if w_mm + w_mc else None
    return n_mm, n_mc, lts, wlts


def lateral_tie_share(G: nx.Graph, centre: str, *, members: Collection[str] | None = None) -> float | None:
    """Lateral tie share ``LTS = |E_mm| / (|E_mm| + |E_mc|)``.

    ``E_mm``: unordered member-member pairs joined by at least one functional tie; ``E_mc``: member-centre pairs
    likewise. None when there are no functional ties at all (§3.1: Struggling's "LTS undefined").

    Basis: domain-model §3.1 measure 1; pluricentric relationships ``004:628``, ``004:633-634``; Table 6 ``004:758``.
    Departure: pairs, not edges, are counted (several kinds on one pair count once here; see
    :class:`InterdependenceResult` ``weighted_lateral_tie_share`` for the kind-weighted version).
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> lateral_tie_share(examples.star(4), "ZZF001")     # 0 / (0 + 4)
    0.0
    >>> lateral_tie_share(examples.complete(4), "ZZF001")  # 6 / (6 + 4)
    0.6
    """
    return _lts(federation_view(G, centre, members=members))[2]


def degree_centralisation(H: nx.Graph) -> float | None:
    """Freeman degree centralisation of an undirected simple graph:
    ``C_D = Σ_i (d_max − d_i) / ((N − 1)(N − 2))``; 1 for a star, 0 for a regular graph; None when N < 3.

    Directed and multi-graphs are read as undirected simple graphs (an edge in either direction is one tie).
    Basis: domain-model §3.1 measure 2 and anchors.md §5 (NetworkX has no Freeman centralisation).
    Complexity: O(V + E).

    >>> degree_centralisation(nx.star_graph(4)), degree_centralisation(nx.complete_graph(5))
    (1.0, 0.0)
    >>> degree_centralisation(nx.path_graph(5))  # degrees 1,2,2,2,1: (1+0+0+0+1) / (4*3)
    0.16666666666666666
    """
    simple = nx.Graph()
    simple.add_nodes_from(H.nodes)
    simple.add_edges_from((u, v) for u, v in H.edges() if u != v)
    n = simple.number_of_nodes()
    if n < 3:
        return None
    degrees = [d for _, d in simple.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def _centralisation(view: FederationView) -> float | None:
    H = nx.Graph()
    scope = view.members | {view.centre}
    H.add_nodes_from(scope)
    H.add_edges_from(tuple(p) for p in view.pairs(scope))
    return degree_centralisation(H)


def freeman_centralisation(G: nx.Graph, centre: str, *, members: Collection[str] | None = None) -> float | None:
    """Freeman degree centralisation ``C_D`` of the centre plus members (N = n + 1) over functional pairs.

    Formula: :func:`degree_centralisation` on the undirected graph whose nodes are the centre and the n members and
    whose edges are the pairs with at least one functional tie. High values mean unicentric.
    Basis: domain-model §3.1 measure 2; Embedded's hub and caretaking ``004:632``.
    Departure: subfederation groups are not nodes here (N stays n + 1 as §3.1 states).
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> freeman_centralisation(examples.star(4), "ZZF001")      # 4 leaves * (4-1) / (4*3)
    1.0
    >>> freeman_centralisation(examples.complete(4), "ZZF001")  # K5: every degree is 4
    0.0
    """
    return _centralisation(federation_view(G, centre, members=members))


def _fragmentation(view: FederationView) -> Fragmentation:
    n = len(view.members)
    if n == 0:
        return Fragmentation(None, 0)
    H = removed_graph(view)
    sizes = [len(c & view.members) for c in nx.connected_components(H)]
    sizes = [s for s in sizes if s]
    return Fragmentation(1 - max(sizes) / n, len(sizes))


def centre_removal_fragmentation(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None
) -> Fragmentation:
    """Centre-removal fragmentation ``FR = 1 − |LCC(G_fed − C_F) ∩ M| / n`` and the number of components that hold
    at least one member after the centre is removed.

    The centre-removed graph has the members and subfederation groups as nodes, functional pairs and
    member -> group memberships as edges; the largest component is the one with most *members*. None for n = 0.
    Basis: domain-model §3.1 measure 3 ("take the centre away and members are unconnected").
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> centre_removal_fragmentation(examples.star(4), "ZZF001")  # 1 - 1/4, four isolated members
    Fragmentation(fragmentation=0.75, components=4)
    >>> centre_removal_fragmentation(examples.path(4), "ZZF001")
    Fragmentation(fragmentation=0.0, components=1)
    """
    return _fragmentation(federation_view(G, centre, members=members))


def _enc(view: FederationView) -> float | None:
    n = len(view.members)
    if n == 0:
        return None
    H = removed_graph(view)
    degrees = [H.degree(m) for m in view.members]
    total = sum(degrees)
    squares = sum(d * d for d in degrees)
    return total * total / (n * squares) if squares else None


def effective_number_of_centres(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None
) -> float | None:
    """Normalised polycentricity ``ENC = (Σ d_i)² / (n · Σ d_i²)`` over the members' degrees in ``G_fed − C_F``.

    ``d_i`` counts member i's distinct neighbours (members or subfederation groups) once the centre is removed.
    ENC is 1 when all members have equal degree and falls as ties concentrate on a few members; None when no member
    has any tie left (a pure star).
    Basis: domain-model §3.1 measure 4 (normalised alternative).
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> effective_number_of_centres(examples.complete(4), "ZZF001")  # 12**2 / (4 * 36)
    1.0
    >>> effective_number_of_centres(examples.path(4), "ZZF001")      # degrees 1,2,2,1: 36 / (4 * 10)
    0.9
    >>> effective_number_of_centres(examples.star(4), "ZZF001") is None
    True
    """
    return _enc(federation_view(G, centre, members=members))


def _local_centres(
    view: FederationView, seed: int = 0, min_members: int = 3, hub_sd: float = 1.0
) -> list[LocalCentre]:
    H = removed_graph(view)
    if H.number_of_edges() == 0:
        return []
    found: list[LocalCentre] = []
    for community in nx.community.louvain_communities(H, weight="weight", seed=seed):
        in_members = community & view.members
        if len(in_members) < min_members:
            continue
        sub = H.subgraph(community)
        degrees = {str(n): d for n, d in sub.degree()}
        mu = sum(degrees.values()) / len(degrees)
        sd = math.sqrt(sum((d - mu) ** 2 for d in degrees.values()) / len(degrees))
        hubs = sorted(n for n, d in degrees.items() if d >= mu + hub_sd * sd - 1e-12)
        if hubs:
            found.append(
                LocalCentre(members=sorted(in_members), groups=sorted(community & view.groups), hubs=hubs)
            )
    return sorted(found, key=lambda c: c.members)


def local_centres(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None, **louvain: Unpack[Louvain]
) -> list[LocalCentre]:
    """Louvain local centres of ``G_fed − C_F``: communities with ≥ ``min_members`` member practices that contain a
    hub, a node whose degree inside the community is ≥ mean + ``hub_sd`` × (population) standard deviation.

    Louvain (``nx.community.louvain_communities``, weight = distinct kinds) runs on the centre-removed graph of
    members and subfederation groups, built in sorted node order with a fixed ``seed``, so results repeat.
    Subfederation groups are nodes, so a group with its members forms a community whose hub is the group.
    A regular community (standard deviation 0) counts as having a hub: every node meets the rule.
    Options (:class:`Louvain`): ``seed`` 0, ``min_members`` 3, ``hub_sd`` 1.0 unless given.
    Basis: domain-model §3.1 measure 4; subfederation groups as local centres ``004:638``, ``004:447``.
    Complexity: Louvain is about O(E log V) per run; the hub test O(V + E).

    >>> from graphkit.analysis import examples
    >>> [c.hubs for c in local_centres(examples.two_stars(), "ZZF001")]
    [['ZZP001'], ['ZZP004']]
    >>> local_centres(examples.path(4), "ZZF001")  # Louvain splits the path into two pairs: too small
    []
    """
    return _local_centres(federation_view(G, centre, members=members), **louvain)


def _interdependence(view: FederationView) -> tuple[int, int, float | None, float | None]:
    n = len(view.members)
    directed = {(u, v) for u, v, k in view.arcs if k in RECIPROCAL_KINDS and u in view.members and v in view.members}
    dyads = {frozenset(a) for a in directed}
    reciprocated = sum(1 for d in dyads if all((u, v) in directed for u in d for v in d if u != v))
    risk = sum(1 for p in view.pair_kinds if p <= view.members and RISK_SHARING_KIND in view.pair_kinds[p])
    reciprocity = reciprocated / len(dyads) if dyads else None
    index = (reciprocated + risk) / n if n else None
    return reciprocated, risk, reciprocity, index


def interdependence_index(G: nx.Graph, centre: str, *, members: Collection[str] | None = None) -> float | None:
    """Interdependence index ``I = (R + S) / n``.

    ``R``: unordered member pairs {a, b} with a tie a -> b and a tie b -> a among the kinds cover arrangement,
    staff sharing and delivers-under (any mix of the three; an edge with ``mutual=True`` gives both directions).
    ``S``: member pairs joined by a risk-sharing tie. A pair can count in both. None for n = 0.
    Basis: domain-model §3.1 measure 5; doctors added to each other's contracts ``004:633``, ``004:253``, ``004:210``.
    Departure: §3.1 adds a reciprocity *ratio* to a *count*; we add two counts of pairs so the index has one unit
    (reciprocal or risk-sharing pairs per member). The ratio is reported separately as ``reciprocity``.
    Peer-network ties are lateral (they enter LTS) but not interdependence: they carry no mutual reliance.
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> interdependence_index(examples.complete(4), "ZZF001")  # 6 mutual cover pairs / 4 members
    1.5
    >>> interdependence_index(examples.path(4), "ZZF001")      # peer networks only
    0.0
    """
    return _interdependence(federation_view(G, centre, members=members))[3]


def _dependence(view: FederationView) -> tuple[float | None, float | None]:
    n = len(view.members)
    if n == 0:
        return None, None
    evidence: set[tuple[str, str]] = set()
    delivering: set[str] = set()
    for u, v, kind in view.arcs:
        if u == view.centre and v in view.members and (kind, "out") in DEPENDENCE_KINDS:
            evidence.add((v, kind))
        elif v == view.centre and u in view.members:
            if (kind, "in") in DEPENDENCE_KINDS:
                evidence.add((u, kind))
            if kind == "DeliversUnder":
                delivering.add(u)
    return len(evidence) / n, len(delivering) / n


def dependence_index(G: nx.Graph, centre: str, *, members: Collection[str] | None = None) -> float | None:
    """Dependence index ``D = Σ_m k_m / n`` where ``k_m`` is the number of distinct dependence kinds between the
    centre and member m: service provision (centre -> m), caretaking (centre -> m), referral (m -> centre).

    It rises with Embedded-style support. None for n = 0. The reverse dependence of the centre on its members is
    reported by :func:`graphkit.analysis.interdependence.interdependence` as the share of members delivering under
    the centre's contracts (``DeliversUnder`` member -> centre), a proxy for §3.1's "central work done by member staff".
    Basis: domain-model §3.1 measure 6; Embedded's caretaking and hub ``004:632``; indirect resources ``004:87``,
    ``004:843``. Departure: kinds, not edges, are counted per member, matching the functional-tie weight.
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> dependence_index(examples.star(4), "ZZF001"), dependence_index(examples.two_stars(), "ZZF001")  # 4/4, 2/6
    (1.0, 0.3333333333333333)
    """
    return _dependence(federation_view(G, centre, members=members))[0]

