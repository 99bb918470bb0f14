"""The analysis registry: metadata, parameter binding, running every analysis, and the modules' doctests."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import json
import pkgutil

import networkx as nx
import pytest

import graphkit.analysis
from graphkit.analysis import examples, registry
from graphkit.analysis.registry import REGISTRY, Param, get, list_analyses, register
from graphkit.errors import BadParameter, NotFound

NAMES = ["activities", "boundary-spanners", "clinical-elites", "competition", "conflicts-of-interest", "contract-chain",
         "footprint", "governance-profile", "interdependence", "membership-churn", "style"]
TEMPORAL = {"activities", "clinical-elites", "conflicts-of-interest", "governance-profile", "membership-churn"}


def test_every_analysis_is_listed_with_json_metadata() -> None:
    listed = list_analyses()
    assert [a["name"] for a in listed] == NAMES
    assert json.loads(json.dumps(listed)) == listed  # JSON round trip, nothing lost
    for a in listed:
        assert set(a) == {"name", "description", "params", "checks", "graph", "returns", "temporal"}
        assert a["temporal"] == (a["name"] in TEMPORAL)
        assert a["description"] and "\n" not in a["description"]
        for p in a["params"]:
            assert set(p) == {"name", "type", "default", "description", "required", "minimum", "exclusive_minimum",
                              "maximum", "choices"}
            assert p["type"] in registry.PARAM_TYPES and p["description"]
        assert a["graph"]["layer"] and a["graph"]["edge_kinds"]


def test_parameter_metadata() -> None:
    inter = {p.name: p for p in get("interdependence").params}
    # one centre, or every centre of a kind (in an area, paged): neither is required alone, and the checks say so
    assert not inter["centre"].required and inter["kind"].to_dict()["choices"] == ["federation", "pcn"]
    assert (inter["area"].type, inter["limit"].maximum, inter["offset"].minimum) == ("area", 10_000, 0)
    assert "give centre (one centre) or kind (every centre of that kind, one row each)" in get(
        "interdependence").to_dict()["checks"]
    assert (inter["seed"].type, inter["seed"].default) == ("int", 0)
    assert (inter["pluricentric_min_lts"].type, inter["pluricentric_min_lts"].default) == ("float", 0.5)
    assert inter["pluricentric_min_local_centres"].type == "int"
    style = {p.name: p.default for p in get("style").params}
    assert (style["tau"], style["tau_low"]) == (0.5, 0.25)
    competition = {p.name: p for p in get("competition").params}
    previous = competition["previous_as_of"]
    assert previous.to_dict()["default"] is None and previous.type == "projection"
    assert "previous" not in competition  # the old graph parameter no caller could pass over HTTP or the CLI


def test_unknown_analysis() -> None:
    with pytest.raises(NotFound) as err:
        get("nope")
    assert isinstance(err.value, KeyError)
    assert err.value.details["known"] == NAMES


def test_binding_converts_and_checks() -> None:
    a = get("interdependence")
    bound = a.bind({"centre": "ZZF001", "seed": "3", "unicentric_max_lts": "0.1"})
    assert (bound["seed"], bound["unicentric_max_lts"], bound["hub_sd"]) == (3, 0.1, 1.0)
    with pytest.raises(BadParameter, match=r"give centre \(one centre\) or kind"):
        a.bind({})
    with pytest.raises(BadParameter, match="not both"):
        a.bind({"centre": "x", "kind": "pcn"})
    with pytest.raises(BadParameter, match="must be one of federation, pcn, got 'ccg'"):
        a.bind({"kind": "ccg"})
    with pytest.raises(BadParameter, match="go with kind"):
        a.bind({"centre": "x", "limit": "5"})
    with pytest.raises(BadParameter, match=r"limit.*must satisfy"):
        a.bind({"kind": "pcn", "limit": "0"})
    with pytest.raises(BadParameter, match="limit and offset page the rows of kind"):
        get("footprint").bind({"offset": "10"})
    with pytest.raises(BadParameter, match="membership_kind must be that of kind"):
        get("footprint").bind({"kind": "federation", "membership_kind": "PCNMembership"})
    with pytest.raises(BadParameter, match="no parameter"):
        a.bind({"centre": "x", "colour": "red"})
    with pytest.raises(BadParameter):
        a.bind({"centre": "x", "seed": "three"})
    assert get("footprint").bind({"weighted": "true"})["weighted"] is True
    with pytest.raises(BadParameter):
        get("footprint").bind({"weighted": "maybe"})
    with pytest.raises(BadParameter):
        get("competition").bind({"previous_as_of": "not a date"})
    assert get("competition").bind({"previous_as_of": "2016-01-01"})["previous_as_of"] == dt.date(2016, 1, 1)
    with pytest.raises(BadParameter, match="needs a store to project"):
        get("competition").run(examples.star(4), previous_as_of="2016-01-01")


def test_register_rules() -> None:
    with pytest.raises(ValueError):
        Param("x", "complex")
    with pytest.raises(ValueError, match="already registered"):
        register("style", "Again.")(lambda graph: None)

    @register("test-demo", "Demo.", params={"k": {"type": "int", "default": 1, "description": "k"}})
    def demo(graph: nx.Graph, k: int) -> dict[str, int]:
        return {"n": graph.number_of_nodes() * k}

    try:
        assert registry.run("test-demo", nx.path_graph(2), k="3") == {"n": 6}
    finally:
        del REGISTRY["test-demo"]


def test_run_interdependence_and_style() -> None:
    out = registry.run("interdependence", examples.two_stars(), centre="ZZF001")
    assert out["classification"] == "pluricentric"
    assert out["local_centre_detail"][0]["hubs"] == ["ZZP001"]
    strict = registry.run("interdependence", examples.two_stars(), centre="ZZF001", pluricentric_min_local_centres=3)
    assert strict["classification"] == "mixed"
    s = registry.run("style", examples.star(4), centre="ZZF001", tau_low=0.0)
    assert s["style"] == "indulgent"  # PRO 0 >= tau_low 0
    json.dumps([out, s])


def test_run_boundary_spanners() -> None:
    B = nx.MultiDiGraph(examples.people())
    B.add_edge("ZZS001", "ZZF001", kind="CoProduces")
    out = registry.run("boundary-spanners", B, flow_kinds="CoProduces")
    assert out["people"][0]["node"] == "P-0001"
    json.dumps(out)


def test_run_footprint_and_competition() -> None:
    def snapshot(pcn_members: dict[str, list[str]]) -> nx.MultiDiGraph:
        G = nx.MultiDiGraph()
        for p, (area, size) in {"p1": ("01A", 20_000), "p2": ("01A", 15_000), "p3": ("02B", 9_000)}.items():
            G.add_node(p, kind="GPPractice", area=area, list_size=size)
        for org, ms in pcn_members.items():
            G.add_node(org, kind="GPFederation")
            for m in ms:
                G.add_edge(m, org, kind="FederationMembership")
                G.add_edge(m, org, kind="PCNMembership")
        G.add_edge("p1", "p2", kind="AdjacentTo")
        return G

    now = snapshot({"U1": ["p1", "p2"], "U2": ["p3", "p2"]})
    out = registry.run("footprint", now)
    assert out["multi_area"] == {"U2": ["01A", "02B"]}
    assert out["population"]["U1"]["band"] == "within"  # 35k
    assert out["contiguity"]["U1"]["components"] == 1
    assert out["footprints"]["U1"]["coterminous"] is True  # both of 01A's practices, nothing outside it
    comp = registry.run("competition", now, previous_as_of=snapshot({"U1": ["p1", "p2", "p3"]}))
    assert comp["choice_set_sizes"]["p1"] == 2
    assert comp["churn"]["moves"][0]["practice"] == "p3"
    assert comp["concentration"]["01A"]["hhi"] == pytest.approx(5 / 9)  # U1 2 of 3 memberships, U2 1: 4/9 + 1/9
    json.dumps([out, comp])


def test_run_contract_chain() -> None:
    G = nx.MultiDiGraph([("SMALL", "BIG", {"kind": "DeliversUnder", "contract": "IAGP-N"})])
    assert registry.run("contract-chain", G) == [
        {"contract": "IAGP-N", "holder": "BIG", "path": ["BIG", "SMALL"], "contracts": ["IAGP-N"]}
    ]


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(graphkit.analysis.__path__, "graphkit.analysis."))


@pytest.mark.parametrize("name", _modules())
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
