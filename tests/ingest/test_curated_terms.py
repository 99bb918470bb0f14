"""The columns of ontology 2.4.0 (docs/curated.md, issue 21): the curated `note` reaches the records and the graph;
a membership's `tier` and `exit_reason`; a contract's `succeeds`. Bad values name the file, the line and the column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graphkit.errors import InputError
from graphkit.ingest.curated import read_curated

VINTAGE = "# vintage: 2024-10-01\n"
ORGS = VINTAGE + (
    "code,name,kind,start,end,fictional,source,note\n"
    "ZZF-FED,Fed (fictional),GPFederation,2014-07-01,,true,004:397,\n"
    "ZZF-RIVAL,Rival (fictional),GPFederation,2010-01-01,,true,004:437,\n"
    "ZZF-CCG,CCG (fictional),ClinicalCommissioningGroup,2013-04-01,,true,000:104,\n"
    "ZZF-P1,Practice one (fictional),GPPractice,,,true,004:419,\n"
    "ZZF-P2,Practice two (fictional),GPPractice,,,true,004:419,\n"
)
MEMBERSHIPS = VINTAGE + (
    "member,organisation,kind,start,end,tier,exit_reason,source,note\n"
    "ZZF-P1,ZZF-FED,FederationMembership,2014-07-01,2018-12-31,equal,left,004:420,left in 2018\n"
    "ZZF-P2,ZZF-RIVAL,FederationMembership,2017-01-01,,second_tier,,004:687,a latecomer\n"
    "ZZF-P2,ZZF-CCG,CommissionerAssignment,2013-04-01,,,,000:104,\n"
)
CONTRACTS = VINTAGE + (
    "contract_id,kind,holder,commissioner,service,parent_contract,succeeds,start,end,amount_gbp,source,note\n"
    "OLD-1,APMSContract,ZZF-RIVAL,ZZF-CCG,CoreMedicalServices,,,,2017-03-31,,004:357,the old holder\n"
    "NEW-1,APMSContract,ZZF-FED,ZZF-CCG,CoreMedicalServices,,OLD-1,2017-04-01,,,004:357,retendered\n"
)


def _set(tmp_path: Path, **tables: str) -> Path:
    for name, text in {"organisations": ORGS, **tables}.items():
        (tmp_path / f"{name}.csv").write_text(text)
    return tmp_path


def test_tier_exit_reason_succeeds_and_notes_are_read(tmp_path: Path) -> None:
    results = read_curated(_set(tmp_path, memberships=MEMBERSHIPS, contracts=CONTRACTS))
    rels = {(r.member, r.organisation): r for res in results for r in res.relations}
    left = rels[("ZZF-P1", "ZZF-FED")]
    assert (left.tier, left.exit_reason, left.end, left.note) == ("TierEqual", "ExitLeft", dt.date(2018, 12, 31),
                                                                 "left in 2018")
    assert (rels[("ZZF-P2", "ZZF-RIVAL")].tier, rels[("ZZF-P2", "ZZF-RIVAL")].exit_reason) == ("TierSecond", None)
    assert rels[("ZZF-P2", "ZZF-CCG")].note is None and rels[("ZZF-P2", "ZZF-CCG")].tier is None
    contracts = {a.contract_id: a for res in results for a in res.agreements}
    assert (contracts["NEW-1"].succeeds, contracts["NEW-1"].note) == ("OLD-1", "retendered")
    assert contracts["OLD-1"].succeeds is None
    orgs = {o.code: o for res in results for o in res.organisations}
    assert orgs["ZZF-FED"].note is None  # an empty note is none


BAD = [
    ("a tier not in the scheme",
     {"memberships": MEMBERSHIPS.replace(",second_tier,", ",gold,")}, ("memberships.csv", 4, "tier", "'gold'")),
    ("an exit reason on a membership that holds",
     {"memberships": MEMBERSHIPS.replace("2018-12-31,equal,left", ",equal,left")},
     ("memberships.csv", 3, "exit_reason", "'left'")),
    ("an exit reason not in the scheme",
     {"memberships": MEMBERSHIPS.replace(",equal,left,", ",equal,eloped,")},
     ("memberships.csv", 3, "exit_reason", "'eloped'")),
    ("a tier on a dated relation (commissioning is no membership)",
     {"memberships": MEMBERSHIPS.replace("2013-04-01,,,,000:104", "2013-04-01,,equal,,000:104")},
     ("memberships.csv", 5, "tier", "'equal'")),
    ("a contract that succeeds itself",
     {"contracts": CONTRACTS.replace(",OLD-1,2017", ",NEW-1,2017")}, ("contracts.csv", 4, "succeeds", "'NEW-1'")),
    ("a contract that succeeds an unknown one",
     {"contracts": CONTRACTS.replace(",OLD-1,2017", ",OLD-9,2017")}, ("contracts.csv", 4, "succeeds", "'OLD-9'")),
]


@pytest.mark.parametrize(("problem", "tables", "where"), BAD, ids=[b[0] for b in BAD])
def test_bad_terms_name_file_line_and_column(tmp_path: Path, problem: str, tables: dict[str, str],
                                             where: tuple[str, int, str, str]) -> None:
    with pytest.raises(InputError) as err:
        read_curated(_set(tmp_path, **tables))
    (p,) = err.value.problems
    file, line, column, value = where
    assert (Path(p.file).name, p.line, p.field) == (file, line, column), str(err.value)
    assert value in str(err.value)


def test_the_case_studies_state_terms_successions_and_notes() -> None:
    """What the report says (domain-model §4.2, §4.4), as the case-study tables hold it."""
    results = read_curated(Path(__file__).parents[2] / "seeds" / "casestudies")
    rels = [r for res in results for r in res.relations]
    federation = [r for r in rels if r.kind == "FederationMembership"]
    # the four sites' members hold equal terms (004:210, 004:290, 004:345, 004:442); the distant practice is unknown
    assert {r.organisation for r in federation if r.tier == "TierEqual"} == {
        "ZZF-EXPANDING", "ZZF-EMBEDDED", "ZZF-STRUGGLING", "ZZF-SMALL"}
    assert sum(r.tier == "TierEqual" for r in federation) == 46 + 50 + 90 + 10
    # one practice left Small in 2018 and joined no other (004:420, 004:564)
    assert [(r.member, r.organisation, r.exit_reason) for r in rels if r.exit_reason] == [
        ("ZZF-SMALL-P04", "ZZF-SMALL", "ExitLeft")]
    # the twelve retendered APMS contracts (and the second statement of the twelfth) succeed the private provider's
    agreements = {a.contract_id: a for res in results for a in res.agreements}
    successions = {a.contract_id: a.succeeds for a in agreements.values() if a.succeeds}
    apms = {new: old for new, old in successions.items() if new.startswith("ZZC-STR-APMS")}
    assert len(apms) == 13 and {agreements[old].holder for old in apms.values()} == {"ZZF-PRIV-STR"}
    assert successions["ZZC-STR-APMS-10"] == "ZZC-STR-APMS-OLD-10"
    # and the smoking cessation service Embedded took over from the local authority (004:1094-1099)
    assert set(successions) - set(apms) == {"ZZC-EMB-SMOKING"}
    assert agreements[successions["ZZC-EMB-SMOKING"]].holder == "ZZF-LA-EMB"
    # every row of these tables carries a note (people: where the report says more than the label)
    for res in results:
        for rows in (res.relations, res.posts, res.agreements, res.deliveries, res.lateral_ties):
            assert all(r.note for r in rows), res.source.file_name
