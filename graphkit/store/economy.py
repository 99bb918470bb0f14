"""The economy around an organisation, written once for any store: the organisations within a few ties with the
ties among them, their list sizes (:func:`economy_list_sizes`, from the contracts' :func:`list_size_index`), and
the boundary spanners among posts (:func:`boundary_spanners`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import networkx as nx

from graphkit.errors import BadParameter
from graphkit.store.areas import held
from graphkit.store.base import (
    BoundarySpanner,
    GraphStore,
    PostView,
    RoleRow,
    TieView,
    financial_year_start,
    kinds_on,
    level_of,
    post_key,
)

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
