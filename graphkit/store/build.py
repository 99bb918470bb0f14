"""Build the graph from input files into the embedded store: read, merge, map to RDF, write.

Each build writes a new generation of the store (graphkit/store/generations.py): the Oxigraph
directory with, inside it, the manifest (the files it was built from, so that ``graphkit import`` can
add files and rebuild) and the data-quality report. One rename then switches store, manifest and report
together, so a kill at any point leaves a store whose manifest and report are its own. One build runs
at a time per store (a second one is refused with StoreUnavailable). ``manifest_path`` and
``report_path`` give the files of the current generation (``<store>.imports.json`` and
``<store>.report.json`` are aliases of them).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.core.gcpause import collector_paused
from graphkit.core.model import ImportResult
from graphkit.core.progress import Progress
from graphkit.errors import InputError, InputProblem, ValidationFailed
from graphkit.ingest.curated import check_references
from graphkit.ingest.importers.registry import read_file
from graphkit.ingest.merge import Footprint, MergedGraph, footprint, merge, merge_onto
from graphkit.ingest.quality import Issue, QualityReport, report
from graphkit.ontology.shacl import Check, Result, compile_shapes, result_order, validate_store
from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED, emit, unknown_roles
from graphkit.rdf.quads import emitted, emitted_with_side
from graphkit.store import generations, increment
from graphkit.store.oxigraph import change_copy, load_nquads

SEED_DIRS = ("ods", "payments")


@dataclass(frozen=True)
class InputFile:
    path: Path
    vintage: dt.date | None = None
    financial_year: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "path": os.path.abspath(self.path),  # a later import may run from another folder
            "vintage": self.vintage.isoformat() if self.vintage else None,
            "financial_year": self.financial_year,
        }

    @classmethod
    def from_json(cls, d: dict[str, str | None]) -> InputFile:
        v = d.get("vintage")
        return cls(Path(str(d["path"])), dt.date.fromisoformat(v) if v else None, d.get("financial_year"))


@dataclass
class BuildReport:
    results: list[ImportResult] = field(default_factory=list)
    graph: MergedGraph | None = None
    quality: QualityReport | None = None
    quads: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    changed: tuple[int, int, int] | None = None  # an import from the kept state: quads added, removed, units changed

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            counts = [
                (len(r.organisations), "organisations"), (len(r.relations), "ties"), (len(r.roles), "roles"),
                (len(r.contracts), "contracts"), (len(r.payments), "payments"), (len(r.people), "people"),
                (len(r.posts), "posts"), (len(r.agreements), "curated contracts"),
                (len(r.deliveries), "deliveries"), (len(r.lateral_ties), "lateral ties"),
            ]
            shown = ", ".join(f"{n} {what}" for n, what in counts if n) or "nothing"
            out.append(
                f"{r.source.file_name} [{r.source.kind}, {r.source.vintage}]: {r.rows} rows; {shown}; "
                f"{len(r.rejects)} reported"
            )
        if self.graph is not None:
            g = self.graph
            kinds = Counter(k for o in g.organisations.values() for k in o.kinds)
            ties = Counter(t.kind for t in g.ties)
            out.append(f"merged: {len(g.organisations)} organisations, {len(g.ties)} ties, {len(g.roles)} roles")
            out.append("  organisations: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            out.append("  ties: " + ", ".join(f"{k} {n}" for k, n in sorted(ties.items())))
        if self.quality is not None:
            out.append("data quality: " + ", ".join(f"{k} {n}" for k, n in sorted(self.quality.counts().items())))
        if self.changed is not None:
            added, removed, units = self.changed
            out.append(f"import from the last build's state: {units} units changed, {added} quads added, "
                       f"{removed} removed (intervals and instants no longer used aside)")
        out.append(f"quads written: {self.quads}; " + ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items()))
        return out


def seed_files(seeds_dir: Path) -> list[Path]:
    files: list[Path] = []
    for sub in SEED_DIRS:
        d = seeds_dir / sub
        if d.is_dir():
            files.extend(p for p in d.iterdir() if p.is_file() and not p.name.lower().startswith("readme"))
    return sorted(files)


def manifest_path(store_path: Path) -> Path:
    """The manifest of the store's current generation (the files it was built from)."""
    return generations.member(store_path, generations.MANIFEST)


def report_path(store_path: Path) -> Path:
    """The data-quality report of the store's current generation."""
    return generations.member(store_path, generations.REPORT)


def read_manifest(store_path: Path) -> list[InputFile]:
    p = manifest_path(store_path)
    if not p.exists():
        return []
    return [InputFile.from_json(d) for d in json.loads(p.read_text(encoding="utf-8"))]


def read_all(files: Iterable[InputFile], progress: Progress | None = None) -> list[ImportResult]:
    """Read every input; ``progress`` (graphkit/core/progress.py) shows the files, and how far into a large one."""
    from graphkit.ingest.curated import is_curated_table, read_curated

    files = list(files)
    shown = progress or Progress()
    task = shown.task("reading", len(files), unit="files")
    results = []
    for f in files:
        task.update(description=f"reading {f.path.name}")
        with shown.reading(f.path):
            if f.path.is_dir() or is_curated_table(f.path):
                results.extend(read_curated(f.path))
            else:
                results.append(read_file(f.path, vintage=f.vintage, financial_year=f.financial_year))
        task.advance()
    task.update(description="read")
    task.finish()
    return results


def build(inputs: list[InputFile], store_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Read every input (raising InputError before anything is written), merge, and replace the store, its
    manifest and its report together. Holds the store's build lock throughout."""
    with generations.build_lock(store_path), collector_paused(freeze=True):
        return _build_locked(inputs, store_path, progress)


def _build_locked(inputs: list[InputFile], store_path: Path, progress: Progress | None) -> BuildReport:
    out = BuildReport()
    shown = progress or Progress()
    t0 = time.perf_counter()
    files = increment.stamps([f.path for f in inputs])  # before reading: a file changed meanwhile is not trusted
    out.results = read_all(inputs, shown)
    t1 = time.perf_counter()
    problems = check_references(out.results)
    if problems:
        raise InputError(problems)
    stage = shown.task("merging")
    out.graph = merge(out.results)
    out.quality = report(out.graph, unknown_roles(out.graph))
    stage.finish()
    t2 = time.perf_counter()
    # the quads are written on a thread of their own while the bulk loader reads them: the phase "rdf + store"
    checks = compile_shapes(infer_from_domains=False)
    alongside: _ValidatedAlongside | None = None
    if _room_to_validate_alongside(out.graph):
        text, side = emitted_with_side(functools.partial(emit, out.graph), str(RESOLVED))
        alongside = _ValidatedAlongside(side, checks, shown, out.graph)
    else:
        text = emitted(functools.partial(emit, out.graph))
    t3 = t2
    timings: dict[str, float] = {}
    shacl: list[Result] = []

    def check(store: Any) -> None:
        t = time.perf_counter()
        if alongside is not None:  # validated in memory while the store was written: its results
            shacl.extend(alongside.results())
            timings["validate (SHACL) alongside the store"] = alongside.seconds
        else:
            validating = shown.task("validating (SHACL)")
            shacl.extend(validate_loaded(store, checks=checks))
            validating.finish()
        timings["validate"] = time.perf_counter() - t
        assert out.quality is not None
        _take_results(store, shacl, out.results, out.quality)
        out.quads = len(store)

    stage = shown.task("writing RDF and storing")
    try:
        out.quads = load_nquads(store_path, text, check=check, lenient=True,  # the emitters' IRIs are valid
                                extras=functools.partial(_belongings, inputs, files, out, shacl, checks, timings,
                                                         alongside=alongside))
    except BaseException:
        if alongside is not None:
            alongside.close()
            if alongside.error is not None:  # its failure stopped the quads: the cause, not the stopped stream
                raise alongside.error from None
        raise
    stage.finish()
    seconds = _phases(t0, t1, t2, t3, time.perf_counter(), timings, "state")
    del seconds["rdf"]  # 0: the quads were written while the store read them (its phase is both)
    out.seconds = {("rdf + store" if k == "store" else k): v for k, v in seconds.items()}
    if "validate (SHACL) alongside the store" in timings:
        out.seconds["validate (SHACL)"] = timings["validate (SHACL) alongside the store"]
        out.seconds["rdf + store"] += timings["validate"]  # waiting for it, if at all, was part of the store's phase
    return out


#: Bytes an in-memory Oxigraph store takes for each quad of the resolved graph, with a margin: 2,050,661 quads of
#: the national build's resolved graph took 1.0 GB (measured 2026-12-07, pyoxigraph 0.5).
_MEMORY_PER_QUAD = 600
#: Resolved-graph quads a record makes, with a margin (the national build: 2.05 M quads of ~400,000 records, about 5).
_QUADS_PER_RECORD = 8


def _room_to_validate_alongside(graph: MergedGraph) -> bool:
    """Whether the resolved graph fits in memory beside the rest of the build: its estimated size (records times
    :data:`_QUADS_PER_RECORD` times :data:`_MEMORY_PER_QUAD`) under half the memory available now. Else the checks run
    on the written store (slower: ~2.5x the CPU, and after the write rather than during it)."""
    records = (len(graph.organisations) + len(graph.ties) + len(graph.roles) + len(graph.events)
               + sum(len(r.contracts) + len(r.payments) + len(r.people) + len(r.posts) + len(r.agreements)
                     + len(r.deliveries) + len(r.lateral_ties) for r in graph.results))
    return records * _QUADS_PER_RECORD * _MEMORY_PER_QUAD < _available_memory() / 2


def _available_memory() -> int:
    """Bytes of memory available (Linux's MemAvailable); 0 when not known (then nothing is held in memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _ValidatedAlongside:
    """The SHACL checks run on a second copy of the resolved graph, in memory, while the store is written: the
    emitter hands this thread the resolved graph's quads (graphkit/rdf/quads.py ``emitted_with_side``), which it
    bulk-loads into an in-memory Oxigraph store with the ontology, and on which the compiled checks run (about 2.5x
    faster than on the written store, and on the core the store's writer leaves free for part of its time). The checks
    ask only the resolved graph and the ontology, so their results are those of the written store
    (tests/store/test_build_alongside.py). Then, while the store's writer still runs, the records are pickled for the
    state the build keeps (graphkit/store/increment.py ``kept_graph_blob``)."""

    def __init__(self, side: Any, checks: list[Check], shown: Progress, graph: MergedGraph) -> None:
        import threading

        self._side, self._checks, self._shown, self._graph = side, checks, shown, graph
        self.state_blob: bytes | None = None
        self.footprint: Footprint | None = None
        self._results: list[Result] = []
        self.error: BaseException | None = None
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._run, name="validating-alongside", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import pyoxigraph as ox

        from graphkit.ontology.shacl import load_ontology_into

        t = time.perf_counter()
        try:
            memory = ox.Store()
            try:
                memory.bulk_load(input=self._side, format=ox.RdfFormat.N_QUADS, lenient=True)
            finally:
                self._side.close()  # at its end, or early (then the emitter stops and the store's load fails)
            load_ontology_into(memory, str(ONTOLOGY_GRAPH))
            self._results = validate_loaded(memory, checks=self._checks)
            del memory
            self.seconds = time.perf_counter() - t
            self.state_blob = increment.kept_graph_blob(self._graph)
            self.footprint = footprint(self._graph.results)
        except BaseException as exc:
            self.error = exc
            self.seconds = time.perf_counter() - t

    def results(self) -> list[Result]:
        """The checks' results, once they have run (waiting for them); their error, if they failed."""
        validating = self._shown.task("validating (SHACL, in memory)")
        self._thread.join()
        validating.finish()
        if self.error is not None:
            raise self.error
        return self._results

    def close(self) -> None:
        """The store's load failed: stop reading the quads and wait for the thread."""
        self._side.close()
        self._thread.join()


def _take_results(store: Any, shacl: list[Result], results: list[ImportResult], quality: QualityReport) -> None:
    """Refuse the load on a violation (one problem per violation, naming the file as given and the line); else
    add the warnings and notes to the data-quality report."""
    violations = [r for r in shacl if r.severity == "Violation"]
    if violations:
        paths = {res.source.file_name: res.path for res in results if res.path}
        raise ValidationFailed([_problem(store, r, paths) for r in violations])
    quality.issues.extend(
        Issue(
            "warning" if r.severity == "Warning" else "info",
            f"shacl:{r.shape.rsplit('#', 1)[-1]}",
            r.message,
            *_where(store, r.focus),
            field=r.path,
            value=r.value,
            subject=_code(r.focus),
        )
        for r in shacl
    )


def _belongings(inputs: list[InputFile], files: dict[str, Any], out: BuildReport, shacl: list[Result],
                checks: list[Any], timings: dict[str, float], generation: Path, *,
                kept_footprint: Footprint | None = None, previous: increment.BuildState | None = None,
                alongside: _ValidatedAlongside | None = None) -> None:
    """The manifest, the report and the state for the next import (``files``: the inputs' stamps taken before they
    were read; ``kept_footprint``: that of the merged records, when known; ``previous``: the state an import started
    from; ``alongside``: the checks run while the store was written, which pickled the records for the state too),
    written into the new generation of a build or an import before it is switched in."""
    t = time.perf_counter()
    assert out.quality is not None and out.graph is not None
    _write_belongings(generation, inputs, out.quality)
    blob = None
    if alongside is not None:
        blob, kept_footprint = alongside.state_blob, alongside.footprint
    increment.write_state(generation, files, out.graph, shacl, out.quads, checks, kept_footprint, previous, blob)
    timings["state"] = time.perf_counter() - t


def _phases(t0: float, t1: float, t2: float, t3: float, t4: float, timings: dict[str, float],
            state_label: str) -> dict[str, float]:
    """The seconds of each phase of a build or import from its clock readings: the store's phase without the
    validation and the state written inside it (``timings``)."""
    validate, state = timings.get("validate", 0.0), timings.get("state", 0.0)
    return {"read": t1 - t0, "merge": t2 - t1, "rdf": t3 - t2, "store": t4 - t3 - validate - state,
            "validate (SHACL)": validate, state_label: state}


def _write_belongings(generation: Path, inputs: list[InputFile], quality: QualityReport) -> None:
    manifest = json.dumps([f.to_json() for f in inputs], indent=1)
    (generation / generations.MANIFEST).write_text(manifest, encoding="utf-8")
    quality.write(generation / generations.REPORT)


def validate_loaded(store: Any, focus_nodes: Iterable[str] | None = None, checks: list[Check] | None = None
                    ) -> list[Result]:
    """The shapes, compiled to SPARQL (or ``checks``, compiled so before), over the resolved graph and the ontology
    of a loaded store: on every focus node, or on ``focus_nodes`` only (those a load touched). The checks run on as
    many threads as there are cores (Oxigraph evaluates a query without the GIL)."""
    return validate_store(
        store, default_graph=[str(RESOLVED), str(ONTOLOGY_GRAPH)],
        checks=checks if checks is not None else compile_shapes(infer_from_domains=False),
        focus_nodes=focus_nodes, threads=os.cpu_count() or 1,
    )


def _code(iri: str) -> str:
    from graphkit.core.namespaces import ID

    prefix = str(ID) + "org/"
    return iri[len(prefix) :] if iri.startswith(prefix) else iri.rsplit("/id/", 1)[-1]


def _where(store: Any, iri: str) -> tuple[str | None, int | None]:
    """The first source file and line that state a fact (for messages)."""
    import pyoxigraph as ox

    from graphkit.core.namespaces import PREFIXES

    rows = list(
        store.query(
            "SELECT ?f ?name ?line WHERE { GRAPH ?g { ?f pcg:sourceLine ?line } GRAPH ?g { ?g pcg:fileName ?name } } "
            "ORDER BY ?name ?line LIMIT 1",
            prefixes=PREFIXES,
            substitutions={ox.Variable("f"): ox.NamedNode(iri)},
        )
    )
    if not rows:
        return None, None
    return str(rows[0]["name"].value), int(rows[0]["line"].value)


def _problem(store: Any, r: Result, paths: dict[str, str] | None = None) -> InputProblem:
    """A violation as an input problem, naming the file as the user gave it (``paths``: file name in the graph
    -> path given) and the line."""
    file, line = _where(store, r.focus)
    return InputProblem(
        (paths or {}).get(file or "", file or "(derived)"),
        line,
        r.path and r.path.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
        f"{_code(r.focus)}: {r.message} [{r.shape.rsplit('#', 1)[-1]} {r.constraint}]",
        r.value,
    )


def build_seeds(seeds_dir: Path, store_path: Path, *, progress: Progress | None = None) -> BuildReport:
    return build([InputFile(p) for p in seed_files(seeds_dir)], store_path, progress=progress)


def import_files(new: list[InputFile], store_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Add files to those the store was built from; a file already imported is not added twice. The manifest is
    read under the build lock, so two imports never both start from the same one.

    When the store's generation holds the state of its build (graphkit/store/increment.py) and none of its files
    has changed since, only the new files are read: their records are merged with the kept ones, and only the quads
    that change are written, into a copy of the store, and validated where they touch it. Otherwise the store is
    rebuilt from every file. Either way, the result is the store a build from all the files would give."""
    with generations.build_lock(store_path), collector_paused(freeze=True):
        current = read_manifest(store_path)
        gone = [f for f in current if not (f.path.exists() or f.path.is_symlink())]
        if gone:
            raise InputError([InputProblem(str(f.path), None, None,
                                           "the store was built from this file, which is no longer there (moved or "
                                           "deleted): an import rebuilds from every file the store was built from; "
                                           "put it back, or build afresh with `graphkit build`") for f in gone])
        known = {f.path.resolve() for f in current}
        added = [f for f in new if f.path.resolve() not in known]
        merged = current + added
        t = time.perf_counter()
        state = increment.read_state(store_path, [f.path for f in current]) if current else None
        if state is None:
            return build(merged, store_path, progress=progress)
        took = time.perf_counter() - t
        out = _add_locked(state, added, merged, store_path, progress)
        out.seconds = {"state (read)": took, **out.seconds}
        return out


def _add_locked(state: increment.BuildState, added: list[InputFile], inputs: list[InputFile], store_path: Path,
                progress: Progress | None) -> BuildReport:
    """``graphkit import`` from the kept state: read the new files, merge, write and check only the difference."""
    out = BuildReport()
    shown = progress or Progress()
    t0 = time.perf_counter()
    files = increment.stamps([f.path for f in inputs])  # before reading: a file changed meanwhile is not trusted
    fresh = read_all(added, shown)
    out.results = fresh
    t1 = time.perf_counter()
    everything = [*state.graph.results, *fresh]
    problems = check_references(everything)
    if problems:
        raise InputError(problems)
    stage = shown.task("merging")
    # the new records merged onto the kept merge when they share no code, tie series or place in the vintage order
    # with the kept ones (then the kept units stand as they are: graphkit/ingest/merge.py, merge_onto); else all again
    onto = merge_onto(state.graph, state.footprint, fresh)
    out.graph = onto if onto is not None else merge(everything)
    kept_footprint = state.footprint | footprint(fresh)
    out.quality = report(out.graph, unknown_roles(out.graph))
    stage.finish()
    t2 = time.perf_counter()
    stage = shown.task("writing RDF (the difference)")
    diff = increment.difference(state.graph, out.graph)
    stage.finish()
    t3 = time.perf_counter()
    timings: dict[str, float] = {}
    shacl: list[Result] = []

    def change(store: Any) -> int:
        out.quads = state.quads + increment.apply(store, diff)
        return out.quads

    def check(store: Any) -> None:
        t = time.perf_counter()
        validating = shown.task("validating (SHACL, the nodes changed)")
        focus = increment.neighbourhood(store, diff.touched())
        found = validate_loaded(store, focus, state.checks)
        validating.finish()
        timings["validate"] = time.perf_counter() - t
        if focus is None:
            shacl.extend(found)
        else:  # the kept results of the nodes not checked again, and the new results of those checked
            shacl.extend(sorted({*(r for r in state.shacl if r.focus not in focus), *found}, key=result_order))
        assert out.quality is not None
        _take_results(store, shacl, everything, out.quality)

    stage = shown.task("storing (a copy of the store, changed)")
    out.quads = change_copy(store_path, change, check=check,
                            extras=functools.partial(_belongings, inputs, files, out, shacl, state.checks, timings,
                                                     kept_footprint=kept_footprint, previous=state))
    stage.finish()
    out.seconds = _phases(t0, t1, t2, t3, time.perf_counter(), timings, "state (write)")
    out.changed = (len(diff.added), len(diff.removed), diff.units)
    return out
