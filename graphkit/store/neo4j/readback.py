"""Reading Neo4j back: the merged-graph records the database holds (the inverse of the load in
graphkit/store/neo4j/load.py, field by field through the same tables, graphkit/rdf/mapping.py), so that
``graphkit export --from neo4j`` gives the same RDF as the embedded store (tests/store/test_contract.py)."""

from __future__ import annotations

from collections.abc import Callable
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
    Relation,
    ServicePayment,
    Source,
)
from graphkit.ingest.merge import ChangeEvent, MergedGraph, MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.rdf import mapping
from graphkit.store import cypher
from graphkit.store.neo4j.props import cited, date, day, from_props

Run = Callable[[str], list[Any]]


def read_graph(run: Run) -> MergedGraph:
    """The merged-graph records of the database ``run`` asks (the inverse of the load), for the export."""
    sources = {r["s"]["slug"]: _source(r["s"]) for r in run(cypher.ALL_SOURCES)}
    graph = MergedGraph()
    for r in run(cypher.ALL_ORGS):
        m = _organisation(r["o"], sources)
        graph.organisations[m.code] = m
    terms: list[tuple[str, Relation]] = []  # (source slug, the terms of a curated membership: ontology 2.4.0)
    for r in run(cypher.ALL_TIES):
        t = r["t"]
        ev = t.get("endEvidence")
        said = from_props(t, mapping.MEMBERSHIP_TERMS)
        if any(said.values()):
            slug = sorted(t["stSources"], key=lambda s: (not sources[s].kind.startswith("curated"), s))[0]
            terms.append((slug, Relation(t["kind"], r["member"], r["organisation"], 0, start=date(t.get("start")),
                                         end=date(t.get("end")), **said)))
        graph.ties.append(
            MergedTie(
                kind=t["kind"],
                member=r["member"],
                organisation=r["organisation"],
                start=date(t.get("start")),
                end=date(t.get("end")),
                statements=_statements(t, sources),
                dated=not t["derived"] or ev is not None,
                end_evidence=sources[ev] if ev else None,
                start_interval=(date(t["startEarliest"]), date(t["startLatest"]))  # type: ignore[arg-type]
                if t.get("startEarliest") is not None else None,
                start_basis=t.get("startBasis"),
                end_inferred=bool(t.get("endInferred")),
            )
        )
    for r in run(cypher.ALL_ROLES):
        h = r["h"]
        graph.roles.append(
            MergedRole(
                code=r["code"],
                role=r["role"],
                start=date(h.get("start")),
                end=date(h.get("end")),
                statements=_statements(h, sources),
                rule=h.get("rule"),
            )
        )
    for r in run(cypher.ALL_EVENTS):
        e = r["e"]
        graph.events.append(
            ChangeEvent(
                kind=e["kind"],
                originals=tuple(e["originals"]),
                result=e["result"],
                day=date(e["eventDate"]),  # type: ignore[arg-type]
                tie_kind=e.get("tieKind") or "",
                members_moved=int(e.get("membersMoved") or 0),
                sources=tuple(sources[s] for s in e["sources"]),
            )
        )
    results = {slug: ImportResult(source=src) for slug, src in sources.items()}
    agreements = []
    for r in run(cypher.ALL_CONTRACTS):  # practice-year contracts, and the curated ones (read below)
        c = r["c"]
        if "contractId" in c:
            agreements.append(c)
            continue
        fact = ContractFact(**from_props(c, mapping.CONTRACT))
        result = results[c["source"]]
        result.contracts.append(fact)
        for service, amount in zip(c.get("services") or (), c.get("serviceAmounts") or (), strict=True):
            paid = ServicePayment(fact.practice, fact.financial_year, service, float(amount), fact.line)
            result.payments.append(paid)
    for slug, rel in terms:
        results[slug].relations.append(rel)
    _read_curated(run, results, agreements)
    graph.results = [results[slug] for slug in sorted(results)]
    return graph


def _source(p: dict[str, Any]) -> Source:
    return Source(**from_props(p, mapping.SOURCE))


def _organisation(o: dict[str, Any], sources: dict[str, Source]) -> MergedOrganisation:
    m = MergedOrganisation(
        **from_props(o, mapping.ORGANISATION),
        kinds=set(o.get("kinds") or ()),
        central_functions=set(o.get("centralFunctions") or ()),
        exit_costs=set(o.get("exitCosts") or ()),
        resolved_name=o["name"],
    )
    exits_stated = o.get("stExitCosts") or [""] * len(o["stSources"])
    bases_stated = o.get("stFootprintBases") or [""] * len(o["stSources"])
    for slug, line, name, start, end, size, citations, functions, exits, basis in zip(
        o["stSources"], o["stLines"], o["stNames"], o["stStarts"], o["stEnds"], o["stListSizes"],
        o["stCitations"], o["stCentralFunctions"], exits_stated, bases_stated, strict=True,
    ):
        src = sources[slug]
        stated = Organisation(
            m.code, name, (), line, start=day(start), end=day(end), list_size=size if size >= 0 else None,
            citations=cited(citations), central_functions=cited(functions), exit_costs=cited(exits),
            footprint_basis=basis or None,
        )
        m.statements.append((src, stated))
        m.names.append((src.vintage, name, src))
    return m


def _statements(props: dict[str, Any], sources: dict[str, Source]) -> list[Statement]:
    return [
        Statement(sources[slug], int(line), day(start), day(end), day(seen), cited(citations))
        for slug, line, start, end, seen, citations in zip(
            props["stSources"],
            props["stLines"],
            props["stStarts"],
            props["stEnds"],
            props["stObserved"],
            props["stCitations"],
            strict=True,
        )
    ]


def _read_curated(run: Run, results: dict[str, ImportResult], agreements: list[dict[str, Any]]) -> None:
    """People, post holdings, curated contracts, deliveries and lateral ties back into their tables."""
    for r in run(cypher.ALL_PEOPLE):
        p = r["p"]
        results[p["source"]].people.append(Person(**from_props(p, mapping.PERSON)))
    for r in run(cypher.ALL_POSTS):
        h = r["h"]
        results[h["source"]].posts.append(
            PostHolding(person_id=r["person"], organisation=r["organisation"], **from_props(h, mapping.POST_HOLDING))
        )
    for c in agreements:
        results[c["source"]].agreements.append(
            Agreement(kind=c["kind"], parent=c.get("parentId"), succeeds=c.get("succeedsId"),
                      **from_props(c, mapping.AGREEMENT))
        )
    for r in run(cypher.ALL_DELIVERIES):
        d = r["d"]
        results[d["source"]].deliveries.append(Delivery(provider=r["provider"], **from_props(d, mapping.DELIVERY)))
    for r in run(cypher.ALL_LATERAL_TIES):
        t = r["t"]
        results[t["source"]].lateral_ties.append(
            LateralTie(kind=t["tieKind"], tie_from=r["tie_from"], tie_to=r["tie_to"],
                       **from_props(t, mapping.LATERAL_TIE))
        )
