"""``merge_onto`` (graphkit/ingest/merge.py): the merge of kept records and new ones that share nothing with them,
from the kept merge, is the full merge: the same units in the same order (the data-quality report lists them in
that order), the old units themselves reused; new records that could change an old unit are refused (None).

Real national files (seeds/ods, one payments file: conflicts of every rule, events, ties dated from evidence,
undescribed organisations), the case studies, and small made-up files whose codes sort among the national ones, so
that the order of the combined lists is tested, not only their ends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from graphkit.core.model import ImportResult, Organisation, Relation, Source
from graphkit.ingest.curated import read_curated
from graphkit.ingest.merge import MergedGraph, footprint, merge, merge_onto
from graphkit.store.build import InputFile, read_all, seed_files
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration

D = dt.date


@pytest.fixture(scope="module")
def national() -> tuple[list[ImportResult], MergedGraph]:
    files = [p for p in seed_files(SEEDS) if "payments" not in p.parts or p.name.startswith("nhspaymentsgp_2021")]
    results = read_all([InputFile(p) for p in files])
    return results, merge(results)


def _source(slug: str, vintage: dt.date) -> Source:
    return Source(slug, f"{slug}.csv", "test-more", vintage, "0" * 64, "test", "test")


def _made_up() -> list[ImportResult]:
    """Two files of one made-up series, after every national file: practices and PCNs under codes that sort among
    the national ones (M0000A...), undescribed commissioners, ties the second file ends before the first file's
    day (retroactive ends), a snapshot that disagrees with a dated tie, a move seen only between snapshots and dated
    by evidence (the PCN left closed), and a commissioner succeeded by another (an event)."""
    first, second = _source("test-more_2030-01", D(2030, 1, 1)), _source("test-more_2030-02", D(2030, 2, 1))
    orgs = [Organisation("M0000A", "Made-up practice", ("GPPractice",), 2, start=D(2010, 1, 1)),
            Organisation("M0000B", "Made-up practice B", ("GPPractice",), 3, start=D(2010, 1, 1)),
            Organisation("U0000A", "Made-up PCN", ("PrimaryCareNetwork",), 4, start=D(2019, 7, 1), end=D(2029, 9, 30)),
            Organisation("U0000B", "Made-up PCN B", ("PrimaryCareNetwork",), 5, start=D(2019, 7, 1))]
    one = ImportResult(first, organisations=orgs, relations=[
        Relation("PCNMembership", "M0000A", "U0000A", 2, start=D(2019, 7, 1)),
        Relation("CommissionerAssignment", "M0000A", "0ZZ", 3, start=D(2020, 4, 1)),
        Relation("PCNMembership", "M0000B", "U0000A", 4, observed=D(2029, 6, 1)),
    ])
    two = ImportResult(second, organisations=orgs, relations=[
        Relation("PCNMembership", "M0000A", "U0000A", 2, start=D(2019, 7, 1), end=D(2029, 6, 30)),
        Relation("CommissionerAssignment", "M0000A", "0ZZ", 3, start=D(2020, 4, 1), end=D(2024, 3, 31)),
        Relation("CommissionerAssignment", "M0000A", "0ZY", 3, start=D(2024, 4, 1)),
        Relation("PCNMembership", "M0000A", "U0000B", 4, observed=D(2029, 3, 1)),
        Relation("PCNMembership", "M0000B", "U0000B", 5, observed=D(2030, 2, 1)),
    ])
    return [two, one]  # not in the merge's order: merge_onto sorts them as merge does


def _assert_same(fast: MergedGraph, full: MergedGraph) -> None:
    for f in dataclasses.fields(MergedGraph):
        assert getattr(fast, f.name) == getattr(full, f.name), f.name
    assert list(fast.organisations) == list(full.organisations)
    # the ties dated from evidence are ties of the graph (the report tells them by identity)
    at = {id(t): i for i, t in enumerate(fast.ties)}
    at_full = {id(t): i for i, t in enumerate(full.ties)}
    assert [at[id(t)] for t in fast.inferred] == [at_full[id(t)] for t in full.inferred]


def test_new_records_sharing_nothing_merge_onto_the_old_as_a_full_merge(
        national: tuple[list[ImportResult], MergedGraph]) -> None:
    results, old = national
    kept = footprint(results)
    assert {c.rule for c in old.conflicts} == {"newer-file-places-member-elsewhere", "newer-file-ends-tie-earlier",
                                              "snapshot-disagrees-with-dated-file",
                                              "payments-geography-differs"}
    assert old.events and old.inferred and old.undescribed
    for new in (read_curated(SEEDS / "casestudies"), _made_up()):
        full = merge([*results, *new])
        fast = merge_onto(old, kept, new)
        assert fast is not None
        _assert_same(fast, full)
        assert len(fast.ties) > len(old.ties) and len(fast.organisations) > len(old.organisations)
        assert all(fast.organisations[code] is o for code, o in old.organisations.items())  # reused, not merged
    made_up = merge(_made_up())
    # the made-up files exercise what is ordered: their units fall among the old ones, of every list
    assert {c.rule for c in made_up.conflicts} == {"newer-file-ends-tie-earlier", "snapshot-disagrees-with-dated-file"}
    assert made_up.undescribed == ["0ZY", "0ZZ"] and made_up.inferred and made_up.events
    fast = merge_onto(old, kept, _made_up())
    assert fast is not None
    new_at = [i for i, t in enumerate(fast.ties) if t.member.startswith("M0000")]
    assert new_at[0] > 0 and new_at[-1] < len(fast.ties) - 1
    new_at = [i for i, c in enumerate(fast.conflicts) if c.member.startswith("M0000")]
    assert new_at[0] > 0 and new_at[-1] < len(fast.conflicts) - 1
    new_at = [i for i, e in enumerate(fast.events) if e.result == "0ZY"]
    assert new_at[0] > 0 and new_at[-1] < len(fast.events) - 1


def test_new_records_that_could_change_old_units_are_refused(national: tuple[list[ImportResult], MergedGraph]
                                                             ) -> None:
    results, old = national
    kept = footprint(results)
    one = _made_up()[1]
    # a code of the old records (a national practice), in a tie or as an organisation
    tie = dataclasses.replace(one, relations=[Relation("PCNMembership", "A81001", "U0000A", 2, start=D(2019, 7, 1))])
    assert merge_onto(old, kept, [tie]) is None
    org = dataclasses.replace(one, organisations=[Organisation("A81001", "A name", ("GPPractice",), 2)])
    assert merge_onto(old, kept, [org]) is None
    # a file before the newest old one (vintage, slug)
    early = dataclasses.replace(one, source=_source("test-more_2020-01", D(2020, 1, 1)))
    assert merge_onto(old, kept, [early]) is None
    # a file of a series the old records have ties of (rule 3 could close them)
    same = dataclasses.replace(one, source=dataclasses.replace(one.source, kind="epraccur"))
    assert merge_onto(old, kept, [same]) is None
    # and one that shares nothing is merged onto them
    assert merge_onto(old, kept, [one]) is not None
