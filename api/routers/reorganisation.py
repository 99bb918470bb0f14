"""Reorganisations: what changed in an area between two dates, the crosswalk from the areas of one date to those of
another, and figures apportioned across it (graphkit/store/reorganisation.py, docs/reorganisations.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.cache import recent, store_key
from api.deps import CODE_PATTERN, DATE_PATTERN, ERRORS, Paging, Store
from api.guard import BUSY, gate
from api.schemas import ChangeItem, ChangeList, CrosswalkResult
from graphkit.core.temporal import parse_as_of
from graphkit.errors import BadParameter
from graphkit.store import reorganisation as reorg
from graphkit.store.base import GraphStore

router = APIRouter(tags=["reorganisation"])

LEVEL_DESCRIPTION = ("practice, pcn, commissioner (CCG or sub-ICB location; `ccg` and `sub-icb` say the same), "
                     "system (STP or ICB; `stp`, `icb`) or region")


def _date(text: str, name: str) -> dt.date:
    try:
        return parse_as_of(text)
    except BadParameter as e:
        raise BadParameter(str(e).replace("as_of", name), details={"parameter": name}) from None


def _changes(request: Request, store: GraphStore, start: dt.date, end: dt.date, within: str | None
             ) -> list[reorg.Change]:
    return recent(request, "changes").get((store_key(store), start, end, within),
                                          lambda: reorg.changes(store, start, end, within=within))


@router.get(
    "/changes",
    response_model=ChangeList,
    responses={**ERRORS, **BUSY},
    summary="What changed in an area between two dates",
    description="Every change after `from` and up to `to` to the organisations of `within` on either date (the "
    "whole country without it): organisations opened, closed and renamed (a name that differs between two "
    "consecutive files of one series, ignoring case, spacing, punctuation and & for and), mergers and successions, "
    "role changes (CCG to sub-ICB location, STP to ICB), practices joining, leaving or moving between PCNs, "
    "commissioners, systems and regions, and contract types changing between payments years. Each change has its "
    "day (the first day of the new state), how that day is known (`precision`: exact, no_later_than, "
    "first_observed, financial_year) and its sources. Paged, ordered by day, kind and code, with the count of "
    "each kind over all pages.",
)
async def changes(
    request: Request,
    store: Store,
    paging: Paging,
    from_: Annotated[str, Query(alias="from", description="First date (exclusive), YYYY-MM-DD.",
                                examples=["2021-06-01"], pattern=DATE_PATTERN)],
    to: Annotated[str, Query(description="Last date (inclusive), YYYY-MM-DD.", examples=["2024-10-01"],
                             pattern=DATE_PATTERN)],
    within: Annotated[str | None, Query(description="Code of an area (PCN, CCG or sub-ICB location, STP or ICB, "
                                        "region); the whole country when omitted.", examples=["16C"], min_length=2,
                                        max_length=40, pattern=CODE_PATTERN)] = None,
    kind: Annotated[list[str] | None, Query(description="Kinds of change to keep (repeat, or separate by commas): "
                                            + ", ".join(reorg.CHANGE_KINDS) + ".", examples=[["moved_pcn"]])] = None,
) -> ChangeList:
    start, end = _date(from_, "from"), _date(to, "to")
    if end < start:
        raise BadParameter(f"from ({start}) is after to ({end})", details={"parameter": "from"})
    kinds = [k.strip() for item in kind or () for k in item.split(",") if k.strip()] or None
    unknown = sorted(set(kinds or ()) - set(reorg.CHANGE_KINDS))
    if unknown:
        raise BadParameter(f"unknown kind of change: {', '.join(unknown)}; one of: {', '.join(reorg.CHANGE_KINDS)}",
                           details={"parameter": "kind"})
    code = within.upper() if within else None
    found = await gate(request).run_sync(_changes, request, store, start, end, code)
    if kinds is not None:
        found = [c for c in found if c.kind in kinds]
    return ChangeList(
        count=len(found), summary=reorg.summary(found),
        data=[ChangeItem(**dataclasses.asdict(c)) for c in paging.cut(found)],
    )


LevelQuery = Annotated[str, Query(description=LEVEL_DESCRIPTION, examples=["ccg"], min_length=2, max_length=20)]


class CrosswalkParams:
    """The four parameters of a crosswalk, checked: two levels and two dates."""

    def __init__(
        self,
        from_level: LevelQuery,
        from_date: Annotated[str, Query(description="Date of the old areas, YYYY-MM-DD.", examples=["2021-06-01"],
                                        pattern=DATE_PATTERN)],
        to_level: LevelQuery,
        to_date: Annotated[str, Query(description="Date of the new areas, YYYY-MM-DD.", examples=["2024-10-01"],
                                      pattern=DATE_PATTERN)],
    ) -> None:
        self.from_level, self.to_level = from_level.lower(), to_level.lower()
        reorg.level_name(from_level, "from_level")
        reorg.level_name(to_level, "to_level")
        self.from_date, self.to_date = _date(from_date, "from_date"), _date(to_date, "to_date")


WalkParams = Annotated[CrosswalkParams, Depends(CrosswalkParams)]


def _walk(request: Request, store: GraphStore, p: CrosswalkParams) -> reorg.Crosswalk:
    return recent(request, "crosswalks").get(
        (store_key(store), p.from_level, p.from_date, p.to_level, p.to_date),
        lambda: reorg.crosswalk(store, p.from_level, p.from_date, p.to_level, p.to_date))



@router.get(
    "/crosswalk",
    response_model=CrosswalkResult,
    responses={**ERRORS, **BUSY, 200: {"description": "The crosswalk.", "content": {
        "application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
    summary="Map the areas of one date onto those of another",
    description="Every area of `from_level` on `from_date` mapped onto the areas of `to_level` on `to_date` through "
    "the GP practices they share (each practice open on `from_date` goes from its old area to its new one), with "
    "weights by practice count and by registered patients (list sizes of the financial year nearest `from_date`); "
    "each old area's weights sum to 1. `areas` says how much of each old area maps to its main new area and names "
    "the practices that break the nesting; `unmapped` lists the practices with no old or no new area (never "
    "dropped). format=csv gives one table (`table`: rows, areas or unmapped), with the sources and the list-size "
    "year in its `#` comment lines.",
)
async def crosswalk(
    request: Request,
    store: Store,
    walk_of: WalkParams,
    format: Annotated[Literal["json", "csv"], Query(description="json, or csv (one table).",
                                                    examples=["json"])] = "json",
    table: Annotated[Literal["rows", "areas", "unmapped"], Query(description="Which table, for format=csv.",
                                                                  examples=["rows"])] = "rows",
) -> Any:
    walk = await gate(request).run_sync(_walk, request, store, walk_of)
    start, end = walk_of.from_date, walk_of.to_date
    if format == "csv":
        columns, rows = reorg.crosswalk_table(walk, table)
        body = reorg.to_csv(columns, rows, reorg.crosswalk_notes(walk))
        name = f"crosswalk_{walk.from_level}_{start}_{walk.to_level}_{end}.{table}.csv"
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return CrosswalkResult(**{**dataclasses.asdict(walk), "rows": [dataclasses.asdict(r) for r in walk.rows]})


@router.post(
    "/apportion",
    responses={**ERRORS, **BUSY, 200: {"description": "The figures by new area.", "content": {
        "text/csv": {"schema": {"type": "string"}}}}},
    response_class=Response,
    summary="Carry figures reported by old area onto new areas",
    description="The request body is a CSV of figures by old area: a header, the area code in the first column, "
    "numbers in the others (at most the server's request size, 1 MB unless configured). Each figure is shared "
    "among the new areas by the crosswalk's weights (`weight`: patients or practices). The answer is a CSV with "
    "one row per new area, its apportioned figures and the old areas and weights that fed it. An old area the "
    "crosswalk does not know is a 422 naming it.",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {
        "schema": {"type": "string"}, "example": "ccg,prescriptions\n16C,1000\n"}}}},
)
async def apportion(
    request: Request,
    store: Store,
    walk_of: WalkParams,
    weight: Annotated[Literal["patients", "practices"], Query(description="Weight by registered patients or by "
                                                              "practice count.", examples=["patients"])] = "patients",
) -> Response:
    raw = await request.body()  # bounded by the server's request limit (api/guard.py)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadParameter(f"body: not UTF-8 text (byte {e.start})", details={"parameter": "body"}) from None
    header, values = reorg.read_values(text, "body")
    walk = await gate(request).run_sync(_walk, request, store, walk_of)
    body = reorg.apportion_csv(walk, header, values, weight=weight, source="body")
    return Response(body, media_type="text/csv; charset=utf-8")
