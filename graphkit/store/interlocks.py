"""Interlocks: organisations that share a person (GET /interlocks), read from the curated layers on every date
(:meth:`GraphStore.history`).

Two posts of one person interlock the organisations they act for (a post in a unit, a board or a governing body or
committee, acts for the organisation the unit belongs to while it is a unit of it:
:func:`graphkit.analysis.history.acting_for`) when the posts overlap, or when one ends no more than ``window_months``
months before the other starts (the report's "had just come off our governing body", ``004:678``). The **window** of
an interlock is the days on which the person holds one of the posts and holds, or held within the last
``window_months`` months, the other: from the later start to the earlier of the later end and the earlier end plus
``window_months`` months (with ``window_months`` = 0, the days both are held). A post with no start date is taken to
have held from any earlier day, and the interlock names it in ``undated``."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.analysis.history import Interval, Post, acting_for, intersect, meets, posts

MAX_WINDOW_MONTHS = 120


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months later (the month's last day when it has fewer days).

    >>> add_months(dt.date(2016, 12, 31), 12), add_months(dt.date(2016, 1, 31), 1)
    (datetime.date(2017, 12, 31), datetime.date(2016, 2, 29))
    """
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Interlock:
    person: str
    person_name: str | None
    organisation_a: str
    organisation_a_name: str | None
    post_a: dict[str, Any]  # the post (its organisation is the unit it is held in), its dates and source
    organisation_b: str
    organisation_b_name: str | None
    post_b: dict[str, Any]
    start: dt.date | None  # the window (inclusive; None: open)
    end: dt.date | None
    overlap: bool  # the posts share a day (for the organisations they act for)
    gap_days: int | None  # days from the end of one to the start of the other, when they do not overlap
    window_months: int
    undated: tuple[str, ...]  # "post_a" / "post_b": a post with no start date


def _window(a: Interval, b: Interval, months: int) -> tuple[Interval, Interval | None] | None:
    """(window, overlap) of two posts' intervals, or None when they are more than ``months`` months apart."""
    ends = [e for _, e in (a, b)]
    latest_end = None if None in ends else max(e for e in ends if e is not None)
    known = [e for e in ends if e is not None]
    earliest_end = min(known) if known else None
    stretched = None if earliest_end is None else add_months(earliest_end, months)
    end = latest_end if stretched is None else (stretched if latest_end is None else min(latest_end, stretched))
    starts = [s for s, _ in (a, b) if s is not None]
    start = max(starts) if starts else None
    if start is not None and end is not None and start > end:
        return None
    return (start, end), intersect(a, b)


def _evidence(G: nx.Graph, p: Post, acts_for: str) -> dict[str, Any]:
    out = p.evidence()
    out["unit"] = p.organisation if p.organisation != acts_for else None
    out["unit_name"] = G.nodes[p.organisation].get("name") if out["unit"] and p.organisation in G else None
    out["commissioning"] = p.commissioning
    out["represents"] = p.represents
    return out


def interlocks(
    G: nx.Graph, *, as_of: dt.date | None = None, since: dt.date | None = None, until: dt.date | None = None,
    window_months: int = 0, scope: set[str] | None = None,
) -> list[Interlock]:
    """Every interlock whose window holds on ``as_of``, or meets [since, until] when either is given (any date when
    none is), with an end (an organisation or the unit a post is held in) in ``scope`` when given. Ordered by the two
    organisations, the person and the window's start. O(P²) for P posts per person."""
    period = since is not None or until is not None
    by_person: dict[str, list[Post]] = {}
    for p in posts(G):
        by_person.setdefault(p.person, []).append(p)
    found: dict[tuple[Any, ...], Interlock] = {}
    for person, held in sorted(by_person.items()):
        name = G.nodes[person].get("name") if person in G else None
        for i, p in enumerate(held):
            for q in held[i + 1:]:
                for org_p, w_p in acting_for(G, p.organisation, p.window):
                    for org_q, w_q in acting_for(G, q.organisation, q.window):
                        if org_p == org_q:
                            continue
                        got = _window(w_p, w_q, window_months)
                        if got is None:
                            continue
                        window, overlap = got
                        if period and not meets(window, since, until):
                            continue
                        if not period and as_of is not None and intersect(window, (as_of, as_of)) is None:
                            continue
                        if scope is not None and not {org_p, org_q, p.organisation, q.organisation} & scope:
                            continue
                        (a, pa, wa), (b, pb, wb) = sorted([(org_p, p, w_p), (org_q, q, w_q)],
                                                          key=lambda x: (x[0], x[1].organisation, x[1].line or 0))
                        gap = None
                        if overlap is None:
                            first, second = sorted([wa, wb], key=lambda w: w[0] or dt.date.min)
                            assert first[1] is not None and second[0] is not None
                            gap = (second[0] - first[1]).days - 1
                        undated = tuple(k for k, post in (("post_a", pa), ("post_b", pb)) if post.start is None)
                        item = Interlock(
                            person, name, a, G.nodes[a].get("name") if a in G else None, _evidence(G, pa, a),
                            b, G.nodes[b].get("name") if b in G else None, _evidence(G, pb, b), window[0], window[1],
                            overlap is not None, gap, window_months, undated,
                        )
                        found.setdefault((person, a, b, pa.source, pa.line, pb.source, pb.line), item)
    return sorted(found.values(), key=lambda x: (x.organisation_a, x.organisation_b, x.person,
                                                 x.start or dt.date.min, x.post_a.get("line") or 0,
                                                 x.post_b.get("line") or 0))
