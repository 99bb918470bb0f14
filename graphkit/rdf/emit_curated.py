"""Curated facts (graphkit/ingest/curated/) to RDF quads: people, posts, contracts, deliveries and lateral ties.
Each fact is stated in the resolved graph; the source's graph holds the line it was read from and its citations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from rdflib.namespace import FOAF, ORG

from graphkit.core.model import (
    Agreement,
    Delivery,
    ImportResult,
    LateralTie,
    Person,
    PostHolding,
    Relation,
    joined_note,
)
from graphkit.core.namespaces import ID, fact_iri, segment
from graphkit.ontology.vocab import PCG
from graphkit.rdf import quads as q
from graphkit.rdf.quads import QuadSink, _cite, _graph, _i, _org, _pcg, lit


def person_iri(person_id: str) -> str:
    return _i(ID[f"person/{segment(person_id)}"])


def _post_kind(p: PostHolding) -> str:
    """What tells two posts of one person in one organisation apart: the role, else the title."""
    return p.role or p.title or "_"


def post_iri(p: PostHolding) -> str:
    """One org:Post per holding (a seat held by this person from this day)."""
    return _i(fact_iri("post", p.organisation, _post_kind(p), p.person_id, p.start))


def post_holding_iri(p: PostHolding) -> str:
    return _i(fact_iri("postholding", p.person_id, p.organisation, _post_kind(p), p.start))


def agreement_iri(contract_id: str) -> str:
    return _i(fact_iri("agreement", contract_id))


def delivery_iri(d: Delivery) -> str:
    return _i(fact_iri("delivery", d.provider, d.contract_id, d.start))


def lateral_tie_iri(t: LateralTie) -> str:
    return _i(fact_iri("tie", t.kind, t.tie_from, t.tie_to, t.start))


#: Fields added to the curated records after their IRIs were first hashed (ontology 2.3.0): left out of a row's hash
#: while empty, so that a table without the new columns gives the same IRIs as before.
_LATER_FIELDS = frozenset({"selection_basis", "outcome", "lot", "commissioning", "succeeds"})
#: Fields never hashed: a row's note (ontology 2.4.0) is the curator's words, not what the row states, so rows that
#: differ only in their note are told apart by their line, as before the note was loaded.
_UNHASHED = frozenset({"note"})


def _content_hash(fact: Any, *, with_line: bool) -> str:
    values = [(f.name, getattr(fact, f.name)) for f in dataclasses.fields(fact)
              if (with_line or f.name != "line") and f.name not in _UNHASHED
              and not (f.name in _LATER_FIELDS and getattr(fact, f.name) is None)]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()[:10]


def _distinct(facts: Iterable[Any], base: Callable[[Any], str]) -> dict[Any, str]:
    """Each fact's IRI: ``base(fact)``, unless rows that differ in some column share it (a tie, post or
    delivery stated twice from one day with a different end, mechanism, source ...). Then each gets the base
    plus ``/v-`` and a hash of what it states, so that no two rows merge into one node and no row takes another's
    values. Equal records are one fact; rows that differ only in a column not loaded (a note) are told apart
    by their line."""
    groups: dict[str, list[Any]] = {}
    for f in facts:
        groups.setdefault(base(f), []).append(f)
    out: dict[Any, str] = {}
    for iri, group in groups.items():
        distinct = list(dict.fromkeys(group))
        if len(distinct) == 1:
            out[distinct[0]] = iri
            continue
        hashes = [_content_hash(f, with_line=False) for f in distinct]
        for f, h in zip(distinct, hashes, strict=True):
            if hashes.count(h) > 1:
                h = _content_hash(f, with_line=True)
            out[f] = f"{iri[:-1]}/v-{h}>"
    return out


class CuratedIRIs:
    """The IRIs of the curated facts of a build (posts and their holdings, deliveries, lateral ties), each fact
    its own node: made once over every result, by the RDF writer and the Neo4j loader alike."""

    def __init__(self, results: Iterable[ImportResult]) -> None:
        results = list(results)
        posts = [p for r in results for p in r.posts]
        self._holding = _distinct(posts, post_holding_iri)
        self._post = _distinct(posts, post_iri)  # the seat too: two rows may give it a different vote or title
        self._delivery = _distinct((d for r in results for d in r.deliveries), delivery_iri)
        self._tie = _distinct((t for r in results for t in r.lateral_ties), lateral_tie_iri)

    def post(self, p: PostHolding) -> str:
        return self._post.get(p) or post_iri(p)

    def post_holding(self, p: PostHolding) -> str:
        return self._holding.get(p) or post_holding_iri(p)

    def delivery(self, d: Delivery) -> str:
        return self._delivery.get(d) or delivery_iri(d)

    def tie(self, t: LateralTie) -> str:
        return self._tie.get(t) or lateral_tie_iri(t)


def _sourced(s: str, line: int, citations: tuple[str, ...], g: str, sink: QuadSink) -> None:
    """The resolved fact cites its source; the source's graph holds the line and the citations."""
    sink.add(s, q.DERIVED_FROM, g, _i(q.RESOLVED))
    sink.add(s, q.LINE, lit(line), g)
    _cite(s, citations, g, sink)


def _dated(s: str, start: dt.date | None, end: dt.date | None, sink: QuadSink, during: str = q.VALID_DURING) -> None:
    if start is not None or end is not None:
        sink.add(s, during, sink.interval(start, end, _i(q.RESOLVED)), _i(q.RESOLVED))


class _Dated(Protocol):
    """What every dated curated record has: its period and where it was read."""

    @property
    def start(self) -> dt.date | None: ...
    @property
    def end(self) -> dt.date | None: ...
    @property
    def line(self) -> int: ...
    @property
    def citations(self) -> tuple[str, ...]: ...


def _reported(s: str, fact: _Dated, g: str, sink: QuadSink, *, assertion: bool = True,
              during: str = q.VALID_DURING) -> None:
    """The tail of a dated curated fact: ``pcg:assertionType "reported"`` (unless ``assertion`` is false), its
    period (``during``: org:memberDuring for a membership) and its source."""
    if assertion:
        sink.add(s, q.P_assertionType, lit("reported"), _i(q.RESOLVED))
    _dated(s, fact.start, fact.end, sink, during)
    _sourced(s, fact.line, fact.citations, g, sink)


def emit_person(p: Person, g: str, sink: QuadSink) -> None:
    r, s = _i(q.RESOLVED), person_iri(p.person_id)
    sink.add(s, q.A, _i(PCG.Person), r)
    sink.add(s, q.A, _i(FOAF.Person), r)
    sink.add(s, _i(PCG.personId), lit(p.person_id), r)
    sink.add(s, q.LABEL, lit(p.name), r)
    if p.fictional:
        sink.add(s, q.P_fictional, lit(True), r)
    _note(s, p.note, sink)
    _sourced(s, p.line, p.citations, g, sink)


def emit_post(p: PostHolding, g: str, sink: QuadSink, iris: CuratedIRIs | None = None) -> None:
    iris = iris or CuratedIRIs([])
    r, post, s = _i(q.RESOLVED), iris.post(p), iris.post_holding(p)
    sink.add(post, q.A, _i(ORG.Post), r)
    sink.add(post, _i(ORG.postIn), _org(p.organisation), r)
    if p.role:
        sink.add(post, _i(ORG.role), _pcg(p.role), r)
    if p.title:
        sink.add(post, q.LABEL, lit(p.title), r)
    if p.voting is not None:
        sink.add(post, _i(PCG.voting), lit(p.voting), r)
    # a membership with a role, as W3C ORG records a post held: the person, the post's organisation and role
    sink.add(s, q.A, _i(PCG.PostHolding), r)
    sink.add(s, q.A, q.MEMBERSHIP, r)
    sink.add(s, _i(PCG.post), post, r)
    sink.add(s, q.MEMBER, person_iri(p.person_id), r)
    sink.add(s, q.ORGANIZATION, _org(p.organisation), r)
    if p.role:
        sink.add(s, _i(ORG.role), _pcg(p.role), r)
    sink.add_set(s, r, (_i(PCG.represents), _org, p.represents), (_i(PCG.appointmentMode), _pcg, p.appointment))
    if p.commissioning is not None:
        sink.add(s, _i(PCG.commissioningRole), lit(p.commissioning), r)
    _note(s, p.note, sink)
    _reported(s, p, g, sink, during=q.MEMBER_DURING)


def emit_agreement(a: Agreement, g: str, sink: QuadSink) -> None:
    r, s = _i(q.RESOLVED), agreement_iri(a.contract_id)
    sink.add(s, q.A, q.P_Contract, r)
    if a.kind != "Contract":
        sink.add(s, q.A, _pcg(a.kind), r)
    sink.add(s, q.DC_IDENTIFIER, lit(a.contract_id), r)
    sink.add(s, q.P_contractHolder, _org(a.holder), r)
    sink.add_set(
        s, r, (q.P_commissioner, _org, a.commissioner), (_i(PCG.forService), _pcg, a.service),
        (_i(PCG.parentContract), agreement_iri, a.parent),
    )
    if a.amount is not None:
        sink.add(s, q.P_amountGBP, lit(float(a.amount)), r)
    for code in a.supported_by:
        sink.add(s, _i(PCG.supportedBy), _org(code), r)
    if a.succeeds is not None:
        sink.add(s, _i(PCG.succeeds), agreement_iri(a.succeeds), r)
    _note(s, a.note, sink)
    _reported(s, a, g, sink, assertion=False)


def emit_delivery(d: Delivery, g: str, sink: QuadSink, iris: CuratedIRIs | None = None) -> None:
    """The contract is delivered by the provider (pcg:deliveredBy); the dated fact is a service-provision
    tie from the provider to the holder, under the contract."""
    r, s, contract = _i(q.RESOLVED), (iris or CuratedIRIs([])).delivery(d), agreement_iri(d.contract_id)
    sink.add(contract, _i(PCG.deliveredBy), _org(d.provider), r)
    sink.add(s, q.A, _i(PCG.Tie), r)
    sink.add(s, q.A, _i(PCG.ServiceProvisionTie), r)
    sink.add(s, _i(PCG.tieFrom), _org(d.provider), r)
    sink.add(s, _i(PCG.tieTo), _org(d.holder), r)
    sink.add(s, _i(PCG.deliversUnder), contract, r)
    _note(s, d.note, sink)
    _reported(s, d, g, sink)


def emit_lateral_tie(t: LateralTie, g: str, sink: QuadSink, iris: CuratedIRIs | None = None) -> None:
    r, s = _i(q.RESOLVED), (iris or CuratedIRIs([])).tie(t)
    sink.add(s, q.A, _i(PCG.Tie), r)
    sink.add(s, q.A, _pcg(t.kind), r)
    sink.add(s, _i(PCG.tieFrom), _org(t.tie_from), r)
    sink.add(s, _i(PCG.tieTo), _org(t.tie_to), r)
    sink.add_set(
        s, r, (_i(PCG.hoodMode), _pcg, t.hood_mode), (_i(PCG.mechanism), lit, t.mechanism),
        (_i(PCG.competitionArena), lit, t.arena), (_i(PCG.initiatedBy), _org, t.initiated_by),
        (_i(PCG.horizon), lit, t.horizon), (_i(PCG.tieStatus), _pcg, t.status),
        (_i(PCG.sanction), _pcg, t.sanction), (_i(PCG.compliance), _pcg, t.compliance),
        (_i(PCG.dependsOnFunction), _pcg, t.function), (_i(PCG.selectionBasis), _pcg, t.selection_basis),
        (_i(PCG.outcome), _pcg, t.outcome), (_i(PCG.lot), lit, t.lot),
    )
    if t.monitored is not None:
        sink.add(s, _i(PCG.monitored), lit(t.monitored), r)
    if t.status == "TieEnded" and t.end is None:
        sink.add(s, q.P_endPrecision, _i(PCG.EndUnknown), r)
    _note(s, t.note, sink)
    _reported(s, t, g, sink)


def _note(s: str, note: str | None, sink: QuadSink) -> None:
    """The row's note (pcg:note), on the fact in the resolved graph: where the fact is read, its note is."""
    if note:
        sink.add(s, _i(PCG.note), lit(note), _i(q.RESOLVED))


def membership_iri(rel: Relation) -> str:
    """The IRI of the resolved membership a curated row states (graphkit/rdf/emit.py ``tie_iri``: one per kind,
    member, organisation and start)."""
    return _i(fact_iri("membership", rel.kind, rel.member, rel.organisation, rel.start))


def emit_membership_terms(relations: Iterable[Relation], sink: QuadSink) -> None:
    """What a curated membership row says beyond the tie the merge resolves (ontology 2.4.0): its note, its tier
    and why it ended, on the resolved membership. Two rows stating one membership give one note (both, joined)."""
    r = _i(q.RESOLVED)
    notes: dict[str, str | None] = {}
    for rel in relations:
        if not (rel.note or rel.tier or rel.exit_reason):
            continue  # a national relation
        s = membership_iri(rel)
        sink.add_set(s, r, (_i(PCG.membershipTier), _pcg, rel.tier), (_i(PCG.exitReason), _pcg, rel.exit_reason))
        notes[s] = joined_note(notes.get(s), rel.note)
    for s, said in notes.items():
        if said:
            sink.add(s, _i(PCG.note), lit(said), r)


def emit_curated(result: ImportResult, sink: QuadSink, iris: CuratedIRIs | None = None) -> None:
    """``iris``: the build's (:class:`CuratedIRIs` over every result); by default, this result's alone."""
    g = _graph(result.source.slug)
    iris = iris or CuratedIRIs([result])
    emit_membership_terms(result.relations, sink)
    for p in result.people:
        emit_person(p, g, sink)
    for post in result.posts:
        emit_post(post, g, sink, iris)
    for a in result.agreements:
        emit_agreement(a, g, sink)
    for d in result.deliveries:
        emit_delivery(d, g, sink, iris)
    for t in result.lateral_ties:
        emit_lateral_tie(t, g, sink, iris)

