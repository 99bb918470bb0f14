"""Every tie of the graph in one list (national memberships and curated lateral ties), and interlocks: organisations
that share a person."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CODE_PATTERN, DATE_PATTERN, ERRORS, OptionalAsOf, Paging, Store
from graphkit.analysis.history import within as curated_within
from graphkit.core.temporal import parse_as_of
from graphkit.errors import BadParameter
from graphkit.outputs.area import cell
from graphkit.store.areas import descendants, require_known
from graphkit.store.interlocks import MAX_WINDOW_MONTHS, interlocks
from graphkit.store.ties_view import AllTies, AnyTie, all_kinds, check_kinds

router = APIRouter(tags=["organisations"])
CSV = "text/csv; charset=utf-8"


class AnyTieOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    kind: str = Field(description="Kind of tie (ontology class).", examples=["PCNMembership"])
    family: Literal["membership", "lateral"] = Field(
        description="membership: a membership or dated relation (`from` is the member, `to` the organisation); "
        "lateral: a curated lateral or governance tie (`from` -> `to` as the table gives them).",
        examples=["membership"])
    tie_from: str = Field(alias="from", description="Code of the member (membership) or of the tie's first end.",
                          examples=["A81001"])
    from_name: str | None = Field(description="Current name of that organisation.", examples=["THE DENSHAM SURGERY"])
    tie_to: str = Field(alias="to", description="Code of the organisation (membership) or of the tie's other end.",
                        examples=["U89141"])
    to_name: str | None = Field(description="Current name of that organisation.", examples=["STOCKTON PCN"])
    start: dt.date | None = Field(description="First day (null: undated).", examples=["2019-07-01"])
    end: dt.date | None = Field(description="Last day, inclusive (null while it holds).", examples=[None])
    sources: list[str] = Field(description="Slugs of the files that state the tie.", examples=[["epcn_2024-10"]])
    derived: bool = Field(description="A membership whose period was derived from snapshots.", examples=[False])
    end_evidence: str | None = Field(description="The newer file whose silence closed the tie.", examples=[None])
    line: int | None = Field(description="A lateral tie: its line in the curated table.", examples=[None])
    citations: list[str] = Field(description="A lateral tie: the report passages it rests on.", examples=[[]])
    hood_mode: str | None = Field(description="Governance or directive tie: Hood's mode.", examples=[None])
    mechanism: str | None = Field(description="Lateral tie: how it works, in words.", examples=[None])
    arena: str | None = Field(description="Competition tie: what is competed for.", examples=[None])
    initiated_by: str | None = Field(description="Code of the side that started the tie.", examples=[None])
    horizon: str | None = Field(description="future or operational.", examples=[None])
    status: str | None = Field(description="A concept of pcg:TieStatusScheme, e.g. TiePlanned.", examples=[None])
    monitored: bool | None = Field(description="Directive: whether the centre checks it is followed.",
                                   examples=[None])
    sanction: str | None = Field(description="Directive: a concept of pcg:SanctionScheme.", examples=[None])
    compliance: str | None = Field(description="Directive: a concept of pcg:ComplianceScheme.", examples=[None])
    function: str | None = Field(description="Dependence tie: a concept of pcg:CentralFunctionScheme.",
                                 examples=[None])
    end_unknown: bool = Field(description="Ended on a day no source gives.", examples=[False])
    selection_basis: str | None = Field(description="Governance tie: a concept of pcg:SelectionBasisScheme.",
                                        examples=[None])
    outcome: str | None = Field(description="Approach or bid: a concept of pcg:OutcomeScheme.", examples=[None])
    lot: str | None = Field(description="Bid: the tender's lot.", examples=[None])
    note: str | None = Field(description="A curated row's note: the curator's words on the fact (what the source "
                             "says, what was assumed or inferred).", examples=[None])
    tier: str | None = Field(description="A curated membership: the terms it is held on, a concept of "
                             "pcg:MembershipTierScheme (TierEqual, TierSecond).", examples=[None])
    exit_reason: str | None = Field(description="A curated membership that ended: why, a concept of "
                                    "pcg:ExitReasonScheme (ExitSwitched, ExitLeft, ExitDissolved, ExitMerged, "
                                    "ExitClosed).", examples=[None])


class AnyTieList(BaseModel):
    data: list[AnyTieOut] = Field(description="A page of ties, by kind, start, from, to.")
    count: int = Field(description="How many ties match (every page).", examples=[6518])


class InterlockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person: str = Field(description="Id of the person shared.", examples=["ZZP-STR-CHAIR"])
    person_name: str | None = Field(description="The person's name.", examples=["Board chair (Struggling)"])
    organisation_a: str = Field(description="One organisation (the lower code).", examples=["ZZF-CCG-STR"])
    organisation_a_name: str | None = Field(description="Its name.", examples=[None])
    post_a: dict[str, Any] = Field(description="The person's post there: organisation the post is held in, unit "
                                   "(a board, governing body or committee of organisation_a, else null), post, role, "
                                   "start, end, source, line, citations, commissioning, represents.")
    organisation_b: str = Field(description="The other organisation.", examples=["ZZF-STRUGGLING"])
    organisation_b_name: str | None = Field(description="Its name.", examples=[None])
    post_b: dict[str, Any] = Field(description="The person's post there, as post_a.")
    start: dt.date | None = Field(description="First day of the window (null: a post is undated).",
                                  examples=["2015-01-01"])
    end: dt.date | None = Field(description="Last day of the window (null: open).", examples=["2017-12-31"])
    overlap: bool = Field(description="The posts share a day.", examples=[True])
    gap_days: int | None = Field(description="Days between the end of one post and the start of the other, when "
                                 "they do not overlap.", examples=[None])
    window_months: int = Field(description="The window asked for.", examples=[12])
    undated: list[str] = Field(description="post_a / post_b: a post with no start date (taken to have held from "
                               "any earlier day).", examples=[["post_a"]])


class InterlockList(BaseModel):
    data: list[InterlockOut] = Field(description="A page of interlocks, by the two organisations and the person.")
    count: int = Field(description="How many interlocks match (every page).", examples=[3])


CSV_COLUMNS = tuple(AnyTieOut.model_fields)
CSV_HEADER = tuple(f.alias or name for name, f in AnyTieOut.model_fields.items())


def _csv(ties: list[AnyTie]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for t in ties:
        row = dataclasses.asdict(t)
        writer.writerow([cell("; ".join(v) if isinstance(v, tuple | list) else v) for v in
                         (row[c] for c in CSV_COLUMNS)])
    return buffer.getvalue().encode("utf-8")


@router.get(
    "/ties",
    response_model=AnyTieList,
    responses={**ERRORS, 200: {"description": "A page of ties (JSON), or every matching tie (format=csv).",
                               "content": {CSV: {"schema": {"type": "string"}}}}},
    summary="Every tie, national and curated, by kind, organisation, date and area",
    description="Every tie the graph holds in one list: memberships and dated relations (PCNMembership, "
    "CommissionerAssignment, SystemMembership, RegionMembership, FederationMembership, SubfederationMembership, "
    "UnitMembership, CollaborationMembership, ...; `from` is the member) and the curated lateral and governance ties "
    "(RiskSharingTie, PeerNetworkTie, ServiceProvisionTie, StaffSharingTie, CaretakingTie, CompetitionTie, "
    "PartnershipTie, LearningTie, FundingTie, GovernanceTie, DirectiveTie, DependenceTie, EngagementTie, "
    "RepresentationTie, FacilitationTie, ApproachTie, BidTie, ReferralTie, LegacyTie, ...) with their columns, table "
    "line and citations. "
    "Filter by `kind` (repeat it for several; an unknown kind is 422 naming the allowed ones), by `organisation` at "
    "`end` either/from/to, by `as_of` (ties holding on the date; every date when omitted), by `within` (ties with an "
    "end in the area on `as_of`, or today). Ordered by kind, start, from, to. Answered from indexes held in memory.",
)
def list_ties(
    store: Store,
    as_of: OptionalAsOf,
    page: Paging,
    kind: Annotated[
        list[str] | None,
        Query(description=f"Kind(s) of tie; repeat for several. One of: {', '.join(all_kinds())}.",
              examples=["PCNMembership"]),
    ] = None,
    organisation: Annotated[
        str | None,
        Query(description="Code of an organisation at one end (404 if unknown).", examples=["ZZF-STRUGGLING"],
              min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    end: Annotated[
        Literal["either", "from", "to"],
        Query(description="Which end `organisation` is at: either, from (the member of a membership) or to.",
              examples=["either"]),
    ] = "either",
    within: Annotated[
        str | None,
        Query(description="Code of an area: ties with an end below it on `as_of` (today when omitted).",
              examples=["16C"], min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (a page) or csv (every matching tie).",
                                                    examples=["json"])] = "json",
) -> Any:
    kinds = check_kinds(kind or ())
    code = organisation.upper() if organisation else None
    if code is not None:
        require_known(store, code)
    area = None
    if within is not None:
        require_known(store, within.upper())
        area = descendants(store, within.upper(), as_of or dt.date.today())
    ties = AllTies.of(store).select(kinds=kinds, organisation=code, end=end, as_of=as_of, area=area)
    if format == "csv":
        return Response(_csv(ties), media_type=CSV, headers={"Content-Disposition": 'attachment; filename="ties.csv"'})
    return AnyTieList(data=[AnyTieOut.model_validate(t) for t in page.cut(ties)], count=len(ties))


DateParam = Annotated[str | None, Query(description="YYYY-MM-DD (optional): a period instead of one date.",
                                        examples=["2017-01-01"], pattern=DATE_PATTERN)]


@router.get(
    "/interlocks",
    response_model=InterlockList,
    responses=ERRORS,
    tags=["people"],
    summary="Organisations that share a person, with both posts and the window",
    description="Every pair of organisations one person holds posts in (curated posts; a post in a board, governing "
    "body or committee acts for the organisation the unit belongs to: both are given), with both posts, their dates, "
    "sources and the window. Two posts count when they overlap, or when one ends no more than `window_months` months "
    "before the other starts (0, the default: overlap only; at most 120). The window runs from the later start to the "
    "earlier of the later end and the earlier end plus `window_months` months. On `as_of` (the window holds on it), "
    "or over the period `since`..`until` (the window meets it); every date when none is given. Restricted to an "
    "`organisation` at one end (it or its unit) or an area `within` (an end in it on `as_of`, `until`, `since` or "
    "today). A post with no start date is taken to have held from any earlier day, and named in `undated`.",
)
def list_interlocks(
    store: Store,
    as_of: OptionalAsOf,
    page: Paging,
    since: DateParam = None,
    until: DateParam = None,
    window_months: Annotated[int, Query(ge=0, le=MAX_WINDOW_MONTHS, description="Months between the end of one post "
                                        "and the start of the other that still count (0: overlap only).",
                                        examples=[12])] = 0,
    organisation: Annotated[
        str | None,
        Query(description="Code of an organisation at one end (or of a unit a post is held in); 404 if unknown.",
              examples=["ZZF-STRUGGLING"], min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    within: Annotated[
        str | None,
        Query(description="Code of an area: interlocks with an end in it.", examples=["ZZF-CCG-STR"], min_length=2,
              max_length=40, pattern=CODE_PATTERN),
    ] = None,
) -> InterlockList:
    start, stop = (parse_as_of(since) if since else None), (parse_as_of(until) if until else None)
    if start is not None and stop is not None and start > stop:
        raise BadParameter("since must not exceed until", details={"parameter": "since"})
    if as_of is not None and (start is not None or stop is not None):
        raise BadParameter("give as_of or since/until, not both", details={"parameter": "as_of"})
    G = store.history()
    scope: set[str] | None = None
    if organisation is not None:
        require_known(store, organisation.upper())
        scope = {organisation.upper()}
    inside: set[str] | None = None
    if within is not None:
        area = within.upper()
        require_known(store, area)
        day = as_of or stop or start or dt.date.today()
        inside = curated_within(G, area, day) | descendants(store, area, day)
    found = interlocks(G, as_of=as_of, since=start, until=stop, window_months=window_months,
                       scope=scope if scope is not None else inside)
    if scope is not None and inside is not None:  # both: one end the organisation, an end in the area
        found = [i for i in found if _ends(i) & inside]
    return InterlockList(data=[InterlockOut.model_validate(i) for i in page.cut(found)], count=len(found))


def _ends(i: Any) -> set[str]:
    return {i.organisation_a, i.organisation_b, i.post_a.get("organisation"), i.post_b.get("organisation")}
