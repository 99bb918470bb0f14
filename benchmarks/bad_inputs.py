"""The bad-input corpus (tests/data/bad/) run through the real command line.

Each case of ``tests/data/bad/cases.toml`` names an input (a file or a curated set in the corpus, or one
made at run time: a 10 MB cell, a link to a system file, a named pipe, a directory), the command
(``graphkit import ods``, ``import curated`` or ``validate``), the exit code expected and the fragments
the message must hold (file, line, field, reason). Every case runs against a tiny embedded store
(a few real epraccur rows) built here first, and after every case the store must be as it was: the
same quads, manifest and report, and nothing new beside it (no ``*.building`` left over).

:func:`run_corpus` returns the counts the reliability report prints: inputs tried, clear errors,
tracebacks (must be 0), partial writes (must be 0), and one outcome per case. Run:

    .venv/bin/python benchmarks/bad_inputs.py [--corpus tests/data/bad] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "data" / "bad"
COMMANDS = {"ods": ["import", "ods"], "curated": ["import", "curated"], "validate": ["validate", "--no-warnings"]}
BIG = 10 * 1024 * 1024  # the size of the generated huge cells


@dataclass(frozen=True)
class Case:
    """One bad input and what the command line must answer."""

    name: str
    command: str  # ods | curated | validate
    path: str  # in the corpus, or (``generate``) in the work directory
    exit: int
    expect: tuple[str, ...]
    args: tuple[str, ...] = ()
    generate: str | None = None
    absent: tuple[str, ...] = ()  # what the answer must not show (e.g. a line of a system file)


@dataclass
class Outcome:
    name: str
    command: str
    exit: int
    output: str
    missing: list[str] = field(default_factory=list)  # expected fragments not in the output (or forbidden ones in it)
    traceback: bool = False
    partial_write: bool = False
    expected_exit: int = 0

    @property
    def clear(self) -> bool:
        """A clear error: the expected non-zero exit, every expected fragment (file, line, field, reason),
        and no traceback."""
        return self.exit == self.expected_exit != 0 and not self.missing and not self.traceback


def load_cases(corpus: Path = CORPUS) -> list[Case]:
    data = tomllib.loads((corpus / "cases.toml").read_text(encoding="utf-8"))
    return [Case(c["name"], c["command"], c["path"], int(c["exit"]), tuple(c.get("expect", ())),
                 tuple(c.get("args", ())), c.get("generate"), tuple(c.get("absent", ()))) for c in data["case"]]


# -- inputs made at run time ---------------------------------------------------------------------------


def _big_cell_csv(target: Path) -> None:
    """An ePCN partners sheet whose second row holds a 10 MB cell."""
    with gzip.open(ROOT / "seeds" / "ods" / "ePCN_2024-10_core_partner_details.csv.gz", "rt",
                   encoding="utf-8") as fh:
        header, row = next(fh), next(fh)
    cells = row.split(",")
    cells[1] = "X" * BIG
    target.write_text(header + ",".join(cells), encoding="utf-8")


def _big_cell_table(target: Path) -> None:
    target.mkdir()
    (target / "organisations.csv").write_text(
        "# vintage: 2024-10-01\ncode,name,kind,source\nZZF-FED," + "X" * BIG + ",GPFederation,004:190\n",
        encoding="utf-8")


def _link_to_system_file(target: Path) -> None:
    """A link named like a national file, to a file outside its directory (/etc/passwd where there is one)."""
    outside = Path("/etc/passwd")
    if not outside.is_file():
        outside = target.parent.parent / "secret.txt"
        outside.write_text("root:x:0:0:secret\n", encoding="utf-8")
    target.symlink_to(outside)


def _curated_link(target: Path) -> None:
    target.mkdir()
    _link_to_system_file(target / "organisations.csv")


def _named_pipe(target: Path) -> None:
    os.mkfifo(target)


def _curated_pipe(target: Path) -> None:
    target.mkdir()
    os.mkfifo(target / "organisations.csv")


def _directory(target: Path) -> None:
    target.mkdir()


GENERATORS: dict[str, Callable[[Path], None]] = {
    "big-cell-csv": _big_cell_csv,
    "big-cell-table": _big_cell_table,
    "link-to-system-file": _link_to_system_file,
    "curated-link-to-system-file": _curated_link,
    "named-pipe": _named_pipe,
    "curated-named-pipe": _curated_pipe,
    "directory": _directory,
}


# -- running -------------------------------------------------------------------------------------------


def tiny_store(workdir: Path) -> Path:
    """An embedded store built from the first 30 rows of the real 2026 epraccur file (practices A81001...)."""
    from click.testing import CliRunner

    from graphkit.cli import cli

    inputs = workdir / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    with gzip.open(ROOT / "seeds" / "ods" / "epraccur_2026-02.csv.gz", "rt", encoding="utf-8") as fh:
        rows = [next(fh) for _ in range(30)]
    (inputs / "epraccur_2026-02.csv").write_text("".join(rows), encoding="utf-8")
    store = workdir / "store" / "store"
    store.parent.mkdir(parents=True, exist_ok=True)
    out = CliRunner().invoke(cli, ["--store-path", str(store), "import", "ods", str(inputs / "epraccur_2026-02.csv")])
    if out.exit_code != 0:
        raise RuntimeError(f"the tiny store could not be built: {out.output}")
    return store


def snapshot(store: Path) -> tuple[int, str, str, tuple[str, ...]]:
    """What a refused import must leave as it was: the quads, the manifest, the report, and what lies
    beside the store: the names next to it and in its sibling directories (``store.generations/``), and
    where ``store`` points when it is a link (a left-over ``store.building`` or half-built generation,
    or a switched store, would show)."""
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    quads = len(s)
    del s
    manifest = store.with_name(store.name + ".imports.json").read_text(encoding="utf-8")
    report = store.with_name(store.name + ".report.json").read_text(encoding="utf-8")
    beside = []
    for p in sorted(store.parent.iterdir()):
        beside.append(p.name + (f" -> {os.readlink(p)}" if p.is_symlink() else ""))
        if p.is_dir() and not p.is_symlink() and p.name.startswith(store.name + "."):
            beside.extend(f"{p.name}/{q.name}" for q in sorted(p.iterdir()))
    return quads, manifest, report, tuple(beside)


def run_case(case: Case, corpus: Path, workdir: Path, store: Path) -> Outcome:
    """Run one case through the command line in-process (click's runner) and judge the answer."""
    from click.testing import CliRunner

    from graphkit.cli import cli

    if case.generate:
        path = workdir / "generated" / case.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() and not path.is_symlink():
            GENERATORS[case.generate](path)
    else:
        path = corpus / case.path
    before = snapshot(store)
    args = ["--store-path", str(store), *COMMANDS[case.command], *case.args, str(path)]
    result = CliRunner().invoke(cli, args)
    output = result.output  # stdout and stderr, as a user sees them
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return Outcome(
        name=case.name,
        command=case.command,
        exit=result.exit_code,
        output=output,
        missing=[f for f in case.expect if f not in output] + [f"(absent) {f}" for f in case.absent if f in output],
        traceback=crashed or "Traceback" in output or "internal error" in output,
        partial_write=snapshot(store) != before,
        expected_exit=case.exit,
    )


def run_corpus(corpus_dir: Path = CORPUS, workdir: Path | None = None) -> dict[str, Any]:
    """Every case of the corpus through the command line, against a tiny store built in ``workdir``.

    Returns ``inputs`` (cases tried), ``clear_errors`` (the expected non-zero exit with the file, line,
    field and reason expected), ``tracebacks`` (must be 0), ``partial_writes`` (must be 0), ``unclear``
    (names of the cases that were not clear errors) and ``cases`` (one outcome per case)."""
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix="graphkit-bad-inputs-"))
    store = tiny_store(workdir)
    outcomes = [run_case(c, corpus_dir, workdir, store) for c in load_cases(corpus_dir)]
    return {
        "inputs": len(outcomes),
        "clear_errors": sum(1 for o in outcomes if o.clear),
        "tracebacks": sum(1 for o in outcomes if o.traceback),
        "partial_writes": sum(1 for o in outcomes if o.partial_write),
        "unclear": [o.name for o in outcomes if not o.clear],
        "cases": [{**asdict(o), "clear": o.clear} for o in outcomes],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", action="store_true", help="print every outcome as JSON")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="graphkit-bad-inputs-") as tmp:
        found = run_corpus(args.corpus, Path(tmp))
    if args.json:
        print(json.dumps(found, indent=1))
    else:
        for o in found["cases"]:
            first = o["output"].strip().splitlines()[0] if o["output"].strip() else ""
            print(f"{'ok ' if o['clear'] else 'BAD'} {o['exit']:3d} {o['name']}: {first[:150]}")
            for m in o["missing"]:
                print(f"      missing: {m!r}")
        print(f"inputs {found['inputs']}, clear errors {found['clear_errors']}, tracebacks {found['tracebacks']}, "
              f"partial writes {found['partial_writes']}")
    return 0 if found["tracebacks"] == found["partial_writes"] == 0 and not found["unclear"] else 1


if __name__ == "__main__":
    sys.exit(main())
