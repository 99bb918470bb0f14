"""The apportioning of figures across a crosswalk, and the reading of a user's CSV of figures, without a store."""

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
    nearest_year,
    read_values,
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
