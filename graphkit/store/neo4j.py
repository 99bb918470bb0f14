"""The Neo4j 5 store: the merged graph loaded with batched, parameterised UNWIND writes, queried
with Cypher (all of it in :mod:`graphkit.store.cypher`). The driver is injected, and the database is
named on every call.

Everything the embedded store holds is loaded, all or nothing: organisations, ties, role holdings,
change events, contracts with their service payments, and the source files with every statement's
line, so that :meth:`Neo4jStore.read_graph` gives back the records and ``graphkit export --from neo4j``
the same RDF (tests/test_roundtrip.py). docs/neo4j-store.md gives the mapping and the reasons.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from graphkit.core.model import (
    Agreement,
    ContractFact,
    Delivery,
    ImportResult,
    LateralTie,
    Organisation,
    Person,
    PostHolding,
    ServicePayment,
    Source,
)
from graphkit.core.namespaces import fact_iri, org_iri, source_iri
from graphkit.core.nhs import TIME_BOUNDED_CLASSES
from graphkit.core.progress import Task
from graphkit.errors import NotFound, StoreUnavailable
from graphkit.ingest.merge import ChangeEvent, MergedGraph, MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.rdf.emit import (
    EVENT_RULE,
    agreement_iri,
    contract_iri,
    delivery_iri,
    lateral_tie_iri,
    person_iri,
    post_holding_iri,
    post_iri,
    role_iri,
    tie_iri,
)
from graphkit.store import cypher
from graphkit.store.base import (
    AgreementView,
    ContractView,
    Direction,
    EventView,
    LateralTieView,
    NameView,
    OrganisationView,
    OrgRow,
    PersonView,
    PostView,
    RoleRow,
    StatementView,
    StoreSummary,
    TieView,
    financial_year_end,
    kinds_on,
    post_key,
)
from graphkit.store.shared import SharedStore, contract_area

KIND = "neo4j"
CONTRACT_CLASS = {"GMS": "GMSContract", "PMS": "PMSContract", "APMS": "APMSContract"}
CONTRACT_LABEL: dict[str, str | None] = {"Contract": None}  # the base class is the :Contract label itself
BATCH = 5000


def _batches(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def rows_to_load(graph: MergedGraph) -> int:
    """The rows :meth:`Neo4jStore.load` writes (its progress total): one per source file, organisation and
    kind, tie, role, event, contract and curated record (tests/test_progress.py checks it against a load)."""
    curated = sum(
        len(r.people) + len(r.posts) + len(r.agreements) + sum(1 for a in r.agreements if a.parent)
        + len(r.deliveries) + len(r.lateral_ties)
        for r in graph.results
    )
    return (
        len(graph.results)
        + sum(len(o.kinds) for o in graph.organisations.values())
        + len(graph.ties)
        + sum(1 for m in graph.roles if m.code in graph.organisations)
        + len(graph.events)
        + sum(len(r.contracts) for r in graph.results)
        + curated
    )


def _date(v: Any) -> dt.date | None:
    if v is None:
        return None
    return dt.date(v.year, v.month, v.day)


class Neo4jStore(SharedStore):
    kind = KIND
    _loading = Task()  # the progress of the load under way (rows written); by default shown nowhere

    def __init__(self, driver: Any, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    def _run(self, query: str, **params: Any) -> list[Any]:
        records, _, _ = self.driver.execute_query(query, parameters_=params, database_=self.database)
        return list(records)

    def _write(self, query: str, rows: list[dict[str, Any]]) -> None:
        for batch in _batches(rows):
            self.driver.execute_query(query, parameters_={"rows": batch}, database_=self.database)
            self._loading.advance(len(batch))

    # -- loading --------------------------------------------------------------------------------
    def load(self, graph: MergedGraph, *, progress: Task | None = None) -> None:
        """Write the merged graph, all or nothing: the new graph is written under staging labels in
        batches, then one transaction replaces the previous graph with it. An interrupted load (the loader
        or the server killed: benchmarks/soak.py) leaves the previous complete graph queryable, and its
        staging nodes are removed by the next load; loading twice gives the same graph. Losing the server
        midway raises StoreUnavailable. ``progress`` (graphkit/core/progress.py) counts the rows written."""
        from neo4j.exceptions import DriverError

        if progress is not None:
            progress.update(total=rows_to_load(graph))
            self._loading = progress
        try:
            self._load(graph)
            self._loading.update(description="loaded into Neo4j")
            self._loading.finish()
        except DriverError as exc:
            raise StoreUnavailable(
                f"the connection to Neo4j was lost during the load ({type(exc).__name__}: {exc}); the previous "
                "graph is still the one served, and the next load removes what this one staged",
                details={"database": self.database},
            ) from None
        finally:
            self._loading = Task()

    def _load(self, graph: MergedGraph) -> None:
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
        events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in graph.events:
            events[e.kind].append(_event_row(e))
        for kind, rows in sorted(events.items()):
            self._write(cypher.merge_events(kind), rows)
        contracts: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        for r in graph.results:
            paid: dict[str, list[ServicePayment]] = defaultdict(list)
            for p in r.payments:
                paid[p.practice].append(p)
            for fact in r.contracts:
                contracts[CONTRACT_CLASS.get(fact.contract_type)].append(
                    _contract_row(fact, r.source, paid[fact.practice])
                )
        for contract_kind, rows in sorted(contracts.items(), key=lambda kv: kv[0] or ""):
            self._write(cypher.merge_contracts(contract_kind), rows)
        self._load_curated(graph)
        self._loading.update(description="switching Neo4j to the new graph")
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: [tx.run(q).consume() for q in cypher.SWAP])
            session.run(cypher.DROP_RETIRED).consume()  # auto-commit, as IN TRANSACTIONS needs
            session.run(cypher.DROP_ORPHAN_ROLES).consume()

    def _load_curated(self, graph: MergedGraph) -> None:
        """People and their posts, curated contracts and subcontracts, deliveries, lateral ties."""
        people, posts, deliveries = [], [], []
        agreements: dict[str, list[dict[str, Any]]] = defaultdict(list)
        parents: list[dict[str, Any]] = []
        lateral: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in graph.results:
            src = {"source": r.source.slug}
            for p in r.people:
                people.append(
                    {
                        "iri": person_iri(p.person_id)[1:-1],
                        "props": {
                            "personId": p.person_id,
                            "name": p.name,
                            "fictional": p.fictional or None,
                            "line": p.line,
                            "citations": list(p.citations),
                            **src,
                        },
                    }
                )
            for h in r.posts:
                posts.append(
                    {
                        "iri": post_holding_iri(h)[1:-1],
                        "person": h.person_id,
                        "organisation": h.organisation,
                        "props": {
                            "postIri": post_iri(h)[1:-1],
                            "role": h.role,
                            "title": h.title,
                            "start": h.start,
                            "end": h.end,
                            "represents": h.represents,
                            "appointment": h.appointment,
                            "voting": h.voting,
                            "line": h.line,
                            "citations": list(h.citations),
                            **src,
                        },
                    }
                )
            for a in r.agreements:
                iri = agreement_iri(a.contract_id)[1:-1]
                agreements[a.kind].append(
                    {
                        "iri": iri,
                        "props": {
                            "contractId": a.contract_id,
                            "kind": a.kind,
                            "holderCode": a.holder,
                            "commissionerCode": a.commissioner,
                            "service": a.service,
                            "parentId": a.parent,
                            "start": a.start,
                            "end": a.end,
                            "amountGBP": a.amount,
                            "line": a.line,
                            "citations": list(a.citations),
                            **src,
                        },
                    }
                )
                if a.parent:
                    parents.append({"iri": iri, "parent": agreement_iri(a.parent)[1:-1]})
            for d in r.deliveries:
                deliveries.append(
                    {
                        "iri": delivery_iri(d)[1:-1],
                        "provider": d.provider,
                        "contract": agreement_iri(d.contract_id)[1:-1],
                        "props": {
                            "contractId": d.contract_id,
                            "holderCode": d.holder,
                            "start": d.start,
                            "end": d.end,
                            "line": d.line,
                            "citations": list(d.citations),
                            **src,
                        },
                    }
                )
            for t in r.lateral_ties:
                lateral[t.kind].append(
                    {
                        "iri": lateral_tie_iri(t)[1:-1],
                        "tieFrom": t.tie_from,
                        "tieTo": t.tie_to,
                        "props": {
                            "tieKind": t.kind,
                            "hoodMode": t.hood_mode,
                            "mechanism": t.mechanism,
                            "arena": t.arena,
                            "initiatedBy": t.initiated_by,
                            "horizon": t.horizon,
                            "start": t.start,
                            "end": t.end,
                            "line": t.line,
                            "citations": list(t.citations),
                            **src,
                        },
                    }
                )
        self._write(cypher.MERGE_PEOPLE, people)
        self._write(cypher.MERGE_POSTS, posts)
        for kind, rows in sorted(agreements.items()):
            self._write(cypher.merge_agreements(CONTRACT_LABEL.get(kind, kind)), rows)
        self._write(cypher.LINK_PARENT_CONTRACTS, parents)
        self._write(cypher.MERGE_DELIVERIES, deliveries)
        for kind, rows in sorted(lateral.items()):
            self._write(cypher.merge_lateral_ties(kind), rows)

    def _read_curated(self, results: dict[str, ImportResult]) -> None:
        for r in self._run(cypher.ALL_PEOPLE):
            p = r["p"]
            results[p["source"]].people.append(
                Person(p["personId"], p["name"], int(p["line"]), bool(p.get("fictional")), tuple(p["citations"]))
            )
        for r in self._run(cypher.ALL_POSTS):
            h = r["h"]
            results[h["source"]].posts.append(
                PostHolding(
                    person_id=r["person"],
                    organisation=r["organisation"],
                    role=h.get("role"),
                    line=int(h["line"]),
                    title=h.get("title"),
                    start=_date(h.get("start")),
                    end=_date(h.get("end")),
                    represents=h.get("represents"),
                    appointment=h.get("appointment"),
                    voting=h.get("voting"),
                    citations=tuple(h["citations"]),
                )
            )
        for r in self._run(cypher.ALL_CONTRACTS):
            c = r["c"]
            if "contractId" not in c:
                continue
            results[c["source"]].agreements.append(
                Agreement(
                    contract_id=c["contractId"],
                    kind=c["kind"],
                    holder=c["holderCode"],
                    line=int(c["line"]),
                    commissioner=c.get("commissionerCode"),
                    service=c.get("service"),
                    parent=c.get("parentId"),
                    start=_date(c.get("start")),
                    end=_date(c.get("end")),
                    amount=c.get("amountGBP"),
                    citations=tuple(c["citations"]),
                )
            )
        for r in self._run(cypher.ALL_DELIVERIES):
            d = r["d"]
            results[d["source"]].deliveries.append(
                Delivery(
                    provider=r["provider"],
                    contract_id=d["contractId"],
                    holder=d["holderCode"],
                    line=int(d["line"]),
                    start=_date(d.get("start")),
                    end=_date(d.get("end")),
                    citations=tuple(d["citations"]),
                )
            )
        for r in self._run(cypher.ALL_LATERAL_TIES):
            t = r["t"]
            results[t["source"]].lateral_ties.append(
                LateralTie(
                    kind=t["tieKind"],
                    tie_from=r["tie_from"],
                    tie_to=r["tie_to"],
                    line=int(t["line"]),
                    start=_date(t.get("start")),
                    end=_date(t.get("end")),
                    hood_mode=t.get("hoodMode"),
                    mechanism=t.get("mechanism"),
                    arena=t.get("arena"),
                    initiated_by=t.get("initiatedBy"),
                    horizon=t.get("horizon"),
                    citations=tuple(t["citations"]),
                )
            )

    # -- reading everything back ------------------------------------------------------------------
    def read_graph(self) -> MergedGraph:
        """The merged-graph records the database holds (the inverse of :meth:`load`), for the export."""
        sources = {r["s"]["slug"]: _source(r["s"]) for r in self._run(cypher.ALL_SOURCES)}
        graph = MergedGraph()
        for r in self._run(cypher.ALL_ORGS):
            o = r["o"]
            m = MergedOrganisation(
                code=o["odsCode"],
                kinds=set(o.get("kinds") or ()),
                start=_date(o.get("start")),
                end=_date(o.get("end")),
                status=o.get("status"),
                postcode=o.get("postcode"),
                ons_code=o.get("onsCode"),
                fictional=bool(o.get("fictional")),
                list_size=o.get("listSize"),
                central_functions=set(o.get("centralFunctions") or ()),
                resolved_name=o["name"],
            )
            for slug, line, name, start, end, size, cited, functions in zip(
                o["stSources"],
                o["stLines"],
                o["stNames"],
                o["stStarts"],
                o["stEnds"],
                o["stListSizes"],
                o["stCitations"],
                o["stCentralFunctions"],
                strict=True,
            ):
                src = sources[slug]
                m.statements.append(
                    (
                        src,
                        Organisation(
                            m.code,
                            name,
                            (),
                            line,
                            start=_day(start),
                            end=_day(end),
                            list_size=size if size >= 0 else None,
                            citations=_cited(cited),
                            central_functions=_cited(functions),
                        ),
                    )
                )
                m.names.append((src.vintage, name, src))
            graph.organisations[m.code] = m
        for r in self._run(cypher.ALL_TIES):
            t = r["t"]
            ev = t.get("endEvidence")
            graph.ties.append(
                MergedTie(
                    kind=t["kind"],
                    member=r["member"],
                    organisation=r["organisation"],
                    start=_date(t.get("start")),
                    end=_date(t.get("end")),
                    statements=_statements(t, sources),
                    dated=not t["derived"] or ev is not None,
                    end_evidence=sources[ev] if ev else None,
                )
            )
        for r in self._run(cypher.ALL_ROLES):
            h = r["h"]
            graph.roles.append(
                MergedRole(
                    code=r["code"],
                    role=r["role"],
                    start=_date(h.get("start")),
                    end=_date(h.get("end")),
                    statements=_statements(h, sources),
                    rule=h.get("rule"),
                )
            )
        for r in self._run(cypher.ALL_EVENTS):
            e = r["e"]
            graph.events.append(
                ChangeEvent(
                    kind=e["kind"],
                    originals=tuple(e["originals"]),
                    result=e["result"],
                    day=_date(e["eventDate"]),  # type: ignore[arg-type]
                    tie_kind=e.get("tieKind") or "",
                    members_moved=int(e.get("membersMoved") or 0),
                    sources=tuple(sources[s] for s in e["sources"]),
                )
            )
        results = {slug: ImportResult(source=src) for slug, src in sources.items()}
        for r in self._run(cypher.ALL_CONTRACTS):
            c = r["c"]
            if "contractId" in c:  # a curated contract: below
                continue
            fact = ContractFact(
                practice=c["holderCode"],
                financial_year=c["financialYear"],
                contract_type=c["contractTypeStated"],
                commissioner=c.get("commissionerCode"),
                line=int(c["line"]),
                dispensing=c.get("dispensing"),
                list_size=c.get("listSize"),
                weighted_list_size=c.get("weightedListSize"),
                rurality=c.get("rurality"),
                total_paid=c.get("amountGBP"),
            )
            result = results[c["source"]]
            result.contracts.append(fact)
            for service, amount in zip(c.get("services") or (), c.get("serviceAmounts") or (), strict=True):
                result.payments.append(
                    ServicePayment(fact.practice, fact.financial_year, service, float(amount), fact.line)
                )
        self._read_curated(results)
        graph.results = [results[slug] for slug in sorted(results)]
        return graph

    # -- GraphStore -----------------------------------------------------------------------------
    def _require(self, code: str) -> dict[str, Any]:
        rows = self._run(cypher.ORG_BY_CODE, code=code)
        if not rows:
            raise NotFound(f"no organisation with ODS code {code!r}", details={"code": code})
        return {"org": rows[0]["org"], "roles": [r for r in rows[0]["roles"] if r["role"] is not None]}

    @staticmethod
    def _kinds_as_of(org: dict[str, Any], roles: list[dict[str, Any]], day: dt.date) -> tuple[str, ...]:
        rows = [RoleRow(org["odsCode"], r["role"], _date(r["start"]), _date(r["end"])) for r in roles]
        return kinds_on(org.get("kinds") or (), rows, day)

    def ties_of_many(
        self, codes: Iterable[str], direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        return self._tie_views(self._run(cypher.ties(direction, kind), codes=list(codes), day=as_of))

    @staticmethod
    def _tie_views(rows: list[Any]) -> list[TieView]:
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

    def _projection_ties(self, as_of: dt.date) -> list[tuple[str, str, str, str, str]]:
        kinds = {cypher.rel_type("PCNMembership"): "PCNMembership",
                 cypher.rel_type("CommissionerAssignment"): "CommissionerAssignment"}
        return [(kinds[r["type"]], r["practice"], r["practice_name"], r["other"], r["other_name"])
                for r in self._run(cypher.PROJECT, day=as_of)]

    def list_size_rows(self) -> list[tuple[str, str, int]]:
        return [(r["code"], r["year"], int(r["size"])) for r in self._run(cypher.ALL_LIST_SIZES)]

    def org_rows(
        self, *, q: str | None = None, kind: str | None = None, codes: Iterable[str] | None = None
    ) -> tuple[list[OrgRow], list[RoleRow]]:
        rows = self._run(cypher.ORG_ROWS, q=q or None, kind=kind, codes=None if codes is None else list(codes))
        out = [
            OrgRow(
                r["code"], r["name"], tuple(sorted(r["kinds"] or ())), _date(r["start"]), _date(r["end"]),
                r["size"],
                tuple(sorted(r["functions"] or ())),
            )
            for r in rows
        ]
        bounded = [r.code for r in out if set(r.all_kinds) & TIME_BOUNDED_CLASSES]
        return out, self._role_rows(bounded)

    def _role_rows(self, codes: list[str]) -> list[RoleRow]:
        """The ODS role holdings of these organisations, with the files stating each."""
        if not codes:
            return []
        return [
            RoleRow(r["code"], r["role"], _date(r["start"]), _date(r["end"]), tuple(sorted(r["sources"] or ())))
            for r in self._run(cypher.ROLES_OF_MANY, codes=codes)
        ]

    def contracts(
        self,
        *,
        holder: str | None = None,
        contract_type: str | None = None,
        commissioner: str | None = None,
        within: str | None = None,
        year: str | None = None,
        as_of: dt.date | None = None,
    ) -> list[ContractView]:
        if year is not None:
            financial_year_end(year)
        for code in (holder, commissioner):
            if code is not None:
                self._require(code)
        area = sorted(contract_area(self, within, year, as_of)) if within is not None else None
        rows = self._run(cypher.CONTRACTS, year=year, holder=holder, ctype=contract_type, comm=commissioner, area=area)
        out = []
        for r in rows:
            c = r["c"]
            out.append(
                ContractView(
                    financial_year=c["financialYear"],
                    holder=r["holder"],
                    holder_name=r["holder_name"],
                    contract_type=c["contractTypeStated"],
                    commissioner=r["commissioner"],
                    list_size=c.get("listSize"),
                    weighted_list_size=c.get("weightedListSize"),
                    dispensing=c.get("dispensing"),
                    rurality=c.get("rurality"),
                    amount_gbp=c.get("amountGBP"),
                    services=tuple(sorted(zip(c.get("services") or (), c.get("serviceAmounts") or (), strict=True))),
                    source=c["source"],
                    line=int(c["line"]),
                )
            )
        return sorted(out)

    def contracts_page(
        self,
        *,
        holder: str | None = None,
        contract_type: str | None = None,
        commissioner: str | None = None,
        within: str | None = None,
        year: str | None = None,
        as_of: dt.date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[ContractView], int]:
        found = self.contracts(
            holder=holder, contract_type=contract_type, commissioner=commissioner, within=within, year=year,
            as_of=as_of,
        )
        return found[offset : None if limit is None else offset + limit], len(found)

    def provenance(self, code: str) -> list[StatementView]:
        self._require(code)
        files = {r["slug"]: (r["file"], _date(r["vintage"])) for r in self._run(cypher.SOURCE_DETAILS)}
        out = set()
        for r in self._run(cypher.PROVENANCE, code=code):
            for slug, line in zip(r["sources"] or (), r["lines"] or (), strict=True):
                file_name, vintage = files[slug]
                out.add(StatementView(r["kind"], r["fact"], slug, file_name, vintage, int(line)))  # type: ignore[arg-type]
        return sorted(out)

    def posts(
        self, *, organisation: str | None = None, person: str | None = None, as_of: dt.date | None = None
    ) -> list[PostView]:
        if organisation is not None:
            self._require(organisation)
        rows = self._run(cypher.POSTS, organisation=organisation, person=person, day=as_of)
        return sorted(
            (
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
                )
                for r in rows
            ),
            key=post_key,
        )

    def ties_of_kinds(self, kinds: Iterable[str], *, as_of: dt.date | None = None) -> list[TieView]:
        return self._tie_views(self._run(cypher.ties_of_kinds(list(kinds)), day=as_of))

    def lateral_ties(self, *, as_of: dt.date | None = None) -> list[LateralTieView]:
        return sorted(
            (
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
                )
                for r in self._run(cypher.LATERAL_TIES, day=as_of)
            ),
            key=lambda t: (t.kind, t.tie_from, t.tie_to, t.start or dt.date.min, t.line),
        )

    def agreements(self, *, as_of: dt.date | None = None) -> list[AgreementView]:
        out = []
        for r in self._run(cypher.AGREEMENTS, day=as_of):
            c = r["c"]
            out.append(
                AgreementView(
                    contract_id=c["contractId"],
                    kind=c["kind"],
                    holder=r["holder"],
                    commissioner=r["commissioner"],
                    service=c.get("service"),
                    parent=c.get("parentId"),
                    start=_date(c.get("start")),
                    end=_date(c.get("end")),
                    amount_gbp=c.get("amountGBP"),
                    delivered_by=tuple(sorted(set(r["delivered_by"]))),
                    source=c["source"],
                    line=int(c["line"]),
                )
            )
        return sorted(out, key=lambda a: a.contract_id)

    def person(self, person_id: str) -> PersonView:
        rows = self._run(cypher.PERSON, person=person_id)
        if not rows:
            raise NotFound(f"no person with id {person_id!r}", details={"person_id": person_id})
        p = rows[0]["p"]
        return PersonView(
            person_id=person_id,
            name=p["name"],
            fictional=bool(p.get("fictional")),
            source=p["source"],
            line=int(p["line"]),
            citations=tuple(sorted(p["citations"])),
            posts=tuple(self.posts(person=person_id)),
        )

    def events(self, code: str) -> list[EventView]:
        self._require(code)
        return sorted(
            EventView(
                _date(e["eventDate"]),  # type: ignore[arg-type]
                e["kind"],
                tuple(sorted(e["originals"])),
                e["result"],
                tuple(sorted(e["sources"])),
            )
            for e in (r["e"] for r in self._run(cypher.EVENTS_OF, code=code))
        )

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
            # what each file states: aligned lists (Neo4j lists hold no nulls: an absent date is "")
            "stSources": [src.slug for src, _ in o.statements],
            "stLines": [st.line for _, st in o.statements],
            "stNames": [st.name for _, st in o.statements],
            "stStarts": [_iso(st.start) for _, st in o.statements],
            "stEnds": [_iso(st.end) for _, st in o.statements],
            "stListSizes": [st.list_size if st.list_size is not None else -1 for _, st in o.statements],
            "stCentralFunctions": ["\n".join(st.central_functions) for _, st in o.statements],
            "centralFunctions": sorted(o.central_functions),
            "stCitations": ["\n".join(st.citations) for _, st in o.statements],
            "listSize": o.list_size,
            "names": [st.name for _, st in o.statements],
            "nameSources": [src.slug for src, _ in o.statements],
            "nameVintages": [src.vintage for src, _ in o.statements],
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
            **_statement_lists(t.statements),
        },
    }


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _statement_lists(statements: list[Statement]) -> dict[str, list[Any]]:
    return {
        "stSources": [s.source.slug for s in statements],
        "stLines": [s.line for s in statements],
        "stStarts": [_iso(s.start) for s in statements],
        "stEnds": [_iso(s.end) for s in statements],
        "stObserved": [_iso(s.observed) for s in statements],
        "stCitations": ["\n".join(s.citations) for s in statements],
    }


def _statements(props: dict[str, Any], sources: dict[str, Source]) -> list[Statement]:
    return [
        Statement(sources[slug], int(line), _day(start), _day(end), _day(seen), _cited(cited))
        for slug, line, start, end, seen, cited in zip(
            props["stSources"],
            props["stLines"],
            props["stStarts"],
            props["stEnds"],
            props["stObserved"],
            props["stCitations"],
            strict=True,
        )
    ]


def _cited(text: str) -> tuple[str, ...]:
    """A statement's citations: one string per statement in Neo4j (lists of lists are not allowed)."""
    return tuple(text.split("\n")) if text else ()


def _source(p: dict[str, Any]) -> Source:
    return Source(
        slug=p["slug"],
        file_name=p["fileName"],
        kind=p["sourceKind"],
        vintage=_date(p["vintage"]),  # type: ignore[arg-type]
        sha256=p["sha256"],
        publisher=p["publisher"],
        licence=p["license"],
        title=p.get("title") or "",
    )


def _event_row(e: ChangeEvent) -> dict[str, Any]:
    return {
        "iri": str(fact_iri("event", e.kind, e.result, e.day)),
        "result": e.result,
        "originals": list(e.originals),
        "props": {
            "kind": e.kind,
            "result": e.result,
            "originals": list(e.originals),
            "eventDate": e.day,
            "tieKind": e.tie_kind or None,
            "membersMoved": e.members_moved or None,
            "derivationRule": EVENT_RULE,
            "sources": [s.slug for s in e.sources],
        },
    }


def _contract_row(c: ContractFact, source: Source, payments: list[ServicePayment]) -> dict[str, Any]:
    return {
        "iri": contract_iri(c)[1:-1],
        "props": {
            "financialYear": c.financial_year,
            "contractTypeStated": c.contract_type,
            "holderCode": c.practice,
            "commissionerCode": c.commissioner,
            "dispensing": c.dispensing,
            "listSize": round(c.list_size) if c.list_size is not None else None,
            "weightedListSize": c.weighted_list_size,
            "rurality": c.rurality,
            "amountGBP": c.total_paid,
            "source": source.slug,
            "line": c.line,
            # service payments: aligned lists (a payment is identified by contract and service)
            "services": [p.service for p in payments],
            "serviceAmounts": [p.amount for p in payments],
        },
    }


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
            **_statement_lists(m.statements),
        },
    }
