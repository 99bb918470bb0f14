"""How the verdicts move when a threshold moves: each threshold of the style and interdependence
classifications set lower and higher by a step, the others kept, and the verdicts of the given federations that
change. docs/analyses.md shows the table for the case studies (a test keeps it current)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.analysis import interdependence as inter
from graphkit.analysis import style

#: The step a threshold is moved by, either way: 0.1 on a [0, 1] score or share, 1 for counts and degrees.
STEP = {"pluricentric_min_local_centres": 1, "low_max_lateral_degree": 0.5}


@dataclass(frozen=True)
class Move:
    analysis: str  # "style" or "interdependence"
    threshold: str
    default: float
    moved_to: float
    changed: tuple[tuple[str, str, str], ...]  # (federation, verdict at the default, verdict at moved_to)


def sensitivity(G: nx.Graph, federations: Iterable[str]) -> list[Move]:
    """Every threshold moved down and up by its step (:data:`STEP`, else 0.1), one at a time; the verdicts of
    ``federations`` that change. A move that would break a threshold's own constraint (τ_low > τ) is left out.
    Complexity: O(thresholds × federations × one analysis)."""
    feds = list(federations)
    out: list[Move] = []
    scores = {f: style.style(G, f) for f in feds}  # each analysis once; the moves only reclassify
    base_style = {f: r.style for f, r in scores.items()}
    inter_results = {f: inter.interdependence(G, f) for f in feds}
    base_inter = {f: r.classification for f, r in inter_results.items()}
    for field in dataclasses.fields(style.StyleThresholds):
        default = float(field.default)  # type: ignore[arg-type]
        for moved in (default - STEP.get(field.name, 0.1), default + STEP.get(field.name, 0.1)):
            moved = round(moved, 4)
            try:
                st = dataclasses.replace(style.StyleThresholds(), **{field.name: moved})
            except ValueError:
                continue
            changed = tuple((f, base_style[f], v) for f in feds
                            if (v := style.classify_style(scores[f].ctrl, scores[f].pro, st)) != base_style[f])
            out.append(Move("style", field.name, default, moved, changed))
    for field in dataclasses.fields(inter.InterdependenceThresholds):
        default = float(field.default)  # type: ignore[arg-type]
        step = STEP.get(field.name, 0.1)
        for moved in (default - step, default + step):
            moved = round(moved, 4)
            value: Any = int(moved) if isinstance(field.default, int) else moved
            it = dataclasses.replace(inter.InterdependenceThresholds(), **{field.name: value})
            changed = tuple((f, base_inter[f], v) for f in feds
                            if (v := inter.classify_interdependence(inter_results[f], it)) != base_inter[f])
            out.append(Move("interdependence", field.name, default, moved, changed))
    return out


def markdown(moves: list[Move]) -> str:
    """The table docs/analyses.md shows."""
    lines = ["| analysis | threshold | default | moved to | verdicts that change |", "|---|---|---|---|---|"]
    for m in moves:
        what = "; ".join(f"{f}: {a} → {b}" for f, a, b in m.changed) or "none"
        lines.append(f"| {m.analysis} | `{m.threshold}` | {m.default:g} | {m.moved_to:g} | {what} |")
    return "\n".join(lines) + "\n"
