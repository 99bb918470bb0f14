"""Read-only ad-hoc queries for the API's ``POST /sparql`` and ``POST /cypher``.

Both entry points answer with one :class:`QueryAnswer` (``answer_json`` gives the API's body) and
refuse, with :class:`~graphkit.errors.QueryRefused`, anything that could change a store or reach
outside it. A query that runs past its time limit is stopped (:class:`~graphkit.errors.QueryTimeout`);
one that goes past a memory, answer-size or nesting limit is stopped with
:class:`~graphkit.errors.ResourceLimit`, the limit named in its message and details.

SPARQL (:func:`run_sparql`, :func:`run_sparql_async`) is checked in three layers, each enough on its
own to stop a federated query:

1. the text, in the calling process: brackets nested deeper than :data:`MAX_NESTING` (deep nesting
   made Oxigraph's parser overflow its stack and crash), an update keyword, or the word ``SERVICE``
   outside strings, IRIs and comments, read both as written and with the ``\\uXXXX`` escapes expanded
   (SPARQL expands them over the whole query before parsing);
2. the parsed query, in the child process: rdflib parses it (``parseQuery``/``translateQuery``) and
   every node of its algebra is walked; a ``ServiceGraphPattern`` anywhere, or an update, is refused.
   A query rdflib cannot parse is refused too (fail closed), even if Oxigraph might accept it;
3. the child process itself (``python -m graphkit.query``) cannot open a socket: before it reads the
   query it installs a seccomp filter that makes ``socket()``, ``socketpair()`` and
   ``io_uring_setup()`` fail with EACCES, and caps its address space (RLIMIT_AS). When the filter
   cannot be installed (another architecture, no seccomp) the child runs no query at all.

pyoxigraph's ``LOAD`` and ``SERVICE`` fetch over HTTP even from an in-memory store, so none of these
layers trusts the others. The parse runs in the child, not here, because rdflib's parser can take
minutes on some 20 KB queries: there it is bounded by the time and memory limits like the query.
The time limit covers the whole request (child start, parse, query, encoding); the child is killed
at it. The child stops encoding, and the parent stops reading, past ``max_bytes`` of answer.

Cypher (:func:`run_cypher`, :func:`run_cypher_async`) runs in a READ access-mode transaction with a
server-side timeout; Neo4j itself refuses every write in it. A short text deny list refuses, before
anything is sent, what reaches outside the graph (``LOAD CSV``, ``dbms.*`` ...); then, in the same
transaction, the server's own plan of the query (``EXPLAIN``) is walked: every procedure it calls must
be on :data:`CYPHER_PROCEDURES`, and no operator may be a ``SHOW``/``TERMINATE``/administration command
or ``LOAD CSV``. The server caps each transaction's tracked memory (see graphkit.neo4j_runtime); what
it does not track, the values of expressions, is bounded here: ``reduce()`` is refused and
``range()`` held to :data:`CYPHER_MAX_RANGE` values (:func:`refuse_unbounded_values`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import errno
import json
import os
import platform
import re
import resource
import signal
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from graphkit.errors import BadParameter, GraphkitError, QueryRefused, QueryTimeout, ResourceLimit, StoreUnavailable

if TYPE_CHECKING:
    import pyoxigraph as ox

    import neo4j

Form = Literal["select", "ask", "graph"]
Term = dict[str, Any]
Row = dict[str, Any]
T = TypeVar("T")

GRAPH_COLUMNS = ("subject", "predicate", "object", "graph")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# The first keyword of every SPARQL 1.1 update operation (grammar rule Update1); none starts a query.
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

#: Deepest nesting of (), [] and {} a SPARQL query may have. Real queries stay under 15; about 2,500
#: levels crashed Oxigraph's parser, and rdflib's recursive parser needs ~40 Python frames a level.
MAX_NESTING = 64
#: Address-space cap of the SPARQL child. Opening the national store read-only and running the
#: documented queries takes a VmPeak of about 320 MB (RSS 50-110 MB); the rest is room for the query.
DEFAULT_MEMORY_MB = 1536
#: The largest answer (its JSON) a query may give; past it the query is stopped with ResourceLimit.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: What the parent reads beyond max_bytes (the reply's envelope) before it stops reading.
REPLY_MARGIN = 64 * 1024
#: The child's rdflib parse runs on a thread with this stack and recursion limit (a 1,800-triple
#: block or 64 nested parentheses need 2,500-15,000 frames; the parser's frames are Python frames,
#: which take almost no C stack: 8 MB was enough in trials, 32 MB leaves room).
GUARD_STACK_MB = 32
GUARD_RECURSION_LIMIT = 100_000
#: Set in the child's environment: glibc reserves 64 MB of address space per thread arena, which
#: the address-space cap counts; two arenas halve the child's baseline (VmPeak 645 -> 317 MB on the
#: national store) without changing what it really uses.
CHILD_MALLOC_ARENAS = "2"
#: The child's niceness: a query that keeps every core busy must not slow the server that started it
#: (on 2 cores, two sorting children held /health's event loop up to 60 ms at the same priority).
CHILD_NICENESS = 10
#: Replies larger than this are decoded on a worker thread, so that the event loop stays free.
DECODE_ON_LOOP_BYTES = 256 * 1024
STDERR_TAIL = 16 * 1024
PEAK_SAMPLE_S = 0.02


@dataclass(frozen=True)
class QueryAnswer:
    """The answer to one ad-hoc query.

    ``rows`` map each column to a value: for SPARQL a term in the style of the SPARQL 1.1 JSON results
    format (``{"type": "uri"|"literal"|"bnode"|"triple", "value": ..., "datatype"?, "xml:lang"?}``) or
    None when unbound; for Cypher plain JSON-able data. ``truncated`` says more than the row cap
    existed (``rows`` then holds exactly the cap); ``boolean`` is set for ASK only; ``elapsed_ms`` is
    the wall-clock time of the whole call (for SPARQL it includes starting the child process);
    ``peak_rss_kb`` is the SPARQL child's peak resident memory (None for Cypher).
    """

    form: Form
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    boolean: bool | None
    truncated: bool
    elapsed_ms: float
    peak_rss_kb: int | None = None


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


def _check_limits(timeout_s: float, row_cap: int, max_bytes: int, memory_mb: int = DEFAULT_MEMORY_MB) -> None:
    """Refuse limits that cannot be honoured (a zero timeout would stop every query at once; NaN
    compares false with everything, so each test is written to fail for it)."""
    if not 0 < timeout_s < float("inf"):
        raise BadParameter(f"timeout_s must be a positive number, got {timeout_s}", details={"timeout_s": timeout_s})
    if row_cap < 0:
        raise BadParameter(f"row_cap must not be negative, got {row_cap}", details={"row_cap": row_cap})
    if max_bytes < 1024:
        raise BadParameter(f"max_bytes must be at least 1024, got {max_bytes}", details={"max_bytes": max_bytes})
    if memory_mb < 256:
        raise BadParameter(f"memory_mb must be at least 256, got {memory_mb}", details={"memory_mb": memory_mb})


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)


def _too_big(max_bytes: int) -> ResourceLimit:
    return ResourceLimit(
        f"the answer is larger than the {max_bytes:,} bytes one query may return; ask for fewer rows "
        "(LIMIT) or fewer and shorter columns",
        details={"limit": "bytes", "max_bytes": max_bytes},
    )


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
_OXIGRAPH_POSITION = re.compile(r"error at (\d+):(\d+)")


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


def check_sparql(text: str, prefixes: dict[str, str], *, max_nesting: int = MAX_NESTING) -> None:
    """Both checks of a SPARQL query, text then parse: returns only for a read-only, local query."""
    refuse_sparql_text(text, max_nesting=max_nesting)
    check_sparql_algebra(text, prefixes)


# -- SPARQL, layer 3: the child's sandbox -------------------------------------------------------
class SandboxUnavailable(RuntimeError):
    """The child could not cap its memory or forbid sockets, so it must not run the query."""


# Linux prctl(2) and seccomp(2) constants (include/uapi/linux/prctl.h, seccomp.h, audit.h).
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
_DATA_NR, _DATA_ARCH = 0, 4
# classic BPF instructions used below: load a 32-bit word at an offset, compare with a constant, return
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
#: x86_64 system calls the child may not make: every socket (of any family: the child needs none)
#: and io_uring, whose IORING_OP_SOCKET would create one without the socket() call.
DENIED_SYSCALLS_X86_64 = {"socket": 41, "socketpair": 53, "io_uring_setup": 425}


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def network_filter() -> list[tuple[int, int, int, int]]:
    """The seccomp BPF program, as (code, jump if true, jump if false, constant) instructions.

    A jump skips that many instructions after the next one. Calls of another ABI (i386 through
    int 0x80) kill the process; x32 calls and the denied calls fail with EACCES; the rest run.

    >>> len(network_filter()), network_filter()[-1] == (0x06, 0, 0, 0x00050000 | 13)
    (10, True)
    """
    denied = list(DENIED_SYSCALLS_X86_64.values())
    n = len(denied)
    return [
        (_BPF_LD_W_ABS, 0, 0, _DATA_ARCH),
        (_BPF_JEQ_K, 1, 0, _AUDIT_ARCH_X86_64),  # x86_64: skip the next instruction
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),
        (_BPF_LD_W_ABS, 0, 0, _DATA_NR),
        (_BPF_JGE_K, n + 1, 0, _X32_SYSCALL_BIT),  # an x32 call: to the EACCES at the end
        *((_BPF_JEQ_K, n - i, 0, nr) for i, nr in enumerate(denied)),  # each denied call: to the EACCES
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EACCES),
    ]


def forbid_sockets() -> None:
    """Install :func:`network_filter` on this process (all its later threads inherit it) and check
    that a socket can no longer be opened. Raises SandboxUnavailable if any step fails: the caller
    must then not run the query. Call it while the process has one thread."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        raise SandboxUnavailable(
            f"the socket filter is written for Linux x86_64, not {sys.platform} {platform.machine()}"
        )
    if threading.active_count() != 1:
        raise SandboxUnavailable("the socket filter must be installed before any thread starts")
    program = network_filter()
    instructions = (_SockFilter * len(program))(*(_SockFilter(*ins) for ins in program))
    fprog = _SockFprog(len(program), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    ulong = ctypes.c_ulong
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno())}")
    if libc.prctl(_PR_SET_SECCOMP, ulong(_SECCOMP_MODE_FILTER), ctypes.byref(fprog), ulong(0), ulong(0)) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(ctypes.get_errno())}")
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return
    raise SandboxUnavailable("the socket filter was installed but a socket could still be opened")


def cap_memory(memory_mb: int) -> None:
    """Cap this process's address space at ``memory_mb`` and forbid core dumps (an aborted child of
    1.5 GB must not leave one behind). Raises SandboxUnavailable if the limits cannot be set."""
    cap = memory_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        raise SandboxUnavailable(f"the memory cap could not be set: {exc}") from exc


def enter_sandbox(memory_mb: int) -> None:
    """Everything the child does before it reads the query: a lower CPU priority, the memory cap, then
    the socket filter."""
    os.nice(CHILD_NICENESS)
    cap_memory(memory_mb)
    forbid_sockets()


# -- SPARQL: the parent ---------------------------------------------------------------------------
async def run_sparql_async(
    store_path: Path,
    query: str,
    *,
    timeout_s: float = 30.0,
    row_cap: int = 10_000,
    max_bytes: int = DEFAULT_MAX_BYTES,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> QueryAnswer:
    """Run one read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the embedded store at
    ``store_path``, over the union of its graphs, with the project's prefixes predeclared.

    The query runs in a sandboxed child process that is killed when ``timeout_s`` has passed since
    this call began, or when the task awaiting it is cancelled; at most ``row_cap`` rows come back.
    Raises QueryRefused for an update, a SERVICE clause, a syntax error or an evaluation error;
    QueryTimeout at the time limit; ResourceLimit past the nesting cap, the memory cap (``memory_mb``,
    the child's address space) or ``max_bytes`` of answer, or when the child dies by a signal;
    StoreUnavailable when the store cannot be opened or the sandbox cannot be set up.
    """
    from graphkit.namespaces import PREFIXES

    started = time.monotonic()
    _check_limits(timeout_s, row_cap, max_bytes, memory_mb)
    refuse_sparql_text(query)
    path = Path(store_path)
    if not path.is_dir():
        raise StoreUnavailable(f"no embedded store at {path}; run `graphkit build` first")
    request = {
        "store": str(path),
        "query": query,
        "prefixes": PREFIXES,
        "limit": row_cap + 1,
        "max_bytes": max_bytes,
    }
    reply, peak_kb = await _call_child(request, started + timeout_s, timeout_s, max_bytes, memory_mb)
    return _sparql_answer(reply, row_cap, _elapsed_ms(started), peak_kb)


def run_sparql(
    store_path: Path,
    query: str,
    *,
    timeout_s: float = 30.0,
    row_cap: int = 10_000,
    max_bytes: int = DEFAULT_MAX_BYTES,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> QueryAnswer:
    """:func:`run_sparql_async` for synchronous callers (the CLI, worker threads): the same limits."""
    return run_blocking(
        lambda: run_sparql_async(
            store_path, query, timeout_s=timeout_s, row_cap=row_cap, max_bytes=max_bytes, memory_mb=memory_mb
        )
    )


def run_blocking(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end from synchronous code: on a new event loop in this thread, or on a
    new thread when this one already runs a loop (a coroutine calling the synchronous API)."""

    async def main() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(main())
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="graphkit-query")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _call_child(
    request: dict[str, Any], deadline: float, timeout_s: float, max_bytes: int, memory_mb: int
) -> tuple[dict[str, Any], int]:
    """Start ``python -m graphkit.query``, send the request, read its one JSON reply (at most
    max_bytes + REPLY_MARGIN bytes) and its peak memory; kill and reap it at the deadline, on
    cancellation, or when the reply is too big."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "graphkit.query", "--memory-mb", str(memory_mb),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "MALLOC_ARENA_MAX": CHILD_MALLOC_ARENAS},
    )  # fmt: skip
    peak = _PeakMemory(proc.pid)
    sampler = asyncio.create_task(peak.follow(proc))
    payload = json.dumps(request).encode("utf-8")
    try:
        out, err = await asyncio.wait_for(
            _exchange(proc, payload, max_bytes + REPLY_MARGIN), timeout=max(deadline - time.monotonic(), 0.001)
        )
    except TimeoutError:
        raise QueryTimeout(
            f"the SPARQL query ran past its time limit of {timeout_s:g} s and was stopped",
            details={"timeout_s": timeout_s},
        ) from None
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(proc.wait())
        sampler.cancel()
    if out is None:
        raise _too_big(max_bytes)
    if len(out) > DECODE_ON_LOOP_BYTES:  # megabytes of JSON take a while to decode: not on the event loop
        return await asyncio.to_thread(_child_reply, out, err, proc.returncode, memory_mb, peak.kb), peak.kb
    return _child_reply(out, err, proc.returncode, memory_mb, peak.kb), peak.kb


async def _exchange(proc: asyncio.subprocess.Process, payload: bytes, cap: int) -> tuple[bytes | None, bytes]:
    """Feed the child and read both its outputs together until it exits. The stdout is None when it
    passed ``cap`` bytes (the child is then killed); of stderr only the last STDERR_TAIL bytes stay."""
    assert proc.stdin and proc.stdout and proc.stderr
    out, err, _ = await asyncio.gather(
        _read_capped(proc.stdout, cap, proc), _read_tail(proc.stderr, STDERR_TAIL), _feed(proc.stdin, payload)
    )
    await proc.wait()
    return out, err


async def _feed(stream: asyncio.StreamWriter, payload: bytes) -> None:
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        stream.write(payload)
        await stream.drain()
        stream.close()
        await stream.wait_closed()


async def _read_capped(stream: asyncio.StreamReader, cap: int, proc: asyncio.subprocess.Process) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(1 << 16):
        size += len(chunk)
        if size > cap:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_tail(stream: asyncio.StreamReader, keep: int) -> bytes:
    tail = b""
    while chunk := await stream.read(1 << 16):
        tail = (tail + chunk)[-keep:]
    return tail


class _PeakMemory:
    """The highest resident memory (VmHWM, kB) a running process has reached, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.status = Path(f"/proc/{pid}/status")
        self.kb = 0

    def sample(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in self.status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.kb = max(self.kb, int(line.split()[1]))

    async def follow(self, proc: asyncio.subprocess.Process) -> None:
        while proc.returncode is None:
            self.sample()
            await asyncio.sleep(PEAK_SAMPLE_S)


def _child_reply(out: bytes, err: bytes, returncode: int | None, memory_mb: int, peak_kb: int) -> dict[str, Any]:
    """The child's reply; a child that died without one is turned into the project's error."""
    try:
        reply: dict[str, Any] = json.loads(out)
    except ValueError:
        raise _child_failure(returncode, err.decode("utf-8", "replace"), memory_mb, peak_kb) from None
    return reply


# What a child under its address-space cap prints when an allocation fails: Rust's abort, Python's
# error, and RocksDB's (C++) when a thread's stack cannot be mapped.
_OUT_OF_MEMORY = ("memory allocation of", "MemoryError", "Resource temporarily unavailable", "failed to spawn thread")


def _child_failure(returncode: int | None, stderr: str, memory_mb: int, peak_kb: int) -> GraphkitError:
    """What a child that gave no reply ran into: the memory cap (Rust aborts on a failed allocation,
    Python raises MemoryError, the kernel's OOM killer sends SIGKILL), another signal (a crash), or
    something else, which is the store's side."""
    peak_mb = round(peak_kb / 1024)
    memory = ResourceLimit(
        f"the SPARQL query needed more than the {memory_mb} MB of memory a query may use and was stopped",
        details={"limit": "memory", "memory_mb": memory_mb, "peak_rss_mb": peak_mb},
    )
    if any(sign in stderr for sign in _OUT_OF_MEMORY):
        return memory
    if returncode is not None and returncode < 0:
        name = _signal_name(-returncode)
        if name == "SIGKILL":
            memory.details["signal"] = name
            return memory
        return ResourceLimit(
            f"the SPARQL query process was stopped by {name} (a crash; the query may be too complex)",
            details={"limit": "crash", "signal": name, "peak_rss_mb": peak_mb},
        )
    tail = "\n".join(stderr.strip().splitlines()[-5:])
    return StoreUnavailable(f"the SPARQL query process failed (exit {returncode}): {tail}")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _sparql_answer(reply: dict[str, Any], row_cap: int, elapsed_ms: float, peak_kb: int) -> QueryAnswer:
    """The answer from the child's reply, or the error it reports."""
    if not reply["ok"]:
        raise _child_error(reply)
    rows = reply["rows"]
    return QueryAnswer(
        form=reply["form"],
        columns=tuple(reply["columns"]),
        rows=tuple(rows[:row_cap]),
        boolean=reply["boolean"],
        truncated=len(rows) > row_cap,
        elapsed_ms=elapsed_ms,
        peak_rss_kb=max(peak_kb, int(reply.get("peak_rss_kb", 0))),
    )


def _child_error(reply: dict[str, Any]) -> GraphkitError:
    """The project's error for an error the child caught."""
    kind, message = reply["kind"], reply["message"]
    details: dict[str, Any] = reply.get("details") or {}
    if kind == "refused":
        return QueryRefused(message, details=details)
    if kind == "nesting":
        return ResourceLimit(message, details=details)
    if kind == "syntax":
        details = {"reason": "syntax", "parser_message": message}
        if m := _OXIGRAPH_POSITION.search(message):
            details.update(line=int(m.group(1)), column=int(m.group(2)))
        return QueryRefused(f"the SPARQL query does not parse: {message}", details=details)
    if kind == "evaluation":
        return QueryRefused(f"the SPARQL query could not be evaluated: {message}", details={"reason": "evaluation"})
    if kind == "too_big":
        return _too_big(int(details["max_bytes"]))
    if kind == "memory":
        return ResourceLimit(message, details=details)
    if kind == "sandbox":
        return StoreUnavailable(f"the SPARQL sandbox could not be set up, so no query is run: {message}")
    return StoreUnavailable(f"the embedded store could not be read: {message}")


# -- SPARQL: the child ----------------------------------------------------------------------------
def _child_main(argv: list[str]) -> int:
    """Entry point of the child: sandbox first, then one JSON request on stdin, one JSON reply on
    stdout. ``argv`` is ``["--memory-mb", N]``."""
    memory_mb = int(argv[argv.index("--memory-mb") + 1]) if "--memory-mb" in argv else DEFAULT_MEMORY_MB
    try:
        enter_sandbox(memory_mb)
    except SandboxUnavailable as exc:
        return _reply(_error("sandbox", str(exc)))
    request = json.loads(sys.stdin.buffer.read())
    try:
        refusal = _guard(request["query"], request["prefixes"])
        if refusal is not None:
            return _reply(refusal)
        return _reply(
            _execute_sparql(
                request["store"], request["query"], request["prefixes"], request["limit"], request["max_bytes"]
            )
        )
    except MemoryError:
        return _reply(
            _error(
                "memory",
                f"the SPARQL query needed more than the {memory_mb} MB of memory a query may use and was stopped",
                {"limit": "memory", "memory_mb": memory_mb},
            )
        )


def _reply(text: str) -> int:
    sys.stdout.buffer.write(text.encode("ascii"))
    sys.stdout.buffer.flush()
    return 0


def _error(kind: str, message: str, details: dict[str, Any] | None = None) -> str:
    return json.dumps({"ok": False, "kind": kind, "message": message, "details": details or {}, **_peak()})


def _peak() -> dict[str, int]:
    """The child's own highest resident memory: VmHWM of its address space, which starts afresh at exec
    (ru_maxrss does not: Linux carries it over from the parent that forked the child, so a child of a large
    server would report the server's size)."""
    peak = _PeakMemory(os.getpid())
    peak.sample()
    return {"peak_rss_kb": peak.kb}


def _guard(query: str, prefixes: dict[str, str]) -> str | None:
    """Both checks, in the child (rdflib's parse on a large stack): None when the query may run,
    else the refusal as a reply. When rdflib cannot parse a query Oxigraph cannot parse either, the
    message is Oxigraph's (the engine the caller writes for); the query is refused either way."""
    try:
        refuse_sparql_text(query)
        sys.setrecursionlimit(max(sys.getrecursionlimit(), GUARD_RECURSION_LIMIT))
        _on_large_stack(check_sparql_algebra, query, prefixes)
    except ResourceLimit as exc:
        return _error("nesting", exc.message, exc.details)
    except QueryRefused as exc:
        if exc.details.get("reason") != "syntax":
            return _error("refused", exc.message, exc.details)
        if oxigraph := _oxigraph_syntax_error(query, prefixes):
            return _error("syntax", oxigraph)
        return _error(
            "refused",
            "the SPARQL query uses syntax the query check (rdflib, SPARQL 1.1) cannot read, so it is not run: "
            + exc.details["parser_message"],
            {**exc.details, "reason": "unchecked_syntax"},
        )
    return None


def _oxigraph_syntax_error(query: str, prefixes: dict[str, str]) -> str | None:
    """Oxigraph's parse error for a query, or None when it parses. Asked of an empty in-memory store
    inside the sandbox: nothing to read and no network."""
    import pyoxigraph as ox

    try:
        ox.Store().query(query, prefixes=prefixes)
    except SyntaxError as exc:
        return str(exc)
    except Exception:  # it parsed; evaluating it on nothing failed, which does not matter here
        return None
    return None


def _on_large_stack(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on a new thread with a GUARD_STACK_MB stack; its exception is raised here."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:
            box["error"] = exc

    previous = threading.stack_size(GUARD_STACK_MB * 1024 * 1024)
    try:
        thread = threading.Thread(target=target, name="sparql-guard")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def _execute_sparql(store: str, query: str, prefixes: dict[str, str], limit: int, max_bytes: int) -> str:
    """Open the store read-only, run the query and encode at most ``limit`` results and at most
    ``max_bytes`` of them (the child's work, in-process: no time limit here). Returns the JSON reply;
    errors come back as ``{"ok": False, "kind", "message"}``."""
    import pyoxigraph as ox

    try:
        db = ox.Store.read_only(store)
    except OSError as exc:
        return _error("store", str(exc))
    try:
        result = db.query(query, prefixes=prefixes, use_default_graph_as_union=True)
        return _encode_result(result, limit, max_bytes)
    except SyntaxError as exc:
        return _error("syntax", str(exc))
    except OSError as exc:
        return _error("store", str(exc))
    except (RuntimeError, ValueError) as exc:  # e.g. an unsupported function: the query's fault
        return _error("evaluation", str(exc))


def _encode_result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, limit: int, max_bytes: int) -> str:
    """The reply for one query result: form, columns, boolean and rows (at most ``limit``, read lazily,
    each encoded once; the ``too_big`` error as soon as they pass ``max_bytes``)."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return _ok("ask", [], [], bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows: Iterator[Row] = ({name: _term_json(s[name]) for name in names} for s in result)
        form, columns = "select", names
    else:
        rows = (
            {"subject": _term_json(t.subject), "predicate": _term_json(t.predicate),
             "object": _term_json(t.object), "graph": None}
            for t in result
        )  # fmt: skip
        form, columns = "graph", list(GRAPH_COLUMNS)
    parts: list[str] = []
    size = 0
    for row in rows:
        if len(parts) == limit:
            break
        part = json.dumps(row)  # ASCII only, so its length is its size in bytes
        size += len(part) + 1
        if size > max_bytes:
            return _error("too_big", "the answer is too big", {"max_bytes": max_bytes})
        parts.append(part)
    return _ok(form, columns, parts, None)


def _ok(form: str, columns: list[str], encoded_rows: list[str], boolean: bool | None) -> str:
    head = json.dumps({"ok": True, "form": form, "columns": columns, "boolean": boolean, **_peak()})
    return head[:-1] + ', "rows": [' + ",".join(encoded_rows) + "]}"


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
#: Records the driver fetches per round trip: small, so the byte cap is checked before much arrives.
CYPHER_FETCH_SIZE = 100
#: Extra seconds the async variant waits for the driver past the query's own time limit.
CYPHER_GRACE_S = 5.0


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


def run_cypher(
    driver: neo4j.Driver,
    database: str,
    query: str,
    parameters: dict[str, Any] | None = None,
    *,
    timeout_s: float = 30.0,
    row_cap: int = 10_000,
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
    driver: neo4j.Driver,
    database: str,
    query: str,
    parameters: dict[str, Any] | None = None,
    *,
    timeout_s: float = 30.0,
    row_cap: int = 10_000,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> QueryAnswer:
    """:func:`run_cypher` on a worker thread (the driver is synchronous), for the event loop. The
    server stops the transaction at ``timeout_s``; if the driver has not returned CYPHER_GRACE_S
    later (a server that no longer answers), QueryTimeout is raised here and the thread is left to
    the driver's own socket timeouts."""
    call = asyncio.to_thread(
        run_cypher, driver, database, query, parameters, timeout_s=timeout_s, row_cap=row_cap, max_bytes=max_bytes
    )
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


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
