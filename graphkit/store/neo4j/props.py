"""Records to Neo4j properties and back, by the one table of each record type (graphkit/rdf/mapping.py), and
the value conversions the Neo4j mapping needs (dates from the driver, dates in lists, a statement's citations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from graphkit.rdf.mapping import Field


def date(v: Any) -> dt.date | None:
    """A date from the driver's date (or None)."""
    if v is None:
        return None
    return dt.date(v.year, v.month, v.day)


def iso(d: dt.date | None) -> str:
    """A date in a Neo4j list, which holds no nulls: an absent date is ""."""
    return d.isoformat() if d else ""


def day(text: str) -> dt.date | None:
    """The inverse of :func:`iso`."""
    return dt.date.fromisoformat(text) if text else None


def cited(text: str) -> tuple[str, ...]:
    """A statement's citations: one string per statement in Neo4j (lists of lists are not allowed)."""
    return tuple(text.split("\n")) if text else ()


def _write(f: Field, v: Any) -> Any:
    if f.neo4j == "list":  # the quads hold a set of values: one order, whichever way the record came
        return sorted(v)
    if f.neo4j == "flag":
        return v or None
    if f.neo4j == "round":
        return round(v) if v is not None else None
    return v


def _read(f: Field, v: Any) -> Any:
    if v is None:
        return f.default
    if f.neo4j == "date":
        return date(v)
    if f.neo4j == "int":
        return int(v)
    if f.neo4j == "list":
        return tuple(v)
    if f.neo4j in ("flag", "bool"):
        return bool(v)
    return v


def to_props(record: Any, fields: Iterable[Field]) -> dict[str, Any]:
    """The Neo4j properties of a record's fields."""
    return {f.prop: _write(f, getattr(record, f.attr)) for f in fields}


def from_props(props: dict[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
    """The record's fields (keyword arguments) from its Neo4j properties."""
    return {f.attr: _read(f, props.get(f.prop)) for f in fields}
