"""Response schemas of the API, kept apart from the domain views in graphkit.store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    status: int = Field(description="HTTP status code.", examples=[404])
    code: str = Field(description="Machine-readable error code.", examples=["not_found"])
    message: str = Field(
        description="What went wrong, for a person.", examples=["no organisation with ODS code 'A00000'"]
    )
    details: dict[str, Any] = Field(default_factory=dict, description="Extra facts, e.g. the parameter at fault.")


class ErrorEnvelope(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str = Field(description="'ok' when the store answers.", examples=["ok"])
    store: str = Field(description="Store kind: 'oxigraph' (embedded) or 'neo4j'.", examples=["oxigraph"])
    organisations: int = Field(description="Number of organisations loaded.", examples=[7575])
    version: str = Field(description="graphkit version.", examples=["0.1.0"])


class Tie(BaseModel):
    kind: str = Field(
        description="Kind of tie (ontology class), e.g. PCNMembership, CommissionerAssignment, "
        "SystemMembership, RegionMembership.",
        examples=["PCNMembership"],
    )
    member: str = Field(description="ODS code of the member (the lower organisation).", examples=["A81001"])
    member_name: str = Field(description="Current name of the member.", examples=["THE DENSHAM SURGERY"])
    organisation: str = Field(description="ODS code of the organisation it belongs to.", examples=["U89141"])
    organisation_name: str = Field(description="Current name of that organisation.", examples=["STOCKTON PCN"])
    start: dt.date | None = Field(
        None,
        description="First day of the tie; for a tie seen only in snapshot files, the first day it was seen.",
        examples=["2019-10-01"],
    )
    end: dt.date | None = Field(
        None, description="Last day of the tie (inclusive); null while it holds.", examples=[None]
    )
    derived: bool = Field(
        description="True when the period was derived: from snapshot observations, or closed by "
        "a newer file that no longer lists the tie.",
        examples=[False],
    )
    end_evidence: str | None = Field(None, description="The newer source file whose silence closed the tie.")
    sources: list[str] = Field(
        description="Source files (slugs) that state the tie.", examples=[["ePCN_2024-10_core_partner_details"]]
    )


class Name(BaseModel):
    name: str = Field(description="A name a source gives the organisation.", examples=["THE DENSHAM SURGERY"])
    source: str = Field(description="The source file (slug).", examples=["epraccur_2026-02"])
    vintage: dt.date = Field(description="The vintage of that file.", examples=["2026-02-01"])


class Organisation(BaseModel):
    code: str = Field(description="ODS code.", examples=["A81001"])
    name: str = Field(description="Name in the newest source.", examples=["THE DENSHAM SURGERY"])
    kinds: list[str] = Field(
        description="Ontology classes that hold on the as-of date (a CCG code is a SubICBLocation from 2022-07-01).",
        examples=[["GPPractice", "PrescribingCostCentre"]],
    )
    all_kinds: list[str] = Field(description="Every class the organisation has had.", examples=[["GPPractice"]])
    start: dt.date | None = Field(None, description="Open date (ODS operational start).", examples=["1974-04-01"])
    end: dt.date | None = Field(None, description="Close date (inclusive), if closed.", examples=[None])
    status: str | None = Field(
        None, description="ODS status in the newest file: ACTIVE, CLOSED, DORMANT, PROPOSED.", examples=["ACTIVE"]
    )
    fictional: bool = Field(description="True for the synthetic case-study organisations.", examples=[False])
    as_of: dt.date = Field(description="The date the kinds and parents were taken at.", examples=["2025-01-01"])
    parents: list[Tie] = Field(description="Ties upwards (PCN, commissioner, ICB, region) holding on the date.")
    names: list[Name] = Field(description="Every name the sources give, by vintage.")
    sources: list[str] = Field(description="Source files (slugs) that describe the organisation.")


class HierarchyOrganisation(BaseModel):
    code: str = Field(description="ODS code.", examples=["16C"])
    name: str = Field(description="Current name.", examples=["NHS North East and North Cumbria ICB - 16C"])
    kinds: list[str] = Field(description="Classes on the as-of date.", examples=[["SubICBLocation"]])


class HierarchyLevel(BaseModel):
    level: str = Field(
        description="practice, PCN, commissioner (CCG or sub-ICB location), system (STP or ICB) or region.",
        examples=["commissioner"],
    )
    via: str | None = Field(
        None, description="The kind of tie that leads to this level.", examples=["CommissionerAssignment"]
    )
    organisations: list[HierarchyOrganisation] = Field(
        description="Usually one; two when the sources record two at once (reported as a data-quality warning)."
    )


class Hierarchy(BaseModel):
    code: str = Field(description="ODS code asked for.", examples=["A81001"])
    as_of: dt.date = Field(description="The date.", examples=["2021-06-01"])
    levels: list[HierarchyLevel] = Field(description="From the organisation up to its NHS England region.")


class TieList(BaseModel):
    data: list[Tie] = Field(description="The ties.")
    count: int = Field(description="Number of ties in data.", examples=[3])


class AnalysisInfo(BaseModel):
    name: str = Field(description="Analysis name.", examples=["footprint"])
    description: str = Field(description="What it measures, in one line.")
    params: list[dict[str, Any]] = Field(description="Its parameters: name, type, default, description, required.")
    graph: dict[str, Any] = Field(description="What the analysis needs from the projected graph.")
    returns: str = Field(description="What it returns.")


class AnalysisList(BaseModel):
    data: list[AnalysisInfo] = Field(description="The registered analyses.")
    count: int = Field(description="Number of analyses.", examples=[6])


class AnalysisResult(BaseModel):
    name: str = Field(description="The analysis run.", examples=["footprint"])
    as_of: dt.date = Field(description="The date the graph was projected at.", examples=["2024-10-01"])
    params: dict[str, Any] = Field(description="The analysis parameters given.")
    result: Any = Field(description="The analysis's answer (plain data; see docs/analyses.md).")
