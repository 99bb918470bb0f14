"""The merged graph to RDF: N-Quads, one named graph per source file and vintage, plus the
resolved graph.

- ``id/source/<slug>`` (one per input file): what that file states and where: the name it gives an
  organisation, the dates it states for a tie or role (or the day it observed the tie), its
  contracts and payments, each with ``prov:wasDerivedFrom`` the file and ``pcg:sourceLine``.
- ``id/graph/resolved``: one resolved statement per organisation, tie and role after the vintages
  are merged (graphkit/ingest/merge.py): kinds, current name, resolved period, every source it was
  derived from, and the evidence where a period was closed by a newer file's silence.

Terms come only from the generated closed vocabulary, so a typo fails at import time. Quads are
produced as N-Quads text, which Oxigraph parses natively (fast) and rdflib reads for SHACL.

The writing kit (terms, literals, :class:`QuadSink`) is :mod:`graphkit.rdf.quads`; the curated facts are emitted by
:mod:`graphkit.rdf.emit_curated`. What other modules import from here is still importable from here.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS, ORG, PROV

from graphkit.core.model import ContractFact, ImportResult, ServicePayment, Source
from graphkit.core.namespaces import ODSROLE_NS, fact_iri, segment
from graphkit.core.nhs import DATED_RELATION_KINDS, is_ods_code
from graphkit.ingest.merge import ChangeEvent, MergedGraph, MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.ontology.vocab import ODSROLE, PCG
from graphkit.rdf.emit_curated import (
    CuratedIRIs,
    agreement_iri,
    delivery_iri,
    emit_agreement,
    emit_curated,
    emit_delivery,
    emit_lateral_tie,
    emit_person,
    emit_post,
    lateral_tie_iri,
    person_iri,
    post_holding_iri,
    post_iri,
)
from graphkit.rdf.quads import (
    CONTRACT_IRI,
    DATED_RELATION,
    DERIVED_FROM,
    END_INFERRED,
    END_NO_LATER_THAN,
    FORMAL_ORG,
    FROM_ORG,
    LABEL,
    LINE,
    MEMBER,
    MEMBER_DURING,
    MEMBERSHIP,
    OBSERVED_ON,
    ONTOLOGY_GRAPH,
    ORG_IDENTIFIER,
    ORGANIZATION,
    PREF,
    RESOLVED,
    TO_ORG,
    VALID_DURING,
    A,
    P_amountGBP,
    P_assertionType,
    P_attestedBy,
    P_commissioner,
    P_Contract,
    P_contractHolder,
    P_contractTypeStated,
    P_derivationRule,
    P_dispensing,
    P_endedAtTime,
    P_endEvidence,
    P_endPrecision,
    P_fictional,
    P_fileName,
    P_financialYear,
    P_holder,
    P_listSize,
    P_localCode,
    P_odsCode,
    P_odsRole,
    P_onsCode,
    P_paymentFor,
    P_postcode,
    P_RoleHolding,
    P_rurality,
    P_sha256,
    P_SourceDocument,
    P_sourceKind,
    P_startBasis,
    P_startEarliest,
    P_startedAtTime,
    P_startLatest,
    P_status,
    P_underContract,
    P_vintage,
    P_weightedListSize,
    QuadSink,
    _cite,
    _graph,
    _i,
    _org,
    _pcg,
    day_time_lit,
    lit,
)

__all__ = [
    "ONTOLOGY_GRAPH",
    "RESOLVED",
    "CuratedIRIs",
    "QuadSink",
    "agreement_iri",
    "contract_iri",
    "delivery_iri",
    "emit",
    "emit_agreement",
    "emit_contracts",
    "emit_curated",
    "emit_delivery",
    "emit_event",
    "emit_lateral_tie",
    "emit_organisation",
    "emit_payment",
    "emit_person",
    "emit_post",
    "emit_role",
    "emit_source",
    "emit_tie",
    "lateral_tie_iri",
    "lit",
    "person_iri",
    "post_holding_iri",
    "post_iri",
    "role_iri",
    "tie_iri",
    "unknown_roles",
]


def unknown_roles(graph: MergedGraph) -> list[str]:
    """Role codes in the data that the held ODS role list (ontology/ods-codes.ttl) does not define."""
    unknown = set()
    for code in {m.role for m in graph.roles}:
        try:
            ODSROLE[code]
        except (KeyError, AttributeError):
            unknown.add(code)
    return sorted(unknown)



def tie_iri(t: MergedTie) -> str:
    return _i(fact_iri("membership", t.kind, t.member, t.organisation, t.start))


def role_iri(r: MergedRole) -> str:
    return _i(fact_iri("role", r.code, r.role, r.start))


def contract_iri(c: ContractFact) -> str:
    return _i(fact_iri("contract", c.practice, c.financial_year))


def emit_source(src: Source, sink: QuadSink) -> str:
    """The source's description, in its own graph and in the resolved graph (which cites it)."""
    g = _graph(src.slug)
    for graph in (g, _i(RESOLVED)):
        _describe_source(src, sink, graph)
    return g


def _describe_source(src: Source, sink: QuadSink, g: str) -> None:
    s = _graph(src.slug)
    sink.add(s, A, P_SourceDocument, g)
    sink.add(s, A, _i(PROV.Entity), g)
    sink.add(s, P_fileName, lit(src.file_name), g)
    sink.add(s, P_sourceKind, lit(src.kind), g)
    sink.add(s, P_vintage, lit(src.vintage), g)
    sink.add(s, P_sha256, lit(src.sha256), g)
    sink.add(s, _i(DCTERMS.publisher), lit(src.publisher), g)
    sink.add(s, _i(DCTERMS.license), lit(src.licence), g)
    if src.title:
        sink.add(s, _i(DCTERMS.title), lit(src.title), g)


def _statement(fact: str, st: Statement, sink: QuadSink, during: str) -> None:
    g = _graph(st.source.slug)
    if st.start is not None or st.end is not None:
        sink.add(fact, during, sink.interval(st.start, st.end, g), g)
    if st.observed is not None:
        sink.add(fact, OBSERVED_ON, lit(st.observed), g)
    # the named graph is the source; the resolved graph says prov:wasDerivedFrom for each source
    sink.add(fact, LINE, lit(st.line), g)
    _cite(fact, st.citations, g, sink)



def emit_organisation(o: MergedOrganisation, sink: QuadSink) -> None:
    r = _i(RESOLVED)
    s = _org(o.code)
    sink.add(s, A, FORMAL_ORG, r)
    for kind in sorted(o.kinds):
        sink.add(s, A, _pcg(kind), r)
    # the code as ORG's identifier (the key every query joins on), and as what it is: an ODS code or a local one
    sink.add(s, ORG_IDENTIFIER, lit(o.code), r)
    sink.add(s, P_odsCode if is_ods_code(o.code, o.fictional) else P_localCode, lit(o.code), r)
    sink.add(s, PREF, lit(o.name), r)
    sink.add(s, LABEL, lit(o.name), r)
    if o.start is not None or o.end is not None:
        sink.add(s, VALID_DURING, sink.interval(o.start, o.end, r), r)
    if o.status:
        sink.add(s, P_status, lit(o.status), r)
    if o.postcode:
        sink.add(s, P_postcode, lit(o.postcode), r)
    if o.ons_code:
        sink.add(s, P_onsCode, lit(o.ons_code), r)
    if o.fictional:
        sink.add(s, P_fictional, lit(True), r)
    if o.list_size is not None:
        sink.add(s, P_listSize, lit(o.list_size), r)
    for f in sorted(o.central_functions):
        sink.add(s, _i(PCG.centralFunction), _pcg(f), r)
    for f in sorted(o.exit_costs):
        sink.add(s, _i(PCG.exitCost), _pcg(f), r)
    if o.footprint_basis is not None:
        sink.add(s, _i(PCG.footprintBasis), _pcg(o.footprint_basis), r)
    if o.note:
        sink.add(s, _i(PCG.note), lit(o.note), r)
    for src, stated in o.statements:
        g = _graph(src.slug)
        sink.add(s, LABEL, lit(stated.name), g)
        sink.add(s, LINE, lit(stated.line), g)
        if stated.start is not None or stated.end is not None:
            sink.add(s, VALID_DURING, sink.interval(stated.start, stated.end, g), g)
        if stated.list_size is not None:
            sink.add(s, P_listSize, lit(stated.list_size), g)
        for f in stated.central_functions:
            sink.add(s, _i(PCG.centralFunction), _pcg(f), g)
        for f in stated.exit_costs:
            sink.add(s, _i(PCG.exitCost), _pcg(f), g)
        if stated.footprint_basis is not None:
            sink.add(s, _i(PCG.footprintBasis), _pcg(stated.footprint_basis), g)
        _cite(s, stated.citations, g, sink)


def emit_tie(t: MergedTie, sink: QuadSink) -> None:
    """A membership (org:Membership: member, organization, memberDuring) or, for the kinds that are not
    membership (commissioning, operation, payee, part-of structure), a dated relation (pcg:DatedRelation:
    fromOrganisation, toOrganisation, validDuring). The record's member is the ODS source, its organisation
    the ODS target, either way."""
    r = _i(RESOLVED)
    s = tie_iri(t)
    if t.kind in DATED_RELATION_KINDS:
        cls, lower, upper, during = DATED_RELATION, FROM_ORG, TO_ORG, VALID_DURING
    else:
        cls, lower, upper, during = MEMBERSHIP, MEMBER, ORGANIZATION, MEMBER_DURING
    sink.add(s, A, cls, r)
    sink.add(s, A, _pcg(t.kind), r)
    sink.add(s, lower, _org(t.member), r)
    sink.add(s, upper, _org(t.organisation), r)
    sink.add(s, during, sink.interval(t.start, t.end, r), r)
    sink.add(s, P_assertionType, lit("derived" if t.derived else "reported"), r)
    if t.end_evidence is not None:
        sink.add(s, P_endEvidence, _graph(t.end_evidence.slug), r)
        sink.add(s, P_endPrecision, END_INFERRED if t.end_inferred else END_NO_LATER_THAN, r)
    if t.start_interval is not None:
        sink.add(s, P_startEarliest, lit(t.start_interval[0]), r)
        sink.add(s, P_startLatest, lit(t.start_interval[1]), r)
        sink.add(s, P_startBasis, lit(t.start_basis or ""), r)
    for slug in sorted({st.source.slug for st in t.statements}):
        sink.add(s, DERIVED_FROM, _graph(slug), r)
    for st in t.statements:
        _statement(s, st, sink, during)


def emit_role(m: MergedRole, sink: QuadSink) -> None:
    r = _i(RESOLVED)
    s = role_iri(m)
    sink.add(s, A, P_RoleHolding, r)
    sink.add(s, P_holder, _org(m.code), r)
    # role codes are data: a code newer than the held ODS role list is loaded as given (and reported)
    sink.add(s, P_odsRole, _i(ODSROLE_NS[segment(m.role)]), r)
    sink.add(s, VALID_DURING, sink.interval(m.start, m.end, r), r)
    sink.add(s, P_assertionType, lit("derived" if m.rule else "reported"), r)
    if m.rule:
        sink.add(s, P_derivationRule, lit(m.rule), r)
    for slug in sorted({st.source.slug for st in m.statements}):
        sink.add(s, DERIVED_FROM, _graph(slug), r)
    for st in m.statements:
        _statement(s, st, sink, VALID_DURING)


def emit_contracts(result: ImportResult, sink: QuadSink) -> None:
    """Practice-year contracts and their service payments: the facts in the resolved graph, the row
    in the source's graph."""
    g = _graph(result.source.slug)
    r = _i(RESOLVED)
    by_practice: dict[str, str] = {}
    for c in result.contracts:
        s = contract_iri(c)
        by_practice[c.practice] = s
        sink.add(s, A, P_Contract, r)
        if c.contract_type in CONTRACT_IRI:
            sink.add(s, A, CONTRACT_IRI[c.contract_type], r)
        sink.add(s, P_contractTypeStated, lit(c.contract_type), r)
        sink.add(s, P_contractHolder, _org(c.practice), r)
        if c.commissioner:
            sink.add(s, P_commissioner, _org(c.commissioner), r)
        sink.add(s, P_financialYear, lit(c.financial_year), r)
        if c.dispensing is not None:
            sink.add(s, P_dispensing, lit(c.dispensing), r)
        if c.list_size is not None:
            sink.add(s, P_listSize, lit(round(c.list_size)), r)
        if c.weighted_list_size is not None:
            sink.add(s, P_weightedListSize, lit(float(c.weighted_list_size)), r)
        if c.rurality:
            sink.add(s, P_rurality, lit(c.rurality), r)
        if c.total_paid is not None:
            sink.add(s, P_amountGBP, lit(float(c.total_paid)), r)
        sink.add(s, DERIVED_FROM, g, r)
        sink.add(s, LINE, lit(c.line), g)
    for p in result.payments:
        emit_payment(p, by_practice[p.practice], r, sink)


def emit_payment(p: ServicePayment, contract: str, g: str, sink: QuadSink) -> None:
    # typed pcg:ServicePayment by the domain of pcg:underContract (saves a quad per payment)
    s = _i(fact_iri("payment", p.practice, p.financial_year, p.service))
    sink.add(s, P_underContract, contract, g)
    sink.add(s, P_paymentFor, _pcg(p.service), g)
    sink.add(s, P_amountGBP, lit(float(p.amount)), g)


EVENT_RULE = ("derived across vintages: the members' ties moved from the originals to the result on this day "
              "(the first file showing it), and the originals kept none")


def emit_event(e: ChangeEvent, sink: QuadSink) -> None:
    r = _i(RESOLVED)
    s = _i(fact_iri("event", e.kind, e.result, e.day))
    sink.add(s, A, _i(ORG.ChangeEvent), r)
    sink.add(s, A, _pcg(e.kind), r)
    for o in e.originals:
        sink.add(s, _i(ORG.originalOrganization), _org(o), r)
    sink.add(s, _i(ORG.resultingOrganization), _org(e.result), r)
    # an org:ChangeEvent is a prov:Activity: timed by start and end (the day it took effect, both), and attested
    # by its sources (prov:wasDerivedFrom is for entities, which PROV-O makes disjoint with activities)
    sink.add(s, P_startedAtTime, day_time_lit(e.day), r)
    sink.add(s, P_endedAtTime, day_time_lit(e.day), r)
    sink.add(s, P_assertionType, lit("derived"), r)
    sink.add(s, P_derivationRule, lit(EVENT_RULE), r)
    for src in e.sources:
        sink.add(s, P_attestedBy, _graph(src.slug), r)



def emit(graph: MergedGraph, sink: QuadSink | None = None) -> QuadSink:
    """The quads of the whole merged graph, into ``sink`` (a new one by default)."""
    sink = sink if sink is not None else QuadSink()
    for r in graph.results:
        emit_source(r.source, sink)
    for o in graph.organisations.values():
        emit_organisation(o, sink)
    for t in graph.ties:
        emit_tie(t, sink)
    for m in graph.roles:
        emit_role(m, sink)
    for e in graph.events:
        emit_event(e, sink)
    iris = CuratedIRIs(graph.results)
    for r in graph.results:
        if r.contracts:
            emit_contracts(r, sink)
        emit_curated(r, sink, iris)
    return sink
