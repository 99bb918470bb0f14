"""Every tie the graph holds, national and curated, in one list (GET /ties): the memberships and dated relations of
:class:`~graphkit.store.areas.TieIndex` (PCN membership, commissioner assignment, system membership, federation
membership, units, collaborations, ...) and the curated lateral and governance ties (risk sharing, peer network,
staff sharing, caretaking, competition, funding, governance, directive, approach, bid, ...), each as one
:class:`AnyTie`. Read once per store object and kept (:func:`~graphkit.store.areas.held`), by kind and by code, so a
national query is a filter in memory."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter
from graphkit.store.areas import SearchIndex, TieIndex, held
from graphkit.store.base import GraphStore, LateralTieView, MembershipTermsView, TieView, tie_kinds

End = Literal["either", "from", "to"]


@dataclass(frozen=True)
class AnyTie:
    """One tie of either family: ``membership`` (``tie_from`` is the member, ``tie_to`` the organisation) or
    ``lateral`` (curated, ``tie_from`` -> ``tie_to`` as the table gives them)."""

    kind: str
    family: str  # "membership" or "lateral"
    tie_from: str
    from_name: str | None
    tie_to: str
    to_name: str | None
    start: dt.date | None
    end: dt.date | None
    sources: tuple[str, ...] = ()  # slugs of the files stating it
    derived: bool = False
    end_evidence: str | None = None
    # a lateral tie's columns (docs/curated.md)
    line: int | None = None
    citations: tuple[str, ...] = ()
    hood_mode: str | None = None
    mechanism: str | None = None
    arena: str | None = None
    initiated_by: str | None = None
    horizon: str | None = None
    status: str | None = None
    monitored: bool | None = None
    sanction: str | None = None
    compliance: str | None = None
    function: str | None = None
    end_unknown: bool = False
    selection_basis: str | None = None
    outcome: str | None = None
    lot: str | None = None
    # what a curated row says beyond the tie (ontology 2.4.0): its note; a membership's tier and exit reason
    note: str | None = None
    tier: str | None = None
    exit_reason: str | None = None


def any_tie_key(t: AnyTie) -> tuple[str, dt.date, str, str, int]:
    """The order of GET /ties: kind, start (undated first), from, to, then the table line."""
    return (t.kind, t.start or dt.date.min, t.tie_from, t.tie_to, t.line or 0)


@functools.cache
def lateral_kinds() -> tuple[str, ...]:
    """The ontology's tie classes (subclasses of pcg:Tie): the kinds of the curated lateral and governance ties."""
    from graphkit.ingest.curated.tables import vocabulary

    return vocabulary()["tie"]


@functools.cache
def all_kinds() -> tuple[str, ...]:
    """Every kind GET /ties accepts: the memberships and dated relations, then the lateral ties."""
    return tuple(sorted({*tie_kinds(), *lateral_kinds()}))


def check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds asked for, each a tie or membership kind of the ontology; BadParameter (422) naming the unknown ones
    and the allowed ones."""
    asked = tuple(dict.fromkeys(kinds))
    unknown = [k for k in asked if k not in all_kinds()]
    if unknown:
        raise BadParameter(f"unknown tie kind {', '.join(map(repr, unknown))}; one of: {', '.join(all_kinds())}",
                           details={"parameter": "kind", "unknown": unknown, "allowed": list(all_kinds())})
    return asked


def _membership(t: TieView, terms: dict[tuple[str, str, str, dt.date | None], MembershipTermsView]) -> AnyTie:
    said = terms.get((t.kind, t.member, t.organisation, t.start))
    return AnyTie(t.kind, "membership", t.member, t.member_name, t.organisation, t.organisation_name, t.start, t.end,
                  tuple(t.sources), t.derived, t.end_evidence, note=said.note if said else None,
                  tier=said.tier if said else None, exit_reason=said.exit_reason if said else None)


def _lateral(t: LateralTieView, names: dict[str, str]) -> AnyTie:
    return AnyTie(
        t.kind, "lateral", t.tie_from, names.get(t.tie_from), t.tie_to, names.get(t.tie_to), t.start, t.end,
        (t.source,), line=t.line, citations=tuple(t.citations), hood_mode=t.hood_mode, mechanism=t.mechanism,
        arena=t.arena, initiated_by=t.initiated_by, horizon=t.horizon, status=t.status, monitored=t.monitored,
        sanction=t.sanction, compliance=t.compliance, function=t.function, end_unknown=t.end_unknown,
        selection_basis=t.selection_basis, outcome=t.outcome, lot=t.lot, note=t.note,
    )


class AllTies:
    """Every tie, in the order of :func:`any_tie_key`, by kind and by each end's code."""

    def __init__(self, ties: Iterable[AnyTie]) -> None:
        self.all = sorted(ties, key=any_tie_key)
        self.by_kind: dict[str, list[int]] = {}
        self.by_from: dict[str, list[int]] = {}
        self.by_to: dict[str, list[int]] = {}
        for i, t in enumerate(self.all):
            self.by_kind.setdefault(t.kind, []).append(i)
            self.by_from.setdefault(t.tie_from, []).append(i)
            self.by_to.setdefault(t.tie_to, []).append(i)

    @staticmethod
    def of(store: GraphStore) -> AllTies:
        def build() -> AllTies:
            names = {r.code: r.name for r in SearchIndex.of(store).rows}
            terms = {(m.kind, m.member, m.organisation, m.start): m for m in store.membership_terms()}
            memberships = (_membership(t, terms) for t in TieIndex.of(store).all)
            lateral = (_lateral(t, names) for t in store.lateral_ties())
            return AllTies([*memberships, *lateral])

        return held(store, "_all_ties", build)

    def select(self, *, kinds: Iterable[str] = (), organisation: str | None = None, end: End = "either",
               as_of: dt.date | None = None, area: set[str] | None = None) -> list[AnyTie]:
        """The ties of ``kinds`` (every kind when none), with ``organisation`` at the ``end`` asked for, holding on
        ``as_of`` (any date when None), with an end in ``area`` (when given); in the order of :func:`any_tie_key`."""
        ids: set[int] | None = None
        wanted = tuple(kinds)
        if wanted:
            ids = {i for k in wanted for i in self.by_kind.get(k, ())}
        if organisation is not None:
            at: set[int] = set()
            if end in ("either", "from"):
                at.update(self.by_from.get(organisation, ()))
            if end in ("either", "to"):
                at.update(self.by_to.get(organisation, ()))
            ids = at if ids is None else ids & at
        rows: Iterable[int] = range(len(self.all)) if ids is None else sorted(ids)
        out = []
        for i in rows:
            t = self.all[i]
            if as_of is not None and not holds_on(t.start, t.end, as_of):
                continue
            if area is not None and t.tie_from not in area and t.tie_to not in area:
                continue
            out.append(t)
        return out
