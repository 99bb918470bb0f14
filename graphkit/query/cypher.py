"""Cypher's runner (see :mod:`graphkit.query`): one READ transaction with a server-side timeout, the
plan checked in it before the query runs, records converted to plain JSON-able data under the row and
byte caps, and Neo4j's errors turned into the project's."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from typing import TYPE_CHECKING, Any, Unpack

from graphkit.errors import GraphkitError, QueryRefused, QueryTimeout, ResourceLimit, StoreUnavailable
from graphkit.query.common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT_S,
    Limits,
    QueryAnswer,
    Row,
    _check_limits,
    _elapsed_ms,
    _too_big,
)
from graphkit.query.cypher_text import refuse_denied_cypher, refuse_plan, refuse_unbounded_values

if TYPE_CHECKING:
    import neo4j

#: Records the driver fetches per round trip: small, so the byte cap is checked before much arrives.
CYPHER_FETCH_SIZE = 100
#: Extra seconds the async variant waits for the driver past the query's own time limit.
CYPHER_GRACE_S = 5.0


def run_cypher(
    driver: neo4j.Driver,
    database: str,
    query: str,
    parameters: dict[str, Any] | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> QueryAnswer:
    """Run one read-only Cypher query on ``database`` in a READ transaction that the server stops
    after ``timeout_s``; at most ``row_cap`` records and ``max_bytes`` of them come back, as plain
    JSON-able data. The query's plan is checked first, in the same transaction (:func:`refuse_plan`).

    Raises QueryRefused for a write (Neo4j refuses it in read mode), anything on the deny list, a
    procedure or command off the allow list, a syntax error or any other error the server blames on
    the query; QueryTimeout when the time limit is hit; ResourceLimit past the server's transaction
    memory limit or ``max_bytes``; StoreUnavailable when the server cannot be reached.
    """
    import neo4j

    started = time.monotonic()
    _check_limits(timeout_s, row_cap, max_bytes)
    refuse_denied_cypher(query)
    refuse_unbounded_values(query)
    try:
        with driver.session(
            database=database,
            default_access_mode=neo4j.READ_ACCESS,
            fetch_size=CYPHER_FETCH_SIZE,
            connection_acquisition_timeout=timeout_s,
        ) as session:
            tx = session.begin_transaction(timeout=timeout_s)
            try:
                refuse_plan(_explain(tx, query, parameters or {}, timeout_s))
                result = tx.run(query, parameters or {})
                columns = tuple(result.keys())
                rows, truncated = _cypher_rows(result, columns, row_cap, max_bytes)
            finally:
                tx.close()  # rolls back: nothing is ever committed
    except neo4j.exceptions.Neo4jError as exc:
        raise _cypher_error(exc, timeout_s) from exc
    except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
        raise StoreUnavailable(f"Neo4j could not be reached: {exc}") from exc
    except neo4j.exceptions.DriverError as exc:  # e.g. no connection free within the time limit
        raise StoreUnavailable(f"Neo4j could not run the query: {exc}") from exc
    return QueryAnswer(
        form="select", columns=columns, rows=rows, boolean=None, truncated=truncated, elapsed_ms=_elapsed_ms(started)
    )


def _explain(tx: neo4j.Transaction, query: str, parameters: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """The server's plan of ``query``, planned and not run (EXPLAIN). An error in it (a syntax error,
    most often) is reported as for the query itself: positions on its first line are moved back
    over the prefix, and the echoed line loses it."""
    import neo4j

    try:
        plan = tx.run(EXPLAIN + query, parameters).consume().plan
    except neo4j.exceptions.Neo4jError as exc:
        raise _cypher_error(exc, timeout_s, _without_explain(exc.message or str(exc))) from exc
    return dict(plan or {})


EXPLAIN = "EXPLAIN "
_NEO4J_POSITION = re.compile(r"\(line (\d+), column (\d+) \(offset: (\d+)\)\)")


def _without_explain(message: str) -> str:
    """A Neo4j error message about ``EXPLAIN <query>`` as it would read about ``<query>``.

    >>> _without_explain('Invalid input (line 1, column 9 (offset: 8))\\n"EXPLAIN MATC (n)"\\n         ^')
    'Invalid input (line 1, column 1 (offset: 0))\\n"MATC (n)"\\n ^'
    """
    n = len(EXPLAIN)
    m = _NEO4J_POSITION.search(message)
    if not m:
        return message
    line, column, offset = (int(g) for g in m.groups())
    if line == 1:
        column -= n
        message = message.replace(f'"{EXPLAIN}', '"', 1)
        message = re.sub(rf"\n {{{n}}}( *\^)", r"\n\1", message, count=1)
    return message[: m.start()] + f"(line {line}, column {column} (offset: {offset - n}))" + message[m.end():]


def _cypher_rows(
    result: neo4j.Result, columns: tuple[str, ...], row_cap: int, max_bytes: int
) -> tuple[tuple[Row, ...], bool]:
    """At most ``row_cap`` records as plain rows, converted one at a time; ResourceLimit as soon as
    their JSON passes ``max_bytes``. Also says whether more records existed."""
    rows: list[Row] = []
    size = 0
    for record in result:
        if len(rows) == row_cap:
            return tuple(rows), True
        row = {key: plain_value(record[key]) for key in columns}
        size += len(json.dumps(row, default=str)) + 1
        if size > max_bytes:
            raise _too_big(max_bytes)
        rows.append(row)
    return tuple(rows), False


async def run_cypher_async(
    driver: neo4j.Driver, database: str, query: str, parameters: dict[str, Any] | None = None, **limits: Unpack[Limits]
) -> QueryAnswer:
    """:func:`run_cypher` on a worker thread (the driver is synchronous), for the event loop. The
    server stops the transaction at ``timeout_s``; if the driver has not returned CYPHER_GRACE_S
    later (a server that no longer answers), QueryTimeout is raised here and the thread is left to
    the driver's own socket timeouts."""
    timeout_s = limits.get("timeout_s", DEFAULT_TIMEOUT_S)
    call = asyncio.to_thread(run_cypher, driver, database, query, parameters, **limits)
    try:
        return await asyncio.wait_for(call, timeout=timeout_s + CYPHER_GRACE_S)
    except TimeoutError:
        raise QueryTimeout(
            f"the Cypher query ran past its time limit of {timeout_s:g} s and was abandoned",
            details={"timeout_s": timeout_s},
        ) from None


def _cypher_error(exc: neo4j.exceptions.Neo4jError, timeout_s: float, message: str | None = None) -> GraphkitError:
    """The project's error for an error Neo4j returned (``message``: its message, if rewritten)."""
    import neo4j

    code = exc.code or ""
    message = message or exc.message or str(exc)
    details: dict[str, Any] = {"neo4j_code": code}
    if "TimedOut" in code:
        return QueryTimeout(
            f"the Cypher query ran past its time limit of {timeout_s:g} s and was stopped",
            details={**details, "timeout_s": timeout_s},
        )
    if "MemoryPool" in code or "TransactionOutOfMemory" in code or "MemoryLimit" in code:
        return ResourceLimit(
            "the Cypher query needed more memory than one transaction may use on this server "
            f"(db.memory.transaction.max) and was stopped: {message}",
            details={**details, "limit": "memory"},
        )
    if "OutOfMemory" in code:  # the JVM's own limit: expressions (list comprehensions ...) are not tracked
        return ResourceLimit(
            f"the Cypher query used up the server's memory and was stopped ({message}); build smaller lists",
            details={**details, "limit": "memory"},
        )
    if isinstance(exc, neo4j.exceptions.CypherSyntaxError):
        return QueryRefused(f"the Cypher query does not parse: {message}", details={**details, "reason": "syntax"})
    if code.endswith(".AccessMode") or code.startswith("Neo.ClientError.Security."):
        return QueryRefused(
            f"Cypher updates are refused: this endpoint is read-only ({message})",
            details={**details, "reason": "update"},
        )
    if isinstance(exc, neo4j.exceptions.ClientError):
        return QueryRefused(f"Neo4j refused the query: {message}", details={**details, "reason": "query"})
    return StoreUnavailable(f"Neo4j could not run the query: {message}", details=details)


def plain_value(value: Any) -> Any:
    """A Cypher value as JSON-able data: nodes as ``{"labels", "properties"}``, relationships as
    ``{"type", "properties"}``, a path as the list of its nodes and relationships in order, temporal
    values as ISO 8601 strings, points as ``{"srid", "coordinates"}``; lists and maps recursively."""
    from neo4j.graph import Node, Path, Relationship
    from neo4j.spatial import Point
    from neo4j.time import Date, DateTime, Duration, Time

    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": plain_value(dict(value.items()))}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": plain_value(dict(value.items()))}
    if isinstance(value, Path):
        steps: list[Any] = [plain_value(value.nodes[0])]
        for rel, node in zip(value.relationships, value.nodes[1:], strict=True):
            steps += [plain_value(rel), plain_value(node)]
        return steps
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return value
