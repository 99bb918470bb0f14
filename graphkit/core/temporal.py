"""As-of semantics, in one place.

Rule (architecture, rule 3): a dated fact holds as of day D when its start is unknown or
start <= D, and it has no end or end >= D. ODS end dates are inclusive.

The stores restate this rule in their own query languages, once each: ``WHEN`` in
graphkit/store/oxigraph/sparql.py (SPARQL) and ``_HOLDS`` in graphkit/store/cypher.py (Cypher); the
contract suite (tests/store/test_contract.py) checks that both give the same answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from graphkit.errors import BadParameter

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ONE_DAY = dt.timedelta(days=1)


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


def days_named(
    lo: dt.date, hi: dt.date, starts: Iterable[tuple[dt.date | None, str]], ends: Iterable[tuple[dt.date | None, str]]
) -> dict[dt.date, list[str]]:
    """The days from ``lo`` to ``hi`` (inclusive) that dated facts name: a fact that begins on the day (``starts``)
    or one that ends the day before (``ends``), each day with the words of the facts naming it (ends first, then
    starts, each in the order given). How a change seen only between two snapshots is dated by the roles of the
    organisations concerned (docs/data.md, merge rule 4; graphkit/ingest/merge.py and the renamings of
    graphkit/store/reorganisation.py)."""
    named: dict[dt.date, list[str]] = {}
    for end, words in ends:
        if end is not None and lo <= end + ONE_DAY <= hi:
            named.setdefault(end + ONE_DAY, []).append(words)
    for start, words in starts:
        if start is not None and lo <= start <= hi:
            named.setdefault(start, []).append(words)
    return named


def most_named(named: dict[dt.date, list[str]]) -> dt.date:
    """The day of :func:`days_named` that the most facts name, the earliest if tied."""
    return min(named, key=lambda d: (-len(named[d]), d))
