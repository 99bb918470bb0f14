"""Read-only ad-hoc queries (graphkit.query) on the real national seed graph: SPARQL on the embedded
store through the child process, Cypher on a real Neo4j server. Updates, server administration and
syntax errors are refused, slow queries are stopped, and both stores agree on what they hold."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graphkit.core.namespaces import PCG_NS
from graphkit.errors import QueryRefused, QueryTimeout, StoreUnavailable
from graphkit.query import QueryAnswer, answer_json, run_cypher, run_sparql, sparql_operation
from graphkit.rdf.emit import RESOLVED

pytestmark = [pytest.mark.integration]

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
GP_COUNT_SPARQL = f"""SELECT (COUNT(DISTINCT ?o) AS ?n)
WHERE {{ GRAPH <{RESOLVED}> {{ ?o a pcg:GPPractice ; pcg:odsCode ?code }} }}"""
GP_COUNT_CYPHER = "MATCH (o:Organisation:GPPractice) RETURN count(o) AS n"
NODE_COUNT = "MATCH (n) RETURN count(n) AS n"
SLOW_SPARQL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
SLOW_CYPHER = "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 123456789 RETURN count(x)"


# -- helpers ------------------------------------------------------------------------------------
def gp_practices_in_quads(store: ox.Store) -> int:
    """GP practices of the resolved graph counted from its quads, without SPARQL."""
    resolved = ox.NamedNode(str(RESOLVED))
    code = ox.NamedNode(str(PCG_NS.odsCode))
    practices = {
        q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(str(PCG_NS.GPPractice)), resolved)
    }
    return sum(1 for s in practices if next(store.quads_for_pattern(s, code, None, resolved), None) is not None)


def fresh_quad_count(path: Path) -> int:
    """The store's quad count read through a newly opened handle (a handle opened earlier reads a
    snapshot and would not see a write)."""
    return len(ox.Store.read_only(str(path)))


def child_pids() -> set[int]:
    """Pids of this process's children, running or zombie, from /proc."""
    me = os.getpid()
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: the ppid is the 2nd field after it
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            pids.add(int(entry.name))
    return pids


def one_value(answer: QueryAnswer) -> Any:
    assert len(answer.rows) == 1
    (value,) = answer.rows[0].values()
    return value


def node_count(driver: Any) -> int:
    records, _, _ = driver.execute_query(NODE_COUNT, database_="neo4j")
    return int(records[0]["n"])


@pytest.fixture(scope="module")
def a_practice(oxigraph: Any) -> tuple[str, str]:
    """The ODS code and resolved name of one real GP practice."""
    rows = oxigraph.select(
        f"""SELECT ?code ?name WHERE {{ GRAPH <{RESOLVED}> {{ ?o a pcg:GPPractice ; pcg:odsCode ?code ;
            skos:prefLabel ?name }} }} ORDER BY ?code LIMIT 1"""
    )
    return rows[0]["code"].value, rows[0]["name"].value


# -- SPARQL: answers ----------------------------------------------------------------------------
def test_sparql_counts_gp_practices_as_the_quads_do(seed_store: Path, oxigraph: Any) -> None:
    answer = run_sparql(seed_store, GP_COUNT_SPARQL)
    assert answer.form == "select" and answer.columns == ("n",) and not answer.truncated
    term = one_value(answer)
    assert term["type"] == "literal" and term["datatype"] == XSD_INTEGER
    expected = gp_practices_in_quads(oxigraph._store)
    assert int(term["value"]) == expected == oxigraph.summary().organisations_by_kind["GPPractice"]
    assert 5000 < expected < oxigraph.count_organisations() == 18891


def test_sparql_default_graph_is_the_union_of_the_graphs(seed_store: Path) -> None:
    """The store keeps nothing in its default graph; a query without GRAPH still sees every graph."""
    unscoped = run_sparql(seed_store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a pcg:GPPractice }")
    assert int(one_value(unscoped)["value"]) >= int(one_value(run_sparql(seed_store, GP_COUNT_SPARQL))["value"]) > 0


def test_sparql_row_cap_truncates_and_says_so(seed_store: Path) -> None:
    capped = run_sparql(seed_store, "SELECT ?s WHERE { ?s ?p ?o }", row_cap=5)
    assert capped.truncated and len(capped.rows) == 5
    assert all(set(row) == {"s"} and row["s"]["type"] in {"uri", "bnode"} for row in capped.rows)
    exact = run_sparql(seed_store, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", row_cap=5)
    assert not exact.truncated and len(exact.rows) == 5
    fewer = run_sparql(seed_store, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", row_cap=5)
    assert not fewer.truncated and len(fewer.rows) == 3


def test_sparql_unbound_variable_is_none(seed_store: Path, a_practice: tuple[str, str]) -> None:
    code, name = a_practice
    answer = run_sparql(
        seed_store,
        f"""SELECT ?name ?nothing WHERE {{ GRAPH <{RESOLVED}> {{ ?o pcg:odsCode "{code}" ; skos:prefLabel ?name
            OPTIONAL {{ ?o pcg:noSuchProperty ?nothing }} }} }}""",
    )
    assert answer.columns == ("name", "nothing")
    assert answer.rows == ({"name": {"type": "literal", "value": name}, "nothing": None},)


def test_sparql_ask_gives_a_boolean(seed_store: Path, a_practice: tuple[str, str]) -> None:
    code, _ = a_practice
    yes = run_sparql(seed_store, f'ASK {{ ?o pcg:odsCode "{code}" ; a pcg:GPPractice }}')
    no = run_sparql(seed_store, 'ASK { ?o pcg:odsCode "NO-SUCH-CODE" }')
    assert (yes.form, yes.boolean, yes.rows) == ("ask", True, ())
    assert (no.form, no.boolean) == ("ask", False)
    assert answer_json(yes)["boolean"] is True and answer_json(yes)["count"] == 0


def test_sparql_construct_gives_graph_rows(seed_store: Path, a_practice: tuple[str, str]) -> None:
    code, name = a_practice
    answer = run_sparql(
        seed_store,
        f"""CONSTRUCT {{ ?o rdfs:label ?name ; pcg:odsCode ?code }}
            WHERE {{ GRAPH <{RESOLVED}> {{ ?o pcg:odsCode "{code}", ?code ; skos:prefLabel ?name }} }}""",
    )
    assert answer.form == "graph" and answer.columns == ("subject", "predicate", "object", "graph")
    assert answer.boolean is None and not answer.truncated
    by_predicate = {row["predicate"]["value"]: row for row in answer.rows}
    label = by_predicate["http://www.w3.org/2000/01/rdf-schema#label"]
    assert label["subject"] == {"type": "uri", "value": f"https://w3id.org/pcgraph/id/org/{code}"}
    assert label["object"] == {"type": "literal", "value": name}
    assert label["graph"] is None
    assert by_predicate[str(PCG_NS.odsCode)]["object"]["value"] == code


def test_sparql_describe_gives_graph_rows(seed_store: Path, a_practice: tuple[str, str]) -> None:
    code, _ = a_practice
    answer = run_sparql(seed_store, f"DESCRIBE <https://w3id.org/pcgraph/id/org/{code}>", row_cap=1000)
    assert answer.form == "graph" and answer.rows
    assert {row["subject"]["value"] for row in answer.rows} >= {f"https://w3id.org/pcgraph/id/org/{code}"}


def test_sparql_keywords_inside_strings_iris_and_comments_are_not_updates(seed_store: Path) -> None:
    query = """# INSERT DATA { <a:b> <a:c> <a:d> }
PREFIX ex: <http://example.org/LOAD#>
SELECT ?x ?y WHERE { BIND ("DELETE WHERE { ?s ?p ?o }" AS ?x) BIND (ex:DROP AS ?y) }"""
    assert sparql_operation(query) == "SELECT"
    answer = run_sparql(seed_store, query)
    assert answer.rows == (
        {
            "x": {"type": "literal", "value": "DELETE WHERE { ?s ?p ?o }"},
            "y": {"type": "uri", "value": "http://example.org/LOAD#DROP"},
        },
    )


def test_sparql_terms_follow_the_json_results_format(seed_store: Path) -> None:
    answer = run_sparql(
        seed_store,
        """SELECT ?tagged ?plain ?day ?blank ?number
           WHERE { BIND ("Surgery"@en-GB AS ?tagged) BIND ("Surgery" AS ?plain) BIND ("2024-04-01"^^xsd:date AS ?day)
                   BIND (BNODE() AS ?blank) BIND (1.5 AS ?number) }""",
    )
    (row,) = answer.rows
    assert row["tagged"] == {"type": "literal", "value": "Surgery", "xml:lang": "en-gb"}
    assert row["plain"] == {"type": "literal", "value": "Surgery"}
    assert row["day"] == {"type": "literal", "value": "2024-04-01", "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert row["blank"]["type"] == "bnode" and row["blank"]["value"]
    assert row["number"] == {"type": "literal", "value": "1.5", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}


def test_sparql_evaluation_error_is_refused(seed_store: Path) -> None:
    with pytest.raises(QueryRefused, match="could not be evaluated"):
        run_sparql(seed_store, "SELECT (<http://example.org/noSuchFunction>(?s) AS ?f) WHERE { ?s ?p ?o } LIMIT 1")


def test_answer_json_is_the_api_body(seed_store: Path) -> None:
    body = answer_json(run_sparql(seed_store, "SELECT ?s WHERE { ?s ?p ?o }", row_cap=2))
    assert set(body) == {"form", "columns", "data", "count", "truncated", "boolean", "elapsed_ms"}
    assert (body["form"], body["columns"], body["count"], body["truncated"]) == ("select", ["s"], 2, True)
    assert body["elapsed_ms"] > 0
    assert json.loads(json.dumps(body)) == body


# -- SPARQL: refusals ---------------------------------------------------------------------------
UPDATES = {
    "insert data": "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "insert data in a graph": 'PREFIX ex: <http://example.org/>\nINSERT DATA { GRAPH ex:g { ex:a ex:b "c" } }',
    "delete data": f"DELETE DATA {{ GRAPH <{RESOLVED}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}",
    "delete where": "DELETE WHERE { ?s ?p ?o }",
    "delete/insert where": "DELETE { ?o pcg:odsCode ?c } INSERT { ?o pcg:odsCode 'X' } WHERE { ?o pcg:odsCode ?c }",
    "with graph": f"WITH <{RESOLVED}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "load": "LOAD <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>",
    "load silent": "load silent <file:///etc/passwd>",
    "clear all": "CLEAR ALL",
    "clear default": "# a comment first\nCLEAR DEFAULT",
    "drop graph": f"DROP GRAPH <{RESOLVED}>",
    "drop all": "BASE <http://example.org/>\n  drop all",
    "create graph": "CREATE GRAPH <http://example.org/new>",
    "add": f"ADD <{RESOLVED}> TO <http://example.org/copy>",
    "move": f"MOVE <{RESOLVED}> TO DEFAULT",
    "copy": f"COPY DEFAULT TO <{RESOLVED}>",
    "sequence": "INSERT DATA { <a:x> <a:y> <a:z> } ; DROP ALL",
}


@pytest.fixture(scope="module")
def quads_before(oxigraph: Any) -> int:
    """The seed store's quad count before any update is attempted (counting takes a second or two)."""
    return len(oxigraph._store)


@pytest.mark.parametrize("update", list(UPDATES.values()), ids=list(UPDATES))
def test_sparql_updates_are_refused_and_change_nothing(seed_store: Path, quads_before: int, update: str) -> None:
    with pytest.raises(QueryRefused, match="updates are refused") as info:
        run_sparql(seed_store, update)
    assert info.value.details["reason"] == "update"
    assert fresh_quad_count(seed_store) == quads_before > 0


FEDERATED = {
    "plain": "SELECT * WHERE { SERVICE <http://127.0.0.1:8080/sparql> { ?s ?p ?o } }",
    "lower case, silent": "select * where { ?s ?p ?o service silent <http://127.0.0.1:8080/sparql> { ?s ?p ?x } }",
    "after a comment": "SELECT * WHERE { # a comment\n SERVICE<http://127.0.0.1:8080/sparql>{ ?s ?p ?o } }",
    # `\#` in a prefixed name and `\u0041` in an IRI are no comment start to the parser
    "after an escaped name": r"PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:a\# . "
    "SERVICE <http://127.0.0.1:8080/> { ?s ?p ?o } }",
    "after an escaped IRI": r"SELECT * WHERE { ?s ?p <http://x/\u0041#> "
    "SERVICE <http://127.0.0.1:8080/> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("query", list(FEDERATED.values()), ids=list(FEDERATED))
def test_sparql_federated_query_is_refused(seed_store: Path, query: str) -> None:
    """pyoxigraph would send SERVICE requests from the API host to wherever the query points."""
    with pytest.raises(QueryRefused, match="SERVICE") as info:
        run_sparql(seed_store, query)
    assert info.value.details == {"reason": "service"}


@pytest.mark.parametrize(
    "bad",
    ["SELECT * WHERE { ?s ?p }", "SELEC ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE {\n  ?s nope:p ?o }", ""],
    ids=["missing object", "misspelt form", "unknown prefix", "empty"],
)
def test_sparql_syntax_error_is_refused_with_the_parser_message(seed_store: Path, bad: str) -> None:
    with pytest.raises(SyntaxError) as parsed:
        ox.Store().query(bad)
    with pytest.raises(QueryRefused) as info:
        run_sparql(seed_store, bad)
    assert str(parsed.value) in info.value.message
    details = info.value.details
    assert details["reason"] == "syntax" and details["parser_message"] == str(parsed.value)
    if "error at" in str(parsed.value):
        assert f"error at {details['line']}:{details['column']}" in str(parsed.value)


def test_sparql_slow_query_is_stopped_and_its_process_is_gone(seed_store: Path) -> None:
    before = child_pids()
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="1 s") as info:
        run_sparql(seed_store, SLOW_SPARQL, timeout_s=1)
    elapsed = time.monotonic() - started
    assert 1 <= elapsed < 10
    assert info.value.details == {"timeout_s": 1}
    assert child_pids() <= before


def test_sparql_missing_store_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        run_sparql(tmp_path / "nowhere", "ASK {}")


# -- Cypher -------------------------------------------------------------------------------------
@pytest.mark.neo4j
def test_cypher_and_sparql_count_the_same_gp_practices(seed_store: Path, oxigraph: Any, neo4j_seed: Any) -> None:
    cypher = run_cypher(neo4j_seed.driver, neo4j_seed.database, GP_COUNT_CYPHER)
    sparql = run_sparql(seed_store, GP_COUNT_SPARQL)
    assert cypher.form == "select" and cypher.columns == ("n",) and not cypher.truncated
    assert one_value(cypher) == int(one_value(sparql)["value"]) == gp_practices_in_quads(oxigraph._store)


@pytest.mark.neo4j
def test_cypher_parameters_and_plain_values(neo4j_seed: Any, a_practice: tuple[str, str]) -> None:
    code, name = a_practice
    answer = run_cypher(
        neo4j_seed.driver,
        neo4j_seed.database,
        """MATCH path = (o:Organisation {odsCode: $code})-[tie]->(parent:Organisation)
           RETURN o, tie, path, o.name AS name, date('2024-04-01') AS day,
                  datetime('2024-04-01T09:30:00Z') AS instant, [1, {when: date('2025-03-31')}] AS nested
           LIMIT 1""",
        {"code": code},
    )
    assert answer.columns == ("o", "tie", "path", "name", "day", "instant", "nested")
    (row,) = answer.rows
    assert row["name"] == name
    assert "Organisation" in row["o"]["labels"] and "GPPractice" in row["o"]["labels"]
    assert row["o"]["properties"]["odsCode"] == code
    assert row["tie"]["type"].isupper() and isinstance(row["tie"]["properties"], dict)
    assert row["path"] == [row["o"], row["tie"], row["path"][2]]
    assert "Organisation" in row["path"][2]["labels"]
    assert row["day"] == "2024-04-01"
    assert row["instant"].startswith("2024-04-01T09:30:00")
    assert row["nested"] == [1, {"when": "2025-03-31"}]
    json.dumps(answer_json(answer))  # every value is plain data


@pytest.mark.neo4j
def test_cypher_row_cap_truncates_and_says_so(neo4j_driver: Any) -> None:
    capped = run_cypher(neo4j_driver, "neo4j", "UNWIND range(1, 100) AS x RETURN x", row_cap=5)
    assert capped.truncated and capped.rows == tuple({"x": x} for x in range(1, 6))
    exact = run_cypher(neo4j_driver, "neo4j", "UNWIND range(1, 5) AS x RETURN x", row_cap=5)
    assert not exact.truncated and len(exact.rows) == 5


CYPHER_WRITES = {
    "create": "CREATE (n:QueryProbe {x: 1}) RETURN n",
    "merge": "MERGE (n:QueryProbe {x: 1}) RETURN n",
    "set": "MATCH (o:Organisation) WITH o LIMIT 1 SET o.probe = true RETURN o",
    "remove": "MATCH (o:Organisation) WITH o LIMIT 1 REMOVE o.name RETURN o",
    "delete": "MATCH ()-[r]->() WITH r LIMIT 1 DELETE r",
    "detach delete": "MATCH (o:Organisation) WITH o LIMIT 1 DETACH DELETE o",
    "foreach": "FOREACH (x IN [1, 2] | CREATE (:QueryProbe {x: x}))",
    "subquery": "CALL { CREATE (n:QueryProbe) RETURN n } RETURN count(n)",
    "create index": "CREATE INDEX query_probe IF NOT EXISTS FOR (n:QueryProbe) ON (n.x)",
}


@pytest.mark.neo4j
@pytest.mark.parametrize("write", list(CYPHER_WRITES.values()), ids=list(CYPHER_WRITES))
def test_cypher_writes_are_refused_and_change_nothing(neo4j_seed: Any, write: str) -> None:
    before = node_count(neo4j_seed.driver)
    with pytest.raises(QueryRefused, match="updates are refused") as info:
        run_cypher(neo4j_seed.driver, neo4j_seed.database, write)
    assert info.value.details["reason"] == "update"
    assert node_count(neo4j_seed.driver) == before > 0
    assert neo4j_seed._run("MATCH (n:QueryProbe) RETURN count(n) AS n")[0]["n"] == 0


CYPHER_DENIED = {
    "load csv": "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "load csv lower case": "load  csv with headers from 'https://example.org/x.csv' as row return row",
    "dbms security": "CALL dbms.security.listUsers()",
    "dbms config": "CALL dbms.listConfig() YIELD name RETURN name",
    "dbms backquoted": "CALL `dbms`.`components`() YIELD name RETURN name",
    "dbms after a comment": "CALL /* hidden */ dbms.killQueries(['query-1'])",
    "db create": "CALL db.createLabel('QueryProbe')",
    "db clear": "CALL db.clearQueryCaches()",
    "apoc": "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})",
    "terminate": "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "show transactions": "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery",
    "show settings": "SHOW SETTINGS YIELD name RETURN name",
    "show users": "SHOW USERS",
}


@pytest.mark.neo4j
@pytest.mark.parametrize("query", list(CYPHER_DENIED.values()), ids=list(CYPHER_DENIED))
def test_cypher_server_commands_are_refused_before_sending(neo4j_seed: Any, query: str) -> None:
    before = node_count(neo4j_seed.driver)
    with pytest.raises(QueryRefused, match="read-only") as info:
        run_cypher(neo4j_seed.driver, neo4j_seed.database, query)
    assert info.value.details["reason"] == "denied"
    assert node_count(neo4j_seed.driver) == before > 0


@pytest.mark.neo4j
def test_cypher_words_in_strings_and_comments_are_not_denied(neo4j_driver: Any) -> None:
    answer = run_cypher(
        neo4j_driver, "neo4j", "// LOAD CSV is refused\nRETURN 'CALL dbms.listConfig()' AS text, $x AS x", {"x": 7}
    )
    assert answer.rows == ({"text": "CALL dbms.listConfig()", "x": 7},)


@pytest.mark.neo4j
@pytest.mark.parametrize("bad", ["MATC (n) RETURN n", "MATCH (n RETURN n", "RETURN 1 +"])
def test_cypher_syntax_error_is_refused_with_the_neo4j_message(neo4j_driver: Any, bad: str) -> None:
    import neo4j

    with pytest.raises(neo4j.exceptions.CypherSyntaxError) as direct:
        neo4j_driver.execute_query(bad, database_="neo4j")
    with pytest.raises(QueryRefused) as info:
        run_cypher(neo4j_driver, "neo4j", bad)
    assert direct.value.message and direct.value.message in info.value.message
    assert info.value.details == {"neo4j_code": "Neo.ClientError.Statement.SyntaxError", "reason": "syntax"}


@pytest.mark.neo4j
def test_cypher_other_query_errors_are_refused(neo4j_driver: Any) -> None:
    with pytest.raises(QueryRefused, match="Expected parameter"):
        run_cypher(neo4j_driver, "neo4j", "RETURN $missing AS x")


@pytest.mark.neo4j
def test_cypher_slow_query_is_stopped(neo4j_driver: Any) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="1 s") as info:
        run_cypher(neo4j_driver, "neo4j", SLOW_CYPHER, timeout_s=1)
    assert time.monotonic() - started < 10
    assert "TimedOut" in info.value.details["neo4j_code"]
