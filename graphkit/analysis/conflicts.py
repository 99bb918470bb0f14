"""Conflicts of interest: a person on a commissioner and on a provider it pays (domain-model §3.5, the related
check; the "jobs for the boys" charge of ``004:678``; ``004:66``, ``004:277``, ``004:324``, ``004:339``, ``004:354``,
``004:379``, ``004:888``; ``002:176``).

Input: the curated layers on every date (``GraphStore.history``). A **conflict-of-interest path** is

    person --post--> commissioner side (the commissioner, or its governing body or a committee: a unit of it)
    person --post--> provider side (an organisation, or a unit of it such as a federation board)
    provider --holds / holds through a joint venture it is a member of / delivers under--> contract
    contract --commissioned by--> the same commissioner

with every fact holding on a common day. The **window** is the days all of them share. A fact with no start date
is taken to have held from any earlier day, and the path names it in ``undated`` (a possible, not a dated, path).

Posts that the source says take no part in commissioning (``commissioning`` false: the report's "non-commissioning
GPs", ``004:324``) and posts held to represent another organisation (``represents``: a provider's seat at a
commissioner's meeting) are not commissioner-side posts: the paths they would make are listed apart
(``declared_separate``) with the reason. A core contract (GMS, PMS) of a practice is left out unless
``include_core``: every GP partner's practice holds one with its CCG, and CCGs were built as membership bodies of
their practices, so that conflict is structural (the report's concern is contracts beyond the core).

An **interlock** is the same person on a commissioner side and a provider side at once, contract or not (the
dated interlock of ``004:739``: an Embedded board member joining a CCG committee).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis.history import (
    COMMISSIONER_KINDS,
    CORE_CONTRACT_KINDS,
    Interval,
    Post,
    acting_for,
    intersect,
    interval,
    kind_of,
    meets,
    posts,
    within,
)


@dataclass(frozen=True)
class Interlock:
    """One person on a commissioner side and a provider side at once, over ``start``..``end``."""

    person: str
    name: str | None
    commissioner: str
    commissioner_post: dict[str, Any]
    provider: str
    provider_post: dict[str, Any]
    start: dt.date | None
    end: dt.date | None
    undated: list[str]


@dataclass(frozen=True)
class ConflictPath(Interlock):
    """An interlock while the provider holds (or delivers under) a contract of that commissioner; the window is the
    days the posts and the contract share."""

    contract: str
    contract_kind: str | None
    link: str
    link_via: str | None
    reason: str


@dataclass(frozen=True)
class ConflictResult:
    as_of: dt.date
    since: dt.date | None
    until: dt.date | None
    area: str | None
    paths: list[ConflictPath]
    interlocks: list[Interlock]
    declared_separate: list[dict[str, Any]]
    counts: dict[str, int]
    rule: str = field(default="")


def _commissioner_sides(G: nx.Graph, p: Post) -> list[tuple[str, Interval]]:
    """The commissioners a post sits on (the organisation itself, or the commissioner whose unit it is)."""
    return [(org, w) for org, w in acting_for(G, p.organisation, p.window) if kind_of(G, org) in COMMISSIONER_KINDS]


def _contract_links(G: nx.Graph, provider: str) -> list[tuple[str, str, str | None, Interval]]:
    """The contracts a provider is tied to: (contract node, link, via, interval of the link)."""
    out: list[tuple[str, str, str | None, Interval]] = []
    if provider not in G:
        return out
    for u, _, d in G.in_edges(provider, data=True):
        if d.get("kind") == "ContractHolder":
            out.append((str(u), "holds", None, interval(d)))
        elif d.get("kind") == "DeliveredBy":
            out.append((str(u), "delivers under", None, interval(d)))
    for _, jv, d in G.out_edges(provider, data=True):
        if d.get("kind") != "CollaborationMembership":
            continue
        for c, _, cd in G.in_edges(jv, data=True):
            if cd.get("kind") == "ContractHolder":
                w = intersect(interval(d), interval(cd))
                if w is not None:
                    out.append((str(c), "holds through a joint venture it is a member of", str(jv), w))
    return out


def _undated(*named: tuple[str, dt.date | None]) -> list[str]:
    return [what for what, start in named if start is None]


def conflicts_of_interest(
    G: nx.Graph, as_of: dt.date, *, area: str | None = None, since: dt.date | None = None,
    until: dt.date | None = None, include_core: bool = False, include_undated: bool = True,
) -> ConflictResult:
    """Every conflict-of-interest path and interlock holding on ``as_of``, or, when ``since`` or ``until`` is
    given, meeting the period [since, until] (either open); in ``area`` when given (a commissioner, or an area whose
    commissioners are counted: its units and members one level down at a time, on ``as_of``).

    Complexity: O(P² + P·C) for P post holdings per person and C contracts per provider.
    """
    period = since is not None or until is not None

    def wanted(w: Interval) -> bool:
        return meets(w, since, until) if period else intersect(w, (as_of, as_of)) is not None

    scope = None if area is None else within(G, area, as_of) | {area}
    by_person: dict[str, list[Post]] = {}
    for p in posts(G):
        by_person.setdefault(p.person, []).append(p)
    paths: list[ConflictPath] = []
    interlocks: list[Interlock] = []
    separate: list[dict[str, Any]] = []
    links: dict[str, list[tuple[str, str, str | None, Interval]]] = {}  # a provider's contracts, read once
    for person, held in sorted(by_person.items()):
        name = G.nodes[person].get("name") if person in G else None
        sides_of = [_commissioner_sides(G, p) for p in held]
        for cp, sides in zip(held, sides_of, strict=True):
            for commissioner, c_window in sides:
                if scope is not None and commissioner not in scope:
                    continue
                declared = None
                if cp.commissioning is False:
                    declared = "the source says the post takes no part in commissioning (a non-commissioning role)"
                elif cp.represents is not None and cp.represents != commissioner:
                    declared = f"the post is held to represent {cp.represents}, not as a commissioner"
                for pp, pp_sides in zip(held, sides_of, strict=True):
                    if pp is cp or pp_sides:
                        continue
                    for provider, p_window in acting_for(G, pp.organisation, pp.window):
                        if kind_of(G, provider) in COMMISSIONER_KINDS:
                            continue
                        both = intersect(c_window, p_window)
                        if both is None:
                            continue
                        if declared is None and wanted(both):
                            interlocks.append(Interlock(
                                person, name, commissioner, cp.evidence(), provider, pp.evidence(), both[0], both[1],
                                _undated(("commissioner post", cp.start), ("provider post", pp.start)),
                            ))
                        if provider not in links:
                            links[provider] = _contract_links(G, provider)
                        for contract, link, via, l_window in links[provider]:
                            node = G.nodes[contract]
                            if node.get("commissioner") != commissioner:
                                continue
                            if node.get("kind") in CORE_CONTRACT_KINDS and not include_core:
                                continue
                            w = intersect(both, l_window, (node.get("start"), node.get("end")))
                            if w is None or not wanted(w):
                                continue
                            undated = _undated(("commissioner post", cp.start), ("provider post", pp.start),
                                               ("contract", node.get("start")))
                            if undated and not include_undated:
                                continue
                            reason = (f"{person} holds a post at {cp.organisation} (for {commissioner}) and at "
                                      f"{pp.organisation} (for {provider}) while {provider} {link}"
                                      f"{' ' + via if via else ''} {node.get('name')}, commissioned by {commissioner}")
                            path = ConflictPath(
                                person=person, name=name, commissioner=commissioner, commissioner_post=cp.evidence(),
                                provider=provider, provider_post=pp.evidence(), start=w[0], end=w[1],
                                undated=undated, contract=str(node.get("name")), contract_kind=node.get("kind"),
                                link=link, link_via=via, reason=reason,
                            )
                            if declared is not None:
                                separate.append({"path": path, "why_not_a_conflict": declared})
                            else:
                                paths.append(path)
    interlocks = _unique(interlocks)
    counts = {
        "paths": len(paths), "dated_paths": sum(1 for p in paths if not p.undated),
        "people": len({p.person for p in paths}), "contracts": len({p.contract for p in paths}),
        "interlocks": len(interlocks), "declared_separate": len(separate),
    }
    rule = ("a person holds, on a common day, a post on a commissioner (or its governing body or committee) and a "
            "post on a provider (or its board) that holds, holds through a joint venture, or delivers under a "
            "contract of that commissioner" + ("" if include_core else "; core GMS/PMS contracts left out"))
    return ConflictResult(as_of, since, until, area, paths, interlocks, separate, counts, rule)


def _unique(items: list[Interlock]) -> list[Interlock]:
    seen: dict[tuple[Any, ...], Interlock] = {}
    for i in items:
        key = (i.person, i.commissioner, i.provider, i.commissioner_post.get("line"), i.provider_post.get("line"))
        seen.setdefault(key, i)
    return sorted(seen.values(), key=lambda i: (i.commissioner, i.provider, i.person, str(i.start)))
