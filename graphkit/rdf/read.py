"""The inverse of :mod:`graphkit.rdf.emit`: a dataset (the embedded store, or any quads in our model) read
back into the merged-graph records, so that other stores are loaded from the embedded store's content
and ``emit(read(dataset))`` gives the dataset again.

What the RDF says is all that comes back: where the mapping keeps less than the records (a statement's
pairing of line and dates when one file states the same fact on several lines, an event's tie kind and
member count), the records rebuilt here emit the same quads, which is what a round trip needs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from graphkit.core.gcpause import collector_paused
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
from graphkit.core.namespaces import ID, ODSROLE_NS, PCG_NS
from graphkit.ingest.merge import ChangeEvent, MergedGraph, MergedOrganisation, MergedRole, MergedTie, Statement
from graphkit.ontology.vocab import PCG
from graphkit.rdf import mapping
from graphkit.rdf.emit import RESOLVED

_PCG = str(PCG_NS)
_ORG_PREFIX = str(ID) + "org/"
_SOURCE_PREFIX = str(ID) + "source/"

# predicates, as plain strings
TYPE, LABEL, PREF = str(RDF.type), str(RDFS.label), str(SKOS.prefLabel)
DERIVED_FROM = str(PROV.wasDerivedFrom)
MEMBER, ORGANIZATION, MEMBER_DURING = str(ORG.member), str(ORG.organization), str(ORG.memberDuring)
ORIGINAL, RESULTING = str(ORG.originalOrganization), str(ORG.resultingOrganization)
BEGIN, END, IN_DATE = str(TIME.hasBeginning), str(TIME.hasEnd), str(TIME.inXSDDate)
INTERVAL, ONE_DAY, INSTANT = str(TIME.ProperInterval), str(TIME.Interval), str(TIME.Instant)
VALID_DURING, LINE, OBSERVED_ON = str(PCG.validDuring), str(PCG.sourceLine), str(PCG.observedOn)
CITATION, DC_SOURCE, DC_IDENTIFIER = str(PCG.citation), str(DCTERMS.source), str(DCTERMS.identifier)
ATTESTED_BY, STARTED_AT = str(PCG.attestedBy), str(PROV.startedAtTime)
LIST_SIZE = str(PCG.listSize)
_PERSON_PREFIX = str(ID) + "person/"


class _IRIs:
    """A namespace's IRIs as strings, each made once: ``PCG_IRI.listSize`` is ``str(PCG.listSize)`` (rdflib builds a
    new URIRef on every attribute access, millions of times over a national read)."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        value = str(getattr(self._namespace, name))
        setattr(self, name, value)
        return value


PCG_IRI = _IRIs(PCG)
ORG_IRI = _IRIs(ORG)


class UnreadableDataset(ValueError):
    """The dataset holds a fact the model cannot place (named in the message)."""


_LITERAL_VALUE: dict[str, Any] = {  # datatype IRI -> the Python value of a literal's text (read once per literal)
    str(XSD.date): dt.date.fromisoformat,
    str(XSD.integer): int,
    str(XSD.decimal): float,
    str(XSD.boolean): lambda text: text in ("true", "1"),
}


def _value(term: Any) -> Any:
    """A Python value from an Oxigraph term: IRIs as strings, typed literals as their values."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        convert = _LITERAL_VALUE.get(term.datatype.value)
        return term.value if convert is None else convert(term.value)
    raise UnreadableDataset(f"blank nodes are not part of the model: {term}")


Subjects = dict[str, dict[str, list[Any]]]


def _subjects(quads: Iterable[Any]) -> Subjects:
    """Each subject's values by predicate, from Oxigraph quads (any source of quads; :func:`_subjects_of_text`
    reads a whole graph faster)."""
    out: Subjects = defaultdict(lambda: defaultdict(list))
    for q in quads:
        out[q.subject.value][q.predicate.value].append(_value(q.object))
    return out


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescaped(match: re.Match[str]) -> str:
    code = match[1] or match[2]
    return chr(int(code, 16)) if code else _ESCAPED[match[3]]


def _subjects_of_text(text: str) -> Subjects:
    """What :func:`_subjects` gives, from one graph as N-Triples written by Oxigraph (``Store.dump``): one
    triple a line, ``<s> <p> object .``, IRIs unescaped and without spaces, literals quoted with ``\\``
    escapes and then a datatype (``^^<...>``) or a language (``@...``). Reading the text is several times
    quicker than building a Python object per term, and Oxigraph writes it without holding Python's lock."""
    out: Subjects = {}
    convert = _LITERAL_VALUE
    seen: dict[str, Any] = {}  # typed literal text (with its datatype) -> value: dates and small numbers repeat
    last, props = "", {}  # Oxigraph writes a graph subject by subject
    for line in text.split("\n"):  # not splitlines(): a literal may hold U+2028 and others unescaped
        if not line:
            continue
        s, p, o = line.split(" ", 2)
        if s != last:
            if s[0] != "<":
                raise UnreadableDataset(f"blank nodes are not part of the model: {s}")
            last = s
            props = out.setdefault(s[1:-1], {})
        o = o[:-2]  # " ."
        first, end = o[0], o[-1]
        if first == "<":
            value: Any = o[1:-1]
        elif first != '"':
            raise UnreadableDataset(f"blank nodes are not part of the model: {o}")
        elif end == '"':
            value = o[1:-1]
            if "\\" in value:
                value = _ESCAPE.sub(_unescaped, value)
        elif end == ">":
            value = seen.get(o)
            if value is None:
                i = o.rfind('"^^<')
                value = o[1:i]
                if "\\" in value:
                    value = _ESCAPE.sub(_unescaped, value)
                f = convert.get(o[i + 4 : -1])
                if f is not None:
                    value = f(value)
                    if len(seen) < 1_000_000:
                        seen[o] = value
        else:  # a language tag: the text alone, as _value gives it
            value = o[1 : o.rfind('"@')]
            if "\\" in value:
                value = _ESCAPE.sub(_unescaped, value)
        values = props.get(p[1:-1])
        if values is None:
            props[p[1:-1]] = [value]
        else:
            values.append(value)
    return out


class _GraphTexts:
    """The store's graphs as N-Triples text, written out by Oxigraph on another thread (it releases Python's lock
    while it writes) in the order given, at most :data:`AHEAD` graphs ahead of the one this thread reads (the text of
    the whole store at once would be hundreds of megabytes); a graph asked out of order is written out then."""

    AHEAD = 2

    def __init__(self, store: ox.Store, graphs: list[str]) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._waiting = list(reversed(graphs))  # the next to submit last
        self._texts: dict[str, Future[bytes]] = {}
        self._submit()

    def _submit(self) -> None:
        while self._waiting and len(self._texts) < self.AHEAD:
            graph = self._waiting.pop()
            self._texts[graph] = self._pool.submit(self._dump, graph)

    def _dump(self, graph: str) -> bytes:
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""

    def subjects(self, graph: str) -> Subjects:
        found = self._texts.pop(graph, None)
        if found is None and graph in self._waiting:
            self._waiting.remove(graph)
        self._submit()
        data = found.result() if found is not None else self._dump(graph)
        return _subjects_of_text(data.decode())

    def close(self) -> None:
        for future in self._texts.values():
            future.cancel()
        self._pool.shutdown(wait=True)


def _event_day(event: str, props: dict[str, list[Any]]) -> dt.date:
    """The day a change event took effect: the date of its prov:startedAtTime (the start of that day)."""
    start = _one(props, STARTED_AT)
    if start is None:
        raise UnreadableDataset(f"the change event {event} has no prov:startedAtTime (a v1 graph dated events "
                                "with pcg:eventDate: migrate it, docs/ontology.md)")
    return dt.date.fromisoformat(str(start)[:10])


def _one(props: dict[str, list[Any]], pred: str, default: Any = None) -> Any:
    values = props.get(pred)
    return values[0] if values else default


def _bounds(props: dict[str, list[Any]]) -> tuple[dt.date, dt.date] | None:
    """A tie's start bounds (pcg:startEarliest, pcg:startLatest), when its start was seen between snapshots."""
    lo, hi = _one(props, PCG_IRI.startEarliest), _one(props, PCG_IRI.startLatest)
    return (lo, hi) if lo is not None and hi is not None else None


def _intervals(subjects: Subjects) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    def day(instant: str | None) -> dt.date | None:
        return _one(subjects[instant], IN_DATE) if instant is not None and instant in subjects else None

    return {
        s: (day(_one(p, BEGIN)), day(_one(p, END)))
        for s, p in subjects.items()
        if INTERVAL in p.get(TYPE, ()) or ONE_DAY in p.get(TYPE, ())
    }


def _pcg_kinds(props: dict[str, list[Any]]) -> list[str]:
    return sorted(t[len(_PCG) :] for t in props.get(TYPE, ()) if isinstance(t, str) and t.startswith(_PCG))


def code_of(iri: str) -> str:
    if not iri.startswith(_ORG_PREFIX):
        raise UnreadableDataset(f"not an organisation IRI: {iri}")
    from urllib.parse import unquote

    return unquote(iri[len(_ORG_PREFIX) :])


def _fields(p: dict[str, list[Any]], fields: tuple[mapping.Field, ...]) -> dict[str, Any]:
    """The record's fields (keyword arguments) that RDF holds as one property of the subject, by the record
    type's table (graphkit/rdf/mapping.py): organisation IRIs as codes, ontology terms as local names."""
    out = {}
    for f in fields:
        if f.pred is None:
            continue
        if f.rdf == "orgs":
            out[f.attr] = tuple(sorted(code_of(x) for x in p.get(f.pred, []))) or f.default
            continue
        v = _one(p, f.pred)
        if v is None:
            out[f.attr] = f.default
        elif f.rdf == "org":
            out[f.attr] = code_of(v)
        elif f.rdf == "pcg":
            out[f.attr] = _local_pcg(v)
        else:
            out[f.attr] = v
    return out


def _source(iri: str, p: dict[str, list[Any]]) -> Source:
    return Source(slug=_slug(iri), **_fields(p, mapping.SOURCE))


def _slug(iri: str) -> str:
    from urllib.parse import unquote

    return unquote(iri[len(_SOURCE_PREFIX) :]) if iri.startswith(_SOURCE_PREFIX) else iri


def _pad(values: list[Any], n: int) -> list[Any]:
    """``n`` values from a list (None when empty, the last one repeated when short)."""
    values = sorted(values, key=lambda v: (v is None, str(v)))
    return [values[min(i, len(values) - 1)] if values else None for i in range(n)]


def read_dataset(store: ox.Store) -> MergedGraph:
    """The merged graph a dataset in our model holds (resolved graph + one graph per source).

    The quads are read as text (:func:`_subjects_of_text`), graph by graph, while the next graphs are written out
    on another thread; the collector is paused meanwhile (millions of small objects and no cycles among them)."""
    graphs = sorted(g.value for g in store.named_graphs() if g.value.startswith(_SOURCE_PREFIX))
    texts = _GraphTexts(store, [str(RESOLVED), *graphs])
    try:
        with collector_paused():
            return _read(texts)
    finally:
        texts.close()


def _read(texts: _GraphTexts) -> MergedGraph:
    resolved = texts.subjects(str(RESOLVED))
    intervals = _intervals(resolved)
    sources: dict[str, Source] = {}
    for s, p in resolved.items():
        if PCG_IRI.SourceDocument in p.get(TYPE, ()):
            sources[s] = _source(s, p)

    graph = MergedGraph()
    contracts: dict[str, ContractFact] = {}
    contract_source: dict[str, str] = {}
    payments: list[tuple[str, dict[str, list[Any]], str]] = []
    curated: dict[str, tuple[str, dict[str, list[Any]]]] = {}  # fact IRI -> (what, resolved properties)
    posts: dict[str, dict[str, list[Any]]] = {}
    curated_lines: dict[str, tuple[int, tuple[str, ...]]] = {}
    facts: dict[str, Any] = {}  # fact IRI -> the record its source statements attach to
    membership_terms: list[tuple[str, Relation]] = []  # (source graph, the terms of a curated membership)
    for s, p in resolved.items():
        types = p.get(TYPE, ())
        if ORG_IRI.FormalOrganization in types:
            start, end = intervals.get(_one(p, VALID_DURING), (None, None))
            o = MergedOrganisation(
                **_fields(p, mapping.ORGANISATION),
                kinds=set(_pcg_kinds(p)),
                start=start,
                end=end,
                central_functions={_local_pcg(f) or "" for f in p.get(PCG_IRI.centralFunction, [])},
                exit_costs={_local_pcg(f) or "" for f in p.get(PCG_IRI.exitCost, [])},
                resolved_name=_one(p, PREF),
            )
            graph.organisations[o.code] = o
            facts[s] = o
        elif PCG_IRI.PostHolding in types:  # a membership of a person, with a role: before the ties
            curated[s] = ("post", p)
        elif ORG_IRI.Membership in types or PCG_IRI.DatedRelation in types:
            relation = PCG_IRI.DatedRelation in types
            kinds = [k for k in _pcg_kinds(p) if k != "DatedRelation"]
            start, end = intervals[_one(p, VALID_DURING if relation else MEMBER_DURING)]
            ev = _one(p, PCG_IRI.endEvidence)
            derived = _one(p, PCG_IRI.assertionType) == "derived"
            t = MergedTie(
                kind=kinds[0],
                member=code_of(_one(p, PCG_IRI.fromOrganisation if relation else MEMBER)),
                organisation=code_of(_one(p, PCG_IRI.toOrganisation if relation else ORGANIZATION)),
                start=start,
                end=end,
                dated=not derived or ev is not None,
                end_evidence=sources[ev] if ev is not None else None,
                start_interval=_bounds(p),
                start_basis=_one(p, PCG_IRI.startBasis),
                end_inferred=_one(p, PCG_IRI.endPrecision) == PCG_IRI.EndInferred,
            )
            graph.ties.append(t)
            facts[s] = t
            terms = _fields(p, mapping.MEMBERSHIP_TERMS)
            if any(terms.values()):  # a curated row's note, tier, exit reason (ontology 2.4.0)
                stated_by = sorted(p.get(DERIVED_FROM, ()),
                                   key=lambda g: (not sources[g].kind.startswith("curated"), g))
                membership_terms.append((stated_by[0], Relation(t.kind, t.member, t.organisation, 0, start=t.start,
                                                                end=t.end, **terms)))
        elif PCG_IRI.RoleHolding in types:
            start, end = intervals[_one(p, VALID_DURING)]
            m = MergedRole(
                code=code_of(_one(p, PCG_IRI.holder)),
                role=_one(p, PCG_IRI.odsRole)[len(str(ODSROLE_NS)) :],
                start=start,
                end=end,
                rule=_one(p, PCG_IRI.derivationRule),
            )
            graph.roles.append(m)
            facts[s] = m
        elif ORG_IRI.ChangeEvent in types:
            graph.events.append(
                ChangeEvent(
                    kind=_pcg_kinds(p)[0],
                    originals=tuple(sorted(code_of(o) for o in p.get(ORIGINAL, ()))),
                    result=code_of(_one(p, RESULTING)),
                    day=_event_day(s, p),
                    tie_kind="",
                    members_moved=0,
                    sources=tuple(sources[g] for g in sorted(p.get(ATTESTED_BY, ()))),
                )
            )
        elif PCG_IRI.Person in types:
            curated[s] = ("person", p)
        elif ORG_IRI.Post in types:
            posts[s] = p
        elif PCG_IRI.Contract in types and DC_IDENTIFIER in p:
            curated[s] = ("agreement", p)
        elif PCG_IRI.Tie in types:
            curated[s] = ("delivery" if PCG_IRI.deliversUnder in p else "tie", p)
        elif PCG_IRI.Contract in types:
            contracts[s] = ContractFact(**_fields(p, mapping.CONTRACT), line=0)  # the line: from the source graph
            contract_source[s] = _one(p, DERIVED_FROM)
        elif PCG_IRI.underContract in p:
            payments.append((s, p, _one(p, PCG_IRI.underContract)))

    # who said what: each source's own graph
    lines_of_contract: dict[str, int] = {}
    for g, src in sources.items():
        stated = texts.subjects(g)
        g_intervals = _intervals(stated)
        for s, p in stated.items():
            if s == g or s in g_intervals or INSTANT in p.get(TYPE, ()):
                continue
            if s in contracts:
                lines_of_contract[s] = _one(p, LINE)
                continue
            citations = _citations(p)
            if s in curated:
                curated_lines[s] = (_one(p, LINE), citations)
                continue
            fact = facts.get(s)
            if fact is None:
                raise UnreadableDataset(f"{src.file_name}: a statement about {s}, which the resolved graph lacks")
            periods = [g_intervals[i] for i in p.get(VALID_DURING, []) + p.get(MEMBER_DURING, [])]
            lines, observed = p.get(LINE, []), p.get(OBSERVED_ON, [])
            if isinstance(fact, MergedOrganisation):
                labels, sizes = p.get(LABEL, []), p.get(LIST_SIZE, [])
                functions = tuple(sorted(_local_pcg(f) or "" for f in p.get(PCG_IRI.centralFunction, [])))
                exits = tuple(sorted(_local_pcg(f) or "" for f in p.get(PCG_IRI.exitCost, [])))
                basis = _local_pcg(_one(p, PCG_IRI.footprintBasis))
                n = max(len(lines), len(labels), len(periods), len(sizes), 1)
                for line, label, period, size in zip(
                    _pad(lines, n), _pad(labels, n), _pad(periods, n), _pad(sizes, n), strict=True
                ):
                    start, end = period or (None, None)
                    fact.statements.append(
                        (src, Organisation(fact.code, label, (), line, start=start, end=end, list_size=size,
                                           citations=citations, central_functions=functions, exit_costs=exits,
                                           footprint_basis=basis))
                    )
                    fact.names.append((src.vintage, label, src))
            else:
                n = max(len(lines), len(periods), len(observed), 1)
                for line, period, seen in zip(_pad(lines, n), _pad(periods, n), _pad(observed, n), strict=True):
                    start, end = period or (None, None)
                    fact.statements.append(Statement(src, line, start, end, seen, citations))

    by_source: dict[str, ImportResult] = {g: ImportResult(source=src) for g, src in sorted(sources.items())}
    for s, c in contracts.items():
        c = ContractFact(**{**c.__dict__, "line": lines_of_contract.get(s, 0)})
        contracts[s] = c
        by_source[contract_source[s]].contracts.append(c)
    for _, p, under in payments:
        c = contracts[under]
        by_source[contract_source[under]].payments.append(
            ServicePayment(
                practice=c.practice,
                financial_year=c.financial_year,
                service=_one(p, PCG_IRI.paymentFor)[len(_PCG) :],
                amount=_one(p, PCG_IRI.amountGBP),
                line=c.line,
            )
        )
    for g, rel in membership_terms:
        by_source[g].relations.append(rel)
    _read_curated(curated, posts, curated_lines, intervals, by_source)
    graph.results = list(by_source.values())
    return graph


def _citations(p: dict[str, list[Any]]) -> tuple[str, ...]:
    return tuple(sorted(p.get(CITATION, []) + p.get(DC_SOURCE, [])))


def _local_pcg(iri: str | None) -> str | None:
    return iri[len(_PCG) :] if iri is not None else None


def _read_curated(
    curated: dict[str, tuple[str, dict[str, list[Any]]]],
    posts: dict[str, dict[str, list[Any]]],
    lines: dict[str, tuple[int, tuple[str, ...]]],
    intervals: dict[str, tuple[dt.date | None, dt.date | None]],
    by_source: dict[str, ImportResult],
) -> None:
    """People, post holdings, curated contracts, deliveries and lateral ties back into their tables."""
    ids = {s: _one(p, DC_IDENTIFIER) for s, (what, p) in curated.items() if what == "agreement"}

    def code(iri: str | None) -> str | None:
        return code_of(iri) if iri is not None else None

    for s, (what, p) in sorted(curated.items()):
        result = by_source[_one(p, DERIVED_FROM)]
        line, citations = lines.get(s, (0, ()))
        start, end = intervals.get(_one(p, VALID_DURING) or _one(p, MEMBER_DURING), (None, None))
        if what == "person":
            result.people.append(Person(**_fields(p, mapping.PERSON), line=line, citations=citations))
        elif what == "post":
            post = posts[_one(p, PCG_IRI.post)]
            result.posts.append(
                PostHolding(
                    person_id=_one(p, MEMBER)[len(_PERSON_PREFIX) :],
                    organisation=code_of(_one(post, ORG_IRI.postIn)),
                    role=_local_pcg(_one(post, ORG_IRI.role)),
                    line=line,
                    title=_one(post, LABEL),
                    start=start,
                    end=end,
                    represents=code(_one(p, PCG_IRI.represents)),
                    appointment=_local_pcg(_one(p, PCG_IRI.appointmentMode)),
                    voting=_one(post, PCG_IRI.voting),
                    citations=citations,
                    commissioning=_one(p, PCG_IRI.commissioningRole),
                    note=_one(p, PCG_IRI.note),
                )
            )
        elif what == "agreement":
            kinds = [k for k in _pcg_kinds(p) if k != "Contract"]
            parent = _one(p, PCG_IRI.parentContract)
            result.agreements.append(
                Agreement(
                    **_fields(p, mapping.AGREEMENT),
                    kind=kinds[0] if kinds else "Contract",
                    line=line,
                    parent=ids[parent] if parent is not None else None,
                    succeeds=ids[succeeds] if (succeeds := _one(p, PCG_IRI.succeeds)) is not None else None,
                    start=start,
                    end=end,
                    citations=citations,
                )
            )
        elif what == "delivery":
            result.deliveries.append(
                Delivery(
                    **_fields(p, mapping.DELIVERY),
                    provider=code_of(_one(p, PCG_IRI.tieFrom)),
                    contract_id=ids[_one(p, PCG_IRI.deliversUnder)],
                    line=line,
                    start=start,
                    end=end,
                    citations=citations,
                )
            )
        else:
            kinds = [k for k in _pcg_kinds(p) if k != "Tie"]
            result.lateral_ties.append(
                LateralTie(
                    **_fields(p, mapping.LATERAL_TIE),
                    kind=kinds[0],
                    tie_from=code_of(_one(p, PCG_IRI.tieFrom)),
                    tie_to=code_of(_one(p, PCG_IRI.tieTo)),
                    line=line,
                    start=start,
                    end=end,
                    citations=citations,
                )
            )
