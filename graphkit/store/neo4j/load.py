"""Loading Neo4j: the merged graph flattened into rows (one per source file, organisation, tie, role,
event, contract and curated record; the plain fields by the tables of graphkit/rdf/mapping.py) and written in
batches of parameterised UNWIND writes under staging labels, then swapped in by one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from graphkit.core.model import (
    Agreement,
    ContractFact,
    Delivery,
    LateralTie,
    Person,
    PostHolding,
    ServicePayment,
    Source,
)
from graphkit.core.namespaces import fact_iri, org_iri, source_iri
from graphkit.ingest.merge import ChangeEvent, MergedGraph, MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.rdf import mapping
from graphkit.rdf.emit import (
    EVENT_RULE,
    CuratedIRIs,
    agreement_iri,
    contract_iri,
    person_iri,
    role_iri,
    tie_iri,
)
from graphkit.store import cypher
from graphkit.store.neo4j.props import iso, to_props

if TYPE_CHECKING:
    from graphkit.store.neo4j.store import Neo4jStore

CONTRACT_CLASS = {"GMS": "GMSContract", "PMS": "PMSContract", "APMS": "APMSContract"}
CONTRACT_LABEL: dict[str, str | None] = {"Contract": None}  # the base class is the :Contract label itself
BATCH = 5000


def batches(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def rows_to_load(graph: MergedGraph) -> int:
    """The rows :meth:`Neo4jStore.load` writes (its progress total): one per source file, organisation (with
    its kinds), tie, role, event, contract and curated record (tests/core/test_progress.py checks it against a load)."""
    curated = sum(
        len(r.people) + len(r.posts) + len(r.agreements) + sum(1 for a in r.agreements if a.parent)
        + len(r.deliveries) + len(r.lateral_ties)
        for r in graph.results
    )
    return (
        len(graph.results)
        + sum(1 for o in graph.organisations.values() if o.kinds)
        + len(graph.ties)
        + sum(1 for m in graph.roles if m.code in graph.organisations)
        + len(graph.events)
        + sum(len(r.contracts) for r in graph.results)
        + curated
    )


def _grouped(
    store: Neo4jStore, rows: list[tuple[Any, dict[str, Any]]], query: Callable[[Any], str]
) -> None:
    """Rows written one group at a time (a label, a set of labels or a relationship type each), groups in order."""
    by: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for key, row in rows:
        by[key].append(row)
    for key, group in sorted(by.items()):
        store._write(query(key), group)


def write_graph(store: Neo4jStore, graph: MergedGraph) -> None:
    """The load of :meth:`Neo4jStore.load`: staged, then swapped in."""
    for c in cypher.CONSTRAINTS:
        store._run(c)
    with store.driver.session(database=store.database) as session:  # auto-commit, as IN TRANSACTIONS needs
        session.run(cypher.DROP_STAGING).consume()
    store._write(cypher.MERGE_SOURCES, [_source_row(r.source) for r in graph.results])
    orgs = [(tuple(sorted(o.kinds)), _org_row(o)) for o in graph.organisations.values() if o.kinds]
    _grouped(store, orgs, cypher.create_organisations)
    _grouped(store, [(t.kind, _tie_row(t)) for t in graph.ties], cypher.merge_ties)
    store._write(cypher.MERGE_ROLES, [_role_row(m) for m in graph.roles if m.code in graph.organisations])
    _grouped(store, [(e.kind, _event_row(e)) for e in graph.events], cypher.merge_events)
    contracts: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in graph.results:
        paid: dict[str, list[ServicePayment]] = defaultdict(list)
        for p in r.payments:
            paid[p.practice].append(p)
        for fact in r.contracts:
            contracts[CONTRACT_CLASS.get(fact.contract_type)].append(_contract_row(fact, r.source, paid[fact.practice]))
    for contract_kind, rows in sorted(contracts.items(), key=lambda kv: kv[0] or ""):
        store._write(cypher.merge_contracts(contract_kind), rows)
    _write_curated(store, graph)
    store._loading.update(description="switching Neo4j to the new graph")
    with store.driver.session(database=store.database) as session:
        session.execute_write(lambda tx: [tx.run(q).consume() for q in cypher.SWAP])
        session.run(cypher.DROP_RETIRED).consume()  # auto-commit, as IN TRANSACTIONS needs
        session.run(cypher.DROP_ORPHAN_ROLES).consume()


def _write_curated(store: Neo4jStore, graph: MergedGraph) -> None:
    """People and their posts, curated contracts and subcontracts, deliveries, lateral ties."""
    results = graph.results
    iris = CuratedIRIs(results)  # each row its own node, as the RDF has it
    store._write(cypher.MERGE_PEOPLE, [_person_row(p, r.source) for r in results for p in r.people])
    store._write(cypher.MERGE_POSTS, [_post_row(h, r.source, iris) for r in results for h in r.posts])
    agreements = [(a.kind, _agreement_row(a, r.source)) for r in results for a in r.agreements]
    _grouped(store, agreements, lambda kind: cypher.merge_agreements(CONTRACT_LABEL.get(kind, kind)))
    parents = [
        {"iri": agreement_iri(a.contract_id)[1:-1], "parent": agreement_iri(a.parent)[1:-1]}
        for r in results for a in r.agreements if a.parent
    ]
    store._write(cypher.LINK_PARENT_CONTRACTS, parents)
    store._write(cypher.MERGE_DELIVERIES, [_delivery_row(d, r.source, iris) for r in results for d in r.deliveries])
    lateral = [(t.kind, _lateral_tie_row(t, r.source, iris)) for r in results for t in r.lateral_ties]
    _grouped(store, lateral, cypher.merge_lateral_ties)


# -- the rows ---------------------------------------------------------------------------------------


def _source_row(s: Source) -> dict[str, Any]:
    return {"iri": str(source_iri(s.slug)), "props": to_props(s, mapping.SOURCE)}


def _person_row(p: Person, source: Source) -> dict[str, Any]:
    return {"iri": person_iri(p.person_id)[1:-1], "props": {**to_props(p, mapping.PERSON), "source": source.slug}}


def _post_row(h: PostHolding, source: Source, iris: CuratedIRIs) -> dict[str, Any]:
    props = {"postIri": iris.post(h)[1:-1], **to_props(h, mapping.POST_HOLDING), "source": source.slug}
    return {"iri": iris.post_holding(h)[1:-1], "person": h.person_id, "organisation": h.organisation, "props": props}


def _agreement_row(a: Agreement, source: Source) -> dict[str, Any]:
    props = {**to_props(a, mapping.AGREEMENT), "kind": a.kind, "parentId": a.parent, "source": source.slug}
    return {"iri": agreement_iri(a.contract_id)[1:-1], "props": props}


def _delivery_row(d: Delivery, source: Source, iris: CuratedIRIs) -> dict[str, Any]:
    return {
        "iri": iris.delivery(d)[1:-1],
        "provider": d.provider,
        "contract": agreement_iri(d.contract_id)[1:-1],
        "props": {**to_props(d, mapping.DELIVERY), "source": source.slug},
    }


def _lateral_tie_row(t: LateralTie, source: Source, iris: CuratedIRIs) -> dict[str, Any]:
    return {
        "iri": iris.tie(t)[1:-1],
        "tieFrom": t.tie_from,
        "tieTo": t.tie_to,
        "props": {"tieKind": t.kind, **to_props(t, mapping.LATERAL_TIE), "source": source.slug},
    }


def _org_row(o: MergedOrganisation) -> dict[str, Any]:
    return {
        "iri": str(org_iri(o.code)),
        "props": {
            **to_props(o, mapping.ORGANISATION),
            "name": o.name,
            "kinds": sorted(o.kinds),
            # what each file states: aligned lists (Neo4j lists hold no nulls: an absent date is "")
            "stSources": [src.slug for src, _ in o.statements],
            "stLines": [st.line for _, st in o.statements],
            "stNames": [st.name for _, st in o.statements],
            "stStarts": [iso(st.start) for _, st in o.statements],
            "stEnds": [iso(st.end) for _, st in o.statements],
            "stListSizes": [st.list_size if st.list_size is not None else -1 for _, st in o.statements],
            "stCentralFunctions": ["\n".join(st.central_functions) for _, st in o.statements],
            "centralFunctions": sorted(o.central_functions),
            "stExitCosts": ["\n".join(st.exit_costs) for _, st in o.statements],
            "exitCosts": sorted(o.exit_costs),
            "stCitations": ["\n".join(st.citations) for _, st in o.statements],
            "names": [st.name for _, st in o.statements],
            "nameSources": [src.slug for src, _ in o.statements],
            "nameVintages": [src.vintage for src, _ in o.statements],
        },
    }


def _statement_lists(statements: list[Statement]) -> dict[str, list[Any]]:
    return {
        "stSources": [s.source.slug for s in statements],
        "stLines": [s.line for s in statements],
        "stStarts": [iso(s.start) for s in statements],
        "stEnds": [iso(s.end) for s in statements],
        "stObserved": [iso(s.observed) for s in statements],
        "stCitations": ["\n".join(s.citations) for s in statements],
    }


def _resolved_props(fact: MergedTie | MergedRole) -> dict[str, Any]:
    """A resolved tie's or role's period, the files stating it, and what each file states."""
    return {
        "start": fact.start,
        "end": fact.end,
        "sources": sorted({s.source.slug for s in fact.statements}),
        **_statement_lists(fact.statements),
    }


def _tie_row(t: MergedTie) -> dict[str, Any]:
    props = {
        "kind": t.kind,
        "derived": t.derived,
        "endEvidence": t.end_evidence.slug if t.end_evidence else None,
        "endInferred": t.end_inferred or None,
        "startEarliest": t.start_interval[0] if t.start_interval else None,
        "startLatest": t.start_interval[1] if t.start_interval else None,
        "startBasis": t.start_basis,
        **_resolved_props(t),
    }
    return {"iri": tie_iri(t)[1:-1], "member": t.member, "organisation": t.organisation, "props": props}


def _role_row(m: MergedRole) -> dict[str, Any]:
    props = {"rule": m.rule, **_resolved_props(m)}
    return {"iri": role_iri(m)[1:-1], "code": m.code, "role": m.role, "props": props}


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
            **to_props(c, mapping.CONTRACT),
            "source": source.slug,
            # service payments: aligned lists (a payment is identified by contract and service)
            "services": [p.service for p in payments],
            "serviceAmounts": [p.amount for p in payments],
        },
    }
