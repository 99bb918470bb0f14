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

An import writes its state as the previous state file, hard-linked, and a delta (:class:`StateDelta`) of what
changed, when its records were merged onto the kept merge; the whole state otherwise, or after :data:`MAX_DELTAS`.

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
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphkit.core.model import ImportResult
from graphkit.ingest.merge import Footprint, MergedGraph, MergedOrganisation, footprint
from graphkit.ontology.shacl_sparql import Check
from graphkit.ontology.shapes import Result

STATE = "graphkit-state.pickle"  # the base: a whole state
DELTAS = "graphkit-state.deltas.pickle"  # the imports since the base was written, each a StateDelta
STAMPS = "graphkit-state.files.json"
STATE_VERSION = 5  # 5: the file is two pickles, the state without its records, then the records (kept_graph_blob)
# a larger change than this many nodes is validated whole (looking up every node's neighbours costs more)
MAX_FOCUS = 50_000


@dataclass
class BuildState:
    """What a build keeps for the next import: the merged records (with every file's records), the SHACL results
    of its graph, and what they were made from."""

    version: int
    code: str
    files: dict[str, tuple[tuple[str, int, int], ...]]  # input path -> its files' (name, size, mtime_ns)
    graph: MergedGraph  # written after the rest, as its own pickle (kept_graph_blob: made while the store is written)
    shacl: list[Result]
    quads: int  # in the store, the ontology's included
    checks: list[Check]  # the shapes compiled to SPARQL (compiling them parses the shapes and the ontology)
    footprint: Footprint  # of graph.results: what new records must not share to be merged onto them (merge_onto)
    base: str  # a token naming the base state written (its deltas name it)
    # where it was read, and the deltas read on its base (set when read, never written)
    origin: Path | None = None
    deltas: list[bytes] = dataclasses.field(default_factory=list)


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
    """(name, size, mtime_ns) of a file, or of every file under a directory (a curated set, each named by its path
    under the directory). The names do not depend on how the path was given (relative or absolute, from which
    folder): :func:`stamps` keys them by the absolute path, and an import compares the stamps a build took of the
    paths it was given with those of the manifest's absolute paths."""
    path = Path(path)
    if not path.is_dir():
        st = path.stat()
        return ((path.name, st.st_size, st.st_mtime_ns),)
    out = []
    for p in sorted(p for p in path.rglob("*") if p.is_file()):
        st = p.stat()
        out.append((p.relative_to(path).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(out)


def stamps(paths: Iterable[Path]) -> dict[str, tuple[tuple[str, int, int], ...]]:
    return {os.path.abspath(p): file_stamps(Path(p)) for p in paths}


def kept_graph_blob(graph: MergedGraph) -> bytes:
    """The merged records as a state keeps them (the service payments left out, :func:`_without_payments`), pickled:
    the larger part of writing a state, which a build does while its store is still being written."""
    kept = dataclasses.replace(graph, results=[_without_payments(r) for r in graph.results])
    return pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)


def write_state(generation: Path, files: dict[str, tuple[tuple[str, int, int], ...]], graph: MergedGraph,
                shacl: list[Result], quads: int, checks: list[Check], kept_footprint: Footprint | None = None,
                previous: BuildState | None = None, graph_blob: bytes | None = None) -> None:
    """The state of a build, into its generation: the pickle, and beside it the input files' stamps (:func:`stamps`,
    taken before the files were read) as JSON (read first, so that a stale state is never unpickled).
    ``kept_footprint``: the footprint of ``graph.results`` when known (else it is taken).

    An import gives ``previous``, the state it started from: when most of the new graph's units are the previous
    ones themselves (its new records were merged onto the kept merge), the new state is the previous one's base file,
    hard-linked (the generation being switched in as a whole, as ever), and the previous deltas with one more
    (:class:`StateDelta`: the new units and records, the order of every list); else, or after :data:`MAX_DELTAS`
    deltas, the whole state is written, a new base. ``graph_blob``: :func:`kept_graph_blob` of ``graph``, when
    already made."""
    import json

    if previous is None or not _write_delta(generation, previous, files, graph, shacl, quads, checks):
        blob = graph_blob if graph_blob is not None else kept_graph_blob(graph)
        state = BuildState(STATE_VERSION, code_fingerprint(), files, MergedGraph(), shacl, quads, checks,
                           kept_footprint if kept_footprint is not None else footprint(graph.results),
                           secrets.token_hex(16))
        with open(generation / STATE, "wb") as fh:  # the state, its records left empty, then the records
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.write(blob)
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
    files) by this code: None when there is none, or it was written by other code, or a file has changed since, or
    a file of it is damaged (its base, or its deltas, applied in turn)."""
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
            if not isinstance(state, BuildState) or state.version != STATE_VERSION or state.code != code_fingerprint():
                return None
            state.graph = pickle.load(fh)  # the records, the file's second pickle
        if not isinstance(state.graph, MergedGraph):
            return None
        blobs: list[bytes] = []
        if (here / DELTAS).is_file():
            blobs = pickle.loads((here / DELTAS).read_bytes())
        for i, blob in enumerate(blobs):
            delta = pickle.loads(blob)
            if not isinstance(delta, StateDelta) or (delta.base, delta.index, delta.code) != (
                    state.base, i, state.code):
                return None
            state = delta.onto(state)
    except Exception:
        return None  # damaged (cut short, bytes changed, another format) means a rebuild, never a traceback
    state.origin, state.deltas = here, blobs
    return state


# -- the state as its previous one and what changed ------------------------------------------------------
@dataclass
class StateDelta:
    """What an import changed in the state it started from: the records of its new files, the units of the new
    merged view that are not the previous ones themselves, and the order of every list (runs of the previous
    units by their place, as ``range``s, between the new ones: :func:`_patch`)."""

    base: str  # the token of the base state it applies to (a delta is never applied to another base)
    index: int  # its place in the chain
    code: str
    files: dict[str, tuple[tuple[str, int, int], ...]]
    shacl: list[Result]
    quads: int
    checks: list[Check] | None  # None: the previous ones
    results: list[ImportResult]  # the new files' (without their service payments, as in a base)
    order: list[str]  # the slugs of the merged view's results, in order
    organisations: list[str]  # the codes, in order
    changed: dict[str, MergedOrganisation]  # the organisations that are not the previous ones
    lists: dict[str, list[Any]]  # ties, roles, conflicts, events: patches (:func:`_patch`)
    inferred: list[int]  # the places of the ties dated by evidence among the ties (the report tells them by identity)
    undescribed: list[str]

    def onto(self, state: BuildState) -> BuildState:
        """The state this delta makes of ``state`` (the one it was taken from)."""
        old = state.graph
        results = {r.source.slug: r for r in (*old.results, *self.results)}
        graph = MergedGraph(
            organisations={c: self.changed[c] if c in self.changed else old.organisations[c]
                           for c in self.organisations},
            results=[results[slug] for slug in self.order], undescribed=list(self.undescribed),
            **{name: _unpatch(getattr(old, name), patch) for name, patch in self.lists.items()},
        )
        graph.inferred = [graph.ties[i] for i in self.inferred]
        return dataclasses.replace(state, files=self.files, graph=graph, shacl=self.shacl, quads=self.quads,
                                   checks=self.checks if self.checks is not None else state.checks,
                                   footprint=state.footprint | footprint(self.results))


_LISTS = ("ties", "roles", "conflicts", "events")
MAX_DELTAS = 8  # then the whole state is written again (a chain of at most this many deltas is read back)
FOLD_SHARE = 0.2  # a delta holding more than this share of the units is not worth it: the whole state is written


def _patch(old: list[Any], new: list[Any]) -> list[Any]:
    """``new`` as runs of ``old``'s items (a ``range`` of their places, for the items that are ``old``'s own
    objects, in ``old``'s order) and the other items themselves."""
    at = {id(x): i for i, x in enumerate(old)}
    out: list[Any] = []
    for x in new:
        i = at.get(id(x))
        if i is None:
            out.append(x)
        elif out and isinstance(out[-1], range) and out[-1].stop == i:
            out[-1] = range(out[-1].start, i + 1)
        else:
            out.append(range(i, i + 1))
    return out


def _unpatch(old: list[Any], patch: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in patch:
        if isinstance(x, range):
            out.extend(old[x.start : x.stop])
        else:
            out.append(x)
    return out


def _write_delta(generation: Path, previous: BuildState, files: dict[str, tuple[tuple[str, int, int], ...]],
                 graph: MergedGraph, shacl: list[Result], quads: int, checks: list[Check]) -> bool:
    """The state as ``previous``'s base, hard-linked into ``generation``, and its deltas with one more; False (and
    nothing written) when that is not worth it: no base to link, the chain is long enough, or too much changed."""
    if previous.origin is None or len(previous.deltas) >= MAX_DELTAS:
        return False
    old = previous.graph
    lists = {name: _patch(getattr(old, name), getattr(graph, name)) for name in _LISTS}
    changed = {c: o for c, o in graph.organisations.items() if old.organisations.get(c) is not o}
    units = len(graph.organisations) + sum(len(getattr(graph, name)) for name in _LISTS)
    new_units = len(changed) + sum(1 for patch in lists.values() for x in patch if not isinstance(x, range))
    if new_units > FOLD_SHARE * units:
        return False
    tie_at = {id(t): i for i, t in enumerate(graph.ties)}
    if any(id(t) not in tie_at for t in graph.inferred):
        return False
    was = {id(r) for r in old.results}
    delta = StateDelta(previous.base, len(previous.deltas), previous.code, files, shacl, quads,
                       None if checks is previous.checks else checks,
                       [_without_payments(r) for r in graph.results if id(r) not in was],
                       [r.source.slug for r in graph.results], list(graph.organisations), changed, lists,
                       [tie_at[id(t)] for t in graph.inferred], list(graph.undescribed))
    blob = pickle.dumps(delta, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        os.link(previous.origin / STATE, generation / STATE)
    except OSError:
        return False  # another file system, or links refused: the whole state
    (generation / DELTAS).write_bytes(pickle.dumps([*previous.deltas, blob], protocol=pickle.HIGHEST_PROTOCOL))
    return True


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
