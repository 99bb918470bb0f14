"""Namespaces and the IRIs of instance data. Identity is derived from ODS codes (rule 8)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/pcgraph/"
PCG_NS = Namespace(BASE + "def#")
ODSROLE_NS = Namespace(BASE + "ods/role/")
ODSREL_NS = Namespace(BASE + "ods/rel/")
ID = Namespace(BASE + "id/")

PREFIXES: dict[str, str] = {
    "pcg": str(PCG_NS),
    "odsrole": str(ODSROLE_NS),
    "odsrel": str(ODSREL_NS),
    "id": str(ID),
    "org": str(ORG),
    "prov": str(PROV),
    "time": str(TIME),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}

SPARQL_PREFIXES = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + "\n"

_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def segment(text: str) -> str:
    """``text`` as one IRI path segment: kept when it is letters, digits, ``.``, ``_`` and ``-``, else percent-encoded
    whole. Every IRI made from data goes through here, so every IRI the emitters write is valid by construction (the
    build's bulk load then skips checking them: graphkit/store/build.py)."""
    return text if _SAFE.match(text) else quote(text, safe="")


def org_iri(code: str) -> URIRef:
    return ID[f"org/{segment(code)}"]


def source_iri(slug: str) -> URIRef:
    return ID[f"source/{segment(slug)}"]


def instant_iri(day: dt.date) -> URIRef:
    return ID[f"instant/{day.isoformat()}"]


def interval_iri(start: dt.date | None, end: dt.date | None) -> URIRef:
    s = start.isoformat() if start else ""
    e = end.isoformat() if end else ""
    return ID[f"interval/{s}_{e}"]


def fact_iri(kind: str, *parts: str | dt.date | None) -> URIRef:
    """IRI of a dated fact (membership, role holding, contract...), stable across vintages."""
    segs = [segment(p.isoformat() if isinstance(p, dt.date) else (p or "_")) for p in parts]
    return ID[f"{kind}/" + "/".join(segs)]
