"""The merged-graph records of a store generation, kept beside its quads so that ``graphkit load neo4j`` need not
read them back from the quads (``graphkit.rdf.read.read_dataset``: about half a minute on the national store, most of
it Oxigraph decoding three million quads' terms; these records load in about a second).

The build writes them (:func:`write_records`, called with the merged graph the generation was made from, into the
generation's directory before it is published) and ``graphkit load neo4j`` reads them when they are there
(:func:`read_records`), else reads the quads. The file is a pickle written by this project's own build into its own
build area: it is trusted like the rest of that directory (never read one from elsewhere).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

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
    import gc

    path = directory / RECORDS
    if not path.is_file():
        return None
    collecting = gc.isenabled()
    gc.disable()  # a million small objects and no cycles
    try:
        with path.open("rb") as fh:
            found = pickle.load(fh)  # our own build's file in our own build area
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    finally:
        if collecting:
            gc.enable()
    if not (isinstance(found, tuple) and len(found) == 2 and found[0] == FORMAT and isinstance(found[1], MergedGraph)):
        return None
    return found[1]
