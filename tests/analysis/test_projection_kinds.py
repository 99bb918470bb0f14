"""Which organisation of the projection is a GP practice on a date (graphkit/store/shared.py ProjectionIndex)."""

from __future__ import annotations

import datetime as dt

from graphkit.store.shared import ProjectionIndex

D = dt.date


def test_a_practice_only_while_it_holds_the_gp_practice_role() -> None:
    index = ProjectionIndex([], {
        "A1": (("RO177", D(1990, 1, 1), None), ("RO76", D(1990, 1, 1), D(2019, 3, 31))),
        "C1": (("RO177", D(2000, 1, 1), None),),
        "W1": (("RO177", D(2000, 1, 1), None), ("RO87", D(2000, 1, 1), None)),
    })
    assert index.kind_on("A1", D(2019, 3, 31)) == "GPPractice"
    assert index.kind_on("A1", D(2019, 4, 1)) == "PrescribingCostCentre"  # the role ended: a cost centre only
    assert index.kind_on("C1", D(2024, 10, 1)) == "PrescribingCostCentre"
    assert index.kind_on("W1", D(2024, 10, 1)) == "WalkInCentre"
    assert index.kind_on("ZZP-CURATED", D(2024, 10, 1)) == "GPPractice"  # no file states a role of it
