"""The embedded store: Oxigraph on disk (pyoxigraph), SPARQL 1.1, one named graph per source.

Loads are all-or-nothing and crash-safe: :func:`load_nquads` writes a complete new generation of the
store and switches to it only when it is finished (graphkit/store/generations.py), so a failed or
killed build leaves the previous graph intact.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphkit.core.namespaces import ID, PCG_NS, PREFIXES, org_iri
from graphkit.core.nhs import TIME_BOUNDED_CLASSES
from graphkit.errors import NotFound, StoreUnavailable
from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED
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

KIND = "oxigraph"


def load_nquads(
    path: Path,
    text: str,
    *,
    check: Callable[[ox.Store], None] | None = None,
    extras: Callable[[Path], None] | None = None,
) -> int:
    """Write a complete new store at ``path`` from N-Quads text, with the ontology in its own graph;
    returns the number of quads.

    All or nothing, and crash-safe (graphkit/store/generations.py): under the store's build lock, the
    store is written as a new generation directory, ``check`` (e.g. SHACL validation) runs on it,
    ``extras`` writes the files that belong with it (the manifest and the report) into the directory,
    and only then does one rename make it current. A failure, or a kill at any point, leaves the previous
    store current; leftovers of killed runs and superseded generations are removed before and after.
    """
    from graphkit.store import generations

    path = Path(path)
    with generations.build_lock(path):
        generations.clean(path)
        gen = generations.new_generation(path)
        try:
            n = _write_generation(gen, text, check)
            if extras is not None:
                extras(gen)
            generations.crash_point("before-switch")
            generations.publish(path, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        generations.crash_point("after-switch")
        generations.clean(path)
    return n


def _write_generation(directory: Path, text: str, check: Callable[[ox.Store], None] | None) -> int:
    """Bulk-load the quads and the ontology into a new store in ``directory``, check it, and close it."""
    from graphkit.ontology.shacl import load_ontology_into
    from graphkit.store import generations

    store = ox.Store(str(directory))
    try:
        store.bulk_load(input=text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        load_ontology_into(store, str(ONTOLOGY_GRAPH))
        store.flush()
        generations.crash_point("during-load")
        if check is not None:
            check(store)
        return len(store)
    finally:
        del store


def _person_segment(person_id: str) -> str:
    from graphkit.core.namespaces import _segment

    return _segment(person_id)


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
SELECT ?day ?t ?cls ?m ?mcode ?mname ?o ?ocode ?oname ?start ?end ?atype ?ev
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
GROUP BY ?day ?t ?cls ?m ?mcode ?mname ?o ?ocode ?oname ?start ?end ?atype ?ev
"""
_WHEN = "FILTER ((!BOUND(?start) || ?start <= ?day) && (!BOUND(?end) || ?end >= ?day))"


class OxigraphStore(SharedStore):
    """GraphStore over an Oxigraph directory, read-only. Queries read the resolved graph for what
    holds when, and the source graphs for who said what."""

    kind = KIND

    def __init__(self, path: Path) -> None:
        """Open the store ``path`` names now, read-only. ``path`` may be the store's symlink, one generation
        or a store of the previous layout; ``self.path`` is the resolved directory, held (leased) until
        :meth:`close` so that no build deletes it meanwhile (graphkit/store/generations.py)."""
        from graphkit.store import generations

        self._lease = generations.lease_current(Path(path))  # StoreUnavailable when there is none
        self.path = self._lease.path
        try:
            self._store = ox.Store.read_only(str(self.path))
        except OSError as exc:
            self._lease.release()
            raise StoreUnavailable(f"the embedded store at {path} cannot be opened: {exc}",
                                   details={"store": str(path)}) from None

    @property
    def generation(self) -> str:
        """The name of the directory this store reads (its generation id; the directory name for a store
        of the previous layout)."""
        return self.path.name

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

    def _stated(self, facts: dict[str, str]) -> dict[str, tuple[int, tuple[str, ...]]]:
        """Line and citations of each fact in the graph of the source it was derived from (fact IRI -> source
        graph IRI). Asked separately, with the facts bound first: Oxigraph otherwise scans every source
        graph's lines before the join."""
        out: dict[str, tuple[int, tuple[str, ...]]] = {}
        by_graph: dict[str, list[str]] = {}
        for fact, graph in facts.items():
            by_graph.setdefault(graph, []).append(fact)
        for graph, in_graph in sorted(by_graph.items()):
            in_graph.sort()
            for i in range(0, len(in_graph), 400):
                values = " ".join(f"<{f}>" for f in in_graph[i : i + 400])
                found: dict[str, tuple[int, set[str]]] = {}
                for r in self.select(
                    f"""SELECT ?h ?line ?cite WHERE {{ GRAPH <{graph}> {{ VALUES ?h {{ {values} }}
                         ?h pcg:sourceLine ?line OPTIONAL {{ ?h pcg:citation|dcterms:source ?cite }} }} }}"""
                ):
                    _, cites = found.setdefault(r["h"].value, (int(r["line"].value), set()))
                    if r["cite"] is not None:
                        cites.add(r["cite"].value)
                out.update({h: (line, tuple(sorted(c))) for h, (line, c) in found.items()})
        return out

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
        roles = [RoleRow("", r["role"].value.rsplit("/", 1)[-1], _date(r["start"]), _date(r["end"])) for r in holdings]
        return kinds_on(all_kinds, roles, day), tuple(all_kinds)

    # -- GraphStore -----------------------------------------------------------------------------
    def ties_of_many(
        self, codes: Iterable[str], direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        codes = list(codes)
        if not codes:
            return []
        # the organisations bound first, as the member (up) or the organisation (down): Oxigraph then starts
        # from them (binding them after the tie pattern made it scan, ~40x slower)
        side = "?m" if direction == "up" else "?o"
        anchor = f"VALUES {side} {{ {' '.join(f'<{org_iri(c)}>' for c in codes)} }}"
        if kind is not None:
            anchor += f" VALUES ?cls {{ <{PCG_NS}{kind}> }}"
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        if as_of is not None:
            bindings["day"] = self._day(as_of)
        query = _TIES % {
            "resolved": RESOLVED,
            "anchor": anchor,
            "kind": "",
            "when": _WHEN if as_of is not None else "",
        }
        return self._tie_views(self.select(query, **bindings))

    @staticmethod
    def _tie_views(rows: list[dict[str, Any]]) -> list[TieView]:
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

    def _projection_ties(self, as_of: dt.date) -> list[tuple[str, str, str, str, str]]:
        rows = self.select(
            f"""SELECT ?day ?kind ?mcode ?mname ?ocode ?oname ?start WHERE {{ GRAPH <{RESOLVED}> {{
                 VALUES ?kind {{ pcg:PCNMembership pcg:CommissionerAssignment }}
                 ?t a ?kind ; org:member ?m ; org:organization ?o ; org:memberDuring ?iv .
                 ?m a pcg:PrescribingCostCentre ; pcg:odsCode ?mcode ; skos:prefLabel ?mname .
                 ?o pcg:odsCode ?ocode ; skos:prefLabel ?oname .
                 OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                 OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 {_WHEN} }}""",
            day=self._day(as_of),
        )
        rows.sort(key=lambda r: (r["mcode"].value, str(_date(r["start"]) or ""), r["ocode"].value))
        return [(_local(r["kind"].value), r["mcode"].value, r["mname"].value, r["ocode"].value, r["oname"].value)
                for r in rows]

    def list_size_rows(self) -> list[tuple[str, str, int]]:
        rows = self.select(
            f"""SELECT ?code ?fy ?size WHERE {{ GRAPH <{RESOLVED}> {{ ?c pcg:financialYear ?fy ;
                 pcg:contractHolder ?p ; pcg:listSize ?size . ?p pcg:odsCode ?code }} }}"""
        )
        return [(r["code"].value, r["fy"].value, int(r["size"].value)) for r in rows]

    def org_rows(
        self, *, q: str | None = None, kind: str | None = None, codes: Iterable[str] | None = None
    ) -> tuple[list[OrgRow], list[RoleRow]]:
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        where = []
        if codes is not None:
            codes = list(codes)
            if not codes:
                return [], []
            where.append(f"VALUES ?o {{ {' '.join(f'<{org_iri(c)}>' for c in codes)} }}")
        if kind is not None:
            where.append("?o a ?kindclass .")
            bindings["kindclass"] = ox.NamedNode(str(PCG_NS) + kind)
        text = ""
        if q:
            text = "FILTER (CONTAINS(LCASE(?name), LCASE(?q)) || STRSTARTS(?code, UCASE(?q)))"
            bindings["q"] = ox.Literal(q)
        rows = self.select(
            f"""SELECT ?q ?kindclass ?o ?code ?name ?start ?end ?size
                  (GROUP_CONCAT(DISTINCT STR(?kind); SEPARATOR=" ") AS ?kinds)
                  (GROUP_CONCAT(DISTINCT STR(?fn); SEPARATOR=" ") AS ?fns) WHERE {{ GRAPH <{RESOLVED}> {{
                 {" ".join(where)}
                 ?o pcg:odsCode ?code ; skos:prefLabel ?name ; a ?kind .
                 FILTER (STRSTARTS(STR(?kind), STR(pcg:))) {text}
                 OPTIONAL {{ ?o pcg:validDuring ?iv .
                            OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                            OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 OPTIONAL {{ ?o pcg:listSize ?size }} OPTIONAL {{ ?o pcg:centralFunction ?fn }} }} }}
               GROUP BY ?q ?kindclass ?o ?code ?name ?start ?end ?size""",
            **bindings,
        )
        out = [
            OrgRow(
                r["code"].value,
                r["name"].value,
                tuple(sorted({_local(k) for k in r["kinds"].value.split()})),
                _date(r["start"]),
                _date(r["end"]),
                int(r["size"].value) if r["size"] is not None else None,
                tuple(sorted(_local(f) for f in r["fns"].value.split())) if r["fns"] is not None else (),
            )
            for r in rows
        ]
        bounded = [r.code for r in out if set(r.all_kinds) & TIME_BOUNDED_CLASSES]
        return out, self._role_rows(bounded)

    def _role_rows(self, codes: list[str]) -> list[RoleRow]:
        """The ODS role holdings of these organisations, with the files stating each."""
        roles: list[RoleRow] = []
        for i in range(0, len(codes), 500):
            values = " ".join(f"<{org_iri(c)}>" for c in codes[i : i + 500])
            roles.extend(
                RoleRow(
                    h["code"].value, h["role"].value.rsplit("/", 1)[-1], _date(h["start"]), _date(h["end"]),
                    tuple(sorted(_slug(s) for s in h["sources"].value.split())),
                )
                for h in self.select(
                    f"""SELECT ?h ?code ?role ?start ?end (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources)
                        WHERE {{ GRAPH <{RESOLVED}> {{ VALUES ?o {{ {values} }}
                         ?o pcg:odsCode ?code . ?h pcg:holder ?o ; pcg:odsRole ?role ; pcg:validDuring ?iv .
                         OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                         OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }}
                         OPTIONAL {{ ?h prov:wasDerivedFrom ?src }} }} }}
                        GROUP BY ?h ?code ?role ?start ?end"""
                )
            )
        return roles

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
        return self.contracts_page(
            holder=holder, contract_type=contract_type, commissioner=commissioner, within=within, year=year,
            as_of=as_of,
        )[0]

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
        # codes go in as IRIs built by org_iri (escaped), text values as bound literals
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        where = []
        if year is not None:
            financial_year_end(year)
            where.append("?c pcg:financialYear ?fy .")
            bindings["fy"] = ox.Literal(year)
        if holder is not None:
            self._require(holder)
            where.append(f"?c pcg:contractHolder <{org_iri(holder)}> .")
        if commissioner is not None:
            self._require(commissioner)
            where.append(f"?c pcg:commissioner <{org_iri(commissioner)}> .")
        if contract_type is not None:
            where.append("?c pcg:contractTypeStated ?ctype .")
            bindings["ctype"] = ox.Literal(contract_type)
        if within is not None:
            area = contract_area(self, within, year, as_of)
            where.append(f"VALUES ?p {{ {' '.join(f'<{org_iri(c)}>' for c in sorted(area))} }}")
        pattern = " ".join(where) + " ?c a pcg:Contract ; pcg:contractHolder ?p ."
        # the matching contracts' keys first (cheap), in the answer's order; the details for the page only
        keys = sorted(
            (r["fy"].value, r["code"].value, r["c"].value)
            for r in self.select(
                f"""SELECT ?c ?fy ?ctype ?code WHERE {{ GRAPH <{RESOLVED}> {{ {pattern}
                     ?c pcg:financialYear ?fy . ?p pcg:odsCode ?code }} }}""",
                **bindings,
            )
        )
        chosen = keys[offset : None if limit is None else offset + limit]
        out: list[ContractView] = []
        for i in range(0, len(chosen), 2000):
            values = " ".join(f"<{k[2]}>" for k in chosen[i : i + 2000])
            out.extend(self._contract_views(f"VALUES ?c {{ {values} }} ?c pcg:contractHolder ?p ."))
        return sorted(out), len(keys)

    def _contract_views(self, pattern: str, **bindings: ox.NamedNode | ox.Literal) -> list[ContractView]:
        rows = self.select(
            f"""SELECT ?c ?fy ?ctype ?code ?name ?cc ?size ?wsize ?disp ?rur ?amount ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ {pattern}
                 ?c pcg:financialYear ?fy ; pcg:contractTypeStated ?ctype ; prov:wasDerivedFrom ?src .
                 ?p pcg:odsCode ?code ; skos:prefLabel ?name .
                 OPTIONAL {{ ?c pcg:commissioner/pcg:odsCode ?cc }}
                 OPTIONAL {{ ?c pcg:listSize ?size }} OPTIONAL {{ ?c pcg:weightedListSize ?wsize }}
                 OPTIONAL {{ ?c pcg:dispensing ?disp }} OPTIONAL {{ ?c pcg:rurality ?rur }}
                 OPTIONAL {{ ?c pcg:amountGBP ?amount }} }} }}""",
            **bindings,
        )
        lines = self._stated({r["c"].value: r["src"].value for r in rows})
        services: dict[str, list[tuple[str, float]]] = {}
        for r in self.select(
            f"""SELECT ?c ?fy ?ctype ?svc ?paid WHERE {{ GRAPH <{RESOLVED}> {{ {pattern}
                 ?pay pcg:underContract ?c ; pcg:paymentFor ?svc ; pcg:amountGBP ?paid }} }}""",
            **bindings,
        ):
            services.setdefault(r["c"].value, []).append((_local(r["svc"].value), float(r["paid"].value)))
        out = [
            ContractView(
                financial_year=r["fy"].value,
                holder=r["code"].value,
                holder_name=r["name"].value,
                contract_type=r["ctype"].value,
                commissioner=r["cc"].value if r["cc"] is not None else None,
                list_size=int(r["size"].value) if r["size"] is not None else None,
                weighted_list_size=float(r["wsize"].value) if r["wsize"] is not None else None,
                dispensing=r["disp"].value == "true" if r["disp"] is not None else None,
                rurality=r["rur"].value if r["rur"] is not None else None,
                amount_gbp=float(r["amount"].value) if r["amount"] is not None else None,
                services=tuple(sorted(services.get(r["c"].value, ()))),
                source=_slug(r["src"].value),
                line=lines[r["c"].value][0],
            )
            for r in rows
        ]
        return out

    def provenance(self, code: str) -> list[StatementView]:
        self._require(code)
        org = f"<{org_iri(code)}>"  # an IRI built from the code (unsafe characters escaped), not user text
        rows = self.select(
            f"""SELECT ?fact ?cls ?g ?file ?vintage ?line WHERE {{
                 {{ VALUES (?fact ?cls) {{ ({org} pcg:Organisation) }} }}
                 UNION {{ GRAPH <{RESOLVED}> {{ ?fact org:member|org:organization {org} ; a ?cls .
                          FILTER (STRSTARTS(STR(?cls), STR(pcg:))) }} }}
                 UNION {{ GRAPH <{RESOLVED}> {{ ?fact pcg:holder {org} . BIND (pcg:RoleHolding AS ?cls) }} }}
                 UNION {{ GRAPH <{RESOLVED}> {{ ?fact pcg:contractHolder {org} . BIND (pcg:Contract AS ?cls) }} }}
                 GRAPH ?g {{ ?fact pcg:sourceLine ?line }}
                 GRAPH ?g {{ ?g pcg:fileName ?file ; pcg:vintage ?vintage }} }}"""
        )
        return sorted(
            {
                StatementView(
                    _local(r["cls"].value),
                    r["fact"].value,
                    _slug(r["g"].value),
                    r["file"].value,
                    _date(r["vintage"]),  # type: ignore[arg-type]
                    int(r["line"].value),
                )
                for r in rows
            }
        )

    def posts(
        self, *, organisation: str | None = None, person: str | None = None, as_of: dt.date | None = None
    ) -> list[PostView]:
        where, bindings = [], {}
        if organisation is not None:
            self._require(organisation)
            where.append(f"?post org:postIn <{org_iri(organisation)}> .")
        if person is not None:
            where.append(f"?h pcg:holderPerson <{ID}person/{_person_segment(person)}> .")
        when = ""
        if as_of is not None:
            when = _WHEN
            bindings["day"] = self._day(as_of)
        rows = self.select(
            f"""SELECT ?day ?h ?pid ?pname ?ocode ?oname ?role ?title ?start ?end ?rep ?app ?voting ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ {" ".join(where)}
                   ?h a pcg:PostHolding ; pcg:holderPerson ?person ; pcg:post ?post ; prov:wasDerivedFrom ?src .
                   ?person pcg:personId ?pid ; rdfs:label ?pname .
                   ?post org:postIn ?o . ?o pcg:odsCode ?ocode ; skos:prefLabel ?oname .
                   OPTIONAL {{ ?post org:role ?role }} OPTIONAL {{ ?post rdfs:label ?title }}
                   OPTIONAL {{ ?post pcg:voting ?voting }}
                   OPTIONAL {{ ?h pcg:represents/pcg:odsCode ?rep }} OPTIONAL {{ ?h pcg:appointmentMode ?app }}
                   OPTIONAL {{ ?h pcg:validDuring ?iv .
                              OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                              OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}
                 {when} }}""",
            **bindings,
        )
        stated = self._stated({r["h"].value: r["src"].value for r in rows})

        def text(term: Any) -> str | None:
            return term.value if term is not None else None

        return sorted(
            (
                PostView(
                    person_id=r["pid"].value,
                    person_name=r["pname"].value,
                    organisation=r["ocode"].value,
                    organisation_name=r["oname"].value,
                    role=_local(r["role"].value) if r["role"] is not None else None,
                    title=text(r["title"]),
                    start=_date(r["start"]),
                    end=_date(r["end"]),
                    represents=text(r["rep"]),
                    appointment=_local(r["app"].value) if r["app"] is not None else None,
                    voting=r["voting"].value == "true" if r["voting"] is not None else None,
                    source=_slug(r["src"].value),
                    line=stated[r["h"].value][0],
                    citations=stated[r["h"].value][1],
                )
            for r in rows
            ),
            key=post_key,
        )

    def ties_of_kinds(self, kinds: Iterable[str], *, as_of: dt.date | None = None) -> list[TieView]:
        classes = " ".join(f"<{PCG_NS}{k}>" for k in kinds)
        anchor = f"VALUES ?cls {{ {classes} }}"
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        if as_of is not None:
            bindings["day"] = self._day(as_of)
        query = _TIES % {"resolved": RESOLVED, "anchor": anchor, "kind": "", "when": _WHEN if as_of else ""}
        return self._tie_views(self.select(query, **bindings))

    def lateral_ties(self, *, as_of: dt.date | None = None) -> list[LateralTieView]:
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        if as_of is not None:
            bindings["day"] = self._day(as_of)
        rows = self.select(
            f"""SELECT ?day ?t ?cls ?from ?to ?start ?end ?mode ?mech ?arena ?by ?horizon ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ ?t a pcg:Tie, ?cls ; pcg:tieFrom/pcg:odsCode ?from ; pcg:tieTo/pcg:odsCode ?to ;
                      prov:wasDerivedFrom ?src .
                   FILTER (?cls != pcg:Tie && STRSTARTS(STR(?cls), STR(pcg:)))
                   FILTER NOT EXISTS {{ ?t pcg:deliversUnder ?c }}
                   OPTIONAL {{ ?t pcg:hoodMode ?mode }} OPTIONAL {{ ?t pcg:mechanism ?mech }}
                   OPTIONAL {{ ?t pcg:competitionArena ?arena }} OPTIONAL {{ ?t pcg:initiatedBy/pcg:odsCode ?by }}
                   OPTIONAL {{ ?t pcg:horizon ?horizon }}
                   OPTIONAL {{ ?t pcg:validDuring ?iv .
                              OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                              OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}
                 {_WHEN if as_of else ""} }}""",
            **bindings,
        )
        stated = self._stated({r["t"].value: r["src"].value for r in rows})
        return sorted(
            (
                LateralTieView(
                    kind=_local(r["cls"].value),
                    tie_from=r["from"].value,
                    tie_to=r["to"].value,
                    start=_date(r["start"]),
                    end=_date(r["end"]),
                    hood_mode=_local(r["mode"].value) if r["mode"] is not None else None,
                    mechanism=r["mech"].value if r["mech"] is not None else None,
                    arena=r["arena"].value if r["arena"] is not None else None,
                    source=_slug(r["src"].value),
                    line=stated[r["t"].value][0],
                    initiated_by=r["by"].value if r["by"] is not None else None,
                    horizon=r["horizon"].value if r["horizon"] is not None else None,
                )
                for r in rows
            ),
            key=lambda t: (t.kind, t.tie_from, t.tie_to, t.start or dt.date.min, t.line),
        )

    def agreements(self, *, as_of: dt.date | None = None) -> list[AgreementView]:
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        if as_of is not None:
            bindings["day"] = self._day(as_of)
        rows = self.select(
            f"""SELECT ?day ?c ?id ?holder ?comm ?svc ?parent ?start ?end ?amount ?src
                  (GROUP_CONCAT(?by; SEPARATOR=" ") AS ?delivered) (GROUP_CONCAT(STR(?cls); SEPARATOR=" ") AS ?classes)
                WHERE {{
                 GRAPH <{RESOLVED}> {{ ?c dcterms:identifier ?id ; a pcg:Contract, ?cls ;
                      pcg:contractHolder/pcg:odsCode ?holder ; prov:wasDerivedFrom ?src .
                   FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
                   OPTIONAL {{ ?c pcg:commissioner/pcg:odsCode ?comm }} OPTIONAL {{ ?c pcg:forService ?svc }}
                   OPTIONAL {{ ?c pcg:parentContract/dcterms:identifier ?parent }}
                   OPTIONAL {{ ?c pcg:amountGBP ?amount }} OPTIONAL {{ ?c pcg:deliveredBy/pcg:odsCode ?by }}
                   OPTIONAL {{ ?c pcg:validDuring ?iv .
                              OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                              OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}
                 {_WHEN if as_of else ""} }}
               GROUP BY ?day ?c ?id ?holder ?comm ?svc ?parent ?start ?end ?amount ?src""",
            **bindings,
        )
        stated = self._stated({r["c"].value: r["src"].value for r in rows})
        out = []
        for r in rows:
            classes = {_local(c) for c in r["classes"].value.split()} - {"Contract"}
            out.append(
                AgreementView(
                    contract_id=r["id"].value,
                    kind=sorted(classes)[0] if classes else "Contract",
                    holder=r["holder"].value,
                    commissioner=r["comm"].value if r["comm"] is not None else None,
                    service=_local(r["svc"].value) if r["svc"] is not None else None,
                    parent=r["parent"].value if r["parent"] is not None else None,
                    start=_date(r["start"]),
                    end=_date(r["end"]),
                    amount_gbp=float(r["amount"].value) if r["amount"] is not None else None,
                    delivered_by=tuple(sorted(set(r["delivered"].value.split()))) if r["delivered"] else (),
                    source=_slug(r["src"].value),
                    line=stated[r["c"].value][0],
                )
            )
        return sorted(out, key=lambda a: a.contract_id)

    def person(self, person_id: str) -> PersonView:
        node = f"<{ID}person/{_person_segment(person_id)}>"
        rows = self.select(
            f"""SELECT ?name ?fictional ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ {node} pcg:personId ?pid ; rdfs:label ?name ; prov:wasDerivedFrom ?src .
                   OPTIONAL {{ {node} pcg:fictional ?fictional }} }} }}"""
        )
        if not rows:
            raise NotFound(f"no person with id {person_id!r}", details={"person_id": person_id})
        r = rows[0]
        line, citations = self._stated({node[1:-1]: r["src"].value})[node[1:-1]]
        return PersonView(
            person_id=person_id,
            name=r["name"].value,
            fictional=r["fictional"] is not None and r["fictional"].value == "true",
            source=_slug(r["src"].value),
            line=line,
            citations=citations,
            posts=tuple(self.posts(person=person_id)),
        )

    def events(self, code: str) -> list[EventView]:
        self._require(code)
        org = f"<{org_iri(code)}>"  # an IRI built from the code (unsafe characters escaped), not user text
        rows = self.select(
            f"""SELECT ?e ?cls ?day ?rcode (GROUP_CONCAT(DISTINCT ?ocode; SEPARATOR=" ") AS ?originals)
                  (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources) WHERE {{ GRAPH <{RESOLVED}> {{
                 {{ ?e org:originalOrganization {org} }} UNION {{ ?e org:resultingOrganization {org} }}
                 ?e a org:ChangeEvent, ?cls ; pcg:eventDate ?day ; org:resultingOrganization/pcg:odsCode ?rcode ;
                    org:originalOrganization/pcg:odsCode ?ocode .
                 FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
                 OPTIONAL {{ ?e prov:wasDerivedFrom ?src }} }} }}
               GROUP BY ?e ?cls ?day ?rcode"""
        )
        return sorted(
            EventView(
                _date(r["day"]),  # type: ignore[arg-type]
                _local(r["cls"].value),
                tuple(sorted(r["originals"].value.split())),
                r["rcode"].value,
                tuple(sorted(_slug(s) for s in r["sources"].value.split())),
            )
            for r in rows
        )

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
        """Close the store and release its generation (a later clean may then delete it). Idempotent."""
        if hasattr(self, "_store"):
            del self._store
        self._lease.release()
