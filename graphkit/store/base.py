"""The GraphStore protocol: the domain operations the API, CLI and analyses use.

Implementations: :mod:`graphkit.store.oxigraph` (embedded, default) and :mod:`graphkit.store.neo4j`, both
subclasses of :class:`graphkit.store.shared.SharedStore`, which answers what is the same for both over their
lookups. Views are plain frozen dataclasses, so that the answers of both stores can be compared for equality.

One piece, a little over 400 lines: the protocol and the views it answers with, and the few rules on them
(kinds on a date, financial years, levels) that every store and caller shares.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import networkx as nx

from graphkit.core import contract_kinds
from graphkit.core.model import Source
from graphkit.core.nhs import ROLE_CLASS, TIME_BOUNDED_CLASSES
from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter

Direction = Literal["up", "down"]
SearchOrder = Literal["name", "relevance"]


@dataclass(frozen=True, order=True)
class TieView:
    """One resolved tie (membership) between two organisations."""

    kind: str  # ontology class local name, e.g. "PCNMembership"
    member: str  # ODS code
    member_name: str
    organisation: str  # ODS code
    organisation_name: str
    start: dt.date | None
    end: dt.date | None
    derived: bool = False  # the period was derived (from observations, or closed by a newer file)
    end_evidence: str | None = None  # slug of the file whose silence closed the tie
    sources: tuple[str, ...] = ()  # slugs of the files that state the tie
    # a start seen only between snapshots (merge rule 4): the first day lies in [start_earliest, start_latest]
    start_earliest: dt.date | None = None
    start_latest: dt.date | None = None
    start_basis: str | None = None  # the evidence that dates the start, in words
    end_inferred: bool = False  # the end is the day before the next tie's inferred start


@dataclass(frozen=True)
class NameView:
    name: str
    source: str  # slug
    vintage: dt.date


@dataclass(frozen=True)
class OrganisationView:
    code: str
    name: str
    kinds: tuple[str, ...]  # the kinds that hold on the as-of date
    all_kinds: tuple[str, ...]  # every kind the organisation has had
    start: dt.date | None
    end: dt.date | None
    status: str | None
    names: tuple[NameView, ...]
    parents: tuple[TieView, ...]  # ties upwards holding on the as-of date
    sources: tuple[str, ...]
    fictional: bool = False
    footprint_basis: str | None = None  # a grouping's footprint: FootprintPlace or FootprintMosaic (ontology 2.5.0)
    note: str | None = None  # a curated organisation's note: its rows' notes, joined (ontology 2.6.0)


@dataclass(frozen=True)
class HierarchyLevel:
    level: str  # "practice", "PCN", "commissioner", "system", "region"
    organisations: tuple[tuple[str, str, tuple[str, ...]], ...]  # (code, name, kinds as of the date)
    via: str | None = None  # the tie kind that leads here


@dataclass(frozen=True, order=True)
class OrganisationHit:
    """One organisation in a search answer, with its kinds on the as-of date."""

    name: str
    code: str
    kinds: tuple[str, ...]
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True, order=True)
class ContractView:
    """A practice-year contract (NHS Payments to General Practice), with its enhanced-service payments."""

    financial_year: str
    holder: str
    holder_name: str
    contract_type: str  # as stated: GMS / PMS / APMS / Unknown
    commissioner: str | None
    list_size: int | None
    weighted_list_size: float | None
    dispensing: bool | None
    rurality: str | None
    amount_gbp: float | None
    services: tuple[tuple[str, float], ...]  # (service class local name, amount paid), sorted
    source: str  # slug of the file
    line: int

    @property
    def kind(self) -> str:
        """The contract's kind in the one vocabulary of every source (graphkit.core.contract_kinds)."""
        return contract_kinds.kind_of_stated(self.contract_type)


@dataclass(frozen=True, order=True)
class StatementView:
    """Provenance: a file and line that state a fact about an organisation."""

    fact_kind: str  # "Organisation", a tie class (e.g. "PCNMembership"), "RoleHolding" or "Contract"
    fact: str  # IRI of the fact
    source: str  # slug
    file_name: str
    vintage: dt.date
    line: int


@dataclass(frozen=True)
class PostView:
    """A post held by a person in an organisation over a period (curated), with its source."""

    person_id: str
    person_name: str
    organisation: str
    organisation_name: str
    role: str | None  # an ontology role, e.g. "BoardChair"
    title: str | None  # the post as the source names it
    start: dt.date | None
    end: dt.date | None
    represents: str | None
    appointment: str | None
    voting: bool | None
    source: str  # slug of the table
    line: int
    citations: tuple[str, ...]
    commissioning: bool | None = None  # takes part in commissioning (False: the source says not; None: not stated)
    note: str | None = None  # the curated row's note


def post_key(p: PostView) -> tuple[str, str, dt.date, str, int]:
    return (p.person_id, p.organisation, p.start or dt.date.min, p.source, p.line)


@dataclass(frozen=True)
class PersonView:
    person_id: str
    name: str
    fictional: bool
    source: str
    line: int
    citations: tuple[str, ...]
    posts: tuple[PostView, ...] = ()


@dataclass(frozen=True)
class BoundarySpanner:
    """A person holding, over overlapping periods, posts on both sides of a boundary."""

    person_id: str
    name: str
    side_a: tuple[PostView, ...]
    side_b: tuple[PostView, ...]


@dataclass(frozen=True)
class OrgRow:
    """What both stores return for the bulk lookups: an organisation with every kind it has had."""

    code: str
    name: str
    all_kinds: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    list_size: int | None = None
    central_functions: tuple[str, ...] = ()  # concepts of pcg:CentralFunctionScheme
    exit_costs: tuple[str, ...] = ()  # concepts of pcg:ExitCostScheme


@dataclass(frozen=True)
class LateralTieView:
    """A lateral or governance tie between two organisations (curated)."""

    kind: str
    tie_from: str
    tie_to: str
    start: dt.date | None
    end: dt.date | None
    hood_mode: str | None
    mechanism: str | None
    arena: str | None
    source: str
    line: int
    initiated_by: str | None = None
    horizon: str | None = None
    status: str | None = None  # a concept of pcg:TieStatusScheme, e.g. "TiePlanned"
    monitored: bool | None = None
    sanction: str | None = None  # a concept of pcg:SanctionScheme
    compliance: str | None = None  # a concept of pcg:ComplianceScheme
    function: str | None = None  # a concept of pcg:CentralFunctionScheme (a dependence tie)
    end_unknown: bool = False  # ended on a day no source gives (pcg:endPrecision pcg:EndUnknown)
    citations: tuple[str, ...] = ()  # the row's citations (e.g. "004:221")
    selection_basis: str | None = None  # a governance tie: a concept of pcg:SelectionBasisScheme ("SelectedAtRandom")
    outcome: str | None = None  # an approach or a bid tie: a concept of pcg:OutcomeScheme, e.g. "BidWon"
    lot: str | None = None  # a bid tie: the tender's lot
    note: str | None = None  # the curated row's note


@dataclass(frozen=True)
class MembershipTermsView:
    """What a curated membership row says beyond its resolved tie (ontology 2.4.0): its note, the tier it is held on
    (a concept of pcg:MembershipTierScheme) and why it ended (pcg:ExitReasonScheme)."""

    kind: str
    member: str
    organisation: str
    start: dt.date | None
    note: str | None = None
    tier: str | None = None
    exit_reason: str | None = None


@dataclass(frozen=True)
class AgreementView:
    """A curated contract or subcontract, with who delivers under it."""

    contract_id: str
    kind: str
    holder: str
    commissioner: str | None
    service: str | None
    parent: str | None
    start: dt.date | None
    end: dt.date | None
    amount_gbp: float | None
    delivered_by: tuple[str, ...]
    source: str
    line: int
    supported_by: tuple[str, ...] = ()
    note: str | None = None  # the curated row's note
    succeeds: str | None = None  # contract_id of the contract this one replaces (who held it before)


@dataclass(frozen=True, order=True)
class EventView:
    """A merger or succession (derived across vintages): the originals' members moved to the result."""

    day: dt.date
    kind: str  # "Merger" or "Succession"
    originals: tuple[str, ...]
    result: str
    sources: tuple[str, ...]  # slugs of the files whose comparison shows it


@dataclass(frozen=True)
class RoleRow:
    code: str
    role: str
    start: dt.date | None
    end: dt.date | None
    sources: tuple[str, ...] = ()  # slugs of the files stating it (given by org_rows and roles)


def role_key(r: RoleRow) -> tuple[str, str, dt.date, dt.date]:
    """Role holdings in order: by holder, role code, then period."""
    return (r.code, r.role, r.start or dt.date.min, r.end or dt.date.max)


@dataclass(frozen=True)
class StoreSummary:
    kind: str
    organisations: int
    organisations_by_kind: dict[str, int] = field(default_factory=dict)
    facts: int = 0
    sources: tuple[str, ...] = ()


#: (kind, practice code, practice name, other code, other name, start, end) of a tie the analyses' projection
#: reads (PCNMembership or CommissionerAssignment of a prescribing cost centre).
ProjectionTie = tuple[str, str, str, str, str, dt.date | None, dt.date | None]
#: (financial year, holder's code, contract IRI, contract type as stated, commissioners' codes) of a practice's
#: contract from NHS Payments to General Practice: what /contracts filters on, in its order.
ContractKey = tuple[str, str, str, str, tuple[str, ...], bool | None]
#: (organisation code, name, source slug, vintage) of one name one file gives an organisation: what
#: :attr:`OrganisationView.names` holds, for every organisation at once.
NameRow = tuple[str, str, str, dt.date]


@runtime_checkable
class GraphStore(Protocol):
    kind: str

    def organisation(self, code: str, as_of: dt.date) -> OrganisationView:
        """The organisation with this ODS code as seen on ``as_of``; NotFound when unknown."""
        ...

    def ties(
        self, code: str, direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        """Ties of the organisation upwards (it is the member) or downwards (it is the organisation);
        all of history when ``as_of`` is None."""
        ...

    def hierarchy(self, code: str, as_of: dt.date) -> list[HierarchyLevel]:
        """practice -> PCN -> CCG/sub-ICB location -> STP/ICB -> region, as of the date."""
        ...

    def project(self, as_of: dt.date, *, list_size_year: str | None = None) -> nx.MultiDiGraph:
        """The organisation graph as of the date, for the analyses (docs/analyses.md)."""
        ...

    def history(self) -> nx.MultiDiGraph:
        """The curated layers on every date, each edge with its start and end, for the analyses that read change
        over time (docs/analyses.md §1)."""
        ...

    def count_organisations(self) -> int: ...

    def list_size_rows(self) -> list[tuple[str, str, int]]:
        """(holder code, financial year, list size) of every practice-year contract that states a list size."""
        ...

    def projection_tie_rows(self) -> list[ProjectionTie]:
        """Every PCNMembership and CommissionerAssignment of a prescribing cost centre, on any date."""
        ...

    def contract_key_rows(self) -> list[ContractKey]:
        """The key of every practice contract with a financial year (payments), in no particular order."""
        ...

    def ties_of_many(
        self, codes: Iterable[str], direction: Direction, *, as_of: dt.date | None = None, kind: str | None = None
    ) -> list[TieView]:
        """:meth:`ties` for many organisations at once (unknown codes give nothing)."""
        ...

    def org_rows(
        self, *, q: str | None = None, kind: str | None = None, codes: Iterable[str] | None = None
    ) -> tuple[list[OrgRow], list[RoleRow]]:
        """Organisations whose name contains ``q`` (any case) or whose code starts with it, that have had
        ``kind``, among ``codes``; with the role holdings that decide their dated kinds."""
        ...

    def search(
        self, q: str | None, *, kind: str | None = None, within: str | None = None, as_of: dt.date,
        limit: int = 50, offset: int = 0, order: SearchOrder = "name",
    ) -> tuple[list[OrganisationHit], int]:
        """Organisations by name or code, kind and containing area, as of a date; a page and the total,
        ordered by name or by relevance to ``q``."""
        ...

    def contracts(
        self, *, holder: str | None = None, contract_type: str | None = None, commissioner: str | None = None,
        within: str | None = None, year: str | None = None, as_of: dt.date | None = None,
    ) -> list[ContractView]:
        """Practice-year contracts by holder, kind (graphkit.core.contract_kinds: a kind such as ``APMSContract``
        or the payments file's form ``APMS``; an unknown one is BadParameter), commissioner, containing area and
        financial year."""
        ...

    def contracts_page(
        self, *, holder: str | None = None, contract_type: str | None = None, commissioner: str | None = None,
        within: str | None = None, year: str | None = None, as_of: dt.date | None = None, limit: int | None = None,
        offset: int = 0, dispensing: bool | None = None,
    ) -> tuple[list[ContractView], int]:
        """:meth:`contracts` a page at a time (``limit`` from ``offset``, in the same order), and the total;
        ``dispensing`` keeps the contracts of practices paid (True) or not paid (False) a dispensing fee that year."""
        ...

    def provenance(self, code: str) -> list[StatementView]:
        """Every file and line stating the organisation, its ties (both directions), roles and contracts."""
        ...

    def economy(self, code: str, as_of: dt.date, *, depth: int = 2) -> nx.MultiDiGraph:
        """The local health economy: organisations within ``depth`` ties of ``code`` on the date."""
        ...

    def posts(
        self, *, organisation: str | None = None, person: str | None = None, as_of: dt.date | None = None
    ) -> list[PostView]:
        """Posts held in an organisation, or by a person, holding on ``as_of`` (all of history when None)."""
        ...

    def ties_of_kinds(self, kinds: Iterable[str], *, as_of: dt.date | None = None) -> list[TieView]:
        """Every tie of these kinds (e.g. FederationMembership), holding on ``as_of``."""
        ...

    def lateral_ties(self, *, as_of: dt.date | None = None) -> list[LateralTieView]:
        """Every lateral or governance tie (curated), holding on ``as_of``."""
        ...

    def membership_terms(self) -> list[MembershipTermsView]:
        """The note, tier and exit reason of every curated membership that has any (ontology 2.4.0)."""
        ...

    def agreements(self, *, as_of: dt.date | None = None) -> list[AgreementView]:
        """Every curated contract and subcontract, holding on ``as_of``, with who delivers under it."""
        ...

    def person(self, person_id: str) -> PersonView:
        """A person with every post they have held; NotFound when unknown."""
        ...

    def roles(self, code: str) -> list[RoleRow]:
        """Every ODS role holding of the organisation, with its dates and sources; NotFound when unknown."""
        ...

    def events(self, code: str) -> list[EventView]:
        """Mergers and successions the organisation took part in (as an original or the result), by day."""
        ...

    def all_events(self) -> list[EventView]:
        """Every merger and succession, by day."""
        ...

    def all_names(self) -> list[NameRow]:
        """Every name every file gives every organisation: (code, name, source slug, vintage), by code, vintage
        and source."""
        ...

    def summary(self) -> StoreSummary: ...

    def source_files(self) -> list[Source]:
        """Every input file the store was built from, as the build described it (file name, kind, vintage,
        SHA-256, publisher, licence, title), by slug."""
        ...

    def close(self) -> None: ...


def level_of(kinds: tuple[str, ...]) -> str:
    """The level of an organisation in the commissioning hierarchy, from its kinds on a date."""
    order = [
        ("GPPractice", "practice"),
        ("PrescribingCostCentre", "practice"),
        ("PrimaryCareNetwork", "PCN"),
        ("ClinicalCommissioningGroup", "commissioner"),
        ("SubICBLocation", "commissioner"),
        ("IntegratedCareBoard", "system"),
        ("SustainabilityAndTransformationPartnership", "system"),
        ("NHSEnglandRegion", "region"),
    ]
    for k, level in order:
        if k in kinds:
            return level
    return "organisation"


@functools.cache
def tie_kinds() -> tuple[str, ...]:
    """Every tie kind: the ontology's subclasses of org:Membership (PCNMembership, FederationMembership, ...)
    and of pcg:DatedRelation (CommissionerAssignment, SystemMembership, ...), read from the ontology so a new
    kind is not missed. A post holding is a membership of a person, not a tie between organisations."""
    from rdflib.namespace import ORG, RDFS

    from graphkit.core.namespaces import PCG_NS
    from graphkit.ontology.shacl import ontology_graph

    g = ontology_graph()
    roots = {ORG.Membership, PCG_NS.DatedRelation}
    below = {c for root in roots for c in g.transitive_subjects(RDFS.subClassOf, root)} - roots
    names = {str(c)[len(str(PCG_NS)) :] for c in below if str(c).startswith(str(PCG_NS))}
    return tuple(sorted(names - {"PostHolding"}))


def kinds_on(all_kinds: Iterable[str], roles: Iterable[RoleRow], day: dt.date) -> tuple[str, ...]:
    """The kinds an organisation has on a day: a time-bounded kind (CCG, sub-ICB location, STP, ICB)
    only while a role holding that supports it holds; other kinds always."""
    roles = list(roles)
    held = {ROLE_CLASS.get(r.role) for r in roles if holds_on(r.start, r.end, day)}
    supported = {ROLE_CLASS.get(r.role) for r in roles}
    return tuple(
        k for k in sorted(all_kinds) if k not in TIME_BOUNDED_CLASSES or k in held or k not in supported
    )


def financial_year_end(year: str) -> dt.date:
    """The last day of a financial year written "2022-23"."""
    try:
        first = int(year[:4])
        if len(year) != 7 or year[4] != "-" or int(year[5:]) != (first + 1) % 100:
            raise ValueError(year)
    except ValueError:
        raise BadParameter(f"year must be a financial year written like 2022-23, got {year!r}",
                           details={"parameter": "year"}) from None
    return dt.date(first + 1, 3, 31)


def financial_year_start(year: str) -> dt.date:
    """The first day of a financial year written "2022-23"."""
    end = financial_year_end(year)
    return dt.date(end.year - 1, 4, 1)
