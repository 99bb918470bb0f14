"""The embedded store: Oxigraph on disk (pyoxigraph), SPARQL 1.1, one named graph per source.

Loads are all-or-nothing: :func:`build_store` writes a complete new store beside the old one and
swaps directories only when it is finished, so a failed build leaves the previous graph intact.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graphkit.errors import NotFound, StoreUnavailable
from graphkit.namespaces import ID, PCG_NS, PREFIXES, org_iri
from graphkit.nhs import ICB_DAY, ROLE_CLASS, TIME_BOUNDED_CLASSES
from graphkit.rdf import ONTOLOGY_GRAPH, RESOLVED
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

KIND = "oxigraph"


def load_nquads(path: Path, text: str, *, check: Callable[[ox.Store], None] | None = None) -> int:
    """Write a complete new store at ``path`` from N-Quads text, with the ontology in its own graph;
    returns the number of quads.

    All or nothing: the store is built beside the old one, ``check`` (e.g. SHACL validation) runs on
    it, and it is swapped in only when both succeed. A failure leaves the old store untouched.
    """
    from graphkit.shacl import load_ontology_into

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".building")
    old = path.with_name(path.name + ".old")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    store = ox.Store(str(staging))
    try:
        store.bulk_load(input=text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        load_ontology_into(store, str(ONTOLOGY_GRAPH))
        store.flush()
        if check is not None:
            check(store)
        n = len(store)
    except BaseException:
        del store
        shutil.rmtree(staging, ignore_errors=True)
        raise
    del store
    if path.exists():
        path.rename(old)
    staging.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return n


def _local(iri: str) -> str:
    ns = str(PCG_NS)
    return iri[len(ns) :] if iri.startswith(ns) else iri


def _date(term: Any) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


def _slug(iri: str) -> str:
    prefix = str(ID) + "source/"
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
RESOLVED_NODE = ox.NamedNode(str(RESOLVED))

_TIES = """
SELECT ?org ?day ?t ?cls ?m ?mcode ?mname ?o ?ocode ?oname ?start ?end ?atype ?ev
       (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources)
WHERE {
  GRAPH <%(resolved)s> {
    %(anchor)s
    ?t org:member ?m ; org:organization ?o ; a ?cls ; org:memberDuring ?iv ; pcg:assertionType ?atype .
    FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
    ?m pcg:odsCode ?mcode ; skos:prefLabel ?mname .
    ?o pcg:odsCode ?ocode ; skos:prefLabel ?oname .
    OPTIONAL { ?iv time:hasBeginning/time:inXSDDate ?start }
    OPTIONAL { ?iv time:hasEnd/time:inXSDDate ?end }
    OPTIONAL { ?t pcg:endEvidence ?ev }
    OPTIONAL { ?t prov:wasDerivedFrom ?src }
    %(kind)s
  }
  %(when)s
}
GROUP BY ?org ?day ?t ?cls ?m ?mcode ?mname ?o ?ocode ?oname ?start ?end ?atype ?ev
"""
_WHEN = "FILTER ((!BOUND(?start) || ?start <= ?day) && (!BOUND(?end) || ?end >= ?day))"


class OxigraphStore:
    """GraphStore over an Oxigraph directory, read-only. Queries read the resolved graph for what
    holds when, and the source graphs for who said what."""

    kind = KIND

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise StoreUnavailable(f"no embedded store at {self.path}; run `graphkit build` first")
        self._store = ox.Store.read_only(str(self.path))

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

    @staticmethod
    def _day(day: dt.date) -> ox.Literal:
        return ox.Literal(day.isoformat(), datatype=XSD_DATE)

    def _node(self, code: str) -> ox.NamedNode:
        return ox.NamedNode(str(org_iri(code)))

    def _require(self, code: str) -> ox.NamedNode:
        node = self._node(code)
        if not self.select(f"SELECT ?org WHERE {{ GRAPH <{RESOLVED}> {{ ?org pcg:odsCode ?c }} }} LIMIT 1", org=node):
            raise NotFound(f"no organisation with ODS code {code!r}", details={"code": code})
        return node

    def _kinds_as_of(self, node: ox.NamedNode, day: dt.date) -> tuple[tuple[str, ...], tuple[str, ...]]:
        rows = self.select(
            f"""SELECT ?org ?kind WHERE {{ GRAPH <{RESOLVED}> {{ ?org a ?kind .
                 FILTER (STRSTARTS(STR(?kind), STR(pcg:))) }} }}""",
            org=node,
        )
        all_kinds = sorted({_local(r["kind"].value) for r in rows})
        bounded = [k for k in all_kinds if k in TIME_BOUNDED_CLASSES]
        if not bounded:
            return tuple(all_kinds), tuple(all_kinds)
        holdings = self.select(
            f"""SELECT ?org ?role ?start ?end WHERE {{ GRAPH <{RESOLVED}> {{
                 ?h pcg:holder ?org ; pcg:odsRole ?role ; pcg:validDuring ?iv .
                 OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                 OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}""",
            org=node,
        )
        held = {
            ROLE_CLASS.get(r["role"].value.rsplit("/", 1)[-1])
            for r in holdings
            if holds_on(_date(r["start"]), _date(r["end"]), day)
        }
        supported = {ROLE_CLASS.get(r["role"].value.rsplit("/", 1)[-1]) for r in holdings}
        now = [k for k in all_kinds if k not in TIME_BOUNDED_CLASSES or k in held or k not in supported]
        return tuple(now), tuple(all_kinds)

    # -- GraphStore -----------------------------------------------------------------------------
    def ties(
        self, code: str, direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        node = self._require(code)
        anchor = "?t org:member ?org ." if direction == "up" else "?t org:organization ?org ."
        bindings: dict[str, ox.NamedNode | ox.Literal] = {"org": node}
        kind_filter = ""
        if kind is not None:
            kind_filter = "?t a ?kindclass . FILTER (?cls = ?kindclass)"
            bindings["kindclass"] = ox.NamedNode(str(PCG_NS) + kind)
        if as_of is not None:
            bindings["day"] = self._day(as_of)
        query = _TIES % {
            "resolved": RESOLVED,
            "anchor": anchor,
            "kind": kind_filter,
            "when": _WHEN if as_of is not None else "",
        }
        if kind is not None:
            query = query.replace("SELECT ?org ?day", "SELECT ?org ?day ?kindclass")
            query = query.replace("GROUP BY ?org ?day", "GROUP BY ?org ?day ?kindclass")
        rows = self.select(query, **bindings)
        out = [
            TieView(
                kind=_local(r["cls"].value),
                member=r["mcode"].value,
                member_name=r["mname"].value,
                organisation=r["ocode"].value,
                organisation_name=r["oname"].value,
                start=_date(r["start"]),
                end=_date(r["end"]),
                derived=r["atype"].value == "derived",
                end_evidence=_slug(r["ev"].value) if r["ev"] is not None else None,
                sources=tuple(sorted(_slug(x) for x in r["sources"].value.split())) if r["sources"] is not None else (),
            )
            for r in rows
        ]
        return sorted(out, key=lambda t: (t.kind, t.start or dt.date.min, t.organisation, t.member))

    def organisation(self, code: str, as_of: dt.date) -> OrganisationView:
        node = self._require(code)
        rows = self.select(
            f"""SELECT ?org ?name ?start ?end ?status ?fictional WHERE {{ GRAPH <{RESOLVED}> {{
                 ?org skos:prefLabel ?name .
                 OPTIONAL {{ ?org pcg:validDuring ?iv .
                            OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                            OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 OPTIONAL {{ ?org pcg:status ?status }}
                 OPTIONAL {{ ?org pcg:fictional ?fictional }} }} }}""",
            org=node,
        )
        r = rows[0]
        names = self.select(
            """SELECT ?org ?g ?name ?vintage WHERE { GRAPH ?g { ?org rdfs:label ?name }
                 GRAPH ?g { ?g pcg:vintage ?vintage } }""",
            org=node,
        )
        name_views = sorted(
            {
                NameView(n["name"].value, _slug(n["g"].value), _date(n["vintage"]))  # type: ignore[arg-type]
                for n in names
            },
            key=lambda v: (v.vintage, v.source),
        )
        kinds, all_kinds = self._kinds_as_of(node, as_of)
        return OrganisationView(
            code=code,
            name=r["name"].value,
            kinds=kinds,
            all_kinds=all_kinds,
            start=_date(r["start"]),
            end=_date(r["end"]),
            status=r["status"].value if r["status"] is not None else None,
            names=tuple(name_views),
            parents=tuple(self.ties(code, "up", as_of=as_of)),
            sources=tuple(sorted({v.source for v in name_views})),
            fictional=r["fictional"] is not None and r["fictional"].value == "true",
        )

    def hierarchy(self, code: str, as_of: dt.date) -> list[HierarchyLevel]:
        return build_hierarchy(self, code, as_of)

    def project(self, as_of: dt.date, *, list_size_year: str | None = None) -> nx.MultiDiGraph:
        """The organisation graph G_org as of a date, for the analyses (docs/analyses.md §1): practices
        (kind, name, ``area`` = commissioner on the date, ``list_size`` from the contract of
        ``list_size_year``), PCNs, and the PCNMembership / CommissionerAssignment ties holding on the date."""
        g = nx.MultiDiGraph()
        day = self._day(as_of)
        rows = self.select(
            f"""SELECT ?day ?kind ?mcode ?mname ?ocode ?oname ?start WHERE {{ GRAPH <{RESOLVED}> {{
                 VALUES ?kind {{ pcg:PCNMembership pcg:CommissionerAssignment }}
                 ?t a ?kind ; org:member ?m ; org:organization ?o ; org:memberDuring ?iv .
                 ?m a pcg:PrescribingCostCentre ; pcg:odsCode ?mcode ; skos:prefLabel ?mname .
                 ?o pcg:odsCode ?ocode ; skos:prefLabel ?oname .
                 OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                 OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 {_WHEN} }}""",
            day=day,
        )
        # two commissioners on one day (reported as a conflict): ``area`` is the one whose tie began last
        rows.sort(key=lambda r: (r["mcode"].value, str(_date(r["start"]) or ""), r["ocode"].value))
        for r in rows:
            kind = _local(r["kind"].value)
            practice, other = r["mcode"].value, r["ocode"].value
            g.add_node(practice, kind="GPPractice", name=r["mname"].value, scale_level=1)
            if kind == "PCNMembership":
                g.add_node(other, kind="PrimaryCareNetwork", name=r["oname"].value, scale_level=2)
            else:
                g.nodes[practice]["area"] = other
                g.add_node(
                    other,
                    kind="SubICBLocation" if as_of >= ICB_DAY else "ClinicalCommissioningGroup",
                    name=r["oname"].value,
                    scale_level=3,
                )
            g.add_edge(practice, other, kind=kind)
        if list_size_year is not None:
            for r in self.select(
                f"""SELECT ?fy ?code ?size WHERE {{ GRAPH <{RESOLVED}> {{ ?c pcg:financialYear ?fy ;
                     pcg:contractHolder ?p ; pcg:listSize ?size . ?p pcg:odsCode ?code }} }}""",
                fy=ox.Literal(list_size_year),
            ):
                if r["code"].value in g:
                    g.nodes[r["code"].value]["list_size"] = int(r["size"].value)
        return g

    def count_organisations(self) -> int:
        rows = self.select(f"SELECT (COUNT(?o) AS ?n) WHERE {{ GRAPH <{RESOLVED}> {{ ?o pcg:odsCode ?c }} }}")
        return int(rows[0]["n"].value)

    def summary(self) -> StoreSummary:
        by_kind = {
            _local(r["kind"].value): int(r["n"].value)
            for r in self.select(
                f"""SELECT ?kind (COUNT(?o) AS ?n) WHERE {{ GRAPH <{RESOLVED}> {{ ?o pcg:odsCode ?c ; a ?kind .
                   FILTER (STRSTARTS(STR(?kind), STR(pcg:))) }} }} GROUP BY ?kind ORDER BY ?kind"""
            )
        }
        sources = tuple(sorted(_slug(str(g.value)) for g in self._store.named_graphs()))
        return StoreSummary(
            kind=self.kind,
            organisations=self.count_organisations(),
            organisations_by_kind=by_kind,
            facts=len(self._store),
            sources=sources,
        )

    def close(self) -> None:
        del self._store
