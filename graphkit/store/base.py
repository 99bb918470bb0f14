"""The GraphStore protocol: the domain operations the API, CLI and analyses use.

Implementations: :mod:`graphkit.store.oxigraph` (embedded, default) and Neo4j (issue 5). Views are
plain frozen dataclasses, so that the answers of both stores can be compared for equality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import networkx as nx

Direction = Literal["up", "down"]


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


@dataclass(frozen=True)
class HierarchyLevel:
    level: str  # "practice", "PCN", "commissioner", "system", "region"
    organisations: tuple[tuple[str, str, tuple[str, ...]], ...]  # (code, name, kinds as of the date)
    via: str | None = None  # the tie kind that leads here


@dataclass(frozen=True)
class StoreSummary:
    kind: str
    organisations: int
    organisations_by_kind: dict[str, int] = field(default_factory=dict)
    facts: int = 0
    sources: tuple[str, ...] = ()


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

    def count_organisations(self) -> int: ...

    def summary(self) -> StoreSummary: ...

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


def build_hierarchy(store: GraphStore, code: str, as_of: dt.date) -> list[HierarchyLevel]:
    """practice -> PCN and commissioner (CCG / sub-ICB location) -> system (STP / ICB) -> region, from the
    ties that hold on the date; the same algorithm over any store."""

    def level(name: str, via: str, codes: list[str]) -> HierarchyLevel:
        views = [store.organisation(c, as_of) for c in sorted(set(codes))]
        return HierarchyLevel(name, tuple((v.code, v.name, v.kinds) for v in views), via)

    view = store.organisation(code, as_of)
    levels = [HierarchyLevel(level_of(view.kinds), ((code, view.name, view.kinds),))]
    frontier = [code]
    steps: list[tuple[str, str]] = []
    if set(view.kinds) & {"GPPractice", "PrescribingCostCentre"}:
        steps = [("PCNMembership", "PCN"), ("CommissionerAssignment", "commissioner")]
    elif "PrimaryCareNetwork" in view.kinds:
        steps = [("CommissionerAssignment", "commissioner")]
    for tie_kind, name in steps:
        found = store.ties(code, "up", as_of=as_of, kind=tie_kind)
        if found:
            levels.append(level(name, tie_kind, [t.organisation for t in found]))
            if tie_kind == "CommissionerAssignment":
                frontier = [t.organisation for t in found]
    for tie_kind, name in (("SystemMembership", "system"), ("RegionMembership", "region")):
        nxt = sorted({t.organisation for c in frontier for t in store.ties(c, "up", as_of=as_of, kind=tie_kind)})
        if not nxt:
            break
        levels.append(level(name, tie_kind, nxt))
        frontier = nxt
    return levels
