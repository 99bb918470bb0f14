"""docs/reliability.md, produced by one command: how the project stands up to kills, bad inputs, hostile queries,
fuzzing and load.

    .venv/bin/python benchmarks/reliability.py [--runs 24] [--neo4j] [--store build/store] [--write docs/reliability.md]

Sections, each from its own script (run alone for detail):

1. kills (benchmarks/soak.py): kill -9 the importer, and with ``--neo4j`` the Neo4j loader and the Neo4j server, at
   random points; each re-run must end with exactly one clean load's graph, and readers during the reloads must see
   the old or the new graph whole;
2. bad inputs (benchmarks/bad_inputs.py, the corpus in tests/data/bad/): each must end in a clear error naming its
   file, with no traceback and nothing written;
3. the worst queries (benchmarks/worst_queries.py): each must end in a clear error within its limits, with the peak
   memory of the process that ran it;
4. the live server over the embedded store: schemathesis fuzzing of every operation, a loopback load on the cheap
   routes, and /health while 45 expensive queries wait their turn; server errors must be 0.

Exit status 1 if any must-be-zero figure is not zero.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

BIN = Path(sys.executable).parent
LOAD_ROUTES = ("/organisations/A81001", "/organisations/U93843/members?as_of=2020-06-01")
# minutes of work in little memory: only the time limit stops it (tests/api/test_guard.py)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . { SELECT ?d WHERE { ?d ?e ?f } LIMIT 1000 } }"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- 4. the live server --------------------------------------------------------------------------------------------
def fuzz_server_errors(url: str, workdir: Path) -> dict[str, Any]:
    """schemathesis over every operation (the test suite's settings): operations tested, and responses that were
    server errors (5xx)."""
    config = ROOT / "tests" / "schemathesis" / "schemathesis.toml"
    junit = workdir / "schemathesis.xml"
    started = time.monotonic()
    run = subprocess.run(
        [str(BIN / "schemathesis"), "--config-file", str(config), "run", url + "/openapi.json", "--workers", "1",
         "--no-color", "--phases", "examples,coverage,fuzzing", "--report", "junit", "--report-junit-path",
         str(junit)],
        capture_output=True, text=True, timeout=3600, cwd=workdir,
    )
    tree = ET.parse(junit)
    cases = tree.getroot().iter("testcase")
    failures = [f.get("message", "") + (f.text or "") for c in cases for f in c.findall("failure")]
    server_errors = sum(1 for f in failures if "Server error" in f)
    return {"operations": sum(1 for _ in tree.getroot().iter("testcase")), "failures": len(failures),
            "server_errors": server_errors, "exit": run.returncode, "seconds": round(time.monotonic() - started),
            "tail": (run.stdout + run.stderr)[-1500:] if run.returncode else ""}


def health_under_expensive_load(url: str, n: int = 45) -> dict[str, Any]:
    """/health timed while ``n`` slow SPARQL queries are in flight."""
    import httpx

    def expensive(_: int) -> int:
        return httpx.post(url + "/sparql", json={"query": SLOW, "timeout_s": 8}, timeout=300).status_code

    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        running = [pool.submit(expensive, i) for i in range(n)]
        time.sleep(1.0)
        timings = []
        for _ in range(30):
            t = time.perf_counter()
            httpx.get(url + "/health", timeout=30)
            timings.append((time.perf_counter() - t) * 1000)
            time.sleep(0.1)
        statuses = [f.result() for f in running]
    return {"expensive": n, "health_max_ms": round(max(timings), 1),
            "health_median_ms": round(sorted(timings)[len(timings) // 2], 1),
            "expensive_statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "server_errors": sum(1 for s in statuses if s >= 500)}


def live_server_section(store: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    from load import run_load

    from tests.conftest import live_server

    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(store), "GRAPHKIT_EXPENSIVE_QUEUE": "64"}
    out: dict[str, Any] = {}
    with live_server(env, workdir / "serve.log") as url:
        say("live server: load")
        out["load"] = [run_load(url, path, connections=16, seconds=seconds).summary() for path in LOAD_ROUTES]
        say("live server: /health under 45 expensive queries")
        out["health"] = health_under_expensive_load(url)
        say("live server: schemathesis")
        out["fuzz"] = fuzz_server_errors(url, workdir)
    return out


# -- the report ----------------------------------------------------------------------------------------------------
def render(r: dict[str, Any], command: str) -> str:
    lines = [
        "# Reliability",
        "",
        f"Produced by `{command}` on {r['date']} ({r['machine']}; load average {r['load']:.1f} when it ended; "
        f"{r['seconds']:.0f} s in all). Every must-be-zero figure is checked by the command (exit 1 otherwise); "
        "the test suite runs shorter versions of each section (tests/store/test_crash_safety.py, "
        "tests/ingest/test_bad_inputs.py, tests/query/test_guard.py, tests/api/test_guard.py).",
        "",
        "| figure | value | must be |",
        "|---|---|---|",
    ]
    for name, value, must in r["figures"]:
        lines.append(f"| {name} | {value} | {must} |")
    if "soak" in r:
        s = r["soak"]
        lines += ["", "## Kills", "", f"{s['runs']} runs over {s['seconds']:.0f} s (seed {r['seed']}): "
                  + ", ".join(f"{k} {v}" for k, v in sorted(s.get("by_kind", {}).items())) + "."]
        for f in s["failures"][:20]:
            lines.append(f"- failure: {f}")
    if "bad_inputs" in r:
        b = r["bad_inputs"]
        lines += ["", "## Bad inputs", "", f"{b['inputs']} inputs from tests/data/bad/ (cases.toml): "
                  f"{b['clear_errors']} clear errors, {b['tracebacks']} tracebacks, {b['partial_writes']} partial "
                  "writes.", "", "| case | exit | first line of the message |", "|---|---|---|"]
        for c in b["cases"]:
            first = c["output"].strip().splitlines()[0] if c["output"].strip() else ""
            lines.append(f"| {c['name']} | {c['exit']} | {first[:160].replace('|', '/')} |")
    if "queries" in r:
        lines += ["", "## The worst queries", "", "| query | store | outcome | seconds | peak memory of the runner |",
                  "|---|---|---|---|---|"]
        for q in r["queries"]:
            lines.append(f"| {q['name']} | {q['store']} | {q['outcome']} | {q['seconds']:.2f} | "
                         f"{q['peak_mb']:,.0f} MB ({q['peak_of']}) |")
    if "server" in r:
        v = r["server"]
        lines += ["", "## The live server (embedded store, loopback)", ""]
        lines += ["| route | connections | seconds | requests/s | p50 | p95 | p99 | server errors |",
                  "|---|---|---|---|---|---|---|---|"]
        for x in v["load"]:
            lines.append(f"| `{x['path']}` | {x['connections']} | {x['seconds']:.0f} | {x['per_second']:.0f} | "
                         f"{x['p50_ms']:.0f} ms | {x['p95_ms']:.0f} ms | {x['p99_ms']:.0f} ms | {x['server_errors']} |")
        h = v["health"]
        lines += ["", f"/health while {h['expensive']} expensive SPARQL queries were in flight: median "
                  f"{h['health_median_ms']} ms, max {h['health_max_ms']} ms; the queries answered "
                  f"{h['expensive_statuses']}.", "",
                  f"schemathesis: {v['fuzz']['operations']} operations, {v['fuzz']['failures']} failed checks, "
                  f"{v['fuzz']['server_errors']} server errors ({v['fuzz']['seconds']} s)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=24, help="kills in the soak (at least 20 for the report)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--neo4j", action="store_true", help="also kill the Neo4j loader and server; Cypher's worst")
    ap.add_argument("--store", type=Path, default=ROOT / "build" / "store", help="the national embedded store")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each load run")
    ap.add_argument("--skip", action="append", default=[], choices=["soak", "bad-inputs", "queries", "server"])
    ap.add_argument("--write", type=Path, default=None, help="write the Markdown report here")
    args = ap.parse_args(argv)
    started = time.monotonic()
    r: dict[str, Any] = {"date": dt.date.today().isoformat(), "seed": args.seed,
                         "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    figures: list[tuple[str, Any, str]] = []
    bad = False

    def must_be_zero(name: str, value: int) -> None:
        nonlocal bad
        figures.append((name, value, "0"))
        bad = bad or value != 0

    with tempfile.TemporaryDirectory(prefix="graphkit-reliability-") as tmp:
        work = Path(tmp)
        if "soak" not in args.skip:
            from soak import run_soak

            say(f"soak: {args.runs} kills")
            s = r["soak"] = run_soak(args.runs, args.seed, args.neo4j, progress=say)
            figures += [("runs killed", s["killed"], f">= 20 ({args.runs} asked)"), ("runs survived", s["survived"],
                        f"= runs killed ({s['killed']})")]
            must_be_zero("soak runs that did not end with one clean load's graph", len(s["failures"]))
            must_be_zero("reads during reloads that saw a mixture or failed",
                         sum(len(v["unexpected"]) + len(v["errors"]) for v in s["readers"].values()))
        if "bad-inputs" not in args.skip:
            from bad_inputs import run_corpus

            say("bad inputs")
            b = r["bad_inputs"] = run_corpus(ROOT / "tests" / "data" / "bad", work / "bad")
            figures += [("bad inputs tried", b["inputs"], ">= 50"), ("clear errors", b["clear_errors"],
                        f"= inputs ({b['inputs']})")]
            must_be_zero("bad inputs without a clear error", b["inputs"] - b["clear_errors"])
            must_be_zero("tracebacks", b["tracebacks"])
            must_be_zero("partial writes", b["partial_writes"])
        if "queries" not in args.skip:
            from worst_queries import worst_queries_memory

            say("worst queries")
            q = r["queries"] = worst_queries_memory(args.store, neo4j=args.neo4j)
            figures.append(("peak memory under the worst queries",
                            f"{max(x['peak_mb'] for x in q):,.0f} MB", "under the cap"))
            must_be_zero("worst queries that did not end in a clear error", sum(1 for x in q if not x["clear"]))
        if "server" not in args.skip:
            v = r["server"] = live_server_section(args.store, work, args.seconds)
            must_be_zero("server errors under fuzz", v["fuzz"]["server_errors"])
            must_be_zero("server errors under load", sum(x["server_errors"] for x in v["load"])
                         + v["health"]["server_errors"])
    r["figures"], r["seconds"], r["load"] = figures, time.monotonic() - started, os.getloadavg()[0]
    command = "python benchmarks/reliability.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = render(r, command.strip())
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        raw = ROOT / "build" / "reliability.json"  # every figure, for a closer look
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_text(json.dumps(r, indent=1, default=str), encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
