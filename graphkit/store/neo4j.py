"""The Neo4j 5 store: the merged graph loaded with batched, parameterised UNWIND writes, queried
with Cypher (all of it in :mod:`graphkit.store.cypher`). The driver is injected, and the database is
named on every call.

Status: organisations, ties and role holdings with their provenance are loaded, all or nothing, and
answer the same questions as the embedded store (tests/test_store_contract.py). Contracts, payments,
the export back to RDF and the loader benchmark are the next steps (issue 5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import networkx as nx

from graphkit.errors import NotFound
from graphkit.merge import MergedGraph, MergedOrganisation, MergedRole, MergedTie
from graphkit.namespaces import org_iri, source_iri
from graphkit.nhs import ICB_DAY, ROLE_CLASS, TIME_BOUNDED_CLASSES
from graphkit.rdf import role_iri, tie_iri
from graphkit.store import cypher
from graphkit.store.base import (
    Direction,
    HierarchyLevel,
    NameView,
    OrganisationView,
    StoreSummary,
    TieView,
    build_hierarchy,
)
from graphkit.temporal import holds_on

KIND = "neo4j"
BATCH = 5000


def _batches(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _date(v: Any) -> dt.date | None:
    if v is None:
        return None
    return dt.date(v.year, v.month, v.day)


class Neo4jStore:
    kind = KIND

    def __init__(self, driver: Any, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    def _run(self, query: str, **params: Any) -> list[Any]:
        records, _, _ = self.driver.execute_query(query, parameters_=params, database_=self.database)
        return list(records)

    def _write(self, query: str, rows: list[dict[str, Any]]) -> None:
        for batch in _batches(rows):
            self.driver.execute_query(query, parameters_={"rows": batch}, database_=self.database)

    # -- loading --------------------------------------------------------------------------------
    def load(self, graph: MergedGraph) -> None:
        """Write the merged graph, all or nothing: the new graph is written under staging labels in
        batches, then one transaction replaces the previous graph with it. An interrupted load leaves
        the previous complete graph queryable (its staging nodes are removed by the next load);
        loading twice gives the same graph."""
        for c in cypher.CONSTRAINTS:
            self._run(c)
        with self.driver.session(database=self.database) as session:  # auto-commit, as IN TRANSACTIONS needs
            session.run(cypher.DROP_STAGING).consume()
        self._write(
            cypher.MERGE_SOURCES,
            [
                {
                    "iri": str(source_iri(r.source.slug)),
                    "props": {
                        "slug": r.source.slug,
                        "fileName": r.source.file_name,
                        "sourceKind": r.source.kind,
                        "vintage": r.source.vintage,
                        "sha256": r.source.sha256,
                        "publisher": r.source.publisher,
                        "license": r.source.licence,
                        "title": r.source.title,
                    },
                }
                for r in graph.results
            ],
        )
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in graph.organisations.values():
            for k in sorted(o.kinds):
                by_kind[k].append(_org_row(o))
        for kind, rows in sorted(by_kind.items()):
            self._write(cypher.merge_organisations(kind), rows)
        ties: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for t in graph.ties:
            ties[t.kind].append(_tie_row(t))
        for kind, rows in sorted(ties.items()):
            self._write(cypher.merge_ties(kind), rows)
        self._write(cypher.MERGE_ROLES, [_role_row(m) for m in graph.roles if m.code in graph.organisations])
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: [tx.run(q).consume() for q in cypher.SWAP])

    # -- GraphStore -----------------------------------------------------------------------------
    def _require(self, code: str) -> dict[str, Any]:
        rows = self._run(cypher.ORG_BY_CODE, code=code)
        if not rows:
            raise NotFound(f"no organisation with ODS code {code!r}", details={"code": code})
        return {"org": rows[0]["org"], "roles": [r for r in rows[0]["roles"] if r["role"] is not None]}

    @staticmethod
    def _kinds_as_of(org: dict[str, Any], roles: list[dict[str, Any]], day: dt.date) -> tuple[str, ...]:
        all_kinds = sorted(org.get("kinds") or [])
        held = {ROLE_CLASS.get(r["role"]) for r in roles if holds_on(_date(r["start"]), _date(r["end"]), day)}
        supported = {ROLE_CLASS.get(r["role"]) for r in roles}
        return tuple(k for k in all_kinds if k not in TIME_BOUNDED_CLASSES or k in held or k not in supported)

    def ties(
        self, code: str, direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        self._require(code)
        rows = self._run(cypher.ties(direction, kind), code=code, day=as_of)
        out = [
            TieView(
                kind=r["kind"],
                member=r["member"],
                member_name=r["member_name"],
                organisation=r["organisation"],
                organisation_name=r["organisation_name"],
                start=_date(r["start"]),
                end=_date(r["end"]),
                derived=bool(r["derived"]),
                end_evidence=r["end_evidence"],
                sources=tuple(sorted(r["sources"] or ())),
            )
            for r in rows
        ]
        return sorted(out, key=lambda t: (t.kind, t.start or dt.date.min, t.organisation, t.member))

    def organisation(self, code: str, as_of: dt.date) -> OrganisationView:
        found = self._require(code)
        org = found["org"]
        names = tuple(
            sorted(
                {
                    NameView(n, s, _date(v))  # type: ignore[arg-type]
                    for n, s, v in zip(org["names"], org["nameSources"], org["nameVintages"], strict=True)
                },
                key=lambda v: (v.vintage, v.source),
            )
        )
        return OrganisationView(
            code=code,
            name=org["name"],
            kinds=self._kinds_as_of(org, found["roles"], as_of),
            all_kinds=tuple(sorted(org.get("kinds") or [])),
            start=_date(org.get("start")),
            end=_date(org.get("end")),
            status=org.get("status"),
            names=names,
            parents=tuple(self.ties(code, "up", as_of=as_of)),
            sources=tuple(sorted({n.source for n in names})),
            fictional=bool(org.get("fictional")),
        )

    def hierarchy(self, code: str, as_of: dt.date) -> list[HierarchyLevel]:
        return build_hierarchy(self, code, as_of)

    def project(self, as_of: dt.date, *, list_size_year: str | None = None) -> nx.MultiDiGraph:
        if list_size_year is not None:
            raise NotImplementedError("list sizes (contracts) are not loaded into Neo4j yet")
        g = nx.MultiDiGraph()
        for r in self._run(cypher.PROJECT, day=as_of):
            practice, other = r["practice"], r["other"]
            g.add_node(practice, kind="GPPractice", name=r["practice_name"], scale_level=1)
            if r["type"] == cypher.rel_type("PCNMembership"):
                g.add_node(other, kind="PrimaryCareNetwork", name=r["other_name"], scale_level=2)
                g.add_edge(practice, other, kind="PCNMembership")
            else:
                g.nodes[practice]["area"] = other
                g.add_node(
                    other,
                    kind="SubICBLocation" if as_of >= ICB_DAY else "ClinicalCommissioningGroup",
                    name=r["other_name"],
                    scale_level=3,
                )
                g.add_edge(practice, other, kind="CommissionerAssignment")
        return g

    def count_organisations(self) -> int:
        return int(self._run(cypher.COUNT_ORGS)[0]["n"])

    def summary(self) -> StoreSummary:
        kinds = {r["kind"]: int(r["n"]) for r in self._run(cypher.SUMMARY_KINDS)}
        sources = tuple(r["slug"] for r in self._run(cypher.SOURCES))
        return StoreSummary(
            kind=self.kind, organisations=self.count_organisations(), organisations_by_kind=kinds, sources=sources
        )

    def close(self) -> None:
        pass


def _org_row(o: MergedOrganisation) -> dict[str, Any]:
    return {
        "iri": str(org_iri(o.code)),
        "props": {
            "odsCode": o.code,
            "name": o.name,
            "kinds": sorted(o.kinds),
            "start": o.start,
            "end": o.end,
            "status": o.status,
            "postcode": o.postcode,
            "onsCode": o.ons_code,
            "fictional": o.fictional,
            "names": [n for _, n, _ in o.names],
            "nameSources": [s.slug for _, _, s in o.names],
            "nameVintages": [v for v, _, _ in o.names],
        },
    }


def _tie_row(t: MergedTie) -> dict[str, Any]:
    return {
        "iri": tie_iri(t)[1:-1],
        "member": t.member,
        "organisation": t.organisation,
        "props": {
            "kind": t.kind,
            "start": t.start,
            "end": t.end,
            "derived": t.derived,
            "endEvidence": t.end_evidence.slug if t.end_evidence else None,
            "sources": sorted({s.source.slug for s in t.statements}),
            "stSources": [s.source.slug for s in t.statements],
            "stLines": [s.line for s in t.statements],
            # Neo4j lists hold no nulls: an absent date is ""
            "stStarts": [_iso(s.start) for s in t.statements],
            "stEnds": [_iso(s.end) for s in t.statements],
            "stObserved": [_iso(s.observed) for s in t.statements],
        },
    }


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _role_row(m: MergedRole) -> dict[str, Any]:
    return {
        "iri": role_iri(m)[1:-1],
        "code": m.code,
        "role": m.role,
        "props": {
            "start": m.start,
            "end": m.end,
            "rule": m.rule,
            "sources": sorted({s.source.slug for s in m.statements}),
        },
    }
