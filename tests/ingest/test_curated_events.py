"""The columns and tie kinds of ontology 2.3.0 (docs/curated.md, issue 19): how the overseen were chosen for an
inspection (``selection_basis`` on a governance tie), approaches to join a federation and bids for tenders
(``ApproachTie``, ``BidTie``, with their ``outcome`` and a bid's ``lot``), and whether a post takes part in
commissioning (``commissioning``). Each loads and reads back identically from both stores; older tables without
the columns load as before (the misuses are refused in tests/ingest/test_curated.py, BAD, and by the shapes in
tests/ontology/test_ontology.py, bad_events.ttl)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit.cli import cli
from graphkit.core.model import LateralTie, PostHolding
from graphkit.ingest.curated import notation_of, read_curated, vocabulary
from graphkit.ingest.curated.records import OUTCOMES
from graphkit.rdf.emit_curated import _content_hash

VINTAGE = "# vintage: 2024-10-01\n"
ORGS = VINTAGE + "code,name,kind,start,end,fictional,list_size,source,note\n" + "".join([
    "ZZF-FED,Fed (fictional),GPFederation,2016-04-01,,true,,004:190,\n",
    "ZZF-RIVAL,Rival federation (fictional),GPFederation,2015-01-01,,true,,004:437,\n",
    "ZZF-CCG,CCG (fictional),ClinicalCommissioningGroup,2013-04-01,,true,,004:100,\n",
    "ZZF-CCG-GB,CCG governing body (fictional),CCGGoverningBody,2013-04-01,,true,,004:354,\n",
    "ZZF-PCT,PCO 1 (fictional),PrimaryCareTrust,2007-01-01,2009-12-31,true,,000:506,\n",
    *(f"ZZF-P{i},P{i} (fictional),GPPractice,2000-01-01,,true,,004:190,\n" for i in (1, 2, 3)),
])
TIES = VINTAGE + "from,to,kind,hood_mode,mechanism,selection_basis,outcome,lot,start,end,source,note\n" + "".join([
    "ZZF-PCT,ZZF-P1,GovernanceTie,ContrivedRandomness,payment verification visit,random,,,2007-01-01,2009-12-31,"
    "000:204,\n",
    "ZZF-PCT,ZZF-P2,GovernanceTie,Oversight,QOF review visit,rolling,,,2007-01-01,2009-12-31,000:144,\n",
    "ZZF-FED,ZZF-P1,GovernanceTie,Mutuality,asking each practice in turn,,,,2017-06-01,,004:417,\n",
    "ZZF-P1,ZZF-FED,ApproachTie,,,,joined,,2017-01-01,2017-05-01,004:228,\n",
    "ZZF-P2,ZZF-FED,ApproachTie,,,,stayed,,2017-09-01,,004:269,\n",
    "ZZF-P3,ZZF-RIVAL,ApproachTie,,,,pending,,2018-03-01,,004:420,due diligence under way\n",
    "ZZF-FED,ZZF-CCG,BidTie,,,,won,IAGP northern locality 2018,2018-01-01,,004:580,\n",
    "ZZF-FED,ZZF-CCG,BidTie,,,,lost,IAGP central locality 2018,2018-01-01,,004:580,two lots: two bids\n",
    "ZZF-RIVAL,ZZF-CCG,BidTie,,,,won,IAGP central locality 2018,2018-01-01,,004:580,\n",
    "ZZF-P3,ZZF-CCG,BidTie,,,,not_bid,IAGP northern locality 2018,2018-01-01,,004:589,\n",
])
PEOPLE = VINTAGE + "person_id,name,fictional,source\n" + "".join(
    f"ZZP-{x},Person {x},true,004:324\n" for x in ("A", "B", "C"))
POSTS = VINTAGE + "person_id,organisation,post,role,represents,appointment,voting,commissioning,start,end,source," \
    "note\n" + "".join([
        "ZZP-A,ZZF-CCG,CCG role (non-commissioning GP),,,,,false,2016-04-01,,004:324,\n",
        "ZZP-B,ZZF-CCG-GB,governing body member,CCGGoverningBodyMember,,,,true,,2016-12-31,004:354,\n",
        "ZZP-C,ZZF-FED,chair,BoardChair,,Elected,true,,2016-04-01,,004:212,\n",
    ])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from graphkit.store.build import InputFile, build

    tmp = tmp_path_factory.mktemp("events")
    for table, text in (("organisations", ORGS), ("ties", TIES), ("people", PEOPLE), ("posts", POSTS)):
        (tmp / "set").mkdir(exist_ok=True)
        (tmp / "set" / f"{table}.csv").write_text(text)
    report = build([InputFile(tmp / "set")], tmp / "store")
    assert report.quality is not None
    assert not [r for r in report.quality.counts() if r.startswith("reject") or "Violation" in r]
    return tmp / "store"


# what the rows state: (kind, from, to, lot) -> (selection_basis, outcome)
EXPECTED_TIES = {
    ("GovernanceTie", "ZZF-PCT", "ZZF-P1", None): ("SelectedAtRandom", None),
    ("GovernanceTie", "ZZF-PCT", "ZZF-P2", None): ("SelectedInRotation", None),
    ("GovernanceTie", "ZZF-FED", "ZZF-P1", None): (None, None),
    ("ApproachTie", "ZZF-P1", "ZZF-FED", None): (None, "ApproachJoined"),
    ("ApproachTie", "ZZF-P2", "ZZF-FED", None): (None, "ApproachStayed"),
    ("ApproachTie", "ZZF-P3", "ZZF-RIVAL", None): (None, "ApproachPending"),
    ("BidTie", "ZZF-FED", "ZZF-CCG", "IAGP northern locality 2018"): (None, "BidWon"),
    ("BidTie", "ZZF-FED", "ZZF-CCG", "IAGP central locality 2018"): (None, "BidLost"),
    ("BidTie", "ZZF-RIVAL", "ZZF-CCG", "IAGP central locality 2018"): (None, "BidWon"),
    ("BidTie", "ZZF-P3", "ZZF-CCG", "IAGP northern locality 2018"): (None, "BidNotMade"),
}
EXPECTED_POSTS = {"ZZP-A": False, "ZZP-B": True, "ZZP-C": None}


def _check(ties: list, posts: list) -> None:
    assert {(t.kind, t.tie_from, t.tie_to, t.lot): (t.selection_basis, t.outcome) for t in ties} == EXPECTED_TIES
    assert len(ties) == len(EXPECTED_TIES)  # the two bids of ZZF-FED to one commissioner on one day stay two
    assert {p.person_id: p.commissioning for p in posts} == EXPECTED_POSTS


def test_the_new_columns_load_and_read_back_from_the_embedded_store(built: Path) -> None:
    from graphkit.store.oxigraph import OxigraphStore

    store = OxigraphStore(built)
    try:
        ties, posts = store.lateral_ties(), store.posts()
        # as of a day: the PCO's visits of 2007-09 are not in force in 2018, the bids of 2018 are
        in_2018 = {(t.kind, t.tie_from, t.lot) for t in store.lateral_ties(as_of=dt.date(2018, 6, 1))}
        quads = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?t pcg:outcome pcg:BidNotMade } }")
    finally:
        store.close()
    _check(ties, posts)
    assert ("BidTie", "ZZF-P3", "IAGP northern locality 2018") in in_2018
    assert not {k for k in in_2018 if k[1] == "ZZF-PCT"}
    assert int(quads[0]["n"].value) == 1


def test_bids_for_two_lots_are_not_an_overlap(built: Path, tmp_path: Path) -> None:
    from graphkit.ingest.quality import curated_overlaps

    shown = CliRunner().invoke(cli, ["report", "--limit", "0"], env={"GRAPHKIT_STORE_PATH": str(built)})
    assert shown.exit_code == 0, shown.output
    assert "BidTie" not in shown.output and "curated-overlap" not in shown.output, shown.output
    # the control: the same bidder's two bids for one lot are one bid stated twice, reported with both its lines
    (tmp_path / "set").mkdir()
    same_lot = TIES.replace("lost,IAGP central locality 2018", "lost,IAGP northern locality 2018")
    (tmp_path / "set" / "ties.csv").write_text(same_lot)
    (tmp_path / "set" / "organisations.csv").write_text(ORGS)
    found = curated_overlaps(read_curated(tmp_path / "set"))
    assert [(i.rule, i.line) for i in found] == [("curated-overlap", 10)]
    assert "BidTie / ZZF-FED / ZZF-CCG / IAGP northern locality 2018: stated on lines 9 and 10" in found[0].message


@pytest.mark.neo4j
def test_neo4j_reads_back_the_same_ties_and_posts(built: Path, neo4j_db: object) -> None:
    from graphkit.rdf.read import read_dataset
    from graphkit.store.neo4j import Neo4jStore
    from graphkit.store.oxigraph import OxigraphStore

    embedded = OxigraphStore(built)
    try:
        graph = read_dataset(embedded.dataset())
        ties, posts = embedded.lateral_ties(), embedded.posts()
        ties_2018 = embedded.lateral_ties(as_of=dt.date(2018, 6, 1))
    finally:
        embedded.close()
    store = Neo4jStore(neo4j_db, database="neo4j")
    store.load(graph)
    assert store.lateral_ties() == ties and store.posts() == posts
    assert store.lateral_ties(as_of=dt.date(2018, 6, 1)) == ties_2018
    _check(store.lateral_ties(), store.posts())
    # relationships typed by their class (docs/neo4j-store.md), the new values as properties
    counts = {r["t"]: r["n"] for r in store._run(
        "MATCH ()-[r:APPROACH_TIE|BID_TIE]->() RETURN type(r) AS t, count(r) AS n")}
    assert counts == {"APPROACH_TIE": 3, "BID_TIE": 4}
    (lot,) = store._run("MATCH (:Organisation {odsCode: 'ZZF-RIVAL'})-[r:BID_TIE]->() RETURN r.lot AS lot, "
                        "r.outcome AS outcome, r.tieKind AS kind")
    assert (lot["lot"], lot["outcome"], lot["kind"]) == ("IAGP central locality 2018", "BidWon", "BidTie")
    (held,) = store._run("MATCH (:Person {personId: 'ZZP-A'})-[h:HOLDS_POST]->() RETURN h.commissioning AS c")
    assert held["c"] is False


def test_notations_of_the_new_schemes() -> None:
    v = vocabulary()
    assert v["selection_basis_notations"] == ("random", "rolling", "targeted", "universal")
    assert [notation_of("selection_basis", c) for c in
            ("SelectedAtRandom", "SelectedTargeted", "SelectedInRotation", "SelectedUniversally")] == \
        ["random", "targeted", "rolling", "universal"]
    assert [notation_of("outcome", c) for c in OUTCOMES["ApproachTie"]] == ["joined", "stayed", "refused", "pending"]
    assert [notation_of("outcome", c) for c in OUTCOMES["BidTie"]] == ["won", "lost", "withdrawn", "not_bid"]
    assert set(v["outcome_concepts"]) == set(OUTCOMES["ApproachTie"]) | set(OUTCOMES["BidTie"])
    assert {"ApproachTie", "BidTie"} <= set(v["tie"])


def _old_hash(fact: object, new: set[str]) -> str:
    """A row's hash as it was before the fields ``new`` existed."""
    values = [(f.name, getattr(fact, f.name)) for f in dataclasses.fields(fact)  # type: ignore[arg-type]
              if f.name != "line" and f.name not in new]
    return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()[:10]


def test_older_tables_keep_their_iris() -> None:
    """A row without the new columns hashes as before (the IRI of rows that share a tie's or post's key), so a
    table written before 2.3.0 gives the same graph; a row using them hashes differently."""
    tie = LateralTie("PartnershipTie", "ZZF-A", "ZZF-B", 3, start=dt.date(2019, 1, 1), mechanism="a plan",
                     citations=("004:830",))
    post = PostHolding("ZZP-A", "ZZF-FED", "BoardChair", 4, voting=True, citations=("004:212",))
    assert _content_hash(tie, with_line=False) == _old_hash(tie, {"selection_basis", "outcome", "lot", "note"})
    assert _content_hash(post, with_line=False) == _old_hash(post, {"commissioning", "note"})
    bid = dataclasses.replace(tie, kind="BidTie", lot="IAGP 2018")
    assert _content_hash(bid, with_line=False) != _old_hash(bid, {"selection_basis", "outcome", "lot", "note"})


def test_a_set_without_the_new_columns_reads_as_before(tmp_path: Path) -> None:
    (tmp_path / "organisations.csv").write_text(ORGS)
    (tmp_path / "ties.csv").write_text(
        VINTAGE + "from,to,kind,hood_mode,mechanism,start,end,source\n"
        "ZZF-FED,ZZF-P1,GovernanceTie,Oversight,review,2017-01-01,,004:446\n")
    (tie,) = [t for r in read_curated(tmp_path) for t in r.lateral_ties]
    assert (tie.selection_basis, tie.outcome, tie.lot) == (None, None, None)
