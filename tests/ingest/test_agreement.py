"""How far the graph agrees with every observation of every national file (graphkit/ingest/agreement.py): a ratchet
on the silent disagreements, and the one kind they are today (docs/data.md, "Agreement with the files")."""

from __future__ import annotations

import pytest

from graphkit.ingest.agreement import check

pytestmark = [pytest.mark.integration]


def test_every_observation_agrees_is_reported_or_is_a_retroactive_end(seed_report) -> None:
    graph = seed_report.graph
    a = check(graph)
    totals = a.totals()
    assert totals["checked"] == totals["agree"] + totals["reported"] + totals["silent"] > 180_000
    assert totals["silent"] <= 223  # the count on 2026-12-06; issue 17's dating work brings it down
    assert {f.split("_")[0] for f, _ in (k for k, n in a.silent.items() if n)} <= {"epraccur", "ePCN"}
    ends = {}
    for t in graph.ties:
        ends.setdefault((t.kind, t.member, t.organisation), []).append(t)
    for slug, line, kind, member, organisation, day in a.examples:
        ties = ends.get((kind, member, organisation), [])
        # a newer file of the series ends the tie before the day this file saw it
        assert ties and all(t.end is not None and t.end < day for t in ties if t.start is None or t.start <= day), \
            (slug, line, kind, member, organisation, day, [(t.start, t.end) for t in ties])
