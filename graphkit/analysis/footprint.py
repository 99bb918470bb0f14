"""Footprints: coterminosity of PCNs and federations with sub-ICB/CCG areas, boundary crossing, contiguity and
PCN population against the 30–50k guidance (domain-model §3.9).

Inputs are plain mappings (a graph helper, :func:`inputs_from_graph`, reads them off a projected graph):

* ``members``: organisation (PCN or federation) -> its member practices;
* ``area_of``: practice -> area code (sub-ICB location or CCG; a locality or a federation works the same way, so
  PCN-in-federation *nesting* is this module with ``area_of`` = practice -> federation);
* ``list_size``: practice -> registered patients (optional weights).

The unit is the practice; every share can instead be weighted by list size (``weight=list_size``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from graphkit.analysis._common import MEMBERSHIP_KINDS, memberships_from_graph, node_attribute_map, node_kind

#: The unit of footprints and competition: a GP practice (ODS role RO76 on the date, docs/analyses.md §1).
PRACTICE_KIND = "GPPractice"

#: PCN population guidance "at least 30,000 to 50,000" (``004:34``).
PCN_LOW = 30_000
PCN_HIGH = 50_000


@dataclass(frozen=True)
class Shares:
    """coverage = w(X∩Y)/w(Y), containment = w(X∩Y)/w(X), jaccard = w(X∩Y)/w(X∪Y); None on an empty denominator."""

    coverage: float | None
    containment: float | None
    jaccard: float | None


@dataclass(frozen=True)
class AreaOverlap:
    """The overlap of one organisation with one area it touches."""

    area: str
    shared: float
    coverage: float | None
    containment: float | None
    jaccard: float | None


@dataclass(frozen=True)
class Footprint:
    """One organisation's footprint against the areas of its members."""

    organisation: str
    n_members: int
    members_without_area: list[str]
    areas: dict[str, int]
    n_areas: int
    boundary_crossings: int
    modal_area: str | None
    coverage: float | None
    containment: float | None
    jaccard: float | None
    coterminous: bool
    overlaps: list[AreaOverlap]


@dataclass(frozen=True)
class PopulationBand:
    """An organisation's population from its members' list sizes, and its band against the guidance."""

    organisation: str
    population: int
    band: str
    n_members: int
    members_without_list_size: list[str]


@dataclass(frozen=True)
class Contiguity:
    """Connected patches of an organisation's members in a spatial adjacency graph."""

    components: int
    mosaic_index: float | None
    patches: list[list[str]]
    unplaced: list[str]


def _size(nodes: Iterable[str], weight: Mapping[str, float] | None) -> float:
    return float(sum(weight.get(n, 0) for n in nodes)) if weight is not None else float(len(set(nodes)))


def overlap(x: Collection[str], y: Collection[str], *, weight: Mapping[str, float] | None = None) -> Shares:
    """Coverage, containment and Jaccard of practice set X (an organisation) against practice set Y (an area):

    ``coverage = |X∩Y| / |Y|`` (share of the area's practices that are in X), ``containment = |X∩Y| / |X|``
    (share of X inside the area), ``jaccard = |X∩Y| / |X∪Y|``; with ``weight``, |S| is the sum of weights
    (e.g. list sizes) over S. None when a denominator is 0.
    Basis: domain-model §3.9 (coterminosity). Complexity: O(|X| + |Y|).

    >>> overlap({"a", "b", "c"}, {"b", "c", "d", "e"})   # 2/4, 2/3, 2/5
    Shares(coverage=0.5, containment=0.6666666666666666, jaccard=0.4)
    >>> overlap({"a", "b"}, {"b"}, weight={"a": 30_000, "b": 10_000}).containment
    0.25
    """
    xs, ys = set(x), set(y)
    inter = _size(xs & ys, weight)
    wy, wx, wu = _size(ys, weight), _size(xs, weight), _size(xs | ys, weight)
    return Shares(inter / wy if wy else None, inter / wx if wx else None, inter / wu if wu else None)


def footprints(
    members: Mapping[str, Collection[str]],
    area_of: Mapping[str, str],
    *,
    weight: Mapping[str, float] | None = None,
    threshold: float = 0.9,
) -> dict[str, Footprint]:
    """The footprint of every organisation in ``members``.

    For organisation X with located members X' (members with an area in ``area_of``; the others are listed in
    ``members_without_area`` and left out of every share) and each area Y its members touch (Y = every practice
    of ``area_of`` in that area):

    * ``areas``: members per area; ``n_areas`` = number of distinct areas (§3.9's boundary-crossing count);
      ``boundary_crossings = n_areas − 1`` (boundaries crossed; 0 inside one area);
    * ``overlaps``: :func:`overlap` of X' with each Y;
    * the **modal area** is the Y with the largest (weighted) share of X' (ties: higher coverage, then code);
      ``containment`` = share of X' in the modal area, ``coverage`` = share of the modal area's practices in X,
      ``jaccard`` likewise; ``coterminous`` = coverage ≥ ``threshold`` and containment ≥ ``threshold`` (0.9).

    Basis: domain-model §3.9; Embedded and Struggling coterminous with their CCGs (``004:330``, ``004:339``),
    Expanding across two CCGs (``004:228``, ``004:272``), Small across two localities (``004:391``), PCNs and
    multisite practices (``004:802``, ``004:885``). Departure: §3.9's boundary-crossing count is kept as
    ``n_areas``; ``boundary_crossings`` is the number of boundaries actually crossed.
    Complexity: O(P + Σ_X |X|·a_X) for P practices and a_X areas touched by X.

    >>> areas = {"p1": "01A", "p2": "01A", "p3": "01A", "p4": "02B", "p5": "02B"}
    >>> f = footprints({"PCN1": ["p1", "p2", "p4"]}, areas)["PCN1"]
    >>> f.areas, f.modal_area, f.containment, f.coverage, f.boundary_crossings   # 2/3 in 01A; 2 of 01A's 3
    ({'01A': 2, '02B': 1}, '01A', 0.6666666666666666, 0.6666666666666666, 1)
    """
    by_area: dict[str, set[str]] = {}
    for practice, area in area_of.items():
        by_area.setdefault(str(area), set()).add(str(practice))
    out: dict[str, Footprint] = {}
    for org in sorted(members):
        all_members = sorted({str(m) for m in members[org]})
        located = [m for m in all_members if m in area_of]
        counts: dict[str, int] = {}
        for m in located:
            counts[str(area_of[m])] = counts.get(str(area_of[m]), 0) + 1
        overlaps = []
        for area in sorted(counts):
            s = overlap(located, by_area[area], weight=weight)
            overlaps.append(
                AreaOverlap(area, _size(set(located) & by_area[area], weight), s.coverage, s.containment, s.jaccard)
            )
        modal = min(overlaps, key=lambda o: (-o.shared, -(o.coverage or 0.0), o.area), default=None)
        coterminous = (
            modal is not None
            and (modal.coverage or 0.0) >= threshold
            and (modal.containment or 0.0) >= threshold
        )
        out[str(org)] = Footprint(
            organisation=str(org),
            n_members=len(all_members),
            members_without_area=[m for m in all_members if m not in area_of],
            areas=counts,
            n_areas=len(counts),
            boundary_crossings=max(len(counts) - 1, 0),
            modal_area=modal.area if modal else None,
            coverage=modal.coverage if modal else None,
            containment=modal.containment if modal else None,
            jaccard=modal.jaccard if modal else None,
            coterminous=coterminous,
            overlaps=overlaps,
        )
    return out


def multi_area_organisations(
    members: Mapping[str, Collection[str]], area_of: Mapping[str, str]
) -> dict[str, list[str]]:
    """Organisations (e.g. PCNs) whose member practices fall in more than one area, with those areas.

    Basis: domain-model §3.9 (a PCN should sit inside one sub-ICB location; multisite practices ``004:802``).
    Complexity: O(Σ_X |X|).

    >>> multi_area_organisations({"U1": ["p1", "p2"], "U2": ["p3"]}, {"p1": "01A", "p2": "02B", "p3": "01A"})
    {'U1': ['01A', '02B']}
    """
    out: dict[str, list[str]] = {}
    for org in sorted(members):
        areas = sorted({str(area_of[m]) for m in members[org] if m in area_of})
        if len(areas) > 1:
            out[str(org)] = areas
    return out


def population_band(population: float, *, low: int = PCN_LOW, high: int = PCN_HIGH) -> str:
    """The band of a population: "under" (< low), "within" (low ≤ population ≤ high) or "over" (> high) the PCN
    guidance (default 30–50k).

    Basis: ``004:34``. Complexity: O(1).

    >>> [population_band(p) for p in (29_999, 30_000, 50_000, 50_001)]
    ['under', 'within', 'within', 'over']
    """
    if population < low:
        return "under"
    return "within" if population <= high else "over"


def population_bands(
    members: Mapping[str, Collection[str]],
    list_size: Mapping[str, float],
    *,
    low: int = PCN_LOW,
    high: int = PCN_HIGH,
) -> dict[str, PopulationBand]:
    """Population of each organisation (sum of its members' list sizes) and its band against the guidance:
    "under" 30k, "within" 30–50k (both ends included), "over" 50k, or "unknown" when no member has a list size.
    Members without a list size are listed; the population is then a lower bound.

    Basis: ``004:34`` ("at least 30,000 to 50,000"), ``004:865`` and ref 133 ``004:1048`` (about 40% exceed it);
    domain-model §3.9 and §4.8. Complexity: O(Σ_X |X|).

    >>> bands = population_bands({"PCN1": ["p1", "p2"], "PCN2": ["p3"]}, {"p1": 20_000, "p2": 15_000, "p3": 8_000})
    >>> bands["PCN1"].population, bands["PCN1"].band, bands["PCN2"].band
    (35000, 'within', 'under')
    """
    out: dict[str, PopulationBand] = {}
    for org in sorted(members):
        mem = sorted({str(m) for m in members[org]})
        known = [m for m in mem if list_size.get(m) is not None]
        population = int(sum(list_size[m] for m in known))
        out[str(org)] = PopulationBand(
            organisation=str(org),
            population=population,
            band=population_band(population, low=low, high=high) if known else "unknown",
            n_members=len(mem),
            members_without_list_size=[m for m in mem if m not in known],
        )
    return out


def contiguity(member_set: Collection[str], space: nx.Graph) -> Contiguity:
    """Patches of an organisation in a spatial adjacency graph ``G_space`` between practices (shared borders,
    Delaunay or k-nearest neighbours, built elsewhere): ``components`` = connected components of the subgraph
    induced by the members (1 = contiguous); ``mosaic_index = 1 − |largest patch| / |placed members|``. Members
    not in ``space`` are listed as ``unplaced`` and left out.

    Basis: domain-model §3.9 (Expanding's two areas ``004:455``; "mosaic" network bids ``004:692``).
    Complexity: O(V + E) of the induced subgraph.

    >>> space = nx.path_graph(["p1", "p2", "p3", "p4"])
    >>> contiguity(["p1", "p2", "p4", "p9"], space)
    Contiguity(components=2, mosaic_index=0.33333333333333337, patches=[['p1', 'p2'], ['p4']], unplaced=['p9'])
    """
    placed = sorted({str(m) for m in member_set if m in space})
    sub = space.subgraph(placed)
    patches = sorted((sorted(str(n) for n in c) for c in nx.connected_components(sub)), key=lambda p: (-len(p), p))
    mosaic = 1 - len(patches[0]) / len(placed) if placed else None
    return Contiguity(
        components=len(patches),
        mosaic_index=mosaic,
        patches=patches,
        unplaced=sorted({str(m) for m in member_set} - set(placed)),
    )


def inputs_from_graph(
    G: nx.Graph,
    *,
    membership_kinds: Collection[str] = MEMBERSHIP_KINDS,
    area_attr: str = "area",
    list_size_attr: str = "list_size",
) -> tuple[dict[str, set[str]], dict[str, str], dict[str, int]]:
    """``(members, area_of, list_size)`` read from a projected graph: membership edges (practice -> organisation)
    of the given kinds, and the practices' ``area`` and ``list_size`` node attributes (docs/analyses.md §1).

    Only practices count: a node whose ``kind`` is given and is not ``GPPractice`` (a prescribing cost centre that
    is not a GP practice on the date, a walk-in centre) is left out of the members, the areas and the list sizes;
    a node without a ``kind`` is taken to be a practice.

    Basis: domain-model §3.9 units (practices, weighted by list size). Complexity: O(V + E).

    >>> G = nx.MultiDiGraph([("p1", "U1", {"kind": "PCNMembership"}), ("c1", "U1", {"kind": "PCNMembership"})])
    >>> G.nodes["p1"].update(area="01A", list_size=12_000)
    >>> G.nodes["c1"].update(kind="PrescribingCostCentre", area="01A")
    >>> inputs_from_graph(G, membership_kinds={"PCNMembership"})
    ({'U1': {'p1'}}, {'p1': '01A'}, {'p1': 12000})
    """
    def practice(n: str) -> bool:
        return node_kind(G, n) in (None, PRACTICE_KIND)

    members = {org: {m for m in ms if practice(m)}
               for org, ms in memberships_from_graph(G, membership_kinds).items()}
    area_of = {k: str(v) for k, v in node_attribute_map(G, area_attr).items() if practice(k)}
    sizes = {k: int(v) for k, v in node_attribute_map(G, list_size_attr).items() if practice(k)}
    return members, area_of, sizes
