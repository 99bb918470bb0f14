"""Walking an area, written once for any store: the chain above an organisation (:func:`build_hierarchy`), the area
below one (:func:`descendants`, :func:`contract_area`), and the search with its in-memory index
(:class:`SearchIndex`, kept on the store object by :func:`held`)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar, cast

from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter
from graphkit.store.base import (
    GraphStore,
    HierarchyLevel,
    OrganisationHit,
    OrgRow,
    RoleRow,
    SearchOrder,
    financial_year_end,
    kinds_on,
    level_of,
)


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
        found = store.ties_of_many([code], "up", as_of=as_of, kind=tie_kind)  # organisation() checked the code
        if found:
            levels.append(level(name, tie_kind, [t.organisation for t in found]))
            if tie_kind == "CommissionerAssignment":
                frontier = [t.organisation for t in found]
    for tie_kind, name in (("SystemMembership", "system"), ("RegionMembership", "region")):
        nxt = sorted({t.organisation for t in store.ties_of_many(frontier, "up", as_of=as_of, kind=tie_kind)})
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
_HELD_NAMES: set[str] = set()  # every name held() has kept an index under, for forget_held()
T = TypeVar("T")


def held(store: GraphStore, name: str, build: Callable[[], T]) -> T:
    """What ``build`` gives, made once per store object and kept on it (an in-memory index of the store's content:
    an embedded store object stands for one build generation, so the index lives and dies with it; a store whose
    content is replaced in place, Neo4j after a load, drops them with :func:`forget_held`)."""
    value = store.__dict__.get(name)
    if value is None:
        with _INDEX_LOCK:
            value = store.__dict__.get(name)
            if value is None:
                value = build()
                store.__dict__[name] = value
                _HELD_NAMES.add(name)
    return cast(T, value)


def is_held(store: GraphStore, name: str) -> bool:
    """Whether the index ``name`` is built and kept on ``store``."""
    return store.__dict__.get(name) is not None


def forget_held(store: GraphStore) -> list[str]:
    """Drop every index kept on ``store`` (its content has changed); the next use builds each afresh. Returns the
    names dropped."""
    with _INDEX_LOCK:
        return [name for name in sorted(_HELD_NAMES) if store.__dict__.pop(name, None) is not None]


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
