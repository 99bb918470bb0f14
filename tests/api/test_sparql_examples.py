"""The SPARQL editor's example queries (api/web/static/sparql-examples.json) answer what they say on the stores built
from seeds/ (national files) and from the case studies, and agree with the API's own routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api import web
from api.app import create_app
from api.inprocess import get
from graphkit.query import run_sparql

pytestmark = [pytest.mark.integration]

EXAMPLES = {e["name"]: e["query"] for e in json.loads((web.STATIC / "sparql-examples.json").read_text())["examples"]}


def values(rows: Any, column: str) -> list[str]:
    return [row[column]["value"] for row in rows]


def test_the_members_of_a_pcn_on_a_date_are_the_api_s(seed_store: Path, oxigraph: Any) -> None:
    answer = run_sparql(seed_store, EXAMPLES["pcn-members"], timeout_s=60)
    practices = values(answer.rows, "practice")
    app = create_app(store=oxigraph)
    members = get(app, "/organisations/U93843/members", params={"as_of": "2020-06-01", "limit": 100}).json()["data"]
    assert len(practices) == 16 and sorted(practices) == sorted(m["member"] for m in members)
    assert all(row["files"]["value"] for row in answer.rows)


def test_the_contracts_of_an_icb_in_a_year_include_its_ten_apms_practices(seed_store: Path) -> None:
    answer = run_sparql(seed_store, EXAMPLES["icb-contracts"], timeout_s=60)
    types = values(answer.rows, "type")
    assert not answer.truncated and len(answer.rows) > 300
    assert types.count("APMS") == 10  # as GET /contracts?within=QHM&type=APMS&year=2022-23 (tests/api/test_routes.py)
    assert set(types) <= {"GMS", "PMS", "APMS", "Unknown"}


def test_people_on_a_commissioner_and_a_provider_come_from_the_case_studies(case_build: tuple[Path, Any]) -> None:
    answer = run_sparql(case_build[0], EXAMPLES["commissioner-and-provider"], timeout_s=60)
    people = set(values(answer.rows, "person"))
    assert {"Board chair (Struggling)", "Chief executive officer (Struggling)"} <= people
    assert all("CCG" in row["commissionerName"]["value"] for row in answer.rows)


def test_the_interval_pattern_belongs_inside_the_resolved_graph(case_build: tuple[Path, Any]) -> None:
    # docs/api.md "Dated facts": over the default graph (every file's graph and the resolved one) each part of an
    # interval is there once per graph stating it, so the rows multiply; inside the resolved graph, one per post
    pattern = """?post a pcg:PostHolding ; org:memberDuring ?i .
                 OPTIONAL { ?i time:hasBeginning/time:inXSDDate ?start }
                 OPTIONAL { ?i time:hasEnd/time:inXSDDate ?end }"""
    query = "PREFIX time: <http://www.w3.org/2006/time#> SELECT ?post ?start ?end WHERE {{ {} }}"
    union = run_sparql(case_build[0], query.format(pattern), timeout_s=60)
    resolved = run_sparql(
        case_build[0], query.format(f"GRAPH <https://w3id.org/pcgraph/id/graph/resolved> {{ {pattern} }}"),
        timeout_s=60)
    posts = values(resolved.rows, "post")
    assert len(posts) == len(set(posts)) == 53
    assert len(union.rows) > 5 * len(resolved.rows) and set(values(union.rows, "post")) == set(posts)
