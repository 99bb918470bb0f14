"""Reorganisations on the real national files (seeds/), over both stores: the changes of an area between two dates,
the crosswalk from the CCGs of 2021 to the ICBs of 2024, and figures apportioned across it
(graphkit/store/reorganisation.py, docs/reorganisations.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import pytest

from api.inprocess import get, request
from graphkit.store import reorganisation as reorg
from tests.api.conftest import error, ok

pytestmark = [pytest.mark.integration]

U93843_LEAVERS = {"B81003", "B81023", "B81030", "B81055", "B81620", "B81656", "B81663", "B81665"}


def test_the_merger_into_16c_is_a_change_with_its_sources(app) -> None:
    body = ok(app, "/changes", **{"from": "2020-03-01", "to": "2020-06-01", "within": "16C", "kind": "merged"})
    (merger,) = body["data"]
    assert (merger["day"], merger["code"], merger["before"], merger["after"]) == \
        ("2020-04-01", "16C", "00C, 00K, 00M", "16C")
    assert merger["sources"] and body["summary"] == {"merged": 1}
    closed = ok(app, "/changes", **{"from": "2020-03-01", "to": "2020-06-01", "kind": "closed", "limit": 10000})
    assert {"00C", "00K", "00M"} <= {c["code"] for c in closed["data"] if c["day"] == "2020-04-01"}


def test_16c_changes_role_from_ccg_to_sub_icb_location_on_2022_07_01(app) -> None:
    body = ok(app, "/changes", **{"from": "2021-06-01", "to": "2024-10-01", "within": "16C",
                                 "kind": "role_changed"})
    mine = [c for c in body["data"] if c["code"] == "16C"]
    assert [(c["day"], c["before"], c["after"]) for c in mine] == \
        [("2022-07-01", "ClinicalCommissioningGroup", "SubICBLocation")]
    assert mine[0]["sources"]


def test_a_pcn_losing_members_is_listed_practice_by_practice(app) -> None:
    body = ok(app, "/changes", **{"from": "2020-06-01", "to": "2024-10-01", "within": "U93843", "limit": 10000})
    out = [c for c in body["data"] if c["kind"] in ("moved_pcn", "left_pcn") and c["before"] == "U93843"]
    into = [c for c in body["data"] if c["kind"] in ("moved_pcn", "joined_pcn") and c["after"] == "U93843"]
    assert {c["code"] for c in out} == U93843_LEAVERS and not into
    assert all(c["sources"] and c["detail"] for c in out)
    moved = {c["code"]: c["after"] for c in out if c["kind"] == "moved_pcn"}
    assert moved["B81003"] == "U87666"
    early = ok(app, "/organisations/U93843/members", as_of="2020-06-01")["count"]
    late = ok(app, "/organisations/U93843/members", as_of="2024-10-01")["count"]
    assert early - len(out) + len(into) == late == 8


def test_a_move_seen_only_between_snapshots_is_dated_by_the_evidence_with_its_interval(app) -> None:
    # 02Q (Bassetlaw) left South Yorkshire and Bassetlaw (QF7) for Nottingham and Nottinghamshire (QT1) at the
    # July 2022 reorganisation: the files show it in QF7 on 2022-01-01 and in QT1 first on 2025-12-01
    body = ok(app, "/changes", **{"from": "2021-06-01", "to": "2024-10-01", "kind": "moved_system"})
    moved = {c["code"]: c for c in body["data"]}
    assert set(moved) == {"02Q", "RPG", "RXT"}  # none nationally before the evidence dated them
    bassetlaw = moved["02Q"]
    assert (bassetlaw["day"], bassetlaw["before"], bassetlaw["after"], bassetlaw["precision"]) == \
        ("2022-07-01", "QF7", "QT1", "inferred")
    assert (bassetlaw["earliest"], bassetlaw["latest"]) == ("2022-01-02", "2025-12-01")
    assert "QF7 held RO262 until 2022-06-30" in bassetlaw["basis"]
    assert "QT1 holds RO318 from 2022-07-01" in bassetlaw["basis"]
    assert "nhspaymentsgp_2022-23 line" in bassetlaw["basis"] and "region Y60" in bassetlaw["basis"]
    # the chain of one of its practices follows: old system and region before, new ones after
    for as_of, system, region in (("2022-06-30", "QF7", "Y63"), ("2022-07-01", "QT1", "Y60")):
        levels = {lv["level"]: lv["organisations"][0]["code"]
                  for lv in ok(app, "/organisations/C84001/hierarchy", as_of=as_of)["levels"]}
        assert (levels["commissioner"], levels["system"], levels["region"]) == ("02Q", system, region), as_of
    ties = ok(app, "/organisations/02Q/memberships")["data"]
    new = [t for t in ties if t["organisation"] == "QT1"]
    old = [t for t in ties if t["organisation"] == "QF7"]
    assert [(t["start"], t["start_earliest"], t["start_latest"]) for t in new] == \
        [("2022-07-01", "2022-01-02", "2025-12-01")]
    assert [(t["end"], t["end_inferred"]) for t in old] == [("2022-06-30", True)]


def test_a_move_dated_exactly_by_a_closure_and_an_opening_says_so(app) -> None:
    # PCN U38661's commissioner 04D closed on 2020-03-31 and 71E opened on 2020-04-01: the ePCN files of
    # 2019-12 and 2022-05 leave an interval of one day
    body = ok(app, "/changes", **{"from": "2020-01-01", "to": "2020-12-31", "within": "71E",
                                 "kind": "moved_commissioner", "limit": 10000})
    pcn = [c for c in body["data"] if c["code"] == "U38661"]
    assert [(c["day"], c["before"], c["after"], c["precision"], c["earliest"], c["latest"]) for c in pcn] == \
        [("2020-04-01", "04D", "71E", "inferred", "2020-04-01", "2020-04-01")]
    assert "04D closed on 2020-03-31" in pcn[0]["basis"]


def test_changes_refuse_bad_input_with_the_value_named(app) -> None:
    assert "to" in error(app, "/changes", 422, **{"from": "2024-10-01", "to": "2021-06-01"})["message"]
    assert "teleported" in error(app, "/changes", 422, **{"from": "2021-06-01", "to": "2024-10-01",
                                                            "kind": "teleported"})["message"]
    assert "ZZ999" in error(app, "/changes", 404, **{"from": "2021-06-01", "to": "2024-10-01",
                                                       "within": "ZZ999"})["message"]


def test_a_pcn_renamed_between_two_files_is_a_change_with_both_names(app) -> None:
    body = ok(app, "/changes", **{"from": "2021-06-01", "to": "2022-06-01", "within": "U04443", "kind": "renamed"})
    mine = [c for c in body["data"] if c["code"] == "U04443"]
    assert [(c["day"], c["name"], c["before"], c["after"], c["precision"]) for c in mine] == \
        [("2022-01-01", "SS9 PCN", "WEST LEIGH PCN", "SS9 PCN", "no_later_than")]
    # dated by the mappings (2020-09, 2022-01), the narrowest; the ePCN files that show it too are cited
    assert {"gp-reg-pat-prac-map_2020-09", "gp-reg-pat-prac-map_2022-01", "ePCN_2019-12_pcn_details",
            "ePCN_2022-05_pcn_details"} <= set(mine[0]["sources"])
    assert mine[0]["detail"] == ("WEST LEIGH PCN in gp-reg-pat-prac-map_2020-09 (2020-09-01); SS9 PCN in "
                                 "gp-reg-pat-prac-map_2022-01 (2022-01-01)")


def test_renamings_nationally_leave_out_spellings_and_the_payments_naming_by_partners(app) -> None:
    body = ok(app, "/changes", **{"from": "2019-01-01", "to": "2026-12-01", "kind": "renamed", "limit": 10000})
    assert body["summary"] == {"renamed": body["count"]} and body["count"] == 1643  # docs/reorganisations.md
    by_code: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for c in body["data"]:
        by_code[c["code"]].append((c["day"], c["before"], c["after"]))
        assert len(c["sources"]) >= 2 and c["before"] != c["after"]
        assert c["earliest"] < c["latest"] and c["earliest"] <= c["day"] <= c["latest"]
        # dated by the newer file, or, as the merge dates moves, by the day inside the interval its roles name
        assert (c["precision"] == "no_later_than" and c["day"] == c["latest"]) or \
            (c["precision"] == "inferred" and c["basis"].startswith(f"dated {c['day']}"))
    assert by_code["RXF"] == [("2025-12-01", "MID YORKSHIRE HOSPITALS NHS TRUST", "MID YORKSHIRE TEACHING NHS TRUST")]
    # "CHORLEY & SOUTH ..." (2019-12) and "CHORLEY AND SOUTH ..." (2022-05) are one name; HEALTH -> NETWORK is not
    assert by_code["U10791"] == [("2023-01-01", "CHORLEY AND SOUTH RIBBLE HEALTH PCN",
                                  "CHORLEY AND SOUTH RIBBLE NETWORK PCN")]
    # 16C, seen renamed only between the mappings of 2022-01 and 2026-08, is dated by its change of role
    assert by_code["16C"] == [("2022-07-01", "NHS Tees Valley CCG", "NHS North East and North Cumbria ICB - 16C")]
    assert sum(c["precision"] == "inferred" for c in body["data"]) == 135  # CCGs and STPs renamed on 2022-07-01
    assert "U23418" not in by_code  # LiGA WIGAN PCN, then LIGA WIGAN PCN
    assert "L84017" not in by_code  # ST. PETER'S ROAD SURGERY, then ST.PETER'S ROAD SURGERY
    assert "M83072" not in by_code  # DR P J GREGORY & PARTNERS in payments 2019-20 only: SALTERS MEADOW HEALTH CTR


@pytest.fixture
def ccg_to_icb(app) -> dict:
    return ok(app, "/crosswalk", from_level="ccg", from_date="2021-06-01", to_level="icb", to_date="2024-10-01")


def test_the_ccg_to_icb_crosswalk_weights_sum_to_one(ccg_to_icb) -> None:
    walk = ccg_to_icb
    assert walk["list_size_year"] == "2021-22" and walk["sources"]
    by_ccg: dict[str, list[dict]] = defaultdict(list)
    for r in walk["rows"]:
        by_ccg[r["from_code"]].append(r)
    assert len(by_ccg) > 100  # the CCGs of June 2021 (106 after the April 2021 mergers)
    for rows in by_ccg.values():
        assert sum(r["practice_weight"] for r in rows) == pytest.approx(1.0)
        assert sum(r["patient_weight"] for r in rows) == pytest.approx(1.0)
    assert "16C" in by_ccg and {r["to_code"] for r in by_ccg["16C"]} == {"QHM"}
    split = [a for a in walk["areas"] if a["to_areas"] > 1]
    for a in split:  # each CCG that splits is named with the practices that break the nesting
        assert a["breaking_practices"] and a["clean_share"] < 1
        assert len({r["to_code"] for r in by_ccg[a["from_code"]]}) == a["to_areas"]
    assert all(a["clean_share"] == 1 for a in walk["areas"] if a["to_areas"] == 1)
    for u in walk["unmapped"]:
        assert u["reason"] and u["practice"]


def test_apportioning_patients_gives_each_icb_its_patients(app, ccg_to_icb) -> None:
    walk = ccg_to_icb
    patients = defaultdict(int)
    for r in walk["rows"]:
        patients[r["from_code"]] += r["patients"]
    body = "ccg,patients,ones\n" + "".join(f"{c},{n},1\n" for c, n in sorted(patients.items()))
    r = request(app, "POST", "/apportion", params={"from_level": "ccg", "from_date": "2021-06-01",
                                                   "to_level": "icb", "to_date": "2024-10-01"},
                content=body.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    lines = [x for x in r.text.splitlines() if not x.startswith("#")]
    got = {row["to_code"]: row for row in csv.DictReader(lines)}
    expected_patients, expected_ones = defaultdict(float), defaultdict(float)
    for row in walk["rows"]:
        expected_patients[row["to_code"]] += row["patients"]
        expected_ones[row["to_code"]] += row["patient_weight"]
    assert set(got) == set(expected_patients)
    for icb, n in expected_patients.items():
        assert float(got[icb]["patients"]) == pytest.approx(n)
        assert float(got[icb]["ones"]) == pytest.approx(expected_ones[icb])
    assert "list sizes of 2021-22" in r.text.splitlines()[0]
    unknown = request(app, "POST", "/apportion", params={"from_level": "ccg", "from_date": "2021-06-01",
                                                         "to_level": "icb", "to_date": "2024-10-01"},
                      content=b"ccg,x\n16C,1\nXXX,2\n", headers={"content-type": "text/csv"})
    assert unknown.status_code == 422 and "XXX" in unknown.json()["error"]["message"]


def test_a_practice_total_round_trips_through_two_crosswalks_to_the_penny(oxigraph) -> None:
    first = reorg.crosswalk(oxigraph, "practice", dt.date(2021, 6, 1), "ccg", dt.date(2021, 6, 1))
    second = reorg.crosswalk(oxigraph, "ccg", dt.date(2021, 6, 1), "icb", dt.date(2024, 10, 1))
    values = {r.from_code: {"gbp": (hash(r.from_code) % 100_000) / 100} for r in first.rows}
    by_ccg = {r["to_code"]: r["values"] for r in reorg.apportion(first, values)}
    known = {r.from_code for r in second.rows}
    carried = {c: v for c, v in by_ccg.items() if c in known}
    by_icb = reorg.apportion(second, carried)
    total_in = sum(v["gbp"] for c, v in by_ccg.items() if c in known)
    assert round(sum(r["values"]["gbp"] for r in by_icb), 2) == round(total_in, 2)
    assert round(sum(v["gbp"] for v in by_ccg.values()), 2) == round(sum(v["gbp"] for v in values.values()), 2)


def test_the_crosswalk_as_csv_says_its_year_and_sources(app) -> None:
    r = get(app, "/crosswalk", params={"from_level": "ccg", "from_date": "2021-06-01", "to_level": "icb",
                                       "to_date": "2024-10-01", "format": "csv", "table": "areas"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    head = r.text.splitlines()
    assert head[0].startswith("# crosswalk commissioner on 2021-06-01 -> system on 2024-10-01")
    assert head[1].startswith("# sources: ") and head[2].startswith("from_code,from_name,practices")
    assert "unknown level 'parish'" in error(app, "/crosswalk", 422, from_level="parish", from_date="2021-06-01",
                                             to_level="icb", to_date="2024-10-01")["message"]


@pytest.mark.neo4j
def test_both_stores_give_the_same_changes_and_crosswalk(oxigraph, neo4j_seed) -> None:
    a = reorg.changes(oxigraph, dt.date(2021, 6, 1), dt.date(2024, 10, 1), within="QHM")
    b = reorg.changes(neo4j_seed, dt.date(2021, 6, 1), dt.date(2024, 10, 1), within="QHM")
    assert a == b and a
    # the moves dated between snapshots, with their intervals and bases
    c = reorg.changes(oxigraph, dt.date(2021, 6, 1), dt.date(2024, 10, 1), kinds=["moved_system"])
    d = reorg.changes(neo4j_seed, dt.date(2021, 6, 1), dt.date(2024, 10, 1), kinds=["moved_system"])
    assert c == d and {(x.code, x.precision, x.earliest) for x in c} >= {("02Q", "inferred", dt.date(2022, 1, 2))}
    x = reorg.crosswalk(oxigraph, "ccg", dt.date(2021, 6, 1), "icb", dt.date(2024, 10, 1))
    y = reorg.crosswalk(neo4j_seed, "ccg", dt.date(2021, 6, 1), "icb", dt.date(2024, 10, 1))
    assert (x.rows, x.areas, x.unmapped) == (y.rows, y.areas, y.unmapped)


@pytest.mark.neo4j
def test_both_stores_give_the_same_names_and_renamings(oxigraph, neo4j_seed) -> None:
    names = oxigraph.all_names()
    assert names == neo4j_seed.all_names() and len(names) > 100_000
    renamed = reorg.changes(oxigraph, dt.date(2019, 1, 1), dt.date(2026, 12, 1), kinds=["renamed"])
    assert renamed == reorg.changes(neo4j_seed, dt.date(2019, 1, 1), dt.date(2026, 12, 1), kinds=["renamed"])
    assert len(renamed) == 1643


def test_the_cli_writes_the_same_crosswalk(tmp_path, seed_store) -> None:
    from click.testing import CliRunner

    from graphkit.cli import cli

    env = {"GRAPHKIT_STORE_PATH": str(seed_store)}
    out = tmp_path / "walk.csv"
    result = CliRunner().invoke(cli, ["crosswalk", "--from-level", "ccg", "--from-date", "2021-06-01", "--to-level",
                                      "icb", "--to-date", "2024-10-01", "--format", "csv", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(x for x in io.StringIO(out.read_text()) if not x.startswith("#")))
    assert {r["from_code"] for r in rows} >= {"16C"} and all(0 < float(r["patient_weight"]) <= 1 for r in rows)
    bad = CliRunner().invoke(cli, ["crosswalk", "--from-level", "parish", "--from-date", "2021-06-01",
                                   "--to-level", "icb", "--to-date", "2024-10-01"], env=env)
    assert bad.exit_code != 0 and "parish" in bad.output


def test_the_cli_lists_renamings(seed_store) -> None:
    from click.testing import CliRunner

    from graphkit.cli import cli

    result = CliRunner().invoke(cli, ["changes", "--from", "2021-06-01", "--to", "2022-06-01", "--within", "U04443",
                                      "--kind", "renamed", "--format", "csv"],
                                env={"GRAPHKIT_STORE_PATH": str(seed_store)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("# summary: renamed ")
    rows = list(csv.DictReader(x for x in lines if not x.startswith("#")))
    assert ("2022-01-01", "U04443", "WEST LEIGH PCN", "SS9 PCN") in \
        [(r["day"], r["code"], r["before"], r["after"]) for r in rows]
