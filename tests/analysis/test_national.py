"""The analyses on the real national graph, through the registry, the CLI and the API."""

from __future__ import annotations

import datetime as dt

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.analysis import registry
from graphkit.config import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def g_2024(oxigraph):
    return oxigraph.project(dt.date(2024, 10, 1), list_size_year="2022-23")


def test_projection_as_of_1_october_2024(g_2024) -> None:
    pcns = [n for n, d in g_2024.nodes(data=True) if d["kind"] == "PrimaryCareNetwork"]
    in_pcn = {u for u, _, k in g_2024.edges(data="kind") if k == "PCNMembership"}
    assert len(pcns) == 1283 and len(in_pcn) == 6224
    assert g_2024.nodes["A81001"]["area"] == "16C"
    assert g_2024.nodes["A81001"]["list_size"] == 4029  # 4,029.25 registered patients in 2022-23


def test_a_practice_is_a_gp_practice_on_the_date_not_any_prescribing_cost_centre(g_2024) -> None:
    # 174 prescribing cost centres are assigned to 16C on 2024-10-01; 79 of them hold the GP practice role (RO76)
    assigned = [u for u, v, k in g_2024.edges(data="kind") if k == "CommissionerAssignment" and v == "16C"]
    practices = [u for u in assigned if g_2024.nodes[u]["kind"] == "GPPractice"]
    assert len(assigned) == 174 and len(practices) == 79
    others = {g_2024.nodes[u]["kind"] for u in assigned} - {"GPPractice"}
    assert others <= {"PrescribingCostCentre", "WalkInCentre"} and others
    assert all("area" not in g_2024.nodes[u] for u in assigned if u not in practices)
    footprint = registry.run("footprint", g_2024)["footprints"]["U89141"]
    assert footprint["areas"] == {"16C": 7} and footprint["coverage"] == 7 / 79
    pcns = registry.run("competition", g_2024, membership_kind="PCNMembership")["concentration"]["16C"]
    assert (pcns["n_practices"], pcns["federated"], pcns["unfederated"]) == (79, 78, 1)  # was 174, 78, 96


def test_the_ten_pcns_spanning_more_than_one_sub_icb_location(g_2024) -> None:
    result = registry.run("footprint", g_2024)
    assert sorted(result["multi_area"]) == ["U09100", "U16318", "U24977", "U34632", "U41591", "U49070", "U63948",
                                            "U87499", "U87975", "U93998"]
    assert result["multi_area"]["U87499"] == ["03W", "04C", "04V"]


def test_pcns_above_50000_registered_patients_in_2022_23(g_2024) -> None:
    result = registry.run("footprint", g_2024)
    bands = [v["band"] for v in result["population"].values()]
    assert len(bands) == 1283
    over = sum(1 for b in bands if b == "over")
    assert over == 460  # reported in docs/analyses.md
    assert sum(1 for b in bands if b == "under") == 138


def test_api_lists_and_runs_analyses(seed_store) -> None:
    app = create_app(Settings(store_path=seed_store))
    listing = get(app, "/analyses").json()
    assert {a["name"] for a in listing["data"]} == {
        "activities", "boundary-spanners", "clinical-elites", "competition", "conflicts-of-interest", "contract-chain",
        "footprint", "governance-profile", "interdependence", "membership-churn", "style"}
    assert {a["name"] for a in listing["data"] if a["temporal"]} == {
        "activities", "clinical-elites", "conflicts-of-interest", "governance-profile", "membership-churn"}
    # the national files hold no posts or governance ties: a real sub-ICB location has none, and says so (not 404)
    coi = get(app, "/analyses/conflicts-of-interest", params={"area": "16C", "as_of": "2024-10-01"}).json()
    assert coi["result"]["paths"] == [] and coi["result"]["counts"]["interlocks"] == 0
    assert get(app, "/conflicts-of-interest/16C", params={"as_of": "2024-10-01"}).json()["result"]["paths"] == []
    run = get(app, "/analyses/footprint", params={"as_of": "2024-10-01", "list_size_year": "2022-23"}).json()
    assert len(run["result"]["multi_area"]) == 10
    bad = get(app, "/analyses/footprint", params={"colour": "red"})
    assert bad.status_code == 422 and "colour" in bad.json()["error"]["message"]
    assert get(app, "/analyses/nope").status_code == 404
