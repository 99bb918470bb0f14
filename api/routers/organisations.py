from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import AsOf, Store
from api.schemas import (
    ErrorEnvelope,
    Hierarchy,
    HierarchyLevel,
    HierarchyOrganisation,
    Name,
    Organisation,
    Tie,
    TieList,
)
from graphkit.store.base import TieView
from graphkit.temporal import parse_as_of

router = APIRouter(prefix="/organisations", tags=["organisations"])

Code = Annotated[
    str,
    Path(
        description="ODS code of the organisation (case-insensitive), or a project code for an organisation not in "
        "ODS (ZZF-... fictional, ZZN-... real).",
        examples=["A81001"],
        min_length=2,
        max_length=40,
        pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$",
    ),
]
ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorEnvelope, "description": "No organisation has this code."},
    422: {"model": ErrorEnvelope, "description": "A parameter is malformed; the message names it."},
}


def tie_schema(t: TieView) -> Tie:
    return Tie(
        kind=t.kind,
        member=t.member,
        member_name=t.member_name,
        organisation=t.organisation,
        organisation_name=t.organisation_name,
        start=t.start,
        end=t.end,
        derived=t.derived,
        end_evidence=t.end_evidence,
        sources=list(t.sources),
    )


@router.get(
    "/{code}",
    response_model=Organisation,
    responses=ERRORS,
    summary="One organisation by ODS code",
    description="Code, current name, kinds on the date (a CCG code is a sub-ICB location from 2022-07-01), "
    "open and close dates, the ties upwards that hold on the date, every name the sources give, and "
    "the sources.",
)
def get_organisation(store: Store, as_of: AsOf, code: Code) -> Organisation:
    v = store.organisation(code.upper(), as_of)
    return Organisation(
        code=v.code,
        name=v.name,
        kinds=list(v.kinds),
        all_kinds=list(v.all_kinds),
        start=v.start,
        end=v.end,
        status=v.status,
        fictional=v.fictional,
        as_of=as_of,
        parents=[tie_schema(t) for t in v.parents],
        names=[Name(name=n.name, source=n.source, vintage=n.vintage) for n in v.names],
        sources=list(v.sources),
    )


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
    direction: Annotated[
        Literal["up", "down", "both"],
        Query(
            description="up: ties where the organisation is the member; down: where it is the organisation; both.",
            examples=["up"],
        ),
    ] = "both",
    kind: Annotated[
        Literal["PCNMembership", "CommissionerAssignment", "SystemMembership", "RegionMembership"] | None,
        Query(description="Keep one kind of tie.", examples=["PCNMembership"]),
    ] = None,
    as_of: Annotated[
        str | None,
        Query(
            description="Keep ties holding on this date (YYYY-MM-DD); all of history when omitted.",
            examples=["2024-10-01"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
        ),
    ] = None,
) -> TieList:
    day = parse_as_of(as_of) if as_of else None
    ties: list[TieView] = []
    for d in ("up", "down") if direction == "both" else (direction,):
        ties.extend(store.ties(code.upper(), d, as_of=day, kind=kind))
    return TieList(data=[tie_schema(t) for t in ties], count=len(ties))
