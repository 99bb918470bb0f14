"""Progress of long work (graphkit/core/progress.py): shown on a terminal, and nothing at all anywhere else.

The CLI is run under a real pseudo-terminal (its stderr on the pty's slave side) for the shown case, and on
pipes for the quiet one; the decision itself, the CSV reader's position reports and the Neo4j load's row
count are tested without a terminal or a server.
"""

from __future__ import annotations

import fcntl
import gzip
import io
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path
from typing import Any

import pytest

from graphkit.config import PROJECT_ROOT
from graphkit.core import progress
from graphkit.core.progress import ROWS_PER_REPORT, Progress, Task, open_progress, position_hook, wanted
from graphkit.ingest.importers.common import csv_rows
from graphkit.ingest.merge import merge
from graphkit.store.build import InputFile, read_all
from graphkit.store.neo4j import Neo4jStore, rows_to_load

SEEDS = PROJECT_ROOT / "seeds"
DATA = Path(__file__).resolve().parents[1] / "data"
PAYMENTS = SEEDS / "payments" / "nhspaymentsgp_2019-20.csv.gz"  # ~7,000 rows: several position reports
BAR = "━"  # rich's bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


# -- the decision ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terminal", "env", "shown"),
    [
        (True, {}, True),
        (True, {"TERM": "xterm-256color"}, True),
        (True, {"NO_COLOR": "1"}, True),  # no colour, but still progress
        (True, {"CI": ""}, True),
        (True, {"CI": "false"}, True),
        (True, {"CI": "0"}, True),
        (True, {"CI": "true"}, False),
        (True, {"CI": "1"}, False),
        (True, {"CI": "True"}, False),
        (True, {"TERM": "dumb"}, False),
        (True, {"GRAPHKIT_PROGRESS": "0"}, False),
        (True, {"GRAPHKIT_PROGRESS": "off"}, False),
        (True, {"GRAPHKIT_PROGRESS": "1"}, True),
        (False, {}, False),  # a pipe or a file
        (False, {"GRAPHKIT_PROGRESS": "1"}, False),  # nothing forces it onto a pipe
    ],
)
def test_progress_is_shown_only_to_a_terminal_outside_ci(terminal: bool, env: dict[str, str], shown: bool) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    assert wanted(stream, env) is shown


def test_a_stream_without_a_usable_isatty_gets_no_progress() -> None:
    assert wanted(_Closed(), {}) is False
    assert wanted(object(), {}) is False


def test_the_quiet_progress_writes_nothing_and_sets_no_reader_hook(tmp_path: Path) -> None:
    stream = io.StringIO()
    shown = open_progress(stream, {})
    assert type(shown) is Progress and not shown.shown
    with shown:
        task = shown.task("reading", 3, unit="files")
        task.update(description="reading x")
        task.advance()
        task.finish()
        task.remove()
        with shown.reading(PAYMENTS):
            assert position_hook() is None
            assert sum(1 for _ in csv_rows(PAYMENTS)) > ROWS_PER_REPORT
    assert stream.getvalue() == ""


def test_a_shown_progress_draws_on_its_terminal_and_follows_a_large_file(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "GRAPHKIT_PROGRESS", "TTY_INTERACTIVE", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = _Terminal()
    shown = open_progress(terminal, {})
    assert shown.shown
    with shown:
        files = shown.task("reading", 1, unit="files")
        with shown.reading(PAYMENTS):
            rows = sum(1 for _ in csv_rows(PAYMENTS))
            (line,) = (t for t in shown._display.tasks if t.description.strip() == PAYMENTS.name)  # type: ignore[attr-defined]
            assert line.total == PAYMENTS.stat().st_size
            assert 0 < line.completed <= line.total
        assert all(t.description.strip() != PAYMENTS.name for t in shown._display.tasks)  # type: ignore[attr-defined]
        files.advance()
        files.finish()
    assert rows > ROWS_PER_REPORT
    assert "reading" in terminal.getvalue() and "1/1 files" in terminal.getvalue() and BAR in terminal.getvalue()


def test_the_csv_reader_reports_how_far_into_its_file_it_is() -> None:
    seen: list[tuple[Path, int]] = []
    token = progress._position.set(lambda path, at: seen.append((path, at)))
    try:
        rows = sum(1 for _ in csv_rows(PAYMENTS))
    finally:
        progress._position.reset(token)
    assert len(seen) == rows // ROWS_PER_REPORT >= 2
    positions = [at for path, at in seen if path == PAYMENTS]
    assert positions == sorted(positions) and len(set(positions)) > 1  # compressed bytes, growing
    assert 0 < positions[-1] <= PAYMENTS.stat().st_size


# -- the Neo4j load's row count ----------------------------------------------------------------------


class _Recorded(Task):
    def __init__(self) -> None:
        self.total: float | None = None
        self.completed = 0.0
        self.descriptions: list[str] = []
        self.finished = False

    def advance(self, n: float = 1) -> None:
        self.completed += n

    def update(
        self, *, completed: float | None = None, total: float | None = None, description: str | None = None
    ) -> None:
        if completed is not None:
            self.completed = completed
        if total is not None:
            self.total = total
        if description is not None:
            self.descriptions.append(description)

    def finish(self) -> None:
        self.finished = True


def _small_graph(tmp_path: Path) -> Any:
    """Two ePCN vintages (change events), two ETR vintages, the head of a payments file (contracts) and the
    curated test set (people, posts, curated contracts, subcontracts, deliveries, lateral ties)."""
    with gzip.open(PAYMENTS, "rt", encoding="utf-8-sig") as fh:
        head = [next(fh) for _ in range(50)]
    payments = tmp_path / "nhspaymentsgp_2019-20.csv"
    payments.write_text("".join(head), encoding="utf-8")
    files = [SEEDS / "ods" / n for n in ("ePCN_2019-12_pcn_details.csv.gz", "ePCN_2022-05_pcn_details.csv.gz",
                                         "etr_2022-03.csv", "etr_2025-12.csv")]
    return merge(read_all([InputFile(p) for p in [*files, payments, DATA / "curated" / "good"]]))


@pytest.mark.neo4j
def test_the_neo4j_load_counts_every_row_it_writes_against_its_total(tmp_path: Path, neo4j_db: Any) -> None:
    """On the real server: the progress total is set once the plan is whole (the organisations' writes have begun
    by then), and every node and relationship written counts once against it."""
    graph = _small_graph(tmp_path)
    assert graph.events and graph.roles and any(r.contracts for r in graph.results)
    assert any(r.lateral_ties for r in graph.results) and any(a.parent for r in graph.results for a in r.agreements)
    task = _Recorded()
    store = Neo4jStore(neo4j_db)
    store.load(graph, progress=task)
    records, _, _ = neo4j_db.execute_query(
        "MATCH (n) WHERE NOT n:OdsRole WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels")
    written = records[0]["nodes"] + records[0]["rels"]  # the role nodes are merged, not counted as rows
    assert task.total == rows_to_load(graph) == written == task.completed
    assert task.finished and task.descriptions[-1] == "loaded into Neo4j"
    assert type(store._loading) is Task  # the next load, without progress, reports nowhere
    again = _Recorded()
    store.load(graph, progress=again)
    assert again.total == again.completed == written


# -- the command line, on a terminal and on pipes ---------------------------------------------------


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny seeds directory: the 2019 ePCN PCN list and the eccg file (a build of about a second)."""
    root = tmp_path_factory.mktemp("seeds")
    (root / "ods").mkdir()
    for name in ("ePCN_2019-12_pcn_details.csv.gz", "eccg_2025-12.csv"):
        shutil.copy(SEEDS / "ods" / name, root / "ods" / name)
    return root


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GRAPHKIT_PROGRESS", "TTY_INTERACTIVE")}
    return {**env, "TERM": "xterm-256color", **extra}


def _on_terminal(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run graphkit with stderr on a pseudo-terminal (stdout on a pipe): the result, and what the terminal got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        proc = subprocess.Popen([sys.executable, "-m", "graphkit.cli", *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=slave, env=env, cwd=PROJECT_ROOT)
    finally:
        os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:  # read as it comes, or a full pty would block the child
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=300)
    finally:
        reader.join(timeout=30)
        os.close(master)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), ""), b"".join(chunks).decode(
        errors="replace"
    )


def _on_pipes(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graphkit.cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, check=False)


def _report(stdout: str) -> list[str]:
    """The build's report without its timings."""
    return [line for line in stdout.splitlines() if not line.startswith("quads written")]


def test_build_on_a_terminal_shows_progress_and_on_a_pipe_nothing(seeds: Path, tmp_path: Path) -> None:
    shown, terminal = _on_terminal("--store-path", str(tmp_path / "a"), "build", "--seeds", str(seeds), env=_env())
    assert shown.returncode == 0, terminal
    for text in ("reading", "ePCN_2019-12_pcn_details.csv.gz", "2/2 files", "merging", "writing RDF", "storing",
                 "validating (SHACL", BAR):
        assert text in terminal
    assert "\x1b[" in terminal  # drawn in place with terminal control sequences
    assert "graphkit: error" not in terminal

    piped = _on_pipes("--store-path", str(tmp_path / "b"), "build", "--seeds", str(seeds), env=_env())
    assert piped.returncode == 0
    assert piped.stderr == ""  # exactly as before: not a byte of progress on a pipe
    assert _report(piped.stdout) == [line.replace(str(tmp_path / "a"), str(tmp_path / "b"))
                                     for line in _report(shown.stdout)]
    assert piped.stdout.startswith("ePCN_2019-12_pcn_details.csv.gz [epcn, 2019-12-01]: 1250 rows;")


@pytest.mark.parametrize("quiet", [{"CI": "true"}, {"TERM": "dumb"}])
def test_import_on_a_terminal_under_ci_or_a_dumb_terminal_writes_nothing_to_it(
    seeds: Path, tmp_path: Path, quiet: dict[str, str]
) -> None:
    files = [str(p) for p in sorted((seeds / "ods").iterdir())]
    result, terminal = _on_terminal("--store-path", str(tmp_path / "s"), "import", "ods", *files, env=_env(**quiet))
    assert result.returncode == 0, terminal
    assert terminal == ""
    assert "organisations" in result.stdout


@pytest.mark.neo4j
def test_load_neo4j_on_a_terminal_counts_the_rows_and_on_a_pipe_says_nothing(
    seeds: Path, tmp_path: Path, neo4j_uri: str, neo4j_db: object
) -> None:
    store = str(tmp_path / "store")
    assert _on_pipes("--store-path", store, "build", "--seeds", str(seeds), env=_env()).returncode == 0
    load = ("--store-path", store, "load", "neo4j", "--uri", neo4j_uri, "--password", "")
    shown, terminal = _on_terminal(*load, env=_env())
    assert shown.returncode == 0, terminal
    for text in ("reading the embedded store", "loaded into Neo4j", BAR):
        assert text in terminal
    assert re.search(r"(\d[\d,]*)/\1 rows", terminal), terminal  # every row written, out of the total
    piped = _on_pipes(*load, env=_env())
    assert piped.returncode == 0
    assert piped.stderr == ""
    assert piped.stdout == shown.stdout
