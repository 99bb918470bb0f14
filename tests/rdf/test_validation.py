"""Validation: the shapes by pySHACL and compiled to SPARQL agree; bad inputs give one-line errors,
a non-zero exit, and nothing written to any store."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graphkit.ontology import shacl
from tests.conftest import DATA, SEEDS

SHAPE_FILES = sorted((DATA / "shapes").glob("*.ttl"))
TTL_HEAD = """@prefix pcg: <https://w3id.org/pcgraph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix o: <https://w3id.org/pcgraph/id/org/> .
@prefix src: <https://w3id.org/pcgraph/id/source/> .
"""


def _key(results: list[shacl.Result]) -> set[tuple[str, str, str | None, str, str]]:
    return {(r.severity, r.focus, r.path, r.constraint, r.shape) for r in results}


@pytest.mark.slow
@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_compiled_shapes_agree_with_pyshacl(path: Path) -> None:
    # the bad_/warn_/ok_ files are overlays on good.ttl
    files = [path] if path.name == "good.ttl" else [DATA / "shapes" / "good.ttl", path]
    data = Graph()
    for f in files:
        data.parse(f)
    reference = shacl.validate_graph(data)
    store = ox.Store()
    for f in files:
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    for f in shacl.ontology_files():
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    compiled = shacl.validate_store(store)
    assert _key(compiled) == _key(reference)
    if path.name.startswith("bad_"):
        assert any(r.severity == "Violation" for r in reference)
    if path.name.startswith(("warn_", "ok_")) or path.name == "good.ttl":
        assert "Violation" not in {r.severity for r in reference}
    if path.name.startswith("warn_"):
        assert any(r.severity == "Warning" for r in reference)


def _graphkit(*args: str, store: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    if store is not None:
        env["GRAPHKIT_STORE_PATH"] = str(store)
    return subprocess.run([sys.executable, "-m", "graphkit.cli", *args], capture_output=True, text=True, env=env,
                          check=False)


def _gp_map_lines() -> list[str]:
    with gzip.open(SEEDS / "ods" / "gp-reg-pat-prac-map_2026-08.csv.gz", "rt", encoding="utf-8") as fh:
        return [next(fh) for _ in range(4)]


def _ttl(body: str) -> str:
    return TTL_HEAD + body


GOOD_PRACTICE = """o:A81001 a pcg:GPPractice ; pcg:odsCode "A81001" ; rdfs:label "THE DENSHAM SURGERY" .
o:U89141 a pcg:PrimaryCareNetwork ; pcg:odsCode "U89141" ; rdfs:label "STOCKTON PCN" .
src:x a pcg:SourceDocument ; pcg:fileName "x.csv" ; pcg:vintage "2024-10-01"^^xsd:date .
"""
MEMBERSHIP = """<https://w3id.org/pcgraph/id/membership/m1> a org:Membership, pcg:PCNMembership ;
    org:member {member} ; org:organization o:U89141 ; prov:wasDerivedFrom src:x ; pcg:sourceLine 2 ;
    org:memberDuring <https://w3id.org/pcgraph/id/interval/i1> .
<https://w3id.org/pcgraph/id/interval/i1> a time:ProperInterval ;
    time:hasBeginning <https://w3id.org/pcgraph/id/instant/b> {end} .
<https://w3id.org/pcgraph/id/instant/b> a time:Instant ; time:inXSDDate {start} .
"""

# (file name, content (str or bytes), expected text in the one-line error)
BAD_INPUTS: list[tuple[str, str | bytes, str]] = [
    ("empty.csv", "", "empty file"),
    ("empty.ttl", "", "empty file"),
    ("unknown-layout.csv", "name,colour\nA,red\n", "unrecognised file"),
    ("latin1.csv", "PRACTICE_CODE,NAME\nA81001,CAF\xc9\n".encode("latin-1"), "UTF-8"),
    ("utf16.ttl", _ttl(GOOD_PRACTICE).encode("utf-16"), "not UTF-8"),
    ("broken.ttl", _ttl('o:A81001 a pcg:GPPractice ; pcg:odsCode "A81001 .'), "not valid turtle"),
    ("broken.jsonld", '{"@id": "https://w3id.org/pcgraph/id/org/A81001", ', "not valid json-ld"),
    ("only-comments.ttl", "# nothing here\n", "no triples"),
    ("epraccur.csv", '"A81001","THE DENSHAM SURGERY","Y63","QHM","","","","","","TS18 1HU","19740401","","A","B",'
                     '"16C","20200401","","","","","","0","","16C","","4",""\n' * 3, "vintage"),
    ("nhspaymentsgp.csv", None, "financial year"),  # filled in below from the real header
    ("bad-practice-code.ttl", _ttl(GOOD_PRACTICE.replace('pcg:odsCode "A81001"', 'pcg:odsCode "A8100"')),
     "GP practice code"),
    ("missing-code.ttl", _ttl(GOOD_PRACTICE.replace('pcg:odsCode "A81001" ;', "")), "odsCode"),
    ("two-codes.ttl", _ttl(GOOD_PRACTICE.replace('pcg:odsCode "A81001"', 'pcg:odsCode "A81001", "A81002"')),
     "odsCode"),
    ("no-name.ttl", _ttl(GOOD_PRACTICE.replace('; rdfs:label "THE DENSHAM SURGERY"', "")), "label"),
    ("end-before-start.ttl", _ttl(GOOD_PRACTICE + MEMBERSHIP.format(
        member="o:A81001", start='"2024-10-01"^^xsd:date',
        end='; time:hasEnd <https://w3id.org/pcgraph/id/instant/e> .\n<https://w3id.org/pcgraph/id/instant/e> '
            'a time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date')), "IntervalShape"),
    ("date-not-a-date.ttl", _ttl(GOOD_PRACTICE + MEMBERSHIP.format(member="o:A81001", start='"first of May"',
                                                                    end="")), "inXSDDate"),
    ("pcn-member-is-a-trust.ttl", _ttl(GOOD_PRACTICE + 'o:RVV a pcg:NHSTrust ; pcg:odsCode "RVV" ; '
                                       'rdfs:label "EAST KENT HOSPITALS" .\n' + MEMBERSHIP.format(
                                           member="o:RVV", start='"2024-10-01"^^xsd:date', end="")),
     "PCNMembershipShape"),
    ("membership-without-provenance.ttl", _ttl(GOOD_PRACTICE + MEMBERSHIP.format(
        member="o:A81001", start='"2024-10-01"^^xsd:date', end="").replace(" prov:wasDerivedFrom src:x ;", "")),
     "wasDerivedFrom"),
    ("contract-without-holder.ttl", _ttl(GOOD_PRACTICE + 'o:16C a pcg:SubICBLocation ; pcg:odsCode "16C" ; '
                                         'rdfs:label "16C" .\n<https://w3id.org/pcgraph/id/contract/c1> '
                                         'a pcg:GMSContract ; pcg:commissioner o:16C ; pcg:financialYear "2022-23" ; '
                                         'prov:wasDerivedFrom src:x ; pcg:sourceLine 3 .\n'), "contractHolder"),
    ("unknown-property.ttl", _ttl(GOOD_PRACTICE.replace('rdfs:label "THE DENSHAM SURGERY"',
                                                        'rdfs:label "THE DENSHAM SURGERY" ; pcg:colour "red"')),
     "colour is not a property the ontology defines"),
    ("unknown-class.ttl", _ttl(GOOD_PRACTICE.replace("a pcg:GPPractice", "a pcg:GPPractise")),
     "GPPractise is not a class"),
    ("fictional-code-not-fictional.ttl", _ttl(GOOD_PRACTICE.replace('"A81001"', '"ZZF001"')), "code"),
]


def _write(tmp: Path, name: str, content: str | bytes | None) -> Path:
    p = tmp / name
    if name == "nhspaymentsgp.csv":
        with gzip.open(SEEDS / "payments" / "nhspaymentsgp_2022-23.csv.gz", "rt", encoding="utf-8-sig") as fh:
            content = "".join(next(fh) for _ in range(3))
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content or "", encoding="utf-8")
    return p


def test_there_are_at_least_twenty_bad_inputs() -> None:
    assert len(BAD_INPUTS) >= 20


@pytest.mark.parametrize(("name", "content", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gives_a_one_line_error_and_non_zero_exit(tmp_path: Path, name: str, content, expected: str) -> None:
    p = _write(tmp_path, name, content)
    out = _graphkit("validate", "--no-warnings", str(p))
    assert out.returncode == 1, out.stdout + out.stderr
    lines = [x for x in out.stdout.splitlines() if x.strip()]
    assert lines, out.stderr
    assert all(x.startswith(str(p)) for x in lines), lines  # every problem names the file, one per line
    assert any(expected in x for x in lines), lines
    assert "Traceback" not in out.stderr


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("small") / "store"
    out = _graphkit("import", "ods", str(SEEDS / "ods" / "eccg_2025-12.csv"), str(SEEDS / "ods" / "etr_2025-12.csv"),
                    store=store)
    assert out.returncode == 0, out.stderr
    return store


def _snapshot(store: Path) -> tuple[int, list[str]]:
    s = ox.Store.read_only(str(store))
    n = len(s)
    del s
    return n, json.loads(store.with_name(store.name + ".imports.json").read_text())


@pytest.mark.parametrize(("name", "content", "expected"),
                         [b for b in BAD_INPUTS if b[0].endswith(".csv")], ids=lambda b: str(b)[:30])
def test_a_refused_import_writes_nothing(tmp_path: Path, small_store: Path, name: str, content, expected: str) -> None:
    before = _snapshot(small_store)
    p = _write(tmp_path, name, content)
    out = _graphkit("import", "ods", str(p), store=small_store)
    assert out.returncode != 0
    assert out.stderr.startswith("graphkit: error:") and "Traceback" not in out.stderr
    assert str(p) in out.stderr.splitlines()[-1] or str(p) in out.stderr
    assert _snapshot(small_store) == before
    assert not small_store.with_name("store.building").exists()


def test_a_shacl_violation_blocks_the_import_and_names_file_line_and_field(tmp_path: Path, small_store: Path) -> None:
    lines = _gp_map_lines()
    bad = tmp_path / "map_2026-08.csv"
    # a practice code one digit short: the importer loads the row, the shapes refuse the graph
    bad.write_text(lines[0] + lines[1].replace("A81001", "A8100", 1), encoding="utf-8")
    before = _snapshot(small_store)
    out = _graphkit("import", "ods", str(bad), store=small_store)
    assert out.returncode == 4, out.stderr
    assert "map_2026-08.csv:2 [odsCode]" in out.stderr and "A8100" in out.stderr
    assert _snapshot(small_store) == before
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.integration
def test_everything_in_seeds_conforms_to_the_shapes(seed_store: Path, seed_report) -> None:
    """The build validates the store it loaded, before publishing it, and refuses it on any violation
    (test_a_shacl_violation_blocks_the_import_... above): the seed store was published, and its report holds what the
    shapes found that is not a violation."""
    from graphkit.store import generations

    assert generations.current(seed_store) is not None  # published: the shapes found no violation
    shacl = [i for i in seed_report.quality.issues if i.rule.startswith("shacl:")]
    overlap = {i.subject for i in shacl if i.rule == "shacl:PCNOverlapShape"}
    assert "H84031" in overlap and len(overlap) == 11
    assert len(seed_report.quality.by_rule("shacl:PCNOverlapShape")) == 11
    # two more were the 2019 file's PCN against a newer file's other PCN from the same day: the newer file is
    # followed and the older row is a conflict (merge rule 2), not an overlap
    overruled = {(i.subject, i.file, i.line) for i in seed_report.quality.by_rule("newer-file-places-member-elsewhere")}
    assert {("M86032", "ePCN_2019-12_core_partner_details.csv.gz", 2150),
            ("E82017", "ePCN_2019-12_core_partner_details.csv.gz", 2971)} <= overruled
