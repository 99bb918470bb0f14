"""The data-quality report of a build: what was not loaded, what disagreed, what looks wrong.

Nothing is silently fixed: rows that could not be loaded, statements the merge did not follow,
organisations referenced but described by no file, role codes newer than the held ODS list, and
facts that are suspicious but loaded (e.g. a practice in two PCNs at once) are all listed here.

A reported row is ``row-not-loaded`` when nothing of its line was loaded, ``field-not-loaded`` when the
rest of the row was (e.g. a practice whose placeholder PCN code was left out), and ``duplicate-row``
(a warning) when a curated row repeats an earlier one exactly and was loaded once. Curated rows that
state the same membership, post, tie or delivery for overlapping periods are ``curated-overlap``
conflicts: both are kept, as ``curated-contradiction`` keeps both values of an organisation. A change seen only
between two snapshots is listed (``info``) with the interval it is known to lie in and its basis:
``change-dated-by-evidence`` when evidence dated it before the first file showing the new state,
``change-dated-by-first-file`` when no evidence named a day inside the interval. A tie clipped to the lives of its
organisations is a ``tie-clipped`` conflict, one carried to a successor a ``tie-moved-to-successor`` note, and one
wholly outside a life a ``tie-outside-organisation-life`` conflict (merge rules 7 and 8). A curated post held before
its organisation opened or after it closed is a ``post-outside-organisation-life`` warning: loaded as stated (a
source may date a recruitment before the body's legal start), not clipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.core.model import ImportResult, Rejected
from graphkit.ingest.merge import MergedGraph, MergedTie


@dataclass(frozen=True)
class Issue:
    severity: str  # "reject" (row or part not loaded), "warning" (loaded, suspicious), "conflict", "info"
    rule: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    value: str | None = None
    subject: str | None = None  # ODS code


@dataclass
class QualityReport:
    issues: list[Issue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(f"{i.severity}:{i.rule}" for i in self.issues))

    def by_rule(self, rule: str) -> list[Issue]:
        return [i for i in self.issues if i.rule == rule]

    def write(self, path: Path) -> None:
        """The report as JSON, one issue per line: readable, and written by json's C encoder from each issue's own
        fields (an indented document goes through its Python encoder, and ``asdict`` copies every value: together
        about five times slower on the national build's issues)."""
        issues = ",\n  ".join(json.dumps(vars(i), default=str) for i in self.issues)
        counts = json.dumps(self.counts())
        path.write_text(f'{{"counts": {counts},\n "issues": [\n  {issues}\n ]\n}}\n' if self.issues
                        else f'{{"counts": {counts}, "issues": []}}\n', encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> QualityReport:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls([Issue(**i) for i in data["issues"]])


def overlapping(ties: list[MergedTie], kind: str) -> list[tuple[MergedTie, MergedTie, dt.date, dt.date | None]]:
    """Pairs of ties of one kind of the same member to different organisations whose periods overlap."""
    by_member: dict[str, list[MergedTie]] = {}
    for t in ties:
        if t.kind == kind:
            by_member.setdefault(t.member, []).append(t)
    out = []
    for member_ties in by_member.values():
        member_ties.sort(key=lambda t: t.start or dt.date.min)
        for i, a in enumerate(member_ties):
            for b in member_ties[i + 1 :]:
                if a.organisation == b.organisation:
                    continue
                start = max(a.start or dt.date.min, b.start or dt.date.min)
                ends = [e for e in (a.end, b.end) if e is not None]
                end = min(ends) if ends else None
                if end is None or start <= end:
                    out.append((a, b, start, end))
    return out


def loaded_lines(result: ImportResult) -> set[int]:
    """The lines of an input file from which something (an organisation, a tie, a role, a payment ...) was
    loaded."""
    records: list[list[Any]] = [
        result.organisations, result.relations, result.roles, result.contracts, result.payments, result.people,
        result.posts, result.agreements, result.deliveries, result.lateral_ties,
    ]
    return {x.line for group in records for x in group}


def reject_issue(result: ImportResult, reject: Rejected, loaded: set[int] | None = None) -> Issue:
    """The report's issue for one reported row: ``duplicate-row`` (a warning: the row repeats an earlier one
    and was loaded once), ``field-not-loaded`` (the rest of its line was loaded) or ``row-not-loaded``."""
    if loaded is None:
        loaded = loaded_lines(result)
    if reject.reason.startswith("repeats line"):
        severity, rule = "warning", "duplicate-row"
    elif reject.line in loaded:
        severity, rule = "reject", "field-not-loaded"
    else:
        severity, rule = "reject", "row-not-loaded"
    return Issue(severity, rule, reject.reason, result.source.file_name, reject.line, reject.field, reject.value)


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or 'no start'} to {end or 'open'}"


_RULE_KINDS = frozenset({"DirectiveTie", "GovernanceTie"})


def curated_overlaps(results: list[ImportResult]) -> list[Issue]:
    """Rows of one curated table that state the same membership (member, organisation, kind), post
    (person, organisation, role, title), tie (kind, from, to; and mechanism for a directive or governance tie,
    whose rules are told apart by what they require, and lot for a bid) or delivery (provider, contract) for
    overlapping periods: each pair is a ``curated-overlap`` conflict naming both lines. Both rows are
    loaded as stated; a source that says a thing twice is reported, not silently merged."""
    out: list[Issue] = []
    for r in results:
        if not r.source.kind.startswith("curated"):
            continue
        facts: list[tuple[tuple[str | None, ...], dt.date | None, dt.date | None, int]] = [
            *(((t.kind, t.member, t.organisation), t.start, t.end, t.line) for t in r.relations),
            *(((p.person_id, p.organisation, p.role, p.title), p.start, p.end, p.line) for p in r.posts),
            # a centre's rules are told apart by what they require: two rules to one member are two facts
            # ... and bids by their lot: one bidder's bids to one commissioner for two lots are two bids
            *(((t.kind, t.tie_from, t.tie_to, *((t.mechanism,) if t.kind in _RULE_KINDS else ()),
                *((t.lot,) if t.kind == "BidTie" else ())), t.start, t.end, t.line) for t in r.lateral_ties),
            *(((d.provider, d.contract_id), d.start, d.end, d.line) for d in r.deliveries),
        ]
        by_key: dict[tuple[str | None, ...], list[tuple[dt.date | None, dt.date | None, int]]] = {}
        for key, start, end, line in facts:
            by_key.setdefault(key, []).append((start, end, line))
        for key, stated in by_key.items():
            stated.sort(key=lambda s: s[2])
            for i, (a_start, a_end, a_line) in enumerate(stated):
                for b_start, b_end, b_line in stated[i + 1 :]:
                    first = max(a_start or dt.date.min, b_start or dt.date.min)
                    ends = [e for e in (a_end, b_end) if e is not None]
                    if ends and first > min(ends):
                        continue
                    what = " / ".join(k for k in key if k)
                    out.append(Issue(
                        "conflict", "curated-overlap",
                        f"{what}: stated on lines {a_line} and {b_line} for overlapping periods "
                        f"({_period(a_start, a_end)}; {_period(b_start, b_end)}); both kept",
                        r.source.file_name, b_line, "start", subject=key[1],
                    ))
    return out


def _lines(t: MergedTie) -> str:
    return ", ".join(f"{st.source.file_name} line {st.line}" for st in t.statements)


def clipped_ties(ties: list[MergedTie]) -> list[Issue]:
    """Merge rules 7 and 8 (graphkit/ingest/merge.py), reported: every tie whose stated period ran outside the life
    of its member or its organisation and was clipped to it (``tie-clipped``, a conflict: the files' dates were not
    followed; the field is the end that was cut), and every tie a merger or succession carried to the successor
    (``tie-moved-to-successor``). Each names the tie, both periods, the reasons and every file line that states it."""
    out: list[Issue] = []
    for t in ties:
        first = min(t.statements, key=lambda st: (st.source.vintage, st.source.slug, st.line))
        if t.stated is not None:  # the first file that stated the dates that were not followed
            first = min((st for st in t.statements if (st.start, st.end) != (None, None)
                         and (st.start == t.stated[0] or st.end == t.stated[1])),
                        key=lambda st: (st.source.vintage, st.source.slug, st.line), default=first)
        if t.moved_from is not None:
            out.append(Issue(
                "info", "tie-moved-to-successor",
                f"{t.kind} {t.member} -> {t.organisation} from {t.start} to {t.end or 'open'}: {t.start_basis}",
                first.source.file_name, first.line, "start", f"{t.start}/{t.end or ''}", t.member,
            ))
        elif t.stated is not None:
            was_start, was_end = t.stated
            cut = [f for f, was, now in (("start", was_start, t.start), ("end", was_end, t.end)) if was != now]
            out.append(Issue(
                "conflict", "tie-clipped",
                f"{t.kind} {t.member} -> {t.organisation}: stated from {was_start or 'no start'} to "
                f"{was_end or 'open'}, loaded from {t.start or 'no start'} to {t.end or 'open'} ("
                + "; ".join(t.clipped_by) + f"): {_lines(t)}",
                first.source.file_name, first.line, ",".join(cut) or None,
                f"{was_start or ''}/{was_end or ''}", t.member,
            ))
    return out


def posts_outside_lives(graph: MergedGraph) -> list[Issue]:
    """Every curated post whose stated period starts before its organisation's life or ends after it (both ends
    known), as a warning naming the file, the line, the end that lies outside and both periods."""
    out: list[Issue] = []
    for r in graph.results:
        for p in r.posts:
            o = graph.organisations.get(p.organisation)
            if o is None:
                continue
            outside = [f for f, yes in (("start", p.start is not None and o.start is not None and p.start < o.start),
                                        ("end", p.end is not None and o.end is not None and p.end > o.end)) if yes]
            if not outside:
                continue
            out.append(Issue(
                "warning", "post-outside-organisation-life",
                f"{p.person_id} holds {p.title or p.role or 'a post'} in {p.organisation} from "
                f"{p.start or 'no start'} to "
                f"{p.end or 'open'}, outside the organisation's life from {o.start or 'no start'} to "
                f"{o.end or 'open'}: loaded as stated",
                r.source.file_name, p.line, ",".join(outside), f"{p.start or ''}/{p.end or ''}", p.organisation,
            ))
    return out


def report(graph: MergedGraph, unknown_role_codes: list[str] | None = None) -> QualityReport:
    q = QualityReport()
    for r in graph.results:
        loaded = loaded_lines(r)
        q.issues.extend(reject_issue(r, x, loaded) for x in r.rejects)
    q.issues.extend(curated_overlaps(graph.results))
    for c in graph.conflicts:
        q.issues.append(
            Issue(
                "conflict",
                c.rule,
                f"{c.kind} {c.member} -> {c.organisation} on {c.day}: {c.reason}",
                c.source.file_name,
                c.line,
                subject=c.member,
            )
        )
    for code in graph.undescribed:
        q.issues.append(
            Issue(
                "warning",
                "organisation-not-described",
                f"{code} is referenced by a tie but no loaded file describes it; loaded under its code",
                subject=code,
            )
        )
    for code in unknown_role_codes or []:
        q.issues.append(
            Issue(
                "info",
                "role-code-not-in-held-list",
                f"ODS role code {code} is not in the held ODS role list; loaded as given",
                value=code,
            )
        )
    for o in graph.organisations.values():
        by_source: dict[str, list[Any]] = {}
        for said_in, said_what in o.statements:
            if said_in.kind.startswith("curated"):
                by_source.setdefault(said_in.file_name, []).append(said_what)
        for file_name, stated in by_source.items():
            for attr in ("name", "list_size", "start", "end"):
                values = {getattr(st, attr) for st in stated if getattr(st, attr) is not None}
                if len(values) > 1:
                    both = "; ".join(
                        f"{getattr(st, attr)} (line {st.line}, {', '.join(st.citations) or 'no citation'})"
                        for st in sorted(stated, key=lambda st: st.line)
                        if getattr(st, attr) is not None
                    )
                    q.issues.append(
                        Issue(
                            "conflict",
                            "curated-contradiction",
                            f"{o.code}: the sources disagree on {attr}, both kept: {both}",
                            file_name,
                            min(st.line for st in stated),
                            attr,
                            subject=o.code,
                        )
                    )
    q.issues.extend(clipped_ties(graph.ties))
    q.issues.extend(posts_outside_lives(graph))
    inferred = {id(t) for t in graph.inferred}
    for t in graph.ties:
        if t.start_interval is None or t.moved_from is not None:
            continue
        lo, hi = t.start_interval
        by_evidence = id(t) in inferred
        first = min(t.statements, key=lambda st: (st.observed or st.source.vintage, st.source.slug))
        q.issues.append(
            Issue(
                "info",
                "change-dated-by-evidence" if by_evidence else "change-dated-by-first-file",
                f"{t.kind} {t.member} -> {t.organisation} from {t.start}"
                + (" (inferred" if by_evidence else " (no later than")
                + f"; known to lie from {lo} to {hi}): {t.start_basis}",
                first.source.file_name,
                first.line,
                value=f"{lo}/{hi}",
                subject=t.member,
            )
        )
    for a, b, start, end in overlapping(graph.ties, "PCNMembership"):
        days = f"from {start}" + (f" to {end}" if end else " onwards")
        src = sorted({s.source.file_name for s in (*a.statements, *b.statements)})
        q.issues.append(
            Issue(
                "warning",
                "practice-in-two-pcns",
                f"practice {a.member} is in PCN {a.organisation} and PCN {b.organisation} at once, {days}",
                ", ".join(src),
                subject=a.member,
            )
        )
    return q
