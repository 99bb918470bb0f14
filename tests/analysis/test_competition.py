"""Competition for members (domain-model §3.8): choice sets, contestability, HHI, churn."""

from __future__ import annotations

import networkx as nx
import pytest

from graphkit.analysis import competition as cp

AREA = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}
FEDS = {"F1": ["a1", "b1"], "F2": ["a2"], "F3": ["c1"]}


def test_choice_sets_same_area_only() -> None:
    choice = cp.choice_sets(FEDS, AREA)
    assert choice == {
        "a1": ["F1", "F2"],  # F1 (a1) and F2 (a2) have members in A
        "a2": ["F1", "F2"],
        "a3": ["F1", "F2"],  # unfederated, but two federations are present in its area
        "b1": ["F1"],
        "b2": ["F1"],
        "c1": ["F3"],
    }


def test_choice_sets_with_adjacent_areas() -> None:
    choice = cp.choice_sets(FEDS, AREA, adjacency={"A": ["B"]})  # read as symmetric
    assert choice["b2"] == ["F1", "F2"]  # F2's member a2 is in A, adjacent to B
    assert choice["c1"] == ["F3"]
    graph = nx.Graph([("A", "B")])
    assert cp.choice_sets(FEDS, AREA, adjacency=graph) == choice


def test_practice_without_area_keeps_its_own_federations() -> None:
    choice = cp.choice_sets({"F1": ["x"], "F2": ["a2"]}, {"a2": "A"}, practices=["x", "a2", "y"])
    assert choice == {"a2": ["F2"], "x": ["F1"], "y": []}


def test_contestability() -> None:
    choice = cp.choice_sets(FEDS, AREA)
    # F1: a1 has 2 choices, b1 has 1 -> 1/2; F2: a2 has 2 -> 1; F3: c1 has 1 -> 0
    assert cp.contestability(FEDS, choice) == {"F1": 0.5, "F2": 1.0, "F3": 0.0}


def test_membership_hhi() -> None:
    h = cp.membership_hhi(FEDS, AREA)
    a = h["A"]
    assert a.shares == {"F1": 0.5, "F2": 0.5}
    assert a.hhi == 0.5  # 0.5^2 + 0.5^2
    assert (a.n_practices, a.federated, a.unfederated) == (3, 2, 1)
    assert a.unfederated_share == pytest.approx(1 / 3)  # a3
    assert (h["B"].hhi, h["B"].unfederated_share) == (1.0, 0.5)  # F1 alone; b2 unfederated
    assert (h["C"].hhi, h["C"].unfederated) == (1.0, 0)  # a coterminous monopoly
    assert cp.membership_hhi({}, {"z": "Z"})["Z"].hhi is None


def test_weighted_hhi() -> None:
    h = cp.membership_hhi(FEDS, AREA, weight={"a1": 30_000, "a2": 10_000})
    assert h["A"].shares == {"F1": 0.75, "F2": 0.25}
    assert h["A"].hhi == pytest.approx(0.625)  # 0.5625 + 0.0625


def test_dual_membership_counts_once_per_federation() -> None:
    h = cp.membership_hhi({"F1": ["a1"], "F2": ["a1", "a2"]}, {"a1": "A", "a2": "A"})
    assert h["A"].shares == pytest.approx({"F1": 1 / 3, "F2": 2 / 3})
    assert h["A"].federated == 2


def test_churn() -> None:
    before = {"F1": ["a1", "b1"], "F2": ["a2"]}
    after = {"F1": ["a1"], "F2": ["b1", "a3"], "F3": ["c1"]}
    c = cp.membership_churn(before, after)
    assert [(e.practice, e.from_federations, e.to_federations) for e in c.moves] == [("b1", ["F1"], ["F2"])]
    assert [(e.practice, e.to_federations) for e in c.joins] == [("a3", ["F2"]), ("c1", ["F3"])]
    assert [(e.practice, e.from_federations) for e in c.leaves] == [("a2", ["F2"])]
    assert c.per_federation == {
        "F1": {"joined": 0, "left": 1, "net": -1},
        "F2": {"joined": 2, "left": 1, "net": 1},
        "F3": {"joined": 1, "left": 0, "net": 1},
    }
    assert cp.membership_churn(before, before).per_federation["F1"] == {"joined": 0, "left": 0, "net": 0}


def test_area_adjacency_from_graph() -> None:
    G = nx.MultiDiGraph([("A", "B", {"kind": "AdjacentTo"}), ("B", "C", {"kind": "Other"})])
    assert cp.area_adjacency_from_graph(G) == {"A": {"B"}, "B": {"A"}}
