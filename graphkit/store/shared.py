"""What both stores answer the same way, written once: :class:`SharedStore` (the stores subclass it and keep only
how they ask their database), the chain above an organisation, the area below one, the search and its in-memory
index, the economy around an organisation with its list sizes, and the boundary spanners among posts."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar, cast

import networkx as nx

from graphkit.core.nhs import ICB_DAY
from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter
from graphkit.store.base import (
    BoundarySpanner,
    Direction,
    GraphStore,
    HierarchyLevel,
    OrganisationHit,
    OrgRow,
    PostView,
    RoleRow,
    SearchOrder,
    TieView,
    financial_year_end,
    financial_year_start,
    kinds_on,
    level_of,
    post_key,
    role_key,
)
from graphkit.store.layers import add_curated_layers


class SharedStore:
    """What both stores answer the same way, written once over their primitive lookups (``_require``,
    ``_role_rows``, ``ties_of_many``, ``organisation``, ``org_rows``, ...): each store subclasses it and keeps
    only what differs, how it asks its database."""

    def _require(self, code: str) -> object:
        """The organisation's node; NotFound naming the code when the store does not hold it."""
        raise NotImplementedError

    def _role_rows(self, codes: list[str]) -> list[RoleRow]:
        """The ODS role holdings of these organisations, with the files stating each."""
        raise NotImplementedError

    def ties_of_many(
        self, codes: Iterable[str], direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        raise NotImplementedError

    def ties(
        self, code: str, direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        self._require(code)
        return self.ties_of_many([code], direction, as_of=as_of, kind=kind)

    def roles(self, code: str) -> list[RoleRow]:
        self._require(code)
        return sorted(self._role_rows([code]), key=role_key)

    def hierarchy(self, code: str, as_of: dt.date) -> list[HierarchyLevel]:
        return build_hierarchy(cast(GraphStore, self), code, as_of)

    def economy(self, code: str, as_of: dt.date, *, depth: int = 2) -> nx.MultiDiGraph:
        return economy(cast(GraphStore, self), code, as_of, depth)

    def search(
        self, q: str | None, *, kind: str | None = None, within: str | None = None, as_of: dt.date,
        limit: int = 50, offset: int = 0, order: SearchOrder = "name",
    ) -> tuple[list[OrganisationHit], int]:
        return search(cast(GraphStore, self), q, kind=kind, within=within, as_of=as_of, limit=limit, offset=offset,
                      order=order)

    def _projection_ties(self, as_of: dt.date) -> list[tuple[str, str, str, str, str]]:
        """(kind, practice code, practice name, other code, other name) of every PCNMembership and
        CommissionerAssignment of a prescribing cost centre holding on the date, by practice, start, other."""
        raise NotImplementedError

    def project(self, as_of: dt.date, *, list_size_year: str | None = None) -> nx.MultiDiGraph:
        """The organisation graph G_org as of a date, for the analyses (docs/analyses.md §1): practices
        (kind, name, ``area`` = commissioner on the date, ``list_size`` from the contract of
        ``list_size_year``), PCNs, and the PCNMembership / CommissionerAssignment ties holding on the date;
        then the curated layers (:func:`add_curated_layers`)."""
        if list_size_year is not None:
            financial_year_end(list_size_year)
        g = nx.MultiDiGraph()
        commissioner = "SubICBLocation" if as_of >= ICB_DAY else "ClinicalCommissioningGroup"
        # two commissioners on one day (reported as a conflict): ``area`` is the one whose tie began last
        for kind, practice, practice_name, other, other_name in self._projection_ties(as_of):
            g.add_node(practice, kind="GPPractice", name=practice_name, scale_level=1)
            if kind == "PCNMembership":
                g.add_node(other, kind="PrimaryCareNetwork", name=other_name, scale_level=2)
            else:
                g.nodes[practice]["area"] = other
                g.add_node(other, kind=commissioner, name=other_name, scale_level=3)
            g.add_edge(practice, other, kind=kind)
        if list_size_year is not None:
            for code, years in list_size_index(cast(GraphStore, self)).items():
                sizes = [size for year, size in years if year == list_size_year]
                if sizes and code in g:
                    g.nodes[code]["list_size"] = max(sizes)
        return add_curated_layers(cast(GraphStore, self), g, as_of)


def build_hierarchy(store: GraphStore, code: str, as_of: dt.date) -> list[HierarchyLevel]:
    """practice -> PCN and commissioner (CCG / sub-ICB location) -> system (STP / ICB) -> region, from the
    ties that hold on the date; the same algorithm over any store."""

    def level(name: str, via: str, codes: list[str]) -> HierarchyLevel:
        views = [store.organisation(c, as_of) for c in sorted(set(codes))]
        return HierarchyLevel(name, tuple((v.code, v.name, v.kinds) for v in views), via)

    view = store.organisation(code, as_of)
    levels = [HierarchyLevel(level_of(view.kinds), ((code, view.name, view.kinds),))]
    frontier = [code]
    steps: list[tuple[str, str]] = []
    if set(view.kinds) & {"GPPractice", "PrescribingCostCentre"}:
        steps = [("PCNMembership", "PCN"), ("CommissionerAssignment", "commissioner")]
    elif "PrimaryCareNetwork" in view.kinds:
        steps = [("CommissionerAssignment", "commissioner")]
    for tie_kind, name in steps:
        found = store.ties(code, "up", as_of=as_of, kind=tie_kind)
        if found:
            levels.append(level(name, tie_kind, [t.organisation for t in found]))
            if tie_kind == "CommissionerAssignment":
                frontier = [t.organisation for t in found]
    for tie_kind, name in (("SystemMembership", "system"), ("RegionMembership", "region")):
        nxt = sorted({t.organisation for c in frontier for t in store.ties(c, "up", as_of=as_of, kind=tie_kind)})
        if not nxt:
            break
        levels.append(level(name, tie_kind, nxt))
        frontier = nxt
    return levels


MAX_AREA_DEPTH = 4  # region -> system -> commissioner -> PCN / practice


def descendants(store: GraphStore, code: str, as_of: dt.date) -> set[str]:
    """Every organisation below ``code`` through ties holding on the date (practices of a PCN, sub-ICB
    locations, PCNs and practices of an ICB, ...), ``code`` included."""
    seen, frontier = {code}, {code}
    for _ in range(MAX_AREA_DEPTH):
        found = {t.member for t in store.ties_of_many(sorted(frontier), "down", as_of=as_of)} - seen
        if not found:
            break
        seen |= found
        frontier = found
    return seen


class SearchIndex:
    """Every organisation's code, name, kinds and dates, held in memory for searching as you type.

    Built once per store object from one bulk :meth:`GraphStore.org_rows` (about 2 s for the national
    graph), then a search is a scan of plain strings (a few milliseconds for 19,000 organisations). An
    embedded store object stands for one build generation, so its index never goes stale; a Neo4j store
    object keeps its index until the server is restarted (``graphkit load neo4j`` under a running server
    is followed by a restart, docs/neo4j-store.md)."""

    def __init__(self, rows: list[OrgRow], roles: list[RoleRow]) -> None:
        self.rows = rows
        self.folded = [(r.code, r.name.casefold()) for r in rows]
        self.roles: dict[str, list[RoleRow]] = {}
        for r in roles:
            self.roles.setdefault(r.code, []).append(r)

    @staticmethod
    def of(store: GraphStore) -> SearchIndex:
        return held(store, "_search_index", lambda: SearchIndex(*store.org_rows()))

    def matching(self, q: str | None, kind: str | None, codes: set[str] | None) -> list[OrgRow]:
        """Rows whose name contains ``q`` (any case) or whose code starts with it (upper case), that have had
        ``kind``, among ``codes``: the same rule as the stores' :meth:`GraphStore.org_rows`."""
        folded, upper = (q.casefold(), q.upper()) if q else ("", "")
        out = []
        for row, (code, name) in zip(self.rows, self.folded, strict=True):
            if q and folded not in name and not code.startswith(upper):
                continue
            if kind is not None and kind not in row.all_kinds:
                continue
            if codes is not None and code not in codes:
                continue
            out.append(row)
        return out


_INDEX_LOCK = threading.Lock()
T = TypeVar("T")


def held(store: GraphStore, name: str, build: Callable[[], T]) -> T:
    """What ``build`` gives, made once per store object and kept on it (an in-memory index of the store's content:
    an embedded store object stands for one build generation, so the index lives and dies with it)."""
    value = store.__dict__.get(name)
    if value is None:
        with _INDEX_LOCK:
            value = store.__dict__.get(name)
            if value is None:
                value = build()
                store.__dict__[name] = value
    return cast(T, value)


def relevance(q: str, hit: OrganisationHit) -> tuple[int, str, str]:
    """How well a hit answers what is being typed: the code itself, then codes starting with it, names
    starting with it, names with a word starting with it, other names containing it; then by name."""
    upper, folded = q.upper(), q.casefold()
    name = hit.name.casefold()
    if hit.code == upper:
        rank = 0
    elif hit.code.startswith(upper):
        rank = 1
    elif name.startswith(folded):
        rank = 2
    elif any(word.startswith(folded) for word in name.replace("-", " ").replace("(", " ").split()):
        rank = 3
    else:
        rank = 4
    return rank, hit.name, hit.code


def search(
    store: GraphStore, q: str | None, *, kind: str | None, within: str | None, as_of: dt.date, limit: int,
    offset: int, order: SearchOrder = "name",
) -> tuple[list[OrganisationHit], int]:
    """The search every store answers the same way: the in-memory :class:`SearchIndex`, the as-of rules here.
    ``order``: by name, or by :func:`relevance` to ``q`` (for a search box)."""
    if limit < 1 or offset < 0:
        raise BadParameter("limit must be at least 1 and offset at least 0", details={"parameter": "limit"})
    if kind is not None:
        from graphkit.ontology.vocab import PCG

        try:
            PCG[kind]
        except (KeyError, AttributeError):
            raise BadParameter(
                f"unknown organisation type {kind!r} (a class of the ontology, e.g. GPPractice, "
                "PrimaryCareNetwork, SubICBLocation)",
                details={"parameter": "type"},
            ) from None
    codes = None
    if within is not None:
        store.organisation(within, as_of)  # NotFound names the code
        codes = descendants(store, within, as_of)
    index = SearchIndex.of(store)
    hits = []
    for row in index.matching(q or None, kind, codes):
        if not holds_on(row.start, row.end, as_of):
            continue
        now = kinds_on(row.all_kinds, index.roles.get(row.code, ()), as_of)
        if kind is not None and kind not in now:
            continue
        hits.append(OrganisationHit(row.name, row.code, now, row.start, row.end))
    if order == "relevance" and q:
        hits.sort(key=lambda h: relevance(q, h))
    else:
        hits.sort()
    return hits[offset : offset + limit], len(hits)


def contract_area(store: GraphStore, within: str, year: str | None, as_of: dt.date | None) -> set[str]:
    """The organisations within an area for a contracts query: as of ``as_of``, else the last day of the
    financial year asked for, else today (NotFound names an unknown area)."""
    day = as_of or (financial_year_end(year) if year else dt.date.today())
    store.organisation(within, day)
    return descendants(store, within, day)


#: The categories of the economy's edges: ODS and curated memberships, curated lateral and functional ties, and
#: curated contracts (holder -> commissioner) with the deliveries under them (deliverer -> holder).
ECONOMY_CATEGORIES = ("membership", "tie", "contract")


def economy(store: GraphStore, code: str, as_of: dt.date, depth: int) -> nx.MultiDiGraph:
    """Organisations within ``depth`` membership ties (either direction) of ``code`` on the date, with the ties
    among them: the memberships followed (``category`` "membership"), then the curated lateral and functional
    ties (risk sharing, service provision, peer network, governance, ...; "tie") and curated contracts (holder ->
    commissioner, and deliverer -> holder for ``DeliversUnder``; "contract") that hold on the date with both
    ends in the economy. Nodes carry ``list_size`` and ``list_size_year`` (:func:`economy_list_sizes`); the
    graph carries ``centre``, ``as_of`` and ``depth``."""
    if not 0 <= depth <= 4:
        raise BadParameter("depth must be between 0 and 4", details={"parameter": "depth"})
    store.organisation(code, as_of)
    g = nx.MultiDiGraph(centre=code, as_of=as_of, depth=depth)
    seen, frontier = {code}, {code}
    edges: dict[tuple[str, str, str, dt.date | None], TieView] = {}
    for _ in range(depth):
        found: set[str] = set()
        for direction in ("up", "down"):
            for t in store.ties_of_many(sorted(frontier), direction, as_of=as_of):
                edges[(t.kind, t.member, t.organisation, t.start)] = t
                found |= {t.member, t.organisation}
        frontier = found - seen
        seen |= found
        if not frontier:
            break
    rows, roles = store.org_rows(codes=seen)
    by_code: dict[str, list[RoleRow]] = {}
    for r in roles:
        by_code.setdefault(r.code, []).append(r)
    curated_sizes: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: r.code):
        now = kinds_on(row.all_kinds, by_code.get(row.code, ()), as_of)
        g.add_node(row.code, name=row.name, kinds=list(now), level=level_of(now), centre=row.code == code)
        if row.list_size is not None:  # a code stated twice with two sizes: the larger, whatever the store's order
            curated_sizes[row.code] = max(row.list_size, curated_sizes.get(row.code, row.list_size))
    paid = economy_list_sizes(store, [n for n, d in g.nodes(data=True) if d["level"] == "practice"], as_of)
    for n in g.nodes:
        size, year = paid.get(n, (curated_sizes.get(n), None))
        g.nodes[n]["list_size"], g.nodes[n]["list_size_year"] = size, year
    for key in sorted(edges, key=lambda k: (k[0], k[1], k[2], str(k[3]))):
        t = edges[key]
        g.add_edge(t.member, t.organisation, kind=t.kind, category="membership", start=t.start, end=t.end,
                   derived=t.derived)
    for u, v, kind, attrs in economy_curated_edges(store, set(g), as_of):
        g.add_edge(u, v, kind=kind, derived=False, **attrs)
    return g


def economy_curated_edges(
    store: GraphStore, codes: set[str], as_of: dt.date
) -> list[tuple[str, str, str, dict[str, object]]]:
    """The curated edges among ``codes`` holding on the date, in a fixed order: every lateral or governance tie
    (:meth:`GraphStore.lateral_ties`, from -> to, category "tie"), then every curated contract with a commissioner
    (holder -> commissioner, its class as the kind) and every delivery under one (deliverer -> holder,
    ``DeliversUnder``), category "contract", each naming its ``contract``. The same lookups
    :func:`add_curated_layers` makes for the analyses' projection."""
    out: list[tuple[str, str, str, dict[str, object]]] = []
    lateral = store.lateral_ties(as_of=as_of)
    for t in sorted(lateral, key=lambda t: (t.kind, t.tie_from, t.tie_to, str(t.start), t.line)):
        if t.tie_from in codes and t.tie_to in codes:
            out.append((t.tie_from, t.tie_to, t.kind, {"category": "tie", "start": t.start, "end": t.end}))
    for a in sorted(store.agreements(as_of=as_of), key=lambda a: a.contract_id):
        period: dict[str, object] = {"category": "contract", "start": a.start, "end": a.end, "contract": a.contract_id}
        if a.commissioner is not None and a.holder in codes and a.commissioner in codes:
            out.append((a.holder, a.commissioner, a.kind, period))
        for provider in a.delivered_by:
            if provider in codes and a.holder in codes:
                out.append((provider, a.holder, "DeliversUnder", period))
    return out


def list_size_index(store: GraphStore) -> dict[str, list[tuple[str, int]]]:
    """Every practice's (financial year, list size) from its contracts, by code, in year order; built once per
    store object from one bulk lookup (about a second for the national graph) and kept (:func:`held`)."""

    def build() -> dict[str, list[tuple[str, int]]]:
        index: dict[str, list[tuple[str, int]]] = {}
        for code, year, size in store.list_size_rows():
            index.setdefault(code, []).append((year, size))
        for years in index.values():
            years.sort()
        return index

    return held(store, "_list_size_index", build)


def economy_list_sizes(store: GraphStore, practices: Iterable[str], as_of: dt.date) -> dict[str, tuple[int, str]]:
    """Registered patients of each practice as of the date, and the financial year the figure is from: the list
    size of the practice's contract in the NHS Payments to General Practice file of the financial year holding
    ``as_of``, or else of the latest earlier year the store has for that practice (never a later one); two
    contracts of one practice in one year: the larger list. Practices without such a contract are left out."""
    index = list_size_index(store)
    out: dict[str, tuple[int, str]] = {}
    for practice in set(practices):
        known = [(year, size) for year, size in index.get(practice, ()) if financial_year_start(year) <= as_of]
        if known:
            year, size = max(known)
            out[practice] = (size, year)
    return out


# The two sides of the boundary the report's boundary spanners cross (domain-model §3.6, §4.6).
FEDERATION_SIDE = frozenset({"GPFederation", "FederationBoard", "SubfederationGroup"})
COMMISSIONER_SIDE = frozenset(
    {
        "ClinicalCommissioningGroup", "CCGGoverningBody", "CCGCommittee", "SubICBLocation",
        "SustainabilityAndTransformationPartnership", "STPBoard", "IntegratedCareBoard", "IntegratedCareSystem",
    }
)


def _overlap(a: PostView, b: PostView) -> bool:
    """Two periods overlap; an unknown start or end is read as unbounded."""
    a_before_b_ends = a.start is None or b.end is None or a.start <= b.end
    b_before_a_ends = b.start is None or a.end is None or b.start <= a.end
    return a_before_b_ends and b_before_a_ends


def boundary_spanners(
    store: GraphStore, *, as_of: dt.date | None = None, side_a: frozenset[str] = FEDERATION_SIDE,
    side_b: frozenset[str] = COMMISSIONER_SIDE,
) -> list[BoundarySpanner]:
    """People who hold a post in an organisation of a kind in ``side_a`` (by default a federation, its board
    or a subfederation group) and, over an overlapping period, a post in one of ``side_b`` (a CCG or STP,
    their governing bodies, boards and committees, or their successors). With ``as_of``, both posts hold
    on that day. Each spanner comes with the posts that make them one."""
    every = store.posts(as_of=as_of)
    rows, _ = store.org_rows(codes=sorted({p.organisation for p in every}))
    kinds = {r.code: set(r.all_kinds) for r in rows}
    by_person: dict[str, list[PostView]] = {}
    for p in every:
        by_person.setdefault(p.person_id, []).append(p)
    out = []
    for pid, posts in sorted(by_person.items()):
        a = [p for p in posts if kinds.get(p.organisation, set()) & side_a]
        b = [p for p in posts if kinds.get(p.organisation, set()) & side_b]
        pairs = [(x, y) for x in a for y in b if _overlap(x, y)]
        if pairs:
            firsts = sorted({x for x, _ in pairs}, key=post_key)
            seconds = sorted({y for _, y in pairs}, key=post_key)
            out.append(BoundarySpanner(pid, posts[0].person_name, tuple(firsts), tuple(seconds)))
    return out
