"""``graphkit load neo4j`` reads the records from the state the build kept (graphkit/store/records.py), the service
payments read again from their files, instead of reading the quads back: both ways plan the same Neo4j graph, node
for node and relationship for relationship, every property and the order of every list."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from graphkit.store import generations
from graphkit.store.build import InputFile, build, import_files
from graphkit.store.increment import STATE
from graphkit.store.neo4j.load import plan
from graphkit.store.records import embedded_graph, kept_graph, read_back
from tests.conftest import CASES, SEEDS


def _same_plan(a: Any, b: Any) -> None:
    pa, pb = plan(a), plan(b)
    assert pa.roles == pb.roles
    assert pa.nodes.keys() == pb.nodes.keys()
    differing = [k for k in pa.nodes if pa.nodes[k] != pb.nodes[k]]
    assert not differing, f"{len(differing)} nodes differ, e.g. {differing[0]}: {pa.nodes[differing[0]]} != " \
                          f"{pb.nodes[differing[0]]}"
    assert pa.rels.keys() == pb.rels.keys()
    differing = [k for k in pa.rels if pa.rels[k] != pb.rels[k]]
    assert not differing, f"{len(differing)} relationships differ, e.g. {differing[0]}"


def _small_payments(folder: Path, rows: int = 40) -> Path:
    """The header and the first ``rows`` practices of the 2022-23 payments file, named as the national file is."""
    with gzip.open(SEEDS / "payments" / "nhspaymentsgp_2022-23.csv.gz", "rt", encoding="utf-8-sig") as fh:
        lines = [next(fh) for _ in range(rows + 1)]
    path = folder / "nhspaymentsgp_2022-23.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_the_case_studies_kept_plan_as_read_back(case_build: tuple[Path, object]) -> None:
    store_path = case_build[0]
    kept = kept_graph(store_path)
    assert kept is not None
    back = read_back(store_path)
    assert len(kept.organisations) == len(back.organisations) > 250
    _same_plan(kept, back)


def test_payments_read_again_and_an_import_kept_as_a_delta(tmp_path: Path) -> None:
    cases = tmp_path / "casestudies"
    shutil.copytree(CASES, cases)
    payments = _small_payments(tmp_path)
    store_path = tmp_path / "store"
    build([InputFile(SEEDS / "ods" / "eccg_2025-12.csv"), InputFile(payments)], store_path)
    graph, came_from = embedded_graph(store_path)
    assert came_from == "the build's kept records"
    paid = [r for r in graph.results if r.payments]
    assert len(paid) == 1 and len(paid[0].contracts) == 40
    assert {p.practice for p in paid[0].payments} == {c.practice for c in paid[0].contracts}
    _same_plan(graph, read_back(store_path))
    contracts = [props for (base, _), (_, props) in plan(graph).nodes.items() if base == "Contract"]
    assert len(contracts) == 40 and all(props["services"] == sorted(props["services"]) for props in contracts)

    import_files([InputFile(cases)], store_path)  # the state of an import: the build's, and a delta
    here = generations.current(store_path)
    assert here is not None and (here / STATE).is_file()
    graph, came_from = embedded_graph(store_path)
    assert came_from == "the build's kept records"
    assert "ZZF-EXPANDING" in graph.organisations and len([r for r in graph.results if r.payments]) == 1
    _same_plan(graph, read_back(store_path))


def test_without_a_usable_state_the_quads_are_read(tmp_path: Path) -> None:
    payments = _small_payments(tmp_path, rows=10)
    store_path = tmp_path / "store"
    build([InputFile(SEEDS / "ods" / "eccg_2025-12.csv"), InputFile(payments)], store_path)
    # a payments file changed since the build: the state cannot stand for the store's files
    st = payments.stat()
    payments.write_text(payments.read_text(encoding="utf-8").replace(",", ", ", 1), encoding="utf-8")
    os.utime(payments, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert kept_graph(store_path) is None
    graph, came_from = embedded_graph(store_path)
    assert came_from == "the quads read back"
    assert sum(len(r.payments) for r in graph.results) > 10
    # no state at all (a store built by an older version)
    here = generations.current(store_path)
    assert here is not None
    (here / STATE).unlink()
    assert kept_graph(store_path) is None


@pytest.mark.integration
def test_the_national_store_kept_plans_as_read_back(seed_store: Path) -> None:
    kept = kept_graph(seed_store)
    assert kept is not None
    back = read_back(seed_store)
    assert sum(len(r.payments) for r in kept.results) == sum(len(r.payments) for r in back.results) > 280_000
    _same_plan(kept, back)


@pytest.mark.neo4j
def test_the_command_loads_neo4j_from_the_kept_records_as_the_quads_say(case_build: tuple[Path, object],
                                                                        neo4j_db: Any, neo4j_uri: str) -> None:
    """`graphkit load neo4j` on the case studies' store: it reads the kept records (and says so), and the graph it
    writes into the real Neo4j, read back from there, plans as the store's quads do."""
    from click.testing import CliRunner

    from graphkit.cli import cli
    from graphkit.store.neo4j import Neo4jStore

    store_path = case_build[0]
    out = CliRunner().invoke(cli, ["--store-path", str(store_path), "load", "neo4j", "--uri", neo4j_uri,
                                    "--password", ""])
    assert out.exit_code == 0, out.output
    assert "from the build's kept records" in out.output
    from_neo4j = Neo4jStore(neo4j_db, database="neo4j").read_graph()
    back = read_back(store_path)
    assert len(from_neo4j.organisations) == len(back.organisations) > 250
    _same_plan(from_neo4j, back)


@pytest.mark.neo4j
def test_a_payments_file_changed_under_its_stamps_mid_load_starts_again_from_the_quads(tmp_path: Path,
                                                                                        neo4j_db: Any) -> None:
    """The payments are read again only once the organisations are being written: a payments file whose bytes
    changed while its size and time stayed (so the kept state still stands for it) ends that load, and the
    command loads again from the quads; the graph in Neo4j is the quads' own, nothing of the first try left."""
    from graphkit.store.neo4j import Neo4jStore
    from graphkit.store.records import READ_BACK, kept_records, load_neo4j

    payments = _small_payments(tmp_path, rows=12)
    store_path = tmp_path / "store"
    build([InputFile(SEEDS / "ods" / "eccg_2025-12.csv"), InputFile(payments)], store_path)
    st = payments.stat()
    text = payments.read_text(encoding="utf-8")
    digit = next(i for i, c in enumerate(text) if c.isdigit() and i > text.index("\n"))
    changed = text[:digit] + str((int(text[digit]) + 1) % 10) + text[digit + 1:]
    payments.write_text(changed, encoding="utf-8")
    os.utime(payments, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert payments.stat().st_size == st.st_size
    assert kept_records(store_path) is not None  # the stamps still match: the state is used until the payments

    store = Neo4jStore(neo4j_db, database="neo4j")
    assert load_neo4j(store_path, store) == READ_BACK
    records, _, _ = neo4j_db.execute_query(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l STARTS WITH 'Staging') RETURN count(n) AS n")
    assert records[0]["n"] == 0
    _same_plan(store.read_graph(), read_back(store_path))
