"""Dependencies and parameter types shared by the routers: the store, as_of, codes, pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from api.live import LiveStore
from api.schemas import ErrorEnvelope
from graphkit.core.temporal import parse_as_of
from graphkit.store.base import GraphStore

CODE_PATTERN = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


async def get_store(request: Request) -> AsyncIterator[GraphStore]:
    """The store of one request, held from its start to the end of its response: one generation of the
    graph throughout, even if a rebuild switches the server to a new one meanwhile (api/live.py).
    ``request.state.generation`` names it (caches key on it). Async, so that taking the store never waits
    for a thread of the pool the routes run in."""
    live = getattr(request.app.state, "live", None) or request.app.state.store
    if not isinstance(live, LiveStore):  # a plain store, handed in
        request.state.generation = getattr(live, "generation", live.kind)
        yield live
        return
    with live.acquire() as store:
        request.state.generation = live.generation_of(store)
        yield store


def as_of_param(
    as_of: Annotated[
        str | None,
        Query(
            description="Date the answer is taken at, YYYY-MM-DD; today when omitted.",
            examples=["2025-04-01"],
            pattern=DATE_PATTERN,
        ),
    ] = None,
) -> dt.date:
    return parse_as_of(as_of)


def optional_as_of_param(
    as_of: Annotated[
        str | None,
        Query(
            description="Keep what holds on this date (YYYY-MM-DD); all of history when omitted.",
            examples=["2024-10-01"],
            pattern=DATE_PATTERN,
        ),
    ] = None,
) -> dt.date | None:
    return parse_as_of(as_of) if as_of else None


class PageParams:
    """limit and offset of a paginated list."""

    def __init__(
        self,
        limit: Annotated[
            int, Query(ge=1, le=10000, description="Most items to return.", examples=[100])
        ] = 100,
        offset: Annotated[int, Query(ge=0, description="Items to skip (for the next page).", examples=[0])] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset

    def cut(self, items: list) -> list:
        return items[self.offset : self.offset + self.limit]


def code_query(name: str, description: str, example: str) -> object:
    """A query parameter holding an organisation code."""
    return Query(
        description=description, examples=[example], min_length=2, max_length=40, pattern=CODE_PATTERN, alias=name
    )


Store = Annotated[GraphStore, Depends(get_store)]
AsOf = Annotated[dt.date, Depends(as_of_param)]
OptionalAsOf = Annotated[dt.date | None, Depends(optional_as_of_param)]
Paging = Annotated[PageParams, Depends(PageParams)]
Code = Annotated[
    str,
    Path(
        description="ODS code of the organisation (case-insensitive), or a project code for an organisation not in "
        "ODS (ZZF-... fictional, ZZN-... real).",
        examples=["A81001"],
        min_length=2,
        max_length=40,
        pattern=CODE_PATTERN,
    ),
]
ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorEnvelope, "description": "An organisation, person or analysis named in the path or a "
          "parameter does not exist; the message names it."},
    422: {"model": ErrorEnvelope, "description": "A parameter is malformed; the message and details name it."},
}
