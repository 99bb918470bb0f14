"""The Neo4j load's sender threads on the real server (graphkit/store/neo4j/load.py ``_Sender``): a statement the
server refuses ends the load with nothing begun after its refusal (node writes go two at a time: one begun before
it may still finish), no relationship sent, the previous graph still served, and the next load clean."""

from __future__ import annotations

import gzip
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from graphkit.errors import StoreUnavailable
from graphkit.ingest.merge import merge
from graphkit.store.build import InputFile, read_all
from graphkit.store.neo4j import Neo4jStore
from tests.conftest import SEEDS

pytestmark = pytest.mark.neo4j


class _RefusedOnContracts(Neo4jStore):
    """The real store, but its write of the contracts' nodes is a statement the server refuses (bad Cypher); what
    the load's threads did, in the order they did it: ("sent", query), ("refused", query)."""

    def __init__(self, driver: Any) -> None:
        super().__init__(driver, database="neo4j")
        self.events: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def _write(self, query: str, rows: list[dict[str, Any]]) -> list[Any]:
        with self._lock:
            self.events.append(("sent", query))
        refused = "StagingContract" in query
        try:
            return super()._write(query.replace("RETURN", "RETURN (", 1) if refused else query, rows)
        except BaseException:
            with self._lock:
                self.events.append(("refused", query))
            raise


def _count(driver: Any, query: str) -> int:
    records, _, _ = driver.execute_query(query, database_="neo4j")
    return int(records[0]["n"])


def test_a_refused_statement_ends_the_load_sends_nothing_after_it_and_keeps_the_previous_graph(
        tmp_path: Path, neo4j_db: Any) -> None:
    with gzip.open(SEEDS / "payments" / "nhspaymentsgp_2022-23.csv.gz", "rt", encoding="utf-8-sig") as fh:
        lines = [next(fh) for _ in range(21)]
    payments = tmp_path / "nhspaymentsgp_2022-23.csv"
    payments.write_text("".join(lines), encoding="utf-8")
    before = merge(read_all([InputFile(SEEDS / "ods" / "eccg_2025-12.csv")]))
    after = merge(read_all([InputFile(SEEDS / "ods" / "eccg_2025-12.csv"), InputFile(payments)]))

    Neo4jStore(neo4j_db, database="neo4j").load(before)
    organisations = _count(neo4j_db, "MATCH (n:Organisation) RETURN count(n) AS n")
    assert organisations > 100 and _count(neo4j_db, "MATCH (n:Contract) RETURN count(n) AS n") == 0

    interval = sys.getswitchinterval()
    refusing = _RefusedOnContracts(neo4j_db)
    with pytest.raises(StoreUnavailable, match="Neo4j refused the load"):
        refusing.load(after)
    assert sys.getswitchinterval() == interval
    sent = [q for what, q in refusing.events if what == "sent"]
    first = next(i for i, q in enumerate(sent) if "StagingContract" in q)
    assert sent[:first] and all("StagingOrganisation" in q or "StagingSourceDocument" in q for q in sent[:first])
    refusal = refusing.events.index(next(e for e in refusing.events if e[0] == "refused"))
    assert [e for e in refusing.events[refusal:] if e[0] == "sent"] == []  # nothing begun after the refusal
    assert not any("CREATE (a)-[r:" in q for q in sent)  # no relationship sent at all
    assert _count(neo4j_db, "MATCH (n:Organisation) RETURN count(n) AS n") == organisations
    assert _count(neo4j_db, "MATCH (n:Contract) RETURN count(n) AS n") == 0
    assert _count(neo4j_db, "MATCH (n:StagingOrganisation) RETURN count(n) AS n") > 0  # left for the next load

    Neo4jStore(neo4j_db, database="neo4j").load(after)
    assert _count(neo4j_db, "MATCH (n) WHERE any(l IN labels(n) WHERE l STARTS WITH 'Staging') "
                            "RETURN count(n) AS n") == 0
    assert _count(neo4j_db, "MATCH (n:Contract) RETURN count(n) AS n") == 20
    assert _count(neo4j_db, "MATCH (:Contract)-[:CONTRACT_HOLDER]->(:Organisation) RETURN count(*) AS n") == 20
