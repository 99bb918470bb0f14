"""Does the graph agree with every file it was built from? For every tie each national file states (a practice in
a PCN, a practice's commissioner, a commissioner's system, a system's region), on the day the file saw it, the
merged graph either holds the same tie or has reported the disagreement as a conflict naming the file and line
(the data-quality report). What is neither is a silent disagreement, which must not exist.

This is the measure behind issue 17's dating work: the count of disagreements (reported or not) by file and kind,
before and after a change to the merge, says whether dating changes by the best evidence brings the graph closer
to its files.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from graphkit.core.model import ImportResult
from graphkit.ingest.merge import MergedGraph, MergedTie

#: The ties up the commissioning hierarchy that the files observe.
CHECKED_KINDS = ("PCNMembership", "CommissionerAssignment", "SystemMembership", "RegionMembership")


@dataclass
class Agreement:
    """Counts of the observations checked, by (file, kind): agreeing, disagreeing and reported as a conflict,
    disagreeing and not reported (silent); and every silent one (file, line, kind, member, organisation, day)."""

    checked: Counter[tuple[str, str]] = field(default_factory=Counter)
    agree: Counter[tuple[str, str]] = field(default_factory=Counter)
    reported: Counter[tuple[str, str]] = field(default_factory=Counter)
    silent: Counter[tuple[str, str]] = field(default_factory=Counter)
    uncovered: Counter[tuple[str, str]] = field(default_factory=Counter)  # the graph holds no such tie that day
    examples: list[tuple[str, int, str, str, str, dt.date]] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {"checked": sum(self.checked.values()), "agree": sum(self.agree.values()),
                "reported": sum(self.reported.values()), "silent": sum(self.silent.values()),
                "uncovered": sum(self.uncovered.values())}


def _day(observed: dt.date | None, start: dt.date | None, end: dt.date | None, vintage: dt.date) -> dt.date:
    """The day a file saw a tie: for a dated row, the file's vintage when the stated period holds then, else the
    last day of the period (or its first, when it has no end: a file may list a tie that starts after its date);
    for a row without dates, its observation day."""
    if start is None and end is None and observed is not None:
        return observed
    if (start is None or start <= vintage) and (end is None or vintage <= end):
        return vintage
    return end if end is not None else (start or vintage)


def _holds(t: MergedTie, day: dt.date) -> bool:
    return (t.start is None or t.start <= day) and (t.end is None or day <= t.end)


def check(graph: MergedGraph) -> Agreement:
    """Every national observation of a hierarchy tie checked against the merged graph (see the module)."""
    ties: dict[tuple[str, str, str], list[MergedTie]] = defaultdict(list)
    for t in graph.ties:
        if t.kind in CHECKED_KINDS:
            ties[(t.kind, t.member, t.organisation)].append(t)
    conflicts: set[tuple[object, ...]] = {(c.source.slug, c.line) for c in graph.conflicts}
    conflicts |= {(c.source.slug, c.member, c.kind) for c in graph.conflicts}
    # a tie clipped to its organisations' lives (merge rule 7) is reported naming every line that states it
    conflicts |= {(st.source.slug, st.line) for t in graph.ties if t.stated is not None for st in t.statements}
    out = Agreement()
    for r in graph.results:
        if r.source.kind.startswith("curated"):
            continue
        for rel in r.relations:
            if rel.kind not in CHECKED_KINDS:
                continue
            key = (r.source.slug, rel.kind)
            out.checked[key] += 1
            day = _day(rel.observed, rel.start, rel.end, r.source.vintage)
            if any(_holds(t, day) for t in ties.get((rel.kind, rel.member, rel.organisation), ())):
                out.agree[key] += 1
            elif (r.source.slug, rel.line) in conflicts or (r.source.slug, rel.member, rel.kind) in conflicts:
                out.reported[key] += 1
            else:
                out.silent[key] += 1
                out.examples.append((r.source.slug, rel.line, rel.kind, rel.member, rel.organisation, day))
        if r.source.kind == "nhs-payments-gp":
            _check_payments(graph, r, ties, conflicts, out)
    return out


def _check_payments(graph: MergedGraph, r: ImportResult, ties: dict[tuple[str, str, str], list[MergedTie]],
                    conflicts: set[tuple[object, ...]], out: Agreement) -> None:
    """A payments file's commissioner of each practice (on the year's end, or the practice's close when earlier)
    and region of each commissioner (on the year's end), against the graph's chain on that day. Where the graph
    holds no tie of the kind that day (a practice closed before its commissioner tie was stated, a system seen
    in no region before the first practice map), the observation is *uncovered*: not contradicted."""
    by_member: dict[tuple[str, str], list[MergedTie]] = defaultdict(list)
    for (kind, member, _), found in ties.items():
        by_member[(kind, member)].extend(found)

    def held(kind: str, member: str, day: dt.date) -> set[str]:
        return {t.organisation for t in by_member.get((kind, member), ()) if _holds(t, day)}

    def tally(kind: str, line: int, member: str, said: str, day: dt.date, got: set[str]) -> None:
        key = (r.source.slug, kind)
        out.checked[key] += 1
        if said in got:
            out.agree[key] += 1
        elif not got:
            out.uncovered[key] += 1
        elif (r.source.slug, line) in conflicts:
            out.reported[key] += 1
        else:
            out.silent[key] += 1
            out.examples.append((r.source.slug, line, kind, member, said, day))

    year_end = r.source.vintage
    for k in r.contracts:
        if not k.commissioner:
            continue
        practice = graph.organisations.get(k.practice)
        day = practice.end if practice and practice.end and practice.end < year_end else year_end
        tally("CommissionerAssignment", k.line, k.practice, k.commissioner, day,
              held("CommissionerAssignment", k.practice, day))
    for ob in r.region_observations:
        regions = set().union(*(held("RegionMembership", s, ob.observed)
                                for s in held("SystemMembership", ob.area, ob.observed)))
        tally("RegionMembership", ob.line, ob.area, ob.region, ob.observed, regions)


def main() -> None:  # pragma: no cover - a measurement, run by hand: python -m graphkit.ingest.agreement [SEEDS]
    """Build the seeds (in a temporary folder) and print, per file and kind, the observations checked, agreeing,
    reported and silent, then the totals and a few silent examples."""
    import sys
    import tempfile
    from pathlib import Path

    from graphkit.store.build import build_seeds

    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else "seeds")
    with tempfile.TemporaryDirectory() as d:
        report = build_seeds(seeds, Path(d) / "store")
    assert report.graph is not None
    a = check(report.graph)
    print("file\tkind\tchecked\tagree\treported\tsilent\tuncovered")
    for key in sorted(a.checked):
        print(f"{key[0]}\t{key[1]}\t{a.checked[key]}\t{a.agree[key]}\t{a.reported[key]}\t{a.silent[key]}\t"
              f"{a.uncovered[key]}")
    print(a.totals())
    for example in a.examples[:10]:
        print("silent:", *example)


if __name__ == "__main__":  # pragma: no cover
    main()
