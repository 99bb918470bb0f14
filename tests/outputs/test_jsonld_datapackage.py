"""The JSON-LD exports compacted with the published context, and the CSV exports as Frictionless data packages,
on the real national files (the ICB QHM) and on the case studies.

JSON-LD: pyld (an independent JSON-LD processor) expands the compacted document, its context loaded from the
repository's ontology/context.jsonld by a document loader that refuses every other URL (nothing is fetched), and
the triples must be the Turtle export's, compared as graphs. Data packages: the frictionless package validates
them as ``frictionless validate`` does (schemas, types, keys, sizes and hashes), and a broken copy must fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import rdflib
from frictionless import validate
from pyld import jsonld
from rdflib.compare import isomorphic

from graphkit.config import PROJECT_ROOT
from graphkit.outputs import datapackage
from graphkit.outputs.area import AreaGraph, area_graph, to_jsonld, to_rdf

pytestmark = [pytest.mark.integration]

DAY = dt.date(2025, 1, 1)
CASES_DAY = dt.date(2016, 9, 1)
CONTEXT_URL = "http://localhost:8000/context.jsonld"
CONTEXT_FILE = PROJECT_ROOT / "ontology" / "context.jsonld"


def local_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: our context from the repository file, anything else refused (no network)."""
    if url != CONTEXT_URL:
        raise jsonld.JsonLdError(f"refused to load {url}", "loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))}


def pyld_graph(document: bytes) -> rdflib.Graph:
    nquads = jsonld.to_rdf(json.loads(document), {"documentLoader": local_loader, "format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nt")


def turtle_graph(area: AreaGraph) -> rdflib.Graph:
    return rdflib.Graph().parse(data=to_rdf(area, "turtle"), format="turtle")


@pytest.fixture(scope="module")
def qhm(oxigraph: Any) -> AreaGraph:
    return area_graph(oxigraph, "QHM", DAY)


@pytest.fixture(scope="module")
def cases(cases_embedded: Any) -> AreaGraph:
    """Every case-study organisation open on a day of the report's fieldwork (the case-study store holds only
    them)."""
    return area_graph(cases_embedded, None, CASES_DAY)


# -- JSON-LD -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["qhm", "cases"])
def test_compacted_jsonld_expands_to_the_turtle_triples(which: str, request: pytest.FixtureRequest) -> None:
    area: AreaGraph = request.getfixturevalue(which)
    turtle = turtle_graph(area)
    by_url = to_jsonld(area, CONTEXT_URL)
    doc = json.loads(by_url)
    assert doc["@context"] == CONTEXT_URL and len(doc["@graph"]) > 50
    expanded = pyld_graph(by_url)
    assert len(expanded) == len(turtle) > 500
    assert isomorphic(expanded, turtle)
    # the same triples with the context in the file (what the CLI writes), by pyld and by rdflib
    embedded = to_jsonld(area, None)
    assert json.loads(embedded)["@context"] == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert isomorphic(pyld_graph(embedded), turtle)
    assert isomorphic(rdflib.Graph().parse(data=embedded, format="json-ld"), turtle)


def test_a_changed_triple_shows(qhm: AreaGraph) -> None:
    """The comparison above can fail: one date changed in the compacted file makes the graphs differ."""
    doc = json.loads(to_jsonld(qhm, CONTEXT_URL))
    instant = next(n for n in doc["@graph"] if n.get("@type") == "Instant")
    instant["inXSDDate"] = "1900-01-01"
    changed = pyld_graph(json.dumps(doc).encode())
    assert len(changed) == len(turtle_graph(qhm)) and not isomorphic(changed, turtle_graph(qhm))


def test_the_compacted_form_uses_the_contexts_terms(qhm: AreaGraph, cases: AreaGraph) -> None:
    """Every property and class the exports use has a term: no full IRI as a key or a type; object properties
    hold compact IRIs, dates plain strings, list sizes JSON numbers."""
    for area in (qhm, cases):
        graph = json.loads(to_jsonld(area, CONTEXT_URL))["@graph"]
        keys = {k for node in graph for k in node}
        types = {t for node in graph for t in ([node["@type"]] if isinstance(node.get("@type"), str)
                                               else node.get("@type", []))}
        assert not [k for k in keys | types if "://" in k], area.within
        assert not [k for k in keys if ":" in k]  # every key a term of the context, none a compact IRI
    graph = json.loads(to_jsonld(qhm, CONTEXT_URL))["@graph"]
    a81001 = next(n for n in graph if n["@id"] == "id:org/A81001")
    assert {"GPPractice", "FormalOrganization"} <= set(a81001["@type"]) and a81001["odsCode"] == "A81001"
    membership = next(n for n in graph if n["@id"].startswith("id:membership/PCNMembership/A81001/"))
    assert membership["member"] == "id:org/A81001" and membership["organization"] == "id:org/U89141"
    assert "id:source/ePCN_2024-10_core_partner_details" in membership["wasDerivedFrom"]
    instant = next(n for n in graph if n.get("@type") == "Instant")
    assert isinstance(instant["inXSDDate"], str) and dt.date.fromisoformat(instant["inXSDDate"])
    sizes = [n["listSize"] for n in json.loads(to_jsonld(cases, CONTEXT_URL))["@graph"] if "listSize" in n]
    assert sizes and all(isinstance(s, int) for s in sizes)


def test_the_loader_fetches_nothing_else(qhm: AreaGraph) -> None:
    with pytest.raises(jsonld.JsonLdError):
        pyld_graph(to_jsonld(qhm, "https://example.org/elsewhere.jsonld"))


# -- data packages -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qhm_package(oxigraph: Any, qhm: AreaGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("qhm-package")
    datapackage.write(datapackage.package(qhm, oxigraph.source_files()), folder)
    return folder


def test_the_data_package_of_an_icb_validates(oxigraph: Any, qhm: AreaGraph, qhm_package: Path,
                                              tmp_path: Path) -> None:
    report = validate(str(qhm_package / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:10]
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows == {"organisations": len(qhm.organisations), "ties": len(qhm.ties),
                    "sources": len(oxigraph.source_files())}
    # the zip the API sends holds the same files, and validates as it is
    zipped = tmp_path / "qhm.zip"
    datapackage.write(datapackage.package(qhm, oxigraph.source_files()), zipped)
    with zipfile.ZipFile(zipped) as z:
        assert sorted(z.namelist()) == ["datapackage.json", "organisations.csv", "sources.csv", "ties.csv"]
        assert all(z.read(name) == (qhm_package / name).read_bytes() for name in z.namelist())
    assert validate(str(zipped)).valid


def test_the_descriptor_says_what_the_tables_hold(oxigraph: Any, qhm_package: Path) -> None:
    descriptor = json.loads((qhm_package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"] == [datapackage.OGL_LICENCE]  # every national file is under the OGL
    assert {s["path"] for s in descriptor["sources"]} == {s.file_name for s in oxigraph.source_files()}
    payments = next(s for s in descriptor["sources"] if s["path"] == "nhspaymentsgp_2022-23.csv.gz")
    assert payments["publisher"] == "NHS England (formerly NHS Digital)" and payments["vintage"] == "2023-03-31"
    resources = {r["name"]: r for r in descriptor["resources"]}
    organisations = resources["organisations"]["schema"]
    assert organisations["primaryKey"] == ["code"]
    types = {f["name"]: f["type"] for f in organisations["fields"]}
    assert types == {"code": "string", "name": "string", "kinds": "string", "level": "string", "start": "date",
                     "end": "date", "list_size": "integer", "list_size_year": "string"}
    assert all(f["description"] for r in resources.values() for f in r["schema"]["fields"])
    ties = resources["ties"]["schema"]
    assert {fk["fields"][0] for fk in ties["foreignKeys"]} == {"member", "organisation"}
    assert {f["name"]: f["type"] for f in ties["fields"]}["derived"] == "boolean"
    for r in resources.values():
        data = (qhm_package / r["path"]).read_bytes()
        assert r["bytes"] == len(data) and r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def _rewrite(folder: Path, name: str, old: bytes, new: bytes) -> None:
    """Change one table and its size and hash in the descriptor, so that only the change itself can fail."""
    path = folder / name
    data = path.read_bytes()
    assert old in data
    data = data.replace(old, new, 1)
    path.write_bytes(data)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        if r["path"] == name:
            r["bytes"], r["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.mark.parametrize(("table", "old", "new", "errors"), [
    ("ties.csv", b",A81001,", b",ZZ999,", {"foreign-key"}),  # a tie to an organisation not in the package
    ("organisations.csv", b",2022-23\r\n", b",last year\r\n", {"constraint-error"}),  # not a financial year
    # a code twice: the key and the field's uniqueness break, and the ties of the code overwritten lose their end
    ("organisations.csv", b"A81017,", b"A81001,", {"primary-key", "unique-error", "foreign-key"}),
    ("ties.csv", b",true,", b",yes,", {"type-error"}),  # not a boolean of the schema's
])
def test_a_broken_copy_fails(qhm_package: Path, tmp_path: Path, table: str, old: bytes, new: bytes,
                             errors: set[str]) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(qhm_package, broken)
    _rewrite(broken, table, old, new)
    report = validate(str(broken / "datapackage.json"))
    assert not report.valid
    assert {e[0] for e in report.flatten(["type"])} == errors


def test_a_tampered_table_fails_its_hash(qhm_package: Path, tmp_path: Path) -> None:
    broken = tmp_path / "tampered"
    shutil.copytree(qhm_package, broken)
    (broken / "sources.csv").write_bytes((broken / "sources.csv").read_bytes().replace(b"NHS", b"NHZ", 1))
    report = validate(str(broken / "datapackage.json"))
    assert not report.valid and "hash-count" in {e[0] for e in report.flatten(["type"])}


def test_the_case_studies_package_validates_with_their_licence(cases_embedded: Any, cases: AreaGraph,
                                                               tmp_path: Path) -> None:
    datapackage.write(datapackage.package(cases, cases_embedded.source_files()), tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:10]
    licences = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))["licenses"]
    assert [lic["name"] for lic in licences] == ["notspecified"]
    assert "Queen's Printer" in licences[0]["title"]
    sizes = {r["code"]: r for r in csv.DictReader((tmp_path / "organisations.csv").open(encoding="utf-8"))}
    assert any(r["list_size"] and not r["list_size_year"] for r in sizes.values())  # curated: no year


@pytest.mark.neo4j
def test_both_stores_give_the_same_package_and_jsonld(oxigraph: Any, neo4j_seed: Any, qhm: AreaGraph) -> None:
    assert neo4j_seed.source_files() == oxigraph.source_files()
    from_neo4j = area_graph(neo4j_seed, "QHM", DAY)
    assert datapackage.package(from_neo4j, neo4j_seed.source_files()) == datapackage.package(
        qhm, oxigraph.source_files())
    assert to_jsonld(from_neo4j, CONTEXT_URL) == to_jsonld(qhm, CONTEXT_URL)
