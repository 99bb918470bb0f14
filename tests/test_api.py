"""The API over the embedded store built from all of seeds/ (real national files)."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(seed_store):
    return create_app(Settings(store_path=seed_store))


def test_health_names_the_store_and_counts_organisations(app, seed_report) -> None:
    r = get(app, "/health")
    assert r.status_code == 200
    body = r.json()
    assert body["store"] == "oxigraph" and body["status"] == "ok"
    assert body["organisations"] == len(seed_report.graph.organisations) == 18891


def test_organisation_lookup_gives_kinds_parents_and_names(app) -> None:
    r = get(app, "/organisations/a81001", params={"as_of": "2025-01-01"})
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "A81001" and body["name"] == "THE DENSHAM SURGERY"
    assert "GPPractice" in body["kinds"] and body["start"] == "1974-04-01"
    parents = {(p["kind"], p["organisation"]) for p in body["parents"]}
    assert parents == {("PCNMembership", "U89141"), ("CommissionerAssignment", "16C")}
    assert {n["source"] for n in body["names"]} >= {"epraccur_2019-12", "epraccur_2026-02"}


def test_kind_of_a_ccg_code_changes_on_1_july_2022(app) -> None:
    before = get(app, "/organisations/16C", params={"as_of": "2022-06-30"}).json()
    after = get(app, "/organisations/16C", params={"as_of": "2022-07-01"}).json()
    assert before["kinds"] == ["ClinicalCommissioningGroup"]
    assert after["kinds"] == ["SubICBLocation"]
    assert set(before["all_kinds"]) == {"ClinicalCommissioningGroup", "SubICBLocation"}


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


def test_bad_tie_kind_is_422_naming_the_parameter(app) -> None:
    r = get(app, "/organisations/A81001/memberships", params={"kind": "Friendship"})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["parameters"] == ["kind"]
