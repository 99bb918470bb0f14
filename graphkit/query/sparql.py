"""The SPARQL parent (see :mod:`graphkit.query`): the text check, then ``python -m graphkit.query``
started with the request, its one JSON reply read under the time and byte limits, its peak memory
followed, and the reply or the way it died turned into an answer or the project's error."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Unpack

from graphkit.errors import GraphkitError, NotAcceptable, QueryRefused, QueryTimeout, ResourceLimit, StoreUnavailable
from graphkit.query.common import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MEMORY_MB,
    DEFAULT_ROW_CAP,
    DEFAULT_TIMEOUT_S,
    Dataset,
    QueryAnswer,
    ResultFormats,
    SparqlLimits,
    T,
    _check_limits,
    _elapsed_ms,
    _PeakMemory,
    _too_big,
)
from graphkit.query.sparql_text import refuse_sparql_text

#: What the parent reads beyond max_bytes (the reply's envelope) before it stops reading.
REPLY_MARGIN = 64 * 1024
#: Set in the child's environment: glibc reserves 64 MB of address space per thread arena, which
#: the address-space cap counts; two arenas halve the child's baseline (VmPeak 645 -> 317 MB on the
#: national store) without changing what it really uses.
CHILD_MALLOC_ARENAS = "2"
#: Replies larger than this are decoded on a worker thread, so that the event loop stays free.
DECODE_ON_LOOP_BYTES = 256 * 1024
STDERR_TAIL = 16 * 1024
_OXIGRAPH_POSITION = re.compile(r"error at (\d+):(\d+)")


async def run_sparql_async(
    store_path: Path,
    query: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
    max_bytes: int = DEFAULT_MAX_BYTES,
    memory_mb: int = DEFAULT_MEMORY_MB,
    formats: ResultFormats | None = None,
    dataset: Dataset | None = None,
) -> QueryAnswer:
    """Run one read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the embedded store at
    ``store_path``, over the union of its graphs, with the project's prefixes predeclared.

    The query runs in a sandboxed child process that is killed when ``timeout_s`` has passed since
    this call began, or when the task awaiting it is cancelled; at most ``row_cap`` rows come back.
    Raises QueryRefused for an update, a SERVICE clause, a syntax error or an evaluation error;
    QueryTimeout at the time limit; ResourceLimit past the nesting cap, the memory cap (``memory_mb``,
    the child's address space) or ``max_bytes`` of answer, or when the child dies by a signal;
    StoreUnavailable when the store cannot be opened or the sandbox cannot be set up.

    With ``formats`` (a media type for SELECT/ASK and one for CONSTRUCT/DESCRIBE) the child serialises the
    answer itself, with pyoxigraph, into ``QueryAnswer.body`` (at most ``max_bytes`` of it; NotAcceptable when
    the query's kind has no media type). With ``dataset`` the query reads the graphs it names (the SPARQL 1.1
    Protocol's ``default-graph-uri`` and ``named-graph-uri``) instead of the union of all graphs.
    """
    from graphkit.core.namespaces import PREFIXES

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
        "formats": formats,
        "dataset": dataset,
    }
    # a document comes base64-encoded in the reply: four bytes for every three
    reply_bytes = max_bytes if formats is None else 4 * (max_bytes // 3 + 1)
    reply, peak_kb = await _call_child(request, started + timeout_s, timeout_s, max_bytes, memory_mb,
                                       reply_bytes=reply_bytes)
    return _sparql_answer(reply, row_cap, _elapsed_ms(started), peak_kb)


def run_sparql(
    store_path: Path,
    query: str,
    *,
    formats: ResultFormats | None = None,
    dataset: Dataset | None = None,
    **limits: Unpack[SparqlLimits],
) -> QueryAnswer:
    """:func:`run_sparql_async` for synchronous callers (worker threads, tests): the same limits."""
    return run_blocking(lambda: run_sparql_async(store_path, query, formats=formats, dataset=dataset, **limits))


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
    request: dict[str, Any], deadline: float, timeout_s: float, max_bytes: int, memory_mb: int,
    *, reply_bytes: int | None = None,
) -> tuple[dict[str, Any], int]:
    """Start ``python -m graphkit.query``, send the request, read its one JSON reply (at most
    ``reply_bytes`` (default max_bytes) + REPLY_MARGIN bytes) and its peak memory; kill and reap it at the
    deadline, on cancellation, or when the reply is too big."""
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
            _exchange(proc, payload, (reply_bytes or max_bytes) + REPLY_MARGIN),
            timeout=max(deadline - time.monotonic(), 0.001),
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
    if "body" in reply:  # a serialised document (formats)
        return QueryAnswer(
            form=reply["form"],
            columns=(),
            rows=(),
            boolean=None,
            truncated=reply["truncated"],
            elapsed_ms=elapsed_ms,
            peak_rss_kb=max(peak_kb, int(reply.get("peak_rss_kb", 0))),
            body=base64.b64decode(reply["body"]),
            media_type=reply["media_type"],
            body_rows=int(reply["count"]),
        )
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
    if kind == "not_acceptable":
        return NotAcceptable(
            f"the answer of this query ({details.get('kind')}: "
            + ("CONSTRUCT or DESCRIBE" if details.get("kind") == "graph" else "SELECT or ASK")
            + ") has no format the request accepts",
            details=details,
        )
    if kind == "too_big":
        return _too_big(int(details["max_bytes"]))
    if kind == "memory":
        return ResourceLimit(message, details=details)
    if kind == "sandbox":
        return StoreUnavailable(f"the SPARQL sandbox could not be set up, so no query is run: {message}")
    return StoreUnavailable(f"the embedded store could not be read: {message}")
