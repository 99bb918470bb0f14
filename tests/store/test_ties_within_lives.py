"""Merge rules 7 and 8 over the builds of the seeds (graphkit/ingest/merge.py): no tie starts before or ends after
either of its organisations, a merger moves a practice's commissioner on the merger's day (never two at once), and
every clipped, moved or overruled tie is in the build's report. Read through the store's public API."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from graphkit.store.base import TieView

pytestmark = pytest.mark.integration

D = dt.date
# (practice, day) -> (file, line) for each case where a file itself gives a practice two commissioners on a day.
# None: epraccur names one commissioner a row and lists a code once (a second row is reported, not loaded).
STATED_TWICE: dict[tuple[str, dt.date], tuple[str, int]] = {}


def _lives(store: object) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    rows, _ = store.org_rows()  # type: ignore[attr-defined]
    return {r.code: (r.start, r.end) for r in rows}


def _every_tie(store: object, kinds: set[str]) -> list[TieView]:
    return store.ties_of_kinds(sorted(kinds))  # type: ignore[attr-defined,no-any-return]


def _outside(ties: list[TieView], lives: dict[str, tuple[dt.date | None, dt.date | None]]) -> list[str]:
    bad = []
    for t in ties:
        for code in (t.member, t.organisation):
            opened, closed = lives.get(code, (None, None))
            if opened is not None and t.start is not None and t.start < opened:
                bad.append(f"{t.kind} {t.member} -> {t.organisation} from {t.start}: {code} opened {opened}")
            if closed is not None and (t.end is None or t.end > closed):
                bad.append(f"{t.kind} {t.member} -> {t.organisation} to {t.end}: {code} closed {closed}")
    return bad


def test_no_national_tie_starts_before_or_ends_after_its_organisations(oxigraph, seed_report) -> None:
    kinds = {t.kind for t in seed_report.graph.ties}
    ties = _every_tie(oxigraph, kinds)
    assert len(ties) == len(seed_report.graph.ties) > 30000  # every tie of the graph is checked
    assert _outside(ties, _lives(oxigraph)) == []


def test_no_curated_tie_starts_before_or_ends_after_its_organisations(cases_embedded, case_build) -> None:
    graph = case_build[1].graph
    ties = _every_tie(cases_embedded, {t.kind for t in graph.ties})
    assert len(ties) == len(graph.ties) > 400
    lives = _lives(cases_embedded)
    assert _outside(ties, lives) == []
    # the lateral ties (ties.csv) that are dated; an undated one states no period to clip
    lateral = [TieView(t.kind, t.tie_from, "", t.tie_to, "", t.start, t.end)
               for t in cases_embedded.lateral_ties() if t.start is not None or t.end is not None]
    assert len(lateral) > 100
    assert _outside(lateral, lives) == []
    # and the case studies' own dates need no clipping: a curated tie outside a life is a data error
    assert [i for i in case_build[1].quality.issues if i.rule.startswith("tie-")] == []


def _vintage_days(store: object) -> list[dt.date]:
    """Every file's date, 2016-01-01 and the day of every merger and succession."""
    days = {s.vintage for s in store.source_files()}  # type: ignore[attr-defined]
    days |= {e.day for e in store.all_events()}  # type: ignore[attr-defined]
    return sorted(days | {D(2016, 1, 1)})


def test_no_practice_has_two_commissioners_on_any_vintage_date(oxigraph) -> None:
    days = _vintage_days(oxigraph)
    assert D(2019, 12, 1) in days and D(2020, 4, 1) in days and D(2026, 2, 1) in days and len(days) > 15
    rows, _ = oxigraph.org_rows(kind="PrescribingCostCentre")
    practices = {r.code for r in rows}
    assert len(practices) > 10000
    by_member: dict[str, list[TieView]] = defaultdict(list)
    for t in oxigraph.ties_of_kinds(["CommissionerAssignment"]):
        by_member[t.member].append(t)
    assert len(practices & set(by_member)) > 10000
    twice = {}
    for code in practices:
        for day in days:
            held = {t.organisation for t in by_member.get(code, ())
                    if (t.start is None or t.start <= day) and (t.end is None or day <= t.end)}
            if len(held) > 1:
                twice[(code, day)] = sorted(held)
    assert {k: v for k, v in twice.items() if k not in STATED_TWICE} == {}


@pytest.mark.parametrize("practice", ["A81630", "Y03089"])
def test_a_practice_of_a_merged_ccg_moves_to_16c_on_the_merger_day(oxigraph, seed_report, practice) -> None:
    # epraccur 2023-12 and 2026-02 tie it to 16C from 2013-04-01; 16C opened on 2020-04-01 (eccg)
    stated = [i for i in seed_report.quality.by_rule("tie-clipped")
              if i.subject == practice and f"{practice} -> 16C: stated from 2013-04-01" in i.message]
    assert len(stated) == 1 and "16C opened on 2020-04-01" in stated[0].message
    assert stated[0].file == "epraccur_2023-12.csv.gz" and stated[0].field == "start"

    def commissioners(day: dt.date) -> list[tuple[str, tuple[str, ...]]]:
        levels = {lv.level: lv for lv in oxigraph.hierarchy(practice, day)}
        return [(code, kinds) for code, _, kinds in levels["commissioner"].organisations]

    before = commissioners(D(2016, 1, 1))
    assert len(before) == 1 and before[0][0] in {"00M", "00K"}  # its old CCG, with its kind
    assert before[0][1] == ("ClinicalCommissioningGroup",)
    old = before[0][0]
    assert [c for c, _ in commissioners(D(2020, 3, 31))] == [old]
    assert [c for c, _ in commissioners(D(2020, 4, 1))] == ["16C"]
    assert commissioners(D(2024, 10, 1)) == [("16C", ("SubICBLocation",))]
    ties = oxigraph.ties(practice, "up", kind="CommissionerAssignment")
    assert [(t.organisation, t.start, t.end) for t in ties if t.organisation == old] == [
        (old, D(2013, 4, 1), D(2020, 3, 31))]
    assert [t.start for t in ties if t.organisation == "16C"] == [D(2020, 4, 1)]
    # and the merger is seen: 00C, 00K and 00M into 16C on 2020-04-01
    merger = [e for e in oxigraph.events("16C") if e.kind == "Merger"]
    assert [(e.originals, e.day) for e in merger] == [(("00C", "00K", "00M"), D(2020, 4, 1))]


def test_the_report_counts_and_names_what_was_clipped_moved_and_overruled(seed_report) -> None:
    q = seed_report.quality
    counts = q.counts()
    clipped, moved = q.by_rule("tie-clipped"), q.by_rule("tie-moved-to-successor")
    overruled = q.by_rule("newer-file-places-member-elsewhere")
    assert counts["conflict:tie-clipped"] == len(clipped) > 1000  # 1,603 on the seeds (2026-12-07)
    assert counts["info:tie-moved-to-successor"] == len(moved) > 0  # 71
    assert len(overruled) > 0  # 27: the newer file names another commissioner (or PCN) from the same day
    assert all(i.file and i.line and i.subject for i in (*clipped, *moved, *overruled))
    graph = seed_report.graph
    assert len(clipped) == sum(1 for t in graph.ties if t.stated is not None and t.moved_from is None)
    assert len(moved) == sum(1 for t in graph.ties if t.moved_from is not None)
    # a moved tie names the tie it carries on and the merger that carried it
    c83653 = [i for i in moved if i.subject == "C83653"]
    assert len(c83653) == 1 and "moved from 04Q" in c83653[0].message and "71E on 2020-04-01" in c83653[0].message
    assert "outside" not in " ".join(counts)  # no tie fell wholly outside a life on the seeds
