"""The curated layers of the analyses' projection (docs/analyses.md §1): federations and what ODS does not hold,
added to the organisation graph of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import networkx as nx

from graphkit.store.base import (
    AgreementView,
    GraphStore,
    LateralTieView,
    PostView,
    RoleRow,
    TieView,
    kinds_on,
    post_key,
)

# -- the curated layers of the projection (docs/analyses.md §1) ------------------------------------

CURATED_MEMBERSHIPS = (
    "FederationMembership", "SubfederationMembership", "UnitMembership", "CollaborationMembership",
    "LocalityMembership",
)
# the kind a node shows the analyses, most specific first
_KIND_ORDER = (
    "GPFederation", "SubfederationGroup", "FederationBoard", "GPProviderCollaborative", "JointVenture",
    "GPPractice", "PrimaryCareNetwork", "CCGGoverningBody", "CCGCommittee", "ClinicalCommissioningGroup",
    "SubICBLocation", "STPBoard", "SustainabilityAndTransformationPartnership", "IntegratedCareBoard",
    "NHSEnglandRegion", "LocalMedicalCommittee",
)
STP_BODIES = frozenset({"STPBoard", "SustainabilityAndTransformationPartnership", "IntegratedCareBoard",
                        "IntegratedCareSystem"})
#: ties of a meta-organisation with a partner that are engagements: who started them, for what horizon (§3.2)
ENGAGEMENT_TIES = frozenset({"PartnershipTie", "LearningTie", "FundingTie", "EngagementTie", "RepresentationTie"})
#: ties whose rule a member is subject to: a directive, or a governance tie in Hood's oversight mode
DIRECTIVE_TIES = frozenset({"DirectiveTie", "GovernanceTie"})
FORMAL_STP_ROLES = frozenset({"STPBoardMember", "BoardChair", "BoardDirector", "NonExecutiveDirector"})


def main_kind(kinds: Iterable[str]) -> str:
    ks = set(kinds)
    return next((k for k in _KIND_ORDER if k in ks), sorted(ks)[0] if ks else "Organisation")


def _notation(key: str, concept: str | None) -> str | None:
    from graphkit.ingest.curated import notation_of

    return notation_of(key, concept) if concept else None


def _fact(lt: LateralTieView) -> dict[str, object]:
    """What every projected tie carries so that a verdict can name its evidence: the table and line, the
    citations, and its status when not simply in force."""
    status = _notation("tie_status", lt.status)
    if lt.end_unknown:
        status = "ended (day unknown)"
    out: dict[str, object] = {"source": lt.source, "line": lt.line, "citations": list(lt.citations)}
    if status:
        out["status"] = status
    return out


def _dates(start: dt.date | None, end: dt.date | None) -> dict[str, object]:
    return {"start": start, "end": end}


def add_curated_layers(store: GraphStore, g: nx.MultiDiGraph, as_of: dt.date) -> nx.MultiDiGraph:
    """Federations and what ODS does not hold, as of the date, added to a projection: curated memberships,
    lateral ties (a governance tie in Hood's oversight mode is a monitored directive, ``DirectsTie``),
    people and their posts (``PostHolding``, ``formal_seat`` for board seats on STP/ICS bodies), contracts
    (``ContractHolder``, ``ParentContract``, ``DeliveredBy``) and deliveries (``DeliversUnder``). Every edge
    carries its ``start`` and ``end`` (None when open or undated)."""
    # kinds only curated tables state; then, for the organisations they bring in that the projection lacks,
    # their commissioner and that commissioner's system (national ones are in the projection already)
    memberships = store.ties_of_kinds(CURATED_MEMBERSHIPS, as_of=as_of)
    brought = sorted({c for t in memberships for c in (t.member, t.organisation)} - set(g))
    if brought:
        assigned = store.ties_of_many(brought, "up", as_of=as_of, kind="CommissionerAssignment")
        # every organisation of an area is in its projection: each practice assigned on the date to a commissioner
        # of the organisations brought in, a member of no federation too (national ones are in the projection)
        named = sorted({t.organisation for t in assigned})
        seen = {(t.member, t.organisation) for t in assigned}
        assigned += [t for t in store.ties_of_many(named, "down", as_of=as_of, kind="CommissionerAssignment")
                     if t.member not in g and (t.member, t.organisation) not in seen]
        commissioners = sorted({t.organisation for t in assigned} - set(g))
        memberships += assigned + store.ties_of_many(commissioners, "up", as_of=as_of, kind="SystemMembership")
    # a planned tie is not yet in force on any date
    lateral = [t for t in store.lateral_ties(as_of=as_of) if t.status != "TiePlanned"]
    posts = store.posts(as_of=as_of)
    agreements = store.agreements(as_of=as_of)
    if not (memberships or lateral or posts or agreements):
        return g
    return _add_layers(store, g, as_of, memberships, lateral, posts, agreements)


def curated_history(store: GraphStore) -> nx.MultiDiGraph:
    """The curated layers on every date at once, for the analyses that read change over time (docs/analyses.md
    §1): the same nodes and edges as :func:`add_curated_layers`, each edge with its ``start`` and ``end``, plus the
    commissioner assignments and system memberships, on any date, of the organisations they name. A node's kind
    is the most specific it has had."""
    g = nx.MultiDiGraph()
    memberships = store.ties_of_kinds(CURATED_MEMBERSHIPS)
    lateral = [t for t in store.lateral_ties() if t.status != "TiePlanned"]
    posts = store.posts()
    agreements = store.agreements()
    named = {c for t in memberships for c in (t.member, t.organisation)}
    named |= {c for t in lateral for c in (t.tie_from, t.tie_to)} | {p.organisation for p in posts}
    named |= {c for a in agreements for c in (a.holder, a.commissioner, *a.delivered_by, *a.supported_by) if c}
    if named:
        assigned = store.ties_of_many(sorted(named), "up", kind="CommissionerAssignment")
        systems = store.ties_of_many(sorted({t.organisation for t in assigned} | named), "up", kind="SystemMembership")
        memberships += assigned + systems
    if not (memberships or lateral or posts or agreements):
        return g
    return _add_layers(store, g, None, memberships, lateral, posts, agreements)


def _add_layers(
    store: GraphStore, g: nx.MultiDiGraph, as_of: dt.date | None, memberships: list[TieView],
    lateral: list[LateralTieView], posts: list[PostView], agreements: list[AgreementView],
) -> nx.MultiDiGraph:
    codes = {c for t in memberships for c in (t.member, t.organisation)}
    codes |= {c for t in lateral for c in (t.tie_from, t.tie_to)}
    codes |= {p.organisation for p in posts} | {a.holder for a in agreements}
    codes |= {c for a in agreements for c in (a.commissioner, *a.delivered_by, *a.supported_by) if c}
    rows, roles = store.org_rows(codes=sorted(codes))
    by_code: dict[str, list[RoleRow]] = {}
    for r in roles:
        by_code.setdefault(r.code, []).append(r)
    kind_of: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.code):
        kinds = row.all_kinds if as_of is None else kinds_on(row.all_kinds, by_code.get(row.code, ()), as_of)
        kind = main_kind(kinds)
        kind_of[row.code] = kind
        if row.code not in g:
            g.add_node(row.code, kind=kind, name=row.name)
        if row.list_size is not None and "list_size" not in g.nodes[row.code]:
            g.nodes[row.code]["list_size"] = row.list_size
        if row.exit_costs:
            from graphkit.ingest.curated import notation_of

            g.nodes[row.code]["exit_costs"] = sorted(notation_of("exit_cost", f) for f in row.exit_costs)
        if row.central_functions:
            from graphkit.ingest.curated import function_notation

            notations = {function_notation(f) for f in row.central_functions}
            g.nodes[row.code]["central_functions"] = sorted(notations - {"monitoring", "governance_team"})
            g.nodes[row.code]["monitoring"] = "monitoring" in notations
            g.nodes[row.code]["governance_team"] = "governance_team" in notations
    for t in sorted(memberships, key=lambda t: (t.kind, t.member, t.organisation, str(t.start))):
        if t.kind == "CommissionerAssignment" and as_of is not None:
            g.nodes[t.member].setdefault("area", t.organisation)
        g.add_edge(t.member, t.organisation, kind=t.kind, sources=sorted(t.sources), **_dates(t.start, t.end))
    for lt in sorted(lateral, key=lambda t: (t.kind, t.tie_from, t.tie_to, str(t.start), t.line)):
        fact = {**_fact(lt), **_dates(lt.start, lt.end)}
        if lt.kind in DIRECTIVE_TIES and (lt.kind == "DirectiveTie" or lt.hood_mode == "Oversight"):
            # a rule the member is subject to; a governance tie in oversight mode is monitored unless it says not
            monitored = lt.monitored if lt.monitored is not None else lt.kind == "GovernanceTie"
            g.add_edge(lt.tie_from, lt.tie_to, kind="DirectsTie", requirement=lt.mechanism, monitored=monitored,
                       sanction=_notation("sanction", lt.sanction), compliance=_notation("compliance", lt.compliance),
                       tie_kind=lt.kind, hood_mode=lt.hood_mode, **_events(lt), **fact)
        elif lt.kind in ENGAGEMENT_TIES:
            # an engagement of a meta-organisation with a partner: started by one side (when known), for a horizon
            starter = lt.initiated_by or lt.tie_from
            other = lt.tie_to if starter == lt.tie_from else lt.tie_from
            kind = "Initiates" if lt.initiated_by else "CoProduces"
            g.add_edge(starter, other, kind=kind, initiated_by=lt.initiated_by, horizon=lt.horizon,
                       mechanism=lt.mechanism, tie_kind=lt.kind, **fact)
            g.add_edge(lt.tie_from, lt.tie_to, kind=lt.kind, mechanism=lt.mechanism, **fact)
        elif lt.kind == "DependenceTie":
            function = None
            if lt.function:
                from graphkit.ingest.curated import function_notation

                function = function_notation(lt.function)
            g.add_edge(lt.tie_from, lt.tie_to, kind=lt.kind, mechanism=lt.mechanism, function=function, **fact)
        else:
            g.add_edge(lt.tie_from, lt.tie_to, kind=lt.kind, mechanism=lt.mechanism, hood_mode=lt.hood_mode,
                       arena=lt.arena, **_events(lt), **fact)
    for p in sorted(posts, key=post_key):
        g.add_node(p.person_id, kind="Person", name=p.person_name, bipartite=0)
        formal = kind_of.get(p.organisation) in STP_BODIES and p.role in FORMAL_STP_ROLES
        g.add_edge(p.person_id, p.organisation, kind="PostHolding", role=p.role or p.title, formal_seat=formal,
                   title=p.title, commissioning=getattr(p, "commissioning", None), represents=p.represents,
                   source=p.source, line=p.line, citations=list(p.citations), **_dates(p.start, p.end))
    for a in sorted(agreements, key=lambda a: a.contract_id):
        g.add_node(f"contract:{a.contract_id}", kind=a.kind, name=a.contract_id, commissioner=a.commissioner,
                   **_dates(a.start, a.end))
    for a in sorted(agreements, key=lambda a: a.contract_id):
        node = f"contract:{a.contract_id}"
        dates = _dates(a.start, a.end)
        g.add_edge(node, a.holder, kind="ContractHolder", **dates)
        if a.parent and f"contract:{a.parent}" in g:
            g.add_edge(node, f"contract:{a.parent}", kind="ParentContract", **dates)
        for supporter in a.supported_by:
            g.add_edge(supporter, node, kind="SupportsContract", **dates)
        for provider in a.delivered_by:
            g.add_edge(node, provider, kind="DeliveredBy", **dates)
            g.add_edge(provider, a.holder, kind="DeliversUnder", contract=a.contract_id, **dates)
    return g


def _events(lt: LateralTieView) -> dict[str, object]:
    """The columns of an inspection, an approach or a bid (ontology 2.3), where the tie has them."""
    out: dict[str, object] = {}
    for key, scheme in (("selection_basis", "selection_basis"), ("outcome", "outcome")):
        value = getattr(lt, key, None)
        if value:
            out[key] = _notation(scheme, value)
    lot = getattr(lt, "lot", None)
    if lot:
        out["lot"] = lot
    return out
