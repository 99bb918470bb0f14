"""Benchmark: how long the API's routes take over a store, in-process (no socket), as a client sees them.

Each route is called ``--repeat`` times (first call apart: it pays for caches, e.g. an analysis projecting the
graph for a new date), and the first and median times are reported. Run over the embedded store (default) or
Neo4j:

    .venv/bin/python benchmarks/api_routes.py [--store-path build/store] [--repeat 5] [--write FILE.md]
    .venv/bin/python benchmarks/api_routes.py --neo4j bolt://127.0.0.1:7687
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.inprocess import get  # noqa: E402
from benchmarks.common import Figure, Section, in_process_main, in_process_settings  # noqa: E402
from graphkit.config import Settings  # noqa: E402

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


def measure(repeat: int = 5, *, store_path: Path = Path("build/store"), neo4j_uri: str | None = None,
            **_: object) -> Section:
    """Each route: the first call (caches cold) and the median of ``repeat`` after it."""
    settings = cast(Settings, in_process_settings(store_path, neo4j_uri))
    app = create_app(settings)
    figures = []
    for path in ROUTES:
        times = []
        for _ in range(repeat + 1):
            t = time.perf_counter()
            r = get(app, path)
            times.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
        figures.append(Figure(f"`{path}`, median after a first call", statistics.median(times[1:]), "ms",
                              note=f"first call {times[0]:,.0f} ms; {len(r.content):,} bytes"))
    where = f"--neo4j {neo4j_uri}" if neo4j_uri else f"--store-path {store_path}"
    return Section(f"The API's routes in-process ({settings.store})",
                   f".venv/bin/python benchmarks/api_routes.py {where} --repeat {repeat}", figures,
                   ["No socket; the first call of each route pays for its caches (the server also warms them in the "
                    "background at start, which this benchmark does not wait for)."])


def main() -> None:
    in_process_main(__doc__, measure)


if __name__ == "__main__":
    main()
