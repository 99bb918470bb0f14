"""Static pictures of a local health economy, for reports: SVG or PNG, drawn with matplotlib (Agg, no display).

:func:`picture_graph` is what is drawn: the economy around an organisation as of a date
(:func:`graphkit.store.shared.economy`), or with ``members_only`` its internal network (the organisation, the
organisations that are its members and the ties among them), laid out (a seeded spring layout: the same graph
gives the same picture) and dressed: a colour by kind, an area by list size, a label, and each edge's category
(membership, tie, contract). :func:`render` turns it into bytes of a stated size in pixels; :func:`draw` does both.
Used by ``graphkit draw`` and ``GET /economy/{code}?format=svg|png``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import tempfile
import textwrap
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from graphkit.errors import BadParameter

if TYPE_CHECKING:
    from graphkit.store.base import GraphStore

#: Output formats and their media types.
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
DEFAULT_WIDTH, DEFAULT_HEIGHT = 1200, 900
MIN_PIXELS, MAX_PIXELS = 200, 4000
#: Beyond this many organisations a picture is refused (nothing can be read in it, and the layout grows as n²).
MAX_NODES = 1000
SEED = 20201  # the layout's seed: fixed, so that a picture is the same every time
DPI = 100

#: Node colours by kind, first match wins (kinds on the date); the legend shows those drawn.
KIND_GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("federation", "#762a83", frozenset({"GPFederation", "SubfederationGroup", "GPProviderCollaborative",
                                         "JointVenture"})),
    ("board or governance body", "#c2a5cf", frozenset({"FederationBoard", "GovernanceBody",
                                                       "MemberOrganisationLeadsGroup"})),
    ("GP practice", "#1b9e77", frozenset({"GPPractice"})),
    ("other prescribing cost centre", "#a6dba0", frozenset({"PrescribingCostCentre"})),
    ("PCN", "#d95f02", frozenset({"PrimaryCareNetwork"})),
    ("commissioner (CCG, sub-ICB location)", "#4575b4", frozenset({"ClinicalCommissioningGroup", "SubICBLocation",
                                                                   "CCGGoverningBody", "CCGCommittee"})),
    ("system (STP, ICB)", "#e7298a", frozenset({"SustainabilityAndTransformationPartnership", "IntegratedCareBoard",
                                                "STPBoard", "IntegratedCareSystem"})),
    ("NHS England region", "#e6ab02", frozenset({"NHSEnglandRegion"})),
)
OTHER_GROUP, OTHER_COLOUR = "other", "#9e9e9e"

#: How each category of edge is drawn: colour, line style, width, and the bend of the curve (a share of its length;
#: ties and contracts bend to either side, so that they stay visible beside the membership between the same two).
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "membership": {"color": "#7f7f7f", "linestyle": "solid", "linewidth": 0.8, "alpha": 0.55, "bend": 0.0},
    "tie": {"color": "#d73027", "linestyle": "solid", "linewidth": 1.1, "alpha": 0.75, "bend": 0.18},
    "contract": {"color": "#4393c3", "linestyle": (0, (4, 2)), "linewidth": 1.4, "alpha": 0.9, "bend": -0.18},
}

# matplotlib is not thread-safe: the API may render on two threads at once, so renders take turns
_LOCK = threading.Lock()


def group_of(kinds: list[str] | tuple[str, ...]) -> tuple[str, str]:
    """The legend group and colour of an organisation with these kinds."""
    ks = set(kinds)
    for name, colour, members in KIND_GROUPS:
        if ks & members:
            return name, colour
    return OTHER_GROUP, OTHER_COLOUR


def format_of(path: Path | str) -> str:
    """The picture format a file name asks for (.svg or .png); BadParameter for any other extension."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise BadParameter(f"the picture's file name must end in .svg or .png, got {str(path)!r}",
                           details={"parameter": "output"})
    return ext


def check_picture(fmt: str, width: int, height: int) -> None:
    """BadParameter for a size out of range or a format other than svg and png (before any work is done)."""
    for name, value in (("width", width), ("height", height)):
        if not MIN_PIXELS <= value <= MAX_PIXELS:
            raise BadParameter(f"{name} must be between {MIN_PIXELS} and {MAX_PIXELS} pixels, got {value}",
                               details={"parameter": name})
    if fmt not in FORMATS:
        raise BadParameter(f"unknown picture format {fmt!r}; choose svg or png", details={"parameter": "format"})


def members_of(g: nx.MultiDiGraph, centre: str) -> set[str]:
    """The organisations that are members of ``centre`` in the economy: a membership edge from them to it (its
    units, such as a federation's boards, are not members)."""
    return {u for u, v, d in g.in_edges(centre, data=True)
            if d["category"] == "membership" and d["kind"] != "UnitMembership" and u != centre}


def picture_graph(
    store: GraphStore, code: str, as_of: dt.date, *, depth: int = 1, members_only: bool = False
) -> nx.MultiDiGraph:
    """The graph :func:`render` draws: the economy of ``code`` as of the date within ``depth`` ties, or (with
    ``members_only``) the organisation, its members and the ties among them. Nodes gain ``pos`` (x, y in
    [-1, 1]), ``group`` and ``colour`` (by kind), ``label``; edges keep the economy's ``kind`` and ``category``;
    the graph holds ``centre``, ``centre_name``, ``as_of``, ``depth``, ``view``."""
    code = code.upper()
    g = store.economy(code, as_of, depth=depth)
    if members_only:
        g = g.subgraph({code} | members_of(g, code)).copy()
    if g.number_of_nodes() > MAX_NODES:
        raise BadParameter(
            f"the economy of {code} at depth {depth} holds {g.number_of_nodes():,} organisations, more than the "
            f"{MAX_NODES:,} a picture can show; ask for a smaller depth", details={"parameter": "depth"})
    g.graph.update(centre=code, centre_name=g.nodes[code]["name"], as_of=as_of, depth=depth,
                   view="members" if members_only else "economy")
    few = g.number_of_nodes() <= 15
    for n, d in g.nodes(data=True):
        d["group"], d["colour"] = group_of(d["kinds"])
        d["label"] = f"{n}\n" + "\n".join(textwrap.wrap(d["name"], 24)[:3]) if few else n
    for n, xy in layout(g).items():
        g.nodes[n]["pos"] = xy
    return g


def layout(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]²: a spring layout of the organisations joined by any edge, from a fixed seed over the
    nodes in sorted order (the same graph, the same positions)."""
    nodes = sorted(g.nodes)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {n: i for i, n in enumerate(nodes)}
    pairs = {(index[u], index[v]) for u, v in g.edges() if u != v}
    pos = spring(len(nodes), sorted(pairs), seed=SEED)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    centre, scale = (lo + hi) / 2, float(max(hi - lo)) / 2 or 1.0
    return {n: (round(float(x), 6), round(float(y), 6)) for n, (x, y) in zip(nodes, (pos - centre) / scale,
                                                                                  strict=True)}


def spring(n: int, edges: list[tuple[int, int]], *, seed: int, iterations: int | None = None) -> Any:
    """Fruchterman and Reingold's force-directed layout (as networkx's spring layout computes it for small
    graphs), with numpy alone: networkx's own needs scipy from 500 nodes. Nodes repel as k²/d, joined ones attract
    as d²/k, with k = 1.6/√n; the steps shrink to nothing over the iterations. Returns an n x 2 array."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x, y = rng.random(n), rng.random(n)
    joined = np.zeros((n, n))
    for i, j in edges:
        joined[i, j] = joined[j, i] = 1.0
    k = 1.6 / math.sqrt(n)
    iterations = iterations or (200 if n <= 300 else 100 if n <= 600 else 60)
    step = 0.1
    for _ in range(iterations):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        distance = np.sqrt(dx * dx + dy * dy)
        np.clip(distance, 0.01, None, out=distance)
        force = k * k / (distance * distance) - joined * distance / k
        mx, my = (dx * force).sum(axis=1), (dy * force).sum(axis=1)
        length = np.sqrt(mx * mx + my * my)
        length[length < 0.01] = 0.1
        x += mx * step / length
        y += my * step / length
        step -= 0.1 / (iterations + 1)
    pos = np.column_stack((x, y))
    return pos


def draw(
    store: GraphStore, code: str, as_of: dt.date, fmt: str, *, depth: int = 1, members_only: bool = False,
    width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
) -> bytes:
    """The picture of an economy (or its internal network) as SVG or PNG bytes, ``width`` x ``height`` pixels."""
    check_picture(fmt, width, height)
    return _render_locked(picture_graph(store, code, as_of, depth=depth, members_only=members_only), fmt, width,
                          height)


def _font_cache() -> None:
    """matplotlib keeps its font list in its cache directory, built once (seconds) and read afterwards (tens of
    ms). Where the default directory cannot be written, matplotlib would build the list again in every process:
    a directory of this user's under the temporary directory is used instead, and kept."""
    if os.environ.get("MPLCONFIGDIR"):
        return
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    try:
        default.mkdir(parents=True, exist_ok=True)
        if os.access(default, os.W_OK):
            return
    except OSError:
        pass
    mine = Path(tempfile.gettempdir()) / f"graphkit-matplotlib-{os.getuid()}"
    mine.mkdir(mode=0o700, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(mine)


def _matplotlib() -> Any:
    _font_cache()
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    return matplotlib


def _curve(a: tuple[float, float], b: tuple[float, float], bend: float, steps: int = 16) -> list[tuple[float, float]]:
    """A quadratic curve from a to b, its control point ``bend`` x the length off the middle (0: a straight line)."""
    if bend == 0:
        return [a, b]
    (x0, y0), (x1, y1) = a, b
    mx, my = (x0 + x1) / 2 - bend * (y1 - y0), (y0 + y1) / 2 + bend * (x1 - x0)
    pts = []
    for i in range(steps + 1):
        t = i / steps
        pts.append(((1 - t) ** 2 * x0 + 2 * (1 - t) * t * mx + t * t * x1,
                    (1 - t) ** 2 * y0 + 2 * (1 - t) * t * my + t * t * y1))
    return pts


def node_areas(g: nx.MultiDiGraph, width: int, height: int) -> dict[str, float]:
    """Marker areas (points²): proportional to the list size, the largest practice's (or, with no practice sized,
    the largest list) drawn at the largest area the picture's crowding allows; anything larger (a federation's
    population) is drawn at that area too, and an organisation without a list size at the smallest."""
    n = max(g.number_of_nodes(), 1)
    page = (width * 72 / DPI) * (height * 72 / DPI)  # the figure in points²
    largest = max(60.0, min(1500.0, 0.12 * page / n))
    smallest = max(10.0, min(50.0, largest / 15))
    sized = [(d["list_size"], d["level"]) for _, d in g.nodes(data=True) if d.get("list_size")]
    top = max((s for s, level in sized if level == "practice"), default=max((s for s, _ in sized), default=0))
    return {nd: smallest + (largest - smallest) * min(1.0, d["list_size"] / top) if top and d.get("list_size")
            else smallest for nd, d in g.nodes(data=True)}


def render(g: nx.MultiDiGraph, fmt: str, *, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """SVG or PNG bytes of a graph from :func:`picture_graph`, ``width`` x ``height`` pixels: nodes coloured by
    kind and sized by list size, edges styled by category, a legend, labels, the organisation and date in the
    title. The same graph gives the same bytes."""
    check_picture(fmt, width, height)
    return _render_locked(g, fmt, width, height)


def _render_locked(g: nx.MultiDiGraph, fmt: str, width: int, height: int) -> bytes:
    matplotlib = _matplotlib()
    with _LOCK, matplotlib.rc_context(_RC):
        return _render(g, fmt, width, height)


_RC = {
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "graphkit",  # ids in the SVG from a fixed salt: the same picture, the same bytes
    "svg.fonttype": "none",  # text stays text (smaller files, searchable)
    "path.simplify": True,
}


def _render(g: nx.MultiDiGraph, fmt: str, width: int, height: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    n = g.number_of_nodes()
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    canvas: Any = FigureCanvasSVG(fig) if fmt == "svg" else FigureCanvasAgg(fig)
    legend_share = 0.24 if width >= 700 else 0.0
    ax = fig.add_axes((0.02, 0.1, 0.96 - legend_share, 0.8))
    ax.set_axis_off()
    pos = {nd: d["pos"] for nd, d in g.nodes(data=True)}
    named = n <= 15  # labels with names: wider, and above the nodes
    ax.set_xlim(-1.3 if named else -1.12, 1.3 if named else 1.12)
    ax.set_ylim(-1.12, 1.3 if named else 1.15)

    # edges: one line per pair of organisations and category, memberships under ties under contracts
    counts: dict[str, int] = {}
    tie_kinds: dict[str, int] = {}
    # a tie or contract of the centre is drawn fainter than one among the others, so that a mesh among members
    # shows against the spokes of the centre
    centre = g.graph["centre"]
    at_centre: dict[str, int] = {}
    pairs: dict[str, set[tuple[str, str]]] = {c: set() for c in EDGE_STYLES}
    for u, v, d in g.edges(data=True):
        cat = d.get("category", "membership")
        counts[cat] = counts.get(cat, 0) + 1
        at_centre[cat] = at_centre.get(cat, 0) + (centre in (u, v))
        if cat != "membership":
            tie_kinds[d["kind"]] = tie_kinds.get(d["kind"], 0) + 1
        if u != v:
            pairs.setdefault(cat, set()).add((u, v) if u < v else (v, u))
    thin = 1.0 if n <= 60 else 0.6
    for cat in ("membership", "tie", "contract"):
        style = EDGE_STYLES[cat]
        for spokes in (True, False):
            chosen = [p for p in sorted(pairs.get(cat, ())) if (centre in p) == spokes]
            faint = spokes and cat != "membership"
            if chosen:
                ax.add_collection(LineCollection(
                    [_curve(pos[u], pos[v], style["bend"]) for u, v in chosen], colors=style["color"],
                    linestyles=style["linestyle"], linewidths=style["linewidth"] * thin * (0.7 if faint else 1),
                    alpha=style["alpha"] * (0.45 if faint else 1), zorder={"membership": 1}.get(cat, 2)))

    # nodes, largest first so that small ones stay visible on top
    areas = node_areas(g, width, height)
    order = sorted(g.nodes, key=lambda nd: (-areas[nd], nd))
    ax.scatter([pos[nd][0] for nd in order], [pos[nd][1] for nd in order], s=[areas[nd] for nd in order],
               c=[g.nodes[nd]["colour"] for nd in order],
               edgecolors=["black" if g.nodes[nd].get("centre") else "white" for nd in order],
               linewidths=[2.0 if g.nodes[nd].get("centre") else 0.6 for nd in order], zorder=3)

    # labels: every code up to 150 organisations (and names up to 15), beyond that the centre and what is not a
    # practice
    font = 9 if n <= 15 else 7 if n <= 40 else 6 if n <= 80 else 5
    for nd in sorted(g.nodes):
        d = g.nodes[nd]
        if n > 150 and d["level"] == "practice" and not d.get("centre"):
            continue
        x, y = pos[nd]
        offset = math.sqrt(areas[nd]) / 2 + 1.5
        ax.annotate(d["label"], (x, y), xytext=(0, offset), textcoords="offset points", ha="center",
                    va="bottom", fontsize=font, fontweight="bold" if d.get("centre") else "normal",
                    color="#222222", zorder=4)

    # title and caption
    as_of = g.graph["as_of"]
    what = ("members and the ties among them" if g.graph.get("view") == "members"
            else f"local economy within {g.graph['depth']} tie{'s' if g.graph['depth'] != 1 else ''}")
    fig.suptitle(f"{g.graph['centre_name']} ({g.graph['centre']})", fontsize=13, fontweight="bold", y=0.975)
    fig.text(0.5, 0.925, f"{what}, as of {as_of.isoformat()}: {n} organisations, {g.number_of_edges()} edges",
             ha="center", fontsize=10, color="#333333")
    if tie_kinds:
        shown = ", ".join(f"{k} {c}" for k, c in sorted(tie_kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        fig.text(0.02, 0.035, "\n".join(textwrap.wrap(f"Curated ties and contracts: {shown}.",
                                                       max(40, int(width / 7.5)))[:3]),
                 ha="left", va="bottom", fontsize=8, color="#444444")

    # legend: kinds drawn, edge categories drawn, what the areas mean
    if legend_share:
        handles: list[Any] = []
        groups = {(g.nodes[nd]["group"], g.nodes[nd]["colour"]) for nd in g.nodes}
        order_of = {name: i for i, (name, _, _) in enumerate(KIND_GROUPS)}
        for name, colour in sorted(groups, key=lambda gc: order_of.get(gc[0], len(order_of))):
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor=colour,
                                  markeredgecolor="white", label=name))
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="white",
                              markeredgecolor="black", markeredgewidth=2, label="the organisation asked about"))
        for cat in ("membership", "tie", "contract"):
            s = EDGE_STYLES[cat]
            if cat == "membership" and counts.get(cat):
                handles.append(Line2D([], [], color=s["color"], linestyle=s["linestyle"], linewidth=2,
                                      label=f"membership ({counts[cat]})"))
            elif counts.get(cat):
                for label, number, pale in ((f"{cat} among the others", counts[cat] - at_centre[cat], False),
                                            (f"{cat} with {centre}", at_centre[cat], True)):
                    if number:
                        handles.append(Line2D([], [], color=s["color"], linestyle=s["linestyle"],
                                              linewidth=1.4 if pale else 2, alpha=0.45 if pale else 1,
                                              label=f"{label} ({number})"))
        legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1 - legend_share + 0.005, 0.9),
                            fontsize=8, frameon=False, title="Organisations and edges", title_fontsize=9,
                            alignment="left")
        legend.set_zorder(5)
        fig.text(1 - legend_share + 0.012, 0.1, "\n".join(textwrap.wrap(
            "Area: registered patients (a practice's list), up to the largest practice's; a larger figure (a "
            "federation's population) is drawn at that size too; smallest: not known. Lines join the two ends, "
            "whatever the direction.", 34)),
            ha="left", va="bottom", fontsize=7.5, color="#444444")

    out = io.BytesIO()
    if fmt == "svg":
        canvas.print_svg(out, metadata={"Date": None, "Creator": None})
        return _svg_in_pixels(out.getvalue(), width, height)
    canvas.print_png(out, metadata={"Software": None})
    return out.getvalue()


def _svg_in_pixels(svg: bytes, width: int, height: int) -> bytes:
    """matplotlib states an SVG's size in points; the picture asked for is in pixels (its viewBox is kept, so it
    scales to them)."""
    text = svg.decode("utf-8")
    head = re.search(r"<svg\b[^>]*>", text)
    assert head is not None
    tag = re.sub(r'\swidth="[^"]*"', f' width="{width}px"', head.group(0), count=1)
    tag = re.sub(r'\sheight="[^"]*"', f' height="{height}px"', tag, count=1)
    return (text[: head.start()] + tag + text[head.end():]).encode("utf-8")
