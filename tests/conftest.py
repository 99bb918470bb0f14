"""Shared fixtures.

Neo4j: one real server per test session (started here from the project's own Maven-fetched jars,
or the one named by GRAPHKIT_TEST_NEO4J_URI), and a clean database for every test that asks for
``neo4j_db``. A server that cannot be started or reached fails the tests that need it: they never
skip, in CI or elsewhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graphkit.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
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


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The embedded store built from all of seeds/ once per session, and the build report."""
    from graphkit.store.build import build_seeds

    path = tmp_path_factory.mktemp("store") / "store"
    report = build_seeds(SEEDS, path)
    return path, report


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
def seed_graph(oxigraph: object) -> object:
    """What the embedded seed store holds, read back from its quads (what `graphkit load neo4j` loads)."""
    from graphkit.rdf.read import read_dataset

    return read_dataset(oxigraph._store)  # type: ignore[attr-defined]


_SEED_MARKER = "MATCH (m:TestSeedMarker {token: $token}) RETURN count(m) AS n"


@pytest.fixture
def neo4j_seed(neo4j_driver: object, seed_graph: object) -> object:
    """A Neo4jStore holding the seed store's graph. Loaded once and reused while the database still holds
    it: tests that empty the database (neo4j_db) make the next user of this fixture load it again."""
    return load_seed(neo4j_driver, seed_graph)


def load_seed(neo4j_driver: object, seed_graph: object) -> object:
    """The Neo4jStore of :func:`neo4j_seed`, for fixtures of a wider scope (a server kept for a module)."""
    from graphkit.store.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_driver, database="neo4j")
    g = seed_graph
    # the same graph gives the same token, in any test process (two sessions sharing a dev server agree)
    token = f"seed-{len(g.organisations)}-{len(g.ties)}-{len(g.roles)}-{len(g.events)}"  # type: ignore[attr-defined]
    loaded = store._run(_SEED_MARKER, token=token)[0]["n"] == 1
    if not loaded or store.count_organisations() != len(seed_graph.organisations):  # type: ignore[attr-defined]
        empty_database(neo4j_driver)
        store.load(seed_graph)  # type: ignore[arg-type]
        store._run("CREATE (:TestSeedMarker {token: $token})", token=token)
    return store


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in _NEEDS.items():
            if fixture in names and item.get_closest_marker(marker) is None:
                unmarked.append(f"{item.nodeid} uses {fixture} but is not marked {marker}")
    if unmarked:
        raise pytest.UsageError("tests without the marker their fixtures need:\n  " + "\n  ".join(unmarked))
