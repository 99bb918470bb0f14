"""Governance modes: Hood's four types of control and the hybrids of seed 000 (domain-model §3.4).

Input: the curated layers on every date (``GraphStore.history``) and a date. A **mechanism instance** is a tie
holding on the date that records its Hood mode (``hood_mode``: a governance tie always, a directive when monitored),
from the overseer to the overseen; an inspection is a governance tie with a ``selection_basis``. A directive with
no Hood mode (an unmonitored rule, ``004:623``) is counted as unclassified and shown, not guessed.

Measures, per governed dyad (overseer -> overseen) and per overseer (over all its dyads):

* the **governance profile** ``h = (O, K, M, R)``: the share of the dyad's mechanism instances in each mode
  (Oversight, Kompetition, Mutuality, contrived Randomness);
* **hybrids**: *comptrol* when O ≥ θ and K ≥ θ (Hood 1986 via ``000:376``, ``000:464``); *comptrol with
  mutuality* (Grant's hybrid 1, ``000:70``, ``000:374-384``) when comptrol holds and M ≥ θ; *restratified
  oversight* (hybrid 2, ``000:388-398``) when O ≥ θ and the clinical-elite share of the oversight's carriers
  (the people holding posts in the overseer or its units on the date) is at least ``elite_share`` (§3.5);
* structural correlates: the flow hierarchy of the directed governance graph (Krackhardt, ``nx.flow_hierarchy``),
  its reciprocity, the share of governance ties between organisations of the same kind (peers), the share of
  inspections whose selection basis is random (contrived randomness), and the share of oversight ties carried by
  peers (an overseer carrier who is a clinical elite of a profession found at the overseen practice, §3.5).

Thresholds and their basis: θ = 0.25 is the domain model's default (§3.4): with four modes, a mode at or above its
equal share. ``elite_share`` = 0.5: "carried out by clinical-elite persons" read as at least half of the carriers
(§3.4 hybrid 2). Both are parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis.elites import PROFESSION_BY_ROLE, PersonStrata, is_clinical, people_on
from graphkit.analysis.history import fact, holds, posts, within
from graphkit.core.temporal import holds_on

MODES: tuple[str, ...] = ("Oversight", "Competition", "Mutuality", "ContrivedRandomness")
LETTER = {"Oversight": "O", "Competition": "K", "Mutuality": "M", "ContrivedRandomness": "R"}
THETA = 0.25
ELITE_SHARE = 0.5


@dataclass(frozen=True)
class Profile:
    """The governance profile of a dyad or of an overseer."""

    overseer: str
    overseen: str | None
    instances: int
    counts: dict[str, int]
    h: dict[str, float | None]
    hybrids: list[str]
    reasons: list[str]
    elite_carrier_share: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class GovernanceResult:
    as_of: dt.date
    area: str | None
    theta: float
    elite_share: float
    dyads: list[Profile]
    overseers: list[Profile]
    unclassified: list[dict[str, Any]]
    flow_hierarchy: float | None
    reciprocity: float | None
    peer_tie_share: float | None
    inspections: int
    random_inspection_share: float | None
    peer_oversight_share: float | None
    peer_oversight: dict[str, Any]
    reasons: list[str]


def _instances(G: nx.Graph, day: dt.date, scope: set[str] | None) -> tuple[list[tuple[str, str, Mapping[str, Any]]],
                                                                           list[tuple[str, str, Mapping[str, Any]]]]:
    found, unclassified = [], []
    for u, v, d in G.edges(data=True):
        if u == v or not holds(d, day):
            continue
        if scope is not None and u not in scope and v not in scope:
            continue
        if d.get("hood_mode") in MODES:
            found.append((str(u), str(v), d))
        elif d.get("kind") == "DirectsTie":
            unclassified.append((str(u), str(v), d))
    return found, unclassified


def carriers(G: nx.Graph, overseer: str, day: dt.date) -> set[str]:
    """The people who carry out an overseer's governance on the day: those holding a post in it or in one of its
    units (board, committee, governance team)."""
    units = {str(u) for u, _, d in G.in_edges(overseer, data=True)
             if d.get("kind") == "UnitMembership" and holds(d, day)} if overseer in G else set()
    return {str(u) for org in {overseer} | units if org in G for u, _, d in G.in_edges(org, data=True)
            if d.get("kind") == "PostHolding" and holds(d, day)}


def _profile(overseer: str, overseen: str | None, edges: list[tuple[str, str, Mapping[str, Any]]], theta: float,
             elite_share: float, elite_carriers: float | None) -> Profile:
    counts = {m: 0 for m in MODES}
    for _, _, d in edges:
        counts[str(d["hood_mode"])] += 1
    n = sum(counts.values())
    h = {LETTER[m]: (counts[m] / n if n else None) for m in MODES}
    hybrids, reasons = [], []
    o, k, m = h["O"] or 0.0, h["K"] or 0.0, h["M"] or 0.0
    if o >= theta and k >= theta:
        hybrids.append("comptrol")
        reasons.append(f"comptrol: O = {o:.2f} >= θ {theta:g} and K = {k:.2f} >= θ {theta:g}")
        if m >= theta:
            hybrids.append("comptrol with mutuality")
            reasons.append(f"comptrol with mutuality: comptrol and M = {m:.2f} >= θ {theta:g}")
        else:
            reasons.append(f"not comptrol with mutuality: M = {m:.2f} < θ {theta:g}")
    elif n:
        reasons.append(f"not comptrol: O = {o:.2f}, K = {k:.2f} (both must be >= θ {theta:g})")
    if o >= theta and elite_carriers is not None and elite_carriers >= elite_share:
        hybrids.append("restratified oversight")
        reasons.append(f"restratified oversight: O = {o:.2f} >= θ {theta:g} and clinical-elite share of the "
                       f"oversight's carriers {elite_carriers:.2f} >= {elite_share:g}")
    elif o >= theta:
        share = "unknown (no carriers recorded)" if elite_carriers is None else f"{elite_carriers:.2f}"
        reasons.append(f"not restratified oversight: clinical-elite share of the oversight's carriers {share} "
                       f"(needs >= {elite_share:g})")
    evidence = [fact(d, u, v) for u, v, d in edges[:5]]
    return Profile(overseer, overseen, n, counts, h, hybrids, reasons, elite_carriers, evidence)


def governance_profile(G: nx.Graph, as_of: dt.date, *, area: str | None = None, theta: float = THETA,
                       elite_share: float = ELITE_SHARE) -> GovernanceResult:
    """The governance profiles, hybrids and structural correlates on ``as_of`` (in ``area`` when given: the
    dyads with either end in the area, its units and members; see the module docstring).

    Complexity: O(E + P·D) for E ties, P post holdings and D overseers (carriers are read per overseer).
    """
    scope = None if area is None else within(G, area, as_of)
    found, unclassified = _instances(G, as_of, scope)
    people = people_on(G, as_of)
    by_dyad: dict[tuple[str, str], list[tuple[str, str, Mapping[str, Any]]]] = {}
    by_overseer: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = {}
    for e in sorted(found, key=lambda e: (e[0], e[1], str(e[2].get("hood_mode")), e[2].get("line") or 0)):
        by_dyad.setdefault((e[0], e[1]), []).append(e)
        by_overseer.setdefault(e[0], []).append(e)
    elite_of: dict[str, float | None] = {}
    carried: dict[str, set[str]] = {}
    for overseer in by_overseer:
        who = carriers(G, overseer, as_of)
        carried[overseer] = who
        elite_of[overseer] = (sum(1 for p in who if people.get(p) is not None and people[p].elite) / len(who)
                              if who else None)
    dyads = [_profile(o, s, es, theta, elite_share, elite_of[o]) for (o, s), es in by_dyad.items()]
    overseers = [_profile(o, None, es, theta, elite_share, elite_of[o]) for o, es in by_overseer.items()]
    # structural correlates over the governance graph of the date
    gov = nx.DiGraph()
    gov.add_edges_from((u, v) for u, v, _ in found + unclassified)
    flow = nx.flow_hierarchy(gov) if gov.number_of_edges() else None
    recip = nx.reciprocity(gov) if gov.number_of_edges() else None
    pairs = list(gov.edges())
    same = sum(1 for u, v in pairs if G.nodes[u].get("kind") == G.nodes[v].get("kind"))
    inspections = [d for _, _, d in found if d.get("selection_basis")]
    random = sum(1 for d in inspections if d.get("selection_basis") == "random")
    peer = _peer_oversight(G, as_of, found, carried, people)
    reasons = [f"{len(found)} mechanism instances with a Hood mode on {as_of} in {len(by_dyad)} dyads"]
    if unclassified:
        reasons.append(f"{len(unclassified)} directives with no Hood mode (unmonitored rules) left out of the shares")
    return GovernanceResult(
        as_of=as_of, area=area, theta=theta, elite_share=elite_share, dyads=dyads, overseers=overseers,
        unclassified=[fact(d, u, v) for u, v, d in unclassified[:20]], flow_hierarchy=flow, reciprocity=recip,
        peer_tie_share=same / len(pairs) if pairs else None, inspections=len(inspections),
        random_inspection_share=random / len(inspections) if inspections else None,
        peer_oversight_share=peer["share"], peer_oversight=peer, reasons=reasons,
    )


def _peer_oversight(G: nx.Graph, day: dt.date, found: list[tuple[str, str, Mapping[str, Any]]],
                    carried: Mapping[str, set[str]], people: Mapping[str, PersonStrata]) -> dict[str, Any]:
    """The share of oversight and peer-review ties (Oversight and Mutuality modes) whose overseer has a carrier
    who is a clinical elite of a profession found among the overseen practice's clinicians; ties to a practice with
    no clinician recorded are counted apart (``unknown``)."""
    professions_at: dict[str, set[str]] = {}
    for p in posts(G):
        if is_clinical(G, p) and holds_on(p.start, p.end, day) and p.role:
            professions_at.setdefault(p.organisation, set()).add(PROFESSION_BY_ROLE[p.role])
    peer = known = unknown = 0
    for u, v, d in found:
        if d.get("hood_mode") not in ("Oversight", "Mutuality"):
            continue
        theirs = professions_at.get(v)
        if not theirs:
            unknown += 1
            continue
        known += 1
        elite_professions = {pr for person in carried.get(u, ()) if (ps := people.get(person)) is not None and ps.elite
                             for pr in ps.professions}
        peer += bool(elite_professions & theirs)
    return {"ties": known + unknown, "known": known, "by_peers": peer, "unknown": unknown,
            "share": peer / known if known else None}
