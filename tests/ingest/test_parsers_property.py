"""Property-based tests (hypothesis) of the parsers: whatever the input, the outcome is a result or a
GraphkitError, never another exception; and when a file is read, every row of it is loaded or reported.

- random bytes (plain, gzip-looking, zip-looking, BOM-prefixed) as any national file;
- real rows of every national format with random cells put in, through the importer's row loop;
- random cells in curated tables;
- random strings into the date parsers, the as-of parameter, the financial year and the curated
  column kinds (codes, ids, amounts ...);
- random JSON-LD documents: a context given by reference anywhere is found (checked against a plain
  recursive walk written here).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.core.model import ImportResult
from graphkit.core.temporal import parse_as_of
from graphkit.errors import BadParameter, GraphkitError, InputError
from graphkit.ingest.curated import TABLES, _parse, read_curated
from graphkit.ingest.importers.common import BadCell, parse_dmy, parse_extract_date, parse_ods_date
from graphkit.ingest.importers.payments import check_financial_year
from graphkit.ingest.importers.registry import read_file
from graphkit.ingest.quality import loaded_lines
from graphkit.rdf.validate import refuse_remote_contexts
from tests.conftest import DATA, SEEDS

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORK = Path(tempfile.mkdtemp(prefix="graphkit-property-"))

# cells a user or a damaged file might hold: empty, code-like, date-like, and any text
CELLS = st.one_of(
    st.just(""),
    st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
    st.from_regex(r"[0-9]{2}/[0-9]{2}/[0-9]{4}", fullmatch=True),
    st.from_regex(r"[0-9]{2}[A-Za-z]{3}[0-9]{4}", fullmatch=True),
    st.text(max_size=12),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=6),
)


def _rows(name: str, n: int) -> list[list[str]]:
    path = next((SEEDS / "ods").glob(name), None) or next((SEEDS / "payments").glob(name))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        return [next(reader) for _ in range(n)]


# (seed file to take real rows from, the name the test file gets (it states the vintage), header rows)
FORMATS = {
    "epraccur": ("epraccur_2026-02.csv.gz", "epraccur_2026-02.csv", 0),
    "eccg": ("eccg_2025-12.csv", "eccg_2025-12.csv", 0),
    "etr": ("etr_2025-12.csv", "etr_2025-12.csv", 0),
    "epcn-partners": ("ePCN_2024-10_core_partner_details.csv.gz", "partners_2024-10.csv", 1),
    "epcn-details": ("ePCN_2024-10_pcn_details.csv.gz", "details_2024-10.csv", 1),
    "gp-map": ("gp-reg-pat-prac-map_2026-08.csv.gz", "map_2026-08.csv", 1),
    "qof": ("qof_MAPPING_NHS_GEOGRAPHIES_2021.csv.gz", "qof_2021.csv", 1),
    "ons-icb": ("icb_names_codes_dec_2024.csv", "icb_dec_2024.csv", 1),
    "payments": ("nhspaymentsgp_2019-20.csv.gz", "payments_2019-20.csv", 1),
}
BASE = {kind: _rows(seed, 12) for kind, (seed, _, _) in FORMATS.items()}


def _write_csv(path: Path, rows: list[list[str]]) -> list[int]:
    """Write ``rows`` as CSV; the file lines on which the non-blank rows end (as the importers number them)."""
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue()
    path.write_text(text, encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    return [reader.line_num for cells in reader if any(c.strip() for c in cells)]


def _every_row_loaded_or_reported(result: ImportResult, data_lines: list[int]) -> None:
    accounted = loaded_lines(result) | {x.line for x in result.rejects}
    missing = [line for line in data_lines if line not in accounted]
    assert missing == [], f"rows neither loaded nor reported: lines {missing}"


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> list[list[str]]:
    """Real rows of a format with a few cells replaced, a few rows cut short or lengthened."""
    rows = [list(r) for r in BASE[kind]]
    header = FORMATS[kind][2]
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(header, len(rows) - 1))
        j = draw(st.integers(0, len(rows[i]) - 1))
        rows[i][j] = draw(CELLS)
    if draw(st.booleans()):
        i = draw(st.integers(header, len(rows) - 1))
        rows[i] = rows[i][: draw(st.integers(0, len(rows[i])))] + draw(st.lists(CELLS, max_size=2))
    for _ in range(draw(st.integers(0, 2))):  # a row repeated, elsewhere in the file
        rows.insert(draw(st.integers(header, len(rows))), list(rows[draw(st.integers(header, len(rows) - 1))]))
    return rows


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_importer_loads_or_reports_every_row(kind: str) -> None:
    @SETTINGS
    @given(rows=mutated(kind))
    def check(rows: list[list[str]]) -> None:
        path = WORK / kind / FORMATS[kind][1]
        path.parent.mkdir(exist_ok=True)
        data_lines = _write_csv(path, rows)[FORMATS[kind][2]:]
        try:
            result = read_file(path)
        except GraphkitError:
            return
        _every_row_loaded_or_reported(result, data_lines)

    check()


PREFIXES = st.sampled_from([b"", b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"])
NAMES = st.sampled_from(["epraccur_2026-02.csv", "ePCN_2024-10.xlsx", "nhspaymentsgp_2019-20.csv",
                         "icb_dec_2024.csv", "qof_2021.csv.gz", "x.csv"])


@SETTINGS
@given(prefix=PREFIXES, body=st.binary(max_size=600), name=NAMES, gzipped=st.booleans())
def test_random_bytes_are_a_result_or_a_graphkit_error(prefix: bytes, body: bytes, name: str, gzipped: bool) -> None:
    data = prefix + body
    if gzipped:
        data = gzip.compress(data)[: len(data) // 2 + 10]  # often truncated
    path = WORK / "bytes" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    with contextlib.suppress(GraphkitError):  # any other exception fails the test
        read_file(path)


GOOD = DATA / "curated" / "good"
GOOD_ROWS = {t: [r for r in (GOOD / f"{t}.csv").read_text(encoding="utf-8").splitlines() if not r.startswith("#")]
             for t in TABLES}


@st.composite
def curated_set(draw: st.DrawFn) -> dict[str, list[str]]:
    """The good set of tests/data/curated with cells of one table replaced and rows repeated."""
    tables = {t: list(lines) for t, lines in GOOD_ROWS.items()}
    table = draw(st.sampled_from(sorted(TABLES)))
    lines = tables[table]
    for _ in range(draw(st.integers(0, 3))):
        if len(lines) < 2:
            break
        i = draw(st.integers(1, len(lines) - 1))
        if "\n" in lines[i] or "\r" in lines[i]:
            continue  # a line an earlier draw broke in two is left as it is (it is no longer one CSV record)
        cells = next(csv.reader([lines[i]]))
        cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        lines[i] = buf.getvalue()
    for _ in range(draw(st.integers(0, 2))):
        if len(lines) >= 2:
            lines.insert(draw(st.integers(1, len(lines))), lines[draw(st.integers(1, len(lines) - 1))])
    return tables


@SETTINGS
@given(tables=curated_set())
def test_curated_tables_load_or_report_every_row(tables: dict[str, list[str]]) -> None:
    directory = WORK / "curated" / "set"
    directory.mkdir(parents=True, exist_ok=True)
    for table, lines in tables.items():
        (directory / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        results = read_curated(directory)
    except InputError as err:
        assert err.problems and all(Path(p.file).parent == directory for p in err.problems)
        return
    for result in results:
        text = (directory / Path(result.source.file_name).name).read_text(encoding="utf-8")
        data_lines = [n for n, line in enumerate(text.split("\n"), start=1) if n > 1 and line.strip()]
        _every_row_loaded_or_reported(result, data_lines)


# -- dates, parameters, column kinds -------------------------------------------------------------------------


@SETTINGS
@given(text=st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{8}", fullmatch=True)))
def test_ods_dates_parse_or_name_the_field(text: str) -> None:
    try:
        day = parse_ods_date(text, "Open Date")
    except BadCell as bad:
        assert bad.field == "Open Date" and bad.value == text.strip()
        return
    assert day is None or f"{day.year:04d}{day.month:02d}{day.day:02d}" == text.strip()


@SETTINGS
@given(day=st.dates(min_value=dt.date(1900, 1, 1)))
def test_every_real_date_parses_in_every_format(day: dt.date) -> None:
    assert parse_ods_date(day.strftime("%Y%m%d")) == day
    assert parse_dmy(day.strftime("%d/%m/%Y")) == day
    assert parse_extract_date(day.strftime("%d%b%Y")) == day
    assert parse_as_of(day.isoformat()) == day


@SETTINGS
@given(text=st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{2}/[0-9]{2}/[0-9]{4}", fullmatch=True),
                      st.from_regex(r"[0-9]{2}-?[A-Za-z]{3}-?[0-9]{2,4}", fullmatch=True)))
def test_other_dates_parse_or_raise_bad_cell(text: str) -> None:
    for parse in (parse_dmy, parse_extract_date):
        try:
            parse(text)
        except BadCell as bad:
            assert bad.value == text.strip()


@SETTINGS
@given(text=st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)))
def test_as_of_is_a_date_or_a_bad_parameter(text: str) -> None:
    try:
        day = parse_as_of(text)
    except BadParameter as err:
        assert err.details == {"parameter": "as_of"}
        return
    assert day.isoformat() == text or text == ""


@SETTINGS
@given(text=st.one_of(st.text(max_size=8), st.from_regex(r"20[0-9]{2}-[0-9]{2}", fullmatch=True)))
def test_financial_years_are_consecutive_or_refused(text: str) -> None:
    try:
        fy = check_financial_year(text)
    except ValueError:
        return
    assert (int(fy[:4]) + 1) % 100 == int(fy[5:])


KINDS = sorted({(c.name, c.kind, c.required) for _, columns in TABLES.values() for c in columns})


@SETTINGS
@given(column=st.sampled_from(KINDS), value=CELLS)
def test_every_column_kind_parses_or_reports(column: tuple[str, str, bool], value: str) -> None:
    from graphkit.ingest.curated import _BAD, Column

    problems: list[Any] = []
    parsed = _parse(Column(column[0], column[1], column[2], ""), value.strip(), "t.csv", 2, problems)
    if parsed is _BAD:
        assert len(problems) == 1 and problems[0].field == column[0] and problems[0].line == 2
    else:
        assert problems == []
        if isinstance(parsed, float):
            assert parsed == parsed and abs(parsed) < 1e15  # finite


# -- JSON-LD: a context by reference is found wherever it is ---------------------------------------------

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.just("http://127.0.0.1:9/c")),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["@context", "@import", "@id", "name", "@graph"]), inner, max_size=3),
    ),
    max_leaves=12,
)


def _references(node: Any) -> bool:
    """A reference context anywhere (a plain recursive walk, to check the one in graphkit.rdf.validate)."""
    if isinstance(node, list):
        return any(_references(x) for x in node)
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" and (isinstance(value, str)
                                      or (isinstance(value, list) and any(isinstance(x, str) for x in value))):
                return True
            if key == "@import" and isinstance(value, str):
                return True
            if _references(value):
                return True
    return False


@SETTINGS
@given(doc=JSON)
def test_a_context_by_reference_is_refused_wherever_it_is(doc: Any) -> None:
    import json

    try:
        refuse_remote_contexts(Path("doc.jsonld"), json.dumps(doc))
    except InputError as err:
        assert _references(doc)
        assert err.problems[0].field in ("@context", "@import")
        return
    assert not _references(doc)
