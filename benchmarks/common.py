"""What every benchmark hands to the one command (``benchmarks/run.py``): a :class:`Section` of :class:`Figure`\\ s,
each with its target and verdict beside it, and the machine it ran on.

A benchmark script is a module of ``benchmarks/`` with ``measure(repeat: int, **options) -> Section`` (the median of
``repeat`` runs of each figure, or percentiles of every call for latencies) and a ``main()`` that prints the
section alone. ``run.py`` calls every ``measure`` and rewrites docs/benchmarks.md from the sections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Figure:
    """One measured figure. ``target`` is the figure the issue asks for, as text (``"≤ 30 ms"``); ``met`` the
    verdict (None when there is no target)."""

    what: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None
    note: str = ""

    def cells(self) -> str:
        shown = f"{self.value:,.0f}" if abs(self.value) >= 100 else f"{self.value:.3g}" if self.value else "0"
        verdict = "" if self.met is None else (" **met**" if self.met else " **not met**")
        target = f"{self.target}:{verdict}" if self.target else "—"
        return f"| {self.what} | {shown} {self.unit} | {target} | {self.note} |"


def at_most(what: str, value: float, unit: str, limit: float, note: str = "") -> Figure:
    return Figure(what, value, unit, f"≤ {limit:g} {unit}", value <= limit, note)


def at_least(what: str, value: float, unit: str, floor: float, note: str = "") -> Figure:
    return Figure(what, value, unit, f"≥ {floor:g} {unit}", value >= floor, note)


@dataclass
class Section:
    """A benchmark's results: a title, the command that reproduces it, its figures, and notes in words."""

    title: str
    command: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: str = ""  # more Markdown (a growth table, a plot) after the figures

    def markdown(self, level: int = 2) -> str:
        lines = [f"{'#' * level} {self.title}", "", f"Command: `{self.command}`", ""]
        if self.figures:
            lines += ["| what | figure | target | note |", "|---|---|---|---|", *(f.cells() for f in self.figures), ""]
        lines += [f"- {n}" for n in self.notes]
        if self.notes:
            lines.append("")
        if self.extra:
            lines += [self.extra.rstrip(), ""]
        return "\n".join(lines)


def median_of(repeat: int, run: Callable[[], float]) -> tuple[float, list[float]]:
    """The median of ``repeat`` runs of ``run`` (each returns one figure), and every run."""
    values = [run() for _ in range(max(1, repeat))]
    return statistics.median(values), values


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> str:
    """The machine in one line: CPU model, cores, memory, Python, the commit measured and the load average."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                      if x.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    load = os.getloadavg()
    return (f"{model}, {os.cpu_count()} cores, {memory}; {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}; commit {commit}; {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}; load "
            f"average at the end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")


def print_section(section: Section, write: Path | None = None) -> None:
    """What a benchmark's ``main()`` does with its section: print it with the machine, append it to ``write``."""
    text = section.markdown() + f"\nMachine: {machine()}.\n"
    print(text)
    if write:
        with write.open("a") as f:
            f.write("\n" + text)


def in_process_settings(store_path: Path, neo4j_uri: str | None) -> object:
    """The settings of an in-process app over the embedded store at ``store_path``, or over Neo4j at ``neo4j_uri``."""
    from graphkit.config import Settings

    store = {"store": "neo4j", "neo4j_uri": neo4j_uri} if neo4j_uri else {"store_path": store_path}
    return Settings(**store)  # type: ignore[arg-type]


def in_process_main(doc: str | None, measure: Callable[..., Section], repeat: int = 5) -> None:
    """The command line of a benchmark over an in-process app: ``--store-path`` or ``--neo4j``, ``--repeat``,
    ``--write``; prints (and appends) the section ``measure`` gives."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store-path", type=Path, default=Path("build/store"))
    parser.add_argument("--neo4j", metavar="URI", help="serve Neo4j at this Bolt URI instead (no authentication)")
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--write", type=Path, help="append the section to this Markdown file")
    args = parser.parse_args()
    print_section(measure(args.repeat, store_path=args.store_path, neo4j_uri=args.neo4j), args.write)
