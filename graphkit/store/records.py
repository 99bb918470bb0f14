"""The merged-graph records of an embedded store, for ``graphkit load neo4j``.

Two ways to the same records: the state the store's build (or last import) kept for imports
(graphkit/store/increment.py: read in about a second on the national store, with the service payments, which the
state leaves out, read again from their payments files), or, when there is no state this code can use, the quads
read back (``graphkit.rdf.read.read_dataset``: about 20 s on the national store). Both plan the same Neo4j graph,
node for node and property for property, list order included (graphkit/store/neo4j/load.py puts what the quads
hold as a set in one order): tests/store/test_kept_records.py shows it on the case studies, after an import, and on
the national store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from graphkit.core.gcpause import collector_paused
from graphkit.ingest.merge import MergedGraph


def kept_graph(store_path: Path) -> MergedGraph | None:
    """The records of the store's current generation from the state its build kept, the payments read again from
    their files; None when there is no state this code can use (none kept, kept by other code, an input file changed
    since, or a payments file no longer as it was read), and then the quads must be read."""
    from graphkit.ingest.importers.registry import read_file
    from graphkit.store import increment
    from graphkit.store.build import read_manifest

    inputs = read_manifest(store_path)
    if not inputs:
        return None
    with collector_paused():
        state = increment.read_state(store_path, [f.path for f in inputs])
        if state is None:
            return None
        graph = state.graph
        given = {f.path.name: f for f in inputs}  # the state's paths are as given to the build, maybe relative
        results = []
        for r in graph.results:
            if r.contracts and not r.payments:  # a payments file whose payments the state left out
                f = given.get(Path(r.path).name if r.path else r.source.file_name)
                if f is None:
                    return None
                try:
                    fresh = read_file(f.path, vintage=f.vintage, financial_year=f.financial_year)
                except Exception:  # the file was checked by its stamps: anything else means read the quads
                    return None
                if fresh.source != r.source or fresh.contracts != r.contracts:
                    return None
                r = dataclasses.replace(r, payments=fresh.payments)
            results.append(r)
        graph.results = results
    return graph


def embedded_graph(store_path: Path) -> tuple[MergedGraph, str]:
    """The store's records for a Neo4j load, and where they came from: the kept state (:func:`kept_graph`) when
    usable, else the quads (``StoreUnavailable`` when there is no store)."""
    graph = kept_graph(store_path)
    if graph is not None:
        return graph, "the build's kept records"
    return read_back(store_path), "the quads read back"


def read_back(store_path: Path) -> MergedGraph:
    """The store's records read back from its quads (``StoreUnavailable`` when there is no store)."""
    from graphkit.rdf.read import read_dataset
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(store_path)  # StoreUnavailable when there is none
    try:
        return read_dataset(store.dataset())
    finally:
        store.close()
