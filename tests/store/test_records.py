"""The records a build may keep beside its generation (graphkit/store/records.py) read back as written; anything
else there is ignored, so that ``graphkit load neo4j`` reads the quads instead."""

from __future__ import annotations

import pickle
from pathlib import Path

from graphkit.config import PROJECT_ROOT
from graphkit.ingest.merge import merge
from graphkit.store.build import InputFile, read_all
from graphkit.store.records import RECORDS, read_records, write_records

ECCG = PROJECT_ROOT / "seeds" / "ods" / "eccg_2025-12.csv"


def test_records_read_back_as_written(tmp_path: Path) -> None:
    graph = merge(read_all([InputFile(ECCG)]))
    assert read_records(tmp_path) is None
    write_records(graph, tmp_path)
    back = read_records(tmp_path)
    assert back is not None
    # compared as values: the repr of a set (an organisation's kinds) depends on the order its members were added in
    assert back.organisations == graph.organisations and list(back.organisations) == list(graph.organisations)
    assert back.ties == graph.ties and back.roles == graph.roles
    assert back.results == graph.results
    assert not list(tmp_path.glob("*.tmp"))


def test_records_of_another_format_or_broken_are_ignored(tmp_path: Path) -> None:
    (tmp_path / RECORDS).write_bytes(pickle.dumps(("graphkit-records/0", None)))
    assert read_records(tmp_path) is None
    (tmp_path / RECORDS).write_bytes(b"not a pickle")
    assert read_records(tmp_path) is None
