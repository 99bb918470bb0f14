"""The bad-input corpus (tests/data/bad/, cases.toml) through the real command line: every input is refused
or reported with the file, line and field, a non-zero exit, no traceback, and the store left as it was.
Also: a JSON-LD context by reference is refused before any connection (a loopback listener sees none), a
row loaded in part is a warning, and the CLI's last-resort handler (exit 70) and click's usage errors."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from benchmarks.bad_inputs import Case, load_cases, run_case, run_corpus, tiny_store
from graphkit.cli import INTERNAL_ERROR, _Group, cli
from graphkit.ingest.curated import TABLES
from tests.conftest import DATA, SEEDS

CORPUS = DATA / "bad"
CASES = load_cases(CORPUS)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case run once against a tiny store (30 real epraccur rows), shared by the tests below."""
    return run_corpus(CORPUS, tmp_path_factory.mktemp("bad-inputs"))


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_each_bad_input_is_a_clear_error(corpus: dict[str, Any], name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    outcome = next(o for o in corpus["cases"] if o["name"] == name)
    assert outcome["exit"] == case.exit, outcome["output"]
    assert outcome["missing"] == [], outcome["output"]
    assert not outcome["traceback"], outcome["output"]
    assert not outcome["partial_write"], "the store changed"


def test_the_corpus_counts(corpus: dict[str, Any]) -> None:
    assert corpus["inputs"] == len(CASES) >= 50
    assert corpus["tracebacks"] == 0
    assert corpus["partial_writes"] == 0
    assert corpus["clear_errors"] == corpus["inputs"], corpus["unclear"]


def test_the_corpus_covers_every_format_and_table() -> None:
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.name != "cases.toml"]
    assert len(files) >= 50
    used = {(CORPUS / c.path).resolve() for c in CASES if not c.generate}
    unused = [str(p) for p in files if p.resolve() not in used and p.parent.resolve() not in used]
    assert unused == []  # every file of the corpus is run
    names = [p.name for p in files]
    for prefix in ("epraccur", "eccg", "etr", "ePCN_", "gp-reg-pat-prac-map", "qof_MAPPING", "icb_names_codes",
                   "nhspaymentsgp"):
        assert any(n.startswith(prefix) for n in names), prefix
    assert any(n.endswith(".xlsx") for n in names)
    curated = {p.stem for p in (CORPUS / "curated").rglob("*.csv")}
    assert set(TABLES) <= curated


def test_the_store_check_sees_an_import_that_is_written(tmp_path: Path) -> None:
    """The check behind `partial_writes`: a good curated set, imported, shows as a change of the store."""
    store = tiny_store(tmp_path / "work")
    good = tmp_path / "corpus" / "good_set"
    good.mkdir(parents=True)
    (good / "organisations.csv").write_text("# vintage: 2024-10-01\ncode,name,kind,fictional,source\n"
                                            "ZZF-FED,Fed,GPFederation,true,004:190\n", encoding="utf-8")
    outcome = run_case(Case("good", "curated", "good_set", 0, ()), tmp_path / "corpus", tmp_path / "work", store)
    assert outcome.exit == 0 and outcome.partial_write and not outcome.clear


def test_validate_does_not_say_conforms_when_the_importer_rejects_rows(corpus: dict[str, Any]) -> None:
    out = next(o for o in corpus["cases"] if o["name"] == "validate-epraccur_twenty_rejected_rows_2026-02")
    lines = [line for line in out["output"].splitlines() if "[Open Date]: Violation" in line]
    assert len(lines) == 20
    assert "graphkit: 20 violation(s)" in out["output"] and "conforms" not in out["output"]


# -- a JSON-LD context by reference: refused before any connection ----------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""
    seen: list[str] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(conn.recv(200).decode("latin-1"))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("context", [
    '"http://127.0.0.1:{port}/context.jsonld"',
    '["http://127.0.0.1:{port}/a.jsonld", {{"pcg": "https://w3id.org/pcgraph/def#"}}]',
    '{{"@version": 1.1, "@import": "http://127.0.0.1:{port}/b.jsonld"}}',
    '{{"knows": {{"@id": "http://xmlns.com/foaf/0.1/knows", "@context": "http://127.0.0.1:{port}/c.jsonld"}}}}',
])
def test_a_remote_context_is_refused_and_never_fetched(tmp_path: Path, listener: tuple[int, list[str]],
                                                       context: str) -> None:
    port, seen = listener
    doc = tmp_path / "remote.jsonld"
    doc.write_text('{"@context": ' + context.format(port=port) + ', "@id": "https://w3id.org/pcgraph/id/org/A81001", '
                   '"http://www.w3.org/2000/01/rdf-schema#label": "X"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(doc)])
    assert result.exit_code == 1, result.output
    assert "a JSON-LD context given by reference is not fetched" in result.output
    assert f"127.0.0.1:{port}" in result.output
    # the listener works: a connection made here is seen (so the empty list above means none was made)
    assert seen == []
    with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
        probe.sendall(b"GET / HTTP/1.0\r\n\r\n")
    for _ in range(50):
        if seen:
            break
        threading.Event().wait(0.02)
    assert seen and seen[0].startswith("GET /")


def test_an_inline_context_is_read(tmp_path: Path) -> None:
    doc = tmp_path / "inline.jsonld"
    doc.write_text('{"@context": {"pcg": "https://w3id.org/pcgraph/def#", "label": '
                   '"http://www.w3.org/2000/01/rdf-schema#label"}, "@id": "https://w3id.org/pcgraph/id/org/A81001", '
                   '"@type": "pcg:GPPractice", "label": "THE DENSHAM SURGERY", "pcg:odsCode": "A81001"}',
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(doc)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{doc}: conforms (0 warnings)\n"


# -- rows loaded in part, repeated and overlapping rows: warnings, exit 0 ----------------------------------


def test_a_row_loaded_in_part_is_a_warning_naming_file_line_and_field(tmp_path: Path) -> None:
    rows = (SEEDS / "ods" / "eccg_2025-12.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:12]
    cells = rows[3].split(",")
    cells[13] = '"RO98|<script>"'
    rows[3] = ",".join(cells)
    path = tmp_path / "eccg_2025-12.csv"
    path.write_text("".join(rows), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert (f"{path}:4 [Organisation Sub-Type Code]: Warning: unreadable role codes (ROnnn separated by '|'); "
            "loaded without them (value 'RO98|<script>') [field-not-loaded]") in result.output
    quiet = CliRunner().invoke(cli, ["validate", "--no-warnings", str(path)])
    assert "Warning" not in quiet.output and quiet.exit_code == 0


def test_repeated_and_overlapping_curated_rows_are_warnings_in_validate(tmp_path: Path) -> None:
    orgs = ("# vintage: 2024-10-01\ncode,name,kind,start,fictional,source\n"
            "ZZF-FED,Fed,GPFederation,2016-04-01,true,004:190\nZZF-P1,P1,GPPractice,2000-01-01,true,004:190\n")
    member = "ZZF-P1,ZZF-FED,FederationMembership,{start},{end},004:190\n"
    (tmp_path / "organisations.csv").write_text(orgs, encoding="utf-8")
    (tmp_path / "memberships.csv").write_text(
        "member,organisation,kind,start,end,source\n" + member.format(start="2016-04-01", end="2018-03-31") * 3
        + member.format(start="2017-01-01", end=""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{tmp_path}/memberships.csv:3: Warning: repeats line 2 exactly; loaded once [duplicate-row]" in out
    assert f"{tmp_path}/memberships.csv:4: Warning: repeats line 2 exactly; loaded once [duplicate-row]" in out
    assert (f"{tmp_path}/memberships.csv:5 [start]: Warning: FederationMembership / ZZF-P1 / ZZF-FED: stated on "
            "lines 2 and 5 for overlapping periods (2016-04-01 to 2018-03-31; 2017-01-01 to open); both kept "
            "[curated-overlap]") in out


# -- the command line itself --------------------------------------------------------------------------------


def test_a_bug_is_one_line_with_exit_70_not_a_traceback() -> None:
    @click.group(cls=_Group)
    def group() -> None:
        pass

    @group.command()
    def boom() -> None:
        raise KeyError("a bug")

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == INTERNAL_ERROR == 70
    assert result.output == "graphkit: internal error (KeyError): 'a bug'; please report\n"
    assert isinstance(result.exception, SystemExit)


def test_usage_errors_stay_click_s(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["import", "ods"])
    assert missing.exit_code == 2 and "Missing argument 'PATHS...'" in missing.output
    unknown = CliRunner().invoke(cli, ["validate", "--colour", str(tmp_path)])
    assert unknown.exit_code == 2 and "No such option '--colour'" in unknown.output
    negative = CliRunner().invoke(cli, ["report", "--limit", "-1"])
    assert negative.exit_code == 2 and "-1 is not in the range x>=0" in negative.output


def test_a_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["template", str(tmp_path / "file" / "tables")])
    assert result.exit_code == 74, result.output
    assert result.output.startswith("graphkit: error: Not a directory") and "Traceback" not in result.output


def test_a_long_cell_is_refused_whatever_limit_another_library_set(tmp_path) -> None:
    # the csv module's cell limit is process-wide, and frictionless raises it when imported (the data package
    # tests import it): the readers set it back, so a cell over 131,072 characters is still refused with its line
    import csv

    from graphkit.errors import InputError
    from graphkit.ingest.importers.common import MAX_CELL, csv_rows

    path = tmp_path / "big.csv"
    path.write_text("a,b\n1," + "X" * (MAX_CELL + 10) + "\n", encoding="utf-8")
    csv.field_size_limit(10**9)
    try:
        with pytest.raises(InputError, match="a cell longer than 131072 characters") as err:
            list(csv_rows(path))
        assert "big.csv" in str(err.value) and ":2" in str(err.value)
    finally:
        csv.field_size_limit(MAX_CELL)
