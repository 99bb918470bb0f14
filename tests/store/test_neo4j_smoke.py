"""The real Neo4j server, over Bolt, with the official driver."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.neo4j


def test_write_two_organisations_and_a_membership_then_read_back(neo4j_db) -> None:
    neo4j_db.execute_query(
        """CREATE (p:Organisation:GPPractice {odsCode: $practice, name: $pname})
           CREATE (n:Organisation:PrimaryCareNetwork {odsCode: $pcn, name: $nname})
           CREATE (p)-[:PCN_MEMBERSHIP {start: date($start), end: null}]->(n)""",
        practice="A81001",
        pname="THE DENSHAM SURGERY",
        pcn="U89141",
        nname="STOCKTON PCN",
        start="2019-07-01",
        database_="neo4j",
    )
    records, _, _ = neo4j_db.execute_query(
        """MATCH (p:GPPractice)-[m:PCN_MEMBERSHIP]->(n:PrimaryCareNetwork)
           RETURN p.odsCode AS practice, n.odsCode AS pcn, n.name AS name, toString(m.start) AS start""",
        database_="neo4j",
    )
    assert [r.data() for r in records] == [
        {"practice": "A81001", "pcn": "U89141", "name": "STOCKTON PCN", "start": "2019-07-01"}
    ]
    summary = neo4j_db.execute_query("MATCH (o:Organisation) RETURN count(o) AS n", database_="neo4j")
    assert summary.records[0]["n"] == 2


def test_each_test_starts_with_an_empty_database(neo4j_db) -> None:
    records, _, _ = neo4j_db.execute_query("MATCH (n) RETURN count(n) AS n", database_="neo4j")
    assert records[0]["n"] == 0


def test_server_speaks_neo4j_5_over_bolt(neo4j_db) -> None:
    records, _, _ = neo4j_db.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition",
        database_="neo4j",
    )
    row = records[0]
    assert row["name"] == "Neo4j Kernel"
    assert row["version"].startswith("5.26")
    assert row["edition"] == "community"


def test_a_load_replaces_the_indexes_the_store_object_held(neo4j_db, tmp_path) -> None:
    """The in-memory indexes (search, list sizes, the projection's ties) kept on a Neo4jStore describe the graph it
    held: a load of another graph through the same object drops them, so that its next search sees the new graph."""
    import datetime as dt

    from graphkit.store.build import InputFile, build
    from graphkit.store.neo4j import Neo4jStore
    from tests.conftest import SEEDS

    ccgs = build([InputFile(SEEDS / "ods" / "eccg_2025-12.csv")], tmp_path / "ccgs").graph
    trusts = build([InputFile(SEEDS / "ods" / "etr_2025-12.csv")], tmp_path / "trusts").graph
    store = Neo4jStore(neo4j_db)
    day = dt.date(2019, 6, 1)

    def codes(q: str) -> set[str]:
        return {hit.code for hit in store.search(q, as_of=day)[0]}

    store.load(ccgs)
    assert "00C" in codes("darlington")  # NHS DARLINGTON CCG, open on the day
    assert codes("manchester university") == set()
    store.load(trusts)
    assert codes("darlington") & {"00C"} == set()
    assert "R0A" in codes("manchester university")  # MANCHESTER UNIVERSITY NHS FOUNDATION TRUST, from 2017
