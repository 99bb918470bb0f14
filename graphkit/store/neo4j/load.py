"""Loading Neo4j: the merged graph flattened into rows (one per source file, organisation, tie, role,
event, contract and curated record; the plain fields by the tables of graphkit/rdf/mapping.py), planned as the
nodes and relationships of the new graph (:func:`plan`), and written in batches of parameterised
``UNWIND ... CREATE`` under staging labels, then swapped in by one transaction (docs/neo4j-store.md)."""

from __future__ import annotations

import dataclasses
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from graphkit.core import contract_kinds
from graphkit.core.model import (
    Agreement,
    ContractFact,
    Delivery,
    LateralTie,
    Organisation,
    Person,
    PostHolding,
    ServicePayment,
    Source,
    joined_note,
)
from graphkit.core.namespaces import fact_iri, org_iri, source_iri
from graphkit.errors import StoreUnavailable
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

# the class of each stated contract type (graphkit.core.contract_kinds); Unknown is the :Contract label alone
CONTRACT_CLASS = {s: k for s, k in contract_kinds.STATED.items() if k != "Contract"}
CONTRACT_LABEL: dict[str, str | None] = {"Contract": None}  # the base class is the :Contract label itself
BATCH = 10_000  # rows per UNWIND, each batch its own transaction
SWITCH_INTERVAL = 0.0005  # s; while a load's sender runs (Python's default, 5 ms, keeps it waiting at every read)
#: Node batches written at once. New nodes lock nothing another write needs, and the server takes a second core;
#: the relationships are written one batch at a time (two batches locking the same nodes could deadlock).
NODE_WRITERS = 2


def batches(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


Ref = tuple[str, str]  # a node of the new graph: (its live base label, its key: IRI, or code for organisations)


class Plan:
    """The new graph as Neo4j will hold it, built in Python before anything is written: every node once (keyed as the
    earlier MERGE writes keyed it: organisations by code, the rest by IRI; a node stated twice gets both rows'
    properties, the later winning, and both rows' labels) and every relationship once (by type, ends and IRI),
    without the relationships whose end is not in the graph. The load then only CREATEs."""

    def __init__(self) -> None:
        self.nodes: dict[Ref, tuple[set[str], dict[str, Any]]] = {}
        self.rels: dict[tuple[str, Ref, Ref, str | None], dict[str, Any]] = {}
        self.roles: dict[str, None] = {}  # the OdsRole nodes (shared by every graph: merged, not staged)
        self.closed: set[str] = set()  # base labels fully planned (their writes may have begun): no more such nodes

    def node(self, base: str, key: str, props: dict[str, Any], *labels: str) -> None:
        if base in self.closed:
            raise RuntimeError(f"a {base} node planned after all of them were: {key}")
        found = self.nodes.get((base, key))
        if found is None:
            self.nodes[(base, key)] = ({*labels}, dict(props))
        else:
            found[0].update(labels)
            found[1].update(props)

    def rel(self, rel_type: str, a: Ref, b: Ref, props: dict[str, Any] | None = None) -> None:
        if a not in self.nodes or (b not in self.nodes and b[0] != "OdsRole"):
            return  # the earlier MATCH found no such node, so wrote no relationship
        key = (rel_type, a, b, (props or {}).get("iri"))
        self.rels.setdefault(key, {}).update(props or {})

    def node_groups(self, bases: Iterable[str] | None = None) -> dict[tuple[str, ...], list[Ref]]:
        """The nodes by their labels (the staging label first), in a stable order; only those of ``bases`` when
        given."""
        wanted = None if bases is None else set(bases)
        groups: dict[tuple[str, ...], list[Ref]] = defaultdict(list)
        for ref, (labels, _) in self.nodes.items():
            if wanted is None or ref[0] in wanted:
                groups[(cypher.STAGING[ref[0]], *sorted(labels))].append(ref)
        return dict(sorted(groups.items()))

    def rel_groups(self) -> dict[str, list[tuple[Ref, Ref, dict[str, Any]]]]:
        groups: dict[str, list[tuple[Ref, Ref, dict[str, Any]]]] = defaultdict(list)
        for (rel_type, a, b, _), props in self.rels.items():
            groups[rel_type].append((a, b, props))
        return dict(sorted(groups.items()))

    def rows(self) -> int:
        return len(self.nodes) + len(self.rels)


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """The properties a node or relationship keeps (SET with a null value stores nothing)."""
    return {k: v for k, v in props.items() if v is not None}


def plan(graph: MergedGraph) -> Plan:
    """The nodes and relationships a load writes (the same graph as the MERGE writes of earlier versions gave)."""
    out = Plan()
    _plan_sources_and_organisations(out, graph)
    _plan_the_rest(out, graph)
    return out


#: The nodes :func:`_plan_sources_and_organisations` plans, all of them: their writes may begin before the rest of
#: the graph is planned, as :func:`write_graph` does (Plan.node refuses them afterwards).
FIRST_BASES = frozenset({"SourceDocument", cypher.ORG_LABEL})


def _plan_sources_and_organisations(out: Plan, graph: MergedGraph) -> None:
    """The source files' and the organisations' nodes (nothing else plans these: :data:`FIRST_BASES`). They need
    neither the service payments nor any other node."""
    org = cypher.ORG_LABEL
    for r in graph.results:
        row = _source_row(r.source)
        out.node("SourceDocument", row["iri"], {"iri": row["iri"], **row["props"]})
    for o in graph.organisations.values():
        if o.kinds:
            row = _org_row(o)
            props = {"iri": row["iri"], **row["props"]}
            out.node(org, props["odsCode"], props, *(cypher.label(k) for k in sorted(o.kinds)))
    out.closed.update(FIRST_BASES)


def _plan_the_rest(out: Plan, graph: MergedGraph) -> None:
    """Everything but the nodes of :func:`_plan_sources_and_organisations`: the ties, roles, events, contracts (with
    their service payments) and the curated records."""
    org = cypher.ORG_LABEL
    terms = membership_terms(graph)
    for t in sorted(graph.ties, key=lambda t: t.kind):  # in the order the kinds were written
        row = _tie_row(t)
        stated = terms.get((t.kind, t.member, t.organisation, t.start))
        out.rel(cypher.rel_type(t.kind), (org, row["member"]), (org, row["organisation"]),
                {"iri": row["iri"], **row["props"], **(stated or {})})
    for m in graph.roles:
        if m.code in graph.organisations and (org, m.code) in out.nodes:
            row = _role_row(m)
            out.roles.setdefault(row["role"])
            out.rel("HOLDS_ROLE", (org, row["code"]), ("OdsRole", row["role"]), {"iri": row["iri"], **row["props"]})
    original, resulting = cypher.W3C_ORG_RELS["originalOrganization"], cypher.W3C_ORG_RELS["resultingOrganization"]
    for e in sorted(graph.events, key=lambda e: e.kind):
        row = _event_row(e)
        out.node("ChangeEvent", row["iri"], {"iri": row["iri"], **row["props"]}, cypher.label(e.kind))
        event = ("ChangeEvent", row["iri"])
        out.rel(resulting, event, (org, row["result"]))
        for code in row["originals"]:
            out.rel(original, event, (org, code))
    contracts: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in graph.results:
        paid: dict[str, list[ServicePayment]] = defaultdict(list)
        for p in r.payments:
            paid[p.practice].append(p)
        for fact in r.contracts:
            contracts[CONTRACT_CLASS.get(fact.contract_type)].append(_contract_row(fact, r.source, paid[fact.practice]))
    for contract_kind, rows in sorted(contracts.items(), key=lambda kv: kv[0] or ""):
        for row in rows:
            _contract(out, row, contract_kind)
    _plan_curated(out, graph)


def membership_terms(graph: MergedGraph) -> dict[tuple[str, str, str, Any], dict[str, Any]]:
    """What curated membership rows say beyond the resolved tie (a note, a tier, an exit reason: ontology 2.4.0), as
    the properties of the tie's relationship, by (kind, member, organisation, start); two rows' notes joined, as in
    RDF (graphkit/rdf/emit_curated.py ``emit_membership_terms``)."""
    out: dict[tuple[str, str, str, Any], dict[str, Any]] = {}
    for r in graph.results:
        for rel in r.relations:
            if not (rel.note or rel.tier or rel.exit_reason):
                continue
            props = out.setdefault((rel.kind, rel.member, rel.organisation, rel.start), {})
            for key, value in to_props(rel, mapping.MEMBERSHIP_TERMS).items():
                if key == "note":
                    value = joined_note(props.get("note"), value)
                if value is not None:
                    props[key] = value
    return out


def _contract(out: Plan, row: dict[str, Any], kind: str | None) -> None:
    """A contract (of the payments or curated) with its holder and commissioner, by code."""
    org = cypher.ORG_LABEL
    out.node("Contract", row["iri"], {"iri": row["iri"], **row["props"]}, *([cypher.label(kind)] if kind else []))
    contract = ("Contract", row["iri"])
    out.rel(cypher.rel_type("contractHolder"), contract, (org, row["props"].get("holderCode")))
    out.rel(cypher.rel_type("commissioner"), contract, (org, row["props"].get("commissionerCode")))


def _plan_curated(out: Plan, graph: MergedGraph) -> None:
    """People and their posts, curated contracts and subcontracts, deliveries, lateral ties."""
    org = cypher.ORG_LABEL
    results = graph.results
    iris = CuratedIRIs(results)  # each row its own node, as the RDF has it
    people: dict[Any, str] = {}  # personId -> the person's node (posts find people by their id)
    for r in results:
        for p in r.people:
            row = _person_row(p, r.source)
            out.node("Person", row["iri"], {"iri": row["iri"], **row["props"]})
    for (base, key), (_, props) in out.nodes.items():
        if base == "Person":
            people.setdefault(props.get("personId"), key)
    for r in results:
        for h in r.posts:
            row = _post_row(h, r.source, iris)
            if row["person"] in people:
                out.rel("HOLDS_POST", ("Person", people[row["person"]]), (org, row["organisation"]),
                        {"iri": row["iri"], **row["props"]})
    agreements = sorted(((a.kind, _agreement_row(a, r.source)) for r in results for a in r.agreements),
                        key=lambda kv: kv[0])
    for kind, row in agreements:
        _contract(out, row, CONTRACT_LABEL.get(kind, kind))
    for r in results:
        for a in r.agreements:
            if a.parent:
                out.rel(cypher.rel_type("parentContract"), ("Contract", agreement_iri(a.contract_id)[1:-1]),
                        ("Contract", agreement_iri(a.parent)[1:-1]))
    for r in results:
        for d in r.deliveries:
            row = _delivery_row(d, r.source, iris)
            out.rel(cypher.rel_type("deliversUnder"), (org, row["provider"]), ("Contract", row["contract"]),
                    {"iri": row["iri"], **row["props"]})
    lateral = sorted(((t.kind, _lateral_tie_row(t, r.source, iris)) for r in results for t in r.lateral_ties),
                     key=lambda kv: kv[0])
    for kind, row in lateral:
        out.rel(cypher.rel_type(kind), (org, row["tieFrom"]), (org, row["tieTo"]), {"iri": row["iri"], **row["props"]})


def rows_to_load(graph: MergedGraph) -> int:
    """The rows :meth:`Neo4jStore.load` writes (its progress total): one per node and one per relationship of the
    new graph (tests/core/test_progress.py checks it against a load)."""
    return plan(graph).rows()


def write_graph(store: Neo4jStore, graph: MergedGraph, *, complete: Callable[[], None] | None = None,
                planned: Callable[[Plan], None] | None = None) -> None:
    """The load of :meth:`Neo4jStore.load`: what an interrupted load left removed (:func:`_prepare`), the new graph
    CREATEd under staging labels (no index on them: the relationships find their ends by the element ids the nodes'
    writes returned), swapped in by one transaction of label changes, then the previous graph deleted and the live
    constraints and indexes made sure of.

    The batches are sent by other threads (:class:`_Sender`: in order, the nodes' two at a time) while this one plans
    what comes next: the source files' and the organisations' nodes are planned first and their writes begin (a third
    of the server's work); meanwhile ``complete`` (when given: the service payments read again from their files,
    graphkit/store/records.py) and the rest of the graph are planned, and each relationship type's rows are made
    while the one before is written.
    ``planned`` is told the whole plan once it is made (the load's progress total)."""
    with _Sender(store) as send:
        prepared = send.call(_prepare, store)  # on the sender, while the organisations are planned
        new = Plan()
        _plan_sources_and_organisations(new, graph)
        first = _send_nodes(send, new, new.node_groups(FIRST_BASES))
        if complete is not None:
            complete()
        _plan_the_rest(new, graph)
        if planned is not None:
            planned(new)
        rest = _send_nodes(send, new, new.node_groups({base for base, _ in new.nodes} - FIRST_BASES))
        roles = send.run(cypher.MERGE_ROLE_NODES, codes=list(new.roles)) if new.roles else None
        ids: dict[Ref, str] = {}
        for refs_of, made_of in (first, rest):
            for refs, records in zip(refs_of, made_of.result(), strict=True):
                for rec in records:
                    for i, node in rec["made"]:
                        ids[refs[i]] = node
        for rec in roles.result() if roles is not None else ():
            ids[("OdsRole", rec["code"])] = rec["id"]
        sent: list[tuple[str, int, Future[list[Any]]]] = []
        for rel_type, rels in new.rel_groups().items():  # each type's rows made while the one before is written
            rows = [{"a": ids[a], "b": ids[b], "props": _present(props)} for a, b, props in rels]
            sent.append((rel_type, len(rows), send.write(cypher.create_rels(rel_type), rows)))
        missing = prepared.result()
        for rel_type, count, written in sent:
            made = sum(rec["n"] for rec in written.result())
            if made != count:  # an end node gone (another load cleared the staging area): never swap in a part
                raise StoreUnavailable(
                    f"{count - made} of {count} {rel_type} relationships found no end node: another load may have "
                    "cleared the staging area meanwhile; the previous graph is still the one served, load again",
                    details={"relationship": rel_type})
    store._loading.update(description="switching Neo4j to the new graph")
    with store.driver.session(database=store.database) as session:
        session.execute_write(lambda tx: [tx.run(q).consume() for q in cypher.SWAP])
        session.run(cypher.DROP_RETIRED).consume()  # auto-commit, as IN TRANSACTIONS needs
        session.run(cypher.DROP_ORPHAN_ROLES).consume()
    for c in missing:  # after the data: built once over the loaded graph
        store._run(c)
    if missing:
        store._run("CALL db.awaitIndexes(300)")


def _prepare(store: Neo4jStore) -> list[str]:
    """Before the new graph is written: the constraints an earlier version put on the staging labels dropped and the
    nodes an interrupted load left removed; returns the live constraints and indexes that are missing (a first
    load), which are created after the swap, built once over the loaded graph (faster than the swap filling them)."""
    existing = {r["name"] for q in ("CONSTRAINTS", "INDEXES") for r in store._run(f"SHOW {q} YIELD name RETURN name")}
    for name in cypher.STAGING_CONSTRAINTS:  # an earlier version indexed the staging labels: upkeep for nothing
        if name in existing:
            store._run(f"DROP CONSTRAINT {name} IF EXISTS")
    with store.driver.session(database=store.database) as session:  # auto-commit, as IN TRANSACTIONS needs
        session.run(cypher.DROP_STAGING).consume()
    return [c for c in cypher.CONSTRAINTS if c.split()[2] not in existing]


class _Sender:
    """The threads sending a load's statements, in the order given, while the caller goes on (the driver waits on
    the server without holding the interpreter): one dispatcher takes each statement in turn; a set of node writes
    (:meth:`write_apart`) is spread over :data:`NODE_WRITERS` threads, and what comes after it waits for all of it.
    Once a statement fails, none is sent after it (each raises the first failure; a batch already on its way when
    another fails still runs). Leaving the block waits for what was sent; leaving it by an error cancels what was
    not yet sent."""

    def __init__(self, store: Neo4jStore) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neo4j-load")
        self._writers = ThreadPoolExecutor(max_workers=NODE_WRITERS, thread_name_prefix="neo4j-load-nodes")
        self._failed: BaseException | None = None

    def _send(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self._failed is not None:
            raise self._failed
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:
            if self._failed is None:
                self._failed = exc
            raise

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        return self._pool.submit(self._send, fn, args, kwargs)

    def write(self, query: str, rows: list[dict[str, Any]]) -> Future[list[Any]]:
        """``rows`` written in batches (:meth:`Neo4jStore._write`); the future of what the query returned."""
        return self.call(self._store._write, query, rows)

    def write_apart(self, writes: list[tuple[str, list[dict[str, Any]]]]) -> Future[list[list[Any]]]:
        """Writes none of which needs another (new nodes), their batches sent :data:`NODE_WRITERS` at a time; the
        future of what each write returned, in the order given."""
        return self.call(self._spread, writes)

    def _spread(self, writes: list[tuple[str, list[dict[str, Any]]]]) -> list[list[Any]]:
        jobs = [(w, self._writers.submit(self._send, self._store._write, (query, batch), {}))
                for w, (query, rows) in enumerate(writes) for batch in batches(rows)]
        out: list[list[Any]] = [[] for _ in writes]
        failure: BaseException | None = None
        for w, job in jobs:  # every batch waited for (none left running on return), the first failure raised
            try:
                out[w].extend(job.result())
            except BaseException as exc:
                failure = failure or exc
        if failure is not None:  # the statement that failed first (a batch cancelled by it raised CancelledError)
            raise self._failed or failure
        return out

    def run(self, query: str, **params: Any) -> Future[list[Any]]:
        return self.call(self._store._run, query, **params)

    def __enter__(self) -> _Sender:
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            self._pool.shutdown(wait=True, cancel_futures=kind is not None)
            self._writers.shutdown(wait=True, cancel_futures=kind is not None)
        finally:
            sys.setswitchinterval(self._interval)


def _send_nodes(send: _Sender, new: Plan, groups: dict[tuple[str, ...], list[Ref]]
                ) -> tuple[list[list[Ref]], Future[list[list[Any]]]]:
    """Each group's nodes sent (:meth:`_Sender.write_apart`); with them, each group's refs (a written row returns
    its number in them and its element id)."""
    writes = [(cypher.create_nodes(labels), [{"i": i, "props": _present(new.nodes[ref][1])}
                                             for i, ref in enumerate(refs)]) for labels, refs in groups.items()]
    return list(groups.values()), send.write_apart(writes)


# -- the rows ---------------------------------------------------------------------------------------


def _source_row(s: Source) -> dict[str, Any]:
    return {"iri": str(source_iri(s.slug)), "props": to_props(s, mapping.SOURCE)}


def _person_row(p: Person, source: Source) -> dict[str, Any]:
    return {"iri": person_iri(p.person_id)[1:-1], "props": {**to_props(p, mapping.PERSON), "source": source.slug}}


def _post_row(h: PostHolding, source: Source, iris: CuratedIRIs) -> dict[str, Any]:
    props = {"postIri": iris.post(h)[1:-1], **to_props(h, mapping.POST_HOLDING), "source": source.slug}
    return {"iri": iris.post_holding(h)[1:-1], "person": h.person_id, "organisation": h.organisation, "props": props}


def _agreement_row(a: Agreement, source: Source) -> dict[str, Any]:
    props = {**to_props(a, mapping.AGREEMENT), "kind": a.kind, "parentId": a.parent, "succeedsId": a.succeeds,
             "source": source.slug}
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
    stated = _org_statements(o)
    return {
        "iri": str(org_iri(o.code)),
        "props": {
            **to_props(o, mapping.ORGANISATION),
            "name": o.name,
            "kinds": sorted(o.kinds),
            # what each file states: aligned lists (Neo4j lists hold no nulls: an absent date is "")
            "stSources": [src.slug for src, _ in stated],
            "stLines": [st.line for _, st in stated],
            "stNames": [st.name for _, st in stated],
            "stStarts": [iso(st.start) for _, st in stated],
            "stEnds": [iso(st.end) for _, st in stated],
            "stListSizes": [st.list_size if st.list_size is not None else -1 for _, st in stated],
            "stCentralFunctions": ["\n".join(st.central_functions) for _, st in stated],
            "centralFunctions": sorted(o.central_functions),
            "stExitCosts": ["\n".join(st.exit_costs) for _, st in stated],
            "exitCosts": sorted(o.exit_costs),
            "stFootprintBases": [st.footprint_basis or "" for _, st in stated],
            "stCitations": ["\n".join(st.citations) for _, st in stated],
            "names": [st.name for _, st in stated],
            "nameSources": [src.slug for src, _ in stated],
            "nameVintages": [src.vintage for src, _ in stated],
        },
    }


def _org_statements(o: MergedOrganisation) -> list[tuple[Source, Organisation]]:
    """An organisation's statements as the quads hold them, in one order: a file's citations, central functions and
    exit costs are on the organisation in the file's graph, not on each of its rows (so every row of a file gets
    them all, sorted), and the rows come by vintage, file and line. The records of a build and those read back
    from its quads then plan the same nodes (tests/store/test_kept_records.py)."""
    statements = o.statements
    if len({src.slug for src, _ in statements}) < len(statements):  # a file with two rows of it: their union
        per_file: dict[str, tuple[set[str], set[str], set[str]]] = defaultdict(lambda: (set(), set(), set()))
        for src, st in statements:
            citations, functions, exits = per_file[src.slug]
            citations.update(st.citations)
            functions.update(st.central_functions)
            exits.update(st.exit_costs)
        statements = [(src, dataclasses.replace(st, citations=tuple(sorted(per_file[src.slug][0])),
                                                central_functions=tuple(sorted(per_file[src.slug][1])),
                                                exit_costs=tuple(sorted(per_file[src.slug][2]))))
                      for src, st in statements]
    else:  # most organisations: one row a file, most with nothing of these to sort
        statements = [(src, st) if _in_order(st) else
                      (src, dataclasses.replace(st, citations=tuple(sorted(st.citations)),
                                                central_functions=tuple(sorted(st.central_functions)),
                                                exit_costs=tuple(sorted(st.exit_costs))))
                      for src, st in statements]
    if len(statements) < 2:
        return statements
    return sorted(statements, key=lambda s: (s[0].vintage, s[0].slug, s[1].line, s[1].name or "", iso(s[1].start),
                                             iso(s[1].end), -1 if s[1].list_size is None else s[1].list_size,
                                             s[1].footprint_basis or ""))


def _in_order(st: Organisation) -> bool:
    return all(len(x) < 2 or list(x) == sorted(x) for x in (st.citations, st.central_functions, st.exit_costs))


def _statement_lists(statements: list[Statement]) -> dict[str, list[Any]]:
    """What each file states of a tie or role: aligned lists, by vintage, file and line (one order, whichever way
    the records came: a build's or read back from the quads), each statement's citations sorted."""
    ordered = sorted(statements, key=lambda s: (s.source.vintage, s.source.slug, s.line, iso(s.observed),
                                                iso(s.start), iso(s.end), tuple(sorted(s.citations))))
    return {
        "stSources": [s.source.slug for s in ordered],
        "stLines": [s.line for s in ordered],
        "stStarts": [iso(s.start) for s in ordered],
        "stEnds": [iso(s.end) for s in ordered],
        "stObserved": [iso(s.observed) for s in ordered],
        "stCitations": ["\n".join(sorted(s.citations)) for s in ordered],
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
            "derivationRule": EVENT_RULE,
            "sources": [s.slug for s in e.sources],
        },
    }


def _contract_row(c: ContractFact, source: Source, payments: list[ServicePayment]) -> dict[str, Any]:
    paid = sorted(payments, key=lambda p: (p.service, p.amount))  # one order, as the quads hold no order
    return {
        "iri": contract_iri(c)[1:-1],
        "props": {
            **to_props(c, mapping.CONTRACT),
            "source": source.slug,
            # service payments: aligned lists (a payment is identified by contract and service)
            "services": [p.service for p in paid],
            "serviceAmounts": [p.amount for p in paid],
        },
    }
