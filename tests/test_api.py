"""The API over the embedded store built from seeds/ (real data)."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(seed_store):
    return create_app(Settings(store_path=seed_store))


def test_health_names_the_store_and_counts_organisations(app) -> None:
    r = get(app, "/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": "oxigraph", "organisations": 7576, "version": "0.1.0"}


def test_organisation_lookup_gives_pcn_and_sub_icb(app) -> None:
    r = get(app, "/organisations/A81001", params={"as_of": "2026-08-01"})
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "THE DENSHAM SURGERY"
    assert body["kinds"] == ["GPPractice"]
    parents = {(p["relation"], p["code"]) for p in body["parents"]}
    assert parents == {("PCNMembership", "U89141"), ("CommissionerAssignment", "16C")}
    assert all(p["observed_on"] == ["2026-08-01"] for p in body["parents"])


def test_unknown_code_is_404_naming_the_code(app) -> None:
    r = get(app, "/organisations/ZZZ999")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "not_found" and "ZZZ999" in err["message"]


@pytest.mark.parametrize("value", ["2020-13-01", "yesterday"])
def test_bad_as_of_is_422_naming_the_parameter(app, value: str) -> None:
    r = get(app, "/organisations/A81001", params={"as_of": value})
    assert r.status_code == 422
    assert "as_of" in r.json()["error"]["message"]


def test_build_creates_missing_parent_directories(tmp_path) -> None:
    from graphkit.build import build
    from graphkit.store.oxigraph import OxigraphStore
    from tests.conftest import SEEDS

    target = tmp_path / "not" / "yet" / "store"
    build(SEEDS, target)
    store = OxigraphStore(target)
    assert store.count_organisations() == 7576
    store.close()
