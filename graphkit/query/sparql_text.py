"""SPARQL layers 1 and 2 of the query guard (see :mod:`graphkit.query`): the text check, run in the
calling process and again in the child, and the check of rdflib's parse and algebra, run in the child."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from graphkit.errors import QueryRefused, ResourceLimit

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# The first keyword of every SPARQL 1.1 update operation (grammar rule Update1); none starts a query.
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

#: Deepest nesting of (), [] and {} a SPARQL query may have. Real queries stay under 15; about 2,500
#: levels crashed Oxigraph's parser, and rdflib's recursive parser needs ~40 Python frames a level.
MAX_NESTING = 64


# -- SPARQL, layer 1: the text ------------------------------------------------------------------
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
# SERVICE as a keyword: not part of a variable (?service), of a prefixed name's local part (ex:SERVICE)
# or of a longer word, and not a prefix itself (service:x). A dot before it is no separator of names
# here (`?o .SERVICE <...>` is a keyword): refusing `ex:a.SERVICE` too is the safe mistake.
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w\-.]*:)(?!\w)", re.IGNORECASE)
_BRACKETS = re.compile(r"[()\[\]{}]")
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


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


def expand_codepoint_escapes(text: str) -> str:
    r"""The query with its ``\uXXXX`` and ``\UXXXXXXXX`` escapes replaced by the characters, as the
    SPARQL grammar (section 19.2) says a parser reads it before anything else.

    >>> expand_codepoint_escapes(r"\u0053ERVICE <x:y>")
    'SERVICE <x:y>'
    """

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= sys.maxunicode else m.group(0)

    return _CODEPOINT_ESCAPE.sub(char, text)


def _readings(text: str) -> tuple[str, ...]:
    """The masked query as written and, when it has escapes, as a parser reads it."""
    expanded = expand_codepoint_escapes(text)
    return (_mask_sparql(text),) if expanded == text else (_mask_sparql(text), _mask_sparql(expanded))


def nesting_depth(masked: str) -> int:
    """The deepest nesting of (), [] and {} in a masked query (closing brackets never go below 0).

    >>> nesting_depth('SELECT * WHERE { FILTER((1)) }')
    3
    """
    depth = deepest = 0
    for m in _BRACKETS.finditer(masked):
        if m.group(0) in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def sparql_operation(text: str) -> str:
    """The first keyword after the prologue (BASE/PREFIX/VERSION declarations), upper-cased: SELECT,
    ASK, CONSTRUCT or DESCRIBE for a query, INSERT, DELETE, LOAD ... for an update, '' if none.

    By the SPARQL grammar this keyword alone tells a query from an update, so an update is known
    without handing it to a parser that would also run it."""
    return _operation(_mask_sparql(text))


def _operation(masked: str) -> str:
    pos = 0
    while m := _PROLOGUE.match(masked, pos):
        pos = m.end()
    m = _KEYWORD.match(masked, pos)
    return m.group(1).upper() if m else ""


def refuse_update(operation: str) -> None:
    """Raise QueryRefused when ``operation`` (a first keyword) starts a SPARQL update."""
    if operation in UPDATE_KEYWORDS:
        raise QueryRefused(
            f"SPARQL updates are refused: this endpoint is read-only and runs only queries "
            f"({', '.join(QUERY_FORMS)}); this request is an update ({operation})",
            details={"reason": "update", "operation": operation},
        )


def _refuse_service() -> QueryRefused:
    return QueryRefused(
        "federated queries (SERVICE) are refused: this endpoint queries only the embedded store",
        details={"reason": "service"},
    )


def refuse_sparql_text(text: str, *, max_nesting: int = MAX_NESTING) -> None:
    """Layer 1: raise ResourceLimit for nesting deeper than ``max_nesting``, QueryRefused for an update
    or the keyword SERVICE, reading the text as written and with its escapes expanded; return for
    anything else (which the parse layer then checks)."""
    for masked in _readings(text):
        depth = nesting_depth(masked)
        if depth > max_nesting:
            raise ResourceLimit(
                f"the query nests brackets {depth} deep; at most {max_nesting} levels are accepted",
                details={"limit": "nesting", "depth": depth, "max_nesting": max_nesting},
            )
        refuse_update(_operation(masked))
        if _SERVICE.search(masked):
            raise _refuse_service()


# -- SPARQL, layer 2: the parsed query ----------------------------------------------------------
def check_sparql_algebra(text: str, prefixes: dict[str, str]) -> None:
    """Layer 2: parse the query with rdflib and walk its parse tree and algebra; raise QueryRefused
    for an update, a SERVICE pattern anywhere (subqueries, OPTIONAL, UNION, MINUS, FILTER EXISTS ...)
    or a query rdflib cannot parse (fail closed: what is not understood is not run).

    The parser expands escapes itself and keeps no state between calls. It recurses deeply (about
    40 frames per nesting level, more for long triple blocks); a RecursionError is refused as too
    complex, so callers that accept the full :data:`MAX_NESTING` run it with a raised recursion
    limit on a large stack (the child does)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
        if _has_service(parsed):
            raise _refuse_service()
        algebra = translateQuery(parsed, initNs=prefixes)
    except ParseBaseException as exc:
        if _is_update(parseUpdate, text):
            raise QueryRefused(
                "SPARQL updates are refused: this endpoint is read-only and runs only queries "
                f"({', '.join(QUERY_FORMS)}); this request parses as an update",
                details={"reason": "update", "operation": "update"},
            ) from None
        raise _syntax_refusal(str(exc.msg), exc.lineno, exc.col) from None
    except RecursionError:
        raise QueryRefused(
            "the query is too deeply nested or too long for the query check to read",
            details={"reason": "too_complex"},
        ) from None
    except QueryRefused:
        raise
    except Exception as exc:  # translateQuery: an unknown prefix, a variable bound twice ...
        raise _syntax_refusal(str(exc), None, None) from None
    if _has_service(algebra.algebra):
        raise _refuse_service()


def _is_update(parse: Callable[[str], Any], text: str) -> bool:
    """Whether rdflib reads ``text`` as an update with at least one operation (an empty text, or one
    with only a prologue, is an empty update to the grammar: it is a syntax error here)."""
    try:
        update = parse(text)
    except Exception:  # pyparsing's errors, RecursionError ...: it does not parse
        return False
    return "request" in update and len(update["request"]) > 0


def _syntax_refusal(message: str, line: int | None, column: int | None) -> QueryRefused:
    details: dict[str, Any] = {"reason": "syntax", "parser_message": message, "parser": "rdflib"}
    where = ""
    if line is not None and column is not None:
        details.update(line=line, column=column)
        where = f" (line {line}, column {column})"
    return QueryRefused(f"the SPARQL query does not parse: {message}{where}", details=details)


def _has_service(root: object) -> bool:
    """Whether any node under ``root`` (rdflib CompValue/Expr trees, ParseResults, lists, dicts) is a
    SERVICE pattern. Iterative, and each object visited once, so depth and shared nodes cost nothing."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    seen: set[int] = set()
    todo: list[object] = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            todo.extend(node.values())
        elif isinstance(node, ParseResults):
            todo.extend(node)
        elif isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list | tuple | set | frozenset):
            todo.extend(node)
    return False
