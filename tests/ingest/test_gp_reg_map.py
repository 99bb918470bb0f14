"""The gp-reg-pat-prac-map importer, on the real August 2026 file shipped in seeds/ods."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from graphkit.errors import InputError
from graphkit.ingest.importers import gp_reg_map
from graphkit.ingest.importers.registry import read_file, recognise
from tests.conftest import SEEDS

REAL = SEEDS / "ods" / "gp-reg-pat-prac-map_2026-08.csv.gz"


@pytest.fixture(scope="module")
def aug_2026():
    return gp_reg_map.read(REAL)


@pytest.mark.integration
def test_every_row_is_loaded_or_reported(aug_2026) -> None:
    r = aug_2026
    assert r.rows == 6129
    assert r.source.vintage == dt.date(2026, 8, 1)
    kinds = Counter(o.kinds[0] for o in r.organisations)
    assert kinds == {
        "GPPractice": 6129,
        "PrimaryCareNetwork": 1298,
        "SubICBLocation": 106,
        "IntegratedCareBoard": 36,
        "NHSEnglandRegion": 7,
    }
    memberships = [x for x in r.relations if x.kind == "PCNMembership"]
    placeholder = [x for x in r.rejects if x.field == "PCN_CODE"]
    # every practice row gives a PCN membership or a reported placeholder ('U', "Unallocated")
    assert len(memberships) + len(placeholder) == 6129
    assert Counter(x.value for x in placeholder) == {"U": 52}
    # U00000 looks like a placeholder but is a real PCN (West Norwich, opened 2024-04-01)
    assert {o.code: o.name for o in r.organisations}["U00000"] == "WEST NORWICH PCN"


@pytest.mark.integration
def test_a_real_practice_hierarchy(aug_2026) -> None:
    rels = {(x.kind, x.member): x.organisation for x in aug_2026.relations}
    assert rels[("PCNMembership", "A81001")] == "U89141"
    assert rels[("CommissionerAssignment", "A81001")] == "16C"
    assert rels[("SystemMembership", "16C")] == "QHM"
    assert rels[("RegionMembership", "QHM")] == "Y63"
    # the 2025/26 ICB mergers give new 5-character ICB codes
    assert rels[("SystemMembership", "26A")] == "T6Y0W"


def test_ccg_era_layout_and_row_problems_are_reported(tmp_path: Path) -> None:
    f = tmp_path / "map.csv"
    f.write_text(
        ",".join(gp_reg_map.CCG_ERA) + "\n"
        "GP_PRAC_PAT_LIST,01-Sep-20,A81001,THE DENSHAM SURGERY,TS18 1HU,U89141,STOCKTON PCN,E38000247,16C,"
        "NHS TEES VALLEY CCG,E54000005,QHM,CUMBRIA AND NORTH EAST,E40000009,Y63,NORTH EAST AND YORKSHIRE\n"
        "GP_PRAC_PAT_LIST,31-Foo-20,A81002,QUEENS PARK,TS18 2AW,U07032,NORTH STOCKTON PCN,E38000247,16C,"
        "NHS TEES VALLEY CCG,E54000005,QHM,CUMBRIA AND NORTH EAST,E40000009,Y63,NORTH EAST AND YORKSHIRE\n"
        "GP_PRAC_PAT_LIST,01-Sep-20,A81003\n",
        encoding="utf-8",
    )
    assert recognise(f) == "gp-reg-pat-prac-map"
    r = read_file(f)
    assert r.rows == 3
    assert r.source.vintage == dt.date(2020, 9, 1)
    assert {o.code: o.kinds[0] for o in r.organisations}["16C"] == "ClinicalCommissioningGroup"
    assert {o.code: o.kinds[0] for o in r.organisations}["QHM"] == "SustainabilityAndTransformationPartnership"
    assert [(x.line, x.field) for x in r.rejects] == [(3, "EXTRACT_DATE"), (4, None)]
    assert "expected 16 columns" in r.rejects[1].reason


def test_unrecognised_file_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "mystery.csv"
    f.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        recognise(f)
    assert "mystery.csv:1" in str(exc.value)
    assert "unrecognised" in str(exc.value)
