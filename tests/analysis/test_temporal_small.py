"""The analyses of change over time (governance, clinical elites, conflicts of interest, activities, membership
churn) on small hand-built histories whose answers are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from graphkit.analysis import activities, churn, conflicts, elites, governance, registry
from graphkit.analysis.history import intersect, within

D = dt.date


def org(G: nx.MultiDiGraph, code: str, kind: str) -> None:
    G.add_node(code, kind=kind, name=code)


def post(G: nx.MultiDiGraph, person: str, at: str, role: str, start: dt.date | None = None,
         end: dt.date | None = None, line: int = 1, **extra: object) -> None:
    G.add_node(person, kind="Person", name=person, bipartite=0)
    G.add_edge(person, at, kind="PostHolding", role=role, title=role, start=start, end=end, source="t", line=line,
               citations=[], **extra)


def tie(G: nx.MultiDiGraph, u: str, v: str, kind: str, start: dt.date | None = None, end: dt.date | None = None,
        **extra: object) -> None:
    G.add_edge(u, v, kind=kind, start=start, end=end, source="t", line=1, citations=[], **extra)


# -- governance profile ----------------------------------------------------------------------------------------------


def governance_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    org(G, "PCO", "PrimaryCareTrust")
    org(G, "A", "GPPractice")
    org(G, "B", "GPPractice")
    # PCO -> A: one of each mode: h = (.25, .25, .25, .25)
    tie(G, "PCO", "A", "DirectsTie", D(2007, 1, 1), hood_mode="Oversight", selection_basis="rolling")
    tie(G, "PCO", "A", "GovernanceTie", D(2007, 1, 1), hood_mode="Competition")
    tie(G, "PCO", "A", "GovernanceTie", D(2007, 1, 1), hood_mode="Mutuality")
    tie(G, "PCO", "A", "GovernanceTie", D(2007, 1, 1), hood_mode="ContrivedRandomness", selection_basis="random")
    # PCO -> B: three oversight, one competition; a second competition tie ended before the date (left out)
    for _ in range(3):
        tie(G, "PCO", "B", "DirectsTie", D(2007, 1, 1), hood_mode="Oversight")
    tie(G, "PCO", "B", "GovernanceTie", D(2007, 1, 1), hood_mode="Competition")
    tie(G, "PCO", "B", "GovernanceTie", D(2007, 1, 1), D(2008, 1, 1), hood_mode="Competition")
    # A and B review each other (peer review: mutuality), and an unmonitored rule with no Hood mode
    tie(G, "A", "B", "GovernanceTie", D(2007, 1, 1), hood_mode="Mutuality")
    tie(G, "B", "A", "GovernanceTie", D(2007, 1, 1), hood_mode="Mutuality")
    tie(G, "PCO", "B", "DirectsTie", D(2007, 1, 1), monitored=False)
    # carriers of the PCO: P1 (GP at A, clinical elite) and P2 (a manager, not a clinician)
    post(G, "P1", "A", "GPPartner")
    post(G, "P1", "PCO", "MedicalDirector", D(2006, 1, 1))
    post(G, "P2", "PCO", "ChiefExecutive", D(2006, 1, 1))
    post(G, "N", "B", "PracticeNurse")
    return G


def test_governance_profile_by_hand() -> None:
    r = governance.governance_profile(governance_graph(), D(2009, 1, 1))
    dyads = {(p.overseer, p.overseen): p for p in r.dyads}
    a = dyads[("PCO", "A")]
    assert a.h == {"O": 0.25, "K": 0.25, "M": 0.25, "R": 0.25}
    # θ = 0.25: O and K at θ make comptrol, M at θ makes it comptrol with mutuality; carriers P1 (elite), P2 (not)
    assert a.hybrids == ["comptrol", "comptrol with mutuality", "restratified oversight"]
    b = dyads[("PCO", "B")]
    assert b.counts == {"Oversight": 3, "Competition": 1, "Mutuality": 0, "ContrivedRandomness": 0}
    assert b.hybrids == ["comptrol", "restratified oversight"]
    assert any("M = 0.00 < θ 0.25" in reason for reason in b.reasons)
    pco = next(p for p in r.overseers if p.overseer == "PCO")
    assert pco.instances == 8 and pco.h == {"O": 0.5, "K": 0.25, "M": 0.125, "R": 0.125}
    assert pco.hybrids == ["comptrol", "restratified oversight"] and pco.elite_carrier_share == 0.5
    # a majority rule stricter than the carriers' 0.5 refuses restratified oversight
    strict = governance.governance_profile(governance_graph(), D(2009, 1, 1), elite_share=0.6)
    assert "restratified oversight" not in next(p for p in strict.overseers if p.overseer == "PCO").hybrids
    # structure: PCO->A, PCO->B, A<->B: two of four edges lie on a cycle
    assert r.flow_hierarchy == 0.5 and r.reciprocity == 0.5 and r.peer_tie_share == 0.5
    assert r.inspections == 2 and r.random_inspection_share == 0.5
    assert len(r.unclassified) == 1
    # oversight and peer review ties: PCO->A twice by a GP elite at a GP practice; the other five are not by peers
    assert r.peer_oversight == {"ties": 7, "known": 7, "by_peers": 2, "unknown": 0, "share": 2 / 7}
    # the clinical elites' view of the same date reports the same oversight by peers
    assert elites.clinical_elites(governance_graph(), D(2009, 1, 1)).oversight_by_peers == r.peer_oversight
    # θ above every share: no hybrid at all
    assert not any(p.hybrids[:1] == ["comptrol"] for p in governance.governance_profile(
        governance_graph(), D(2009, 1, 1), theta=0.8).dyads)


# -- clinical elites -------------------------------------------------------------------------------------------------


def elites_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for code, kind in (("A", "GPPractice"), ("B", "GPPractice"), ("FED", "GPFederation"), ("FEDB", "FederationBoard"),
                       ("LMC", "LocalMedicalCommittee"), ("MOL", "MemberOrganisationLeadsGroup")):
        org(G, code, kind)
    tie(G, "FEDB", "FED", "UnitMembership", D(2015, 1, 1))
    post(G, "P1", "A", "GPPartner")
    post(G, "P1", "FEDB", "BoardGPMember", D(2015, 1, 1), D(2016, 12, 31))
    post(G, "P1", "LMC", "LMCOfficer", D(2016, 1, 1))
    post(G, "P2", "A", "PracticeNurse")
    post(G, "P3", "FEDB", "BoardChair", D(2015, 1, 1))
    post(G, "P4", "B", "PracticeManager")
    post(G, "P4", "FEDB", "BoardDirector", D(2017, 1, 1))
    post(G, "P5", "B", "GPPartner")
    post(G, "P5", "MOL", "MemberOrganisationLead", D(2015, 1, 1))
    return G


def test_clinical_elites_by_hand() -> None:
    G = elites_graph()
    then = elites.clinical_elites(G, D(2016, 6, 1))
    assert then.elite == ["P1"] and then.seats == 2 and then.elite_seats == 1  # FEDB: P1, P3
    assert then.strata_spanned == {"P1": 2}  # practice (1) and federation / LMC (3)
    now = elites.clinical_elites(G, D(2017, 6, 1), since=D(2016, 6, 1))
    assert now.elite == ["P1", "P4"]  # P1 through the LMC, P4 on the board; P5's MOL seat is not governance
    assert now.seats == 2 and now.elite_seats == 1 and now.elite_seat_share == 0.5  # FEDB: P3, P4
    # governance posts per person [P1 1, P2 0, P3 1, P4 1, P5 0]: Gini 2·(3+4+5)/(5·3) − 6/5 = 0.4; top tenth 1/3
    assert now.governance_posts_per_person == {"P1": 1, "P2": 0, "P3": 1, "P4": 1, "P5": 0}
    assert now.gini == pytest.approx(0.4) and now.top_decile_share == pytest.approx(1 / 3)
    # clinicians P1, P2, P4, P5 both times; elite 1 then, 2 now: index 0.5 − 0.25
    assert now.restratification is not None
    assert (now.restratification["share_then"], now.restratification["share_now"]) == (0.25, 0.5)
    assert now.restratification["index"] == 0.25
    people = {p.person: p for p in now.people}
    assert people["P3"].reason.startswith("no clinical post") and people["P2"].reason.endswith("rank and file")


# -- conflicts of interest -------------------------------------------------------------------------------------------


def conflicts_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for code, kind in (("CCG", "ClinicalCommissioningGroup"), ("GB", "CCGGoverningBody"), ("COMM", "CCGCommittee"),
                       ("OTHER", "ClinicalCommissioningGroup"), ("FED", "GPFederation"), ("FEDB", "FederationBoard"),
                       ("JV", "JointVenture"), ("A", "GPPractice")):
        org(G, code, kind)
    tie(G, "GB", "CCG", "UnitMembership", D(2013, 4, 1))
    tie(G, "COMM", "CCG", "UnitMembership", D(2013, 4, 1))
    tie(G, "FEDB", "FED", "UnitMembership", D(2015, 1, 1))
    tie(G, "FED", "JV", "CollaborationMembership", D(2016, 1, 1))
    for cid, kind, holder, commissioner, start, end in (
        ("K1", "ServiceContract", "FED", "CCG", D(2016, 7, 1), D(2017, 6, 30)),
        ("K2", "APMSContract", "JV", "CCG", D(2017, 4, 1), None),
        ("K3", "GMSContract", "A", "CCG", None, None),
        ("K4", "ServiceContract", "FED", "OTHER", D(2016, 1, 1), None),
    ):
        G.add_node(f"contract:{cid}", kind=kind, name=cid, commissioner=commissioner, start=start, end=end)
        tie(G, f"contract:{cid}", holder, "ContractHolder", start, end)
    post(G, "X", "GB", "CCGGoverningBodyMember", None, D(2016, 12, 31), line=1)
    post(G, "X", "FEDB", "BoardDirector", D(2015, 1, 1), D(2018, 6, 30), line=2)
    post(G, "X", "A", "GPPartner", line=3)
    post(G, "Y", "GB", "CCGGoverningBodyMember", D(2016, 1, 1), line=4, commissioning=False)
    post(G, "Y", "FEDB", "BoardDirector", D(2016, 1, 1), line=5)
    post(G, "Z", "COMM", "CommitteeMember", D(2016, 1, 1), line=6, represents="FED")
    post(G, "Z", "FEDB", "BoardDirector", D(2016, 1, 1), line=7)
    return G


def test_conflicts_by_hand() -> None:
    G = conflicts_graph()
    r = conflicts.conflicts_of_interest(G, D(2016, 9, 1))
    # X on the governing body (start undated, to 2016-12-31) and the federation board while FED holds K1:
    # window 2016-07-01 .. 2016-12-31; K2 (through the joint venture) starts after X left the governing body;
    # K4 is another commissioner's; K3 is a core contract (left out by default)
    assert [(p.person, p.contract, p.link, p.start, p.end) for p in r.paths] == [
        ("X", "K1", "holds", D(2016, 7, 1), D(2016, 12, 31))]
    assert r.paths[0].undated == ["commissioner post"]
    # Y's governing-body post is non-commissioning, Z sits on the committee for FED: both declared separate
    assert sorted((s["path"].person, s["path"].contract) for s in r.declared_separate) == [("Y", "K1"), ("Z", "K1")]
    assert {(i.person, i.provider) for i in r.interlocks} == {("X", "FED"), ("X", "A")}
    assert next(i for i in r.interlocks if i.provider == "FED").start == D(2015, 1, 1)
    # on a later date, none; over a period, K1 again; with core contracts, K3 through X's practice
    assert conflicts.conflicts_of_interest(G, D(2017, 9, 1)).paths == []
    period = conflicts.conflicts_of_interest(G, D(2020, 1, 1), since=D(2016, 1, 1), until=D(2018, 12, 31))
    assert [p.contract for p in period.paths] == ["K1"]
    core = conflicts.conflicts_of_interest(G, D(2016, 9, 1), include_core=True)
    assert sorted(p.contract for p in core.paths) == ["K1", "K3"]
    assert conflicts.conflicts_of_interest(G, D(2016, 9, 1), include_undated=False).paths == []
    # an area that is not X's commissioner has none
    assert conflicts.conflicts_of_interest(G, D(2016, 9, 1), area="OTHER").paths == []
    assert len(conflicts.conflicts_of_interest(G, D(2016, 9, 1), area="CCG").paths) == 1


# -- activities ------------------------------------------------------------------------------------------------------


def activities_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for code, kind in (("C", "GPFederation"), ("G", "SubfederationGroup"), ("NHSE", "NHSEngland"),
                       ("LA", "LocalAuthority"), ("CCG", "ClinicalCommissioningGroup")):
        org(G, code, kind)
    for m in ("M1", "M2", "M3", "M4"):
        org(G, m, "GPPractice")
        tie(G, m, "C", "FederationMembership", D(2015, 1, 1))
        tie(G, "C", m, "DirectsTie", D(2015, 1, 1), requirement="central accounting", monitored=True,
            compliance="not_complied" if m == "M4" else "complied")
    for m in ("M1", "M2", "M3"):
        tie(G, m, "G", "SubfederationMembership", D(2015, 1, 1))
    tie(G, "C", "G", "FacilitationTie", D(2016, 1, 1), mechanism="support the group to bid")
    tie(G, "C", "M1", "ServiceProvisionTie", D(2015, 1, 1))
    tie(G, "C", "M2", "ServiceProvisionTie", D(2015, 1, 1))
    tie(G, "M1", "M2", "RiskSharingTie", D(2016, 6, 1))
    tie(G, "M2", "M3", "PeerNetworkTie", D(2016, 3, 1))
    tie(G, "M1", "M3", "CoverArrangement", D(2018, 1, 1))
    tie(G, "C", "NHSE", "EngagementTie", D(2017, 1, 1), mechanism="joint project")
    tie(G, "C", "LA", "PartnershipTie", D(2017, 1, 1), mechanism="health improvement")
    tie(G, "G", "CCG", "BidTie", D(2017, 1, 1), outcome="won", lot="hub")
    return G


def test_activities_by_hand() -> None:
    r = activities.activities(activities_graph(), D(2018, 6, 1), centre="C")
    assert r.mix == {"directing": {"activities": 1, "share": 0.25}, "engineering": {"activities": 1, "share": 0.25},
                     "co-producing": {"activities": 2, "share": 0.5}}
    rule = r.directing["rules"][0]
    assert rule["subject"] == 4 and rule["compliance_rate"] == 0.75 and rule["not_complied"] == ["M4"]
    assert "(all but 1)" in rule["summary"] and r.directing["coverage"] == 1.0
    eng = next(a for a in r.activities if a.type == "engineering").measures
    # on 2016-01-01: no lateral pair yet, C-M1 and C-M2: LTS 0; a year on: M1-M2, M2-M3 and the same two: 0.5
    assert (eng["lts_before"], eng["lts_after"], eng["delta_lts"], eng["new_lateral_ties"]) == (0.0, 0.5, 0.5, 2)
    assert r.co_production["reach_upward"] == ["NHSE"] and r.co_production["max_levels_above"] == 2
    assert r.challenge_capacity == {"groups": ["G"], "won_bids_alone": ["G"], "capacity": 1}
    # a period that ends before the facilitation and the partnerships: directing only
    early = activities.activities(activities_graph(), D(2018, 6, 1), centre="C", until=D(2015, 12, 31))
    assert [a.type for a in early.activities] == ["directing"]
    # an undated engineering activity has no before and after
    G = activities_graph()
    for _, _, d in G.edges(data=True):
        if d["kind"] == "FacilitationTie":
            d["start"] = None
    undated = next(a for a in activities.activities(G, D(2018, 6, 1), centre="C").activities
                   if a.type == "engineering")
    assert undated.measures["delta_lts"] is None and "undated" in undated.measures["reason"]


# -- membership churn ------------------------------------------------------------------------------------------------


def churn_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for code, kind in (("F", "GPFederation"), ("G", "GPFederation"), ("CCG", "ClinicalCommissioningGroup")):
        org(G, code, kind)
    for p in ("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"):
        org(G, p, "GPPractice")
        tie(G, p, "CCG", "CommissionerAssignment", D(2013, 4, 1))
    tie(G, "p1", "F", "FederationMembership", D(2015, 1, 1), D(2017, 3, 31))
    tie(G, "p1", "G", "FederationMembership", D(2017, 6, 1))
    tie(G, "p2", "F", "FederationMembership", D(2015, 1, 1), D(2017, 12, 31))
    tie(G, "p3", "G", "FederationMembership", D(2016, 1, 1))
    tie(G, "p4", "F", "FederationMembership", D(2015, 1, 1), D(2016, 1, 1))
    tie(G, "p4", "G", "FederationMembership", D(2018, 1, 1))
    tie(G, "p8", "F", "FederationMembership", D(2015, 1, 1))
    tie(G, "p5", "F", "ApproachTie", D(2017, 1, 1), outcome="joined")
    tie(G, "p6", "F", "ApproachTie", D(2017, 2, 1), outcome="stayed")
    tie(G, "p7", "G", "ApproachTie", D(2018, 2, 1), outcome="pending")
    tie(G, "F", "CCG", "BidTie", D(2018, 1, 1), outcome="won", lot="L1")
    tie(G, "G", "CCG", "BidTie", D(2018, 1, 1), outcome="lost", lot="L1")
    tie(G, "p3", "CCG", "BidTie", D(2018, 1, 1), outcome="lost", lot="L1")
    tie(G, "G", "CCG", "BidTie", D(2018, 3, 1), outcome="not_bid", lot="L2")
    # F bids for L3 through a joint venture it owns; its member p8 bids against it
    org(G, "JV", "JointVenture")
    tie(G, "F", "JV", "CollaborationMembership", D(2017, 1, 1))
    tie(G, "JV", "CCG", "BidTie", D(2018, 4, 1), outcome="won", lot="L3")
    tie(G, "p8", "CCG", "BidTie", D(2018, 4, 1), outcome="lost", lot="L3")
    return G


def test_membership_churn_by_hand() -> None:
    r = churn.membership_churn(churn_graph(), D(2018, 12, 31), since=D(2016, 1, 1))
    # p1 left F on 2017-03-31 and joined G 62 days later: a switch; p2 left; p4 left F and joined G two years on
    assert [(s["practice"], s["from"], s["to"], s["days_apart"]) for s in r.switches] == [("p1", "F", "G", 62)]
    assert sorted(lv["practice"] for lv in r.leaves) == ["p2", "p4"]
    assert sorted(j["practice"] for j in r.joins) == ["p1", "p3", "p4"]
    assert r.per_federation["F"] == {"joins": 0, "leaves": 2, "switches_in": 0, "switches_out": 1}
    assert r.per_federation["G"] == {"joins": 3, "leaves": 0, "switches_in": 1, "switches_out": 0}
    assert r.approach_outcomes == {"joined": 1, "pending": 1, "stayed": 1} and r.conversion_rate == 0.5
    # on the date F has p8 and G has p1, p3, p4, all in one CCG: every member has both to choose from
    assert r.contestability == {"F": 1.0, "G": 1.0}
    assert r.concentration["CCG"].hhi == pytest.approx(0.25**2 + 0.75**2)
    lots = {t["lot"]: t for t in r.tenders}
    assert lots["L1"]["n_bidders"] == 3 and lots["L1"]["n_federations"] == 2
    assert lots["L1"]["member_against_federation"] == [{"member": "p3", "federation": "G", "bidder": "G"}]
    assert lots["L2"]["n_bidders"] == 0
    assert lots["L3"]["federations"] == ["F"] and lots["L3"]["member_against_federation"] == [
        {"member": "p8", "federation": "F", "bidder": "JV"}]
    wide = churn.membership_churn(churn_graph(), D(2018, 12, 31), since=D(2016, 1, 1), switch_days=800)
    assert sorted(s["practice"] for s in wide.switches) == ["p1", "p4"] and [lv["practice"] for lv in wide.leaves] == [
        "p2"]


# -- the registry runs them with the date ----------------------------------------------------------------------------


def test_registry_passes_the_date_and_checks_the_period() -> None:
    a = registry.get("conflicts-of-interest")
    assert a.temporal and a.to_dict()["temporal"] is True
    out = a.run(conflicts_graph(), as_of=D(2016, 9, 1))
    assert out["counts"]["paths"] == 1 and out["paths"][0]["start"] == D(2016, 7, 1)
    from graphkit.errors import BadParameter, NotFound

    with pytest.raises(BadParameter, match="since must not exceed until"):
        a.run_for(conflicts_graph(), {"since": "2018-01-01", "until": "2017-01-01"}, as_of="2018-01-01")
    with pytest.raises(BadParameter):
        a.run_for(conflicts_graph(), {"since": "2018-02-30"}, as_of="2018-01-01")
    with pytest.raises(NotFound, match="on any date"):
        registry.get("activities").run_for(activities_graph(), {"centre": "NOPE"}, as_of="2018-01-01")


def test_helpers() -> None:
    assert intersect((D(2016, 1, 1), None), (None, D(2015, 1, 1))) is None
    G = conflicts_graph()
    assert within(G, "CCG", D(2016, 1, 1)) == {"CCG", "GB", "COMM"}
