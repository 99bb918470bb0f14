"""Ad-hoc read-only queries: SPARQL on the embedded store, Cypher on Neo4j."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.deps import Store
from api.guard import BUSY, gate
from api.schemas import CypherRequest, ErrorEnvelope, QueryResult, SparqlRequest
from graphkit.errors import QueryRefused

router = APIRouter(tags=["query"])

REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "The query was refused (an update, a syntax error, or the other "
          "store's language) or ran past its time limit (code query_timeout)."},
    422: {"model": ErrorEnvelope, "description": "The request body is malformed; the message names the field."},
    **BUSY,
}


@router.post(
    "/sparql",
    response_model=QueryResult,
    responses=REFUSED,
    summary="A read-only SPARQL query on the embedded store",
    description="Runs a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the embedded Oxigraph store, in a "
    "separate process that is stopped at the time limit. The prefixes of the ontology are predeclared and the "
    "default graph is the union of the resolved graph, one graph per source file and the ontology. Any SPARQL "
    "Update is refused with 400. Only when the API serves the embedded store; over Neo4j use POST /cypher.",
)
async def post_sparql(request: Request, store: Store, body: SparqlRequest) -> QueryResult:
    from graphkit.query import answer_json, run_sparql

    if store.kind != "oxigraph":
        raise QueryRefused(
            f"SPARQL runs on the embedded store; this API serves {store.kind} (use POST /cypher)",
            details={"store": store.kind},
        )
    answer = await gate(request).run_sync(
        lambda: run_sparql(store.path, body.query, timeout_s=body.timeout_s, row_cap=body.limit)  # type: ignore[attr-defined]
    )
    return QueryResult(**answer_json(answer))


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
    from graphkit.query import answer_json, run_cypher

    if store.kind != "neo4j":
        raise QueryRefused(
            f"Cypher runs on Neo4j; this API serves the {store.kind} store (use POST /sparql)",
            details={"store": store.kind},
        )
    answer = await gate(request).run_sync(
        lambda: run_cypher(
            store.driver, store.database, body.query, body.parameters,  # type: ignore[attr-defined]
            timeout_s=body.timeout_s, row_cap=body.limit,
        )
    )
    return QueryResult(**answer_json(answer))
