"""A build runs the SHACL checks on an in-memory copy of the resolved graph while it writes the store
(graphkit/store/build.py ``_ValidatedAlongside``), when there is room; else on the written store. Either way the
results are the same: the same warnings and notes in the quality report, the same refusal of a violation, naming the
file and line, and nothing written."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

import graphkit.store.build as building
from graphkit.errors import ValidationFailed
from graphkit.store import generations
from graphkit.store.build import InputFile, build
from tests.conftest import CASES, SEEDS


def _build(inputs: list[InputFile], store: Path, alongside: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(building, "_room_to_validate_alongside", lambda graph: alongside)
    return build(inputs, store)


def test_the_case_studies_checked_alongside_as_on_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = tmp_path / "casestudies"
    shutil.copytree(CASES, cases)
    inputs = [InputFile(SEEDS / "ods" / "eccg_2025-12.csv"), InputFile(cases)]
    on_store = _build(inputs, tmp_path / "a", False, monkeypatch)
    alongside = _build(inputs, tmp_path / "b", True, monkeypatch)
    assert "validate (SHACL)" in alongside.seconds  # type: ignore[attr-defined]
    issues_a = sorted(map(repr, on_store.quality.issues))  # type: ignore[attr-defined]
    issues_b = sorted(map(repr, alongside.quality.issues))  # type: ignore[attr-defined]
    shacl = [i for i in issues_a if "shacl:" in i]
    assert shacl and issues_a == issues_b  # the shapes' warnings and notes, the same
    assert on_store.quads == alongside.quads > 15_000  # type: ignore[attr-defined]


def test_a_violation_found_alongside_refuses_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # payments whose commissioners (sub-ICB locations) no file describes: a contract's commissioner must be one
    with gzip.open(SEEDS / "payments" / "nhspaymentsgp_2022-23.csv.gz", "rt", encoding="utf-8-sig") as fh:
        lines = [next(fh) for _ in range(6)]
    payments = tmp_path / "nhspaymentsgp_2022-23.csv"
    payments.write_text("".join(lines), encoding="utf-8")
    messages = []
    for alongside in (False, True):
        store = tmp_path / f"store-{alongside}"
        with pytest.raises(ValidationFailed) as failed:
            _build([InputFile(payments)], store, alongside, monkeypatch)
        messages.append(str(failed.value))
        assert generations.current(store) is None  # nothing written
    assert messages[0] == messages[1]
    assert "nhspaymentsgp_2022-23.csv:2 [commissioner]" in messages[0]
    assert "must be an organisation" in messages[0]
