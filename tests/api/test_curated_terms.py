"""The curated note, a membership's tier and exit reason and a contract's predecessor (ontology 2.4.0) served by both
stores: GET /ties for memberships and lateral ties, the stores' contract and post records for /contracts and /posts."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from tests.api.conftest import ok
from tests.conftest import CASES


@pytest.fixture(params=["oxigraph", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def cases_store(request, cases_embedded):
    return cases_embedded if request.param == "oxigraph" else request.getfixturevalue("cases_neo4j")


def test_a_membership_says_its_tier_why_it_ended_and_its_note(cases_app) -> None:
    # Q22: which practices left, and on what terms (004:420, 004:564; 004:442)
    body = ok(cases_app, "/ties", kind="FederationMembership", organisation="ZZF-SMALL", end="to")
    assert body["count"] == 10
    left = [t for t in body["data"] if t["exit_reason"]]
    assert [(t["from"], t["end"], t["exit_reason"], t["tier"]) for t in left] == [
        ("ZZF-SMALL-P04", "2018-12-31", "ExitLeft", "TierEqual")]
    assert "discontent" in left[0]["note"] and "004:564" in left[0]["note"]
    assert {t["tier"] for t in body["data"]} == {"TierEqual"}
    # a national-style relation of the case studies without terms: none shown
    ccg = ok(cases_app, "/ties", kind="CommissionerAssignment", organisation="ZZF-SMALL-P04")
    assert ccg["count"] == 1 and ccg["data"][0]["tier"] is None and ccg["data"][0]["exit_reason"] is None
    assert ccg["data"][0]["note"]  # its row's note


def test_an_application_to_join_and_its_note(cases_app) -> None:
    # Q22: the large practice applied to join the 'predatory' federation and stayed, told that as a latecomer it
    # would not be on an equal footing (004:420, 004:444)
    body = ok(cases_app, "/ties", kind="ApproachTie", organisation="ZZF-PREDATORY")
    assert [(t["from"], t["outcome"], t["start"]) for t in body["data"]] == [
        ("ZZF-SMALL-P01", "ApproachStayed", "2018-03-01")]
    assert "equal footing" in body["data"][0]["note"]


def test_every_lateral_tie_served_has_its_note(cases_app) -> None:
    body = ok(cases_app, "/ties", kind="GovernanceTie", limit=1000)
    assert body["count"] == 72 and all(t["note"] for t in body["data"])


def test_contract_successions_and_notes_in_the_store_records(cases_store) -> None:
    # Q7: who held each APMS contract before (004:357)
    agreements = {a.contract_id: a for a in cases_store.agreements()}
    new = agreements["ZZC-STR-APMS-10"]
    assert (new.holder, new.succeeds) == ("ZZF-STR-P01", "ZZC-STR-APMS-OLD-10")
    assert agreements[new.succeeds].holder == "ZZF-PRIV-STR" and str(agreements[new.succeeds].end) == "2017-03-31"
    assert sum(a.succeeds is not None for a in agreements.values()) == 13 + 1  # and the smoking cessation service
    assert all(a.note for a in agreements.values())
    posts = cases_store.posts(person="ZZP-EXP-CHAIR")
    assert posts and all(p.note for p in posts)


def test_localities_and_hubs_of_small_ccg(cases_app) -> None:
    # Q2, Q5: Small's CCG has three localities (004:391); Small spans the central and northern ones
    units = ok(cases_app, "/ties", kind="UnitMembership", organisation="ZZF-CCG-SMALL", end="to")
    assert {t["from"] for t in units["data"]} == {
        "ZZF-CCG-SMALL-LOC-CENTRAL", "ZZF-CCG-SMALL-LOC-NORTH", "ZZF-CCG-SMALL-LOC-3"}
    north = ok(cases_app, "/ties", kind="LocalityMembership", organisation="ZZF-CCG-SMALL-LOC-NORTH", end="to")
    assert {t["from"] for t in north["data"]} == {
        *(f"ZZF-SMALL-P{n:02d}" for n in range(5, 11)), "ZZF-SMALL-IAGP-HUB1", "ZZF-SMALL-IAGP-HUB2"}
    central = ok(cases_app, "/ties", kind="LocalityMembership", organisation="ZZF-CCG-SMALL-LOC-CENTRAL", end="to")
    assert {t["from"] for t in central["data"]} == {f"ZZF-SMALL-P{n:02d}" for n in range(1, 5)}
    # the two northern IAGP hubs (004:609), run by Small under Big's contract (an inference, said in the note)
    hubs = ok(cases_app, "/ties", kind="OperatorAssignment", organisation="ZZF-SMALL", end="to")
    assert [(t["from"], t["start"]) for t in hubs["data"]] == [
        ("ZZF-SMALL-IAGP-HUB1", "2018-10-01"), ("ZZF-SMALL-IAGP-HUB2", "2018-10-01")]
    assert all("INFERENCE" in t["note"] for t in hubs["data"])
    # the third locality has no Small practice, and nothing is in two localities
    both = ok(cases_app, "/ties", kind="LocalityMembership", limit=1000)
    members = [t["from"] for t in both["data"]]
    assert len(members) == len(set(members)) == 12


def test_practices_refer_into_the_hub(cases_app) -> None:
    # Q37: Embedded's members refer into its one central IAGP hub (004:448, 004:606), which Embedded runs
    into = ok(cases_app, "/ties", kind="ReferralTie", organisation="ZZF-EMB-IAGP-HUB", end="to", limit=1000)
    members = ok(cases_app, "/ties", kind="FederationMembership", organisation="ZZF-EMBEDDED", end="to", limit=1000)
    assert into["count"] == 50 and {t["from"] for t in into["data"]} == {t["from"] for t in members["data"]}
    run_by = ok(cases_app, "/ties", kind="OperatorAssignment", organisation="ZZF-EMB-IAGP-HUB")
    assert [t["to"] for t in run_by["data"]] == ["ZZF-EMBEDDED"]
    # before the IAGP deadline nobody refers
    assert ok(cases_app, "/ties", kind="ReferralTie", organisation="ZZF-EMB-IAGP-HUB", as_of="2018-09-30")[
        "count"] == 0


def test_a_decommissioned_service_taken_over(cases_store) -> None:
    # Q31: the local authority closed its smoking cessation service; Embedded delivers it through its IAGP hub
    agreements = {a.contract_id: a for a in cases_store.agreements()}
    taken = agreements["ZZC-EMB-SMOKING"]
    assert (taken.holder, taken.commissioner, taken.succeeds) == ("ZZF-EMBEDDED", "ZZF-LA-EMB", "ZZC-EMB-LA-SMOKING")
    before = agreements[taken.succeeds]
    assert (before.holder, before.commissioner) == ("ZZF-LA-EMB", "ZZF-LA-EMB") and "004:1094" in (before.note or "")


def test_patient_facing_posts_with_their_notes(cases_app) -> None:
    # Q38: Small alone had a patient representative at board level (004:783), 2017-2018 (004:401, 004:786);
    # Embedded's board has a co-opted lay director (004:293)
    small = ok(cases_app, "/posts", organisation="ZZF-SMALL-BOARD", limit=1000)
    reps = [p for p in small["data"] if p["role"] == "PatientRepresentative"]
    assert [(p["person_id"], p["start"], p["end"]) for p in reps] == [("ZZP-SMALL-PATREP", "2017-01-01", "2018-12-31")]
    assert reps[0]["note"] and all(p["note"] for p in small["data"])
    embedded = ok(cases_app, "/posts", organisation="ZZF-EMBEDDED-BOARD", limit=1000)
    assert "ZZP-EMB-COOPT-LAY" in {p["person_id"] for p in embedded["data"]}


@pytest.mark.neo4j
def test_both_stores_hold_the_same_terms_notes_and_successions(cases_embedded, cases_neo4j) -> None:
    terms = cases_embedded.membership_terms()
    assert terms == cases_neo4j.membership_terms()
    assert len([t for t in terms if t.tier == "TierEqual"]) == 196 and all(t.note for t in terms)
    assert cases_embedded.agreements() == cases_neo4j.agreements()
    assert cases_embedded.lateral_ties() == cases_neo4j.lateral_ties()
    assert cases_embedded.posts() == cases_neo4j.posts()



def test_an_organisation_says_its_rows_notes_each_once(cases_app) -> None:
    # organisations.csv's note column (ontology 2.6.0): Small is stated twice, by two rows that contradict each
    # other on its size (004:136 against 004:419); both rows' notes are shown, in the order read
    small = ok(cases_app, "/organisations/ZZF-SMALL")["note"]
    first, second = small.split(" | ")
    assert first.startswith("Site D; pseudonym (004:136).") and "row 1 of 2" in first
    assert second.startswith("CONTRADICTION (size), row 2 of 2") and "004:419" in second
    assert ok(cases_app, "/organisations/ZZF-CQC")["note"].startswith("The report names the CQC")


def test_every_curated_organisation_has_the_notes_of_its_rows(cases_store) -> None:
    rows = list(csv.DictReader(line for line in (CASES / "organisations.csv").open(encoding="utf-8")
                               if not line.startswith("#")))
    expected: dict[str, list[str]] = {}
    for row in rows:  # a cell is read trimmed
        said, note = expected.setdefault(row["code"].strip(), []), row["note"].strip()
        if note and note not in said:
            said.append(note)
    assert len(expected) == 283 and [c for c, n in expected.items() if not n] == ["ZZF-LMC-EXP"]
    for code, notes in expected.items():
        assert cases_store.organisation(code, dt.date(2020, 1, 1)).note == (" | ".join(notes) or None), code
