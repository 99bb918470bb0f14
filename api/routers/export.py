"""Download an area (or the country) as of a date: RDF, GraphML, CSV or a data package; and the JSON-LD context
the JSON-LD exports are written in."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.cache import recent, store_key
from api.deps import CODE_PATTERN, ERRORS, AsOf, Store
from api.guard import BUSY, gate
from graphkit.outputs import area as area_export
from graphkit.outputs import datapackage

router = APIRouter(tags=["export"])

MEDIA = {**area_export.MEDIA_TYPES, "datapackage": "application/zip"}
#: compacted JSON-LD: the context (its URL, or the context itself) and one node object per subject
JSONLD_SCHEMA = {
    "type": "object",
    "required": ["@context", "@graph"],
    "properties": {
        "@context": {"type": ["string", "object"]},
        "@graph": {"type": "array", "items": {"type": "object", "required": ["@id"]}},
    },
}
CONTEXT_MEDIA = "application/ld+json"
EXTENSIONS = {"turtle": "ttl", "jsonld": "jsonld", "graphml": "graphml", "datapackage": "zip"}


@router.get(
    "/export",
    responses={
        **ERRORS,
        **BUSY,
        200: {
            "description": "The file, in the format asked for.",
            "content": {
                media: {"schema": JSONLD_SCHEMA if fmt == "jsonld" else {"type": "string", "format": "binary"}
                        if fmt == "datapackage" else {"type": "string"}}
                for fmt, media in MEDIA.items()
            },
        },
    },
    response_class=Response,
    summary="Download an area as of a date",
    description="The organisations open on `as_of` within `within` (the area and everything below it on that "
    "date; the whole country without it), their ODS roles and the ties among them that hold on the date. "
    "turtle and jsonld: the resolved-graph RDF, in the ontology's terms, with each tie's sources; jsonld is "
    "compacted with the published context (`GET /context.jsonld`), which `@context` names by its URL on this "
    "server, or holds whole with `context=embedded`; graphml: the graph for Gephi, yEd or NetworkX; csv: one "
    "table, `table=organisations` (with each organisation's list size as known on the date and its financial "
    "year) or `table=ties`; datapackage: a zip of a Frictionless data package, `datapackage.json` with a Table "
    "Schema for each table, the licences and the input files, beside organisations.csv, ties.csv and sources.csv.",
)
async def export(
    request: Request,
    store: Store,
    as_of: AsOf,
    format: Annotated[
        Literal["turtle", "jsonld", "graphml", "csv", "datapackage"],
        Query(description="File format.", examples=["turtle"]),
    ] = "turtle",
    within: Annotated[
        str | None,
        Query(description="Code of an area (PCN, sub-ICB location or CCG, ICB or STP, region); the whole country "
              "when omitted.", examples=["QHM"], min_length=2, max_length=40, pattern=CODE_PATTERN),
    ] = None,
    table: Annotated[
        Literal["organisations", "ties"], Query(description="Which table, for format=csv.", examples=["ties"])
    ] = "ties",
    context: Annotated[
        Literal["url", "embedded"],
        Query(description="For format=jsonld: `url` names the published context by its URL on this server "
              "(`/context.jsonld`); `embedded` puts the context itself in the file, which then reads offline.",
              examples=["embedded"]),
    ] = "url",
) -> Response:
    code = within.upper() if within else None
    context_ref = str(request.url_for("context_jsonld")) if context == "url" else None

    def build() -> bytes:
        # the last few areas are kept: the same area is often fetched in several formats
        area = recent(request, "areas").get(
            (store_key(store), code, as_of), lambda: area_export.area_graph(store, code, as_of)
        )
        if format == "datapackage":
            return datapackage.to_zip(datapackage.package(area, store.source_files()))
        if format == "jsonld":
            return area_export.to_jsonld(area, context_ref)
        return area_export.render(area, format, table=table)

    body = await gate(request).run_sync(build)
    name = f"{code or 'england'}_{as_of.isoformat()}"
    ext = EXTENSIONS.get(format, f"{table}.csv")
    return Response(
        content=body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )


@router.get(
    "/context.jsonld",
    name="context_jsonld",
    responses={
        200: {"description": "The JSON-LD context.", "content": {CONTEXT_MEDIA: {"schema": {
            "type": "object", "required": ["@context"], "properties": {"@context": {"type": "object"}}}}}},
        304: {"description": "Not modified: the copy named by If-None-Match is current."},
    },
    response_class=Response,
    summary="The JSON-LD context of the exports",
    description="The context the JSON-LD exports are compacted with (`ontology/context.jsonld` in the repository, "
    "generated from the ontology by `python -m graphkit.ontology.contextgen`): the project's prefixes and a term "
    "for each class and property of the ontology, object properties typed `@id` and dates `xsd:date`. Cacheable: "
    "an ETag and `Cache-Control: public, max-age=86400`.",
)
async def context_jsonld(request: Request) -> Response:
    from graphkit.ontology.contextgen import published

    body, etag = published()
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type=CONTEXT_MEDIA, headers=headers)
