"""One contract suite: every store operation against both stores, on the same real data, with the
same answers. (Neo4j: the real server, over Bolt.)"""

from __future__ import annotations

import datetime as dt

import pytest

from graphkit.errors import NotFound
from graphkit.store.neo4j import Neo4jStore

pytestmark = [pytest.mark.neo4j, pytest.mark.integration]

CODES = ["A81001", "H84031", "B81003", "16C", "QHM", "Y63", "U89141", "00K", "T6Y0W", "RVV"]
DAYS = [dt.date(2019, 12, 1), dt.date(2021, 6, 1), dt.date(2022, 7, 1), dt.date(2024, 10, 1), dt.date(2026, 8, 1)]


@pytest.fixture
def embedded_graph(seed_graph):
    return seed_graph


@pytest.fixture
def neo4j_store(neo4j_seed):
    return neo4j_seed


@pytest.fixture(params=["oxigraph", "neo4j"])
def store(request, oxigraph, neo4j_store):
    return oxigraph if request.param == "oxigraph" else neo4j_store


def test_count_organisations(oxigraph, neo4j_store) -> None:
    assert neo4j_store.count_organisations() == oxigraph.count_organisations() == 18891


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_organisation_is_the_same_in_both_stores(oxigraph, neo4j_store, code: str, day: dt.date) -> None:
    assert neo4j_store.organisation(code, day) == oxigraph.organisation(code, day)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("direction", ["up", "down"])
def test_ties_over_all_time_are_the_same(oxigraph, neo4j_store, code: str, direction: str) -> None:
    assert neo4j_store.ties(code, direction) == oxigraph.ties(code, direction)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["A81001", "H84031", "U89141", "16C"])
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_hierarchy_is_the_same(oxigraph, neo4j_store, code: str, day: dt.date) -> None:
    assert neo4j_store.hierarchy(code, day) == oxigraph.hierarchy(code, day)


@pytest.mark.parametrize("code", CODES)
def test_roles_with_their_sources_are_the_same(oxigraph, neo4j_store, code: str) -> None:
    roles = oxigraph.roles(code)
    assert neo4j_store.roles(code) == roles and all(r.sources for r in roles)
    assert bool(roles) == (code != "Y63")  # regions carry no role holding in the files held


def test_projection_is_the_same(oxigraph, neo4j_store) -> None:
    day = dt.date(2024, 10, 1)
    a, b = oxigraph.project(day), neo4j_store.project(day)
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(data="kind")) == sorted(b.edges(data="kind"))


def test_unknown_code_is_not_found_in_both(store) -> None:
    with pytest.raises(NotFound):
        store.organisation("ZZZ999", dt.date(2024, 1, 1))


def test_an_organisation_only_the_national_files_state_has_no_note(store) -> None:
    assert store.organisation("A81001", dt.date(2024, 1, 1)).note is None


def test_pcn_members_on_a_date(store) -> None:
    members = store.ties("U89141", "down", as_of=dt.date(2024, 10, 1), kind="PCNMembership")
    assert len(members) == 7 and all(t.organisation == "U89141" for t in members)


def _counts(store: Neo4jStore) -> tuple[int, int, int, int, int]:
    """Organisations, their relationships, staging nodes; then every node and every relationship."""
    nodes = store._run("MATCH (n:Organisation) RETURN count(n) AS n")[0]["n"]
    rels = store._run("MATCH (:Organisation)-[r]->() RETURN count(r) AS n")[0]["n"]
    staging = store._run("MATCH (n:StagingOrganisation) RETURN count(n) AS n")[0]["n"]
    everything = store._run("MATCH (n) RETURN count(n) AS n")[0]["n"]
    every_rel = store._run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return nodes, rels, staging, everything, every_rel


def test_a_load_killed_half_way_leaves_the_previous_graph_then_a_reload_is_clean(
        neo4j_store, neo4j_uri, seed_store, embedded_graph, oxigraph) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    before = _counts(neo4j_store)
    assert before[2] == 0
    answer = neo4j_store.hierarchy("A81001", dt.date(2021, 6, 1))
    env = {**os.environ, "GRAPHKIT_STORE_PATH": str(seed_store)}
    proc = subprocess.Popen([sys.executable, "-m", "graphkit.cli", "load", "neo4j", "--uri", neo4j_uri],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and _counts(neo4j_store)[2] < 2000:
            assert proc.poll() is None, "the load finished before it could be killed half-way"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    during = _counts(neo4j_store)
    assert during[2] >= 2000  # the killed load had written part of a new graph...
    assert during[:2] == before[:2]  # ...and the previous complete graph is untouched and queryable
    assert neo4j_store.hierarchy("A81001", dt.date(2021, 6, 1)) == answer
    # the same graph loaded again, over what the killed load left: every node and relationship as before (loading
    # twice changes nothing), and no staging node left
    neo4j_store.load(embedded_graph)
    assert _counts(neo4j_store) == before
    assert neo4j_store.organisation("H84031", dt.date(2024, 10, 1)) == oxigraph.organisation("H84031",
                                                                                            dt.date(2024, 10, 1))


def test_the_national_graph_comes_back_from_neo4j_as_the_same_rdf(oxigraph, neo4j_store) -> None:
    """seeds -> embedded -> Neo4j -> RDF, at full scale: every data graph has exactly the embedded store's
    quads (no blank nodes there, so equal sets are isomorphic graphs); the ontology graph, which has
    blank nodes, is compared with rdflib.compare."""
    import pyoxigraph as ox
    import rdflib
    from rdflib.compare import isomorphic

    from graphkit.core.namespaces import PREFIXES
    from graphkit.rdf import export
    from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED

    exported = export.dataset(neo4j_store.read_graph())
    original = oxigraph._store
    assert set(exported.named_graphs()) == set(original.named_graphs())
    assert len(exported) == len(original) > 3_000_000
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    blank = f"ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} FILTER(?g != <{ontology.value}>) }}"
    assert not original.query(blank) and not exported.query(blank)
    for g in original.named_graphs():
        if g == ontology:
            continue
        # the same multiset of quads: the sums of their hashes (pyoxigraph hashes a quad by its terms) agree; the
        # quads themselves are compared only to say what differs
        if sum(map(hash, original.quads_for_pattern(None, None, None, g))) != sum(
                map(hash, exported.quads_for_pattern(None, None, None, g))):
            a = set(original.quads_for_pattern(None, None, None, g))
            b = set(exported.quads_for_pattern(None, None, None, g))
            some = sorted(map(str, a ^ b))[:3]
            pytest.fail(f"graph {g.value}: {len(a - b)} quads lost, {len(b - a)} gained, e.g. {some}")

    def ontology_graph(store: ox.Store) -> rdflib.Graph:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ontology)
        return rdflib.Graph().parse(data=data, format="nt")

    assert isomorphic(ontology_graph(original), ontology_graph(exported))
    # provenance came through: the line of a tie in its source graph, and the resolved graph citing it
    line = exported.query(
        f"""SELECT ?line WHERE {{ GRAPH <{RESOLVED}> {{ ?t a pcg:PCNMembership ;
                                                        org:member <https://w3id.org/pcgraph/id/org/B81003> ;
                                                        prov:wasDerivedFrom ?g }}
                                 GRAPH ?g {{ ?t pcg:sourceLine ?line }} }} LIMIT 1""",
        prefixes=PREFIXES,
    )
    assert [int(r["line"].value) for r in line]


# -- search, contracts, provenance, economy: same answers, and the right ones ------------------------

SEARCHES = [
    ("norwich", "PrimaryCareNetwork", None, dt.date(2024, 10, 1)),
    (None, "IntegratedCareBoard", None, dt.date(2024, 10, 1)),
    (None, "SustainabilityAndTransformationPartnership", None, dt.date(2021, 6, 1)),
    (None, "GPPractice", "QHM", dt.date(2025, 1, 1)),
    ("A8100", None, None, dt.date(2021, 6, 1)),
    (None, "PrimaryCareNetwork", "16C", dt.date(2024, 10, 1)),
]


@pytest.mark.parametrize(("q", "kind", "within", "day"), SEARCHES)
def test_search_is_the_same(oxigraph, neo4j_store, q, kind, within, day) -> None:
    a = oxigraph.search(q, kind=kind, within=within, as_of=day, limit=10_000)
    assert a == neo4j_store.search(q, kind=kind, within=within, as_of=day, limit=10_000)
    assert a[1] == len(a[0]) > 0


def test_search_answers(store) -> None:
    icbs = store.search(None, kind="IntegratedCareBoard", as_of=dt.date(2024, 10, 1), limit=100)
    assert icbs[1] == 42
    assert store.search(None, kind="IntegratedCareBoard", as_of=dt.date(2021, 6, 1))[1] == 0
    assert store.search(None, kind="SustainabilityAndTransformationPartnership", as_of=dt.date(2021, 6, 1))[1] == 42
    hits, _ = store.search("norwich", kind="PrimaryCareNetwork", as_of=dt.date(2024, 10, 1))
    assert "U00000" in {h.code for h in hits} and all("NORWICH" in h.name.upper() for h in hits)
    in_icb, n = store.search(None, kind="GPPractice", within="QHM", as_of=dt.date(2025, 1, 1), limit=5000)
    assert "A81001" in {h.code for h in in_icb} and n > 100
    page, same_total = store.search(None, kind="GPPractice", within="QHM", as_of=dt.date(2025, 1, 1), limit=10,
                                    offset=10)
    assert same_total == n and page == in_icb[10:20]


def test_search_refuses_an_unknown_type(store) -> None:
    from graphkit.errors import BadParameter

    with pytest.raises(BadParameter) as err:
        store.search(None, kind="Hospital", as_of=dt.date(2024, 1, 1))
    assert err.value.details == {"parameter": "type"}


CONTRACT_QUERIES = [
    {"year": "2022-23", "contract_type": "APMS"},
    {"holder": "A81001"},
    {"year": "2022-23", "within": "QHM"},
    {"year": "2019-20", "commissioner": "00K"},
]


@pytest.mark.parametrize("query", CONTRACT_QUERIES, ids=lambda q: ",".join(f"{k}={v}" for k, v in q.items()))
def test_contracts_are_the_same(oxigraph, neo4j_store, query) -> None:
    a = oxigraph.contracts(**query)
    assert a and a == neo4j_store.contracts(**query)


def test_contract_answers(store) -> None:
    apms = store.contracts(year="2022-23", contract_type="APMS")
    assert len(apms) == 235 and {c.contract_type for c in apms} == {"APMS"}
    a81001 = store.contracts(holder="A81001")
    assert [c.financial_year for c in a81001] == ["2019-20", "2020-21", "2021-22", "2022-23"]
    assert all(c.services and c.list_size for c in a81001)
    in_icb = store.contracts(year="2022-23", within="QHM")
    assert "A81001" in {c.holder for c in in_icb} and len({c.holder for c in in_icb}) == len(in_icb)


def test_provenance_is_the_same(oxigraph, neo4j_store) -> None:
    for code in ("A81001", "U89141", "16C"):
        a = oxigraph.provenance(code)
        assert a == neo4j_store.provenance(code)
    a = oxigraph.provenance("A81001")
    kinds = {s.fact_kind for s in a}
    assert {"Organisation", "PCNMembership", "CommissionerAssignment", "RoleHolding", "Contract"} <= kinds
    assert {s.file_name for s in a if s.fact_kind == "Contract"} == {
        f"nhspaymentsgp_{y}.csv.gz" for y in ("2019-20", "2020-21", "2021-22", "2022-23")
    }


@pytest.mark.parametrize(("code", "depth"), [("U89141", 1), ("A81001", 2), ("16C", 1)])
def test_economy_is_the_same(oxigraph, neo4j_store, code, depth) -> None:
    day = dt.date(2024, 10, 1)
    a, b = oxigraph.economy(code, day, depth=depth), neo4j_store.economy(code, day, depth=depth)
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(data="kind")) == sorted(b.edges(data="kind"))
    assert a.nodes[code]["centre"]


def test_economy_of_a_pcn(store) -> None:
    g = store.economy("U89141", dt.date(2024, 10, 1), depth=1)
    practices = [n for n, d in g.nodes(data=True) if d["level"] == "practice"]
    assert len(practices) == 7 and all(g.has_edge(p, "U89141") for p in practices)
