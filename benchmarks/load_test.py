"""Benchmark: a real `graphkit serve` under load on loopback, driven by wrk (Debian's wrk 4.1), against issue 18's
targets: organisation lookup p95 <= 20 ms at >= 500 requests/s with no error for 60 s, search p95 <= 50 ms at
>= 200 requests/s; on the embedded store and on Neo4j.

For each store the script starts the server itself (``graphkit serve --workers N``, the workers a user would give
it on this machine: one per core), waits until every worker's in-memory indexes are built (/health says
``indexes_ready``), reads real codes and names from the server, and runs each scenario for ``--seconds``
(default 60) after ``--warmup`` seconds that are not counted:

- ``lookup``: ``/organisations/{code}?as_of=`` over thousands of practices, PCNs, sub-ICB locations (CCGs) and ICBs
  (STPs), on three dates;
- ``hierarchy``: ``/organisations/{practice}/hierarchy?as_of=`` over the practices, on three dates;
- ``members``: ``/organisations/{area}/members?as_of=`` over the PCNs, sub-ICB locations (CCGs) and ICBs;
- ``search``: ``/organisations?q=&order=relevance&limit=15&as_of=`` as the explorer's search box asks it while
  a name or a code is typed, every prefix from one letter, of hundreds of real names and codes.

wrk's Lua script (written beside the list of paths in a temporary directory) gives each connection the paths in
a shuffled order from its own starting point, so that no answer is asked twice in a row and the store's caches do
not make it trivial; its ``done()`` hook prints wrk's own latency percentiles (p50, p95, p99, from its HDR
histogram) and counts. An error is a socket error (connect, read, write, timeout) or an answer that is not 2xx.
The server is offered a steady rate (``--rate``, by default 700 requests/s for the lookups, the hierarchy and the
members, 300 for search: over the targets): each of ``--connections`` connections waits
``connections / rate`` after each answer (wrk's ``delay()``), so the rate served is a little under the rate
offered and the latency is that of a server at that rate, not of one queueing everything it can take.
``--rate 0`` makes it a closed loop at full speed instead (each connection asks again at once): the most the
server answers, with the latency queueing costs then.

wrk runs on the same machine as the server (2 cores here): it takes part of the CPU the server would otherwise
have, so the figures are a floor.

    .venv/bin/python benchmarks/load_test.py [--store-path build/store] [--neo4j | --neo4j-uri URI]
        [--workers 2] [--seconds 60] [--connections 16] [--rate R] [--scenario lookup ...] [--repeat 1]
        [--write FILE]

``--neo4j`` starts the project's own Neo4j (graphkit/store/neo4j_runtime.py) under build/neo4j/, loads the embedded
store into it (`graphkit load neo4j`), measures over it and stops it; ``--neo4j-uri`` uses a server already loaded.
wrk: ``make bench-tools`` (or ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Figure, Section, at_least, at_most, print_section

GRAPHKIT = Path(sys.executable).parent / "graphkit"
DATES = ("2020-06-01", "2022-10-01", "2024-10-01")
SCENARIOS = ("lookup", "hierarchy", "members", "search")
#: issue 18's targets: (p95 at most, requests/s at least) per scenario
TARGETS = {"lookup": (20.0, 500.0), "search": (50.0, 200.0)}
#: the rate offered by default (requests/s), over the targets by enough that the wait each connection makes
#: (connections / rate, whole milliseconds) plus the latency still leaves the target reachable: at 600/s and 16
#: connections a lookup of 4 ms allowed at most 16 / (0.026 + 0.004) = 533/s, and search at 250/s at most 210/s
RATES = {"lookup": 700.0, "hierarchy": 700.0, "members": 700.0, "search": 300.0}
RESULT = "GRAPHKIT-LOAD-RESULT "

LUA = r"""
-- graphkit load test: paths from a file, spread over the connections; percentiles printed by done()
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  pace = tonumber(args[2]) or 0
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  at = (id * 7919) % #paths
  non2xx = 0
end

function request()
  at = at % #paths + 1
  return wrk.format("GET", paths[at])
end

function delay()
  return pace
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "non2xx": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    "GRAPHKIT-LOAD-RESULT ", summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, bad, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def require_wrk() -> str:
    """The path of wrk, or exit with what to run to get it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("benchmarks/load_test.py needs wrk (Debian's wrk 4.1): run `make bench-tools`, or "
                         "`apt-get install wrk` as root")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Run:
    """One wrk run of one scenario."""

    scenario: str
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    detail: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(wrk: str, url: str, paths: list[str], *, scenario: str, seconds: float, connections: int,
            threads: int, rate: float = 0.0, timeout_s: float = 5.0) -> Run:
    """wrk against ``url`` for ``seconds``, each request the next of ``paths`` on its connection's thread. With
    ``rate``, each connection waits ``connections / rate`` seconds (whole milliseconds) after each answer before
    its next request, so that the server is offered a little under ``rate`` requests/s (the wait plus the
    latency); without, it asks again at once (a closed loop at full speed)."""
    pace_ms = int(connections * 1000 / rate) if rate > 0 else 0
    with tempfile.TemporaryDirectory(prefix="graphkit-load-") as tmp:
        script, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(LUA)
        listing.write_text("\n".join(paths) + "\n")
        cmd = [wrk, f"--threads={threads}", f"--connections={connections}", f"--duration={max(1, round(seconds))}s",
               f"--timeout={timeout_s:g}s", "--latency", f"--script={script}", url, "--", str(listing), str(pace_ms)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              timeout=seconds + timeout_s + 60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith(RESULT)), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    r = json.loads(line[len(RESULT):])
    # wrk's errors.status counts answers >= 400; our Lua counts every answer outside 2xx (a superset)
    sockets = r["connect"] + r["read"] + r["write"] + r["timeout"]
    return Run(
        scenario=scenario, seconds=r["duration_us"] / 1e6, requests=r["requests"], errors=sockets + r["non2xx"],
        p50_ms=r["p50_us"] / 1000, p95_ms=r["p95_us"] / 1000, p99_ms=r["p99_us"] / 1000, max_ms=r["max_us"] / 1000,
        detail={k: r[k] for k in ("connect", "read", "write", "timeout", "status", "non2xx")},
    )


@contextmanager
def serving(*, workers: int, store_args: list[str], env: dict[str, str], log_path: Path,
            ready_timeout: float = 600.0) -> Iterator[str]:
    """A `graphkit serve --workers N` on a free loopback port; yields its URL once every worker's indexes are
    ready (each worker logs "indexes ready", and /health says so), and stops it (the server and its workers are
    one process group of its own) afterwards."""
    port = free_port()
    cmd = [str(GRAPHKIT), *store_args, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"`{' '.join(cmd)}` did not come up or build its indexes:\n"
                                   + log_path.read_text()[-4000:])
            try:
                ready = httpx.get(url + "/health", timeout=10).json().get("indexes_ready") is True
            except (httpx.TransportError, ValueError):
                ready = False
            if ready and log_path.read_text().count("indexes ready") >= workers:
                break
            time.sleep(1.0)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _listed(client: httpx.Client, kind: str, as_of: str) -> list[dict[str, object]]:
    r = client.get("/organisations", params={"type": kind, "as_of": as_of, "limit": 10000})
    r.raise_for_status()
    return list(r.json()["data"])


def scenario_paths(url: str, *, seed: int = 18) -> dict[str, list[str]]:
    """The paths of each scenario, from the organisations the server holds (read before any clock starts)."""
    rng = random.Random(seed)
    practices: dict[str, list[str]] = {}
    areas: dict[str, list[str]] = {}
    names: list[str] = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for day in DATES:
            commissioner = "SubICBLocation" if day >= "2022-07-01" else "ClinicalCommissioningGroup"
            system = "IntegratedCareBoard" if day >= "2022-07-01" else "SustainabilityAndTransformationPartnership"
            found = _listed(client, "GPPractice", day)
            practices[day] = [str(o["code"]) for o in found]
            names += [str(o["name"]) for o in found]
            areas[day] = [str(o["code"]) for kind in ("PrimaryCareNetwork", commissioner, system)
                          for o in _listed(client, kind, day)]
    lookup, hierarchy, members = [], [], []
    for day in DATES:
        if not practices[day] or not areas[day]:
            raise RuntimeError(f"the store holds no practices or areas on {day}: is it the national build?")
        sample = rng.sample(practices[day], min(1500, len(practices[day])))
        lookup += [f"/organisations/{c}?as_of={day}" for c in sample + areas[day]]
        hierarchy += [f"/organisations/{c}/hierarchy?as_of={day}" for c in sample]
        members += [f"/organisations/{c}/members?as_of={day}" for c in areas[day]]
    typed: list[str] = []
    for name in rng.sample(sorted(set(names)), min(300, len(set(names)))):
        typed += [name[:n] for n in range(1, min(len(name), 14) + 1) if name[n - 1] != " "]
    for code in rng.sample(practices[DATES[-1]], min(100, len(practices[DATES[-1]]))):
        typed += [code[:n] for n in range(1, len(code) + 1)]
    search = [f"/organisations?q={urllib.parse.quote(q)}&order=relevance&limit=15&as_of={DATES[-1]}" for q in typed]
    out = {"lookup": lookup, "hierarchy": hierarchy, "members": members, "search": search}
    for paths in out.values():
        rng.shuffle(paths)
    return out


@contextmanager
def neo4j_loaded(store_path: Path, log_dir: Path) -> Iterator[str]:
    """The project's own Neo4j, started under build/neo4j/, the embedded store loaded into it; stopped after."""
    from graphkit.store import neo4j_runtime

    home = ROOT / "build" / "neo4j" / f"load-test-{os.getpid()}"
    server = neo4j_runtime.start(home, heap_mb=2048, pagecache_mb=512)
    try:
        with (log_dir / "neo4j-load.log").open("w") as log:
            subprocess.run([str(GRAPHKIT), "--store-path", str(store_path), "load", "neo4j", "--uri", server.uri],
                           stdout=log, stderr=subprocess.STDOUT, check=True, cwd=ROOT,
                           env={**os.environ, "NEO4J_PASSWORD": "", "GRAPHKIT_PROGRESS": "0"})
        yield server.uri
    finally:
        neo4j_runtime.stop(server)
        shutil.rmtree(home, ignore_errors=True)


def measure_store(store: str, *, store_args: list[str], env: dict[str, str], repeat: int, workers: int,
                  seconds: float, warmup: float, connections: int, threads: int, scenarios: tuple[str, ...],
                  log_dir: Path, rate: float | None) -> dict[str, list[Run]]:
    """Every scenario ``repeat`` times against one server over one store."""
    wrk = require_wrk()
    runs: dict[str, list[Run]] = {s: [] for s in scenarios}
    with serving(workers=workers, store_args=store_args, env=env, log_path=log_dir / f"serve-{store}.log") as url:
        paths = scenario_paths(url)
        for _ in range(max(1, repeat)):
            for s in scenarios:
                offered = RATES[s] if rate is None else rate
                if warmup > 0:
                    run_wrk(wrk, url, paths[s], scenario=s, seconds=warmup, connections=connections, threads=threads,
                            rate=offered)
                run = run_wrk(wrk, url, paths[s], scenario=s, seconds=seconds, connections=connections,
                              threads=threads, rate=offered)
                print(f"  {store} {s}: {run.per_second:,.0f} req/s, p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms, "
                      f"p99 {run.p99_ms:.1f} ms, {run.errors} errors, load {os.getloadavg()[0]:.2f}",
                      file=sys.stderr, flush=True)
                runs[s].append(run)
    return runs


def figures(store: str, runs: dict[str, list[Run]], distinct: dict[str, int] | None = None) -> list[Figure]:
    out: list[Figure] = []
    for s, rs in runs.items():
        if not rs:
            continue
        rps = statistics.median(r.per_second for r in rs)
        p50, p95, p99 = (statistics.median(getattr(r, f) for r in rs) for f in ("p50_ms", "p95_ms", "p99_ms"))
        errors = sum(r.errors for r in rs)
        note = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; runs: " + ", ".join(
            f"{r.per_second:,.0f}/s p95 {r.p95_ms:.1f}" for r in rs)
        what = f"{store} {s}"
        if s in TARGETS:
            p95_limit, floor = TARGETS[s]
            out += [at_least(f"{what}: requests/s", rps, "req/s", floor, note),
                    at_most(f"{what}: p95", p95, "ms", p95_limit)]
        else:
            out += [Figure(f"{what}: requests/s", rps, "req/s", note=note), Figure(f"{what}: p95", p95, "ms")]
        out.append(at_most(f"{what}: errors (non-2xx and socket)", errors, "", 0))
    return out


def measure(repeat: int = 1, **options: object) -> Section:
    """The section: every scenario on each store asked for, the median of ``repeat`` runs of each.

    Options: ``store_path`` (Path, default build/store), ``neo4j`` (bool: start and load the project's own Neo4j),
    ``neo4j_uri`` (str: a Neo4j already loaded), ``embedded`` (bool, default True), ``workers`` (default 2),
    ``seconds`` (60), ``warmup`` (5), ``connections`` (16), ``threads`` (2), ``rate`` (requests/s offered, 0 for a
    closed loop; default :data:`RATES`), ``scenarios`` (all)."""
    store_path = Path(str(options.get("store_path") or ROOT / "build" / "store")).absolute()  # the symlink, as given
    workers = int(str(options.get("workers", 2)))
    seconds = float(str(options.get("seconds", 60)))
    warmup = float(str(options.get("warmup", 5)))
    connections = int(str(options.get("connections", 16)))
    rate = None if options.get("rate") is None else float(str(options.get("rate")))
    threads = int(str(options.get("threads", 2)))
    scenarios = tuple(options.get("scenarios") or SCENARIOS)  # type: ignore[call-overload]
    require_wrk()
    env = {**os.environ, "GRAPHKIT_PROGRESS": "0"}
    section = Section(
        title="The API under load on loopback (wrk)",
        command=f"python benchmarks/load_test.py --workers {workers} --seconds {seconds:g} --connections "
                f"{connections} --repeat {repeat}" + (f" --rate {rate:g}" if rate is not None else "")
                + (" --neo4j" if options.get("neo4j") else ""),
    )
    log_dir = Path(tempfile.mkdtemp(prefix="graphkit-load-logs-"))
    loads: list[float] = []
    kw = dict(repeat=repeat, workers=workers, seconds=seconds, warmup=warmup, connections=connections,
              threads=threads, scenarios=scenarios, log_dir=log_dir, rate=rate)
    if options.get("embedded", True):
        runs = measure_store("embedded", store_args=["--store-path", str(store_path)], env=env, **kw)  # type: ignore[arg-type]
        loads.append(os.getloadavg()[0])
        section.figures += figures("embedded", runs)
    neo4j_uri = options.get("neo4j_uri")
    if neo4j_uri or options.get("neo4j"):
        with (contextmanager(lambda: iter([str(neo4j_uri)]))() if neo4j_uri
              else neo4j_loaded(store_path, log_dir)) as uri:
            runs = measure_store("neo4j", store_args=["--store", "neo4j"],
                                 env={**env, "NEO4J_URI": uri, "NEO4J_PASSWORD": ""}, **kw)  # type: ignore[arg-type]
            loads.append(os.getloadavg()[0])
            section.figures += figures("neo4j", runs)
    section.notes += [
        f"`graphkit serve --workers {workers}` on 127.0.0.1; wrk 4.1 with {threads} threads and {connections} "
        "connections, offered " + (
            "as much as it takes (a closed loop)" if rate == 0 else ", ".join(
                f"{s} {RATES[s] if rate is None else rate:g}/s" for s in scenarios))
        + f"; {seconds:g} s per scenario after {warmup:g} s not counted; median of {repeat} run(s). wrk and the "
        f"server share the machine's {os.cpu_count()} cores (and so did whatever else ran: see the load average).",
        "An error is a socket error (connect, read, write, timeout) or an answer outside 2xx.",
        "Load average (1 min) after each store: " + ", ".join(f"{x:.2f}" for x in loads) + ".",
        f"Server logs: {log_dir}.",
    ]
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store-path", type=Path, default=ROOT / "build" / "store")
    parser.add_argument("--neo4j", action="store_true", help="also over the project's own Neo4j, loaded here")
    parser.add_argument("--neo4j-uri", help="also over this Neo4j, already loaded (no authentication)")
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded store")
    parser.add_argument("--workers", type=int, default=2, help="graphkit serve --workers (default: 2, the cores)")
    parser.add_argument("--seconds", type=float, default=60.0, help="each scenario's measured time")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before each, not counted")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, help="requests/s offered in every scenario (0: a closed loop, as fast "
                        "as answers come); default 700 for the lookups, hierarchy and members, 300 for search")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="one scenario (repeatable)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--write", type=Path, help="append the section to this Markdown file")
    args = parser.parse_args()
    section = measure(
        args.repeat, store_path=args.store_path, neo4j=args.neo4j, neo4j_uri=args.neo4j_uri,
        embedded=not args.no_embedded, workers=args.workers, seconds=args.seconds, warmup=args.warmup,
        connections=args.connections, threads=args.threads, scenarios=tuple(args.scenario or SCENARIOS),
        rate=args.rate,
    )
    print_section(section, args.write)
    if any(f.met is False for f in section.figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
