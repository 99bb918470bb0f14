"""Opening a store: the one place the CLI and the API get an embedded store or a Neo4j driver and store from the
settings (a server that does not answer is a StoreUnavailable naming it, at once)."""

from __future__ import annotations

from typing import Any

from graphkit.config import Settings
from graphkit.errors import BadParameter, StoreUnavailable
from graphkit.store.base import GraphStore


def neo4j_driver(uri: str, user: str = "neo4j", password: str = "", *, bounded: bool = False) -> Any:
    """A driver connected to the Neo4j server at ``uri`` (no authentication when ``password`` is empty), its
    connectivity checked. ``bounded``: connecting and waiting for a connection from the pool are limited (5 s,
    10 s), so that a server that stops answering cannot hang a request."""
    import neo4j

    limits: dict[str, Any] = {"connection_timeout": 5, "connection_acquisition_timeout": 10} if bounded else {}
    driver = neo4j.GraphDatabase.driver(uri, auth=(user, password) if password else None, **limits)
    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        reason = " ".join(str(exc).split())[:300] or exc.__class__.__name__  # one line
        raise StoreUnavailable(f"Neo4j at {uri} is unreachable: {reason}") from None
    return driver


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: the embedded directory, or a Neo4j server (checked at once)."""
    if settings.store == "oxigraph":
        from graphkit.store.oxigraph import OxigraphStore

        return OxigraphStore(settings.store_path)
    if settings.store == "neo4j":
        from graphkit.store.neo4j import Neo4jStore

        driver = neo4j_driver(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, bounded=True)
        return Neo4jStore(driver, database=settings.neo4j_database)
    raise BadParameter(f"unknown store kind {settings.store!r}; expected 'oxigraph' or 'neo4j'",
                       details={"parameter": "store"})
