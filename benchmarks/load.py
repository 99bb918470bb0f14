"""Load on a live API over loopback: ``connections`` clients send requests back to back for ``seconds``; the
throughput, latency percentiles and every server error (5xx or a broken connection) are counted.

    .venv/bin/python benchmarks/load.py http://127.0.0.1:8000 /organisations/A81001 [--connections 16] [--seconds 20]

The generator shares the machine with the server (2 cores here), so the figures are a floor, not the server's
ceiling. `benchmarks/reliability.py` runs it as part of docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import asdict, dataclass, field

import httpx


@dataclass
class LoadResult:
    path: str
    connections: int
    seconds: float
    requests: int = 0
    server_errors: int = 0  # 5xx answers and broken connections
    other_status: dict[int, int] = field(default_factory=dict)  # any non-200 that is not a server error
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        out = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        out.update(per_second=round(self.per_second, 1), p50_ms=round(self.percentile(0.5), 1),
                   p95_ms=round(self.percentile(0.95), 1), p99_ms=round(self.percentile(0.99), 1),
                   mean_ms=round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else None)
        return out


async def _load(base_url: str, path: str, connections: int, seconds: float) -> LoadResult:
    result = LoadResult(path, connections, seconds)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    r = await client.get(path)
                except httpx.TransportError:
                    result.server_errors += 1
                    continue
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.requests += 1
                if r.status_code >= 500:
                    result.server_errors += 1
                elif r.status_code != 200:
                    result.other_status[r.status_code] = result.other_status.get(r.status_code, 0) + 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        result.seconds = time.monotonic() - began
    return result


def run_load(base_url: str, path: str, *, connections: int = 16, seconds: float = 20.0) -> LoadResult:
    """``connections`` clients GET ``path`` back to back for ``seconds``."""
    return asyncio.run(_load(base_url, path, connections, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    for path in args.paths:
        print(json.dumps(run_load(args.url, path, connections=args.connections, seconds=args.seconds).summary()))


if __name__ == "__main__":
    main()
