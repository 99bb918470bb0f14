"""Plain records that importers produce and the RDF mapping consumes.

Records are independent of any store. Every record names the source row it came from, so
every fact in the graph can say which file, vintage and line stated it (rule 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


def joined_note(said: str | None, note: str | None) -> str | None:
    """The note of a fact several curated rows state (an organisation, a membership), with one more row's note:
    each note once, in the order read, joined by " | " (pcg:note is one string: ontology/shapes.ttl NoteShape)."""
    if not note or (said and note in said.split(" | ")):
        return said
    return f"{said} | {note}" if said else note


@dataclass(frozen=True)
class Source:
    """One input file of one vintage: becomes one named graph."""

    slug: str  # stable id, e.g. "gp-reg-pat-prac-map_2026-08"
    file_name: str
    kind: str  # importer kind, e.g. "gp-reg-pat-prac-map"
    vintage: dt.date
    sha256: str
    publisher: str
    licence: str
    title: str = ""


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    kinds: tuple[str, ...]  # ontology class local names, e.g. ("GPPractice",)
    line: int
    postcode: str | None = None
    ons_code: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    fictional: bool = False
    status: str | None = None  # ODS status as stated: ACTIVE / INACTIVE / DORMANT / PROPOSED
    list_size: int | None = None  # curated inputs: registered patients as the source states them
    central_functions: tuple[str, ...] = ()  # curated: concepts of pcg:CentralFunctionScheme (local names)
    exit_costs: tuple[str, ...] = ()  # curated: concepts of pcg:ExitCostScheme (local names)
    footprint_basis: str | None = None  # curated: a concept of pcg:FootprintBasisScheme (local name; ontology 2.5.0)
    citations: tuple[str, ...] = ()  # curated inputs: where the fact comes from ("004:190-198", a URL)
    note: str | None = None  # curated: the row's note (the curator's words)


@dataclass(frozen=True)
class Relation:
    """A dated tie between two organisations, e.g. practice -> PCN (ODS RE8)."""

    kind: str  # ontology class local name of the reified fact, e.g. "PCNMembership"
    member: str  # ODS code of the member / child / source organisation
    organisation: str  # ODS code of the organisation / parent / target
    line: int
    start: dt.date | None = None
    end: dt.date | None = None
    observed: dt.date | None = None  # the vintage date on which the source saw it hold
    citations: tuple[str, ...] = ()
    note: str | None = None  # curated: the row's note
    tier: str | None = None  # curated membership: a concept of pcg:MembershipTierScheme ("TierSecond")
    exit_reason: str | None = None  # curated membership that ended: a concept of pcg:ExitReasonScheme


@dataclass(frozen=True)
class RegionObservation:
    """A file places a commissioner's practices in an NHS England region on a day, with no tie of its own
    (the payments files' region column). It is evidence for dating a commissioner's move between systems seen
    only between snapshots (merge rule 4), never a tie."""

    area: str  # ODS code of the CCG or sub-ICB location
    region: str  # ODS code of the NHS England region (Y56 ...)
    line: int  # the first row of the file that says so
    observed: dt.date


@dataclass(frozen=True)
class RoleHolding:
    """An ODS role held by an organisation over a period (e.g. RO76 GP PRACTICE)."""

    code: str
    role: str  # ODS role code, e.g. "RO76"
    line: int
    start: dt.date | None = None
    end: dt.date | None = None
    derived_from_rule: str | None = None  # set when the dates come from a stated rule, not the file


@dataclass(frozen=True)
class ContractFact:
    """The contract a practice held in one financial year (NHS Payments to General Practice)."""

    practice: str
    financial_year: str  # "2019-20"
    contract_type: str  # "GMS" | "PMS" | "APMS" | "Unknown"
    commissioner: str | None
    line: int
    dispensing: bool | None = None
    list_size: float | None = None
    weighted_list_size: float | None = None
    rurality: str | None = None
    practice_type: str | None = None
    total_paid: float | None = None


@dataclass(frozen=True)
class ServicePayment:
    """Participation of a practice in an enhanced service in one financial year, with the amount paid."""

    practice: str
    financial_year: str
    service: str  # local name of the service concept, e.g. "MinorSurgery"
    amount: float
    line: int


@dataclass(frozen=True)
class Person:
    """A person who holds posts (curated). Identified by a stable id: GMC-nnnnnnn, or a project id."""

    person_id: str
    name: str
    line: int
    fictional: bool = False
    citations: tuple[str, ...] = ()
    note: str | None = None  # curated: the row's note


@dataclass(frozen=True)
class PostHolding:
    """A person holds a post (a role, e.g. BoardChair) in an organisation over a period (curated)."""

    person_id: str
    organisation: str
    role: str | None  # a role individual of the ontology, e.g. "BoardChair" (None: no role fits)
    line: int
    title: str | None = None  # the post as the source names it
    start: dt.date | None = None
    end: dt.date | None = None
    represents: str | None = None
    appointment: str | None = None  # Elected / CoOpted / Appointed
    voting: bool | None = None
    citations: tuple[str, ...] = ()
    commissioning: bool | None = None  # the post takes part in commissioning decisions (None: not stated)
    note: str | None = None  # curated: the row's note


@dataclass(frozen=True)
class Agreement:
    """A curated contract or subcontract (the payments files give the practice-year contracts)."""

    contract_id: str
    kind: str  # contract class, e.g. "ServiceContract", "Subcontract"
    holder: str
    line: int
    commissioner: str | None = None
    service: str | None = None
    parent: str | None = None  # contract_id of the parent contract (subcontracts)
    start: dt.date | None = None
    end: dt.date | None = None
    amount: float | None = None
    supported_by: tuple[str, ...] = ()  # codes of organisations that backed the bid or support delivery
    citations: tuple[str, ...] = ()
    note: str | None = None  # curated: the row's note
    succeeds: str | None = None  # contract_id of the contract this one replaces (who held it before)


@dataclass(frozen=True)
class Delivery:
    """An organisation delivers a service under a contract another organisation holds (curated)."""

    provider: str
    contract_id: str
    holder: str  # the holder of the contract (filled by the reader from the contracts table)
    line: int
    start: dt.date | None = None
    end: dt.date | None = None
    citations: tuple[str, ...] = ()
    note: str | None = None  # curated: the row's note


@dataclass(frozen=True)
class LateralTie:
    """A lateral or governance tie between two organisations, e.g. risk sharing (curated)."""

    kind: str  # tie class, e.g. "RiskSharingTie"
    tie_from: str
    tie_to: str
    line: int
    start: dt.date | None = None
    end: dt.date | None = None
    hood_mode: str | None = None
    mechanism: str | None = None
    arena: str | None = None  # CompetitionTie: members / contracts / staff / leadership
    initiated_by: str | None = None  # the code of the side that started the tie
    horizon: str | None = None  # "future" or "operational"
    status: str | None = None  # a concept of pcg:TieStatusScheme (local name), e.g. "TiePlanned"
    monitored: bool | None = None  # a directive: whether the centre checks it is followed
    sanction: str | None = None  # a directive: a concept of pcg:SanctionScheme
    compliance: str | None = None  # a directive: a concept of pcg:ComplianceScheme
    function: str | None = None  # a dependence tie: a concept of pcg:CentralFunctionScheme
    citations: tuple[str, ...] = ()
    selection_basis: str | None = None  # a governance tie: a concept of pcg:SelectionBasisScheme
    outcome: str | None = None  # an approach or a bid tie: a concept of pcg:OutcomeScheme
    lot: str | None = None  # a bid tie: the tender's lot
    note: str | None = None  # curated: the row's note


@dataclass
class Rejected:
    line: int
    reason: str
    field: str | None = None
    value: str | None = None


@dataclass
class ImportResult:
    source: Source
    organisations: list[Organisation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    roles: list[RoleHolding] = field(default_factory=list)
    contracts: list[ContractFact] = field(default_factory=list)
    payments: list[ServicePayment] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    posts: list[PostHolding] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    lateral_ties: list[LateralTie] = field(default_factory=list)
    region_observations: list[RegionObservation] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)
    rows: int = 0
    path: str | None = None  # the file as the user named it (errors name it); source.file_name is the graph's label
