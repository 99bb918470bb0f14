"""Organisations: search, one organisation, its members, ties, chain upwards, history and sources."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CODE_PATTERN, ERRORS, AsOf, Code, OptionalAsOf, Paging, Store
from api.schemas import (
    ChangeEvent,
    Hierarchy,
    HierarchyLevel,
    HierarchyOrganisation,
    History,
    Name,
    Organisation,
    OrganisationHit,
    OrganisationList,
    RoleHolding,
    Statement,
    StatementList,
    Tie,
    TieList,
)
from graphkit.core.nhs import ROLE_CLASS
from graphkit.store.base import TieView, tie_kinds

router = APIRouter(prefix="/organisations", tags=["organisations"])

# the tie classes of the ontology (its subclasses of org:Membership)
TieKind = enum.Enum("TieKind", {k: k for k in tie_kinds()}, type=str)  # type: ignore[misc]


def tie_schema(t: TieView) -> Tie:
    return Tie.model_validate(t)


@router.get(
    "",
    response_model=OrganisationList,
    responses=ERRORS,
    summary="Search organisations by name, code, type and area",
    description="Organisations open on `as_of` whose name contains `q` (any case) or whose code starts with it, "
    "of `type` on that date (an ontology class: GPPractice, PrimaryCareNetwork, ClinicalCommissioningGroup, "
    "SubICBLocation, SustainabilityAndTransformationPartnership, IntegratedCareBoard, NHSEnglandRegion, "
    "GPFederation, ...), within the area `within` (every organisation below it on that date). Ordered by name, "
    "or with `order=relevance` (for a search box) the code itself first, then codes starting with `q`, names "
    "starting with it, names with a word starting with it, other names; then by name. Answered from an index "
    "held in memory (built in the background when the server starts, or by the first search if that comes sooner; "
    "/health says when it is ready).",
)
def search_organisations(
    store: Store,
    as_of: AsOf,
    page: Paging,
    q: Annotated[
        str | None,
        Query(description="Part of the name (any case) or the start of the code.", examples=["Stockton"],
              min_length=1, max_length=100),
    ] = None,
    type: Annotated[
        str | None,
        Query(description="Ontology class the organisation has on the date.", examples=["PrimaryCareNetwork"],
              pattern=r"^[A-Za-z]{2,60}$"),
    ] = None,
    within: Annotated[
        str | None,
        Query(description="Code of an area (PCN, sub-ICB location or CCG, ICB or STP, region): only organisations "
              "below it on the date.", examples=["16C"], min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    order: Annotated[
        Literal["name", "relevance"],
        Query(description="name: by name; relevance: best match to `q` first (the code, codes starting with it, "
              "names starting with it, names with a word starting with it, other names).", examples=["relevance"]),
    ] = "name",
) -> OrganisationList:
    hits, total = store.search(
        q, kind=type, within=within.upper() if within else None, as_of=as_of, limit=page.limit, offset=page.offset,
        order=order,
    )
    return OrganisationList(data=[OrganisationHit.model_validate(h) for h in hits], count=total)


@router.get(
    "/{code}",
    response_model=Organisation,
    responses=ERRORS,
    summary="One organisation by ODS code",
    description="Code, current name, kinds on the date (a CCG code is a sub-ICB location from 2022-07-01), "
    "open and close dates, the ties upwards that hold on the date, every name the sources give, and "
    "the sources; for a curated grouping of practices, whether its footprint is a place or a mosaic "
    "(`footprint_basis`).",
)
def get_organisation(store: Store, as_of: AsOf, code: Code) -> Organisation:
    return Organisation(**dataclasses.asdict(store.organisation(code.upper(), as_of)), as_of=as_of)


@router.get(
    "/{code}/members",
    response_model=TieList,
    responses=ERRORS,
    summary="The members of an organisation on a date",
    description="The organisations directly below this one on `as_of`: a PCN's practices, a sub-ICB location's "
    "(or CCG's) practices and other prescribing cost centres, an ICB's (or STP's) sub-ICB locations, a region's "
    "ICBs, a federation's members. Ordered by member code.",
)
def get_members(
    store: Store,
    as_of: AsOf,
    code: Code,
    page: Paging,
    kind: Annotated[TieKind | None, Query(description="Keep one kind of tie.", examples=["PCNMembership"])] = None,
) -> TieList:
    ties = sorted(
        store.ties(code.upper(), "down", as_of=as_of, kind=kind.value if kind else None),
        key=lambda t: (t.member, t.kind),
    )
    return TieList(data=[tie_schema(t) for t in page.cut(ties)], count=len(ties))


@router.get(
    "/{code}/memberships",
    response_model=TieList,
    responses=ERRORS,
    summary="Every tie of an organisation over time",
    description="The full history of the organisation's ties: upwards (it is the member: a practice's PCNs "
    "and commissioners) and downwards (it is the organisation: a PCN's practices). Give `as_of` to keep "
    "only the ties holding on that date, `kind` to keep one kind.",
)
def get_memberships(
    store: Store,
    code: Code,
    as_of: OptionalAsOf,
    page: Paging,
    direction: Annotated[
        Literal["up", "down", "both"],
        Query(
            description="up: ties where the organisation is the member; down: where it is the organisation; both.",
            examples=["up"],
        ),
    ] = "both",
    kind: Annotated[TieKind | None, Query(description="Keep one kind of tie.", examples=["PCNMembership"])] = None,
) -> TieList:
    ties: list[TieView] = []
    for d in ("up", "down") if direction == "both" else (direction,):
        ties.extend(store.ties(code.upper(), d, as_of=as_of, kind=kind.value if kind else None))
    return TieList(data=[tie_schema(t) for t in page.cut(ties)], count=len(ties))


@router.get(
    "/{code}/hierarchy",
    response_model=Hierarchy,
    responses=ERRORS,
    summary="The chain above an organisation on a date",
    description="practice -> PCN -> CCG or sub-ICB location -> STP or ICB -> NHS England region, as the "
    "resolved ties stand on the date (ODS end dates inclusive).",
)
def get_hierarchy(store: Store, as_of: AsOf, code: Code) -> Hierarchy:
    levels = store.hierarchy(code.upper(), as_of)
    return Hierarchy(
        code=code.upper(),
        as_of=as_of,
        levels=[
            HierarchyLevel(
                level=lv.level,
                via=lv.via,
                organisations=[HierarchyOrganisation(code=c, name=n, kinds=list(k)) for c, n, k in lv.organisations],
            )
            for lv in levels
        ],
    )


@router.get(
    "/{code}/history",
    response_model=History,
    responses=ERRORS,
    summary="An organisation over time",
    description="Every name the sources give, every ODS role with its dates and sources (a CCG code holds the CCG "
    "role until 2022-06-30 and the sub-ICB role from 2022-07-01), the mergers and successions it took part in (derived "
    "across vintages, e.g. 00C, 00K and 00M into 16C on 2020-04-01), and every tie in both directions.",
)
def get_history(store: Store, code: Code) -> History:
    code = code.upper()
    v = store.organisation(code, dt.date.today())  # NotFound names an unknown code
    ties = [*store.ties(code, "up"), *store.ties(code, "down")]
    ties.sort(key=lambda t: (str(t.start), t.kind, t.member, t.organisation))
    return History(
        code=v.code,
        name=v.name,
        start=v.start,
        end=v.end,
        names=[Name.model_validate(n) for n in v.names],
        roles=[
            RoleHolding(role=r.role, kind=ROLE_CLASS.get(r.role), start=r.start, end=r.end, sources=list(r.sources))
            for r in sorted(store.roles(code), key=lambda r: (str(r.start), r.role))
        ],
        events=[ChangeEvent.model_validate(e) for e in store.events(code)],
        memberships=[tie_schema(t) for t in ties],
    )


@router.get(
    "/{code}/provenance",
    response_model=StatementList,
    responses=ERRORS,
    summary="The source file and line of every fact about an organisation",
    description="Every statement about the organisation, its ties in both directions, its ODS roles and its "
    "contracts: the fact, the source file (slug, file name, vintage) and the line that states it.",
)
def get_provenance(store: Store, code: Code, page: Paging) -> StatementList:
    statements = store.provenance(code.upper())
    return StatementList(
        data=[Statement.model_validate(s) for s in page.cut(statements)],
        count=len(statements),
    )
