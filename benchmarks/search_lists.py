"""Benchmark: search as you type, filtered lists and a year of contracts, in-process over a store (no socket),
against issue 18's targets: search by name or code p95 <= 30 ms; ``/organisations`` filtered by type and ICB
<= 100 ms; ``/contracts?year=`` first page <= 200 ms.

Search is measured as a user types: every prefix (from one letter) of each of a set of names and codes of the
national graph, ``order=relevance``, ten hits, each query asked ``--repeat`` times after the indexes are warm. The
list and contract routes are each asked ``--repeat`` times after a first call. Percentiles are of every timed call.

    .venv/bin/python benchmarks/search_lists.py [--store-path build/store] [--repeat 5] [--write docs/benchmarks.md]
    .venv/bin/python benchmarks/search_lists.py --neo4j bolt://127.0.0.1:7687
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings
from graphkit.store.shared import warm_indexes

TYPED = ["Stockton", "densham", "Tees Valley", "North Cumbria", "PANACEA PCN", "A81001", "U93843", "QHM",
         "medical centre", "surgery", "Bassetlaw", "st peter"]
LISTS = {
    "/organisations filtered by type and ICB": "/organisations?type=GPPractice&within=QHM&as_of=2024-10-01",
    "/organisations filtered by type": "/organisations?type=PrimaryCareNetwork&as_of=2024-10-01",
    "/contracts?year= first page": "/contracts?year=2022-23",
}
TARGETS = {"search": 30.0, "/organisations filtered by type and ICB": 100.0, "/contracts?year= first page": 200.0}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(app: object, path: str) -> float:
    t = time.perf_counter()
    r = get(app, path)  # type: ignore[arg-type]
    took = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store-path", type=Path, default=Path("build/store"))
    parser.add_argument("--neo4j", metavar="URI", help="serve Neo4j at this Bolt URI instead (no authentication)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, help="append the section to this Markdown file")
    args = parser.parse_args()
    store = {"store": "neo4j", "neo4j_uri": args.neo4j} if args.neo4j else {"store_path": args.store_path}
    settings = Settings(**store)  # type: ignore[arg-type]
    app = create_app(settings)
    t = time.perf_counter()
    with app.state.live.acquire() as held:  # the store the server serves
        warm_indexes(held)
    warm = time.perf_counter() - t
    search: list[float] = []
    for word in TYPED:
        for n in range(1, len(word) + 1):
            path = f"/organisations?q={word[:n]}&order=relevance&limit=10&as_of=2024-10-01"
            timed(app, path)
            search += [timed(app, path) for _ in range(args.repeat)]
    rows = [("search as you type", len(search), statistics.median(search), pct(search, 95), TARGETS["search"])]
    for label, path in LISTS.items():
        timed(app, path)
        times = [timed(app, path) for _ in range(args.repeat)]
        rows.append((f"{label} (`{path}`)", len(times), statistics.median(times), pct(times, 95),
                     TARGETS.get(label)))
    load = os.getloadavg()
    lines = [
        f"## Search and lists in-process ({dt.date.today().isoformat()}, {settings.store})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}. Command: `.venv/bin/python benchmarks/search_lists.py "
        f"--repeat {args.repeat}`. Indexes warmed first ({warm:.1f} s).",
        "",
        "| what | calls | median | p95 | target (p95) |",
        "|---|---|---|---|---|",
        *(f"| {w} | {n} | {m:.1f} ms | {p:.1f} ms | "
          + (f"≤ {tgt:.0f} ms: **{'met' if p <= tgt else 'not met'}** |" if tgt else "— |")
          for w, n, m, p, tgt in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        with args.write.open("a") as f:
            f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
