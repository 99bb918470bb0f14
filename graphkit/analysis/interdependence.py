"""Unicentric vs pluricentric relationships inside a meta-organisation (domain-model §3.1).

Input: ``G_fed``, one federation's or PCN's graph as of a date (an ``nx.MultiDiGraph``; any NetworkX graph works),
and the id of its centre node. Members are the nodes with a ``FederationMembership`` or ``PCNMembership`` edge to the
centre (or the ``members`` argument). Subfederation groups are this federation's own: the targets of its members'
``SubfederationMembership`` edges and the ``SubfederationGroup`` nodes tied to its centre (``n_groups`` counts
them; a group of another federation in the same graph is not counted).

Project conventions (departures from, or refinements of, domain-model §3.1):

* Membership edges are **not** functional ties: they only say who is a member. Only the kinds in
  :data:`~graphkit.analysis._common.FUNCTIONAL_KINDS` are ties; the weight of a pair is the number of distinct
  kinds joining it (direction ignored), so ten hub referrals from one practice count once.
* ``E_mm`` and ``E_mc`` count *pairs* with at least one functional tie, not edges.
* Freeman centralisation is computed over the centre and the members only (N = n + 1, as in §3.1); subfederation
  groups are left out there but kept in the centre-removed graph, where a group holds its members together
  (member -> group ``SubfederationMembership`` edges are structural ties to a local centre).
* "low interdependence" is a fourth class of the project's own, for sparse federations such as Struggling and
  Small (Table 6, ``004:758``), which the three-way rule of §3.1 would call unicentric or mixed.

The extraction lives in :mod:`graphkit.analysis.federation`, the six measures in :mod:`graphkit.analysis.measures`
(all importable from here too); this module holds the classification and :func:`interdependence`, which runs them
all over one extracted view.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack

import networkx as nx

from graphkit.analysis.evidence import group_facts
from graphkit.analysis.federation import FederationView, federation_view, removed_graph
from graphkit.analysis.measures import (
    DEPENDENCE_KINDS,
    RECIPROCAL_KINDS,
    RISK_SHARING_KIND,
    Fragmentation,
    LocalCentre,
    Louvain,
    _centralisation,
    _dependence,
    _enc,
    _fragmentation,
    _interdependence,
    _local_centres,
    _lts,
    centre_removal_fragmentation,
    degree_centralisation,
    dependence_index,
    effective_number_of_centres,
    freeman_centralisation,
    interdependence_index,
    lateral_tie_share,
    local_centres,
)

__all__ = [
    "DEPENDENCE_KINDS",
    "LOW_INTERDEPENDENCE",
    "MIXED",
    "PLURICENTRIC",
    "RECIPROCAL_KINDS",
    "RISK_SHARING_KIND",
    "UNICENTRIC",
    "FederationView",
    "Fragmentation",
    "InterdependenceResult",
    "InterdependenceThresholds",
    "LocalCentre",
    "Louvain",
    "centre_removal_fragmentation",
    "classify_interdependence",
    "degree_centralisation",
    "dependence_index",
    "effective_number_of_centres",
    "federation_view",
    "freeman_centralisation",
    "interdependence",
    "interdependence_index",
    "lateral_tie_share",
    "local_centres",
    "removed_graph",
]

UNICENTRIC = "unicentric"
PLURICENTRIC = "pluricentric"
MIXED = "mixed"
LOW_INTERDEPENDENCE = "low interdependence"


@dataclass(frozen=True)
class InterdependenceThresholds:
    """Cut-offs of :func:`classify_interdependence`. Defaults: §3.1's bands, plus the project's low rule.

    >>> InterdependenceThresholds().pluricentric_min_lts, InterdependenceThresholds(low_max_dependence=0.2)
    ... # doctest: +ELLIPSIS
    (0.5, InterdependenceThresholds(pluricentric_min_lts=0.5, ...low_max_dependence=0.2))
    """

    #: pluricentric needs LTS > this (§3.1)
    pluricentric_min_lts: float = 0.5
    #: pluricentric needs FR < this (§3.1)
    pluricentric_max_fragmentation: float = 0.3
    #: pluricentric needs at least this many Louvain local centres (§3.1)
    pluricentric_min_local_centres: int = 2
    #: unicentric needs LTS < this (§3.1)
    unicentric_max_lts: float = 0.2
    #: unicentric needs FR > this (§3.1)
    unicentric_min_fragmentation: float = 0.7
    #: low interdependence (project rule): mean lateral degree below this ...
    low_max_lateral_degree: float = 1.0
    #: ... and dependence index below this
    low_max_dependence: float = 0.5



@dataclass(frozen=True)
class InterdependenceResult:
    """All §3.1 measures for one meta-organisation, and its class."""

    centre: str
    n_members: int
    n_groups: int
    lateral_ties: int
    centre_ties: int
    lateral_tie_share: float | None
    weighted_lateral_tie_share: float | None
    mean_lateral_degree: float | None
    degree_centralisation: float | None
    fragmentation: float | None
    components_after_removal: int
    effective_number_of_centres: float | None
    local_centres: int
    reciprocated_pairs: int
    risk_sharing_pairs: int
    reciprocity: float | None
    interdependence_index: float | None
    dependence_index: float | None
    reverse_dependence: float | None
    classification: str
    reason: str
    local_centre_detail: list[LocalCentre] = field(default_factory=list)
    reasons: dict[str, Any] = field(default_factory=dict)  # see :func:`interdependence_reasons`



# --- classification -----------------------------------------------------------------------------------------------


def _classify(
    n: int,
    lts: float | None,
    fragmentation: float | None,
    centres: int,
    mean_lateral_degree: float | None,
    dependence: float | None,
    t: InterdependenceThresholds,
) -> tuple[str, str]:
    if n == 0 or lts is None or fragmentation is None:
        return LOW_INTERDEPENDENCE, "no members or no functional ties"
    lateral = mean_lateral_degree or 0.0
    dep = dependence or 0.0
    if lateral < t.low_max_lateral_degree and dep < t.low_max_dependence:
        return (
            LOW_INTERDEPENDENCE,
            f"mean lateral degree {lateral:.3g} < {t.low_max_lateral_degree} and dependence {dep:.3g} < "
            f"{t.low_max_dependence}",
        )
    if (
        lts > t.pluricentric_min_lts
        and fragmentation < t.pluricentric_max_fragmentation
        and centres >= t.pluricentric_min_local_centres
    ):
        return (
            PLURICENTRIC,
            f"LTS {lts:.3g} > {t.pluricentric_min_lts}, FR {fragmentation:.3g} < {t.pluricentric_max_fragmentation}, "
            f"{centres} local centres >= {t.pluricentric_min_local_centres}",
        )
    if lts < t.unicentric_max_lts and fragmentation > t.unicentric_min_fragmentation:
        return (
            UNICENTRIC,
            f"LTS {lts:.3g} < {t.unicentric_max_lts} and FR {fragmentation:.3g} > {t.unicentric_min_fragmentation}",
        )
    return MIXED, f"LTS {lts:.3g}, FR {fragmentation:.3g}, {centres} local centres: neither rule holds"


#: Where each threshold comes from.
THRESHOLD_BASIS = {
    "pluricentric_min_lts": "domain-model §3.1 (a band 'proposed, to be calibrated')",
    "pluricentric_max_fragmentation": "domain-model §3.1 (a band 'proposed, to be calibrated')",
    "pluricentric_min_local_centres": "domain-model §3.1: more than one local centre",
    "unicentric_max_lts": "domain-model §3.1 (a band 'proposed, to be calibrated')",
    "unicentric_min_fragmentation": "domain-model §3.1 (a band 'proposed, to be calibrated')",
    "low_max_lateral_degree": "the project's rule, not the report's: fewer than one fellow member to rely on, on "
                              "average (Table 6, 004:758: Struggling's and Small's 'absence' and 'limited' "
                              "dependence and interdependence)",
    "low_max_dependence": "the project's rule, not the report's: members rely on the centre for less than half of "
                          "what they could (Table 6, 004:758)",
}

_MEASURES = ("n_members", "lateral_tie_share", "fragmentation", "local_centres", "mean_lateral_degree",
             "dependence_index")


def _rules(t: InterdependenceThresholds) -> list[tuple[str, list[tuple[str, str, str, float]]]]:
    """The rules of :func:`classify_interdependence` in order: (verdict, [(measure, op, threshold name, value)])."""
    return [
        (LOW_INTERDEPENDENCE, [("mean_lateral_degree", "<", "low_max_lateral_degree", t.low_max_lateral_degree),
                               ("dependence_index", "<", "low_max_dependence", t.low_max_dependence)]),
        (PLURICENTRIC, [("lateral_tie_share", ">", "pluricentric_min_lts", t.pluricentric_min_lts),
                        ("fragmentation", "<", "pluricentric_max_fragmentation", t.pluricentric_max_fragmentation),
                        ("local_centres", ">=", "pluricentric_min_local_centres", t.pluricentric_min_local_centres)]),
        (UNICENTRIC, [("lateral_tie_share", "<", "unicentric_max_lts", t.unicentric_max_lts),
                      ("fragmentation", ">", "unicentric_min_fragmentation", t.unicentric_min_fragmentation)]),
    ]


def _holds(value: float, op: str, threshold: float) -> bool:
    return {"<": value < threshold, ">": value > threshold, ">=": value >= threshold}[op]


def _verdict(m: Mapping[str, Any], t: InterdependenceThresholds) -> str:
    return _classify(int(m["n_members"]), m["lateral_tie_share"], m["fragmentation"], int(m["local_centres"] or 0),
                     m["mean_lateral_degree"], m["dependence_index"], t)[0]


def interdependence_reasons(measures: Mapping[str, Any], thresholds: InterdependenceThresholds | None = None
                            ) -> dict[str, Any]:
    """Why a class: every condition of every rule, in the order the rules are tried, with the measure's value, the
    threshold (its name, value and basis), whether it holds and the margin (value − threshold); the rule that
    decided; and every single-measure change that would flip the class (the measure moved just across one
    threshold, the others kept), with the class it would become, the smallest change first.

    >>> r = interdependence_reasons({"n_members": 4, "lateral_tie_share": 0.8, "fragmentation": 0.0,
    ...     "local_centres": 2, "mean_lateral_degree": 3.0, "dependence_index": 0.0})
    >>> r["class"], r["decided_by"]
    ('pluricentric', 'pluricentric')
    >>> [(f["measure"], f["to"], f["becomes"]) for f in r["to_flip"]][:2]
    [('fragmentation', 0.3, 'mixed'), ('lateral_tie_share', 0.5, 'mixed')]
    """
    t = thresholds or InterdependenceThresholds()
    m = {k: measures.get(k) for k in _MEASURES}
    verdict = _verdict(m, t)
    if not m["n_members"] or m["lateral_tie_share"] is None or m["fragmentation"] is None:
        return {"class": verdict, "decided_by": LOW_INTERDEPENDENCE, "rules": [], "to_flip": [],
                "note": "no members or no functional ties"}
    values = {k: float(m[k] or 0.0) for k in _MEASURES}
    rules, decided = [], None
    for name, conditions in _rules(t):
        checked = [{"measure": measure, "value": round(values[measure], 4), "op": op, "threshold": tname,
                    "threshold_value": tvalue, "threshold_basis": THRESHOLD_BASIS[tname],
                    "holds": _holds(values[measure], op, tvalue), "margin": round(values[measure] - tvalue, 4)}
                   for measure, op, tname, tvalue in conditions]
        holds = all(c["holds"] for c in checked)
        rules.append({"class": name, "conditions": checked, "holds": holds})
        decided = decided or (name if holds else None)
    flips = []
    for _, conditions in _rules(t):
        for measure, op, tname, tvalue in conditions:
            now = _holds(values[measure], op, tvalue)
            integer = measure == "local_centres"
            step = 1 if integer else 1e-4
            if op == "<":
                to = tvalue if now else tvalue - step
            elif op == ">":
                to = tvalue if now else tvalue + step
            else:  # >=
                to = tvalue - step if now else tvalue
            if not integer and measure != "mean_lateral_degree" and not 0 <= to <= 1:
                continue
            to = int(to) if integer else round(to, 4)
            if to < 0:
                continue
            becomes = _verdict({**m, measure: to}, t)
            if becomes != verdict:
                flips.append({"measure": measure, "from": round(values[measure], 4), "to": to, "threshold": tname,
                              "becomes": becomes, "change": round(abs(to - values[measure]), 4)})
    flips.sort(key=lambda f: (f["change"], f["measure"]))
    unique = list({(f["measure"], f["to"]): f for f in flips}.values())
    return {"class": verdict, "decided_by": decided or MIXED, "rules": rules, "to_flip": unique}


def classify_interdependence(
    result: InterdependenceResult | Mapping[str, Any],
    thresholds: InterdependenceThresholds | None = None,
) -> str:
    """Classify measures as "unicentric", "pluricentric", "mixed" or "low interdependence".

    Rules, in this order (t = ``thresholds``, defaults in brackets):

    1. **low interdependence** (project rule) if there are no members or no functional ties, or if the mean lateral
       degree ``2|E_mm| / n`` < ``t.low_max_lateral_degree`` (1.0) **and** the dependence index <
       ``t.low_max_dependence`` (0.5): members have fewer than one fellow member to rely on, on average, and
       little reliance on the centre either. This matches Table 6's Struggling ("absence of norms of dependence and
       interdependence") and Small ("limited dependence and interdependence"), ``004:758``. Without it, Small's
       prescribing-scheme delivery ties to the centre would make it look unicentric.
    2. **pluricentric** if LTS > ``t.pluricentric_min_lts`` (0.5) and FR < ``t.pluricentric_max_fragmentation``
       (0.3) and local centres ≥ ``t.pluricentric_min_local_centres`` (2).
    3. **unicentric** if LTS < ``t.unicentric_max_lts`` (0.2) and FR > ``t.unicentric_min_fragmentation`` (0.7).
    4. otherwise **mixed**.

    Rules 2-4 are domain-model §3.1's; the bands are "proposed, to be calibrated", hence configurable.
    ``result`` may be an :class:`InterdependenceResult` or a mapping with the same field names.
    Complexity: O(1).

    >>> from graphkit.analysis import examples
    >>> classify_interdependence(interdependence(examples.star(4), "ZZF001"))
    'unicentric'
    >>> classify_interdependence({"n_members": 4, "lateral_tie_share": 0.8, "fragmentation": 0.0,
    ...     "local_centres": 2, "mean_lateral_degree": 3.0, "dependence_index": 0.0})
    'pluricentric'
    """
    t = thresholds or InterdependenceThresholds()
    r: Mapping[str, Any] = result.__dict__ if isinstance(result, InterdependenceResult) else result
    return _classify(
        int(r["n_members"]),
        r.get("lateral_tie_share"),
        r.get("fragmentation"),
        int(r.get("local_centres") or 0),
        r.get("mean_lateral_degree"),
        r.get("dependence_index"),
        t,
    )[0]


def interdependence(
    G: nx.Graph,
    centre: str,
    *,
    members: Collection[str] | None = None,
    thresholds: InterdependenceThresholds | None = None,
    **louvain: Unpack[Louvain],
) -> InterdependenceResult:
    """Every §3.1 measure for the meta-organisation centred on ``centre``, with its class and the reason.

    Measures: LTS (pairs and kind-weighted), mean lateral degree ``2|E_mm|/n``, Freeman ``C_D`` (centre included),
    ``FR`` and components after removal, ``ENC``, the number of Louvain local centres (and their detail),
    reciprocated and risk-sharing member pairs, reciprocity ratio, interdependence index, dependence index,
    reverse dependence (share of members delivering under the centre). See the single-measure functions for each
    formula and :func:`classify_interdependence` for the rules.
    Basis: domain-model §3.1; ``004:628``, ``004:632-634``, ``004:638``, ``004:758``, ``004:847``.
    Complexity: O(V + E) plus one Louvain run.

    >>> from graphkit.analysis import examples
    >>> r = interdependence(examples.two_stars(), "ZZF001")
    >>> r.lateral_tie_share, r.local_centres, r.fragmentation, r.classification  # LTS 5/7
    (0.7142857142857143, 2, 0.0, 'pluricentric')
    """
    view = federation_view(G, centre, members=members)
    n = len(view.members)
    n_mm, n_mc, lts, wlts = _lts(view)
    frag = _fragmentation(view)
    centres = _local_centres(view, **louvain)
    reciprocated, risk, reciprocity, index = _interdependence(view)
    dep, reverse = _dependence(view)
    mean_lateral = 2 * n_mm / n if n else None
    label, reason = _classify(
        n, lts, frag.fragmentation, len(centres), mean_lateral, dep, thresholds or InterdependenceThresholds()
    )
    return InterdependenceResult(
        centre=view.centre,
        n_members=n,
        n_groups=len(view.groups),
        lateral_ties=n_mm,
        centre_ties=n_mc,
        lateral_tie_share=lts,
        weighted_lateral_tie_share=wlts,
        mean_lateral_degree=mean_lateral,
        degree_centralisation=_centralisation(view),
        fragmentation=frag.fragmentation,
        components_after_removal=frag.components,
        effective_number_of_centres=_enc(view),
        local_centres=len(centres),
        reciprocated_pairs=reciprocated,
        risk_sharing_pairs=risk,
        reciprocity=reciprocity,
        interdependence_index=index,
        dependence_index=dep,
        reverse_dependence=reverse,
        classification=label,
        reason=reason,
        local_centre_detail=centres,
        reasons={**interdependence_reasons(
            {"n_members": n, "lateral_tie_share": lts, "fragmentation": frag.fragmentation,
             "local_centres": len(centres), "mean_lateral_degree": mean_lateral, "dependence_index": dep},
            thresholds), "evidence": interdependence_evidence(G, view)},
    )


def interdependence_evidence(G: nx.Graph, view: FederationView) -> dict[str, Any]:
    """The sourced ties behind the measures, grouped (:func:`graphkit.analysis.evidence.group_facts`): the
    functional ties between members (``lateral``: LTS, mean lateral degree, fragmentation), between members and
    the centre (``centre``), and those of them that make a member depend on the centre (``dependence``)."""
    from graphkit.analysis._common import FUNCTIONAL_KINDS, edges_among

    lateral, central, dependent = [], [], []
    for u, v, data in edges_among(G, view.members | {view.centre}):
        kind = data.get("kind")
        if kind not in FUNCTIONAL_KINDS:
            continue
        if u in view.members and v in view.members:
            lateral.append((u, v, data))
        elif {u, v} & {view.centre} and {u, v} & view.members:
            central.append((u, v, data))
            direction = "out" if u == view.centre else "in"
            if (kind, direction) in DEPENDENCE_KINDS:
                dependent.append((u, v, data))
    return {"lateral": group_facts(lateral), "centre": group_facts(central), "dependence": group_facts(dependent)}
