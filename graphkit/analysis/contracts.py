"""Contract chains: who holds a contract and who delivers under it, transitively (domain-model §4.4).

The seeds describe no formal subcontract (``004`` caveat 3 in domain-model §0): the nearest cases are Small
delivering under Big's extended-access contract (``004:580``, ``004:735``, ``004:798``) and practices delivering
for other practices through a federation's hub (``004:309``). The ontology models them as ``pcg:deliversUnder`` /
``pcg:deliveredBy`` and ``pcg:Subcontract`` with ``pcg:parentContract``; "subcontract of a subcontract" is the
project's own extension.

Accepted graph shapes (both may be mixed in one graph):

* organisation level: ``DeliversUnder`` edge deliverer -> holder (optional edge attribute ``contract``: its id);
* contract nodes (a kind of :mod:`graphkit.core.contract_kinds`: ``Contract``, ``GMSContract``, ``Subcontract``,
  ``EnhancedServiceAgreement`` ...): ``ContractHolder`` edge contract -> holding organisation; ``DeliversUnder`` edge
  organisation -> contract, or ``DeliveredBy`` edge contract -> organisation; ``ParentContract`` edge subcontract
  -> parent contract (the subcontract's holder then delivers under the parent).

A contract is named by its node's ``name`` attribute when it has one (the store's layer names its contract nodes
``contract:<id>`` and gives the id as the name, and labels organisation-level ties with the id), so one delivery
stated both ways is one step, and chains name contracts by their ids.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import networkx as nx

from graphkit.analysis._common import edge_kind, edges, node_kind
from graphkit.core import contract_kinds

HOLDER_KIND = "ContractHolder"
DELIVERS_UNDER_KIND = "DeliversUnder"
DELIVERED_BY_KIND = "DeliveredBy"
PARENT_KIND = "ParentContract"


@dataclass(frozen=True)
class ContractChain:
    """One chain from a contract's holder down to a final deliverer.

    ``path[0]`` holds the contract (or is the contract id itself when no holder is recorded); ``path[i+1]``
    delivers for ``path[i]`` under ``contracts[i]`` (None when the tie names no contract).
    """

    contract: str | None
    holder: str
    path: list[str]
    contracts: list[str | None]

    @property
    def depth(self) -> int:
        """Number of delivery steps (1 = a direct deliverer of the holder)."""
        return len(self.path) - 1


def is_contract(G: nx.Graph, node: Hashable) -> bool:
    """True for contract nodes: a kind of contract of the one vocabulary (:data:`graphkit.core.contract_kinds.KINDS`:
    ``Contract``, ``GMSContract`` ..., ``Subcontract``, ``EnhancedServiceAgreement``, ``NetworkContractDES``).

    Basis: the ontology's ``pcg:Contract`` and its subclasses. Complexity: O(1).

    >>> G = nx.DiGraph(); G.add_node("C1", kind="APMSContract"); G.add_node("F", kind="GPFederation")
    >>> G.add_node("ES", kind="EnhancedServiceAgreement")
    >>> is_contract(G, "C1"), is_contract(G, "F"), is_contract(G, "ES")
    (True, False, True)
    """
    return node_kind(G, node) in contract_kinds.KINDS


def _name(G: nx.Graph, node: Hashable) -> str:
    """A contract node's name (its id), else the node itself."""
    return str(G.nodes[node].get("name") or node) if node in G and is_contract(G, node) else str(node)


@dataclass(frozen=True)
class _Delivery:
    holders: dict[str, str]
    parents: dict[str, str]
    #: holder organisation -> list of (deliverer, contract or None)
    steps: dict[str, list[tuple[str, str | None]]]


def _delivery(G: nx.Graph) -> _Delivery:
    holders: dict[str, str] = {}
    parents: dict[str, str] = {}
    for u, v, data in edges(G):
        kind = edge_kind(data)
        if kind == HOLDER_KIND:
            c, h = (u, v) if is_contract(G, u) else (v, u)
            holders[_name(G, c)] = str(h)
        elif kind == PARENT_KIND:
            parents[_name(G, u)] = _name(G, v)
    raw: set[tuple[str, str, str | None]] = set()

    def head(contract: str) -> str:
        return holders.get(contract, contract)

    for u, v, data in edges(G):
        kind = edge_kind(data)
        a, b = str(u), str(v)
        if kind == DELIVERS_UNDER_KIND:
            if is_contract(G, v):
                raw.add((head(_name(G, v)), a, _name(G, v)))
            else:
                label = data.get("contract")
                raw.add((b, a, str(label) if label is not None else None))
        elif kind == DELIVERED_BY_KIND and is_contract(G, u):
            raw.add((head(_name(G, u)), b, _name(G, u)))
    for sub, parent in parents.items():
        if sub in holders:
            raw.add((head(parent), holders[sub], parent))
    steps: dict[str, list[tuple[str, str | None]]] = {}
    for h, d, c in sorted(raw, key=lambda t: (t[0], t[1], t[2] or "")):
        if h != d:
            steps.setdefault(h, []).append((d, c))
    return _Delivery(holders, parents, steps)


def _follows(previous: str | None, label: str | None, parents: dict[str, str]) -> bool:
    """May a step under ``label`` continue a chain whose last step was under ``previous``?"""
    return previous is None or label is None or label == previous or parents.get(label) == previous


def _walk(d: _Delivery, path: list[str], labels: list[str | None]) -> Iterator[tuple[list[str], list[str | None]]]:
    extended = False
    for deliverer, label in d.steps.get(path[-1], []):
        if deliverer in path or not _follows(labels[-1] if labels else None, label, d.parents):
            continue
        extended = True
        yield from _walk(d, [*path, deliverer], [*labels, label])
    if not extended and labels:
        yield path, labels


def _heads(d: _Delivery, contract: str) -> list[str]:
    """Where chains under ``contract`` start: its recorded holder; for a contract named only on organisation-level
    ties, the organisations delivered for under it that do not themselves deliver under it; else the contract id."""
    if contract in d.holders:
        return [d.holders[contract]]
    under = {(h, x) for h, steps in d.steps.items() for x, label in steps if label == contract}
    heads = sorted({h for h, _ in under} - {x for _, x in under})
    return heads or [contract]


def contract_chains(G: nx.Graph, *, contract: str | None = None, holder: str | None = None) -> list[ContractChain]:
    """All maximal delivery chains, as lists from the holder to the last deliverer.

    Steps: holder -> deliverer for every delivery tie (see the module docstring), a subcontract's holder delivering
    under its parent. A chain continues from a step under contract P with a step under P itself, under a
    subcontract whose parent is P, or with a tie that names no contract (which matches anything, since we cannot
    tell); it never revisits an organisation (cycles are cut).

    Starts: with ``contract``, its holder and only steps under that contract; with ``holder``, every step out of
    that organisation; with neither, (a) every top-level contract (no parent) from its holder, and (b) every
    organisation that delivers for nobody, from all its steps. A contract named only by the ``contract`` attribute
    of organisation-level ties starts where it is delivered for but not by anyone; a contract node with no holder
    stands in for its holder. Duplicate chains are dropped; chains are sorted by contract, then path.
    Basis: domain-model §4.4 (Big -> Small for extended access, ``004:580``, ``004:735``, ``004:798``; Embedded's
    virtual hub ``004:309``); ontology ``pcg:deliversUnder``, ``pcg:Subcontract``.
    Complexity: O(number of chains × depth); linear in the ties for tree-shaped delivery, exponential only for
    dense delivery webs.

    >>> G = nx.MultiDiGraph()
    >>> for n, k in (("BIG", "GPFederation"), ("SMALL", "GPFederation"), ("P1", "GPPractice"), ("C1", "Contract")):
    ...     G.add_node(n, kind=k)
    >>> G.add_node("S1", kind="Subcontract")
    >>> for u, v, k in (("C1", "BIG", "ContractHolder"), ("S1", "SMALL", "ContractHolder"),
    ...                 ("S1", "C1", "ParentContract"), ("P1", "S1", "DeliversUnder")):
    ...     _ = G.add_edge(u, v, kind=k)
    >>> [(c.path, c.contracts) for c in contract_chains(G, contract="C1")]   # a subcontract of a contract
    [(['BIG', 'SMALL', 'P1'], ['C1', 'S1'])]
    """
    d = _delivery(G)
    starts: list[tuple[str, str | None]] = []  # (start organisation, required first label or None = any)
    if contract is not None:
        starts.extend((h, contract) for h in _heads(d, contract))
    elif holder is not None:
        starts.append((holder, None))
    else:
        named = set(d.holders) | {c for steps in d.steps.values() for _, c in steps if c}
        for c in sorted(c for c in named if c not in d.parents):
            starts.extend((h, c) for h in _heads(d, c))
        delivering = {x for steps in d.steps.values() for x, _ in steps}
        starts.extend((h, None) for h in sorted(d.steps) if h not in delivering)
    seen: set[tuple[tuple[str, ...], tuple[str | None, ...]]] = set()
    chains: list[ContractChain] = []
    for start, first in starts:
        for deliverer, label in d.steps.get(start, []):
            if first is not None and label != first:
                continue
            for path, labels in _walk(d, [start, deliverer], [label]):
                key = (tuple(path), tuple(labels))
                if key in seen:
                    continue
                seen.add(key)
                chains.append(ContractChain(contract=labels[0], holder=path[0], path=path, contracts=labels))
    return sorted(chains, key=lambda c: (c.contract or "", c.path, [x or "" for x in c.contracts]))


def transitive_deliverers(G: nx.Graph, *, contract: str | None = None, holder: str | None = None) -> list[str]:
    """Every organisation that delivers, directly or down a chain, under ``contract`` or for ``holder``: the
    union of ``path[1:]`` over :func:`contract_chains`.

    Basis: domain-model §4.4. Complexity: as :func:`contract_chains`, O(number of chains × depth).

    >>> G = nx.MultiDiGraph([("SMALL", "BIG", {"kind": "DeliversUnder", "contract": "IAGP-N"}),
    ...                      ("P1", "SMALL", {"kind": "DeliversUnder"})])
    >>> transitive_deliverers(G, holder="BIG")
    ['P1', 'SMALL']
    """
    chains = contract_chains(G, contract=contract, holder=holder)
    return sorted({n for c in chains for n in c.path[1:]})
