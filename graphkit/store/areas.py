"""Walking an area, written once for any store: the chain above an organisation (:func:`build_hierarchy`), the area
below one (:func:`descendants`, :func:`contract_area`), and the search with its in-memory index
(:class:`SearchIndex`, kept on the store object by :func:`held`)."""

from __future__ import annotations

import array
import bisect
import datetime as dt
import heapq
import itertools
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter
from graphkit.store.base import (
    Direction,
    GraphStore,
    HierarchyLevel,
    OrganisationHit,
    OrgRow,
    RoleRow,
    SearchOrder,
    TieView,
    financial_year_end,
    kinds_on,
    level_of,
    tie_kinds,
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
    locations, PCNs and practices of an ICB, ...), ``code`` included: the walk of :func:`walk_down` over the
    store's :class:`TieIndex` when it is built (a server builds it at start: no store query), else over the store's
    queries (a one-off command: a query per level, not every tie read first)."""
    if is_held(store, "_tie_index"):
        return TieIndex.of(store).below(code, as_of)
    return walk_down(store, code, as_of)


def walk_down(store: GraphStore, code: str, as_of: dt.date) -> set[str]:
    """:func:`descendants` asking the store's own query at each level (never a held index): the rule the index must
    agree with."""
    seen, frontier = {code}, {code}
    for _ in range(MAX_AREA_DEPTH):
        found = {t.member for t in cast(Any, store)._ties(sorted(frontier), "down", as_of, None)} - seen
        if not found:
            break
        seen |= found
        frontier = found
    return seen


def tie_key(t: TieView) -> tuple[str, dt.date, str, str]:
    """The order ties are given in: kind, start, organisation, member."""
    return (t.kind, t.start or dt.date.min, t.organisation, t.member)


class TieIndex:
    """Every tie of every kind (:func:`~graphkit.store.base.tie_kinds`) on every date, by member and by
    organisation, each list in the order of :func:`tie_key`: :meth:`SharedStore.ties_of_many` and
    :meth:`SharedStore.ties_of_kinds` answer from it once it is built, with the same answers as the store's own
    queries (tests/store/test_held_indexes.py), in microseconds instead of a query each (an organisation's
    parents, a PCN's members, every level of a hierarchy); the area below an organisation on a date is a walk of
    it (:meth:`below`), and the whole-country export filters :attr:`all` (graphkit/outputs/area.py)."""

    def __init__(self, ties: Iterable[TieView]) -> None:
        self.all = sorted(ties, key=tie_key)
        self.up: dict[str, list[TieView]] = {}
        self.down: dict[str, list[TieView]] = {}
        for t in self.all:
            self.up.setdefault(t.member, []).append(t)
            self.down.setdefault(t.organisation, []).append(t)

    @staticmethod
    def of(store: GraphStore) -> TieIndex:
        return held(store, "_tie_index", lambda: TieIndex(store._ties_of_kinds(list(tie_kinds()), None)))  # type: ignore[attr-defined]

    def ties(self, codes: Iterable[str], direction: Direction, as_of: dt.date | None,
             kind: str | None) -> list[TieView]:
        by = self.up if direction == "up" else self.down
        unique = list(dict.fromkeys(codes))  # a code named twice is answered once, as by the stores' queries
        found = [t for c in unique for t in by.get(c, ())
                 if (kind is None or t.kind == kind) and (as_of is None or holds_on(t.start, t.end, as_of))]
        if len(unique) > 1:
            found.sort(key=tie_key)
        return found

    def of_kinds(self, kinds: Iterable[str], as_of: dt.date | None) -> list[TieView]:
        wanted = set(kinds)
        return [t for t in self.all if t.kind in wanted and (as_of is None or holds_on(t.start, t.end, as_of))]

    def below(self, code: str, as_of: dt.date) -> set[str]:
        """``code`` and every organisation below it through ties holding on ``as_of``, at most
        :data:`MAX_AREA_DEPTH` levels down (the rule of :func:`walk_down`)."""
        seen, frontier = {code}, {code}
        for _ in range(MAX_AREA_DEPTH):
            found = {t.member for org in frontier for t in self.down.get(org, ()) if holds_on(t.start, t.end, as_of)}
            found -= seen
            if not found:
                break
            seen |= found
            frontier = found
        return seen


class SearchIndex:
    """Every organisation's code, name, kinds and dates, held in memory for searching as you type.

    Built once per store object from one bulk :meth:`GraphStore.org_rows` (about 2 s for the national graph). A
    search never scans the names: a name is found through SQLite's FTS5 trigram index (an in-memory table, in the
    standard library), whose phrase query answers "the name contains these letters" for three letters or more
    (each hit checked); codes through a
    sorted list (a prefix is a range); types through sets of rows. Queries of one or two letters, or with letters
    outside ASCII (SQLite folds the case of ASCII only), are answered by comparing the casefolded names, the rule
    the index must agree with. An embedded store object stands for one build generation, so its index never goes
    stale; a Neo4j store object keeps its index until the server is restarted (``graphkit load neo4j`` under a
    running server is followed by a restart, docs/neo4j-store.md)."""

    def __init__(self, rows: list[OrgRow], roles: list[RoleRow]) -> None:
        self.rows = rows
        self.folded = [(r.code, r.name.casefold()) for r in rows]
        self.roles: dict[str, list[RoleRow]] = {}
        for r in roles:
            self.roles.setdefault(r.code, []).append(r)
        self.by_code = sorted((code, i) for i, (code, _) in enumerate(self.folded))
        self.codes = frozenset(r.code for r in rows)
        # each casefolded name's words, as relevance() splits them: ranking thousands of hits of a one-letter query
        # then splits no name
        self.words = [tuple(_words(name)) for _, name in self.folded]
        self.by_kind: dict[str, set[int]] = {}
        for i, row in enumerate(rows):
            for k in row.all_kinds:
                self.by_kind.setdefault(k, set()).add(i)
        self._lock = threading.Lock()  # one SQLite connection, read by the server's threads in turn
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE names USING fts5(name, tokenize='trigram')")
        self._db.executemany("INSERT INTO names (rowid, name) VALUES (?, ?)",
                             ((i, name) for i, (_, name) in enumerate(self.folded)))
        self._ranked: OrderedDict[str, array.array[int]] = OrderedDict()  # short queries' hits in relevance order

    #: a query this short is ranked once and the order kept (:meth:`ranked`)
    SHORT = 2
    #: how many short queries' orders are kept (the least recently asked go first): ~2 MB for every one- and
    #: two-letter query of letters and digits on the national graph
    RANKED_KEPT = 2048

    def ranked(self, q: str) -> array.array[int]:
        """The rows matching ``q`` (:meth:`matching_ids`, no other filter) in order of :func:`relevance` to it, then by
        name and code; kept for a query of at most :data:`SHORT` characters. Those are typed first by everyone using
        a search box, match the most names (a letter matches most of England) and are the costliest to rank: a search
        then walks this order, filtering, instead of ranking every hit again."""
        with self._lock:
            found = self._ranked.get(q)
            if found is not None:
                self._ranked.move_to_end(q)
                return found
        upper, folded = q.upper(), q.casefold()
        ids = self.matching_ids(q, None, None)
        ids.sort(key=lambda i: (_rank_words(upper, folded, self.rows[i].code, self.folded[i][1], self.words[i]),
                                self.rows[i].name, self.rows[i].code))
        found = array.array("i", ids)
        with self._lock:
            self._ranked[q] = found
            while len(self._ranked) > self.RANKED_KEPT:
                self._ranked.popitem(last=False)
        return found

    @staticmethod
    def of(store: GraphStore) -> SearchIndex:
        return held(store, "_search_index", lambda: SearchIndex(*store.org_rows()))

    def _named(self, folded: str) -> set[int] | None:
        """The rows whose name contains ``folded`` by the trigram index; None when the index cannot answer it."""
        if len(folded) < 3 or not folded.isascii():
            return None
        phrase = '"' + folded.replace('"', '""') + '"'  # one phrase: found inside names
        with self._lock:
            found = self._db.execute("SELECT rowid FROM names WHERE names MATCH ?", (phrase,)).fetchall()
        return {i for (i,) in found if folded in self.folded[i][1]}

    def _coded(self, upper: str) -> set[int]:
        """The rows whose code starts with ``upper``: a range of the sorted codes."""
        start = bisect.bisect_left(self.by_code, (upper, -1))
        out = set()
        for code, i in itertools.islice(self.by_code, start, None):
            if not code.startswith(upper):
                break
            out.add(i)
        return out

    def matching(self, q: str | None, kind: str | None, codes: set[str] | None) -> list[OrgRow]:
        """Rows whose name contains ``q`` (any case) or whose code starts with it (upper case), that have had
        ``kind``, among ``codes``: the same rule as the stores' :meth:`GraphStore.org_rows`, in the rows' order."""
        return [self.rows[i] for i in self.matching_ids(q, kind, codes)]

    def matching_ids(self, q: str | None, kind: str | None, codes: set[str] | None) -> list[int]:
        """:meth:`matching`, as the rows' positions."""
        found: set[int] | None = None
        if q:
            folded, upper = q.casefold(), q.upper()
            named = self._named(folded)
            if named is None:
                named = {i for i, (_, name) in enumerate(self.folded) if folded in name}
            found = named | self._coded(upper)
        if kind is not None:
            of_kind = self.by_kind.get(kind, set())
            found = of_kind if found is None else found & of_kind
        rows: Iterable[int] = range(len(self.rows)) if found is None else sorted(found)
        return [i for i in rows if codes is None or self.rows[i].code in codes]


_INDEX_LOCK = threading.RLock()  # re-entrant: one index may be built from another (one index may read another)
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
    return _rank(q.upper(), q.casefold(), hit.code, hit.name.casefold()), hit.name, hit.code


def _rank(upper: str, folded: str, code: str, name: str) -> int:
    return _rank_words(upper, folded, code, name, tuple(_words(name)))


def _words(name: str) -> list[str]:
    return name.replace("-", " ").replace("(", " ").split()


def _rank_words(upper: str, folded: str, code: str, name: str, words: tuple[str, ...]) -> int:
    """:func:`_rank` with the name's words already split."""
    if code == upper:
        return 0
    if code.startswith(upper):
        return 1
    if name.startswith(folded):
        return 2
    if any(word.startswith(folded) for word in words):
        return 3
    return 4


def search(
    store: GraphStore, q: str | None, *, kind: str | None, within: str | None, as_of: dt.date, limit: int,
    offset: int, order: SearchOrder = "name",
) -> tuple[list[OrganisationHit], int]:
    """The search every store answers the same way: the in-memory :class:`SearchIndex`, the as-of rules here.
    ``order``: by name, or by :func:`relevance` to ``q`` (for a search box). Only the page asked for is made into
    hits: the others are counted (and, when a type is asked, their kinds on the date checked)."""
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
    index = SearchIndex.of(store)
    if within is not None:
        require_known(store, within)
        codes = descendants(store, within, as_of)
    rows = index.rows
    short = order == "relevance" and q is not None and 0 < len(q) <= SearchIndex.SHORT
    if short:  # the hits already in order: filtered, never ranked again
        assert q is not None
        of_kind = index.by_kind.get(kind, set()) if kind is not None else None
        candidates: Iterable[int] = (i for i in index.ranked(q) if (of_kind is None or i in of_kind)
                                     and (codes is None or rows[i].code in codes))
    else:
        candidates = index.matching_ids(q or None, kind, codes)
    found = [i for i in candidates if holds_on(rows[i].start, rows[i].end, as_of)]
    if kind is not None:
        found = [i for i in found if kind in kinds_on(rows[i].all_kinds, index.roles.get(rows[i].code, ()), as_of)]
    end = offset + limit
    if short:
        ids = found[offset:end]
    elif order == "relevance" and q:
        upper, folded = q.upper(), q.casefold()
        named, words = index.folded, index.words
        ids = heapq.nsmallest(end, found, key=lambda i: (
            _rank_words(upper, folded, rows[i].code, named[i][1], words[i]), rows[i].name, rows[i].code))[offset:]
    else:
        ids = heapq.nsmallest(end, found, key=lambda i: (rows[i].name, rows[i].code))[offset:]
    page = [rows[i] for i in ids]
    hits = [OrganisationHit(r.name, r.code, kinds_on(r.all_kinds, index.roles.get(r.code, ()), as_of), r.start,
                            r.end) for r in page]
    return hits, len(found)


def contract_area(store: GraphStore, within: str, year: str | None, as_of: dt.date | None) -> set[str]:
    """The organisations within an area for a contracts query: as of ``as_of``, else the last day of the
    financial year asked for, else today (NotFound names an unknown area)."""
    day = as_of or (financial_year_end(year) if year else dt.date.today())
    require_known(store, within)
    return descendants(store, within, day)


def require_known(store: GraphStore, code: str) -> None:
    """NotFound naming ``code`` unless the store holds an organisation with it: the indexes held in memory answer at
    once when they are built and list it (none is built for this); else the store is asked (its ``_require``, one
    lookup, which raises NotFound or finds an organisation without the name or kind the indexes need)."""
    records = store.__dict__.get("_record_index")
    if records and code in records:
        return
    index = store.__dict__.get("_search_index")
    if index is not None and code in index.codes:
        return
    cast(Any, store)._require(code)


def area_scope(store: GraphStore, code: str, as_of: dt.date) -> tuple[str | None, tuple[str, ...], set[str]]:
    """An area for the analyses of one date: the name and kinds of ``code`` on ``as_of`` and every organisation below
    it then (:func:`descendants`, ``code`` included). NotFound names a code the store does not hold; whether its kind
    can hold practices is the analyses' rule (``graphkit.analysis.registry.check_area``)."""
    require_known(store, code)
    view = store.organisation(code, as_of)
    return view.name, tuple(view.kinds), descendants(store, code, as_of)
