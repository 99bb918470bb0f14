"""Reorganisations, written once for any store (docs/reorganisations.md): what changed in an area between two dates
(:func:`changes`), the crosswalk from the areas of one level on one date to those of another level on another date
(:func:`crosswalk`), and the apportioning of figures reported by old area onto new areas (:func:`apportion`).

Everything here reads the store through the :class:`~graphkit.store.base.GraphStore` protocol and the in-memory
indexes kept on the store object (:func:`~graphkit.store.areas.held`): the history of every membership tie up the
commissioning hierarchy (read once, a few seconds for the national graph), the organisations with their roles
(:class:`~graphkit.store.areas.SearchIndex`), the practice contracts by year, the list sizes by year and the name
each file gives each organisation (:func:`name_index`, for the renamings). So both stores give the same answers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphkit.core.nhs import ROLE_CLASS
from graphkit.core.temporal import days_named, most_named
from graphkit.errors import BadParameter
from graphkit.store.areas import SearchIndex, held
from graphkit.store.base import EventView, GraphStore, NameRow, RoleRow, TieView, financial_year_end
from graphkit.store.economy import list_size_index
from graphkit.store.shared import contract_key_index

#: The levels of the commissioning hierarchy a crosswalk maps between, and the tie that leads up to each.
LEVELS = ("practice", "pcn", "commissioner", "system", "region")
HISTORY_KINDS = ("PCNMembership", "CommissionerAssignment", "SystemMembership", "RegionMembership")
_UP = {"pcn": "PCNMembership", "commissioner": "CommissionerAssignment", "system": "SystemMembership",
       "region": "RegionMembership"}
#: The kinds of change :func:`changes` reports, in the order of its summary.
CHANGE_KINDS = (
    "opened", "closed", "renamed", "merged", "succeeded", "role_changed",
    "joined_pcn", "left_pcn", "moved_pcn", "moved_commissioner", "moved_system", "moved_region",
    "contract_type_changed", "apms_started", "apms_ended",
)
_MOVE = {"PCNMembership": ("joined_pcn", "left_pcn", "moved_pcn"),
         "CommissionerAssignment": (None, None, "moved_commissioner"),
         "SystemMembership": (None, None, "moved_system"),
         "RegionMembership": (None, None, "moved_region")}
ONE_DAY = dt.timedelta(days=1)


# -- the history of the hierarchy's ties ---------------------------------------------------------------------


class TieHistory:
    """Every tie up the commissioning hierarchy (PCN, commissioner, system and region memberships) over all time,
    by member and kind, sorted by start."""

    def __init__(self, ties: Iterable[TieView]) -> None:
        self.up: dict[tuple[str, str], list[TieView]] = defaultdict(list)
        self.down: dict[tuple[str, str], list[TieView]] = defaultdict(list)
        sources: set[str] = set()
        for t in ties:
            sources.update(t.sources)
            self.up[(t.member, t.kind)].append(t)
            self.down[(t.organisation, t.kind)].append(t)
        self.sources = sorted(sources)  # every file the history comes from
        for by in (self.up, self.down):
            for ts in by.values():
                ts.sort(key=lambda t: (t.start or dt.date.min, t.organisation, t.member))

    @staticmethod
    def of(store: GraphStore) -> TieHistory:
        return held(store, "_tie_history", lambda: TieHistory(store.ties_of_kinds(list(HISTORY_KINDS))))

    def holding(self, member: str, kind: str, day: dt.date) -> list[TieView]:
        return [t for t in self.up.get((member, kind), ()) if _holds(t, day)]

    def parent(self, member: str, kind: str, day: dt.date) -> str | None:
        """The organisation ``member`` belongs to by ``kind`` on the day; where two ties hold at once (a practice
        assigned twice while files disagree), the one that started last, as the projection does."""
        found = self.holding(member, kind, day)
        return found[-1].organisation if found else None


def _holds(t: TieView, day: dt.date) -> bool:
    return (t.start is None or t.start <= day) and (t.end is None or day <= t.end)


def area_of(history: TieHistory, practice: str, level: str, day: dt.date) -> str | None:
    """The area of ``level`` a practice is in on the day: itself, its PCN, its commissioner (CCG or sub-ICB
    location), that commissioner's system (STP or ICB) or that system's region; None when a link is missing."""
    if level == "practice":
        return practice
    if level == "pcn":
        return history.parent(practice, "PCNMembership", day)
    code: str | None = history.parent(practice, "CommissionerAssignment", day)
    for step in ("system", "region"):
        if code is None or level == LEVELS[LEVELS.index(step) - 1]:
            break
        code = history.parent(code, _UP[step], day)
    return code


def missing_link(history: TieHistory, practice: str, level: str, day: dt.date) -> str:
    """Why a practice has no area of ``level`` on the day: the first link up the hierarchy that is missing."""
    if level == "pcn":
        return f"in no PCN on {day}"
    code = history.parent(practice, "CommissionerAssignment", day)
    if code is None:
        return f"assigned to no commissioner on {day}"
    if level == "commissioner":
        return f"no commissioner on {day}"
    system = history.parent(code, "SystemMembership", day)
    if system is None:
        return f"its commissioner {code} belongs to no system (STP or ICB) on {day}"
    return f"its system {system} belongs to no region on {day}"


def practices_on(store: GraphStore, day: dt.date) -> list[str]:
    """The GP practices (ODS role RO76) open on the day: prescribing cost centres that are not GP practices are
    left out."""
    index = SearchIndex.of(store)
    out = []
    for row in index.rows:
        if "GPPractice" not in row.all_kinds:
            continue
        roles = [r for r in index.roles.get(row.code, ()) if r.role == "RO76"]
        if roles and not any((r.start is None or r.start <= day) and (r.end is None or day <= r.end) for r in roles):
            continue
        if not roles and not ((row.start is None or row.start <= day) and (row.end is None or day <= row.end)):
            continue
        out.append(row.code)
    return sorted(out)


# -- changes ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Change:
    """One change: on ``day`` (the first day of the new state), ``code`` went from ``before`` to ``after``.

    ``precision`` says how the day is known: ``exact`` (a file states it), ``no_later_than`` (a newer file no
    longer shows the old state: the change happened on or before ``day``), ``first_observed`` (the new state is
    first seen on that day in a file of snapshots, so the change happened on or before it), ``inferred`` (seen
    only between two snapshots and dated by evidence inside that interval, before the first file showing the new
    state), ``financial_year`` (a payments year: the change took effect at some point of the year that starts on
    ``day``). A change seen only between two snapshots has ``earliest`` and ``latest``, the interval it is known to
    lie in, and ``basis``, the evidence in words (merge rule 4, docs/data.md)."""

    day: dt.date
    kind: str
    code: str
    name: str
    before: str | None = None
    after: str | None = None
    precision: str = "exact"
    sources: tuple[str, ...] = ()
    detail: str = ""
    earliest: dt.date | None = None
    latest: dt.date | None = None
    basis: str | None = None


def _between(t: TieView) -> dict[str, Any]:
    """The interval and basis of a tie's start seen only between snapshots, as Change fields (none otherwise)."""
    if t.start_earliest is None:
        return {}
    return {"earliest": t.start_earliest, "latest": t.start_latest, "basis": t.start_basis}


def _precision_start(t: TieView) -> str:
    if t.start_latest is not None and t.start is not None and t.start < t.start_latest:
        return "inferred"
    return "first_observed" if t.derived and t.end_evidence is None and not _dated(t) else "exact"


def _dated(t: TieView) -> bool:
    # a tie stated with dates by a file that dates its rows (epraccur, eccg, ePCN); snapshot files observe only
    return any(s.startswith(_DATED_SERIES) for s in t.sources)


#: Source series (slug prefix: the file's stem) whose rows carry their own start and end dates.
_DATED_SERIES = ("epraccur_", "eccg_", "ePCN_", "etr_", "curated-")


def _precision_end(t: TieView) -> str:
    return "no_later_than" if t.end_evidence is not None else "exact"


def _in(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start < day <= end


def scope(store: GraphStore, within: str | None, start: dt.date, end: dt.date) -> set[str] | None:
    """The organisations that were in an area at any time from ``start`` to ``end`` (members of members, down to
    practices), and the area itself; None for the whole country. A practice that joined a PCN after ``start`` and
    left before ``end`` is in it."""
    if within is None:
        return None
    store.organisation(within, end)  # NotFound for an unknown code
    history = TieHistory.of(store)
    seen, frontier = {within}, {within}
    for _ in range(4):  # region -> system -> commissioner -> PCN -> practice
        found = {t.member for code in frontier for kind in HISTORY_KINDS for t in history.down.get((code, kind), ())
                 if (t.start is None or t.start <= end) and (t.end is None or start <= t.end)} - seen
        if not found:
            break
        seen |= found
        frontier = found
    return seen


def changes(store: GraphStore, start: dt.date, end: dt.date, *, within: str | None = None,
            kinds: Iterable[str] | None = None) -> list[Change]:
    """Every change between ``start`` (exclusive) and ``end`` (inclusive) to the organisations of ``within`` on
    either date (every organisation when None), of the ``kinds`` asked for (all of :data:`CHANGE_KINDS` when None),
    ordered by day, kind and code. See :class:`Change` for the fields and docs/reorganisations.md for the rules."""
    if end < start:
        raise BadParameter(f"from ({start}) is after to ({end})", details={"parameter": "from"})
    wanted = set(kinds) if kinds is not None else set(CHANGE_KINDS)
    unknown = sorted(wanted - set(CHANGE_KINDS))
    if unknown:
        raise BadParameter(f"unknown kind of change: {', '.join(unknown)}; one of: {', '.join(CHANGE_KINDS)}",
                           details={"parameter": "kind"})
    codes = scope(store, within, start, end)
    index = SearchIndex.of(store)
    names = {r.code: r.name for r in index.rows}
    ends = {r.code: (r.start, r.end) for r in index.rows}
    out: list[Change] = []

    def mine(code: str) -> bool:
        return codes is None or code in codes

    # organisations opened and closed
    for row in index.rows:
        if not mine(row.code):
            continue
        if "opened" in wanted and _in(row.start, start, end):
            assert row.start is not None
            out.append(Change(row.start, "opened", row.code, row.name, after=", ".join(row.all_kinds)))
        if "closed" in wanted and row.end is not None and _in(row.end + ONE_DAY, start, end):
            out.append(Change(row.end + ONE_DAY, "closed", row.code, row.name, before=", ".join(row.all_kinds),
                              detail=f"open until {row.end.isoformat()}"))
    # role changes (CCG -> sub-ICB location, STP -> ICB ...): a role ending the day before another begins
    if "role_changed" in wanted:
        for code, roles in index.roles.items():
            if not mine(code):
                continue
            for was in roles:
                for now in roles:
                    if was.end is None or now.start != was.end + ONE_DAY or was.role == now.role:
                        continue
                    if not _in(now.start, start, end):
                        continue
                    role_was, role_now = ROLE_CLASS.get(was.role, was.role), ROLE_CLASS.get(now.role, now.role)
                    out.append(Change(now.start, "role_changed", code, names.get(code, code), role_was, role_now,
                                      sources=tuple(sorted(set(was.sources) | set(now.sources))),
                                      detail=f"{was.role} until {was.end.isoformat()}, {now.role} from "
                                             f"{now.start.isoformat()}"))
    # renamings: a name that differs between consecutive files of one series
    if "renamed" in wanted:
        for c in renaming_index(store):
            if mine(c.code):
                c = dated_by_roles(c, index.roles.get(c.code, ()))
                if _in(c.day, start, end):
                    out.append(dataclasses.replace(c, name=names.get(c.code, c.name)))
    # mergers and successions of commissioners and systems
    if wanted & {"merged", "succeeded"}:
        for e in event_index(store):
            kind = "merged" if e.kind == "Merger" else "succeeded"
            if kind not in wanted or not _in(e.day, start, end) or not (mine(e.result) or any(map(mine, e.originals))):
                continue
            # exact when the files date it (the originals close the day before, or the result opens that day);
            # otherwise it is dated by the first file that shows it
            exact = (ends.get(e.result, (None, None))[0] == e.day
                     or any(ends.get(o, (None, None))[1] == e.day - ONE_DAY for o in e.originals))
            out.append(Change(e.day, kind, e.result, names.get(e.result, e.result), ", ".join(e.originals),
                              e.result, precision="exact" if exact else "no_later_than", sources=e.sources))
    # practices (and commissioners, systems) moving between areas
    history = TieHistory.of(store)
    for (member, kind), ties in history.up.items():
        joined, left, moved = _MOVE[kind]
        if not mine(member) or not ({joined, left, moved} & wanted):
            continue
        name = names.get(member, ties[0].member_name)
        starts = {t.start: t for t in ties if t.start is not None}
        paired: set[int] = set()
        for old in ties:
            if old.end is None:
                continue
            nxt = starts.get(old.end + ONE_DAY)
            day = old.end + ONE_DAY
            if not _in(day, start, end):
                continue
            if nxt is not None and nxt.organisation != old.organisation:
                paired.add(id(nxt))
                if moved in wanted:
                    precision = ("inferred" if old.end_inferred else "no_later_than" if old.end_evidence
                                 else _precision_start(nxt))
                    out.append(Change(day, moved, member, name, old.organisation, nxt.organisation, precision,
                                      sources=tuple(sorted(set(old.sources) | set(nxt.sources))),
                                      detail=f"{old.organisation_name} until {old.end.isoformat()}; "
                                             f"{nxt.organisation_name} from {day.isoformat()}", **_between(nxt)))
            elif nxt is None and left is not None and left in wanted:
                out.append(Change(day, left, member, name, old.organisation, None, _precision_end(old),
                                  sources=old.sources, detail=f"{old.organisation_name} until {old.end.isoformat()}"))
        if joined is not None and joined in wanted:
            for t in ties:
                if id(t) in paired or not _in(t.start, start, end):
                    continue
                assert t.start is not None
                previous = [o for o in ties if o.end is not None and o.end + ONE_DAY == t.start]
                if previous and previous[0].organisation == t.organisation:
                    continue  # the same membership restated by another file
                out.append(Change(t.start, joined, member, name, None, t.organisation, _precision_start(t),
                                  sources=t.sources, detail=f"{t.organisation_name} from {t.start.isoformat()}",
                                  **_between(t)))
    # contract types by financial year (payments)
    if wanted & {"contract_type_changed", "apms_started", "apms_ended"}:
        out += _contract_changes(store, start, end, mine, names, wanted)
    out.sort(key=lambda c: (c.day, CHANGE_KINDS.index(c.kind), c.code, c.before or "", c.after or ""))
    return out


def event_index(store: GraphStore) -> list[EventView]:
    """Every merger and succession, read once per store object and kept (:func:`~graphkit.store.areas.held`)."""

    return held(store, "_event_index", store.all_events)


def name_index(store: GraphStore) -> list[NameRow]:
    """Every name every file gives every organisation (:meth:`~graphkit.store.base.GraphStore.all_names`), read
    once per store object and kept (:func:`~graphkit.store.areas.held`)."""
    return held(store, "_name_index", store.all_names)


def renaming_index(store: GraphStore) -> list[Change]:
    """Every renaming the store's files show (:func:`renamings` of :func:`name_index`), made once and kept."""
    return held(store, "_renaming_index", lambda: renamings(name_index(store)))


def name_key(name: str) -> str:
    """A name as renamings compare it: in any case, ``&`` read as ``and``, spaces and punctuation ignored, so
    that two spellings of one name are not a renaming.

    >>> name_key("St. Mary's Surgery & Health Centre") == name_key("ST MARYS SURGERY AND HEALTH-CENTRE")
    True
    """
    return "".join(ch for ch in name.replace("&", " and ").casefold() if ch.isalnum())


#: The date in a file's slug: what is left is the file's series (epraccur_2019-12 -> epraccur,
#: ePCN_2022-05_pcn_details -> ePCN_pcn_details, nhspaymentsgp_2021-22 -> nhspaymentsgp).
_SLUG_DATE = re.compile(r"_\d{4}(?:-\d{2})?(?=_|$)")
#: Consecutive files of a series in which more than this share of the organisations both name (at least
#: :data:`CONVENTION_MIN` of them) change name: the publisher changed how it names them (nhspaymentsgp_2019-20 names
#: many practices by their partners, 2020-21 by the practice's name), so the pair shows no renamings.
CONVENTION_SHARE = 0.25
CONVENTION_MIN = 100


def series_of(slug: str) -> str:
    """The series of a source file: its slug without the date (the kind of file: ``epraccur``,
    ``gp-reg-pat-prac-map``, ``ePCN_pcn_details``, ``nhspaymentsgp``); the slug itself when it holds no date."""
    return _SLUG_DATE.sub("", slug, count=1)


def renamings(rows: Iterable[NameRow]) -> list[Change]:
    """Organisations whose name differs (compared by :func:`name_key`) between two consecutive vintages of files
    of one series, both naming it; files of different series are never compared (publishers spell and abbreviate
    names their own way). The day is the newer file's vintage (``no_later_than``: the name changed after the older
    file's vintage and on or before the newer one's). A renaming several series show is reported once, dated by the
    series that dates it most narrowly, with the files of every series that shows it. A pair of files in which
    more than :data:`CONVENTION_SHARE` of the organisations both name change name (:data:`CONVENTION_MIN` or more)
    shows a change of the publisher's convention, not renamings, and is skipped.

    >>> rows = [("A81001", "THE DENSHAM SURGERY", "epraccur_2019-12", dt.date(2019, 12, 1)),
    ...         ("A81001", "The Densham Surgery", "epraccur_2023-12", dt.date(2023, 12, 1)),
    ...         ("A81002", "QUEENS PARK MEDICAL CENTRE", "epraccur_2019-12", dt.date(2019, 12, 1)),
    ...         ("A81002", "QUEENS PARK MEDICAL CENTRE", "epraccur_2023-12", dt.date(2023, 12, 1)),
    ...         ("A81004", "BLUEBELL MEDICAL CENTRE", "epraccur_2019-12", dt.date(2019, 12, 1)),
    ...         ("A81004", "WOODLANDS ROAD SURGERY", "epraccur_2023-12", dt.date(2023, 12, 1))]
    >>> [(c.code, c.day, c.before, c.after) for c in renamings(rows)]
    [('A81004', datetime.date(2023, 12, 1), 'BLUEBELL MEDICAL CENTRE', 'WOODLANDS ROAD SURGERY')]
    """
    # (series, vintage) -> code -> {name: slugs}
    files: dict[tuple[str, dt.date], dict[str, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set)))
    for code, name, slug, vintage in rows:
        files[(series_of(slug), vintage)][code][name].add(slug)
    vintages: dict[str, list[dt.date]] = defaultdict(list)
    for series, vintage in sorted(files):
        vintages[series].append(vintage)
    # (code, old names, new names) -> every (older vintage, newer vintage, series, old, new) that shows it
    found: dict[tuple[str, frozenset[str], frozenset[str]], list[tuple[Any, ...]]] = defaultdict(list)
    for series, held_vintages in vintages.items():
        for older, newer in itertools.pairwise(held_vintages):
            a, b = files[(series, older)], files[(series, newer)]
            both = a.keys() & b.keys()
            changed = []
            for code in sorted(both):
                was, now = frozenset(map(name_key, a[code])), frozenset(map(name_key, b[code]))
                if not was & now:
                    changed.append((code, was, now))
            if len(both) >= CONVENTION_MIN and len(changed) > CONVENTION_SHARE * len(both):
                continue
            for code, was, now in changed:
                found[(code, was, now)].append((older, newer, series, a[code], b[code]))
    out = []
    for (code, _, _), shown in found.items():
        older, newer, series, old, new = min(shown, key=lambda s: (s[1] - s[0], s[1], s[2]))
        old_slugs = ", ".join(sorted(set().union(*old.values())))
        new_slugs = ", ".join(sorted(set().union(*new.values())))
        sources = sorted({slug for s in shown for names in (s[3], s[4]) for slugs in names.values() for slug in slugs})
        before, after = " / ".join(sorted(old)), " / ".join(sorted(new))
        out.append(Change(newer, "renamed", code, after, before=before, after=after, precision="no_later_than",
                          sources=tuple(sources), detail=f"{before} in {old_slugs} ({older.isoformat()}); {after} in "
                                                         f"{new_slugs} ({newer.isoformat()})",
                          earliest=older + ONE_DAY, latest=newer))
    return sorted(out)



def dated_by_roles(change: Change, roles: Iterable[RoleRow]) -> Change:
    """A change seen only between two files (``earliest`` to ``latest``) dated as the merge dates moves (docs/data.md,
    rule 4): by the day inside that interval that the organisation's roles name (a role beginning, or one ending the
    day before), the one most of them name, the earliest if tied; unchanged when none does. 16C's renaming from NHS
    Tees Valley CCG, seen between the mappings of 2022-01 and 2026-08, is dated 2022-07-01, the day its role
    changed."""
    if change.earliest is None or change.latest is None:
        return change
    roles = list(roles)
    named = days_named(change.earliest, change.latest,
                       [(r.start, f"{r.role} from {r.start.isoformat()}") for r in roles if r.start is not None],
                       [(r.end, f"{r.role} until {r.end.isoformat()}") for r in roles if r.end is not None])
    if not named:
        return change
    day = most_named(named)
    if day == change.day:
        return change
    return dataclasses.replace(change, day=day, precision="inferred",
                               basis=f"dated {day.isoformat()}, the day inside the interval that its roles name: "
                                     f"{change.code} holds " + ", ".join(sorted(named[day])))


def _contract_changes(store: GraphStore, start: dt.date, end: dt.date, mine: Any, names: Mapping[str, str],
                      wanted: set[str]) -> list[Change]:
    by_holder: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    years: set[str] = set()
    for year, holder, _iri, ctype, _comms, _dispensing in contract_key_index(store):
        years.add(year)
        by_holder[holder][year].add(ctype)
    ordered = sorted(years)
    out = []
    for holder, held_years in by_holder.items():
        if not mine(holder):
            continue
        for prev, year in itertools.pairwise(ordered):
            day = financial_year_end(prev) + ONE_DAY  # 1 April of ``year``
            if not _in(day, start, end):
                continue
            a, b = held_years.get(prev, set()), held_years.get(year, set())
            src = (f"nhspaymentsgp_{prev}", f"nhspaymentsgp_{year}")
            if a and b and a != b and "contract_type_changed" in wanted:
                out.append(Change(day, "contract_type_changed", holder, names.get(holder, holder),
                                  "/".join(sorted(a)), "/".join(sorted(b)), "financial_year", sources=src,
                                  detail=f"{'/'.join(sorted(a))} in {prev}, {'/'.join(sorted(b))} in {year}"))
            if "APMS" in b and "APMS" not in a and "apms_started" in wanted:
                out.append(Change(day, "apms_started", holder, names.get(holder, holder), "/".join(sorted(a)) or None,
                                  "APMS", "financial_year", sources=src, detail=f"APMS in {year}, not in {prev}"))
            if "APMS" in a and "APMS" not in b and "apms_ended" in wanted:
                out.append(Change(day, "apms_ended", holder, names.get(holder, holder), "APMS",
                                  "/".join(sorted(b)) or None, "financial_year", sources=src,
                                  detail=f"APMS in {prev}, not in {year}"))
    return out


def summary(found: Iterable[Change]) -> dict[str, int]:
    """How many changes of each kind, in the order of :data:`CHANGE_KINDS` (kinds with none left out)."""
    counts: dict[str, int] = defaultdict(int)
    for c in found:
        counts[c.kind] += 1
    return {k: counts[k] for k in CHANGE_KINDS if counts.get(k)}


# -- crosswalk -------------------------------------------------------------------------------------------------------


def nearest_year(years: Iterable[str], day: dt.date) -> str | None:
    """The financial year (``YYYY-YY``) among ``years`` nearest the day: the one holding it, else the one whose
    nearest end is closest (ties to the earlier year)."""
    best: tuple[int, str] | None = None
    for y in years:
        last = financial_year_end(y)
        first = dt.date(last.year - 1, 4, 1)
        distance = 0 if first <= day <= last else min(abs((day - first).days), abs((day - last).days))
        if best is None or (distance, y) < best:
            best = (distance, y)
    return best[1] if best else None


@dataclass
class CrosswalkRow:
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    practices: int
    patients: int
    practice_weight: float
    patient_weight: float


@dataclass
class Crosswalk:
    """The crosswalk table, the summary of each old area, and what could not be mapped."""

    from_level: str
    from_date: dt.date
    to_level: str
    to_date: dt.date
    list_size_year: str | None
    rows: list[CrosswalkRow] = field(default_factory=list)
    areas: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def level_name(name: str, parameter: str) -> str:
    level = {"ccg": "commissioner", "sub-icb": "commissioner", "sub_icb": "commissioner", "stp": "system",
             "icb": "system"}.get(name.lower(), name.lower())
    if level not in LEVELS:
        raise BadParameter(f"unknown level {name!r}; one of: practice, pcn, commissioner (ccg, sub-icb), "
                           "system (stp, icb), region", details={"parameter": parameter})
    return level


def crosswalk(store: GraphStore, from_level: str, from_date: dt.date, to_level: str, to_date: dt.date) -> Crosswalk:
    """Every area of ``from_level`` on ``from_date`` mapped onto the areas of ``to_level`` on ``to_date`` through
    the GP practices they share: each practice open on ``from_date`` goes from its old area to its new one.
    Weights: the share of the old area's practices (``practice_weight``) and of its registered patients
    (``patient_weight``, list sizes of the financial year nearest ``from_date``) that went to each new area;
    each old area's weights sum to 1 over the practices that could be mapped. Practices with no old or no new area
    (closed by ``to_date``, not yet in a PCN ...) are listed in ``unmapped``, never dropped; each old area's summary
    says how much of it maps to its main new area (``clean_share``) and names the practices that break the nesting."""
    fl, tl = level_name(from_level, "from_level"), level_name(to_level, "to_level")
    history = TieHistory.of(store)
    index = SearchIndex.of(store)
    names = {r.code: r.name for r in index.rows}
    sizes = list_size_index(store)
    year = nearest_year({y for rows in sizes.values() for y, _ in rows}, from_date)
    practices = practices_on(store, from_date)
    open_later = set(practices_on(store, to_date))
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    patients_of: dict[str, int] = {}
    result = Crosswalk(fl, from_date, tl, to_date, year)
    for p in practices:
        old = area_of(history, p, fl, from_date)
        new = area_of(history, p, tl, to_date) if p in open_later else None
        held_years = dict(sizes.get(p, ()))
        size_year = nearest_year(held_years, from_date) if held_years else None
        patients_of[p] = int(held_years[size_year]) if size_year else 0
        if old is None or new is None:
            result.unmapped.append({
                "practice": p, "name": names.get(p, p), "from_code": old, "to_code": new,
                "patients": patients_of[p],
                "reason": (missing_link(history, p, fl, from_date) if old is None else
                           f"closed by {to_date}" if p not in open_later else
                           missing_link(history, p, tl, to_date)),
            })
            continue
        pairs[(old, new)].append(p)
    by_old: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for (old, new), ps in sorted(pairs.items()):
        by_old[old].append((new, ps))
    for old, targets in sorted(by_old.items()):
        n = sum(len(ps) for _, ps in targets)
        pts = sum(patients_of[p] for _, ps in targets for p in ps)
        for new, ps in targets:
            share = sum(patients_of[p] for p in ps)
            result.rows.append(CrosswalkRow(old, names.get(old, old), new, names.get(new, new), len(ps), share,
                                            len(ps) / n, share / pts if pts else len(ps) / n))
        main_new, main_ps = max(targets, key=lambda t: (sum(patients_of[p] for p in t[1]), len(t[1]), t[0]))
        breaking = sorted(p for new, ps in targets if new != main_new for p in ps)
        result.areas.append({
            "from_code": old, "from_name": names.get(old, old), "practices": n, "patients": pts,
            "to_areas": len(targets), "main_to_code": main_new,
            "clean_share": (sum(patients_of[p] for p in main_ps) / pts) if pts else len(main_ps) / n,
            "clean_practice_share": len(main_ps) / n,
            "breaking_practices": breaking,
        })
    result.sources = list(history.sources)
    return result


def apportion(walk: Crosswalk, values: Mapping[str, Mapping[str, float]], *, weight: str = "patients",
              source: str = "values") -> list[dict[str, Any]]:
    """Figures reported by old area (``values``: old area code -> {column: number}) carried onto the new areas by
    the crosswalk's weights (``weight``: ``patients`` or ``practices``): one row per new area with each column's
    apportioned value and, for each old area that fed it, the weight used. An old area the crosswalk does not know
    is an error naming it (``source`` names the input in the message); none is dropped.

    >>> walk = Crosswalk("commissioner", dt.date(2021, 6, 1), "system", dt.date(2024, 10, 1), "2021-22",
    ...     rows=[CrosswalkRow("A", "A", "X", "X", 3, 600, 0.75, 0.6), CrosswalkRow("A", "A", "Y", "Y", 1, 400, 0.25,
    ...     0.4), CrosswalkRow("B", "B", "Y", "Y", 2, 100, 1.0, 1.0)])
    >>> [(r["to_code"], r["values"]) for r in apportion(walk, {"A": {"n": 10.0}, "B": {"n": 5.0}})]
    [('X', {'n': 6.0}), ('Y', {'n': 9.0})]
    """
    if weight not in ("patients", "practices"):
        raise BadParameter(f"unknown weight {weight!r}; one of: patients, practices", details={"parameter": "weight"})
    known = {r.from_code for r in walk.rows}
    unknown = sorted(set(values) - known)
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        raise BadParameter(f"{source}: no {walk.from_level} area on {walk.from_date} has the code {shown} (the "
                           f"crosswalk knows {len(known)} codes)", details={"parameter": source, "codes": unknown})
    columns = sorted({c for v in values.values() for c in v})
    out: dict[str, dict[str, Any]] = {}
    for r in walk.rows:
        if r.from_code not in values:
            continue
        w = r.patient_weight if weight == "patients" else r.practice_weight
        row = out.setdefault(r.to_code, {"to_code": r.to_code, "to_name": r.to_name,
                                         "values": dict.fromkeys(columns, 0.0), "from": []})
        for c, v in values[r.from_code].items():
            row["values"][c] += v * w
        row["from"].append({"from_code": r.from_code, "weight": w})
    return [out[k] for k in sorted(out)]


def read_values(text: str, source: str) -> tuple[list[str], dict[str, dict[str, float]]]:
    """A user's CSV of figures by area: a header, the area code in the first column, numbers in the others (empty
    cells count 0). Each problem names the line and the column; a code given twice is refused."""
    import csv
    import io
    import math

    if "\x00" in text:
        raise BadParameter(f"{source}: holds a NUL byte, so it is not a CSV text", details={"parameter": source})
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise BadParameter(f"{source}: not a CSV text ({e})", details={"parameter": source}) from None
    if not rows or len(rows[0]) < 2:
        raise BadParameter(f"{source}: line 1: a header with the area code column and at least one column of "
                           "figures is needed", details={"parameter": source})
    header = [h.strip() for h in rows[0]]
    out: dict[str, dict[str, float]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise BadParameter(f"{source}: line {number}: {len(row)} values for {len(header)} columns",
                               details={"parameter": source, "line": number})
        code = row[0].strip().upper()
        if code in out:
            raise BadParameter(f"{source}: line {number}: {header[0]} {code!r} given twice",
                               details={"parameter": source, "line": number})
        figures: dict[str, float] = {}
        for column, cell in zip(header[1:], row[1:], strict=True):
            try:
                value = float(cell.replace(",", "")) if cell.strip() else 0.0
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise BadParameter(f"{source}: line {number}, column {column}: not a number: {cell[:40]!r}",
                                   details={"parameter": source, "line": number, "column": column})
            figures[column] = value
        out[code] = figures
    return header, out


# -- tables ------------------------------------------------------------------------------------------------------

CROSSWALK_COLUMNS = ("from_code", "from_name", "to_code", "to_name", "practices", "patients", "practice_weight",
                     "patient_weight")
AREA_COLUMNS = ("from_code", "from_name", "practices", "patients", "to_areas", "main_to_code", "clean_share",
                "clean_practice_share", "breaking_practices")
UNMAPPED_COLUMNS = ("practice", "name", "from_code", "to_code", "patients", "reason")
CHANGE_COLUMNS = ("day", "kind", "code", "name", "before", "after", "precision", "earliest", "latest", "sources",
                  "detail", "basis")


def to_csv(columns: Iterable[str], rows: Iterable[Mapping[str, Any]], notes: Iterable[str] = ()) -> str:
    """A CSV table (cells neutralised against spreadsheet formulas), after ``#`` comment lines saying where it
    comes from."""
    import csv
    import io

    from graphkit.outputs.area import cell

    buf = io.StringIO()
    for note in notes:
        buf.write(f"# {note}\n")
    cols = list(columns)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for r in rows:
        writer.writerow([cell(tuple(v) if isinstance(v, list) else v) for v in (r.get(c) for c in cols)])
    return buf.getvalue()


def crosswalk_table(walk: Crosswalk, table: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The columns and rows of one table of a crosswalk: ``rows``, ``areas`` or ``unmapped``."""
    if table == "rows":
        return CROSSWALK_COLUMNS, [dataclasses.asdict(r) for r in walk.rows]
    if table == "areas":
        return AREA_COLUMNS, walk.areas
    if table == "unmapped":
        return UNMAPPED_COLUMNS, walk.unmapped
    raise BadParameter(f"unknown table {table!r}; one of: rows, areas, unmapped", details={"parameter": "table"})


def apportion_csv(walk: Crosswalk, header: list[str], values: Mapping[str, Mapping[str, float]], *,
                  weight: str = "patients", source: str = "values") -> str:
    """:func:`apportion` written as CSV: one row per new area, the figures of ``header`` (after the code column)
    and the old areas with the weights used, after the crosswalk's ``#`` lines and the weight."""
    rows = apportion(walk, values, weight=weight, source=source)
    flat = [{"to_code": r["to_code"], "to_name": r["to_name"], **r["values"], "weights": _weights(r)} for r in rows]
    return to_csv(["to_code", "to_name", *header[1:], "weights"], flat, [*crosswalk_notes(walk), f"weight: {weight}"])


def _weights(row: Mapping[str, Any]) -> str:
    return "; ".join(f"{f['from_code']} {f['weight']:.6f}" for f in row["from"])


def crosswalk_notes(walk: Crosswalk) -> list[str]:
    return [f"crosswalk {walk.from_level} on {walk.from_date} -> {walk.to_level} on {walk.to_date}; patients: list "
            f"sizes of {walk.list_size_year or 'no year held'} (nearest held to {walk.from_date})",
            f"sources: {', '.join(walk.sources)}"]


def apportion_frame(walk: Crosswalk, frame: Any, *, code_column: str | None = None, weight: str = "patients") -> Any:
    """:func:`apportion` for a pandas DataFrame: ``code_column`` (the first column when None) holds the old area
    codes, every other numeric column is apportioned; the result has one row per new area (``to_code``,
    ``to_name``, the columns) and a ``weights`` column naming the old areas and weights that fed it."""
    import pandas as pd

    column = code_column or str(frame.columns[0])
    numeric = [c for c in frame.columns if c != column and pd.api.types.is_numeric_dtype(frame[c])]
    codes = frame[column].astype(str).str.strip().str.upper()
    if codes.duplicated().any():
        raise BadParameter(f"{column}: the code {codes[codes.duplicated()].iloc[0]!r} is given twice",
                           details={"parameter": column})
    values = {code: {str(c): float(frame[c].iloc[i]) for c in numeric} for i, code in enumerate(codes)}
    rows = apportion(walk, values, weight=weight, source=column)
    return pd.DataFrame([{"to_code": r["to_code"], "to_name": r["to_name"], **r["values"], "weights": _weights(r)}
                         for r in rows])
