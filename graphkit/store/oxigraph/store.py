"""The embedded store's answers: the GraphStore lookups in SPARQL (all of it in
:mod:`graphkit.store.oxigraph.sparql`) over a read-only Oxigraph directory. What both stores answer the same way
is :class:`~graphkit.store.shared.SharedStore`'s.

One piece, a little over 400 lines: the class is one method per primitive lookup of SharedStore over the
plumbing they share (``select``, ``_stated``), with every query already apart in ``sparql.py``; cutting it
further would split one class across modules for no seam."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from rdflib.namespace import OWL

from graphkit.core.model import Source
from graphkit.core.namespaces import ID, PCG_NS, PREFIXES, org_iri
from graphkit.core.nhs import TIME_BOUNDED_CLASSES
from graphkit.errors import NotFound, StoreUnavailable
from graphkit.ontology import ONTOLOGY_IRI, ONTOLOGY_MAJOR
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
from graphkit.store.oxigraph import sparql
from graphkit.store.shared import OrgRecord, SharedStore

KIND = "oxigraph"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
Bindings = dict[str, ox.NamedNode | ox.Literal]


def _person_segment(person_id: str) -> str:
    from graphkit.core.namespaces import segment

    return segment(person_id)


def _local(iri: str) -> str:
    ns = str(PCG_NS)
    return iri[len(ns) :] if iri.startswith(ns) else iri


END_INFERRED_IRI = f"{PCG_NS}EndInferred"


def _date(term: Any) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


def _slug(iri: str) -> str:
    prefix = str(ID) + "source/"
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def _text(term: Any) -> str | None:
    return term.value if term is not None else None


def _local_or_none(term: Any) -> str | None:
    return _local(term.value) if term is not None else None


def _values(codes: list[str]) -> str:
    """Organisation IRIs built from codes (escaped by org_iri), for a VALUES clause."""
    return " ".join(f"<{org_iri(c)}>" for c in codes)


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
        version = self.ontology_version()
        if version is not None and version.split(".", 1)[0] != str(ONTOLOGY_MAJOR):
            del self._store
            self._lease.release()
            raise StoreUnavailable(
                f"the embedded store at {path} was written with ontology {version}; this graphkit reads "
                f"{ONTOLOGY_MAJOR}.x: build it again (graphkit build) or migrate it (docs/ontology.md, section 8)",
                details={"store": str(path), "ontology_version": version})

    def ontology_version(self) -> str | None:
        """owl:versionInfo of the ontology in the store's ontology graph (None for a store without one)."""
        from graphkit.rdf.emit import ONTOLOGY_GRAPH

        found = self._store.quads_for_pattern(ox.NamedNode(ONTOLOGY_IRI), ox.NamedNode(str(OWL.versionInfo)), None,
                                              ox.NamedNode(str(ONTOLOGY_GRAPH)))
        return next((q.object.value for q in found if isinstance(q.object, ox.Literal)), None)

    @property
    def generation(self) -> str:
        """The name of the directory this store reads (its generation id; the directory name for a store
        of the previous layout)."""
        return self.path.name

    def dataset(self) -> ox.Store:
        """The store's own quads, read-only, as :func:`graphkit.rdf.export.write` takes them: the embedded
        export dumps these (every graph as built, the ontology's included) rather than rebuilding them from
        the records read back."""
        return self._store

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
                for r in self.select(sparql.stated(graph, values)):
                    _, cites = found.setdefault(r["h"].value, (int(r["line"].value), set()))
                    if r["cite"] is not None:
                        cites.add(r["cite"].value)
                out.update({h: (line, tuple(sorted(c))) for h, (line, c) in found.items()})
        return out

    @staticmethod
    def _day(day: dt.date) -> ox.Literal:
        return ox.Literal(day.isoformat(), datatype=XSD_DATE)

    def _on(self, as_of: dt.date | None) -> Bindings:
        """?day bound to the date, when there is one."""
        return {"day": self._day(as_of)} if as_of is not None else {}

    def _node(self, code: str) -> ox.NamedNode:
        return ox.NamedNode(str(org_iri(code)))

    # -- the primitive lookups (graphkit/store/shared.py answers the rest) -----------------------------------
    def _require(self, code: str) -> ox.NamedNode:
        node = self._node(code)
        if not self.select(sparql.REQUIRE, org=node):
            raise NotFound(f"no organisation with ODS code {code!r}", details={"code": code})
        return node

    def _organisation_record(self, code: str) -> OrgRecord:
        node = self._require(code)
        r = self.select(sparql.ORGANISATION, org=node)[0]
        names = [
            NameView(n["name"].value, _slug(n["g"].value), _date(n["vintage"]))  # type: ignore[arg-type]
            for n in self.select(sparql.NAMES, org=node)
        ]
        return OrgRecord(
            name=r["name"].value,
            all_kinds=tuple(sorted({_local(k["kind"].value) for k in self.select(sparql.KINDS, org=node)})),
            start=_date(r["start"]),
            end=_date(r["end"]),
            status=_text(r["status"]),
            fictional=r["fictional"] is not None and r["fictional"].value == "true",
            names=names,
            footprint_basis=_local_or_none(r["footprint"]),
            note=_text(r["note"]),
        )

    def _organisation_records(self) -> dict[str, OrgRecord]:
        kinds: dict[str, set[str]] = {}
        for k in self.select(sparql.ALL_KINDS):
            kinds.setdefault(k["code"].value, set()).add(_local(k["kind"].value))
        names: dict[str, list[NameView]] = {}
        for code, name, source, vintage in self._all_names():
            names.setdefault(code, []).append(NameView(name, source, vintage))
        records: dict[str, OrgRecord] = {}
        for r in self.select(sparql.ALL_ORGANISATIONS):
            code = r["code"].value
            if code in records:  # the first row, as _organisation_record takes it
                continue
            records[code] = OrgRecord(
                name=r["name"].value,
                all_kinds=tuple(sorted(kinds.get(code, ()))),
                start=_date(r["start"]),
                end=_date(r["end"]),
                status=_text(r["status"]),
                fictional=r["fictional"] is not None and r["fictional"].value == "true",
                names=names.get(code, []),
                roles=[],
                footprint_basis=_local_or_none(r["footprint"]),
                note=_text(r["note"]),
            )
        bounded = sorted(c for c, o in records.items() if set(o.all_kinds) & TIME_BOUNDED_CLASSES)
        for role in self._role_rows(bounded):
            cast(list[RoleRow], records[role.code].roles).append(role)
        return records

    def _ties(self, codes: list[str], direction: Direction, as_of: dt.date | None, kind: str | None) -> list[TieView]:
        if not codes:
            return []
        # the organisations bound first, as the member (up) or the organisation (down): Oxigraph then starts
        # from them (binding them after the tie pattern made it scan, ~40x slower)
        anchor = f"VALUES {'?m' if direction == 'up' else '?o'} {{ {_values(codes)} }}"
        if kind is not None:
            anchor += f" VALUES ?cls {{ <{PCG_NS}{kind}> }}"
        return self._tie_views(self.select(sparql.ties(anchor, dated=as_of is not None), **self._on(as_of)))

    def _ties_of_kinds(self, kinds: list[str], as_of: dt.date | None) -> list[TieView]:
        anchor = f"VALUES ?cls {{ {' '.join(f'<{PCG_NS}{k}>' for k in kinds)} }}"
        return self._tie_views(self.select(sparql.ties(anchor, dated=as_of is not None), **self._on(as_of)))

    @staticmethod
    def _tie_views(rows: list[dict[str, Any]]) -> list[TieView]:
        return [
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
                start_earliest=_date(r["lo"]),
                start_latest=_date(r["hi"]),
                start_basis=_text(r["basis"]),
                end_inferred=r["prec"] is not None and r["prec"].value == END_INFERRED_IRI,
            )
            for r in rows
        ]

    def projection_tie_rows(self) -> list[ProjectionTie]:
        return [(_local(r["kind"].value), r["mcode"].value, r["mname"].value, r["ocode"].value, r["oname"].value,
                 _date(r["start"]), _date(r["end"]))
                for r in self.select(sparql.PROJECTION_TIES)]

    def list_size_rows(self) -> list[tuple[str, str, int]]:
        return [(r["code"].value, r["fy"].value, int(r["size"].value)) for r in self.select(sparql.LIST_SIZES)]

    def _org_rows(self, q: str | None, kind: str | None, codes: list[str] | None) -> list[OrgRow]:
        bindings: Bindings = {}
        where = []
        if codes is not None:
            if not codes:
                return []
            where.append(f"VALUES ?o {{ {_values(codes)} }}")
        if kind is not None:
            where.append("?o a ?kindclass .")
            bindings["kindclass"] = ox.NamedNode(str(PCG_NS) + kind)
        if q:
            bindings["q"] = ox.Literal(q)
        rows = self.select(sparql.org_rows(" ".join(where), sparql.ORG_ROWS_TEXT if q else ""), **bindings)
        return [
            OrgRow(
                r["code"].value,
                r["name"].value,
                tuple(sorted({_local(k) for k in r["kinds"].value.split()})),
                _date(r["start"]),
                _date(r["end"]),
                int(r["size"].value) if r["size"] is not None else None,
                tuple(sorted(_local(f) for f in r["fns"].value.split())) if r["fns"] is not None else (),
                tuple(sorted(_local(f) for f in r["exits"].value.split())) if r["exits"] is not None else (),
            )
            for r in rows
        ]

    def _role_rows(self, codes: list[str]) -> list[RoleRow]:
        roles: list[RoleRow] = []
        for i in range(0, len(codes), 500):
            roles.extend(
                RoleRow(
                    h["code"].value, h["role"].value.rsplit("/", 1)[-1], _date(h["start"]), _date(h["end"]),
                    tuple(sorted(_slug(s) for s in h["sources"].value.split())),
                )
                for h in self.select(sparql.role_rows(_values(codes[i : i + 500])))
            )
        return roles

    def contract_key_rows(self) -> list[ContractKey]:
        return [(r["fy"].value, r["code"].value, r["c"].value, _text(r["ctype"]) or "",
                 tuple(sorted(set(r["ccs"].value.split())) if r["ccs"] is not None else ()),
                 None if r["disp"] is None else r["disp"].value in ("true", "1"))
                for r in self.select(sparql.CONTRACT_KEYS)]

    def _contract_page(self, iris: list[str]) -> list[ContractView]:
        out: list[ContractView] = []
        for i in range(0, len(iris), 2000):
            values = " ".join(f"<{iri}>" for iri in iris[i : i + 2000])
            out.extend(self._contract_views(f"VALUES ?c {{ {values} }} ?c pcg:contractHolder ?p ."))
        return sorted(out)

    def _contract_views(self, pattern: str) -> list[ContractView]:
        rows = self.select(sparql.contracts(pattern))
        lines = self._stated({r["c"].value: r["src"].value for r in rows})
        services: dict[str, list[tuple[str, float]]] = {}
        for r in self.select(sparql.contract_services(pattern)):
            services.setdefault(r["c"].value, []).append((_local(r["svc"].value), float(r["paid"].value)))
        return [
            ContractView(
                financial_year=r["fy"].value,
                holder=r["code"].value,
                holder_name=r["name"].value,
                contract_type=r["ctype"].value,
                commissioner=_text(r["cc"]),
                list_size=int(r["size"].value) if r["size"] is not None else None,
                weighted_list_size=float(r["wsize"].value) if r["wsize"] is not None else None,
                dispensing=r["disp"].value == "true" if r["disp"] is not None else None,
                rurality=_text(r["rur"]),
                amount_gbp=float(r["amount"].value) if r["amount"] is not None else None,
                services=tuple(sorted(services.get(r["c"].value, ()))),
                source=_slug(r["src"].value),
                line=lines[r["c"].value][0],
            )
            for r in rows
        ]

    def _provenance(self, code: str) -> list[StatementView]:
        org = f"<{org_iri(code)}>"  # an IRI built from the code (unsafe characters escaped), not user text
        return [
            StatementView(
                _local(r["cls"].value),
                r["fact"].value,
                _slug(r["g"].value),
                r["file"].value,
                _date(r["vintage"]),  # type: ignore[arg-type]
                int(r["line"].value),
            )
            for r in self.select(sparql.provenance(org))
        ]

    def _posts(self, organisation: str | None, person: str | None, as_of: dt.date | None) -> list[PostView]:
        where = []
        if organisation is not None:
            where.append(f"?post org:postIn <{org_iri(organisation)}> .")
        if person is not None:
            where.append(f"?h org:member <{ID}person/{_person_segment(person)}> .")
        rows = self.select(sparql.posts(" ".join(where), as_of is not None), **self._on(as_of))
        stated = self._stated({r["h"].value: r["src"].value for r in rows})
        return [
            PostView(
                person_id=r["pid"].value,
                person_name=r["pname"].value,
                organisation=r["ocode"].value,
                organisation_name=r["oname"].value,
                role=_local_or_none(r["role"]),
                title=_text(r["title"]),
                start=_date(r["start"]),
                end=_date(r["end"]),
                represents=_text(r["rep"]),
                appointment=_local_or_none(r["app"]),
                voting=r["voting"].value == "true" if r["voting"] is not None else None,
                source=_slug(r["src"].value),
                line=stated[r["h"].value][0],
                citations=stated[r["h"].value][1],
                commissioning=r["comm"].value == "true" if r["comm"] is not None else None,
                note=_text(r["note"]),
            )
            for r in rows
        ]

    def _lateral_ties(self, as_of: dt.date | None) -> list[LateralTieView]:
        rows = self.select(sparql.lateral_ties(as_of is not None), **self._on(as_of))
        stated = self._stated({r["t"].value: r["src"].value for r in rows})
        return [
            LateralTieView(
                kind=_local(r["cls"].value),
                tie_from=r["from"].value,
                tie_to=r["to"].value,
                start=_date(r["start"]),
                end=_date(r["end"]),
                hood_mode=_local_or_none(r["mode"]),
                mechanism=_text(r["mech"]),
                arena=_text(r["arena"]),
                source=_slug(r["src"].value),
                line=stated[r["t"].value][0],
                initiated_by=_text(r["by"]),
                horizon=_text(r["horizon"]),
                status=_local_or_none(r["status"]),
                monitored=r["monitored"].value == "true" if r["monitored"] is not None else None,
                sanction=_local_or_none(r["sanction"]),
                compliance=_local_or_none(r["compliance"]),
                function=_local_or_none(r["fn"]),
                end_unknown=r["precision"] is not None and _local(r["precision"].value) == "EndUnknown",
                citations=stated[r["t"].value][1],
                selection_basis=_local_or_none(r["basis"]),
                outcome=_local_or_none(r["outcome"]),
                lot=_text(r["lot"]),
                note=_text(r["note"]),
            )
            for r in rows
        ]

    def _agreements(self, as_of: dt.date | None) -> list[AgreementView]:
        rows = self.select(sparql.agreements(as_of is not None), **self._on(as_of))
        stated = self._stated({r["c"].value: r["src"].value for r in rows})
        out = []
        for r in rows:
            classes = {_local(c) for c in r["classes"].value.split()} - {"Contract"}
            out.append(
                AgreementView(
                    contract_id=r["id"].value,
                    kind=sorted(classes)[0] if classes else "Contract",
                    holder=r["holder"].value,
                    commissioner=_text(r["comm"]),
                    service=_local_or_none(r["svc"]),
                    parent=_text(r["parent"]),
                    start=_date(r["start"]),
                    end=_date(r["end"]),
                    amount_gbp=float(r["amount"].value) if r["amount"] is not None else None,
                    delivered_by=tuple(sorted(set(r["delivered"].value.split()))) if r["delivered"] else (),
                    supported_by=tuple(sorted(set(r["supporters"].value.split()))) if r["supporters"] else (),
                    source=_slug(r["src"].value),
                    line=stated[r["c"].value][0],
                    note=_text(r["note"]),
                    succeeds=_text(r["succ"]),
                )
            )
        return out

    def _membership_terms(self) -> list[MembershipTermsView]:
        said: dict[tuple[str, str, str, dt.date | None], dict[str, str | None]] = {}
        for r in self.select(sparql.MEMBERSHIP_TERMS):
            found = said.setdefault((_local(r["cls"].value), r["m"].value, r["o"].value, _date(r["start"])), {})
            for key, var, read in (("note", "note", _text), ("tier", "tier", _local_or_none),
                                   ("exit_reason", "exit", _local_or_none)):
                if r[var] is not None:
                    found[key] = read(r[var])
        return [MembershipTermsView(*key, **terms) for key, terms in said.items()]  # type: ignore[arg-type]

    def _person(self, person_id: str) -> PersonView | None:
        node = f"<{ID}person/{_person_segment(person_id)}>"
        rows = self.select(sparql.person(node))
        if not rows:
            return None
        r = rows[0]
        line, citations = self._stated({node[1:-1]: r["src"].value})[node[1:-1]]
        return PersonView(
            person_id=person_id,
            name=r["name"].value,
            fictional=r["fictional"] is not None and r["fictional"].value == "true",
            source=_slug(r["src"].value),
            line=line,
            citations=citations,
        )

    def _events(self, code: str) -> list[EventView]:
        return self._event_rows(f"<{org_iri(code)}>")  # an IRI built from the code (unsafe characters escaped)

    def _all_events(self) -> list[EventView]:
        return self._event_rows(None)

    def _all_names(self) -> list[NameRow]:
        return [(r["code"].value, r["name"].value, _slug(r["g"].value), _date(r["vintage"]))  # type: ignore[misc]
                for r in self.select(sparql.ALL_NAMES)]

    def _event_rows(self, org: str | None) -> list[EventView]:
        return [
            EventView(
                _date(r["day"]),  # type: ignore[arg-type]
                _local(r["cls"].value),
                tuple(sorted(r["originals"].value.split())),
                r["rcode"].value,
                tuple(sorted(_slug(s) for s in r["sources"].value.split())),
            )
            for r in self.select(sparql.events(org))
        ]

    def count_organisations(self) -> int:
        return int(self.select(sparql.COUNT_ORGS)[0]["n"].value)

    def _kind_counts(self) -> dict[str, int]:
        return {_local(r["kind"].value): int(r["n"].value) for r in self.select(sparql.KIND_COUNTS)}

    def source_files(self) -> list[Source]:
        return sorted((
            Source(slug=_slug(r["s"].value), file_name=r["file"].value, kind=r["kind"].value,
                   vintage=dt.date.fromisoformat(r["vintage"].value), sha256=r["sha"].value,
                   publisher=r["publisher"].value, licence=r["licence"].value,
                   title=r["title"].value if r["title"] is not None else "")
            for r in self.select(sparql.SOURCE_FILES)
        ), key=lambda s: s.slug)

    def _source_slugs(self) -> tuple[str, ...]:
        return tuple(sorted(_slug(str(g.value)) for g in self._store.named_graphs()))

    def _fact_count(self) -> int:
        return len(self._store)

    def close(self) -> None:
        """Close the store and release its generation (a later clean may then delete it). Idempotent."""
        if hasattr(self, "_store"):
            del self._store
        self._lease.release()
