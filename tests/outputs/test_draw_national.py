"""The economy of the national graph (seeds/) over both stores: practices' list sizes from the payments files, the
same economy from both stores, and the economy route's picture of a PCN. The case-study economies and their
pictures are in test_draw.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graphkit.config import Settings
from tests.outputs.pictures import STORES, svg_size, svg_text


@pytest.fixture(params=STORES)
def national(request: pytest.FixtureRequest, oxigraph: Any) -> Any:
    return oxigraph if request.param == "oxigraph" else request.getfixturevalue("neo4j_seed")


@pytest.mark.integration
def test_practices_of_a_pcn_carry_their_list_size_of_the_year(national: Any) -> None:
    g = national.economy("U89141", dt.date(2024, 10, 1), depth=1)
    practices = sorted(n for n, d in g.nodes(data=True) if d["level"] == "practice")
    assert len(practices) == 7
    for p in practices:
        stated = {c.financial_year: c.list_size for c in national.contracts(holder=p)}
        # 2024-25 has no payments file: the latest year before it
        assert g.nodes[p]["list_size_year"] == "2022-23" and g.nodes[p]["list_size"] == stated["2022-23"] > 0
    assert g.nodes["A81001"]["list_size"] == 4029
    assert g.nodes["U89141"]["list_size"] is None and g.nodes["16C"]["list_size"] is None
    earlier = national.economy("U89141", dt.date(2021, 6, 1), depth=1)
    assert earlier.nodes["A81001"]["list_size"] == 4061 and earlier.nodes["A81001"]["list_size_year"] == "2021-22"
    # before the first payments file (2019-20) there is no figure: a later year is never used
    alone = national.economy("A81001", dt.date(2018, 6, 1), depth=0)
    assert alone.nodes["A81001"]["list_size"] is None and alone.nodes["A81001"]["list_size_year"] is None


@pytest.mark.integration
def test_an_economy_of_many_practices_gets_each_practices_own_contract_list_size(national: Any) -> None:
    """The sizes come from the store's list-size index (one bulk lookup, kept): the figures of the practices'
    own contracts, the latest financial year not after the date."""
    g = national.economy("U89141", dt.date(2024, 10, 1), depth=2)
    practices = sorted(n for n, d in g.nodes(data=True) if "GPPractice" in d["kinds"])
    assert len(practices) > 70
    sized = [p for p in practices if g.nodes[p]["list_size"] is not None]
    assert len(sized) >= 70
    for p in practices[::9]:
        stated: dict[str, int] = {}
        for c in national.contracts(holder=p):
            if c.financial_year and c.financial_year <= "2024-25" and c.list_size is not None:
                stated[c.financial_year] = max(c.list_size, stated.get(c.financial_year, 0))
        latest = max(stated, default=None)
        assert g.nodes[p]["list_size_year"] == latest and g.nodes[p]["list_size"] == stated.get(latest), p


@pytest.mark.integration
@pytest.mark.neo4j
def test_both_stores_give_the_same_national_economy(oxigraph: Any, neo4j_seed: Any) -> None:
    for code, depth in (("U89141", 2), ("16C", 1)):
        a = oxigraph.economy(code, dt.date(2024, 10, 1), depth=depth)
        b = neo4j_seed.economy(code, dt.date(2024, 10, 1), depth=depth)
        assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
        assert list(a.edges(data=True)) == list(b.edges(data=True))


@pytest.mark.integration
def test_the_economy_route_gives_list_sizes_and_a_picture_of_a_pcn(national: Any) -> None:
    client = TestClient(create_app(Settings(store=national.kind), store=national))
    body = client.get("/economy/U89141", params={"as_of": "2024-10-01", "depth": 1}).json()
    practices = [n for n in body["nodes"] if n["level"] == "practice"]
    assert len(practices) == 7 and all(n["list_size"] > 0 and n["list_size_year"] == "2022-23" for n in practices)
    assert all(e["category"] == "membership" for e in body["edges"])
    r = client.get("/economy/U89141", params={"as_of": "2024-10-01", "depth": 1, "format": "svg"})
    width, height, root = svg_size(r.content)
    assert (width, height) == ("1200px", "900px")
    assert "STOCKTON PCN" in svg_text(root) and "THE DENSHAM SURGERY" in svg_text(root)  # names: few nodes
