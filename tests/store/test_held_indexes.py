"""The indexes a server holds in memory for its cheap routes (graphkit/store/shared.py: ``TieIndex``, every tie on
every date, and ``record_index``, every organisation as held) answer exactly as the store's own queries: the same
organisations, parents, members, ties of kinds and hierarchies, and NotFound for a code the store does not hold.
One store object answers from its indexes, a second one over the same directory from queries."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit.errors import NotFound
from graphkit.store.base import tie_kinds
from graphkit.store.oxigraph import OxigraphStore
from graphkit.store.shared import indexes_ready, warm_indexes
from tests.conftest import DATA, SEEDS

# about 30 s: the ties of 9,000 organisations queried ever and on a date, of 1,500 of them on two more dates
pytestmark = pytest.mark.slow

DAYS = (dt.date(2019, 12, 31), dt.date(2020, 6, 1), dt.date(2022, 10, 1))


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[OxigraphStore, OxigraphStore]:
    """The 2019 ePCN files, a practice file and the curated test tables (federations, their memberships, dated
    ties): one store object with its indexes built, one without."""
    from graphkit.cli import cli

    root = tmp_path_factory.mktemp("held")
    shutil.copytree(DATA / "curated" / "good", root / "curated")
    store = root / "store"
    runner = CliRunner()
    for args in (["import", "ods", *map(str, sorted((SEEDS / "ods").glob("ePCN_2019-12_*"))),
                  str(SEEDS / "ods" / "eccg_2025-12.csv")],
                 ["import", "curated", str(root / "curated")]):
        result = runner.invoke(cli, args, env={"GRAPHKIT_STORE_PATH": str(store)})
        assert result.exit_code == 0, result.output
    indexed, queried = OxigraphStore(store), OxigraphStore(store)
    warm_indexes(indexed)
    assert indexes_ready(indexed) and not indexes_ready(queried)
    return indexed, queried


def test_every_tie_of_every_organisation_is_the_same(stores: tuple[OxigraphStore, OxigraphStore]) -> None:
    indexed, queried = stores
    codes = sorted(indexed._record_index)  # type: ignore[attr-defined]
    assert len(codes) > 8000 and any(c.startswith("ZZF-") for c in codes)
    sample = sorted(random.Random(7).sample(codes, 1500))
    for direction in ("up", "down"):
        for day in (None, *DAYS):
            asked = codes if day in (None, DAYS[-1]) else sample  # all ever and on one day, a sample on others
            for i in range(0, len(asked), 1000):
                batch = asked[i : i + 1000]
                assert (sorted(indexed.ties_of_many(batch, direction, as_of=day))  # type: ignore[arg-type]
                        == sorted(queried.ties_of_many(batch, direction, as_of=day))), (direction, day, i)  # type: ignore[arg-type]
    for kinds in (["PCNMembership"], ["FederationMembership", "CommissionerAssignment"], list(tie_kinds())):
        for day in (None, *DAYS):
            assert indexed.ties_of_kinds(kinds, as_of=day) == queried.ties_of_kinds(kinds, as_of=day)


def test_organisations_members_and_hierarchies_are_the_same(stores: tuple[OxigraphStore, OxigraphStore]) -> None:
    indexed, queried = stores
    codes = sorted(indexed._record_index)  # type: ignore[attr-defined]
    rng = random.Random(18)
    areas = [c for c in codes if len(c) == 3]  # sub-ICB locations (CCGs) and ICBs
    sample = sorted({*rng.sample(codes, 60), *rng.sample(areas, 15), *(c for c in codes if c.startswith("ZZ"))})
    for code in sample:
        for day in DAYS:
            assert indexed.organisation(code, day) == queried.organisation(code, day), (code, day)
            assert indexed.ties(code, "down", as_of=day) == queried.ties(code, "down", as_of=day), (code, day)
            assert indexed.hierarchy(code, day) == queried.hierarchy(code, day), (code, day)
        kind = "FederationMembership" if code.startswith("ZZ") else "PCNMembership"
        assert indexed.ties(code, "up", kind=kind) == queried.ties(code, "up", kind=kind)
    # a code named twice is answered once
    assert indexed.ties_of_many([sample[0], sample[0]], "up") == queried.ties_of_many([sample[0], sample[0]], "up")


def test_a_code_the_store_does_not_hold_is_not_found_either_way(stores: tuple[OxigraphStore, OxigraphStore]) -> None:
    for store in stores:
        for call in (lambda s: s.organisation("NOPE1", DAYS[0]), lambda s: s.ties("NOPE1", "down"),
                     lambda s: s.hierarchy("NOPE1", DAYS[0])):
            with pytest.raises(NotFound, match="NOPE1"):
                call(store)


def test_the_indexes_are_built_in_bulk_and_kept(stores: tuple[OxigraphStore, OxigraphStore]) -> None:
    indexed, _ = stores
    index = indexed._tie_index  # type: ignore[attr-defined]
    assert index.all == sorted(index.all, key=lambda t: (t.kind, t.start or dt.date.min, t.organisation, t.member))
    records = indexed._record_index  # type: ignore[attr-defined]
    assert all(r.roles is not None for r in records.values())
    assert Path(indexed.path).exists()


@pytest.mark.neo4j
def test_neo4j_holds_every_organisation_as_its_own_lookup_reads_it(cases_neo4j: object) -> None:
    """Neo4j reads every organisation in one query (``_organisation_records``) for a server's lookups: each record,
    and each organisation on a date answered from them, is the same as the store's one-organisation query."""
    from graphkit.store.areas import forget_held
    from graphkit.store.neo4j import Neo4jStore
    from graphkit.store.shared import record_index

    forget_held(cases_neo4j)  # type: ignore[arg-type]
    records = record_index(cases_neo4j)  # type: ignore[arg-type]
    queried = Neo4jStore(cases_neo4j.driver, cases_neo4j.database)  # type: ignore[attr-defined]
    assert len(records) == queried.count_organisations() > 50
    assert any(r.roles for r in records.values()) and any(r.fictional for r in records.values())
    for code in sorted(records):
        assert records[code] == queried._organisation_record(code), code
        for day in DAYS:
            assert cases_neo4j.organisation(code, day) == queried.organisation(code, day), (code, day)  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match="NOPE1"):
        cases_neo4j.organisation("NOPE1", DAYS[0])  # type: ignore[attr-defined]
