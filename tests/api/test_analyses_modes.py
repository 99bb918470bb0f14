"""The analyses of one date over HTTP, in an area and for every centre of a kind: on the case studies (fictional, both
stores) and on the national files (16C, its ICB and region)."""

from __future__ import annotations

import json

import pytest

from api.inprocess import get
from tests.api.conftest import error, ok
from tests.test_cli import _graphkit

#: The four case-study federations on 2018-06-30, with the report's findings (docs/analyses.md §1): interdependence,
#: its subfederation groups and style.
FOUR = {
    "ZZF-EXPANDING": ("pluricentric", 5, "authoritative"),
    "ZZF-EMBEDDED": ("unicentric", 0, "indulgent"),
    "ZZF-STRUGGLING": ("low interdependence", 0, "neglectful"),
    "ZZF-SMALL": ("low interdependence", 0, "neglectful"),
}
#: The other federations of the case studies on that date, and whether any member of theirs is modelled.
OTHERS = {"ZZF-BIG", "ZZF-DISTANT-FED", "ZZF-EXP-RIVAL-LOC", "ZZF-EXP-RIVAL-NAT", "ZZF-PREDATORY", "ZZF-VANGUARD"}
DAY = "2018-06-30"


def rows(app, name: str, **params) -> dict:
    return ok(app, f"/analyses/{name}", as_of=DAY, **params)["result"]


def test_interdependence_and_style_of_every_federation(cases_app) -> None:
    inter = rows(cases_app, "interdependence", kind="federation")
    assert (inter["kind"], inter["area"], inter["count"], inter["limit"], inter["offset"]) == (
        "federation", None, 10, 100, 0)
    by = {r["centre"]: r for r in inter["data"]}
    assert list(by) == sorted(FOUR.keys() | OTHERS)  # by code, none dropped
    for code, (verdict, groups, _) in FOUR.items():
        row = by[code]
        assert (row["undetermined"], row["verdict"], row["classification"], row["n_groups"]) == (
            False, verdict, verdict, groups), code
        assert row["reason"] and row["reasons"]["class"] == verdict  # the single-centre answer's reasons
    assert by["ZZF-EXPANDING"]["reason"].startswith("LTS 0.721 > 0.5")
    # a federation none of whose members is modelled is listed with the reason it has no verdict
    for code in ("ZZF-BIG", "ZZF-PREDATORY", "ZZF-VANGUARD"):
        assert (by[code]["undetermined"], by[code]["verdict"]) == (True, None)
        assert by[code]["reason"] == f"'{code}' has no members on the date: its interdependence is undetermined"
    single = ok(cases_app, "/analyses/interdependence", as_of=DAY, centre="ZZF-EXPANDING")["result"]
    assert by["ZZF-EXPANDING"]["local_centre_detail"] == single["local_centre_detail"]
    assert "its interdependence is undetermined" in error(cases_app, "/analyses/interdependence", 422, as_of=DAY,
                                                          centre="ZZF-PREDATORY")["message"]

    style = {r["centre"]: r for r in rows(cases_app, "style", kind="federation")["data"]}
    for code, (_, _, verdict) in FOUR.items():
        assert (style[code]["verdict"], style[code]["style"]) == (verdict, verdict), code
        assert style[code]["reason"] == style[code]["reasons"]["rule"]
    assert style["ZZF-EXPANDING"]["reason"] == "CTRL 0.833 ≥ τ 0.5 and PRO 0.900 ≥ τ 0.5"
    assert style["ZZF-PREDATORY"]["undetermined"] and "no members and no board" in style["ZZF-PREDATORY"]["reason"]


def test_style_since_an_earlier_date(cases_app) -> None:
    # each federation's style on DAY with its style two years before and whether it changed (domain-model §5 q18)
    every = {r["centre"]: r for r in rows(cases_app, "style", kind="federation", previous_as_of="2016-06-30")["data"]}
    expanding = every["ZZF-EXPANDING"]["previous"]
    assert (expanding["style"], expanding["change"]) == ("authoritative", "unchanged")
    assert expanding["pro"] == 0.6 and every["ZZF-EXPANDING"]["pro"] == 0.9  # PRO rose, the style held
    assert "PRO 0.600 -> 0.900" in expanding["reason"]
    # the vanguard had no members and no board in 2016: no style then, and the reason says so
    vanguard = every["ZZF-VANGUARD"]["previous"]
    assert vanguard["style"] is None and vanguard["change"] is None and "no members and no board" in vanguard["reason"]
    one = rows(cases_app, "style", centre="ZZF-STRUGGLING", previous_as_of="2016-06-30")
    assert one["style"] == "neglectful" and one["previous"]["change"] == "unchanged"
    assert "previous" not in rows(cases_app, "style", centre="ZZF-STRUGGLING")


def test_every_centre_pages_like_the_other_routes(cases_app) -> None:
    everything = [r["centre"] for r in rows(cases_app, "interdependence", kind="federation")["data"]]
    pages = []
    for offset in (0, 4, 8):
        page = rows(cases_app, "interdependence", kind="federation", limit=4, offset=offset)
        assert (page["count"], page["limit"], page["offset"]) == (10, 4, offset)
        pages += [r["centre"] for r in page["data"]]
    assert pages == everything and len(pages) == 10
    beyond = rows(cases_app, "interdependence", kind="federation", offset=10)
    assert beyond["data"] == [] and beyond["count"] == 10
    for bad in ({"limit": 0}, {"limit": 10001}, {"offset": -1}):
        error(cases_app, "/analyses/interdependence", 422, as_of=DAY, kind="federation", **bad)


def test_federations_of_an_area(cases_app) -> None:
    # a federation is in an area when a member practice is: Expanding spans its city's CCG and the rural second one
    for area, expected in (("ZZF-CCG-STR", ["ZZF-STRUGGLING"]), ("ZZF-CCG-EXP2", ["ZZF-EXPANDING"]),
                           ("ZZF-STP-EMB", ["ZZF-EMBEDDED"]), ("zzf-ccg-small", ["ZZF-SMALL"])):
        got = rows(cases_app, "interdependence", kind="federation", area=area)
        assert [r["centre"] for r in got["data"]] == expected and got["count"] == 1, area
        assert got["area"]["code"] == area.upper()
    stp = rows(cases_app, "style", kind="federation", area="ZZF-STP-STR")
    assert stp["area"]["kind"] == "SustainabilityAndTransformationPartnership"
    assert [(r["centre"], r["verdict"]) for r in stp["data"]] == [("ZZF-STRUGGLING", "neglectful")]
    foot = rows(cases_app, "footprint", kind="federation", area="ZZF-CCG-STR")["data"]
    assert [(r["centre"], r["verdict"], r["coverage"]) for r in foot] == [("ZZF-STRUGGLING", "coterminous", 90 / 92)]


def test_footprint_of_a_case_study_ccg_counts_its_unfederated_practices(cases_app) -> None:
    result = rows(cases_app, "footprint", area="ZZF-CCG-STR", membership_kind="FederationMembership")
    membership = result["area"].pop("membership")
    assert result["area"] == {"code": "ZZF-CCG-STR", "kind": "ClinicalCommissioningGroup",
                              "name": "CCG of Struggling's city (case study, fictional)", "practices": 92,
                              "in_an_organisation": 90, "outside": ["ZZF-STR-NM1", "ZZF-STR-NM2"]}
    assert len(membership) == 92 and membership["ZZF-STR-P01"] == ["ZZF-STRUGGLING"]
    assert membership["ZZF-STR-NM1"] == membership["ZZF-STR-NM2"] == []
    assert list(result["footprints"]) == ["ZZF-STRUGGLING"]
    one = rows(cases_app, "footprint", centre="ZZF-STRUGGLING")
    assert (one["verdict"], one["coverage"], one["n_members"]) == ("coterminous", 90 / 92, 90)
    competition = rows(cases_app, "competition", area="ZZF-CCG-STR")
    assert competition["concentration"]["ZZF-CCG-STR"]["unfederated"] == 2
    assert list(competition["contestability"]) == ["ZZF-STRUGGLING"] and len(competition["choice_sets"]) == 92


def test_unknown_and_wrong_areas_and_modes_are_refused(cases_app) -> None:
    for name, extra in (("footprint", {}), ("competition", {}), ("boundary-spanners", {}), ("contract-chain", {}),
                        ("interdependence", {"kind": "federation"}), ("style", {"kind": "pcn"})):
        body = error(cases_app, f"/analyses/{name}", 404, as_of=DAY, area="ZZF-NOPE", **extra)
        assert "ZZF-NOPE" in body["message"], name
    wrong = error(cases_app, "/analyses/footprint", 422, as_of=DAY, area="ZZF-STRUGGLING")
    assert wrong["message"].startswith("area 'ZZF-STRUGGLING' is a GPFederation on the date, not an area that holds "
                                       "practices")
    assert wrong["details"]["kind"] == "GPFederation" and "SubICBLocation" in wrong["details"]["allowed"]
    error(cases_app, "/analyses/interdependence", 422, as_of=DAY, kind="ccg")
    assert "not both" in error(cases_app, "/analyses/style", 422, as_of=DAY, kind="federation",
                               centre="ZZF-SMALL")["message"]
    assert "give centre (one centre) or kind" in error(cases_app, "/analyses/style", 422, as_of=DAY)["message"]
    assert "not with centre" in error(cases_app, "/analyses/interdependence", 422, as_of=DAY, centre="ZZF-SMALL",
                                      area="ZZF-CCG-SMALL")["message"]
    mixed = error(cases_app, "/analyses/footprint", 422, as_of=DAY, kind="pcn", membership_kind="FederationMembership")
    assert "membership_kind must be that of kind" in mixed["message"]


def test_the_registry_lists_the_new_parameters(cases_app) -> None:
    listed = {a["name"]: {p["name"]: p for p in a["params"]} for a in ok(cases_app, "/analyses")["data"]}
    for name in ("interdependence", "style", "footprint"):
        p = listed[name]
        assert (p["kind"]["type"], p["kind"]["choices"]) == ("str", ["federation", "pcn"])
        assert (p["limit"]["type"], p["limit"]["minimum"], p["limit"]["maximum"]) == ("int", 1, 10000)
        assert (p["offset"]["type"], p["offset"]["minimum"], p["area"]["type"]) == ("int", 0, "area")
        assert not p["centre"]["required"]
    for name in ("boundary-spanners", "competition", "contract-chain"):
        assert listed[name]["area"]["type"] == "area" and "kind" not in listed[name]
    spec = get(cases_app, "/openapi.json").json()["paths"]["/analyses/interdependence"]["get"]["parameters"]
    kind = next(p for p in spec if p["name"] == "kind")
    assert kind["schema"]["anyOf"][0]["enum"] == ["federation", "pcn"]


def test_the_command_line_runs_every_federation_of_an_area(case_build) -> None:
    store = str(case_build[0])
    out = _graphkit("--store-path", store, "analyse", "interdependence", "--as-of", DAY, "--kind", "federation",
                    "--area", "ZZF-CCG-EXP2")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert (body["count"], body["data"][0]["centre"], body["data"][0]["verdict"]) == (1, "ZZF-EXPANDING",
                                                                                      "pluricentric")
    unknown = _graphkit("--store-path", store, "analyse", "footprint", "--as-of", DAY, "--area", "ZZF-NOPE")
    assert unknown.returncode == 3 and "ZZF-NOPE" in unknown.stderr, unknown.stderr
    wrong = _graphkit("--store-path", store, "analyse", "competition", "--as-of", DAY, "--kind", "federation")
    assert wrong.returncode == 2 and "no parameter 'kind'" in wrong.stderr, wrong.stderr


# -- the national files ---------------------------------------------------------------------------------------------

NATIONAL = "2024-10-01"


@pytest.mark.integration
def test_footprint_of_16c_covers_its_79_gp_practices(app) -> None:
    result = ok(app, "/analyses/footprint", as_of=NATIONAL, area="16C")["result"]
    assert {k: result["area"][k] for k in ("code", "kind", "practices", "in_an_organisation", "outside")} == {
        "code": "16C", "kind": "SubICBLocation", "practices": 79, "in_an_organisation": 78, "outside": ["Y03303"]}
    assert len(result["footprints"]) == 14
    stockton = result["footprints"]["U89141"]
    assert stockton["areas"] == {"16C": 7} and stockton["coverage"] == 7 / 79
    every = ok(app, "/analyses/footprint", as_of=NATIONAL, area="16C", kind="pcn")["result"]
    assert every["count"] == 14 and [r["centre"] for r in every["data"]] == sorted(result["footprints"])
    row = next(r for r in every["data"] if r["centre"] == "U89141")
    assert (row["verdict"], row["coverage"], row["name"]) == ("not coterminous", 7 / 79, "STOCKTON PCN")
    pcns = ok(app, "/analyses/competition", as_of=NATIONAL, area="16C", membership_kind="PCNMembership")["result"]
    assert list(pcns["concentration"]) == ["16C"] and len(pcns["choice_sets"]) == 79
    assert (pcns["concentration"]["16C"]["federated"], pcns["concentration"]["16C"]["unfederated"]) == (78, 1)


@pytest.mark.integration
def test_areas_above_a_sub_icb_location_and_every_pcn(app) -> None:
    icb = ok(app, "/analyses/footprint", as_of=NATIONAL, area="QHM")["result"]
    region = ok(app, "/analyses/footprint", as_of=NATIONAL, area="Y63")["result"]
    assert (icb["area"]["kind"], region["area"]["kind"]) == ("IntegratedCareBoard", "NHSEnglandRegion")
    assert 79 < icb["area"]["practices"] < region["area"]["practices"]
    assert set(icb["footprints"]) < set(region["footprints"]) and "U89141" in icb["footprints"]
    every = ok(app, "/analyses/interdependence", as_of=NATIONAL, kind="pcn", limit=5, offset=1280)["result"]
    assert every["count"] == 1283 and len(every["data"]) == 3
    assert all(r["undetermined"] is False and r["n_members"] > 0 for r in every["data"])
    error(app, "/analyses/footprint", 422, as_of=NATIONAL, area="A81001")  # a practice
    error(app, "/analyses/footprint", 422, as_of=NATIONAL, area="U89141")  # a PCN
    assert "not in existence" in error(app, "/analyses/footprint", 422, as_of="2016-01-01", area="16C")["message"]
