"""Benchmark: import all national NHS files in seeds/ into the embedded store.

Compares the whole import (read + merge + RDF + Oxigraph load) with the time to merely read the
same files with pandas (the "bare read"). Run:

    .venv/bin/python benchmarks/import_national.py [--repeat 3] [--write docs/benchmarks.md]

Needs pandas for the bare-read baseline (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphkit.store.build import InputFile, build, seed_files  # noqa: E402


def bare_read(paths: list[Path]) -> int:
    import pandas as pd

    rows = 0
    for p in paths:
        header = None if p.name.startswith(("epraccur", "eccg", "etr")) else "infer"
        df = pd.read_csv(p, header=header, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        rows += len(df)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", type=Path, default=None, help="append the result table to this Markdown file")
    args = ap.parse_args()
    paths = seed_files(ROOT / "seeds")
    bare, whole, parts = [], [], []
    quads = rows = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        rows = bare_read(paths)
        bare.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            report = build([InputFile(p) for p in paths], Path(tmp) / "store")
            whole.append(time.perf_counter() - t)
            parts.append(report.seconds)
            quads = report.quads
    med = statistics.median
    stages = {k: med([p[k] for p in parts]) for k in parts[0]}
    lines = [
        f"### Import of all national files into the embedded store ({time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"{_cores()} cores. Command: `.venv/bin/python benchmarks/import_national.py --repeat {args.repeat}`.",
        f"Input: {len(paths)} files, {rows:,} rows; output {quads:,} quads. Median of {args.repeat} runs.",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| bare read with pandas (baseline) | {med(bare):.2f} |",
        *(f"| import: {k} | {v:.2f} |" for k, v in stages.items()),
        f"| **whole import** | **{med(whole):.2f}** |",
        f"| ratio whole import / bare read | {med(whole) / med(bare):.1f}x |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
