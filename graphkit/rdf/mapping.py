"""One description of each record type's mapping: for every field of a record (graphkit/core/model.py) that the
stores hold as one plain value, the property Neo4j holds it by and the predicate RDF holds it by.

The converters read these tables rather than spelling the fields out again: the Neo4j row builders and the
Neo4j read-back (graphkit/store/neo4j/load.py, readback.py) and the RDF read-back (graphkit/rdf/read.py), so
that loading, reading back and exporting cannot disagree about a field. What is not one plain value stays with
the converter that needs it and is named there: a record's class (``kind``: an RDF type, a Neo4j label or
property), its period (an RDF interval), its line and citations (the source graph in RDF), and the ends of a
relationship (Neo4j relationship ends, RDF object properties).

``neo4j`` says how Neo4j holds the value: ``plain`` as it is, ``date`` a date (the driver's date type comes back),
``int`` an integer, ``list`` a list (a tuple in the record), ``flag`` true or absent (a boolean in the record),
``bool`` a boolean, ``round`` a number written rounded to an integer. ``rdf`` says what the RDF object is:
``literal``, ``org`` an organisation IRI (the record holds the ODS code), ``orgs`` several (the record holds a
tuple of codes), ``pcg`` a term of the ontology (the record holds its local name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib.namespace import DCTERMS, ORG, RDFS

from graphkit.ontology.vocab import PCG


@dataclass(frozen=True)
class Field:
    attr: str  # the record's field
    prop: str  # the Neo4j property
    pred: str | None = None  # the RDF predicate (full IRI); None: RDF holds it otherwise (see the module)
    neo4j: str = "plain"
    rdf: str = "literal"
    default: Any = None  # the record's value when the store holds none


def _f(attr: str, prop: str, pred: object = None, **kw: Any) -> Field:
    return Field(attr, prop, None if pred is None else str(pred), **kw)


LINE = _f("line", "line", neo4j="int")
CITATIONS = _f("citations", "citations", neo4j="list")
NOTE = _f("note", "note", PCG.note)  # a curated row's note (ontology 2.4.0), in the resolved graph
START = _f("start", "start", neo4j="date")
END = _f("end", "end", neo4j="date")

#: A source file (its slug is the graph's IRI in RDF).
SOURCE = (
    _f("slug", "slug"),
    _f("file_name", "fileName", PCG.fileName),
    _f("kind", "sourceKind", PCG.sourceKind),
    _f("vintage", "vintage", PCG.vintage, neo4j="date"),
    _f("sha256", "sha256", PCG.sha256),
    _f("publisher", "publisher", DCTERMS.publisher),
    _f("licence", "license", DCTERMS.license),
    _f("title", "title", DCTERMS.title, default=""),
)

#: A merged organisation's resolved values (its name, kinds, central functions and statements: the converters).
ORGANISATION = (
    _f("code", "odsCode", ORG.identifier),  # RDF: also pcg:odsCode or pcg:localCode (graphkit/rdf/emit.py)
    _f("start", "start", neo4j="date"),
    _f("end", "end", neo4j="date"),
    _f("status", "status", PCG.status),
    _f("postcode", "postcode", PCG.postcode),
    _f("ons_code", "onsCode", PCG.onsCode),
    _f("fictional", "fictional", PCG.fictional, neo4j="bool", default=False),
    _f("list_size", "listSize", PCG.listSize),
    _f("footprint_basis", "footprintBasis", PCG.footprintBasis, rdf="pcg"),  # curated (ontology 2.5.0)
    NOTE,  # curated: its rows' notes, joined (ontology 2.6.0), in the resolved graph
)

#: A practice-year contract (NHS Payments to General Practice); its line is in the source graph.
CONTRACT = (
    _f("practice", "holderCode", PCG.contractHolder, rdf="org"),
    _f("financial_year", "financialYear", PCG.financialYear),
    _f("contract_type", "contractTypeStated", PCG.contractTypeStated),
    _f("commissioner", "commissionerCode", PCG.commissioner, rdf="org"),
    LINE,
    _f("dispensing", "dispensing", PCG.dispensing),
    _f("list_size", "listSize", PCG.listSize, neo4j="round"),
    _f("weighted_list_size", "weightedListSize", PCG.weightedListSize),
    _f("rurality", "rurality", PCG.rurality),
    _f("total_paid", "amountGBP", PCG.amountGBP),
)

#: A person (curated).
PERSON = (
    _f("person_id", "personId", PCG.personId),
    _f("name", "name", RDFS.label),
    LINE,
    _f("fictional", "fictional", PCG.fictional, neo4j="flag", default=False),
    CITATIONS,
    NOTE,
)

#: A post held (curated): in RDF the holding (pcg:represents, pcg:appointmentMode, pcg:commissioningRole) and its
#: post (org:role,
#: rdfs:label, pcg:voting) are two nodes, so the RDF read-back places these fields itself.
POST_HOLDING = (
    _f("role", "role"),
    LINE,
    _f("title", "title"),
    START,
    END,
    _f("represents", "represents"),
    _f("appointment", "appointment"),
    _f("voting", "voting"),
    _f("commissioning", "commissioning"),
    CITATIONS,
    NOTE,
)

#: A curated contract or subcontract (its class, ``kind``, and its parent are the converters').
AGREEMENT = (
    _f("contract_id", "contractId", DCTERMS.identifier),
    _f("holder", "holderCode", PCG.contractHolder, rdf="org"),
    LINE,
    _f("commissioner", "commissionerCode", PCG.commissioner, rdf="org"),
    _f("service", "service", PCG.forService, rdf="pcg"),
    START,
    END,
    _f("amount", "amountGBP", PCG.amountGBP),
    _f("supported_by", "supportedBy", PCG.supportedBy, neo4j="list", rdf="orgs", default=()),
    CITATIONS,
    NOTE,
)

#: A delivery under a curated contract (the provider is the relationship's start in Neo4j).
DELIVERY = (
    _f("contract_id", "contractId"),
    _f("holder", "holderCode", PCG.tieTo, rdf="org"),
    LINE,
    START,
    END,
    CITATIONS,
    NOTE,
)

#: A lateral or governance tie (its ends are the relationship's in Neo4j, its class the converters').
LATERAL_TIE = (
    LINE,
    START,
    END,
    _f("hood_mode", "hoodMode", PCG.hoodMode, rdf="pcg"),
    _f("mechanism", "mechanism", PCG.mechanism),
    _f("arena", "arena", PCG.competitionArena),
    _f("initiated_by", "initiatedBy", PCG.initiatedBy, rdf="org"),
    _f("horizon", "horizon", PCG.horizon),
    _f("status", "status", PCG.tieStatus, rdf="pcg"),
    _f("monitored", "monitored", PCG.monitored, neo4j="bool"),
    _f("sanction", "sanction", PCG.sanction, rdf="pcg"),
    _f("compliance", "compliance", PCG.compliance, rdf="pcg"),
    _f("function", "function", PCG.dependsOnFunction, rdf="pcg"),
    _f("selection_basis", "selectionBasis", PCG.selectionBasis, rdf="pcg"),
    _f("outcome", "outcome", PCG.outcome, rdf="pcg"),
    _f("lot", "lot", PCG.lot),
    CITATIONS,
    NOTE,
)

#: What a curated membership row says beyond its resolved tie (ontology 2.4.0): held on the membership in RDF, on
#: its relationship in Neo4j.
MEMBERSHIP_TERMS = (
    NOTE,
    _f("tier", "tier", PCG.membershipTier, rdf="pcg"),
    _f("exit_reason", "exitReason", PCG.exitReason, rdf="pcg"),
)
