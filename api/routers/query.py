"""Ad-hoc read-only queries: SPARQL on the embedded store, Cypher on Neo4j."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from api.deps import Store
from api.guard import BUSY, gate
from api.schemas import CypherRequest, ErrorEnvelope, QueryResult, SparqlRequest
from api.sparql_protocol import BODY_TYPES, CONTENT_TYPES, choose_formats, dataset_of
from graphkit.errors import BadParameter, QueryRefused, QueryTimeout, UnsupportedMediaType
from graphkit.query import QueryAnswer, answer_json
from graphkit.store.base import GraphStore

router = APIRouter(tags=["query"])
T = TypeVar("T")

REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "The query was refused (an update, a syntax error, or the other "
          "store's language) or ran past its time limit (code query_timeout)."},
    422: {"model": ErrorEnvelope, "description": "The request body is malformed; the message names the field."},
    **BUSY,
}


SPARQL_DESCRIPTION = (
    "Runs a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the embedded Oxigraph store, in a separate "
    "process that is stopped at the time limit. The prefixes of the ontology are predeclared and the default graph "
    "is the union of the resolved graph, one graph per source file and the ontology. Any SPARQL Update is refused "
    "with 400, and so is SERVICE. Only when the API serves the embedded store; over Neo4j use POST /cypher.\n\n"
    "`/sparql` speaks the [SPARQL 1.1 Protocol](https://www.w3.org/TR/sparql11-protocol/): the query by "
    "`GET /sparql?query=`, by `POST` of a form (`application/x-www-form-urlencoded`, field `query`) or of the query "
    "itself (`application/sparql-query`), with `default-graph-uri` and `named-graph-uri` naming the dataset. The "
    "answer comes in the media type the Accept header (or `format=`) asks for: SELECT and ASK as "
    "`application/sparql-results+json` (the default), `application/sparql-results+xml`, `text/csv` or "
    "`text/tab-separated-values`; CONSTRUCT and DESCRIBE as `text/turtle` (the default), `application/n-triples`, "
    "`application/ld+json` or `application/rdf+xml`; anything else is 406. In `text/csv` a literal a spreadsheet "
    "would read as a formula gets a leading `'` (numbers excepted); the other formats are exact. `limit` (rows) "
    "and `timeout_s` come from the query string; the headers `Graphkit-Rows` and `Graphkit-Truncated` say how many "
    "rows the answer holds and whether the row cap cut it."
)
PROTOCOL_HEADERS = {
    "Graphkit-Rows": {"description": "Rows (solutions or triples) in the answer.", "schema": {"type": "integer"}},
    "Graphkit-Truncated": {"description": "true when the row cap (`limit`) cut the answer.",
                           "schema": {"type": "string", "enum": ["true", "false"]}},
}
_TEXT: dict[str, Any] = {"schema": {"type": "string"}}
PROTOCOL_CONTENT: dict[str, Any] = {
    "application/sparql-results+json": {"schema": {"type": "object"}, "example": {
        "head": {"vars": ["n"]}, "results": {"bindings": [{"n": {
            "type": "literal", "value": "6520", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}},
    "application/sparql-results+xml": _TEXT,
    "text/csv": {"schema": {"type": "string"}, "example": "n\r\n6520\r\n"},
    "text/tab-separated-values": _TEXT,
    "text/turtle": _TEXT,
    "application/n-triples": _TEXT,
    "application/ld+json": {"schema": {"type": ["array", "object"]}},
    "application/rdf+xml": _TEXT,
}
PROTOCOL_ERRORS: dict[int | str, dict[str, Any]] = {
    **REFUSED,
    406: {"model": ErrorEnvelope, "description": "No format the answer can come in is acceptable (Accept or format); "
          "details.supported lists those it can."},
    422: {"model": ErrorEnvelope, "description": "A parameter is missing or malformed (no query, a limit out of "
          "range, an IRI that is not absolute); the message names it."},
}
FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": 20000,
                  "description": "The SPARQL query (SPARQL 1.1 Protocol, query via URL-encoded POST)."},
        "default-graph-uri": {"type": "array", "items": {"type": "string"},
                              "description": "The graphs merged into the default graph."},
        "named-graph-uri": {"type": "array", "items": {"type": "string"},
                            "description": "The named graphs the query may read."},
    },
}
POST_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/SparqlRequest"}},
    "application/x-www-form-urlencoded": {
        "schema": FORM_SCHEMA, "example": {"query": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pcg:GPPractice }"}},
    "application/sparql-query": {
        "schema": {"type": "string"}, "example": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pcg:GPPractice }"},
}}}

ProtocolLimit = Annotated[int, Query(ge=1, le=10000, description="Row cap: at most this many rows (solutions or "
                                     "triples) come back; Graphkit-Truncated says when it cut the answer.",
                                     examples=[1000])]
ProtocolTime = Annotated[float, Query(gt=0, le=60, description="Time limit in seconds, counted from the request's "
                                      "arrival.", examples=[10.0])]
Format = Annotated[str | None, Query(description="The answer's format, instead of the Accept header: json, xml, csv, "
                                     "tsv, turtle, ntriples, jsonld, rdfxml or a media type.", examples=["csv"])]
DefaultGraphs = Annotated[list[str], Query(alias="default-graph-uri", description="SPARQL 1.1 Protocol: the graphs "
                                           "merged into the query's default graph (with named-graph-uri: the "
                                           "dataset; without either, every graph's union).",
                                           examples=[["https://w3id.org/pcgraph/id/graph/resolved"]])]
NamedGraphs = Annotated[list[str], Query(alias="named-graph-uri", description="SPARQL 1.1 Protocol: the named "
                                         "graphs the query may read with GRAPH.",
                                         examples=[["https://w3id.org/pcgraph/id/graph/resolved"]])]


@router.get(
    "/sparql",
    response_class=Response,
    responses={**PROTOCOL_ERRORS, 200: {"description": "The answer, in the negotiated media type.",
                                        "headers": PROTOCOL_HEADERS, "content": PROTOCOL_CONTENT}},
    summary="A read-only SPARQL query on the embedded store (SPARQL 1.1 Protocol, GET)",
    description=SPARQL_DESCRIPTION,
)
async def get_sparql(
    request: Request,
    store: Store,
    query: Annotated[str, Query(min_length=1, max_length=20000, description="The SPARQL query.",
                                examples=["SELECT (COUNT(?p) AS ?n) WHERE { ?p a pcg:GPPractice }"])],
    default_graph_uri: DefaultGraphs = [],  # noqa: B006 (FastAPI copies the default)
    named_graph_uri: NamedGraphs = [],  # noqa: B006
    format: Format = None,
    limit: ProtocolLimit = 1000,
    timeout_s: ProtocolTime = 10.0,
) -> Response:
    if len(request.query_params.getlist("query")) > 1:
        raise BadParameter("query: given more than once", details={"parameter": "query"})
    return await _protocol(request, store, query, default_graph_uri, named_graph_uri, format, limit, timeout_s)


@router.post(
    "/sparql",
    response_class=Response,
    responses={**PROTOCOL_ERRORS,
               415: {"model": ErrorEnvelope, "description": "A body in a media type this route does not read."},
               200: {"description": "For a JSON body, the project's QueryResult; for the SPARQL 1.1 Protocol's "
                     "bodies, the answer in the negotiated media type.", "headers": PROTOCOL_HEADERS,
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryResult"}},
                                 **PROTOCOL_CONTENT}}},
    summary="A read-only SPARQL query on the embedded store (JSON body, or SPARQL 1.1 Protocol POST)",
    description=SPARQL_DESCRIPTION + "\n\nThe body is one of: `application/json` (`{\"query\", \"limit\", "
    "\"timeout_s\"}`, answered with the project's QueryResult, Accept ignored), `application/x-www-form-urlencoded` "
    "(the field `query`; a field `update` is refused with 400) or `application/sparql-query` (the query itself); "
    "`application/sparql-update` is refused with 400 (read-only), any other media type with 415.",
    openapi_extra=POST_BODY,
)
async def post_sparql(
    request: Request,
    store: Store,
    default_graph_uri: DefaultGraphs = [],  # noqa: B006
    named_graph_uri: NamedGraphs = [],  # noqa: B006
    format: Format = None,
    limit: ProtocolLimit = 1000,
    timeout_s: ProtocolTime = 10.0,
) -> Response:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    raw = await request.body()  # bounded by the server's request limit (api/guard.py)
    if media_type == "application/json":
        try:
            body = SparqlRequest.model_validate_json(raw)
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
        answer = await _run(request, store, body.query, body.timeout_s, body.limit)
        return JSONResponse(QueryResult(**answer_json(answer)).model_dump(mode="json"))
    if media_type == "application/sparql-update":
        raise _update_refused("an application/sparql-update body")
    text = _text(raw)
    if media_type == "application/x-www-form-urlencoded":
        fields = urllib.parse.parse_qs(text, keep_blank_values=True)
        if "update" in fields:
            raise _update_refused("a form field update")
        queries = fields.get("query", [])
        if len(queries) != 1 or not queries[0]:
            raise BadParameter("query: the form must have one field query holding the SPARQL query"
                               + (" (it has none)" if not queries else " (it has more than one, or an empty one)"),
                               details={"parameter": "query"})
        query = queries[0]
        default_graph_uri = default_graph_uri + fields.get("default-graph-uri", [])
        named_graph_uri = named_graph_uri + fields.get("named-graph-uri", [])
    elif media_type == "application/sparql-query":
        query = text
        if not query.strip():
            raise BadParameter("query: the body is empty", details={"parameter": "query"})
    else:
        raise UnsupportedMediaType(
            f"POST /sparql reads a body of {', '.join(BODY_TYPES)}, not {media_type or 'one without a Content-Type'}",
            details={"content_type": media_type, "supported": list(BODY_TYPES)},
        )
    if len(query) > 20000:
        raise BadParameter("query: longer than 20,000 characters", details={"parameter": "query"})
    return await _protocol(request, store, query, default_graph_uri, named_graph_uri, format, limit, timeout_s)


async def _protocol(
    request: Request, store: GraphStore, query: str, default_graphs: list[str], named_graphs: list[str],
    format: str | None, limit: int, timeout_s: float,
) -> Response:
    """A query of the SPARQL 1.1 Protocol: refused as any other first (updates, SERVICE, the other store), then the
    media type chosen (406 before anything runs), then run and answered in it."""
    from graphkit.query import refuse_sparql_text

    _only_embedded(store)
    refuse_sparql_text(query)  # an update is a 400 whatever the Accept header says
    formats = choose_formats(query, request.headers.get("accept"), format)
    dataset = dataset_of(default_graphs, named_graphs)
    answer = await _run(request, store, query, timeout_s, limit, formats=formats, dataset=dataset)
    assert answer.body is not None and answer.media_type is not None
    return Response(answer.body, media_type=CONTENT_TYPES[answer.media_type], headers={
        "Graphkit-Rows": str(answer.body_rows), "Graphkit-Truncated": "true" if answer.truncated else "false",
        "Vary": "Accept"})


async def _run(request: Request, store: GraphStore, query: str, timeout_s: float, limit: int,
               **options: Any) -> QueryAnswer:
    from graphkit.query import run_sparql_async

    _only_embedded(store)
    path = store.path  # type: ignore[attr-defined]
    return await _within_time_limit(
        request, timeout_s, lambda left: run_sparql_async(path, query, timeout_s=left, row_cap=limit, **options)
    )


def _only_embedded(store: GraphStore) -> None:
    if store.kind != "oxigraph":
        raise QueryRefused(
            f"SPARQL runs on the embedded store; this API serves {store.kind} (use POST /cypher)",
            details={"store": store.kind},
        )


def _update_refused(how: str) -> QueryRefused:
    return QueryRefused(
        f"SPARQL updates are refused: this endpoint is read-only and runs only queries; this request sends {how}",
        details={"reason": "update", "operation": "update"},
    )


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadParameter(f"body: not UTF-8 text (byte {e.start})", details={"parameter": "body"}) from None


def document_sparql_bodies(app: FastAPI) -> None:
    """Put SparqlRequest, the JSON body of POST /sparql (read by the route itself, as it reads three media types),
    among the OpenAPI document's schemas, where the route's request body refers to it."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain()
            schema.setdefault("components", {}).setdefault("schemas", {})["SparqlRequest"] = (
                SparqlRequest.model_json_schema(ref_template="#/components/schemas/{model}"))
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


async def _within_time_limit(request: Request, timeout_s: float, run: Callable[[float], Awaitable[T]]) -> T:
    """``run(seconds left)`` once the gate lets it, all within ``timeout_s`` of now: the time limit covers the
    whole request, the wait for a turn included; at the limit the query is cancelled (a SPARQL child is killed)
    and the answer is query_timeout."""
    started = time.monotonic()

    async def when_let_in() -> T:
        left = timeout_s - (time.monotonic() - started)
        if left <= 0.05:
            raise _timeout(timeout_s, started)
        try:
            return await run(left)
        except QueryTimeout:
            # the query's own limit (the seconds left) ran out just before the request's: the answer names the
            # limit the caller gave, whichever clock stopped it
            raise _timeout(timeout_s, started) from None

    with anyio.move_on_after(timeout_s) as scope:
        return await gate(request).run_async(when_let_in)
    assert scope.cancelled_caught
    raise _timeout(timeout_s, started)


def _timeout(timeout_s: float, started: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran past its time limit of {timeout_s:g} s (counted from the request's arrival, the wait for a "
        "turn included) and was stopped",
        details={"timeout_s": timeout_s, "elapsed_s": round(time.monotonic() - started, 3)},
    )


@router.post(
    "/cypher",
    response_model=QueryResult,
    responses=REFUSED,
    summary="A read-only Cypher query on Neo4j",
    description="Runs a Cypher query in a read-only transaction with a server-side time limit; anything that "
    "writes (CREATE, MERGE, SET, DELETE, ...), LOAD CSV and administrative procedures are refused with 400. "
    "Nodes come back as their labels and properties. Only when the API serves Neo4j; over the embedded store use "
    "POST /sparql. The mapping is in docs/neo4j-store.md.",
)
async def post_cypher(request: Request, store: Store, body: CypherRequest) -> QueryResult:
    from graphkit.query import answer_json, run_cypher_async

    if store.kind != "neo4j":
        raise QueryRefused(
            f"Cypher runs on Neo4j; this API serves the {store.kind} store (use POST /sparql)",
            details={"store": store.kind},
        )
    driver, database = store.driver, store.database  # type: ignore[attr-defined]
    answer = await _within_time_limit(
        request, body.timeout_s,
        lambda left: run_cypher_async(driver, database, body.query, body.parameters, timeout_s=left,
                                      row_cap=body.limit),
    )
    return QueryResult(**answer_json(answer))
