"""As-of semantics, in one place.

Rule (architecture, rule 3): a dated fact holds as of day D when its start is unknown or
start <= D, and it has no end or end >= D. ODS end dates are inclusive.
"""

from __future__ import annotations

import datetime as dt
import re

from graphkit.errors import BadParameter

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(value: str | dt.date | None, *, name: str = "as_of") -> dt.date:
    """Parse an ``as_of`` parameter (YYYY-MM-DD); ``None`` means today."""
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    if not _ISO.match(value):
        raise BadParameter(f"{name} must be a date written YYYY-MM-DD, got {value!r}", details={"parameter": name})
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadParameter(f"{name} is not a real date: {value!r}", details={"parameter": name}) from exc


def holds_on(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """True when a fact valid from ``start`` to ``end`` (inclusive, either open) holds on ``day``."""
    return (start is None or start <= day) and (end is None or end >= day)


def sparql_holds(interval_var: str, day_literal: str) -> str:
    """The SPARQL group pattern that keeps interval ``?interval_var`` when it holds on ``day_literal``.

    ``day_literal`` is an ``xsd:date`` literal in SPARQL syntax, built by the caller from a parsed
    :class:`datetime.date`, never from user text.
    """
    v = interval_var
    return (
        f"OPTIONAL {{ ?{v} time:hasBeginning/time:inXSDDate ?{v}_start }} "
        f"OPTIONAL {{ ?{v} time:hasEnd/time:inXSDDate ?{v}_end }} "
        f"FILTER ((!BOUND(?{v}_start) || ?{v}_start <= {day_literal}) && "
        f"(!BOUND(?{v}_end) || ?{v}_end >= {day_literal}))"
    )


def xsd_date_literal(day: dt.date) -> str:
    return f'"{day.isoformat()}"^^xsd:date'
