"""Read-only ad-hoc queries for the API's ``POST /sparql`` and ``POST /cypher``.

Both entry points answer with one :class:`QueryAnswer` (``answer_json`` gives the API's body) and
refuse, with :class:`~graphkit.errors.QueryRefused`, anything that could change a store or reach
outside it; a query that runs past its time limit is stopped and raises
:class:`~graphkit.errors.QueryTimeout`.

- SPARQL (:func:`run_sparql`) runs in a child process (``python -m graphkit.query``) that opens the
  embedded store read-only. pyoxigraph has no query timeout and a running query cannot be
  interrupted from Python, so the only sure way to stop one is to kill the process running it.
  Updates are recognised from the text and never handed to any store: pyoxigraph's ``LOAD`` fetches
  over HTTP even on a throw-away in-memory store. ``SERVICE`` is refused for the same reason: a
  federated query would make the API host send requests wherever the caller points it. Both checks
  read the text with strings, IRIs and comments blanked out; whatever they let through, the child
  only ever calls ``Store.query`` on a store opened read-only, so nothing can be written.
- Cypher (:func:`run_cypher`) runs in a READ access-mode transaction with a server-side timeout;
  Neo4j itself refuses every write in it. A short deny list refuses, before anything is sent, the
  read-mode commands that still reach outside the graph or administer the server (``LOAD CSV``,
  ``dbms.*`` procedures, ``TERMINATE TRANSACTIONS`` ...).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from graphkit.errors import BadParameter, QueryRefused, QueryTimeout, StoreUnavailable

if TYPE_CHECKING:
    import pyoxigraph as ox

    import neo4j

Form = Literal["select", "ask", "graph"]
Term = dict[str, Any]
Row = dict[str, Any]

GRAPH_COLUMNS = ("subject", "predicate", "object", "graph")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# The first keyword of every SPARQL 1.1 update operation (grammar rule Update1); none starts a query.
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


@dataclass(frozen=True)
class QueryAnswer:
    """The answer to one ad-hoc query.

    ``rows`` map each column to a value: for SPARQL a term in the style of the SPARQL 1.1 JSON results
    format (``{"type": "uri"|"literal"|"bnode"|"triple", "value": ..., "datatype"?, "xml:lang"?}``) or
    None when unbound; for Cypher plain JSON-able data. ``truncated`` says more than the row cap
    existed (``rows`` then holds exactly the cap); ``boolean`` is set for ASK only; ``elapsed_ms`` is
    the wall-clock time of the whole call (for SPARQL it includes starting the child process).
    """

    form: Form
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    boolean: bool | None
    truncated: bool
    elapsed_ms: float


def answer_json(a: QueryAnswer) -> dict[str, Any]:
    """The API's response body for an answer."""
    return {
        "form": a.form,
        "columns": list(a.columns),
        "data": list(a.rows),
        "count": len(a.rows),
        "truncated": a.truncated,
        "boolean": a.boolean,
        "elapsed_ms": a.elapsed_ms,
    }


def _check_limits(timeout_s: float, row_cap: int) -> None:
    """Refuse limits that cannot be honoured (a zero timeout would stop every query at once)."""
    if not timeout_s > 0:
        raise BadParameter(f"timeout_s must be positive, got {timeout_s}", details={"timeout_s": timeout_s})
    if row_cap < 0:
        raise BadParameter(f"row_cap must not be negative, got {row_cap}", details={"row_cap": row_cap})


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)


# -- SPARQL: what the text asks for -------------------------------------------------------------
# Strings, IRIs, escapes in prefixed names (ex:a\#b) and comments, whose content must never be read
# as keywords. IRIs and strings are kept as empty `<>` / `""` so that the prologue can still be
# recognised, an escape becomes `_` (it stays part of its name), a comment a space. An unterminated
# string runs to the end of its line (of the text for a long string): the parser rejects it anyway,
# and matching it so keeps the scan linear.
_SPARQL_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:""")?'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:''')?"
    r'|"(?:[^"\\\n\r]|\\.)*"?'
    r"|'(?:[^'\\\n\r]|\\.)*'?"
    r'|<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>'  # oxigraph reads \u escapes in IRIs
    r"|\\."
    r"|\#[^\n\r]*",
    re.DOTALL,
)
_PROLOGUE = re.compile(r'\s*(?:BASE\s*<>|PREFIX\s*[^\s:]*:\s*<>|VERSION\s*"")', re.IGNORECASE)
_KEYWORD = re.compile(r"\s*([A-Za-z]+)")
_SERVICE = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:\-])", re.IGNORECASE)
_PARSER_POSITION = re.compile(r"error at (\d+):(\d+)")


def _mask_sparql(text: str) -> str:
    """The query with string, IRI and comment contents blanked out."""

    def blank(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith("#"):
            return " "
        if token.startswith("\\"):
            return "_"
        return "<>" if token.startswith("<") else '""'

    return _SPARQL_OPAQUE.sub(blank, text)


def sparql_operation(text: str) -> str:
    """The first keyword after the prologue (BASE/PREFIX/VERSION declarations), upper-cased: SELECT,
    ASK, CONSTRUCT or DESCRIBE for a query, INSERT, DELETE, LOAD ... for an update, '' if none.

    By the SPARQL grammar this keyword alone tells a query from an update, so an update is known
    without handing it to a parser that would also run it."""
    masked = _mask_sparql(text)
    pos = 0
    while m := _PROLOGUE.match(masked, pos):
        pos = m.end()
    m = _KEYWORD.match(masked, pos)
    return m.group(1).upper() if m else ""


def refuse_sparql_update(text: str) -> None:
    """Raise QueryRefused for a SPARQL update or a federated (SERVICE) query; return for anything
    else, which the store's parser then accepts as a query or rejects with its own message."""
    operation = sparql_operation(text)
    if operation in UPDATE_KEYWORDS:
        raise QueryRefused(
            f"SPARQL updates are refused: this endpoint is read-only and runs only queries "
            f"({', '.join(QUERY_FORMS)}); this request is an update ({operation})",
            details={"reason": "update", "operation": operation},
        )
    if _SERVICE.search(_mask_sparql(text)):
        raise QueryRefused(
            "federated queries (SERVICE) are refused: this endpoint queries only the embedded store",
            details={"reason": "service"},
        )


# -- SPARQL: the child process ------------------------------------------------------------------
def run_sparql(store_path: Path, query: str, *, timeout_s: float = 30.0, row_cap: int = 10_000) -> QueryAnswer:
    """Run one read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the embedded store at
    ``store_path``, over the union of its graphs, with the project's prefixes predeclared.

    The query runs in a child process that is killed when ``timeout_s`` (counted from its start)
    passes; at most ``row_cap`` rows come back. Raises QueryRefused for an update, a SERVICE clause or
    a syntax error, QueryTimeout when the time limit is hit, StoreUnavailable when the store cannot
    be opened.
    """
    from graphkit.namespaces import PREFIXES

    _check_limits(timeout_s, row_cap)
    refuse_sparql_update(query)
    path = Path(store_path)
    if not path.is_dir():
        raise StoreUnavailable(f"no embedded store at {path}; run `graphkit build` first")
    request = {"store": str(path), "query": query, "prefixes": PREFIXES, "limit": row_cap + 1}
    started = time.monotonic()
    reply = _call_child(request, timeout_s)
    return _sparql_answer(reply, row_cap, _elapsed_ms(started))


def _call_child(request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Send the request to a new ``python -m graphkit.query`` and read its one JSON reply; kill and
    reap it when the time limit passes (or anything interrupts the wait)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphkit.query"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(json.dumps(request).encode("utf-8"), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise QueryTimeout(
            f"the SPARQL query ran past its time limit of {timeout_s:g} s and was stopped",
            details={"timeout_s": timeout_s},
        ) from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    try:
        reply: dict[str, Any] = json.loads(out)
    except ValueError:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise RuntimeError(f"the SPARQL query process failed (exit {proc.returncode}): " + "\n".join(tail)) from None
    return reply


def _sparql_answer(reply: dict[str, Any], row_cap: int, elapsed_ms: float) -> QueryAnswer:
    """The answer from the child's reply, or the error it reports."""
    if not reply["ok"]:
        _raise_child_error(reply["kind"], reply["message"])
    rows = reply["rows"]
    return QueryAnswer(
        form=reply["form"],
        columns=tuple(reply["columns"]),
        rows=tuple(rows[:row_cap]),
        boolean=reply["boolean"],
        truncated=len(rows) > row_cap,
        elapsed_ms=elapsed_ms,
    )


def _raise_child_error(kind: str, message: str) -> None:
    """Turn an error the child caught into the project's error."""
    if kind == "syntax":
        details: dict[str, Any] = {"reason": "syntax", "parser_message": message}
        if m := _PARSER_POSITION.search(message):
            details.update(line=int(m.group(1)), column=int(m.group(2)))
        raise QueryRefused(f"the SPARQL query does not parse: {message}", details=details)
    if kind == "evaluation":
        raise QueryRefused(f"the SPARQL query could not be evaluated: {message}", details={"reason": "evaluation"})
    raise StoreUnavailable(f"the embedded store could not be read: {message}")


def _child_main() -> int:
    """Entry point of the child: one JSON request on stdin, one JSON reply on stdout."""
    request = json.loads(sys.stdin.buffer.read())
    reply = _execute_sparql(request["store"], request["query"], request["prefixes"], request["limit"])
    sys.stdout.buffer.write(json.dumps(reply).encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def _execute_sparql(store: str, query: str, prefixes: dict[str, str], limit: int) -> dict[str, Any]:
    """Open the store read-only, run the query and encode at most ``limit`` results (the child's
    work, in-process: no time limit here). Errors come back as ``{"ok": False, "kind", "message"}``."""
    import pyoxigraph as ox

    try:
        db = ox.Store.read_only(store)
    except OSError as exc:
        return {"ok": False, "kind": "store", "message": str(exc)}
    try:
        result = db.query(query, prefixes=prefixes, use_default_graph_as_union=True)
        return {"ok": True, **_encode_result(result, limit)}
    except SyntaxError as exc:
        return {"ok": False, "kind": "syntax", "message": str(exc)}
    except OSError as exc:
        return {"ok": False, "kind": "store", "message": str(exc)}
    except (RuntimeError, ValueError) as exc:  # e.g. an unsupported function: the query's fault
        return {"ok": False, "kind": "evaluation", "message": str(exc)}


def _encode_result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, limit: int) -> dict[str, Any]:
    """Form, columns, rows (at most ``limit``, read lazily) and boolean of one query result."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return {"form": "ask", "columns": [], "rows": [], "boolean": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [{name: _term_json(solution[name]) for name in names} for solution in itertools.islice(result, limit)]
        return {"form": "select", "columns": names, "rows": rows, "boolean": None}
    triples = [
        {
            "subject": _term_json(t.subject),
            "predicate": _term_json(t.predicate),
            "object": _term_json(t.object),
            "graph": None,
        }
        for t in itertools.islice(result, limit)
    ]
    return {"form": "graph", "columns": list(GRAPH_COLUMNS), "rows": triples, "boolean": None}


def _term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Term | None:
    """One RDF term as in the SPARQL 1.1 JSON results format (a triple term as in SPARQL 1.2:
    its value is an object with subject, predicate and object)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: Term = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction)  # "ltr" or "rtl"
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING, RDF_DIR_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        },
    }


# -- Cypher -------------------------------------------------------------------------------------
# Comments become a space, strings an empty string; backquoted names lose their quotes, so that
# CALL `dbms`.`listConfig`() reads as dbms.listConfig.
# Unterminated ones run to the end of the text (the server rejects them anyway; the scan stays linear).
_CYPHER_OPAQUE = re.compile(
    r"//[^\n\r]*"
    r"|/\*(?:.*?\*/|.*)"
    r'|"(?:[^"\\]|\\.)*"?'
    r"|'(?:[^'\\]|\\.)*'?"
    r"|`(?:[^`]|``)*`?",
    re.DOTALL,
)
# What a READ transaction still lets through but an ad-hoc query endpoint must not run: reading
# server files and URLs, procedures that read the configuration or change server state, and the
# commands that list or stop other users' transactions or list users and privileges.
CYPHER_DENY: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("LOAD CSV", r"\bLOAD\s+CSV\b"),
        ("dbms.* procedures", r"(?<![\w.])dbms\s*\."),
        ("db.create* / db.clear* procedures", r"(?<![\w.])db\s*\.\s*(?:create|clear)"),
        ("apoc.* procedures", r"(?<![\w.])apoc\s*\."),
        ("gds.* procedures", r"(?<![\w.])gds\s*\."),
        ("TERMINATE TRANSACTIONS", r"\bTERMINATE\b"),
        (
            "SHOW TRANSACTIONS / SETTINGS / USERS / ROLES / PRIVILEGES / SERVERS",
            r"\bSHOW\s+(?:\w+\s+){0,2}?(?:TRANSACTIONS?|SETTINGS?|USERS?|ROLES?|PRIVILEGES?|SERVERS?)\b",
        ),
    )
)


def _mask_cypher(text: str) -> str:
    """The query with comments and string literals blanked out and backquotes removed."""

    def blank(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith("`"):
            return token[1:-1].replace("``", "`")
        return " " if token.startswith("/") else "''"

    return _CYPHER_OPAQUE.sub(blank, text)


def refuse_denied_cypher(text: str) -> None:
    """Raise QueryRefused when the query uses anything on :data:`CYPHER_DENY`."""
    masked = _mask_cypher(text)
    for name, pattern in CYPHER_DENY:
        if pattern.search(masked):
            raise QueryRefused(
                f"this endpoint is read-only and does not run {name}",
                details={"reason": "denied", "denied": name},
            )


def run_cypher(
    driver: neo4j.Driver,
    database: str,
    query: str,
    parameters: dict[str, Any] | None = None,
    *,
    timeout_s: float = 30.0,
    row_cap: int = 10_000,
) -> QueryAnswer:
    """Run one read-only Cypher query on ``database`` in a READ transaction that the server stops
    after ``timeout_s``; at most ``row_cap`` records come back, as plain JSON-able data.

    Raises QueryRefused for a write (Neo4j refuses it in read mode), anything on the deny list, a
    syntax error or any other error the server blames on the query; QueryTimeout when the time limit
    is hit; StoreUnavailable when the server cannot be reached.
    """
    import neo4j

    _check_limits(timeout_s, row_cap)
    refuse_denied_cypher(query)
    started = time.monotonic()
    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            tx = session.begin_transaction(timeout=timeout_s)
            try:
                result = tx.run(query, parameters or {})
                columns = tuple(result.keys())
                records = result.fetch(row_cap + 1)
            finally:
                tx.close()  # rolls back: nothing is ever committed
    except neo4j.exceptions.Neo4jError as exc:
        raise _cypher_error(exc, timeout_s) from exc
    except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
        raise StoreUnavailable(f"Neo4j could not be reached: {exc}") from exc
    rows = tuple({key: plain_value(record[key]) for key in columns} for record in records[:row_cap])
    return QueryAnswer(
        form="select",
        columns=columns,
        rows=rows,
        boolean=None,
        truncated=len(records) > row_cap,
        elapsed_ms=_elapsed_ms(started),
    )


def _cypher_error(exc: neo4j.exceptions.Neo4jError, timeout_s: float) -> Exception:
    """The project's error for an error Neo4j returned."""
    import neo4j

    code = exc.code or ""
    message = exc.message or str(exc)
    details: dict[str, Any] = {"neo4j_code": code}
    if "TimedOut" in code:
        return QueryTimeout(
            f"the Cypher query ran past its time limit of {timeout_s:g} s and was stopped",
            details={**details, "timeout_s": timeout_s},
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


if __name__ == "__main__":
    raise SystemExit(_child_main())
