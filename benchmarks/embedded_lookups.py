"""Benchmark: the embedded store's as-of lookups against rdflib's in-memory SPARQL on the same queries.

Four lookups the product makes (the API's organisation, memberships and hierarchy endpoints):
(i) an organisation by code as of a date (``OxigraphStore.organisation``), (ii) the members of a PCN as
of a date (``ties(pcn, "down", as_of=day, kind="PCNMembership")``), (iii) the hierarchy of a practice as
of a date (``hierarchy``: practice, PCN, commissioner, system, region), (iv) the ties of a practice over
all time (``ties(code, "up")``).

Each lookup is timed three ways, back to back per call:
- ours: the ``OxigraphStore`` method (SPARQL in Oxigraph on disk, plus our Python around it);
- bare pyoxigraph: the very SPARQL texts and bindings that call sent (recorded from ``select``), run by
  ``pyoxigraph.Store.query`` with the results materialised; the difference is our layer's overhead;
- rdflib: the same texts and bindings run by ``rdflib.Dataset.query`` (``initNs``, ``initBindings``) over the
  same data loaded in memory from the embedded store's N-Quads dump; every answer is checked against
  Oxigraph's.

By default both sides hold a subset of the national files (every ePCN file, the newest epraccur, eccg
and etr: practices, PCNs, sub-ICB locations, ICBs and regions), which rdflib loads in about a minute;
``--store PATH`` uses an existing store for both sides instead, and ``--reference-store PATH`` also
times our layer on a bigger store (e.g. the full national build) for comparison. Run:

    .venv/bin/python benchmarks/embedded_lookups.py [--codes 20] [--reference-store build/store] [--write FILE.md]

20 practices and 20 PCNs by default, each at 3 dates (200 calls), all run by ours and bare pyoxigraph;
rdflib runs 3 calls of each lookup (``--rdflib-calls``), spread over them: on the subset it took about
12 s for one PCN call and 40 s for a hierarchy, so all 200 calls would take it about an hour.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from graphkit.core.namespaces import PREFIXES  # noqa: E402
from graphkit.rdf.emit import RESOLVED  # noqa: E402
from graphkit.store.build import InputFile, build  # noqa: E402
from graphkit.store.oxigraph import OxigraphStore  # noqa: E402

SUBSET = (
    "ods/ePCN_2019-12_core_partner_details.csv.gz",
    "ods/ePCN_2019-12_pcn_details.csv.gz",
    "ods/ePCN_2022-05_core_partner_details.csv.gz",
    "ods/ePCN_2022-05_pcn_details.csv.gz",
    "ods/ePCN_2023-01_core_partner_details.csv.gz",
    "ods/ePCN_2023-01_pcn_details.csv.gz",
    "ods/ePCN_2024-10_core_partner_details.csv.gz",
    "ods/ePCN_2024-10_pcn_details.csv.gz",
    "ods/epraccur_2026-02.csv.gz",
    "ods/eccg_2025-12.csv",
    "ods/etr_2025-12.csv",
)
DATES = (dt.date(2020, 4, 1), dt.date(2022, 10, 1), dt.date(2024, 10, 1))
OPS = {
    "i": "(i) organisation by code, as of a date",
    "ii": "(ii) PCN members, as of a date",
    "iii": "(iii) hierarchy of a practice, as of a date",
    "iv": "(iv) ties of a practice, over all time",
}

Bindings = dict[str, Any]
Recorded = list[tuple[str, Bindings]]


class RecordingStore(OxigraphStore):
    """OxigraphStore that can record the SPARQL text and bindings of every ``select`` it makes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.log: Recorded | None = None

    def select(self, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
        if self.log is not None:
            self.log.append((query, dict(bindings)))
        return super().select(query, **bindings)


@dataclass(frozen=True)
class Call:
    op: str
    code: str
    day: dt.date | None


def invoke(store: OxigraphStore, call: Call) -> object:
    if call.op == "i":
        assert call.day is not None
        return store.organisation(call.code, call.day)
    if call.op == "ii":
        return store.ties(call.code, "down", as_of=call.day, kind="PCNMembership")
    if call.op == "iii":
        assert call.day is not None
        return store.hierarchy(call.code, call.day)
    return store.ties(call.code, "up")


def record(store: RecordingStore, call: Call) -> Recorded:
    store.log = []
    try:
        invoke(store, call)
        return store.log
    finally:
        store.log = None


# -- the two SPARQL engines on the recorded queries ----------------------------------------------------
def run_oxigraph(store: ox.Store, query: str, bindings: Bindings) -> tuple[list[str], list[tuple[Any, ...]]]:
    subs = {ox.Variable(k): v for k, v in bindings.items()} or None
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=subs)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return names, [tuple(sol) for sol in result]


class RdflibSide:
    """The same quads in an rdflib Dataset in memory (default graph = union of the named graphs)."""

    def __init__(self, nquads: bytes) -> None:
        from rdflib import Dataset

        self.dataset = Dataset(default_union=True)
        self.dataset.parse(data=nquads, format="nquads")
        self._iris: dict[str, Any] = {}

    def term(self, t: Any) -> Any:
        from rdflib import Literal, URIRef

        if isinstance(t, ox.NamedNode):
            return self._iris.setdefault(t.value, URIRef(t.value))
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    def run(self, query: str, bindings: Bindings) -> tuple[list[str], list[tuple[Any, ...]]]:
        result = self.dataset.query(query, initNs=PREFIXES, initBindings={k: self.term(v) for k, v in bindings.items()})
        names = [str(v) for v in result.vars or ()]
        return names, [tuple(row) for row in result]  # type: ignore[arg-type]


def normalised(names: list[str], rows: list[tuple[Any, ...]]) -> Counter[tuple[tuple[str, Any], ...]]:
    """Rows as comparable values (lexical forms; a GROUP_CONCAT as a sorted tuple, its order being free)."""

    def value(name: str, term: Any) -> Any:
        if term is None:
            return None
        text = term.value if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else str(term)
        return tuple(sorted(text.split())) if name == "sources" else text

    return Counter(tuple(sorted((n, value(n, t)) for n, t in zip(names, row, strict=True))) for row in rows)


# -- measuring ----------------------------------------------------------------------------------------
@dataclass
class Timings:
    ours: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    rdflib: list[float] = field(default_factory=list)
    ours_sampled: list[float] = field(default_factory=list)  # ours, on the calls rdflib ran
    ours_reference: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def clock(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def choose(store: ox.Store, n: int, seed: int) -> tuple[list[str], list[str]]:
    """``n`` practices and ``n`` PCNs, drawn (seeded) from those with a PCN membership in the store."""
    pairs = run_oxigraph(
        store,
        f"""SELECT DISTINCT ?mcode ?ocode WHERE {{ GRAPH <{RESOLVED}> {{
             ?t a pcg:PCNMembership ; org:member ?m ; org:organization ?o .
             ?m org:identifier ?mcode . ?o org:identifier ?ocode }} }}""",
        {},
    )[1]
    practices = sorted({p.value for p, _ in pairs})
    pcns = sorted({o.value for _, o in pairs})
    rng = random.Random(seed)
    return rng.sample(practices, min(n, len(practices))), rng.sample(pcns, min(n, len(pcns)))


def calls_for(practices: list[str], pcns: list[str], dates: tuple[dt.date, ...]) -> list[Call]:
    calls = [Call("i", c, d) for c in practices for d in dates]
    calls += [Call("ii", c, d) for c in pcns for d in dates]
    calls += [Call("iii", c, d) for c in practices for d in dates]
    calls += [Call("iv", c, None) for c in practices]
    return calls


@dataclass
class Run:
    command: str
    data_note: str = ""
    quads: int = 0
    rdflib_load: float = 0.0
    rdflib_rss_mb: float = 0.0
    reference_note: str = ""
    calls: int = 0
    queries_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    by_op: dict[str, Timings] = field(default_factory=dict)
    per_query: dict[str, list[float]] = field(default_factory=dict)  # bare pyoxigraph seconds by query text
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(args: argparse.Namespace, r: Run, store_path: Path) -> None:
    ours = RecordingStore(store_path)
    bare = ox.Store.read_only(str(store_path))
    reference = RecordingStore(args.reference_store) if args.reference_store else None
    r.quads = len(bare)
    rss = _rss_mb()
    t = time.perf_counter()
    dump = bare.dump(format=ox.RdfFormat.N_QUADS)
    assert dump is not None
    side = RdflibSide(dump)
    del dump
    r.rdflib_load = time.perf_counter() - t
    r.rdflib_rss_mb = _rss_mb() - rss

    practices, pcns = choose(bare, args.codes, args.seed)
    calls = calls_for(practices, pcns, tuple(args.dates))
    r.calls = len(calls)
    sampled = set(sample_calls(calls, args.rdflib_calls))
    # warm-up: one untimed call of each kind on our side, one small query on rdflib's
    side.run("SELECT ?s WHERE { GRAPH ?g { ?s a ?c } } LIMIT 1", {})
    for op in OPS:
        call = next(c for c in calls if c.op == op)
        for query, b in record(ours, call):
            run_oxigraph(bare, query, b)
        if reference is not None:
            invoke(reference, call)
    for call in calls:
        recorded = record(ours, call)  # untimed: which SPARQL this call sends
        tm = r.by_op.setdefault(call.op, Timings())
        tm.ours.append(clock(lambda call=call: invoke(ours, call)))  # type: ignore[misc]
        ox_answers, bare_total = [], 0.0
        for q, b in recorded:
            t = time.perf_counter()
            ox_answers.append(run_oxigraph(bare, q, b))
            took = time.perf_counter() - t
            r.per_query.setdefault(_shape(q), []).append(took)
            bare_total += took
        tm.bare.append(bare_total)
        if call in sampled:
            t = time.perf_counter()
            rdf_answers = [side.run(q, b) for q, b in recorded]
            tm.rdflib.append(time.perf_counter() - t)
            tm.ours_sampled.append(tm.ours[-1])
            check(r, call, recorded, ox_answers, rdf_answers)
        if reference is not None:
            tm.ours_reference.append(clock(lambda call=call: invoke(reference, call)))  # type: ignore[misc]
        tm.queries.append(len(recorded))
        tm.rows.append(sum(len(rows) for _, rows in ox_answers))


Answer = tuple[list[str], list[tuple[Any, ...]]]


def check(r: Run, call: Call, recorded: Recorded, ox_answers: list[Answer], rdf_answers: list[Answer]) -> None:
    """rdflib's answers against Oxigraph's, query by query."""
    for (q, _), (names_o, rows_o), (names_r, rows_r) in zip(recorded, ox_answers, rdf_answers, strict=True):
        r.queries_checked += 1
        if normalised(names_o, rows_o) != normalised(names_r, rows_r):
            r.mismatches.append(f"{call}: {len(rows_o)} rows from Oxigraph, {len(rows_r)} from rdflib: {q[:80]!r}")


def sample_calls(calls: list[Call], per_lookup: int) -> list[Call]:
    """``per_lookup`` calls of each lookup, evenly spread over its calls (all of them if 0)."""
    out: list[Call] = []
    for op in OPS:
        mine = [c for c in calls if c.op == op]
        n = len(mine) if per_lookup <= 0 else min(per_lookup, len(mine))
        out += [mine[i * len(mine) // n] for i in range(n)] if n else []
    return out


def _shape(query: str) -> str:
    """A short name for a SPARQL text: its SELECT clause and first pattern, whitespace folded."""
    text = " ".join(query.split())
    head = text.split(" WHERE", 1)[0]
    body = text.split("{", 2)[-1].strip()
    return (head[:70] + (" …" if len(head) > 70 else "") + " WHERE … " + body[:40] + " …").replace("|", "/")


def report(args: argparse.Namespace, r: Run) -> str:
    med = statistics.median
    ms = 1000.0
    lines = [
        f"### Embedded lookups against rdflib's in-memory SPARQL ({time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"{os.cpu_count() or 0} cores; load average {_fmt_load(r.load_before)} at the start, "
        f"{_fmt_load(r.load_after)} at the end. Command: `{r.command}`.",
        f"Code: {code_version()}; pyoxigraph {_version('pyoxigraph')}, rdflib {_version('rdflib')}. "
        "Data, the same on both sides: "
        f"{r.data_note}; {r.quads:,} quads. rdflib (`Dataset`, in memory) loaded their N-Quads dump in "
        f"{r.rdflib_load:.1f} s (+{r.rdflib_rss_mb:,.0f} MB resident); Oxigraph reads the store on disk.",
        f"Calls: {args.codes} practices and {args.codes} PCNs drawn with seed {args.seed}, dates "
        f"{', '.join(d.isoformat() for d in args.dates)}: {r.calls} calls. Per call, back to back: ours (the "
        "`OxigraphStore` method), then the same SPARQL texts and bindings on bare `pyoxigraph.Store.query`, and, "
        f"on {args.rdflib_calls or 'all'} calls of each lookup spread over its calls (rdflib takes up to minutes "
        "per call), on `rdflib.Dataset.query`; the ratio compares rdflib with ours on those same calls. "
        "Medians, in milliseconds.",
        "",
        "| lookup | calls | SPARQL per call | ours | bare pyoxigraph | ours / bare | rdflib (calls) "
        "| ours, same calls | rdflib / ours |" + (" ours on the reference store |" if r.reference_note else ""),
        "|---|---|---|---|---|---|---|---|---|" + ("---|" if r.reference_note else ""),
    ]
    ratios = []
    for op, title in OPS.items():
        tm = r.by_op.get(op)
        if tm is None:
            continue
        ours, bare, rdf, same = med(tm.ours), med(tm.bare), med(tm.rdflib), med(tm.ours_sampled)
        ratios.append(rdf / same)
        row = (
            f"| {title} | {len(tm.ours)} | {med(tm.queries):.0f} | {ours * ms:.2f} | {bare * ms:.2f} | "
            f"{ours / bare:.2f}× | {rdf * ms:,.0f} ({len(tm.rdflib)}) | {same * ms:.2f} | **{rdf / same:,.0f}×** |"
        )
        if r.reference_note:
            row += f" {med(tm.ours_reference) * ms:.2f} |"
        lines.append(row)
    worst = min(ratios) if ratios else 0.0
    lines += [
        "",
        f"- rdflib / ours, the lowest of the four: **{worst:.0f}×** "
        f"(target ≥ 50×: {'met' if worst >= 50 else 'not met'}).",
        "- ours / bare is what our layer adds to Oxigraph's own time for the same queries (the existence check "
        "before each lookup is one of them, so it is in both): binding the values, turning solutions into dicts "
        "and the dicts into views.",
    ]
    if r.mismatches:
        lines.append(f"- **rdflib answered {len(r.mismatches)} of {r.queries_checked:,} queries differently**, e.g. "
                     f"{r.mismatches[0]}")  # fmt: skip
    else:
        lines.append(f"- rdflib gave the same answers as Oxigraph to all {r.queries_checked:,} queries.")
    if r.reference_note:
        lines.append(f"- Reference store: {r.reference_note}; only our layer runs on it (same calls).")
    lines += [
        "",
        "Where Oxigraph's time goes: the SPARQL texts our calls send, by total bare pyoxigraph time "
        "(one row per text; bindings vary):",
        "",
        "| SPARQL text | runs | median ms | total s |",
        "|---|---|---|---|",
    ]
    for shape, times in sorted(r.per_query.items(), key=lambda kv: -sum(kv[1]))[:6]:
        lines.append(f"| `{shape}` | {len(times)} | {med(times) * ms:.2f} | {sum(times):.2f} |")
    lines.append("")
    return "\n".join(lines)


def code_version() -> str:
    """The commit this ran on, and whether graphkit/ had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "graphkit")
    return f"commit {head}" + (" with uncommitted changes in graphkit/" if dirty else "")


def _fmt_load(avg: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.2f}" for x in avg)


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--store", type=Path, default=None, help="an existing embedded store for both sides")
    ap.add_argument("--reference-store", type=Path, default=None, help="also time our layer on this store")
    ap.add_argument("--codes", type=int, default=20, help="practices and PCNs drawn (default 20 each)")
    ap.add_argument("--dates", type=dt.date.fromisoformat, nargs="+", default=list(DATES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--rdflib-calls", type=int, default=3, help="calls of each lookup that rdflib runs (default 3; 0: all)"
    )
    ap.add_argument("--write", type=Path, default=None, help="append the Markdown section to this file")
    args = ap.parse_args()
    command = ".venv/bin/python benchmarks/embedded_lookups.py" + (
        " " + shlex.join(sys.argv[1:]) if sys.argv[1:] else ""
    )
    r = Run(command=command, load_before=os.getloadavg())
    if args.reference_store:
        r.reference_note = f"`{args.reference_store}` ({len(ox.Store.read_only(str(args.reference_store))):,} quads)"
    with tempfile.TemporaryDirectory(prefix="lookups-") as tmp:
        if args.store is not None:
            path = args.store
            r.data_note = f"the existing embedded store `{args.store}`"
        else:
            path = Path(tmp) / "store"
            files = [ROOT / "seeds" / f for f in SUBSET]
            build([InputFile(p) for p in files], path)
            r.data_note = (
                f"an embedded store built from {len(files)} of the national files (a subset: rdflib's load time, "
                "memory and lookup times grow with the data): " + ", ".join(f"`{p.name}`" for p in files)
            )
        measure(args, r, path)
    r.load_after = os.getloadavg()
    text = report(args, r)
    print(text)
    for m in r.mismatches[:10]:  # the report says how many
        print("mismatch:", m, file=sys.stderr)
    if args.write:
        with args.write.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
