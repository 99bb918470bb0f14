"""The synthetic economy (graphkit/synthetic.py): deterministic for a seed, never an ODS code, England's shape, and
imported by the real build with every row loaded and nothing reported but the merge's own dating notes."""

from __future__ import annotations

import csv
import gzip
import io
import statistics
from collections import Counter
from pathlib import Path

import pytest

from graphkit.store.build import InputFile, build, seed_files
from graphkit.synthetic import (
    REAL_SHAPE,
    Economy,
    ccg_code,
    generate,
    icb_code,
    measure_shape,
    pcn_code,
    practice_code,
    region_code,
)

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.05


def _bytes(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 0.02, seed=7)
    generate(tmp_path / "b", 0.02, seed=7)
    generate(tmp_path / "c", 0.02, seed=8)
    a, b, c = _bytes(tmp_path / "a"), _bytes(tmp_path / "b"), _bytes(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys()
    assert [k for k in a if a[k] != c[k] and k != "README.md"]


def test_the_stated_shape_is_the_one_the_real_files_give() -> None:
    measured = measure_shape(ROOT / "seeds")
    for key, value in measured.items():
        assert REAL_SHAPE[key] == value, key


def test_no_code_can_be_an_ods_code(tmp_path: Path) -> None:
    """Every code in the national files has Z second; no real file in seeds/ has one such code."""
    eco = Economy(0.05, seed=1)
    codes = [*eco.practices, *eco.pcns, *eco.areas, *eco.icbs, *eco.regions]
    assert all(len(c) >= 3 and c[1] == "Z" for c in codes)
    real = set()  # every whole cell of the real national files with Z second (postcodes' halves are not cells)
    for f in seed_files(ROOT / "seeds"):
        data = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        text = data.decode("utf-8-sig")
        real.update(c for row in csv.reader(io.StringIO(text)) for c in row if len(c) >= 3 and c[1] == "Z")
    assert not (set(codes) & real)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int], object, Economy]:
    out = tmp_path_factory.mktemp("synthetic")
    rows = generate(out / "eco", SCALE, seed=1)
    inputs = [InputFile(p) for p in seed_files(out / "eco")] + [InputFile(out / "eco" / "casestudies")]
    report = build(inputs, out / "store")
    return rows, report, Economy(SCALE, seed=1)


def test_every_row_is_loaded_and_nothing_is_reported(small: tuple[dict[str, int], object, Economy]) -> None:
    rows, report, _ = small
    read = {r.source.file_name: (r.rows, len(r.rejects)) for r in report.results}  # type: ignore[attr-defined]
    for name, n in rows.items():
        assert read[Path(name).name if not name.startswith("casestudies/") else name] == (n, 0), name
    counts = report.quality.counts()  # type: ignore[attr-defined]
    # the synthetic files keep two quirks of the national ones: a closed practice still listed by later PCN files,
    # and a PCN's commissioner as stated before the commissioner merged; merge rules 7 and 8 clip such a tie to the
    # lives of its organisations and carry it to the successor, and say so, as on the real files (docs/data.md)
    assert set(counts) <= {"info:change-dated-by-evidence", "info:change-dated-by-first-file",
                           "conflict:tie-clipped", "info:tie-moved-to-successor"}, counts
    clipped = [i for i in report.quality.issues if i.rule == "tie-clipped"]  # type: ignore[attr-defined]
    assert clipped and all("closed on" in i.message for i in clipped)
    assert counts.get("info:tie-moved-to-successor", 0) <= counts["conflict:tie-clipped"]


def test_the_shape_asked(small: tuple[dict[str, int], object, Economy]) -> None:
    _, report, eco = small
    g = report.graph  # type: ignore[attr-defined]
    kinds = Counter(k for o in g.organisations.values() for k in o.kinds)
    # counts per level, in proportion to England within the rounding of a small fraction
    assert kinds["SubICBLocation"] == sum(a.sub_icb for a in eco.areas.values())
    assert 0.5 * 106 * SCALE <= kinds["SubICBLocation"] <= 1.5 * 106 * SCALE
    assert kinds["IntegratedCareBoard"] == round(42 * SCALE)
    assert 0.8 * 6757 * SCALE <= len([p for p in eco.practices.values() if p.memberships]) <= 1.3 * 6757 * SCALE
    # practices per PCN on the last ePCN vintage: the real mean is 4.85 (ePCN 2024-10)
    sizes = Counter(t.organisation for t in g.ties if t.kind == "PCNMembership" and t.end is None)
    assert 3.9 <= statistics.mean(sizes.values()) <= 6.3
    # churn: PCN moves, closures and CCG mergers are all present
    moved = [p for p in eco.practices.values() if len(p.memberships) > 1]
    assert moved and [p for p in eco.practices.values() if p.closed and p.memberships]
    assert kinds["ClinicalCommissioningGroup"] > kinds["SubICBLocation"]
    assert any(e.kind == "Merger" for e in g.events)  # the CCG mergers of 2020 and 2021, as the merge derives them
    assert kinds["GPFederation"] >= 1 and kinds["FederationBoard"] == kinds["GPFederation"]


def _pattern(shape: str) -> str:
    from rdflib import Graph, Namespace
    from rdflib.namespace import SH

    g = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    node = Namespace("https://w3id.org/pcgraph/shapes#")[shape]
    return str(next(g.objects(next(g.objects(node, SH.property)), SH.pattern)))


@pytest.mark.parametrize(("shape", "make"), [
    ("GPPracticeCodeShape", practice_code), ("PCNCodeShape", pcn_code), ("CommissionerCodeShape", ccg_code),
    ("SystemCodeShape", icb_code), ("RegionCodeShape", region_code),
])
def test_codes_at_every_scale_meet_the_shapes(shape: str, make) -> None:
    """The first codes and later ones (CCGs past the 360 three-character ones take five) meet the
    shapes' code patterns."""
    import re

    pattern = re.compile(_pattern(shape))
    for i in (0, 1, 359, 360, 401, 1000):
        code = make(i)
        assert pattern.match(code), (shape, i, code)
        assert code[1] == "Z"


def test_a_scale_out_of_range_or_a_folder_not_empty_is_refused(tmp_path: Path) -> None:
    from graphkit.errors import BadParameter

    for scale in (0.0, -1.0, 101.0, float("nan"), float("inf")):
        with pytest.raises(BadParameter, match="out of range"):
            generate(tmp_path / "never", scale)
    assert not (tmp_path / "never").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(BadParameter, match="not empty"):
        generate(mine, 0.02)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    rows = generate(mine, 0.02, overwrite=True)
    assert (mine / "notes.txt").read_text() == "mine" and sum(rows.values()) > 1000
