from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request

import graphkit
from api.cache import recent, store_key
from api.deps import Store
from api.schemas import Health
from graphkit.store.shared import indexes_ready

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    summary="Is the service up, and what is loaded",
    description="Answers with the store kind, the number of organisations loaded and whether the in-memory indexes "
    "of the store are built yet.",
)
async def health(request: Request, store: Store) -> Health:
    # async, on the event loop itself: it answers even while every worker thread is busy; the count is taken once
    # per store (they are read-only while served), off the loop
    counts = recent(request, "organisation-counts", size=2)
    organisations = counts.peek(store_key(store))
    if organisations is None:
        organisations = await anyio.to_thread.run_sync(counts.get, store_key(store), store.count_organisations)
    return Health(status="ok", store=store.kind, organisations=organisations, version=graphkit.__version__,
                  indexes_ready=indexes_ready(store))
