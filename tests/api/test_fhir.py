"""The FHIR R4 facade over the real national files (seeds/), over both stores with the same assertions, and read by a
FHIR client library (fhirpy) from a live `graphkit serve`. Every answer is checked to be valid FHIR R4
(tests/api/fhir_check.py). The facade over the case studies and its errors: tests/api/test_fhir_cases.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.inprocess import get
from graphkit.core.namespaces import source_iri
from graphkit.outputs import fhir
from tests.api.conftest import ok
from tests.api.fhir_check import bundle_resources, valid
from tests.conftest import live_server

pytestmark = [pytest.mark.integration]

ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
#: JUBILEE SURGERY (H84031) in WEST TWICKENHAM PCN until 2024-09-30, then EAST TWICKENHAM PCN (ePCN 2024-10), as
#: /organisations/H84031/memberships gives them: (PCN, start, end)
PCN_ON = {"2024-09-01": ("U62999", "2019-10-01", "2024-09-30"), "2024-11-01": ("U96434", "2024-10-01", None)}


def fhir_get(app, path: str, **params: object) -> dict:
    r = get(app, path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/fhir+json"
    return valid(r.json())


def pcn_affiliations(app, date: str) -> list[dict]:
    body = fhir_get(app, "/fhir/OrganizationAffiliation", **{"participating-organization": "Organization/H84031"},
                    date=date, role=f"{fhir.ODS_RELATIONSHIP_SYSTEM}|RE8")
    return bundle_resources(body)


def test_the_pcn_membership_of_a_practice_on_two_dates_is_two_affiliations_with_their_periods(app) -> None:
    found = {date: pcn_affiliations(app, date) for date in PCN_ON}
    for date, (pcn, start, end) in PCN_ON.items():
        (a,) = found[date]
        assert a["organization"]["reference"] == f"Organization/{pcn}"
        assert a["organization"]["identifier"] == {"use": "official", "system": ODS, "value": pcn}
        assert a["participatingOrganization"]["display"] == "JUBILEE SURGERY"
        assert a["period"] == ({"start": start, "end": end} if end else {"start": start})
        assert a["active"] is True and a["code"][0]["coding"][1]["code"] == "RE8"
    assert found["2024-09-01"][0]["id"] != found["2024-11-01"][0]["id"]
    assert found["2024-09-01"][0]["organization"]["display"] == "WEST TWICKENHAM PCN"
    assert found["2024-11-01"][0]["organization"]["display"] == "EAST TWICKENHAM PCN"
    # the same periods as the JSON API's memberships, each tie's sources as the extensions, the newest as meta.source
    ties = {t["organisation"]: t for t in ok(app, "/organisations/H84031/memberships", kind="PCNMembership")["data"]}
    for (a,) in found.values():
        t = ties[a["organization"]["reference"].split("/")[1]]
        assert (a["period"].get("start"), a["period"].get("end")) == (t["start"], t["end"])
        sources = [e["valueUri"] for e in a["extension"] if e["url"] == fhir.SOURCE_EXTENSION]
        assert sorted(sources) == sorted(str(source_iri(s)) for s in t["sources"])
    assert found["2024-11-01"][0]["meta"]["source"] == str(source_iri("gp-reg-pat-prac-map_2026-08"))
    # all of history: West, then Hampton for one day, then East
    every = bundle_resources(fhir_get(app, "/fhir/OrganizationAffiliation", **{"participating-organization": "H84031"},
                                      role="PCNMembership"))
    assert [(a["organization"]["reference"][13:], a["period"]) for a in every] == [
        ("U62999", {"start": "2019-10-01", "end": "2024-09-30"}),
        ("U84150", {"start": "2024-10-01", "end": "2024-10-01"}),
        ("U96434", {"start": "2024-10-01"})]


def test_a_practice_is_an_organization_with_its_roles_and_its_commissioner_on_the_date(app) -> None:
    r = fhir_get(app, "/fhir/Organization/h84031", as_of="2024-09-01")
    assert (r["id"], r["name"], r["active"]) == ("H84031", "JUBILEE SURGERY", True)
    assert r["identifier"] == [{"use": "official", "system": ODS, "value": "H84031"}]
    assert [c["coding"][0]["code"] for c in r["type"]] == ["RO177", "RO76", "GPPractice", "PrescribingCostCentre"]
    assert r["partOf"]["reference"] == "Organization/36L"
    assert fhir_get(app, "/fhir/Organization/H84031", as_of="2019-06-01")["partOf"]["reference"] == "Organization/08P"
    # every source the JSON API names, the newest file as meta.source
    sources = ok(app, "/organisations/H84031")["sources"]
    assert sorted(e["valueUri"] for e in r["extension"] if e["url"] == fhir.SOURCE_EXTENSION) == sorted(
        str(source_iri(s)) for s in sources)
    assert r["meta"]["source"] == str(source_iri("gp-reg-pat-prac-map_2026-08"))


def test_a_ccg_code_turns_sub_icb_location_in_its_roles_on_the_icb_day(app) -> None:
    before = fhir_get(app, "/fhir/Organization/36L", as_of="2022-06-30")
    after = fhir_get(app, "/fhir/Organization/36L", as_of="2022-07-01")
    ods = fhir.ODS_ROLE_SYSTEM
    assert [c["coding"][0]["code"] for c in before["type"] if c["coding"][0]["system"] == ods] == ["RO326", "RO98"]
    assert [c["coding"][0]["code"] for c in after["type"] if c["coding"][0]["system"] == ods] == ["RO319", "RO326"]
    assert [c["coding"][0]["code"] for c in after["type"] if c["coding"][0]["system"] == fhir.KIND_SYSTEM] == [
        "SubICBLocation"]
    assert after["partOf"]["reference"] == "Organization/QWE"


def test_a_search_by_name_and_type_uses_the_search_index(app) -> None:
    body = fhir_get(app, "/fhir/Organization", **{"name:contains": "twickenham"}, type=f"{fhir.ODS_ROLE_SYSTEM}|RO272",
                    as_of="2024-11-01")
    json_api = ok(app, "/organisations", q="twickenham", type="PrimaryCareNetwork", as_of="2024-11-01")
    assert [r["id"] for r in bundle_resources(body)] == [h["code"] for h in json_api["data"]] == ["U96434", "U62999"]
    assert body["total"] == 2
    east = fhir_get(app, "/fhir/Organization", name="east twick", type="RO272", as_of="2024-11-01")
    assert [r["id"] for r in bundle_resources(east)] == ["U96434"]
    practices = fhir_get(app, "/fhir/Organization", type="RO76,RO272", as_of="2024-11-01", _count=0)["total"]
    assert practices == (ok(app, "/organisations", type="GPPractice", as_of="2024-11-01", limit=1)["count"]
                         + ok(app, "/organisations", type="PrimaryCareNetwork", as_of="2024-11-01", limit=1)["count"])


# -- a FHIR client over a live server ---------------------------------------------------------------------------------
@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def server(request, seed_store: Path, tmp_path: Path) -> Iterator[str]:
    """A live `graphkit serve` over one store: its base URL."""
    env = {**os.environ, "GRAPHKIT_STORE": request.param, "GRAPHKIT_STORE_PATH": str(seed_store)}
    if request.param == "neo4j":
        env.update(NEO4J_URI=str(request.getfixturevalue("neo4j_uri")), NEO4J_PASSWORD="", NEO4J_DATABASE="neo4j")
        request.getfixturevalue("neo4j_seed")  # the database holds the seed graph
    with live_server(env, tmp_path / "serve.log", what=f"graphkit serve over {request.param}") as url:
        yield url


def test_a_fhir_client_reads_a_practice_and_its_pcn_on_two_dates(server: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(server + "/fhir", requests_config={"timeout": 300})
    practice = client.reference("Organization", "H84031").to_resource()
    assert valid(practice.serialize())["name"] == "JUBILEE SURGERY"
    assert practice.get_by_path(["identifier", 0, "value"]) == "H84031"
    found = client.resources("Organization").search(identifier=f"{ODS}|H84031").fetch_all()
    assert [o.id for o in found] == ["H84031"]
    for date, (pcn, start, end) in PCN_ON.items():
        ties = (client.resources("OrganizationAffiliation")
                .search(participating_organization="Organization/H84031", date=date, role="RE8").fetch_all())
        assert [(valid(t.serialize())["organization"]["reference"], t["period"]) for t in ties] == [
            (f"Organization/{pcn}", {"start": start, "end": end} if end else {"start": start})]
        pcn_org = ties[0]["organization"].to_resource()  # the reference resolves on the server
        assert pcn_org.id == pcn and valid(pcn_org.serialize())["type"][0]["coding"][0]["code"] == "RO272"
    # the client follows the Bundle's next links: 16 practices of PANACEA PCN in 2020, three pages of six
    members = (client.resources("OrganizationAffiliation")
               .search(organization="Organization/U93843", date="2020-06-01").limit(6).fetch_all())
    assert len(members) == len({m.id for m in members}) == 16
    metadata = client.execute("metadata", method="get")
    assert valid(metadata)["fhirVersion"] == "4.0.1"
