"""Benchmark: how each cost grows with the size of the economy. For each scale (1x, 10x, 100x England by default),
a synthetic economy (graphkit/synthetic.py, seed 1) is generated, built into a fresh embedded store
(``graphkit build --seeds ECO --case-studies``, its phases as the build reports them), loaded into a Neo4j the
benchmark starts and stops (``graphkit load neo4j``), and every analysis is run for every PCN and federation
(benchmarks/analyses_all_pcns.py's ``run``). Each step is a child process: its wall time and peak resident memory
(``os.wait4``) are recorded. A step that fails or runs past ``--budget`` seconds ends the scale, and the section
says what stopped it. Run:

    .venv/bin/python benchmarks/synthetic_scale.py [--scales 1,10,100] [--no-neo4j] [--budget 3600]
        [--work DIR] [--write docs/benchmarks.md]

The growth table and an SVG plot (docs/pictures/synthetic-scale.svg, drawn here with no plotting library) go into
the section's ``extra``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, Section, print_section  # noqa: E402

PICTURE = ROOT / "docs" / "pictures" / "synthetic-scale.svg"
ANALYSES = (
    "import json, sys, datetime as dt; from pathlib import Path; sys.path.insert(0, {root!r});"
    "from benchmarks.analyses_all_pcns import run;"
    "print(json.dumps(run(Path({store!r}), dt.date(2024, 10, 1), '2022-23')))"
)


def _step(cmd: list[str], budget: float, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run one child process; its wall seconds, peak RSS (MB), exit status and output."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                cwd=ROOT)
        deadline = t0 + budget
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                status = -1
                break
            time.sleep(0.2)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    code = -1 if status == -1 else os.waitstatus_to_exitcode(status)
    return {"seconds": time.perf_counter() - t0, "peak_mb": usage.ru_maxrss / 1024, "exit": code, "output": text}


def _phases(text: str) -> dict[str, float]:
    m = re.search(r"quads written: (\d+); (.*)", text)
    if not m:
        return {}
    out = {"quads": float(m.group(1))}
    for part in m.group(2).split(", "):
        name, _, secs = part.rpartition(" ")
        out[name] = float(secs.rstrip("s"))
    return out


def one_scale(scale: float, work: Path, *, neo4j: bool, budget: float) -> dict[str, object]:
    py, gk = str(ROOT / ".venv" / "bin" / "python"), str(ROOT / ".venv" / "bin" / "graphkit")
    eco, store = work / f"eco-{scale:g}", work / f"store-{scale:g}"
    shutil.rmtree(eco, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    r: dict[str, object] = {"scale": scale, "stopped": ""}
    steps: dict[str, dict[str, object]] = {}
    r["steps"] = steps
    env = {"GRAPHKIT_PROGRESS": "0"}
    steps["generate"] = _step([gk, "synthetic", "--scale", f"{scale:g}", "--seed", "1", str(eco)], budget, env)
    if steps["generate"]["exit"] != 0:
        r["stopped"] = "generate failed"
        return r
    r["input_mb"] = sum(p.stat().st_size for p in eco.rglob("*") if p.is_file()) / 1e6
    r["rows"] = sum(int(n) for n in re.findall(r": (\d+) rows$", str(steps["generate"]["output"]), re.M))
    steps["build"] = s = _step([gk, "--store-path", str(store), "build", "--seeds", str(eco), "--case-studies"],
                               budget, env)
    r["phases"] = _phases(str(s["output"]))
    orgs = re.search(r"store oxigraph at .*?: (\d+) organisations", str(s["output"]))
    r["organisations"] = int(orgs.group(1)) if orgs else None
    if s["exit"] != 0:
        r["stopped"] = "build " + ("ran past the budget" if s["exit"] == -1 else f"failed: {str(s['output'])[-300:]}")
        return r
    r["store_mb"] = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 1e6
    steps["analyses"] = a = _step([py, "-c", ANALYSES.format(root=str(ROOT), store=str(store))], budget, env)
    if a["exit"] == 0:
        res = json.loads(str(a["output"]).strip().splitlines()[-1])
        r["analyses"] = {k: res[k] for k in ("nodes", "edges", "pcns", "federations", "projection_s", "per_centre_s",
                                              "whole_graph_s")}
    else:
        r["stopped"] = "analyses " + ("ran past the budget" if a["exit"] == -1 else "failed")
    if neo4j:
        from graphkit.store import neo4j_runtime

        neo4j_runtime.install(quiet=True)
        home = neo4j_runtime.AREA / f"bench-scale-{os.getpid()}"
        server = neo4j_runtime.start(home, port=None, heap_mb=2048, pagecache_mb=512)
        try:
            steps["neo4j load"] = n = _step([gk, "--store-path", str(store), "load", "neo4j", "--uri", server.uri],
                                            budget, env)
            if n["exit"] != 0:
                r["stopped"] = r["stopped"] or "neo4j load " + ("ran past the budget" if n["exit"] == -1 else "failed")
        finally:
            neo4j_runtime.stop(server)
            shutil.rmtree(home, ignore_errors=True)
    return r


def growth_table(results: list[dict[str, object]]) -> str:
    names = ["generate", "build", "neo4j load", "analyses"]
    head = " | ".join(f"{n} s (peak MB)" for n in names)
    lines = [f"| scale | rows generated | organisations | {head} | stopped |",
             "|---|---|---|" + "---|" * len(names) + "---|"]
    for r in results:
        steps: dict[str, dict[str, object]] = r["steps"]  # type: ignore[assignment]
        cells = [f"{float(steps[n]['seconds']):.1f} ({float(steps[n]['peak_mb']):.0f})"  # type: ignore[arg-type]
                 if n in steps else "—"
                 for n in names]
        lines.append(f"| {r['scale']:g}x | {r.get('rows', 0):,} | {r.get('organisations') or '—'} | "
                     + " | ".join(cells) + f" | {r['stopped'] or '—'} |")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = float(b["scale"]) / float(a["scale"])  # type: ignore[arg-type]
        lines += ["", f"Growth from {a['scale']:g}x to {b['scale']:g}x (size x{ratio:g}), as exponent k in "
                  "cost ∝ size^k (1: linear):", ""]
        for n in names:
            sa, sb = a["steps"].get(n), b["steps"].get(n)  # type: ignore[attr-defined]
            if sa and sb and sb["exit"] == 0:
                k = math.log(float(sb["seconds"]) / float(sa["seconds"])) / math.log(ratio)
                m = math.log(float(sb["peak_mb"]) / float(sa["peak_mb"])) / math.log(ratio)
                lines.append(f"- {n}: time x{float(sb['seconds']) / float(sa['seconds']):.1f} (k = {k:.2f}), "
                             f"peak memory x{float(sb['peak_mb']) / float(sa['peak_mb']):.1f} (k = {m:.2f})")
    return "\n".join(lines)


def svg(results: list[dict[str, object]], path: Path) -> None:
    """Seconds of each step against scale, log-log, as a small hand-made SVG."""
    names = ["generate", "build", "neo4j load", "analyses"]
    colours = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"]
    pts = {n: [(float(r["scale"]), float(r["steps"][n]["seconds"]))  # type: ignore[arg-type, index]
               for r in results if n in r["steps"] and r["steps"][n]["exit"] == 0]  # type: ignore[operator, index]
           for n in names}
    xs = [x for v in pts.values() for x, _ in v] or [1.0]
    ys = [y for v in pts.values() for _, y in v] or [1.0]
    x0, x1 = math.log10(min(xs)) - 0.2, math.log10(max(xs)) + 0.2
    y0, y1 = math.floor(math.log10(max(min(ys), 0.01))), math.ceil(math.log10(max(ys)))
    y1 = max(y1, y0 + 1)
    w, h, m = 560, 360, 60

    def px(x: float) -> float:
        return m + (math.log10(x) - x0) / (x1 - x0) * (w - 2 * m)

    def py(y: float) -> float:
        return h - m - (math.log10(max(y, 0.01)) - y0) / (y1 - y0) * (h - 2 * m)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
           'font-size="12">', f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle">seconds per step against scale (log-log)</text>']
    for e in range(y0, y1 + 1):
        out.append(f'<line x1="{m}" x2="{w - m}" y1="{py(10 ** e):.1f}" y2="{py(10 ** e):.1f}" stroke="#ddd"/>'
                   f'<text x="{m - 6}" y="{py(10 ** e) + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for r in results:
        s = float(r["scale"])  # type: ignore[arg-type]
        out.append(f'<text x="{px(s):.1f}" y="{h - m + 18}" text-anchor="middle">{s:g}x</text>')
    for i, n in enumerate(names):
        p = pts[n]
        if p:
            out.append(f'<polyline fill="none" stroke="{colours[i]}" stroke-width="2" points="'
                       + " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in p) + '"/>')
            out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colours[i]}"/>' for x, y in p]
        out.append(f'<text x="{w - m + 4}" y="{m + 16 * i}" fill="{colours[i]}">{n}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def measure(repeat: int = 1, **options: object) -> Section:
    """One run per scale (``repeat`` is not used: a 10x run takes tens of minutes)."""
    scales = [float(s) for s in str(options.get("scales", "1,10,100")).split(",")]
    work = Path(str(options.get("work") or tempfile.mkdtemp(prefix="bench-synthetic-")))
    neo4j, budget = bool(options.get("neo4j", True)), float(options.get("budget", 3600))  # type: ignore[arg-type]
    results = []
    for scale in scales:
        r = one_scale(scale, work, neo4j=neo4j, budget=budget)
        results.append(r)
        print(json.dumps({k: v for k, v in r.items() if k != "steps"} | {
            "steps": {n: {k: v for k, v in s.items() if k != "output"} for n, s in r["steps"].items()}},  # type: ignore
            default=str), file=sys.stderr)
        if r["stopped"]:
            break
    svg(results, PICTURE)
    figures = []
    for r in results:
        for n, s in r["steps"].items():  # type: ignore[attr-defined]
            figures.append(Figure(f"{r['scale']:g}x: {n}", float(s["seconds"]), "s",
                                  note=f"peak {float(s['peak_mb']):.0f} MB" + ("" if s["exit"] == 0 else
                                                                              f"; exit {s['exit']}")))
    notes = [f"{r['scale']:g}x build phases: " + ", ".join(f"{k} {v:g}" for k, v in r.get("phases", {}).items())  # type: ignore[attr-defined]
             for r in results]
    last = results[-1]
    if last["stopped"]:
        notes.append(f"Largest scale that completed: {results[-2]['scale']:g}x" if len(results) > 1 else
                     "No scale completed")
        notes.append(f"At {last['scale']:g}x: {last['stopped']}")
    extra = growth_table(results) + f"\n\n![seconds per step against scale]({PICTURE.relative_to(ROOT / 'docs')})\n"
    cmd = f".venv/bin/python benchmarks/synthetic_scale.py --scales {','.join(f'{s:g}' for s in scales)}"
    return Section("Synthetic economies at 1x, 10x and 100x England", cmd + ("" if neo4j else " --no-neo4j"),
                   figures, notes, extra)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--budget", type=float, default=3600, help="Seconds one step may take before the scale stops.")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--write", type=Path, default=None)
    args = ap.parse_args()
    section = measure(1, scales=args.scales, neo4j=not args.no_neo4j, budget=args.budget, work=args.work)
    print_section(section, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
