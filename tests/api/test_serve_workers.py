"""`graphkit serve --workers N`: N server processes, each building the app from the settings the command was given
(store, host names, limits), with the expensive routes' concurrency and queue shared out among them."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from graphkit.commands.serve import worker_settings
from graphkit.config import Settings
from tests.conftest import SEEDS, live_server


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2019 ePCN files in an embedded store."""
    from graphkit.cli import cli

    store = tmp_path_factory.mktemp("workers") / "store"
    result = CliRunner().invoke(cli, ["import", "ods", *map(str, sorted((SEEDS / "ods").glob("ePCN_2019-12_*")))],
                                env={"GRAPHKIT_STORE_PATH": str(store)})
    assert result.exit_code == 0, result.output
    return store


def test_settings_survive_the_environment() -> None:
    settings = Settings(store="neo4j", store_path=Path("/x/store"), neo4j_uri="bolt://127.0.0.1:7999",
                        neo4j_password="secret", allowed_hosts=("graph.example.org", "::1"), max_response_bytes=10,
                        max_request_bytes=20, expensive_concurrency=3, expensive_queue=0)
    assert Settings.from_env(settings.environment()) == settings
    # every field differs from its default above but those of the embedded store left alone: a field added to
    # Settings and forgotten by environment() fails here
    import dataclasses

    untouched = {f.name for f in dataclasses.fields(Settings)
                 if getattr(settings, f.name) == getattr(Settings(), f.name)}
    assert untouched <= {"seeds_dir", "neo4j_user", "neo4j_database"}, untouched
    assert Settings.from_env(Settings().environment()) == Settings()


def test_the_expensive_routes_are_shared_out_among_the_workers() -> None:
    one = Settings(expensive_concurrency=2, expensive_queue=8)
    assert worker_settings(one, 1) == one
    two = worker_settings(one, 2)
    assert (two.expensive_concurrency, two.expensive_queue) == (1, 4)  # 2 at once and 8 waiting, as with one
    # more workers than places: one each, and the queue never grows
    three = worker_settings(one, 3)
    assert (three.expensive_concurrency, three.expensive_queue) == (1, 2)
    assert worker_settings(Settings(expensive_concurrency=4, expensive_queue=0), 2).expensive_queue == 0


def test_two_workers_answer_with_the_settings_of_the_command(small_store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(small_store)}
    log = tmp_path / "serve.log"
    with live_server(env, log, args=("--workers", "2", "--allowed-host", "graph.example.org",
                                     "--allowed-host", "127.0.0.1")) as url, httpx.Client(timeout=120) as client:
        pcns = client.get(url + "/organisations", params={"type": "PrimaryCareNetwork", "as_of": "2020-01-01"},
                          headers={"Host": "127.0.0.1"}).json()
        assert pcns["count"] > 1000, pcns
        code = pcns["data"][0]["code"]
        for _ in range(20):  # on fresh connections, so that both workers take some
            r = httpx.get(url + f"/organisations/{code}", params={"as_of": "2020-01-01"},
                          headers={"Host": "graph.example.org"}, timeout=120)  # the workers may be building indexes
            assert r.status_code == 200 and r.json()["code"] == code, r.text[:300]
        # the host names given to the command hold in every worker
        refused = client.get(url + "/health", headers={"Host": "localhost"})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "bad_host"
        # each worker builds its own indexes in the background and says when they are ready
        deadline = time.monotonic() + 120
        while log.read_text().count("indexes ready") < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert client.get(url + "/health", headers={"Host": "127.0.0.1"}).json()["indexes_ready"] is True
    text = log.read_text()
    started = [line for line in text.splitlines() if "Started server process" in line]
    ready = {line.split("(process ")[1].split(",")[0] for line in text.splitlines() if "indexes ready" in line}
    assert len(started) == 2 and len(ready) == 2, text


def test_a_store_that_cannot_be_opened_stops_the_command_before_any_worker(tmp_path: Path) -> None:
    from graphkit.cli import cli

    result = CliRunner().invoke(cli, ["--store-path", str(tmp_path / "none"), "serve", "--workers", "2"])
    assert result.exit_code != 0
    assert "Started server process" not in result.output and "store" in result.output.lower(), result.output
    assert result.exit_code == 5 and "no embedded store at" in result.output, result.output  # StoreUnavailable


def test_the_indexes_are_frozen_out_of_the_collector_once_built(small_store: Path) -> None:
    import gc

    from fastapi.testclient import TestClient

    from api.app import create_app

    gc.unfreeze()
    with TestClient(create_app(Settings(store_path=small_store))) as client:
        deadline = time.monotonic() + 120
        while not client.get("/health").json()["indexes_ready"] and time.monotonic() < deadline:
            time.sleep(0.2)
        while gc.get_freeze_count() == 0 and time.monotonic() < deadline:  # frozen just after the last index
            time.sleep(0.1)
        assert gc.get_freeze_count() > 0
        store = client.app.state.live._held.store  # type: ignore[attr-defined]
        index = store._tie_index.up
        # frozen objects are in the permanent generation, which gc.get_objects() does not list
        assert gc.is_tracked(index) and not any(o is index for o in gc.get_objects())
    gc.unfreeze()
