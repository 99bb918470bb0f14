"""Benchmark: load the national graph into Neo4j three ways, side by side in one run, into one fresh server.

(a) ours, end to end: what ``graphkit load neo4j`` does (graphkit/store/records.py ``load_neo4j``): the merged-graph
    records of the embedded store, from the state its build kept, then ``Neo4jStore(driver).load(graph, complete=
    ...)``: the organisations planned and their writes begun, then, while they are written, the service payments
    read again from their files and the rest planned; everything CREATEd under staging labels in batches sent by
    the load's sender threads (node batches two at a time), swapped in by one transaction of label changes (all or
    nothing). Timed from the store's path to the swapped-in graph with its constraints and indexes.
(b) raw baseline: the very same nodes and relationships (labels, properties, relationship types and
    counts), flattened in Python beforehand with the row helpers of ``graphkit.store.neo4j`` (not
    timed), written with plain ``UNWIND $rows AS row CREATE (n:Label) SET n = row.props`` and
    ``MATCH (a ...) MATCH (b ...) CREATE (a)-[r:TYPE]->(b) SET r = row.props`` in batches of the same
    size, with only the uniqueness constraints that those MATCH lookups need: no staging, no swap.
    Its node, relationship and property counts (and labels and types) must equal those of (a), or the run fails.
(c) rdflib-neo4j 1.1 (Neo4j Labs' rdflib store): the triples of the embedded store (every named graph
    but the ontology's, flattened: rdflib-neo4j has no named graphs), pre-converted to rdflib terms (not timed).

(a') the read of (a) the other way, when there is no kept state: the records read back from the quads
    (``graphkit.rdf.read.read_dataset``), timed alone (the load of the same records is (a)'s).

(a) and (b) run ``repeat`` times, alternating, and their medians are compared; (c) runs once unless asked
(``--rdflib-repeat``). The database is emptied (nodes, constraints, indexes) between the methods. Run:

    .venv/bin/python benchmarks/neo4j_load.py [--store build/store] [--repeat 3] [--rdflib-limit N|all]
    .venv/bin/python benchmarks/neo4j_load.py --files seeds/ods/eccg_2025-12.csv seeds/ods/etr_2025-12.csv

``measure(repeat, **options)`` gives the same as a :class:`benchmarks.common.Section` (benchmarks/common.py).
Without ``--store`` or ``--files`` the embedded store is built from seeds/ first (about 2 minutes).
Needs Java 17 and Maven (the project's own Neo4j, ``graphkit.store.neo4j_runtime``) and ``pip install -e '.[bench]'``
(rdflib-neo4j).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from benchmarks.common import Figure, Section, at_least, at_most, print_section  # noqa: E402
from graphkit.core.gcpause import collector_paused  # noqa: E402
from graphkit.core.namespaces import PREFIXES, source_iri  # noqa: E402
from graphkit.ingest.merge import MergedGraph  # noqa: E402
from graphkit.rdf.emit import ONTOLOGY_GRAPH  # noqa: E402
from graphkit.rdf.read import read_dataset  # noqa: E402
from graphkit.store import cypher, neo4j_runtime  # noqa: E402
from graphkit.store.build import InputFile, build, build_seeds  # noqa: E402
from graphkit.store.neo4j import (  # noqa: E402
    BATCH,
    CONTRACT_CLASS,
    Neo4jStore,
    _contract_row,
    _event_row,
    _org_row,
    _role_row,
    _tie_row,
)
from graphkit.store.records import KEPT, embedded_graph, kept_records  # noqa: E402

DATABASE = "neo4j"
CURATED = ("people", "posts", "agreements", "deliveries", "lateral_ties")  # case studies: not in (b)
HEAP_MB = 2048
PAGECACHE_MB = 512
# rdflib-neo4j loads every triple by default: a first run on the full seeds loaded a 300,000-triple
# sample at about 25,000 triples/s, so all 2.6 M take about 2 minutes and the whole benchmark about
# 15 minutes (25 with the store build) on the 2-core machine. ``--rdflib-limit N`` samples instead.
RDFLIB_DEFAULT_LIMIT: int | None = None
RDFLIB_BATCH = 5000  # rdflib-neo4j's own default batch size


# -- (b): the same graph as plain rows --------------------------------------------------------------
@dataclass
class NodeGroup:
    """Nodes with the same labels; ``rows`` are their property maps (``None`` values are not stored)."""

    labels: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RelGroup:
    """Relationships of one type between two kinds of node, each found by one key property."""

    rel_type: str
    start: tuple[str, str]  # (label, key property)
    end: tuple[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"a": key, "b": key, "props": {...}}


@dataclass
class RawGraph:
    nodes: list[NodeGroup]
    rels: list[RelGroup]


class _Nodes:
    """Nodes keyed by IRI (or code), merged as repeated MERGE ... SET += would merge them."""

    def __init__(self) -> None:
        self.labels: dict[str, set[str]] = {}
        self.props: dict[str, dict[str, Any]] = {}

    def add(self, key: str, labels: set[str], props: dict[str, Any]) -> None:
        self.labels.setdefault(key, set()).update(labels)
        self.props.setdefault(key, {}).update(props)

    def groups(self) -> list[NodeGroup]:
        by_labels: dict[tuple[str, ...], NodeGroup] = {}
        for key, labels in self.labels.items():
            combo = tuple(sorted(labels))
            group = by_labels.setdefault(combo, NodeGroup(combo))
            group.rows.append({k: v for k, v in self.props[key].items() if v is not None})
        return list(by_labels.values())


def flatten(graph: MergedGraph) -> RawGraph:
    """The nodes and relationships that ``Neo4jStore.load`` writes, as plain rows: built with the same
    row helpers, deduplicated by the keys its MERGEs use, and without the rows whose MATCH would find
    nothing (so that the counts are those of (a))."""
    curated = [k for k in CURATED if any(getattr(r, k, None) for r in graph.results)]
    if curated:
        raise SystemExit(
            f"(b) mirrors the mapping of the national files only; this graph also has {', '.join(curated)}"
        )
    org_label = cypher.ORG_LABEL
    sources = _Nodes()
    for r in graph.results:
        s = r.source
        sources.add(
            str(source_iri(s.slug)),
            {"SourceDocument"},
            {
                "iri": str(source_iri(s.slug)),
                "slug": s.slug,
                "fileName": s.file_name,
                "sourceKind": s.kind,
                "vintage": s.vintage,
                "sha256": s.sha256,
                "publisher": s.publisher,
                "license": s.licence,
                "title": s.title,
            },
        )
    orgs = _Nodes()
    for o in graph.organisations.values():
        if not o.kinds:  # Neo4jStore writes an organisation once per class it has had
            continue
        row = _org_row(o)
        orgs.add(row["iri"], {org_label, *(cypher.label(k) for k in o.kinds)}, {"iri": row["iri"], **row["props"]})
    codes = {p["odsCode"] for p in orgs.props.values()}

    rels: dict[tuple[str, str, str], dict[tuple[Any, ...], dict[str, Any]]] = defaultdict(dict)

    def rel(rel_type: str, start: str, end: str, key: tuple[Any, ...], a: str, b: str, props: dict[str, Any]) -> None:
        row = rels[(rel_type, start, end)].setdefault(key, {"a": a, "b": b, "props": {}})
        row["props"].update(props)

    for t in graph.ties:
        row = _tie_row(t)
        if row["member"] in codes and row["organisation"] in codes:
            a, b, props = row["member"], row["organisation"], {"iri": row["iri"], **row["props"]}
            rel(cypher.rel_type(t.kind), org_label, org_label, (a, row["iri"], b), a, b, props)
    roles = _Nodes()
    for m in graph.roles:
        if m.code not in graph.organisations or m.code not in codes:
            continue
        row = _role_row(m)
        roles.add(row["role"], {"OdsRole"}, {"code": row["role"]})
        rel("HOLDS_ROLE", org_label, "OdsRole", (row["code"], row["iri"], row["role"]), row["code"], row["role"],
            {"iri": row["iri"], **row["props"]})  # fmt: skip
    events = _Nodes()
    for e in sorted(graph.events, key=lambda e: e.kind):
        row = _event_row(e)
        events.add(row["iri"], {"ChangeEvent", cypher.label(e.kind)}, {"iri": row["iri"], **row["props"]})
        resulting, original = cypher.W3C_ORG_RELS["resultingOrganization"], cypher.W3C_ORG_RELS["originalOrganization"]
        if row["result"] in codes:
            rel(resulting, "ChangeEvent", org_label, (row["iri"], row["result"]), row["iri"], row["result"], {})
        for code in row["originals"]:
            if code in codes:
                rel(original, "ChangeEvent", org_label, (row["iri"], code), row["iri"], code, {})
    contracts = _Nodes()
    by_class: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in graph.results:
        paid: dict[str, list[Any]] = defaultdict(list)
        for p in r.payments:
            paid[p.practice].append(p)
        for fact in r.contracts:
            by_class[CONTRACT_CLASS.get(fact.contract_type)].append(_contract_row(fact, r.source, paid[fact.practice]))
    holder, commissioner = cypher.rel_type("contractHolder"), cypher.rel_type("commissioner")
    for kind, rows in sorted(by_class.items(), key=lambda kv: kv[0] or ""):
        for row in rows:
            iri, props = row["iri"], row["props"]
            contracts.add(iri, {"Contract", *([cypher.label(kind)] if kind else [])}, {"iri": iri, **props})
            if props["holderCode"] in codes:
                rel(holder, "Contract", org_label, (iri, props["holderCode"]), iri, props["holderCode"], {})
            if props["commissionerCode"] in codes:
                rel(commissioner, "Contract", org_label, (iri, props["commissionerCode"]), iri,
                    props["commissionerCode"], {})  # fmt: skip
    keys = {org_label: "odsCode", "OdsRole": "code", "ChangeEvent": "iri", "Contract": "iri"}
    return RawGraph(
        nodes=[*sources.groups(), *orgs.groups(), *roles.groups(), *events.groups(), *contracts.groups()],
        rels=[
            RelGroup(rtype, (start, keys[start]), (end, keys[end]), list(rows.values()))
            for (rtype, start, end), rows in rels.items()
        ],
    )


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain label or type: {name!r}")
    return f"`{name}`"


def raw_statements(raw: RawGraph) -> tuple[list[str], list[tuple[str, str, list[dict[str, Any]]]]]:
    """The schema statements (uniqueness on every key a MATCH looks up) and the writes, as
    (step name, statement, rows) in the order they run: all nodes, then all relationships."""
    looked_up = sorted({end for g in raw.rels for end in (g.start, g.end)})
    schema = [
        f"CREATE CONSTRAINT raw_{lab.lower()}_{key.lower()} IF NOT EXISTS "
        f"FOR (n:{_ident(lab)}) REQUIRE n.{key} IS UNIQUE"
        for lab, key in looked_up
    ]
    writes: list[tuple[str, str, list[dict[str, Any]]]] = []
    for g in raw.nodes:
        base = next((x for x in _MAIN_LABELS if x in g.labels), g.labels[0])
        labels = ":".join(_ident(x) for x in g.labels)
        rows = [{"props": props} for props in g.rows]
        writes.append((f"nodes {base}", f"UNWIND $rows AS row CREATE (n:{labels}) SET n = row.props", rows))
    for r in raw.rels:
        (la, ka), (lb, kb) = r.start, r.end
        query = (
            f"UNWIND $rows AS row MATCH (a:{_ident(la)} {{{ka}: row.a}}) MATCH (b:{_ident(lb)} {{{kb}: row.b}}) "
            f"CREATE (a)-[r:{_ident(r.rel_type)}]->(b) SET r = row.props"
        )
        writes.append((f"rel {r.rel_type}", query, r.rows))
    return schema, writes


_MAIN_LABELS = (cypher.ORG_LABEL, "Contract", "ChangeEvent", "SourceDocument", "OdsRole")


def batches(rows: list[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def load_raw(driver: Any, raw: RawGraph) -> dict[str, float]:
    """(b): constraints, then every node group, then every relationship group. Returns seconds per step."""
    schema, writes = raw_statements(raw)
    times: dict[str, float] = defaultdict(float)
    t = time.perf_counter()
    for q in schema:
        driver.execute_query(q, database_=DATABASE)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=DATABASE)
    times["constraints"] = time.perf_counter() - t
    for step, query, rows in writes:
        t = time.perf_counter()
        for batch in batches(rows):
            driver.execute_query(query, parameters_={"rows": batch}, database_=DATABASE)
        times[step] += time.perf_counter() - t
    return dict(times)


# -- (a): our loader, with its statements timed ------------------------------------------------------
class _TimedSessions:
    """The driver, with each ``session()`` block timed under the next of ``names`` (Neo4jStore.load opens
    one to remove leftover staging nodes, then one for the swap); everything else passes through."""

    def __init__(self, driver: Any, times: dict[str, float], names: list[str]) -> None:
        self._driver, self._times, self._names = driver, times, list(names)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)

    @contextlib.contextmanager
    def session(self, **kwargs: Any) -> Iterator[Any]:
        name = self._names.pop(0) if self._names else "other sessions"
        t = time.perf_counter()
        with self._driver.session(**kwargs) as session:
            yield session
        self._times[name] += time.perf_counter() - t


class TimedNeo4jStore(Neo4jStore):
    """Neo4jStore whose statements are timed by kind (the load itself is unchanged): what is left of the
    whole load's time is planning the graph in Python. Node writes run two at a time (load.py ``NODE_WRITERS``): a
    step's time is the wall-clock time during which at least one of its statements ran (:meth:`steps`)."""

    def __init__(self, driver: Any) -> None:
        self.times: dict[str, float] = defaultdict(float)
        self._spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self._lock = threading.Lock()
        super().__init__(
            _TimedSessions(driver, self.times, ["drop leftover staging", "the swap (and dropping the previous graph)"]),
            DATABASE,
        )

    def steps(self) -> dict[str, float]:
        """Seconds per step: the sessions' and the schema's as timed, each kind of write's spans merged."""
        out = dict(self.times)
        for step, spans in self._spans.items():
            total, end = 0.0, float("-inf")
            for a, b in sorted(spans):
                if b > end:
                    total += b - max(a, end)
                    end = b
            out[step] = out.get(step, 0.0) + total
        return out

    def _run(self, query: str, **params: Any) -> list[Any]:
        t = time.perf_counter()
        try:
            return super()._run(query, **params)
        finally:
            with self._lock:
                self.times["OdsRole nodes" if "OdsRole" in query and "MERGE" in query else "schema"] += (
                    time.perf_counter() - t
                )

    def _write(self, query: str, rows: list[dict[str, Any]]) -> list[Any]:
        t = time.perf_counter()
        out = super()._write(query, rows)
        text = " ".join(query.split())
        if "CREATE (a)-[r:" in text:
            step = "rel " + text.split("CREATE (a)-[r:", 1)[1].split("]", 1)[0]
        else:
            labels = text.split("CREATE (n:", 1)[1].split(")", 1)[0].split(":")
            step = "nodes " + labels[0].removeprefix("Staging")
        with self._lock:
            self._spans[step].append((t, time.perf_counter()))
        return out


# -- (c): rdflib-neo4j -------------------------------------------------------------------------------
def rdflib_triples(store: ox.Store) -> tuple[list[tuple[Any, Any, Any]], int]:
    """The distinct triples of every graph but the ontology's, grouped by subject (each subject's
    triples in a row, which is how rdflib-neo4j batches a node best), as rdflib terms. Also returns
    the number of quads they came from."""
    from rdflib import BNode, Literal, URIRef

    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    by_subject: dict[Any, dict[tuple[Any, Any], None]] = {}
    quads = 0
    for q in store.quads_for_pattern(None, None, None, None):
        if q.graph_name == ontology:
            continue
        quads += 1
        by_subject.setdefault(q.subject, {})[(q.predicate, q.object)] = None
    iris: dict[str, Any] = {}

    def term(t: Any) -> Any:
        if isinstance(t, ox.NamedNode):
            found = iris.get(t.value)
            if found is None:
                found = iris[t.value] = URIRef(t.value)
            return found
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=term(t.datatype))

    triples = [(term(s), term(p), term(o)) for s, pos in by_subject.items() for p, o in pos]
    return triples, quads


def expected_rdflib_counts(triples: list[tuple[Any, Any, Any]]) -> tuple[int, int, int, int]:
    """What rdflib-neo4j should make of the triples: nodes (subjects and IRI objects), relationships
    (IRI objects but rdf:type), properties (one per subject and literal predicate, plus ``uri``), and
    the number of literal triples (more than the properties when a predicate has several values)."""
    from rdflib import RDF, Literal

    nodes: set[Any] = set()
    props: set[tuple[Any, Any]] = set()
    rels = literals = 0
    for s, p, o in triples:
        nodes.add(s)
        if isinstance(o, Literal):
            literals += 1
            props.add((s, p))
        elif p != RDF.type:
            rels += 1
            nodes.add(o)
    return len(nodes), rels, len(props) + len(nodes), literals


def vocab_strategy(triples: list[tuple[Any, Any, Any]]) -> tuple[Any, dict[str, str], str]:
    """SHORTEN with our prefixes (pcg__GPPractice, org__member ...) when they cover every predicate and
    class namespace, as rdflib-neo4j requires; IGNORE (local names only) otherwise."""
    from rdflib import RDF
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY
    from rdflib_neo4j.utils import getNamespacePart

    known = set(PREFIXES.values())
    used = {getNamespacePart(str(p)) for _, p, _ in triples} | {
        getNamespacePart(str(o)) for _, p, o in triples if p == RDF.type
    }
    missing = sorted(used - known)
    if not missing:
        return HANDLE_VOCAB_URI_STRATEGY.SHORTEN, dict(PREFIXES), "SHORTEN with the project's prefixes"
    return HANDLE_VOCAB_URI_STRATEGY.IGNORE, {}, f"IGNORE (namespaces without a prefix: {', '.join(missing)})"


def load_rdflib_neo4j(driver: Any, triples: list[tuple[Any, Any, Any]], strategy: Any, prefixes: dict[str, str]) -> str:
    """(c): stream the triples through an rdflib Graph backed by rdflib-neo4j's store (batching on,
    5,000 per batch), then close it (which flushes the last batches). Returns what it printed."""
    from rdflib import Graph
    from rdflib_neo4j import Neo4jStore as RdflibNeo4jStore
    from rdflib_neo4j import Neo4jStoreConfig

    config = Neo4jStoreConfig(
        custom_prefixes=prefixes, handle_vocab_uri_strategy=strategy, batching=True, batch_size=RDFLIB_BATCH
    )
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        g = Graph(store=RdflibNeo4jStore(config=config, neo4j_driver=driver))
        for t in triples:
            g.add(t)
        g.close(commit_pending_transaction=True)
    return printed.getvalue()


# -- the database ------------------------------------------------------------------------------------
def empty_database(driver: Any) -> None:
    """Delete every node (in transactions of 10,000), then every constraint and index but the
    built-in token lookups, and checkpoint, so each method starts from the same empty database."""
    with driver.session(database=DATABASE) as session:  # CALL ... IN TRANSACTIONS needs auto-commit
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    for rec in driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name", database_=DATABASE).records:
        driver.execute_query(f"DROP CONSTRAINT `{rec['name']}` IF EXISTS", database_=DATABASE)
    for rec in driver.execute_query(
        "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", database_=DATABASE
    ).records:
        driver.execute_query(f"DROP INDEX `{rec['name']}` IF EXISTS", database_=DATABASE)
    with contextlib.suppress(Exception):  # not in every edition; only evens out the runs
        driver.execute_query("CALL db.checkpoint()", database_=DATABASE)


@dataclass(frozen=True)
class Counts:
    nodes: int
    rels: int
    node_props: int
    rel_props: int
    labels: tuple[tuple[str, int], ...]
    types: tuple[tuple[str, int], ...]


def counts(driver: Any) -> Counts:
    def one(q: str) -> int:
        return int(driver.execute_query(q, database_=DATABASE).records[0]["n"])

    labels = driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS n ORDER BY l", database_=DATABASE
    ).records
    types = driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t", database_=DATABASE
    ).records
    return Counts(
        nodes=one("MATCH (n) RETURN count(n) AS n"),
        rels=one("MATCH ()-[r]->() RETURN count(r) AS n"),
        node_props=one("MATCH (n) RETURN coalesce(sum(size(keys(n))), 0) AS n"),
        rel_props=one("MATCH ()-[r]->() RETURN coalesce(sum(size(keys(r))), 0) AS n"),
        labels=tuple((r["l"], int(r["n"])) for r in labels),
        types=tuple((r["t"], int(r["n"])) for r in types),
    )


# -- the run -----------------------------------------------------------------------------------------
def get_store(store: Path | None, files: list[Path] | None, tmp: Path) -> tuple[Path, str]:
    if store is not None:
        return store, f"the existing embedded store `{store}`"
    t = time.perf_counter()
    path = tmp / "store"
    if files:
        report = build([InputFile(p) for p in files], path)
        what = f"{len(files)} file(s): " + ", ".join(f"`{p.name}`" for p in files)
    else:
        report = build_seeds(ROOT / "seeds", path)
        what = "all of seeds/"
    note = f"an embedded store built from {what} ({report.quads:,} quads, {time.perf_counter() - t:.0f} s, not timed)"
    return path, note


@dataclass
class Run:
    """One run of (a) and (b): seconds, steps and what each wrote."""

    read: float
    load: float
    raw: float
    steps: dict[str, float]
    raw_steps: dict[str, float]
    ours: Counts
    raw_counts: Counts
    quads_read: float | None = None  # (a'): the records read back from the quads instead

    @property
    def end_to_end(self) -> float:
        return self.read + self.load


def _median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def measure(
    repeat: int = 1,
    *,
    store: Path | None = None,
    files: list[Path] | None = None,
    rdflib: bool = True,
    rdflib_limit: int | None = RDFLIB_DEFAULT_LIMIT,
    rdflib_repeat: int = 1,
    quads_read: bool = True,
    warmup: bool = True,
    heap_mb: int = HEAP_MB,
    pagecache_mb: int = PAGECACHE_MB,
    command: str = ".venv/bin/python benchmarks/neo4j_load.py",
) -> Section:
    """(a) end to end and (b) ``repeat`` times each, alternating, (c) ``rdflib_repeat`` times; medians compared.
    Raises SystemExit when (a) and (b) wrote different graphs."""
    import neo4j

    load_before = _load_average()
    with tempfile.TemporaryDirectory(prefix="neo4j-load-") as tmp:
        path, store_note = get_store(store, files, Path(tmp))
        oxstore = ox.Store.read_only(str(path))
        quads = len(oxstore)
        graph = read_dataset(oxstore)  # untimed: the rows of (b), built before its clock starts
        if embedded_graph(path)[1] != KEPT:
            raise SystemExit(f"FAILED: {path} has no kept state this code can use: build it again with this code")
        t = time.perf_counter()
        raw = flatten(graph)
        flatten_seconds = time.perf_counter() - t
        del graph
        triples: list[tuple[Any, Any, Any]] = []
        convert_seconds, triples_total = 0.0, 0

        neo4j_runtime.install(quiet=True)
        home = neo4j_runtime.AREA / f"bench-load-{os.getpid()}"
        server = neo4j_runtime.start(home, port=None, heap_mb=heap_mb, pagecache_mb=pagecache_mb)
        runs: list[Run] = []
        rdflib_times: list[float] = []
        counts_rdflib: Counts | None = None
        try:
            with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
                driver.verify_connectivity()
                rec = driver.execute_query("CALL dbms.components() YIELD name, versions, edition RETURN *").records[0]
                version = f"{rec['name']} {rec['versions'][0]} {rec['edition']}"
                empty_database(driver)
                if warmup:  # JIT and page cache warmed by one untimed raw load, so (a) is not the first
                    load_raw(driver, raw)
                    empty_database(driver)
                for _ in range(max(1, repeat)):
                    ours = TimedNeo4jStore(driver)
                    with collector_paused(freeze=True):  # as the command runs them
                        t = time.perf_counter()  # as records.load_neo4j, the read and the load timed apart
                        kept = kept_records(path)
                        read = time.perf_counter() - t
                        if kept is None:
                            raise SystemExit(f"FAILED: {path} has no kept state this code can use")
                        graph, read_payments = kept
                        t = time.perf_counter()
                        ours.load(graph, complete=read_payments)
                        load = time.perf_counter() - t
                    gc.unfreeze()  # the command ends here; this process goes on
                    del graph
                    counts_ours = counts(driver)
                    empty_database(driver)
                    t = time.perf_counter()
                    raw_steps = load_raw(driver, raw)
                    raw_seconds = time.perf_counter() - t
                    counts_raw = counts(driver)
                    empty_database(driver)
                    back = None
                    if quads_read:
                        t = time.perf_counter()
                        read_dataset(oxstore)
                        back = time.perf_counter() - t
                    runs.append(Run(read, load, raw_seconds, ours.steps(), raw_steps, counts_ours, counts_raw,
                                    back))
                    if counts_ours != counts_raw:
                        raise SystemExit(f"FAILED: (a) and (b) wrote different graphs:\n  (a) {counts_ours}\n"
                                         f"  (b) {counts_raw}")
                del raw
                if rdflib:  # converted after (a) and (b), whose process then holds none of its 2.7 M triples
                    t = time.perf_counter()
                    triples, _ = rdflib_triples(oxstore)
                    convert_seconds = time.perf_counter() - t
                    triples_total = len(triples)
                    triples = triples[: rdflib_limit if rdflib_limit is not None else len(triples)]
                    strategy, prefixes, vocab_note = vocab_strategy(triples)
                    rdflib_expected = expected_rdflib_counts(triples)
                for _ in range(max(1, rdflib_repeat) if rdflib else 0):
                    t = time.perf_counter()
                    load_rdflib_neo4j(driver, triples, strategy, prefixes)
                    rdflib_times.append(time.perf_counter() - t)
                    counts_rdflib = counts(driver)
                    empty_database(driver)
        finally:
            neo4j_runtime.stop(server)
            shutil.rmtree(home, ignore_errors=True)
        del oxstore

    e2e, load, read, raw_s = (_median([getattr(r, k) for r in runs]) for k in ("end_to_end", "load", "read", "raw"))
    co = runs[-1].ours
    section = Section(
        "Loading the national graph into Neo4j: `graphkit load neo4j` end to end, raw UNWIND CREATE, rdflib-neo4j",
        command,
    )
    section.figures += [
        at_most("(a) `graphkit load neo4j`, end to end (records read + load), median", e2e, "s", 60,
                f"read {read:.1f} s (the build's kept state) + load {load:.1f} s (the payments files read again "
                "while the organisations are written); runs: "
                + ", ".join(f"{r.end_to_end:.1f}" for r in runs)),
        Figure("(b) raw `UNWIND ... CREATE` of the same nodes and relationships, median", raw_s, "s",
               note="rows built beforehand, not timed; runs: " + ", ".join(f"{r.raw:.1f}" for r in runs)),
        at_most("(a) load / (b) raw, both from the records in memory", load / raw_s, "×", 1.5,
                f"(a) end to end / (b): {e2e / raw_s:.2f}×"),
    ]
    back_runs = [r.quads_read for r in runs if r.quads_read is not None]
    if back_runs:
        section.figures.append(Figure(
            "(a') the records read back from the quads instead (a store with no kept state), median",
            _median(back_runs), "s", note=f"(a) would take {_median(back_runs) + load:.1f} s end to end; runs: "
            + ", ".join(f"{x:.1f}" for x in back_runs)))
    if rdflib_times:
        c = _median(rdflib_times)
        full = c * triples_total / len(triples)
        extrapolated = len(triples) < triples_total
        section.figures += [
            Figure("(c) rdflib-neo4j 1.1, " + (f"extrapolated from {len(triples):,} triples" if extrapolated
                                                else f"all {len(triples):,} triples"), full, "s",
                   note=f"triples converted to rdflib terms beforehand ({convert_seconds:.0f} s, not timed)"),
            at_least("(c) rdflib-neo4j / (a) end to end", full / e2e, "×", 5,
                     f"(c) / (a) load only: {full / load:.1f}×"
                     + (f"; (c) / (a) from the quads: {full / (_median(back_runs) + load):.1f}×" if back_runs
                        else "")),
        ]
    notes = [
        f"Input: {store_note}; {quads:,} quads. Server: {version}, started fresh by `graphkit.store.neo4j_runtime` "
        f"(heap {heap_mb} MB, page cache {pagecache_mb} MB, Bolt on 127.0.0.1, auth off); driver neo4j "
        f"{_version('neo4j')}, rdflib-neo4j {_version('rdflib-neo4j')}, rdflib {_version('rdflib')}. "
        f"Load average {_fmt_load(load_before)} at the start.",
        f"(a) and (b), {len(runs)} run(s) each, alternating; the database emptied (nodes, constraints, indexes) and "
        "checkpointed between methods" + ("; one untimed raw load first warmed the JVM." if warmup else "."),
        f"(a) and (b) wrote the same graph: {co.nodes:,} nodes, {co.rels:,} relationships, "
        f"{co.node_props + co.rel_props:,} properties; labels and relationship types counted alike "
        f"({len(co.labels)} labels, {len(co.types)} types). (b)'s rows took {flatten_seconds:.1f} s of Python to "
        "build, not counted.",
    ]
    if rdflib_times and counts_rdflib is not None:
        nodes, rels, props, _ = rdflib_expected
        cc = counts_rdflib
        same = (cc.nodes, cc.rels, cc.node_props + cc.rel_props) == (nodes, rels, props)
        notes.append(
            f"(c) loads triples, not our mapping: {triples_total:,} distinct triples from every named graph but the "
            "ontology's (no named graphs, so who-said-what collapses onto one node per IRI, and its default OVERWRITE "
            f"keeps one value per property), fed grouped by subject in batches of {RDFLIB_BATCH:,}; vocabulary: "
            f"{vocab_note}. It wrote {cc.nodes:,} nodes, {cc.rels:,} relationships, "
            f"{cc.node_props + cc.rel_props:,} properties" + (", as its triples should give." if same else
                                                              f" (expected {nodes:,}, {rels:,}, {props:,}).")
            + f" Runs: {', '.join(f'{x:.1f}' for x in rdflib_times)} s."
        )
    steps = runs[len(runs) // 2]
    rows = ["| step | (a) ours | (b) raw |", "|---|---|---|"]
    for step_a, step_b in _step_pairs(steps.steps, steps.raw_steps):
        va = f"{steps.steps[step_a]:.1f}" if step_a else ""
        vb = f"{steps.raw_steps[step_b]:.1f}" if step_b else ""
        rows.append(f"| {step_a or step_b} | {va} | {vb} |")
    rows.append(f"| (a) the rest of the load: planning the organisations before their writes begin, the driver's "
                f"own work | {steps.load - sum(steps.steps.values()):.1f} | |")
    rows.append(f"| (a) reading the build's kept state | {steps.read:.1f} | |")
    section.notes += notes
    section.extra = ("Where the time went in the middle run, in seconds ((a)'s statements are sent by sender threads "
                     "while the load's own thread reads the payments files again and plans the rest of the graph: a "
                     "statement's time includes its wait for the interpreter; node batches go two at a time, and a "
                     "step's time is the wall-clock time during which one of its statements ran):\n\n"
                     + "\n".join(rows))
    return section


def _step_pairs(a: dict[str, float], b: dict[str, float]) -> list[tuple[str | None, str | None]]:
    """Rows of the breakdown, (a)'s steps against (b)'s where they write the same thing."""
    b_left = dict(b)
    out: list[tuple[str | None, str | None]] = []
    for step in a:
        match = step if step in b_left else None
        if match is not None:
            del b_left[match]
        out.append((step, match))
    out += [(None, s) for s in b_left]
    return out


def _load_average() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def _fmt_load(avg: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.2f}" for x in avg)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "(not installed)"


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _limit(text: str) -> int | None:
    return None if text.lower() == "all" else int(text.replace("_", "").replace(",", ""))


def main() -> int:
    """Run the three loads and print (and with --write, append) the Markdown section."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--store", type=Path, default=None, help="an existing embedded store (else built from seeds/)")
    where.add_argument("--files", type=Path, nargs="+", default=None, help="build the store from these files only")
    ap.add_argument("--repeat", type=int, default=1, help="runs of (a) and (b), alternating (medians compared)")
    ap.add_argument(
        "--rdflib-limit",
        type=_limit,
        default=RDFLIB_DEFAULT_LIMIT,
        help="triples loaded by rdflib-neo4j, or 'all' (the default); with a limit the full time is extrapolated",
    )
    ap.add_argument("--rdflib-repeat", type=int, default=1, help="runs of rdflib-neo4j")
    ap.add_argument("--skip-rdflib", action="store_true", help="measure (a) and (b) only")
    ap.add_argument("--skip-quads-read", action="store_true", help="no (a'): the records read back from the quads")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false", help="no untimed warm-up load first")
    ap.add_argument("--heap-mb", type=int, default=HEAP_MB)
    ap.add_argument("--pagecache-mb", type=int, default=PAGECACHE_MB)
    ap.add_argument("--write", type=Path, default=None, help="append the Markdown section to this file")
    args = ap.parse_args()
    # a SIGTERM unwinds like Ctrl-C, so the finally clauses stop the server
    signal.signal(signal.SIGTERM, _interrupt)
    command = ".venv/bin/python benchmarks/neo4j_load.py" + (" " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "")
    section = measure(
        args.repeat, store=args.store, files=args.files, rdflib=not args.skip_rdflib, rdflib_limit=args.rdflib_limit,
        rdflib_repeat=args.rdflib_repeat, quads_read=not args.skip_quads_read, warmup=args.warmup,
        heap_mb=args.heap_mb, pagecache_mb=args.pagecache_mb,
        command=command,
    )
    print_section(section, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
