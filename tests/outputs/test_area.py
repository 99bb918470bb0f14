"""Area exports (graphkit/outputs/area.py) from both stores, on the real national data.

Each store answers :func:`area_graph`; the checks compare the export with what the store says through its
other operations (search, ties, economy), parse every format back with an independent reader, validate the
RDF with the project's shapes, and require byte-identical files from the embedded store and Neo4j.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import ORG, PROV, RDF

from graphkit.core.namespaces import PCG_NS, org_iri, source_iri
from graphkit.core.temporal import holds_on
from graphkit.errors import BadParameter, NotFound
from graphkit.outputs.area import (
    MEDIA_TYPES,
    AreaGraph,
    area_graph,
    area_to_networkx,
    render,
    to_csv,
    to_graphml,
    to_rdf,
)
from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED

pytestmark = [pytest.mark.integration]

DAY = dt.date(2025, 1, 1)
CCG_ERA = dt.date(2021, 6, 1)
PCG = rdflib.Namespace(str(PCG_NS))


@pytest.fixture(
    params=[
        pytest.param("oxigraph", id="oxigraph"),
        pytest.param("neo4j_seed", id="neo4j", marks=pytest.mark.neo4j),
    ]
)
def store(request: pytest.FixtureRequest) -> Any:
    """Each test that takes ``store`` runs once on the embedded store and once on Neo4j."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def qhm(oxigraph: Any) -> AreaGraph:
    """The ICB QHM on 2025-01-01 from the embedded store (format checks; both stores are compared below)."""
    return area_graph(oxigraph, "QHM", DAY)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


# -- what the area holds ---------------------------------------------------------------------------


def test_area_holds_what_search_finds(store: Any) -> None:
    area = area_graph(store, "QHM", DAY)
    practices, n_practices = store.search(None, kind="GPPractice", within="QHM", as_of=DAY, limit=10000)
    everything, n_all = store.search(None, within="QHM", as_of=DAY, limit=10000)
    exported = [o for o in area.organisations if "GPPractice" in o.kinds]
    assert len(exported) == n_practices > 100
    assert {o.code for o in exported} == {h.code for h in practices}
    assert [o.code for o in area.organisations] == sorted(h.code for h in everything)
    assert len(area.organisations) == n_all
    kinds_by_search = {h.code: h.kinds for h in everything}
    assert all(o.kinds == kinds_by_search[o.code] for o in area.organisations)
    assert {o.code: o.kinds for o in area.organisations}["QHM"] == ("IntegratedCareBoard",)
    assert all(holds_on(o.start, o.end, DAY) for o in area.organisations)


def test_area_ties_are_inside_and_hold(store: Any) -> None:
    area = area_graph(store, "QHM", DAY)
    inside = {o.code for o in area.organisations}
    order = sorted(area.ties, key=lambda t: (t.kind, t.member, t.organisation, t.start or dt.date.min,
                                            t.end or dt.date.max))
    assert list(area.ties) == order
    assert all(t.member in inside and t.organisation in inside for t in area.ties)
    assert all(holds_on(t.start, t.end, DAY) for t in area.ties)
    assert all(t.sources for t in area.ties)
    # every practice reaches the area through a tie that the export keeps
    tied = {t.member for t in area.ties}
    assert all(o.code in tied for o in area.organisations if "GPPractice" in o.kinds)
    members = {(t.kind, t.member) for t in area.ties if t.organisation == "U89141"}
    assert members == {(t.kind, t.member) for t in store.ties("U89141", "down", as_of=DAY)}
    assert len({m for k, m in members if k == "PCNMembership"}) == 7
    assert ("CommissionerAssignment", "A81001", "16C") in {(t.kind, t.member, t.organisation) for t in area.ties}


def test_area_roles_decide_the_kinds_on_the_date(store: Any) -> None:
    area = area_graph(store, "16C", DAY)
    roles = {(r.role, r.start, r.end) for r in area.roles if r.code == "16C"}
    assert ("RO319", dt.date(2022, 7, 1), None) in roles
    assert any(role == "RO98" and end == dt.date(2022, 6, 30) for role, _, end in roles)
    assert all(r.sources for r in area.roles)


def test_unknown_area_is_not_found(store: Any) -> None:
    with pytest.raises(NotFound) as err:
        area_graph(store, "ZZ999", DAY)
    assert "ZZ999" in err.value.message


@pytest.mark.slow
def test_whole_country(oxigraph: Any) -> None:
    area = area_graph(oxigraph, None, DAY)
    _, n_all = oxigraph.search(None, as_of=DAY, limit=1)
    _, n_practices = oxigraph.search(None, kind="GPPractice", as_of=DAY, limit=1)
    assert area.within is None and len(area.organisations) == n_all
    assert sum("GPPractice" in o.kinds for o in area.organisations) == n_practices > 6000
    inside = {o.code for o in area.organisations}
    assert all(t.member in inside and t.organisation in inside and holds_on(t.start, t.end, DAY) for t in area.ties)
    kinds = Counter(t.kind for t in area.ties)
    assert kinds["PCNMembership"] > 6000 and kinds["CommissionerAssignment"] > 6000
    # every tie of the country holding on the day between open organisations, seen from its member
    sample = sorted(inside)[::50]
    up = {t for t in oxigraph.ties_of_many(sample, "up", as_of=DAY) if t.organisation in inside}
    assert up <= set(area.ties)
    rows = csv_rows(to_csv(area, "ties"))
    assert len(rows) == len(area.ties)


# -- RDF ---------------------------------------------------------------------------------------------


def test_turtle_and_jsonld_are_the_same_graph(qhm: AreaGraph) -> None:
    turtle = rdflib.Graph().parse(data=to_rdf(qhm, "turtle"), format="turtle")
    jsonld = rdflib.Graph().parse(data=to_rdf(qhm, "jsonld"), format="json-ld")
    assert len(turtle) > 10000
    assert isomorphic(turtle, jsonld)
    codes = {str(c) for c in turtle.objects(None, PCG.odsCode)}
    assert codes == {o.code for o in qhm.organisations}
    assert codes == {str(c) for c in turtle.objects(None, ORG.identifier)}  # QHM's are all ODS codes
    assert str(turtle.value(PCG.odsCode, PCG.identifierSystem)) == "https://fhir.nhs.uk/Id/ods-organization-code"
    assert str(turtle.value(PCG.localCode, PCG.identifierSystem)) == "https://w3id.org/pcgraph/id/org/"
    memberships = set(turtle.subjects(RDF.type, ORG.Membership))
    relations = set(turtle.subjects(RDF.type, PCG.DatedRelation))
    assert not memberships & relations and len(memberships | relations) == len(qhm.ties)
    # commissioning and part-of are relations; PCN membership is membership
    assert {t.kind for t in qhm.ties if t.kind in ("PCNMembership",)} and all(
        (s, RDF.type, PCG.PCNMembership) not in turtle for s in relations)
    assert all((s, RDF.type, PCG.CommissionerAssignment) not in turtle for s in memberships)
    assert len(relations) > len(memberships) > 0
    assert len(set(turtle.subjects(RDF.type, PCG.RoleHolding))) == len(qhm.roles)
    practices = set(turtle.subjects(RDF.type, PCG.GPPractice))
    assert len(practices) == sum("GPPractice" in o.all_kinds for o in qhm.organisations)
    # each tie keeps its sources and its assertion type
    tie = next(t for t in qhm.ties if t.member == "A81001" and t.kind == "PCNMembership")
    node = next(s for s in turtle.subjects(ORG.member, rdflib.URIRef(org_iri("A81001")))
                if (s, RDF.type, PCG.PCNMembership) in turtle)
    assert {str(o) for o in turtle.objects(node, PROV.wasDerivedFrom)} == {str(source_iri(s)) for s in tie.sources}
    assert str(turtle.value(node, PCG.assertionType)) == ("derived" if tie.derived else "reported")


def test_rdf_is_the_stores_own_resolved_graph(oxigraph: Any, qhm: AreaGraph) -> None:
    """Every exported triple is in the embedded store's resolved graph: the export uses the store's mapping."""
    resolved = ox.NamedNode(str(RESOLVED))
    triples = list(ox.parse(to_rdf(qhm, "turtle"), format=ox.RdfFormat.TURTLE))
    missing = [q for q in triples if ox.Quad(q.subject, q.predicate, q.object, resolved) not in oxigraph._store]
    # but the identifier systems of the two kinds of code, which the store states in its ontology graph
    assert triples and {(q.subject.value, q.predicate.value) for q in missing} == {
        (str(PCG.odsCode), str(PCG.identifierSystem)), (str(PCG.localCode), str(PCG.identifierSystem))}
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    assert all(ox.Quad(q.subject, q.predicate, q.object, ontology) in oxigraph._store for q in missing)


@pytest.mark.slow
def test_turtle_passes_the_shapes(oxigraph: Any, qhm: AreaGraph, tmp_path: Path) -> None:
    """pySHACL (graphkit validate's engine) on a PCN's export; on the whole ICB's, the shapes compiled to
    SPARQL as the build runs them (every exported node is typed, so no typing from property domains).
    The only findings allowed are warnings that a fact's source is not described in the file (the export
    names each source but holds no file descriptions)."""
    from graphkit.ontology.shacl import compile_shapes, load_ontology_into, validate_store
    from graphkit.rdf.validate import validate_file

    pcn = tmp_path / "u89141.ttl"
    pcn.write_bytes(to_rdf(area_graph(oxigraph, "U89141", DAY), "turtle"))
    report = validate_file(pcn)
    assert report.error is None and report.violations == 0
    assert {(r.severity, r.shape.rsplit("#", 1)[-1]) for r in report.results} <= {
        ("Warning", "FactProvenanceQualityShape")
    }

    store = ox.Store()
    store.load(to_rdf(qhm, "turtle"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(RESOLVED)))
    load_ontology_into(store, str(ONTOLOGY_GRAPH))
    checks = compile_shapes(infer_from_domains=False)
    results = validate_store(store, default_graph=[str(RESOLVED), str(ONTOLOGY_GRAPH)], checks=checks)
    assert [r for r in results if r.severity == "Violation"] == []
    assert {r.shape.rsplit("#", 1)[-1] for r in results} <= {"FactProvenanceQualityShape"}


# -- GraphML and CSV ---------------------------------------------------------------------------------


def test_graphml_reads_back(qhm: AreaGraph, tmp_path: Path) -> None:
    path = tmp_path / "qhm.graphml"
    path.write_bytes(to_graphml(area_to_networkx(qhm)))
    g = nx.read_graphml(path, force_multigraph=True)
    assert set(g.nodes) == {o.code for o in qhm.organisations}
    assert g.number_of_edges() == len(qhm.ties)
    assert g.nodes["16C"]["kinds"] == "SubICBLocation" and g.nodes["16C"]["level"] == "commissioner"
    assert g.nodes["A81001"]["level"] == "practice"
    assert g.graph["as_of"] == "2025-01-01"
    edges = g.get_edge_data("A81001", "U89141")
    assert [e["kind"] for e in edges.values()] == ["PCNMembership"]
    assert isinstance(next(iter(edges.values()))["derived"], bool)


def test_economy_graphml(store: Any, tmp_path: Path) -> None:
    economy = store.economy("U89141", DAY)
    path = tmp_path / "economy.graphml"
    path.write_bytes(to_graphml(economy))
    g = nx.read_graphml(path, force_multigraph=True)
    assert set(g.nodes) == set(economy.nodes) and g.number_of_edges() == economy.number_of_edges()
    assert g.nodes["U89141"]["centre"] is True and g.nodes["A81001"]["centre"] is False
    assert g.nodes["16C"]["kinds"] == "SubICBLocation"
    assert to_graphml(economy) == to_graphml(store.economy("U89141", DAY))


def test_csv_tables(qhm: AreaGraph) -> None:
    organisations = csv_rows(to_csv(qhm, "organisations"))
    ties = csv_rows(to_csv(qhm, "ties"))
    assert len(organisations) == len(qhm.organisations) and len(ties) == len(qhm.ties)
    assert list(organisations[0]) == ["code", "name", "kinds", "level", "start", "end", "list_size",
                                      "list_size_year"]
    assert list(ties[0]) == ["kind", "member", "member_name", "organisation", "organisation_name", "start",
                             "end", "derived", "sources"]
    a81001 = next(r for r in ties if r["member"] == "A81001" and r["kind"] == "PCNMembership")
    assert a81001["organisation"] == "U89141" and a81001["derived"] in ("true", "false")
    assert a81001["sources"].split("; ") == list(
        next(t for t in qhm.ties if t.member == "A81001" and t.kind == "PCNMembership").sources
    )


def _paid(store: Any, code: str) -> dict[str, int]:
    """A practice's list size by financial year, read straight from the store's payments rows."""
    return {year: size for c, year, size in store.list_size_rows() if c == code}


def test_list_size_is_the_latest_known_on_the_date(store: Any) -> None:
    """After the last payments year (2022-23) a practice has that year's list size, with the year; inside a year,
    that year's; before the first year (2019-20), none. The sizes differ between years, so a wrong year shows."""
    by_year = _paid(store, "A81001")
    assert sorted(by_year) == ["2019-20", "2020-21", "2021-22", "2022-23"]
    assert len(set(by_year.values())) == 4
    for day, year in ((DAY, "2022-23"), (dt.date(2020, 6, 1), "2020-21"), (dt.date(2021, 4, 1), "2021-22"),
                      (dt.date(2021, 3, 31), "2020-21")):
        rows = {r["code"]: r for r in csv_rows(to_csv(area_graph(store, "U89141", day), "organisations"))}
        assert (rows["A81001"]["list_size"], rows["A81001"]["list_size_year"]) == (str(by_year[year]), year), day
        # a PCN has no list size of its own
        assert (rows["U89141"]["list_size"], rows["U89141"]["list_size_year"]) == ("", "")
    # 16C began on 2020-04-01; on 2019-03-01 its practices were in 00K (among others), before the first year
    rows = csv_rows(to_csv(area_graph(store, "00K", dt.date(2019, 3, 1)), "organisations"))
    assert any(r["code"] == "A81001" for r in rows) and all(r["list_size"] == r["list_size_year"] == "" for r in rows)
    # after the last year every organisation has its own latest year's figure (the larger of two contracts)
    area = area_graph(store, "QHM", DAY)
    rows_by_code: dict[str, dict[str, int]] = {}
    for code, year, size in store.list_size_rows():
        rows_by_code.setdefault(code, {})[year] = max(size, rows_by_code.get(code, {}).get(year, 0))
    expected = {o.code: (rows_by_code[o.code][max(rows_by_code[o.code])], max(rows_by_code[o.code]))
                for o in area.organisations if o.code in rows_by_code}
    got = {o.code: (o.list_size_on_date, o.list_size_year) for o in area.organisations if o.list_size_year}
    assert len(got) > 300 and got == expected
    assert Counter(year for _, year in got.values()).most_common(1)[0][0] == "2022-23"
    g = area_to_networkx(area)
    assert g.nodes["A81001"]["list_size"] == by_year["2022-23"] and g.nodes["A81001"]["list_size_year"] == "2022-23"


def test_the_same_area_on_two_dates(store: Any) -> None:
    """16C was a CCG in 2021 and is a sub-ICB location since July 2022; its practices changed too."""
    before = {r["code"]: r for r in csv_rows(to_csv(area_graph(store, "16C", CCG_ERA), "organisations"))}
    after = {r["code"]: r for r in csv_rows(to_csv(area_graph(store, "16C", DAY), "organisations"))}
    assert before["16C"]["kinds"] == "ClinicalCommissioningGroup"
    assert after["16C"]["kinds"] == "SubICBLocation"
    assert before["16C"]["level"] == after["16C"]["level"] == "commissioner"
    for day, rows in ((CCG_ERA, before), (DAY, after)):
        hits, _ = store.search(None, kind="GPPractice", within="16C", as_of=day, limit=10000)
        assert {c for c, r in rows.items() if "GPPractice" in r["kinds"].split("; ")} == {h.code for h in hits}
    assert set(before) != set(after)


# -- formats, parameters, and both stores ------------------------------------------------------------


def test_bad_format_and_table(qhm: AreaGraph) -> None:
    with pytest.raises(BadParameter) as err:
        render(qhm, "xml")
    assert err.value.details == {"parameter": "format"} and "xml" in err.value.message
    with pytest.raises(BadParameter) as err:
        to_rdf(qhm, "graphml")
    assert err.value.details == {"parameter": "format"}
    with pytest.raises(BadParameter) as err:
        to_csv(qhm, "people")
    assert err.value.details == {"parameter": "table"} and "people" in err.value.message
    assert MEDIA_TYPES["turtle"] == "text/turtle" and MEDIA_TYPES["jsonld"] == "application/ld+json"


EXPORTS = [("turtle", "organisations"), ("jsonld", "organisations"), ("graphml", "organisations"),
           ("csv", "organisations"), ("csv", "ties")]


@pytest.mark.neo4j
@pytest.mark.parametrize(("fmt", "table"), EXPORTS, ids=[f"{f}-{t}" for f, t in EXPORTS])
def test_both_stores_give_the_same_bytes(oxigraph: Any, neo4j_seed: Any, qhm: AreaGraph, fmt: str,
                                         table: str) -> None:
    from_neo4j = area_graph(neo4j_seed, "QHM", DAY)
    assert from_neo4j == qhm
    assert render(from_neo4j, fmt, table=table) == render(qhm, fmt, table=table) == render(
        area_graph(oxigraph, "QHM", DAY), fmt, table=table
    )


@pytest.mark.neo4j
@pytest.mark.slow
def test_both_stores_give_the_same_country(oxigraph: Any, neo4j_seed: Any) -> None:
    embedded, server = area_graph(oxigraph, None, DAY), area_graph(neo4j_seed, None, DAY)
    assert embedded == server
    assert to_rdf(embedded, "turtle") == to_rdf(server, "turtle")
