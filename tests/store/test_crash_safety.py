"""Crash safety of the embedded store's builds, and the API following a rebuild as a whole.

Real `graphkit` subprocesses are killed with SIGKILL at the points that matter (the test hook
GRAPHKIT_TEST_CRASH_AT of graphkit/store/generations.py) and at random times; after each kill the store
must be exactly the graph before or the graph after, with its own manifest and report (equal to a clean
build's), and the next run must clean what the killed one left. The inputs are small (two national
files, the head of a payments file, and the curated test tables: stage A is the national files, stage B
adds the curated tables), so each build takes about a second.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI, Request
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from api.deps import Store
from graphkit.config import PROJECT_ROOT
from graphkit.errors import StoreUnavailable
from graphkit.store import generations
from graphkit.store.build import InputFile, build, import_files, manifest_path, report_path, seed_files

# kills, rebuilds and races: each test builds stores several times (`make test` runs them, `make test-fast` not)
pytestmark = pytest.mark.slow


def _load_soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", PROJECT_ROOT / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module
    spec.loader.exec_module(module)
    return module


soak = _load_soak()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return soak.prepare_inputs(tmp_path_factory.mktemp("inputs"))


def _stage_a(inputs: Any) -> list[InputFile]:
    return [InputFile(p) for p in seed_files(inputs.seeds)]


def _build_a(inputs: Any, store: Path) -> Path:
    build(_stage_a(inputs), store)
    return store


@pytest.fixture(scope="module")
def refs(inputs: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The states of clean builds of stage A and stage B, as the CLI would make them."""
    tmp = tmp_path_factory.mktemp("refs")
    _build_a(inputs, tmp / "a" / "store")
    _build_a(inputs, tmp / "b" / "store")
    import_files([InputFile(inputs.curated)], tmp / "b" / "store")
    out = {"A": soak.embedded_state(tmp / "a" / "store"), "B": soak.embedded_state(tmp / "b" / "store")}
    assert out["A"].quads < out["B"].quads and out["A"].manifest != out["B"].manifest
    return out


def _graphkit(store: Path, *args: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != generations.CRASH_ENV}
    env["GRAPHKIT_STORE_PATH"] = str(store)
    if crash is not None:
        env[generations.CRASH_ENV] = crash
    return subprocess.run([sys.executable, "-m", "graphkit.cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, check=False)


def _assert_consistent(store: Path, expected: Any) -> Any:
    """The store opens, and holds exactly the expected clean build's graph with its manifest and report."""
    state = soak.embedded_state(store)
    assert state.graph() == expected.graph()
    assert soak.manifest_files(state) == set(state.files)
    assert manifest_path(store).resolve().parent == report_path(store).resolve().parent == generations.current(store)
    return state


@pytest.mark.parametrize(("point", "stage"), [("during-load", "A"), ("before-switch", "A"), ("after-switch", "B")])
def test_a_kill_leaves_one_whole_generation_and_the_next_import_rebuilds_from_its_manifest(
    tmp_path: Path, inputs: Any, refs: dict[str, Any], point: str, stage: str
) -> None:
    store = _build_a(inputs, tmp_path / "store")
    killed = _graphkit(store, "import", "curated", str(inputs.curated), crash=point)
    assert killed.returncode == -9, killed.stderr
    state = _assert_consistent(store, refs[stage])
    # what the killed run left: its partial generation, or (killed before cleaning) the previous one
    assert len(state.leftovers) == 1 and state.leftovers[0].startswith("generations/")
    # the next import starts from the manifest of the store it finds, so the curated rows are kept
    again = _graphkit(store, "import", "curated", str(inputs.curated))
    assert again.returncode == 0, again.stderr
    final = _assert_consistent(store, refs["B"])
    assert final.leftovers == ()
    assert "good/organisations.csv" in final.files
    # the old sibling names follow the store: an old reader of store.imports.json sees the new manifest
    assert store.with_name("store.imports.json").read_text() == manifest_path(store).read_text()


def test_a_kill_while_cleaning_is_finished_by_the_next_build(tmp_path: Path, inputs: Any, refs: dict[str, Any]) -> None:
    store = _build_a(inputs, tmp_path / "store")
    held = generations.lease_current(store)  # a reader keeps generation A from the build's clean
    import_files([InputFile(inputs.curated)], store)
    assert soak.leftovers(store) == (f"generations/{held.generation}",)
    held.release()
    killed = _graphkit(store, "import", "curated", str(inputs.curated), crash="during-clean")
    assert killed.returncode == -9, killed.stderr
    assert soak.leftovers(store) == (f"generations/{held.generation}.deleting",)
    _assert_consistent(store, refs["B"])
    assert _graphkit(store, "import", "curated", str(inputs.curated)).returncode == 0
    assert _assert_consistent(store, refs["B"]).leftovers == ()


def test_a_second_build_is_refused_while_one_runs(tmp_path: Path, inputs: Any, refs: dict[str, Any]) -> None:
    store = _build_a(inputs, tmp_path / "store")
    with generations.build_lock(store):
        out = _graphkit(store, "import", "curated", str(inputs.curated))
        assert out.returncode == StoreUnavailable.exit_code
        assert f"another build of the store at {store} is running (pid {os.getpid()})" in out.stderr
        assert "Traceback" not in out.stderr
        # another thread of this process is refused too
        errors: list[Exception] = []

        def second() -> None:
            try:
                import_files([InputFile(inputs.curated)], store)
            except StoreUnavailable as exc:
                errors.append(exc)

        t = threading.Thread(target=second)
        t.start()
        t.join()
        assert len(errors) == 1
    _assert_consistent(store, refs["A"])
    assert soak.leftovers(store) == ()


def test_the_live_store_switches_as_a_whole_and_releases_the_old_generation(
    tmp_path: Path, inputs: Any, refs: dict[str, Any]
) -> None:
    from api.live import LiveStore

    store = _build_a(inputs, tmp_path / "store")
    live = LiveStore(store, check_every=0.0)
    with live.acquire() as old:
        first = old.generation  # type: ignore[attr-defined]
        import_files([InputFile(inputs.curated)], store)
        # the request that started before the switch keeps reading generation A, which is still on disk
        assert len(old._store) == refs["A"].quads  # type: ignore[attr-defined]
        assert (generations.generations_dir(store) / first).is_dir()
        with live.acquire() as new:
            assert new.generation != first and live.generation == new.generation  # type: ignore[attr-defined]
            assert len(new._store) == refs["B"].quads  # type: ignore[attr-defined]
    live.wait_for_cleaning()
    assert not (generations.generations_dir(store) / first).exists()
    assert soak.leftovers(store) == ()
    live.close()


def test_readers_during_rebuilds_see_the_old_or_the_new_graph_and_never_fail(
    tmp_path: Path, inputs: Any, refs: dict[str, Any]
) -> None:
    from api.live import LiveStore

    store = _build_a(inputs, tmp_path / "store")
    live = LiveStore(store, check_every=0.0)
    with live.acquire() as s:
        a_orgs = s.count_organisations()
    reader = soak.Reader(soak.live_reader(live), set(), pause=0.005)
    reader.start()
    for args in (["import", "curated", str(inputs.curated)], ["build", "--seeds", str(inputs.seeds)],
                 ["import", "curated", str(inputs.curated)]):
        out = _graphkit(store, *args)
        assert out.returncode == 0, out.stderr
    reader.stop.set()
    reader.join()
    with live.acquire() as s:
        b_orgs = s.count_organisations()
    live.close()
    with pytest.raises(StoreUnavailable), live.acquire():
        pass
    assert reader.log.errors == []
    # every answer is one whole graph (quads and organisations of the same build), and both were seen
    assert set(reader.log.seen) == {(refs["A"].quads, a_orgs), (refs["B"].quads, b_orgs)}


def test_a_request_keeps_its_generation_while_a_new_one_is_switched_in(
    tmp_path: Path, inputs: Any, refs: dict[str, Any]
) -> None:
    from fastapi.testclient import TestClient

    from api.live import LiveStore

    store = _build_a(inputs, tmp_path / "store")
    app = FastAPI()
    app.state.live = LiveStore(store, check_every=0.0)
    entered, go = threading.Event(), threading.Event()

    @app.get("/quads")
    def quads(store: Store, request: Request, wait: bool = False) -> dict[str, Any]:
        if wait:
            entered.set()
            go.wait(30)
        return {"quads": len(store._store), "generation": request.state.generation}  # type: ignore[attr-defined]

    answers: dict[str, Any] = {}
    with TestClient(app) as client:
        slow = threading.Thread(target=lambda: answers.update(slow=client.get("/quads?wait=true").json()))
        slow.daemon = True
        slow.start()
        assert entered.wait(30)
        import_files([InputFile(inputs.curated)], store)
        answers["fast"] = client.get("/quads").json()
        go.set()
        slow.join()
    assert answers["slow"]["quads"] == refs["A"].quads and answers["fast"]["quads"] == refs["B"].quads
    assert answers["fast"]["generation"] == generations.current(store).name  # type: ignore[union-attr]
    old = generations.generations_dir(store) / answers["slow"]["generation"]
    app.state.live.wait_for_cleaning()
    assert not old.exists() and soak.leftovers(store) == ()


def _legacy_copy(source: Path, at: Path) -> Path:
    """A store of the previous layout: the Oxigraph directory with sibling .imports.json and .report.json."""
    here = generations.current(source)
    assert here is not None
    shutil.copytree(here, at, ignore=shutil.ignore_patterns("graphkit-*.json"))
    shutil.copy(here / generations.MANIFEST, at.with_name(at.name + ".imports.json"))
    shutil.copy(here / generations.REPORT, at.with_name(at.name + ".report.json"))
    return at


def test_a_store_of_the_previous_layout_is_read_then_moved_into_a_generation(
    tmp_path: Path, inputs: Any, refs: dict[str, Any]
) -> None:
    from graphkit.store.oxigraph import OxigraphStore

    legacy = _legacy_copy(_build_a(inputs, tmp_path / "a" / "store"), tmp_path / "old" / "store")
    (tmp_path / "old" / "store.building").mkdir()  # what a killed build of the previous layout left
    (tmp_path / "old" / "store.building" / "000001.sst").write_bytes(b"partial")
    s = OxigraphStore(legacy)
    assert len(s._store) == refs["A"].quads and s.path == legacy.resolve()
    s.close()
    assert manifest_path(legacy) == tmp_path / "old" / "store.imports.json"
    import_files([InputFile(inputs.curated)], legacy)
    assert legacy.is_symlink()
    _assert_consistent(legacy, refs["B"])
    assert sorted(p.name for p in legacy.parent.iterdir()) == [
        "store", "store.generations", "store.imports.json", "store.lock", "store.report.json"
    ]
    assert soak.leftovers(legacy) == ()


def test_a_kill_in_the_previous_layouts_swap_is_recovered_by_the_next_import(
    tmp_path: Path, inputs: Any, refs: dict[str, Any]
) -> None:
    legacy = _legacy_copy(_build_a(inputs, tmp_path / "a" / "store"), tmp_path / "old" / "store")
    legacy.rename(legacy.with_name("store.old"))  # killed between moving the store aside and the swap
    out = _graphkit(legacy, "import", "curated", str(inputs.curated))
    assert out.returncode == 0, out.stderr
    _assert_consistent(legacy, refs["B"])  # rebuilt from the manifest of the store that was moved aside


def test_kills_at_random_times_end_with_a_clean_build() -> None:
    result = soak.run_soak(3, seed=11, neo4j=False)
    assert result["failures"] == [] and result["tracebacks"] == 0
    assert result["killed"] == result["survived"] == 3
    reader = result["readers"]["embedded"]
    assert reader["errors"] == [] and reader["unexpected"] == [] and reader["reads"] > 0


@pytest.mark.neo4j
def test_a_killed_neo4j_load_leaves_the_old_or_new_graph_and_the_next_ends_clean(
    tmp_path: Path, inputs: Any, neo4j_db: Any, neo4j_uri: str
) -> None:
    stores = {}
    for stage in ("A", "B"):
        stores[stage] = _build_a(inputs, tmp_path / stage / "store")
    import_files([InputFile(inputs.curated)], stores["B"])
    counts = {}
    for stage in ("B", "A"):  # the reference counts: clean loads into an empty database
        soak.empty_neo4j(neo4j_db)
        out = _graphkit(stores[stage], "load", "neo4j", "--uri", neo4j_uri)
        assert out.returncode == 0, out.stderr
        counts[stage] = soak.neo4j_counts(neo4j_db)
    assert counts["A"] != counts["B"] and counts["A"]["staged"] == counts["B"]["staged"] == 0
    cmd = soak.graphkit_command("load", "neo4j", "--uri", neo4j_uri)
    timed = soak.run_command(cmd, soak.env_for(stores["B"]))
    kills = 0
    # kills at fractions of a timed load; when the machine was busier during the timed load than after it, the
    # loads end before their kill, so earlier kills follow until one lands (each run is checked either way)
    plan = [("A", 0.5), ("B", 0.8), ("A", 0.95)]
    retries = [("B", 0.4), ("A", 0.25), ("B", 0.1)]
    for n, (stage, fraction) in enumerate(plan + retries):
        if n >= len(plan) and kills:
            break
        out = soak.run_command(cmd, soak.env_for(stores[stage]), kill_after=fraction * timed.seconds)
        kills += out.killed
        seen = soak.live_graph(soak.neo4j_counts(neo4j_db))
        assert seen in {soak.live_graph(c) for c in counts.values()}
        again = soak.run_command(cmd, soak.env_for(stores[stage]))
        assert again.returncode == 0, again.stderr
        assert soak.neo4j_counts(neo4j_db) == counts[stage], (out.killed, fraction)
    assert kills >= 1  # the kills fell within the loads (each load takes several seconds)


# -- property-based: any sequence of builds, killed builds, readers and cleans ---------------------------
QUAD = '<https://example.org/a> <https://example.org/p> "{n}" <https://example.org/g> .\n'


def _value(directory: Path) -> tuple[str, list[str]]:
    """The one literal of a tiny generation, and its manifest (the two must name the same build)."""
    import json

    import pyoxigraph as ox

    store = ox.Store.read_only(str(directory))
    try:
        values = [q.object.value for q in store.quads_for_pattern(None, ox.NamedNode("https://example.org/p"), None)]
    finally:
        del store
    assert len(values) == 1, values
    return values[0], json.loads((directory / generations.MANIFEST).read_text())


class GenerationsMachine(RuleBasedStateMachine):
    """Builds, builds killed at each point (simulated: what the killed process leaves on disk), leases taken
    and released, cleans. Invariants: the store always opens with the graph and manifest of the last
    completed build; a leased generation is never deleted; once no lease is held, a clean leaves nothing but
    the current generation."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="gk-gen-"))
        self.store = self.root / "store"
        self.n = 0
        self.current = self._build()
        self.leases: list[tuple[generations.Lease, str]] = []

    def _build(self) -> str:
        from graphkit.store.oxigraph import load_nquads

        self.n += 1
        value = str(self.n)
        load_nquads(self.store, QUAD.format(n=value),
                    extras=lambda g: (g / generations.MANIFEST).write_text(f'["{value}"]'))
        return value

    @rule()
    def build(self) -> None:
        self.current = self._build()

    @rule(point=st.sampled_from(["during-load", "before-switch", "after-switch", "switching"]))
    def killed_build(self, point: str) -> None:
        import pyoxigraph as ox

        self.n += 1
        with generations.build_lock(self.store):
            gen = generations.new_generation(self.store)
            store = ox.Store(str(gen))
            store.bulk_load(input=QUAD.format(n=self.n).encode(), format=ox.RdfFormat.N_QUADS)
            del store
            if point == "during-load":
                return
            (gen / generations.MANIFEST).write_text(f'["{self.n}"]')
            if point == "switching":  # killed between making the temporary symlink and renaming it
                # the temporary symlink of a killed process (each its own pid: two kills in a row leave two)
                os.symlink(f"store.generations/{gen.name}", self.store.with_name(f"store.switch-{90000 + self.n}"))
            elif point == "after-switch":
                generations.publish(self.store, gen)
                self.current = str(self.n)

    @rule()
    def lease(self) -> None:
        self.leases.append((generations.lease_current(self.store), self.current))

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        if self.leases:
            held, _ = self.leases.pop(data.draw(st.integers(0, len(self.leases) - 1)))
            held.release()

    @rule()
    def clean(self) -> None:
        generations.clean(self.store)
        if not self.leases:
            assert soak.leftovers(self.store) == ()

    @invariant()
    def the_store_is_the_last_completed_build(self) -> None:
        from graphkit.store.oxigraph import OxigraphStore

        s = OxigraphStore(self.store)
        try:
            assert _value(s.path) == (self.current, [self.current])
        finally:
            s.close()

    @invariant()
    def leased_generations_are_whole(self) -> None:
        for held, value in self.leases:
            assert _value(held.path) == (value, [value])

    def teardown(self) -> None:
        for held, _ in self.leases:
            held.release()
        shutil.rmtree(self.root, ignore_errors=True)


GenerationsMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=8, deadline=None)
test_any_sequence_of_builds_kills_readers_and_cleans = GenerationsMachine.TestCase
