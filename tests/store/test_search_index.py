"""The search index (graphkit/store/areas.py ``SearchIndex``) answers exactly as the rule it replaces, a name that
contains the query in any case or a code that starts with it, of the kind asked, among the codes asked, in the
rows' order: through SQLite's FTS5 trigram index, the sorted codes and the sets of kinds, never a scan of the
names for three letters or more."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest

from graphkit.store.areas import SearchIndex
from graphkit.store.base import OrgRow

NAMES = [
    ("A81001", "THE DENSHAM SURGERY", ("GPPractice",)),
    ("A81002", "QUEENS PARK MEDICAL CENTRE", ("GPPractice",)),
    ("U89141", "STOCKTON PCN", ("PrimaryCareNetwork",)),
    ("U93843", "PANACEA PCN", ("PrimaryCareNetwork",)),
    ("16C", "NHS Tees Valley CCG", ("ClinicalCommissioningGroup", "SubICBLocation")),
    ("QHM", "NHS North East and North Cumbria Integrated Care Board", ("IntegratedCareBoard",)),
    ("L84017", "ST.PETER'S ROAD SURGERY", ("GPPractice",)),
    ("Y02816", "100% HEALTH_CARE (LTD)", ("GPPractice",)),
    ("Y06550", "Café Médical Árvore", ("GPPractice",)),
    ("ZZF-EXP", "Expanding Federation (fictional)", ("GPFederation",)),
]
ROWS = [OrgRow(code, name, kinds, None, None) for code, name, kinds in NAMES]


def scanned(q: str | None, kind: str | None, codes: set[str] | None) -> list[OrgRow]:
    """The rule, by a scan: what the index must agree with."""
    return [r for r in ROWS
            if (not q or q.casefold() in r.name.casefold() or r.code.startswith(q.upper()))
            and (kind is None or kind in r.all_kinds) and (codes is None or r.code in codes)]


@pytest.mark.parametrize("q", ["", "a", "Ar", "sur", "SURGERY", "densham s", "pcn", "A81", "a8100", "u9", "zzf-",
                               "100%", "0% h", "h_c", "_", "%", "st.p", "'s r", "médical", "ÁRVORE", "é", "tees valley",
                               "x" * 40, "Care Board", "(ltd)", "\\"])
@pytest.mark.parametrize("kind", [None, "GPPractice", "SubICBLocation", "NoSuchKind"])
def test_the_index_answers_as_the_rule(q: str, kind: str | None) -> None:
    index = SearchIndex(ROWS, [])
    for codes in (None, {"A81001", "Y02816", "16C", "U93843"}):
        assert index.matching(q or None, kind, codes) == scanned(q or None, kind, codes), (q, kind, codes)


def test_every_three_letter_piece_of_every_name_finds_its_organisation() -> None:
    index = SearchIndex(ROWS, [])
    rng = random.Random(17)
    for code, name, _ in NAMES:
        for i, j in rng.sample(list(itertools.combinations(range(len(name) + 1), 2)), 12):
            piece = name[i:j]
            if len(piece) >= 3:
                assert code in {r.code for r in index.matching(piece.swapcase(), None, None)}, piece


@pytest.mark.parametrize("q", ["s", "su", "SURGERY", "pcn", "a8", "u93843", "é", "(ltd", "st.", "care b"])
def test_the_search_box_order_is_the_relevance_rule(q: str) -> None:
    """search() ranks hits with the words of each name split once, in the index: the same order as the rule
    (:func:`relevance`: the code, codes starting with ``q``, names starting with it, names with a word starting with
    it, other names; then by name and code) applied to every hit."""
    import datetime as dt

    from graphkit.store.areas import relevance, search

    class Holder:  # what held() keeps indexes on
        pass

    store = Holder()
    store._search_index = SearchIndex(ROWS, [])  # type: ignore[attr-defined]
    expected = sorted(scanned(q, None, None), key=lambda r: relevance(q, _hit(r)))
    for limit, offset in ((15, 0), (3, 2)):
        hits, total = search(store, q, kind=None, within=None, as_of=dt.date(2024, 1, 1), limit=limit,  # type: ignore[arg-type]
                             offset=offset, order="relevance")
        assert total == len(expected)
        assert [h.code for h in hits] == [r.code for r in expected][offset : offset + limit], q


def _hit(row: OrgRow) -> object:
    from graphkit.store.base import OrganisationHit

    return OrganisationHit(row.name, row.code, row.all_kinds, row.start, row.end)


DATED = [OrgRow(code, name, kinds, dt_start, dt_end) for (code, name, kinds), (dt_start, dt_end) in zip(
    NAMES, itertools.cycle([(None, None), (datetime.date(2020, 4, 1), None), (None, datetime.date(2021, 3, 31)),
                            (datetime.date(2022, 7, 1), datetime.date(2023, 3, 31))]), strict=False)]


def _search(index: SearchIndex, q: str, kind: str | None, day: datetime.date, limit: int, offset: int,
            short: int) -> tuple[list[object], int]:
    from graphkit.store.areas import search

    class Holder:  # what held() keeps indexes on
        pass

    store = Holder()
    store._search_index = index  # type: ignore[attr-defined]
    was = SearchIndex.SHORT
    SearchIndex.SHORT = short
    try:
        return search(store, q, kind=kind, within=None, as_of=day, limit=limit, offset=offset,  # type: ignore[arg-type]
                      order="relevance")
    finally:
        SearchIndex.SHORT = was


def test_short_queries_walk_their_kept_order_and_answer_as_ranking_every_hit() -> None:
    """A query of one or two characters is ranked once and its order kept (``SearchIndex.ranked``); the search then
    filters that order by date and kind: the same page and total as ranking every hit that passes the filters."""
    index = SearchIndex(DATED, [])
    letters = sorted({c for _, name, _ in NAMES for c in name.casefold()} | {"a8", "u9", "zz", "y0", "1"})
    queries = [*letters, *("".join(p) for p in itertools.product("aeosr.", repeat=2))]
    compared = 0
    for q in queries:
        for kind in (None, "GPPractice", "SubICBLocation"):
            for day in (datetime.date(2019, 1, 1), datetime.date(2020, 6, 1), datetime.date(2022, 10, 1)):
                for limit, offset in ((15, 0), (2, 1)):
                    kept = _search(index, q, kind, day, limit, offset, short=2)
                    ranked = _search(index, q, kind, day, limit, offset, short=0)
                    assert kept == ranked, (q, kind, day, limit, offset)
                    compared += bool(kept[1])
    assert compared > 300  # most of the comparisons found something
    assert "s" in index._ranked and "sur" not in index._ranked  # only the short ones kept


def test_the_kept_orders_are_bounded() -> None:
    index = SearchIndex(DATED, [])
    index.RANKED_KEPT = 5  # type: ignore[misc]
    for q in ["a", "b", "c", "d", "e", "f", "a", "g"]:
        index.ranked(q)
    assert list(index._ranked) == ["d", "e", "f", "a", "g"]  # the least recently asked went first


def test_short_queries_within_an_area_answer_as_ranking_every_hit(cases_embedded: object) -> None:
    """On the case studies, within each federation and commissioner on a date (the area's codes filter the kept
    order): the same page and total either way."""
    from graphkit.store.areas import search

    day = datetime.date(2016, 4, 1)
    areas = sorted({t.organisation for t in cases_embedded.ties_of_kinds(  # type: ignore[attr-defined]
        ["FederationMembership", "CommissionerAssignment"], as_of=day)})
    assert len(areas) >= 3
    compared = 0
    for area in areas:
        for q in ("a", "e", "s", "pr", "zz", "8"):
            answers = []
            for short in (2, 0):
                was, SearchIndex.SHORT = SearchIndex.SHORT, short
                try:
                    answers.append(search(cases_embedded, q, kind=None, within=area, as_of=day, limit=5,  # type: ignore[arg-type]
                                          offset=0, order="relevance"))
                finally:
                    SearchIndex.SHORT = was
            assert answers[0] == answers[1], (area, q)
            compared += bool(answers[0][1])
    assert compared >= 6
