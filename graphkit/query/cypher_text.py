"""The Cypher checks (see :mod:`graphkit.query`): the text deny list and the bounds on expressions,
before anything is sent, and the walk of the server's plan (EXPLAIN) against the procedure allow list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphkit.errors import QueryRefused, ResourceLimit

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
# commands that list or stop other users' transactions or list users and privileges. The first
# layer only: the plan check below is what holds procedures to the allow list.
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
#: The procedures an ad-hoc Cypher query may call. Each only reads the schema of the graph (its
#: labels, relationship types, property keys and their shape), which is public like the graph; none
#: touches the server's state, files, the network or other users' transactions. Everything else is
#: refused, among them db.stats.* (starts and stops collection), db.checkpoint, db.awaitIndex(es)
#: (blocks), db.index.fulltext.* and db.info/db.ping (server details), and every dbms.* procedure.
CYPHER_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)
# Plan operators (their name before the "@database") that are commands, not reads of the graph.
_COMMAND_OPERATORS = ("Show", "Terminate", "Administration", "LoadCSV", "SystemProcedureCall")
_PROCEDURE_NAME = re.compile(r"\s*([\w.`]+?)\s*\(")
#: The most values one ``range()`` of an ad-hoc Cypher query may produce (see refuse_unbounded_values).
CYPHER_MAX_RANGE = 1_000_000
_RANGE_CALL = re.compile(r"(?<![\w.$])range\s*\(", re.IGNORECASE)
_REDUCE_CALL = re.compile(r"(?<![\w.$])reduce\s*\(", re.IGNORECASE)
_INTEGER = re.compile(r"\s*([+-]?\d+)\s*")
_UNWIND_BEFORE = re.compile(r"\bUNWIND\s*\Z", re.IGNORECASE)
_AS_AFTER = re.compile(r"\s*AS\b", re.IGNORECASE)


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


def refuse_unbounded_values(text: str) -> None:
    """Raise ResourceLimit for the expressions that build values of any size from a short query.

    Neo4j counts the memory of its operators (collect, ORDER BY, DISTINCT ...) against the
    transaction limit, but not the values of expressions, and a running expression never looks at
    its transaction's time limit: ``size([x IN range(1, 40000000) | x])`` filled a 1 GB heap and
    kept the server in full collections for minutes. So ``reduce()`` (whose accumulator can double
    at each step) is refused, and ``range()`` only runs with integer literal bounds whose ranges
    together (their product: they may be nested) hold at most :data:`CYPHER_MAX_RANGE` values. A
    range that is all of an UNWIND (``UNWIND range(1, 100000000) AS x``) is not counted: Neo4j
    streams it row by row, and rows are held to the time limit and the row and byte caps."""
    masked = _mask_cypher(text)
    if _REDUCE_CALL.search(masked):
        raise ResourceLimit(
            "reduce() is refused: it can build a value of any size, and Neo4j neither counts that memory "
            "against the transaction limit nor stops it at the time limit",
            details={"limit": "values", "function": "reduce"},
        )
    total = 1
    for m in _RANGE_CALL.finditer(masked):
        args, end = _call_arguments(masked, m.end())
        if not (_UNWIND_BEFORE.search(masked, 0, m.start()) and _AS_AFTER.match(masked, end)):
            total *= _range_size(args)
    if total > CYPHER_MAX_RANGE:
        raise ResourceLimit(
            f"range() would build {total:,} values; an ad-hoc query may build at most {CYPHER_MAX_RANGE:,} "
            "(Neo4j does not count the memory of expressions against the transaction limit)",
            details={"limit": "values", "function": "range", "values": total, "max_values": CYPHER_MAX_RANGE},
        )


def _call_arguments(masked: str, start: int) -> tuple[list[str], int]:
    """The top-level arguments of the call whose argument list begins at ``start`` (just after its
    parenthesis), and where the call ends."""
    depth, end, cut, args = 1, start, start, []
    while end < len(masked) and depth:
        char = masked[end]
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if (char == "," and depth == 1) or depth == 0:
            args.append(masked[cut:end])
            cut = end + 1
        end += 1
    return args, end


def _range_size(args: list[str]) -> int:
    """The number of values of ``range(*args)``. The arguments must be integer literals: anything else
    (a parameter, an expression) is refused, as the size is unknown before the query runs."""
    numbers = [int(m.group(1)) for arg in args if (m := _INTEGER.fullmatch(arg))]
    if len(numbers) != len(args) or len(args) not in (2, 3):
        raise ResourceLimit(
            "range() runs here only with integer literal bounds (its size must be known before the query runs), "
            "or as all of an UNWIND",
            details={"limit": "values", "function": "range"},
        )
    first, last, step = numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1
    if step == 0:
        return 0  # Neo4j refuses a zero step itself
    return max(0, (last - first) // step + 1)


def plan_operators(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every operator of a plan (the driver's ``summary.plan``: operatorType, args, children)."""
    todo = [plan]
    while todo:
        op = todo.pop()
        yield op
        todo.extend(op.get("children") or ())


def refuse_plan(plan: dict[str, Any]) -> None:
    """Raise QueryRefused when the server's plan calls a procedure not on :data:`CYPHER_PROCEDURES`
    (its name read from the operator's details; an unreadable name is refused) or holds a command
    operator (SHOW ..., TERMINATE ..., administration, LOAD CSV); ResourceLimit when an operator
    evaluates reduce() (see :func:`refuse_unbounded_values`)."""
    for op in plan_operators(plan):
        operator = str(op.get("operatorType", "")).split("@")[0]
        if _REDUCE_CALL.search(str((op.get("args") or {}).get("Details", ""))):
            raise ResourceLimit(  # the text check refuses it first; this is the server's reading of it
                "reduce() is refused: it can build a value of any size that Neo4j does not count",
                details={"limit": "values", "function": "reduce"},
            )
        if operator.startswith(_COMMAND_OPERATORS):
            raise QueryRefused(
                f"this endpoint reads the graph only and does not run commands ({operator})",
                details={"reason": "not_allowed", "operator": operator},
            )
        if operator == "ProcedureCall":
            details = str((op.get("args") or {}).get("Details", ""))
            m = _PROCEDURE_NAME.match(details)
            name = m.group(1).replace("`", "") if m else details
            if name not in CYPHER_PROCEDURES:
                raise QueryRefused(
                    f"this endpoint calls only the procedures that read the graph's schema "
                    f"({', '.join(sorted(CYPHER_PROCEDURES))}); not {name or 'this one'}",
                    details={"reason": "not_allowed", "procedure": name},
                )
