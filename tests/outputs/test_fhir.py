"""The FHIR R4 resources of graphkit/outputs/fhir.py, from views made by hand: their shape (ODS's where ODS has one),
the date rules, and FHIR validity (tests/api/fhir_check.py). The facade over real stores: tests/api/test_fhir*.py."""

from __future__ import annotations

import datetime as dt

from graphkit.core.namespaces import source_iri
from graphkit.outputs import fhir
from graphkit.store.base import NameView, OrganisationView, RoleRow, TieView
from tests.api.fhir_check import valid

D = dt.date
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


def tie(kind: str, member: str, organisation: str, start: D | None, end: D | None = None, **kw: object) -> TieView:
    return TieView(kind, member, f"{member} NAME", organisation, f"{organisation} NAME", start, end, **kw)  # type: ignore[arg-type]


PRACTICE = OrganisationView(
    code="H84031", name="JUBILEE SURGERY", kinds=("GPPractice", "PrescribingCostCentre"),
    all_kinds=("GPPractice", "PrescribingCostCentre"), start=D(1974, 4, 1), end=None, status="ACTIVE",
    names=(NameView("THE JUBILEE SURGERY", "epraccur_2019-12", D(2019, 12, 1)),
           NameView("Jubilee Surgery", "nhspaymentsgp_2019-20", D(2020, 3, 31)),
           NameView("JUBILEE SURGERY", "epraccur_2026-02", D(2026, 2, 1))),
    parents=(tie("CommissionerAssignment", "H84031", "36L", D(2020, 4, 1)),
             tie("PCNMembership", "H84031", "U62999", D(2019, 10, 1), D(2024, 9, 30))),
    sources=("epraccur_2019-12", "epraccur_2026-02", "nhspaymentsgp_2019-20"),
)
PRACTICE_ROLES = [RoleRow("H84031", "RO76", D(1974, 4, 1), None), RoleRow("H84031", "RO177", D(1974, 4, 1), None)]


def roles_of(resource: dict) -> dict[str, dict]:
    """role code -> {period, active} from the Extension-England-OrganisationRole extensions."""
    out = {}
    for ext in resource["extension"]:
        if ext["url"] != fhir.ROLE_EXTENSION:
            continue
        parts = {p["url"]: p for p in ext["extension"]}
        code = parts["roleCode"]["valueCodeableConcept"]["coding"][0]
        assert code["system"] == fhir.ODS_ROLE_SYSTEM
        typed = {p["url"]: p for p in parts[fhir.TYPED_PERIOD_EXTENSION]["extension"]}
        assert typed["dateType"]["valueCoding"]["code"] == "Operational"
        out[code["code"]] = {"period": typed["period"]["valuePeriod"], "active": parts["active"]["valueBoolean"]}
    return out


def test_an_organization_is_shaped_like_the_ods_fhir_api() -> None:
    r = valid(fhir.organization(PRACTICE, PRACTICE_ROLES, D(2024, 9, 1), part_of=("36L", "NHS SOUTH WEST LONDON")))
    assert r["id"] == "H84031" and r["name"] == "JUBILEE SURGERY" and r["active"] is True
    assert r["identifier"] == [{"use": "official", "system": ODS, "value": "H84031"}]
    # ODS's role codes held on the date, with ODS's names, then the graph's kinds
    assert [c["coding"][0]["code"] for c in r["type"]] == ["RO177", "RO76", "GPPractice", "PrescribingCostCentre"]
    assert r["type"][1]["coding"][0] == {"system": fhir.ODS_ROLE_SYSTEM, "code": "RO76", "display": "GP PRACTICE"}
    assert r["type"][2]["coding"][0]["system"] == fhir.KIND_SYSTEM
    assert roles_of(r) == {"RO76": {"period": {"start": "1974-04-01"}, "active": True},
                           "RO177": {"period": {"start": "1974-04-01"}, "active": True}}
    # older names as aliases, newest first, none that is the name in another case
    assert r["alias"] == ["THE JUBILEE SURGERY"]
    assert r["partOf"]["reference"] == "Organization/36L" and r["partOf"]["display"] == "NHS SOUTH WEST LONDON"
    # the newest file is meta.source; every file, oldest first, in the source extensions
    assert r["meta"] == {"source": str(source_iri("epraccur_2026-02"))}
    sources = [e["valueUri"] for e in r["extension"] if e["url"] == fhir.SOURCE_EXTENSION]
    assert sources == [str(source_iri(s)) for s in ("epraccur_2019-12", "nhspaymentsgp_2019-20", "epraccur_2026-02")]
    assert {"url": fhir.AS_OF_EXTENSION, "valueDate": "2024-09-01"} in r["extension"]


def test_active_type_and_the_roles_active_flags_follow_the_date() -> None:
    ccg = OrganisationView(
        code="36L", name="NHS SOUTH WEST LONDON ICB - 36L", kinds=(), all_kinds=("ClinicalCommissioningGroup",
        "SubICBLocation"), start=D(2020, 4, 1), end=None, status="ACTIVE", names=(), parents=(), sources=())
    roles = [RoleRow("36L", "RO98", D(2020, 4, 1), D(2022, 6, 30)), RoleRow("36L", "RO319", D(2022, 7, 1), None)]
    before = valid(fhir.organization(ccg, roles, D(2022, 6, 30)))
    after = valid(fhir.organization(ccg, roles, D(2022, 7, 1)))
    assert [c["coding"][0]["code"] for c in before["type"]] == ["RO98"]
    assert [c["coding"][0]["code"] for c in after["type"]] == ["RO319"]
    assert roles_of(before)["RO98"] == {"period": {"start": "2020-04-01", "end": "2022-06-30"}, "active": True}
    assert roles_of(after)["RO98"]["active"] is False and roles_of(after)["RO319"]["active"] is True
    assert "meta" not in before and "alias" not in before  # nothing to say: no empty member
    opened = valid(fhir.organization(ccg, roles, D(2020, 3, 31)))
    assert opened["active"] is False and "type" not in opened


def test_part_of_is_the_single_organisation_above_on_the_date_without_the_pcn() -> None:
    assert fhir.part_of(PRACTICE) == ("36L", "36L NAME")  # the commissioner, not the PCN (a network)
    two = OrganisationView(**{**PRACTICE.__dict__, "parents": (
        tie("CommissionerAssignment", "H84031", "36L", None), tie("CommissionerAssignment", "H84031", "08P", None))})
    assert fhir.part_of(two) is None  # two commissioners on one day: no single parent
    sub_icb = OrganisationView(**{**PRACTICE.__dict__, "code": "36L", "kinds": ("SubICBLocation",), "parents": (
        tie("SystemMembership", "36L", "QWE", D(2020, 9, 1)),)})
    assert fhir.part_of(sub_icb) == ("QWE", "QWE NAME")
    pcn_only = OrganisationView(**{**PRACTICE.__dict__, "parents": PRACTICE.parents[1:]})
    assert fhir.part_of(pcn_only) is None


def test_an_affiliation_carries_the_tie_its_ods_relationship_code_and_how_it_was_dated() -> None:
    t = tie("PCNMembership", "H84031", "U62999", D(2019, 10, 1), D(2024, 9, 30),
            sources=("nhspaymentsgp_2022-23", "ePCN_2024-10_core_partner_details"))
    vintages = {"nhspaymentsgp_2022-23": D(2023, 3, 31), "ePCN_2024-10_core_partner_details": D(2024, 10, 1)}
    a = valid(fhir.affiliation(t, D(2024, 9, 30), vintages))
    assert a["id"] == "H84031.U62999.PCNMembership.2019-10-01"
    assert a["period"] == {"start": "2019-10-01", "end": "2024-09-30"} and a["active"] is True  # the end inclusive
    assert valid(fhir.affiliation(t, D(2024, 10, 1), vintages))["active"] is False
    assert a["organization"]["reference"] == "Organization/U62999"
    assert a["participatingOrganization"]["reference"] == "Organization/H84031"
    assert a["code"][0]["coding"] == [
        {"system": fhir.TIE_KIND_SYSTEM, "code": "PCNMembership", "display": "PCN membership"},
        {"system": fhir.ODS_RELATIONSHIP_SYSTEM, "code": "RE8", "display": "IS PARTNER TO"},
    ]
    assert a["meta"]["source"] == str(source_iri("ePCN_2024-10_core_partner_details"))  # the newer file
    assert "extension" in a and not [e for e in a["extension"] if e["url"] == fhir.DATING_EXTENSION]
    # a tie the files show only between two snapshots says so; ODS has no relationship code for a system tie
    dated = tie("SystemMembership", "36L", "QWE", D(2022, 7, 1), None, derived=True, start_earliest=D(2022, 1, 2),
                start_latest=D(2025, 12, 1), start_basis="QF7 held RO262 until 2022-06-30")
    s = valid(fhir.affiliation(dated, D(2024, 1, 1), {}))
    assert [c["system"] for c in s["code"][0]["coding"]] == [fhir.TIE_KIND_SYSTEM]
    assert "meta" not in s and "extension" in s
    parts = {p["url"]: p for e in s["extension"] if e["url"] == fhir.DATING_EXTENSION for p in e["extension"]}
    assert parts["derived"]["valueBoolean"] is True and parts["startEarliest"]["valueDate"] == "2022-01-02"
    assert parts["startLatest"]["valueDate"] == "2025-12-01" and parts["startBasis"]["valueString"].startswith("QF7")


def test_affiliation_ids_are_read_back_and_long_ones_are_digests() -> None:
    t = tie("FederationMembership", "ZZF-EXP-P01", "ZZF-EXPANDING", D(2016, 4, 1))
    assert fhir.parse_affiliation_id(fhir.affiliation_id(t)) == ("ZZF-EXP-P01", "ZZF-EXPANDING",
                                                                 "FederationMembership", D(2016, 4, 1))
    undated = tie("CommissionerAssignment", "A81001", "00K", None)
    assert fhir.affiliation_id(undated) == "A81001.00K.CommissionerAssignment.x"
    assert fhir.parse_affiliation_id("A81001.00K.CommissionerAssignment.x") == ("A81001", "00K",
                                                                                "CommissionerAssignment", None)
    long = tie("SubfederationMembership", "ZZF-" + "A" * 30, "ZZF-" + "B" * 30, D(2016, 4, 1))
    digest = fhir.affiliation_id(long)
    assert len(digest) <= 64 and "." not in digest and fhir.parse_affiliation_id(digest) is None
    assert fhir.parse_affiliation_id("A.B.C.2024-13-01") is None and fhir.parse_affiliation_id("A..C.x") is None


def test_the_ods_codes_come_from_the_ontology() -> None:
    assert fhir.role_display("RO76") == "GP PRACTICE" and fhir.role_display("RO272") == "PRIMARY CARE NETWORK"
    assert fhir.role_display("RO69") == "IMMIGRATION REMOVAL CENTRE"  # ODS's name, not the label that adds the code
    assert fhir.role_display("RO999") is None
    assert {k: fhir.relationship_of(k) for k in ("PCNMembership", "CommissionerAssignment", "OperatorAssignment",
                                                  "NominatedPayeeAssignment", "UnitMembership", "ConstituentMembership",
                                                  "SystemMembership", "RegionMembership", "FederationMembership")} == {
        "PCNMembership": "RE8", "CommissionerAssignment": "RE4", "OperatorAssignment": "RE6",
        "NominatedPayeeAssignment": "RE9", "UnitMembership": "RE2", "ConstituentMembership": "RE11",
        "SystemMembership": None, "RegionMembership": None, "FederationMembership": None}


def test_name_search_follows_fhir_string_matching() -> None:
    assert fhir.name_matches("JUBILEE SURGERY", "jubilee", "starts")
    assert not fhir.name_matches("THE JUBILEE SURGERY", "jubilee", "starts")
    assert fhir.name_matches("THE JUBILEE SURGERY", "jubilee", "contains")
    assert fhir.name_matches("Cité Médicale", "CITE MED", "starts")  # case and accents ignored
    assert fhir.name_matches("JUBILEE SURGERY", "JUBILEE SURGERY", "exact")
    assert not fhir.name_matches("JUBILEE SURGERY", "Jubilee Surgery", "exact")


def test_the_capability_statement_and_an_outcome_are_valid_r4() -> None:
    cs = valid(fhir.capability_statement("http://127.0.0.1:8000/fhir", "0.1.0"))
    assert cs["fhirVersion"] == "4.0.1" and cs["kind"] == "instance" and cs["format"] == ["json"]
    resources = {r["type"]: r for r in cs["rest"][0]["resource"]}
    assert set(resources) == {"Organization", "OrganizationAffiliation"}
    for r in resources.values():  # read-only
        assert {i["code"] for i in r["interaction"]} == {"read", "search-type"}
    assert [p["name"] for p in resources["Organization"]["searchParam"]] == ["name", "type", "identifier", "as_of"]
    assert [p["name"] for p in resources["OrganizationAffiliation"]["searchParam"]] == [
        "organization", "participating-organization", "date", "role"]
    oo = valid(fhir.operation_outcome(404, "not_found", "no organisation with ODS code 'XX999'"))
    assert oo["issue"][0]["code"] == "not-found" and oo["issue"][0]["diagnostics"].endswith("'XX999'")
    assert oo["issue"][0]["details"]["coding"] == [{"system": fhir.ERROR_SYSTEM, "code": "not_found"}]
    assert valid(fhir.operation_outcome(400, "not_supported", "x", issue="not-supported"))["issue"][0]["code"] == \
        "not-supported"
