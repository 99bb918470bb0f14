"""Meta-organisation style: control × system proactivity (domain-model §3.2), and scale reach (§3.7).

Input: a graph holding the meta-organisation's centre, its members (membership edges), its board members
(``Person`` nodes with ``PostHolding`` edges to the centre or to a ``FederationBoard`` node joined to the centre),
their other posts, and the centre's external ties. See ``docs/analyses.md`` for the exact attributes read.

Both scores are kept continuous in [0, 1]; :func:`classify_style` turns a pair into one of the four styles of
``004:657`` and ``004:807``: authoritative, indulgent, neglectful, authoritarian.

The evidence (board members, external ties, engagements) and the §3.7 scale profile are in
:mod:`graphkit.analysis.reach`, and importable from here too.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.analysis._common import (
    POST_KIND,
    SCALE_LEVEL_BY_KIND,
    edge_kind,
    incident_edges,
    mean,
    members_of,
    node_kind,
    scale_level,
)
from graphkit.analysis.evidence import group_facts
from graphkit.analysis.reach import (
    DIRECTS_KIND,
    ENGAGEMENT_KINDS,
    INTERNAL_KINDS,
    ScaleProfile,
    _engagements,
    board_members,
    external_ties,
    scale_profile,
)

__all__ = [
    "AUTHORITARIAN",
    "AUTHORITATIVE",
    "CENTRAL_FUNCTIONS",
    "DIRECTS_KIND",
    "ENGAGEMENT_KINDS",
    "INDULGENT",
    "INTERNAL_KINDS",
    "NEGLECTFUL",
    "SCALE_RUNGS",
    "STP_KINDS",
    "ScaleProfile",
    "Score",
    "StyleResult",
    "StyleThresholds",
    "board_members",
    "classify_style",
    "control_score",
    "external_ties",
    "proactivity_score",
    "scale_profile",
    "style",
]

#: The fixed list of back-office functions of §3.2 (centre node attribute ``central_functions``).
CENTRAL_FUNCTIONS: tuple[str, ...] = ("cqc_registration", "payroll", "accounting", "intranet", "hr", "clinical_system")
#: Kinds of system-level bodies whose seats count as STP/ICS presence.
STP_KINDS: frozenset[str] = frozenset(
    {"STPBoard", "IntegratedCareSystem", "SustainabilityAndTransformationPartnership", "IntegratedCareBoard"}
)
#: Number of rungs on the scale ladder (divisor of scale reach).
SCALE_RUNGS = 5

AUTHORITATIVE = "authoritative"
AUTHORITARIAN = "authoritarian"
INDULGENT = "indulgent"
NEGLECTFUL = "neglectful"


@dataclass(frozen=True)
class StyleThresholds:
    """τ (``tau``) splits high from low on both scores; τ_low (``tau_low`` ≤ τ) splits indulgent from neglectful.

    Defaults: τ = 0.5 (§3.2); τ_low = 0.25, half of τ: the project's choice, since §3.2 asks for a τ_low below τ
    (Embedded is "more proactive than the neglectful sites" rather than high) without giving one. Table 5 has three
    grades of proactivity ("highly proactive", "responsive and sometimes proactive", "passive"); half of what
    counts as high is where "sometimes" begins. It was not fitted to any encoding of the case studies.

    >>> StyleThresholds()
    StyleThresholds(tau=0.5, tau_low=0.25)
    >>> StyleThresholds(tau=0.4, tau_low=0.6)
    Traceback (most recent call last):
    ...
    ValueError: tau_low (0.6) must not exceed tau (0.4)
    """

    tau: float = 0.5
    tau_low: float = 0.25

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
    reasons: dict[str, Any] = field(default_factory=dict)  # see :func:`style_reasons`


# --- scores -----------------------------------------------------------------------------------------------------


#: Statuses of a directive that do not constrain members as intended: counted like an unmonitored rule.
WEAK_STATUSES = frozenset({"partial", "disputed"})
#: Enforcement credit (§3.2): a sanction applied 1; a sanction debated but not applied 0.5; compliance tracked
#: (the member's compliance recorded on a monitored directive) 0.5, the project's choice: the centre knows who
#: complies, which §3.2 names as evidence of enforcement without scoring it.
ENFORCEMENT_CREDIT = {"applied": 1.0, "debated": 0.5, "tracked": 0.5}


def _directive_weight(data: Mapping[str, Any], unmonitored_weight: float) -> float:
    if data.get("monitored") and data.get("status") not in WEAK_STATUSES:
        return 1.0
    return unmonitored_weight


def control_score(
    G: nx.Graph, centre: str, *, members: Collection[str] | None = None, unmonitored_weight: float = 0.5
) -> Score:
    """Control score ``CTRL`` = mean of five sub-indicators, each in [0, 1]:

    * ``directive_coverage`` = Σ_m c_m / n, with c_m = 1 if member m receives a ``DirectsTie`` from the centre that
      is monitored (``monitored=True``) and in force as intended, ``unmonitored_weight`` (0.5) if it receives only
      unmonitored ones or ones whose ``status`` is partial or disputed, else 0 (Expanding's standard systems
      ``004:446``, ``004:621``; Small's unmonitored prescribing-scheme rules ``004:623``);
    * ``centralised_functions`` = |centre ``central_functions`` ∩ :data:`CENTRAL_FUNCTIONS`| / 6 (``004:236-244``);
    * ``monitoring`` = (``monitoring`` + ``governance_team``) / 2 from the centre's boolean attributes (``004:220``,
      ``004:238``);
    * ``enforcement`` = the best of :data:`ENFORCEMENT_CREDIT` over the centre's directives: 1 if a sanction was
      applied (``sanction="applied"``), 0.5 if one was debated and not applied (``"debated"``, Expanding ``004:1089``),
      0.5 if compliance is tracked (a ``compliance`` recorded on a monitored directive, ``004:242``, ``004:446``),
      else 0 (Small: "no action regarding non-compliance", Table 6);
    * ``exit_cost`` = 1 if the centre records an exit cost (``exit_costs``: a shared registration, shared systems,
      staff, a sunk investment; ``004:236``, ``004:568``, ``004:625``), else 0; with no ``exit_costs`` attribute,
      1 if ``cqc_registration`` is a central function (a single registration must be unwound to leave, ``004:236``).

    Departures from §3.2: monitoring scores 0.5 per present element rather than "1 if present and used" (we cannot
    see use). Complexity: O(V + E).

    >>> from graphkit.analysis import examples
    >>> G = examples.star(2); G.nodes["ZZF001"].update(central_functions=["payroll", "hr", "cqc_registration"])
    >>> _ = G.add_edge("ZZF001", "ZZP001", kind="DirectsTie", requirement="standard systems", monitored=True)
    >>> s = control_score(G, "ZZF001"); s.components  # coverage (1 + 0)/2; functions 3/6; exit cost inferred
    {'directive_coverage': 0.5, 'centralised_functions': 0.5, 'monitoring': 0.0, 'enforcement': 0.0, 'exit_cost': 1.0}
    >>> s.score
    0.4
    >>> _ = G.add_edge("ZZF001", "ZZP002", kind="DirectsTie", monitored=True, compliance="not_complied")
    >>> control_score(G, "ZZF001").components["enforcement"]  # compliance tracked
    0.5
    """
    attrs = G.nodes[centre]
    member_set = set(members) if members is not None else members_of(G, centre)
    coverage: dict[str, float] = dict.fromkeys(member_set, 0.0)
    enforcement = 0.0
    for u, v, data in incident_edges(G, centre):
        if edge_kind(data) != DIRECTS_KIND or u != centre:
            continue
        if str(v) in coverage:
            coverage[str(v)] = max(coverage[str(v)], _directive_weight(data, unmonitored_weight))
        enforcement = max(enforcement, ENFORCEMENT_CREDIT.get(str(data.get("sanction")), 0.0))
        if data.get("compliance") and data.get("monitored"):
            enforcement = max(enforcement, ENFORCEMENT_CREDIT["tracked"])
    functions = {str(f) for f in attrs.get("central_functions") or ()} & set(CENTRAL_FUNCTIONS)
    exit_costs = attrs.get("exit_costs")
    exit_cost = bool(exit_costs) if exit_costs is not None else "cqc_registration" in functions
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


#: Where each threshold comes from (domain-model §3.2 gives τ; τ_low is the project's choice).
THRESHOLD_BASIS = {
    "tau": "domain-model §3.2: a score is high from 0.5, the middle of its [0, 1] scale",
    "tau_low": "the project's choice, not the report's: half of τ. §3.2 asks for a τ_low below τ (Embedded is 'more "
               "proactive than the neglectful sites' rather than high) without a value; Table 5 grades proactivity "
               "as highly proactive, 'responsive and sometimes proactive', passive (004:644-651), and half of what "
               "counts as high is where 'sometimes' begins. Not fitted to an encoding; docs/analyses.md shows how "
               "the verdicts move with it",
}


def _smallest_change(components: Mapping[str, float], margin: float) -> list[dict[str, Any]]:
    """The fewest component changes that move their mean across a threshold ``margin`` away (positive: the mean
    must rise by ``margin``; negative: fall by ``-margin``), each component kept in [0, 1]: the components with the
    most room first, the last one only as far as needed."""
    need = abs(margin) * len(components)
    up = margin > 0
    changes: list[dict[str, Any]] = []
    for name, value in sorted(components.items(), key=lambda kv: (kv[1] if up else -kv[1], kv[0])):
        if need <= 1e-12:
            break
        room = (1.0 - value) if up else value
        if room <= 0:
            continue
        step = min(room, need)
        # to 4 places, rounded away from the threshold so that the change is enough as written
        to = math.ceil((value + step) * 1e4) / 1e4 if up else math.floor((value - step) * 1e4) / 1e4
        changes.append({"component": name, "from": round(value, 4), "to": min(1.0, max(0.0, to))})
        need -= step
    return changes if need <= 1e-9 else []


def style_reasons(ctrl: Score, pro: Score, thresholds: StyleThresholds | None = None) -> dict[str, Any]:
    """Why a style: the rule that decided it; for each score its value, the threshold it was compared with (and
    that threshold's basis), the margin (value − threshold; ≥ 0 is on or above), its components; and, per score,
    the smallest change of its components that would flip the verdict, with the style it would then be.

    >>> r = style_reasons(Score(0.2, {"a": 0.0, "b": 0.4}), Score(0.45, {"c": 0.5, "d": 0.4}))
    >>> r["style"], r["rule"]
    ('indulgent', 'CTRL 0.200 < τ 0.5 and PRO 0.450 ≥ τ_low 0.25')
    >>> [(a["score"], a["threshold"], a["margin"]) for a in r["scores"]]
    [('ctrl', 'tau', -0.3), ('pro', 'tau_low', 0.2)]
    >>> r["scores"][0]["to_flip"]   # CTRL to 0.5: the mean of two rises by 0.3, so the sum by 0.6
    {'changes': [{'component': 'a', 'from': 0.0, 'to': 0.6}], 'becomes': 'authoritarian'}
    >>> r["nearest"]
    'pro'
    """
    t = thresholds or StyleThresholds()
    verdict = classify_style(ctrl.score, pro.score, t)
    pro_name, pro_cut = ("tau", t.tau) if ctrl.score >= t.tau else ("tau_low", t.tau_low)
    rule = (f"CTRL {ctrl.score:.3f} {'≥' if ctrl.score >= t.tau else '<'} τ {t.tau} and "
            f"PRO {pro.score:.3f} {'≥' if pro.score >= pro_cut else '<'} {'τ' if pro_name == 'tau' else 'τ_low'} "
            f"{pro_cut}")
    scores: list[dict[str, Any]] = []
    for name, score, cut_name, cut in (("ctrl", ctrl, "tau", t.tau), ("pro", pro, pro_name, pro_cut)):
        margin = score.score - cut
        # across the line: a little below the cut when on or above it, on the cut when below
        target = cut - 1e-4 if margin >= 0 else cut
        crossed = (target, pro.score) if name == "ctrl" else (ctrl.score, target)
        changes = _smallest_change(score.components, target - score.score)
        scores.append({
            "score": name, "value": round(score.score, 4), "threshold": cut_name, "threshold_value": cut,
            "threshold_basis": THRESHOLD_BASIS[cut_name], "margin": round(margin, 4),
            "components": {k: round(v, 4) for k, v in score.components.items()},
            "to_flip": {"changes": changes, "becomes": classify_style(*crossed, t)},
        })
    nearest = min(scores, key=lambda s: (abs(s["margin"]), s["score"]))["score"]
    return {"style": verdict, "rule": rule, "scores": scores, "nearest": nearest}


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
        reasons={**style_reasons(ctrl, pro, thresholds),
                 "evidence": style_evidence(G, centre, member_set, people, ties)},
    )


def style_evidence(G: nx.Graph, centre: str, members: Collection[str], people: Collection[str],
                   ties: Collection[str]) -> dict[str, Any]:
    """For each component, the sourced facts behind it, grouped (:func:`graphkit.analysis.evidence.group_facts`),
    or the centre's attributes it reads: directives (coverage), the directives with a sanction or a recorded
    compliance (enforcement), the centre's central functions, monitoring and exit costs, its external ties (scale
    reach), engagements (initiative, horizon) and STP/ICS seats."""
    attrs = G.nodes[centre]
    member_set = set(members)
    directives = [(u, v, d) for u, v, d in incident_edges(G, centre)
                  if edge_kind(d) == DIRECTS_KIND and u == centre and str(v) in member_set]
    enforced = [(u, v, d) for u, v, d in directives
                if d.get("sanction") or (d.get("compliance") and d.get("monitored"))]
    actors = [centre, *people]
    engagements, seats, external = [], [], []
    seen: set[int] = set()
    wanted = set(ties)
    for actor in actors:
        for u, v, d in incident_edges(G, actor):
            if id(d) in seen:
                continue
            seen.add(id(d))
            other = v if u == actor else u
            kind = edge_kind(d)
            if kind in ENGAGEMENT_KINDS:
                engagements.append((u, v, d))
            if node_kind(G, other) in STP_KINDS and (actor == centre or kind == POST_KIND):
                seats.append((u, v, d))
            if str(other) in wanted and (actor == centre or kind in ENGAGEMENT_KINDS or kind == POST_KIND):
                external.append((u, v, d))
    exit_costs = attrs.get("exit_costs")
    return {
        "directive_coverage": group_facts(directives),
        "enforcement": group_facts(enforced),
        "centralised_functions": {"central_functions": sorted(attrs.get("central_functions") or ())},
        "monitoring": {"monitoring": bool(attrs.get("monitoring")),
                       "governance_team": bool(attrs.get("governance_team"))},
        "exit_cost": ({"exit_costs": list(exit_costs)} if exit_costs is not None else
                      {"exit_costs": None, "inferred_from": "cqc_registration among the central functions"}),
        "scale_reach": group_facts(external),
        "initiative_share": group_facts([e for e in engagements
                                         if edge_kind(e[2]) == "Initiates" and e[0] in set(actors)]),
        "temporal_horizon": group_facts([e for e in engagements if e[2].get("horizon") == "future"]),
        "stp_presence": group_facts(seats),
    }

