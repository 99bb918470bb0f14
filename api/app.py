"""The FastAPI application factory."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import graphkit
from api import web
from api.errors import install_error_handlers
from api.guard import Gate, Guard
from api.live import LiveStore
from api.routers import (
    analyses,
    conflicts,
    contracts,
    economy,
    export,
    fhir,
    health,
    organisations,
    people,
    query,
    reorganisation,
    ties,
)
from graphkit.config import Settings
from graphkit.store.base import GraphStore
from graphkit.store.open import open_store

DESCRIPTION = """The open knowledge graph of England's primary-care organisations: GP practices, PCNs,
federations, sub-ICB locations (formerly CCGs), ICBs (formerly STPs) and NHS England regions, with
their ties over time, their contracts, the people in their posts, and the source file and line of every fact.

- Everything is answered *as of* a date: `as_of=YYYY-MM-DD`, today when omitted.
- Lists come as `{"data": [...], "count": N}`, `count` being every match and `data` the page
  (`limit`, `offset`).
- Every error has one shape: `{"error": {"status", "code", "message", "details"}}`; 404 names the
  unknown code, 422 names the parameter at fault. (The FHIR facade under `/fhir` answers its errors as a FHIR
  `OperationOutcome`, with the same status codes, as FHIR clients expect.)
- The same API serves the embedded store (Oxigraph, with `/sparql`, a SPARQL 1.1 Protocol endpoint) or Neo4j
  (with `POST /cypher`), with the same answers.

Contains public sector information licensed under the Open Government Licence v3.0 (NHS England,
Organisation Data Service). The case-study federations (codes `ZZF-...`) are fictional."""

TAGS = [
    {"name": "organisations", "description": "Search, one organisation, members, ties, hierarchy, history, sources."},
    {"name": "contracts", "description": "Practice contracts with their service payments; curated contracts, "
     "subcontracts and who delivers under whom."},
    {"name": "people", "description": "People and their posts (curated tables)."},
    {"name": "economy", "description": "The local health economy around an organisation, as a graph."},
    {"name": "analyses", "description": "Network analyses of the graph as of a date (docs/analyses.md)."},
    {"name": "query", "description": "Read-only SPARQL (embedded store) and Cypher (Neo4j)."},
    {"name": "export", "description": "An area as of a date as Turtle, JSON-LD, GraphML or CSV."},
    {"name": "health", "description": "Liveness and what is loaded."},
]


def _warm_indexes(live: LiveStore) -> None:
    """Build the in-memory indexes of the store being served (graphkit/store/shared.py WARM_INDEXES: the search
    index, the list sizes, the ties of the analyses' projection and the practice contracts' keys); /health says
    when they are ready."""
    from graphkit.store.shared import warm_indexes

    started = time.perf_counter()
    try:
        with live.acquire() as store:
            warm_indexes(store)
    except Exception:
        logging.getLogger(__name__).info("indexes not built in the background", exc_info=True)
        return
    # The indexes are millions of objects that live as long as the store: frozen, the collector no longer walks
    # them at each full collection (a pause of a few hundred milliseconds on the national graph, seen as the p99
    # of the cheap routes under load). Unfrozen first, so that those of a store the server has left can go.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    # uvicorn's own logger, so that the line shows in the server's log (one per worker)
    logging.getLogger("uvicorn.error").info("indexes ready in %.1f s (process %d, store generation %s)",
                                            time.perf_counter() - started, os.getpid(), live.generation)


def _warm_in_background(live: LiveStore) -> None:
    threading.Thread(target=_warm_indexes, args=(live,), name="warm-indexes", daemon=True).start()


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """Build the app over ``store`` (or the store the settings name; the app then closes it on shutdown).

    The embedded store the settings name is followed across rebuilds (api/live.py): a new build switches the
    server to the new graph as a whole, and each request reads one graph from start to end."""
    settings = settings or Settings.from_env()
    owned = store is None
    if store is not None:
        live = LiveStore.fixed(store)
    elif settings.store == "oxigraph":
        live = LiveStore(settings.store_path)
    else:
        live = LiveStore.fixed(open_store(settings))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the indexes are built in the background, so that the first keystroke in a search box is answered at once;
        # again for each newly built generation the server switches to
        live.on_switch = lambda: _warm_in_background(live)
        _warm_in_background(live)
        yield
        if owned:
            driver = getattr(live, "driver", None)
            live.close()
            if driver is not None:
                driver.close()

    app = FastAPI(
        title="graphkit: primary-care organisations of England",
        version=graphkit.__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        license_info={"name": "Code: see README; data: Open Government Licence v3.0",
                      "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
    )
    app.state.live = app.state.store = live
    app.state.settings = settings
    app.state.gate = Gate(settings.expensive_concurrency, settings.expensive_queue)
    install_error_handlers(app)
    app.add_middleware(
        Guard,
        allowed_hosts=settings.allowed_hosts,
        max_request_bytes=settings.max_request_bytes,
        max_response_bytes=settings.max_response_bytes,
    )
    for r in (health, organisations, contracts, people, economy, analyses, conflicts, query, export, reorganisation,
              ties):
        app.include_router(r.router)
    app.include_router(fhir.router)  # the read-only FHIR R4 facade under /fhir (api/routers/fhir.py)
    app.include_router(web.router)  # the explorer page, last: its routes are outside the JSON API
    query.document_sparql_bodies(app)
    return app
