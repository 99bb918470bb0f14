"""Competition between federations over time: churn, contestability, bid rivalry (domain-model §3.8).

Input: the curated layers on every date (``GraphStore.history``) and a date. Over the period [since, until]
(``until`` defaults to ``as_of``), in ``area`` when given (federations and practices in the area on ``as_of``):

* **joins** and **leaves**: federation memberships that begin or end in the period;
* **switches** (R31): a practice leaving federation F and joining another federation G whose membership begins no
  more than ``switch_days`` from the day F's ends (before or after). Basis of the default, 365 days: the curated
  tables date many memberships only to the year (a year-only fact is written as its first or last day,
  docs/curated.md), so a move within a year cannot be told from a same-day switch. A leave matched to a switch is
  not counted again as a leave;
* **approaches** (R30, ``ApproachTie``): approaches and applications to join that begin in the period, their
  outcomes, and the conversion rate = joined / (joined + stayed + refused);
* **contestability** on ``as_of`` (reusing :func:`graphkit.analysis.competition.choice_sets`): the share of each
  federation's members whose choice set, the federations with a member assigned to the same commissioner, holds
  two or more; and membership concentration (HHI) per commissioner;
* **bid rivalry** (R12, ``BidTie``): per tender lot (commissioner and ``lot``), the bidders that bid in the period,
  their outcomes, the federations they stand for (a federation, or the federations owning a joint venture that
  bid), and member-against-federation bids (a bidder that is a member of a federation another bidder stands for
  on the bid's day: Struggling's super-practice against Struggling's joint venture, ``004:376``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.analysis import competition
from graphkit.analysis.history import commissioner_on, fact, holds, kind_of, within

SWITCH_DAYS = 365
FEDERATION_KINDS = frozenset({"GPFederation", "GPProviderCollaborative"})


@dataclass(frozen=True)
class ChurnResult:
    as_of: dt.date
    since: dt.date | None
    until: dt.date
    area: str | None
    switch_days: int
    joins: list[dict[str, Any]]
    leaves: list[dict[str, Any]]
    switches: list[dict[str, Any]]
    per_federation: dict[str, dict[str, int]]
    approaches: list[dict[str, Any]]
    approach_outcomes: dict[str, int]
    conversion_rate: float | None
    contestability: dict[str, float | None]
    concentration: dict[str, Any]
    tenders: list[dict[str, Any]]
    reasons: list[str]


def _in(day: dt.date | None, since: dt.date | None, until: dt.date) -> bool:
    return day is not None and (since is None or day >= since) and day <= until


def membership_churn(G: nx.Graph, as_of: dt.date, *, area: str | None = None, since: dt.date | None = None,
                     until: dt.date | None = None, switch_days: int = SWITCH_DAYS) -> ChurnResult:
    """Churn, approaches, contestability and bid rivalry (see the module docstring).

    Complexity: O(E + M log M) for E ties and M federation memberships.
    """
    until = until or as_of
    if since is not None and since > until:
        raise ValueError(f"since ({since}) must not be after until ({until}; as_of when not given)")
    scope = None if area is None else within(G, area, as_of)
    memberships = sorted(
        ((str(u), str(v), d) for u, v, d in G.edges(data=True) if d.get("kind") == "FederationMembership"
         and kind_of(G, v) in FEDERATION_KINDS and (scope is None or u in scope or v in scope)),
        key=lambda e: (e[0], e[2].get("start") or dt.date.min, e[1]),
    )
    joins = [{"practice": u, "federation": v, "day": d["start"], "sources": d.get("sources") or []}
             for u, v, d in memberships
             if _in(d.get("start"), since, until)]
    ended = [(u, v, d) for u, v, d in memberships if _in(d.get("end"), since, until)]
    switches, leaves = [], []
    for u, v, d in ended:
        nxt = [(abs((e["start"] - d["end"]).days), w, e) for p, w, e in memberships
               if p == u and w != v and e.get("start") is not None and abs((e["start"] - d["end"]).days) <= switch_days]
        if nxt:
            gap, w, e = min(nxt, key=lambda x: (x[0], x[1]))
            switches.append({"practice": u, "from": v, "to": w, "left": d["end"], "joined": e["start"],
                             "days_apart": gap,
                             "sources": sorted({*(d.get("sources") or ()), *(e.get("sources") or ())})})
        else:
            leaves.append({"practice": u, "federation": v, "day": d["end"], "sources": d.get("sources") or []})
    per: dict[str, dict[str, int]] = {}
    for j in joins:
        per.setdefault(j["federation"], {"joins": 0, "leaves": 0, "switches_in": 0, "switches_out": 0})["joins"] += 1
    for lv in leaves:
        per.setdefault(lv["federation"], {"joins": 0, "leaves": 0, "switches_in": 0, "switches_out": 0})["leaves"] += 1
    for s in switches:
        per.setdefault(s["from"], {"joins": 0, "leaves": 0, "switches_in": 0, "switches_out": 0})["switches_out"] += 1
        per.setdefault(s["to"], {"joins": 0, "leaves": 0, "switches_in": 0, "switches_out": 0})["switches_in"] += 1
    approaches = []
    outcomes: dict[str, int] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "ApproachTie" or (scope is not None and u not in scope and v not in scope):
            continue
        if d.get("start") is not None and not _in(d["start"], since, until):
            continue
        outcome = d.get("outcome") or "not recorded"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        approaches.append({**fact(d, str(u), str(v)), "outcome": outcome})
    decided = sum(outcomes.get(k, 0) for k in ("joined", "stayed", "refused"))
    conversion = outcomes.get("joined", 0) / decided if decided else None
    # contestability and concentration on the date
    fed_members: dict[str, set[str]] = {}
    for u, v, d in memberships:
        if holds(d, as_of):
            fed_members.setdefault(v, set()).add(u)
    practices = {str(n) for n, a in G.nodes(data=True) if a.get("kind") == "GPPractice"
                 and (scope is None or n in scope)}
    area_of = {p: c for p in practices if (c := commissioner_on(G, p, as_of)) is not None}
    choice = competition.choice_sets(fed_members, area_of)
    contest = competition.contestability(fed_members, choice)
    hhi = competition.membership_hhi(fed_members, area_of)
    tenders = _tenders(G, scope, since, until)
    reasons = [f"{len(joins)} joins, {len(leaves)} leaves, {len(switches)} switches (within {switch_days} days), "
               f"{len(approaches)} approaches, {len(tenders)} tender lots in {since or 'the start'} .. {until}"]
    return ChurnResult(as_of, since, until, area, switch_days, joins, leaves, switches, dict(sorted(per.items())),
                       approaches, dict(sorted(outcomes.items())), conversion, contest,
                       {a: c for a, c in hhi.items()}, tenders, reasons)


def _federations_of(G: nx.Graph, bidder: str, day: dt.date | None) -> set[str]:
    """The federations a bidder stands for: itself when it is one, and the federations that are members of it (a
    joint venture, ``CollaborationMembership``) on the bid's day."""
    found = {bidder} if kind_of(G, bidder) in FEDERATION_KINDS else set()
    if bidder in G:
        for u, _, e in G.in_edges(bidder, data=True):
            if (e.get("kind") == "CollaborationMembership" and kind_of(G, u) in FEDERATION_KINDS
                    and (day is None or holds(e, day))):
                found.add(str(u))
    return found


def _tenders(G: nx.Graph, scope: set[str] | None, since: dt.date | None, until: dt.date) -> list[dict[str, Any]]:
    lots: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "BidTie" or (scope is not None and u not in scope and v not in scope):
            continue
        if d.get("start") is not None and not _in(d["start"], since, until):
            continue
        lots.setdefault((str(v), str(d.get("lot") or "")), []).append((str(u), dict(d)))
    out = []
    for (commissioner, lot), bids in sorted(lots.items()):
        bidders = sorted({b for b, d in bids if d.get("outcome") != "not_bid"})
        # the federations a bidder stands for: itself, or the federations owning the joint venture that bid
        stands_for = {b: _federations_of(G, b, d.get("start")) for b, d in bids if b in bidders}
        feds = sorted({f for fs in stands_for.values() for f in fs})
        against = []
        for b, d in bids:
            if b not in bidders or b not in G:
                continue
            day = d.get("start")
            for _, w, e in G.out_edges(b, data=True):
                if e.get("kind") != "FederationMembership" or (day is not None and not holds(e, day)):
                    continue
                for other, fs in sorted(stands_for.items()):
                    if other != b and w in fs:
                        against.append({"member": b, "federation": str(w), "bidder": other})
        out.append({
            "commissioner": commissioner, "lot": lot or None, "bidders": bidders, "n_bidders": len(bidders),
            "federations": feds, "n_federations": len(feds),
            "outcomes": {b: d.get("outcome") for b, d in sorted(bids, key=lambda x: x[0])},
            "member_against_federation": against,
            "evidence": [fact(d, b, commissioner) for b, d in bids[:5]],
        })
    return out
