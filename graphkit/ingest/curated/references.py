"""Curated rows checked against the whole graph at build time, once the national files and the curated
organisations are merged: every organisation code a row names must be known."""

from __future__ import annotations

from graphkit.core.model import ImportResult
from graphkit.errors import InputProblem
from graphkit.ingest.curated.tables import CURATED, FICTIONAL_CODE, PROJECT_CODE


def check_references(results: list[ImportResult]) -> list[InputProblem]:
    """Every organisation code a curated row names must be in the graph (described by a national file,
    named by a national file's tie, or in a curated organisations table): a problem naming file, line
    and column for each one that is not."""
    out: list[InputProblem] = []
    known = {o.code for r in results for o in r.organisations}
    national = {o.code for r in results if not r.source.kind.startswith(CURATED) for o in r.organisations}
    for r in results:
        if not r.source.kind.startswith(CURATED):
            national |= {x for rel in r.relations for x in (rel.member, rel.organisation)}
    known |= national

    def need(result: ImportResult, line: int, column: str, code: str | None) -> None:
        if code is not None and code not in known:
            out.append(InputProblem(result.path or result.source.file_name, line, column,
                                    "unknown organisation code: not in ODS files loaded, nor in organisations.csv",
                                    code))

    for r in results:
        if not r.source.kind.startswith(CURATED):
            continue
        for rel in r.relations:
            need(r, rel.line, "member", rel.member)
            need(r, rel.line, "organisation", rel.organisation)
        for p in r.posts:
            need(r, p.line, "organisation", p.organisation)
            need(r, p.line, "represents", p.represents)
        for a in r.agreements:
            need(r, a.line, "holder", a.holder)
            need(r, a.line, "commissioner", a.commissioner)
            for code in a.supported_by:
                need(r, a.line, "supported_by", code)
        for d in r.deliveries:
            need(r, d.line, "provider", d.provider)
        for t in r.lateral_ties:
            need(r, t.line, "from", t.tie_from)
            need(r, t.line, "to", t.tie_to)
        for o in r.organisations:
            if not (FICTIONAL_CODE.match(o.code) or PROJECT_CODE.match(o.code)) and o.code not in national:
                out.append(InputProblem(r.path or r.source.file_name, o.line, "code",
                                        "an ODS code that no ODS file loaded describes; an organisation not in ODS "
                                        "takes a ZZN- (or ZZF-) code", o.code))
    return out
