"""What both stores answer the same way, written once: :class:`SharedStore`, which the stores subclass, keeping
only how they ask their database (the primitive lookups named in the class), while the answers' checks, as-of
rules and order are here. The free functions it uses over any store live in :mod:`graphkit.store.areas` (the
chain above an organisation, the area below one, the search and its index) and :mod:`graphkit.store.economy`
(the economy around an organisation with its list sizes, the boundary spanners among posts); they are named
here too, where callers have always found them."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import networkx as nx

from graphkit.core import contract_kinds
from graphkit.core.nhs import ICB_DAY, ROLE_CLASS, TIME_BOUNDED_CLASSES
from graphkit.core.temporal import holds_on
from graphkit.errors import NotFound
from graphkit.store.areas import (
    MAX_AREA_DEPTH,
    SearchIndex,
    TieIndex,
    build_hierarchy,
    contract_area,
    descendants,
    held,
    is_held,
    relevance,
    require_known,
    search,
    tie_key,
)
from graphkit.store.base import (
    AgreementView,
    ContractKey,
    ContractView,
    Direction,
    EventView,
    GraphStore,
    HierarchyLevel,
    LateralTieView,
    MembershipTermsView,
    NameRow,
    NameView,
    OrganisationHit,
    OrganisationView,
    OrgRow,
    PersonView,
    PostView,
    ProjectionTie,
    RoleRow,
    SearchOrder,
    StatementView,
    StoreSummary,
    TieView,
    financial_year_end,
    kinds_on,
    post_key,
    role_key,
)
from graphkit.store.economy import (
    COMMISSIONER_SIDE,
    ECONOMY_CATEGORIES,
    FEDERATION_SIDE,
    boundary_spanners,
    economy,
    economy_curated_edges,
    economy_list_sizes,
    list_size_index,
)
from graphkit.store.layers import add_curated_layers, curated_history

__all__ = [
    "COMMISSIONER_SIDE",
    "ECONOMY_CATEGORIES",
    "FEDERATION_SIDE",
    "MAX_AREA_DEPTH",
    "OrgRecord",
    "ProjectionIndex",
    "SearchIndex",
    "SharedStore",
    "TieIndex",
    "boundary_spanners",
    "build_hierarchy",
    "contract_area",
    "descendants",
    "economy",
    "economy_curated_edges",
    "economy_list_sizes",
    "held",
    "list_size_index",
    "relevance",
    "search",
]


@dataclass(frozen=True)
class OrgRecord:
    """An organisation as a store holds it, before the as-of rules: what :meth:`SharedStore.organisation` asks
    of a store."""

    name: str
    all_kinds: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    status: str | None
    fictional: bool
    names: Iterable[NameView]
    roles: list[RoleRow] | None = None  # its role holdings, when the store has them at hand (else asked)
    footprint_basis: str | None = None  # curated: a concept of pcg:FootprintBasisScheme (ontology 2.5.0)
    note: str | None = None  # curated: its rows' notes, joined (ontology 2.6.0)


def lateral_key(t: LateralTieView) -> tuple[str, str, str, dt.date, int]:
    return (t.kind, t.tie_from, t.tie_to, t.start or dt.date.min, t.line)


class SharedStore:
    """What both stores answer the same way, written once over their primitive lookups (the methods below that
    raise NotImplementedError): each store subclasses it and keeps only what differs, how it asks its
    database. The checks (unknown codes, years), the as-of rules and the order of every answer are here."""

    kind: str

    # -- the primitive lookups each store answers ------------------------------------------------------------
    def _require(self, code: str) -> object:
        """The organisation's node; NotFound naming the code when the store does not hold it."""
        raise NotImplementedError

    def _role_rows(self, codes: list[str]) -> list[RoleRow]:
        """The ODS role holdings of these organisations, with the files stating each."""
        raise NotImplementedError

    def _organisation_record(self, code: str) -> OrgRecord:
        """The organisation as held; NotFound naming the code when the store does not hold it."""
        raise NotImplementedError

    def _organisation_records(self) -> dict[str, OrgRecord]:
        """Every organisation as held, by code, read in bulk, each with its role holdings (``roles``: those of an
        organisation of a time-bounded kind, else none), for :func:`record_index`. Empty when the store has no
        bulk read of them: each is then asked with :meth:`_organisation_record`."""
        return {}

    def _ties(self, codes: list[str], direction: Direction, as_of: dt.date | None, kind: str | None) -> list[TieView]:
        """:meth:`ties_of_many`, in any order."""
        raise NotImplementedError

    def _ties_of_kinds(self, kinds: list[str], as_of: dt.date | None) -> list[TieView]:
        """:meth:`ties_of_kinds`, in any order."""
        raise NotImplementedError

    def _org_rows(self, q: str | None, kind: str | None, codes: list[str] | None) -> list[OrgRow]:
        """The organisations of :meth:`org_rows`, without their role holdings."""
        raise NotImplementedError

    def _contract_page(self, iris: list[str]) -> list[ContractView]:
        """The practice contracts with these IRIs, in the answer's order."""
        raise NotImplementedError

    def _posts(self, organisation: str | None, person: str | None, as_of: dt.date | None) -> list[PostView]:
        raise NotImplementedError

    def _lateral_ties(self, as_of: dt.date | None) -> list[LateralTieView]:
        raise NotImplementedError

    def _agreements(self, as_of: dt.date | None) -> list[AgreementView]:
        raise NotImplementedError

    def _membership_terms(self) -> list[MembershipTermsView]:
        raise NotImplementedError

    def _person(self, person_id: str) -> PersonView | None:
        """The person without their posts; None when unknown."""
        raise NotImplementedError

    def _events(self, code: str) -> list[EventView]:
        raise NotImplementedError

    def _all_events(self) -> list[EventView]:
        raise NotImplementedError

    def _all_names(self) -> Iterable[NameRow]:
        """Every (code, name, source slug, vintage) the store holds, in any order (repeats allowed)."""
        raise NotImplementedError

    def _provenance(self, code: str) -> Iterable[StatementView]:
        raise NotImplementedError

    def projection_tie_rows(self) -> list[ProjectionTie]:
        """Every PCNMembership and CommissionerAssignment of a prescribing cost centre, on any date: (kind,
        practice code, practice name, other code, other name, start, end). Read once into
        :func:`projection_tie_index` (with the role holdings that say which is a GP practice on a date)."""
        raise NotImplementedError

    def contract_key_rows(self) -> list[ContractKey]:
        """The key of every practice contract with a financial year: (year, holder, IRI, type as stated,
        commissioners). Read once into :func:`contract_key_index`."""
        raise NotImplementedError

    def count_organisations(self) -> int:
        raise NotImplementedError

    def _kind_counts(self) -> dict[str, int]:
        """Organisations by kind (every kind each has had)."""
        raise NotImplementedError

    def _source_slugs(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _fact_count(self) -> int:
        return 0

    # -- the answers, the same for both stores ---------------------------------------------------------------
    def organisation(self, code: str, as_of: dt.date) -> OrganisationView:
        records = self.__dict__.get("_record_index")  # held in memory once built (record_index)
        o = records.get(code) if records else None
        if o is None:
            o = self._organisation_record(code)
        roles = o.roles
        if roles is None:
            roles = self._role_rows([code]) if set(o.all_kinds) & TIME_BOUNDED_CLASSES else []
        names = tuple(sorted(set(o.names), key=lambda v: (v.vintage, v.source)))
        return OrganisationView(
            code=code,
            name=o.name,
            kinds=kinds_on(o.all_kinds, roles, as_of),
            all_kinds=o.all_kinds,
            start=o.start,
            end=o.end,
            status=o.status,
            names=names,
            parents=tuple(self.ties_of_many([code], "up", as_of=as_of)),  # the code is known: no second check
            sources=tuple(sorted({n.source for n in names})),
            fictional=o.fictional,
            footprint_basis=o.footprint_basis,
            note=o.note,
        )

    def ties_of_many(
        self, codes: Iterable[str], direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        index = self.__dict__.get("_tie_index")  # held in memory once built (tie_index)
        if index is not None:
            return cast(TieIndex, index).ties(codes, direction, as_of, kind)
        return sorted(self._ties(list(codes), direction, as_of, kind), key=tie_key)

    def ties(
        self, code: str, direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        require_known(cast(GraphStore, self), code)
        return self.ties_of_many([code], direction, as_of=as_of, kind=kind)

    def ties_of_kinds(self, kinds: Iterable[str], *, as_of: dt.date | None = None) -> list[TieView]:
        index = self.__dict__.get("_tie_index")
        if index is not None:
            return cast(TieIndex, index).of_kinds(kinds, as_of)
        return sorted(self._ties_of_kinds(list(kinds), as_of), key=tie_key)

    def roles(self, code: str) -> list[RoleRow]:
        self._require(code)
        return sorted(self._role_rows([code]), key=role_key)

    def org_rows(
        self, *, q: str | None = None, kind: str | None = None, codes: Iterable[str] | None = None
    ) -> tuple[list[OrgRow], list[RoleRow]]:
        rows = self._org_rows(q or None, kind, None if codes is None else list(codes))
        bounded = [r.code for r in rows if set(r.all_kinds) & TIME_BOUNDED_CLASSES]
        return rows, self._role_rows(bounded)

    def contracts(
        self, *, holder: str | None = None, contract_type: str | None = None, commissioner: str | None = None,
        within: str | None = None, year: str | None = None, as_of: dt.date | None = None,
    ) -> list[ContractView]:
        return self.contracts_page(
            holder=holder, contract_type=contract_type, commissioner=commissioner, within=within, year=year,
            as_of=as_of,
        )[0]

    def contracts_page(
        self, *, holder: str | None = None, contract_type: str | None = None, commissioner: str | None = None,
        within: str | None = None, year: str | None = None, as_of: dt.date | None = None, limit: int | None = None,
        offset: int = 0, dispensing: bool | None = None,
    ) -> tuple[list[ContractView], int]:
        if year is not None:
            financial_year_end(year)
        kind = contract_kinds.resolve(contract_type) if contract_type is not None else None
        for code in (holder, commissioner):
            if code is not None:
                self._require(code)
        area = contract_area(cast(GraphStore, self), within, year, as_of) if within is not None else None
        every = contract_key_index(cast(GraphStore, self))
        if year is not None:  # the keys are in year order: a year is a range of them
            lo, hi = bisect.bisect_left(every, year, key=_year_of), bisect.bisect_right(every, year, key=_year_of)
            every = every[lo:hi]
        keys = [
            k for k in every
            if (holder is None or k[1] == holder)
            and (kind is None or contract_kinds.is_a(contract_kinds.kind_of_stated(k[3]), kind))
            and (commissioner is None or commissioner in k[4])
            and (area is None or k[1] in area)
            and (dispensing is None or k[5] is dispensing)
        ]
        chosen = keys[offset : None if limit is None else offset + limit]
        return (self._contract_page([k[2] for k in chosen]) if chosen else []), len(keys)

    def posts(
        self, *, organisation: str | None = None, person: str | None = None, as_of: dt.date | None = None
    ) -> list[PostView]:
        if organisation is not None:
            self._require(organisation)
        return sorted(self._posts(organisation, person, as_of), key=post_key)

    def lateral_ties(self, *, as_of: dt.date | None = None) -> list[LateralTieView]:
        return sorted(self._lateral_ties(as_of), key=lateral_key)

    def membership_terms(self) -> list[MembershipTermsView]:
        return sorted(self._membership_terms(), key=lambda m: (m.kind, m.member, m.organisation, str(m.start)))

    def agreements(self, *, as_of: dt.date | None = None) -> list[AgreementView]:
        every = agreement_index(cast(GraphStore, self))
        return list(every) if as_of is None else [a for a in every if holds_on(a.start, a.end, as_of)]

    def person(self, person_id: str) -> PersonView:
        found = self._person(person_id)
        if found is None:
            raise NotFound(f"no person with id {person_id!r}", details={"person_id": person_id})
        return dataclasses.replace(found, posts=tuple(self.posts(person=person_id)))

    def events(self, code: str) -> list[EventView]:
        self._require(code)
        return sorted(self._events(code))

    def all_events(self) -> list[EventView]:
        return sorted(self._all_events())

    def all_names(self) -> list[NameRow]:
        return sorted(set(self._all_names()), key=lambda r: (r[0], r[3], r[2], r[1]))

    def provenance(self, code: str) -> list[StatementView]:
        self._require(code)
        return sorted(set(self._provenance(code)))

    def summary(self) -> StoreSummary:
        return StoreSummary(
            kind=self.kind,
            organisations=self.count_organisations(),
            organisations_by_kind=self._kind_counts(),
            facts=self._fact_count(),
            sources=self._source_slugs(),
        )

    def hierarchy(self, code: str, as_of: dt.date) -> list[HierarchyLevel]:
        return build_hierarchy(cast(GraphStore, self), code, as_of)

    def economy(self, code: str, as_of: dt.date, *, depth: int = 2) -> nx.MultiDiGraph:
        return economy(cast(GraphStore, self), code, as_of, depth)

    def search(
        self, q: str | None, *, kind: str | None = None, within: str | None = None, as_of: dt.date,
        limit: int = 50, offset: int = 0, order: SearchOrder = "name",
    ) -> tuple[list[OrganisationHit], int]:
        return search(cast(GraphStore, self), q, kind=kind, within=within, as_of=as_of, limit=limit, offset=offset,
                      order=order)

    def project(self, as_of: dt.date, *, list_size_year: str | None = None) -> nx.MultiDiGraph:
        """The organisation graph G_org as of a date, for the analyses (docs/analyses.md §1): practices
        (kind, name, ``area`` = commissioner on the date, ``list_size`` from the contract of
        ``list_size_year``), PCNs, and the PCNMembership / CommissionerAssignment ties holding on the date;
        then the curated layers (:func:`add_curated_layers`)."""
        if list_size_year is not None:
            financial_year_end(list_size_year)
        g = nx.MultiDiGraph()
        commissioner = "SubICBLocation" if as_of >= ICB_DAY else "ClinicalCommissioningGroup"
        # two commissioners on one day (reported as a conflict): ``area`` is the one whose tie began last
        index = projection_tie_index(cast(GraphStore, self))
        for kind, practice, practice_name, other, other_name, start, end in index.ties:
            if not holds_on(start, end, as_of):
                continue
            if practice not in g:
                # a GP practice only while it holds the GP practice role (RO76): any other prescribing cost
                # centre keeps its own kind, and no area (the unit of footprints and competition is the practice)
                member_kind = index.kind_on(practice, as_of)
                if member_kind == "GPPractice":
                    g.add_node(practice, kind=member_kind, name=practice_name, scale_level=1)
                else:
                    g.add_node(practice, kind=member_kind, name=practice_name)
            if kind == "PCNMembership":
                g.add_node(other, kind="PrimaryCareNetwork", name=other_name, scale_level=2)
            else:
                if g.nodes[practice]["kind"] == "GPPractice":
                    g.nodes[practice]["area"] = other
                g.add_node(other, kind=commissioner, name=other_name, scale_level=3)
            g.add_edge(practice, other, kind=kind)
        if list_size_year is not None:
            for code, years in list_size_index(cast(GraphStore, self)).items():
                sizes = [size for year, size in years if year == list_size_year]
                if sizes and code in g:
                    g.nodes[code]["list_size"] = max(sizes)
        return add_curated_layers(cast(GraphStore, self), g, as_of)

    def history(self) -> nx.MultiDiGraph:
        """The curated layers on every date (:func:`curated_history`), read once per store object and kept."""
        return held(cast(GraphStore, self), "_history", lambda: curated_history(cast(GraphStore, self)))


def _year_of(key: ContractKey) -> str:
    return key[0]


def record_index(store: GraphStore) -> dict[str, OrgRecord]:
    """Every organisation as held, by code (:meth:`SharedStore._organisation_records`), read once per store object
    and kept (:func:`held`): :meth:`SharedStore.organisation` reads from it once it is built. Empty for a store
    without a bulk read of them."""
    return held(store, "_record_index", store._organisation_records)  # type: ignore[attr-defined]


def contract_key_index(store: GraphStore) -> list[ContractKey]:
    """The key of every practice contract in the order of /contracts (financial year, holder, IRI), read once per
    store object (about a second for the national graph's 27,000) and kept (:func:`held`): a contracts query is a
    filter in memory, and only the page asked for is read from the store."""
    return held(store, "_contract_key_index", lambda: sorted(store.contract_key_rows()))


@dataclass(frozen=True)
class ProjectionIndex:
    """What the projection reads from the store, once: ``ties``, every PCNMembership and CommissionerAssignment of a
    prescribing cost centre on any date (by practice, start and other organisation), and ``roles``, the ODS role
    holdings of those prescribing cost centres ((role, start, end) by code), which say which of them is a GP
    practice (role RO76) on a date."""

    ties: list[ProjectionTie]
    roles: dict[str, tuple[tuple[str, dt.date | None, dt.date | None], ...]]

    def kind_on(self, code: str, day: dt.date) -> str:
        """``GPPractice`` while the organisation holds the GP practice role (RO76) on the day, or when no file
        states any role holding of it (a curated practice); otherwise the kind of another role it holds on the day
        (e.g. ``WalkInCentre``), else ``PrescribingCostCentre``.

        >>> d = dt.date
        >>> i = ProjectionIndex([], {"A1": (("RO177", None, None), ("RO76", d(2000, 1, 1), d(2019, 3, 31)))})
        >>> i.kind_on("A1", d(2018, 1, 1)), i.kind_on("A1", d(2024, 10, 1)), i.kind_on("ZZP1", d(2024, 10, 1))
        ('GPPractice', 'PrescribingCostCentre', 'GPPractice')
        """
        roles = self.roles.get(code)
        if not roles:
            return "GPPractice"
        now = {ROLE_CLASS.get(role) for role, start, end in roles if holds_on(start, end, day)}
        if "GPPractice" in now:
            return "GPPractice"
        others = sorted(k for k in now if k and k != "PrescribingCostCentre")
        return others[0] if others else "PrescribingCostCentre"


def projection_tie_index(store: GraphStore) -> ProjectionIndex:
    """The ties of the projection on every date, by practice, start and other organisation, and the role holdings
    of their practices (:class:`ProjectionIndex`); read once per store object (about four seconds for the national
    graph) and kept (:func:`held`), so that a projection on a new date is a filter in memory, not a store query."""

    def build() -> ProjectionIndex:
        rows = store.projection_tie_rows()
        rows.sort(key=lambda r: (r[1], r[5].isoformat() if r[5] else "", r[3]))
        roles: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}
        for r in cast(SharedStore, store)._role_rows(sorted({r[1] for r in rows})):
            roles.setdefault(r.code, []).append((r.role, r.start, r.end))
        return ProjectionIndex(rows, {code: tuple(sorted(hs, key=str)) for code, hs in roles.items()})

    return held(store, "_projection_tie_index", build)


# The indexes a server builds in the background when it opens a store, so that the first search, area or
# analysis is answered at once: (name kept on the store, how to build it).
def _tie_history(store: GraphStore) -> object:
    from graphkit.store.reorganisation import TieHistory

    return TieHistory.of(store)


def _event_index(store: GraphStore) -> object:
    from graphkit.store.reorganisation import event_index

    return event_index(store)


def _name_index(store: GraphStore) -> object:
    from graphkit.store.reorganisation import name_index

    return name_index(store)


def _renaming_index(store: GraphStore) -> object:
    from graphkit.store.reorganisation import renaming_index

    return renaming_index(store)


def agreement_index(store: GraphStore) -> tuple[AgreementView, ...]:
    """Every curated contract of the store (any date), by id, read once per store object: a list of contracts
    filters these in memory (the store's query reads every contract, payments included, ~0.2 s nationally)."""
    return held(store, "_agreement_index",
                lambda: tuple(sorted(cast(SharedStore, store)._agreements(None), key=lambda a: a.contract_id)))


WARM_INDEXES = (
    ("_tie_index", TieIndex.of),  # every tie: parents, members and hierarchies from memory (before _tie_history)
    ("_search_index", SearchIndex.of),
    ("_record_index", record_index),  # organisations by code, where the store can read them in bulk
    ("_list_size_index", list_size_index),
    ("_projection_tie_index", projection_tie_index),
    ("_contract_key_index", contract_key_index),
    ("_agreement_index", agreement_index),  # the curated contracts
    ("_tie_history", _tie_history),  # changes and crosswalks (graphkit/store/reorganisation.py)
    ("_event_index", _event_index),
    ("_name_index", _name_index),  # every file's names, and the renamings they show
    ("_renaming_index", _renaming_index),
)


def warm_indexes(store: GraphStore) -> None:
    """Build the indexes of :data:`WARM_INDEXES` on ``store`` (each kept by :func:`held`)."""
    for _, build in WARM_INDEXES:
        build(store)


def indexes_ready(store: GraphStore) -> bool:
    """Whether every index of :data:`WARM_INDEXES` is built on ``store``."""
    return all(is_held(store, name) for name, _ in WARM_INDEXES)
