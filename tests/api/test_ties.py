"""GET /ties and GET /interlocks on the case studies (both stores, same answers) and, for /ties, the national
files."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from api.app import create_app
from api.inprocess import get
from graphkit.config import Settings
from graphkit.store.interlocks import add_months
from tests.api.conftest import error, ok


def _pairs(body: dict, person: str) -> set[tuple[str, str]]:
    return {(i["organisation_a"], i["organisation_b"]) for i in body["data"] if i["person"] == person}


# --- /interlocks ------------------------------------------------------------------------------------------------


def test_struggling_board_just_off_the_ccg_governing_body(cases_app) -> None:
    # 004:678: the chair and CEO 'had just come off' the CCG governing body (ended 2016-12-31)
    on = ok(cases_app, "/interlocks", organisation="ZZF-STRUGGLING", as_of="2017-06-01")
    for person in ("ZZP-STR-CHAIR", "ZZP-STR-CEO"):
        assert ("ZZF-CCG-STR", "ZZF-STRUGGLING") not in _pairs(on, person)
    wide = ok(cases_app, "/interlocks", organisation="ZZF-STRUGGLING", since="2017-01-01", until="2017-12-31",
              window_months=12)
    for person in ("ZZP-STR-CHAIR", "ZZP-STR-CEO"):
        found = [i for i in wide["data"] if i["person"] == person
                 and (i["organisation_a"], i["organisation_b"]) == ("ZZF-CCG-STR", "ZZF-STRUGGLING")]
        assert len(found) == 1, found
        i = found[0]
        assert i["post_a"]["organisation"] == "ZZF-CCG-STR-GB" and i["post_a"]["unit"] == "ZZF-CCG-STR-GB"
        assert i["post_a"]["end"] == "2016-12-31" and i["post_a"]["source"] and i["post_a"]["line"]
        assert i["post_b"]["organisation"] == "ZZF-STRUGGLING-BOARD" and i["post_b"]["start"] == "2015-01-01"
        # the boards overlapped (004:354); the window runs 12 months past the governing-body post
        assert i["overlap"] is True and i["gap_days"] is None and i["window_months"] == 12
        assert i["start"] == "2015-01-01" and i["end"] == "2017-12-31"
        assert i["undated"] == ["post_a"]  # the governing-body post's start is not given
    # on 2017-06-01 with a 12-month window the interlock holds; a 5-month window ends it on 2017-05-31
    assert ("ZZF-CCG-STR", "ZZF-STRUGGLING") in _pairs(
        ok(cases_app, "/interlocks", organisation="ZZF-STRUGGLING", as_of="2017-06-01", window_months=12),
        "ZZP-STR-CHAIR")
    assert ("ZZF-CCG-STR", "ZZF-STRUGGLING") not in _pairs(
        ok(cases_app, "/interlocks", organisation="ZZF-STRUGGLING", as_of="2017-06-01", window_months=5),
        "ZZP-STR-CHAIR")


def test_embedded_board_member_on_the_ccg_committee(cases_app) -> None:
    # 004:739: a valued board member joined a CCG committee (from 2018)
    def committee(body: dict) -> list[dict]:
        return [i for i in body["data"] if i["person"] == "ZZP-EMB-SHONA"
                and {i["post_a"]["organisation"], i["post_b"]["organisation"]}
                == {"ZZF-CCG-EMB-COMMITTEE", "ZZF-EMBEDDED-BOARD"}]

    every = committee(ok(cases_app, "/interlocks", organisation="ZZF-EMBEDDED"))
    assert len(every) == 1
    i = every[0]
    assert (i["organisation_a"], i["organisation_b"]) == ("ZZF-CCG-EMB", "ZZF-EMBEDDED")
    assert i["start"] == "2018-01-01" and i["end"] is None and i["undated"] == []
    assert committee(ok(cases_app, "/interlocks", organisation="ZZF-EMBEDDED", as_of="2018-01-01"))
    assert not committee(ok(cases_app, "/interlocks", organisation="ZZF-EMBEDDED", as_of="2017-12-31"))
    # the area filter finds it from the CCG's side too; the unit is accepted as the organisation
    assert committee(ok(cases_app, "/interlocks", within="ZZF-CCG-EMB", as_of="2018-06-01"))
    assert committee(ok(cases_app, "/interlocks", organisation="ZZF-CCG-EMB-COMMITTEE", as_of="2018-06-01"))


@pytest.mark.neo4j
def test_interlocks_and_ties_same_on_both_stores(cases_embedded, cases_neo4j) -> None:
    a = create_app(Settings(store="oxigraph"), store=cases_embedded)
    b = create_app(Settings(store="neo4j"), store=cases_neo4j)
    for params in ({"window_months": 12, "limit": 10000}, {"as_of": "2018-06-01", "limit": 10000}):
        assert ok(a, "/interlocks", **params) == ok(b, "/interlocks", **params)
    for params in ({"limit": 10000}, {"as_of": "2017-06-01", "limit": 10000}):
        assert ok(a, "/ties", **params) == ok(b, "/ties", **params)


def test_interlocks_refuse_unknown_and_bad_values(cases_app) -> None:
    assert "ZZF-NOPE" in error(cases_app, "/interlocks", 404, organisation="ZZF-NOPE")["message"]
    assert "ZZF-NOPE" in error(cases_app, "/interlocks", 404, within="ZZF-NOPE")["message"]
    error(cases_app, "/interlocks", 422, window_months=121)
    error(cases_app, "/interlocks", 422, window_months=-1)
    error(cases_app, "/interlocks", 422, since="2018-01-01", until="2017-01-01")
    error(cases_app, "/interlocks", 422, as_of="2018-01-01", since="2017-01-01")


def test_add_months() -> None:
    assert add_months(dt.date(2016, 12, 31), 12) == dt.date(2017, 12, 31)
    assert add_months(dt.date(2016, 8, 31), 6) == dt.date(2017, 2, 28)
    assert add_months(dt.date(2016, 1, 1), 0) == dt.date(2016, 1, 1)


# --- /ties ------------------------------------------------------------------------------------------------------


def test_ties_of_an_organisation_both_families(cases_app) -> None:
    body = ok(cases_app, "/ties", organisation="ZZF-STRUGGLING", limit=10000)
    families = {t["family"] for t in body["data"]}
    assert families == {"membership", "lateral"}, families
    assert body["count"] == len(body["data"])
    assert all("ZZF-STRUGGLING" in (t["from"], t["to"]) for t in body["data"])
    # the joint venture Struggling belonged to (004:366)
    assert any(t["kind"] == "CollaborationMembership" and t["from"] == "ZZF-STRUGGLING" and t["to"] == "ZZF-JV-STR-CS"
               for t in body["data"])
    lateral = [t for t in body["data"] if t["family"] == "lateral"]
    assert all(t["line"] and t["sources"] and t["citations"] for t in lateral)
    # the stable order: kind, start, from, to
    keys = [(t["kind"], t["start"] or "", t["from"], t["to"], t["line"] or 0) for t in body["data"]]
    assert keys == sorted(keys)
    # end=from / end=to split the list
    froms = ok(cases_app, "/ties", organisation="ZZF-STRUGGLING", end="from", limit=10000)
    tos = ok(cases_app, "/ties", organisation="ZZF-STRUGGLING", end="to", limit=10000)
    assert all(t["from"] == "ZZF-STRUGGLING" for t in froms["data"])
    assert all(t["to"] == "ZZF-STRUGGLING" for t in tos["data"])
    assert froms["count"] + tos["count"] == body["count"]


def test_ties_by_kind_date_and_area(cases_app) -> None:
    every = ok(cases_app, "/ties", limit=10000)
    kinds = {t["kind"] for t in every["data"]}
    assert "FederationMembership" in kinds and "CompetitionTie" in kinds
    two = ok(cases_app, "/ties", kind=["FederationMembership", "CompetitionTie"], limit=10000)
    assert {t["kind"] for t in two["data"]} == {"FederationMembership", "CompetitionTie"}
    assert two["count"] == sum(1 for t in every["data"] if t["kind"] in ("FederationMembership", "CompetitionTie"))
    day = "2017-06-01"
    on = ok(cases_app, "/ties", as_of=day, limit=10000)
    assert 0 < on["count"] < every["count"]
    assert all((t["start"] or "") <= day and (t["end"] is None or t["end"] >= day) for t in on["data"])
    page = ok(cases_app, "/ties", as_of=day, limit=3, offset=2)
    assert page["data"] == on["data"][2:5] and page["count"] == on["count"]
    area = ok(cases_app, "/ties", within="ZZF-CCG-STR", as_of=day, limit=10000)
    assert area["count"] > 0 and any(t["to"] == "ZZF-CCG-STR" or t["from"] == "ZZF-CCG-STR" for t in area["data"])
    assert {t["from"] for t in area["data"]} | {t["to"] for t in area["data"]} >= {"ZZF-STRUGGLING"}


def test_ties_refuse_unknown_values(cases_app) -> None:
    body = error(cases_app, "/ties", 422, kind="FooTie")
    assert "FooTie" in body["message"] and "PCNMembership" in body["message"] and "RiskSharingTie" in body["message"]
    assert "ZZF-NOPE" in error(cases_app, "/ties", 404, organisation="ZZF-NOPE")["message"]
    assert "ZZF-NOPE" in error(cases_app, "/ties", 404, within="ZZF-NOPE")["message"]
    error(cases_app, "/ties", 422, end="sideways")
    error(cases_app, "/ties", 422, as_of="2017-13-01")


def test_ties_csv_neutralised(cases_app) -> None:
    r = get(cases_app, "/ties", params={"organisation": "ZZF-STRUGGLING", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0].startswith("kind,family,from,from_name,to,to_name,start,end")
    assert len(lines) - 1 == ok(cases_app, "/ties", organisation="ZZF-STRUGGLING")["count"]


@pytest.mark.integration
def test_national_ties(oxigraph) -> None:
    national_app = create_app(Settings(store="oxigraph"), store=oxigraph)
    ok(national_app, "/ties", kind="UnitMembership")  # the indexes built (a server builds them at start)
    started = time.perf_counter()
    body = ok(national_app, "/ties", kind="PCNMembership", as_of="2024-10-01", limit=100)
    elapsed = time.perf_counter() - started
    assert body["count"] > 6000 and len(body["data"]) == 100
    assert all(t["kind"] == "PCNMembership" for t in body["data"])
    practice = ok(national_app, "/ties", organisation="A81001", as_of="2024-10-01")
    assert {t["kind"] for t in practice["data"]} >= {"PCNMembership", "CommissionerAssignment"}
    assert elapsed < 5
