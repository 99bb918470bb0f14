"""The merged-graph records of an embedded store, for ``graphkit load neo4j``.

Two ways to the same records: the state the store's build (or last import) kept for imports
(graphkit/store/increment.py: read in about a second on the national store, with the service payments, which the
state leaves out, read again from their payments files: by :func:`load_neo4j` while the organisations are
written), or, when there is no state this code can use, the quads read back (``graphkit.rdf.read.read_dataset``:
about 20 s on the national store). Both plan the same Neo4j graph, node for node and property for property, list
order included (graphkit/store/neo4j/load.py puts what the quads hold as a set in one order):
tests/store/test_kept_records.py shows it on the case studies, after an import, and on the national store."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.core.gcpause import collector_paused
from graphkit.ingest.merge import MergedGraph

if TYPE_CHECKING:
    from graphkit.core.progress import Progress
    from graphkit.store.neo4j import Neo4jStore


class StaleRecords(Exception):
    """A payments file of the kept state can no longer be read as it was: the quads must be read instead."""


def kept_records(store_path: Path) -> tuple[MergedGraph, Callable[[], None]] | None:
    """The records of the store's current generation from the state its build kept, and the call that reads their
    service payments again from their files into them (the state leaves them out; it raises :class:`StaleRecords`
    when a payments file no longer reads as it did: a load, which makes the call once the organisations are being
    written, then starts again from the quads); None when there is no state this code can use (none kept, kept by
    other code, or an input file changed since), and then the quads must be read."""
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

    def read_payments() -> None:
        from graphkit.ingest.importers.registry import read_file

        with collector_paused():
            results = []
            for r in graph.results:
                if r.contracts and not r.payments:  # a payments file whose payments the state left out
                    f = given.get(Path(r.path).name if r.path else r.source.file_name)
                    if f is None:
                        raise StaleRecords(f"no input file for {r.source.file_name}")
                    try:
                        fresh = read_file(f.path, vintage=f.vintage, financial_year=f.financial_year)
                    except Exception as exc:  # the file was checked by its stamps: anything else means read the quads
                        raise StaleRecords(f"{f.path}: {exc}") from None
                    if fresh.source != r.source or fresh.contracts != r.contracts:
                        raise StaleRecords(f"{f.path} no longer reads as it did")
                    r = dataclasses.replace(r, payments=fresh.payments)
                results.append(r)
            graph.results = results

    return graph, read_payments


def kept_graph(store_path: Path) -> MergedGraph | None:
    """The records of the store's current generation from the state its build kept, the payments read again from
    their files (:func:`kept_records`); None when there is no state this code can use, and then the quads must be
    read."""
    kept = kept_records(store_path)
    if kept is None:
        return None
    graph, read_payments = kept
    try:
        read_payments()
    except StaleRecords:
        return None
    return graph


KEPT, READ_BACK = "the build's kept records", "the quads read back"


def embedded_graph(store_path: Path) -> tuple[MergedGraph, str]:
    """The store's records for a Neo4j load, and where they came from: the kept state (:func:`kept_graph`) when
    usable, else the quads (``StoreUnavailable`` when there is no store)."""
    graph = kept_graph(store_path)
    if graph is not None:
        return graph, KEPT
    return read_back(store_path), READ_BACK


def read_back(store_path: Path) -> MergedGraph:
    """The store's records read back from its quads (``StoreUnavailable`` when there is no store)."""
    from graphkit.rdf.read import read_dataset
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(store_path)  # StoreUnavailable when there is none
    try:
        return read_dataset(store.dataset())
    finally:
        store.close()


def load_neo4j(store_path: Path, neo4j: Neo4jStore, progress: Progress | None = None) -> str:
    """``graphkit load neo4j``: the embedded store's records loaded into ``neo4j``, from the kept state when it
    can be used (its service payments read again while the organisations are written), else from the quads;
    returns where the records came from (:data:`KEPT` or :data:`READ_BACK`)."""
    from graphkit.core.progress import Progress

    progress = progress if progress is not None else Progress()
    reading = progress.task("reading the embedded store")
    kept = kept_records(store_path)
    if kept is not None:
        reading.finish()
        graph, read_payments = kept
        loading = progress.task("loading into Neo4j", unit="rows")
        try:
            neo4j.load(graph, progress=loading, complete=read_payments)
            return KEPT
        except StaleRecords:  # nothing was swapped in, and the next load clears what this one staged
            loading.remove()
            reading = progress.task("reading the embedded store's quads")
    graph = read_back(store_path)
    reading.finish()
    neo4j.load(graph, progress=progress.task("loading into Neo4j", unit="rows"))
    return READ_BACK
