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

import statistics
import sys
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.inprocess import get  # noqa: E402
from benchmarks.common import Figure, Section, at_most, in_process_main, in_process_settings, percentile  # noqa: E402
from graphkit.config import Settings  # noqa: E402
from graphkit.store.shared import warm_indexes  # noqa: E402

TYPED = ["Stockton", "densham", "Tees Valley", "North Cumbria", "PANACEA PCN", "A81001", "U93843", "QHM",
         "medical centre", "surgery", "Bassetlaw", "st peter"]
LISTS = {
    "/organisations filtered by type and ICB": "/organisations?type=GPPractice&within=QHM&as_of=2024-10-01",
    "/organisations filtered by type": "/organisations?type=PrimaryCareNetwork&as_of=2024-10-01",
    "/contracts?year= first page": "/contracts?year=2022-23",
}
TARGETS = {"search": 30.0, "/organisations filtered by type and ICB": 100.0, "/contracts?year= first page": 200.0}


pct = percentile


def timed(app: object, path: str) -> float:
    t = time.perf_counter()
    r = get(app, path)  # type: ignore[arg-type]
    took = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
    return took


def measure(repeat: int = 5, *, store_path: Path = Path("build/store"), neo4j_uri: str | None = None,
            **_: object) -> Section:
    """Every call timed after the indexes are warm; search percentiles over every prefix typed."""
    settings = cast(Settings, in_process_settings(store_path, neo4j_uri))
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
            search += [timed(app, path) for _ in range(repeat)]
    figures = [at_most(f"search as you type, p95 of {len(search)} calls (median {statistics.median(search):.1f} ms)",
                       pct(search, 95), "ms", TARGETS["search"])]
    for label, path in LISTS.items():
        timed(app, path)
        times = [timed(app, path) for _ in range(repeat)]
        what = f"{label} (`{path}`), p95 of {len(times)} (median {statistics.median(times):.1f} ms)"
        target = TARGETS.get(label)
        figures.append(at_most(what, pct(times, 95), "ms", target) if target else Figure(what, pct(times, 95), "ms"))
    where = f"--neo4j {neo4j_uri}" if neo4j_uri else f"--store-path {store_path}"
    return Section(
        f"Search and lists in-process ({settings.store})",
        f".venv/bin/python benchmarks/search_lists.py {where} --repeat {repeat}",
        figures,
        [f"The national graph; the server's in-memory indexes warmed first ({warm:.1f} s). Search: every prefix "
         f"of {len(TYPED)} names and codes, `order=relevance`, ten hits, each asked {repeat} times after a first "
         "call."],
    )


def main() -> None:
    in_process_main(__doc__, measure)


if __name__ == "__main__":
    main()
