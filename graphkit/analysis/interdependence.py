"""Unicentric vs pluricentric relationships inside a meta-organisation (domain-model §3.1).

Input: ``G_fed``, one federation's or PCN's graph as of a date (an ``nx.MultiDiGraph``; any NetworkX graph works),
and the id of its centre node. Members are the nodes with a ``FederationMembership`` or ``PCNMembership`` edge to the
centre (or the ``members`` argument). Subfederation groups are nodes of kind ``SubfederationGroup`` and the targets
of ``SubfederationMembership`` edges.

Project conventions (departures from, or refinements of, domain-model §3.1):

* Membership edges are **not** functional ties: they only say who is a member. Only the kinds in
  :data:`~graphkit.analysis._common.FUNCTIONAL_KINDS` are ties; the weight of a pair is the number of distinct
  kinds joining it (direction ignored), so ten hub referrals from one practice count once.
* ``E_mm`` and ``E_mc`` count *pairs* with at least one functional tie, not edges.
* Freeman centralisation is computed over the centre and the members only (N = n + 1, as in §3.1); subfederation
  groups are left out there but kept in the centre-removed graph, where a group holds its members together
  (member -> group ``SubfederationMembership`` edges are structural ties to a local centre).
* "low interdependence" is a fourth class of the project's own, for sparse federations such as Struggling and
  Small (Table 6, ``004:758``), which the three-way rule of §3.1 would call unicentric or mixed.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis._common import (
    FUNCTIONAL_KINDS,
    SUBFEDERATION_KIND,
    edge_kind,
    edges,
    is_mutual,
    members_of,
    node_kind,
)

#: Directed member-member kinds whose reciprocation signals interdependence (R26 cover, R28 staff sharing,
#: R11 delivery for each other).
RECIPROCAL_KINDS: frozenset[str] = frozenset({"CoverArrangement", "StaffSharingTie", "DeliversUnder"})
RISK_SHARING_KIND = "RiskSharingTie"
#: (kind, direction) pairs that count as a member's dependence on the centre: "out" = centre -> member,
#: "in" = member -> centre.
DEPENDENCE_KINDS: frozenset[tuple[str, str]] = frozenset(
    {("ServiceProvisionTie", "out"), ("CaretakingTie", "out"), ("ReferralTie", "in")}
)

UNICENTRIC = "unicentric"
PLURICENTRIC = "pluricentric"
MIXED = "mixed"
LOW_INTERDEPENDENCE = "low interdependence"


@dataclass(frozen=True)
class InterdependenceThresholds:
    """Cut-offs of :func:`classify_interdependence`. Defaults: §3.1's bands, plus the project's low rule.

    >>> InterdependenceThresholds().pluricentric_min_lts, InterdependenceThresholds(low_max_dependence=0.2)
    ... # doctest: +ELLIPSIS
    (0.5, InterdependenceThresholds(pluricentric_min_lts=0.5, ...low_max_dependence=0.2))
    """

    #: pluricentric needs LTS > this (§3.1)
    pluricentric_min_lts: float = 0.5
    #: pluricentric needs FR < this (§3.1)
    pluricentric_max_fragmentation: float = 0.3
    #: pluricentric needs at least this many Louvain local centres (§3.1)
    pluricentric_min_local_centres: int = 2
    #: unicentric needs LTS < this (§3.1)
    unicentric_max_lts: float = 0.2
    #: unicentric needs FR > this (§3.1)
    unicentric_min_fragmentation: float = 0.7
    #: low interdependence (project rule): mean lateral degree below this ...
    low_max_lateral_degree: float = 1.0
    #: ... and dependence index below this
    low_max_dependence: float = 0.5


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


@dataclass(frozen=True)
class InterdependenceResult:
    """All §3.1 measures for one meta-organisation, and its class."""

    centre: str
    n_members: int
    n_groups: int
    lateral_ties: int
    centre_ties: int
    lateral_tie_share: float | None
    weighted_lateral_tie_share: float | None
    mean_lateral_degree: float | None
    degree_centralisation: float | None
    fragmentation: float | None
    components_after_removal: int
    effective_number_of_centres: float | None
    local_centres: int
    reciprocated_pairs: int
    risk_sharing_pairs: int
    reciprocity: float | None
    interdependence_index: float | None
    dependence_index: float | None
    reverse_dependence: float | None
    classification: str
    reason: str
    local_centre_detail: list[LocalCentre] = field(default_factory=list)


# --- extraction -------------------------------------------------------------------------------------------------------


def federation_view(G: nx.Graph, centre: str, *, members: Collection[str] | None = None) -> FederationView:
    """Extract centre, members, subfederation groups and functional ties from ``G_fed``.

    Members: nodes joined to ``centre`` by a ``FederationMembership``/``PCNMembership`` edge (either direction),
    unless ``members`` is given. Groups: nodes of kind ``SubfederationGroup`` and targets of
    ``SubfederationMembership`` edges from members. Functional ties are kept only between nodes of
    ``{centre} ∪ members ∪ groups``; ties to anything else (e.g. non-member practices served by the centre) are
    ignored here. Self-loops are ignored.

    Basis: the layer ``G_fed(F,t)`` of domain-model §3 (R1, R5, R11, R15, R17, R26-R28).
    Complexity: O(V + E).

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
    groups = {str(n) for n in G.nodes if node_kind(G, n) == "SubfederationGroup"}
    links: set[tuple[str, str]] = set()
    for u, v, data in edges(G):
        if edge_kind(data) == SUBFEDERATION_KIND and str(u) in member_set:
            groups.add(str(v))
            links.add((str(u), str(v)))
    group_set = frozenset(groups - member_set - {centre})
    links = {(m, g) for m, g in links if g in group_set}
    scope = member_set | group_set | {centre}
    pair_kinds: dict[frozenset[str], set[str]] = {}
    arcs: set[tuple[str, str, str]] = set()
    for u, v, data in edges(G):
        kind = edge_kind(data)
        a, b = str(u), str(v)
        if kind not in FUNCTIONAL_KINDS or a == b or a not in scope or b not in scope:
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


def _removed_graph(view: FederationView) -> nx.Graph:
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


# --- measures -----------------------------------------------------------------------------------------------------


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
    H = _removed_graph(view)
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
    H = _removed_graph(view)
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


def _local_centres(view: FederationView, seed: int, min_members: int, hub_sd: float) -> list[LocalCentre]:
    H = _removed_graph(view)
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
    G: nx.Graph,
    centre: str,
    *,
    members: Collection[str] | None = None,
    seed: int = 0,
    min_members: int = 3,
    hub_sd: float = 1.0,
) -> list[LocalCentre]:
    """Louvain local centres of ``G_fed − C_F``: communities with ≥ ``min_members`` member practices that contain a
    hub, a node whose degree inside the community is ≥ mean + ``hub_sd`` × (population) standard deviation.

    Louvain (``nx.community.louvain_communities``, weight = distinct kinds) runs on the centre-removed graph of
    members and subfederation groups, built in sorted node order with a fixed ``seed``, so results repeat.
    Subfederation groups are nodes, so a group with its members forms a community whose hub is the group.
    A regular community (standard deviation 0) counts as having a hub: every node meets the rule.
    Basis: domain-model §3.1 measure 4; subfederation groups as local centres ``004:638``, ``004:447``.
    Complexity: Louvain is about O(E log V) per run; the hub test O(V + E).

    >>> from graphkit.analysis import examples
    >>> [c.hubs for c in local_centres(examples.two_stars(), "ZZF001")]
    [['ZZP001'], ['ZZP004']]
    >>> local_centres(examples.path(4), "ZZF001")  # Louvain splits the path into two pairs: too small
    []
    """
    return _local_centres(federation_view(G, centre, members=members), seed, min_members, hub_sd)


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
    reported by :func:`interdependence` as the share of members delivering under the centre's contracts
    (``DeliversUnder`` member -> centre), a proxy for §3.1's "central work done by member staff".
    Basis: domain-model §3.1 measure 6; Embedded's caretaking and hub ``004:632``; indirect resources ``004:87``,
    ``004:843``. Departure: kinds, not edges, are counted per member, matching the functional-tie weight.
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> dependence_index(examples.star(4), "ZZF001"), dependence_index(examples.two_stars(), "ZZF001")  # 4/4, 2/6
    (1.0, 0.3333333333333333)
    """
    return _dependence(federation_view(G, centre, members=members))[0]


# --- classification -----------------------------------------------------------------------------------------------


def _classify(
    n: int,
    lts: float | None,
    fragmentation: float | None,
    centres: int,
    mean_lateral_degree: float | None,
    dependence: float | None,
    t: InterdependenceThresholds,
) -> tuple[str, str]:
    if n == 0 or lts is None or fragmentation is None:
        return LOW_INTERDEPENDENCE, "no members or no functional ties"
    lateral = mean_lateral_degree or 0.0
    dep = dependence or 0.0
    if lateral < t.low_max_lateral_degree and dep < t.low_max_dependence:
        return (
            LOW_INTERDEPENDENCE,
            f"mean lateral degree {lateral:.3g} < {t.low_max_lateral_degree} and dependence {dep:.3g} < "
            f"{t.low_max_dependence}",
        )
    if (
        lts > t.pluricentric_min_lts
        and fragmentation < t.pluricentric_max_fragmentation
        and centres >= t.pluricentric_min_local_centres
    ):
        return (
            PLURICENTRIC,
            f"LTS {lts:.3g} > {t.pluricentric_min_lts}, FR {fragmentation:.3g} < {t.pluricentric_max_fragmentation}, "
            f"{centres} local centres >= {t.pluricentric_min_local_centres}",
        )
    if lts < t.unicentric_max_lts and fragmentation > t.unicentric_min_fragmentation:
        return (
            UNICENTRIC,
            f"LTS {lts:.3g} < {t.unicentric_max_lts} and FR {fragmentation:.3g} > {t.unicentric_min_fragmentation}",
        )
    return MIXED, f"LTS {lts:.3g}, FR {fragmentation:.3g}, {centres} local centres: neither rule holds"


def classify_interdependence(
    result: InterdependenceResult | Mapping[str, Any],
    thresholds: InterdependenceThresholds | None = None,
) -> str:
    """Classify measures as "unicentric", "pluricentric", "mixed" or "low interdependence".

    Rules, in this order (t = ``thresholds``, defaults in brackets):

    1. **low interdependence** (project rule) if there are no members or no functional ties, or if the mean lateral
       degree ``2|E_mm| / n`` < ``t.low_max_lateral_degree`` (1.0) **and** the dependence index <
       ``t.low_max_dependence`` (0.5): members have fewer than one fellow member to rely on, on average, and
       little reliance on the centre either. This matches Table 6's Struggling ("absence of norms of dependence and
       interdependence") and Small ("limited dependence and interdependence"), ``004:758``. Without it, Small's
       prescribing-scheme delivery ties to the centre would make it look unicentric.
    2. **pluricentric** if LTS > ``t.pluricentric_min_lts`` (0.5) and FR < ``t.pluricentric_max_fragmentation``
       (0.3) and local centres ≥ ``t.pluricentric_min_local_centres`` (2).
    3. **unicentric** if LTS < ``t.unicentric_max_lts`` (0.2) and FR > ``t.unicentric_min_fragmentation`` (0.7).
    4. otherwise **mixed**.

    Rules 2-4 are domain-model §3.1's; the bands are "proposed, to be calibrated", hence configurable.
    ``result`` may be an :class:`InterdependenceResult` or a mapping with the same field names.
    Complexity: O(1).

    >>> from graphkit.analysis import examples
    >>> classify_interdependence(interdependence(examples.star(4), "ZZF001"))
    'unicentric'
    >>> classify_interdependence({"n_members": 4, "lateral_tie_share": 0.8, "fragmentation": 0.0,
    ...     "local_centres": 2, "mean_lateral_degree": 3.0, "dependence_index": 0.0})
    'pluricentric'
    """
    t = thresholds or InterdependenceThresholds()
    r: Mapping[str, Any] = result.__dict__ if isinstance(result, InterdependenceResult) else result
    return _classify(
        int(r["n_members"]),
        r.get("lateral_tie_share"),
        r.get("fragmentation"),
        int(r.get("local_centres") or 0),
        r.get("mean_lateral_degree"),
        r.get("dependence_index"),
        t,
    )[0]


def interdependence(
    G: nx.Graph,
    centre: str,
    *,
    members: Collection[str] | None = None,
    seed: int = 0,
    min_members: int = 3,
    hub_sd: float = 1.0,
    thresholds: InterdependenceThresholds | None = None,
) -> InterdependenceResult:
    """Every §3.1 measure for the meta-organisation centred on ``centre``, with its class and the reason.

    Measures: LTS (pairs and kind-weighted), mean lateral degree ``2|E_mm|/n``, Freeman ``C_D`` (centre included),
    ``FR`` and components after removal, ``ENC``, the number of Louvain local centres (and their detail),
    reciprocated and risk-sharing member pairs, reciprocity ratio, interdependence index, dependence index,
    reverse dependence (share of members delivering under the centre). See the single-measure functions for each
    formula and :func:`classify_interdependence` for the rules.
    Basis: domain-model §3.1; ``004:628``, ``004:632-634``, ``004:638``, ``004:758``, ``004:847``.
    Complexity: O(V + E) plus one Louvain run.

    >>> from graphkit.analysis import examples
    >>> r = interdependence(examples.two_stars(), "ZZF001")
    >>> r.lateral_tie_share, r.local_centres, r.fragmentation, r.classification  # LTS 5/7
    (0.7142857142857143, 2, 0.0, 'pluricentric')
    """
    view = federation_view(G, centre, members=members)
    n = len(view.members)
    n_mm, n_mc, lts, wlts = _lts(view)
    frag = _fragmentation(view)
    centres = _local_centres(view, seed, min_members, hub_sd)
    reciprocated, risk, reciprocity, index = _interdependence(view)
    dep, reverse = _dependence(view)
    mean_lateral = 2 * n_mm / n if n else None
    label, reason = _classify(
        n, lts, frag.fragmentation, len(centres), mean_lateral, dep, thresholds or InterdependenceThresholds()
    )
    return InterdependenceResult(
        centre=view.centre,
        n_members=n,
        n_groups=len(view.groups),
        lateral_ties=n_mm,
        centre_ties=n_mc,
        lateral_tie_share=lts,
        weighted_lateral_tie_share=wlts,
        mean_lateral_degree=mean_lateral,
        degree_centralisation=_centralisation(view),
        fragmentation=frag.fragmentation,
        components_after_removal=frag.components,
        effective_number_of_centres=_enc(view),
        local_centres=len(centres),
        reciprocated_pairs=reciprocated,
        risk_sharing_pairs=risk,
        reciprocity=reciprocity,
        interdependence_index=index,
        dependence_index=dep,
        reverse_dependence=reverse,
        classification=label,
        reason=reason,
        local_centre_detail=centres,
    )
