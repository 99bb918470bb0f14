# mypy: disable-error-code="arg-type,call-overload,operator,union-attr"
"""SHACL validation, two ways with one set of shapes (ontology/shapes.ttl).

- :func:`validate_graph`: pySHACL on an rdflib graph, with the ontology and RDFS inference. The
  reference engine; used for small inputs (curated files, Turtle, JSON-LD, tests).
- :func:`validate_store`: the same shapes compiled to SPARQL and run inside Oxigraph. pySHACL needs
  many minutes for the national graph (hundreds of thousands of triples); the compiled queries
  take seconds. Only the SHACL features the shapes use are compiled (targets by class, objects and
  subjects of a property; property shapes with an IRI path and minCount, maxCount, class, or of
  classes, datatype, pattern, in, nodeKind IRI, minLength, minInclusive, disjoint; SPARQL-based
  constraints); anything else raises, so a new shape cannot be silently skipped. A test checks that
  both engines give the same results on every test file.

Type tests follow RDFS as pySHACL inference does: a node is of class C when it is typed C or a
subclass, or when it is the subject of a property whose rdfs:domain is C (or a subclass).

The shared parts (:class:`Result`, the ontology and shapes graphs) are in :mod:`graphkit.ontology.shapes`, the
compiler in :mod:`graphkit.ontology.shacl_sparql`; every name is importable from here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from graphkit.config import PROJECT_ROOT
from graphkit.ontology.shacl_sparql import Check, _readable, compile_shapes, validate_store
from graphkit.ontology.shapes import SEVERITY, SHAPES_FILE, Result, ontology_graph, result_order, shapes_graph
from graphkit.ontology.vocabgen import ONTOLOGY_FILES

__all__ = [
    "ONTOLOGY_FILES",
    "SEVERITY",
    "SHAPES_FILE",
    "Check",
    "Result",
    "_readable",
    "compile_shapes",
    "load_ontology_into",
    "ontology_files",
    "ontology_graph",
    "shapes_graph",
    "validate_graph",
    "validate_store",
]


def validate_graph(data: Graph) -> list[Result]:
    """Validate an rdflib graph with pySHACL (RDFS inference over the ontology)."""
    import pyshacl

    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="rdfs",
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(report, Graph)
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        src_shape = report.value(r, SH.sourceShape)
        node_shape = _node_shape_of(src_shape) if src_shape is not None else None
        comp = report.value(r, SH.sourceConstraintComponent)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        out.append(
            Result(
                severity=SEVERITY.get(report.value(r, SH.resultSeverity), "Violation"),
                focus=str(report.value(r, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,
                value=str(value) if value is not None and not isinstance(value, BNode) else None,
                constraint=_component_name(comp),
                shape=str(node_shape) if node_shape is not None else str(src_shape),
                message=str(report.value(r, SH.resultMessage) or ""),
            )
        )
    return sorted(set(out), key=result_order)


def _component_name(comp: object) -> str:
    name = str(comp).rsplit("#", 1)[-1]
    name = name.removesuffix("ConstraintComponent")
    return {"SPARQL": "sparql"}.get(name, name[:1].lower() + name[1:])


def _node_shape_of(shape: object) -> object:
    g = shapes_graph()
    if (shape, RDF.type, SH.NodeShape) in g:
        return shape
    parent = g.value(None, SH.property, shape) or g.value(None, SH.sparql, shape)
    return parent if parent is not None else shape



def load_ontology_into(store: Any, graph_iri: str) -> None:
    import pyoxigraph as ox

    for name in ONTOLOGY_FILES:
        store.bulk_load(
            path=str(PROJECT_ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri)
        )


def ontology_files() -> list[Path]:
    return [PROJECT_ROOT / "ontology" / n for n in ONTOLOGY_FILES]
