"""The SPARQL child, ``python -m graphkit.query`` (see :mod:`graphkit.query`): the sandbox first, then
one JSON request on stdin, both checks (rdflib's parse on a large stack), the query on the store opened
read-only, and one JSON reply on stdout."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, cast

from graphkit.core.cells import FORMULA_PREFIXES
from graphkit.errors import QueryRefused, ResourceLimit
from graphkit.query.common import DEFAULT_MEMORY_MB, Dataset, ResultFormats, Row, T, Term, _PeakMemory
from graphkit.query.sandbox import SandboxUnavailable, enter_sandbox
from graphkit.query.sparql_text import check_sparql_algebra, refuse_sparql_text

if TYPE_CHECKING:
    import pyoxigraph as ox

GRAPH_COLUMNS = ("subject", "predicate", "object", "graph")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
#: The child's rdflib parse runs on a thread with this stack and recursion limit (a 1,800-triple
#: block or 64 nested parentheses need 2,500-15,000 frames; the parser's frames are Python frames,
#: which take almost no C stack: 8 MB was enough in trials, 32 MB leaves room).
GUARD_STACK_MB = 32
GUARD_RECURSION_LIMIT = 100_000


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
                request["store"], request["query"], request["prefixes"], request["limit"], request["max_bytes"],
                formats=request.get("formats"), dataset=request.get("dataset"),
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


def _execute_sparql(
    store: str,
    query: str,
    prefixes: dict[str, str],
    limit: int,
    max_bytes: int,
    *,
    formats: ResultFormats | None = None,
    dataset: Dataset | None = None,
) -> str:
    """Open the store read-only, run the query and encode at most ``limit`` results and at most
    ``max_bytes`` of them (the child's work, in-process: no time limit here). Returns the JSON reply;
    errors come back as ``{"ok": False, "kind", "message"}``.

    With ``formats`` the answer is a document serialised by pyoxigraph in the media type given for the query's
    kind (:func:`_serialise_result`); with ``dataset`` the query reads those graphs only (the SPARQL 1.1
    Protocol's dataset), not the union of all."""
    import pyoxigraph as ox

    try:
        db = ox.Store.read_only(store)
    except OSError as exc:
        return _error("store", str(exc))
    try:
        if dataset is None:
            result = db.query(query, prefixes=prefixes, use_default_graph_as_union=True)
        else:
            result = db.query(
                query, prefixes=prefixes,
                default_graph=[ox.NamedNode(iri) for iri in dataset["default_graphs"]],
                named_graphs=[ox.NamedNode(iri) for iri in dataset["named_graphs"]],
            )  # fmt: skip
        if formats is not None:
            return _serialise_result(result, formats, limit, max_bytes)
        return _encode_result(result, limit, max_bytes)
    except SyntaxError as exc:
        return _error("syntax", str(exc))
    except OSError as exc:
        return _error("store", str(exc))
    except (RuntimeError, ValueError) as exc:  # e.g. an unsupported function: the query's fault
        return _error("evaluation", str(exc))


class _TooBig(Exception):
    """Raised by :class:`_CappedWriter` when a serialisation passes its cap (it stops the serialiser)."""


class _CappedWriter(io.RawIOBase):
    """A binary sink for pyoxigraph's serialisers that keeps what it is given and raises :class:`_TooBig` as soon
    as more than ``cap`` bytes have come."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.size = 0
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        if self.size > self.cap:
            raise _TooBig
        self.parts.append(chunk)
        return len(chunk)

    def value(self) -> bytes:
        return b"".join(self.parts)


#: XML Schema's numeric datatypes: a literal of one of them, written as a number, is a number in a CSV cell.
_XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_DATATYPES = frozenset(_XSD + t for t in (
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "nonPositiveInteger", "positiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte"))  # fmt: skip
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN")


def neutralise_csv_term(term: Term) -> Term:
    """A term as the CSV results format may show it to a spreadsheet: a literal whose text would be read as a
    formula (graphkit.core.cells.neutralise: it starts with =, +, -, @, tab or carriage return) gets a leading
    ``'``, unless it is a number of a numeric datatype (``-5``); IRIs, blank nodes and numbers are unchanged, as are
    the terms inside a triple term (written as one cell, which starts with its subject's IRI or blank node).

    >>> neutralise_csv_term({"type": "literal", "value": "=1+1"})["value"], neutralise_csv_term(
    ...     {"type": "literal", "value": "-5", "datatype": _XSD + "integer"})["value"]
    ("'=1+1", '-5')
    """
    if term.get("type") != "literal" or not term["value"].startswith(FORMULA_PREFIXES):
        return term
    if term.get("datatype") in NUMERIC_DATATYPES and _NUMBER.fullmatch(term["value"]):
        return term
    return {**term, "value": "'" + term["value"]}




def _serialise_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, formats: ResultFormats, limit: int, max_bytes: int
) -> str:
    """The reply for a query whose answer is a document: at most ``limit - 1`` rows (solutions or triples; the
    ``limit``-th only says that there were more) serialised by pyoxigraph in the media type ``formats`` gives for
    the query's kind, at most ``max_bytes`` of it; the document goes base64-encoded in the JSON reply.

    SELECT and ASK go through the SPARQL 1.1 JSON results (the rows are encoded and counted against ``max_bytes``
    as in the plain reply, then read back by pyoxigraph's parser) into pyoxigraph's results serialiser; text/csv
    has its literals neutralised (:func:`neutralise_csv_term`) first. CONSTRUCT and DESCRIBE triples stream from the
    store into pyoxigraph's RDF serialiser (Turtle with the project's prefixes)."""
    import pyoxigraph as ox

    from graphkit.core.namespaces import PREFIXES

    graph = isinstance(result, ox.QueryTriples)
    media_type = formats["graph"] if graph else formats["results"]
    kind = "graph" if graph else "results"
    if media_type is None:
        return _error("not_acceptable", f"no accepted format for the answer of this query ({kind})", {"kind": kind})
    sink = _CappedWriter(max_bytes)
    out = cast("IO[bytes]", sink)  # what pyoxigraph's serialisers call: write()
    state = {"rows": 0, "truncated": False}
    form: str
    try:
        if isinstance(result, ox.QueryTriples):
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            assert rdf_format is not None, media_type

            def capped() -> Iterator[ox.Triple]:
                for triple in result:
                    if state["rows"] == limit - 1:
                        state["truncated"] = True
                        return
                    state["rows"] += 1
                    yield triple

            prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE,) else None
            ox.serialize(capped(), out, rdf_format, prefixes=prefixes)
            form = "graph"
        else:
            results_format = ox.QueryResultsFormat.from_media_type(media_type)
            assert results_format is not None, media_type
            document = _results_json(result, limit, max_bytes, state, csv=results_format == ox.QueryResultsFormat.CSV)
            if document is None:
                return _error("too_big", "the answer is too big", {"max_bytes": max_bytes})
            ox.parse_query_results(document, ox.QueryResultsFormat.JSON).serialize(out, results_format)
            form = "ask" if isinstance(result, ox.QueryBoolean) else "select"
    except _TooBig:
        return _error("too_big", "the answer is too big", {"max_bytes": max_bytes})
    head = json.dumps({"ok": True, "form": form, "media_type": media_type, "count": state["rows"],
                       "truncated": state["truncated"], **_peak()})  # fmt: skip
    return head[:-1] + ', "body": "' + base64.b64encode(sink.value()).decode("ascii") + '"}'


def _results_json(
    result: ox.QuerySolutions | ox.QueryBoolean, limit: int, max_bytes: int, state: dict[str, Any], *, csv: bool
) -> bytes | None:
    """The SPARQL 1.1 JSON results of an ASK, or of at most ``limit - 1`` solutions (unbound variables left out);
    None when the encoded solutions pass ``max_bytes``."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(result)}).encode("ascii")
    names = [v.value for v in result.variables]
    parts: list[str] = []
    size = 0
    for solution in result:
        if len(parts) == limit - 1:
            state["truncated"] = True
            break
        row = {}
        for name in names:
            term = _term_json(solution[name])
            if term is not None:
                row[name] = neutralise_csv_term(term) if csv else term
        part = json.dumps(row)
        size += len(part) + 1
        if size > max_bytes:
            return None
        parts.append(part)
    state["rows"] = len(parts)
    head = json.dumps({"head": {"vars": names}})
    return (head[:-1] + ', "results": {"bindings": [' + ",".join(parts) + "]}}").encode("ascii")


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
