"""Benchmark: every analysis for every PCN in England (and every federation in the store), as of a date.

The graph is projected once from the embedded store (timed apart: it is the store's work, not the
analyses'); then, timed together, for each PCN and federation: interdependence (LTS, centralisation,
fragmentation, local centres, dependence, classification) and style (control, proactivity); once over
the whole graph: footprints (coterminosity, boundary crossing, population bands), competition (choice
sets, contestability, HHI) and the boundary spanners of the organisation projection. Run:

    .venv/bin/python benchmarks/analyses_all_pcns.py [--store build/store] [--as-of 2024-10-01]
        [--list-size-year 2022-23] [--write docs/benchmarks.md]

Without --store it builds the national seeds into a temporary store first (about two minutes, untimed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from graphkit.analysis import footprint, interdependence, style  # noqa: E402
from graphkit.analysis.runners import _competition, _footprint  # noqa: E402
from graphkit.store.oxigraph import OxigraphStore  # noqa: E402

CENTRE_KINDS = ("PrimaryCareNetwork", "GPFederation")
MEMBER_KINDS = {"PCNMembership", "FederationMembership"}


def neighbourhood(g: nx.MultiDiGraph, centre: str) -> nx.MultiDiGraph:
    """The centre, its members, and everything one tie away from either: all a meta-organisation's measures
    read (members' lateral ties, subfederation groups, board posts, external ties). O(degree)."""
    keep = {centre}
    members = [u for u, _, d in g.in_edges(centre, data=True) if d.get("kind") in MEMBER_KINDS]
    for node in [centre, *members]:
        keep.update(g.predecessors(node))
        keep.update(g.successors(node))
    for node in list(keep):  # board members' posts and external ties of people on the board
        if g.nodes[node].get("kind") in ("FederationBoard", "Person"):
            keep.update(g.predecessors(node))
            keep.update(g.successors(node))
    return g.subgraph(keep).copy()  # a small real graph: faster to walk than a view


def run(store_path: Path, as_of: dt.date, list_size_year: str) -> dict[str, object]:
    store = OxigraphStore(store_path)
    t0 = time.perf_counter()
    g = store.project(as_of, list_size_year=list_size_year)
    t1 = time.perf_counter()
    centres = sorted(n for n, d in g.nodes(data=True) if d.get("kind") in CENTRE_KINDS)
    classes: dict[str, int] = {}
    styles: dict[str, int] = {}
    for c in centres:
        h = neighbourhood(g, c)
        result = interdependence.interdependence(h, c)
        classes[result.classification] = classes.get(result.classification, 0) + 1
        s = style.style(h, c)
        styles[s.style] = styles.get(s.style, 0) + 1
    t2 = time.perf_counter()
    fp = _footprint(
        g, membership_kind="PCNMembership", area_attr="area", weighted=False, threshold=0.5, low=30_000, high=50_000
    )
    comp = _competition(g, membership_kind="PCNMembership", area_attr="area", weighted=False, previous=None)
    t3 = time.perf_counter()
    members, area_of, sizes = footprint.inputs_from_graph(g, membership_kinds={"PCNMembership"}, area_attr="area")
    multi = footprint.multi_area_organisations(members, area_of)
    pop = footprint.population_bands(members, sizes, low=30_000, high=50_000)
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "centres": len(centres),
        "pcns": sum(1 for c in centres if g.nodes[c]["kind"] == "PrimaryCareNetwork"),
        "federations": sum(1 for c in centres if g.nodes[c]["kind"] == "GPFederation"),
        "classes": classes,
        "styles": styles,
        "projection_s": t1 - t0,
        "per_centre_s": t2 - t1,
        "whole_graph_s": t3 - t2,
        "multi_area": len(multi),
        "above_50k": sum(1 for v in pop.values() if v.band == "over"),
        "below_30k": sum(1 for v in pop.values() if v.band == "under"),
        "footprints": len(fp["footprints"]),
        "choice_sets": len(comp["choice_sets"]),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--as-of", default="2024-10-01")
    ap.add_argument("--list-size-year", default="2022-23")
    ap.add_argument("--write", type=Path, default=None)
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    if args.store is None:
        from graphkit.store.build import build_seeds

        tmp = tempfile.mkdtemp(prefix="bench-analyses-")
        store_path = Path(tmp) / "store"
        build_seeds(ROOT / "seeds", store_path)
    else:
        store_path = args.store
    r = run(store_path, as_of, args.list_size_year)
    analyses_s = float(r["per_centre_s"]) + float(r["whole_graph_s"])  # type: ignore[arg-type]
    command = "`.venv/bin/python benchmarks/analyses_all_pcns.py" + (f" --store {args.store}" if args.store else "")
    command += "`"
    text = f"""
## All analyses for every PCN and federation ({dt.date.today()})

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average
{", ".join(f"{x:.2f}" for x in os.getloadavg())}. Command: {command}. As of {as_of}, list sizes {args.list_size_year}.
Graph: {r["nodes"]:,} nodes, {r["edges"]:,} edges; {r["pcns"]:,} PCNs and {r["federations"]} federations.

| step | seconds |
|---|---|
| projection from the embedded store (not the analyses) | {r["projection_s"]:.2f} |
| interdependence + style for each of the {r["centres"]:,} PCNs and federations | {r["per_centre_s"]:.2f} |
| footprints, population bands, competition (whole graph, once) | {r["whole_graph_s"]:.2f} |
| **all analyses** (target ≤ 5 s) | **{analyses_s:.2f}** |

Interdependence classes: {r["classes"]}. Styles: {r["styles"]}. PCNs whose practices span more than one
sub-ICB location: {r["multi_area"]}; PCNs over 50,000 registered patients: {r["above_50k"]}, under
30,000: {r["below_30k"]}. Footprints computed: {r["footprints"]:,}; choice sets: {r["choice_sets"]:,}.
"""
    print(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
