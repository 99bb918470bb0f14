"""Reading the curated layers on every date (``GraphStore.history``): each edge carries ``start`` and ``end``
(inclusive; None when open or, for a start, undated in the source). The analyses of change over time
(governance, clinical elites, conflicts of interest, activities, membership churn) share these helpers.

Conventions, stated once:

* A fact with no ``start`` is *undated*: it is taken to have held from any earlier day, and every result that relies
  on such a fact names it (``undated``), so that a reader can tell a dated finding from a possible one.
* A fact with no ``end`` still holds (the curated tables' rule, docs/curated.md).
* Organisations act through their units: a post on a federation's board (``UnitMembership`` board -> federation) is a
  post in the federation; a post on a CCG's governing body or committee is a post in the CCG.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.core.temporal import holds_on

Interval = tuple[dt.date | None, dt.date | None]

#: Kinds of organisation that are practices (a clinician's home organisation).
PRACTICE_KINDS = frozenset({"GPPractice", "BranchSurgery", "SuperPractice"})
#: Kinds of organisation that commission services (the ``commissioner`` of a contract is one of these).
COMMISSIONER_KINDS = frozenset({
    "ClinicalCommissioningGroup", "SubICBLocation", "IntegratedCareBoard", "PrimaryCareTrust", "CommissioningBody",
    "NHSEngland", "NHSEnglandRegion", "NHSEnglandLocalOffice", "LocalAuthority",
})
#: Kinds of meta-organisation whose members are practices.
CENTRE_KINDS = frozenset({"GPFederation", "PrimaryCareNetwork", "GPProviderCollaborative"})
#: Core practice contracts: every GP partner's practice holds one with its commissioner.
CORE_CONTRACT_KINDS = frozenset({"GMSContract", "PMSContract"})


def holds(data: Mapping[str, Any], day: dt.date) -> bool:
    """True when an edge (its ``start``/``end``) holds on the day.

    >>> holds({"start": dt.date(2016, 1, 1), "end": None}, dt.date(2017, 1, 1)), holds({}, dt.date(2000, 1, 1))
    (True, True)
    """
    return holds_on(data.get("start"), data.get("end"), day)


def interval(data: Mapping[str, Any]) -> Interval:
    return data.get("start"), data.get("end")


def intersect(*intervals: Interval) -> Interval | None:
    """The days common to every interval (an open bound is unbounded), or None when there are none.

    >>> d = dt.date
    >>> intersect((None, d(2016, 12, 31)), (d(2015, 1, 1), d(2018, 6, 30)), (d(2016, 7, 1), d(2017, 6, 30)))
    (datetime.date(2016, 7, 1), datetime.date(2016, 12, 31))
    >>> intersect((d(2019, 1, 1), None), (None, d(2018, 12, 31))) is None
    True
    """
    starts = [s for s, _ in intervals if s is not None]
    ends = [e for _, e in intervals if e is not None]
    lo, hi = (max(starts) if starts else None), (min(ends) if ends else None)
    if lo is not None and hi is not None and lo > hi:
        return None
    return lo, hi


def meets(window: Interval, since: dt.date | None, until: dt.date | None) -> bool:
    """True when a window shares a day with the period [since, until] (either open)."""
    return intersect(window, (since, until)) is not None


def edges_of(G: nx.Graph, kinds: Iterable[str]) -> Iterator[tuple[Any, Any, Mapping[str, Any]]]:
    wanted = frozenset(kinds)
    for u, v, data in G.edges(data=True):
        if data.get("kind") in wanted:
            yield u, v, data


def kind_of(G: nx.Graph, node: Hashable) -> str | None:
    return G.nodes[node].get("kind") if node in G else None


def parents(G: nx.Graph, unit: Hashable) -> list[tuple[str, Mapping[str, Any]]]:
    """The organisations a unit (board, committee, governing body) belongs to, with the membership edge."""
    if unit not in G:
        return []
    return [(str(v), d) for _, v, d in G.out_edges(unit, data=True) if d.get("kind") == "UnitMembership"]


def acting_for(G: nx.Graph, org: str, window: Interval) -> list[tuple[str, Interval]]:
    """The organisation a post in ``org`` acts for, over the part of ``window`` it does: the parent of a unit (while
    it is a unit of it), else ``org`` itself.

    >>> G = nx.MultiDiGraph(); _ = G.add_edge("B", "F", kind="UnitMembership", start=dt.date(2016, 1, 1), end=None)
    >>> acting_for(G, "B", (None, None)), acting_for(G, "F", (None, None))
    ([('F', (datetime.date(2016, 1, 1), None))], [('F', (None, None))])
    """
    ups = parents(G, org)
    if not ups:
        return [(org, window)]
    out = []
    for parent, data in ups:
        w = intersect(window, interval(data))
        if w is not None:
            out.append((parent, w))
    return out


@dataclass(frozen=True)
class Post:
    """A post holding read off the history graph."""

    person: str
    organisation: str
    role: str | None
    title: str | None
    start: dt.date | None
    end: dt.date | None
    commissioning: bool | None
    source: str | None
    line: int | None
    citations: tuple[str, ...]
    represents: str | None = None

    @property
    def window(self) -> Interval:
        return self.start, self.end

    def evidence(self) -> dict[str, Any]:
        return {"person": self.person, "organisation": self.organisation, "post": self.title or self.role,
                "role": self.role, "start": self.start, "end": self.end, "source": self.source, "line": self.line,
                "citations": list(self.citations)}


def posts(G: nx.Graph) -> list[Post]:
    """Every post holding of the graph (``PostHolding`` edges person -> organisation), in a stable order."""
    out = [
        Post(str(u), str(v), d.get("role"), d.get("title"), d.get("start"), d.get("end"), d.get("commissioning"),
             d.get("source"), d.get("line"), tuple(d.get("citations") or ()), d.get("represents"))
        for u, v, d in edges_of(G, ("PostHolding",))
    ]
    return sorted(out, key=lambda p: (p.person, p.organisation, p.start or dt.date.min, p.line or 0))


def members_on(G: nx.Graph, centre: str, day: dt.date, kinds: Iterable[str] = ("FederationMembership",
                                                                                  "PCNMembership")) -> set[str]:
    """Members of a meta-organisation on a day."""
    wanted = frozenset(kinds)
    if centre not in G:
        return set()
    return {str(u) for u, _, d in G.in_edges(centre, data=True) if d.get("kind") in wanted and holds(d, day)}


def commissioner_on(G: nx.Graph, practice: str, day: dt.date) -> str | None:
    """The commissioner a practice is assigned to on a day (the latest-starting assignment when two hold)."""
    if practice not in G:
        return None
    found = [(d.get("start") or dt.date.min, str(v)) for _, v, d in G.out_edges(practice, data=True)
             if d.get("kind") == "CommissionerAssignment" and holds(d, day)]
    return max(found)[1] if found else None


def within(G: nx.Graph, area: str, day: dt.date) -> set[str]:
    """The organisations in an area on a day: the area itself, its units, its members (federation or PCN members,
    practices assigned to a commissioner, commissioners of a system), and their units, one level down each time
    (so an STP's CCGs and their practices)."""
    found = {area}
    frontier = {area}
    for _ in range(3):
        nxt: set[str] = set()
        for org in frontier:
            if org not in G:
                continue
            for u, _, d in G.in_edges(org, data=True):
                if d.get("kind") in ("UnitMembership", "FederationMembership", "PCNMembership",
                                     "CommissionerAssignment", "SystemMembership", "SubfederationMembership",
                                     "CollaborationMembership") and holds(d, day) and str(u) not in found:
                    nxt.add(str(u))
        found |= nxt
        frontier = nxt
    return found


def fact(data: Mapping[str, Any], u: Any, v: Any) -> dict[str, Any]:
    """What a verdict shows of one tie: its ends, kind, mechanism, dates, table line and citations."""
    out = {"from": u, "to": v, "kind": data.get("tie_kind") or data.get("kind"),
           "mechanism": data.get("mechanism") or data.get("requirement"), "start": data.get("start"),
           "end": data.get("end"), "source": data.get("source"), "line": data.get("line"),
           "citations": list(data.get("citations") or ())}
    return {k: v for k, v in out.items() if v not in (None, [])}
