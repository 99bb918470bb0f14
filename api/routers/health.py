from __future__ import annotations

from fastapi import APIRouter

import graphkit
from api.deps import Store
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    summary="Is the service up, and what is loaded",
    description="Answers with the store kind and the number of organisations loaded.",
)
def health(store: Store) -> Health:
    return Health(
        status="ok", store=store.kind, organisations=store.count_organisations(), version=graphkit.__version__
    )
