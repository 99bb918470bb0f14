"""What both query languages share: the answer type and its JSON, the default limits, their keywords and their check,
the answer-too-big error, and the sampler of a process's peak memory (the SPARQL parent follows its
child with it; the child reports its own)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar

from graphkit.errors import BadParameter, ResourceLimit

Form = Literal["select", "ask", "graph"]
Term = dict[str, Any]
Row = dict[str, Any]
T = TypeVar("T")

#: The time limit of one query (seconds) and the rows it may return, unless the caller says otherwise.
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_CAP = 10_000
#: Address-space cap of the SPARQL child. Opening the national store read-only and running the
#: documented queries takes a VmPeak of about 320 MB (RSS 50-110 MB); the rest is room for the query.
DEFAULT_MEMORY_MB = 1536
#: The largest answer (its JSON) a query may give; past it the query is stopped with ResourceLimit.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
PEAK_SAMPLE_S = 0.02


class Limits(TypedDict, total=False):
    """The limits of one query as keywords, for the variants that hand them on (``run_sparql``,
    ``run_cypher_async``); an absent one takes its default above."""

    timeout_s: float
    row_cap: int
    max_bytes: int


class SparqlLimits(Limits, total=False):
    """:class:`Limits` and the SPARQL child's address-space cap."""

    memory_mb: int


@dataclass(frozen=True)
class QueryAnswer:
    """The answer to one ad-hoc query.

    ``rows`` map each column to a value: for SPARQL a term in the style of the SPARQL 1.1 JSON results
    format (``{"type": "uri"|"literal"|"bnode"|"triple", "value": ..., "datatype"?, "xml:lang"?}``) or
    None when unbound; for Cypher plain JSON-able data. ``truncated`` says more than the row cap
    existed (``rows`` then holds exactly the cap); ``boolean`` is set for ASK only; ``elapsed_ms`` is
    the wall-clock time of the whole call (for SPARQL it includes starting the child process);
    ``peak_rss_kb`` is the SPARQL child's peak resident memory (None for Cypher).

    When a SPARQL query was asked for a serialised answer (:class:`ResultFormats`), ``body`` holds it (the
    document in ``media_type``: SPARQL results or RDF), ``rows`` is empty and ``body_rows`` counts the rows
    (solutions or triples) the document holds.
    """

    form: Form
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    boolean: bool | None
    truncated: bool
    elapsed_ms: float
    peak_rss_kb: int | None = None
    body: bytes | None = None
    media_type: str | None = None
    body_rows: int = 0


class ResultFormats(TypedDict):
    """The media types a SPARQL answer is to be serialised in, one per kind of query: ``results`` for SELECT and
    ASK (a SPARQL results format), ``graph`` for CONSTRUCT and DESCRIBE (an RDF format). None: the caller accepts
    no format for that kind (the query then ends in :class:`~graphkit.errors.NotAcceptable`)."""

    results: str | None
    graph: str | None


class Dataset(TypedDict):
    """The RDF dataset of a query (the SPARQL 1.1 Protocol's ``default-graph-uri`` and ``named-graph-uri``): the
    graphs merged into its default graph and the named graphs it may read. Without one the default graph is the
    union of every graph and every named graph is readable."""

    default_graphs: list[str]
    named_graphs: list[str]


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
