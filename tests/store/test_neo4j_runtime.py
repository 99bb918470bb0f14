"""The project's Neo4j launcher: start, answer on Bolt, stop leaving no process behind."""

from __future__ import annotations

import os

import pytest

from graphkit.config import PROJECT_ROOT
from graphkit.store import neo4j_runtime

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_start_then_stop_leaves_no_process_and_no_pid_file() -> None:
    home = PROJECT_ROOT / "build" / "neo4j" / f"runtime-test-{os.getpid()}"
    server = neo4j_runtime.start(home, port=None, heap_mb=512, pagecache_mb=64)
    try:
        import neo4j

        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            assert driver.execute_query("RETURN 40 + 2 AS x", database_="neo4j").records[0]["x"] == 42
        assert server in neo4j_runtime.running()
    finally:
        neo4j_runtime.stop(server)
    assert not _alive(server.pid)
    assert server not in neo4j_runtime.running()
    assert not (neo4j_runtime.RUN / f"{server.pid}.json").exists()
