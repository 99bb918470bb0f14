"""Conflicts of interest in an area, for a journalist or an auditor: one call, JSON or a CSV table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import ERRORS, AsOf, Code, Store
from api.guard import BUSY, gate
from api.schemas import AnalysisResult
from graphkit.analysis import conflicts
from graphkit.analysis._common import to_jsonable
from graphkit.errors import BadParameter
from graphkit.outputs.area import cell
from graphkit.store.areas import require_known
from graphkit.store.base import GraphStore

router = APIRouter(tags=["analyses"])
CSV = "text/csv; charset=utf-8"
COLUMNS = (
    "person", "person_name", "commissioner", "commissioner_body", "commissioner_post", "commissioner_post_start",
    "commissioner_post_end", "provider", "provider_body", "provider_post", "provider_post_start", "provider_post_end",
    "contract", "contract_kind", "link", "via", "window_start", "window_end", "undated", "sources", "citations",
)
DateParam = Annotated[dt.date | None, Query(description="YYYY-MM-DD (optional).", examples=["2016-01-01"])]


def _rows(result: conflicts.ConflictResult) -> list[tuple[Any, ...]]:
    out = []
    for p in result.paths:
        c, q = p.commissioner_post, p.provider_post
        sources = "; ".join(f"{x['source']}:{x['line']}" for x in (c, q) if x.get("source"))
        citations = "; ".join(sorted({*c.get("citations", ()), *q.get("citations", ())}))
        out.append((p.person, p.name, p.commissioner, c["organisation"], c["post"], c["start"], c["end"], p.provider,
                    q["organisation"], q["post"], q["start"], q["end"], p.contract, p.contract_kind, p.link, p.link_via,
                    p.start, p.end, "; ".join(p.undated), sources, citations))
    return out


def to_csv(result: conflicts.ConflictResult) -> bytes:
    """One row per path; text a spreadsheet would read as a formula is neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([cell(v) for v in row] for row in _rows(result))
    return buffer.getvalue().encode("utf-8")


def _run(store: GraphStore, code: str, as_of: dt.date, since: dt.date | None, until: dt.date | None,
         include_core: bool, include_undated: bool) -> conflicts.ConflictResult:
    require_known(store, code)
    return conflicts.conflicts_of_interest(store.history(), as_of, area=code, since=since, until=until,
                                           include_core=include_core, include_undated=include_undated)


@router.get(
    "/conflicts-of-interest/{code}",
    response_model=AnalysisResult,
    responses={**ERRORS, **BUSY, 200: {"description": "The paths, interlocks and declared separations (JSON), or "
                                       "one row per path (format=csv).",
                                       "content": {CSV: {"schema": {"type": "string"}}}}},
    summary="Conflicts of interest in an area",
    description="Every person who holds, on a common day, a post on a commissioner in the area (or its governing "
    "body or a committee) and a post on a provider (or its board) that holds, holds through a joint venture, or "
    "delivers under a contract of that commissioner: the person, both posts with their dates and sources, the "
    "contract, the days the facts share, and which facts lack a start date. On `as_of`, or over the period "
    "`since`..`until`. The area is a commissioner, or an area whose commissioners are counted (an STP's CCGs). "
    "Posts the source says take no part in commissioning, and posts held to represent a provider, are listed "
    "apart (`declared_separate`). The analysis `conflicts-of-interest` of GET /analyses, for one area; method and "
    "basis in docs/analyses.md.",
    operation_id="conflicts_of_interest_in_area",
)
async def conflicts_in_area(
    request: Request,
    store: Store,
    as_of: AsOf,
    code: Code,
    since: DateParam = None,
    until: DateParam = None,
    include_core: Annotated[bool, Query(description="Count core GMS/PMS contracts of practices too.",
                                        examples=[False])] = False,
    include_undated: Annotated[bool, Query(description="Keep paths that rely on a fact with no start date.",
                                           examples=[True])] = True,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv (one row per path).",
                                                    examples=["csv"])] = "json",
) -> Any:
    if since is not None and until is not None and since > until:
        raise BadParameter("since must not exceed until", details={"parameter": "since"})
    code = code.upper()
    result = await gate(request).run_sync(_run, store, code, as_of, since, until, include_core, include_undated)
    if format == "csv":
        return Response(to_csv(result), media_type=CSV, headers={
            "Content-Disposition": f'attachment; filename="conflicts-of-interest-{code}-{as_of}.csv"'})
    params = {"area": code, "since": since, "until": until, "include_core": include_core,
              "include_undated": include_undated}
    return AnalysisResult(name="conflicts-of-interest", as_of=as_of, params=to_jsonable(params),
                          result=to_jsonable(result))
