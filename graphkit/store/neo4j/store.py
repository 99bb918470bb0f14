"""The Neo4j store's answers: the GraphStore lookups in Cypher (all of it in :mod:`graphkit.store.cypher`), over
an injected driver, the database named on every call. What both stores answer the same way is
:class:`~graphkit.store.shared.SharedStore`'s; loading is :mod:`graphkit.store.neo4j.load`, reading the records
back :mod:`graphkit.store.neo4j.readback`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from graphkit.core.gcpause import collector_paused
from graphkit.core.model import Source
from graphkit.core.progress import Task
from graphkit.errors import NotFound, StoreUnavailable
from graphkit.ingest.merge import MergedGraph
from graphkit.store import cypher
from graphkit.store.areas import forget_held
from graphkit.store.base import (
    AgreementView,
    ContractKey,
    ContractView,
    Direction,
    EventView,
    LateralTieView,
    MembershipTermsView,
    NameRow,
    NameView,
    OrgRow,
    PersonView,
    PostView,
    ProjectionTie,
    RoleRow,
    StatementView,
    TieView,
)
from graphkit.store.neo4j import load as loading
from graphkit.store.neo4j.props import date as _date
from graphkit.store.neo4j.readback import _source, read_graph
from graphkit.store.shared import OrgRecord, SharedStore

KIND = "neo4j"


class Neo4jStore(SharedStore):
    kind = KIND
    _loading = Task()  # the progress of the load under way (rows written); by default shown nowhere

    def __init__(self, driver: Any, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    def _run(self, query: str, **params: Any) -> list[Any]:
        records, _, _ = self.driver.execute_query(query, parameters_=params, database_=self.database)
        return list(records)

    def _write(self, query: str, rows: list[dict[str, Any]]) -> list[Any]:
        """``rows`` written in batches (a transaction each); what the query returned, in all."""
        out: list[Any] = []
        for batch in loading.batches(rows):
            records, _, _ = self.driver.execute_query(query, parameters_={"rows": batch}, database_=self.database)
            out.extend(records)
            self._loading.advance(len(batch))
        return out

    def load(self, graph: MergedGraph, *, progress: Task | None = None,
             complete: Callable[[], None] | None = None) -> None:
        """Write the merged graph, all or nothing: the new graph is written under staging labels in
        batches, then one transaction replaces the previous graph with it. An interrupted load (the loader
        or the server killed: benchmarks/soak.py) leaves the previous complete graph queryable, and its
        staging nodes are removed by the next load; loading twice gives the same graph. Losing the server
        midway raises StoreUnavailable. ``progress`` (graphkit/core/progress.py) counts the rows written.
        ``complete``: called while the organisations are being written, before the rest of the graph is planned
        (graphkit/store/records.py: the service payments read again from their files); what it raises ends the
        load, the previous graph still served."""
        with collector_paused():  # the plan: ~170,000 rows of small objects, no cycles
            self._load(graph, progress, complete)

    def _load(self, graph: MergedGraph, progress: Task | None, complete: Callable[[], None] | None) -> None:
        from neo4j.exceptions import DriverError, Neo4jError

        if progress is not None:
            self._loading = progress
        try:
            loading.write_graph(self, graph, complete=complete,
                                planned=lambda new: self._loading.update(total=new.rows()))
            forget_held(self)  # the indexes kept on this store object describe the graph just replaced
            self._loading.update(description="loaded into Neo4j")
            self._loading.finish()
        except DriverError as exc:
            raise StoreUnavailable(
                f"the connection to Neo4j was lost during the load ({type(exc).__name__}: {exc}); the previous "
                "graph is still the one served, and the next load removes what this one staged",
                details={"database": self.database},
            ) from None
        except Neo4jError as exc:  # the server refused a statement (a constraint, a timeout, a permission)
            raise StoreUnavailable(
                f"Neo4j refused the load ({exc.code}: {exc.message}); the previous graph is still the one served if "
                "the swap had not happened, and the next load removes what this one staged",
                details={"database": self.database, "neo4j_code": exc.code},
            ) from None
        finally:
            self._loading = Task()

    def source_files(self) -> list[Source]:
        return sorted((_source(r["s"]) for r in self._run(cypher.ALL_SOURCES)), key=lambda s: s.slug)

    def read_graph(self) -> MergedGraph:
        """The merged-graph records the database holds (the inverse of :meth:`load`), for the export."""
        return read_graph(self._run)

    # -- the primitive lookups (graphkit/store/shared.py answers the rest) -----------------------------------
    def _require(self, code: str) -> dict[str, Any]:
        rows = self._run(cypher.ORG_BY_CODE, code=code)
        if not rows:
            raise NotFound(f"no organisation with ODS code {code!r}", details={"code": code})
        return {"org": rows[0]["org"], "roles": [r for r in rows[0]["roles"] if r["role"] is not None]}

    def _organisation_record(self, code: str) -> OrgRecord:
        found = self._require(code)
        return self._record(code, found["org"], found["roles"])

    def _organisation_records(self) -> dict[str, OrgRecord]:
        # one query for every organisation (about a second nationally): lookups then never ask the server
        return {r["org"]["odsCode"]: self._record(r["org"]["odsCode"], r["org"],
                                                  [x for x in r["roles"] if x["role"] is not None])
                for r in self._run(cypher.ALL_ORG_RECORDS)}

    @staticmethod
    def _record(code: str, org: Any, roles: list[Any]) -> OrgRecord:
        return OrgRecord(
            name=org["name"],
            all_kinds=tuple(sorted(org.get("kinds") or [])),
            start=_date(org.get("start")),
            end=_date(org.get("end")),
            status=org.get("status"),
            fictional=bool(org.get("fictional")),
            names=[
                NameView(n, s, _date(v))  # type: ignore[arg-type]
                for n, s, v in zip(org["names"], org["nameSources"], org["nameVintages"], strict=True)
            ],
            roles=[RoleRow(code, r["role"], _date(r["start"]), _date(r["end"])) for r in roles],
            footprint_basis=org.get("footprintBasis"),
            note=org.get("note"),
        )

    def _ties(self, codes: list[str], direction: Direction, as_of: dt.date | None, kind: str | None) -> list[TieView]:
        return self._tie_views(self._run(cypher.ties(direction, kind), codes=codes, day=as_of))

    def _ties_of_kinds(self, kinds: list[str], as_of: dt.date | None) -> list[TieView]:
        return self._tie_views(self._run(cypher.ties_of_kinds(kinds), day=as_of))

    @staticmethod
    def _tie_views(rows: list[Any]) -> list[TieView]:
        return [
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
                start_earliest=_date(r["start_earliest"]),
                start_latest=_date(r["start_latest"]),
                start_basis=r["start_basis"],
                end_inferred=bool(r["end_inferred"]),
            )
            for r in rows
        ]

    def projection_tie_rows(self) -> list[ProjectionTie]:
        kinds = {cypher.rel_type("PCNMembership"): "PCNMembership",
                 cypher.rel_type("CommissionerAssignment"): "CommissionerAssignment"}
        return [(kinds[r["type"]], r["practice"], r["practice_name"], r["other"], r["other_name"], _date(r["start"]),
                 _date(r["end"]))
                for r in self._run(cypher.PROJECTION_TIE_ROWS)]

    def list_size_rows(self) -> list[tuple[str, str, int]]:
        return [(r["code"], r["year"], int(r["size"])) for r in self._run(cypher.ALL_LIST_SIZES)]

    def _org_rows(self, q: str | None, kind: str | None, codes: list[str] | None) -> list[OrgRow]:
        return [
            OrgRow(
                r["code"], r["name"], tuple(sorted(r["kinds"] or ())), _date(r["start"]), _date(r["end"]),
                r["size"],
                tuple(sorted(r["functions"] or ())),
                tuple(sorted(r["exits"] or ())),
            )
            for r in self._run(cypher.ORG_ROWS, q=q, kind=kind, codes=codes)
        ]

    def _role_rows(self, codes: list[str]) -> list[RoleRow]:
        if not codes:
            return []
        return [
            RoleRow(r["code"], r["role"], _date(r["start"]), _date(r["end"]), tuple(sorted(r["sources"] or ())))
            for r in self._run(cypher.ROLES_OF_MANY, codes=codes)
        ]

    def contract_key_rows(self) -> list[ContractKey]:
        return [(r["year"], r["holder"], r["iri"], r["ctype"] or "", tuple(sorted(r["commissioners"])), r["dispensing"])
                for r in self._run(cypher.CONTRACT_KEYS)]

    def _contract_page(self, iris: list[str]) -> list[ContractView]:
        rows = self._run(cypher.CONTRACTS, iris=iris)
        return sorted(
            ContractView(
                financial_year=r["c"]["financialYear"],
                holder=r["holder"],
                holder_name=r["holder_name"],
                contract_type=r["c"]["contractTypeStated"],
                commissioner=r["commissioner"],
                list_size=r["c"].get("listSize"),
                weighted_list_size=r["c"].get("weightedListSize"),
                dispensing=r["c"].get("dispensing"),
                rurality=r["c"].get("rurality"),
                amount_gbp=r["c"].get("amountGBP"),
                services=tuple(
                    sorted(zip(r["c"].get("services") or (), r["c"].get("serviceAmounts") or (), strict=True))
                ),
                source=r["c"]["source"],
                line=int(r["c"]["line"]),
            )
            for r in rows
        )

    def _provenance(self, code: str) -> list[StatementView]:
        files = {r["slug"]: (r["file"], _date(r["vintage"])) for r in self._run(cypher.SOURCE_DETAILS)}
        out = []
        for r in self._run(cypher.PROVENANCE, code=code):
            for slug, line in zip(r["sources"] or (), r["lines"] or (), strict=True):
                file_name, vintage = files[slug]
                out.append(StatementView(r["kind"], r["fact"], slug, file_name, vintage, int(line)))  # type: ignore[arg-type]
        return out

    def _posts(self, organisation: str | None, person: str | None, as_of: dt.date | None) -> list[PostView]:
        return [
            PostView(
                person_id=r["pid"],
                person_name=r["pname"],
                organisation=r["ocode"],
                organisation_name=r["oname"],
                role=r["h"].get("role"),
                title=r["h"].get("title"),
                start=_date(r["h"].get("start")),
                end=_date(r["h"].get("end")),
                represents=r["h"].get("represents"),
                appointment=r["h"].get("appointment"),
                voting=r["h"].get("voting"),
                source=r["h"]["source"],
                line=int(r["h"]["line"]),
                citations=tuple(sorted(r["h"]["citations"])),
                commissioning=r["h"].get("commissioning"),
                note=r["h"].get("note"),
            )
            for r in self._run(cypher.POSTS, organisation=organisation, person=person, day=as_of)
        ]

    def _lateral_ties(self, as_of: dt.date | None) -> list[LateralTieView]:
        return [
            LateralTieView(
                kind=r["t"]["tieKind"],
                tie_from=r["tie_from"],
                tie_to=r["tie_to"],
                start=_date(r["t"].get("start")),
                end=_date(r["t"].get("end")),
                hood_mode=r["t"].get("hoodMode"),
                mechanism=r["t"].get("mechanism"),
                arena=r["t"].get("arena"),
                source=r["t"]["source"],
                line=int(r["t"]["line"]),
                initiated_by=r["t"].get("initiatedBy"),
                horizon=r["t"].get("horizon"),
                status=r["t"].get("status"),
                monitored=r["t"].get("monitored"),
                sanction=r["t"].get("sanction"),
                compliance=r["t"].get("compliance"),
                function=r["t"].get("function"),
                end_unknown=r["t"].get("status") == "TieEnded" and r["t"].get("end") is None,
                citations=tuple(sorted(r["t"].get("citations") or ())),
                selection_basis=r["t"].get("selectionBasis"),
                outcome=r["t"].get("outcome"),
                lot=r["t"].get("lot"),
                note=r["t"].get("note"),
            )
            for r in self._run(cypher.LATERAL_TIES, day=as_of)
        ]

    def _agreements(self, as_of: dt.date | None) -> list[AgreementView]:
        return [
            AgreementView(
                contract_id=r["c"]["contractId"],
                kind=r["c"]["kind"],
                holder=r["holder"],
                commissioner=r["commissioner"],
                service=r["c"].get("service"),
                parent=r["c"].get("parentId"),
                start=_date(r["c"].get("start")),
                end=_date(r["c"].get("end")),
                amount_gbp=r["c"].get("amountGBP"),
                delivered_by=tuple(sorted(set(r["delivered_by"]))),
                supported_by=tuple(sorted(set(r["c"].get("supportedBy") or ()))),
                source=r["c"]["source"],
                line=int(r["c"]["line"]),
                note=r["c"].get("note"),
                succeeds=r["c"].get("succeedsId"),
            )
            for r in self._run(cypher.AGREEMENTS, day=as_of)
        ]

    def _membership_terms(self) -> list[MembershipTermsView]:
        return [
            MembershipTermsView(r["kind"], r["member"], r["organisation"], _date(r["start"]), note=r["note"],
                                tier=r["tier"], exit_reason=r["exit_reason"])
            for r in self._run(cypher.MEMBERSHIP_TERMS)
        ]

    def _person(self, person_id: str) -> PersonView | None:
        rows = self._run(cypher.PERSON, person=person_id)
        if not rows:
            return None
        p = rows[0]["p"]
        return PersonView(
            person_id=person_id,
            name=p["name"],
            fictional=bool(p.get("fictional")),
            source=p["source"],
            line=int(p["line"]),
            citations=tuple(sorted(p["citations"])),
        )

    def _events(self, code: str) -> list[EventView]:
        return self._event_rows(self._run(cypher.EVENTS_OF, code=code))

    def _all_events(self) -> list[EventView]:
        return self._event_rows(self._run(cypher.ALL_EVENTS))

    def _all_names(self) -> list[NameRow]:
        return [(r["code"], n, s, _date(v))  # type: ignore[misc]
                for r in self._run(cypher.ALL_NAMES)
                for n, s, v in zip(r["names"] or (), r["sources"] or (), r["vintages"] or (), strict=True)]

    @staticmethod
    def _event_rows(rows: Any) -> list[EventView]:
        return [
            EventView(
                _date(e["eventDate"]),  # type: ignore[arg-type]
                e["kind"],
                tuple(sorted(e["originals"])),
                e["result"],
                tuple(sorted(e["sources"])),
            )
            for e in (r["e"] for r in rows)
        ]

    def count_organisations(self) -> int:
        return int(self._run(cypher.COUNT_ORGS)[0]["n"])

    def _kind_counts(self) -> dict[str, int]:
        return {r["kind"]: int(r["n"]) for r in self._run(cypher.SUMMARY_KINDS)}

    def _source_slugs(self) -> tuple[str, ...]:
        return tuple(r["slug"] for r in self._run(cypher.SOURCES))

    def close(self) -> None:
        pass
