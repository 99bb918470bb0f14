"""Boundary spanners and brokerage (domain-model §3.6).

* :func:`gould_fernandez`: Gould–Fernandez brokerage roles (:mod:`graphkit.analysis.gould_fernandez`, importable
  from here).
* The bipartite person–organisation graph ``B(t)`` (``PostHolding`` edges) and its two one-mode projections:
  people linked by shared organisations, organisations linked by shared people (interlocks).
* Betweenness in each projection, Burt's constraint and effective size (NetworkX built-ins), affiliation diversity,
  and :func:`boundary_spanners`, a ranking of people and of organisations.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from networkx.algorithms import bipartite

from graphkit.analysis._common import POST_KIND, SCALE_LEVEL_BY_KIND, edge_kind, edges, is_person, scale_level
from graphkit.analysis.gould_fernandez import (
    COORDINATOR,
    GATEKEEPER,
    ITINERANT,
    LIAISON,
    REPRESENTATIVE,
    ROLES,
    BrokerageRoles,
    brokerage_role,
    gould_fernandez,
)

__all__ = [
    "COORDINATOR",
    "GATEKEEPER",
    "ITINERANT",
    "LIAISON",
    "REPRESENTATIVE",
    "ROLES",
    "AffiliationDiversity",
    "BoundarySpanners",
    "BrokerageRoles",
    "SpannerRank",
    "StructuralHoles",
    "affiliation_diversity",
    "affiliation_graph",
    "betweenness",
    "boundary_spanners",
    "brokerage_role",
    "gould_fernandez",
    "organisation_projection",
    "person_projection",
    "projected_betweenness",
    "structural_holes",
]


# --- the bipartite person-organisation graph --------------------------------------------------------------------


def affiliation_graph(B: nx.Graph) -> tuple[nx.Graph, set[str], set[str]]:
    """The simple person–organisation graph inside ``B``, with its two sides.

    Kept: edges between a person (kind ``Person``, or ``bipartite=0`` without a kind) and a non-person whose kind is
    ``PostHolding`` or missing. Every person and organisation node of ``B`` stays, tied or not.
    Basis: the layer ``B(t)`` of domain-model §3 (R20-R22, R25). Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> A, people, orgs = affiliation_graph(examples.people())
    >>> A.number_of_edges(), sorted(people)
    (6, ['P-0001', 'P-0002', 'P-0003'])
    """
    A = nx.Graph()
    people = {str(n) for n in B.nodes if is_person(B, n)}
    orgs = {str(n) for n in B.nodes} - people
    A.add_nodes_from(sorted(people), bipartite=0)
    A.add_nodes_from(sorted(orgs), bipartite=1)
    for u, v, data in edges(B):
        a, b = str(u), str(v)
        if edge_kind(data) in (POST_KIND, None) and (a in people) != (b in people):
            A.add_edge(a, b)
    return A, people, orgs


def person_projection(B: nx.Graph) -> nx.Graph:
    """People linked when they hold posts in a common organisation; ``weight`` = number of shared organisations.

    Basis: domain-model §3 (one-mode projections of ``B(t)``).
    Complexity: O(Σ_o deg(o)²) (``bipartite.weighted_projected_graph``).

    >>> from graphkit.analysis import examples
    >>> sorted(person_projection(examples.people()).edges(data="weight"))
    [('P-0001', 'P-0002', 1), ('P-0001', 'P-0003', 1)]
    """
    A, people, orgs = affiliation_graph(B)
    if not orgs:  # nobody holds a post: people without links (networkx refuses to project onto every node)
        alone = nx.Graph()
        alone.add_nodes_from(sorted(people))
        return alone
    return bipartite.weighted_projected_graph(A, sorted(people))


def organisation_projection(B: nx.Graph) -> nx.Graph:
    """Organisations linked when one person holds posts in both (board interlocks); ``weight`` = shared people.

    Basis: domain-model §3.6 interlocks (a board member joining a CCG committee, ``004:739``).
    Complexity: O(Σ_p deg(p)²).

    >>> from graphkit.analysis import examples
    >>> sorted(organisation_projection(examples.people()).edges(data="weight"))[:2]
    [('ZZC001', 'ZZF001', 1), ('ZZC001', 'ZZS001', 1)]
    """
    A, people, orgs = affiliation_graph(B)
    if not people:  # nobody holds a post: organisations without interlocks
        alone = nx.Graph()
        alone.add_nodes_from(sorted(orgs))
        return alone
    return bipartite.weighted_projected_graph(A, sorted(orgs))


def projected_betweenness(B: nx.Graph, side: str = "person") -> dict[str, float]:
    """Normalised betweenness centrality (unweighted shortest paths) in the person projection (``side="person"``)
    or the interlock projection (``side="organisation"``).

    Weights are not used as distances: more shared organisations means a stronger tie, not a longer one.
    Basis: domain-model §3.6. Complexity: O(V·E) (Brandes).

    >>> from graphkit.analysis import examples
    >>> projected_betweenness(examples.people())   # P-0001 sits on the only path between P-0002 and P-0003
    {'P-0001': 1.0, 'P-0002': 0.0, 'P-0003': 0.0}
    """
    if side not in ("person", "organisation"):
        raise ValueError(f"side must be 'person' or 'organisation', not {side!r}")
    P = person_projection(B) if side == "person" else organisation_projection(B)
    return dict(sorted(betweenness(P).items()))


def betweenness(P: nx.Graph) -> dict[str, float]:
    """Normalised betweenness, as ``nx.betweenness_centrality(P, normalized=True)`` gives it, computed on the nodes
    that have ties only: an isolated node lies on no path and adds none, but Brandes' algorithm still spends
    O(V) on it for every source, O(V²) in all (14,000 organisations without posts took minutes). The
    normalisation keeps the whole graph's V.

    >>> G = nx.path_graph(3); G.add_nodes_from(["x", "y"])
    >>> betweenness(G) == {str(k): v for k, v in nx.betweenness_centrality(G, normalized=True).items()}
    True
    """
    n = P.number_of_nodes()
    linked = [v for v in P if P.degree(v) > 0]
    raw = nx.betweenness_centrality(P.subgraph(linked), normalized=False) if linked else {}
    # networkx: unnormalised halves undirected counts; normalised divides them by (n-1)(n-2) instead
    scale = 0.0 if n <= 2 else (1.0 if P.is_directed() else 2.0) / ((n - 1) * (n - 2))
    return {str(v): float(raw.get(v, 0.0)) * scale for v in P}


@dataclass(frozen=True)
class StructuralHoles:
    """Burt's constraint (low = spans holes) and effective size (high = non-redundant contacts); None for isolates."""

    constraint: float | None
    effective_size: float | None


def structural_holes(P: nx.Graph, *, weight: str | None = None) -> dict[str, StructuralHoles]:
    """Burt's constraint and effective size of every node of a one-mode graph (``nx.constraint``,
    ``nx.effective_size``; unweighted unless ``weight`` names an edge attribute). Isolates get None.

    Basis: domain-model §3.6 ("structural holes"). Complexity: O(V · d²) for maximum degree d.

    >>> h = structural_holes(nx.star_graph(3))   # centre: 3 unconnected contacts, constraint 3 * (1/3)**2
    >>> round(h["0"].constraint, 4), h["0"].effective_size, h["1"].constraint
    (0.3333, 3.0, 1.0)
    """

    def clean(x: Any) -> float | None:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)

    constraint = nx.constraint(P, weight=weight)
    size = nx.effective_size(P, weight=weight)
    return {str(n): StructuralHoles(clean(constraint.get(n)), clean(size.get(n))) for n in sorted(P.nodes, key=str)}


@dataclass(frozen=True)
class AffiliationDiversity:
    """The organisation kinds and scale levels a person's posts span."""

    person: str
    organisations: list[str]
    types: dict[str, int]
    n_types: int
    scale_levels: list[int]
    n_levels: int
    blau: float


def affiliation_diversity(
    B: nx.Graph, person: str, *, fallback: Mapping[str, int] | None = None
) -> AffiliationDiversity:
    """How many kinds of organisation (node ``kind``) and scale levels a person's posts span, and the Blau index
    ``1 − Σ_k p_k²`` over kinds (p_k = share of the person's organisations of kind k; 0 with no posts).

    Basis: domain-model §3.6 (affiliation diversity, span across scales) and §3.5 (strata spanned).
    Departure: "type" is the ontology kind of the organisation, not a sector grouping; pass a graph whose ``kind``
    holds sectors to get the sector version. Complexity: O(deg(person)).

    >>> from graphkit.analysis import examples
    >>> d = affiliation_diversity(examples.people(), "P-0001")
    >>> d.n_types, d.scale_levels, round(d.blau, 4)    # 3 kinds, 1/3 each: 1 - 3/9
    (3, [3, 4], 0.6667)
    """
    A, _, _ = affiliation_graph(B)
    table = SCALE_LEVEL_BY_KIND if fallback is None else fallback
    orgs = sorted(A.neighbors(person)) if person in A else []
    types = Counter(str(B.nodes[o].get("kind") or "unknown") for o in orgs)
    levels = sorted({lvl for o in orgs if (lvl := scale_level(B, o, table)) is not None})
    total = sum(types.values())
    blau = 1 - sum((c / total) ** 2 for c in types.values()) if total else 0.0
    return AffiliationDiversity(
        person=person,
        organisations=orgs,
        types=dict(sorted(types.items())),
        n_types=len(types),
        scale_levels=levels,
        n_levels=len(levels),
        blau=blau,
    )


# --- the ranking ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpannerRank:
    """One person or organisation in the boundary-spanner ranking, with the evidence."""

    node: str
    name: str | None
    is_spanner: bool
    criteria: list[str]
    betweenness: float
    n_types: int
    n_levels: int
    blau: float
    liaison: int
    brokerage: int
    constraint: float | None
    effective_size: float | None


@dataclass(frozen=True)
class BoundarySpanners:
    """Rankings of people and of organisations, spanners first."""

    people: list[SpannerRank] = field(default_factory=list)
    organisations: list[SpannerRank] = field(default_factory=list)


def _top(values: Mapping[str, float], fraction: float) -> set[str]:
    k = math.ceil(fraction * len(values))
    if k <= 0:
        return set()
    cut = sorted(values.values(), reverse=True)[k - 1]
    return {n for n, v in values.items() if v >= cut and v > 0}


def _rank(rows: list[SpannerRank]) -> list[SpannerRank]:
    return sorted(rows, key=lambda r: (not r.is_spanner, -len(r.criteria), -r.betweenness, -r.n_types, r.node))


def boundary_spanners(
    B: nx.Graph,
    *,
    flows: nx.Graph | None = None,
    group_attr: str = "group",
    top_fraction: float = 0.1,
    min_types: int = 3,
    fallback: Mapping[str, int] | None = None,
) -> BoundarySpanners:
    """Rank people and organisations as boundary spanners.

    A **person** is a spanner if any of: (``betweenness``) in the top ``top_fraction`` (default decile) of
    betweenness in the person projection, i.e. among the ⌈top_fraction · N⌉ highest, with betweenness > 0 (ties at
    the cut-off are all in); (``types``) posts
    in ≥ ``min_types`` (3) kinds of organisation; (``liaison``) at least one liaison role in ``flows``.
    An **organisation** (project extension of §3.6) is a spanner on the same three criteria, with betweenness in the
    interlock projection and "types" = kinds of the organisations it shares people with.

    ``flows``: an optional directed graph of ties among people and/or organisations (e.g. representation,
    reporting); Gould–Fernandez roles are counted on it with groups from the node attribute ``group_attr`` (looked
    up on ``flows`` and then on ``B``; missing = own group). Without ``flows`` nobody has a liaison role.
    Rows carry all the evidence (betweenness, kinds, levels, Blau, liaison and total brokerage, constraint,
    effective size) and are sorted: spanners first, then more criteria met, higher betweenness, more kinds, id.
    Basis: domain-model §3.6 and §4.6 (the chair on the STP board ``004:232``, directors with CCG/trust/LMC roles
    ``004:259``, the board member on a CCG committee ``004:739``).
    Complexity: O(V·E) for betweenness plus the projections and brokerage.

    >>> from graphkit.analysis import examples
    >>> ranking = boundary_spanners(examples.people())
    >>> [(r.node, r.criteria) for r in ranking.people]
    [('P-0001', ['betweenness', 'types']), ('P-0002', []), ('P-0003', [])]
    >>> ranking.organisations[0].node
    'ZZF001'
    """
    table = SCALE_LEVEL_BY_KIND if fallback is None else fallback
    _, people, orgs = affiliation_graph(B)
    roles: dict[str, BrokerageRoles] = {}
    if flows is not None:

        def group_of(n: Any) -> Hashable:
            for source in (flows, B):
                if n in source and source.nodes[n].get(group_attr) is not None:
                    return source.nodes[n][group_attr]
            return ("__own__", n)

        roles = gould_fernandez(flows, {n: group_of(n) for n in flows.nodes})
    rows: dict[str, list[SpannerRank]] = {}
    for side, nodes in (("person", people), ("organisation", orgs)):
        P = person_projection(B) if side == "person" else organisation_projection(B)
        between = betweenness(P)
        holes = structural_holes(P)
        top = _top(between, top_fraction)
        side_rows: list[SpannerRank] = []
        for n in sorted(nodes):
            if side == "person":
                div = affiliation_diversity(B, n, fallback=table)
                n_types, n_levels, blau = div.n_types, div.n_levels, div.blau
            else:
                partners = sorted(P.neighbors(n))
                kinds = Counter(str(B.nodes[o].get("kind") or "unknown") for o in partners)
                total = sum(kinds.values())
                n_types = len(kinds)
                n_levels = len({lvl for o in partners if (lvl := scale_level(B, o, table)) is not None})
                blau = 1 - sum((c / total) ** 2 for c in kinds.values()) if total else 0.0
            r = roles.get(n, BrokerageRoles())
            tests = (("betweenness", n in top), ("types", n_types >= min_types), ("liaison", r.liaison > 0))
            criteria = [name for name, met in tests if met]
            side_rows.append(
                SpannerRank(
                    node=n,
                    name=B.nodes[n].get("name"),
                    is_spanner=bool(criteria),
                    criteria=criteria,
                    betweenness=between.get(n, 0.0),
                    n_types=n_types,
                    n_levels=n_levels,
                    blau=blau,
                    liaison=r.liaison,
                    brokerage=r.total,
                    constraint=holes[n].constraint if n in holes else None,
                    effective_size=holes[n].effective_size if n in holes else None,
                )
            )
        rows[side] = _rank(side_rows)
    return BoundarySpanners(people=rows["person"], organisations=rows["organisation"])
