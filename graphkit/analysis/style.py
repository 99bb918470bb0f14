"""Meta-organisation style: control × system proactivity (domain-model §3.2), and scale reach (§3.7).

Input: a graph holding the meta-organisation's centre, its members (membership edges), its board members
(``Person`` nodes with ``PostHolding`` edges to the centre or to a ``FederationBoard`` node joined to the centre),
their other posts, and the centre's external ties. See ``docs/analyses.md`` for the exact attributes read.

Both scores are kept continuous in [0, 1]; :func:`classify_style` turns a pair into one of the four styles of
``004:657`` and ``004:807``: authoritative, indulgent, neglectful, authoritarian.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass

import networkx as nx

from graphkit.analysis._common import (
    MEMBERSHIP_KINDS,
    POST_KIND,
    SCALE_LEVEL_BY_KIND,
    SUBFEDERATION_KIND,
    edge_kind,
    edges,
    incident_edges,
    is_person,
    mean,
    members_of,
    neighbours,
    node_kind,
    scale_level,
)

#: The fixed list of back-office functions of §3.2 (centre node attribute ``central_functions``).
CENTRAL_FUNCTIONS: tuple[str, ...] = ("cqc_registration", "payroll", "accounting", "intranet", "hr", "clinical_system")
#: Kinds of system-level bodies whose seats count as STP/ICS presence.
STP_KINDS: frozenset[str] = frozenset(
    {"STPBoard", "IntegratedCareSystem", "SustainabilityAndTransformationPartnership", "IntegratedCareBoard"}
)
ENGAGEMENT_KINDS: frozenset[str] = frozenset({"CoProduces", "Initiates"})
DIRECTS_KIND = "DirectsTie"
#: Edge kinds that are internal to the meta-organisation and never external ties.
INTERNAL_KINDS: frozenset[str] = MEMBERSHIP_KINDS | {SUBFEDERATION_KIND, DIRECTS_KIND, POST_KIND}
#: Number of rungs on the scale ladder (divisor of scale reach).
SCALE_RUNGS = 5

AUTHORITATIVE = "authoritative"
AUTHORITARIAN = "authoritarian"
INDULGENT = "indulgent"
NEGLECTFUL = "neglectful"


@dataclass(frozen=True)
class StyleThresholds:
    """τ (``tau``) splits high from low on both scores; τ_low (``tau_low`` ≤ τ) splits indulgent from neglectful.

    Defaults: τ = 0.5 (§3.2); τ_low = 0.3, the project's calibration, so that a federation that is "responsive and
    sometimes proactive" (Embedded, Table 5 ``004:644-651``) clears it and a "passive" one does not.

    >>> StyleThresholds()
    StyleThresholds(tau=0.5, tau_low=0.3)
    >>> StyleThresholds(tau=0.4, tau_low=0.6)
    Traceback (most recent call last):
    ...
    ValueError: tau_low (0.6) must not exceed tau (0.4)
    """

    tau: float = 0.5
    tau_low: float = 0.3

    def __post_init__(self) -> None:
        if self.tau_low > self.tau:
            raise ValueError(f"tau_low ({self.tau_low}) must not exceed tau ({self.tau})")


@dataclass(frozen=True)
class Score:
    """A score in [0, 1] and the sub-indicators (each in [0, 1]) it is the mean of."""

    score: float
    components: dict[str, float]


@dataclass(frozen=True)
class StyleResult:
    """Control, proactivity, the style, and the evidence behind them."""

    centre: str
    ctrl: float
    pro: float
    style: str
    control: dict[str, float]
    proactivity: dict[str, float]
    scale_levels: list[int]
    external_ties: list[str]
    board_members: list[str]
    engagements: int


@dataclass(frozen=True)
class ScaleProfile:
    """§3.7: the scale levels an actor's external ties reach."""

    actor: str
    own_level: int | None
    levels: dict[int, int]
    span: int
    entropy: float
    scalarity: str


# --- evidence ---------------------------------------------------------------------------------------------------


def _groups(G: nx.Graph, members: Collection[str]) -> set[str]:
    found = {str(n) for n in G.nodes if node_kind(G, n) == "SubfederationGroup"}
    for u, v, data in edges(G):
        if edge_kind(data) == SUBFEDERATION_KIND and str(u) in members:
            found.add(str(v))
    return found


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

    Direct: any edge at the centre, in either direction, except membership, subfederation membership, directives
    and posts, whose other end is not a member, a subfederation group, a board node or a person. Through posts:
    organisations where a board member holds a ``PostHolding``, other than the centre, its boards, its members and
    its groups (a GP director's own practice is internal).
    Basis: domain-model §3.2 scale reach and §3.6 ("ties held through board members' posts"); ``004:259``,
    ``004:738``. Complexity: O(V + E).

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
        if edge_kind(data) in INTERNAL_KINDS or other in internal or is_person(G, other):
            continue
        found.add(str(other))
    for p in people:
        for u, v, data in incident_edges(G, p):
            other = v if u == p else u
            kind = edge_kind(data)
            wanted = kind in ENGAGEMENT_KINDS or (via_posts and kind == POST_KIND)
            if wanted and other not in internal and not is_person(G, other):
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


# --- scores -----------------------------------------------------------------------------------------------------


def control_score(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None, unmonitored_weight: float = 0.5
) -> Score:
    """Control score ``CTRL`` = mean of five sub-indicators, each in [0, 1]:

    * ``directive_coverage`` = Σ_m c_m / n, with c_m = 1 if member m receives a ``DirectsTie`` from the centre with
      ``monitored=True``, ``unmonitored_weight`` (0.5) if it receives only unmonitored ones, else 0
      (Expanding's standard systems ``004:446``, ``004:621``; Small's unmonitored PS rules ``004:623``);
    * ``centralised_functions`` = |centre ``central_functions`` ∩ :data:`CENTRAL_FUNCTIONS`| / 6 (``004:236-244``);
    * ``monitoring`` = (``monitoring`` + ``governance_team``) / 2 from the centre's boolean attributes (``004:220``,
      ``004:238``);
    * ``enforcement`` = 1 if any directive has ``sanction="applied"``, 0.5 if any has ``"debated"``, else 0
      (``004:446``, ``004:1089``);
    * ``exit_cost`` = the centre's ``exit_cost`` attribute; when absent, 1 if ``cqc_registration`` is a central
      function (a single registration must be unwound to leave, ``004:236``, ``004:625``).

    Departures from §3.2: monitoring scores 0.5 per present element rather than "1 if present and used" (we cannot
    see use); compliance tracking is read from ``monitored`` directives (coverage), not again under enforcement.
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> G = examples.star(2); G.nodes["ZZF001"].update(central_functions=["payroll", "hr", "cqc_registration"])
    >>> _ = G.add_edge("ZZF001", "ZZP001", kind="DirectsTie", requirement="standard systems", monitored=True)
    >>> s = control_score(G, "ZZF001"); s.components  # coverage (1 + 0)/2; functions 3/6; exit cost inferred
    {'directive_coverage': 0.5, 'centralised_functions': 0.5, 'monitoring': 0.0, 'enforcement': 0.0, 'exit_cost': 1.0}
    >>> s.score
    0.4
    """
    attrs = G.nodes[centre]
    member_set = set(members) if members is not None else members_of(G, centre)
    coverage: dict[str, float] = dict.fromkeys(member_set, 0.0)
    enforcement = 0.0
    for u, v, data in incident_edges(G, centre):
        if edge_kind(data) != DIRECTS_KIND or u != centre:
            continue
        if str(v) in coverage:
            coverage[str(v)] = max(coverage[str(v)], 1.0 if data.get("monitored") else unmonitored_weight)
        sanction = data.get("sanction")
        enforcement = max(enforcement, {"applied": 1.0, "debated": 0.5}.get(str(sanction), 0.0))
    functions = {str(f) for f in attrs.get("central_functions") or ()} & set(CENTRAL_FUNCTIONS)
    exit_cost = attrs.get("exit_cost")
    if exit_cost is None:
        exit_cost = "cqc_registration" in functions
    components = {
        "directive_coverage": mean(coverage.values()),
        "centralised_functions": len(functions) / len(CENTRAL_FUNCTIONS),
        "monitoring": (bool(attrs.get("monitoring")) + bool(attrs.get("governance_team"))) / 2,
        "enforcement": enforcement,
        "exit_cost": 1.0 if exit_cost else 0.0,
    }
    return Score(mean(components.values()), components)


def _stp_presence(G: nx.Graph, centre: str, people: Collection[str]) -> float:
    best = 0.0
    for actor in [centre, *people]:
        for u, v, data in incident_edges(G, actor):
            other = v if u == actor else u
            if node_kind(G, other) not in STP_KINDS:
                continue
            if actor != centre and edge_kind(data) != POST_KIND:
                continue
            best = max(best, 1.0 if data.get("formal_seat") else 0.5)
    return best


def proactivity_score(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None, fallback: Mapping[str, int] | None = None
) -> Score:
    """System-proactivity score ``PRO`` = mean of four sub-indicators, each in [0, 1]:

    * ``scale_reach`` = |distinct scale levels among :func:`external_ties`| / 5 (levels from the node attribute
      ``scale_level``, else from the kind via ``fallback``; nodes with no level are skipped);
    * ``initiative_share`` = share of engagements (``CoProduces``/``Initiates`` edges at the centre or a board
      member) with ``initiated_by_centre=True`` (when the attribute is missing: an ``Initiates`` edge leaving the
      centre or a board member); 0 with no engagements (Expanding's CQC project, NHSE relationship and STP
      structures ``004:738``, ``004:830``; Embedded mostly responding ``004:739``);
    * ``temporal_horizon`` = share of those engagements with ``horizon="future"``; 0 with none (``004:1079``);
    * ``stp_presence`` = 1 for a formal seat (``formal_seat=True``) on an STP/ICS body held through a board member's
      post or by the centre itself, 0.5 for any other presence there, 0 for none (``004:232``, ``004:271``,
      ``004:332``, ``004:720``).

    Basis: domain-model §3.2 (system proactivity replaces responsiveness, ``004:656``) and §3.7.
    Departure: no engagements scores 0, not "undefined": a federation that starts and plans nothing is passive.
    Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> # levels {1, 3, 4} of 5; the chair sits on the STP board without a formal seat
    >>> proactivity_score(examples.people(), "ZZF001").components
    {'scale_reach': 0.6, 'initiative_share': 0.0, 'temporal_horizon': 0.0, 'stp_presence': 0.5}
    """
    table = SCALE_LEVEL_BY_KIND if fallback is None else fallback
    people, _ = board_members(G, centre)
    ties = external_ties(G, centre, members=members)
    levels = {lvl for t in ties if (lvl := scale_level(G, t, table)) is not None}
    engagements = _engagements(G, centre, people)
    components = {
        "scale_reach": min(len(levels), SCALE_RUNGS) / SCALE_RUNGS,
        "initiative_share": mean(1.0 if i else 0.0 for i, _ in engagements),
        "temporal_horizon": mean(1.0 if f else 0.0 for _, f in engagements),
        "stp_presence": _stp_presence(G, centre, people),
    }
    return Score(mean(components.values()), components)


def classify_style(ctrl: float, pro: float, thresholds: StyleThresholds | None = None) -> str:
    """The style of a (CTRL, PRO) pair:

    ``authoritative`` = CTRL ≥ τ ∧ PRO ≥ τ; ``authoritarian`` = CTRL ≥ τ ∧ PRO < τ;
    ``indulgent`` = CTRL < τ ∧ PRO ≥ τ_low; ``neglectful`` = CTRL < τ ∧ PRO < τ_low.

    Basis: domain-model §3.2; ``004:657``, ``004:807`` (styles), ``004:644-651`` (Table 5). Complexity: O(1).

    >>> [classify_style(c, p) for c, p in ((0.8, 0.7), (0.8, 0.1), (0.1, 0.4), (0.1, 0.1))]
    ['authoritative', 'authoritarian', 'indulgent', 'neglectful']
    """
    t = thresholds or StyleThresholds()
    if ctrl >= t.tau:
        return AUTHORITATIVE if pro >= t.tau else AUTHORITARIAN
    return INDULGENT if pro >= t.tau_low else NEGLECTFUL


def style(
    G: nx.Graph,
    centre: str,
    *,
    members: Collection[str] | None = None,
    thresholds: StyleThresholds | None = None,
    unmonitored_weight: float = 0.5,
    fallback: Mapping[str, int] | None = None,
) -> StyleResult:
    """CTRL, PRO and the style of the meta-organisation centred on ``centre`` (see :func:`control_score`,
    :func:`proactivity_score`, :func:`classify_style`).

    Basis: domain-model §3.2; expected: Expanding authoritative, Embedded indulgent, Struggling and Small neglectful,
    none authoritarian (``004:657``). Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> r = style(examples.star(4), "ZZF001")
    >>> r.ctrl, r.pro, r.style
    (0.0, 0.0, 'neglectful')
    """
    if centre not in G:
        raise KeyError(f"centre {centre!r} is not in the graph")
    member_set = set(members) if members is not None else members_of(G, centre)
    ctrl = control_score(G, centre, members=member_set, unmonitored_weight=unmonitored_weight)
    pro = proactivity_score(G, centre, members=member_set, fallback=fallback)
    table = SCALE_LEVEL_BY_KIND if fallback is None else fallback
    people, _ = board_members(G, centre)
    ties = external_ties(G, centre, members=member_set)
    levels = sorted({lvl for t in ties if (lvl := scale_level(G, t, table)) is not None})
    return StyleResult(
        centre=centre,
        ctrl=ctrl.score,
        pro=pro.score,
        style=classify_style(ctrl.score, pro.score, thresholds),
        control=ctrl.components,
        proactivity=pro.components,
        scale_levels=levels,
        external_ties=ties,
        board_members=people,
        engagements=len(_engagements(G, centre, people)),
    )


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
