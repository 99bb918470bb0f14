"""The worst ad-hoc queries of issue 13, run through graphkit.query with its default limits, with the
peak memory of what ran each one.

SPARQL, on the embedded store given: the sorted cartesian product that grew at ~430 MB/s to 5.2 GB,
GROUP_CONCAT per predicate (the 931 MB answer) and over a cartesian product (one enormous row), 2,500
levels of nesting (the child's parser crashed), and a slow count under a 3 s limit. Cypher, with
``neo4j`` (True: a server of our own started for the run; or a bolt:// URI): the 40 M element list
comprehension that exhausted the heap and a string doubled by reduce() (both refused before they are
sent: Neo4j does not count the memory of expressions), a DISTINCT over 40 M values (stopped by the
transaction memory limit) and an answer past the byte cap; then the server must still answer.

For each: the outcome (the error code and the limit named, or ``ok``), the wall time, the peak
resident memory of the process that ran the query (the SPARQL child's VmHWM, or the Neo4j server's
highest VmRSS during the query, sampled from /proc every 20 ms) and of the calling process; and
``clear``: the query ended in one of the project's errors, inside its time limit plus a second.

    .venv/bin/python benchmarks/worst_queries.py [--store build/store] [--neo4j [URI]] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graphkit.errors import GraphkitError  # noqa: E402
from graphkit.query import DEFAULT_MEMORY_MB, run_cypher, run_sparql  # noqa: E402

SAMPLE_S = 0.02
SPARQL = [
    # name, query, time limit (s), what it shows
    ("sorted cartesian product", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f", 60),
    ("GROUP_CONCAT per predicate", "SELECT ?p (GROUP_CONCAT(STR(?o); separator=' ') AS ?all) "
     "WHERE { ?s ?p ?o } GROUP BY ?p", 60),
    ("GROUP_CONCAT over a cartesian product", "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) "
     "WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 }", 60),
    ("2,500 nested parentheses", "SELECT * WHERE { FILTER(" + "(" * 2500 + "1" + ")" * 2500 + ") }", 60),
    ("slow count, 3 s limit", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . { SELECT ?d WHERE { ?d ?e ?f } "
     "LIMIT 1000 } }", 3),
]
CYPHER = [
    ("40 M element list comprehension", "RETURN size([x IN range(1, 40000000) | x]) AS n", 60),
    ("a string doubled 40 times by reduce()", "RETURN size(reduce(s = 'x', i IN range(1, 40) | s + s)) AS n", 60),
    ("DISTINCT over 40 M values", "UNWIND range(1, 40000000) AS x RETURN count(DISTINCT x) AS n", 60),
    ("an answer past the byte cap (10,000 rows of 2 KB)", "UNWIND range(1, 10000) AS x RETURN x, '" + "p" * 2000
     + "' AS pad", 60),
]


def _status_kb(pid: int, field: str) -> int:
    """One kB figure of /proc/<pid>/status (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Peaks:
    """Peak resident memory, sampled while a query runs: of this process (VmRSS), of its children
    (their VmHWM, so a child's peak is caught even between samples) and of one other process (VmRSS)."""

    def __init__(self, watched: int | None = None) -> None:
        self.watched = watched
        self.caller_kb = self.children_kb = self.watched_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = os.getpid()
        self.caller_kb = max(self.caller_kb, _status_kb(me, "VmRSS"))
        for child in _children(me):
            if child != self.watched:
                self.children_kb = max(self.children_kb, _status_kb(child, "VmHWM"))
        if self.watched:
            self.watched_kb = max(self.watched_kb, _status_kb(self.watched, "VmRSS"))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _outcome(error: GraphkitError | None) -> str:
    if error is None:
        return "ok"
    limit = error.details.get("limit") or error.details.get("reason")
    return f"{error.code} ({limit})" if limit else error.code


def _measure(name: str, store: str, run: Callable[[], object], limit_s: float, watched: int | None,
             peak_of: str) -> dict[str, Any]:
    """Run one query and describe how it ended."""
    error: GraphkitError | None = None
    unexpected = ""
    started = time.monotonic()
    with Peaks(watched) as peaks:
        try:
            run()
        except GraphkitError as exc:
            error = exc
        except Exception as exc:  # not one of the project's errors: a finding, reported as such
            unexpected = f"{type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    runner_kb = peaks.watched_kb if watched else peaks.children_kb
    return {
        "name": name,
        "store": store,
        "outcome": unexpected or _outcome(error),
        "message": error.message if error else unexpected,
        "seconds": round(seconds, 2),
        "limit_s": limit_s,
        "peak_mb": runner_kb / 1024,
        "peak_of": peak_of,
        "caller_peak_mb": peaks.caller_kb / 1024,
        "clear": error is not None and not unexpected and seconds <= limit_s + 1,
    }


@contextmanager
def _neo4j(neo4j: bool | str) -> Iterator[tuple[Any, int | None]]:
    """A driver and the server's pid: our own server for the run (True), or the one at a URI (its pid
    when this project started it)."""
    import neo4j as driver_module
    from graphkit.store import neo4j_runtime
    server = None
    home = None
    pid: int | None
    if neo4j is True:
        home = tempfile.mkdtemp(prefix="worst-queries-neo4j-")
        server = neo4j_runtime.start(Path(home), heap_mb=1024, pagecache_mb=128)
        uri, pid = server.uri, server.pid
    else:
        uri = str(neo4j)
        port = urlparse(uri).port
        pid = next((s.pid for s in neo4j_runtime.running() if s.port == port), None)
    driver = driver_module.GraphDatabase.driver(uri, auth=None)
    try:
        yield driver, pid
    finally:
        driver.close()
        if server is not None:
            neo4j_runtime.stop(server)
            import shutil

            shutil.rmtree(home or "", ignore_errors=True)


def worst_queries_memory(store_path: Path | str, *, neo4j: bool | str = False) -> list[dict[str, Any]]:
    """Run the worst queries (SPARQL on the embedded store at ``store_path``; Cypher too when ``neo4j``
    is True or a URI) and return one description per query (see the module docstring)."""
    results = []
    for name, query, limit_s in SPARQL:
        results.append(_measure(
            name, "oxigraph", partial(run_sparql, Path(store_path), query, timeout_s=limit_s), limit_s,
            None, f"SPARQL child (cap {DEFAULT_MEMORY_MB} MB)",
        ))  # fmt: skip
    if neo4j:
        with _neo4j(neo4j) as (driver, pid):
            for name, query, limit_s in CYPHER:
                results.append(_measure(
                    name, "neo4j", partial(run_cypher, driver, "neo4j", query, timeout_s=limit_s), limit_s,
                    pid, "Neo4j server (heap 1024 MB)" if neo4j is True else "Neo4j server",
                ))  # fmt: skip
            # the server must still answer
            results.append(_measure(
                "RETURN 1 afterwards", "neo4j", lambda: run_cypher(driver, "neo4j", "RETURN 1 AS one"), 5, pid,
                "Neo4j server",
            ))  # fmt: skip
            results[-1]["clear"] = results[-1]["outcome"] == "ok"
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=ROOT / "build" / "store", help="the embedded store")
    ap.add_argument("--neo4j", nargs="?", const=True, default=False,
                    help="also Cypher: on a server started for the run, or the one at this bolt:// URI")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    results = worst_queries_memory(args.store, neo4j=args.neo4j)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print("| query | store | outcome | seconds | peak memory of the runner | caller |")
        print("|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['name']} | {r['store']} | {r['outcome']} | {r['seconds']:.2f} | "
                  f"{r['peak_mb']:,.0f} MB ({r['peak_of']}) | {r['caller_peak_mb']:,.0f} MB |")
    return 0 if all(r["clear"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
