"""The local health economy around an organisation or area, as a graph or a picture."""

from __future__ import annotations

from typing import Annotated, Literal

import networkx as nx
from fastapi import APIRouter, Query, Request, Response

from api.deps import ERRORS, AsOf, Code, Store
from api.guard import BUSY, gate
from api.schemas import Economy, EconomyEdge, EconomyNode
from graphkit.outputs import draw
from graphkit.outputs.area import MEDIA_TYPES, to_graphml
from graphkit.store.shared import ECONOMY_CATEGORIES

router = APIRouter(tags=["economy"])

GRAPHML = MEDIA_TYPES["graphml"]
SVG, PNG = draw.FORMATS["svg"], draw.FORMATS["png"]


def economy_body(g: nx.MultiDiGraph, code: str, depth: int) -> Economy:
    order = {c: i for i, c in enumerate(ECONOMY_CATEGORIES)}
    edges = sorted(g.edges(data=True), key=lambda e: (
        order[e[2]["category"]], e[2]["kind"], e[0], e[1], str(e[2]["start"]), e[2].get("contract") or ""))
    return Economy(
        code=code,
        as_of=g.graph["as_of"],
        depth=depth,
        nodes=[
            EconomyNode(code=n, name=a["name"], kinds=list(a["kinds"]), level=a["level"], centre=a["centre"],
                        list_size=a["list_size"], list_size_year=a["list_size_year"])
            for n, a in sorted(g.nodes(data=True))
        ],
        edges=[
            EconomyEdge(kind=a["kind"], category=a["category"], member=u, organisation=v, start=a["start"],
                        end=a["end"], derived=a["derived"], contract=a.get("contract"))
            for u, v, a in edges
        ],
    )


@router.get(
    "/economy/{code}",
    response_model=Economy,
    responses={
        **ERRORS,
        **BUSY,
        200: {
            "description": "The graph: JSON (nodes and edges); with format=graphml, GraphML for Gephi, yEd or "
            "NetworkX; with format=svg or png, a picture of `width` x `height` pixels (nodes coloured by kind and "
            "sized by list size, edges styled by category, a legend, the organisation and date in the title).",
            "content": {
                GRAPHML: {"schema": {"type": "string"}, "example": "<graphml>...</graphml>"},
                SVG: {"schema": {"type": "string"}, "example": "<svg>...</svg>"},
                PNG: {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
    summary="The local health economy around an organisation",
    description="Every organisation within `depth` membership ties (up or down) of `code` on `as_of`, and the "
    "edges among them that hold on that date: the memberships (around a PCN, its practices, their sub-ICB "
    "location, its ICB and region; around a sub-ICB location, its practices and their PCNs; around a federation, "
    "its members), then the curated ties (risk sharing, peer network, service provision, governance, ...) and "
    "curated contracts between organisations of the economy. Practices carry their list size. Depth 0 is the "
    "organisation alone; at most 4. An expensive route: it waits for a turn (429 busy when too many are waiting).",
)
async def get_economy(
    request: Request,
    store: Store,
    as_of: AsOf,
    code: Code,
    depth: Annotated[int, Query(ge=0, le=4, description="Membership ties to follow out from the organisation.",
                                examples=[2])] = 2,
    format: Annotated[
        Literal["json", "graphml", "svg", "png"],
        Query(description="json, graphml, or a picture: svg or png.", examples=["json"]),
    ] = "json",
    width: Annotated[int, Query(ge=draw.MIN_PIXELS, le=draw.MAX_PIXELS,
                                description="Width of the picture in pixels (svg and png).",
                                examples=[draw.DEFAULT_WIDTH])] = draw.DEFAULT_WIDTH,
    height: Annotated[int, Query(ge=draw.MIN_PIXELS, le=draw.MAX_PIXELS,
                                 description="Height of the picture in pixels (svg and png).",
                                 examples=[draw.DEFAULT_HEIGHT])] = draw.DEFAULT_HEIGHT,
) -> Economy | Response:
    code = code.upper()

    def build() -> Economy | Response:
        if format in draw.FORMATS:
            body = draw.draw(store, code, as_of, format, depth=depth, width=width, height=height)
            return Response(content=body, media_type=draw.FORMATS[format], headers={
                "Content-Disposition": f'inline; filename="economy_{code}_{as_of.isoformat()}.{format}"'})
        g = store.economy(code, as_of, depth=depth)
        if format == "graphml":
            return Response(content=to_graphml(g), media_type=GRAPHML)
        return economy_body(g, code, depth)

    return await gate(request).run_sync(build)
