"""The local health economy around an organisation or area, as a graph."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import ERRORS, AsOf, Code, Store
from api.schemas import Economy, EconomyEdge, EconomyNode
from graphkit.area_export import MEDIA_TYPES, to_graphml

router = APIRouter(tags=["economy"])

GRAPHML = MEDIA_TYPES["graphml"]


@router.get(
    "/economy/{code}",
    response_model=Economy,
    responses={
        **ERRORS,
        200: {
            "description": "The graph: JSON (nodes and edges) or, with format=graphml, GraphML for Gephi, yEd or "
            "NetworkX.",
            "content": {GRAPHML: {"schema": {"type": "string"}, "example": "<graphml>...</graphml>"}},
        },
    },
    summary="The local health economy around an organisation",
    description="Every organisation within `depth` ties (up or down) of `code` on `as_of`, and the ties among "
    "them that hold on that date: around a PCN, its practices, their sub-ICB location, its ICB and region; "
    "around a sub-ICB location, its practices and their PCNs. Depth 0 is the organisation alone; at most 4.",
)
def get_economy(
    store: Store,
    as_of: AsOf,
    code: Code,
    depth: Annotated[int, Query(ge=0, le=4, description="Ties to follow out from the organisation.",
                                examples=[2])] = 2,
    format: Annotated[
        Literal["json", "graphml"], Query(description="json or graphml.", examples=["json"])
    ] = "json",
) -> Economy | Response:
    code = code.upper()
    g = store.economy(code, as_of, depth=depth)
    if format == "graphml":
        return Response(content=to_graphml(g), media_type=GRAPHML)
    return Economy(
        code=code,
        as_of=as_of,
        depth=depth,
        nodes=[
            EconomyNode(code=n, name=a["name"], kinds=list(a["kinds"]), level=a["level"], centre=a["centre"])
            for n, a in sorted(g.nodes(data=True))
        ],
        edges=[
            EconomyEdge(kind=a["kind"], member=u, organisation=v, start=a["start"], end=a["end"],
                        derived=a["derived"])
            for u, v, a in sorted(g.edges(data=True), key=lambda e: (e[2]["kind"], e[0], e[1], str(e[2]["start"])))
        ],
    )
