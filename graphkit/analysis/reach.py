"""What a meta-organisation reaches beyond itself: its board members, its external ties (direct, and through its
board members' other posts), its engagements with system bodies, and the scale levels an actor's ties reach
(domain-model §3.7). The style scores of :mod:`graphkit.analysis.style` are built on this evidence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.analysis._common import (
    MEMBERSHIP_KINDS,
    POST_KIND,
    SCALE_LEVEL_BY_KIND,
    SUBFEDERATION_KIND,
    edge_kind,
    incident_edges,
    is_person,
    members_of,
    neighbours,
    node_kind,
    scale_level,
)

ENGAGEMENT_KINDS: frozenset[str] = frozenset({"CoProduces", "Initiates"})
DIRECTS_KIND = "DirectsTie"
#: Edge kinds that are internal to the meta-organisation and never external ties.
#: An approach to join (``ApproachTie``, R30) is a prospective membership, not a tie with the world outside.
INTERNAL_KINDS: frozenset[str] = MEMBERSHIP_KINDS | {SUBFEDERATION_KIND, DIRECTS_KIND, POST_KIND, "ApproachTie"}


@dataclass(frozen=True)
class ScaleProfile:
    """§3.7: the scale levels an actor's external ties reach."""

    actor: str
    own_level: int | None
    levels: dict[int, int]
    span: int
    entropy: float
    scalarity: str


def _groups(G: nx.Graph, members: Collection[str]) -> set[str]:
    """The groups the members belong to (targets of their subfederation memberships), read from the members' own
    edges; any other ``SubfederationGroup`` node is internal too (:func:`_internal`)."""
    found: set[str] = set()
    for m in members:
        for u, v, data in incident_edges(G, m):
            if edge_kind(data) == SUBFEDERATION_KIND and str(u) in members:
                found.add(str(v))
    return found


def _internal(G: nx.Graph, node: Any, internal: Collection[str]) -> bool:
    return node in internal or node_kind(G, node) == "SubfederationGroup"


def board_members(G: nx.Graph, centre: str) -> tuple[list[str], list[str]]:
    """People holding a post at the centre, and the centre's board nodes.

    Board nodes: nodes of kind ``FederationBoard`` joined to the centre by any edge. Board members: ``Person`` nodes
    with a ``PostHolding`` edge (either direction) to the centre or to a board node, whatever the ``role``.
    Basis: domain-model §4.5 (board composition, ``004:214-216``, ``004:293-295``). Departure: every post-holder at
    the centre counts (chair, directors, SMT), since the seeds' boards and SMTs overlap (``004:352``, ``004:648``).
    Complexity: O(degree of the centre and its boards).

    >>> from graphkit.analysis import examples
    >>> board_members(examples.people(), "ZZF001")
    (['P-0001', 'P-0002'], [])
    """
    boards = sorted(str(n) for n in neighbours(G, centre) if node_kind(G, n) == "FederationBoard")
    people: set[str] = set()
    for seat in [centre, *boards]:
        for u, v, data in incident_edges(G, seat):
            other = v if u == seat else u
            if edge_kind(data) == POST_KIND and is_person(G, other):
                people.add(str(other))
    return sorted(people), boards


def external_ties(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None, via_posts: bool = True
) -> list[str]:
    """Organisations the centre is tied to outside itself, directly or (``via_posts``) through its board members'
    other posts.

    Direct: any edge at the centre, in either direction, except membership, subfederation membership, directives,
    approaches to join and posts, whose other end is not a member, a subfederation group, a board node or a person.
    Through posts: organisations where a board member holds a ``PostHolding``, other than the centre, its boards, its
    members and its groups (a GP director's own practice is internal).
    Basis: domain-model §3.2 scale reach and §3.6 ("ties held through board members' posts"); ``004:259``,
    ``004:738``. Complexity: the edges of the centre, its members and its board members.

    >>> from graphkit.analysis import examples
    >>> external_ties(examples.people(), "ZZF001")
    ['ZZC001', 'ZZP001', 'ZZS001']
    """
    member_set = set(members) if members is not None else members_of(G, centre)
    people, boards = board_members(G, centre)
    internal = member_set | _groups(G, member_set) | set(boards) | {centre}
    found: set[str] = set()
    for u, v, data in incident_edges(G, centre):
        other = v if u == centre else u
        if edge_kind(data) in INTERNAL_KINDS or _internal(G, other, internal) or is_person(G, other):
            continue
        found.add(str(other))
    for p in people:
        for u, v, data in incident_edges(G, p):
            other = v if u == p else u
            kind = edge_kind(data)
            wanted = kind in ENGAGEMENT_KINDS or (via_posts and kind == POST_KIND)
            if wanted and not _internal(G, other, internal) and not is_person(G, other):
                found.add(str(other))
    return sorted(found)


def _engagements(G: nx.Graph, centre: str, people: Collection[str]) -> list[tuple[bool, bool]]:
    """(initiated by the centre, future horizon) per CoProduces/Initiates edge at the centre or a board member."""
    out: list[tuple[bool, bool]] = []
    seen: set[int] = set()
    for actor in [centre, *people]:
        for u, _v, data in incident_edges(G, actor):
            if edge_kind(data) not in ENGAGEMENT_KINDS or id(data) in seen:
                continue
            seen.add(id(data))
            flag = data.get("initiated_by_centre")
            if flag is None:
                flag = edge_kind(data) == "Initiates" and (u == centre or u in people)
            out.append((bool(flag), data.get("horizon") == "future"))
    return out


def scale_profile(
    G: nx.Graph, actor: Hashable, *, via_posts: bool = True, fallback: Mapping[str, int] | None = None
) -> ScaleProfile:
    """§3.7 scale measures of an organisation or a person.

    Ties: for an organisation, :func:`external_ties` (through its post-holders' posts when ``via_posts``); for a
    person, the organisations where they hold posts. ``levels`` counts ties per scale level;
    ``span = |levels|``; ``entropy`` = Shannon entropy (bits) of that distribution. Own level: the organisation's
    level; for a person, the lowest level among their posts. **Uniscalar**: no tie above the own level;
    **multiscalar**: ties at ≥ 2 levels other than the own level, at least one above it; otherwise **limited
    multiscalar**; "unknown" if the own level is unknown.
    Basis: domain-model §3.7 (the concept is the project's: only "uniscalar" occurs, ``004:757``; see also
    ``004:738``, ``004:866``). Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> p = scale_profile(examples.people(), "P-0001"); p.levels, p.own_level, p.scalarity
    ({3: 2, 4: 1}, 3, 'limited multiscalar')
    """
    table = SCALE_LEVEL_BY_KIND if fallback is None else fallback
    if is_person(G, actor):
        ties = sorted(
            str(v if u == actor else u) for u, v, d in incident_edges(G, actor) if edge_kind(d) in (POST_KIND, None)
        )
        own = min((lvl for t in ties if (lvl := scale_level(G, t, table)) is not None), default=None)
    else:
        ties = external_ties(G, str(actor), via_posts=via_posts)
        own = scale_level(G, actor, table)
    counts = Counter(lvl for t in ties if (lvl := scale_level(G, t, table)) is not None)
    total = sum(counts.values())
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0
    if own is None:
        label = "unknown"
    else:
        above = [lvl for lvl in counts if lvl > own]
        others = [lvl for lvl in counts if lvl != own]
        label = "uniscalar" if not above else "multiscalar" if len(others) >= 2 else "limited multiscalar"
    return ScaleProfile(
        actor=str(actor),
        own_level=own,
        levels=dict(sorted(counts.items())),
        span=len(counts),
        entropy=entropy + 0.0,
        scalarity=label,
    )
