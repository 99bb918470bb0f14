"""Contract chains (domain-model §4.4): holders, deliverers, subcontracts of subcontracts."""

from __future__ import annotations

import networkx as nx

from graphkit.analysis.contracts import contract_chains, is_contract, transitive_deliverers


def contract_graph() -> nx.MultiDiGraph:
    """C1 held by BIG; S1 (subcontract of C1) held by SMALL; S2 (subcontract of S1) held by P1; P2 delivers under
    S2; HUB delivers directly under C1; C2 (the prescribing scheme) held by SMALL, delivered by P3."""
    G = nx.MultiDiGraph()
    for n, k in (("BIG", "GPFederation"), ("SMALL", "GPFederation"), ("HUB", "GPPractice")):
        G.add_node(n, kind=k)
    for p in ("P1", "P2", "P3"):
        G.add_node(p, kind="GPPractice")
    G.add_node("C1", kind="ServiceContract")
    G.add_node("C2", kind="Contract")
    G.add_node("S1", kind="Subcontract")
    G.add_node("S2", kind="Subcontract")
    for u, v, k in (
        ("C1", "BIG", "ContractHolder"),
        ("S1", "SMALL", "ContractHolder"),
        ("S1", "C1", "ParentContract"),
        ("P1", "S2", "ContractHolder"),  # the reverse direction is accepted
        ("S2", "S1", "ParentContract"),
        ("P2", "S2", "DeliversUnder"),
        ("C1", "HUB", "DeliveredBy"),
        ("C2", "SMALL", "ContractHolder"),
        ("P3", "C2", "DeliversUnder"),
    ):
        G.add_edge(u, v, kind=k)
    return G


def test_is_contract() -> None:
    G = contract_graph()
    assert [n for n in sorted(G.nodes) if is_contract(G, n)] == ["C1", "C2", "S1", "S2"]


def test_chains_under_one_contract_follow_subcontracts() -> None:
    chains = contract_chains(contract_graph(), contract="C1")
    assert [(c.path, c.contracts, c.depth) for c in chains] == [
        (["BIG", "HUB"], ["C1"], 1),
        (["BIG", "SMALL", "P1", "P2"], ["C1", "S1", "S2"], 3),  # a subcontract of a subcontract
    ]
    assert all(c.holder == "BIG" and c.contract == "C1" for c in chains)
    # SMALL's prescribing scheme is a different contract: P3 is not in C1's chains
    assert transitive_deliverers(contract_graph(), contract="C1") == ["HUB", "P1", "P2", "SMALL"]


def test_all_chains() -> None:
    chains = contract_chains(contract_graph())
    assert [(c.contract, c.path) for c in chains] == [
        ("C1", ["BIG", "HUB"]),
        ("C1", ["BIG", "SMALL", "P1", "P2"]),
        ("C2", ["SMALL", "P3"]),
    ]


def test_chains_from_a_holder() -> None:
    chains = contract_chains(contract_graph(), holder="SMALL")
    assert [(c.path, c.contracts) for c in chains] == [  # sorted by first contract
        (["SMALL", "P3"], ["C2"]),
        (["SMALL", "P1", "P2"], ["S1", "S2"]),
    ]


def test_organisation_level_ties() -> None:
    """Small delivers under Big's extended-access contract (004:580, 004:735); a practice delivers for Small."""
    G = nx.MultiDiGraph(
        [
            ("SMALL", "BIG", {"kind": "DeliversUnder", "contract": "IAGP-N"}),
            ("P1", "SMALL", {"kind": "DeliversUnder"}),  # names no contract: continues any chain
            ("P2", "SMALL", {"kind": "DeliversUnder", "contract": "PS"}),  # another contract: does not continue
        ]
    )
    assert [(c.path, c.contracts) for c in contract_chains(G, holder="BIG")] == [
        (["BIG", "SMALL", "P1"], ["IAGP-N", None]),
    ]
    assert [(c.contract, c.path) for c in contract_chains(G)] == [
        ("IAGP-N", ["BIG", "SMALL", "P1"]),
        ("PS", ["SMALL", "P2"]),
    ]
    assert transitive_deliverers(G, contract="IAGP-N") == ["P1", "SMALL"]


def test_cycles_are_cut() -> None:
    G = nx.MultiDiGraph([("A", "B", {"kind": "DeliversUnder"}), ("B", "A", {"kind": "DeliversUnder"})])
    assert [c.path for c in contract_chains(G, holder="A")] == [["A", "B"]]
    assert contract_chains(G) == []  # everyone delivers for someone: no root


def test_contract_without_holder_heads_its_chain() -> None:
    G = nx.MultiDiGraph()
    G.add_node("C9", kind="Contract")
    G.add_edge("X", "C9", kind="DeliversUnder")
    assert [(c.holder, c.path) for c in contract_chains(G)] == [("C9", ["C9", "X"])]


def test_no_contracts() -> None:
    assert contract_chains(nx.MultiDiGraph()) == []
    assert transitive_deliverers(nx.MultiDiGraph(), holder="X") == []
