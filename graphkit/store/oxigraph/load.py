"""Writing the embedded store: a complete new generation from N-Quads, switched in only when it is finished
(graphkit/store/generations.py), so a failed or killed build leaves the previous graph intact."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from graphkit.rdf.emit import ONTOLOGY_GRAPH


def load_nquads(
    path: Path,
    text: str | bytes | BinaryIO,
    *,
    check: Callable[[ox.Store], None] | None = None,
    extras: Callable[[Path], None] | None = None,
    lenient: bool = False,
) -> int:
    """Write a complete new store at ``path`` from N-Quads (text, or a binary stream of it such as
    :meth:`graphkit.rdf.quads.QuadSink.reader`), with the ontology in its own graph; returns the number of quads.

    All or nothing, and crash-safe (graphkit/store/generations.py): under the store's build lock, the
    store is written as a new generation directory, ``check`` (e.g. SHACL validation) runs on it,
    ``extras`` writes the files that belong with it (the manifest and the report) into the directory,
    and only then does one rename make it current. A failure, or a kill at any point, leaves the previous
    store current; leftovers of killed runs and superseded generations are removed before and after.
    ``lenient``: Oxigraph's parser skips checking each IRI (about a quarter of the bulk load's time): only for text
    whose IRIs are valid by construction, as the emitters' are (graphkit/core/namespaces.py ``segment``).
    """
    return _new_generation(Path(path), lambda gen: _write_generation(gen, text, check, lenient), extras)


def change_copy(
    path: Path,
    change: Callable[[ox.Store], int],
    *,
    check: Callable[[ox.Store], None] | None = None,
    extras: Callable[[Path], None] | None = None,
) -> int:
    """Write a new generation of the store at ``path`` as a copy of the current one with ``change`` applied;
    returns what ``change`` returns (the number of quads: counting a store reads all of it). The copy is a RocksDB
    checkpoint (hard links to the current generation's table files, which RocksDB never rewrites), so it costs
    milliseconds whatever the store's size. Then as
    :func:`load_nquads`: ``check`` on the changed copy, ``extras`` into its directory, one rename to switch it in;
    a failure or a kill leaves the current generation as it was."""
    from graphkit.errors import StoreUnavailable
    from graphkit.store import generations

    path = Path(path)

    def make(gen: Path) -> int:  # under the build lock
        here = generations.current(path)
        if here is None:
            raise StoreUnavailable(f"no embedded store at {path}; run `graphkit build` first",
                                   details={"store": str(path)})
        source = ox.Store.read_only(str(here))
        try:
            source.backup(str(gen))
        finally:
            del source
        store = ox.Store(str(gen))
        try:
            n = change(store)
            store.flush()
            generations.crash_point("during-load")
            if check is not None:
                check(store)
        finally:
            del store
        return n

    return _new_generation(path, make, extras, create=False)


def _new_generation(path: Path, make: Callable[[Path], int], extras: Callable[[Path], None] | None, *,
                    create: bool = True) -> int:
    """Under the store's build lock: ``make`` writes a new generation directory (returning its number of quads),
    ``extras`` writes the files that belong with it, and one rename makes it current; a failure or a kill at any
    point leaves the previous generation current and the new one removed. Leftovers are cleaned before and after."""
    from graphkit.store import generations

    with generations.build_lock(path):
        generations.clean(path)
        gen = generations.new_generation(path, create=create)
        try:
            n = make(gen)
            if extras is not None:
                extras(gen)
            generations.crash_point("before-switch")
            generations.publish(path, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        generations.crash_point("after-switch")
        generations.clean(path)
    return n


def _write_generation(directory: Path, text: str | bytes | BinaryIO, check: Callable[[ox.Store], None] | None,
                      lenient: bool) -> int:
    """Bulk-load the quads and the ontology into a new store in ``directory``, check it, and close it."""
    from graphkit.ontology.shacl import load_ontology_into
    from graphkit.store import generations

    store = ox.Store(str(directory))
    try:
        try:
            store.bulk_load(input=text.encode("utf-8") if isinstance(text, str) else text,
                            format=ox.RdfFormat.N_QUADS, lenient=lenient)
        finally:
            if not isinstance(text, str | bytes):
                text.close()  # a stream whose load failed midway stops its writer (graphkit/rdf/quads.py emitted)
        load_ontology_into(store, str(ONTOLOGY_GRAPH))
        store.flush()
        generations.crash_point("during-load")
        # the bulk loader's tables overlap (a set per million quads): compacted before the store is switched in, or
        # every lookup merges them all (the national store's queries 3-4x slower: RocksDB's own compaction, in the
        # background, does not finish when the store is closed at once); on a thread, while ``check`` runs
        compaction = _Compaction(store)
        try:
            if check is not None:
                check(store)
            n = len(store)
        finally:
            compaction.wait()
        return n
    finally:
        del store


class _Compaction:
    """``store.optimize()`` (RocksDB's compaction of every table) on a thread of its own; :meth:`wait` joins it and
    raises its error. Oxigraph runs it without Python's lock."""

    def __init__(self, store: ox.Store) -> None:
        import threading

        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(store,), name="compacting-store", daemon=True)
        self._thread.start()

    def _run(self, store: ox.Store) -> None:
        try:
            store.optimize()
        except BaseException as exc:
            self._error = exc

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error
