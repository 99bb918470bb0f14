"""Every speed benchmark in one command, and docs/benchmarks.md rewritten from what it measured.

    .venv/bin/python benchmarks/run.py [--repeat 3] [--store-path build/store] [--only NAME,...] [--skip NAME,...]
        [--scales 1,10] [--out docs/benchmarks.md] [--keep]

Every section measured is also kept, with the time and commit of its pass, in a JSON file beside the document
(docs/benchmarks.json). ``--keep`` writes the sections this pass does not run from there, each saying when and on
which commit it was measured (a long benchmark need not run again to remeasure a short one); without it, the
document holds only this pass.

Each benchmark runs in its own child process (one that fails or crashes is reported as such and the others still
run), gets the same national store (built once first, untimed, unless ``--store-path`` names one) and ``--repeat``,
and hands back a :class:`benchmarks.common.Section`: its figures, each beside its target with the verdict, the
command that reproduces it alone, and notes. The document opens with the machine, the date, the command and every
target in one table. Ratios a target states (build against a bare read, our Neo4j load against a raw one) are
measured side by side inside one benchmark's run, never across runs.

Reliability (kills, bad inputs, worst queries) is measured by ``benchmarks/reliability.py`` into
docs/reliability.md, not here.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, Section, machine  # noqa: E402

#: (module, what it measures, its options: the runner's value for each name given as "<name>", else the value), in
#: the order they run and are written.
BENCHMARKS: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("import_national", "the national build and incremental imports", {}),
    ("search_lists", "search as you type, lists and contracts in-process", {"store_path": "<store_path>"}),
    ("api_routes", "the API's routes in-process", {"store_path": "<store_path>"}),
    ("analyses_all_pcns", "every analysis for every PCN and federation", {"store_path": "<store_path>"}),
    ("neo4j_load", "loading Neo4j: ours, raw UNWIND CREATE, rdflib-neo4j",
     {"store": "<store_path>", "rdflib_repeat": "<repeat>"}),  # the ratio: medians on both sides
    ("load_test", "loopback load on both stores", {"store_path": "<store_path>", "neo4j": True}),
    ("synthetic_scale", "synthetic economies at growing scales", {"scales": "<scales>"}),
)
#: benchmarks that print their own Markdown (no ``measure``): run as scripts, their section kept as they print it
SCRIPTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("embedded_lookups", "the embedded store's lookups against rdflib and bare pyoxigraph", ("--codes", "20")),
)
MARK = "@@section@@ "


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


def kept_sections(path: Path) -> dict[str, dict[str, object]]:
    """The sections of earlier passes (by benchmark name: the section, when and on which commit it was measured)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _child(name: str, options: dict[str, object]) -> int:
    """In the child process: import the benchmark, measure, print its section as JSON on a marked line."""
    import importlib

    module = importlib.import_module(f"benchmarks.{name}")
    for key in ("store_path", "store"):
        if key in options:
            options[key] = Path(str(options[key]))
    section = module.measure(**options)
    print(MARK + json.dumps(dataclasses.asdict(section)), flush=True)
    return 0


def _section(data: dict[str, object]) -> Section:
    figures = [Figure(**f) for f in data.pop("figures")]  # type: ignore[arg-type,attr-defined]
    return Section(figures=figures, **data)  # type: ignore[arg-type]


def _failed(name: str, what: str, command: str, took: float, err: str) -> Section:
    tail = "\n".join(err.strip().splitlines()[-12:])
    return Section(f"{what} ({name}): did not complete", command, [],
                   [f"The benchmark stopped after {took:.0f} s with an error; the end of what it said:"],
                   extra="```\n" + tail + "\n```")


def run_one(name: str, what: str, options: dict[str, object], log: Path) -> Section:
    cmd = [sys.executable, __file__, "--child", name, "--options", json.dumps(options, default=str)]
    t = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=out, text=True, check=False)
    took = time.perf_counter() - t
    lines = [x for x in done.stdout.splitlines() if x.startswith(MARK)]
    if done.returncode != 0 or not lines:
        return _failed(name, what, f".venv/bin/python benchmarks/{name}.py", took, log.read_text())
    section = _section(json.loads(lines[-1][len(MARK):]))
    section.notes.append(f"Took {took:.0f} s in all.")
    return section


def run_script(name: str, what: str, args: tuple[str, ...], log: Path) -> Section:
    out_md = log.with_suffix(".md")
    cmd = [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args, "--write", str(out_md)]
    command = f".venv/bin/python benchmarks/{name}.py {shlex.join(args)}".strip()
    t = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True, check=False)
    took = time.perf_counter() - t
    if done.returncode != 0 or not out_md.exists():
        return _failed(name, what, command, took, log.read_text())
    text = out_md.read_text().strip()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("## "))  # the runner titles it
    return Section(what[0].upper() + what[1:], command, [], [f"Took {took:.0f} s in all."], extra=body)


def document(sections: list[Section], command: str, started: dt.datetime, took: float) -> str:
    targets = [(f, s.title) for s in sections for f in s.figures if f.target]
    met = sum(1 for f, _ in targets if f.met)
    lines = [
        "# Benchmarks",
        "",
        "Written by `benchmarks/run.py`; do not edit by hand (run it again). Speed and memory targets are measured",
        "here, by commands in `benchmarks/`, not by timed unit tests. Each section gives the command that reproduces",
        "it alone; a ratio is measured side by side within one run.",
        "",
        f"- Machine: {machine()}.",
        f"- Command: `{command}`; started {started.strftime('%Y-%m-%d %H:%M')} UTC, took {took / 60:.1f} min.",
        "- The machine has two cores: a load generator, a Neo4j server and the process measured share them, so a",
        "  throughput here is a floor, not a ceiling.",
        "",
        f"## Targets ({met} of {len(targets)} met)",
        "",
        "| what | figure | target | section |",
        "|---|---|---|---|",
    ]
    for f, title in targets:
        verdict = "**met**" if f.met else "**not met**"
        shown = f.cells().split(" | ")[1]
        lines.append(f"| {f.what} | {shown} | {f.target}: {verdict} | {title} |")
    lines.append("")
    for s in sections:
        lines.append(s.markdown())
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--store-path", type=Path, default=None, help="a built national store (else built first)")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    ap.add_argument("--skip", default="", help="comma-separated benchmark names")
    ap.add_argument("--scales", default="1,10", help="for synthetic_scale")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--keep", action="store_true",
                    help="write the sections not run now from the earlier passes kept beside the document")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child(args.child, json.loads(args.options))
    names = {n for n, _, _ in BENCHMARKS} | {n for n, _, _ in SCRIPTS}
    only = {x for x in args.only.split(",") if x}
    skip = {x for x in args.skip.split(",") if x}
    if unknown := (only | skip) - names:
        ap.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
    wanted = (only or names) - skip
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    store_path = args.store_path
    if store_path is None:
        from graphkit.store.build import build_seeds

        store_path = work / "national" / "store"
        print(f"building the national store into {store_path} (untimed)", flush=True)
        build_seeds(ROOT / "seeds", store_path)
    given = {"repeat": args.repeat, "store_path": str(store_path.absolute()), "scales": args.scales}
    kept_path = args.out.with_suffix(".json")
    kept = kept_sections(kept_path)
    commit = _commit()
    sections = []
    for name, what, takes in BENCHMARKS:
        if name in wanted:
            print(f"running {name}: {what}", flush=True)
            options = {"repeat": given["repeat"], **{k: given[v[1:-1]] if isinstance(v, str) and v.startswith("<")
                                                     else v for k, v in takes.items()}}
            sections.append(run_one(name, what, options, work / f"{name}.log"))
            print(sections[-1].markdown(), flush=True)
            kept[name] = {"section": dataclasses.asdict(sections[-1]), "measured": started.strftime("%Y-%m-%d %H:%M"),
                          "commit": commit}
        elif args.keep and name in kept:
            earlier = kept[name]
            section = _section(dict(earlier["section"]))  # type: ignore[arg-type]
            section.notes.append(f"Measured by an earlier pass ({earlier['measured']} UTC, commit {earlier['commit']}),"
                                 " not by this command.")
            sections.append(section)
    for name, what, script_args in SCRIPTS:
        if name in wanted:
            print(f"running {name}: {what}", flush=True)
            sections.append(run_script(name, what, script_args, work / f"{name}.log"))
    command = ".venv/bin/python benchmarks/run.py" + (" " + shlex.join(argv if argv is not None else sys.argv[1:])
                                                     if (argv if argv is not None else sys.argv[1:]) else "")
    left = sorted(names - wanted - (set(kept) if args.keep else set()))
    if left:
        sections.append(Section("Not run in this pass", command, [], [
            f"{', '.join(left)}: not run by this command (`--only`/`--skip`); their last figures are in the git "
            "history of this file."]))
    kept_path.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
    args.out.write_text(document(sections, command, started, time.perf_counter() - t0))
    print(f"wrote {args.out} ({len(sections)} sections); logs in {work}")
    return 0 if all(s.figures or s.extra for s in sections) else 1


if __name__ == "__main__":
    raise SystemExit(main())
