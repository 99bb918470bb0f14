"""The sourced facts behind a verdict: the projected ties that feed a measure, grouped so that a reader sees which
rows of which table (and which lines of the report) contribute most.

A projected tie carries ``source`` (the table's slug), ``line`` and ``citations`` (graphkit/store/layers.py); ties
that share kind, mechanism, source and citations are one group (forty members under one rule are one row of
evidence with forty ties), largest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Groups listed per component (the rest are counted in ``more``).
TOP = 5


def group_facts(edges: Iterable[tuple[Any, Any, Mapping[str, Any]]], *, top: int = TOP) -> dict[str, Any]:
    """Ties grouped by (kind, mechanism, source, citations), largest group first: for each, the count, the first
    lines, the citations and any status; plus the number of ties and of groups left out.

    >>> g = group_facts([("A", "B", {"kind": "DirectsTie", "source": "t", "line": 3, "citations": ["004:221"]}),
    ...                  ("A", "C", {"kind": "DirectsTie", "source": "t", "line": 4, "citations": ["004:221"]})])
    >>> g["ties"], g["groups"][0]["ties"], g["groups"][0]["lines"], g["groups"][0]["citations"]
    (2, 2, [3, 4], ['004:221'])
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    total = 0
    for u, v, data in edges:
        total += 1
        key = (data.get("tie_kind") or data.get("kind"), data.get("mechanism") or data.get("requirement"),
               data.get("source"), tuple(data.get("citations") or ()))
        grp = groups.setdefault(key, {"kind": key[0], "mechanism": key[1], "source": key[2],
                                      "citations": list(key[3]), "ties": 0, "lines": [], "examples": [],
                                      "statuses": {}})
        grp["ties"] += 1
        if data.get("line") is not None:
            grp["lines"].append(int(data["line"]))
        if len(grp["examples"]) < 3:
            grp["examples"].append(f"{u} -> {v}")
        if data.get("status"):
            grp["statuses"][str(data["status"])] = grp["statuses"].get(str(data["status"]), 0) + 1
    ordered = sorted(groups.values(), key=lambda g: (-g["ties"], str(g["kind"]), str(g["mechanism"])))
    for g in ordered:
        g["lines"] = sorted(g["lines"])[:10]
        if not g["statuses"]:
            del g["statuses"]
        if g["source"] is None:
            del g["source"]
    shown = ordered[:top]
    return {"ties": total, "groups": shown, "more_groups": len(ordered) - len(shown),
            "more_ties": total - sum(g["ties"] for g in shown)}
