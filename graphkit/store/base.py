"""The GraphStore protocol: the domain operations the API, CLI and analyses use.

Implementations: :mod:`graphkit.store.oxigraph` (embedded, default) and Neo4j (issue 5).
Views are plain dataclasses so that both stores can be compared for equality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, order=True)
class ParentView:
    relation: str  # ontology class local name, e.g. "PCNMembership"
    code: str
    name: str
    kinds: tuple[str, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    observed_on: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class OrganisationView:
    code: str
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    parents: tuple[ParentView, ...]
    sources: tuple[str, ...]
    fictional: bool = False

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.code


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

    def count_organisations(self) -> int: ...

    def summary(self) -> StoreSummary: ...

    def close(self) -> None: ...
