"""The apportioning of figures across a crosswalk, the reading of a user's CSV of figures, and the renamings found
from the names files give, without a store."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from graphkit.errors import BadParameter
from graphkit.store.reorganisation import (
    Crosswalk,
    CrosswalkRow,
    apportion,
    apportion_frame,
    name_key,
    nearest_year,
    read_values,
    renamings,
    series_of,
)

WALK = Crosswalk("commissioner", dt.date(2021, 6, 1), "system", dt.date(2024, 10, 1), "2021-22", rows=[
    CrosswalkRow("01Y", "Tameside", "QJ2", "Derbyshire", 5, 31_386, 5 / 36, 31_386 / 251_374),
    CrosswalkRow("01Y", "Tameside", "QOP", "Greater Manchester", 31, 219_988, 31 / 36, 219_988 / 251_374),
    CrosswalkRow("16C", "Tees Valley", "QHM", "North East", 79, 705_072, 1.0, 1.0),
])


def test_a_frame_is_apportioned_by_patients_and_by_practices() -> None:
    frame = pd.DataFrame({"ccg": ["01y", "16C"], "items": [1000.0, 2500.0], "label": ["a", "b"]})
    out = apportion_frame(WALK, frame).set_index("to_code")
    assert out.loc["QJ2", "items"] == pytest.approx(1000 * 31_386 / 251_374)
    assert out["items"].sum() == pytest.approx(3500.0) and "label" not in out.columns
    assert out.loc["QOP", "weights"].startswith("01Y 0.875")
    by_practice = apportion_frame(WALK, frame, weight="practices").set_index("to_code")
    assert by_practice.loc["QJ2", "items"] == pytest.approx(1000 * 5 / 36)


def test_unknown_and_repeated_codes_are_errors_naming_them() -> None:
    with pytest.raises(BadParameter, match="XXX"):
        apportion(WALK, {"XXX": {"n": 1.0}, "16C": {"n": 2.0}})
    with pytest.raises(BadParameter, match="'16C' is given twice"):
        apportion_frame(WALK, pd.DataFrame({"ccg": ["16C", "16C"], "n": [1, 2]}))
    with pytest.raises(BadParameter, match="weight"):
        apportion(WALK, {"16C": {"n": 1.0}}, weight="doctors")


@pytest.mark.parametrize(("text", "message"), [
    ("ccg\n16C\n", "line 1: a header"),
    ("ccg,n\n16C,1\n16C,2\n", "line 3: ccg '16C' given twice"),
    ("ccg,n\n16C,one\n", "line 2, column n: not a number: 'one'"),
    ("ccg,n\n16C,inf\n", "line 2, column n: not a number"),
    ("ccg,n\n16C,1,2\n", "line 2: 3 values for 2 columns"),
    ("ccg,n\n16C,\x001\n", "a NUL byte"),
])
def test_a_bad_csv_of_figures_names_the_line_and_column(text: str, message: str) -> None:
    with pytest.raises(BadParameter, match=message):
        read_values(text, "figures.csv")


def test_figures_are_read_with_thousands_separators_and_empty_cells() -> None:
    header, values = read_values('ccg,n,m\n16c,"1,250.5",\n\n01Y,2,3\n', "f.csv")
    assert header == ["ccg", "n", "m"] and values == {"16C": {"n": 1250.5, "m": 0.0}, "01Y": {"n": 2.0, "m": 3.0}}


def test_the_nearest_financial_year() -> None:
    years = ["2019-20", "2020-21", "2021-22", "2022-23"]
    assert nearest_year(years, dt.date(2021, 6, 1)) == "2021-22"
    assert nearest_year(years, dt.date(2024, 10, 1)) == "2022-23"
    assert nearest_year(years, dt.date(2010, 1, 1)) == "2019-20"
    assert nearest_year([], dt.date(2021, 6, 1)) is None


@pytest.mark.parametrize(("old", "new"), [
    ("LiGA WIGAN PCN", "LIGA WIGAN PCN"),  # U23418, ePCN 2019-12 and 2022-05
    ("ST. PETER'S ROAD SURGERY", "ST.PETER'S ROAD SURGERY"),  # L84017, epraccur 2019-12 and 2023-12
    ("CHORLEY & SOUTH RIBBLE HEALTH PCN", "CHORLEY AND SOUTH RIBBLE HEALTH PCN"),  # U10791, ePCN
    ("MERSEYCARE NHS TRUST - NMP", "MERSEY CARE NHS TRUST - NMP"),  # Y03798, epraccur 2023-12 and 2026-02
    ("PRESTON GROVE MEDICAL CENTRE. YEOVIL", "Preston Grove Medical Centre, Yeovil"),
    ("DR SUGUMAR & PARTNER", "DR  SUGUMAR AND PARTNER "),
])
def test_a_change_of_spelling_is_one_name(old: str, new: str) -> None:
    assert name_key(old) == name_key(new)


@pytest.mark.parametrize(("old", "new"), [
    ("WEST LEIGH PCN", "SS9 PCN"),
    ("CHORLEY AND SOUTH RIBBLE HEALTH PCN", "CHORLEY AND SOUTH RIBBLE NETWORK PCN"),
    ("THE GROVES MEDICAL CENTRE", "GROVES MEDICAL CENTRE"),  # a dropped THE is a renaming
    ("SALTERS MEADOW HEALTH CTR", "SALTERS MEADOW HEALTH CENTRE"),
    ("PRESTON NORTH & EAST PCN", "PRESTON NORTH EAST PCN"),  # "&" is read as "and", not dropped as punctuation
])
def test_a_different_name_is_another_name(old: str, new: str) -> None:
    assert name_key(old) != name_key(new)


@pytest.mark.parametrize(("slug", "series"), [
    ("epraccur_2019-12", "epraccur"), ("eccg_2025-12", "eccg"), ("gp-reg-pat-prac-map_2022-01", "gp-reg-pat-prac-map"),
    ("nhspaymentsgp_2021-22", "nhspaymentsgp"), ("ePCN_2022-05_pcn_details", "ePCN_pcn_details"),
    ("ePCN_2022-05_core_partner_details", "ePCN_core_partner_details"),
    ("icb_names_codes_dec_2024", "icb_names_codes_dec"),
    ("curated-federations", "curated-federations"),
])
def test_the_series_of_a_file_is_its_slug_without_the_date(slug: str, series: str) -> None:
    assert series_of(slug) == series


D = dt.date


def test_a_renaming_several_series_show_is_dated_by_the_narrowest_and_cites_them_all() -> None:
    rows = [
        ("U04443", "WEST LEIGH PCN", "ePCN_2019-12_pcn_details", D(2019, 12, 1)),
        ("U04443", "SS9 PCN", "ePCN_2022-05_pcn_details", D(2022, 5, 1)),
        ("U04443", "West Leigh PCN", "gp-reg-pat-prac-map_2020-09", D(2020, 9, 1)),
        ("U04443", "SS9 PCN", "gp-reg-pat-prac-map_2022-01", D(2022, 1, 1)),
        # payments abbreviate: a name of another series is never compared with these
        ("U04443", "W LEIGH PCN", "nhspaymentsgp_2020-21", D(2021, 3, 31)),
        ("U04443", "W LEIGH PCN", "nhspaymentsgp_2021-22", D(2022, 3, 31)),
    ]
    (c,) = renamings(rows)
    assert (c.kind, c.code, c.day, c.precision) == ("renamed", "U04443", D(2022, 1, 1), "no_later_than")
    assert (c.before, c.after) == ("West Leigh PCN", "SS9 PCN")
    assert c.sources == ("ePCN_2019-12_pcn_details", "ePCN_2022-05_pcn_details", "gp-reg-pat-prac-map_2020-09",
                         "gp-reg-pat-prac-map_2022-01")
    assert c.detail == ("West Leigh PCN in gp-reg-pat-prac-map_2020-09 (2020-09-01); SS9 PCN in "
                        "gp-reg-pat-prac-map_2022-01 (2022-01-01)")


def test_only_consecutive_files_that_both_name_an_organisation_are_compared() -> None:
    rows = [
        ("A81001", "THE DENSHAM SURGERY", "epraccur_2019-12", D(2019, 12, 1)),
        ("A81002", "QUEENS PARK MEDICAL CENTRE", "epraccur_2019-12", D(2019, 12, 1)),
        ("A81002", "QUEENS PARK MEDICAL CENTRE", "epraccur_2023-12", D(2023, 12, 1)),
        ("A81001", "DENSHAM SURGERY", "epraccur_2026-02", D(2026, 2, 1)),  # not named in 2023-12: not compared
        ("A81002", "QUEENS PARK SURGERY", "epraccur_2026-02", D(2026, 2, 1)),
    ]
    assert [(c.code, c.day, c.before, c.after) for c in renamings(rows)] == \
        [("A81002", D(2026, 2, 1), "QUEENS PARK MEDICAL CENTRE", "QUEENS PARK SURGERY")]


def _payments(changed: int, named: int = 200) -> list[tuple[str, str, str, dt.date]]:
    """Two payments files naming ``named`` practices, ``changed`` of them by their partners in the older one."""
    older, newer = ("nhspaymentsgp_2019-20", D(2020, 3, 31)), ("nhspaymentsgp_2020-21", D(2021, 3, 31))
    rows = []
    for i in range(named):
        code = f"M{83000 + i}"
        rows.append((code, f"DR {i} & PARTNERS" if i < changed else f"SURGERY {i}", *older))
        rows.append((code, f"SURGERY {i}", *newer))
    return rows


def test_a_pair_of_files_whose_publisher_changed_its_naming_shows_no_renamings() -> None:
    # nhspaymentsgp_2019-20 names many practices by their partners, 2020-21 by the practice: not renamings
    assert renamings(_payments(51)) == []  # 51 of 200: over a quarter
    found = renamings(_payments(50))  # a quarter: renamings
    assert len(found) == 50 and found[0].before == "DR 0 & PARTNERS" and found[0].after == "SURGERY 0"
    assert len(renamings(_payments(20, named=30))) == 20  # too few named by both to judge a convention
