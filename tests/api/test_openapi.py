"""The OpenAPI document, checked three ways against live servers (`graphkit serve`, over each store):

- schemathesis generates requests for every operation from the document and checks that no response is a server
  error and every response is as documented (status, content type, headers, body schema);
- `graphkit get PATH` prints the same JSON as the HTTP server gives for the same path;
- every operation and parameter has a description and an example.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import live_server

pytestmark = [pytest.mark.integration]

BIN = Path(sys.executable).parent
CONFIG = Path(__file__).resolve().parents[1] / "schemathesis" / "schemathesis.toml"


def _env(kind: str, seed_store: Path, neo4j_uri: str | None) -> dict[str, str]:
    env = {**os.environ, "GRAPHKIT_STORE": kind, "GRAPHKIT_STORE_PATH": str(seed_store)}
    if kind == "neo4j":
        env.update(NEO4J_URI=str(neo4j_uri), NEO4J_PASSWORD="", NEO4J_DATABASE="neo4j")
    return env


@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def server(request, seed_store: Path, tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A live `graphkit serve` over one store: (kind, base URL, the environment that names the store)."""
    kind = request.param
    neo4j_uri = None
    if kind == "neo4j":
        neo4j_uri = request.getfixturevalue("neo4j_uri")
        request.getfixturevalue("neo4j_seed")  # the database holds the seed graph
    env = _env(kind, seed_store, neo4j_uri)
    with live_server(env, tmp_path / "serve.log", what=f"graphkit serve over {kind}") as url:
        yield kind, url, env


#: The phases of schemathesis run over each store. The coverage phase (every boundary and invalid value of every
#: parameter: about 70% of the run, 103 s of 145 s over the national embedded store) mostly checks the API's
#: validation, which answers before any store is asked, and the routes behind it are the same code over either store:
#: it runs over the embedded store only. Over Neo4j, the documented examples and the generated requests (both reach
#: the store) run as over the embedded store.
PHASES = {"oxigraph": "examples,coverage,fuzzing", "neo4j": "examples,fuzzing"}


@pytest.mark.timeout(2400)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, tmp_path: Path) -> None:
    kind, url, _ = server
    spec = httpx.get(url + "/openapi.json").json()
    operations = sum(1 for item in spec["paths"].values() for m in item if m in ("get", "post"))
    run = subprocess.run(
        [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run", url + "/openapi.json", "--workers", "1",
         "--no-color", "--phases", PHASES[kind], "--report", "junit",
         "--report-junit-path", str(tmp_path / "junit.xml")],
        capture_output=True, text=True, timeout=2400, cwd=tmp_path,
        # the serialiser of POST /sparql's application/sparql-query body (tests/schemathesis/hooks.py)
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis.hooks",
             "PYTHONPATH": os.pathsep.join(filter(None, [str(CONFIG.parents[2]), os.environ.get("PYTHONPATH")]))},
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis over {kind} failed:\n{out[-8000:]}"
    assert f"Selected: {operations}/{operations}" in out and f"Tested: {operations}" in out, out[-3000:]
    assert operations == 35 + 5  # 5 of them the FHIR facade's (/fhir)
    print(out[out.find("SUMMARY"):])


PATHS = [
    "/health",
    "/organisations/A81001?as_of=2021-06-01",
    "/organisations?q=stockton&type=PrimaryCareNetwork&as_of=2024-10-01",
    "/organisations/U93843/members?as_of=2020-06-01",
    "/organisations/B81003/memberships?direction=up",
    "/organisations/A81001/hierarchy?as_of=2025-01-01",
    "/organisations/16C/history",
    "/organisations/A81001/provenance?limit=5",
    "/contracts?within=QHM&type=APMS&year=2022-23",
    "/economy/U89141?as_of=2024-10-01&depth=1",
    "/posts",
    "/analyses",
    "/analyses/interdependence?centre=U89141&as_of=2024-10-01",
    "/organisations/ZZZ999",
    "/organisations/A81001?as_of=2020-13-01",
    "/fhir/Organization/H84031?as_of=2024-09-01",
    "/fhir/Organization/ZZZ999",
]


#: The paths asked over both stores (each `graphkit get` opens the store anew: a few seconds each): health, a lookup,
#: members, a list, an error and the FHIR facade. The command builds the server's app over the store the environment
#: names, so these show it reaches each store as the server does; the other paths are asked over the embedded one.
BOTH_STORES = {"/health", "/organisations/A81001?as_of=2021-06-01", "/organisations/U93843/members?as_of=2020-06-01",
               "/contracts?within=QHM&type=APMS&year=2022-23", "/organisations/ZZZ999",
               "/fhir/Organization/H84031?as_of=2024-09-01"}


def test_graphkit_get_prints_what_the_http_server_answers(server) -> None:
    kind, url, env = server
    assert set(PATHS) > BOTH_STORES
    for path in PATHS if kind == "oxigraph" else [p for p in PATHS if p in BOTH_STORES]:
        http = httpx.get(url + path, timeout=120)
        cli = subprocess.run([str(BIN / "graphkit"), "get", path], env=env, capture_output=True, text=True,
                             timeout=300)
        assert cli.returncode == (0 if http.status_code < 400 else 1), (path, cli.stderr)
        printed, answered = json.loads(cli.stdout), http.json()
        if path == "/health":  # the command's app builds no index in the background; the server's may have
            assert printed.pop("indexes_ready") is False and isinstance(answered.pop("indexes_ready"), bool)
        assert printed == answered, f"{kind} {path}"
    export = "/export?format=csv&table=ties&within=U89141&as_of=2024-10-01"
    cli = subprocess.run([str(BIN / "graphkit"), "get", export], env=env, capture_output=True, timeout=300)
    assert cli.returncode == 0 and cli.stdout == httpx.get(url + export, timeout=120).content


def test_every_operation_and_parameter_has_a_description_and_an_example(oxigraph) -> None:
    from api.app import create_app
    from graphkit.config import Settings

    spec = create_app(Settings(), store=oxigraph).openapi()
    missing = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            if not op.get("summary") or not op.get("description"):
                missing.append(f"{where}: summary or description")
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                if not p.get("description"):
                    missing.append(f"{where} {p['name']}: description")
                if not (p.get("example") is not None or p.get("examples") or schema.get("examples")):
                    missing.append(f"{where} {p['name']}: example")
            body = op.get("requestBody")
            if body and "application/json" in body["content"]:
                ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                for name, prop in spec["components"]["schemas"][ref]["properties"].items():
                    if not prop.get("description") or not prop.get("examples"):
                        missing.append(f"{where} body {name}: description or example")
            elif body and not all(c.get("example") for c in body["content"].values()):
                missing.append(f"{where} body: example")  # a CSV body (POST /apportion) shows an example
            if "200" not in op["responses"] or "description" not in op["responses"]["200"]:
                missing.append(f"{where}: 200 response")
    assert missing == []
    assert len([1 for item in spec["paths"].values() for _ in item]) == 35 + 5  # 5 of them the FHIR facade's
