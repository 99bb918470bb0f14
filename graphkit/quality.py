"""The data-quality report of a build: what was not loaded, what disagreed, what looks wrong.

Nothing is silently fixed: rows that could not be loaded, statements the merge did not follow,
organisations referenced but described by no file, role codes newer than the held ODS list, and
facts that are suspicious but loaded (e.g. a practice in two PCNs at once) are all listed here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graphkit.merge import MergedGraph, MergedTie


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
        path.write_text(
            json.dumps({"counts": self.counts(), "issues": [asdict(i) for i in self.issues]}, indent=1, default=str),
            encoding="utf-8",
        )

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


def report(graph: MergedGraph, unknown_role_codes: list[str] | None = None) -> QualityReport:
    q = QualityReport()
    for r in graph.results:
        for x in r.rejects:
            q.issues.append(
                Issue(
                    "reject",
                    "row-not-loaded"
                    if x.field is None or "not loaded" in x.reason or "first row kept" in x.reason
                    else "field-not-loaded",
                    x.reason,
                    r.source.file_name,
                    x.line,
                    x.field,
                    x.value,
                )
            )
    for c in graph.conflicts:
        q.issues.append(
            Issue(
                "conflict",
                "snapshot-disagrees-with-dated-file",
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
