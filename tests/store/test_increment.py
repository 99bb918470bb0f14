"""``graphkit import`` from the last build's state (graphkit/store/increment.py): a store built from files and then
given more by ``import`` holds the same quads and the same data-quality report as a store built from all of them at
once; an import the state cannot stand for rebuilds; a refused import writes nothing.

Real stores throughout (Oxigraph on disk), real files: the national seeds' smaller files and the case studies, and
the curated test tables (tests/data/curated/good), which name national organisations by their ODS codes.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graphkit.config import PROJECT_ROOT
from graphkit.errors import InputError
from graphkit.ontology.shacl import result_order
from graphkit.rdf.emit import ONTOLOGY_GRAPH
from graphkit.store import generations, increment
from graphkit.store.build import BuildReport, InputFile, build, import_files, report_path

SEEDS = PROJECT_ROOT / "seeds"
NATIONAL = [SEEDS / "ods" / n for n in (
    "eccg_2025-12.csv", "etr_2025-12.csv", "icb_names_codes_dec_2024.csv",
    "ePCN_2024-10_core_partner_details.csv.gz", "ePCN_2024-10_pcn_details.csv.gz",
)]
CURATED = PROJECT_ROOT / "tests" / "data" / "curated" / "good"
# curated tables on national organisations: a federation of two Stockton practices, a tie between them, and a
# commissioner assignment that the national files state too (the merge joins them: resolved facts about
# existing organisations and ties change)
ON_ODS_CODES = {
    "organisations.csv": "code,name,kind,start,fictional,source\n"
                         "ZZN-STOCKTON-FED,Stockton test federation,GPFederation,2018-01-01,false,https://example.org/f\n",
    "memberships.csv": "member,organisation,kind,start,end,source\n"
                       "A81001,ZZN-STOCKTON-FED,FederationMembership,2018-01-01,,https://example.org/m\n"
                       "A81002,ZZN-STOCKTON-FED,FederationMembership,2018-06-01,2023-03-31,https://example.org/m\n"
                       "A81001,16C,CommissionerAssignment,2020-04-01,,https://example.org/c\n",
    "ties.csv": "from,to,kind,start,source\n"
                "A81002,A81001,RiskSharingTie,2019-01-01,https://example.org/t\n",
}

pytestmark = pytest.mark.integration


def _quads(store: Path) -> tuple[set[ox.Quad], Graph]:
    """The store's quads outside the ontology graph, and the ontology graph (its blank nodes differ per load:
    compared as graphs, up to blank node names)."""
    st = ox.Store.read_only(str(generations.current(store)))
    onto = ox.NamedNode(str(ONTOLOGY_GRAPH))
    quads = {q for q in st if q.graph_name != onto}
    g = Graph()
    g.parse(data=st.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=onto).decode("utf-8"), format="nt")
    return quads, g


def _report(store: Path) -> list[str]:
    issues = json.loads(report_path(store).read_text(encoding="utf-8"))["issues"]
    return sorted(json.dumps(i, sort_keys=True) for i in issues)


def _assert_same(a: Path, b: Path) -> None:
    qa, oa = _quads(a)
    qb, ob = _quads(b)
    assert len(qa) == len(qb) and qa == qb, (sorted(map(str, qa - qb))[:5], sorted(map(str, qb - qa))[:5])
    assert isomorphic(oa, ob)
    assert _report(a) == _report(b)


@pytest.fixture
def on_ods_codes(tmp_path: Path) -> Path:
    folder = tmp_path / "stockton"
    folder.mkdir()
    for name, text in ON_ODS_CODES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _copy(files: list[Path], to: Path) -> list[Path]:
    """Copies of the files (their modification times are the state's stamps: a test may touch them)."""
    to.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        dest = to / f.name
        (shutil.copytree if f.is_dir() else shutil.copy2)(f, dest)
        out.append(dest)
    return out


@pytest.fixture
def merged_onto(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each import merged its new records onto the kept merge (True) or merged every record again."""
    from graphkit.ingest.merge import merge_onto
    from graphkit.store import build as build_module

    seen: list[bool] = []

    def spy(*args: Any) -> Any:
        got = merge_onto(*args)
        seen.append(got is not None)
        return got

    monkeypatch.setattr(build_module, "merge_onto", spy)
    return seen


def _curated_set(folder: Path, code: str, vintage: str) -> Path:
    """A curated set of one fictional federation, of its own vintage."""
    folder.mkdir(parents=True)
    (folder / "organisations.csv").write_text(
        f"# vintage: {vintage}\ncode,name,kind,start,fictional,source\n"
        f"{code},Test federation {code},GPFederation,2020-01-01,true,https://example.org/{code}\n", encoding="utf-8")
    return folder


def test_the_case_studies_imported_equal_a_build_with_them(tmp_path: Path, merged_onto: list[bool],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The case studies, then two more sets, each imported onto the last: the first two imports keep the build's
    state file (hard-linked) and write what changed beside it, the third (after MAX_DELTAS) the whole state again;
    the store and the state read back are those of a build with every file."""
    more = [_curated_set(tmp_path / "sets" / f"set{i}", f"ZZF-SET{i}-FED", f"2027-0{i}-01") for i in (1, 2)]
    files = [InputFile(p) for p in _copy([*NATIONAL[:3], SEEDS / "casestudies", *more], tmp_path / "in")]
    step = tmp_path / "step" / "store"
    build(files, tmp_path / "whole" / "store")
    build(files[:3], step)
    monkeypatch.setattr(increment, "MAX_DELTAS", 2)
    monkeypatch.setattr(increment, "FOLD_SHARE", 1.0)  # the case studies are half the units of three small files
    built = (generations.current(step) / increment.STATE).stat()  # type: ignore[operator]
    imported = import_files(files[3:4], step)
    assert imported.changed is not None and imported.changed[0] > 10_000  # from the state, not a rebuild
    import_files(files[4:5], step)
    assert merged_onto == [True, True]  # fictional codes, newer vintages: the national records are not merged again
    here = generations.current(step)
    assert here is not None and (here / increment.STATE).stat().st_ino == built.st_ino  # the build's, linked
    assert len(pickle.loads((here / increment.DELTAS).read_bytes())) == 2
    # a damaged delta is not read (the import would rebuild)
    whole = (here / increment.DELTAS).read_bytes()
    (here / increment.DELTAS).write_bytes(whole[:-40])
    assert increment.read_state(step, [f.path for f in files[:5]]) is None
    (here / increment.DELTAS).write_bytes(whole)
    assert increment.read_state(step, [f.path for f in files[:5]]) is not None
    import_files(files[5:], step)  # read from the base and two deltas; written whole, a new base
    assert merged_onto == [True, True, True]
    here = generations.current(step)
    assert here is not None and (here / increment.STATE).stat().st_ino != built.st_ino
    assert not (here / increment.DELTAS).exists()
    _assert_same(tmp_path / "whole" / "store", step)
    paths = [f.path for f in files]
    a, b = increment.read_state(step, paths), increment.read_state(tmp_path / "whole" / "store", paths)
    assert a is not None and b is not None
    assert a.graph == b.graph and list(a.graph.organisations) == list(b.graph.organisations)
    assert a.footprint == b.footprint and a.quads == b.quads
    assert sorted(a.shacl, key=result_order) == sorted(b.shacl, key=result_order)


def test_curated_tables_on_ods_codes_then_a_newer_national_file_equal_one_build(tmp_path: Path, on_ods_codes: Path,
                                                                                  merged_onto: list[bool]) -> None:
    """Curated rows that the merge joins to national ties (a commissioner assignment ePCN states too), then an older
    vintage of a national file (etr 2022-03 under etr 2025-12): the ties it states that the newer file no longer
    lists are closed by that absence, so resolved quads are removed as well as added."""
    files = [InputFile(p) for p in _copy([*NATIONAL, on_ods_codes], tmp_path / "in")]
    build(files, tmp_path / "whole" / "store")
    build(files[:-1], tmp_path / "step" / "store")
    imported = import_files(files[-1:], tmp_path / "step" / "store")
    assert imported.changed is not None
    _assert_same(tmp_path / "whole" / "store", tmp_path / "step" / "store")
    more = [InputFile(p) for p in _copy([SEEDS / "ods" / "etr_2022-03.csv"], tmp_path / "in2")]
    again = import_files(more, tmp_path / "step" / "store")
    assert again.changed is not None and again.changed[1] > 0  # ties now ended: their open periods go
    assert merged_onto == [False, False]  # both name national codes: every record merged again
    assert not (generations.current(tmp_path / "step" / "store") / increment.DELTAS).exists()  # type: ignore[operator]
    build(files + more, tmp_path / "whole2" / "store")
    _assert_same(tmp_path / "whole2" / "store", tmp_path / "step" / "store")


def test_a_changed_file_makes_the_import_rebuild(tmp_path: Path) -> None:
    files = [InputFile(p) for p in _copy([*NATIONAL[:3], CURATED], tmp_path / "in")]
    build(files[:2], tmp_path / "store")
    # the store's file changes on disk after the build: the kept records no longer stand for it
    os.utime(files[0].path, ns=(1, 1))
    report = import_files(files[2:], tmp_path / "store")
    assert report.changed is None
    assert increment.read_state(tmp_path / "store", [f.path for f in files]) is not None  # the rebuild's own


def test_files_given_by_relative_paths_are_imported_from_the_state_each_time(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A build and imports given paths relative to the folder they run in (as a user types them): the manifest
    holds them absolute, and each import still starts from the state the last one kept, not a rebuild."""
    _copy([*NATIONAL[:3], CURATED], tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    names = [Path("in") / p.name for p in (*NATIONAL[:3], CURATED)]
    build([InputFile(p) for p in names[:2]], Path("store"))
    first = import_files([InputFile(names[2])], Path("store"))
    second = import_files([InputFile(names[3])], Path("store"))
    assert first.changed is not None and second.changed is not None  # both from the state
    assert second.changed[0] > 0
    assert increment.read_state(Path("store"), [tmp_path / n for n in names]) is not None


def test_a_refused_import_writes_nothing(tmp_path: Path) -> None:
    files = [InputFile(p) for p in _copy(NATIONAL[:3], tmp_path / "in")]
    build(files, tmp_path / "store")
    before = generations.current(tmp_path / "store")
    bad = tmp_path / "bad"
    shutil.copytree(CURATED, bad)
    rows = (bad / "memberships.csv").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(rows) if line and not line.startswith("#"))
    fields = rows[header + 1].split(",")
    fields[3] = "2019-02-30"  # start: not a real date
    rows[header + 1] = ",".join(fields)
    (bad / "memberships.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_files([InputFile(bad)], tmp_path / "store")
    assert "memberships.csv" in str(err.value.problems[0].file)
    assert generations.current(tmp_path / "store") == before
    assert [p.name for p in generations.generations_dir(tmp_path / "store").iterdir()] == [before.name]


def test_the_state_is_refused_when_written_by_other_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [InputFile(p) for p in _copy(NATIONAL[:3], tmp_path / "in")]
    report: BuildReport = build(files, tmp_path / "store")
    assert report.seconds["state"] >= 0
    paths = [f.path for f in files]
    assert increment.read_state(tmp_path / "store", paths) is not None
    monkeypatch.setattr(increment, "code_fingerprint", lambda: "other code")
    assert increment.read_state(tmp_path / "store", paths) is None
    monkeypatch.undo()
    # a state damaged on disk (bytes flipped, or cut short) is not read: the import rebuilds, no traceback
    state = generations.current(tmp_path / "store") / increment.STATE  # type: ignore[operator]
    whole = state.read_bytes()
    for damaged in (whole[: len(whole) // 2], whole[:64] + bytes(b ^ 0x5A for b in whole[64:4096]) + whole[4096:]):
        state.write_bytes(damaged)
        assert increment.read_state(tmp_path / "store", paths) is None
    report = import_files(files, tmp_path / "store")
    assert report.changed is None and increment.read_state(tmp_path / "store", paths) is not None  # rebuilt


def test_nodes_are_validated_where_a_change_touches_them(tmp_path: Path) -> None:
    """The neighbourhood of a change holds what a shape reads from it: a practice whose PCN membership changed, the
    PCN, the membership, and the other memberships of the practice."""
    files = [InputFile(p) for p in _copy(NATIONAL, tmp_path / "in")]
    build(files, tmp_path / "store")
    st = ox.Store.read_only(str(generations.current(tmp_path / "store")))
    member = ox.NamedNode("http://www.w3.org/ns/org#member")
    tie = next(q.subject for q in st.quads_for_pattern(None, member, None, None))
    practice = next(q.object for q in st.quads_for_pattern(tie, member, None, None))
    nodes = increment.neighbourhood(st, {tie.value})
    assert nodes is not None and {tie.value, practice.value} <= nodes
    others = {q.subject.value for q in st.quads_for_pattern(None, member, practice, None)}
    assert others <= nodes
