"""The generated vocabulary and reference are current; the ontology loads into an OWL tool; the data
uses no term the ontology does not define."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graphkit.ontology import contextgen, ontodoc, vocabgen


def test_generated_vocabulary_is_current() -> None:
    assert vocabgen.TARGET.read_text(encoding="utf-8") == vocabgen.render(vocabgen.load_ontology()), \
        "graphkit/ontology/vocab.py is stale: run python -m graphkit.ontology.vocabgen"


def test_generated_reference_is_current() -> None:
    assert ontodoc.TARGET.read_text(encoding="utf-8") == ontodoc.render(vocabgen.load_ontology()), \
        "docs/ontology-reference.md is stale: run python -m graphkit.ontology.ontodoc"


def test_published_jsonld_context_is_current() -> None:
    assert contextgen.TARGET.read_text(encoding="utf-8") == contextgen.render(), \
        "ontology/context.jsonld is stale: run python -m graphkit.ontology.contextgen"


def test_the_context_types_object_properties_and_dates() -> None:
    """Terms by local name; object properties (the ontology's or the imported W3C vocabularies') typed @id;
    dates typed xsd:date whether the ontology, schema.org's rangeIncludes or only the shapes say so; a local
    name two vocabularies share goes to the first of NAMESPACE_ORDER, the other keeps its compact IRI."""
    context = contextgen.load_context()
    assert context["pcg"] == "https://w3id.org/pcgraph/def#" and context["id"] == "https://w3id.org/pcgraph/id/"
    assert context["GPPractice"] == "pcg:GPPractice" and context["Membership"] == "org:Membership"
    assert context["member"] == {"@id": "org:member", "@type": "@id"}  # org.ttl, in ontology/imports
    assert context["wasDerivedFrom"] == {"@id": "prov:wasDerivedFrom", "@type": "@id"}
    assert context["validDuring"]["@type"] == "@id" and context["hasBeginning"]["@type"] == "@id"
    assert context["inXSDDate"] == {"@id": "time:inXSDDate", "@type": "xsd:date"}  # the shapes say so
    assert context["startEarliest"] == {"@id": "pcg:startEarliest", "@type": "xsd:date"}  # schema:rangeIncludes
    assert context["label"] == "rdfs:label" and context["odsCode"] == "pcg:odsCode"  # strings: untyped
    # prov before foaf: foaf:Agent is written as that compact IRI, which its prefix expands (no entry needed)
    assert context["Agent"] == "prov:Agent" and "foaf:Agent" not in context
    ontology = vocabgen.load_ontology()
    pcg_terms = {str(s) for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                 for s in ontology.subjects(RDF.type, t) if str(s).startswith(context["pcg"])}
    expanded = {(d if isinstance(d, str) else d["@id"]).replace("pcg:", context["pcg"]) for d in context.values()}
    assert pcg_terms and pcg_terms <= expanded


def test_a_mistyped_term_fails_at_import() -> None:
    from graphkit.ontology.vocab import ODSROLE, PCG

    assert str(PCG.GPPractice).endswith("#GPPractice")
    assert str(ODSROLE.RO76).endswith("/RO76")
    with pytest.raises(AttributeError):
        _ = PCG.GPPractise
    with pytest.raises(AttributeError):
        _ = ODSROLE.RO9999


def test_every_term_of_every_ontology_file_has_a_label_and_a_comment() -> None:
    g = vocabgen.load_ontology()
    pcg = "https://w3id.org/pcgraph/def#"
    terms = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for s in g.subjects(RDF.type, t) if str(s).startswith(pcg)}
    assert len(terms) > 150
    missing = sorted(str(t) for t in terms if g.value(t, RDFS.label) is None or g.value(t, RDFS.comment) is None)
    assert missing == []


def test_the_ontology_loads_into_owlready2(tmp_path) -> None:
    import owlready2
    g = vocabgen.load_ontology()
    g.remove((None, OWL.imports, None))  # owlready2 would fetch ORG and PROV-O from the web (test_reasoning has them)
    path = tmp_path / "pcg.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    classes = {c.iri for c in onto.classes()}
    # every class the files declare: ours and the other vocabularies' they declare (skos:Concept, foaf:Person, ...)
    expected = {str(s) for s in g.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    assert classes == expected
    assert "http://www.w3.org/2004/02/skos/core#Concept" in classes
    assert "https://w3id.org/pcgraph/def#GPPractice" in classes


@pytest.mark.integration
def test_no_term_used_in_the_seed_graph_is_undefined(oxigraph) -> None:
    g = vocabgen.load_ontology()
    defined = {str(s) for s in g.subjects()}
    rows = oxigraph.select("""SELECT DISTINCT ?t WHERE {
        { ?s ?t ?o } UNION { ?s a ?t }
        FILTER (STRSTARTS(STR(?t), "https://w3id.org/pcgraph/def#")) }""")
    used = {r["t"].value for r in rows}
    assert len(used) > 30
    assert sorted(used - defined) == []
