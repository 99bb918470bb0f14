"""Build the graph from the files in ``seeds/`` into the embedded store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graphkit.errors import InputError, InputProblem
from graphkit.importers import gp_reg_map
from graphkit.model import ImportResult
from graphkit.rdf import Quad, dedupe, import_result_quads
from graphkit.store.oxigraph import build_store

Reader = Callable[[Path], ImportResult]


@dataclass
class BuildReport:
    results: list[ImportResult] = field(default_factory=list)
    quads: int = 0

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            kinds = Counter(k for o in r.organisations for k in o.kinds)
            rels = Counter(x.kind for x in r.relations)
            out.append(
                f"{r.source.file_name} ({r.source.kind}, vintage {r.source.vintage}): {r.rows} rows, "
                f"{len(r.organisations)} organisations, {len(r.relations)} relations, {len(r.rejects)} reported"
            )
            out.append("  organisations: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            out.append("  relations: " + ", ".join(f"{k} {n}" for k, n in sorted(rels.items())))
        out.append(f"quads written: {self.quads}")
        return out


def reader_for(path: Path) -> Reader:
    """Recognise a file's kind from its shape; refuse what is not recognised."""
    from graphkit.importers.common import csv_rows

    try:
        _, header = next(csv_rows(path))
    except (StopIteration, UnicodeDecodeError, OSError) as exc:
        raise InputError(InputProblem(str(path), 1, None, f"cannot read as CSV: {exc}")) from None
    if gp_reg_map.recognise(header):
        return gp_reg_map.read
    raise InputError(InputProblem(str(path), 1, None, "unrecognised file: its header matches no known NHS file kind"))


def seed_files(seeds_dir: Path) -> list[Path]:
    return sorted(p for p in (seeds_dir / "ods").glob("*.csv*") if p.is_file())


def build(seeds_dir: Path, store_path: Path) -> BuildReport:
    report = BuildReport()
    quads: list[Quad] = []
    for path in seed_files(seeds_dir):
        result = reader_for(path)(path)
        report.results.append(result)
        quads.extend(import_result_quads(result))
    unique = dedupe(quads)
    build_store(store_path, unique)
    report.quads = len(unique)
    return report
