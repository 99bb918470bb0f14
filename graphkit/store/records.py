"""The merged-graph records of a store generation, kept beside its quads, so that a Neo4j load need not read them back
from the quads (``graphkit.rdf.read.read_dataset``: about 20 s on the national store; these load in about a second).

Not used by the build nor by ``graphkit load neo4j`` yet: ``benchmarks/neo4j_load.py`` measures a load from them
(its (a')). The build's merged graph is not the same, record for record, as the one read back from the quads, so
before the build writes them a test must show that both load the same Neo4j graph (docs/neo4j-store.md). The file is
a pickle written by this project's own code into its own build area: never read one from elsewhere."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from graphkit.core.gcpause import collector_paused
from graphkit.ingest.merge import MergedGraph

RECORDS = "graphkit-records.pickle"
FORMAT = "graphkit-records/1"  # changed whenever the record classes change in a way an old file cannot be read


def write_records(graph: MergedGraph, directory: Path) -> Path:
    """Write the records into ``directory`` (atomically: a crash leaves the file whole or absent)."""
    path = directory / RECORDS
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump((FORMAT, graph), fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path


def read_records(directory: Path) -> MergedGraph | None:
    """The records the build wrote beside the generation in ``directory``; None when there are none, or they were
    written in another format (then the quads are read instead)."""
    path = directory / RECORDS
    if not path.is_file():
        return None
    try:
        with collector_paused(), path.open("rb") as fh:
            found = pickle.load(fh)  # our own code's file in our own build area
    except Exception:
        return None
    if not (isinstance(found, tuple) and len(found) == 2 and found[0] == FORMAT and isinstance(found[1], MergedGraph)):
        return None
    return found[1]
