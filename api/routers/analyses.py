"""The analysis registry and one route per registered analysis, its parameters documented from the registry."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Path, Query, Request

from api.cache import recent, store_key
from api.deps import CODE_PATTERN, ERRORS, AsOf, Store
from api.guard import BUSY, gate
from api.schemas import AnalysisInfo, AnalysisList, AnalysisResult
from graphkit.analysis import registry
from graphkit.errors import BadParameter
from graphkit.store.areas import area_scope, require_known
from graphkit.store.base import GraphStore

router = APIRouter(prefix="/analyses", tags=["analyses"])
RESERVED = {"as_of", "list_size_year"}
PY_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool, "date": dt.date,
                             "projection": dt.date, "area": str}
EXAMPLES = {"centre": "U89141", "contract": "ZZC-EMB-LIS", "holder": "A81001", "flow_kinds": "PCNMembership",
            "area": "ZZF-CCG-STR", "since": "2016-01-01", "until": "2018-12-31",
            "previous_as_of": "2016-01-01", "kind": "federation", "limit": 100, "offset": 0,
            "membership_kind": "PCNMembership"}
LIST_SIZE_YEAR = Annotated[
    str | None,
    Query(
        description="Financial year whose list sizes weight practices (YYYY-YY), from NHS Payments to General "
        "Practice.",
        examples=["2022-23"],
        pattern=r"^20\d{2}-\d{2}$",
    ),
]


def projection(request: Request, store: GraphStore, as_of: dt.date, list_size_year: str | None) -> nx.MultiDiGraph:
    """The graph as of the date, projected once for the last few dates asked (the national graph takes seconds);
    the analyses read it without changing it."""
    graphs = recent(request, "projections")
    return graphs.get((store_key(store), as_of, list_size_year),
                      lambda: store.project(as_of, list_size_year=list_size_year))


def run(request: Request, store: GraphStore, name: str, as_of: dt.date, list_size_year: str | None,
        params: dict[str, Any]) -> AnalysisResult:
    analysis = registry.get(name)
    analysis.bind(params)  # unknown or malformed parameters are refused before projecting
    # an analysis of change over time reads the curated layers on every date (kept on the store once read)
    graph = store.history() if analysis.temporal else projection(request, store, as_of, list_size_year)
    result = analysis.run_for(graph, params, as_of=as_of.isoformat(), require=lambda code: require_known(store, code),
                              project=lambda day: projection(request, store, day, list_size_year),
                              area=registry.area_from(lambda code: area_scope(store, code, as_of)))
    return AnalysisResult(name=name, as_of=as_of, params=params, result=result)


@router.get(
    "",
    response_model=AnalysisList,
    summary="The analysis registry",
    description="Every analysis with its parameters (name, type, default, description) and the graph it needs. "
    "Run one with GET /analyses/{name}.",
)
def list_analyses() -> AnalysisList:
    items = [AnalysisInfo(**a) for a in registry.list_analyses()]
    return AnalysisList(data=items, count=len(items))


def _endpoint(analysis: registry.Analysis) -> Any:
    """A route function whose signature declares the analysis's own parameters, so that the OpenAPI document
    describes each of them (type, default, description, example)."""
    own = [p for p in analysis.params if p.type in PY_TYPES]
    names = {p.name for p in own}

    async def endpoint(request: Request, **kwargs: Any) -> AnalysisResult:
        store, as_of, list_size_year = kwargs.pop("store"), kwargs.pop("as_of"), kwargs.pop("list_size_year")
        unknown = sorted(set(request.query_params) - names - RESERVED)
        if unknown:
            raise BadParameter(
                f"analysis {analysis.name!r} has no parameter {unknown[0]!r}",
                details={"analysis": analysis.name, "parameter": unknown[0], "known": sorted(names)},
            )
        params = {k: v for k, v in kwargs.items() if v is not None}
        return await gate(request).run_sync(run, request, store, analysis.name, as_of, list_size_year, params)

    sig = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, annotation=Store),
        inspect.Parameter("as_of", inspect.Parameter.KEYWORD_ONLY, annotation=AsOf),
        inspect.Parameter("list_size_year", inspect.Parameter.KEYWORD_ONLY, annotation=LIST_SIZE_YEAR, default=None),
    ]
    for p in own:
        example = p.default if p.default not in (None, "") else EXAMPLES.get(p.name, "")
        kind: Any = Literal[p.choices] if p.choices is not None else PY_TYPES[p.type]
        numeric = kind in (int, float)
        bottom = p.minimum if numeric else None
        query = Query(description=p.description + (f" Default {p.default}." if p.default not in (None, "") else "")
                      + (f" Allowed: {p.range_text()}." if numeric else ""),
                      examples=[example], min_length=1 if kind is str else None,
                      pattern=CODE_PATTERN if p.type == "area" else None,
                      gt=bottom if p.exclusive_minimum else None, ge=None if p.exclusive_minimum else bottom,
                      le=p.maximum if numeric else None, allow_inf_nan=False if kind is float else None)
        sig.append(
            inspect.Parameter(
                p.name, inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[kind if p.required else kind | None, query],
                default=inspect.Parameter.empty if p.required else None,
            )
        )
    endpoint.__signature__ = inspect.Signature(sig, return_annotation=AnalysisResult)  # type: ignore[attr-defined]
    endpoint.__name__ = "run_" + analysis.name.replace("-", "_")
    return endpoint


for _a in registry.REGISTRY.values():
    router.add_api_route(
        f"/{_a.name}",
        _endpoint(_a),
        methods=["GET"],
        response_model=AnalysisResult,
        responses={**ERRORS, **BUSY},
        summary=f"Run {_a.name}",
        description=f"{_a.description} "
        + ("Reads the curated layers on every date (each tie, post and contract with its dates) and runs the "
           "analysis on `as_of` (and the period, where it has one). " if _a.temporal else
           "Projects the organisation graph as of `as_of` (with `list_size_year`, practices carry their list size "
           "of that year) and runs the analysis. ")
        + f"Returns: {_a.returns}",
        operation_id=f"analysis_{_a.name.replace('-', '_')}",
    )


@router.get(
    "/{name}",
    response_model=AnalysisResult,
    responses={**ERRORS, **BUSY},
    include_in_schema=False,
    summary="Any analysis by name",
)
async def run_by_name(
    request: Request,
    store: Store,
    as_of: AsOf,
    name: Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{1,40}$")],
    list_size_year: LIST_SIZE_YEAR = None,
) -> AnalysisResult:
    params = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return await gate(request).run_sync(run, request, store, name, as_of, list_size_year, params)
