from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import AsOf, Store
from api.schemas import ErrorEnvelope, Organisation, Parent

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get(
    "/{code}",
    response_model=Organisation,
    summary="One organisation by ODS code",
    description="Code, names, kinds and the organisations it belongs to (PCN, sub-ICB location, ICB, region) "
    "as of the date, with the sources that state it.",
    responses={
        404: {"model": ErrorEnvelope, "description": "No organisation has this code."},
        422: {"model": ErrorEnvelope, "description": "A parameter is malformed."},
    },
)
def get_organisation(
    store: Store,
    as_of: AsOf,
    code: Annotated[
        str,
        Path(
            description="ODS code of the organisation.",
            examples=["A81001"],
            min_length=2,
            max_length=16,
            pattern=r"^[A-Za-z0-9]+$",
        ),
    ],
) -> Organisation:
    view = store.organisation(code.upper(), as_of)
    return Organisation(
        code=view.code,
        name=view.name,
        names=list(view.names),
        kinds=list(view.kinds),
        fictional=view.fictional,
        as_of=as_of,
        sources=list(view.sources),
        parents=[
            Parent(
                relation=p.relation,
                code=p.code,
                name=p.name,
                kinds=list(p.kinds),
                start=p.start,
                end=p.end,
                observed_on=list(p.observed_on),
            )
            for p in view.parents
        ],
    )
