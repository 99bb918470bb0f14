"""Round trip through the command line: seeds -> embedded store -> `graphkit load neo4j` ->
`graphkit export --from neo4j` gives a dataset isomorphic to the embedded store's, named graph by named graph:
the resolved graph and each source file's graph with its lines (provenance) quad for quad (they have no blank
nodes), and the ontology, which has, by rdflib.compare. A smaller build than the national one: two ePCN
vintages (ties closed by a newer file's silence, derived ties, change events), the trust file, and the
first 300 rows of the real 2022-23 payments file (contracts and service payments), and a curated set
(tests/data/curated/good: a wholly fictional federation, its practices and commissioner, with people, posts,
contracts, a subcontract, a delivery, lateral ties and citations)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from graphkit.cli import cli
from graphkit.core.namespaces import ID
from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED
from tests.conftest import SEEDS

pytestmark = [pytest.mark.neo4j, pytest.mark.integration]

CURATED = Path(__file__).resolve().parents[1] / "data" / "curated" / "good"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from graphkit.store.build import InputFile, build

    tmp = tmp_path_factory.mktemp("roundtrip")
    payments = tmp / "nhspaymentsgp_2022-23.csv.gz"
    with gzip.open(SEEDS / "payments" / "nhspaymentsgp_2022-23.csv.gz", "rt", encoding="utf-8") as f:
        head = [next(f) for _ in range(301)]
    with gzip.open(payments, "wt", encoding="utf-8") as f:
        f.writelines(head)
    files = sorted((SEEDS / "ods").glob("ePCN_2019-12_*")) + sorted((SEEDS / "ods").glob("ePCN_2022-05_*"))
    files += [SEEDS / "ods" / "etr_2022-03.csv", payments, CURATED]
    report = build([InputFile(p) for p in files], tmp / "store")
    g = report.graph
    assert g is not None
    # the build holds every kind of fact the round trip must carry
    assert g.events and any(t.end_evidence for t in g.ties) and any(not t.dated for t in g.ties)
    assert sum(len(r.contracts) for r in g.results) == 300 and sum(len(r.payments) for r in g.results) > 1000
    # and the curated kinds: people, posts, contracts and subcontracts, deliveries, lateral ties, citations
    assert all(sum(len(getattr(r, k)) for r in g.results) for k in
               ("people", "posts", "agreements", "deliveries", "lateral_ties"))
    return tmp / "store"


def test_embedded_to_neo4j_to_rdf_is_isomorphic(small_store: Path, neo4j_db: object, neo4j_uri: str,
                                                 tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"GRAPHKIT_STORE_PATH": str(small_store)}
    loaded = runner.invoke(cli, ["load", "neo4j", "--uri", neo4j_uri], env=env)
    assert loaded.exit_code == 0, loaded.output
    out = tmp_path / "export.trig"
    exported = runner.invoke(cli, ["export", "--from", "neo4j", "--uri", neo4j_uri, "--format", "trig",
                                   "-o", str(out)], env=env)
    assert exported.exit_code == 0, exported.output

    original = ox.Store.read_only(str(small_store))
    back = ox.Store()
    back.bulk_load(path=str(out), format=ox.RdfFormat.TRIG)
    names = set(original.named_graphs())
    assert names == set(back.named_graphs())
    assert len(names) == 15  # resolved, ontology, six national files, seven curated tables
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    for name in names - {ontology}:
        # no blank nodes outside the ontology graph, so the same set of quads is the same graph
        a = set(original.quads_for_pattern(None, None, None, name))
        b = set(back.quads_for_pattern(None, None, None, name))
        assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in a | b)
        assert len(a) > 0 and a == b, f"graph {name.value}: {len(a - b)} quads lost, {len(b - a)} gained"

    def ontology_graph(store: ox.Store) -> rdflib.Graph:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ontology)
        return rdflib.Graph().parse(data=data, format="nt")

    assert len(ontology_graph(original)) > 3000 and isomorphic(ontology_graph(original), ontology_graph(back))


def test_turtle_export_of_the_resolved_graph(small_store: Path, tmp_path: Path) -> None:
    """A triple format holds one graph: the resolved one, citing each source by prov:wasDerivedFrom."""
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "--format", "turtle"], env={"GRAPHKIT_STORE_PATH": str(small_store)})
    assert result.exit_code == 0, result.output
    exported = ox.Store()
    exported.bulk_load(result.stdout_bytes, format=ox.RdfFormat.TURTLE)
    triples = {q.triple for q in exported.quads_for_pattern(None, None, None)}
    store = ox.Store.read_only(str(small_store))
    resolved = {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(RESOLVED)))}
    # the resolved graph has no blank nodes: the same set of triples is the same graph
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in resolved)
    assert len(triples) > 200_000 and triples == resolved
    derived_from = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    cited = {t.object.value for t in triples if t.predicate == derived_from}
    assert len(cited) == 13, sorted(cited)  # every file
    # organisations carry no prov:wasDerivedFrom (their names and lines are in each source's graph): the curated
    # organisations table is cited only by the CCG role holding the build derives for its fictional CCG
    organisations = str(ID["source/curated-good-organisations"])
    assert {t.subject.value for t in triples if t.predicate == derived_from and t.object.value == organisations} \
        == {str(ID["role/ZZF-TEES-CCG/RO98/_"])}


def test_export_of_an_unknown_graph_names_it(small_store: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--graph", "nosuch-2020"],
                                env={"GRAPHKIT_STORE_PATH": str(small_store)})
    assert result.exit_code == 2
    assert "no graph 'nosuch-2020'" in result.output and "ePCN_2019-12" in result.output


