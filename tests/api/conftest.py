"""What the API tests over the real national files share: the app over each store, and the helpers that ask it."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings


@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def app(request, oxigraph):
    """The app over the embedded store built from seeds/, then over Neo4j holding the same graph."""
    store = oxigraph if request.param == "oxigraph" else request.getfixturevalue("neo4j_seed")
    return create_app(Settings(store=request.param), store=store)


@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def cases_app(request):
    """The app over the embedded store built from the case studies (seeds/casestudies), then over Neo4j holding
    them."""
    store = request.getfixturevalue("cases_embedded" if request.param == "oxigraph" else "cases_neo4j")
    return create_app(Settings(store=request.param), store=store)


def ok(app, path: str, **params) -> dict:
    r = get(app, path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def error(app, path: str, status: int, **params) -> dict:
    r = get(app, path, params=params)
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["status"] == status and set(body) == {"status", "code", "message", "details"}
    return body
