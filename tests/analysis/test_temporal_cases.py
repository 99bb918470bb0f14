"""The analyses of change over time on the case studies of the federation report (seeds/casestudies, fictional),
with the report's facts: over the embedded store, through the API, and over Neo4j (the same answers)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.analysis import registry
from graphkit.config import Settings

D = dt.date
END_OF_FIELDWORK = D(2018, 12, 31)


@pytest.fixture(scope="module")
def history(cases_embedded):
    return cases_embedded.history()


def run(history, name: str, as_of: dt.date = END_OF_FIELDWORK, **params):
    return registry.get(name).run_for(history, params, as_of=as_of.isoformat())


def test_embedded_board_member_joining_a_ccg_committee_is_a_dated_interlock(history) -> None:
    # 004:739, 004:334: a valued board member joined a CCG committee; the posts say from 2018 (year only)
    out = run(history, "conflicts-of-interest")
    found = [i for i in out["interlocks"] if i["person"] == "ZZP-EMB-SHONA" and i["provider"] == "ZZF-EMBEDDED"]
    assert len(found) == 1
    assert found[0]["commissioner"] == "ZZF-CCG-EMB"
    assert found[0]["commissioner_post"]["organisation"] == "ZZF-CCG-EMB-COMMITTEE"
    assert found[0]["start"] == D(2018, 1, 1) and found[0]["undated"] == []
    # before she joined, no interlock
    before = run(history, "conflicts-of-interest", as_of=D(2017, 6, 1))
    assert not [i for i in before["interlocks"] if i["person"] == "ZZP-EMB-SHONA" and i["provider"] == "ZZF-EMBEDDED"]


def test_conflict_paths_of_the_case_studies(history) -> None:
    out = run(history, "conflicts-of-interest", as_of=D(2016, 9, 1))
    paths = {(p["person"], p["contract"]): p for p in out["paths"]}
    # Struggling's chair and CEO had 'just come off' the CCG governing body (004:678, 004:354) while the joint
    # venture Struggling belonged to held the CCG's community services contract (from mid-2016, 004:366)
    for person in ("ZZP-STR-CHAIR", "ZZP-STR-CEO"):
        p = paths[(person, "ZZC-STR-COMMUNITY")]
        assert p["commissioner"] == "ZZF-CCG-STR" and p["provider"] == "ZZF-STRUGGLING"
        assert p["link"] == "holds through a joint venture it is a member of" and p["link_via"] == "ZZF-JV-STR-CS"
        assert (p["start"], p["end"]) == (D(2016, 7, 1), D(2016, 12, 31))
        assert p["undated"] == ["commissioner post"]  # the governing-body posts' start is not given
    # the APMS contracts of the joint venture began in April 2017, after they left the governing body
    assert not [k for k in paths if k[1].startswith("ZZC-STR-APMS")]
    # Embedded: the board member on the CCG committee while Embedded holds the CCG's caretaker contract
    late = run(history, "conflicts-of-interest", as_of=D(2018, 6, 1))
    shona = {p["contract"]: p for p in late["paths"] if p["person"] == "ZZP-EMB-SHONA"}
    assert (shona["ZZC-EMB-CARETAKER"]["start"], shona["ZZC-EMB-CARETAKER"]["end"]) == (D(2018, 4, 1),
                                                                                       D(2019, 3, 31))
    # where the posts were separate, no path: the board member at the CCG-LMC meeting sits there for the
    # federation (004:330); the CCG lead's practice holds its APMS contract from another CCG (004:323)
    people = {p["person"] for p in late["paths"]}
    assert "ZZP-EMB-PMDIR-B" not in people and "ZZP-EMB-CCGLEAD" not in people
    # and the board member's CCG role as a non-commissioning GP (004:324, 004:1097) makes no path of its own: only
    # her committee seat does
    assert {p["commissioner_post"]["organisation"] for p in late["paths"] if p["person"] == "ZZP-EMB-SHONA"} == {
        "ZZF-CCG-EMB-COMMITTEE"}
    separate = {(s["path"]["person"], s["path"]["commissioner_post"]["organisation"], s["why_not_a_conflict"][:20])
                for s in late["declared_separate"]}
    assert ("ZZP-EMB-SHONA", "ZZF-CCG-EMB", "the source says the ") in separate
    assert ("ZZP-EMB-PMDIR-B", "ZZF-CCG-EMB-TRIUMVIRATE", "the post is held to ") in separate
    for p in late["paths"]:  # every path names its posts' table lines and citations
        assert p["commissioner_post"]["line"] and p["provider_post"]["citations"]


def test_conflicts_route_for_an_area(cases_embedded) -> None:
    app = create_app(Settings(), store=cases_embedded)
    # the posts route says which seats commission (true), which the source says do not (false), and which are unstated
    shona = {p["organisation"]: p["commissioning"] for p in get(app, "/people/ZZP-EMB-SHONA").json()["posts"]}
    assert shona["ZZF-CCG-EMB"] is False and shona["ZZF-CCG-EMB-COMMITTEE"] is None
    chair = {p["organisation"]: p["commissioning"] for p in get(app, "/people/ZZP-STR-CHAIR").json()["posts"]}
    assert chair["ZZF-CCG-STR-GB"] is True
    r = get(app, "/conflicts-of-interest/zzf-ccg-str", params={"as_of": "2016-09-01"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["params"]["area"] == "ZZF-CCG-STR"
    # the clinical director left the board in June 2016: not on this day
    assert {p["person"] for p in body["result"]["paths"]} == {"ZZP-STR-CHAIR", "ZZP-STR-CEO"}
    assert {p["commissioner"] for p in body["result"]["paths"]} == {"ZZF-CCG-STR"}
    csv = get(app, "/conflicts-of-interest/ZZF-CCG-STR", params={"as_of": "2016-09-01", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("person,person_name,commissioner") and len(lines) == 1 + len(body["result"]["paths"])
    # Embedded's area on the same day has none (its board member joined the committee in 2018)
    emb = get(app, "/conflicts-of-interest/ZZF-CCG-EMB", params={"as_of": "2016-09-01"}).json()
    assert emb["result"]["paths"] == []
    for path, status in (("/conflicts-of-interest/ZZF-NOPE", 404),):
        assert get(app, path, params={"as_of": "2016-09-01"}).status_code == status
    bad = get(app, "/conflicts-of-interest/ZZF-CCG-STR", params={"since": "2018-01-01", "until": "2017-01-01"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_parameter"


def test_expanding_directing_with_its_compliance(history) -> None:
    # 004:242, 004:446: central accounting required by the deeds; 4 practices had not complied
    out = run(history, "activities", centre="ZZF-EXPANDING")
    rules = {r["rule"]: r for r in out["directing"]["rules"]}
    accounting = next(r for k, r in rules.items() if k and "central accounting" in k)
    assert accounting["subject"] == 40 and accounting["compliance"]["complied"] == 36
    assert accounting["not_complied"] == ["ZZF-EXP-P37", "ZZF-EXP-P38", "ZZF-EXP-P39", "ZZF-EXP-P40"]
    assert accounting["compliance_rate"] == 0.9 and "(all but 4)" in accounting["summary"]
    assert any("all but 4" in reason for reason in out["reasons"])
    assert out["mix"]["directing"]["activities"] >= 2 and out["mix"]["engineering"]["activities"] == 1
    # co-production reaches above the federation: the regulator and NHS England (004:738, 004:830)
    assert {"ZZF-CQC", "ZZF-NHSE"} <= set(out["co_production"]["reach_upward"])
    # Embedded directs nothing (Table 6: no directives; only Expanding's had a substantive impact, 004:446)
    assert run(history, "activities", centre="ZZF-EMBEDDED")["mix"]["directing"]["activities"] == 0


def test_smalls_member_by_member_consultation_is_mutuality(history) -> None:
    # 004:417: at MOL meetings each practice representative was asked in turn (from summer 2017, 004:404)
    out = run(history, "governance-profile", area="ZZF-SMALL", as_of=D(2018, 6, 1))
    small = next(p for p in out["overseers"] if p["overseer"] == "ZZF-SMALL")
    assert small["counts"] == {"Oversight": 0, "Competition": 0, "Mutuality": 10, "ContrivedRandomness": 0}
    assert small["h"]["M"] == 1.0 and small["hybrids"] == []
    dyads = [d for d in out["dyads"] if d["overseer"] == "ZZF-SMALL"]
    assert len(dyads) == 10 and all(d["h"]["M"] == 1.0 for d in dyads)
    assert "004:417" in dyads[0]["evidence"][0]["citations"]
    # before the MOL meetings began, none
    early = run(history, "governance-profile", area="ZZF-SMALL", as_of=D(2017, 3, 1))
    assert not [p for p in early["overseers"] if p["overseer"] == "ZZF-SMALL"]


def test_seed_000s_pco_governs_by_comptrol_with_mutuality(history) -> None:
    # 000:144-338: review visits (oversight), payment verification at random (contrived randomness), the threat of
    # alternative providers (competition) and peer review by role-model practices (mutuality): Grant's hybrid 1
    out = run(history, "governance-profile", area="ZZF-PCO1", as_of=D(2008, 6, 1))
    pco = next(p for p in out["overseers"] if p["overseer"] == "ZZF-PCO1")
    assert pco["h"] == {"O": 0.25, "K": 0.25, "M": 0.25, "R": 0.25}
    assert pco["hybrids"] == ["comptrol", "comptrol with mutuality"]
    assert out["inspections"] == 8 and out["random_inspection_share"] == 0.5
    assert out["flow_hierarchy"] == 1.0


def test_competition_over_time_in_the_case_studies(history) -> None:
    out = run(history, "membership-churn", area="ZZF-EXPANDING")
    # nine rural practices approached and six joined (004:228); a distant group practice stayed (004:269)
    assert out["approach_outcomes"] == {"joined": 6, "stayed": 4} and out["conversion_rate"] == 0.6
    everywhere = run(history, "membership-churn")
    lots = {(t["commissioner"], t["lot"]): t for t in everywhere["tenders"]}
    central = lots[("ZZF-CCG-SMALL", "IAGP central locality 2018")]
    assert central["outcomes"] == {"ZZF-BIG": "lost", "ZZF-PREDATORY": "won"} and central["n_federations"] == 2
    apms = lots[("ZZF-CCG-STR", "APMS retender of 12 practices 2016")]
    # the super-practice, a member of Struggling, bid against Struggling's joint venture (004:376)
    assert apms["federations"] == ["ZZF-STRUGGLING"] and apms["member_against_federation"] == [
        {"member": "ZZF-STR-P01", "federation": "ZZF-STRUGGLING", "bidder": "ZZF-JV-STR-APMS"}]
    assert lots[("ZZF-CCG-STR", "IAGP 2018")]["outcomes"] == {"ZZF-STRUGGLING": "not_bid"}
    # Small's member P04 left in 2018 (004:420): a leave, not a switch
    assert [lv["practice"] for lv in everywhere["leaves"]] == ["ZZF-SMALL-P04"]


def test_governance_of_expanding_is_oversight(history) -> None:
    out = run(history, "governance-profile", area="ZZF-EXPANDING")
    expanding = next(p for p in out["overseers"] if p["overseer"] == "ZZF-EXPANDING")
    assert expanding["h"]["O"] == 1.0 and "comptrol" not in expanding["hybrids"]
    # Small's rules are unmonitored (004:623): no Hood mode, shown as unclassified, not counted as oversight
    small = run(history, "governance-profile", area="ZZF-SMALL")
    assert not [p for p in small["overseers"] if p["overseer"] == "ZZF-SMALL" and p["counts"]["Oversight"]]
    assert small["unclassified"]


def test_clinical_elites_of_the_case_studies(history) -> None:
    out = run(history, "clinical-elites", area="ZZF-STRUGGLING", as_of=D(2016, 6, 1))
    # Struggling's chair and CEO: GP directors with practices, and on the CCG governing body in 2016 (004:354)
    assert {"ZZP-STR-CHAIR", "ZZP-STR-CEO"} <= set(out["elite"])
    chair = next(p for p in out["people"] if p["person"] == "ZZP-STR-CHAIR")
    assert chair["elite"] and "GP" in chair["professions"] and len(chair["strata"]) >= 2
    assert out["seats"] > 0 and 0 < out["elite_seat_share"] <= 1 and out["gini"] is not None


@pytest.mark.neo4j
def test_the_same_answers_from_neo4j(cases_embedded, cases_neo4j) -> None:
    a, b = cases_embedded.history(), cases_neo4j.history()
    for name, params, day in (
        ("conflicts-of-interest", {}, D(2016, 9, 1)),
        ("conflicts-of-interest", {"since": "2013-01-01"}, END_OF_FIELDWORK),
        ("activities", {"centre": "ZZF-EXPANDING"}, END_OF_FIELDWORK),
        ("governance-profile", {}, END_OF_FIELDWORK),
        ("clinical-elites", {"since": "2016-01-01"}, END_OF_FIELDWORK),
        ("membership-churn", {}, END_OF_FIELDWORK),
    ):
        left = json.dumps(run(a, name, day, **params), sort_keys=True, default=str)
        right = json.dumps(run(b, name, day, **params), sort_keys=True, default=str)
        assert left == right, name
