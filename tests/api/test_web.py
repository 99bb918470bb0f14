"""The explorer's routes without a browser: the page, its deep links, its fixed list of assets, the policy that keeps
the page to this origin, and the errors (tests/api/test_explorer.py drives the page in chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import web
from api.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The app over an empty embedded store: the page's routes read no data."""
    import pyoxigraph

    from graphkit.store.oxigraph import OxigraphStore

    path = tmp_path_factory.mktemp("empty") / "store"
    pyoxigraph.Store(str(path)).flush()
    return TestClient(create_app(store=OxigraphStore(path)))


@pytest.fixture(scope="module")
def national(oxigraph: Any) -> TestClient:
    return TestClient(create_app(store=oxigraph))


def test_the_page_and_its_deep_links_are_one_page_with_a_policy_that_allows_only_this_origin(client) -> None:
    home = client.get("/")
    deep = client.get("/explore/U93843", params={"as_of": "2020-06-01"})
    assert home.status_code == deep.status_code == 200
    assert home.text == deep.text and home.headers["content-type"].startswith("text/html")
    csp = home.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and "unsafe" not in csp and "http" not in csp
    assert home.headers["x-content-type-options"] == "nosniff"


def test_every_file_the_page_loads_is_served_from_the_fixed_list(client) -> None:
    page = client.get("/").text
    wanted = set(re.findall(r'(?:src|href)="/assets/([^"]+)"', page))
    for name in list(wanted):
        if name.endswith(".js"):
            wanted |= set(re.findall(r'from "\./([^"]+)"', web.ASSETS[name].read_text()))
    assert {"app.js", "dom.js", "orgview.js", "network.js", "style.css", "vendor/cytoscape.min.js"} <= wanted
    assert wanted <= set(web.ASSETS)
    for name in sorted(wanted):
        r = client.get(f"/assets/{name}")
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-type"].split(";")[0] in {"text/javascript", "text/css", "image/svg+xml"}
    # the graph library is the npm package at the pinned version, not a copy kept in the repository
    pinned = __import__("json").loads((web.WEB / "package-lock.json").read_text())["packages"]["node_modules/cytoscape"]
    installed = __import__("json").loads((web.NODE_MODULES / "cytoscape" / "package.json").read_text())
    assert installed["version"] == pinned["version"]


@pytest.mark.parametrize("name", ["nope.js", "../app.py", "..%2F..%2Fpyproject.toml", "vendor/cytoscape.js",
                                  "index.html"])
def test_anything_else_under_assets_is_a_404_in_the_envelope(client, name: str) -> None:
    r = client.get(f"/assets/{name}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_a_server_without_the_npm_packages_says_which_command_installs_them(client, monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(web.ASSETS, "vendor/cytoscape.min.js", tmp_path / "missing" / "cytoscape.min.js")
    r = client.get("/assets/vendor/cytoscape.min.js")
    assert r.status_code == 503 and "make web" in r.json()["error"]["message"]


def test_the_page_is_not_in_the_api_document_and_other_hosts_are_refused(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith(("/explore", "/assets")) for p in paths)
    r = client.get("/", headers={"Host": "evil.example"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_host"


@pytest.mark.integration
def test_search_by_relevance_puts_the_code_and_name_starts_first(national) -> None:
    client = national
    by_name = client.get("/organisations", params={"q": "panacea", "as_of": "2024-10-01"}).json()
    ranked = client.get("/organisations", params={"q": "panacea", "as_of": "2024-10-01", "order": "relevance"}).json()
    assert by_name["count"] == ranked["count"] >= 2
    assert sorted(h["code"] for h in by_name["data"]) == sorted(h["code"] for h in ranked["data"])
    names = [h["name"] for h in ranked["data"]]
    assert all(n.upper().startswith("PANACEA") for n in names[:2])
    code = client.get("/organisations", params={"q": "u93843", "as_of": "2024-10-01", "order": "relevance"}).json()
    assert code["data"][0]["code"] == "U93843"
    # "STOCKTON" as a word of the name comes before names that only contain it
    stock = client.get("/organisations", params={"q": "stockton", "as_of": "2024-10-01", "order": "relevance",
                                                 "limit": 200}).json()["data"]
    first_word = [h["name"].upper().startswith("STOCKTON") for h in stock]
    assert first_word == sorted(first_word, reverse=True)


def test_the_sparql_editor_is_a_page_of_this_origin_with_yasgui_from_the_pinned_package(client) -> None:
    r = client.get("/sparql-editor")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == web.CSP
    wanted = set(re.findall(r'(?:src|href)="/assets/([^"]+)"', r.text))
    assert {"vendor/yasgui.min.js", "vendor/yasgui.min.css", "sparql-editor.js"} <= wanted <= set(web.ASSETS)
    script = web.ASSETS["sparql-editor.js"].read_text()
    assert "/assets/sparql-examples.json" in script and "http" not in script.replace("window.location.origin", "")
    for name in sorted(wanted | {"sparql-examples.json"}):
        served = client.get(f"/assets/{name}")
        assert served.status_code == 200, (name, served.text[:200])
    examples = client.get("/assets/sparql-examples.json").json()["examples"]
    assert [e["name"] for e in examples] == ["pcn-members", "icb-contracts", "commissioner-and-provider"]
    # the npm package at the version pinned in package.json and the lock
    import json

    pinned = json.loads((web.WEB / "package.json").read_text())["dependencies"]["@zazuko/yasgui"]
    locked = json.loads((web.WEB / "package-lock.json").read_text())["packages"]["node_modules/@zazuko/yasgui"]
    installed = json.loads((web.NODE_MODULES / "@zazuko" / "yasgui" / "package.json").read_text())
    assert pinned == locked["version"] == installed["version"]
    # the explorer's main page links to it
    assert 'href="/sparql-editor"' in client.get("/").text
