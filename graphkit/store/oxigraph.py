"""The embedded store: Oxigraph on disk (pyoxigraph), SPARQL 1.1, one named graph per source.

Loads are all-or-nothing: :func:`build_store` writes a complete new store beside the old one and
swaps directories only when it is finished, so a failed build leaves the previous graph intact.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from graphkit.errors import NotFound, StoreUnavailable
from graphkit.namespaces import PCG_NS, PREFIXES, code_from_org_iri, org_iri
from graphkit.rdf import Quad
from graphkit.store.base import OrganisationView, ParentView, StoreSummary

KIND = "oxigraph"


def to_ox(term: URIRef | Literal | BNode) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return ox.BlankNode(str(term))


def to_ox_quads(quads: Iterable[Quad]) -> Iterable[ox.Quad]:
    for s, p, o, g in quads:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))  # type: ignore[arg-type]


def build_store(path: Path, quads: Iterable[Quad]) -> None:
    """Write a complete new store at ``path`` from ``quads``; the old one is replaced only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".building")
    old = path.with_name(path.name + ".old")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    store = ox.Store(str(staging))
    try:
        store.bulk_extend(to_ox_quads(quads))
        store.flush()
        store.optimize()
    except BaseException:
        del store
        shutil.rmtree(staging, ignore_errors=True)
        raise
    del store
    if path.exists():
        path.rename(old)
    staging.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def _local(iri: str) -> str:
    ns = str(PCG_NS)
    return iri[len(ns) :] if iri.startswith(ns) else iri


def _date(term: ox.Literal | None) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


class OxigraphStore:
    """GraphStore over an Oxigraph directory (read-only by default)."""

    kind = KIND

    def __init__(self, path: Path, *, read_only: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise StoreUnavailable(f"no embedded store at {self.path}; run `graphkit build` first")
        self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(self.path))

    # -- plumbing -------------------------------------------------------------------------------
    def select(self, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
        """Run a SELECT with values bound as parameters (never pasted into the text)."""
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in bindings.items()
        }
        result = self._store.query(
            query, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=subs or None
        )
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() runs SELECT queries only")
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names} for sol in result]

    # -- GraphStore -----------------------------------------------------------------------------
    def organisation(self, code: str, as_of: dt.date) -> OrganisationView:
        node = ox.NamedNode(str(org_iri(code)))
        rows = self.select(
            """SELECT ?org ?g ?name ?kind ?fictional WHERE {
                 GRAPH ?g { ?org pcg:odsCode ?code ; rdfs:label ?name ; a ?kind .
                            OPTIONAL { ?org pcg:fictional ?fictional } }
               }""",
            org=node,
        )
        if not rows:
            raise NotFound(f"no organisation with ODS code {code!r}", details={"code": code})
        names = sorted({r["name"].value for r in rows})
        kinds = sorted({_local(r["kind"].value) for r in rows if str(r["kind"].value).startswith(str(PCG_NS))})
        sources = sorted({r["g"].value for r in rows})
        fictional = any(r["fictional"] is not None and r["fictional"].value == "true" for r in rows)
        return OrganisationView(
            code=code,
            names=tuple(names),
            kinds=tuple(kinds),
            parents=self._parents(node, as_of),
            sources=tuple(sources),
            fictional=fictional,
        )

    def _parents(self, node: ox.NamedNode, as_of: dt.date) -> tuple[ParentView, ...]:
        rows = self.select(
            """SELECT ?org ?day ?cls ?parent ?pcode ?pname ?pkind ?start ?end ?observed WHERE {
                 ?m org:member ?org ; org:organization ?parent ; a ?cls .
                 FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
                 ?parent pcg:odsCode ?pcode ; rdfs:label ?pname ; a ?pkind .
                 FILTER (STRSTARTS(STR(?pkind), STR(pcg:)))
                 OPTIONAL { ?m org:memberDuring ?iv .
                            OPTIONAL { ?iv time:hasBeginning/time:inXSDDate ?start }
                            OPTIONAL { ?iv time:hasEnd/time:inXSDDate ?end } }
                 OPTIONAL { ?m pcg:observedOn ?observed }
                 FILTER ((!BOUND(?start) || ?start <= ?day) && (!BOUND(?end) || ?end >= ?day))
               }""",
            org=node,
            day=ox.Literal(as_of.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        )
        Key = tuple[str, str, dt.date | None, dt.date | None]
        names: dict[Key, set[str]] = defaultdict(set)
        kinds: dict[Key, set[str]] = defaultdict(set)
        observed: dict[Key, set[dt.date]] = defaultdict(set)
        for r in rows:
            key = (_local(r["cls"].value), r["pcode"].value, _date(r["start"]), _date(r["end"]))
            names[key].add(r["pname"].value)
            kinds[key].add(_local(r["pkind"].value))
            if r["observed"] is not None:
                observed[key].add(dt.date.fromisoformat(r["observed"].value))
        parents = [
            ParentView(
                relation=rel,
                code=pcode,
                name=sorted(names[k])[0],
                kinds=tuple(sorted(kinds[k])),
                start=start,
                end=end,
                observed_on=tuple(sorted(observed[k])),
            )
            for k in names
            for (rel, pcode, start, end) in [k]
        ]
        return tuple(sorted(parents))

    def count_organisations(self) -> int:
        rows = self.select("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o pcg:odsCode ?c }")
        return int(rows[0]["n"].value)

    def summary(self) -> StoreSummary:
        by_kind = {
            _local(r["kind"].value): int(r["n"].value)
            for r in self.select(
                """SELECT ?kind (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o pcg:odsCode ?c ; a ?kind .
                   FILTER (STRSTARTS(STR(?kind), STR(pcg:))) } GROUP BY ?kind ORDER BY ?kind"""
            )
        }
        sources = tuple(sorted(str(g.value) for g in self._store.named_graphs()))
        return StoreSummary(
            kind=self.kind,
            organisations=self.count_organisations(),
            organisations_by_kind=by_kind,
            facts=len(self._store),
            sources=sources,
        )

    def close(self) -> None:
        del self._store


def code_of(node: ox.NamedNode) -> str:
    return code_from_org_iri(node.value)
