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


class Parent(BaseModel):
    relation: str = Field(description="Kind of tie (ontology class), e.g. PCNMembership.", examples=["PCNMembership"])
    code: str = Field(description="ODS code of the parent organisation.", examples=["U89141"])
    name: str = Field(description="Name of the parent.", examples=["STOCKTON PCN"])
    kinds: list[str] = Field(description="Ontology classes of the parent.", examples=[["PrimaryCareNetwork"]])
    start: dt.date | None = Field(None, description="First day of the tie, if known.")
    end: dt.date | None = Field(None, description="Last day of the tie (inclusive), if ended.")
    observed_on: list[dt.date] = Field(
        default_factory=list, description="Extract dates of the sources that saw the tie hold."
    )


class Organisation(BaseModel):
    code: str = Field(description="ODS code.", examples=["A81001"])
    name: str = Field(description="Current name.", examples=["THE DENSHAM SURGERY"])
    names: list[str] = Field(description="Every name the sources give.", examples=[["THE DENSHAM SURGERY"]])
    kinds: list[str] = Field(description="Ontology classes.", examples=[["GPPractice"]])
    fictional: bool = Field(description="True for the synthetic case-study organisations.", examples=[False])
    as_of: dt.date = Field(description="The date the parents were taken at.")
    parents: list[Parent] = Field(description="Organisations this one belongs to, as of the date.")
    sources: list[str] = Field(description="IRIs of the source files that state this organisation.")
