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
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from graphkit.core.model import (
    Agreement,
    ContractFact,
    Delivery,
    ImportResult,
    LateralTie,
    Person,
    PostHolding,
    ServicePayment,
    Source,
)
from graphkit.core.namespaces import ID, ODSROLE_NS, fact_iri, instant_iri, interval_iri, org_iri, source_iri
from graphkit.ingest.merge import ChangeEvent, MergedGraph, MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.ontology.vocab import ODSROLE, PCG


def unknown_roles(graph: MergedGraph) -> list[str]:
    """Role codes in the data that the held ODS role list (ontology/ods-codes.ttl) does not define."""
    unknown = set()
    for code in {m.role for m in graph.roles}:
        try:
            ODSROLE[code]
        except (KeyError, AttributeError):
            unknown.add(code)
    return sorted(unknown)


RESOLVED = ID["graph/resolved"]
ONTOLOGY_GRAPH = ID["graph/ontology"]
CONTRACT_CLASS = {"GMS": PCG.GMSContract, "PMS": PCG.PMSContract, "APMS": PCG.APMSContract}


def _i(iri: object) -> str:
    return f"<{iri}>"


@functools.cache
def _org(code: str) -> str:
    return _i(org_iri(code))


@functools.cache
def _pcg(local: str) -> str:
    """A pcg: term by local name, checked against the closed vocabulary once."""
    return _i(PCG[local])


@functools.cache
def _graph(slug: str) -> str:
    return _i(source_iri(slug))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


@functools.lru_cache(maxsize=65536)
def _date_lit(day: dt.date) -> str:
    return f'"{day.isoformat()}"^^<{XSD.date}>'


_INT = f"^^<{XSD.integer}>"


def lit(value: object) -> str:
    t = type(value)
    if t is int:
        return f'"{value}"{_INT}'
    if t is str:
        return f'"{_escape(value)}"'  # type: ignore[arg-type]
    if t is dt.date:
        return _date_lit(value)
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^{_i(XSD.boolean)}'
    if isinstance(value, int):
        return f'"{value}"^^{_i(XSD.integer)}'
    if isinstance(value, float):
        return f'"{value:.2f}"^^{_i(XSD.decimal)}'
    if isinstance(value, dt.date):
        return f'"{value.isoformat()}"^^{_i(XSD.date)}'
    return f'"{_escape(str(value))}"'


CONTRACT_IRI = {k: f"<{v}>" for k, v in CONTRACT_CLASS.items()}
# predicate and class IRIs, formatted once (and checked against the closed vocabulary at import)
P_Contract = _i(PCG.Contract)
P_RoleHolding = _i(PCG.RoleHolding)
P_SourceDocument = _i(PCG.SourceDocument)
P_amountGBP = _i(PCG.amountGBP)
P_assertionType = _i(PCG.assertionType)
P_commissioner = _i(PCG.commissioner)
P_contractHolder = _i(PCG.contractHolder)
P_contractTypeStated = _i(PCG.contractTypeStated)
P_derivationRule = _i(PCG.derivationRule)
P_dispensing = _i(PCG.dispensing)
P_endEvidence = _i(PCG.endEvidence)
P_eventDate = _i(PCG.eventDate)
P_fictional = _i(PCG.fictional)
P_fileName = _i(PCG.fileName)
P_financialYear = _i(PCG.financialYear)
P_holder = _i(PCG.holder)
P_listSize = _i(PCG.listSize)
P_observedOn = _i(PCG.observedOn)
P_odsCode = _i(PCG.odsCode)
P_paymentFor = _i(PCG.paymentFor)
P_odsRole = _i(PCG.odsRole)
P_onsCode = _i(PCG.onsCode)
P_postcode = _i(PCG.postcode)
P_rurality = _i(PCG.rurality)
P_sha256 = _i(PCG.sha256)
P_sourceKind = _i(PCG.sourceKind)
P_sourceLine = _i(PCG.sourceLine)
P_status = _i(PCG.status)
P_underContract = _i(PCG.underContract)
P_validDuring = _i(PCG.validDuring)
P_vintage = _i(PCG.vintage)
P_weightedListSize = _i(PCG.weightedListSize)
P_citation = _i(PCG.citation)
DC_SOURCE = _i(DCTERMS.source)
DC_IDENTIFIER = _i(DCTERMS.identifier)
SEED_CITATION = re.compile(r"^[0-9]{3}:[0-9]+(-[0-9]+)?$")
A = _i(RDF.type)
LABEL, PREF = _i(RDFS.label), _i(SKOS.prefLabel)
DERIVED_FROM, LINE = _i(PROV.wasDerivedFrom), P_sourceLine
MEMBER, ORGANIZATION, MEMBER_DURING = _i(ORG.member), _i(ORG.organization), _i(ORG.memberDuring)
VALID_DURING, OBSERVED_ON = P_validDuring, P_observedOn
BEGIN, END, IN_DATE = _i(TIME.hasBeginning), _i(TIME.hasEnd), _i(TIME.inXSDDate)
MEMBERSHIP, FORMAL_ORG = _i(ORG.Membership), _i(ORG.FormalOrganization)


class QuadSink:
    """Collects N-Quads lines; shared intervals and instants are written once per graph."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._intervals: set[tuple[str, str]] = set()

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")

    def interval(self, start: dt.date | None, end: dt.date | None, g: str) -> str:
        iv = _i(interval_iri(start, end))
        if (iv, g) not in self._intervals:
            self._intervals.add((iv, g))
            self.add(iv, A, _i(TIME.ProperInterval), g)
            for prop, day in ((BEGIN, start), (END, end)):
                if day is not None:
                    inst = _i(instant_iri(day))
                    self.add(iv, prop, inst, g)
                    if (inst, g) not in self._intervals:
                        self._intervals.add((inst, g))
                        self.add(inst, A, _i(TIME.Instant), g)
                        self.add(inst, IN_DATE, lit(day), g)
        return iv

    def text(self) -> str:
        return "".join(self.lines)


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


def _cite(fact: str, citations: tuple[str, ...], g: str, sink: QuadSink) -> None:
    """Where a curated fact comes from: a seed citation ("004:190-198") as pcg:citation, anything else
    (a URL, a reference) as dcterms:source."""
    for c in citations:
        sink.add(fact, P_citation if SEED_CITATION.match(c) else DC_SOURCE, lit(c), g)


def emit_organisation(o: MergedOrganisation, sink: QuadSink) -> None:
    r = _i(RESOLVED)
    s = _org(o.code)
    sink.add(s, A, FORMAL_ORG, r)
    for kind in sorted(o.kinds):
        sink.add(s, A, _pcg(kind), r)
    sink.add(s, P_odsCode, lit(o.code), r)
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
        _cite(s, stated.citations, g, sink)


def emit_tie(t: MergedTie, sink: QuadSink) -> None:
    r = _i(RESOLVED)
    s = tie_iri(t)
    sink.add(s, A, MEMBERSHIP, r)
    sink.add(s, A, _pcg(t.kind), r)
    sink.add(s, MEMBER, _org(t.member), r)
    sink.add(s, ORGANIZATION, _org(t.organisation), r)
    sink.add(s, MEMBER_DURING, sink.interval(t.start, t.end, r), r)
    sink.add(s, P_assertionType, lit("derived" if t.derived else "reported"), r)
    if t.end_evidence is not None:
        sink.add(s, P_endEvidence, _graph(t.end_evidence.slug), r)
    for slug in sorted({st.source.slug for st in t.statements}):
        sink.add(s, DERIVED_FROM, _graph(slug), r)
    for st in t.statements:
        _statement(s, st, sink, MEMBER_DURING)


def emit_role(m: MergedRole, sink: QuadSink) -> None:
    r = _i(RESOLVED)
    s = role_iri(m)
    sink.add(s, A, P_RoleHolding, r)
    sink.add(s, P_holder, _org(m.code), r)
    # role codes are data: a code newer than the held ODS role list is loaded as given (and reported)
    sink.add(s, P_odsRole, _i(ODSROLE_NS[m.role]), r)
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
    sink.add(s, P_eventDate, lit(e.day), r)
    sink.add(s, P_assertionType, lit("derived"), r)
    sink.add(s, P_derivationRule, lit(EVENT_RULE), r)
    for src in e.sources:
        sink.add(s, DERIVED_FROM, _graph(src.slug), r)


# -- curated facts (graphkit/ingest/curated.py): people, posts, contracts, deliveries, lateral ties --------


def person_iri(person_id: str) -> str:
    return _i(ID[f"person/{person_id}"])


def _post_kind(p: PostHolding) -> str:
    """What tells two posts of one person in one organisation apart: the role, else the title."""
    return p.role or p.title or "_"


def post_iri(p: PostHolding) -> str:
    """One org:Post per holding (a seat held by this person from this day)."""
    return _i(fact_iri("post", p.organisation, _post_kind(p), p.person_id, p.start))


def post_holding_iri(p: PostHolding) -> str:
    return _i(fact_iri("postholding", p.person_id, p.organisation, _post_kind(p), p.start))


def agreement_iri(contract_id: str) -> str:
    return _i(fact_iri("agreement", contract_id))


def delivery_iri(d: Delivery) -> str:
    return _i(fact_iri("delivery", d.provider, d.contract_id, d.start))


def lateral_tie_iri(t: LateralTie) -> str:
    return _i(fact_iri("tie", t.kind, t.tie_from, t.tie_to, t.start))


def _sourced(s: str, line: int, citations: tuple[str, ...], g: str, sink: QuadSink) -> None:
    """The resolved fact cites its source; the source's graph holds the line and the citations."""
    sink.add(s, DERIVED_FROM, g, _i(RESOLVED))
    sink.add(s, LINE, lit(line), g)
    _cite(s, citations, g, sink)


def _dated(s: str, start: dt.date | None, end: dt.date | None, sink: QuadSink) -> None:
    if start is not None or end is not None:
        sink.add(s, VALID_DURING, sink.interval(start, end, _i(RESOLVED)), _i(RESOLVED))


def emit_person(p: Person, g: str, sink: QuadSink) -> None:
    r, s = _i(RESOLVED), person_iri(p.person_id)
    sink.add(s, A, _i(PCG.Person), r)
    sink.add(s, A, _i(FOAF.Person), r)
    sink.add(s, _i(PCG.personId), lit(p.person_id), r)
    sink.add(s, LABEL, lit(p.name), r)
    if p.fictional:
        sink.add(s, P_fictional, lit(True), r)
    _sourced(s, p.line, p.citations, g, sink)


def emit_post(p: PostHolding, g: str, sink: QuadSink) -> None:
    r, post, s = _i(RESOLVED), post_iri(p), post_holding_iri(p)
    sink.add(post, A, _i(ORG.Post), r)
    sink.add(post, _i(ORG.postIn), _org(p.organisation), r)
    if p.role:
        sink.add(post, _i(ORG.role), _pcg(p.role), r)
    if p.title:
        sink.add(post, LABEL, lit(p.title), r)
    if p.voting is not None:
        sink.add(post, _i(PCG.voting), lit(p.voting), r)
    sink.add(s, A, _i(PCG.PostHolding), r)
    sink.add(s, _i(PCG.post), post, r)
    sink.add(s, _i(PCG.holderPerson), person_iri(p.person_id), r)
    if p.represents:
        sink.add(s, _i(PCG.represents), _org(p.represents), r)
    if p.appointment:
        sink.add(s, _i(PCG.appointmentMode), _pcg(p.appointment), r)
    sink.add(s, P_assertionType, lit("reported"), r)
    _dated(s, p.start, p.end, sink)
    _sourced(s, p.line, p.citations, g, sink)


def emit_agreement(a: Agreement, g: str, sink: QuadSink) -> None:
    r, s = _i(RESOLVED), agreement_iri(a.contract_id)
    sink.add(s, A, P_Contract, r)
    if a.kind != "Contract":
        sink.add(s, A, _pcg(a.kind), r)
    sink.add(s, DC_IDENTIFIER, lit(a.contract_id), r)
    sink.add(s, P_contractHolder, _org(a.holder), r)
    if a.commissioner:
        sink.add(s, P_commissioner, _org(a.commissioner), r)
    if a.service:
        sink.add(s, _i(PCG.forService), _pcg(a.service), r)
    if a.parent:
        sink.add(s, _i(PCG.parentContract), agreement_iri(a.parent), r)
    if a.amount is not None:
        sink.add(s, P_amountGBP, lit(float(a.amount)), r)
    _dated(s, a.start, a.end, sink)
    _sourced(s, a.line, a.citations, g, sink)


def emit_delivery(d: Delivery, g: str, sink: QuadSink) -> None:
    """The contract is delivered by the provider (pcg:deliveredBy); the dated fact is a service-provision
    tie from the provider to the holder, under the contract."""
    r, s, contract = _i(RESOLVED), delivery_iri(d), agreement_iri(d.contract_id)
    sink.add(contract, _i(PCG.deliveredBy), _org(d.provider), r)
    sink.add(s, A, _i(PCG.Tie), r)
    sink.add(s, A, _i(PCG.ServiceProvisionTie), r)
    sink.add(s, _i(PCG.tieFrom), _org(d.provider), r)
    sink.add(s, _i(PCG.tieTo), _org(d.holder), r)
    sink.add(s, _i(PCG.deliversUnder), contract, r)
    sink.add(s, P_assertionType, lit("reported"), r)
    _dated(s, d.start, d.end, sink)
    _sourced(s, d.line, d.citations, g, sink)


def emit_lateral_tie(t: LateralTie, g: str, sink: QuadSink) -> None:
    r, s = _i(RESOLVED), lateral_tie_iri(t)
    sink.add(s, A, _i(PCG.Tie), r)
    sink.add(s, A, _pcg(t.kind), r)
    sink.add(s, _i(PCG.tieFrom), _org(t.tie_from), r)
    sink.add(s, _i(PCG.tieTo), _org(t.tie_to), r)
    if t.hood_mode:
        sink.add(s, _i(PCG.hoodMode), _pcg(t.hood_mode), r)
    if t.mechanism:
        sink.add(s, _i(PCG.mechanism), lit(t.mechanism), r)
    if t.arena:
        sink.add(s, _i(PCG.competitionArena), lit(t.arena), r)
    if t.initiated_by:
        sink.add(s, _i(PCG.initiatedBy), _org(t.initiated_by), r)
    if t.horizon:
        sink.add(s, _i(PCG.horizon), lit(t.horizon), r)
    sink.add(s, P_assertionType, lit("reported"), r)
    _dated(s, t.start, t.end, sink)
    _sourced(s, t.line, t.citations, g, sink)


def emit_curated(result: ImportResult, sink: QuadSink) -> None:
    g = _graph(result.source.slug)
    for p in result.people:
        emit_person(p, g, sink)
    for post in result.posts:
        emit_post(post, g, sink)
    for a in result.agreements:
        emit_agreement(a, g, sink)
    for d in result.deliveries:
        emit_delivery(d, g, sink)
    for t in result.lateral_ties:
        emit_lateral_tie(t, g, sink)


def emit(graph: MergedGraph) -> QuadSink:
    sink = QuadSink()
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
    for r in graph.results:
        if r.contracts:
            emit_contracts(r, sink)
        emit_curated(r, sink)
    return sink
