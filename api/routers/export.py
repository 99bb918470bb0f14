"""Download an area (or the country) as of a date: RDF, GraphML or CSV."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.cache import recent, store_key
from api.deps import CODE_PATTERN, ERRORS, AsOf, Store
from api.guard import BUSY, gate
from graphkit.outputs import area as area_export

router = APIRouter(tags=["export"])

MEDIA = area_export.MEDIA_TYPES
# expanded JSON-LD: an array of node objects, each with its @id and full IRIs as keys
JSONLD_SCHEMA = {"type": "array", "items": {"type": "object", "required": ["@id"]}}


@router.get(
    "/export",
    responses={
        **ERRORS,
        **BUSY,
        200: {
            "description": "The file, in the format asked for.",
            "content": {
                media: {"schema": JSONLD_SCHEMA if fmt == "jsonld" else {"type": "string"}}
                for fmt, media in MEDIA.items()
            },
        },
    },
    response_class=Response,
    summary="Download an area as of a date",
    description="The organisations open on `as_of` within `within` (the area and everything below it on that "
    "date; the whole country without it), their ODS roles and the ties among them that hold on the date. "
    "turtle and jsonld: the resolved-graph RDF, in the ontology's terms, with each tie's sources; graphml: the "
    "graph for Gephi, yEd or NetworkX; csv: one table, `table=organisations` or `table=ties`.",
)
async def export(
    request: Request,
    store: Store,
    as_of: AsOf,
    format: Annotated[
        Literal["turtle", "jsonld", "graphml", "csv"], Query(description="File format.", examples=["turtle"])
    ] = "turtle",
    within: Annotated[
        str | None,
        Query(description="Code of an area (PCN, sub-ICB location or CCG, ICB or STP, region); the whole country "
              "when omitted.", examples=["QHM"], min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    table: Annotated[
        Literal["organisations", "ties"], Query(description="Which table, for format=csv.", examples=["ties"])
    ] = "ties",
) -> Response:
    code = within.upper() if within else None

    def build() -> bytes:
        # the last few areas are kept: the same area is often fetched in several formats
        area = recent(request, "areas").get(
            (store_key(store), code, as_of), lambda: area_export.area_graph(store, code, as_of)
        )
        return area_export.render(area, format, table=table)

    body = await gate(request).run_sync(build)
    name = f"{code or 'england'}_{as_of.isoformat()}"
    ext = {"turtle": "ttl", "jsonld": "jsonld", "graphml": "graphml", "csv": f"{table}.csv"}[format]
    return Response(
        content=body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )
