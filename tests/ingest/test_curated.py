"""Curated tables (docs/curated.md): templates, a filled (wholly fictional) set imported beside national data,
curated rows joined to real practices by ODS code (and refused when they link a fictional organisation with a
real one), and bad inputs, each refused with the file, line and column of the problem, leaving the store as it
was."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit.cli import cli
from graphkit.errors import InputError
from graphkit.ingest.curated import TABLES, read_curated, write_templates
from tests.conftest import DATA, SEEDS

GOOD = DATA / "curated" / "good"
EPCN_2019 = sorted((SEEDS / "ods").glob("ePCN_2019-12_*"))


def test_templates_have_every_column_explained(tmp_path: Path) -> None:
    written = write_templates(tmp_path)
    assert sorted(p.stem for p in written) == sorted(TABLES)
    posts = (tmp_path / "posts.csv").read_text().splitlines()
    header = [line for line in posts if not line.startswith("#")]
    assert header == ["person_id,organisation,post,role,represents,appointment,voting,commissioning,start,end,source,"
                      "note"]
    ties = [line for line in (tmp_path / "ties.csv").read_text().splitlines() if not line.startswith("#")]
    assert ties[0].endswith(",function,selection_basis,outcome,lot,start,end,source,note")
    for column in header[0].split(","):
        assert any(line.startswith(f"#   {column}") for line in posts), column


def test_empty_templates_are_refused_for_want_of_a_vintage(tmp_path: Path) -> None:
    write_templates(tmp_path)
    with pytest.raises(InputError) as err:
        read_curated(tmp_path)
    assert {p.field for p in err.value.problems} == {"vintage"}


@pytest.mark.slow
def test_template_then_import_beside_national_data(tmp_path: Path) -> None:
    """`graphkit template`, a few rows filled in, `graphkit import curated` into a store holding the ePCN file:
    the fictional federation's members are its fictional practices, with the names, dates, posts, contracts
    and ties of the rows."""
    runner = CliRunner()
    store = tmp_path / "store"
    env = {"GRAPHKIT_STORE_PATH": str(store)}
    result = runner.invoke(cli, ["import", "ods", *map(str, EPCN_2019)], env=env)
    assert result.exit_code == 0, result.output
    tables = tmp_path / "federation"
    result = runner.invoke(cli, ["template", str(tables)])
    assert result.exit_code == 0, result.output
    for table in TABLES:  # fill the templates with the rows of the good set, in the templates' column order
        good = [line for line in (GOOD / f"{table}.csv").read_text().splitlines() if not line.startswith("#")]
        template = (tables / f"{table}.csv").read_text().splitlines()
        columns = next(csv.reader([next(line for line in template if not line.startswith("#"))]))
        with (tables / f"{table}.csv").open("a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            for row in csv.DictReader(good):
                writer.writerow({c: row.get(c) or "" for c in columns})
    result = runner.invoke(cli, ["import", "curated", str(tables)], env=env)
    assert result.exit_code == 0, result.output
    # no '# vintage:' line in these tables: the vintage is the latest date they state
    assert "federation/posts.csv [curated-posts, 2020-03-31]: 3 rows; 3 posts; 0 reported" in result.output

    from graphkit.store.oxigraph import OxigraphStore

    s = OxigraphStore(store)
    members = s.ties("ZZF-TEES", "down", as_of=dt.date(2018, 1, 1), kind="FederationMembership")
    assert [(t.member, t.member_name) for t in members] == [
        ("ZZF-TEES-P01", "Fictional practice one"),
        ("ZZF-TEES-P02", "Fictional practice two"),
        ("ZZF-TEES-P03", "Fictional practice three"),
    ]
    assert all(s.organisation(t.member, dt.date(2018, 1, 1)).fictional for t in members)
    later = s.ties("ZZF-TEES", "down", as_of=dt.date(2020, 1, 1), kind="FederationMembership")
    assert [t.member for t in later] == ["ZZF-TEES-P01", "ZZF-TEES-P02"]
    fed = s.organisation("ZZF-TEES", dt.date(2020, 1, 1))
    assert fed.fictional and fed.kinds == ("GPFederation",)
    # both statements of the contradictory list size are kept, each with its citation
    rows = s.select(
        """SELECT ?size ?cite WHERE { GRAPH ?g { <https://w3id.org/pcgraph/id/org/ZZF-TEES-P01> pcg:listSize ?size ;
                                                 pcg:citation ?cite } }"""
    )
    assert {int(r["size"].value) for r in rows} == {5200, 5400}
    assert {r["cite"].value for r in rows} == {"004:190-198", "004:214"}
    report = runner.invoke(cli, ["report", "--rule", "curated-contradiction"], env=env)
    assert "ZZF-TEES-P01: the sources disagree on list_size, both kept: 5200 (line 19, 004:190-198); " \
           "5400 (line 20, 004:214)" in report.output  # 17 comment lines and the header come first


def _write(directory: Path, table: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{table}.csv").write_text(text)


VINTAGE = "# vintage: 2024-10-01\n"
ORG_HEADER = "code,name,kind,start,end,fictional,list_size,source,note\n"
FED = "ZZF-FED,Fed (fictional),GPFederation,2016-04-01,,true,,004:190,\n"
PEOPLE = "person_id,name,fictional,source\nZZP-A,Person A,true,004:212\n"
POSTS_HEADER = "person_id,organisation,post,role,represents,appointment,voting,start,end,source,note\n"
CONTRACTS_HEADER = "contract_id,kind,holder,commissioner,service,parent_contract,start,end,amount_gbp,source,note\n"
CONTRACT = "EA-1,ServiceContract,ZZF-FED,ZZF-CCG,ExtendedAccessService,,2018-10-01,,,004:580,\n"
TIES_HEADER = "from,to,kind,hood_mode,mechanism,start,end,source\n"
CCG = "ZZF-CCG,CCG (fictional),ClinicalCommissioningGroup,2013-04-01,,true,,004:100,\n"

# (what is wrong, {table: text}, (file, line, column) of the first problem)
BAD: list[tuple[str, dict[str, str], tuple[str, int | None, str | None]]] = [
    ("unknown column", {"organisations": VINTAGE + "code,name,kind,colour,source\n"},
     ("organisations.csv", 2, "colour")),
    ("required column missing", {"organisations": "code,name,start,source\nZZF-X,X,2019-01-01,004:1\n"},
     ("organisations.csv", 1, "kind")),
    ("date not ISO", {"organisations": ORG_HEADER + FED.replace("2016-04-01", "01/04/2016")},
     ("organisations.csv", 2, "start")),
    ("impossible date", {"organisations": ORG_HEADER + FED.replace("2016-04-01", "2019-02-30")},
     ("organisations.csv", 2, "start")),
    ("ends before it starts", {"organisations": ORG_HEADER + FED.replace(",,true", ",2015-01-01,true")},
     ("organisations.csv", 2, "end")),
    ("kind not in the ontology", {"organisations": ORG_HEADER + FED.replace("GPFederation", "Hospital")},
     ("organisations.csv", 2, "kind")),
    ("fictional organisation with a real-looking code",
     {"organisations": ORG_HEADER + FED.replace("ZZF-FED", "ABC123")}, ("organisations.csv", 2, "code")),
    ("ZZF code not marked fictional", {"organisations": ORG_HEADER + FED.replace(",true,", ",false,")},
     ("organisations.csv", 2, "fictional")),
    ("list size not a number", {"organisations": ORG_HEADER + FED.replace(",true,,", ",true,about 5000,")},
     ("organisations.csv", 2, "list_size")),
    ("malformed citation", {"organisations": ORG_HEADER + FED.replace("004:190", "004:19a")},
     ("organisations.csv", 2, "source")),
    ("wrong number of values", {"organisations": ORG_HEADER + FED + "ZZF-B,B,GPFederation\n"},
     ("organisations.csv", 3, None)),
    ("membership kind unknown",
     {"organisations": ORG_HEADER + FED + FED.replace("ZZF-FED,Fed", "ZZF-P1,P1").replace("GPFederation", "GPPractice"),
      "memberships": "member,organisation,kind,start,end,source\nZZF-P1,ZZF-FED,Friendship,2017-01-01,,004:190\n"},
     ("memberships.csv", 2, "kind")),
    ("membership without a start",
     {"organisations": ORG_HEADER + FED,
      "memberships": "member,organisation,kind,start,end,source\nZZF-FED,ZZF-FED2,FederationMembership,,,004:190\n"},
     ("memberships.csv", 2, "start")),
    ("malformed person id", {"people": VINTAGE + "person_id,name,fictional,source\nP1,Person,true,004:212\n"},
     ("people.csv", 3, "person_id")),
    ("post of an unknown person",
     {"organisations": ORG_HEADER + FED, "people": PEOPLE,
      "posts": POSTS_HEADER + "ZZP-B,ZZF-FED,chair,BoardChair,,,,2017-01-01,,004:212,\n"},
     ("posts.csv", 2, "person_id")),
    ("role not in the ontology",
     {"organisations": ORG_HEADER + FED, "people": PEOPLE,
      "posts": POSTS_HEADER + "ZZP-A,ZZF-FED,chair,Chairman,,,,2017-01-01,,004:212,\n"},
     ("posts.csv", 2, "role")),
    ("subcontract without a parent",
     {"organisations": ORG_HEADER + FED + CCG,
      "contracts": CONTRACTS_HEADER + CONTRACT + "EA-2,Subcontract,ZZF-CCG,,,,2018-10-01,,,004:580,\n"},
     ("contracts.csv", 3, "parent_contract")),
    ("subcontract commissioned by someone other than the parent's holder",
     {"organisations": ORG_HEADER + FED + CCG,
      "contracts": CONTRACTS_HEADER + CONTRACT + "EA-2,Subcontract,ZZF-CCG,ZZF-CCG,,EA-1,2018-10-01,,,004:580,\n"},
     ("contracts.csv", 3, "commissioner")),
    ("contract id used twice (for two different contracts)",
     {"organisations": ORG_HEADER + FED + CCG,
      "contracts": CONTRACTS_HEADER + CONTRACT + CONTRACT.replace("2018-10-01", "2019-10-01")},
     ("contracts.csv", 3, "contract_id")),
    ("delivery under an unknown contract",
     {"organisations": ORG_HEADER + FED + CCG, "contracts": CONTRACTS_HEADER + CONTRACT,
      "deliveries": "provider,contract_id,start,end,source\nZZF-CCG,EA-9,2019-01-01,,004:580\n"},
     ("deliveries.csv", 2, "contract_id")),
    ("governance tie without a Hood mode",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER + "ZZF-CCG,ZZF-FED,GovernanceTie,,,2019-01-01,,004:446\n"},
     ("ties.csv", 2, "hood_mode")),
    ("Hood mode on a tie that is not a governance tie",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER + "ZZF-CCG,ZZF-FED,PeerNetworkTie,Mutuality,,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "hood_mode")),
    ("header problem in the posts table (the rows are not read)",
     {"organisations": ORG_HEADER + FED, "people": PEOPLE,
      "posts": "person_id,organisation,post,role_kind,source\nZZP-A,ZZF-FED,chair,GovernanceRole,004:212\n"},
     ("posts.csv", 1, "role_kind")),
    ("monitoring stated on a tie that is no rule",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",monitored,start")
      + "ZZF-FED,ZZF-CCG,PeerNetworkTie,,,true,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "monitored")),
    ("a sanction that is not in the scheme",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",sanction,start")
      + "ZZF-FED,ZZF-CCG,DirectiveTie,,,fined,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "sanction")),
    ("a function named on a tie that is no dependence",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",function,start")
      + "ZZF-CCG,ZZF-FED,ReferralTie,,,payroll,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "function")),
    ("a planned tie with an end",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",status,start")
      + "ZZF-FED,ZZF-CCG,EngagementTie,,,planned,2019-01-01,2019-12-31,004:1\n"},
     ("ties.csv", 2, "end")),
    ("a status that is not in the scheme",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",status,start")
      + "ZZF-FED,ZZF-CCG,EngagementTie,,,rumoured,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "status")),
    ("an exit cost that is not in the scheme",
     {"organisations": ORG_HEADER.replace(",source", ",exit_costs,source")
      + FED.replace(",004:190", ",goodwill,004:190")},
     ("organisations.csv", 2, "exit_costs")),
    ("a contract supported by its own holder",
     {"organisations": ORG_HEADER + FED + CCG,
      "contracts": CONTRACTS_HEADER.replace(",start", ",supported_by,start")
      + CONTRACT.replace(",2018-10-01", ",ZZF-FED,2018-10-01", 1)},
     ("contracts.csv", 2, "supported_by")),
    # the columns of ontology 2.3.0 on the wrong kind of tie or post (tests/ingest/test_curated_events.py)
    ("a selection basis on a tie that is no inspection",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",selection_basis,start")
      + "ZZF-FED,ZZF-CCG,PartnershipTie,,,random,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "selection_basis")),
    ("a selection basis that is not in the scheme",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",selection_basis,start")
      + "ZZF-CCG,ZZF-FED,GovernanceTie,Oversight,,whim,2019-01-01,,000:204\n"},
     ("ties.csv", 2, "selection_basis")),
    ("a bid's outcome on an approach",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",outcome,start")
      + "ZZF-CCG,ZZF-FED,ApproachTie,,,won,2019-01-01,,004:228\n"},
     ("ties.csv", 2, "outcome")),
    ("an outcome on a tie that is neither an approach nor a bid",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",outcome,start")
      + "ZZF-FED,ZZF-CCG,PartnershipTie,,,joined,2019-01-01,,004:228\n"},
     ("ties.csv", 2, "outcome")),
    ("a lot on a tie that is no bid",
     {"organisations": ORG_HEADER + FED + CCG,
      "ties": TIES_HEADER.replace(",start", ",lot,start")
      + "ZZF-CCG,ZZF-FED,GovernanceTie,Oversight,,IAGP 2018,2019-01-01,,004:580\n"},
     ("ties.csv", 2, "lot")),
    ("a commissioning role that is not a boolean",
     {"organisations": ORG_HEADER + FED, "people": PEOPLE,
      "posts": POSTS_HEADER.replace(",voting,", ",voting,commissioning,")
      + "ZZP-A,ZZF-FED,chair,BoardChair,,,,maybe,2017-01-01,,004:324,\n"},
     ("posts.csv", 2, "commissioning")),
    ("tie from an organisation to itself",
     {"organisations": ORG_HEADER + FED,
      "ties": TIES_HEADER + "ZZF-FED,ZZF-FED,PeerNetworkTie,,,2019-01-01,,004:1\n"},
     ("ties.csv", 2, "to")),
]


@pytest.mark.parametrize(("problem", "tables", "where"), BAD, ids=[b[0] for b in BAD])
def test_bad_curated_input_names_file_line_and_column(tmp_path: Path, problem: str, tables: dict[str, str],
                                                      where: tuple[str, int | None, str | None]) -> None:
    for table, text in tables.items():
        _write(tmp_path / "set", table, text)
    with pytest.raises(InputError) as err:
        read_curated(tmp_path / "set")
    first = err.value.problems[0]
    assert (Path(first.file).name, first.line, first.field) == where, str(first)


def test_a_file_that_is_not_a_curated_table_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "set", "organisations", ORG_HEADER + FED)
    _write(tmp_path / "set", "boards", "code,name\n")
    with pytest.raises(InputError) as err:
        read_curated(tmp_path / "set")
    assert Path(err.value.problems[0].file).name == "boards.csv"


@pytest.mark.slow
def test_unknown_ods_code_is_refused_and_the_store_is_unchanged(tmp_path: Path) -> None:
    """A membership naming a practice that no loaded file describes: exit 4, the file, line and column,
    and the store as it was (same quads)."""
    runner = CliRunner()
    store = tmp_path / "store"
    env = {"GRAPHKIT_STORE_PATH": str(store)}
    assert runner.invoke(cli, ["import", "ods", *map(str, EPCN_2019)], env=env).exit_code == 0
    import pyoxigraph as ox

    before = len(ox.Store.read_only(str(store)))
    bad = tmp_path / "set"
    shutil.copytree(GOOD, bad)
    with (bad / "memberships.csv").open("a") as f:
        f.write("Z99999,ZZF-TEES,FederationMembership,2017-01-01,,004:190,\n")
    result = runner.invoke(cli, ["import", "curated", str(bad)], env=env)
    assert result.exit_code == 4
    assert "set/memberships.csv:6 [member]: unknown organisation code" in result.output
    assert "Z99999" in result.output
    assert len(ox.Store.read_only(str(store))) == before


def test_a_fictional_organisation_linked_to_a_real_one_is_refused(tmp_path: Path) -> None:
    """A fictional federation with a real practice of the national file as member, a governance tie to another,
    a contract commissioned by a real CCG, and a fictional person in a post of a real practice: the shapes refuse
    the import (exit 4), naming each row, both ends and the link, and the store is as it was. The same rows about
    a real federation (a ZZN- code, not fictional) and a real person load, joined to the real practices by their
    ODS codes, whose names come from the national file."""
    from benchmarks.bad_inputs import tiny_store  # 30 real epraccur rows: practices A81001..., commissioner 00K

    store = tiny_store(tmp_path / "work")
    import pyoxigraph as ox

    before = len(ox.Store.read_only(str(store)))
    tables = {
        "organisations": ORG_HEADER + FED,
        "memberships": "member,organisation,kind,start,end,source\n"
                       "A81001,ZZF-FED,FederationMembership,2017-01-01,,004:190\n",
        "ties": TIES_HEADER + "ZZF-FED,A81002,GovernanceTie,Oversight,quarterly review,2017-01-01,,004:446\n",
        "contracts": CONTRACTS_HEADER + CONTRACT.replace("ZZF-CCG", "00K"),
        "people": PEOPLE,
        "posts": POSTS_HEADER + "ZZP-A,A81003,partner,GPPartner,,,,2017-01-01,,004:212,\n",
    }
    for table, text in tables.items():
        _write(tmp_path / "fictional", table, text)
    env = {"GRAPHKIT_STORE_PATH": str(store)}
    result = CliRunner().invoke(cli, ["import", "curated", str(tmp_path / "fictional")], env=env)
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output and "(and 3 more)" in result.output  # the four links, nothing else
    for where, fictional, real, link in [
        ("fictional/memberships.csv:2 [organization]", "ZZF-FED", "A81001", "(org:member - org:organization)"),
        ("fictional/ties.csv:2 [tieTo]", "ZZF-FED", "A81002", "(pcg:tieFrom - pcg:tieTo)"),
        ("fictional/contracts.csv:2 [commissioner]", "ZZF-FED", "00K", "(pcg:contractHolder - pcg:commissioner)"),
        ("fictional/posts.csv:2 [member]", "person/ZZP-A", "A81003", "(pcg:post/org:postIn - org:member)"),
    ]:
        line = next((x for x in result.output.splitlines() if where in x), None)
        assert line is not None, (where, result.output)
        assert f"links the fictional {fictional} with the real {real} {link}" in line, line
        assert "must never be linked to real ones" in line, line
    assert len(ox.Store.read_only(str(store))) == before

    real = {table: text.replace("ZZF-FED", "ZZN-FED").replace("ZZP-A", "ZZQ-A").replace("(fictional)", "(real)")
            for table, text in tables.items()}
    real["organisations"] = real["organisations"].replace(",true,", ",,")
    real["people"] = real["people"].replace(",true,", ",,")
    for table, text in real.items():
        _write(tmp_path / "real", table, text)
    result = CliRunner().invoke(cli, ["import", "curated", str(tmp_path / "real")], env=env)
    assert result.exit_code == 0, result.output

    from graphkit.store.oxigraph import OxigraphStore

    s = OxigraphStore(store)
    members = s.ties("ZZN-FED", "down", as_of=dt.date(2018, 1, 1), kind="FederationMembership")
    assert [(t.member, t.member_name) for t in members] == [("A81001", "THE DENSHAM SURGERY")]
    assert not s.organisation("ZZN-FED", dt.date(2018, 1, 1)).fictional
    s.close()


def test_repeated_rows_are_loaded_once_and_overlapping_rows_reported(tmp_path: Path) -> None:
    """A membership row written three times is loaded once (two `duplicate-row` warnings, naming the first
    line); a different row for an overlapping period of the same membership is kept and reported as a
    `curated-overlap` conflict naming both lines. A set without the repeats gives the same graph."""
    orgs = VINTAGE + "code,name,kind,start,fictional,source\nZZF-FED,Fed,GPFederation,2016-04-01,true,004:190\n" \
        "ZZF-P1,P1,GPPractice,2000-01-01,true,004:190\n"
    first = "ZZF-P1,ZZF-FED,FederationMembership,2016-04-01,2018-03-31,004:190\n"
    overlapping = "ZZF-P1,ZZF-FED,FederationMembership,2017-01-01,,004:191\n"
    header = "member,organisation,kind,start,end,source\n"
    _write(tmp_path / "set", "organisations", orgs)
    _write(tmp_path / "set", "memberships", header + first * 3 + overlapping)
    _write(tmp_path / "once", "organisations", orgs)
    _write(tmp_path / "once", "memberships", header + first + overlapping)
    runner = CliRunner()
    env = {"GRAPHKIT_STORE_PATH": str(tmp_path / "store")}
    result = runner.invoke(cli, ["import", "curated", str(tmp_path / "set")], env=env)
    assert result.exit_code == 0, result.output
    assert "set/memberships.csv [curated-memberships, 2024-10-01]: 4 rows; 2 ties; 2 reported" in result.output
    report = runner.invoke(cli, ["report"], env=env).output
    assert "warning\tduplicate-row\tset/memberships.csv:3\t\trepeats line 2 exactly; loaded once" in report
    assert "warning\tduplicate-row\tset/memberships.csv:4\t\trepeats line 2 exactly; loaded once" in report
    assert ("conflict\tcurated-overlap\tset/memberships.csv:5\tstart\tFederationMembership / ZZF-P1 / ZZF-FED: "
            "stated on lines 2 and 5 for overlapping periods (2016-04-01 to 2018-03-31; 2017-01-01 to open); "
            "both kept") in report

    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    held = sorted((t.start, t.end) for t in store.ties("ZZF-FED", "down", as_of=dt.date(2017, 6, 1),
                                                        kind="FederationMembership"))
    store.close()
    assert held == [(dt.date(2016, 4, 1), dt.date(2018, 3, 31)), (dt.date(2017, 1, 1), None)]
    once = read_curated(tmp_path / "once")
    repeated = read_curated(tmp_path / "set")
    def facts(results: list) -> list:  # what is loaded, without the lines (which differ)
        return [(x.kind, x.member, x.organisation, x.start, x.end) for r in results for x in r.relations]

    assert facts(repeated) == facts(once) and len(facts(once)) == 2


@pytest.mark.parametrize("n", [2, 3, 12])
def test_ties_that_share_kind_ends_and_start_stay_whole_facts(tmp_path: Path, n: int) -> None:
    """Rows of one tie (same kind, from, to and start) that differ in another column are distinct facts: each
    keeps its own end, mechanism, initiator and horizon, none takes another's (the report's "two rows became
    eight"), and they are reported as overlapping. Posts likewise."""
    orgs = VINTAGE + ORG_HEADER + FED + "ZZF-P1,P1 (fictional),GPPractice,2000-01-01,,true,,004:190,\n" \
        "ZZF-P2,P2 (fictional),GPPractice,2000-01-01,,true,,004:190,\n"
    ties = "from,to,kind,hood_mode,mechanism,arena,initiated_by,horizon,start,end,source,note\n"
    rows = [("", "shared nurse", "ZZF-P1", "operational", "2019-01-01", "2020-12-31")]
    rows += [("", f"plan {i}", "ZZF-P2", "future", "2019-01-01", "") for i in range(1, n)]
    ties += "".join(f"ZZF-P1,ZZF-P2,PartnershipTie,{m},{mech},,{by},{h},{s},{e},004:830,\n"
                    for m, mech, by, h, s, e in rows)
    posts = POSTS_HEADER + "ZZP-A,ZZF-FED,chair,BoardChair,,Elected,true,2017-01-01,,004:212,\n" \
        "ZZP-A,ZZF-FED,chair,BoardChair,,Appointed,false,2017-01-01,2018-12-31,004:213,\n"
    for table, text in (("organisations", orgs), ("ties", VINTAGE + ties), ("people", VINTAGE + PEOPLE),
                        ("posts", VINTAGE + posts)):
        _write(tmp_path / "set", table, text)
    env = {"GRAPHKIT_STORE_PATH": str(tmp_path / "store")}
    result = CliRunner().invoke(cli, ["import", "curated", str(tmp_path / "set")], env=env)
    assert result.exit_code == 0, result.output
    report = CliRunner().invoke(cli, ["report"], env=env).output
    pairs = n * (n - 1) // 2  # every pair of the tie's rows overlaps, and the two post rows
    assert re.search(rf"^\s*{pairs + 1}\s+conflict:curated-overlap$", report, re.M), report[:400]

    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    try:
        held = sorted((t.mechanism, t.end, t.initiated_by, t.horizon) for t in store.lateral_ties())
        posts_held = sorted((p.appointment, p.voting, p.end) for p in store.posts(organisation="ZZF-FED"))
    finally:
        store.close()
    assert held == sorted([("shared nurse", dt.date(2020, 12, 31), "ZZF-P1", "operational")]
                          + [(f"plan {i}", None, "ZZF-P2", "future") for i in range(1, n)])
    assert posts_held == [("Appointed", False, dt.date(2018, 12, 31)), ("Elected", True, None)]


def test_every_problem_of_an_import_is_printed_one_a_line_with_the_count(tmp_path: Path) -> None:
    rows = "".join(f"ZZF-X{i},X{i} (fictional),NoSuchKind{i},2016-04-01,,true,,004:190,\n" for i in range(30))
    _write(tmp_path / "set", "organisations", VINTAGE + ORG_HEADER + FED + rows)
    result = CliRunner().invoke(cli, ["--store-path", str(tmp_path / "store"), "import", "curated",
                                      str(tmp_path / "set")])
    assert result.exit_code == 4 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("graphkit: error: ") and lines[0].endswith("(and 29 more)")
    problems = [x for x in lines if "organisations.csv:" in x]
    assert len(problems) == 30
    for i, line in enumerate(problems):
        assert f"organisations.csv:{i + 4} [kind]: not a kind the ontology knows" in line
        assert f"(value 'NoSuchKind{i}')" in line
    assert not (tmp_path / "store").exists()


def test_an_unknown_reference_names_the_file_as_it_was_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "set", "organisations", VINTAGE + ORG_HEADER + FED)
    _write(tmp_path / "set", "memberships", VINTAGE + "member,organisation,kind,start,end,source,note\n"
           "ZZF-NOPE,ZZF-FED,FederationMembership,2017-01-01,,004:190,\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for given in (str(tmp_path / "set"), "../set"):
        result = CliRunner().invoke(cli, ["--store-path", str(tmp_path / "store"), "import", "curated", given])
        assert result.exit_code == 4, result.output
        assert f"{given}/memberships.csv:3 [member]: unknown organisation code" in result.output, result.output


def test_the_manifest_names_files_absolutely_so_an_import_works_from_any_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from graphkit.store.build import manifest_path

    _write(tmp_path / "one", "organisations", VINTAGE + ORG_HEADER + FED)
    _write(tmp_path / "two", "organisations", VINTAGE + ORG_HEADER + "ZZF-TWO,Two (fictional),GPFederation,"
           "2016-04-01,,true,,004:190,\n")
    store = tmp_path / "store"
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli, ["--store-path", str(store), "import", "curated", "one"])
    assert first.exit_code == 0, first.output
    assert json.loads(manifest_path(store).read_text())[0]["path"] == str(tmp_path / "one")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    second = CliRunner().invoke(cli, ["--store-path", str(store), "import", "curated", "../two"])
    assert second.exit_code == 0, second.output
    assert [f["path"] for f in json.loads(manifest_path(store).read_text())] == [str(tmp_path / "one"),
                                                                               str(tmp_path / "two")]
    # a file the store was built from that has gone is named, with what to do
    (tmp_path / "one" / "organisations.csv").rename(tmp_path / "organisations.csv")
    (tmp_path / "one").rmdir()
    third = CliRunner().invoke(cli, ["--store-path", str(store), "import", "curated", "../two"])
    assert third.exit_code == 4 and "Traceback" not in third.output
    assert f"{tmp_path / 'one'}: the store was built from this file, which is no longer there" in third.output


def test_the_reports_evidence_is_stated_stored_and_read_by_the_analyses(tmp_path: Path) -> None:
    """Directives with and without monitoring, a sanction debated, compliance, dependence on the centre for a
    function, engagement, representation and facilitation ties, statuses (a planned tie is left out of the
    projection; an ended one without a day is marked so), exit costs and contract support: validated, stored,
    read back and used by style and interdependence, with the facts behind each component."""
    orgs = VINTAGE + ORG_HEADER.replace(",source", ",central_functions,exit_costs,source") \
        + FED.replace(",004:190", ",payroll;monitoring,registration;systems,004:236") \
        + "".join(f"ZZF-P{i},P{i} (fictional),GPPractice,2000-01-01,,true,,,,004:190,\n" for i in (1, 2, 3, 4)) \
        + CCG.replace(",004:100", ",,,004:100") + "ZZF-REG,Regulator (fictional),Regulator,,,true,,,,004:738,\n"
    members = VINTAGE + "member,organisation,kind,start,end,source\n" + "".join(
        f"ZZF-P{i},ZZF-FED,FederationMembership,2016-04-01,,004:190\n" for i in (1, 2, 3, 4))
    header = "from,to,kind,hood_mode,mechanism,initiated_by,horizon,status,monitored,sanction,compliance,function," \
             "start,end,source\n"
    ties = header + "".join([
        "ZZF-FED,ZZF-P1,DirectiveTie,Oversight,central accounting,,,,true,,complied,,2016-04-01,,004:242\n",
        "ZZF-FED,ZZF-P2,DirectiveTie,Oversight,central accounting,,,,true,debated,not_complied,,2016-04-01,,004:1089\n",
        "ZZF-FED,ZZF-P3,DirectiveTie,,prescribing rules,,,,false,,,,2016-04-01,,004:623\n",
        "ZZF-FED,ZZF-P4,DirectiveTie,,revised obligations,,,partial,true,,,,2016-04-01,,004:623\n",
        "ZZF-P1,ZZF-FED,DependenceTie,,,,,,,,,payroll,2016-04-01,,004:240\n",
        "ZZF-FED,ZZF-REG,EngagementTie,,joint project,ZZF-FED,future,,,,,,2016-04-01,,004:738\n",
        "ZZF-FED,ZZF-CCG,RepresentationTie,,provider voice,ZZF-CCG,operational,disputed,,,,,2016-04-01,,004:383\n",
        "ZZF-FED,ZZF-CCG,EngagementTie,,a joint bid,,,ended,,,,,2016-04-01,,004:366\n",
        "ZZF-FED,ZZF-REG,EngagementTie,,a planned pilot,ZZF-FED,future,planned,,,,,2019-01-01,,004:738\n",
        "ZZF-FED,ZZF-P3,FacilitationTie,,a peer network the centre starts,ZZF-FED,future,,,,,,2016-04-01,,004:633\n",
    ])
    contracts = VINTAGE + CONTRACTS_HEADER.replace(",start", ",supported_by,start") \
        + "EA-1,ServiceContract,ZZF-P1,ZZF-CCG,ExtendedAccessService,,ZZF-FED;ZZF-P2,2018-10-01,,,004:580,\n"
    for table, text in (("organisations", orgs), ("memberships", members), ("ties", VINTAGE + ties),
                        ("contracts", contracts)):
        _write(tmp_path / "set", table, text)
    env = {"GRAPHKIT_STORE_PATH": str(tmp_path / "store")}
    result = CliRunner().invoke(cli, ["import", "curated", str(tmp_path / "set")], env=env)
    assert result.exit_code == 0, result.output

    from graphkit.analysis import interdependence, style
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    try:
        ties_held = {(t.kind, t.tie_to, t.mechanism): t for t in store.lateral_ties()}
        (row,) = store.org_rows(codes=["ZZF-FED"])[0]
        (contract,) = store.agreements()
        g = store.project(dt.date(2019, 6, 30))
    finally:
        store.close()
    p2 = ties_held[("DirectiveTie", "ZZF-P2", "central accounting")]
    assert (p2.monitored, p2.sanction, p2.compliance, p2.hood_mode) == (True, "SanctionDebated", "NotComplied",
                                                                         "Oversight")
    p3 = ties_held[("DirectiveTie", "ZZF-P3", "prescribing rules")]
    assert (p3.monitored, p3.hood_mode) == (False, None)
    assert ties_held[("DependenceTie", "ZZF-FED", None)].function == "CentralPayroll"
    ended = ties_held[("EngagementTie", "ZZF-CCG", "a joint bid")]
    assert (ended.status, ended.end, ended.end_unknown) == ("TieEnded", None, True)
    assert ties_held[("EngagementTie", "ZZF-REG", "a planned pilot")].status == "TiePlanned"
    assert row.exit_costs == ("ExitUnwindRegistration", "ExitUnwindSystems")
    assert contract.supported_by == ("ZZF-FED", "ZZF-P2")

    # the planned pilot is not in force on any date; the ended bid is, flagged
    assert not [d for _, _, d in g.edges(data=True) if d.get("mechanism") == "a planned pilot"]
    assert {d.get("status") for _, _, d in g.edges(data=True) if d.get("mechanism") == "a joint bid"} \
        == {"ended (day unknown)"}
    r = style.style(g, "ZZF-FED")
    # coverage: P1, P2 monitored (1 each), P3 unmonitored, P4 partial (0.5 each) -> 3/4; enforcement: a sanction
    # debated (0.5); exit costs recorded (1); functions payroll (1/6); monitoring (1/2)
    assert r.control == {"directive_coverage": 0.75, "centralised_functions": 1 / 6, "monitoring": 0.5,
                         "enforcement": 0.5, "exit_cost": 1.0}
    # engagements: the regulator project (the centre's, future), the CCG's representation (not the centre's), the
    # ended bid (starter unknown): initiative 1/3, horizon 1/3
    assert (r.proactivity["initiative_share"], r.proactivity["temporal_horizon"]) == (1 / 3, 1 / 3)
    evidence = r.reasons["evidence"]
    (sanctioned,) = [grp for grp in evidence["enforcement"]["groups"] if grp["citations"] == ["004:1089"]]
    assert sanctioned["ties"] == 1 and sanctioned["lines"]
    assert evidence["directive_coverage"]["ties"] == 4
    assert {grp["kind"] for grp in evidence["initiative_share"]["groups"]} == {"EngagementTie"}
    assert evidence["exit_cost"] == {"exit_costs": ["registration", "systems"]}
    i = interdependence.interdependence(g, "ZZF-FED")
    assert i.dependence_index == 0.25  # P1 relies on the centre for payroll
    dep = i.reasons["evidence"]["dependence"]
    assert dep["ties"] == 1 and dep["groups"][0]["citations"] == ["004:240"]
