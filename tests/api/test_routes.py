"""Every API route over both stores, with the same assertions on the real national files (seeds/).

The embedded store is the one built from seeds/; Neo4j holds the same graph, loaded from it (a real server over
Bolt). Each test runs once per store. The curated routes (people, posts, curated contracts) are tested on the case
studies in tests/ingest/test_casestudies.py, in the same way.
"""

from __future__ import annotations

import io

import networkx as nx
import pytest
import rdflib

from api.app import create_app
from api.inprocess import get, request
from graphkit.config import Settings
from tests.api.conftest import error, ok

pytestmark = [pytest.mark.integration]


# -- health and organisations --------------------------------------------------------------------------------------
def test_health_names_the_store_and_counts_organisations(app, seed_report) -> None:
    body = ok(app, "/health")
    assert body["store"] == app.state.store.kind and body["status"] == "ok"
    assert body["organisations"] == len(seed_report.graph.organisations) == 18891


def test_health_says_when_the_indexes_built_at_start_are_ready(seed_store) -> None:
    """A fresh store object has no index; the app's start builds them in the background and /health turns."""
    import time

    from fastapi.testclient import TestClient

    from graphkit.store.oxigraph import OxigraphStore
    from graphkit.store.shared import WARM_INDEXES

    store = OxigraphStore(seed_store)
    try:
        fresh = create_app(Settings(store="oxigraph"), store=store)
        assert ok(fresh, "/health")["indexes_ready"] is False  # no start yet: nothing built
        with TestClient(fresh) as client:  # runs the app's start
            deadline = time.monotonic() + 120
            while not (body := client.get("/health").json())["indexes_ready"]:
                assert time.monotonic() < deadline, body
                time.sleep(0.1)
        assert all(store.__dict__.get(name) is not None for name, _ in WARM_INDEXES)
        assert ok(fresh, "/organisations", q="bradford")["count"] > 0  # answered from the index just built
    finally:
        store.close()


def test_organisation_lookup_gives_kinds_parents_and_names(app) -> None:
    body = ok(app, "/organisations/a81001", as_of="2025-01-01")
    assert body["code"] == "A81001" and body["name"] == "THE DENSHAM SURGERY"
    assert "GPPractice" in body["kinds"] and body["start"] == "1974-04-01"
    parents = {(p["kind"], p["organisation"]) for p in body["parents"]}
    assert parents == {("PCNMembership", "U89141"), ("CommissionerAssignment", "16C")}
    assert {n["source"] for n in body["names"]} >= {"epraccur_2019-12", "epraccur_2026-02"}


def test_kind_of_a_ccg_code_changes_on_1_july_2022(app) -> None:
    before = ok(app, "/organisations/16C", as_of="2022-06-30")
    after = ok(app, "/organisations/16C", as_of="2022-07-01")
    assert before["kinds"] == ["ClinicalCommissioningGroup"]
    assert after["kinds"] == ["SubICBLocation"]
    assert set(before["all_kinds"]) == {"ClinicalCommissioningGroup", "SubICBLocation"}


def test_search_by_name_and_type(app) -> None:
    body = ok(app, "/organisations", q="stockton", type="PrimaryCareNetwork", as_of="2024-10-01")
    found = [(h["code"], h["name"]) for h in body["data"]]
    assert found == [("U07032", "NORTH STOCKTON PCN"), ("U89141", "STOCKTON PCN")]
    assert body["count"] == 2


def test_search_by_type_follows_the_date(app) -> None:
    assert ok(app, "/organisations", type="IntegratedCareBoard", as_of="2024-10-01")["count"] == 42
    assert ok(app, "/organisations", type="IntegratedCareBoard", as_of="2021-06-01")["count"] == 0
    stps = ok(app, "/organisations", type="SustainabilityAndTransformationPartnership", as_of="2021-06-01")
    assert stps["count"] == 42


def test_search_within_an_area_matches_its_members_and_pages(app) -> None:
    practices = ok(app, "/organisations", type="GPPractice", within="16c", as_of="2024-10-01", limit=10000)
    members = ok(app, "/organisations/16C/members", kind="CommissionerAssignment", as_of="2024-10-01", limit=10000)
    # the sub-ICB location's members are its 79 GP practices and 109 other prescribing cost centres
    assert practices["count"] == 79 and members["count"] == len(members["data"]) == 188
    assert {h["code"] for h in practices["data"]} < {t["member"] for t in members["data"]}
    assert all("GPPractice" in h["kinds"] for h in practices["data"])
    page = ok(app, "/organisations", type="GPPractice", within="16C", as_of="2024-10-01", limit=5, offset=5)
    assert page["count"] == practices["count"] and page["data"] == practices["data"][5:10]


def test_members_of_a_pcn_differ_between_two_dates(app) -> None:
    early = ok(app, "/organisations/U93843/members", as_of="2020-06-01")
    late = ok(app, "/organisations/U93843/members", as_of="2024-10-01")
    assert early["count"] == 16 and late["count"] == 8
    gone = {t["member"] for t in early["data"]} - {t["member"] for t in late["data"]}
    assert gone == {"B81003", "B81023", "B81030", "B81055", "B81620", "B81656", "B81663", "B81665"}
    assert ok(app, "/organisations/U87666/members", as_of="2024-10-01")["count"] == 4


def test_memberships_give_three_ordered_pcn_periods(app) -> None:
    body = ok(app, "/organisations/B81003/memberships", direction="up", kind="PCNMembership")
    periods = [(t["organisation"], t["start"], t["end"]) for t in body["data"]]
    assert periods == [
        ("U93462", "2019-10-01", "2020-03-31"),
        ("U93843", "2020-04-01", "2022-03-31"),
        ("U87666", "2022-04-01", None),
    ]


@pytest.mark.parametrize(
    ("day", "chain"),
    [
        ("2021-06-01", [("practice", "A81001"), ("PCN", "U89141"), ("commissioner", "16C"), ("system", "QHM"),
                        ("region", "Y63")]),
        ("2025-01-01", [("practice", "A81001"), ("PCN", "U89141"), ("commissioner", "16C"), ("system", "QHM"),
                        ("region", "Y63")]),
    ],
)
def test_hierarchy_of_a_real_practice(app, day: str, chain: list[tuple[str, str]]) -> None:
    body = ok(app, "/organisations/A81001/hierarchy", as_of=day)
    assert [(lv["level"], lv["organisations"][0]["code"]) for lv in body["levels"]] == chain
    kinds = {lv["level"]: lv["organisations"][0]["kinds"] for lv in body["levels"]}
    if day < "2022-07-01":
        assert kinds["commissioner"] == ["ClinicalCommissioningGroup"]
        assert kinds["system"] == ["SustainabilityAndTransformationPartnership"]
    else:
        assert kinds["commissioner"] == ["SubICBLocation"] and kinds["system"] == ["IntegratedCareBoard"]


def test_history_of_a_ccg_code(app) -> None:
    body = ok(app, "/organisations/16C/history")
    roles = [(r["role"], r["kind"], r["start"], r["end"]) for r in body["roles"]]
    assert roles == [
        ("RO98", "ClinicalCommissioningGroup", "2020-04-01", "2022-06-30"),
        ("RO319", "SubICBLocation", "2022-07-01", None),
    ]
    assert [(e["day"], e["kind"], e["originals"], e["result"]) for e in body["events"]] == [
        ("2020-04-01", "Merger", ["00C", "00K", "00M"], "16C")
    ]
    assert {"NHS Tees Valley CCG"} <= {n["name"] for n in body["names"]}
    downs = [t for t in body["memberships"] if t["organisation"] == "16C"]
    assert len(downs) > 100 and body["memberships"] == sorted(
        body["memberships"], key=lambda t: (str(t["start"]), t["kind"], t["member"], t["organisation"])
    )


def test_history_of_a_practice_gives_its_ods_roles_with_sources(app) -> None:
    roles = ok(app, "/organisations/A81001/history")["roles"]
    assert {(r["role"], r["kind"], r["start"], r["end"]) for r in roles} == {
        ("RO76", "GPPractice", "1974-04-01", None),
        ("RO177", "PrescribingCostCentre", "1974-04-01", None),
    }
    assert all("epraccur_2019-12" in r["sources"] for r in roles)


def test_history_shows_the_2026_merger(app) -> None:
    events = ok(app, "/organisations/T6Y0W/history")["events"]
    assert [(e["day"], e["originals"]) for e in events] == [("2026-08-01", ["QJG", "QMM"])]


def test_provenance_names_file_and_line(app) -> None:
    body = ok(app, "/organisations/A81001/provenance", limit=1000)
    assert body["count"] == len(body["data"]) > 20
    assert all(s["line"] >= 1 for s in body["data"])
    kinds = {s["fact_kind"] for s in body["data"]}
    assert {"Organisation", "PCNMembership", "CommissionerAssignment", "Contract"} <= kinds
    assert any(s["source"] == "epraccur_2026-02" and s["fact_kind"] == "Organisation" for s in body["data"])


# -- contracts --------------------------------------------------------------------------------------------------------
def test_apms_practices_of_one_icb_in_2022_23(app) -> None:
    body = ok(app, "/contracts", within="QHM", type="APMS", year="2022-23")
    assert body["count"] == len(body["data"]) == 10
    assert all(c["kind"] == "APMSContract" and c["stated_type"] == "APMS" and c["financial_year"] == "2022-23"
               and c["origin"] == "payments"
               for c in body["data"])
    assert "A81070" in {c["holder"] for c in body["data"]}
    mckenzie = next(c for c in body["data"] if c["holder"] == "A81070")
    assert mckenzie["amount_gbp"] == 1049488.13 and mckenzie["commissioner"] == "16C" and mckenzie["services"]


def test_the_dispensing_practices_of_one_icb_in_2022_23(app) -> None:
    every = ok(app, "/contracts", within="QHM", year="2022-23", limit=500)
    dispensing = ok(app, "/contracts", within="QHM", year="2022-23", dispensing="true", limit=500)
    others = ok(app, "/contracts", within="QHM", year="2022-23", dispensing="false", limit=500)
    assert dispensing["count"] == 50 and others["count"] == 308 and every["count"] == 358
    assert {c["holder"] for c in dispensing["data"]} == {c["holder"] for c in every["data"] if c["dispensing"]}
    assert all(c["dispensing"] is False for c in others["data"])
    error(app, "/contracts", 422, dispensing="perhaps")


def test_national_contract_types_in_2022_23(app) -> None:
    counts = {t: ok(app, "/contracts", type=t, year="2022-23", limit=1)["count"] for t in ("GMS", "PMS", "APMS")}
    assert counts == {"GMS": 4664, "PMS": 1615, "APMS": 235}


def test_a_practices_contracts_with_enhanced_services_and_pages(app) -> None:
    body = ok(app, "/contracts", holder="A81001")
    years = [c["financial_year"] for c in body["data"]]
    assert years == sorted(years) and len(years) == body["count"] >= 3
    assert all(s["amount_gbp"] >= 0 for c in body["data"] for s in c["services"])
    assert any(c["services"] for c in body["data"])
    everything = ok(app, "/contracts", year="2022-23", limit=40)
    page = ok(app, "/contracts", year="2022-23", limit=10, offset=30)
    assert page["data"] == everything["data"][30:40] and page["count"] == everything["count"] == 6669


# -- economy and export ------------------------------------------------------------------------------------------------
def test_economy_of_a_pcn(app) -> None:
    body = ok(app, "/economy/U89141", as_of="2024-10-01", depth=1)
    practices = {n["code"] for n in body["nodes"] if n["level"] == "practice"}
    assert len(practices) == 7 and "A81001" in practices
    assert [n["code"] for n in body["nodes"] if n["centre"]] == ["U89141"]
    assert all(e["kind"] in ("PCNMembership", "CommissionerAssignment") for e in body["edges"])
    deeper = ok(app, "/economy/U89141", as_of="2024-10-01", depth=2)
    assert {"16C"} <= {n["code"] for n in deeper["nodes"]} and len(deeper["nodes"]) > len(body["nodes"])


def test_economy_as_graphml(app) -> None:
    r = get(app, "/economy/U89141", params={"as_of": "2024-10-01", "depth": 1, "format": "graphml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/graphml+xml")
    g = nx.read_graphml(io.BytesIO(r.content))
    as_json = ok(app, "/economy/U89141", as_of="2024-10-01", depth=1)
    assert set(g.nodes) == {n["code"] for n in as_json["nodes"]}
    assert g.number_of_edges() == len(as_json["edges"])


def test_export_of_a_pcn_area_as_turtle_and_csv(app) -> None:
    r = get(app, "/export", params={"format": "turtle", "within": "U89141", "as_of": "2024-10-01"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    pcg = rdflib.Namespace("https://w3id.org/pcgraph/def#")
    assert len(set(g.subjects(rdflib.RDF.type, pcg.GPPractice))) == 7
    assert len(set(g.subjects(rdflib.RDF.type, pcg.PCNMembership))) == 7
    csv = get(app, "/export", params={"format": "csv", "table": "ties", "within": "U89141", "as_of": "2024-10-01"})
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == 1 + 7


def test_the_jsonld_context_is_served_and_cacheable(app) -> None:
    from graphkit.config import PROJECT_ROOT

    r = get(app, "/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"
    assert r.content == (PROJECT_ROOT / "ontology" / "context.jsonld").read_bytes()
    assert r.headers["cache-control"] == "public, max-age=86400" and r.headers["etag"].startswith('"')
    again = get(app, "/context.jsonld", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == r.headers["etag"]
    assert get(app, "/context.jsonld", headers={"If-None-Match": '"other"'}).status_code == 200


def test_export_as_jsonld_names_the_servers_context(app) -> None:
    """The compacted JSON-LD names the context by its URL on this server; pyld, given that URL's answer from the
    same app (no network), expands it to the Turtle export's triples. With context=embedded the file holds it."""
    from pyld import jsonld
    from rdflib.compare import isomorphic

    params = {"within": "U89141", "as_of": "2024-10-01"}
    r = get(app, "/export", params={"format": "jsonld", **params})
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"
    assert r.headers["content-disposition"] == 'attachment; filename="U89141_2024-10-01.jsonld"'
    doc = r.json()
    assert doc["@context"] == "http://localhost/context.jsonld"
    served = get(app, "/context.jsonld").json()

    def loader(url, options=None):
        assert url == "http://localhost/context.jsonld", url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": served}

    nquads = jsonld.to_rdf(doc, {"documentLoader": loader, "format": "application/n-quads"})
    turtle = get(app, "/export", params={"format": "turtle", **params}).text
    expanded = rdflib.Graph().parse(data=nquads, format="nt")
    assert len(expanded) > 100 and isomorphic(expanded, rdflib.Graph().parse(data=turtle, format="turtle"))
    embedded = ok(app, "/export", format="jsonld", context="embedded", **params)
    assert embedded["@context"] == served["@context"] and embedded["@graph"] == doc["@graph"]


def test_export_as_a_data_package(app, tmp_path) -> None:
    import zipfile

    from frictionless import validate

    r = get(app, "/export", params={"format": "datapackage", "within": "U89141", "as_of": "2024-10-01"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == 'attachment; filename="U89141_2024-10-01.zip"'
    path = tmp_path / "u89141.zip"
    path.write_bytes(r.content)
    with zipfile.ZipFile(path) as z:
        assert z.namelist() == ["datapackage.json", "organisations.csv", "ties.csv", "sources.csv"]
        ties = z.read("ties.csv").decode()
    csv = get(app, "/export", params={"format": "csv", "table": "ties", "within": "U89141", "as_of": "2024-10-01"})
    assert ties == csv.text
    report = validate(str(path))
    assert report.valid, report.flatten(["type", "note"])
    assert {t.name: t.stats["rows"] for t in report.tasks}["ties"] == 7


# -- analyses ----------------------------------------------------------------------------------------------------
def test_the_analysis_registry(app) -> None:
    body = ok(app, "/analyses")
    names = [a["name"] for a in body["data"]]
    assert names == ["activities", "boundary-spanners", "clinical-elites", "competition", "conflicts-of-interest",
                     "contract-chain", "footprint", "governance-profile", "interdependence", "membership-churn",
                     "style"]
    assert body["count"] == 11
    assert [a["name"] for a in body["data"] if a["temporal"]] == [
        "activities", "clinical-elites", "conflicts-of-interest", "governance-profile", "membership-churn"]


def test_footprint_finds_the_pcns_spanning_two_sub_icb_locations(app) -> None:
    body = ok(app, "/analyses/footprint", as_of="2024-10-01")
    crossing = sorted(c for c, f in body["result"]["footprints"].items() if f["n_areas"] > 1)
    assert len(crossing) == 10
    assert body["params"] == {} and body["as_of"] == "2024-10-01"


def test_an_analysis_refuses_an_unknown_centre_and_parameter(app) -> None:
    err = error(app, "/analyses/interdependence", 404, centre="ZZZ999", as_of="2024-10-01")
    assert "ZZZ999" in err["message"] and err["details"]["parameter"] == "centre"
    err = error(app, "/analyses/footprint", 422, colour="red", as_of="2024-10-01")
    assert err["details"]["parameter"] == "colour"
    err = error(app, "/analyses/footprint", 422, threshold="high")
    assert err["details"]["parameters"] == ["threshold"]
    assert "nosuch" in error(app, "/analyses/nosuch", 404)["message"]


# -- ad-hoc queries -----------------------------------------------------------------------------------------------
def test_each_store_answers_its_own_query_language_and_refuses_the_other(app) -> None:
    sparql = {"query": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a pcg:PrimaryCareNetwork } }"}
    cypher = {"query": "MATCH (p:Organisation:PrimaryCareNetwork) RETURN count(p) AS n"}
    mine, other = ("/sparql", "/cypher") if app.state.store.kind == "oxigraph" else ("/cypher", "/sparql")
    body = request(app, "POST", mine, json=sparql if mine == "/sparql" else cypher).json()
    value = body["data"][0]["n"]
    n = int(value["value"]) if isinstance(value, dict) else value
    assert n == app.state.store.summary().organisations_by_kind["PrimaryCareNetwork"] > 1283
    r = request(app, "POST", other, json=sparql if other == "/sparql" else cypher)
    assert r.status_code == 400 and r.json()["error"]["code"] == "query_refused"
    # the SPARQL 1.1 Protocol's forms answer the same: the endpoint serves only the embedded store
    protocol = request(app, "GET", "/sparql", params={"query": sparql["query"]})
    if mine == "/sparql":
        assert protocol.status_code == 200 and protocol.headers["content-type"].startswith(
            "application/sparql-results+json")
        assert protocol.json()["results"]["bindings"] == body["data"]
    else:
        assert protocol.status_code == 400 and "POST /cypher" in protocol.json()["error"]["message"]


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <urn:x> <urn:y> <urn:z> }", "CLEAR ALL", "CREATE (n:Organisation {odsCode: 'X'})",
     "MATCH (n) DETACH DELETE n"],
)
def test_updates_are_refused_with_400(app, update: str) -> None:
    path = "/sparql" if app.state.store.kind == "oxigraph" else "/cypher"
    before = ok(app, "/health")["organisations"]
    r = request(app, "POST", path, json={"query": update})
    assert r.status_code == 400 and r.json()["error"]["code"] == "query_refused"
    assert ok(app, "/health")["organisations"] == before == 18891


# -- errors -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/organisations/ZZZ999", {}),
        ("/organisations/ZZZ999/members", {}),
        ("/organisations/ZZZ999/memberships", {}),
        ("/organisations/ZZZ999/hierarchy", {}),
        ("/organisations/ZZZ999/history", {}),
        ("/organisations/ZZZ999/provenance", {}),
        ("/organisations", {"within": "ZZZ999"}),
        ("/contracts", {"holder": "ZZZ999"}),
        ("/contracts", {"within": "ZZZ999"}),
        ("/economy/ZZZ999", {}),
        ("/export", {"within": "ZZZ999"}),
        ("/posts", {"organisation": "ZZZ999"}),
        ("/people/ZZP-NOBODY", {}),
    ],
)
def test_unknown_codes_are_404_naming_the_code(app, path: str, params: dict) -> None:
    err = error(app, path, 404, **params)
    assert err["code"] == "not_found"
    assert ("ZZZ999" in err["message"]) or ("ZZP-NOBODY" in err["message"])


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/organisations/A81001", {"as_of": "2020-13-01"}, "as_of"),
        ("/organisations/A81001", {"as_of": "yesterday"}, "as_of"),
        ("/organisations/A81001/memberships", {"kind": "Friendship"}, "kind"),
        ("/organisations", {"type": "Friendship"}, "type"),
        ("/organisations", {"limit": "0"}, "limit"),
        ("/contracts", {"year": "2022-24"}, "year"),
        ("/economy/U89141", {"depth": "9"}, "depth"),
        ("/export", {"format": "pdf"}, "format"),
        ("/export", {"format": "jsonld", "context": "remote"}, "context"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(app, path: str, params: dict, parameter: str) -> None:
    err = error(app, path, 422, **params)
    assert parameter in err["message"]
    named = err["details"].get("parameters") or [err["details"].get("parameter")]
    assert named == [parameter]


@pytest.mark.parametrize(("day", "commissioner", "kinds"), [
    ("2016-01-01", "00M", ["ClinicalCommissioningGroup"]),
    ("2020-03-31", "00M", ["ClinicalCommissioningGroup"]),
    ("2020-04-01", "16C", ["ClinicalCommissioningGroup"]),
    ("2024-10-01", "16C", ["SubICBLocation"]),
])
def test_a_practice_of_a_merged_ccg_has_one_commissioner_each_day(app, day, commissioner, kinds) -> None:
    # epraccur ties A81630 to 16C from 2013-04-01; 16C opened on 2020-04-01, when 00M closed (merge rules 7, 8)
    body = ok(app, "/organisations/A81630/hierarchy", as_of=day)
    levels = {lv["level"]: lv["organisations"] for lv in body["levels"]}
    assert [(o["code"], o["kinds"]) for o in levels["commissioner"]] == [(commissioner, kinds)]
