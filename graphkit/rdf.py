"""Records to RDF quads: one named graph per source file and vintage (PROV-O provenance).

The mapping is the single place where records meet ontology terms; every term comes from the
generated, closed vocabulary (:mod:`graphkit.vocab`), so a mistyped term fails at import time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, TIME, XSD

from graphkit.model import ImportResult, Organisation, Relation, Source
from graphkit.namespaces import fact_iri, instant_iri, interval_iri, org_iri, source_iri
from graphkit.vocab import PCG

Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]

# How each relation kind is reified: (class, IRI path segment).
RELATION_CLASSES: dict[str, URIRef] = {
    "PCNMembership": PCG.PCNMembership,
    "CommissionerAssignment": PCG.CommissionerAssignment,
    "AreaInSystem": PCG.SystemMembership,
    "SystemInRegion": PCG.RegionMembership,
}


def _date(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def interval_quads(start: dt.date | None, end: dt.date | None, graph: URIRef) -> Iterator[Quad]:
    """The shared OWL-Time interval and instants for [start, end] (either may be open)."""
    iv = interval_iri(start, end)
    yield iv, RDF.type, TIME.ProperInterval, graph
    for prop, day in ((TIME.hasBeginning, start), (TIME.hasEnd, end)):
        if day is not None:
            inst = instant_iri(day)
            yield iv, prop, inst, graph
            yield inst, RDF.type, TIME.Instant, graph
            yield inst, TIME.inXSDDate, _date(day), graph


def source_quads(source: Source, graph: URIRef) -> Iterator[Quad]:
    s = source_iri(source.slug)
    yield s, RDF.type, PCG.SourceDocument, graph
    yield s, RDF.type, PROV.Entity, graph
    yield s, PCG.fileName, Literal(source.file_name), graph
    yield s, PCG.sourceKind, Literal(source.kind), graph
    yield s, PCG.vintage, _date(source.vintage), graph
    yield s, PCG.sha256, Literal(source.sha256), graph
    yield s, DCTERMS.publisher, Literal(source.publisher), graph
    yield s, DCTERMS.license, Literal(source.licence), graph
    if source.title:
        yield s, DCTERMS.title, Literal(source.title), graph


def _provenance(fact: URIRef, line: int, source: URIRef, graph: URIRef) -> Iterator[Quad]:
    yield fact, PROV.wasDerivedFrom, source, graph
    yield fact, PCG.sourceLine, Literal(line), graph


def organisation_quads(org: Organisation, source: URIRef, graph: URIRef) -> Iterator[Quad]:
    o = org_iri(org.code)
    yield o, RDF.type, ORG.FormalOrganization, graph
    for kind in org.kinds:
        yield o, RDF.type, PCG[kind], graph
    yield o, PCG.odsCode, Literal(org.code), graph
    yield o, RDFS.label, Literal(org.name), graph
    if org.postcode:
        yield o, PCG.postcode, Literal(org.postcode), graph
    if org.ons_code:
        yield o, PCG.onsCode, Literal(org.ons_code), graph
    if org.fictional:
        yield o, PCG.fictional, Literal(True), graph
    yield from _provenance(o, org.line, source, graph)


def relation_quads(rel: Relation, source: URIRef, graph: URIRef) -> Iterator[Quad]:
    cls = RELATION_CLASSES[rel.kind]
    fact = fact_iri("membership", rel.kind, rel.member, rel.organisation, rel.start)
    yield fact, RDF.type, ORG.Membership, graph
    yield fact, RDF.type, cls, graph
    yield fact, ORG.member, org_iri(rel.member), graph
    yield fact, ORG.organization, org_iri(rel.organisation), graph
    if rel.start is not None or rel.end is not None:
        yield fact, ORG.memberDuring, interval_iri(rel.start, rel.end), graph
        yield from interval_quads(rel.start, rel.end, graph)
    if rel.observed is not None:
        yield fact, PCG.observedOn, _date(rel.observed), graph
    yield from _provenance(fact, rel.line, source, graph)


def import_result_quads(result: ImportResult) -> Iterator[Quad]:
    graph = source_iri(result.source.slug)
    yield from source_quads(result.source, graph)
    for org in result.organisations:
        yield from organisation_quads(org, graph, graph)
    for rel in result.relations:
        yield from relation_quads(rel, graph, graph)


def dedupe(quads: Iterable[Quad]) -> list[Quad]:
    return list(dict.fromkeys(quads))
