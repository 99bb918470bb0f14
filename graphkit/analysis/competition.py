"""Competition between federations for members (domain-model §3.8).

Inputs are plain mappings: ``fed_members`` (federation -> member practices), ``area_of`` (practice -> area
code: sub-ICB location, CCG or locality) and optionally an area adjacency (which areas border which). Graph
helpers read them off a projected graph.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

import networkx as nx

from graphkit.analysis._common import edge_kind, edges

#: Edge kind joining two neighbouring area nodes in a projected graph.
ADJACENT_KIND = "AdjacentTo"

Adjacency: TypeAlias = Mapping[str, Iterable[str]] | nx.Graph


@dataclass(frozen=True)
class AreaConcentration:
    """Membership concentration in one area."""

    area: str
    n_practices: int
    federated: int
    unfederated: int
    unfederated_share: float | None
    n_federations: int
    shares: dict[str, float]
    hhi: float | None


@dataclass(frozen=True)
class ChurnEvent:
    """A practice joining, leaving or moving between federations from one snapshot to the next."""

    practice: str
    kind: str
    from_federations: list[str]
    to_federations: list[str]


@dataclass(frozen=True)
class Churn:
    """Membership churn between two snapshots."""

    joins: list[ChurnEvent] = field(default_factory=list)
    leaves: list[ChurnEvent] = field(default_factory=list)
    moves: list[ChurnEvent] = field(default_factory=list)
    per_federation: dict[str, dict[str, int]] = field(default_factory=dict)


def _neighbour_areas(adjacency: Adjacency | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    if adjacency is None:
        return out
    pairs: Iterable[tuple[str, str]]
    if isinstance(adjacency, nx.Graph):
        pairs = ((str(u), str(v)) for u, v in adjacency.edges())
    else:
        pairs = ((str(a), str(b)) for a, bs in adjacency.items() for b in bs)
    for a, b in pairs:
        if a != b:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return out


def choice_sets(
    fed_members: Mapping[str, Collection[str]],
    area_of: Mapping[str, str],
    *,
    adjacency: Adjacency | None = None,
    practices: Iterable[str] | None = None,
) -> dict[str, list[str]]:
    """The federations each practice could join.

    ``choice(p)`` = the federations with at least one member practice in p's area or in an area adjacent to it
    (``adjacency``: area -> neighbouring areas, or a graph of areas; read as symmetric; None = same area only),
    plus the federations p already belongs to. A practice with no known area can only choose its own federations.
    Practices: ``practices``, else every practice in ``area_of`` or in a federation. Choice-set size = ``len``.
    Basis: domain-model §3.8 ("number of federations with ≥1 member ... in p's CCG or locality"); Expanding facing
    three rivals ``004:203``, Small's CCG with three federations ``004:437``, ``004:457``.
    Departure: adjacency of areas stands in for §3.8's distance d, since practice locations are not in the graph.
    Complexity: O(F · m + P · r · k): an index from area to the federations with members there (F federations of
    m members), then for each of P practices the union over its r reachable areas of their k federations.

    >>> feds = {"F1": ["p1"], "F2": ["p3"]}
    >>> area = {"p1": "A", "p2": "A", "p3": "B", "p4": "C"}
    >>> choice_sets(feds, area)
    {'p1': ['F1'], 'p2': ['F1'], 'p3': ['F2'], 'p4': []}
    >>> choice_sets(feds, area, adjacency={"A": ["B"]})["p2"]
    ['F1', 'F2']
    """
    near = _neighbour_areas(adjacency)
    feds_in_area: dict[str, set[str]] = {}
    for f, ms in fed_members.items():
        for m in ms:
            if m in area_of:
                feds_in_area.setdefault(str(area_of[m]), set()).add(str(f))
    own: dict[str, set[str]] = {}
    for f, ms in fed_members.items():
        for m in ms:
            own.setdefault(str(m), set()).add(str(f))
    everyone = {str(p) for p in practices} if practices is not None else {str(p) for p in area_of} | set(own)
    out: dict[str, list[str]] = {}
    for p in sorted(everyone):
        choice = set(own.get(p, ()))
        if p in area_of:
            for a in {str(area_of[p])} | near.get(str(area_of[p]), set()):
                choice |= feds_in_area.get(a, set())
        out[p] = sorted(choice)
    return out


def contestability(
    fed_members: Mapping[str, Collection[str]], choice: Mapping[str, Collection[str]]
) -> dict[str, float | None]:
    """Contestability of each federation = share of its member practices whose choice set has ≥ 2 federations
    (members with no recorded choice set count as uncontested). None for a federation with no members.

    Basis: domain-model §3.8; competition gave practices a choice (``004:446``, ``004:817``, ``004:839``).
    Complexity: O(Σ_F |F|).

    >>> contestability({"F1": ["p1", "p2"], "F2": []}, {"p1": ["F1", "F2"], "p2": ["F1"]})
    {'F1': 0.5, 'F2': None}
    """
    out: dict[str, float | None] = {}
    for f in sorted(fed_members):
        ms = {str(m) for m in fed_members[f]}
        out[str(f)] = sum(1 for m in ms if len(choice.get(m, ())) >= 2) / len(ms) if ms else None
    return out


def membership_hhi(
    fed_members: Mapping[str, Collection[str]],
    area_of: Mapping[str, str],
    *,
    weight: Mapping[str, float] | None = None,
) -> dict[str, AreaConcentration]:
    """Membership concentration per area: ``HHI = Σ_F s_F²`` where ``s_F`` = F's (weighted) member practices in the
    area divided by the sum over all federations' members in the area.

    Unfederated practices are left out of the shares and reported apart (``unfederated``, ``unfederated_share`` =
    unfederated / practices in the area, unweighted). A practice in two federations counts once for each (so the
    denominator counts memberships). HHI is None when no practice in the area is federated; 1 is a monopoly
    (Embedded ≈ a coterminous monopoly, §3.8). ``weight`` (e.g. list size) gives the patients version.
    Basis: domain-model §3.8 (membership concentration). Complexity: O(P + Σ_F |F|).

    >>> h = membership_hhi({"F1": ["p1", "p2"], "F2": ["p3"]}, {"p1": "A", "p2": "A", "p3": "A", "p4": "A"})
    >>> round(h["A"].hhi, 4), h["A"].unfederated_share     # (2/3)^2 + (1/3)^2 = 5/9; p4 is unfederated
    (0.5556, 0.25)
    """
    in_area: dict[str, set[str]] = {}
    for p, a in area_of.items():
        in_area.setdefault(str(a), set()).add(str(p))
    federated = {str(m) for ms in fed_members.values() for m in ms}
    out: dict[str, AreaConcentration] = {}
    for area in sorted(in_area):
        practices = in_area[area]
        counts: dict[str, float] = {}
        for f, ms in fed_members.items():
            here = [str(m) for m in ms if str(m) in practices]
            if here:
                counts[str(f)] = float(sum(weight.get(m, 0) for m in here)) if weight is not None else float(len(here))
        total = sum(counts.values())
        shares = {f: c / total for f, c in sorted(counts.items())} if total else {}
        unfed = len(practices - federated)
        out[area] = AreaConcentration(
            area=area,
            n_practices=len(practices),
            federated=len(practices & federated),
            unfederated=unfed,
            unfederated_share=unfed / len(practices) if practices else None,
            n_federations=len(counts),
            shares=shares,
            hhi=sum(s * s for s in shares.values()) if shares else None,
        )
    return out


def membership_churn(before: Mapping[str, Collection[str]], after: Mapping[str, Collection[str]]) -> Churn:
    """Joins, leaves and moves between two snapshots of federation -> members.

    For each practice p, with L = federations p left and J = federations p joined: a **move** if both L and J are
    non-empty (from L to J), a **join** if only J is, a **leave** if only L is. ``per_federation`` counts, for each
    federation, ``joined`` and ``left`` practices (moves included on both sides) and ``net``.
    Basis: domain-model §3.8 (churn: switches and leaves; R31); Small losing a practice in 2018 ``004:420``,
    ``004:564``; a group practice considering a switch ``004:269``.
    Departure: approaches and the approach-to-join conversion rate need event data (R30) and are not computed here.
    Complexity: O(Σ_F |F|) over both snapshots.

    >>> c = membership_churn({"F1": ["p1", "p2"], "F2": ["p3"]}, {"F1": ["p1"], "F2": ["p3", "p2", "p4"]})
    >>> [(e.practice, e.kind, e.from_federations, e.to_federations) for e in c.moves + c.joins]
    [('p2', 'move', ['F1'], ['F2']), ('p4', 'join', [], ['F2'])]
    >>> c.per_federation["F2"]
    {'joined': 2, 'left': 0, 'net': 2}
    """

    def by_practice(snapshot: Mapping[str, Collection[str]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for f, ms in snapshot.items():
            for m in ms:
                out.setdefault(str(m), set()).add(str(f))
        return out

    old, new = by_practice(before), by_practice(after)
    feds = sorted({str(f) for f in before} | {str(f) for f in after})
    per = {f: {"joined": 0, "left": 0, "net": 0} for f in feds}
    joins: list[ChurnEvent] = []
    leaves: list[ChurnEvent] = []
    moves: list[ChurnEvent] = []
    for p in sorted(set(old) | set(new)):
        left = sorted(old.get(p, set()) - new.get(p, set()))
        joined = sorted(new.get(p, set()) - old.get(p, set()))
        for f in left:
            per[f]["left"] += 1
        for f in joined:
            per[f]["joined"] += 1
        if left and joined:
            moves.append(ChurnEvent(p, "move", left, joined))
        elif joined:
            joins.append(ChurnEvent(p, "join", [], joined))
        elif left:
            leaves.append(ChurnEvent(p, "leave", left, []))
    for counts in per.values():
        counts["net"] = counts["joined"] - counts["left"]
    return Churn(joins=joins, leaves=leaves, moves=moves, per_federation=per)


def area_adjacency_from_graph(G: nx.Graph, kind: str = ADJACENT_KIND) -> dict[str, set[str]]:
    """Area -> neighbouring areas from ``AdjacentTo`` edges between area nodes (either direction).

    Basis: the project's stand-in for §3.8's distance d. Complexity: O(E).

    >>> area_adjacency_from_graph(nx.MultiDiGraph([("A", "B", {"kind": "AdjacentTo"})]))
    {'A': {'B'}, 'B': {'A'}}
    """
    out: dict[str, set[str]] = {}
    for u, v, data in edges(G):
        if edge_kind(data) == kind and u != v:
            out.setdefault(str(u), set()).add(str(v))
            out.setdefault(str(v), set()).add(str(u))
    return out
