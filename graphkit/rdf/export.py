"""Export the graph as RDF from either store.

:func:`write` serialises any dataset by Oxigraph: the embedded store's own quads as they are
(:meth:`graphkit.store.oxigraph.OxigraphStore.dataset`), or the :func:`dataset` of merged-graph records, mapped to
RDF by the same code that built the embedded store (:mod:`graphkit.rdf.emit`), with the ontology in its own graph:
Neo4j gives its records back by :meth:`graphkit.store.neo4j.Neo4jStore.read_graph` (``graphkit export --from
neo4j``; ``--from embedded`` writes the embedded store's own quads).

A dataset format (TriG, N-Quads) holds every graph: the resolved graph, one graph per source file with each
statement's line, and the ontology. A triple format (Turtle, N-Triples) holds one graph, the resolved one unless
another is named.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pyoxigraph as ox

from graphkit.core.namespaces import ID, PREFIXES, source_iri
from graphkit.errors import BadParameter
from graphkit.ingest.merge import MergedGraph
from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED, emit

FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {  # name -> (format, holds named graphs)
    "trig": (ox.RdfFormat.TRIG, True),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
}


def dataset(graph: MergedGraph) -> ox.Store:
    """The RDF dataset of the records, in memory, with the ontology graph."""
    from graphkit.ontology.shacl import load_ontology_into

    store = ox.Store()
    store.bulk_load(input=emit(graph).text().encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    load_ontology_into(store, str(ONTOLOGY_GRAPH))
    return store


def graph_node(name: str) -> ox.NamedNode:
    """A graph by short name: ``resolved``, ``ontology``, a source slug, or a full IRI."""
    if name == "resolved":
        return ox.NamedNode(str(RESOLVED))
    if name == "ontology":
        return ox.NamedNode(str(ONTOLOGY_GRAPH))
    if name.startswith(str(ID)):
        return ox.NamedNode(name)
    return ox.NamedNode(str(source_iri(name)))


def write(store: ox.Store, output: IO[bytes] | Path, fmt: str, *, graph: str | None = None) -> None:
    if fmt not in FORMATS:
        raise BadParameter(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rdf_format, named = FORMATS[fmt]
    node: ox.NamedNode | None = None
    if graph is not None:
        node = graph_node(graph)
        if node not in set(store.named_graphs()):
            slugs = sorted(g.value.rsplit("/", 1)[-1] for g in store.named_graphs() if "/source/" in g.value)
            known = ", ".join(["resolved", "ontology", *slugs])
            raise BadParameter(f"no graph {graph!r} in the store; graphs: {known}")
    else:
        node = None if named else graph_node("resolved")
    if named and node is not None:
        # a dataset format asked for one graph: copy it so the output keeps the graph name
        one = ox.Store()
        one.extend(store.quads_for_pattern(None, None, None, node))
        store = one
    prefixes = PREFIXES if fmt in ("trig", "turtle") else None
    store.dump(output, rdf_format, from_graph=None if named else node, prefixes=prefixes)
