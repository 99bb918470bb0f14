"""Merge rules 7 and 8 (graphkit/ingest/merge.py) on small made-up files: a tie is clipped to the lives of both its
organisations, a merger carries a tie cut at the old organisation's close to the new one, a newer file that places a
member elsewhere from a tie's first day overrules it, and the report names each."""

from __future__ import annotations

import datetime as dt

from graphkit.core.model import ImportResult, Organisation, PostHolding, Relation, Source
from graphkit.ingest.merge import merge
from graphkit.ingest.quality import report

D = dt.date


def _source(slug: str, vintage: dt.date) -> Source:
    return Source(slug, f"{slug}.csv", "test-lives", vintage, "0" * 64, "test", "test")


OLD = _source("test-lives_2019-12", D(2019, 12, 1))
NEW = _source("test-lives_2023-12", D(2023, 12, 1))
ORGS = [Organisation("P1", "Practice one", ("GPPractice",), 2, start=D(2000, 1, 1)),
        Organisation("P2", "Practice two", ("GPPractice",), 3, start=D(2000, 1, 1), end=D(2021, 6, 30)),
        Organisation("P3", "Practice three", ("GPPractice",), 4, start=D(2000, 1, 1)),
        Organisation("P4", "Practice four", ("GPPractice",), 9, start=D(2000, 1, 1)),
        Organisation("X1", "Old CCG", ("ClinicalCommissioningGroup",), 5, start=D(2013, 4, 1), end=D(2020, 3, 31)),
        Organisation("X2", "Other old CCG", ("ClinicalCommissioningGroup",), 6, start=D(2013, 4, 1),
                     end=D(2020, 3, 31)),
        Organisation("Y", "Merged CCG", ("ClinicalCommissioningGroup",), 7, start=D(2020, 4, 1)),
        Organisation("Z", "Neighbour CCG", ("ClinicalCommissioningGroup",), 8, start=D(2013, 4, 1))]


def _merged() -> object:
    old = ImportResult(OLD, organisations=ORGS, relations=[
        Relation("CommissionerAssignment", "P1", "X1", 10, start=D(2013, 4, 1)),
        Relation("CommissionerAssignment", "P2", "X2", 11, start=D(2013, 4, 1)),
        Relation("CommissionerAssignment", "P3", "X1", 12, start=D(2015, 1, 1)),
        Relation("CommissionerAssignment", "P4", "X2", 13, start=D(2013, 4, 1)),
    ])
    new = ImportResult(NEW, organisations=ORGS, relations=[
        # ODS keeps the first join date on the tie to the CCG the merger made
        Relation("CommissionerAssignment", "P1", "Y", 10, start=D(2013, 4, 1)),
        # P2 closed in 2021: the newer file still lists it under its old CCG, open-ended
        Relation("CommissionerAssignment", "P2", "X2", 11, start=D(2013, 4, 1)),
        # the newer file places P3 in Z from the day the older one put it in X1
        Relation("CommissionerAssignment", "P3", "Z", 12, start=D(2015, 1, 1)),
        # P4 moved from X2 to Y on the merger's day, and the file says so
        Relation("CommissionerAssignment", "P4", "Y", 13, start=D(2020, 4, 1)),
    ])
    return merge([old, new])


def _ties(g: object, member: str) -> list[tuple[str, dt.date | None, dt.date | None]]:
    return [(t.organisation, t.start, t.end) for t in g.ties if t.member == member]  # type: ignore[attr-defined]


def test_a_tie_is_clipped_to_both_lives_and_the_merger_day_moves_it() -> None:
    g = _merged()
    assert _ties(g, "P1") == [("X1", D(2013, 4, 1), D(2020, 3, 31)), ("Y", D(2020, 4, 1), None)]
    y = next(t for t in g.ties if t.member == "P1" and t.organisation == "Y")
    assert y.stated == (D(2013, 4, 1), None) and y.clipped_by == ("Y opened on 2020-04-01",)
    # clipped before the events are derived, P1's move shows X1's part in the merger
    assert [(e.kind, e.originals, e.result, e.day) for e in g.events] == [
        ("Merger", ("X1", "X2"), "Y", D(2020, 4, 1))]


def test_a_tie_cut_at_its_organisations_close_goes_on_with_the_successor() -> None:
    g = _merged()
    # X2's tie is cut at X2's close; P2 has no tie to Y in any file, but X2 merged into Y (P4 moved from X2 to Y on
    # that day, and no tie to X1 or X2 holds after it): P2 goes on in Y up to its own close
    assert _ties(g, "P2") == [("X2", D(2013, 4, 1), D(2020, 3, 31)), ("Y", D(2020, 4, 1), D(2021, 6, 30))]
    moved = [t for t in g.ties if t.moved_from is not None]
    assert [(t.member, t.moved_from, t.organisation) for t in moved] == [("P2", "X2", "Y")]
    assert moved[0].derived and "moved from X2" in (moved[0].start_basis or "")
    assert [(st.source.slug, st.line) for st in moved[0].statements] == [
        ("test-lives_2019-12", 11), ("test-lives_2023-12", 11)]
    q = report(g)
    assert [(i.subject, i.file, i.line) for i in q.by_rule("tie-moved-to-successor")] == [
        ("P2", "test-lives_2019-12.csv", 11)]


def test_without_a_merger_a_cut_tie_is_not_carried_on() -> None:
    old = ImportResult(OLD, organisations=ORGS, relations=[
        Relation("CommissionerAssignment", "P2", "X2", 11, start=D(2013, 4, 1))])
    g = merge([old])
    assert g.events == [] and _ties(g, "P2") == [("X2", D(2013, 4, 1), D(2020, 3, 31))]


def test_a_newer_file_placing_the_member_elsewhere_from_the_same_day_overrules_the_tie() -> None:
    g = _merged()
    assert _ties(g, "P3") == [("Z", D(2015, 1, 1), None)]
    rules = [(c.rule, c.member, c.organisation, c.source.slug, c.line) for c in g.conflicts]
    assert ("newer-file-places-member-elsewhere", "P3", "X1", "test-lives_2019-12", 12) in rules


def test_no_member_has_two_commissioners_and_the_report_names_each_clip() -> None:
    g = _merged()
    for member in ("P1", "P2", "P3", "P4"):
        for day in (D(2016, 1, 1), D(2019, 12, 1), D(2020, 3, 31), D(2020, 4, 1), D(2021, 1, 1), D(2023, 12, 1)):
            held = {o for o, s, e in _ties(g, member) if (s is None or s <= day) and (e is None or day <= e)}
            assert len(held) <= 1, (member, day, held)
    q = report(g)
    clipped = q.by_rule("tie-clipped")
    assert {(i.subject, i.field) for i in clipped} >= {("P1", "start"), ("P2", "end")}
    p1 = next(i for i in clipped if i.subject == "P1")
    assert p1.file == "test-lives_2023-12.csv" and p1.line == 10
    assert "stated from 2013-04-01 to open, loaded from 2020-04-01 to open (Y opened on 2020-04-01)" in p1.message


def test_a_post_held_outside_its_organisations_life_is_loaded_as_stated_and_reported() -> None:
    curated = Source("test-posts", "posts.csv", "curated-posts", D(2024, 1, 1), "0" * 64, "test", "test")
    posts = [
        PostHolding("ZZP-A", "X1", "BoardChair", 2, title="chair", start=D(2012, 1, 1), end=D(2019, 12, 31)),
        PostHolding("ZZP-B", "X1", None, 3, title="lead GP", start=D(2014, 1, 1), end=D(2020, 9, 30)),
        PostHolding("ZZP-C", "X2", None, 4, title="lay member", start=D(2013, 4, 1), end=D(2020, 3, 31)),
        PostHolding("ZZP-D", "P1", None, 5, title="partner"),  # undated: nothing to compare
    ]
    g = merge([ImportResult(OLD, organisations=ORGS), ImportResult(curated, posts=posts)])
    issues = report(g).by_rule("post-outside-organisation-life")
    assert [(i.severity, i.file, i.line, i.field, i.value, i.subject) for i in issues] == [
        ("warning", "posts.csv", 2, "start", "2012-01-01/2019-12-31", "X1"),
        ("warning", "posts.csv", 3, "end", "2014-01-01/2020-09-30", "X1"),
    ]
    assert "from 2013-04-01 to 2020-03-31" in issues[0].message and "loaded as stated" in issues[0].message
    # loaded as stated, not clipped
    assert [(p.start, p.end) for r in g.results for p in r.posts][:2] == [(D(2012, 1, 1), D(2019, 12, 31)),
                                                                          (D(2014, 1, 1), D(2020, 9, 30))]


def test_the_report_written_reads_back_as_it_was(tmp_path) -> None:
    from graphkit.ingest.quality import Issue, QualityReport

    issues = [Issue("conflict", "tie-clipped", 'a "quoted" message,\nover two lines: café', "a.csv", 3, "start",
                    "2019-01-01/", "P1"),
              Issue("info", "role-code-not-in-held-list", "no file", value="RO999"),
              Issue("warning", "organisation-not-described", "x", subject="Q99")]
    QualityReport(issues).write(tmp_path / "report.json")
    back = QualityReport.read(tmp_path / "report.json")
    assert back.issues == issues and back.counts() == {"conflict:tie-clipped": 1, "info:role-code-not-in-held-list": 1,
                                                       "warning:organisation-not-described": 1}
    assert len((tmp_path / "report.json").read_text(encoding="utf-8").splitlines()) == 2 + 3 + 2  # an issue a line
    QualityReport([]).write(tmp_path / "empty.json")
    assert QualityReport.read(tmp_path / "empty.json").issues == []
