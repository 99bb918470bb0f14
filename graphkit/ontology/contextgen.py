"""Generate the published JSON-LD context (ontology/context.jsonld) from the ontology.

Run ``python -m graphkit.ontology.contextgen`` after changing ``ontology/*.ttl``; a test regenerates the file and
fails when the committed copy is stale. The server answers it at ``GET /context.jsonld`` and the area exports
(:func:`graphkit.outputs.area.to_jsonld`) are written in its terms.

What it holds:

- the project's prefixes (:data:`graphkit.core.namespaces.PREFIXES`: ``pcg:``, ``id:``, ``org:``, ``prov:``, ``time:``,
  ...), so that every IRI can be written short;
- one term for every class and property of ``pcg:``, ``org:``, ``prov:``, ``time:``, ``dcterms:``, ``foaf:``,
  ``skos:`` and ``rdfs:`` that the ontology's own files (pcg.ttl, pcg-import.ttl, ods-codes.ttl, shapes.ttl) name,
  by its local name (``GPPractice``, ``member``, ``wasDerivedFrom``); when two vocabularies share a local name the
  first in :data:`NAMESPACE_ORDER` keeps it and the other is keyed by its compact IRI (``org:Membership``);
- for an object property (``owl:ObjectProperty`` in the ontology or in the W3C vocabularies it imports,
  ontology/imports/), ``"@type": "@id"``; for a datatype property whose values are dates (``rdfs:range``,
  ``schema:rangeIncludes`` or the shapes' ``sh:datatype``: one of :data:`COERCED`), ``"@type": "xsd:date"``
  (or that datatype). Strings, numbers and booleans need no typing: JSON has them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from graphkit.config import PROJECT_ROOT
from graphkit.core.namespaces import PREFIXES
from graphkit.ontology.vocabgen import load_ontology

TARGET = PROJECT_ROOT / "ontology" / "context.jsonld"
IMPORTS = ("org.ttl", "prov-o.ttl")  # the W3C vocabularies in ontology/imports/, for the kinds of their terms
#: The vocabularies given terms, in the order that settles a shared local name.
NAMESPACE_ORDER = ("pcg", "org", "prov", "time", "skos", "dcterms", "foaf", "rdfs")
#: Datatypes a term is typed with (its values written as plain strings); others are native JSON or value objects.
COERCED = (XSD.date, XSD.dateTime, XSD.anyURI)
SCHEMA_RANGE = URIRef("https://schema.org/rangeIncludes")
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def load_sources(root: Path = PROJECT_ROOT) -> tuple[Graph, Graph]:
    """The ontology with its imported W3C vocabularies (what the terms are) and the shapes (what they hold)."""
    ontology = load_ontology(root)
    for name in IMPORTS:
        ontology.parse(root / "ontology" / "imports" / name, format="turtle")
    shapes = Graph().parse(root / "ontology" / "shapes.ttl", format="turtle")
    return ontology, shapes


def _named(root: Path, shapes: Graph) -> set[URIRef]:
    """Every IRI the project's own files name (subject, predicate or object): the imports are left out, so that
    the context holds the terms the project uses, not all of PROV-O."""
    own = load_ontology(root) + shapes
    out: set[URIRef] = set()
    for triple in own:
        out |= {t for t in triple if isinstance(t, URIRef)}
    return out


def _split(iri: str) -> tuple[str, str] | None:
    for prefix in NAMESPACE_ORDER:
        ns = PREFIXES[prefix]
        if iri.startswith(ns) and iri[len(ns):].isidentifier():
            return prefix, iri[len(ns):]
    return None


def _datatypes(term: URIRef, ontology: Graph, shapes: Graph) -> set[URIRef]:
    ranges = set(ontology.objects(term, RDFS.range)) | set(ontology.objects(term, SCHEMA_RANGE))
    for shape in shapes.subjects(SH.path, term):
        ranges |= set(shapes.objects(shape, SH.datatype))
    return {r for r in ranges if isinstance(r, URIRef) and str(r).startswith(str(XSD))}


def render(root: Path = PROJECT_ROOT) -> str:
    ontology, shapes = load_sources(root)
    named = _named(root, shapes)
    kinds: dict[URIRef, set[URIRef]] = {}
    for term in named:
        kinds[term] = {t for t in ontology.objects(term, RDF.type) if isinstance(t, URIRef)}
    context: dict[str, Any] = {prefix: PREFIXES[prefix] for prefix in sorted(PREFIXES)}
    terms: dict[str, Any] = {}
    split = {t: s for t in named if (s := _split(str(t))) is not None}
    order = {p: i for i, p in enumerate(NAMESPACE_ORDER)}
    for term in sorted(split, key=lambda t: (order[split[t][0]], str(t))):
        prefix, local = split[term]
        is_class = bool(kinds[term] & set(CLASS_TYPES)) or any(
            True for _ in ontology.objects(term, RDFS.subClassOf))
        is_property = bool(kinds[term] & set(PROPERTY_TYPES)) or any(
            True for _ in ontology.objects(term, RDFS.subPropertyOf))
        if not (is_class or is_property):
            continue  # a concept, an ontology IRI: written as a compact IRI
        key = local if local not in terms and local not in context else f"{prefix}:{local}"
        definition: Any = f"{prefix}:{local}"
        if is_property and OWL.ObjectProperty in kinds[term]:
            definition = {"@id": definition, "@type": "@id"}
        elif is_property:
            datatypes = _datatypes(term, ontology, shapes)
            if len(datatypes) == 1 and next(iter(datatypes)) in COERCED:
                definition = {"@id": definition, "@type": f"xsd:{str(next(iter(datatypes)))[len(str(XSD)):]}"}
        if key == definition:
            continue  # the compact IRI itself, untyped: the prefix already says it
        terms[key] = definition
    context.update(dict(sorted(terms.items())))
    return json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n"


@functools.cache
def published() -> tuple[bytes, str]:
    """The committed context file's bytes and their ETag, read once per process (the API serves them as they are)."""
    body = TARGET.read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def load_context(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The committed context's object (the value of its ``@context``); the project's own is parsed once per process
    and must not be changed by the caller."""
    if root == PROJECT_ROOT:
        return _parsed()
    context: dict[str, Any] = json.loads((root / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    return context


@functools.cache
def _parsed() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(published()[0].decode("utf-8"))["@context"]
    return context


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
