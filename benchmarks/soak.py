"""Soak: kill -9 the importer, the Neo4j loader and the Neo4j server at random points, and check that
every re-run ends with exactly one clean load's graph.

Each run picks, in turn, one of:

- ``importer``: a ``graphkit build`` (stage A: a few national files) or ``graphkit import curated``
  (stage B: A plus the curated test tables) subprocess over the embedded store, alternating so that each
  run changes the graph. It is killed with SIGKILL at a random time within its measured duration, or at
  a named point of the build (``GRAPHKIT_TEST_CRASH_AT``: during the load, just before or just after
  the switch). Right after the kill the store must be exactly the graph before or the graph
  after (quads, the source files in it, its manifest and its data-quality report equal to a clean
  build's), then the same command is re-run and must end with exactly the clean build's store: same
  quads, manifest and report, one generation, no leftovers.
- ``loader``: ``graphkit load neo4j`` from the embedded store of stage A or B (alternating), killed
  with SIGKILL at a random time. The live graph must be the previous or the new one; the re-run must end
  with exactly the node and relationship counts of a clean load into an empty database, and no staged
  or retired nodes.
- ``server``: the same load, but the Neo4j server itself is killed (SIGKILL to its process group) at a
  random time and restarted with its data kept; then the same checks.

All the while a reader thread reads the embedded store through the API's :class:`api.live.LiveStore`
(and one reads Neo4j's live graph): every answer must be the graph of stage A or of stage B, whole, and
no read may fail.

Run (the Neo4j part needs Java 17 and Maven, and starts its own server under build/neo4j/soak-<pid>/):

    .venv/bin/python benchmarks/soak.py --runs 24 --neo4j [--seed 1] [--json build/soak.json]

:func:`run_soak` returns the figures as a dict (for docs/reliability.md).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graphkit.store import generations  # noqa: E402

SEEDS = ROOT / "seeds"
CURATED = ROOT / "tests" / "data" / "curated" / "good"
PAYMENT_ROWS = 600  # rows of the 2022-23 payments file kept (with its header): contracts and payments
STAGE_A = ("eccg_2025-12.csv", "etr_2025-12.csv")  # from seeds/ods, with the payments head
# the named points a build is killed at; not "during-clean": with a reader holding the previous generation the
# build's clean leaves it alone (the reader's holder deletes it), so that point is tested without a reader
SOAK_POINTS = ("during-load", "before-switch", "after-switch")
LIVE_LABELS = ("Organisation", "SourceDocument", "Contract", "ChangeEvent", "Person")


# -- the embedded store: what a state is ------------------------------------------------------------
@dataclass(frozen=True)
class EmbeddedState:
    """What the embedded store holds now: its quads, the source files in it, and its manifest and report
    (read from the same generation), plus what lies around it."""

    quads: int
    files: tuple[str, ...]  # file names of the source graphs in the store
    manifest: tuple[str, ...]  # the manifest's entries (path, vintage, financial year)
    report: tuple[tuple[str, int], ...]  # the data-quality report's counts per rule
    generation: str
    leftovers: tuple[str, ...]  # generation directories other than the current one, temporary symlinks ...

    def graph(self) -> tuple[Any, ...]:
        """What must equal a clean build's (everything but the generation id and the leftovers)."""
        return self.quads, self.files, self.manifest, self.report


def embedded_state(store_path: Path) -> EmbeddedState:
    """Open the store as any reader does (a lease on its current generation) and read its state; the
    manifest and report are read from the very generation whose quads are counted."""
    from graphkit.ingest.quality import QualityReport
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(store_path)
    try:
        quads = len(store._store)
        files = tuple(sorted({
            r["name"].value for r in store.select("SELECT DISTINCT ?name WHERE { GRAPH ?g { ?g pcg:fileName ?name } }")
        }))
        manifest_file = store.path / generations.MANIFEST
        manifest = tuple(json.dumps(e, sort_keys=True) for e in json.loads(manifest_file.read_text(encoding="utf-8")))
        report = tuple(sorted(QualityReport.read(store.path / generations.REPORT).counts().items()))
        return EmbeddedState(quads, files, manifest, report, store.generation, leftovers(store_path))
    finally:
        store.close()


def leftovers(store_path: Path) -> tuple[str, ...]:
    """Everything beside the store that a finished, cleaned build does not leave: generations other than
    the current one, temporary symlinks, the previous layout's staging and old directories."""
    here = generations.current(store_path)
    found = [p.name for p in store_path.parent.glob(f"{store_path.name}.switch-*")]
    found += [p.name for p in (store_path.with_name(store_path.name + s) for s in (".building", ".old")) if p.exists()]
    gens = generations.generations_dir(store_path)
    if gens.is_dir():
        found += [f"generations/{p.name}" for p in gens.iterdir() if here is None or p.resolve() != here]
    return tuple(sorted(found))


def manifest_files(state: EmbeddedState) -> set[str]:
    """The file names the manifest's entries stand for (a curated directory stands for its tables)."""
    names: set[str] = set()
    for entry in state.manifest:
        p = Path(json.loads(entry)["path"])
        names |= {f"{p.name}/{t.name}" for t in p.glob("*.csv")} if p.is_dir() else {p.name}
    return names


# -- inputs and commands -------------------------------------------------------------------------
@dataclass
class Inputs:
    seeds: Path  # a seeds directory (ods/, payments/) holding stage A
    curated: Path  # the curated tables added in stage B


def prepare_inputs(workdir: Path) -> Inputs:
    """Stage A's files in a seeds-like directory (``graphkit build --seeds``), and the curated tables."""
    seeds = workdir / "seeds"
    (seeds / "ods").mkdir(parents=True)
    (seeds / "payments").mkdir()
    for name in STAGE_A:
        shutil.copy(SEEDS / "ods" / name, seeds / "ods" / name)
    with gzip.open(SEEDS / "payments" / "nhspaymentsgp_2022-23.csv.gz", "rt", encoding="utf-8") as f:
        head = [next(f) for _ in range(PAYMENT_ROWS + 1)]
    with gzip.open(seeds / "payments" / "nhspaymentsgp_2022-23.csv.gz", "wt", encoding="utf-8") as f:
        f.writelines(head)
    curated = workdir / "good"
    shutil.copytree(CURATED, curated)
    return Inputs(seeds, curated)


def graphkit_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphkit.cli", *args]


def build_a(inputs: Inputs) -> list[str]:
    return graphkit_command("build", "--seeds", str(inputs.seeds))


def import_b(inputs: Inputs) -> list[str]:
    return graphkit_command("import", "curated", str(inputs.curated))


@dataclass
class Outcome:
    """One run of a command: whether the kill landed before it ended, and how it ended."""

    killed: bool
    returncode: int
    seconds: float
    stderr: str = ""


def run_command(cmd: list[str], env: dict[str, str], *, kill_after: float | None = None,
                on_timer: Callable[[], None] | None = None, timeout: float = 600.0) -> Outcome:
    """Run a command; after ``kill_after`` seconds kill it with SIGKILL (or call ``on_timer`` instead, e.g.
    to kill the Neo4j server under it). ``killed`` says whether that happened before it ended."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        killed = False
        try:
            if kill_after is not None:
                try:
                    proc.wait(timeout=kill_after)
                except subprocess.TimeoutExpired:
                    killed = True
                    if on_timer is None:
                        proc.kill()
                    else:
                        on_timer()
            proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if "GRAPHKIT_TEST_CRASH_AT" in env:
        killed = proc.returncode == -signal.SIGKILL
    return Outcome(killed, proc.returncode, time.monotonic() - started, text[-2000:])


def env_for(store: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != generations.CRASH_ENV}
    env.update(GRAPHKIT_STORE_PATH=str(store), PYTHONPATH=str(ROOT), **extra)
    return env


# -- readers ------------------------------------------------------------------------------------
@dataclass
class ReaderLog:
    """What a reader saw: every answer that was not one of the expected graphs, and every failure."""

    reads: int = 0
    seen: Counter[Any] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Reader(threading.Thread):
    """Reads a store in a loop until stopped; each read must give one of ``expected``."""

    def __init__(self, read: Callable[[], Any], expected: set[Any], pause: float = 0.02) -> None:
        super().__init__(daemon=True, name="soak-reader")
        self.read = read
        self.expected = expected
        self.pause = pause
        self.log = ReaderLog()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                answer = self.read()
            except Exception as exc:  # every failure is what the soak reports
                self.log.errors.append(f"{type(exc).__name__}: {exc}"[:300])
            else:
                self.log.reads += 1
                self.log.seen[answer] += 1
                if answer not in self.expected:
                    self.log.unexpected.append(repr(answer))
            self.stop.wait(self.pause)


def live_reader(live: Any) -> Callable[[], tuple[int, int]]:
    """A read through the API's holder: quads and organisations, both from the one store of the request."""

    def read() -> tuple[int, int]:
        with live.acquire() as store:
            return len(store._store), store.count_organisations()

    return read


# -- Neo4j ----------------------------------------------------------------------------------------
def neo4j_counts(driver: Any) -> dict[str, int]:
    """Node and relationship counts: all of them, the live graph's, and the staged or retired ones."""
    doomed = " OR ".join(f"n:{p}{label}" for label in LIVE_LABELS for p in ("Staging", "Retired"))
    live = " OR ".join(f"n:{label}" for label in LIVE_LABELS)
    one = lambda q: driver.execute_query(q, database_="neo4j").records[0]["n"]  # noqa: E731
    return {
        "nodes": one("MATCH (n) RETURN count(n) AS n"),
        "relationships": one("MATCH ()-[r]->() RETURN count(r) AS n"),
        "live_nodes": one(f"MATCH (n) WHERE {live} RETURN count(n) AS n"),
        "live_relationships": one(
            f"MATCH (n)-[r]->(m) WHERE ({live}) AND NOT ({doomed}) AND NOT ({doomed.replace('n:', 'm:')}) "
            "RETURN count(r) AS n"
        ),
        "staged": one(f"MATCH (n) WHERE {doomed} RETURN count(n) AS n"),
    }


def live_graph(counts: dict[str, int]) -> tuple[int, int]:
    return counts["live_nodes"], counts["live_relationships"]


def label_counts(driver: Any) -> tuple[int, ...]:
    """The nodes of each live label, in one query (what a reader of the live graph sees)."""
    parts = " ".join(f"CALL () {{ MATCH (n:{label}) RETURN count(n) AS c{i} }}" for i, label in enumerate(LIVE_LABELS))
    record = driver.execute_query(f"{parts} RETURN {', '.join(f'c{i}' for i in range(len(LIVE_LABELS)))}",
                                  database_="neo4j").records[0]
    return tuple(record)


def empty_neo4j(driver: Any) -> None:
    with driver.session(database="neo4j") as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@contextlib.contextmanager
def neo4j_server(home: Path) -> Iterator[Any]:
    """The soak's own Neo4j server (stopped and removed at the end)."""
    from graphkit.store import neo4j_runtime
    server = neo4j_runtime.start(home, heap_mb=768, pagecache_mb=128)
    holder = {"server": server}
    try:
        yield holder
    finally:
        neo4j_runtime.stop(holder["server"])
        shutil.rmtree(home, ignore_errors=True)


def kill_server(holder: dict[str, Any]) -> None:
    """SIGKILL the Neo4j server's whole process group, and wait until it is gone."""
    from graphkit.store import neo4j_runtime
    server = holder["server"]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    while neo4j_runtime._alive(server.pid):
        time.sleep(0.05)


def restart_server(holder: dict[str, Any]) -> None:
    """Start the killed server again on the same port, with its data (it recovers from its log)."""
    from graphkit.store import neo4j_runtime
    old = holder["server"]
    neo4j_runtime._forget(old)
    holder["server"] = neo4j_runtime.start(Path(old.home), port=old.port, fresh=False, heap_mb=768,
                                           pagecache_mb=128)


def connect(uri: str) -> Any:
    import neo4j

    driver = neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF")
    driver.verify_connectivity()
    return driver


# -- the soak -------------------------------------------------------------------------------------
@dataclass
class RunRecord:
    n: int
    kind: str
    operation: str
    how: str  # "time 1.23s" or "point after-switch"
    killed: bool
    survived: bool
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)  # the last line of stderr of the killed run, if any
    tracebacks: int = 0  # Python tracebacks printed by the killed run or the re-run (must be 0)


class Soak:
    """The state shared by the runs: inputs, reference states, the stores and the readers."""

    def __init__(self, workdir: Path, rng: random.Random, neo4j: bool) -> None:
        self.workdir = workdir
        self.rng = rng
        self.neo4j = neo4j
        self.inputs = prepare_inputs(workdir)
        self.store = workdir / "soak" / "store"
        self.records: list[RunRecord] = []
        self.durations: dict[str, float] = {}
        self.refs: dict[str, EmbeddedState] = {}
        self.neo_refs: dict[str, dict[str, int]] = {}
        self.neo_labels: dict[str, tuple[int, ...]] = {}
        self.neo_stage = ""

    # embedded ----------------------------------------------------------------------------------
    def references(self) -> None:
        """Clean builds of stage A and B (into their own stores, kept for the Neo4j loads), timed."""
        for stage, cmds in (("A", [build_a(self.inputs)]), ("B", [build_a(self.inputs), import_b(self.inputs)])):
            store = self.workdir / f"ref{stage}" / "store"
            for cmd in cmds:
                out = run_command(cmd, env_for(store))
                if out.returncode != 0:
                    raise RuntimeError(f"the reference build {stage} failed: {out.stderr}")
                self.durations[cmd[3]] = out.seconds
            self.refs[stage] = embedded_state(store)
        a, b = self.refs["A"], self.refs["B"]
        if a.graph() == b.graph() or manifest_files(a) != set(a.files) or manifest_files(b) != set(b.files):
            raise RuntimeError("the reference builds are not two distinct, self-consistent graphs")
        if run_command(build_a(self.inputs), env_for(self.store)).returncode != 0:
            raise RuntimeError("the first build of the soak store failed")

    def _timed(self, operation: str, seconds: float) -> None:
        """Kills fall within the quickest complete run seen (a first load, or one just after the server's
        restart, is slower), so that most of them land before the run ends."""
        self.durations[operation] = min(self.durations.get(operation, seconds), seconds)

    def stage_of(self, state: EmbeddedState) -> str | None:
        return next((s for s, ref in self.refs.items() if ref.graph() == state.graph()), None)

    def importer_run(self, n: int, live: Any) -> RunRecord:
        before = self.stage_of(embedded_state(self.store)) or "?"
        cmd, after = (import_b(self.inputs), "B") if before == "A" else (build_a(self.inputs), "A")
        point = self.rng.choice(SOAK_POINTS) if self.rng.random() < 0.3 else None
        extra = {generations.CRASH_ENV: point} if point else {}
        delay = None if point else self.rng.uniform(0.3, self.durations[cmd[3]])
        how = f"point {point}" if point else f"time {delay:.2f}s"
        rec = RunRecord(n, "importer", f"{cmd[3]} ({before}->{after})", how, False, False)
        out = run_command(cmd, env_for(self.store, **extra), kill_after=delay)
        rec.killed = out.killed
        if not out.killed and out.returncode != 0:
            rec.problems.append(f"ended with {out.returncode} without a kill: {out.stderr[-300:]}")
        state = embedded_state(self.store)
        stage = self.stage_of(state)
        if stage not in (before, after):
            rec.problems.append(f"after the kill the store is neither {before} nor {after}: {state}")
        if manifest_files(state) != set(state.files):
            rec.problems.append(f"the manifest does not list the store's files: {state.manifest} vs {state.files}")
        again = run_command(cmd, env_for(self.store))
        if again.returncode != 0:
            rec.problems.append(f"the re-run failed ({again.returncode}): {again.stderr[-300:]}")
        _note_output(rec, out, again)
        self._timed(cmd[3], again.seconds)
        final = self.settled(live)
        if final.graph() != self.refs[after].graph():
            rec.problems.append(f"the re-run did not give the clean build {after}: {final} vs {self.refs[after]}")
        if final.leftovers:
            rec.problems.append(f"leftovers after the re-run: {final.leftovers}")
        rec.survived = not rec.problems
        return rec

    def settled(self, live: Any, wait: float = 5.0) -> EmbeddedState:
        """The store's state once the reader has moved to the current generation and released the old one
        (a generation a reader holds is left to a later clean, by design)."""
        deadline = time.monotonic() + wait
        while True:
            live.refresh()
            live.wait_for_cleaning()
            generations.clean(self.store)
            state = embedded_state(self.store)
            if not state.leftovers or time.monotonic() > deadline:
                return state
            time.sleep(0.05)

    # neo4j -------------------------------------------------------------------------------------
    def neo4j_references(self, driver: Any, uri: str) -> None:
        for stage in ("A", "B"):
            empty_neo4j(driver)
            out = run_command(graphkit_command("load", "neo4j", "--uri", uri),
                              env_for(self.workdir / f"ref{stage}" / "store"))
            if out.returncode != 0:
                raise RuntimeError(f"the reference load {stage} failed: {out.stderr}")
            self.durations[f"load{stage}"] = out.seconds
            self.neo_refs[stage] = neo4j_counts(driver)
            self.neo_labels[stage] = label_counts(driver)
        self.neo_stage = "B"

    def neo4j_run(self, n: int, kind: str, holder: dict[str, Any], driver_box: dict[str, Any]) -> RunRecord:
        before = self.neo_stage
        after = "A" if before == "B" else "B"
        uri = holder["server"].uri
        cmd = graphkit_command("load", "neo4j", "--uri", uri)
        env = env_for(self.workdir / f"ref{after}" / "store")
        delay = self.rng.uniform(0.3, self.durations[f"load{after}"])
        rec = RunRecord(n, kind, f"load {before}->{after}", f"time {delay:.2f}s", False, False)
        if kind == "server":
            out = run_command(cmd, env, kill_after=delay, on_timer=lambda: kill_server(holder), timeout=120)
            if out.killed:
                driver_box["driver"].close()
                restart_server(holder)
                driver_box["driver"] = connect(holder["server"].uri)
        else:
            out = run_command(cmd, env, kill_after=delay)
        rec.killed = out.killed
        if not out.killed and out.returncode != 0:
            rec.problems.append(f"ended with {out.returncode} without a kill: {out.stderr[-300:]}")
        driver = driver_box["driver"]
        seen = live_graph(neo4j_counts(driver))
        if seen not in (live_graph(self.neo_refs[before]), live_graph(self.neo_refs[after])):
            rec.problems.append(f"after the kill the live graph is neither {before} nor {after}: {seen}")
        again = run_command(cmd, env)
        if again.returncode != 0:
            rec.problems.append(f"the re-run failed ({again.returncode}): {again.stderr[-300:]}")
        _note_output(rec, out, again)
        self._timed(f"load{after}", again.seconds)
        final = neo4j_counts(driver)
        if final != self.neo_refs[after]:
            rec.problems.append(f"the re-run did not give the clean load {after}: {final} vs {self.neo_refs[after]}")
        self.neo_stage = after
        rec.survived = not rec.problems
        return rec


def _note_output(rec: RunRecord, killed: Outcome, again: Outcome) -> None:
    """Keep what the killed run said last, and count tracebacks (a user must never see one)."""
    last = [line for line in killed.stderr.splitlines() if line.strip()][-1:]
    rec.messages = last
    rec.tracebacks = killed.stderr.count("Traceback (most recent call last)") + again.stderr.count(
        "Traceback (most recent call last)"
    )
    if rec.tracebacks:
        rec.problems.append(f"a traceback was printed: {(killed.stderr + again.stderr)[-600:]}")
    if any("internal error" in line for line in last):
        rec.problems.append(f"the killed run ended with an unclear error: {last[0]}")


def run_soak(runs: int, seed: int = 1, neo4j: bool = False, *, progress: Callable[[str], None] | None = None,
             workdir: Path | None = None) -> dict[str, Any]:
    """Kill -9 until ``runs`` kills have landed (the importer; with ``neo4j`` also the loader and the server, in
    turn; at most 3 x ``runs`` attempts) and check each re-run. Returns the figures:

    - ``runs`` = ``killed``: attempts whose kill landed before the process ended; ``survived``: those of them
      whose state after the kill and whose re-run were right; ``attempts``, ``finished_before_kill``;
    - ``failures``: every attempt (killed or not) with a problem, with its problems; ``tracebacks``;
    - ``by_kind``: attempts, killed, survived per kind (importer, loader, server);
    - ``readers``: per store, reads made during the runs, answers that were neither graph (``unexpected``:
      a mixture) and ``errors``;
    - ``references``, ``durations_s``, ``records`` (every attempt), ``seconds``."""
    from api.live import LiveStore

    started = time.monotonic()
    rng = random.Random(seed)
    kinds = ["importer", "loader", "server"] if neo4j else ["importer"]
    owned = workdir is None
    work = Path(tempfile.mkdtemp(prefix="graphkit-soak-")) if workdir is None else workdir
    say = progress or (lambda _: None)
    try:
        soak = Soak(work, rng, neo4j)
        soak.references()
        say(f"references: A {soak.refs['A'].quads} quads, B {soak.refs['B'].quads} quads; "
            + ", ".join(f"{k} {v:.1f}s" for k, v in soak.durations.items()))
        live = LiveStore(soak.store, check_every=0.0)
        expected = {(s.quads, _organisations(work / f"ref{k}" / "store")) for k, s in soak.refs.items()}
        reader = Reader(live_reader(live), expected)
        reader.start()
        neo_reader: Reader | None = None
        with contextlib.ExitStack() as stack:
            holder: dict[str, Any] = {}
            box: dict[str, Any] = {}
            if neo4j:
                holder = stack.enter_context(neo4j_server(ROOT / "build" / "neo4j" / f"soak-{os.getpid()}"))
                box["driver"] = connect(holder["server"].uri)
                stack.callback(lambda: box["driver"].close())
                soak.neo4j_references(box["driver"], holder["server"].uri)
                say("neo4j references: " + "; ".join(f"{k} {v}" for k, v in soak.neo_refs.items()))
                neo_reader = Reader(lambda: label_counts(box["driver"]), set(soak.neo_labels.values()), pause=0.1)
                neo_reader.start()
            n = 0
            # ``runs`` kills that land: a run that ends before its kill is checked too, and another one is made
            while sum(r.killed for r in soak.records) < runs and n < 3 * runs:
                kind = kinds[n % len(kinds)]
                if kind == "server" and neo_reader is not None:
                    neo_reader.stop.set()  # the server goes down: reads would fail by design
                    neo_reader.join()
                t0 = time.monotonic()
                rec = soak.importer_run(n, live) if kind == "importer" else soak.neo4j_run(n, kind, holder, box)
                rec.seconds = round(time.monotonic() - t0, 1)
                soak.records.append(rec)
                if kind == "server" and neo_reader is not None:
                    old = neo_reader.log
                    neo_reader = Reader(neo_reader.read, neo_reader.expected, pause=0.1)
                    neo_reader.log = old
                    neo_reader.start()
                n += 1
                say(f"run {n} ({sum(r.killed for r in soak.records)}/{runs} killed) {rec.kind} {rec.operation} "
                    f"{rec.how}: {'killed' if rec.killed else 'finished before the kill'}, "
                    f"{'survived' if rec.survived else 'FAILED ' + '; '.join(rec.problems)}")
            if neo_reader is not None:
                neo_reader.stop.set()
                neo_reader.join()
        reader.stop.set()
        reader.join()
        live.close()
        return _summary(soak, reader.log, neo_reader.log if neo_reader else None, time.monotonic() - started)
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)


def _organisations(store_path: Path) -> int:
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(store_path)
    try:
        return store.count_organisations()
    finally:
        store.close()


def _summary(soak: Soak, embedded: ReaderLog, neo: ReaderLog | None, seconds: float) -> dict[str, Any]:
    recs = soak.records
    by_kind: dict[str, dict[str, int]] = {}
    for r in recs:
        k = by_kind.setdefault(r.kind, {"attempts": 0, "killed": 0, "survived": 0})
        k["attempts"] += 1
        k["killed"] += r.killed
        k["survived"] += r.killed and r.survived
    readers = {"embedded": embedded}
    if neo is not None:
        readers["neo4j"] = neo
    return {
        "attempts": len(recs),
        "runs": sum(r.killed for r in recs),
        "killed": sum(r.killed for r in recs),
        "survived": sum(r.killed and r.survived for r in recs),
        "finished_before_kill": sum(not r.killed for r in recs),
        "failures": [asdict(r) for r in recs if not r.survived],
        "tracebacks": sum(r.tracebacks for r in recs),
        "by_kind": by_kind,
        "readers": {
            name: {"reads": log.reads, "unexpected": log.unexpected[:20], "errors": log.errors[:20],
                   "seen": {repr(k): v for k, v in log.seen.items()}}
            for name, log in readers.items()
        },
        "references": {
            "embedded": {s: {"quads": r.quads, "files": len(r.files)} for s, r in soak.refs.items()},
            "neo4j": soak.neo_refs,
        },
        "durations_s": {k: round(v, 2) for k, v in soak.durations.items()},
        "records": [asdict(r) for r in recs],
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="kills that land, in all (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random kill times and points")
    parser.add_argument("--neo4j", action="store_true", help="also kill the Neo4j loader and the Neo4j server")
    parser.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    args = parser.parse_args(argv)
    result = run_soak(args.runs, args.seed, args.neo4j, progress=lambda line: print(line, flush=True))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    readers = "; ".join(f"{k}: {v['reads']} reads, {len(v['unexpected'])} mixed or unknown, {len(v['errors'])} errors"
                        for k, v in result["readers"].items())
    print(f"{result['attempts']} runs: {result['killed']} killed, {result['survived']} of them survived, "
          f"{result['finished_before_kill']} ended before the kill; {len(result['failures'])} failed, "
          f"{result['tracebacks']} tracebacks; readers: {readers}; {result['seconds']:.0f}s")
    bad = result["failures"] or any(v["unexpected"] or v["errors"] for v in result["readers"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
