"""How far the graph agrees with every observation of every national file (graphkit/ingest/agreement.py): none
disagrees silently, and each reported kind is the one docs/data.md ("Agreement with the files") explains."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from graphkit.ingest.agreement import check

pytestmark = [pytest.mark.integration]


def test_every_observation_agrees_or_is_reported_naming_both_files(seed_report) -> None:
    graph = seed_report.graph
    a = check(graph)
    totals = a.totals()
    assert totals["checked"] == sum(totals[k] for k in ("agree", "reported", "silent", "uncovered")) > 200_000
    # uncovered: payments observations on a day the graph holds no tie of the kind (2019-20's regions: systems
    # are in regions from the first practice map), never a disagreement; 194 on 2026-12-06
    assert totals["uncovered"] < 250 and a.uncovered[("nhspaymentsgp_2019-20", "RegionMembership")] > 150
    assert totals["silent"] == 0, a.examples[:10]  # 223 on 2026-12-06, before retroactive ends were reported
    assert totals["reported"] < 0.015 * totals["checked"]
    rules = {c.rule for c in graph.conflicts}
    assert rules == {"snapshot-disagrees-with-dated-file", "newer-file-ends-tie-earlier", "payments-geography-differs",
                     "newer-file-places-member-elsewhere"}
    # the payments files' commissioners and regions are checked too: Bassetlaw's region in the 2021-22 file
    # (already the Midlands, QT1's) is reported against the graph's QF7 and North East and Yorkshire
    assert a.checked[("nhspaymentsgp_2021-22", "RegionMembership")] > 100
    [region] = [c for c in graph.conflicts if c.kind == "RegionMembership"]
    assert (region.source.slug, region.member, region.organisation) == ("nhspaymentsgp_2021-22", "02Q", "Y60")
    assert "QF7" in region.reason and "Y63" in region.reason
    assert a.checked[("nhspaymentsgp_2022-23", "CommissionerAssignment")] > 6000
    # a retroactive end names the older file (the conflict's) and the newer one it follows (in the reason)
    a82060 = [c for c in graph.conflicts if c.member == "A82060" and c.rule == "newer-file-ends-tie-earlier"]
    assert [(c.source.slug, c.organisation, c.day) for c in a82060] == [("epraccur_2019-12", "01H",
                                                                          dt.date(2019, 12, 1))]
    assert re.search(r"epraccur_20(23-12|26-02) line \d+ ends it on 2019-11-30", a82060[0].reason), a82060[0].reason
    n81007 = [c for c in graph.conflicts if c.member == "N81007" and c.rule == "newer-file-ends-tie-earlier"]
    assert {(c.source.slug, c.organisation) for c in n81007} == {("ePCN_2019-12_core_partner_details", "U96870")}
    assert "ePCN_2024-10_core_partner_details line 6250 ends it on 2019-10-01" in n81007[0].reason
    # every conflict is in the data-quality report under its rule, with the older file's name and line
    reported = {(i.rule, i.file, i.line) for i in seed_report.quality.issues if i.severity == "conflict"}
    assert all((c.rule, c.source.file_name, c.line) in reported for c in graph.conflicts)


def test_the_report_lists_every_change_dated_between_snapshots_with_its_interval(seed_report) -> None:
    graph, quality = seed_report.graph, seed_report.quality
    by_evidence = quality.by_rule("change-dated-by-evidence")
    by_first_file = quality.by_rule("change-dated-by-first-file")
    assert len(by_evidence) == len(graph.inferred) > 500  # 592 on the seeds (2026-12-06)
    # (a tie a merger carried to the successor has its day too, reported as tie-moved-to-successor)
    assert len(by_evidence) + len(by_first_file) == sum(1 for t in graph.ties
                                                        if t.start_interval is not None and t.moved_from is None)
    for issue in by_evidence + by_first_file:
        lo, hi = (dt.date.fromisoformat(d) for d in (issue.value or "").split("/"))
        assert lo <= hi and issue.file and issue.line and issue.subject
    [bassetlaw] = [i for i in by_evidence if i.subject == "02Q"]
    assert bassetlaw.value == "2022-01-02/2025-12-01" and "SystemMembership 02Q -> QT1 from 2022-07-01" in \
        bassetlaw.message
