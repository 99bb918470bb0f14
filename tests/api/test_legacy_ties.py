"""Legacies of earlier collaborations, the practice networks that replaced a federation and their footprints
(ontology 2.5.0: pcg:LegacyTie, pcg:PracticeNetwork, pcg:footprintBasis; domain model R42, §5 Q28, Q29, Q33) served
by both stores: GET /ties and GET /organisations/{code}."""

from __future__ import annotations

from tests.api.conftest import ok

MOSAICS = {"ZZF-STR-NET-MOSAIC1", "ZZF-STR-NET-MOSAIC2"}
NETWORKS = {*MOSAICS, "ZZF-STR-NET-PLACE1"}


def test_every_legacy_with_its_citation(cases_app) -> None:
    # R42, Q28: Embedded grew on the 1990s non-fundholder initiative and the clusters (004:276); most of Expanding's
    # city had been in a provider collaboration that ceased (004:204); Struggling's networks took its place (004:691)
    body = ok(cases_app, "/ties", kind="LegacyTie", limit=1000)
    got = {(t["from"], t["to"]): t for t in body["data"]}
    assert body["count"] == 6 and set(got) == {
        ("ZZF-EMBEDDED", "ZZF-EMB-NFI"), ("ZZF-EMBEDDED", "ZZF-EMB-CLUSTERS"), ("ZZF-EXPANDING", "ZZF-EXP-PROVCOLLAB"),
        *((n, "ZZF-STRUGGLING") for n in NETWORKS)}
    assert got[("ZZF-EMBEDDED", "ZZF-EMB-NFI")]["citations"] == ["004:276"]
    assert got[("ZZF-EXPANDING", "ZZF-EXP-PROVCOLLAB")]["citations"] == ["004:204"]
    assert all(set(got[(n, "ZZF-STRUGGLING")]["citations"]) == {"004:691", "004:388"} for n in NETWORKS), [
        got[(n, "ZZF-STRUGGLING")]["citations"] for n in NETWORKS]
    # a legacy states no period, and none is planned: the PCNs the Local Delivery Groups could become are not named
    assert all(t["start"] is None and t["end"] is None and t["status"] is None for t in body["data"])
    assert all(t["family"] == "lateral" and t["note"] for t in body["data"])


def test_the_networks_that_replaced_struggling(cases_app) -> None:
    # Q29: after the federation's demise (undated: no end), groups of its practices formed networks (004:691)
    body = ok(cases_app, "/ties", kind="LegacyTie", organisation="ZZF-STRUGGLING", end="to")
    assert {t["from"] for t in body["data"]} == NETWORKS and body["count"] == 3
    assert ok(cases_app, "/organisations/ZZF-STRUGGLING", as_of="2019-06-01")["end"] is None
    # each network's members are Struggling's practices, in a collaboration (not a federation)
    for n in NETWORKS:
        members = ok(cases_app, "/ties", kind="CollaborationMembership", organisation=n, end="to")
        assert members["count"] == 6 and all(t["from"].startswith("ZZF-STR-P") for t in members["data"])
        assert all("SYNTHETIC" in t["note"] for t in members["data"])
    assert ok(cases_app, "/ties", kind="FederationMembership", organisation="ZZF-STR-NET-PLACE1")["count"] == 0


def test_the_mosaic_networks_lost_their_bids(cases_app) -> None:
    # Q33: the two networks whose population was not in one area lost; the place-based one won (004:691-692)
    for n in NETWORKS:
        body = ok(cases_app, "/ties", kind="BidTie", organisation=n)
        assert [(t["from"], t["to"]) for t in body["data"]] == [(n, "ZZF-NHSE")]
        assert body["data"][0]["outcome"] == ("BidLost" if n in MOSAICS else "BidWon")
    bids = ok(cases_app, "/ties", kind="BidTie", organisation="ZZF-NHSE", end="to")
    assert {(t["from"], t["outcome"]) for t in bids["data"]} == {
        ("ZZF-STR-NET-MOSAIC1", "BidLost"), ("ZZF-STR-NET-MOSAIC2", "BidLost"), ("ZZF-STR-NET-PLACE1", "BidWon")}


def test_an_organisation_shows_its_footprint_basis(cases_app) -> None:
    mosaic = ok(cases_app, "/organisations/ZZF-STR-NET-MOSAIC1", as_of="2019-06-01")
    assert mosaic["footprint_basis"] == "FootprintMosaic" and mosaic["kinds"] == ["PracticeNetwork"]
    assert mosaic["start"] == "2018-08-01" and mosaic["fictional"] is True
    assert ok(cases_app, "/organisations/ZZF-STR-NET-PLACE1", as_of="2019-06-01")["footprint_basis"] == "FootprintPlace"
    assert ok(cases_app, "/organisations/ZZF-EMB-LDG", as_of="2019-06-01")["footprint_basis"] == "FootprintPlace"
    # not stated: null
    assert ok(cases_app, "/organisations/ZZF-STRUGGLING", as_of="2019-06-01")["footprint_basis"] is None
    # the 1990s initiative: the decade's bounds (004:276)
    nfi = ok(cases_app, "/organisations/ZZF-EMB-NFI", as_of="1995-01-01")
    assert (nfi["start"], nfi["end"], nfi["footprint_basis"]) == ("1990-01-01", "1999-12-31", None)
