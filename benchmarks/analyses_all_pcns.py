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
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from benchmarks.common import Figure, Section, at_most, print_section  # noqa: E402
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
    fp = _footprint(  # the whole graph's footprints, as GET /analyses/footprint with no centre, kind or area
        g, centre=None, kind=None, area=None, limit=None, offset=None, membership_kind="PCNMembership",
        area_attr="area", weighted=False, threshold=0.5, low=30_000, high=50_000,
    )
    comp = _competition(g, membership_kind="PCNMembership", area_attr="area", weighted=False, previous_as_of=None,
                        area=None)
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


def measure(repeat: int = 3, *, store_path: Path | None = None, as_of: str = "2024-10-01",
            list_size_year: str = "2022-23", **_: object) -> Section:
    """The median of ``repeat`` runs (each projects afresh from a new store object)."""
    if store_path is None:
        from graphkit.store.build import build_seeds

        store_path = Path(tempfile.mkdtemp(prefix="bench-analyses-")) / "store"
        build_seeds(ROOT / "seeds", store_path)
    runs = [run(store_path, dt.date.fromisoformat(as_of), list_size_year) for _ in range(max(1, repeat))]
    r = runs[0]

    def med(key: str) -> float:
        return statistics.median(float(x[key]) for x in runs)  # type: ignore[arg-type]

    analyses = statistics.median(float(x["per_centre_s"]) + float(x["whole_graph_s"]) for x in runs)  # type: ignore[arg-type]
    return Section(
        "All analyses for every PCN and federation",
        f".venv/bin/python benchmarks/analyses_all_pcns.py --store {store_path} --repeat {repeat}",
        [
            Figure("projection from the embedded store (the store's work, not the analyses')", med("projection_s"),
                   "s"),
            Figure(f"interdependence + style for each of the {r['centres']:,} PCNs and federations",
                   med("per_centre_s"), "s"),
            Figure("footprints, population bands, competition (whole graph, once)", med("whole_graph_s"), "s"),
            at_most("all analyses", analyses, "s", 5),
        ],
        [f"As of {as_of}, list sizes {list_size_year}; median of {len(runs)} runs. Graph: {r['nodes']:,} nodes, "
         f"{r['edges']:,} edges; {r['pcns']:,} PCNs and {r['federations']} federations.",
         f"Interdependence classes: {r['classes']}. Styles: {r['styles']}. PCNs whose practices span more than one "
         f"sub-ICB location: {r['multi_area']}; PCNs over 50,000 registered patients: {r['above_50k']}, under "
         f"30,000: {r['below_30k']}. Footprints computed: {r['footprints']:,}; choice sets: {r['choice_sets']:,}."],
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--as-of", default="2024-10-01")
    ap.add_argument("--list-size-year", default="2022-23")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", type=Path, default=None)
    args = ap.parse_args()
    print_section(measure(args.repeat, store_path=args.store, as_of=args.as_of, list_size_year=args.list_size_year),
                  args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
