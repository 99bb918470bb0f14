"""Dependencies shared by routers: the store injected at app creation, parsed parameters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Query, Request

from graphkit.store.base import GraphStore
from graphkit.temporal import parse_as_of


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


def as_of_param(
    as_of: Annotated[
        str | None,
        Query(
            description="Date the answer is taken at, YYYY-MM-DD; today when omitted.",
            examples=["2025-04-01"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
        ),
    ] = None,
) -> dt.date:
    return parse_as_of(as_of)


Store = Annotated[GraphStore, Depends(get_store)]
AsOf = Annotated[dt.date, Depends(as_of_param)]
