"""The economy for the explorer (list sizes, edge categories) and its pictures (graphkit/outputs/draw.py), over both
stores.

The case studies (seeds/casestudies, fictional) give the two shapes the pictures must show: Expanding, a mesh of
risk-sharing and peer-network ties among its members; Embedded, a star of ties from the centre with only a few
among members. Each store test runs over the embedded store and over Neo4j holding the same graph. The national
economy (practices' list sizes from the payments files) is in test_draw_national.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from graphkit.cli import cli
from graphkit.config import Settings
from graphkit.errors import BadParameter, NotFound
from graphkit.outputs import draw
from graphkit.store.oxigraph import OxigraphStore
from tests.conftest import SEEDS
from tests.outputs.pictures import STORES, png_size, svg_size, svg_text

CASES = SEEDS / "casestudies"
MID_2018 = dt.date(2018, 6, 30)  # the report's fieldwork


# -- fixtures: the case studies in both stores (built once per session: conftest case_build, cases_neo4j) ------------
@pytest.fixture(scope="module")
def cases_path(case_build: tuple[Path, object]) -> Path:
    return case_build[0]


@pytest.fixture(params=STORES)
def cases(request: pytest.FixtureRequest, cases_embedded: OxigraphStore) -> Any:
    return cases_embedded if request.param == "oxigraph" else request.getfixturevalue("cases_neo4j")


def members(g: nx.MultiDiGraph, centre: str) -> set[str]:
    return {u for u, v, d in g.edges(data=True) if v == centre and d["kind"] == "FederationMembership"}


def member_ties(g: nx.MultiDiGraph, among: set[str]) -> list[tuple[str, str, str]]:
    return sorted((u, v, d["kind"]) for u, v, d in g.edges(data=True)
                  if d["category"] != "membership" and u in among and v in among)


# -- the economy: categories of edges ----------------------------------------------------------------------------------
def test_a_federation_at_depth_1_shows_its_members_with_the_curated_ties_among_them(cases: Any) -> None:
    g = cases.economy("ZZF-EXPANDING", MID_2018, depth=1)
    mine = members(g, "ZZF-EXPANDING")
    assert len(mine) == 46 and mine <= set(g)
    among = member_ties(g, mine)
    kinds = {k for _, _, k in among}
    assert kinds == {"RiskSharingTie", "PeerNetworkTie"} and len(among) == 138
    assert all(d["category"] == "tie" for u, v, d in g.edges(data=True) if d["kind"] == "RiskSharingTie")
    # the centre's own ties to every member: service provision and governance
    spokes = {(v, d["kind"]) for u, v, d in g.out_edges("ZZF-EXPANDING", data=True) if d["category"] == "tie"}
    assert {m for m, k in spokes if k == "ServiceProvisionTie"} == mine
    assert {m for m, k in spokes if k == "GovernanceTie"} == mine
    # ties leading outside the economy are not drawn in (competition with the rival federations, depth 1)
    assert not any(d["kind"] == "CompetitionTie" for _, _, d in g.edges(data=True))
    assert {d["category"] for _, _, d in g.edges(data=True)} == {"membership", "tie"}


def test_contracts_and_deliveries_are_edges_of_the_category_contract_on_their_dates(cases: Any) -> None:
    g = cases.economy("ZZF-EMBEDDED", MID_2018, depth=2)
    contract = sorted((u, v, d["kind"], d["contract"]) for u, v, d in g.edges(data=True) if d["category"] == "contract")
    assert ("ZZF-EMB-P10", "ZZF-EMBEDDED", "DeliversUnder", "ZZC-EMB-LIS") in contract
    assert ("ZZF-EMB-P11", "ZZF-EMBEDDED", "DeliversUnder", "ZZC-EMB-LIS") in contract
    assert ("ZZF-EMBEDDED", "ZZF-CCG-EMB", "CaretakerContract", "ZZC-EMB-CARETAKER") in contract  # 2018-04 to 2019-03
    assert ("ZZF-EMBEDDED", "ZZF-CCG-EMB", "EnhancedServiceAgreement", "ZZC-EMB-LIS") in contract
    # the local authority that commissions the smoking service is not in this economy: no edge to it
    assert all(v in g for _, v, _, _ in contract) and "ZZF-LA-EMB" not in g
    caretaking = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "CaretakingTie"]
    assert caretaking == [("ZZF-EMBEDDED", "ZZF-EMB-P50")]
    before = cases.economy("ZZF-EMBEDDED", dt.date(2017, 6, 30), depth=2)
    assert not [d for _, _, d in before.edges(data=True) if d["kind"] in ("CaretakerContract", "CaretakingTie")]


def test_curated_list_sizes_are_those_of_the_tables(cases: Any) -> None:
    g = cases.economy("ZZF-EXPANDING", MID_2018, depth=1)
    assert g.nodes["ZZF-EXP-P01"]["list_size"] == 13690 and g.nodes["ZZF-EXP-P01"]["list_size_year"] is None
    assert g.nodes["ZZF-EXPANDING"]["list_size"] == 330_000  # Table 3's population, as the table states it
    assert g.nodes["ZZF-EXP-P41"]["list_size"] is None  # the second area: not given
    assert sum(1 for n in members(g, "ZZF-EXPANDING") if g.nodes[n]["list_size"]) == 40


@pytest.mark.neo4j
def test_both_stores_give_the_same_economy_with_every_attribute(cases_embedded: Any, cases_neo4j: Any) -> None:
    for code in ("ZZF-EXPANDING", "ZZF-EMBEDDED"):
        a, b = cases_embedded.economy(code, MID_2018, depth=2), cases_neo4j.economy(code, MID_2018, depth=2)
        assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
        assert list(a.edges(data=True)) == list(b.edges(data=True))  # the same edges in the same order
        assert a.graph == b.graph


# -- the drawn graph: a mesh and a star ------------------------------------------------------------------------------
def test_expanding_is_drawn_as_a_mesh_among_its_members(cases: Any) -> None:
    g = draw.picture_graph(cases, "ZZF-EXPANDING", MID_2018, members_only=True)
    mine = set(g) - {"ZZF-EXPANDING"}
    assert len(mine) == 46 and members(g, "ZZF-EXPANDING") == mine
    h = nx.Graph()
    h.add_nodes_from(mine)
    h.add_edges_from((u, v) for u, v, _ in member_ties(g, mine))
    degrees = dict(h.degree())
    assert h.number_of_edges() == 119  # 138 ties over 119 pairs of members
    assert min(degrees.values()) >= 1 and nx.is_connected(h)  # every member tied to another; one network
    assert max(degrees.values()) == 21 and degrees["ZZF-EXP-P21"] == 21  # local hubs: the board GPs' practices
    assert len(set(degrees.values())) >= 5  # degrees spread, not a regular pattern
    assert sorted(n for n, d in degrees.items() if d >= 10) == [
        "ZZF-EXP-P01", "ZZF-EXP-P02", "ZZF-EXP-P11", "ZZF-EXP-P12", "ZZF-EXP-P21", "ZZF-EXP-P22", "ZZF-EXP-P31"]


def test_embedded_is_drawn_as_a_star_around_its_centre(cases: Any) -> None:
    g = draw.picture_graph(cases, "ZZF-EMBEDDED", MID_2018, members_only=True)
    mine = set(g) - {"ZZF-EMBEDDED"}
    assert len(mine) == 50
    spokes = {v for u, v, d in g.out_edges("ZZF-EMBEDDED", data=True) if d["category"] == "tie"}
    assert spokes == mine  # every member tied to the centre
    among = member_ties(g, mine)
    assert len(among) == 7  # only a few ties among members...
    h = nx.Graph([(u, v) for u, v, _ in among])
    assert len(h) == 12 and max(d for _, d in h.degree()) <= 2  # ...in pairs and threes
    assert sorted(len(c) for c in nx.connected_components(h)) == [2, 2, 2, 3, 3]
    assert len(mine - set(h)) == 38  # 38 members tied to the centre alone


def test_the_drawn_graph_is_laid_out_dressed_and_the_same_every_time(cases_embedded: Any) -> None:
    g = draw.picture_graph(cases_embedded, "ZZF-EXPANDING", MID_2018, depth=1)
    again = draw.picture_graph(cases_embedded, "ZZF-EXPANDING", MID_2018, depth=1)
    assert {n: d["pos"] for n, d in g.nodes(data=True)} == {n: d["pos"] for n, d in again.nodes(data=True)}
    assert all(-1 <= x <= 1 and -1 <= y <= 1 for x, y in (d["pos"] for _, d in g.nodes(data=True)))
    assert g.nodes["ZZF-EXPANDING"]["group"] == "federation"
    assert g.nodes["ZZF-EXP-P01"]["group"] == "GP practice"
    assert g.nodes["ZZF-EXPANDING-BOARD"]["group"] == "board or governance body"
    assert g.graph["centre"] == "ZZF-EXPANDING" and g.graph["as_of"] == MID_2018 and g.graph["view"] == "economy"
    areas = draw.node_areas(g, 1200, 900)
    assert areas["ZZF-EXP-P01"] > areas["ZZF-EXP-P02"] > areas["ZZF-EXP-P41"]  # 13,690 > 4,620 > not known
    assert draw.render(g, "svg", width=800, height=600) == draw.render(again, "svg", width=800, height=600)


# -- the pictures: SVG and PNG of the stated size ------------------------------------------------------------------
def test_svg_and_png_have_the_size_asked_for(cases_embedded: Any) -> None:
    body = draw.draw(cases_embedded, "ZZF-EMBEDDED", MID_2018, "svg", members_only=True, width=1000, height=700)
    width, height, root = svg_size(body)
    assert (width, height) == ("1000px", "700px")
    _, _, w, h = (float(x) for x in root.get("viewBox", "").split())
    assert abs(w / h - 1000 / 700) < 1e-3
    text = svg_text(root)
    assert "Embedded Federation" in text and "ZZF-EMBEDDED" in text and "2018-06-30" in text
    assert "ZZF-EMB-P01" in text and "tie among the others (7)" in text
    png = draw.draw(cases_embedded, "ZZF-EMBEDDED", MID_2018, "png", width=640, height=480)
    assert png_size(png) == (640, 480)


def test_a_large_economy_is_laid_out_without_scipy_and_a_too_large_one_refused(
    cases_embedded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    star = nx.MultiDiGraph()
    star.add_edges_from((f"P{i:03d}", f"C{i % 7}") for i in range(700))  # networkx's own layout needs scipy here
    pos = draw.layout(star)
    assert len(pos) == 707 and pos == draw.layout(star)
    assert all(-1 <= x <= 1 and -1 <= y <= 1 for x, y in pos.values())
    assert max(abs(x) for x, _ in pos.values()) == 1 or max(abs(y) for _, y in pos.values()) == 1
    monkeypatch.setattr(draw, "MAX_NODES", 40)
    with pytest.raises(BadParameter, match="47 organisations, more than the 40") as refused:
        draw.picture_graph(cases_embedded, "ZZF-EXPANDING", MID_2018, members_only=True)
    assert refused.value.details == {"parameter": "depth"}


def test_matplotlib_keeps_its_font_list_where_it_can_write(tmp_path: Path) -> None:
    """With a home it cannot write, matplotlib would build its font list (seconds) in every process: draw.py
    points it at a directory of its own under the temporary directory, which keeps the list for the next one."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("MPLCONFIGDIR", "XDG_CACHE_HOME", "MPLBACKEND")}
    env.update(HOME="/proc/no-home", TMPDIR=str(tmp_path))
    code = ("from graphkit.outputs import draw; m = draw._matplotlib(); from matplotlib import font_manager; "
            "print(m.get_cachedir(), m.get_backend())")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                           check=True) for _ in range(2)]
    cache, backend = runs[0].stdout.split()
    assert Path(cache).parent == tmp_path and backend.lower() == "agg"
    assert list(Path(cache).glob("fontlist-*.json"))  # kept: the second process read it
    assert not [r.stderr for r in runs if "temporary cache directory" in r.stderr]  # matplotlib's own fallback
    assert "Matplotlib is building the font cache" not in runs[1].stderr


def test_bad_picture_requests_are_refused_by_name(cases_embedded: Any) -> None:
    with pytest.raises(BadParameter, match="width"):
        draw.draw(cases_embedded, "ZZF-EMBEDDED", MID_2018, "svg", width=50)
    with pytest.raises(BadParameter, match="format"):
        draw.draw(cases_embedded, "ZZF-EMBEDDED", MID_2018, "gif")
    with pytest.raises(BadParameter, match=r"\.svg or \.png"):
        draw.format_of("picture.jpeg")
    with pytest.raises(NotFound, match="ZZF-NOPE"):
        draw.draw(cases_embedded, "ZZF-NOPE", MID_2018, "svg")


# -- the API ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def cases_client(cases: Any) -> TestClient:
    return TestClient(create_app(Settings(store=cases.kind), store=cases))


def test_the_economy_route_draws_svg_and_png(cases_client: TestClient) -> None:
    params: dict[str, Any] = {"as_of": "2018-06-30", "depth": 1, "width": 900, "height": 600}
    r = cases_client.get("/economy/zzf-expanding", params={**params, "format": "svg"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    width, height, root = svg_size(r.content)
    assert (width, height) == ("900px", "600px") and "ZZF-EXPANDING" in svg_text(root)
    r = cases_client.get("/economy/ZZF-EXPANDING", params={**params, "format": "png"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert png_size(r.content) == (900, 600)
    body = cases_client.get("/economy/ZZF-EXPANDING", params={"as_of": "2018-06-30", "depth": 1}).json()
    assert {e["category"] for e in body["edges"]} == {"membership", "tie"}
    risk = [e for e in body["edges"] if e["kind"] == "RiskSharingTie"]
    assert len(risk) == 92 and all(e["category"] == "tie" and e["contract"] is None for e in risk)
    sizes = {n["code"]: n["list_size"] for n in body["nodes"]}
    assert sizes["ZZF-EXP-P01"] == 13690 and sizes["ZZF-EXP-P41"] is None


def test_the_economy_route_refuses_bad_pictures(cases_client: TestClient) -> None:
    for params, name in (({"format": "svg", "width": 100}, "width"), ({"format": "png", "height": 5000}, "height"),
                         ({"format": "gif"}, "format")):
        r = cases_client.get("/economy/ZZF-EXPANDING", params={"as_of": "2018-06-30", **params})
        assert r.status_code == 422 and r.json()["error"]["code"] == "bad_parameter"
        assert name in r.json()["error"]["details"]["parameters"]
    r = cases_client.get("/economy/ZZF-NOPE", params={"format": "svg"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_the_openapi_document_names_the_picture_formats(cases_embedded: Any) -> None:
    doc = TestClient(create_app(Settings(), store=cases_embedded)).get("/openapi.json").json()
    op = doc["paths"]["/economy/{code}"]["get"]
    assert {"application/json", "application/graphml+xml", "image/svg+xml", "image/png"} <= set(
        op["responses"]["200"]["content"])
    params = {p["name"]: p for p in op["parameters"]}
    assert params["format"]["schema"]["enum"] == ["json", "graphml", "svg", "png"]
    for name in ("width", "height"):
        assert params[name]["schema"]["minimum"] == 200 and params[name]["schema"]["maximum"] == 4000
    assert "429" in op["responses"]


# -- the CLI ---------------------------------------------------------------------------------------------------------
def test_graphkit_draw_writes_the_picture(cases_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "expanding.svg"
    result = CliRunner().invoke(cli, ["--store-path", str(cases_path), "draw", "ZZF-EXPANDING", "--as-of",
                                      "2018-06-30", "--members-only", "-o", str(out), "--width", "1000"])
    assert result.exit_code == 0, result.output
    width, height, root = svg_size(out.read_bytes())
    assert (width, height) == ("1000px", "900px") and "members and the ties among them" in svg_text(root)
    png = tmp_path / "embedded.png"
    result = CliRunner().invoke(cli, ["--store-path", str(cases_path), "draw", "zzf-embedded", "--as-of",
                                      "2018-06-30", "--depth", "2", "-o", str(png), "--width", "500", "--height",
                                      "400"])
    assert result.exit_code == 0, result.output
    assert png_size(png.read_bytes()) == (500, 400)


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["ZZF-NOPE", "--as-of", "2018-06-30"], 3, "no organisation with ODS code 'ZZF-NOPE'"),
        (["ZZF-EXPANDING", "--as-of", "2018-02-30"], 2, "--as-of is not a real date"),
        (["ZZF-EXPANDING", "--as-of", "30/06/2018"], 2, "--as-of must be a date written YYYY-MM-DD"),
    ],
)
def test_graphkit_draw_refuses_bad_input_in_one_line(cases_path: Path, tmp_path: Path, args: list[str],
                                                    exit_code: int, message: str) -> None:
    out = tmp_path / "x.svg"
    result = CliRunner().invoke(cli, ["--store-path", str(cases_path), "draw", *args, "-o", str(out)])
    assert result.exit_code == exit_code, result.output
    assert f"graphkit: error: {message}" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_graphkit_draw_refuses_a_bad_extension_in_a_real_process(cases_path: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "x.gif"
    done = subprocess.run(
        [sys.executable, "-m", "graphkit.cli", "--store-path", str(cases_path), "draw", "ZZF-EXPANDING", "-o",
         str(out)], capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 2, done.stderr
    assert f"graphkit: error: the picture's file name must end in .svg or .png, got '{out}'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.neo4j
def test_graphkit_draw_over_neo4j_gives_the_same_picture(cases_neo4j: Any, cases_path: Path, neo4j_uri: str,
                                                          tmp_path: Path) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    args = ["draw", "ZZF-EMBEDDED", "--as-of", "2018-06-30", "--members-only"]
    embedded = CliRunner().invoke(cli, ["--store-path", str(cases_path), *args, "-o", str(a)])
    over_neo4j = CliRunner(env={"NEO4J_URI": neo4j_uri, "NEO4J_PASSWORD": ""}).invoke(
        cli, ["--store", "neo4j", *args, "-o", str(b)])
    assert embedded.exit_code == 0 and over_neo4j.exit_code == 0, over_neo4j.output
    assert a.read_bytes() == b.read_bytes()
