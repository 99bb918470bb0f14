"""Merging vintages: one resolved view of every organisation, role and tie, with the statements
of every source kept beside it.

Rules (docs/data.md, "From rows to the graph", says them for users):

1. Identity. An organisation is its ODS code. A dated tie (ePCN membership, epraccur commissioner
   with its join date) is (kind, member, organisation, start). A snapshot tie (a mapping file that
   says "on this date the practice is in this PCN") has no dates; it is an *observation*.
2. Newer wins. Where vintages disagree about a dated tie's end, the newest file's end is the
   resolved end; every file's own statement stays in its named graph. An older file that still showed the tie
   after that end is reported (a conflict naming both files), never contradicted silently.
3. Closed by absence. A tie an older file states open-ended and the next file of the same series
   no longer lists is closed no later than the day before that newer file's vintage, or the day
   before the member's next tie of that kind starts, whichever is earlier. The newer file is
   recorded as the evidence (``pcg:endEvidence``) and the end is marked derived.
4. Observations. An observation inside a dated tie's period corroborates it (its source is added).
   Other observations of a member are put in date order; each run of the same organisation becomes
   a tie from its first observation to the day before the member is first seen elsewhere (derived),
   or open-ended. A change seen only between two snapshots is then dated by the best evidence inside the
   interval it is known to lie in, which the new tie keeps with its basis (:func:`date_between_snapshots`).
5. Time-bounded kinds. CCG codes that became sub-ICB locations, and STP codes that became ICBs, hold
   role RO98/RO262 up to 2022-06-30 and RO319/RO318 from 2022-07-01 (Health and Care Act 2022).
6. Change events. When a member's tie to X ends the day before its tie to Y starts, and on that day no
   tie to X holds any more, X's role passed to Y: a merger (two or more such X) or a succession.
7. Lives. A tie holds only while both its organisations exist: it starts no earlier than either opened and ends
   no later than either closed (ODS files keep a practice's first join date after its CCG merged, and rule 3
   closes a tie to a merged CCG only at the next file). A tie so clipped keeps the period the files gave it
   (``stated``) and the organisations' dates that cut it (``clipped_by``); each file's own statement stays in
   its named graph; the report lists every clipped tie. Clipping comes before rule 6, so a practice cut from its
   old CCG the day before its new one opened shows the merger.
8. Successions move ties. A tie cut at its organisation's close, where rule 6 found that organisation merged or
   succeeded into Y (one Y) on the next day, carries on to Y from that day, up to the end the files gave it (or
   the day before the member's next tie of that kind, or Y's close), unless the member already has a tie of that
   kind on that day. The new tie is derived (``moved_from``), cites the rows of the old one, and is reported.
   A tie that falls wholly outside an organisation's life and that no succession carries is not loaded and is
   reported (``tie-outside-organisation-life``), naming the file and line of each statement.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from graphkit.core.model import ImportResult, Organisation, Relation, RoleHolding, Source, joined_note
from graphkit.core.nhs import CCG_LAST_DAY, ICB_DAY, ICB_RULE, ROLE_CLASS
from graphkit.core.temporal import days_named, holds_on, most_named

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Statement:
    source: Source
    line: int
    start: dt.date | None = None
    end: dt.date | None = None
    observed: dt.date | None = None
    citations: tuple[str, ...] = ()


@dataclass
class MergedTie:
    kind: str
    member: str
    organisation: str
    start: dt.date | None
    end: dt.date | None
    statements: list[Statement] = field(default_factory=list)
    dated: bool = True  # False: the period is derived from observations
    end_evidence: Source | None = None  # the newer file whose silence closed the tie
    # a start seen only between snapshots (rule 4): the first day of the tie lies in [earliest, latest]
    start_interval: tuple[dt.date, dt.date] | None = None
    start_basis: str | None = None  # the evidence that dates the start, in words (files and lines named)
    end_inferred: bool = False  # the end is the day before the next tie's inferred start, not a stated day
    # rule 7: the period before it was clipped to its organisations' lives, and the dates that cut it (in words)
    stated: tuple[dt.date | None, dt.date | None] | None = None
    clipped_by: tuple[str, ...] = ()
    moved_from: str | None = None  # rule 8: the organisation whose merger or succession carried the tie here

    @property
    def derived(self) -> bool:
        return not self.dated or self.end_evidence is not None


@dataclass
class MergedRole:
    code: str
    role: str
    start: dt.date | None
    end: dt.date | None
    statements: list[Statement] = field(default_factory=list)
    rule: str | None = None


@dataclass
class MergedOrganisation:
    code: str
    kinds: set[str] = field(default_factory=set)
    names: list[tuple[dt.date, str, Source]] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    status: str | None = None
    postcode: str | None = None
    ons_code: str | None = None
    fictional: bool = False
    list_size: int | None = None  # curated: the newest stated list size
    central_functions: set[str] = field(default_factory=set)  # curated: every stated central function
    exit_costs: set[str] = field(default_factory=set)  # curated: every stated exit cost
    footprint_basis: str | None = None  # curated: the newest stated footprint basis (ontology 2.5.0)
    note: str | None = None  # curated: the rows' notes, each once, in the order read, joined by " | " (ontology 2.6.0)
    statements: list[tuple[Source, Organisation]] = field(default_factory=list)
    resolved_name: str | None = None  # set when read back from a store, which holds the resolved name

    @property
    def name(self) -> str:
        """The name in the newest source (ties broken by the longer name)."""
        if self.resolved_name is not None:
            return self.resolved_name
        if not self.names:
            return self.code
        return max(self.names, key=lambda n: (n[0], len(n[1])))[1]


@dataclass(frozen=True)
class Conflict:
    """A statement the merge did not follow, kept for the data-quality report."""

    kind: str
    member: str
    organisation: str
    day: dt.date
    source: Source
    line: int
    reason: str
    # or "newer-file-ends-tie-earlier", "payments-geography-differs"
    rule: str = "snapshot-disagrees-with-dated-file"


@dataclass
class ChangeEvent:
    """A merger or succession seen across vintages: the members of the originals moved to the result
    on one day, and the originals kept none."""

    kind: str  # "Merger" (two or more originals) or "Succession" (one)
    originals: tuple[str, ...]
    result: str
    day: dt.date
    tie_kind: str  # the ties whose moves show it (CommissionerAssignment, SystemMembership)
    members_moved: int
    sources: tuple[Source, ...]


@dataclass
class MergedGraph:
    organisations: dict[str, MergedOrganisation] = field(default_factory=dict)
    ties: list[MergedTie] = field(default_factory=list)
    roles: list[MergedRole] = field(default_factory=list)
    results: list[ImportResult] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    undescribed: list[str] = field(default_factory=list)
    events: list[ChangeEvent] = field(default_factory=list)
    inferred: list[MergedTie] = field(default_factory=list)  # ties whose start evidence moved before the file


def _vintage_order(results: list[ImportResult]) -> list[ImportResult]:
    return sorted(results, key=lambda r: (r.source.vintage, r.source.slug))


def merge(results: list[ImportResult]) -> MergedGraph:
    results = _vintage_order(results)
    out = MergedGraph(results=results)
    _merge_organisations(results, out)
    transitions = _merge_ties(results, out)
    _merge_roles(results, out)
    out.inferred = date_between_snapshots(transitions, out, results)
    _describe_referenced(out)
    outside = clip_to_lives(out)
    out.events = derive_events(out.ties, out.organisations)
    move_to_successors(out, outside)
    _report_payments_geography(out)
    return out


@dataclass(frozen=True)
class Footprint:
    """What the merge of some records reads that the merge of other records could share: every code their records
    name, the (file kind, tie kind) series their ties belong to (rule 3), their files' slugs, and the last of their
    files in the merge's order (vintage, slug)."""

    codes: frozenset[str]
    series: frozenset[tuple[str, str]]
    slugs: frozenset[str]
    last: tuple[dt.date, str] | None

    def __or__(self, other: Footprint) -> Footprint:
        lasts = [x for x in (self.last, other.last) if x is not None]
        return Footprint(self.codes | other.codes, self.series | other.series, self.slugs | other.slugs,
                         max(lasts) if lasts else None)


def footprint(results: list[ImportResult]) -> Footprint:
    """The footprint of ``results``: the codes of their organisations, of both ends of their ties (dated or
    observed), of their role holders, of their payments contracts' practices and commissioners and of their region
    observations (every code :func:`merge` looks up), their ties' series, their slugs, and the last file."""
    codes: set[str] = set()
    series: set[tuple[str, str]] = set()
    for r in results:
        codes.update(o.code for o in r.organisations)
        for rel in r.relations:
            codes.add(rel.member)
            codes.add(rel.organisation)
            series.add((r.source.kind, rel.kind))
        codes.update(h.code for h in r.roles)
        for k in r.contracts:
            codes.add(k.practice)
            if k.commissioner:
                codes.add(k.commissioner)
        for ob in r.region_observations:
            codes.add(ob.area)
            codes.add(ob.region)
    last = max(((r.source.vintage, r.source.slug) for r in results), default=None)
    return Footprint(frozenset(codes), frozenset(series), frozenset(r.source.slug for r in results), last)


# the conflicts in the order merge() finds them: ties a newer file overrules, retroactive ends, observations, ties
# outside their organisations' lives, then payments geography
_CONFLICT_PHASE = {"newer-file-places-member-elsewhere": 0, "newer-file-ends-tie-earlier": 1,
                   "snapshot-disagrees-with-dated-file": 2, "tie-outside-organisation-life": 3,
                   "payments-geography-differs": 4}


def merge_onto(old: MergedGraph, old_footprint: Footprint, results: list[ImportResult]) -> MergedGraph | None:
    """``merge([*old.results, *results])`` for ``old`` = ``merge(old.results)`` (whose footprint is
    ``old_footprint``), without merging the old records again, when the new records cannot change anything merged
    from the old ones; else None (merge everything).

    They cannot when (1) they name none of the old records' codes: every rule of :func:`merge` joins records by code
    (an organisation; a tie by its member and organisation, rule 4's observations by member, the events by member
    and organisation, roles by holder, a payments contract by practice and commissioner, a region observation by
    area), so no merged unit then draws on both; (2) their ties belong to no series of the old ones (rule 3 closes a
    tie by its absence from a later file of its series); (3) their files all come after the old ones in the merge's
    order (vintage, slug): the merge's lists (organisations in the order first met, then the undescribed ones;
    conflicts by the rule finding them, each in file order; the ties dated from evidence) are then the old ones
    followed by the new. The result holds the old units themselves (the same objects) beside those merged from
    the new records, in the order :func:`merge` gives: ``tests/ingest/test_merge_onto.py`` compares the two."""
    new = _vintage_order(results)
    mine = footprint(new)
    if (mine.codes & old_footprint.codes or mine.series & old_footprint.series or mine.slugs & old_footprint.slugs
            or (new and old_footprint.last is not None and (new[0].source.vintage, new[0].source.slug)
                <= old_footprint.last)):
        return None
    if any(c.rule not in _CONFLICT_PHASE for c in old.conflicts):
        return None  # a conflict of a rule this does not know the place of
    part = merge(new)
    if any(c.rule not in _CONFLICT_PHASE for c in part.conflicts):
        return None
    out = MergedGraph(results=[*old.results, *part.results])
    # ties are sorted by (kind, member, organisation, start); no member is both old and new, so (kind, member)
    # orders them, and a stable sort keeps each side's own order among its ties of one member
    out.ties = sorted([*old.ties, *part.ties], key=lambda t: (t.kind, t.member))
    out.roles = sorted([*old.roles, *part.roles], key=lambda m: m.code)  # likewise, by holder
    unnamed = {*old.undescribed, *part.undescribed}
    for t in out.ties:  # in the order of the first tie naming each, as _describe_referenced lists them
        if t.organisation in unnamed and t.organisation not in out.undescribed:
            out.undescribed.append(t.organisation)
    for side in (old, part):
        skip = set(side.undescribed)
        out.organisations.update((c, o) for c, o in side.organisations.items() if c not in skip)
    for code in out.undescribed:
        out.organisations[code] = old.organisations.get(code) or part.organisations[code]
    out.conflicts = sorted([*old.conflicts, *part.conflicts], key=lambda c: _CONFLICT_PHASE[c.rule])
    out.inferred = [*old.inferred, *part.inferred]
    out.events = sorted([*old.events, *part.events], key=lambda e: (e.day, e.result))
    return out


def _report_payments_geography(out: MergedGraph) -> None:
    """A payments file states each practice's commissioner and the commissioner's NHS England region without
    dates (they are not ties of the graph: the commissioner is the contract's). Where the graph's chain on the
    file's day (the year's end, or the practice's close when earlier) says otherwise, the disagreement is a
    conflict naming the payments line and the files of the graph's tie; the dated files are followed."""
    ties: dict[tuple[str, str], list[MergedTie]] = defaultdict(list)
    for t in out.ties:
        if t.kind in ("CommissionerAssignment", "SystemMembership", "RegionMembership"):
            ties[(t.kind, t.member)].append(t)

    def held(kind: str, member: str, day: dt.date) -> list[MergedTie]:
        return [t for t in ties.get((kind, member), ()) if holds_on(t.start, t.end, day)]

    def said(found: list[MergedTie]) -> str:
        files = sorted({st.source.slug for t in found for st in t.statements})
        return f"{', '.join(sorted({t.organisation for t in found}))} ({', '.join(files)})"

    for r in out.results:
        if r.source.kind != "nhs-payments-gp":
            continue
        year_end = r.source.vintage
        for k in r.contracts:
            practice = out.organisations.get(k.practice)
            day = practice.end if practice and practice.end and practice.end < year_end else year_end
            found = held("CommissionerAssignment", k.practice, day)
            if k.commissioner and found and all(t.organisation != k.commissioner for t in found):
                out.conflicts.append(Conflict(
                    "CommissionerAssignment", k.practice, k.commissioner, day, r.source, k.line,
                    f"the graph's commissioner on {day} is {said(found)}; the dated files are followed",
                    "payments-geography-differs",
                ))
        for ob in r.region_observations:
            systems = held("SystemMembership", ob.area, ob.observed)
            regions = [t for s in systems for t in held("RegionMembership", s.organisation, ob.observed)]
            if regions and all(t.organisation != ob.region for t in regions):
                out.conflicts.append(Conflict(
                    "RegionMembership", ob.area, ob.region, ob.observed, r.source, ob.line,
                    f"the graph puts {ob.area} in system {said(systems)}, in region {said(regions)}, on "
                    f"{ob.observed}; a payments file states the geography of its publication, after its year",
                    "payments-geography-differs",
                ))


EVENT_TIES = ("CommissionerAssignment", "SystemMembership")


# -- rules 7 and 8: ties within the lives of their organisations ------------------------------------------------


def _life(out: MergedGraph, code: str) -> tuple[dt.date | None, dt.date | None]:
    o = out.organisations.get(code)
    return (o.start, o.end) if o is not None else (None, None)


def clip_to_lives(out: MergedGraph) -> list[MergedTie]:
    """Rule 7: clip every tie to the lives of its member and its organisation. A clipped tie keeps its stated
    period (``stated``) and the reasons (``clipped_by``). The ties that fall wholly outside a life are taken out of
    ``out.ties`` and returned (rule 8 may carry them to a successor; :func:`move_to_successors` reports the rest)."""
    kept: list[MergedTie] = []
    outside: list[MergedTie] = []
    for t in out.ties:
        start, end, why = t.start, t.end, []
        for code in (t.member, t.organisation):
            opened, closed = _life(out, code)
            if opened is not None and start is not None and start < opened:
                start = opened
                why.append(f"{code} opened on {opened}")
            if closed is not None and (end is None or end > closed):
                end = closed
                why.append(f"{code} closed on {closed}")
        if not why:
            kept.append(t)
            continue
        t.stated, t.clipped_by = (t.start, t.end), tuple(why)
        if start is not None and end is not None and start > end:
            outside.append(t)
            continue
        t.start, t.end = start, end
        if t.start_interval is not None and start is not None and start > t.start_interval[0]:
            # the interval the start is known to lie in begins no earlier than the organisations' lives
            t.start_interval = (start, max(start, t.start_interval[1]))
        kept.append(t)
    out.ties = _unite_restated(kept, out)
    return outside


def _unite_restated(ties: list[MergedTie], out: MergedGraph) -> list[MergedTie]:
    """Ties that clipping leaves with one key (kind, member, organisation, start) are one tie that files stated
    from different days, some before an organisation opened (ODS restates a practice's join date as the day it
    joined the CCG's predecessor). They become one tie with every statement; its end is that of the tie stated by
    the newest file (rule 2), and the union is named in ``clipped_by`` so that the report lists it."""
    by_key: dict[tuple[str, str, str, dt.date | None], list[MergedTie]] = defaultdict(list)
    for t in ties:
        by_key[(t.kind, t.member, t.organisation, t.start)].append(t)
    gone: set[int] = set()
    for same in by_key.values():
        if len(same) < 2:
            continue
        same.sort(key=lambda t: max((st.source.vintage, st.source.slug) for st in t.statements), reverse=True)
        base, rest = same[0], same[1:]
        if base.stated is None:
            base.stated = (base.start, base.end)
        for t in rest:
            stated = t.stated or (t.start, t.end)
            base.statements.extend(t.statements)
            base.clipped_by += (f"one tie with the one from {stated[0] or 'no start'} to {stated[1] or 'open'} "
                                f"({', '.join(_at(st) for st in t.statements)}): the newest file's end is kept",)
            gone.add(id(t))
    if gone:
        out.inferred = [t for t in out.inferred if id(t) not in gone]
    return [t for t in ties if id(t) not in gone]


def move_to_successors(out: MergedGraph, outside: list[MergedTie]) -> None:
    """Rule 8: a tie that rule 7 cut at its organisation's close (or that lay wholly after it) carries on to the
    one organisation that rule 6 found took that organisation's role the next day. The moved ties join
    ``out.ties``; ties wholly outside a life that no succession carries are reported as conflicts."""
    successors: dict[tuple[str, str, dt.date], set[str]] = defaultdict(set)
    for e in out.events:
        for x in e.originals:
            successors[(e.tie_kind, x, e.day)].add(e.result)
    by_member: dict[tuple[str, str], list[MergedTie]] = defaultdict(list)
    for t in out.ties:
        by_member[(t.kind, t.member)].append(t)
    moved: list[MergedTie] = []
    for t in [*out.ties, *outside]:
        if t.stated is None or t.moved_from is not None:
            continue
        closed = _life(out, t.organisation)[1]
        if closed is None or (t.stated[1] is not None and t.stated[1] <= closed):
            continue  # not cut at the organisation's close
        day = closed + ONE_DAY
        found = successors.get((t.kind, t.organisation, day), set())
        if len(found) != 1:
            continue
        (successor,) = found
        start = max(day, t.stated[0]) if t.stated[0] is not None else day
        ends = [e for e in (t.stated[1], _life(out, t.member)[1], _life(out, successor)[1]) if e is not None]
        others = by_member.get((t.kind, t.member), [])
        if any(holds_on(o.start, o.end, start) for o in others):
            continue  # the member already has a tie of this kind on that day
        ends += [o.start - ONE_DAY for o in others if o.start is not None and o.start > start]
        end = min(ends) if ends else None
        opened = _life(out, successor)[0]
        if (opened is not None and start < opened) or (end is not None and end < start):
            continue
        basis = (f"moved from {t.organisation}: {t.organisation} closed on {closed} and its role passed to "
                 f"{successor} on {day} (rule 6); the files tie {t.member} to {t.organisation} "
                 f"from {t.stated[0] or 'no start'} to {t.stated[1] or 'open'} ("
                 + ", ".join(_at(st) for st in t.statements) + ")")
        new = MergedTie(t.kind, t.member, successor, start, end,
                        [Statement(st.source, st.line, citations=st.citations) for st in t.statements],
                        dated=False, start_interval=(start, start), start_basis=basis, moved_from=t.organisation)
        moved.append(new)
        by_member[(t.kind, t.member)].append(new)
    for t in outside:
        carried = [m for m in moved if m.member == t.member and m.kind == t.kind and m.moved_from == t.organisation]
        for st in t.statements:
            out.conflicts.append(Conflict(
                t.kind, t.member, t.organisation, st.observed or st.start or st.source.vintage, st.source, st.line,
                f"the tie ({t.stated[0] if t.stated else t.start} to "
                f"{(t.stated[1] if t.stated else t.end) or 'open'}) lies outside the organisations' lives ("
                + "; ".join(t.clipped_by) + ")"
                + (f"; carried to {carried[0].organisation} from {carried[0].start} (rule 8)" if carried
                   else "; not loaded"),
                "tie-outside-organisation-life",
            ))
    if moved:
        out.ties = sorted([*out.ties, *moved],
                          key=lambda t: (t.kind, t.member, t.organisation, t.start or dt.date.min))


def derive_events(ties: list[MergedTie], organisations: dict[str, MergedOrganisation]) -> list[ChangeEvent]:
    """Mergers and successions as seen across vintages (rule 6): a member's tie to X ends the day
    before its tie to Y starts; when, on that day, no tie to X holds any more, X's role passed to Y.
    Two or more such X for one (Y, day) make a merger; one makes a succession. The day is that of the
    first file showing the move, so for snapshot files it is "no later than". Ties of members that had
    closed by the day do not count (closed practices keep their last commissioner in ODS files)."""

    def open_on(code: str, day: dt.date) -> bool:
        o = organisations.get(code)
        return o is None or o.end is None or o.end >= day

    def known_to_hold(t: MergedTie, day: dt.date) -> bool:
        # a tie closed by a newer file's silence is known to hold only up to the last file stating it
        end = t.end if t.end_evidence is None else max(st.source.vintage for st in t.statements)
        return holds_on(t.start, end, day) and open_on(t.member, day)

    def kinds(code: str) -> set[str]:
        o = organisations.get(code)
        return set(o.kinds) if o else set()

    by_member: dict[tuple[str, str], list[MergedTie]] = defaultdict(list)
    holds_after: dict[tuple[str, str], list[MergedTie]] = defaultdict(list)
    for t in ties:
        if t.kind in EVENT_TIES:
            by_member[(t.kind, t.member)].append(t)
            holds_after[(t.kind, t.organisation)].append(t)
    moves: dict[tuple[str, str, dt.date], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    evidence: dict[tuple[str, str, dt.date], set[Source]] = defaultdict(set)
    for (kind, member), seq in by_member.items():
        seq.sort(key=lambda t: (t.start or dt.date.min, t.organisation))
        for a, b in itertools.pairwise(seq):
            if a.organisation == b.organisation or a.end is None or b.start is None:
                continue
            if a.end + ONE_DAY != b.start:
                continue
            moves[(kind, b.organisation, b.start)][a.organisation].add(member)
            evidence[(kind, b.organisation, b.start)].update(s.source for s in (*a.statements, *b.statements))
    events: list[ChangeEvent] = []
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)  # (tie kind, result) -> originals already told
    for (kind, result, day), originals in sorted(moves.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        movers = set().union(*(kinds(m) for x in originals for m in originals[x]))
        gone = sorted(x for x in originals
                      if not any(known_to_hold(t, day) and kinds(t.member) & movers for t in holds_after[(kind, x)]))
        if not gone or set(gone) <= seen[(kind, result)]:
            continue  # nothing new (e.g. PCNs seen moving later, in a coarser file, to the same result)
        seen[(kind, result)].update(gone)
        events.append(ChangeEvent("Merger" if len(gone) > 1 else "Succession", tuple(gone), result, day, kind,
                                  sum(len(originals[x]) for x in gone),
                                  tuple(sorted(evidence[(kind, result, day)], key=lambda s: s.slug))))
    return sorted(events, key=lambda e: (e.day, e.result))


# -- organisations -------------------------------------------------------------------------------


def _merge_organisations(results: list[ImportResult], out: MergedGraph) -> None:
    for r in results:  # oldest first: later sources overwrite dates and status
        for o in r.organisations:
            m = out.organisations.setdefault(o.code, MergedOrganisation(o.code))
            m.kinds.update(o.kinds)
            m.names.append((r.source.vintage, o.name, r.source))
            m.statements.append((r.source, o))
            if o.start is not None or o.end is not None:
                m.start, m.end = o.start or m.start, o.end
            m.status = o.status or m.status
            m.postcode = o.postcode or m.postcode
            m.ons_code = o.ons_code or m.ons_code
            m.fictional = m.fictional or o.fictional
            m.list_size = o.list_size if o.list_size is not None else m.list_size
            m.central_functions.update(o.central_functions)
            m.exit_costs.update(o.exit_costs)
            m.footprint_basis = o.footprint_basis or m.footprint_basis
            m.note = joined_note(m.note, o.note)


REFERENCED_KIND = {
    "CommissionerAssignment": "UndescribedCommissioner",
    "SystemMembership": "StrategicPartnership",
    "RegionMembership": "NHSEnglandRegion",
    "PCNMembership": "PrimaryCareNetwork",
}


def _describe_referenced(out: MergedGraph) -> None:
    """A tie's target that no loaded file describes (e.g. a Welsh health board, the 'Q99' unknown ICB)
    is loaded under its code, typed by the tie, and listed in ``undescribed`` for the report."""
    for t in out.ties:
        if t.organisation not in out.organisations:
            first = t.statements[0]
            o = MergedOrganisation(t.organisation, kinds={REFERENCED_KIND[t.kind]})
            o.names.append((first.source.vintage, t.organisation, first.source))
            out.organisations[t.organisation] = o
            out.undescribed.append(t.organisation)


# -- ties ------------------------------------------------------------------------------------------


def _merge_ties(results: list[ImportResult], out: MergedGraph) -> list[tuple[MergedTie, MergedTie]]:
    """Rules 1 to 4; returns the transitions seen only between snapshots: (old tie, new tie) of one member, the
    new tie starting on the day of its first observation, for :func:`date_between_snapshots`."""
    dated: dict[tuple[str, str, str, dt.date | None], MergedTie] = {}
    observations: list[tuple[Relation, Source]] = []
    # vintages of each (series, tie kind): the files that state ties of that kind
    series: dict[tuple[str, str], list[Source]] = defaultdict(list)
    stated_in: dict[tuple[str, str, str, dt.date | None], set[str]] = defaultdict(set)
    starts_by_member: dict[tuple[str, str, str], list[tuple[dt.date, str]]] = defaultdict(list)
    for r in results:
        kinds_here = set()
        for rel in r.relations:
            if rel.start is None and rel.end is None:
                observations.append((rel, r.source))
                continue
            kinds_here.add(rel.kind)
            key = (rel.kind, rel.member, rel.organisation, rel.start)
            tie = dated.get(key)
            if tie is None:
                tie = dated[key] = MergedTie(rel.kind, rel.member, rel.organisation, rel.start, rel.end)
            tie.statements.append(Statement(r.source, rel.line, rel.start, rel.end, rel.observed, rel.citations))
            tie.end = rel.end  # results are oldest first: the newest statement wins
            stated_in[key].add(r.source.slug)
            if rel.start is not None:
                starts_by_member[(r.source.slug, rel.kind, rel.member)].append((rel.start, rel.organisation))
        for kind in kinds_here:
            series[(r.source.kind, kind)].append(r.source)

    # rule 3: closed by absence from the next file of the same series
    overruled: dict[tuple[str, str, str, dt.date | None], tuple[Source, list[tuple[dt.date, str]]]] = {}
    for key, tie in dated.items():
        if tie.end is not None:
            continue
        newest = max(tie.statements, key=lambda s: s.source.vintage).source
        files = series[(newest.kind, tie.kind)]
        later = [s for s in files if s.vintage > newest.vintage and s.slug not in stated_in[key]]
        if not later:
            continue
        nxt = min(later, key=lambda s: s.vintage)
        end = nxt.vintage - ONE_DAY
        elsewhere: list[tuple[dt.date, str]] = []
        for start, org in starts_by_member.get((nxt.slug, tie.kind, tie.member), []):
            if org == tie.organisation or tie.start is None:
                continue
            # the member's next tie starts no earlier than its organisation opened (rule 7): ODS restates a
            # practice's first join date on its tie to the CCG that a merger made of the one it joined
            opened = out.organisations[org].start if org in out.organisations else None
            start = max(start, opened) if opened is not None else start
            if start > tie.start:
                end = min(end, start - ONE_DAY)
            else:
                elsewhere.append((start, org))
        if elsewhere:
            overruled[key] = (nxt, elsewhere)
            continue
        if tie.start is not None and end < tie.start:
            end = tie.start
        tie.end = end
        tie.end_evidence = nxt
    # rule 2: a newer file that places the member elsewhere from this tie's first day on overrules all of it
    for key, (nxt, elsewhere) in overruled.items():
        tie = dated.pop(key)
        where = ", ".join(f"{org} from {start}" for start, org in sorted(elsewhere))
        for st in tie.statements:
            out.conflicts.append(Conflict(
                tie.kind, tie.member, tie.organisation, tie.start or st.source.vintage, st.source, st.line,
                f"{nxt.slug} no longer lists this tie (from {tie.start or 'no start'}) and places {tie.member} in "
                f"{where}: the newer file is followed and this tie is not loaded",
                "newer-file-places-member-elsewhere",
            ))

    # rules 2 and 3, reported: an end before the day of an older file that still showed the tie holding
    for tie in dated.values():
        if tie.end is not None:
            _report_retroactive_end(tie, out)

    # rule 4: observations
    by_member_kind: dict[tuple[str, str], list[MergedTie]] = defaultdict(list)
    for tie in dated.values():
        by_member_kind[(tie.kind, tie.member)].append(tie)
    # the dated series speaks for a member up to its newest file; later snapshots may move it on
    horizon: dict[tuple[str, str], dt.date] = {}
    for mk, ties in by_member_kind.items():
        horizon[mk] = max(s.source.vintage for t in ties for s in t.statements)
    loose: dict[tuple[str, str], list[tuple[dt.date, str, Relation, Source]]] = defaultdict(list)
    for rel, src in observations:
        day = rel.observed or src.vintage
        mk = (rel.kind, rel.member)
        candidates = by_member_kind.get(mk, [])
        covering = [t for t in candidates if t.organisation == rel.organisation and holds_on(t.start, t.end, day)]
        if covering:
            covering[0].statements.append(Statement(src, rel.line, observed=day))
        elif mk in horizon and day <= horizon[mk]:
            out.conflicts.append(
                Conflict(
                    rel.kind,
                    rel.member,
                    rel.organisation,
                    day,
                    src,
                    rel.line,
                    "a snapshot file disagrees with the dated ties of a newer or equal file; the dated file wins",
                )
            )
        else:
            loose[mk].append((day, rel.organisation, rel, src))
    observed_ties: list[MergedTie] = []
    transitions: list[tuple[MergedTie, MergedTie]] = []
    for (kind, member), obs in loose.items():
        obs.sort(key=lambda o: (o[0], o[1]))
        open_dated = [t for t in by_member_kind.get((kind, member), []) if t.end is None]
        current: MergedTie | None = open_dated[-1] if len(open_dated) == 1 else None
        for day, org, rel, src in obs:
            before: MergedTie | None = None
            if current is not None and current.organisation != org:
                if current.start is None or day > current.start:
                    current.end = day - ONE_DAY
                    current.end_evidence = src
                    before = current
                current = None
            if current is None:
                current = MergedTie(kind, member, org, day, None, dated=False)
                observed_ties.append(current)
                if before is not None:
                    transitions.append((before, current))
            current.statements.append(Statement(src, rel.line, observed=day))
    out.ties = sorted(
        [*dated.values(), *observed_ties], key=lambda t: (t.kind, t.member, t.organisation, t.start or dt.date.min)
    )
    return transitions


def _report_retroactive_end(tie: MergedTie, out: MergedGraph) -> None:
    """A newer file that ends a tie before the last day an older file says it held (the older file's own date, on
    which it still showed the tie, or the earlier end it states) is followed (rule 2); each older statement it
    overrules is a conflict naming both files, so that no file's statement is contradicted silently."""
    assert tie.end is not None
    if tie.end_evidence is not None:
        closer = (f"{tie.end_evidence.slug} no longer lists it and starts the member's next tie on "
                  f"{tie.end + ONE_DAY}")
    else:
        newest = max(tie.statements, key=lambda st: (st.source.vintage, st.source.slug))
        closer = f"{newest.source.slug} line {newest.line} ends it on {tie.end}"
    for st in tie.statements:
        day = st.source.vintage
        last = st.end if st.end is not None and st.end < day else day  # the last day this file says it held
        if last <= tie.end or (st.start is not None and st.start > last):
            continue
        said = f"this file ends it on {st.end}" if last == st.end else f"this file still shows it on {day}"
        out.conflicts.append(Conflict(
            tie.kind, tie.member, tie.organisation, last, st.source, st.line,
            f"a newer file ends the tie earlier ({said}): {closer}; the newer file is followed",
            "newer-file-ends-tie-earlier",
        ))


# -- dating changes seen only between snapshots (rule 4, continued) ------------------------------------------


def _last_shown(t: MergedTie) -> dt.date:
    """The last day a file shows the tie holding: its newest observation, or the vintage of the newest file that
    states it open (or the end that file states, when earlier)."""
    days = []
    for st in t.statements:
        day = st.observed or st.source.vintage
        days.append(min(day, st.end) if st.end is not None else day)
    return max(days)


def _first_shown(t: MergedTie) -> Statement:
    return min(t.statements, key=lambda st: (st.observed or st.source.vintage, st.source.slug, st.line))


def _at(st: Statement) -> str:
    return f"{st.source.slug} line {st.line}"


def date_between_snapshots(
    transitions: list[tuple[MergedTie, MergedTie]], out: MergedGraph, results: list[ImportResult]
) -> list[MergedTie]:
    """Rule 4, continued: a member last shown in A on one day and first shown in B on a later one changed on a day
    in between. Hard evidence narrows that interval: A closing (a member cannot stay in a closed organisation),
    B opening (nor join one before it opens), and, for a commissioner's system, a payments file placing the
    commissioner's practices in A's region and not B's (it had not moved by that year's end). A payments file
    placing them in B's region is noted but bounds nothing: it states the geography of its publication, a day
    after its year that it does not give. The day is then the one day left; else the day inside the interval
    that the roles of A and B name (a role ending the day before, or beginning: national reorganisation dates
    such as the ICBs' 2022-07-01), the one most of them name, the earliest if tied; else, as before, the first
    day a file shows B. Every such tie keeps its interval and its basis in words; the ties whose day the
    evidence moved before the first file showing B are returned (the report lists them)."""
    orgs = out.organisations
    roles: dict[str, list[MergedRole]] = defaultdict(list)
    for m in out.roles:
        roles[m.code].append(m)
    regions_of: dict[str, set[str]] = defaultdict(set)  # every region a system is ever shown in
    for t in out.ties:
        if t.kind == "RegionMembership":
            regions_of[t.member].add(t.organisation)
    placed: dict[str, list[tuple[dt.date, str, Source, int]]] = defaultdict(list)
    for r in results:
        for ob in r.region_observations:
            placed[ob.area].append((ob.observed, ob.region, r.source, ob.line))
    moved: list[MergedTie] = []
    for old, new in transitions:
        first = new.start
        assert first is not None
        last = _last_shown(old)
        lo, hi = last + ONE_DAY, first
        why = [f"{new.member} shown in {old.organisation} on {last} and in {new.organisation} on {first} "
               f"({_at(max(old.statements, key=lambda st: st.observed or st.source.vintage))}; "
               f"{_at(_first_shown(new))})"]
        a, b = orgs.get(old.organisation), orgs.get(new.organisation)
        if a is not None and a.end is not None and lo <= a.end + ONE_DAY < hi:
            hi = a.end + ONE_DAY
            why.append(f"{old.organisation} closed on {a.end}")
        if b is not None and b.start is not None and lo < b.start <= hi:
            lo = b.start
            why.append(f"{new.organisation} opened on {b.start}")
        if new.kind == "SystemMembership":
            was, now = regions_of.get(old.organisation, set()), regions_of.get(new.organisation, set())
            # A payments file states the geography of its publication, an undisclosed day after its year's end.
            # Shown in the old system's region, the member had not moved by the year's end; shown in the new
            # one's, it had moved by a day the file does not give, so it corroborates but bounds nothing.
            for day, region, src, line in sorted(placed.get(new.member, ())):
                if region in was and region not in now and lo <= day < hi:
                    lo = day + ONE_DAY
                    why.append(f"{src.slug} line {line} places {new.member}'s practices in region {region} "
                               f"({old.organisation}'s, not {new.organisation}'s) after {day}")
                elif region in now and region not in was and lo <= day < hi:
                    why.append(f"{src.slug} line {line} places them in region {region} ({new.organisation}'s, "
                               f"not {old.organisation}'s) some day after {day}")
        a_roles, b_roles = roles.get(old.organisation, ()), roles.get(new.organisation, ())
        named = days_named(  # days inside the interval that the roles of A (ending) and B (beginning) name
            lo, hi, [(m.start, f"{new.organisation} holds {m.role} from {m.start}") for m in b_roles],
            [(m.end, f"{old.organisation} held {m.role} until {m.end}") for m in a_roles])
        if lo == hi:
            day = lo
            why.append(f"so it changed on {day}")
        elif named:
            day = most_named(named)
            why.append(f"dated {day}, the day inside the interval that the organisations' roles name: "
                       + ", ".join(named[day]))
        else:
            day = hi
            why.append(f"dated {day}, the last day of the interval: no evidence names a day inside it")
        new.start, new.start_interval, new.start_basis = day, (lo, hi), "; ".join(why)
        old.end = day - ONE_DAY
        if day < first:
            old.end_inferred = True
            moved.append(new)
    return moved


# -- roles -----------------------------------------------------------------------------------------


def _merge_roles(results: list[ImportResult], out: MergedGraph) -> None:
    roles: dict[tuple[str, str, dt.date | None], MergedRole] = {}

    def add(h: RoleHolding, src: Source | None) -> None:
        key = (h.code, h.role, h.start)
        m = roles.get(key)
        if m is None:
            m = roles[key] = MergedRole(h.code, h.role, h.start, h.end, rule=h.derived_from_rule)
        m.end = h.end
        if src is not None:
            m.statements.append(Statement(src, h.line, h.start, h.end))

    for r in results:
        for h in r.roles:
            add(h, r.source)
    has_role = {(m.code, m.role) for m in roles.values()}
    # rule 5 for codes that no dated file describes: STP codes seen in CCG-era files, ICB codes after
    for code, org in out.organisations.items():
        for src, o in org.statements:
            for kind in o.kinds:
                if kind == "SustainabilityAndTransformationPartnership" and (code, "RO262") not in has_role:
                    add(RoleHolding(code, "RO262", o.line, None, CCG_LAST_DAY, ICB_RULE), src)
                    has_role.add((code, "RO262"))
                elif kind == "IntegratedCareBoard" and (code, "RO318") not in has_role:
                    first = min(v for v, _, s in org.names)
                    add(
                        RoleHolding(
                            code,
                            "RO318",
                            o.line,
                            ICB_DAY if first <= ICB_DAY + dt.timedelta(days=900) else first,
                            None,
                            ICB_RULE,
                        ),
                        src,
                    )
                    has_role.add((code, "RO318"))
                elif kind == "ClinicalCommissioningGroup" and (code, "RO98") not in has_role:
                    add(RoleHolding(code, "RO98", o.line, None, CCG_LAST_DAY, ICB_RULE), src)
                    has_role.add((code, "RO98"))
                elif kind == "SubICBLocation" and (code, "RO319") not in has_role:
                    add(RoleHolding(code, "RO319", o.line, ICB_DAY, None, ICB_RULE), src)
                    has_role.add((code, "RO319"))
    for m in roles.values():
        cls = ROLE_CLASS.get(m.role)
        if cls and m.code in out.organisations:
            out.organisations[m.code].kinds.add(cls)
    out.roles = sorted(roles.values(), key=lambda m: (m.code, m.role, m.start or dt.date.min))
