"""The API as an attacker or a careless user meets it: Host header, body caps, the envelope on every error,
parameters that must be finite and in range, the formula cell of a CSV export, and cheap routes that keep
answering while expensive ones run."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from graphkit.config import Settings
from tests.conftest import DATA, SEEDS, live_server

FORMULA = "=cmd|' /C calc'!A0"
# every quad of the national store against a thousand others, counted: minutes of work in little memory, so that
# only its time limit stops it
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . { SELECT ?d WHERE { ?d ?e ?f } LIMIT 1000 } }"


def _error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2019 ePCN files and the curated test federation, one of whose organisations is named like a formula."""
    root = tmp_path_factory.mktemp("guard")
    tables = root / "curated"
    shutil.copytree(DATA / "curated" / "good", tables)
    orgs = tables / "organisations.csv"
    orgs.write_text(orgs.read_text().replace("Tees Test Federation (fictional)", f'"{FORMULA}"'))
    store = root / "store"
    env = {"GRAPHKIT_STORE_PATH": str(store)}
    runner = CliRunner()
    from graphkit.cli import cli

    for args in (["import", "ods", *map(str, sorted((SEEDS / "ods").glob("ePCN_2019-12_*")))],
                 ["import", "curated", str(tables)]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
    return store


@pytest.fixture(scope="module")
def client(small_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store_path=small_store)), raise_server_exceptions=False) as c:
        yield c


# -- Host header (DNS rebinding) ----------------------------------------------------------------------------------
def test_a_host_name_the_server_does_not_answer_to_is_refused(client: TestClient) -> None:
    err = _error(client.get("/health", headers={"Host": "attacker.example:8000"}), 400, "bad_host")
    assert err["details"]["host"] == "attacker.example" and "localhost" in err["details"]["allowed"]
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_come_from_the_environment(small_store: Path) -> None:
    settings = Settings.from_env({"GRAPHKIT_STORE_PATH": str(small_store),
                                  "GRAPHKIT_ALLOWED_HOSTS": "graph.example.org, localhost"})
    assert settings.allowed_hosts == ("graph.example.org", "localhost")
    with TestClient(create_app(settings)) as c:
        assert c.get("/health", headers={"Host": "graph.example.org"}).status_code == 200
        _error(c.get("/health", headers={"Host": "127.0.0.1"}), 400, "bad_host")


def test_serve_takes_the_host_names_to_answer_to(small_store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(small_store)}
    with live_server(env, tmp_path / "serve.log", args=("--allowed-host", "graph.example.org",
                                                        "--allowed-host", "127.0.0.1")) as url:
        assert httpx.get(url + "/health", headers={"Host": "graph.example.org"}).status_code == 200
        _error(httpx.get(url + "/health", headers={"Host": "localhost"}), 400, "bad_host")
        _error(httpx.get(url + "/health", headers={"Host": "rebind.attacker.example"}), 400, "bad_host")


# -- request and response caps ---------------------------------------------------------------------------------------
def test_a_request_body_over_the_cap_is_refused_before_it_is_read(client: TestClient) -> None:
    big = b'{"query": "' + b"#" * (2 * 1024 * 1024) + b'"}'
    err = _error(client.post("/sparql", content=big, headers={"content-type": "application/json"}),
                 413, "request_too_large")
    assert err["details"]["max_request_bytes"] == 1024 * 1024

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "'
        for _ in range(40):
            yield b"#" * 65536
        yield b'"}'

    _error(client.post("/sparql", content=chunks(), headers={"content-type": "application/json"}),
           413, "request_too_large")


def test_a_response_over_the_cap_becomes_an_error(small_store: Path) -> None:
    with TestClient(create_app(Settings(store_path=small_store, max_response_bytes=4000))) as c:
        assert c.get("/health").status_code == 200  # small answers pass
        err = _error(c.get("/organisations", params={"limit": 1000, "as_of": "2020-01-01"}), 400, "resource_limit")
        assert err["details"]["max_response_bytes"] == 4000


# -- the envelope on every error -----------------------------------------------------------------------------------
def test_an_unexpected_error_answers_500_in_the_envelope_without_internals(small_store: Path) -> None:
    app = create_app(Settings(store_path=small_store))

    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        err = _error(c.get("/boom"), 500, "internal_error")
    assert "secret" not in str(err) and "Traceback" not in str(err)


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/analyses/boundary-spanners?top_fraction=2", "top_fraction"),
        ("/analyses/boundary-spanners?top_fraction=1.5", "top_fraction"),
        ("/analyses/boundary-spanners?top_fraction=1e308", "top_fraction"),
        ("/analyses/boundary-spanners?top_fraction=0", "top_fraction"),
        ("/analyses/boundary-spanners?top_fraction=-0.1", "top_fraction"),
        ("/analyses/style?centre=ZZF-TEES&tau=nan", "tau"),
        ("/analyses/style?centre=ZZF-TEES&tau=inf", "tau"),
        ("/analyses/footprint?threshold=NaN", "threshold"),
        ("/analyses/footprint?threshold=-Infinity", "threshold"),
        ("/analyses/interdependence?centre=ZZF-TEES&hub_sd=inf", "hub_sd"),
        ("/analyses/interdependence?centre=ZZF-TEES&hub_sd=nan", "hub_sd"),
        ("/analyses/footprint?low=-1", "low"),
        ("/analyses/interdependence?centre=ZZF-TEES&low_max_dependence=1.5", "low_max_dependence"),
    ],
)
def test_numbers_must_be_finite_and_in_range(client: TestClient, path: str, parameter: str) -> None:
    err = _error(client.get(path), 422, "bad_parameter")
    assert parameter in err["message"] and parameter in str(err["details"])


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("/analyses/footprint?low=50000&high=30000", "low must not exceed high"),
        ("/analyses/style?centre=ZZF-TEES&tau=0.2&tau_low=0.4", "tau_low must not exceed tau"),
        ("/analyses/interdependence?centre=ZZF-TEES&unicentric_max_lts=0.8&pluricentric_min_lts=0.3",
         "unicentric_max_lts must not exceed pluricentric_min_lts"),
        ("/analyses/footprint?low=50000&high=30000&nonsense=1", "no parameter 'nonsense'"),
    ],
)
def test_parameters_that_contradict_each_other_are_refused(client: TestClient, path: str, rule: str) -> None:
    assert rule in _error(client.get(path), 422, "bad_parameter")["message"]


def test_the_same_checks_hold_on_the_command_line(small_store: Path) -> None:
    from graphkit.cli import cli

    result = CliRunner().invoke(cli, ["analyse", "boundary-spanners", "-p", "top_fraction=2"],
                                env={"GRAPHKIT_STORE_PATH": str(small_store)})
    assert result.exit_code == 2 and "top_fraction" in result.output and "<= 1" in result.output, result.output
    assert "Traceback" not in result.output


# -- CSV injection -------------------------------------------------------------------------------------------------
def test_a_formula_in_the_data_comes_out_of_the_csv_neutralised(client: TestClient) -> None:
    r = client.get("/export", params={"format": "csv", "table": "organisations", "as_of": "2020-01-01"})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    names = {row["code"]: row["name"] for row in rows}
    assert names["ZZF-TEES"] == "'" + FORMULA
    assert not [n for n in names.values() if n[:1] in "=+-@\t\r"]
    # the JSON answer keeps the name as it is: only the spreadsheet format needs the guard
    assert client.get("/organisations/ZZF-TEES", params={"as_of": "2020-01-01"}).json()["name"] == FORMULA


# -- cheap routes keep answering -------------------------------------------------------------------------------------
@pytest.mark.integration
@pytest.mark.timeout(300)
@pytest.mark.timing
def test_health_answers_within_100_ms_while_45_expensive_queries_run(seed_store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(seed_store), "GRAPHKIT_EXPENSIVE_QUEUE": "45"}
    with live_server(env, tmp_path / "serve.log") as url, httpx.Client(base_url=url, timeout=120) as client:
        # the count is taken once, and the indexes the server builds at start (seconds of Python) are ready: the
        # timing below is of /health beside the expensive queries, not beside the server's own start
        deadline = time.monotonic() + 120
        while not client.get("/health").json()["indexes_ready"]:
            assert time.monotonic() < deadline, "the server's indexes were not ready within 120 s"
            time.sleep(0.2)

        def expensive(_: int) -> str:
            # the limit covers the whole request, the wait for a turn included: all 45 end near 6 s
            body = {"query": SLOW, "timeout_s": 6}
            return str(client.post("/sparql", json=body).json()["error"]["code"])

        with concurrent.futures.ThreadPoolExecutor(45) as pool:
            running = [pool.submit(expensive, i) for i in range(45)]
            time.sleep(1.0)  # all sent; two run, the rest wait their turn
            timings = []
            # its own connection, opened before the clock starts: what is timed is the server's answer
            with httpx.Client(base_url=url, timeout=10) as probe:
                probe.get("/health")
                for _ in range(15):
                    t = time.perf_counter()
                    r = probe.get("/health")
                    timings.append(time.perf_counter() - t)
                    assert r.status_code == 200
                    time.sleep(0.1)
            in_flight = sum(not f.done() for f in running)
            statuses = [f.result() for f in running]
    assert in_flight == 45, in_flight  # every query was still in flight while /health answered
    assert max(timings) < 0.1, sorted(timings)
    assert statuses == ["query_timeout"] * 45  # each stopped by its time limit, none refused as busy, none a 500


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_beyond_the_queue_expensive_requests_get_429_with_retry_after(seed_store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(seed_store), "GRAPHKIT_EXPENSIVE_CONCURRENCY": "1",
           "GRAPHKIT_EXPENSIVE_QUEUE": "1"}
    with live_server(env, tmp_path / "serve.log") as url:

        def expensive(_: int) -> httpx.Response:
            return httpx.post(url + "/sparql", json={"query": SLOW, "timeout_s": 1.5}, timeout=60)

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(expensive, range(6)))
    busy = [a for a in answers if a.status_code == 429]
    assert len(busy) == 4, [a.status_code for a in answers]  # one runs, one waits, four are turned away
    for a in busy:
        assert a.headers["retry-after"] == "2"
        _error(a, 429, "busy")
    assert sorted(a.json()["error"]["code"] for a in answers if a.status_code != 429) == ["query_timeout"] * 2


# -- a rebuild under a running server ----------------------------------------------------------------------------
@pytest.mark.slow
def test_the_server_switches_to_a_rebuilt_store_as_a_whole(tmp_path: Path) -> None:
    """A running app answers from the old graph until a build publishes a new one, then from the new one: the
    curated federation appears, the organisation count follows, and the old generation's directory goes."""
    from graphkit.cli import cli
    from graphkit.store import generations

    store = tmp_path / "store"
    env = {"GRAPHKIT_STORE_PATH": str(store)}
    runner = CliRunner()
    epcn = sorted((SEEDS / "ods").glob("ePCN_2019-12_*"))
    assert runner.invoke(cli, ["import", "ods", *map(str, epcn)], env=env).exit_code == 0
    first = generations.current(store)
    with TestClient(create_app(Settings(store_path=store))) as c:
        before = c.get("/health").json()["organisations"]
        assert c.get("/organisations/ZZF-TEES").status_code == 404
        result = runner.invoke(cli, ["import", "curated", str(DATA / "curated" / "good")], env=env)
        assert result.exit_code == 0, result.output
        assert generations.current(store) != first
        time.sleep(0.6)  # the app looks for a new generation at most every 0.5 s
        assert c.get("/organisations/ZZF-TEES", params={"as_of": "2020-01-01"}).status_code == 200
        after = c.get("/health").json()["organisations"]
        assert after > before
        # the server builds the new generation's indexes in the background, as at its start
        deadline = time.monotonic() + 120
        while not c.get("/health").json()["indexes_ready"]:
            assert time.monotonic() < deadline, "the new generation's indexes were not built within 120 s"
            time.sleep(0.1)
        found = c.get("/organisations", params={"q": "tees test", "as_of": "2020-01-01"}).json()["data"]
        assert "ZZF-TEES" in {hit["code"] for hit in found}
        # released when its last user ends (the warming of its own indexes may still hold it), then removed
        deadline = time.monotonic() + 60
        while first is not None and first.exists() and time.monotonic() < deadline:
            c.app.state.live.wait_for_cleaning()  # type: ignore[attr-defined]
            time.sleep(0.1)
        assert first is not None and not first.exists()  # released and removed
