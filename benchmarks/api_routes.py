"""Benchmark: how long the API's routes take over a store, in-process (no socket), as a client sees them.

Each route is called ``--repeat`` times (first call apart: it pays for caches, e.g. an analysis projecting the
graph for a new date), and the first and median times are reported. Run over the embedded store (default) or
Neo4j:

    .venv/bin/python benchmarks/api_routes.py [--store-path build/store] [--repeat 5] [--write FILE.md]
    .venv/bin/python benchmarks/api_routes.py --neo4j bolt://127.0.0.1:7687
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings

ROUTES = [
    "/organisations/A81001?as_of=2025-01-01",
    "/organisations/A81001/hierarchy?as_of=2021-06-01",
    "/organisations/U93843/members?as_of=2020-06-01",
    "/organisations/16C/history",
    "/organisations/A81001/provenance",
    "/organisations?q=stockton&as_of=2024-10-01",
    "/organisations?type=GPPractice&within=QHM&as_of=2024-10-01",
    "/organisations?as_of=2024-10-01",
    "/contracts?within=QHM&type=APMS&year=2022-23",
    "/contracts?year=2022-23",
    "/economy/QHM?as_of=2024-10-01&depth=2",
    "/analyses/footprint?as_of=2024-10-01",
    "/analyses/boundary-spanners?as_of=2024-10-01",
    "/export?format=turtle&within=QHM&as_of=2024-10-01",
    "/export?format=csv&table=ties&as_of=2024-10-01",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store-path", type=Path, default=Path("build/store"))
    parser.add_argument("--neo4j", metavar="URI", help="serve Neo4j at this Bolt URI instead (no authentication)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()
    store = {"store": "neo4j", "neo4j_uri": args.neo4j} if args.neo4j else {"store_path": args.store_path}
    settings = Settings(**store)  # type: ignore[arg-type]
    app = create_app(settings)
    rows = []
    for path in ROUTES:
        times = []
        for _ in range(args.repeat + 1):
            t = time.perf_counter()
            r = get(app, path)
            times.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
        rows.append((path, times[0], statistics.median(times[1:]), len(r.content)))
    load = os.getloadavg()[0]
    lines = [
        f"Store: {settings.store}; machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {load:.1f}; {args.repeat} repeats after a first call.",
        "",
        "| route | first call | median after | bytes |",
        "|---|---|---|---|",
        *(f"| `{p}` | {a * 1000:,.0f} ms | {m * 1000:,.0f} ms | {n:,} |" for p, a, m, n in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        with args.write.open("a") as f:
            f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
