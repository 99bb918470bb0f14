"""Style typology (domain-model §3.2) and scale profiles (§3.7) on hand-built federations."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphkit.analysis import style as st
from graphkit.analysis.style import StyleThresholds, classify_style, control_score, proactivity_score, style


def federation(centre: str, n: int = 4, **attrs: object) -> tuple[nx.MultiDiGraph, list[str]]:
    G = nx.MultiDiGraph()
    G.add_node(centre, kind="GPFederation", scale_level=3, **attrs)
    members = [f"{centre}-m{i}" for i in range(1, n + 1)]
    for m in members:
        G.add_node(m, kind="GPPractice", scale_level=1)
        G.add_edge(m, centre, kind="FederationMembership")
    return G, members


def post(G: nx.MultiDiGraph, person: str, org: str, kind: str | None = None, **attrs: object) -> None:
    G.add_node(person, kind="Person")
    if kind is not None:
        G.add_node(org, kind=kind)
    G.add_edge(person, org, kind="PostHolding", **attrs)


def expanding_like() -> nx.MultiDiGraph:
    G, ms = federation(
        "EXP",
        central_functions=["cqc_registration", "payroll", "accounting", "intranet", "hr"],
        monitoring=True,
        governance_team=True,
        exit_cost=True,
    )
    for m in ms:
        G.add_edge("EXP", m, kind="DirectsTie", requirement="standard clinical system", monitored=True)
    G.add_edge("EXP", ms[3], kind="DirectsTie", requirement="central accounting", monitored=True, sanction="debated")
    # chair on the STP board with a formal seat (004:232, 004:271); a director with CCG, trust and RCGP roles (004:259)
    post(G, "P-A", "EXP", role="chair")
    post(G, "P-A", "STP1", "STPBoard", role="board member", formal_seat=True)
    post(G, "P-B", "EXP", role="director")
    post(G, "P-B", "CCGC1", "CCGCommittee", role="clinical lead")
    post(G, "P-B", "TRUST1", "AcuteTrust", role="clinical lead")
    G.add_node("RCGP", kind="RepresentativeBody", scale_level=5)
    post(G, "P-B", "RCGP", role="faculty officer")
    post(G, "P-B", ms[0], role="GP partner")  # own practice: internal, not an external tie
    # engagements: the CQC project, the STP structures, PCN development (all started by Expanding), a CCG request
    G.add_node("CQC", kind="CareQualityCommission")
    G.add_node("PCN1", kind="PrimaryCareNetwork")
    G.add_node("CCG1", kind="ClinicalCommissioningGroup")
    G.add_edge("EXP", "CQC", kind="CoProduces", initiated_by_centre=True, horizon="future")
    G.add_edge("EXP", "STP1", kind="CoProduces", initiated_by_centre=True, horizon="future")
    G.add_edge("EXP", "PCN1", kind="Initiates", horizon="future")  # initiator inferred from direction
    G.add_edge("CCG1", "EXP", kind="CoProduces", initiated_by_centre=False, horizon="operational")
    return G


def embedded_like() -> nx.MultiDiGraph:
    G, _ = federation("EMB")
    post(G, "P-C", "EMB", role="chair")
    post(G, "P-C", "LMC1", "LocalMedicalCommittee", role="former officer")
    post(G, "P-D", "EMB", role="director")
    post(G, "P-D", "CCGC2", "CCGCommittee", role="member")
    post(G, "P-D", "STP2", "STPBoard", role="clinical cabinet", formal_seat=False)
    G.add_node("CCG2", kind="ClinicalCommissioningGroup")
    G.add_node("LA1", kind="LocalAuthority")
    G.add_node("RLN", kind="GPProviderCollaborative")
    G.add_edge("CCG2", "EMB", kind="CoProduces", initiated_by_centre=False, horizon="operational")
    G.add_edge("LA1", "EMB", kind="CoProduces", initiated_by_centre=False, horizon="operational")
    G.add_edge("EMB", "RLN", kind="Initiates", initiated_by_centre=True, horizon="future")
    return G


def small_like() -> nx.MultiDiGraph:
    G, ms = federation("SML")
    for m in ms:
        G.add_edge("SML", m, kind="DirectsTie", requirement="prescribing scheme rules", monitored=False)
    post(G, "P-E", "SML", role="chair")
    post(G, "P-E", "CCG3", "ClinicalCommissioningGroup", role="locality lead")
    G.add_node("BIG", kind="GPFederation")
    G.add_edge("BIG", "SML", kind="CoProduces", initiated_by_centre=False, horizon="operational")
    return G


def struggling_like() -> nx.MultiDiGraph:
    G, _ = federation("STR")
    post(G, "P-F", "STR", role="chair")
    post(G, "P-F", "LMC2", "LocalMedicalCommittee", role="member")
    post(G, "P-F", "STP3", "STPBoard", role="attends STP discussions")
    post(G, "P-G", "STR", role="CEO")
    post(G, "P-G", "CCGGB", "CCGGoverningBody", role="former member")
    return G


def authoritarian_like() -> nx.MultiDiGraph:
    """Enforces standard systems with monitored directives and an applied sanction, but has no external ties."""
    G, ms = federation("AUT", central_functions=list(st.CENTRAL_FUNCTIONS), monitoring=True, governance_team=True)
    for m in ms:
        G.add_edge("AUT", m, kind="DirectsTie", requirement="standard systems", monitored=True)
    G.add_edge("AUT", ms[0], kind="DirectsTie", requirement="data returns", monitored=True, sanction="applied")
    post(G, "P-H", "AUT", role="chair")
    return G


def test_expanding_like_is_authoritative() -> None:
    r = style(expanding_like(), "EXP")
    assert r.control == {
        "directive_coverage": 1.0,  # all 4 members under monitored directives
        "centralised_functions": pytest.approx(5 / 6),
        "monitoring": 1.0,  # data returns and a governance team
        "enforcement": 0.5,  # a sanction debated
        "exit_cost": 1.0,
    }
    assert r.ctrl == pytest.approx((1 + 5 / 6 + 1 + 0.5 + 1) / 5)  # 0.8667
    assert r.external_ties == ["CCG1", "CCGC1", "CQC", "PCN1", "RCGP", "STP1", "TRUST1"]
    assert r.scale_levels == [2, 3, 4, 5]
    assert r.proactivity == {
        "scale_reach": 0.8,  # 4 of 5 levels
        "initiative_share": 0.75,  # 3 of 4 engagements started by the centre
        "temporal_horizon": 0.75,  # 3 of 4 aimed at future structures
        "stp_presence": 1.0,  # formal seat
    }
    assert r.pro == pytest.approx(0.825)
    assert r.board_members == ["P-A", "P-B"]
    assert r.style == "authoritative"


def test_embedded_like_is_indulgent() -> None:
    r = style(embedded_like(), "EMB")
    assert r.ctrl == 0.0
    assert r.scale_levels == [3, 4]
    assert r.proactivity["scale_reach"] == 0.4
    assert r.proactivity["initiative_share"] == pytest.approx(1 / 3)
    assert r.proactivity["temporal_horizon"] == pytest.approx(1 / 3)
    assert r.proactivity["stp_presence"] == 0.5  # attends, no formal seat
    assert r.pro == pytest.approx((0.4 + 1 / 3 + 1 / 3 + 0.5) / 4)  # 0.3917: above tau_low 0.25, below tau 0.5
    assert r.style == "indulgent"


def test_small_and_struggling_like_are_neglectful() -> None:
    small = style(small_like(), "SML")
    assert small.control["directive_coverage"] == 0.5  # unmonitored rules count half (004:623)
    assert small.ctrl == pytest.approx(0.1)  # 0.5 / 5
    assert small.pro == pytest.approx(0.05)  # scale reach 1/5 (CCG, BIG at level 3), nothing else: 0.2 / 4
    assert small.style == "neglectful"
    struggling = style(struggling_like(), "STR")
    assert struggling.ctrl == 0.0
    assert struggling.pro == pytest.approx((0.4 + 0 + 0 + 0.5) / 4)  # 0.225 < 0.3
    assert struggling.style == "neglectful"


def test_synthetic_authoritarian() -> None:
    r = style(authoritarian_like(), "AUT")
    assert r.ctrl == 1.0  # coverage 1, functions 6/6, monitoring 1, sanction applied 1, exit cost (CQC) 1
    assert r.pro == 0.0
    assert r.external_ties == []
    assert r.style == "authoritarian"


def test_classification_rule_and_thresholds() -> None:
    assert classify_style(0.5, 0.5) == "authoritative"  # boundaries are inclusive (>= tau)
    assert classify_style(0.5, 0.49) == "authoritarian"
    assert classify_style(0.49, 0.25) == "indulgent"
    assert classify_style(0.49, 0.24) == "neglectful"
    stricter = StyleThresholds(tau=0.5, tau_low=0.4)
    assert style(embedded_like(), "EMB", thresholds=stricter).style == "neglectful"  # 0.39 < 0.4
    with pytest.raises(ValueError):
        StyleThresholds(tau=0.3, tau_low=0.4)


def test_control_details() -> None:
    G, ms = federation("F", central_functions=["payroll", "not-a-listed-function"])
    G.add_edge("F", ms[0], kind="DirectsTie", monitored=False)
    G.add_edge("F", ms[0], kind="DirectsTie", monitored=True)  # monitored wins for that member
    G.add_edge("F", ms[1], kind="DirectsTie", monitored=False)
    s = control_score(G, "F", unmonitored_weight=0.25)
    assert s.components["directive_coverage"] == pytest.approx((1 + 0.25) / 4)
    assert s.components["centralised_functions"] == pytest.approx(1 / 6)  # unknown names ignored
    assert s.components["exit_cost"] == 0.0  # no attribute and no single CQC registration


def test_board_through_a_board_node() -> None:
    G, _ = federation("F")
    G.add_node("F-BOARD", kind="FederationBoard")
    G.add_edge("F-BOARD", "F", kind="GovernanceTie")
    post(G, "P-1", "F-BOARD", role="director")
    post(G, "P-1", "ICS", "IntegratedCareSystem", role="partnership board", formal_seat=True)
    assert st.board_members(G, "F") == (["P-1"], ["F-BOARD"])
    p = proactivity_score(G, "F")
    assert p.components["stp_presence"] == 1.0
    assert p.components["scale_reach"] == 0.2  # only the ICS (level 4); the board node is internal


def test_scale_profiles() -> None:
    assert st.scale_profile(small_like(), "SML").scalarity == "uniscalar"  # CCG and BIG: own level only
    exp = st.scale_profile(expanding_like(), "EXP")
    assert exp.levels == {2: 1, 3: 3, 4: 1, 5: 2}
    assert exp.scalarity == "multiscalar"
    assert exp.entropy == pytest.approx(-sum(p * math.log2(p) for p in (1 / 7, 3 / 7, 1 / 7, 2 / 7)))
    emb = st.scale_profile(embedded_like(), "EMB")
    assert emb.scalarity == "limited multiscalar"  # levels {3, 4}: one level besides its own
    person = st.scale_profile(expanding_like(), "P-B")
    assert person.own_level == 1 and person.scalarity == "multiscalar"


def test_unknown_centre() -> None:
    with pytest.raises(KeyError):
        style(small_like(), "nope")
