"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

import graphkit
from api.errors import install_error_handlers
from api.routers import analyses, health, organisations
from graphkit.config import Settings
from graphkit.store.base import GraphStore

DESCRIPTION = """The open knowledge graph of England's primary-care organisations: GP practices, PCNs,
federations, sub-ICB locations (formerly CCGs), ICBs (formerly STPs) and NHS England regions, with
their ties over time and the source of every fact. Every list answer takes `as_of=YYYY-MM-DD`.
Contains public sector information licensed under the Open Government Licence v3.0."""


def open_store(settings: Settings) -> GraphStore:
    if settings.store == "oxigraph":
        from graphkit.store.oxigraph import OxigraphStore

        return OxigraphStore(settings.store_path)
    from graphkit.errors import BadParameter

    raise BadParameter(f"unknown store kind {settings.store!r}; expected 'oxigraph'")


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """Build the app over ``store`` (or the store the settings name)."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="graphkit: primary-care organisations of England", version=graphkit.__version__, description=DESCRIPTION
    )
    app.state.store = store if store is not None else open_store(settings)
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(organisations.router)
    app.include_router(analyses.router)
    return app
