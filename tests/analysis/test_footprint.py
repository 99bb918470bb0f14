"""Footprints (domain-model §3.9): coterminosity, boundary crossing, population bands, contiguity."""

from __future__ import annotations

import networkx as nx
import pytest

from graphkit.analysis import footprint as fp

AREA = {"p1": "01A", "p2": "01A", "p3": "01A", "p4": "02B", "p5": "02B", "p6": "03C"}
MEMBERS = {"PCN_X": ["p1", "p2", "p3"], "PCN_Y": ["p4", "p6"], "PCN_Z": ["p5"], "PCN_W": ["p1", "p9"]}
SIZES = {"p1": 10_000, "p2": 12_000, "p3": 9_000, "p4": 40_000, "p5": 8_000, "p6": 15_000}


def test_overlap_definitions() -> None:
    s = fp.overlap({"a", "b", "c"}, {"b", "c", "d", "e"})
    # |X∩Y| = 2: coverage 2/|Y| = 2/4, containment 2/|X| = 2/3, jaccard 2/|X∪Y| = 2/5
    assert (s.coverage, s.containment, s.jaccard) == (0.5, pytest.approx(2 / 3), 0.4)
    assert fp.overlap(set(), set()) == fp.Shares(None, None, None)


def test_coterminous_pcn() -> None:
    f = fp.footprints(MEMBERS, AREA)["PCN_X"]
    assert f.areas == {"01A": 3}
    assert (f.n_areas, f.boundary_crossings, f.modal_area) == (1, 0, "01A")
    assert (f.coverage, f.containment, f.jaccard) == (1.0, 1.0, 1.0)  # all of 01A, nothing outside
    assert f.coterminous


def test_pcn_spanning_two_areas_is_found() -> None:
    f = fp.footprints(MEMBERS, AREA)["PCN_Y"]
    assert f.areas == {"02B": 1, "03C": 1}
    assert (f.n_areas, f.boundary_crossings) == (2, 1)
    # one member in each: tie broken by coverage (03C: 1/1 beats 02B: 1/2)
    assert f.modal_area == "03C"
    assert (f.containment, f.coverage, f.jaccard) == (0.5, 1.0, 0.5)  # 1/2; 1/1; |{p6}| / |{p4, p6}|
    assert not f.coterminous
    assert [(o.area, o.coverage, o.containment) for o in f.overlaps] == [("02B", 0.5, 0.5), ("03C", 1.0, 0.5)]
    assert fp.multi_area_organisations(MEMBERS, AREA) == {"PCN_Y": ["02B", "03C"]}


def test_members_without_area_are_reported_and_left_out() -> None:
    f = fp.footprints(MEMBERS, AREA)["PCN_W"]
    assert f.n_members == 2 and f.members_without_area == ["p9"]
    assert f.containment == 1.0  # p1 is the only located member
    assert f.coverage == pytest.approx(1 / 3)  # 1 of 01A's 3 practices
    empty = fp.footprints({"E": ["zz"]}, AREA)["E"]
    assert (empty.modal_area, empty.coverage, empty.coterminous, empty.n_areas) == (None, None, False, 0)


def test_weighted_by_list_size() -> None:
    weight = {k: float(v) for k, v in SIZES.items()}
    f = fp.footprints(MEMBERS, AREA, weight=weight)["PCN_Y"]
    # patients: 02B 40k, 03C 15k: 02B is now modal; containment 40/55, coverage 40/48 (p4 + p5)
    assert f.modal_area == "02B"
    assert f.containment == pytest.approx(40 / 55)
    assert f.coverage == pytest.approx(40 / 48)


def test_coterminosity_threshold() -> None:
    area = {f"p{i}": "01A" for i in range(10)}
    members = {"F": [f"p{i}" for i in range(9)]}  # 9 of 10
    assert fp.footprints(members, area)["F"].coterminous  # 0.9 >= 0.9
    assert not fp.footprints(members, area, threshold=0.95)["F"].coterminous


def test_population_banding() -> None:
    bands = fp.population_bands(MEMBERS, SIZES)
    assert (bands["PCN_X"].population, bands["PCN_X"].band) == (31_000, "within")  # 10k + 12k + 9k
    assert (bands["PCN_Y"].population, bands["PCN_Y"].band) == (55_000, "over")  # 40k + 15k
    assert (bands["PCN_Z"].population, bands["PCN_Z"].band) == (8_000, "under")
    assert bands["PCN_W"].members_without_list_size == ["p9"]  # population 10k is a lower bound
    assert fp.population_bands({"N": ["p9"]}, SIZES)["N"].band == "unknown"
    # both ends of the guidance are "within"
    assert [fp.population_band(x) for x in (29_999, 30_000, 50_000, 50_001)] == ["under", "within", "within", "over"]
    assert fp.population_bands(MEMBERS, SIZES, low=40_000, high=60_000)["PCN_X"].band == "under"


def test_contiguity() -> None:
    space = nx.path_graph(["p1", "p2", "p3", "p4", "p5"])
    c = fp.contiguity(["p1", "p2", "p4", "p5", "p3x"], space)
    assert (c.components, c.patches, c.unplaced) == (2, [["p1", "p2"], ["p4", "p5"]], ["p3x"])
    assert c.mosaic_index == 0.5  # 1 - 2/4
    whole = fp.contiguity(["p1", "p2", "p3"], space)
    assert (whole.components, whole.mosaic_index) == (1, 0.0)


def test_inputs_from_graph() -> None:
    G = nx.MultiDiGraph()
    for p, a in AREA.items():
        G.add_node(p, kind="GPPractice", area=a, list_size=SIZES[p])
    G.add_node("U1", kind="PrimaryCareNetwork")
    G.add_node("F1", kind="GPFederation")
    for p in ("p4", "p6"):
        G.add_edge(p, "U1", kind="PCNMembership")
    G.add_edge("p1", "F1", kind="FederationMembership")
    members, area_of, sizes = fp.inputs_from_graph(G, membership_kinds={"PCNMembership"})
    assert members == {"U1": {"p4", "p6"}}
    assert area_of == AREA and sizes == SIZES
    assert fp.multi_area_organisations(members, area_of) == {"U1": ["02B", "03C"]}
