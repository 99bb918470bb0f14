"""The held ties (graphkit/store/areas.py ``TieIndex``) gives the area below an organisation on a date exactly as
the walk it replaces (``walk_down``: the store asked for the ties holding on the date, level by level), on both
stores; and a hand-made set of ties shows the walk's rules (dates inclusive, open ends, four levels at most)."""

from __future__ import annotations

import datetime as dt

import pytest

from graphkit.store.areas import TieIndex, walk_down
from graphkit.store.base import TieView, tie_kinds

DAYS = [dt.date(2016, 4, 1), dt.date(2019, 6, 1), dt.date(2021, 6, 1), dt.date(2022, 7, 1), dt.date(2024, 10, 1)]


def tie(member: str, organisation: str, start: str | None, end: str | None) -> TieView:
    return TieView("PCNMembership", member, member, organisation, organisation,
                   dt.date.fromisoformat(start) if start else None, dt.date.fromisoformat(end) if end else None)


def test_the_walk_follows_ties_holding_on_the_day_through_four_levels_at_most() -> None:
    index = TieIndex([
        tie("ICB", "REGION", None, None),
        tie("SUB", "ICB", "2022-07-01", None),
        tie("OLD", "ICB", None, "2022-06-30"),
        tie("PCN", "SUB", "2020-01-01", "2020-12-31"),
        tie("P1", "PCN", None, None),
        tie("DEEP", "P1", None, None),  # a fifth level: beyond MAX_AREA_DEPTH
        tie("PCN", "DEEP", None, None),  # a cycle: PCN is not walked again
    ])
    assert index.below("REGION", dt.date(2022, 6, 30)) == {"REGION", "ICB", "OLD"}
    assert index.below("REGION", dt.date(2022, 7, 1)) == {"REGION", "ICB", "SUB"}
    assert index.below("SUB", dt.date(2020, 12, 31)) == {"SUB", "PCN", "P1", "DEEP"}
    assert index.below("REGION", dt.date(2020, 6, 1)) == {"REGION", "ICB", "OLD"}  # SUB's tie not begun
    assert index.below("ICB", dt.date(2020, 6, 1)) == {"ICB", "OLD"}
    assert index.below("NOBODY", dt.date(2020, 6, 1)) == {"NOBODY"}
    # REGION -> ICB -> SUB -> PCN -> P1 is four levels; DEEP would be the fifth
    index = TieIndex([tie("ICB", "REGION", None, None), tie("SUB", "ICB", None, None), tie("PCN", "SUB", None, None),
                       tie("P1", "PCN", None, None), tie("DEEP", "P1", None, None)])
    assert index.below("REGION", dt.date(2020, 1, 1)) == {"REGION", "ICB", "SUB", "PCN", "P1"}


def _areas(store: object, limit_per_kind: int | None = None) -> list[str]:
    """Every organisation with a tie below it, of any kind, found through the ties of each of the ontology's kinds
    (another path than the index's): all of them, or the first ``limit_per_kind`` of each kind by code."""
    by_kind: dict[str, set[str]] = {}
    for t in store.ties_of_kinds(tie_kinds()):  # type: ignore[attr-defined]
        by_kind.setdefault(t.kind, set()).add(t.organisation)
    chosen = {c for codes in by_kind.values() for c in sorted(codes)[:limit_per_kind]}
    return sorted(chosen)


def _agree(store: object, codes: list[str], days: list[dt.date]) -> int:
    index = TieIndex.of(store)  # type: ignore[arg-type]
    compared = 0
    for day in days:
        for code in codes:
            assert index.below(code, day) == walk_down(store, code, day), (code, day)  # type: ignore[arg-type]
            compared += 1
    return compared


def test_the_index_gives_every_case_study_area_as_the_walk(cases_embedded: object) -> None:
    codes = _areas(cases_embedded)
    assert len(codes) > 20 and any(c.startswith("ZZ") for c in codes)  # federations among them
    assert _agree(cases_embedded, codes, DAYS) == 5 * len(codes)
    # a federation's members are in its area on a day its curated memberships hold
    assert len(TieIndex.of(cases_embedded).below(codes[-1], dt.date(2016, 4, 1))) >= 1  # type: ignore[arg-type]


@pytest.mark.neo4j
def test_the_index_gives_every_case_study_area_as_the_walk_in_neo4j(cases_neo4j: object) -> None:
    from graphkit.store.areas import forget_held

    forget_held(cases_neo4j)  # type: ignore[arg-type]
    codes = _areas(cases_neo4j)
    assert _agree(cases_neo4j, codes, DAYS[1:4]) == 3 * len(codes)


@pytest.mark.integration
def test_the_index_gives_national_areas_as_the_walk(oxigraph: object) -> None:
    codes = _areas(oxigraph, limit_per_kind=4)  # the first four areas of each kind of tie, by code
    assert len(codes) > 10 and {"Y56", "QF7", "00C", "U00070"} <= set(codes), codes  # every level
    _agree(oxigraph, codes, [DAYS[2], DAYS[4]])  # a CCG-era day and an ICB-era day
    # every practice of an ICB on a day: a real count, the same as the walk's
    qhm = TieIndex.of(oxigraph).below("QHM", dt.date(2024, 10, 1))  # type: ignore[arg-type]
    assert qhm == walk_down(oxigraph, "QHM", dt.date(2024, 10, 1))  # type: ignore[arg-type]
    assert len(qhm) > 300
