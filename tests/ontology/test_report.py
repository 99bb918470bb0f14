"""A ROBOT-style report on the ontology files (ontology/pcg.ttl, pcg-import.ttl, ods-codes.ttl), read with
rdflib: every term labelled and defined, no term used without a declaration (in the files or in the W3C
vocabularies of ontology/imports/), no two concepts of a scheme and no two terms with one label, every post
role in a scheme, every deprecated term naming its replacement."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"
FILES = ("pcg.ttl", "pcg-import.ttl", "ods-codes.ttl")
PCG = Namespace("https://w3id.org/pcgraph/def#")
ODS = "https://w3id.org/pcgraph/ods/"
BUILT_IN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
            "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")


@cache
def ours() -> Graph:
    g = Graph()
    for name in FILES:
        g.parse(ONTOLOGY / name, format="turtle")
    return g


@cache
def closure() -> Graph:
    g = Graph()
    for name in FILES:
        g.parse(ONTOLOGY / name, format="turtle")
    for name in ("org.ttl", "prov-o.ttl"):
        g.parse(ONTOLOGY / "imports" / name, format="turtle")
    return g


def _pcg_terms(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(PCG))}


def test_every_term_is_labelled_and_defined() -> None:
    g = ours()
    terms = _pcg_terms(g)
    assert len(terms) > 250
    unlabelled = sorted(t for t in terms if not (set(g.objects(t, RDFS.label)) | set(g.objects(t, SKOS.prefLabel))))
    undefined = sorted(t for t in terms
                       if not (set(g.objects(t, RDFS.comment)) | set(g.objects(t, SKOS.definition))))
    assert unlabelled == [] and undefined == []


def _declared(g: Graph, term: URIRef) -> bool:
    return any(True for _ in g.objects(term, RDF.type)) or str(term).startswith(BUILT_IN)


def test_no_term_is_used_without_a_declaration() -> None:
    """The predicates, the classes of rdf:type, and the terms axioms name (superclasses, domains, ranges,
    super-properties, inverses, disjoint classes) are each declared in the files or the imported W3C files."""
    g, c = ours(), closure()
    used: set[URIRef] = {p for p in g.predicates() if isinstance(p, URIRef)}
    used |= {o for o in g.objects(None, RDF.type) if isinstance(o, URIRef)}
    for axiom in (RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf, OWL.inverseOf, OWL.disjointWith,
                  OWL.equivalentClass):
        used |= {o for o in g.objects(None, axiom) if isinstance(o, URIRef)}
    undeclared = sorted(str(t) for t in used if not _declared(c, t) and not str(t).startswith(ODS))
    assert undeclared == []


def test_no_two_concepts_of_a_scheme_and_no_two_terms_share_a_label() -> None:
    g = ours()
    in_scheme: dict[tuple[URIRef, str], set[URIRef]] = defaultdict(set)
    for concept, scheme in g.subject_objects(SKOS.inScheme):
        for label in g.objects(concept, SKOS.prefLabel):
            in_scheme[(scheme, str(label).casefold())].add(concept)
    assert len(in_scheme) > 200
    assert {k: sorted(v) for k, v in in_scheme.items() if len(v) > 1} == {}
    labels: dict[tuple[str, str | None], set[URIRef]] = defaultdict(set)
    for term in _pcg_terms(g):
        for label in g.objects(term, RDFS.label):
            labels[(str(label).casefold(), label.language if isinstance(label, Literal) else None)].add(term)
    assert {k: sorted(v) for k, v in labels.items() if len(v) > 1} == {}


def test_every_post_role_is_a_concept_of_the_post_role_scheme() -> None:
    g = ours()
    kinds = {c for c in g.subjects(RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Role"))}
    roles = {r for k in kinds for r in g.subjects(RDF.type, k)}
    assert len(kinds) == 4 and len(roles) == 22
    for role in roles:
        assert (role, SKOS.inScheme, PCG.PostRoleScheme) in g and (role, SKOS.topConceptOf, PCG.PostRoleScheme) in g
        assert g.value(role, SKOS.prefLabel) == g.value(role, RDFS.label), role


PREFIXES = {"pcg:": str(PCG), "prov:": "http://www.w3.org/ns/prov#", "org:": "http://www.w3.org/ns/org#"}


def test_a_deprecated_term_names_its_replacement() -> None:
    """Its comment says "Deprecated in <version>, replaced by" terms declared in the files or the imports."""
    g, c = ours(), closure()
    deprecated = list(g.subjects(OWL.deprecated, Literal(True)))
    assert PCG.eventDate in deprecated
    for term in deprecated:
        comment = " ".join(str(x) for x in g.objects(term, RDFS.comment))
        assert comment.startswith("Deprecated in ") and "replaced by" in comment, term
        clause = comment.split("replaced by", 1)[1].split(": ", 1)[0]  # up to the colon that ends the clause
        words = [w.strip(",.;") for w in clause.split()]
        replacements = [URIRef(PREFIXES[w[: w.index(":") + 1]] + w[w.index(":") + 1:]) for w in words
                        if ":" in w and w[: w.index(":") + 1] in PREFIXES]
        assert replacements and all(_declared(c, r) for r in replacements), (term, replacements)


def test_the_closure_file_imports_every_file_and_the_catalogue_finds_each_one_here() -> None:
    """ontology/pcg-closure.ttl imports the ontology IRIs of our three files and the two W3C vocabularies;
    ontology/catalog-v001.xml maps each to a file of the folder that declares that IRI as its owl:Ontology."""
    import xml.etree.ElementTree as ET

    closure_file = Graph().parse(ONTOLOGY / "pcg-closure.ttl", format="turtle")
    imported = set(closure_file.objects(None, OWL.imports))
    assert len(imported) == 5
    ns = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
    mapped = {URIRef(u.get("name")): ONTOLOGY / u.get("uri") for u in
              ET.parse(ONTOLOGY / "catalog-v001.xml").getroot().findall("c:uri", ns)}
    assert set(mapped) == imported
    for iri, path in mapped.items():
        assert (iri, RDF.type, OWL.Ontology) in Graph().parse(path, format="turtle"), (iri, path)
    # and the reasoners read the same files
    from graphkit.ontology.reasoning import CLOSURE_FILES

    assert {ONTOLOGY / f for f in CLOSURE_FILES} == set(mapped.values())
