"""What both SHACL engines share (see :mod:`graphkit.ontology.shacl`): one :class:`Result` per problem, the
ontology and the shapes (ontology/shapes.ttl), each read once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import SH

from graphkit.config import PROJECT_ROOT
from graphkit.ontology.vocabgen import load_ontology

SHAPES_FILE = "shapes.ttl"
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True, order=True)
class Result:
    severity: str  # Violation | Warning | Info
    focus: str  # IRI (or blank node id)
    path: str | None
    value: str | None
    constraint: str  # e.g. "minCount", "class", "sparql"
    shape: str  # IRI of the node shape
    message: str


def result_order(r: Result) -> tuple[str, ...]:
    """A sort key for results: their fields in order, an absent path or value sorting first."""
    return tuple("" if v is None else v for v in (r.severity, r.focus, r.path, r.value, r.constraint, r.shape,
                                                   r.message))


@functools.lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology (:func:`graphkit.ontology.vocabgen.load_ontology`), read once per process."""
    return load_ontology(PROJECT_ROOT)


@functools.lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(PROJECT_ROOT / "ontology" / SHAPES_FILE, format="turtle")

