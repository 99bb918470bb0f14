"""Plain records that importers produce and the RDF mapping consumes.

Records are independent of any store. Every record names the source row it came from, so
every fact in the graph can say which file, vintage and line stated it (rule 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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
    rejects: list[Rejected] = field(default_factory=list)
    rows: int = 0
