"""Export an area of the graph as of a date: ``GET /export?format=...&within=CODE&as_of=DATE``.

:func:`area_graph` asks any :class:`~graphkit.store.base.GraphStore` for the organisations open on the
date inside an area (or in the whole country), their role holdings and the ties between them that hold
on the date. The serialisers turn that one :class:`AreaGraph` into Turtle or JSON-LD (the resolved graph,
written by the same mapping that built the embedded store, :mod:`graphkit.rdf.emit`), GraphML or CSV.

Every serialiser sorts what it writes, so the same area gives the same bytes from either store.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graphkit.core.cells import neutralise
from graphkit.core.model import Source
from graphkit.core.namespaces import PREFIXES
from graphkit.core.nhs import LOCAL_CODE_SYSTEM, ODS_CODE_SYSTEM
from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter
from graphkit.ingest.merge import MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.ontology.vocab import PCG
from graphkit.rdf.emit import RESOLVED, QuadSink, emit_organisation, emit_role, emit_tie, role_iri
from graphkit.store.areas import SearchIndex, TieIndex, descendants, require_known
from graphkit.store.base import GraphStore, OrgRow, RoleRow, TieView, kinds_on, level_of, role_key
from graphkit.store.economy import economy_list_sizes

MEDIA_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "turtle": "text/turtle",
        "jsonld": "application/ld+json",
        "graphml": "application/graphml+xml",
        "csv": "text/csv",
    }
)
RDF_FORMATS: Mapping[str, ox.RdfFormat] = MappingProxyType(
    {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}
)
CSV_TABLES = ("organisations", "ties")
FICTIONAL_PREFIX = "ZZF"  # reserved for case-study organisations (ontology/shapes.ttl, ReservedCodeShape)


# -- the area ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaOrganisation:
    """An organisation of the area: what the store's bulk lookup gives (:class:`OrgRow`), with the kinds it
    has on the export's date."""

    code: str
    name: str
    kinds: tuple[str, ...]  # the kinds on the date (kinds_on)
    all_kinds: tuple[str, ...]  # every kind it has had: the RDF types of the resolved graph
    start: dt.date | None
    end: dt.date | None
    list_size: int | None = None  # as a curated table states it (the resolved graph's pcg:listSize)
    central_functions: tuple[str, ...] = ()
    fictional: bool = False
    #: registered patients as known on the date: the latest payments year on or before it, else the curated figure
    list_size_on_date: int | None = None
    list_size_year: str | None = None  # the financial year of that figure (2022-23); None for a curated figure

    @property
    def level(self) -> str:
        """Its level in the commissioning hierarchy on the date (practice, PCN, commissioner, ...)."""
        return level_of(self.kinds)


@dataclass(frozen=True)
class AreaGraph:
    """What an export holds: organisations open on ``as_of`` within ``within`` (everywhere when None),
    their role holdings as the stores' bulk lookup gives them (every holding, over all of history, of the
    organisations whose kinds change with time: CCG / sub-ICB location, STP / ICB; it is what decides
    their kinds on a date), and the ties holding on ``as_of`` with both ends among them. All sorted."""

    within: str | None
    as_of: dt.date
    organisations: tuple[AreaOrganisation, ...]
    roles: tuple[RoleRow, ...]
    ties: tuple[TieView, ...]


def area_graph(store: GraphStore, within: str | None, as_of: dt.date) -> AreaGraph:
    """The organisations, role holdings and ties of an area (or of the whole country) as of a date.
    An unknown ``within`` raises NotFound naming the code."""
    if within is None:  # every organisation: the rows the store's search index already holds
        index = SearchIndex.of(store)
        rows, roles = index.rows, [r for held_roles in index.roles.values() for r in held_roles]
    else:
        require_known(store, within)  # NotFound names the code
        rows, roles = store.org_rows(codes=sorted(descendants(store, within, as_of)))
    open_rows = [r for r in rows if holds_on(r.start, r.end, as_of)]
    codes = {r.code for r in open_rows}
    roles = [r for r in roles if r.code in codes]
    organisations = _organisations(store, open_rows, roles, as_of)
    return AreaGraph(
        within=within,
        as_of=as_of,
        organisations=organisations,
        roles=tuple(sorted(roles, key=role_key)),
        ties=_ties_within(store, codes, as_of, whole_country=within is None),
    )


def _organisations(
    store: GraphStore, rows: list[OrgRow], roles: list[RoleRow], as_of: dt.date
) -> tuple[AreaOrganisation, ...]:
    """Each row with its kinds on the date and its list size as known on the date (:func:`economy_list_sizes`: the
    payments file of the financial year holding the date, or of the latest earlier year held; for an organisation
    without one, the size a curated table states, without a year). OrgRow does not say whether an organisation is
    fictional; only codes with the reserved prefix can be, so only they are asked (one lookup each, none in
    national data)."""
    by_code: dict[str, list[RoleRow]] = {}
    for r in roles:
        by_code.setdefault(r.code, []).append(r)
    paid = economy_list_sizes(store, [row.code for row in rows], as_of)
    out = []
    for row in rows:
        fictional = row.code.startswith(FICTIONAL_PREFIX) and store.organisation(row.code, as_of).fictional
        size, year = paid.get(row.code, (row.list_size, None))
        out.append(
            AreaOrganisation(
                code=row.code,
                name=row.name,
                kinds=kinds_on(row.all_kinds, by_code.get(row.code, ()), as_of),
                all_kinds=row.all_kinds,
                start=row.start,
                end=row.end,
                list_size=row.list_size,
                central_functions=row.central_functions,
                fictional=fictional,
                list_size_on_date=size,
                list_size_year=year,
            )
        )
    return tuple(sorted(out, key=lambda o: o.code))


def _ties_within(store: GraphStore, codes: set[str], as_of: dt.date, *, whole_country: bool) -> tuple[TieView, ...]:
    """Ties holding on the date with both ends in ``codes``: for an area, the ties up from each of its
    organisations (a tie inside the area is found from its member); for the country, every tie of every
    kind on every date, held in the store's :class:`TieIndex`, then those holding on the date."""
    if whole_country:
        found = [t for t in TieIndex.of(store).all if holds_on(t.start, t.end, as_of)]
    else:
        found = store.ties_of_many(sorted(codes), "up", as_of=as_of)
    inside = {t for t in found if t.member in codes and t.organisation in codes}
    return tuple(sorted(inside, key=_tie_key))


def _tie_key(t: TieView) -> tuple[str, str, str, dt.date, dt.date]:
    return (t.kind, t.member, t.organisation, t.start or dt.date.min, t.end or dt.date.max)


def _iri_of_role(r: RoleRow) -> str:
    return role_iri(MergedRole(r.code, r.role, r.start, r.end)).strip("<>")


# -- RDF ----------------------------------------------------------------------------------------------


@functools.cache
def _source(slug: str) -> Source:
    """A source known only by its slug. The emit functions read only the slug for the resolved graph; the
    other fields reach only the source graphs, which the export leaves out."""
    return Source(slug=slug, file_name=slug, kind="", vintage=dt.date.min, sha256="", publisher="", licence="")


def _statements(slugs: Iterable[str]) -> list[Statement]:
    """One statement per source file, as :func:`graphkit.rdf.emit.emit_tie` and ``emit_role`` cite them; the
    line is a placeholder written only to the source graph, which is not exported."""
    return [Statement(source=_source(s), line=1) for s in slugs]


def merged_organisation(o: AreaOrganisation) -> MergedOrganisation:
    return MergedOrganisation(
        code=o.code,
        kinds=set(o.all_kinds),
        start=o.start,
        end=o.end,
        fictional=o.fictional,
        list_size=o.list_size,
        central_functions=set(o.central_functions),
        resolved_name=o.name,
    )


def merged_tie(t: TieView) -> MergedTie:
    """The tie as the mapping takes it. A derived tie closed by a newer file's silence names that file
    (``end_evidence``); any other derived tie had its period derived from observations (``dated=False``)."""
    return MergedTie(
        kind=t.kind,
        member=t.member,
        organisation=t.organisation,
        start=t.start,
        end=t.end,
        statements=_statements(t.sources),
        dated=not t.derived or t.end_evidence is not None,
        end_evidence=_source(t.end_evidence) if t.end_evidence is not None else None,
        start_interval=(t.start_earliest, t.start_latest)
        if t.start_earliest is not None and t.start_latest is not None else None,
        start_basis=t.start_basis,
        end_inferred=t.end_inferred,
    )


def merged_role(r: RoleRow) -> MergedRole:
    return MergedRole(r.code, r.role, r.start, r.end, statements=_statements(r.sources))


def resolved_ntriples(area: AreaGraph) -> bytes:
    """The area's resolved graph as sorted, duplicate-free N-Triples. Written by :mod:`graphkit.rdf.emit`, then
    filtered: the source graphs are dropped, and so is the assertion type of role holdings, which the
    store's RoleRow does not give (a period derived by merge rule 5 would otherwise be called reported). The
    identifier systems of the two kinds of code (ODS, local) are stated, so that the codes can be read alone.
    Sorting whole lines keeps each subject's statements together, so Turtle can group them."""
    sink = QuadSink()
    for o in area.organisations:
        emit_organisation(merged_organisation(o), sink)
    for r in area.roles:
        emit_role(merged_role(r), sink)
    for t in area.ties:
        emit_tie(merged_tie(t), sink)
    graph_end = f" <{RESOLVED}> .\n"
    assertion = f" <{PCG.assertionType}> "
    roles = {f"<{_iri_of_role(r)}>" for r in area.roles}
    lines = {
        line[: -len(graph_end)] + " .\n"
        for line in sink.lines
        if line.endswith(graph_end) and not (assertion in line and line.split(" ", 1)[0] in roles)
    }
    any_uri = "^^<http://www.w3.org/2001/XMLSchema#anyURI>"
    lines |= {f'<{PCG.odsCode}> <{PCG.identifierSystem}> "{ODS_CODE_SYSTEM}"{any_uri} .\n',
              f'<{PCG.localCode}> <{PCG.identifierSystem}> "{LOCAL_CODE_SYSTEM}"{any_uri} .\n'}
    return "".join(sorted(lines)).encode("utf-8")


def to_rdf(area: AreaGraph, fmt: str, *, context: str | Mapping[str, Any] | None = None) -> bytes:
    """The area's resolved graph as Turtle (with the project's prefixes, by pyoxigraph) or as JSON-LD compacted
    with the published context (:func:`to_jsonld`; ``context`` is its URL, or None to embed it)."""
    if fmt not in RDF_FORMATS:
        raise BadParameter(
            f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}", details={"parameter": "format"}
        )
    if fmt == "jsonld":
        return to_jsonld(area, context)
    triples = (q.triple for q in ox.parse(resolved_ntriples(area), format=ox.RdfFormat.N_TRIPLES))
    out = ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=dict(PREFIXES))
    assert out is not None  # no output stream given: the bytes are returned
    return out


# -- compacted JSON-LD -----------------------------------------------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class _Compactor:
    """What compacting with the published context (ontology/context.jsonld) needs: the prefixes, and for each
    IRI that has a term its key and typing (``@id``, a datatype IRI, or None)."""

    prefixes: tuple[tuple[str, str], ...]  # (namespace, prefix), longest namespace first
    terms: Mapping[str, tuple[str, str | None]]  # property or class IRI -> (term, typing)

    @classmethod
    @functools.cache
    def published(cls) -> _Compactor:
        from graphkit.ontology.contextgen import load_context

        context = load_context()
        prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
        found: dict[str, tuple[str, str | None]] = {}

        def expand(value: str) -> str:
            prefix, _, local = value.partition(":")
            return prefixes[prefix] + local if prefix in prefixes else value

        for key, definition in context.items():
            if key in prefixes:
                continue
            iri, typing = (definition, None) if isinstance(definition, str) else (
                definition.get("@id", key), definition.get("@type"))
            typing = typing if typing in (None, "@id") else expand(typing)
            found.setdefault(expand(iri), (key, typing))
        order = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: (-len(x[0]), x[1]))
        return cls(tuple(order), MappingProxyType(found))

    def iri(self, iri: str) -> str:
        """An IRI as a compact IRI (``id:org/A81001``) when a prefix fits, else whole."""
        for ns, prefix in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def key(self, iri: str) -> tuple[str, str | None]:
        return self.terms.get(iri) or (self.iri(iri), None)

    def node_id(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term: Any, typing: str | None) -> Any:
        """An object as the context lets it be written: a plain string when the term's typing says what it is
        (an IRI under ``@id``, a literal of the term's datatype), JSON's own strings, integers and booleans,
        else a value or node object."""
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return self.node_id(term) if typing == "@id" else {"@id": self.node_id(term)}
        datatype = term.datatype.value
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if typing is not None and datatype == typing:
            return term.value
        if typing is None and datatype == _XSD + "string":
            return term.value
        if typing is None and datatype == _XSD + "boolean" and term.value in ("true", "false"):
            return term.value == "true"
        if typing is None and datatype == _XSD + "integer" and term.value.lstrip("-").isdigit() \
                and str(int(term.value)) == term.value:
            return int(term.value)
        if datatype == _XSD + "string":
            return {"@value": term.value}
        return {"@value": term.value, "@type": self.iri(datatype)}


def to_jsonld(area: AreaGraph, context: str | Mapping[str, Any] | None = None) -> bytes:
    """The area's resolved graph (the same triples as its Turtle) as JSON-LD compacted with the published context
    (ontology/context.jsonld, served at ``GET /context.jsonld``): ``{"@context": ..., "@graph": [...]}``, one
    node object per subject, sorted, one a line. ``context`` is what ``@context`` says: the context's URL (a
    string), or None to embed the context itself, so that the file needs nothing else to be read offline."""
    from graphkit.ontology.contextgen import load_context

    c = _Compactor.published()
    nodes: dict[str, dict[str, Any]] = {}
    for q in ox.parse(resolved_ntriples(area), format=ox.RdfFormat.N_TRIPLES):
        node = nodes.setdefault(q.subject.value, {"@id": c.node_id(q.subject)})
        if q.predicate.value == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(c.key(q.object.value)[0])
            continue
        key, typing = c.key(q.predicate.value)
        node.setdefault(key, []).append(c.value(q.object, typing))
    lines = []
    for subject in sorted(nodes):
        node = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in nodes[subject].items()}
        lines.append(json.dumps(node, ensure_ascii=False, sort_keys=True))
    head = json.dumps(load_context() if context is None else context, ensure_ascii=False, sort_keys=True)
    return ('{"@context": ' + head + ',\n"@graph": [\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")


# -- GraphML ------------------------------------------------------------------------------------------


def area_to_networkx(area: AreaGraph) -> nx.MultiDiGraph:
    """The area as a graph: organisations (name, kinds on the date, level, start, end, list_size and
    list_size_year as known on the date) and ties
    from member to organisation (kind, start, end, derived, sources), the attribute names
    :func:`graphkit.store.shared.economy` uses."""
    g = nx.MultiDiGraph(as_of=area.as_of, within=area.within)
    for o in area.organisations:
        g.add_node(o.code, name=o.name, kinds=list(o.kinds), level=o.level, start=o.start, end=o.end,
                   list_size=o.list_size_on_date, list_size_year=o.list_size_year)
    for t in area.ties:
        g.add_edge(t.member, t.organisation, kind=t.kind, start=t.start, end=t.end, derived=t.derived,
                   sources=list(t.sources))
    return g


def _scalar(value: Any) -> Any:
    """A GraphML attribute value: lists joined with "; ", dates as ISO text, None left out (by the caller)."""
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "; ".join(str(_scalar(v)) for v in items)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _scalars(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _scalar(v) for k, v in sorted(data.items()) if v is not None}


def to_graphml(g: nx.Graph) -> bytes:
    """Any networkx graph (the area's, or a store's ``economy``) as GraphML, UTF-8. GraphML holds only
    scalar attributes, so they are converted first (see :func:`_scalar`) on a copy; nodes and edges are
    written in sorted order so equal graphs give equal bytes."""
    h = g.__class__()
    h.graph.update(_scalars(g.graph))
    for n in sorted(g.nodes):
        h.add_node(n, **_scalars(g.nodes[n]))
    edges = g.edges(data=True, keys=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    for u, v, _, data in sorted(edges, key=lambda e: (str(e[0]), str(e[1]), sorted(_scalars(e[3]).items()))):
        h.add_edge(u, v, **_scalars(data))
    return ("\n".join(nx.generate_graphml(h, encoding="utf-8")) + "\n").encode("utf-8")


# -- CSV ----------------------------------------------------------------------------------------------


def cell(value: object) -> str:
    """One CSV cell: empty for None, ISO dates, numbers as they are, text neutralised (:func:`neutralise`)."""
    return _cell(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)  # a number is a number, even a negative one
    if isinstance(value, tuple):
        return neutralise("; ".join(str(v) for v in value))
    return neutralise(str(value))


ORGANISATION_COLUMNS = ("code", "name", "kinds", "level", "start", "end", "list_size", "list_size_year")
TIE_COLUMNS = ("kind", "member", "member_name", "organisation", "organisation_name", "start", "end", "derived",
               "sources")


def _organisation_rows(area: AreaGraph) -> Iterable[tuple[object, ...]]:
    return ((o.code, o.name, o.kinds, o.level, o.start, o.end, o.list_size_on_date, o.list_size_year)
            for o in area.organisations)


def _tie_rows(area: AreaGraph) -> Iterable[tuple[object, ...]]:
    return ((t.kind, t.member, t.member_name, t.organisation, t.organisation_name, t.start, t.end, t.derived,
             t.sources) for t in area.ties)


_TABLES: Mapping[str, tuple[tuple[str, ...], Callable[[AreaGraph], Iterable[tuple[object, ...]]]]] = (
    MappingProxyType({"organisations": (ORGANISATION_COLUMNS, _organisation_rows), "ties": (TIE_COLUMNS, _tie_rows)})
)


def to_csv(area: AreaGraph, table: str) -> bytes:
    """One table of the area as CSV with a header row: ``organisations`` (one row each, kinds on the date)
    or ``ties`` (one row each). Lists are "; "-joined, dates ISO, booleans true/false, unknowns empty; text that
    a spreadsheet would read as a formula is neutralised (:func:`neutralise`)."""
    if table not in _TABLES:
        raise BadParameter(
            f"unknown table {table!r}; choose one of {', '.join(CSV_TABLES)}", details={"parameter": "table"}
        )
    columns, rows = _TABLES[table]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows(area))
    return buffer.getvalue().encode("utf-8")


# -- one entry point for the API ---------------------------------------------------------------------


def render(area: AreaGraph, fmt: str, *, table: str = "organisations") -> bytes:
    """The area in one of :data:`MEDIA_TYPES`' formats (``table`` picks the CSV table)."""
    if fmt in RDF_FORMATS:
        return to_rdf(area, fmt)
    if fmt == "graphml":
        return to_graphml(area_to_networkx(area))
    if fmt == "csv":
        return to_csv(area, table)
    raise BadParameter(
        f"unknown export format {fmt!r}; choose one of {', '.join(MEDIA_TYPES)}", details={"parameter": "format"}
    )
