"""Shared fixtures.

Neo4j: one real server per test session (started here from the project's own Maven-fetched jars,
or the one named by GRAPHKIT_TEST_NEO4J_URI), and a clean database for every test that asks for
``neo4j_db``. A server that cannot be started or reached fails the tests that need it: they never
skip, in CI or elsewhere.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graphkit.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
CASES = SEEDS / "casestudies"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("GRAPHKIT_TEST_NO_NEO4J"):  # make test-fast: a test that reaches Neo4j lacks its marker
        pytest.fail("this run starts no Neo4j (GRAPHKIT_TEST_NO_NEO4J): mark the test `neo4j`", pytrace=False)
    external = os.environ.get("GRAPHKIT_TEST_NEO4J_URI")
    if external:
        yield external
        return
    from graphkit.errors import Neo4jRuntimeError
    from graphkit.store import neo4j_runtime

    home = PROJECT_ROOT / "build" / "neo4j" / f"test-{os.getpid()}"
    try:
        server = neo4j_runtime.start(home, port=None, heap_mb=1024, pagecache_mb=256)
    except Neo4jRuntimeError as exc:
        pytest.fail(
            f"the test Neo4j server could not be started: {exc.message}\n" + "\n".join(exc.log_tail), pytrace=False
        )
    try:
        yield server.uri
    finally:
        neo4j_runtime.stop(server)
        import shutil

        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri: str) -> Iterator[object]:
    import neo4j

    driver = neo4j.GraphDatabase.driver(neo4j_uri, auth=None)
    try:
        driver.verify_connectivity()
    except Exception as exc:  # pragma: no cover - reported as a failure, never a skip
        pytest.fail(f"Neo4j at {neo4j_uri} is unreachable over Bolt: {exc}", pytrace=False)
    yield driver
    driver.close()


@pytest.fixture
def neo4j_db(neo4j_driver: object) -> object:
    """The driver, with database `neo4j` emptied (nodes, constraints, indexes) before the test."""
    empty_database(neo4j_driver)
    return neo4j_driver


def empty_database(driver: object) -> None:
    with driver.session(database="neo4j") as session:  # type: ignore[attr-defined]
        # an auto-commit transaction, as CALL ... IN TRANSACTIONS requires
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    for kind, plural in (("CONSTRAINT", "CONSTRAINTS"), ("INDEX", "INDEXES")):
        records, _, _ = driver.execute_query(
            f"SHOW {plural} YIELD name, type RETURN name, type",  # type: ignore[attr-defined]
            database_="neo4j",
        )
        for r in records:
            if kind == "INDEX" and r["type"] == "LOOKUP":
                continue
            driver.execute_query(f"DROP {kind} `{r['name']}` IF EXISTS", database_="neo4j")  # type: ignore[attr-defined]


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> object:
    """What ``make(folder)`` builds, once per test run. Under pytest-xdist (make test: two workers) the first worker
    to ask builds it under a lock in the run's shared temporary folder and the others wait for it and reuse it (the
    result comes to them pickled); without xdist it is built here."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    import fcntl
    import pickle

    folder = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    folder.mkdir(exist_ok=True)
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        result = folder.with_suffix(".pickle")
        if result.exists():
            return pickle.loads(result.read_bytes())
        made = make(folder)
        result.write_bytes(pickle.dumps(made))
        return made


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The embedded store built from all of seeds/ once per test run, and the build report."""
    from graphkit.store.build import build_seeds

    def make(folder: Path) -> tuple[Path, object]:
        return folder / "store", build_seeds(SEEDS, folder / "store")

    return built_once(tmp_path_factory, "store", make)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def seed_store(seed_build: tuple[Path, object]) -> Path:
    return seed_build[0]


@pytest.fixture(scope="session")
def seed_report(seed_build: tuple[Path, object]) -> object:
    return seed_build[1]


@pytest.fixture(scope="session")
def oxigraph(seed_store: Path) -> object:
    from graphkit.store.oxigraph import OxigraphStore

    return OxigraphStore(seed_store)


@pytest.fixture(scope="session")
def seed_graph(seed_store: Path) -> object:
    """The records of the embedded seed store as `graphkit load neo4j` reads them: the state its build kept, the
    service payments read again from their files (tests/store/test_kept_records.py shows they plan the same Neo4j
    graph as the store's quads read back, which takes several times longer)."""
    from graphkit.store.records import kept_graph

    graph = kept_graph(seed_store)
    assert graph is not None, f"the seed build at {seed_store} kept no records this code can use"
    return graph


# The one user database of Neo4j Community holds one graph at a time. A marker node names the graph loaded, so that
# tests asking for the same graph do not load it again; the test order (pytest_collection_modifyitems) puts the
# modules that read the seed graph together, before those that replace it.
_MARKER = "MATCH (m:TestSeedMarker {token: $token}) RETURN count(m) AS n"


def _seed_token(graph: object) -> str:
    # the same graph gives the same token, in any test process (two sessions sharing a dev server agree)
    g = graph
    return f"seed-{len(g.organisations)}-{len(g.ties)}-{len(g.roles)}-{len(g.events)}"  # type: ignore[attr-defined]


def mark_loaded(store: object, token: str) -> None:
    """Say that the database now holds the graph named ``token`` (a load replaces the graph's nodes, not this one)."""
    store._run("MATCH (m:TestSeedMarker) DELETE m")  # type: ignore[attr-defined]
    store._run("CREATE (:TestSeedMarker {token: $token})", token=token)  # type: ignore[attr-defined]


def _load_marked(neo4j_driver: object, token: str, graph: Callable[[], object], organisations: int) -> object:
    from graphkit.store.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_driver, database="neo4j")
    loaded = store._run(_MARKER, token=token)[0]["n"] == 1
    if not loaded or store.count_organisations() != organisations:
        empty_database(neo4j_driver)
        store.load(graph())  # type: ignore[arg-type]
        mark_loaded(store, token)
    return store


@pytest.fixture
def neo4j_seed(neo4j_driver: object, seed_graph: object) -> object:
    """A Neo4jStore holding the seed store's graph. Loaded once and reused while the database still holds
    it: tests that empty the database (neo4j_db) make the next user of this fixture load it again."""
    return load_seed(neo4j_driver, seed_graph)


def load_seed(neo4j_driver: object, seed_graph: object) -> object:
    """The Neo4jStore of :func:`neo4j_seed`, for fixtures of a wider scope (a server kept for a module)."""
    return _load_marked(neo4j_driver, _seed_token(seed_graph), lambda: seed_graph,
                        len(seed_graph.organisations))  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def case_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The case studies of the federation report (seeds/casestudies, fictional) built into an embedded store once
    per session, and the build report (the build raises on any SHACL violation: nothing would be written)."""
    from graphkit.store.build import InputFile, build

    def make(folder: Path) -> tuple[Path, object]:
        return folder / "store", build([InputFile(CASES)], folder / "store")

    return built_once(tmp_path_factory, "cases", make)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def cases_embedded(case_build: tuple[Path, object]) -> object:
    from graphkit.store.oxigraph import OxigraphStore

    return OxigraphStore(case_build[0])


@pytest.fixture
def cases_neo4j(neo4j_driver: object, cases_embedded: object) -> object:
    """A Neo4jStore holding the case studies, read back from their embedded store (what `graphkit load neo4j`
    loads); loaded again only when another test has replaced them."""
    from graphkit.rdf.read import read_dataset

    return _load_marked(neo4j_driver, "casestudies", lambda: read_dataset(cases_embedded.dataset()),  # type: ignore[attr-defined]
                        cases_embedded.count_organisations())  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(env: dict[str, str], log_path: Path, *, what: str = "graphkit serve",
                args: tuple[str, ...] = ()) -> Iterator[str]:
    """A real `graphkit serve` on a free loopback port, with ``env`` (the store it serves, limits) and more ``args``:
    yields its base URL once /health answers, and stops it afterwards. A server that does not come up fails the
    test."""
    import httpx

    port = free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "graphkit"), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`{what}` did not come up:\n" + log_path.read_text())
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# fixtures that need a real Neo4j server, or the build of the national seeds (about 70 s): a test using one must say
# so with its marker, so that `make test-fast` (-m "not neo4j and not integration and not slow") starts neither
_NEEDS = {"neo4j_uri": "neo4j", "seed_build": "integration"}


# The order of the Neo4j tests. Loading the national graph into Neo4j takes about 90 s and the one user database holds
# one graph, so: first every module that never touches Neo4j (rank 0); then those that read the national graph or
# only talk to the server (rank 1); then those that need a server but not the national graph: they replace the
# database (emptied by neo4j_db, or holding the case studies) or start servers of their own (rank 2). Within a module
# the order is the file's; a module's items stay together (module fixtures set up once).
_REPLACES = {"neo4j_db", "cases_neo4j", "neo4j_cases", "national_cases_neo4j"}
_OWN_SERVERS = {"tests/store/test_neo4j_runtime.py"}
_READS_SEED_DYNAMICALLY = {"tests/api/test_explorer.py"}  # load_seed from a module fixture
_REPLACES_DYNAMICALLY = {"tests/api/test_questions_cases.py"}  # cases_neo4j through getfixturevalue


def _neo4j_rank(items: list[pytest.Item]) -> int:
    names = set().union(*(getattr(i, "fixturenames", ()) for i in items))
    module = items[0].nodeid.split("::")[0]
    if names & _REPLACES or module in _OWN_SERVERS or module in _REPLACES_DYNAMICALLY:
        return 2
    if "neo4j_uri" in names or any(i.get_closest_marker("neo4j") for i in items) or module in _READS_SEED_DYNAMICALLY:
        return 1
    return 0


def _uses_neo4j(item: pytest.Item) -> bool:
    return item.get_closest_marker("neo4j") is not None or "neo4j_uri" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in _NEEDS.items():
            if fixture in names and item.get_closest_marker(marker) is None:
                unmarked.append(f"{item.nodeid} uses {fixture} but is not marked {marker}")
    if unmarked:
        raise pytest.UsageError("tests without the marker their fixtures need:\n  " + "\n  ".join(unmarked))
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    ranked = sorted(modules.values(), key=_neo4j_rank)  # stable: the collection order within a rank
    items[:] = [item for module in ranked for item in module]
    if os.environ.get("PYTEST_XDIST_WORKER"):  # tell the scheduler below which tests use Neo4j, and how
        groups = {i.nodeid: NEO4J_GROUPS[_neo4j_rank(module) - 1] for module in ranked for i in module
                  if _uses_neo4j(i)}
        path = _neo4j_tests_file(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.environ['PYTEST_XDIST_WORKER']}")
        tmp.write_text(json.dumps(groups))
        os.replace(tmp, path)  # both workers collect the same tests and write the same groups


# make test runs two pytest-xdist workers (-n 2), each with its own Neo4j server when it needs one. The workers
# collect, the controller schedules: the tests that read the national graph in Neo4j (rank 1) go to one worker and
# those that need a server but not that graph (rank 2) to the other, each in the order above, so the national graph
# is loaded once; every other module goes whole to either worker (its module fixtures set up once). The workers name
# the Neo4j tests in a file of the run's temporary folder, read when the controller schedules (after collection).
NEO4J_GROUPS = ("neo4j-national", "neo4j-other")
# After those, the modules whose share off Neo4j takes longest go first, so that neither worker is left with one of
# them at the end (longest first; rough seconds in the CI run of 2026-12-06: schemathesis over the embedded store,
# the national reimport, the crash-safety builds, the SHACL sweeps, the guard's servers, the browser).
LONG_MODULES = (
    "tests/api/test_openapi.py",  # ~150 s
    "tests/ingest/test_national.py",  # ~150 s
    "tests/store/test_crash_safety.py",  # ~90 s
    "tests/rdf/test_validation.py",  # ~90 s
    "tests/api/test_guard.py",  # ~70 s
    "tests/ontology/test_ontology.py",  # ~60 s
    "tests/api/test_explorer.py",  # ~60 s
    "tests/ingest/test_curated.py",  # ~40 s
    "tests/query/test_guard.py",  # ~40 s
)


def _neo4j_tests_file(config: pytest.Config) -> Path:
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return root / "neo4j-tests.json"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class Neo4jGroups(LoadScopeScheduling):
        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:
                self._groups = json.loads(_neo4j_tests_file(self.config).read_text())
            group = self._groups.get(nodeid)
            if group and os.environ.get("GRAPHKIT_TEST_NEO4J_URI"):  # one server for both workers: one group
                return NEO4J_GROUPS[0]
            return group or nodeid.split("::")[0]

        def _assign_work_unit(self, node: Any) -> None:
            # the two Neo4j groups are the longest chains of work: they start first, one on each worker; then the
            # long modules, longest first; then the rest, most tests first (xdist's order)
            has_one = any(scope in NEO4J_GROUPS for scope in self.assigned_work.get(node, {}))
            neo4j = [g for g in NEO4J_GROUPS if g in self.workqueue]
            long = [m for m in LONG_MODULES if m in self.workqueue]
            first = neo4j[0] if neo4j and not has_one else long[0] if long else None
            if first is not None:
                self.workqueue.move_to_end(first, last=False)
            super()._assign_work_unit(node)

    return Neo4jGroups(config, log)


# A test marked `timing` asserts or records how long something takes, so under the two workers it runs alone: it
# waits until the other worker's test is over, and the other worker waits at its next test until it is done. Each
# test holds a shared lock through its whole protocol (its fixtures' setup and teardown included); a timing test
# holds it exclusively, and the gate in front lets it in before any test that arrives after it. Then it waits until
# the machine is quiet (a server may still be busy after the other worker's last test).
def _busy_cores(seconds: float = 0.5) -> float:
    """How many cores' worth of CPU the whole machine used over ``seconds`` (from /proc/stat)."""
    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    cores = os.cpu_count() or 1
    return cores * (1 - (idle1 - idle0) / max(total1 - total0, 1))


def _wait_for_a_quiet_machine(limit_s: float = 120.0) -> None:
    """Before a timing test: wait (two minutes at most) until at most half a core is busy, e.g. a Neo4j server
    still writing after the previous test's load has finished its work."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and _busy_cores() > 0.5:
        pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        if item.get_closest_marker("timing") is not None and Path("/proc/stat").exists():
            _wait_for_a_quiet_machine()
        return (yield)
    import fcntl

    root = item.config._tmp_path_factory.getbasetemp().parent  # type: ignore[attr-defined]
    alone = item.get_closest_marker("timing") is not None
    with open(root / "timing.gate", "a") as gate, open(root / "timing.lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)
        elif Path("/proc/stat").exists():
            _wait_for_a_quiet_machine()  # the other worker waits; its Neo4j server may still be busy
        try:
            return (yield)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            fcntl.flock(gate, fcntl.LOCK_UN)
