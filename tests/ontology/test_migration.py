"""The v1-to-v2 migration (ontology/migrations/v1-to-v2.ru): the case studies as ontology 1.x wrote them
(tests/data/migration/casestudies-v1.nq.gz: every quad outside the ontology graph of a store built by the last
1.x commit, f470972, from seeds/casestudies), migrated, are quad for quad what 2.x writes from the same tables (kept
as they were then in tests/data/migration/casestudies/: the case studies have since grown)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphkit.rdf.emit import ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = ROOT / "ontology" / "migrations" / "v1-to-v2.ru"
V1_CASES = ROOT / "tests" / "data" / "migration" / "casestudies-v1.nq.gz"
V1_TABLES = ROOT / "tests" / "data" / "migration" / "casestudies"


def _quads(store: ox.Store) -> set[ox.Quad]:
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    return {q for q in store.quads_for_pattern(None, None, None) if q.graph_name != ontology}


def _v1() -> ox.Store:
    store = ox.Store()
    store.load(gzip.decompress(V1_CASES.read_bytes()), format=ox.RdfFormat.N_QUADS)
    return store


def _without(quads: set[ox.Quad], prefixes: tuple[str, ...]) -> set[ox.Quad]:
    """The quads but those of the ties named by ``prefixes`` and the intervals and instants only they used."""
    kept = {q for q in quads if not q.subject.value.startswith(prefixes)}
    for part in ("/interval/", "/instant/"):  # an interval names its instants: drop the unused intervals first
        used = {q.object.value for q in kept if isinstance(q.object, ox.NamedNode) and part not in q.subject.value}
        kept = {q for q in kept if part not in q.subject.value or q.subject.value in used}
    return kept


def test_the_migrated_v1_case_studies_are_what_v2_writes(tmp_path: Path) -> None:
    from graphkit.store.build import InputFile, build

    report = build([InputFile(V1_TABLES)], tmp_path / "store")
    v1 = _v1()
    before = _quads(v1)
    v1.update(MIGRATION.read_text(encoding="utf-8"))
    # 2.x clips a tie to the lives of its organisations (merge rule 7) and says so in the report; the tables as
    # they were then start two board units before their federations, so those two ties differ, and only they
    assert report.quality is not None
    clipped = {tuple(i.message.split(":")[0].split(" ", 1)[1].split(" -> ")) for i in report.quality.issues
               if i.rule == "tie-clipped"}
    assert clipped == {("ZZF-EXPANDING-TBOARD", "ZZF-EXPANDING"), ("ZZF-EMBEDDED-SHADOW", "ZZF-EMBEDDED")}
    prefixes = tuple(f"https://w3id.org/pcgraph/id/membership/UnitMembership/{m}/{o}/" for m, o in clipped)
    migrated = _without(_quads(v1), prefixes)
    # the rows' notes reach the graph since 2.4.0; 1.x data never held them, so no migration can give them back
    note = "https://w3id.org/pcgraph/def#note"
    v2 = {q for q in _without(_quads(ox.Store.read_only(str(tmp_path / "store"))), prefixes)
          if q.predicate.value != note}
    lost, gained = sorted(map(str, v2 - migrated))[:5], sorted(map(str, migrated - v2))[:5]
    assert migrated == v2, f"missing after migration, e.g. {lost}; extra, e.g. {gained}"
    # and the migration had work to do: the 1.x forms are gone
    assert before != migrated
    org, pcg = "http://www.w3.org/ns/org#", "https://w3id.org/pcgraph/def#"
    assert not [q for q in migrated if q.predicate.value == pcg + "holderPerson"]
    assert [q for q in before if q.predicate.value == pcg + "holderPerson"]
    assert [q for q in migrated if q.predicate.value == pcg + "fromOrganisation"]
    assert [q for q in migrated if q.predicate.value == pcg + "localCode"]
    assert [q for q in migrated if q.predicate.value == org + "identifier"]


def test_the_migration_rewrites_events_ends_and_one_day_intervals() -> None:
    """What the case studies lack (change events, ends closed by a newer file, one-day intervals, an ODS-coded
    commissioner), in the 1.x form, migrated."""
    pcg, org, prov = "https://w3id.org/pcgraph/def#", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#"
    xsd, time = "http://www.w3.org/2001/XMLSchema#", "http://www.w3.org/2006/time#"
    i = "https://w3id.org/pcgraph/id/"
    r, src = f"<{i}graph/resolved>", f"<{i}source/epcn_2021-04>"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    v1 = f"""
<{i}event/Merger/16C/2020-04-01> <{rdf}type> <{org}ChangeEvent> {r} .
<{i}event/Merger/16C/2020-04-01> <{rdf}type> <{pcg}Merger> {r} .
<{i}event/Merger/16C/2020-04-01> <{org}resultingOrganization> <{i}org/16C> {r} .
<{i}event/Merger/16C/2020-04-01> <{pcg}eventDate> "2020-04-01"^^<{xsd}date> {r} .
<{i}event/Merger/16C/2020-04-01> <{prov}wasDerivedFrom> {src} {r} .
<{i}m/1> <{rdf}type> <{org}Membership> {r} .
<{i}m/1> <{rdf}type> <{pcg}PCNMembership> {r} .
<{i}m/1> <{org}member> <{i}org/A81001> {r} .
<{i}m/1> <{org}memberDuring> <{i}interval/2021-03-31_2021-03-31> {r} .
<{i}m/1> <{pcg}endEvidence> {src} {r} .
<{i}interval/2021-03-31_2021-03-31> <{rdf}type> <{time}ProperInterval> {r} .
<{i}interval/2021-03-31_2021-03-31> <{time}hasBeginning> <{i}instant/2021-03-31> {r} .
<{i}interval/2021-03-31_2021-03-31> <{time}hasEnd> <{i}instant/2021-03-31> {r} .
<{i}m/1> <{org}memberDuring> <{i}interval/2021-03-31_2021-03-31> {src} .
<{i}interval/2021-03-31_2021-03-31> <{rdf}type> <{time}ProperInterval> {src} .
<{i}interval/2021-03-31_2021-03-31> <{time}hasBeginning> <{i}instant/2021-03-31> {src} .
<{i}interval/2021-03-31_2021-03-31> <{time}hasEnd> <{i}instant/2021-03-31> {src} .
<{i}m/2> <{rdf}type> <{org}Membership> {r} .
<{i}m/2> <{rdf}type> <{pcg}CommissionerAssignment> {r} .
<{i}m/2> <{org}member> <{i}org/A81001> {r} .
<{i}m/2> <{org}organization> <{i}org/16C> {r} .
<{i}m/2> <{org}memberDuring> <{i}interval/2020-04-01_> {src} .
<{i}org/16C> <{pcg}odsCode> "16C" {r} .
<{i}org/01K-GB> <{pcg}odsCode> "01K-GB" {r} .
"""
    store = ox.Store()
    store.load(v1.encode(), format=ox.RdfFormat.N_QUADS)
    store.update(MIGRATION.read_text(encoding="utf-8"))

    def has(s: str, p: str, o: str, g: str = r) -> bool:
        return bool(store.query(f"ASK {{ GRAPH {g} {{ {s} {p} {o} }} }}"))

    event = f"<{i}event/Merger/16C/2020-04-01>"
    day = f'"2020-04-01T00:00:00"^^<{xsd}dateTime>'
    assert has(event, f"<{prov}startedAtTime>", day) and has(event, f"<{prov}endedAtTime>", day)
    assert has(event, f"<{pcg}attestedBy>", src)
    assert not has(event, f"<{prov}wasDerivedFrom>", "?x") and not has(event, f"<{pcg}eventDate>", "?x")
    assert has(f"<{i}m/1>", f"<{pcg}endPrecision>", f"<{pcg}EndNoLaterThan>")
    for g in (r, src):
        assert has(f"<{i}interval/2021-03-31_2021-03-31>", "a", f"<{time}Interval>", g)
        assert not has(f"<{i}interval/2021-03-31_2021-03-31>", "a", f"<{time}ProperInterval>", g)
    assert has(f"<{i}m/2>", "a", f"<{pcg}DatedRelation>") and not has(f"<{i}m/2>", "a", f"<{org}Membership>")
    assert has(f"<{i}m/2>", f"<{pcg}fromOrganisation>", f"<{i}org/A81001>")
    assert has(f"<{i}m/2>", f"<{pcg}toOrganisation>", f"<{i}org/16C>")
    assert has(f"<{i}m/2>", f"<{pcg}validDuring>", f"<{i}interval/2020-04-01_>", src)
    assert not has(f"<{i}m/2>", f"<{org}memberDuring>", "?x", src)
    assert has(f"<{i}m/1>", f"<{org}member>", f"<{i}org/A81001>")  # a PCN membership stays a membership
    assert has(f"<{i}org/16C>", f"<{pcg}odsCode>", '"16C"') and has(f"<{i}org/16C>", f"<{org}identifier>", '"16C"')
    assert has(f"<{i}org/01K-GB>", f"<{pcg}localCode>", '"01K-GB"')
    assert not has(f"<{i}org/01K-GB>", f"<{pcg}odsCode>", "?x")


def test_a_store_written_with_1x_is_refused_with_the_way_out_and_opens_once_migrated(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graphkit.cli import cli
    from graphkit.errors import StoreUnavailable
    from graphkit.ontology import ONTOLOGY_IRI
    from graphkit.store.oxigraph import OxigraphStore

    path = tmp_path / "store"
    store = ox.Store(str(path))
    store.load(gzip.decompress(V1_CASES.read_bytes()), format=ox.RdfFormat.N_QUADS)
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    version = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
    store.add(ox.Quad(ox.NamedNode(ONTOLOGY_IRI), version, ox.Literal("1.0.0"), ontology))
    store.flush()
    del store
    with pytest.raises(StoreUnavailable, match=r"written with ontology 1\.0\.0; .*migrate it \(docs/ontology\.md"):
        OxigraphStore(path)
    result = CliRunner().invoke(cli, ["--store-path", str(path), "get", "/organisations/ZZF-EXPANDING"])
    assert result.exit_code == 5 and "Traceback" not in result.output
    assert "written with ontology 1.0.0" in result.output
    # migrated as docs/ontology.md section 8 says
    store = ox.Store(str(path))
    store.update(MIGRATION.read_text(encoding="utf-8"))
    store.clear_graph(ontology)
    for name in ("pcg.ttl", "pcg-import.ttl", "ods-codes.ttl"):
        store.load(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE, to_graph=ontology)
    store.flush()
    del store
    opened = OxigraphStore(path)
    try:
        assert opened.ontology_version() == "2.6.0"
        assert opened.organisation("ZZF-EXPANDING", None).name == "Expanding Federation (case study, fictional)"
        members = opened.ties("ZZF-EXPANDING", "down", kind="FederationMembership")
        assert len(members) > 5
    finally:
        opened.close()


def test_the_code_reads_the_major_version_the_ontology_states() -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL

    from graphkit.ontology import ONTOLOGY_IRI, ONTOLOGY_MAJOR

    g = Graph().parse(ROOT / "ontology" / "pcg.ttl", format="turtle")
    assert str(g.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)).split(".")[0] == str(ONTOLOGY_MAJOR)
