"""What a federation's centre does to manage interdependence: directing, engineering, co-producing
(domain-model §3.3; ``004:617-641``, Table 6 ``004:744-758``).

Input: the curated layers on every date (``GraphStore.history``), a centre and a date. Activities are read off the
centre's ties:

* **directing**: the rules the centre sets its members (``DirectsTie``: a directive, or a governance tie in Hood's
  oversight mode);
* **engineering**: structures the centre sets up or supports so that members build lateral ties
  (``FacilitationTie``, to a subfederation group or to members);
* **co-producing**: joint work with outside bodies where control is not attempted (engagement, partnership,
  representation, learning and funding ties of the centre with a non-member).

One **activity** is the ties of one type that share a mechanism (forty members under one rule are one directing
activity with forty targets, whether they joined at the start or later); its first day is the earliest of them.

Measures per activity and per centre, over the period [since, until] (``until`` defaults to ``as_of``):

* the activity mix: counts and shares of the three types;
* **directing compliance**: for each rule, of the members subject to it on ``as_of``, how many complied, in part
  or not (the tie's ``compliance``), and the compliance rate among those with a recorded compliance (Expanding:
  all but 4 compliant at the end of fieldwork, ``004:446``);
* **engineering effect**: the lateral tie share among the targeted members (member-member pairs with a functional
  tie / those plus member-centre pairs, §3.1) on the activity's first day and ``months`` later, its change ΔLTS,
  and the functional ties among the targets that began in between (ties that trace back to the activity). An
  undated activity has no before and after: ΔLTS is None and the reason says so;
* **co-production footprint and reach**: the outside partners, and how many scale levels above the centre each sits
  (1 practice ... 5 national; reach upward = partners above the centre);
* **challenge capacity**: subfederation groups of the centre that won a bid on their own (``004:204``, ``004:638``).

``months`` (default 12) is a parameter: one year, the period over which the report follows change at each site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis._common import FUNCTIONAL_KINDS, SCALE_LEVEL_BY_KIND
from graphkit.analysis.history import fact, holds, kind_of, meets, members_on

TYPES = ("directing", "engineering", "co-producing")
CO_PRODUCING_KINDS = frozenset({"PartnershipTie", "LearningTie", "FundingTie", "EngagementTie", "RepresentationTie"})


@dataclass(frozen=True)
class Activity:
    type: str
    mechanism: str | None
    start: dt.date | None
    targets: list[str]
    ties: int
    evidence: list[dict[str, Any]]
    measures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivityResult:
    centre: str
    as_of: dt.date
    since: dt.date | None
    until: dt.date
    members: int
    activities: list[Activity]
    mix: dict[str, dict[str, float | int | None]]
    directing: dict[str, Any]
    co_production: dict[str, Any]
    challenge_capacity: dict[str, Any]
    reasons: list[str]


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _pairs(G: nx.Graph, nodes: set[str], centre: str, day: dt.date, *, since: dt.date | None = None
           ) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """Member-member and member-centre pairs joined by a functional tie holding on ``day`` (begun after ``since``
    when given)."""
    mm: set[frozenset[str]] = set()
    mc: set[frozenset[str]] = set()
    for u, v, d in G.edges(data=True):
        if d.get("kind") not in FUNCTIONAL_KINDS or u == v or not holds(d, day):
            continue
        if since is not None and (d.get("start") is None or d["start"] <= since):
            continue
        if u in nodes and v in nodes:
            mm.add(frozenset((u, v)))
        elif (u in nodes and v == centre) or (v in nodes and u == centre):
            mc.add(frozenset((u, v)))
    return mm, mc


def _lts(G: nx.Graph, nodes: set[str], centre: str, day: dt.date) -> float | None:
    mm, mc = _pairs(G, nodes, centre, day)
    return len(mm) / (len(mm) + len(mc)) if mm or mc else None


def _targets(G: nx.Graph, target: str, day: dt.date) -> set[str]:
    """The members an engineering activity targets: a group's members on the day, else the target itself."""
    if kind_of(G, target) == "SubfederationGroup":
        return {str(u) for u, _, d in G.in_edges(target, data=True)
                if d.get("kind") == "SubfederationMembership" and holds(d, day)}
    return {target}


def activities(G: nx.Graph, as_of: dt.date, *, centre: str, since: dt.date | None = None,
               until: dt.date | None = None, months: int = 12) -> ActivityResult:
    """The centre's activities meeting the period, with their measures (see the module docstring).

    Complexity: O(A·E) for A activities and E ties (each engineering activity reads the ties twice).
    """
    until = until or as_of
    if since is not None and since > until:
        raise ValueError(f"since ({since}) must not be after until ({until}; as_of when not given)")
    members = members_on(G, centre, as_of)
    groups: dict[tuple[str, str | None], list[tuple[str, str, Mapping[str, Any]]]] = {}
    for u, v, d in G.edges(data=True):
        kind = d.get("kind")
        if not meets((d.get("start"), d.get("end")), since, until):
            continue
        if kind == "DirectsTie" and u == centre:
            kind_name = "directing"
        elif kind == "FacilitationTie" and u == centre:
            kind_name = "engineering"
        elif kind in CO_PRODUCING_KINDS and centre in (u, v) and (v if u == centre else u) not in members:
            kind_name = "co-producing"
        else:
            continue
        mech = d.get("requirement") if kind == "DirectsTie" else d.get("mechanism")
        groups.setdefault((kind_name, mech), []).append((str(u), str(v), d))
    acts: list[Activity] = []
    for (kind_name, mech), es in sorted(groups.items(), key=lambda kv: (TYPES.index(kv[0][0]), str(kv[0][1]))):
        starts = [d["start"] for _, _, d in es if d.get("start") is not None]
        start = min(starts) if len(starts) == len(es) else None  # undated when any of its ties is
        targets = sorted({v if u == centre else u for u, v, _ in es})
        measures: dict[str, Any] = {}
        if kind_name == "directing":
            measures = _compliance(es, as_of)
        elif kind_name == "engineering":
            measures = _engineering(G, centre, targets, start, months)
        else:
            measures = _reach(G, centre, targets)
        acts.append(Activity(kind_name, mech, start, targets, len(es), [fact(d, u, v) for u, v, d in es[:3]],
                             measures))
    counts = {t: sum(1 for a in acts if a.type == t) for t in TYPES}
    total = sum(counts.values())
    mix = {t: {"activities": counts[t], "share": counts[t] / total if total else None} for t in TYPES}
    directing = _directing_summary([a for a in acts if a.type == "directing"], members)
    co = [a for a in acts if a.type == "co-producing"]
    partners = sorted({t for a in co for t in a.targets})
    reach = {p: _level(G, p) for p in partners}
    own = _level(G, centre)
    upward = sorted(p for p, lv in reach.items() if lv is not None and own is not None and lv > own)
    co_production = {
        "structures": len(co), "partners": partners, "partner_levels": reach, "centre_level": own,
        "reach_upward": upward,
        "max_levels_above": max((lv - own for lv in reach.values() if lv is not None and own is not None),
                                default=None),
    }
    challenge = _challenge(G, centre, as_of)
    reasons = [f"{total} activities of {centre} meeting {since or 'the start'} .. {until}: "
               + ", ".join(f"{counts[t]} {t}" for t in TYPES)]
    if directing.get("summary"):
        reasons.append(directing["summary"])
    return ActivityResult(centre, as_of, since, until, len(members), acts, mix, directing, co_production,
                          challenge, reasons)


def _compliance(es: list[tuple[str, str, Mapping[str, Any]]], as_of: dt.date) -> dict[str, Any]:
    subject = [(v, d) for _, v, d in es if holds(d, as_of)]
    counts = {"complied": 0, "partial": 0, "not_complied": 0, "not recorded": 0}
    not_complied = []
    for v, d in subject:
        c = d.get("compliance") or "not recorded"
        counts[c] = counts.get(c, 0) + 1
        if c == "not_complied":
            not_complied.append(v)
    recorded = len(subject) - counts["not recorded"]
    rate = counts["complied"] / recorded if recorded else None
    monitored = sorted({bool(d.get("monitored")) for _, d in subject})
    sanctions = sorted({str(d["sanction"]) for _, d in subject if d.get("sanction")})
    return {"subject": len(subject), "compliance": counts, "compliance_rate": rate,
            "not_complied": sorted(not_complied), "monitored": monitored, "sanctions": sanctions}


def _directing_summary(acts: list[Activity], members: set[str]) -> dict[str, Any]:
    rules = []
    for a in acts:
        m = a.measures
        n, c = m["subject"], m["compliance"]
        recorded = n - c["not recorded"]
        if recorded:
            short = recorded - c["complied"]
            text = (f"'{a.mechanism}': {c['complied']} of {recorded} members with a recorded compliance complied"
                    + (f" (all but {short})" if 0 < short < recorded else "") + f"; {n} subject on the date")
        else:
            text = f"'{a.mechanism}': {n} members subject, compliance not recorded"
        rules.append({"rule": a.mechanism, "start": a.start, "summary": text, **m})
    subject = {t for a in acts for t in a.targets}
    out: dict[str, Any] = {"rules": rules, "members_subject": len(subject & members) if members else len(subject),
                           "coverage": len(subject & members) / len(members) if members else None}
    with_record = [r for r in rules if r["compliance_rate"] is not None]
    if with_record:
        out["summary"] = "; ".join(r["summary"] for r in with_record)
    return out


def _engineering(G: nx.Graph, centre: str, targets: list[str], start: dt.date | None, months: int) -> dict[str, Any]:
    if start is None:
        return {"lts_before": None, "lts_after": None, "delta_lts": None, "new_lateral_ties": None,
                "reason": "the activity is undated in the source: there is no before and after to compare"}
    after = _add_months(start, months)
    nodes = set().union(*(_targets(G, t, start) | _targets(G, t, after) for t in targets)) if targets else set()
    before_lts, after_lts = _lts(G, nodes, centre, start), _lts(G, nodes, centre, after)
    new_mm, _ = _pairs(G, nodes, centre, after, since=start)
    return {"members_targeted": len(nodes), "on": start, "after": after, "lts_before": before_lts,
            "lts_after": after_lts,
            "delta_lts": None if before_lts is None or after_lts is None else after_lts - before_lts,
            "new_lateral_ties": len(new_mm)}


def _level(G: nx.Graph, node: str) -> int | None:
    level = G.nodes[node].get("scale_level") if node in G else None
    return int(level) if level is not None else SCALE_LEVEL_BY_KIND.get(kind_of(G, node) or "")


def _reach(G: nx.Graph, centre: str, targets: list[str]) -> dict[str, Any]:
    own = _level(G, centre)
    levels = {t: _level(G, t) for t in targets}
    return {"partner_levels": levels,
            "levels_above": {t: (lv - own if lv is not None and own is not None else None) for t, lv in levels.items()}}


def _challenge(G: nx.Graph, centre: str, day: dt.date) -> dict[str, Any]:
    groups = sorted({str(v) for u, v, d in G.edges(data=True)
                     if d.get("kind") == "SubfederationMembership" and kind_of(G, v) == "SubfederationGroup"
                     and any(w == centre and dd.get("kind") == "FederationMembership"
                             for _, w, dd in G.out_edges(u, data=True))})
    winners = sorted({str(u) for u, _, d in G.edges(data=True)
                      if d.get("kind") == "BidTie" and d.get("outcome") == "won" and u in groups})
    return {"groups": groups, "won_bids_alone": winners, "capacity": len(winners)}
