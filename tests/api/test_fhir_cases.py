"""The FHIR facade over the case studies (seeds/casestudies, fictional: curated federations, their members, boards,
commissioners), over each store: organisations outside ODS, ties ODS has no code for, paging, and every error as an
OperationOutcome. Every answer is checked to be valid FHIR R4 (tests/api/fhir_check.py). The national files:
tests/api/test_fhir.py."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.inprocess import get, request
from api.routers.fhir import FhirRoute
from graphkit.config import Settings
from graphkit.outputs import fhir
from tests.api.fhir_check import bundle_resources, links, valid

LOCAL = "https://w3id.org/pcgraph/id/org/"


@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def app(request, cases_embedded):
    """The app over the case studies in the embedded store, then in Neo4j."""
    store = cases_embedded if request.param == "oxigraph" else request.getfixturevalue("cases_neo4j")
    return create_app(Settings(store=request.param), store=store)


def fhir_get(app: FastAPI, path: str, status: int = 200, **params: object) -> dict:
    r = get(app, path, params=params) if params else get(app, path)  # a link's URL keeps its own query
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/fhir+json"
    return valid(r.json())


def outcome(app: FastAPI, path: str, status: int, issue: str, code: str, method: str = "GET", **params: object
            ) -> str:
    r = request(app, method, path, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/fhir+json"
    body = valid(r.json())
    assert body["resourceType"] == "OperationOutcome" and len(body["issue"]) == 1
    (i,) = body["issue"]
    assert (i["severity"], i["code"], i["details"]["coding"][0]["code"]) == ("error", issue, code)
    return i["diagnostics"]


def test_an_organisation_outside_ods_has_the_projects_identifier_and_kinds(app) -> None:
    r = fhir_get(app, "/fhir/Organization/zzf-expanding", as_of="2018-06-30")
    assert r["id"] == "ZZF-EXPANDING" and r["name"] == "Expanding Federation (case study, fictional)"
    assert r["identifier"] == [{"use": "official", "system": LOCAL, "value": "ZZF-EXPANDING"}]
    assert r["meta"]["tag"] == [{"system": fhir.TAG_SYSTEM, "code": "fictional",
                                 "display": "fictional (a case study of the federation report)"}]
    assert r["meta"]["source"] == "https://w3id.org/pcgraph/id/source/curated-casestudies-organisations"
    assert [c["coding"] for c in r["type"]] == [[{"system": fhir.KIND_SYSTEM, "code": "GPFederation",
                                                  "display": "GP federation"}]]  # no ODS role
    assert r["active"] is True and "partOf" not in r  # a federation sits outside the NHS hierarchy
    assert fhir_get(app, "/fhir/Organization/ZZF-EXPANDING", as_of="2015-10-31")["active"] is False  # not yet open


def test_a_federation_membership_is_an_affiliation_on_the_days_it_holds(app) -> None:
    def small_members(date: str) -> set[str]:
        body = fhir_get(app, "/fhir/OrganizationAffiliation", organization="Organization/ZZF-SMALL", date=date,
                        role="FederationMembership")
        return {a["participatingOrganization"]["reference"].split("/")[1] for a in bundle_resources(body)}

    assert "ZZF-SMALL-P04" in small_members("2018-12-31") and "ZZF-SMALL-P04" not in small_members("2019-01-01")
    body = fhir_get(app, "/fhir/OrganizationAffiliation", **{"participating-organization": "ZZF-SMALL-P04"})
    left = [a for a in bundle_resources(body) if a["organization"]["reference"] == "Organization/ZZF-SMALL"]
    assert [(a["id"], a["period"], a["active"]) for a in left] == [
        ("ZZF-SMALL-P04.ZZF-SMALL.FederationMembership.2014-07-01", {"start": "2014-07-01", "end": "2018-12-31"},
         False)]  # active on today, the tie ended in 2018
    (code,) = left[0]["code"]
    assert code["coding"] == [{"system": fhir.TIE_KIND_SYSTEM, "code": "FederationMembership",
                               "display": "federation membership"}]  # ODS has no code for a federation
    assert left[0]["meta"]["source"] == "https://w3id.org/pcgraph/id/source/curated-casestudies-memberships"
    # the id reads the same resource back, active on the date asked
    back = fhir_get(app, f"/fhir/OrganizationAffiliation/{left[0]['id']}", date="2018-06-30")
    assert back == {**left[0], "active": True}


def test_the_members_on_a_date_are_those_of_the_json_api(app) -> None:
    members = get(app, "/organisations/ZZF-EXPANDING/members", params={"as_of": "2018-06-30", "limit": 1000}).json()
    body = fhir_get(app, "/fhir/OrganizationAffiliation", organization="ZZF-EXPANDING", date="eq2018-06-30")
    got = sorted((a["participatingOrganization"]["reference"][13:], a["code"][0]["coding"][0]["code"])
                 for a in bundle_resources(body))
    assert body["total"] == members["count"] == 48
    assert got == sorted((t["member"], t["kind"]) for t in members["data"])
    assert all(a["active"] for a in bundle_resources(body))


def test_a_search_pages_through_every_match_once(app) -> None:
    every = get(app, "/organisations", params={"type": "GPFederation", "as_of": "2018-06-30"}).json()
    assert every["count"] >= 5
    seen: list[str] = []
    body = fhir_get(app, "/fhir/Organization", type="GPFederation", as_of="2018-06-30", _count=2)
    pages = 1
    while True:
        assert body["total"] == every["count"]
        assert ("previous" in links(body)) == (pages > 1)
        seen += [r["id"] for r in bundle_resources(body)]
        nxt = links(body).get("next")
        if nxt is None:
            break
        body = fhir_get(app, urlsplit(nxt).path + "?" + urlsplit(nxt).query)
        pages += 1
    assert seen == [h["code"] for h in every["data"]]  # by name then code, each once
    assert pages == (every["count"] + 1) // 2
    assert links(body)["last"] == links(body)["self"]
    total_only = fhir_get(app, "/fhir/Organization", type="GPFederation", as_of="2018-06-30", _count=0)
    assert total_only["total"] == every["count"] and "entry" not in total_only
    # the graph's kind and the ODS role system: a code of one system is not found in another
    assert fhir_get(app, "/fhir/Organization", type=f"{fhir.KIND_SYSTEM}|GPFederation", as_of="2018-06-30",
                    _count=0)["total"] == every["count"]
    assert fhir_get(app, "/fhir/Organization", type=f"{fhir.ODS_ROLE_SYSTEM}|GPFederation", _count=0)["total"] == 0


def test_identifier_and_name_searches(app) -> None:
    by_code = fhir_get(app, "/fhir/Organization", identifier=f"{LOCAL}|zzf-small-p04")
    assert [r["id"] for r in bundle_resources(by_code)] == ["ZZF-SMALL-P04"]
    assert fhir_get(app, "/fhir/Organization", identifier="https://fhir.nhs.uk/Id/ods-organization-code|"
                    "ZZF-SMALL-P04")["total"] == 1  # the two systems are not told apart by the facade
    assert fhir_get(app, "/fhir/Organization", identifier="http://example.org/x|ZZF-SMALL-P04")["total"] == 0
    assert fhir_get(app, "/fhir/Organization", identifier="ZZF-NOSUCH")["total"] == 0
    starts = bundle_resources(fhir_get(app, "/fhir/Organization", name="expanding fed", as_of="2018-06-30"))
    assert [r["id"] for r in starts] == ["ZZF-EXPANDING"]
    contains = bundle_resources(fhir_get(app, "/fhir/Organization", **{"name:contains": "EXPANDING'S"},
                                         as_of="2018-06-30"))
    assert contains and all("expanding's" in r["name"].casefold() for r in contains)
    assert "ZZF-EXPANDING" not in {r["id"] for r in contains}
    exact = fhir_get(app, "/fhir/Organization", **{"name:exact": "Expanding Federation (case study, fictional)"},
                     as_of="2018-06-30")
    assert exact["total"] == 1
    assert fhir_get(app, "/fhir/Organization", **{"name:exact": "expanding federation (case study, fictional)"},
                    as_of="2018-06-30")["total"] == 0


def test_every_error_under_fhir_is_an_operation_outcome(app) -> None:
    assert "ZZF-NOSUCH" in outcome(app, "/fhir/Organization/ZZF-NOSUCH", 404, "not-found", "not_found")
    assert "X.Y.FederationMembership.x" in outcome(app, "/fhir/OrganizationAffiliation/X.Y.FederationMembership.x",
                                                   404, "not-found", "not_found")
    assert "as_of" in outcome(app, "/fhir/Organization/ZZF-SMALL", 422, "invalid", "bad_parameter",
                              as_of="2018-13-01")
    assert "_count" in outcome(app, "/fhir/Organization", 422, "invalid", "bad_parameter", _count=1001)
    assert "date" in outcome(app, "/fhir/OrganizationAffiliation", 422, "invalid", "bad_parameter", date="2018")
    assert "'ge'" in outcome(app, "/fhir/OrganizationAffiliation", 400, "not-supported", "not_supported",
                             date="ge2018-01-01")
    assert "RO261" in outcome(app, "/fhir/Organization", 400, "not-supported", "not_supported", type="RO261")
    assert "Organization" in outcome(app, "/fhir/OrganizationAffiliation", 422, "invalid", "bad_parameter",
                                     organization="Practitioner/ZZF-SMALL")
    assert "read-only" in outcome(app, "/fhir/Organization", 405, "not-supported", "method_not_allowed",
                                  method="POST")
    outcome(app, "/fhir/Patient/1", 404, "not-supported", "not_found")
    outcome(app, "/fhir", 404, "not-supported", "not_found")
    # bounded: every tie of the country is not a search; an id neither written in full nor a digest is not looked
    # for among every tie; HEAD and OPTIONS get an OperationOutcome too; `eq` alone is not a day
    assert "participating-organization" in outcome(app, "/fhir/OrganizationAffiliation", 400, "not-supported",
                                                   "not_supported", role="RE8")
    outcome(app, "/fhir/OrganizationAffiliation/not-an-id", 404, "not-found", "not_found")
    assert "eq" in outcome(app, "/fhir/OrganizationAffiliation", 422, "invalid", "bad_parameter",
                           organization="ZZF-SMALL", date="eq")
    outcome(app, "/fhir/Organization", 405, "not-supported", "method_not_allowed", method="OPTIONS")
    assert "_count" in outcome(app, "/fhir/Organization", 422, "invalid", "bad_parameter", _count=201)
    # a search FHIR answers with nothing: an unknown organisation or kind, no error
    assert fhir_get(app, "/fhir/OrganizationAffiliation", organization="ZZF-NOSUCH")["total"] == 0
    assert fhir_get(app, "/fhir/OrganizationAffiliation", role="RE99")["total"] == 0
    # the rest of the API keeps its envelope
    assert get(app, "/organisations/ZZF-NOSUCH").json()["error"]["code"] == "not_found"


def test_a_bug_under_fhir_is_a_500_outcome_without_internals(caplog) -> None:
    from fastapi import APIRouter

    router = APIRouter(prefix="/fhir", route_class=FhirRoute)

    @router.get("/Broken")
    def broken() -> None:
        raise RuntimeError("secret internals")

    app = FastAPI()
    app.include_router(router)
    with caplog.at_level(logging.ERROR, logger="graphkit.api"), TestClient(app) as client:
        r = client.get("/fhir/Broken")
    assert r.status_code == 500 and r.headers["content-type"] == "application/fhir+json"
    body = valid(r.json())
    assert body["issue"][0]["code"] == "exception" and "secret" not in r.text
    assert "secret internals" in caplog.text  # the traceback goes to the server's log


def test_the_capability_statement_names_this_server(app) -> None:
    cs = fhir_get(app, "/fhir/metadata")
    assert cs["implementation"]["url"] == "http://localhost/fhir" and cs["fhirVersion"] == "4.0.1"
    assert isinstance(httpx.URL(cs["implementation"]["url"]), httpx.URL)
