"""Benchmark: the national build and an import onto it, against issue 18's targets.

Each run, side by side on the same machine: (1) a bare read of the same files with pandas (every cell as text, the
baseline); (2) ``graphkit build`` of every national file in seeds/ (read, merge, RDF, store, SHACL validation, the
state kept for imports) into a fresh store, with each phase timed; (3) ``graphkit import curated`` of the case
studies (seeds/casestudies) onto that store (from the kept state: only the difference is written and validated).
Figures are medians of ``--repeat`` runs; CPU seconds (all threads) are given beside the wall-clock ones, since the
machine may be shared.

Targets: the whole build (validation included) ≤ 20 s and within 5× of the bare read; store indexing ≥ 0.4 M
quads/s; the import of the case studies ≤ 5 s.

    .venv/bin/python benchmarks/import_national.py [--repeat 3] [--write FILE]

Needs pandas for the bare read (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import Figure, Section, at_least, at_most, print_section  # noqa: E402

from graphkit.store.build import InputFile, build, import_files, seed_files  # noqa: E402

BUILD_TARGET = 20.0  # seconds, validation included
RATIO_TARGET = 5.0  # whole build / bare read
INDEXING_TARGET = 0.4  # million quads per second in the store phase
IMPORT_TARGET = 5.0  # seconds, the case studies onto the national store


def bare_read(paths: list[Path]) -> int:
    """Every file read by pandas, every cell as text: what reading the same bytes costs at the least."""
    import pandas as pd

    rows = 0
    for p in paths:
        header = None if p.name.startswith(("epraccur", "eccg", "etr")) else "infer"
        df = pd.read_csv(p, header=header, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        rows += len(df)
    return rows


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Clock:
    """``with clock("part"):`` adds the part's wall and CPU seconds to ``clock.took``."""

    def __init__(self) -> None:
        self.took: dict[str, tuple[float, float]] = {}

    @contextlib.contextmanager
    def __call__(self, key: str) -> Iterator[None]:
        t, c = time.perf_counter(), _cpu()
        yield
        self.took[key] = (time.perf_counter() - t, _cpu() - c)


#: The parts of the build's "rdf + store" phase and its checks, each measured alone (:func:`parts_alone`).
PARTS = {
    "emit": "the emitters alone: the merged records to N-Quads text in memory",
    "bulk": "Oxigraph's bulk loader alone, the same quads from one text in memory",
    "compact": "the store's compaction alone (Oxigraph's optimize, after the bulk load)",
    "copy": "the resolved graph bulk-loaded alone into a store in memory (where the build's checks run)",
    "checks": "the compiled SHACL checks alone, on that store in memory",
}


def parts_alone(graph: Any, directory: Path) -> dict[str, tuple[float, float]]:
    """The work of the build's "rdf + store" phase and of its checks, each part alone, one after the other, nothing
    else running (the build overlaps them on threads): the emitters writing the merged records as N-Quads text;
    Oxigraph's bulk loader writing that text into a fresh store on disk (IRIs unchecked, as the build loads them);
    the store's compaction; the resolved graph's quads bulk-loaded into a store in memory with the ontology; the
    compiled SHACL checks on it. The sum of their CPU seconds is what the build cannot do without on this machine,
    however it overlaps them. Wall and CPU seconds of each (:data:`PARTS`)."""
    import pyoxigraph as ox

    from graphkit.ontology.shacl import compile_shapes, load_ontology_into
    from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED, emit
    from graphkit.rdf.quads import QuadSink
    from graphkit.store.build import validate_loaded

    clock = _Clock()
    sink = QuadSink()
    with clock("emit"):
        emit(graph, sink)
        data = sink.text().encode("utf-8")
    resolved = f"<{RESOLVED}> .\n"
    side = "".join(line for line in sink.lines if line.endswith(resolved)).encode("utf-8")
    del sink
    store = ox.Store(str(directory))
    with clock("bulk"):
        store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS, lenient=True)
        store.flush()
    del data
    with clock("compact"):
        store.optimize()
    del store
    memory = ox.Store()
    with clock("copy"):
        memory.bulk_load(input=side, format=ox.RdfFormat.N_QUADS, lenient=True)
        load_ontology_into(memory, str(ONTOLOGY_GRAPH))
    checks = compile_shapes(infer_from_domains=False)
    with clock("checks"):
        validate_loaded(memory, checks=checks)
    return clock.took


def one_run(paths: list[Path], cases: Path) -> dict[str, Any]:
    """One bare read, one build and one import, each timed (wall and CPU)."""
    out: dict[str, Any] = {}
    t, c = time.perf_counter(), _cpu()
    out["rows"] = bare_read(paths)
    out["bare"], out["bare cpu"] = time.perf_counter() - t, _cpu() - c
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as tmp:
        store = Path(tmp) / "store"
        t, c = time.perf_counter(), _cpu()
        built = build([InputFile(p) for p in paths], store)
        out["build"], out["build cpu"] = time.perf_counter() - t, _cpu() - c
        out["phases"], out["quads"] = built.seconds, built.quads
        out["parts"] = parts_alone(built.graph, Path(tmp) / "bulk")
        t, c = time.perf_counter(), _cpu()
        imported = import_files([InputFile(cases)], store)
        out["import"], out["import cpu"] = time.perf_counter() - t, _cpu() - c
        out["import phases"], out["changed"], out["quads after"] = imported.seconds, imported.changed, imported.quads
    return out


def measure(repeat: int = 3, **options: Any) -> Section:
    """The median of ``repeat`` runs of :func:`one_run` over seeds/ (``seeds=`` another folder of the same layout)."""
    seeds = Path(options.get("seeds") or ROOT / "seeds")
    paths = seed_files(seeds)
    (ROOT / "build").mkdir(exist_ok=True)
    runs = [one_run(paths, seeds / "casestudies") for _ in range(max(1, repeat))]
    med = statistics.median

    def m(key: str) -> float:
        return med(r[key] for r in runs)

    def part(key: str, i: int) -> float:  # 0: wall, 1: CPU
        return med(r["parts"][key][i] for r in runs)

    phases = {k: med(r["phases"][k] for r in runs) for k in runs[0]["phases"]}
    quads = runs[0]["quads"]
    storing = phases.get("rdf + store", phases.get("store", 0.0))  # the quads written while the store reads them
    indexing = quads / storing / 1e6
    ratio = m("build") / m("bare")
    changed = runs[0]["changed"]
    figures: list[Figure] = [
        at_most("whole build, validation included (`graphkit build`)", m("build"), "s", BUILD_TARGET,
                f"CPU {m('build cpu'):.1f} s (all threads)"),
        Figure("bare read of the same files with pandas", m("bare"), "s", note=f"{runs[0]['rows']:,} rows"),
        at_most("whole build / bare read", ratio, "×", RATIO_TARGET),
        *(Figure(f"build: {k}", v, "s") for k, v in phases.items()),
        at_least("store indexing", indexing, "M quads/s", INDEXING_TARGET,
                 f"{quads:,} quads in the phase \"rdf + store\" (writing the quads, and the checks alongside, "
                 "included)"),
        *(Figure(what, part(key, 0), "s", note=f"CPU {part(key, 1):.1f} s" + (
            f"; {quads / part(key, 0) / 1e6:.3f} M quads/s; the whole build is {m('build') / part(key, 0):.2f}× it"
            if key == "bulk" else "")) for key, what in PARTS.items()),
        Figure("the parts alone, CPU summed", sum(part(key, 1) for key in PARTS), "s",
               note=f"the whole build's CPU: {m('build cpu'):.1f} s; read and merge come before these"),
        at_most("`graphkit import curated` of the case studies onto it", m("import"), "s", IMPORT_TARGET,
                f"CPU {m('import cpu'):.1f} s; {changed[2]:,} units changed, {changed[0]:,} quads added, "
                f"{changed[1]:,} removed" if changed else "rebuilt: no state kept"),
        *(Figure(f"import: {k}", med(r["import phases"][k] for r in runs), "s") for k in runs[0]["import phases"]),
    ]
    notes = [
        f"{len(paths)} national files; median of {len(runs)} runs, each a bare read, a build into a fresh store and "
        "the import, one after the other.",
        "What bounds the build here: Oxigraph's bulk loader (pyoxigraph 0.5) writing these quads alone, nothing "
        "else running, takes the time above, most of it sorting each index's keys and allocating them (perf: "
        "memcmp, malloc and free). Its rate is below 0.4 M quads/s and its time above 5× the bare read, so those two "
        "targets cannot be met with Oxigraph on this machine. The build overlaps its parts on two cores (the emitters "
        "feed the bulk loader as it reads; the checks run on the resolved graph in memory meanwhile; the compaction "
        "runs while they finish), so it cannot take less than their CPU seconds summed (above) over two cores, plus "
        "the read and the merge before them: 20 s needs less work, not more overlap.",
        "Less work tried and not kept (2026-12-07, commit 657c76c, same machine and hour): the 289,501 service "
        "payments written as one quad each (a property per service on the contract) rather than a node of three "
        "quads: 2.52 M quads instead of 3.10 M, and the build took 38.6 s (CPU 59.6 s) against 40.2 s (CPU 63.5 s). "
        "Their quads are cheap to index (short, and sharing their subjects), so a change of the ontology for 4% was "
        "not made; the rest of the quads are the provenance the issue asks to keep (each source file's graph with "
        "every statement's line) and the resolved facts.",
        "Every build: " + "; ".join(f"{r['build']:.1f} s" for r in runs) + ". Every import: "
        + "; ".join(f"{r['import']:.2f} s" for r in runs) + ".",
    ]
    return Section("Import of all national files into the embedded store, and of the case studies onto it",
                   f".venv/bin/python benchmarks/import_national.py --repeat {repeat}", figures, notes)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seeds", type=Path, default=None, help="a seeds folder (ods/, payments/, casestudies/)")
    ap.add_argument("--write", type=Path, default=None, help="append the section to this Markdown file")
    args = ap.parse_args()
    print_section(measure(args.repeat, seeds=args.seeds), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
