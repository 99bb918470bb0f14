"""How far the graph agrees with every observation of every national file (graphkit/ingest/agreement.py): none
disagrees silently, and each reported kind is the one docs/data.md ("Agreement with the files") explains."""

from __future__ import annotations

import datetime as dt

import pytest

from graphkit.ingest.agreement import check

pytestmark = [pytest.mark.integration]


def test_every_observation_agrees_or_is_reported_naming_both_files(seed_report) -> None:
    graph = seed_report.graph
    a = check(graph)
    totals = a.totals()
    assert totals["checked"] == totals["agree"] + totals["reported"] + totals["silent"] > 180_000
    assert totals["silent"] == 0, a.examples[:10]  # 223 on 2026-12-06, before retroactive ends were reported
    assert totals["reported"] < 0.015 * totals["checked"]
    rules = {c.rule for c in graph.conflicts}
    assert rules == {"snapshot-disagrees-with-dated-file", "newer-file-ends-tie-earlier"}
    # a retroactive end names the older file (the conflict's) and the newer one it follows (in the reason)
    a82060 = [c for c in graph.conflicts if c.member == "A82060" and c.rule == "newer-file-ends-tie-earlier"]
    assert [(c.source.slug, c.organisation, c.day) for c in a82060] == [("epraccur_2019-12", "01H",
                                                                          dt.date(2019, 12, 1))]
    assert "epraccur_2026-02" in a82060[0].reason or "epraccur_2023-12" in a82060[0].reason
    n81007 = [c for c in graph.conflicts if c.member == "N81007" and c.rule == "newer-file-ends-tie-earlier"]
    assert {(c.source.slug, c.organisation) for c in n81007} == {("ePCN_2019-12_core_partner_details", "U96870")}
    assert "ePCN_2022-05_core_partner_details" in n81007[0].reason
    # every conflict is in the data-quality report under its rule, with the older file's name and line
    reported = {(i.rule, i.file, i.line) for i in seed_report.quality.issues if i.severity == "conflict"}
    assert all((c.rule, c.source.file_name, c.line) in reported for c in graph.conflicts)
