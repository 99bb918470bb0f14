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
or ``LOAD CSV``. The server caps each transaction's tracked memory (see graphkit.store.neo4j_runtime); what
it does not track, the values of expressions, is bounded here: ``reduce()`` is refused and
``range()`` held to :data:`CYPHER_MAX_RANGE` values (:func:`refuse_unbounded_values`).

The modules follow these seams: :mod:`~graphkit.query.common` (the answer, its JSON, the default
limits), :mod:`~graphkit.query.sparql_text` (layers 1 and 2), :mod:`~graphkit.query.sandbox` (layer 3),
:mod:`~graphkit.query.sparql` (the parent), :mod:`~graphkit.query.child` (the child, run by
``__main__``), :mod:`~graphkit.query.cypher_text` (the Cypher checks) and :mod:`~graphkit.query.cypher`
(the Cypher runner). Every name is importable from here, as before the split.
"""

from graphkit.query.child import (
    GRAPH_COLUMNS,
    GUARD_RECURSION_LIMIT,
    GUARD_STACK_MB,
    RDF_DIR_LANG_STRING,
    RDF_LANG_STRING,
    XSD_STRING,
    _child_main,
    _execute_sparql,
)
from graphkit.query.common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MEMORY_MB,
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT_S,
    PEAK_SAMPLE_S,
    Dataset,
    Form,
    Limits,
    QueryAnswer,
    ResultFormats,
    Row,
    SparqlLimits,
    Term,
    answer_json,
)
from graphkit.query.cypher import CYPHER_FETCH_SIZE, CYPHER_GRACE_S, EXPLAIN, plain_value, run_cypher, run_cypher_async
from graphkit.query.cypher_text import (
    CYPHER_DENY,
    CYPHER_MAX_RANGE,
    CYPHER_PROCEDURES,
    plan_operators,
    refuse_denied_cypher,
    refuse_plan,
    refuse_unbounded_values,
)
from graphkit.query.sandbox import (
    CHILD_NICENESS,
    DENIED_SYSCALLS_X86_64,
    SandboxUnavailable,
    cap_memory,
    enter_sandbox,
    forbid_sockets,
    network_filter,
)
from graphkit.query.sparql import (
    CHILD_MALLOC_ARENAS,
    DECODE_ON_LOOP_BYTES,
    REPLY_MARGIN,
    STDERR_TAIL,
    _call_child,
    _child_failure,
    run_blocking,
    run_sparql,
    run_sparql_async,
)
from graphkit.query.sparql_text import (
    MAX_NESTING,
    QUERY_FORMS,
    UPDATE_KEYWORDS,
    check_sparql_algebra,
    expand_codepoint_escapes,
    nesting_depth,
    refuse_sparql_text,
    refuse_update,
    sparql_operation,
)

__all__ = [
    "CHILD_MALLOC_ARENAS",
    "CHILD_NICENESS",
    "CYPHER_DENY",
    "CYPHER_FETCH_SIZE",
    "CYPHER_GRACE_S",
    "CYPHER_MAX_RANGE",
    "CYPHER_PROCEDURES",
    "DECODE_ON_LOOP_BYTES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_ROW_CAP",
    "DEFAULT_TIMEOUT_S",
    "DENIED_SYSCALLS_X86_64",
    "EXPLAIN",
    "GRAPH_COLUMNS",
    "GUARD_RECURSION_LIMIT",
    "GUARD_STACK_MB",
    "MAX_NESTING",
    "PEAK_SAMPLE_S",
    "QUERY_FORMS",
    "RDF_DIR_LANG_STRING",
    "RDF_LANG_STRING",
    "REPLY_MARGIN",
    "STDERR_TAIL",
    "UPDATE_KEYWORDS",
    "XSD_STRING",
    "Dataset",
    "Form",
    "Limits",
    "QueryAnswer",
    "ResultFormats",
    "Row",
    "SandboxUnavailable",
    "SparqlLimits",
    "Term",
    "_call_child",
    "_child_failure",
    "_child_main",
    "_execute_sparql",
    "answer_json",
    "cap_memory",
    "check_sparql_algebra",
    "enter_sandbox",
    "expand_codepoint_escapes",
    "forbid_sockets",
    "nesting_depth",
    "network_filter",
    "plain_value",
    "plan_operators",
    "refuse_denied_cypher",
    "refuse_plan",
    "refuse_sparql_text",
    "refuse_unbounded_values",
    "refuse_update",
    "run_blocking",
    "run_cypher",
    "run_cypher_async",
    "run_sparql",
    "run_sparql_async",
    "sparql_operation",
]
