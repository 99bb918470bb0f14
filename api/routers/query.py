"""Ad-hoc read-only queries: SPARQL on the embedded store, Cypher on Neo4j."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Request

from api.deps import Store
from api.guard import BUSY, gate
from api.schemas import CypherRequest, ErrorEnvelope, QueryResult, SparqlRequest
from graphkit.errors import QueryRefused, QueryTimeout

router = APIRouter(tags=["query"])
T = TypeVar("T")

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
    from graphkit.query import answer_json, run_sparql_async

    if store.kind != "oxigraph":
        raise QueryRefused(
            f"SPARQL runs on the embedded store; this API serves {store.kind} (use POST /cypher)",
            details={"store": store.kind},
        )
    path = store.path  # type: ignore[attr-defined]
    answer = await _within_time_limit(
        request, body.timeout_s, lambda left: run_sparql_async(path, body.query, timeout_s=left, row_cap=body.limit)
    )
    return QueryResult(**answer_json(answer))


async def _within_time_limit(request: Request, timeout_s: float, run: Callable[[float], Awaitable[T]]) -> T:
    """``run(seconds left)`` once the gate lets it, all within ``timeout_s`` of now: the time limit covers the
    whole request, the wait for a turn included; at the limit the query is cancelled (a SPARQL child is killed)
    and the answer is query_timeout."""
    started = time.monotonic()

    async def when_let_in() -> T:
        left = timeout_s - (time.monotonic() - started)
        if left <= 0.05:
            raise _timeout(timeout_s, started)
        return await run(left)

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
