"""The Neo4j 5 store: the merged graph loaded with batched, parameterised UNWIND writes, queried with Cypher
(all of it in :mod:`graphkit.store.cypher`). The driver is injected, and the database is named on every call.

Everything the embedded store holds is loaded, all or nothing: organisations, ties, role holdings, change events,
contracts with their service payments, and the source files with every statement's line, so that
:meth:`Neo4jStore.read_graph` gives back the records and ``graphkit export --from neo4j`` the same RDF
(tests/store/test_contract.py). docs/neo4j-store.md gives the mapping and the reasons.

- :mod:`~graphkit.store.neo4j.load`: the records as rows, and the staged load swapped in by one transaction;
- :mod:`~graphkit.store.neo4j.readback`: the records read back (the inverse of the load);
- :mod:`~graphkit.store.neo4j.props`: record fields to properties and back, by the tables of
  :mod:`graphkit.rdf.mapping`;
- :mod:`~graphkit.store.neo4j.store`: :class:`Neo4jStore`, the GraphStore lookups;
- :mod:`graphkit.store.neo4j_runtime`: installing, starting and stopping the local server.
"""

from graphkit.store.neo4j.load import (
    BATCH,
    CONTRACT_CLASS,
    _contract_row,
    _event_row,
    _org_row,
    _role_row,
    _tie_row,
    rows_to_load,
)
from graphkit.store.neo4j.store import KIND, Neo4jStore

__all__ = [
    "BATCH",
    "CONTRACT_CLASS",
    "KIND",
    "Neo4jStore",
    "_contract_row",
    "_event_row",
    "_org_row",
    "_role_row",
    "_tie_row",
    "rows_to_load",
]
