from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from api.deps import AsOf, Store
from api.schemas import AnalysisInfo, AnalysisList, AnalysisResult, ErrorEnvelope
from graphkit.analysis import registry

router = APIRouter(prefix="/analyses", tags=["analyses"])
RESERVED = {"as_of", "list_size_year"}


@router.get(
    "",
    response_model=AnalysisList,
    summary="The analysis registry",
    description="Every analysis with its parameters (name, type, default, description) and the graph "
    "it needs. Run one with GET /analyses/{name}.",
)
def list_analyses() -> AnalysisList:
    items = [AnalysisInfo(**a) for a in registry.list_analyses()]
    return AnalysisList(data=items, count=len(items))


@router.get(
    "/{name}",
    response_model=AnalysisResult,
    responses={
        404: {"model": ErrorEnvelope, "description": "No analysis of that name."},
        422: {"model": ErrorEnvelope, "description": "An unknown or malformed parameter."},
    },
    summary="Run one analysis on the graph as of a date",
    description="Projects the organisation graph as of `as_of` (practices with their sub-ICB location or "
    "CCG and, with `list_size_year`, their list size; PCNs; ties holding on the date) and runs the "
    "analysis. Any other query parameter is a parameter of the analysis (see GET /analyses).",
)
def run_analysis(
    request: Request,
    store: Store,
    as_of: AsOf,
    name: Annotated[
        str,
        Path(description="Analysis name, e.g. footprint.", examples=["footprint"], pattern=r"^[a-z][a-z0-9-]{1,40}$"),
    ],
    list_size_year: Annotated[
        str | None,
        Query(
            description="Financial year whose list sizes weight practices (YYYY-YY).",
            examples=["2022-23"],
            pattern=r"^20\d{2}-\d{2}$",
        ),
    ] = None,
) -> AnalysisResult:
    analysis = registry.get(name)
    params: dict[str, Any] = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    analysis.bind(params)  # reject unknown or malformed parameters before projecting
    graph = store.project(as_of, list_size_year=list_size_year)
    return AnalysisResult(name=name, as_of=as_of, params=params, result=analysis.run(graph, **params))
