"""Adding files to a built store without rebuilding it: merge the new records into the last build's, write only the
quads that change, and validate only the nodes they touch.

Every build leaves its state in its generation (:data:`STATE`): the records it read, merged, and the SHACL results
of its graph, with the code and the input files they came from. ``graphkit import`` then

1. reads only the new files, and merges them with the kept records: onto the kept merge when they share no code,
   tie series or place in the vintage order with the kept records (graphkit/ingest/merge.py, ``merge_onto``: no
   merge rule then joins a new record to an old one), else over every record, so that a new file that changes what
   is resolved about existing organisations, ties or roles is followed exactly as a full build would;
2. compares the new merged view with the kept one, unit by unit (a source, an organisation, a tie, a role, the
   events, a payments file's contracts, the curated facts), and writes the quads of each changed unit, old and new:
   the difference is what the store must lose and gain. Intervals and instants are shared by many facts: one is
   removed only when no quad of its graph refers to it any more;
3. copies the current generation (a RocksDB checkpoint: hard links to its immutable table files, so it takes
   milliseconds), applies the difference to the copy, validates the focus nodes the difference touched and their
   neighbourhood (the nodes two steps away that a shape's query reads), and switches the copy in as a new
   generation, as a build does (all or nothing, crash-safe).

The state is used only when it is sure to give what a full build would: written by the same code and ontology
(:func:`code_fingerprint`), and every file the store was built from unchanged since (size and modification time).
Otherwise the import rebuilds from every file, as before. ``tests/store/test_increment.py`` checks that a store built
with files and one built without them and then given them by ``import`` hold the same quads and the same report.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphkit.core.model import ImportResult
from graphkit.ingest.merge import Footprint, MergedGraph, footprint
from graphkit.ontology.shacl_sparql import Check
from graphkit.ontology.shapes import Result

STATE = "graphkit-state.pickle"
STAMPS = "graphkit-state.files.json"
STATE_VERSION = 2
# a larger change than this many nodes is validated whole (looking up every node's neighbours costs more)
MAX_FOCUS = 50_000


@dataclass
class BuildState:
    """What a build keeps for the next import: the merged records (with every file's records), the SHACL results
    of its graph, and what they were made from."""

    version: int
    code: str
    files: dict[str, tuple[tuple[str, int, int], ...]]  # input path -> its files' (name, size, mtime_ns)
    graph: MergedGraph
    shacl: list[Result]
    quads: int  # in the store, the ontology's included
    checks: list[Check]  # the shapes compiled to SPARQL (compiling them parses the shapes and the ontology)
    footprint: Footprint  # of graph.results: what new records must not share to be merged onto them (merge_onto)


@functools.cache
def code_fingerprint() -> str:
    """A hash of the code and ontology that turn files into quads and results (the graphkit package and
    ontology/): a state written by other code is not used."""
    from graphkit.config import PROJECT_ROOT

    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for root in (package, PROJECT_ROOT / "ontology"):
        for p in sorted(root.rglob("*")):
            if p.suffix in {".py", ".ttl"} and p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def file_stamps(path: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, size, mtime_ns) of a file, or of every file under a directory (a curated set)."""
    path = Path(path)
    paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = []
    for p in paths:
        st = p.stat()
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def stamps(paths: Iterable[Path]) -> dict[str, tuple[tuple[str, int, int], ...]]:
    return {os.path.abspath(p): file_stamps(Path(p)) for p in paths}


def write_state(generation: Path, files: dict[str, tuple[tuple[str, int, int], ...]], graph: MergedGraph,
                shacl: list[Result], quads: int, checks: list[Check], kept_footprint: Footprint | None = None) -> None:
    """The state of a build, into its generation: the pickle, and beside it the input files' stamps (:func:`stamps`,
    taken before the files were read) as JSON (read first, so that a stale state is never unpickled).
    ``kept_footprint``: the footprint of ``graph.results`` when known (else it is taken)."""
    import json

    kept = dataclasses.replace(graph, results=[_without_payments(r) for r in graph.results])
    state = BuildState(STATE_VERSION, code_fingerprint(), files, kept, shacl, quads, checks,
                       kept_footprint if kept_footprint is not None else footprint(graph.results))
    with open(generation / STATE, "wb") as fh:
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    (generation / STAMPS).write_text(json.dumps(files), encoding="utf-8")


def _without_payments(result: ImportResult) -> ImportResult:
    """A payments file's result without its ~70,000 service payments (a third of the state, and slow to pickle):
    an import writes the contracts and payments of its new files only, and the merge and the report never read
    them, but for the lines they were loaded from, which are their contracts' lines too (kept when they are not)."""
    if not result.payments or not {p.line for p in result.payments} <= {c.line for c in result.contracts}:
        return result
    return dataclasses.replace(result, payments=[])


def read_state(store_path: Path, paths: Iterable[Path]) -> BuildState | None:
    """The state of the store's current generation, when it can stand for a build from ``paths`` (the store's
    files) by this code: None when there is none, or it was written by other code, or a file has changed since."""
    from graphkit.store import generations

    here = generations.current(store_path)
    if here is None or not (here / STATE).is_file():
        return None
    paths = list(paths)
    try:
        if stamps(paths) != _peek_stamps(here):
            return None
        with open(here / STATE, "rb") as fh:
            state = pickle.load(fh)
    except Exception:
        return None  # another format) means a rebuild, never a traceback
    if not isinstance(state, BuildState) or state.version != STATE_VERSION or state.code != code_fingerprint():
        return None
    return state


def _peek_stamps(generation: Path) -> dict[str, Any] | None:
    """The file stamps of a state, read before the whole state is (they are small)."""
    import json

    side = generation / STAMPS
    if not side.is_file():
        return None
    raw = json.loads(side.read_text(encoding="utf-8"))
    return {k: tuple(tuple(x) for x in v) for k, v in raw.items()}


# -- the difference between two merged views ------------------------------------------------------------
@dataclass
class Difference:
    added: list[str]  # N-Quads lines the store gains
    removed: list[str]  # lines it loses (never an interval's or an instant's: see :func:`collect_garbage`)
    shared: set[tuple[str, str]]  # (interval or instant IRI, graph) that the old lines used: removed if unused
    units: int  # units that changed

    def touched(self) -> set[str]:
        """The IRIs (subjects and objects) of the changed quads of the resolved graph."""
        from graphkit.rdf.quads import RESOLVED

        resolved = f"<{RESOLVED}>"
        out: set[str] = set()
        for line in (*self.added, *self.removed):
            s, _, rest = line.partition(" ")
            _, _, rest = rest.partition(" ")
            if not line.rstrip().endswith(f"{resolved} ."):
                continue
            out.add(s[1:-1])
            if rest.startswith("<"):
                out.add(rest[1 : rest.index(">")])
        return out


def _is_shared(line: str) -> bool:
    from graphkit.core.namespaces import ID

    return line.startswith((f"<{ID}interval/", f"<{ID}instant/"))


def difference(old: MergedGraph, new: MergedGraph) -> Difference:
    """The quads by which the graph of ``new`` differs from that of ``old`` (``new`` merged from ``old``'s records
    and more)."""
    from graphkit.rdf import emit as e

    before, after = e.QuadSink(), e.QuadSink()
    units = 0

    def compare(olds: Iterable[Any], news: Iterable[Any], key: Callable[[Any], Any],
                write: Callable[[Any, Any], None]) -> None:
        nonlocal units
        was: dict[Any, list[Any]] = defaultdict(list)
        now: dict[Any, list[Any]] = defaultdict(list)
        for x in olds:
            was[key(x)].append(x)
        for x in news:
            now[key(x)].append(x)
        for k in was.keys() | now.keys():
            a, b = was.get(k, []), now.get(k, [])
            if a != b:
                units += 1
                for x in a:
                    write(x, before)
                for x in b:
                    write(x, after)

    old_slugs = {r.source.slug: r for r in old.results}
    added_results = [r for r in new.results if old_slugs.get(r.source.slug) is not r]
    for r in added_results:
        units += 1
        e.emit_source(r.source, after)
        if r.contracts:
            e.emit_contracts(r, after)
    # by what makes a fact's IRI (tie_iri, role_iri), without making it
    compare(old.organisations.values(), new.organisations.values(), lambda o: o.code, e.emit_organisation)
    compare(old.ties, new.ties, lambda t: (t.kind, t.member, t.organisation, t.start), e.emit_tie)
    compare(old.roles, new.roles, lambda r: (r.code, r.role, r.start), e.emit_role)
    compare(old.events, new.events, lambda _: "events", e.emit_event)
    # the curated facts' IRIs depend on every curated row (two rows with one key get one each): all of them again
    for graph, sink in ((old, before), (new, after)):
        iris = e.CuratedIRIs(graph.results)
        for r in graph.results:
            e.emit_curated(r, sink, iris)
    was, now = set(before.lines), set(after.lines)
    shared = set()
    for line in was:
        if _is_shared(line):
            parts = line.rsplit(" ", 2)
            shared.add((line.split(" ", 1)[0], parts[-2]))
    removed = [x for x in was - now if not _is_shared(x)]
    return Difference(sorted(now - was), sorted(removed), shared, units)


def apply(store: Any, diff: Difference) -> int:
    """Apply the difference to a writable pyoxigraph store: lose the removed quads, gain the added ones, then remove
    the intervals and instants no quad of their graph refers to any more. Returns the change in the number of
    quads."""
    import pyoxigraph as ox

    delta = 0
    if diff.removed:
        for q in ox.parse(input="".join(diff.removed).encode("utf-8"), format=ox.RdfFormat.N_QUADS):
            if q in store:
                store.remove(q)
                delta -= 1
    if diff.added:
        fresh = [q for q in ox.parse(input="".join(diff.added).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
                 if q not in store]
        store.extend(fresh)
        delta += len(set(fresh))
    return delta - collect_garbage(store, diff.shared)


def collect_garbage(store: Any, shared: set[tuple[str, str]]) -> int:
    """Remove each interval, then each instant, of ``shared`` that no quad of its graph refers to (a full build
    writes one only for the facts that use it); returns the number of quads removed."""
    import pyoxigraph as ox

    from graphkit.core.namespaces import ID

    gone = 0
    for prefix in (f"<{ID}interval/", f"<{ID}instant/"):
        for iri, graph in sorted(x for x in shared if x[0].startswith(prefix)):
            node, g = ox.NamedNode(iri[1:-1]), ox.NamedNode(graph[1:-1])
            if next(iter(store.quads_for_pattern(None, None, node, g)), None) is None:
                for q in list(store.quads_for_pattern(node, None, None, g)):
                    store.remove(q)
                    gone += 1
    return gone


def neighbourhood(store: Any, touched: set[str]) -> set[str] | None:
    """The focus nodes to validate after a change that touched ``touched``: those nodes, the nodes they refer to,
    the nodes referring to them and what those refer to (a shape's query reads a node's facts, its neighbours' and
    theirs: a practice's memberships and their PCNs, a tie's two ends). Vocabulary terms, intervals, instants and
    sources are not followed (their neighbours are every fact of a kind, date or file, each touched itself when
    it changes); only the graph's own nodes (under ``id/``) are returned. None when there are more than
    :data:`MAX_FOCUS` nodes: validate everything."""
    import pyoxigraph as ox

    from graphkit.core.namespaces import ID
    from graphkit.rdf.quads import RESOLVED

    g = ox.NamedNode(str(RESOLVED))
    base = str(ID)
    skip = tuple(f"{base}{x}/" for x in ("interval", "instant", "source", "graph"))

    def followed(iri: str) -> bool:
        return iri.startswith(base) and not iri.startswith(skip)

    def out_of(iri: str) -> set[str]:
        return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, g)
                if isinstance(q.object, ox.NamedNode)}

    def into(iri: str) -> set[str]:
        return {q.subject.value for q in store.quads_for_pattern(None, None, ox.NamedNode(iri), g)
                if isinstance(q.subject, ox.NamedNode)}

    seeds = {t for t in touched if followed(t)}
    nodes = {t for t in touched if t.startswith(base)}
    if len(seeds) > MAX_FOCUS:
        return None
    incoming: set[str] = set()
    for t in seeds:
        nodes |= out_of(t)
        incoming |= into(t)
        if len(incoming) > MAX_FOCUS:
            return None
    nodes |= incoming
    for m in incoming:
        if followed(m):
            nodes |= out_of(m)
    # the graph's own nodes: the vocabulary (classes, roles, services) is the ontology's, which no import changes
    return {n for n in nodes if n.startswith(base)}
