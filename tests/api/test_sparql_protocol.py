"""`/sparql` as the SPARQL 1.1 Protocol's clients meet it, against a live `graphkit serve` over a small store: the
query by GET, by a POSTed form and by a POSTed application/sparql-query body (and the project's JSON body), asked by
httpx, by SPARQLWrapper and by rdflib's SPARQLStore, with the rows `graphkit.query.run_sparql` gives; every guard of
the endpoint (updates, SERVICE, the time limit, the row cap, the byte cap, syntax, nesting, the gate) held for each
form; each media type of the answer read back by a real parser (json, xml.etree, csv, rdflib); 406 when nothing the
request accepts can be given; the dataset chosen by default-graph-uri and named-graph-uri."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graphkit.query import run_sparql
from tests.conftest import live_server
from tests.query.test_guard import Listener, federated_variants

EX = "http://example.org/"
G, H = EX + "g", EX + "h"
SUBJECTS = 1500
#: 2,200 literals of 8,000 characters: about 17.6 MB of answer, past the 16 MiB a query may return
BIG, BIG_SIZE = 2200, 8000
FORMULA = "=cmd|' /C calc'!A0"
XSD = "http://www.w3.org/2001/XMLSchema#"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/p> ?x . ?b <http://example.org/p> ?y . "
        "?c <http://example.org/p> ?z }")
SELECT = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s LIMIT 20"
#: a formula, a negative number, a language-tagged name, a date, a blank node (graph g) and an IRI (graph h): what
#: each format must carry
ODD = f"SELECT ?s ?o WHERE {{ ?s <{EX}odd> ?o }} ORDER BY STR(?o)"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}odd> ?o }} WHERE {{ ?s <{EX}odd> ?o }}"
DESCRIBE = f"DESCRIBE <{EX}thing>"
FORMS = ["get", "form", "sparql-query", "json"]
PROTOCOL_FORMS = ["get", "form", "sparql-query"]

RESULTS_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values"]
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SUBJECTS subjects with a short value in graph g; odd terms (a formula, -5, a language tag, a date, a blank
    node) in graph g; one triple in graph h only; BIG literals of BIG_SIZE characters."""
    path = tmp_path_factory.mktemp("protocol") / "store"
    db = ox.Store(str(path))
    g, h, p = ox.NamedNode(G), ox.NamedNode(H), ox.NamedNode(EX + "p")
    db.extend(ox.Quad(ox.NamedNode(f"{EX}s{i:04d}"), p, ox.Literal(f"v{i}"), g) for i in range(SUBJECTS))
    thing, odd = ox.NamedNode(EX + "thing"), ox.NamedNode(EX + "odd")
    db.extend([
        ox.Quad(thing, odd, ox.Literal(FORMULA), g),
        ox.Quad(thing, odd, ox.Literal("-5", datatype=ox.NamedNode(XSD + "integer")), g),
        ox.Quad(thing, odd, ox.Literal("Stockton", language="en"), g),
        ox.Quad(thing, odd, ox.Literal("2020-06-01", datatype=ox.NamedNode(XSD + "date")), g),
        ox.Quad(thing, odd, ox.BlankNode("b1"), g),
        ox.Quad(thing, odd, ox.NamedNode(EX + "only-in-h"), h),
    ])  # fmt: skip
    big = ox.NamedNode(EX + "big")
    db.extend(ox.Quad(ox.NamedNode(f"{EX}b{i}"), big, ox.Literal(str(i % 10) * BIG_SIZE), g) for i in range(BIG))
    db.flush()
    del db
    return path


@pytest.fixture(scope="module")
def url(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(store)}
    with live_server(env, tmp_path_factory.mktemp("protocol-log") / "serve.log") as base:
        yield base


def send(url: str, form: str, query: str, *, accept: str | None = None, **params: Any) -> httpx.Response:
    """The query sent to /sparql in one of the forms; ``params`` (limit, timeout_s, format ...) in the query string,
    or for the JSON body, limit and timeout_s in the body."""
    headers = {"Accept": accept} if accept else {}
    endpoint = url + "/sparql"
    if form == "get":
        return httpx.get(endpoint, params={"query": query, **params}, headers=headers, timeout=120)
    if form == "form":
        return httpx.post(endpoint, params=params, data={"query": query}, headers=headers, timeout=120)
    if form == "sparql-query":
        return httpx.post(endpoint, params=params, content=query.encode(), timeout=120,
                          headers={**headers, "Content-Type": "application/sparql-query"})
    return httpx.post(endpoint, json={"query": query, **params}, headers=headers, timeout=120)


def bindings(response: httpx.Response) -> list[dict[str, Any]]:
    """The rows of an answer, in either shape, as SPARQL JSON terms (unbound left out)."""
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    if "data" in body:  # the project's QueryResult
        return [{k: v for k, v in row.items() if v is not None} for row in body["data"]]
    return list(body["results"]["bindings"])


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["code"] == code, body
    assert body["error"]["message"]
    return dict(body["error"])


def direct(store: Path, query: str, **limits: Any) -> list[dict[str, Any]]:
    """The rows of the in-process call, as SPARQL JSON terms (unbound left out)."""
    return [{k: v for k, v in row.items() if v is not None} for row in run_sparql(store, query, **limits).rows]


# -- the same rows by every form and client ---------------------------------------------------------------------------
@pytest.mark.parametrize("form", FORMS)
def test_every_form_gives_the_rows_of_run_sparql(url: str, store: Path, form: str) -> None:
    expected = direct(store, SELECT)
    assert len(expected) == 20 and expected[0]["o"] == {"type": "literal", "value": "v0"}
    assert bindings(send(url, form, SELECT)) == expected
    assert bindings(send(url, form, ODD)) == direct(store, ODD)


@pytest.mark.parametrize(("method", "request_method"),
                         [("GET", None), ("POST", "urlencoded"), ("POST", "postdirectly")])
def test_sparqlwrapper_gets_the_rows_of_run_sparql(url: str, store: Path, method: str,
                                                   request_method: str | None) -> None:
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    client = SPARQLWrapper(url + "/sparql")
    client.setMethod(method)
    if request_method:
        client.setRequestMethod(request_method)
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    answer = client.query()
    assert answer.info()["content-type"].startswith("application/sparql-results+json")
    assert answer.convert()["results"]["bindings"] == direct(store, SELECT)
    # the XML results, read by SPARQLWrapper's own parser (xml.dom.minidom)
    client.setReturnFormat(XML)
    document = client.query().convert()
    values = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert values == [row["o"]["value"] for row in direct(store, SELECT)]
    client.setQuery(f"ASK {{ <{EX}thing> <{EX}odd> ?o }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_reads_through_the_endpoint(url: str, store: Path, method: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = SPARQLStore(query_endpoint=url + "/sparql", method=method)
    rows = list(remote.query(SELECT, initNs={}, initBindings={}, queryGraph=None))  # type: ignore[arg-type]
    expected = direct(store, SELECT)
    assert [(str(r.s), str(r.o)) for r in rows] == [(e["s"]["value"], e["o"]["value"]) for e in expected]
    graph = rdflib.Graph(store=remote)
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == 6  # five in graph g, one in graph h: the union's
    assert (rdflib.URIRef(EX + "thing"), rdflib.URIRef(EX + "odd"), rdflib.Literal(FORMULA)) in constructed
    assert (None, None, rdflib.Literal(-5)) in constructed
    described = graph.query(DESCRIBE).graph
    assert described is not None and len(described) == 6
    assert (rdflib.URIRef(EX + "thing"), rdflib.URIRef(EX + "odd"), rdflib.URIRef(EX + "only-in-h")) in described


# -- the guards, for each form -----------------------------------------------------------------------------------------
UPDATES = {
    "insert data": f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}",
    "delete where": "DELETE WHERE { ?s ?p ?o }",
    "clear all": "# a comment first\nCLEAR ALL",
    "drop graph": f"DROP GRAPH <{G}>",
    "load": f"LOAD <{EX}data.ttl>",
    "escaped": r"\u0043LEAR ALL",
}


def quad_count(store: Path) -> int:
    return len(ox.Store.read_only(str(store)))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("update", list(UPDATES.values()), ids=list(UPDATES))
def test_updates_are_refused_and_change_nothing(url: str, store: Path, form: str, update: str) -> None:
    before = quad_count(store)
    err = error(send(url, form, update), 400, "query_refused")
    assert err["details"]["reason"] == "update"
    assert quad_count(store) == before == SUBJECTS + 6 + BIG


@pytest.mark.parametrize("accept", [None, "image/png"])
def test_an_update_by_the_protocol_s_own_forms_is_refused(url: str, store: Path, accept: str | None) -> None:
    before = quad_count(store)
    headers = {"Accept": accept} if accept else {}
    form = httpx.post(url + "/sparql", data={"update": "CLEAR ALL"}, headers=headers)
    assert error(form, 400, "query_refused")["details"]["reason"] == "update"
    body = httpx.post(url + "/sparql", content=b"CLEAR ALL",
                      headers={**headers, "Content-Type": "application/sparql-update"})
    assert error(body, 400, "query_refused")["details"]["reason"] == "update"
    # an update is refused before the Accept header is looked at: never a 406
    assert error(send(url, "get", "DROP ALL", accept=accept), 400, "query_refused")["details"]["reason"] == "update"
    assert quad_count(store) == before


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", ["lower case", "escaped keyword", "subquery", "filter exists", "construct",
                                  "variable with values", "load", "sequence"])
def test_federated_queries_are_refused_and_reach_nothing(url: str, listener: Listener, form: str, name: str) -> None:
    listener.connections.clear()
    err = error(send(url, form, federated_variants(listener.port)[name]), 400, "query_refused")
    assert err["details"]["reason"] in {"service", "update"}
    assert listener.connections_after() == []


@pytest.mark.parametrize("form", FORMS)
def test_a_syntax_error_is_refused_with_the_parser_s_message(url: str, form: str) -> None:
    err = error(send(url, form, "SELECT * WHERE {\n  ?s ?p }"), 400, "query_refused")
    assert err["details"]["reason"] == "syntax" and err["details"]["line"] == 2 and err["details"]["parser_message"]


@pytest.mark.parametrize("form", FORMS)
def test_deep_nesting_is_refused(url: str, form: str) -> None:
    query = "SELECT * WHERE { FILTER(" + "(" * 100 + "1" + ")" * 100 + ") }"
    err = error(send(url, form, query), 400, "resource_limit")
    assert err["details"]["limit"] == "nesting" and err["details"]["depth"] > 64


@pytest.mark.parametrize("form", FORMS)
def test_a_slow_query_is_stopped_at_its_time_limit(url: str, form: str) -> None:
    started = time.monotonic()
    err = error(send(url, form, SLOW, timeout_s=1.5), 400, "query_timeout")
    assert 1.5 <= time.monotonic() - started < 10
    assert err["details"]["timeout_s"] == 1.5


@pytest.mark.parametrize("form", FORMS)
def test_the_row_cap_cuts_the_answer_and_says_so(url: str, store: Path, form: str) -> None:
    query = f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
    r = send(url, form, query, limit=7)
    assert bindings(r) == direct(store, query, row_cap=7) and len(bindings(r)) == 7
    if form == "json":
        assert r.json()["truncated"] is True
    else:
        assert r.headers["graphkit-truncated"] == "true" and r.headers["graphkit-rows"] == "7"
    whole = send(url, form, query, limit=SUBJECTS)
    assert len(bindings(whole)) == SUBJECTS
    if form != "json":
        assert whole.headers["graphkit-truncated"] == "false"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("accept", [None, "application/sparql-results+xml", "text/csv"])
def test_an_answer_over_the_byte_cap_is_refused(url: str, form: str, accept: str | None) -> None:
    err = error(send(url, form, f"SELECT ?o WHERE {{ ?s <{EX}big> ?o }}", accept=accept, limit=10000, timeout_s=60),
                400, "resource_limit")
    assert err["details"] == {"limit": "bytes", "max_bytes": 16 * 1024 * 1024}


@pytest.mark.parametrize("accept", [None, "application/n-triples"])
def test_a_graph_over_the_byte_cap_is_refused(url: str, accept: str | None) -> None:
    query = f"CONSTRUCT {{ ?s <{EX}big> ?o }} WHERE {{ ?s <{EX}big> ?o }}"
    err = error(send(url, "get", query, accept=accept, limit=10000, timeout_s=60), 400, "resource_limit")
    assert err["details"]["limit"] == "bytes"


@pytest.mark.timeout(300)
def test_beyond_the_queue_every_form_gets_429_with_retry_after(store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(store), "GRAPHKIT_EXPENSIVE_CONCURRENCY": "1",
           "GRAPHKIT_EXPENSIVE_QUEUE": "1"}
    with live_server(env, tmp_path / "serve.log") as base:
        for form in FORMS:
            with concurrent.futures.ThreadPoolExecutor(6) as pool:
                answers = list(pool.map(lambda _, f=form: send(base, f, SLOW, timeout_s=1.5), range(6)))
            busy = [a for a in answers if a.status_code == 429]
            assert len(busy) == 4, (form, [a.status_code for a in answers])  # one runs, one waits, four turned away
            for a in busy:
                assert a.headers["retry-after"] == "2"
                error(a, 429, "busy")
            assert sorted(a.json()["error"]["code"] for a in answers if a.status_code != 429) == ["query_timeout"] * 2


# -- what else the protocol's forms are refused for ------------------------------------------------------------------
def test_a_request_without_a_query_or_with_an_unknown_body_is_refused(url: str) -> None:
    assert "query" in error(httpx.get(url + "/sparql"), 422, "bad_parameter")["message"]
    assert "query" in error(httpx.post(url + "/sparql", data={"q": "ASK {}"}), 422, "bad_parameter")["message"]
    empty = httpx.post(url + "/sparql", content=b" ", headers={"Content-Type": "application/sparql-query"})
    assert error(empty, 422, "bad_parameter")["details"]["parameter"] == "query"
    twice = httpx.get(url + "/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert error(twice, 422, "bad_parameter")["details"]["parameter"] == "query"
    err = error(httpx.post(url + "/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415,
                "unsupported_media_type")
    assert "application/sparql-query" in err["details"]["supported"]
    latin1 = httpx.post(url + "/sparql", content="ASK { ?s ?p 'é' }".encode("latin-1"),
                        headers={"Content-Type": "application/sparql-query"})
    assert error(latin1, 422, "bad_parameter")["details"]["parameter"] == "body"
    for limit in ("0", "10001", "x"):
        error(httpx.get(url + "/sparql", params={"query": "ASK {}", "limit": limit}), 422, "bad_parameter")
    for timeout in ("0", "61", "nan"):
        error(httpx.get(url + "/sparql", params={"query": "ASK {}", "timeout_s": timeout}), 422, "bad_parameter")


# -- content negotiation ----------------------------------------------------------------------------------------------
def _terms(store: Path) -> list[dict[str, Any]]:
    return direct(store, ODD)


@pytest.mark.parametrize("form", PROTOCOL_FORMS)
@pytest.mark.parametrize("media_type", RESULTS_TYPES)
def test_select_answers_in_each_results_format(url: str, store: Path, form: str, media_type: str) -> None:
    expected = _terms(store)
    r = send(url, form, ODD, accept=media_type)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type and r.headers["vary"] == "Accept"
    assert r.headers["graphkit-rows"] == "6"
    if media_type == "application/sparql-results+json":
        assert r.json()["results"]["bindings"] == expected and r.json()["head"]["vars"] == ["s", "o"]
    elif media_type == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(r.content)
        assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "o"]
        objects = [b for b in root.iterfind("r:results/r:result/r:binding", ns) if b.get("name") == "o"]
        assert len(objects) == 6
        literals = {(e.text, e.get("datatype"), e.get("{http://www.w3.org/XML/1998/namespace}lang"))
                    for b in objects for e in b.findall("r:literal", ns)}
        assert (FORMULA, None, None) in literals and ("-5", XSD + "integer", None) in literals
        assert ("Stockton", None, "en") in literals
        assert len([e for b in objects for e in b.findall("r:bnode", ns)]) == 1
    elif media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["s", "o"] and len(rows) == 7
        values = [row[1] for row in rows[1:]]
        # text a spreadsheet would run is neutralised (the project's CSV rule); numbers, dates, names stay as they are
        assert "'" + FORMULA in values and FORMULA not in values
        assert {"-5", "Stockton", "2020-06-01"} <= set(values)
        assert not [v for v in values if v[:1] in "=+@\t\r"]
    else:  # TSV is exact: terms in their Turtle form
        rows = list(csv.reader(io.StringIO(r.text), delimiter="\t", quoting=csv.QUOTE_NONE))
        assert rows[0] == ["?s", "?o"] and len(rows) == 7
        values = {row[1] for row in rows[1:]}
        assert json.dumps(FORMULA) in values and "-5" in values and '"Stockton"@en' in values
        assert all(row[0] == f"<{EX}thing>" for row in rows[1:])


def test_the_csv_rule_is_the_project_s_and_the_child_stays_light() -> None:
    import subprocess
    import sys

    from graphkit.core import cells
    from graphkit.outputs import area
    from graphkit.query import child

    assert child.FORMULA_PREFIXES is cells.FORMULA_PREFIXES
    assert area.neutralise is cells.neutralise
    # the child starts for every query: importing it pulls in neither networkx nor the exports
    code = ("import sys, graphkit.query.child; "
            "print(sorted(m for m in ('networkx', 'graphkit.outputs.area', 'graphkit.ingest') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("form", PROTOCOL_FORMS)
@pytest.mark.parametrize("media_type", list(GRAPH_TYPES))
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_construct_and_describe_answer_in_each_rdf_format(url: str, store: Path, form: str, media_type: str,
                                                           query: str) -> None:
    rows = run_sparql(store, query).rows
    expected = rdflib.Graph()
    for row in rows:
        expected.add(tuple(_rdflib_term(row[k]) for k in ("subject", "predicate", "object")))  # type: ignore[arg-type]
    r = send(url, form, query, accept=media_type)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    got = rdflib.Graph().parse(data=r.content, format=GRAPH_TYPES[media_type])
    assert len(got) == len(expected) == 6
    assert isomorphic(got, expected)


def _rdflib_term(term: dict[str, Any]) -> rdflib.term.Node:
    if term["type"] == "uri":
        return rdflib.URIRef(term["value"])
    if term["type"] == "bnode":
        return rdflib.BNode(term["value"])
    return rdflib.Literal(term["value"], lang=term.get("xml:lang"),
                          datatype=rdflib.URIRef(term["datatype"]) if "datatype" in term else None)


@pytest.mark.parametrize(
    ("query", "accept", "params", "media_type"),
    [
        (SELECT, None, {}, "application/sparql-results+json"),
        (CONSTRUCT, None, {}, "text/turtle"),
        (SELECT, "*/*", {}, "application/sparql-results+json"),
        (CONSTRUCT, "text/*", {}, "text/turtle"),
        (SELECT, "text/csv;q=0.2, application/sparql-results+xml", {}, "application/sparql-results+xml"),
        (SELECT, "application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.5", {},
         "text/tab-separated-values"),
        (SELECT, "application/json", {}, "application/sparql-results+json"),
        (CONSTRUCT, "application/n-triples, text/turtle;q=0.5", {}, "application/n-triples"),
        # YASGUI's and rdflib's Accept headers
        (SELECT, "application/sparql-results+json,*/*;q=0.9", {}, "application/sparql-results+json"),
        (CONSTRUCT, "application/sparql-results+xml, application/rdf+xml", {}, "application/rdf+xml"),
        # format= wins over Accept
        (SELECT, "application/sparql-results+xml", {"format": "csv"}, "text/csv"),
        (CONSTRUCT, "text/turtle", {"format": "jsonld"}, "application/ld+json"),
        (CONSTRUCT, None, {"format": "application/n-triples"}, "application/n-triples"),
        (SELECT, None, {"format": "json"}, "application/sparql-results+json"),
    ],
)
def test_the_accept_header_and_format_choose_the_media_type(url: str, query: str, accept: str | None,
                                                             params: dict[str, str], media_type: str) -> None:
    r = send(url, "get", query, accept=accept, **params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"{media_type}; charset=utf-8"


@pytest.mark.parametrize(
    ("query", "accept", "params"),
    [
        (SELECT, "image/png", {}),
        (SELECT, "text/turtle", {}),
        (SELECT, "text/csv;q=0, image/*", {}),
        (CONSTRUCT, "text/csv", {}),
        (CONSTRUCT, "application/sparql-results+json", {}),
        (DESCRIBE, "text/tab-separated-values", {}),
        (SELECT, None, {"format": "turtle"}),
        (CONSTRUCT, "text/turtle", {"format": "csv"}),
    ],
)
@pytest.mark.parametrize("form", PROTOCOL_FORMS)
def test_nothing_acceptable_is_406_in_the_envelope(url: str, query: str, accept: str | None,
                                                   params: dict[str, str], form: str) -> None:
    err = error(send(url, form, query, accept=accept, **params), 406, "not_acceptable")
    assert err["details"]["kind"] == ("graph" if query in (CONSTRUCT, DESCRIBE) else "results")
    assert err["details"]["supported"][0] in ("application/sparql-results+json", "text/turtle")


def test_an_unknown_format_is_a_bad_parameter(url: str) -> None:
    err = error(send(url, "get", SELECT, format="excel"), 422, "bad_parameter")
    assert err["details"]["parameter"] == "format"


def test_the_json_body_keeps_its_own_answer_whatever_the_accept_header(url: str, store: Path) -> None:
    r = send(url, "json", SELECT, accept="text/csv", limit=5)
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["form"] == "select" and body["columns"] == ["s", "o"] and body["count"] == 5 and body["truncated"]


# -- the dataset ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", PROTOCOL_FORMS)
def test_default_graph_uri_and_named_graph_uri_choose_the_dataset(url: str, form: str) -> None:
    odd = f"SELECT ?o WHERE {{ <{EX}thing> <{EX}odd> ?o }}"
    union = bindings(send(url, form, odd))
    assert len(union) == 6
    only_h = bindings(send(url, form, odd, **{"default-graph-uri": H}))
    assert only_h == [{"o": {"type": "uri", "value": EX + "only-in-h"}}]
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert {b["g"]["value"] for b in bindings(send(url, form, named))} == {G, H}
    assert bindings(send(url, form, named, **{"named-graph-uri": G})) == [{"g": {"type": "uri", "value": G}}]
    # the protocol's dataset is only what it names: no default graph here
    assert bindings(send(url, form, odd, **{"named-graph-uri": G})) == []
    err = error(send(url, form, odd, **{"default-graph-uri": "not an IRI"}), 422, "bad_parameter")
    assert err["details"]["parameter"] == "default-graph-uri"


def test_the_form_may_carry_the_dataset_too(url: str) -> None:
    r = httpx.post(url + "/sparql", data={"query": f"SELECT ?o WHERE {{ <{EX}thing> <{EX}odd> ?o }}",
                                          "default-graph-uri": H})
    assert bindings(r) == [{"o": {"type": "uri", "value": EX + "only-in-h"}}]


# -- the OpenAPI document ---------------------------------------------------------------------------------------------
def test_the_document_describes_every_form_and_media_type(store: Path) -> None:
    from api.app import create_app
    from graphkit.config import Settings

    spec = create_app(Settings(store_path=store)).openapi()
    get, post = spec["paths"]["/sparql"]["get"], spec["paths"]["/sparql"]["post"]
    assert {p["name"] for p in get["parameters"]} == {"query", "default-graph-uri", "named-graph-uri", "format",
                                                       "limit", "timeout_s"}
    assert set(post["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded",
                                                   "application/sparql-query"}
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SparqlRequest")
    assert "query" in spec["components"]["schemas"]["SparqlRequest"]["properties"]
    assert set(RESULTS_TYPES) | set(GRAPH_TYPES) <= set(get["responses"]["200"]["content"])
    assert set(RESULTS_TYPES) | set(GRAPH_TYPES) | {"application/json"} <= set(post["responses"]["200"]["content"])
    for op in (get, post):
        assert {"400", "406", "422", "429"} <= set(op["responses"])
        assert "SPARQL 1.1 Protocol" in op["description"]
