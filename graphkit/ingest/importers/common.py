"""What the importers share: CSV rows with their line numbers and checked cells, dates, the ``Source`` of a
file's rows and the row loop every importer reads its table with (:func:`data_rows`: blank rows, column counts;
:func:`bad_code`, :func:`listed_before`, :func:`parse_span`: code patterns, duplicates, date order).

Which files are read and how their bytes become text is :mod:`graphkit.ingest.importers.files`; its names are
importable from here as well. Everything here that meets unreadable input raises :class:`InputError` naming the
file, the line and (where there is one) the field, or :class:`BadCell` for the importer to report the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graphkit.core.model import Rejected, Source
from graphkit.core.progress import ROWS_PER_REPORT, position_hook
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.importers.files import check_input_dir as check_input_dir
from graphkit.ingest.importers.files import check_input_path as check_input_path
from graphkit.ingest.importers.files import check_text as check_text
from graphkit.ingest.importers.files import excerpt as excerpt
from graphkit.ingest.importers.files import open_text, read_problem, sha256_of, stem, utf8_problem
from graphkit.ingest.importers.files import refuse as refuse

OGL = "Open Government Licence v3.0"
NHS_ENGLAND = "NHS England (formerly NHS Digital)"

# The longest cell read: the csv module's default limit (128 KiB). No NHS file has a cell near it; a longer
# one is a wrong or damaged file and is refused with its line, not read into memory. The limit is the csv
# module's, which is process-wide: a library loaded in the same process may raise it (frictionless does, on
# import), so every reader sets it again before it reads (:func:`limit_cells`).
MAX_CELL = 131072


def limit_cells() -> None:
    """Hold the csv module to :data:`MAX_CELL` characters a cell (see above)."""
    if csv.field_size_limit() != MAX_CELL:
        csv.field_size_limit(MAX_CELL)
# C0 control characters other than tab, line feed and carriage return (which CSV allows in quoted cells).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# PCN and NHS England region codes: ODS's (U + five digits, Y + two digits), and the synthetic economies' (UZ and YZ
# + base-36 characters, graphkit/synthetic.py): ODS never puts a Z second in any code (docs/synthetic.md), so the two
# spaces cannot meet. ODS has no free U + five-digit space to give synthetic PCNs (its PCN codes use U00000-U99999).
PCN_CODE = re.compile(r"^(U[0-9]{5}|UZ[0-9A-Z]{4})$")
REGION_CODE = re.compile(r"^(Y[0-9]{2}|YZ[0-9A-Z]{2})$")


class BadCell(ValueError):
    """One cell that cannot be read: its field, its value as written and why. Importers report it as a
    row not loaded (``Rejected``) or raise it as an :class:`InputProblem`."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(f"{field}: {reason} ({value!r})")
        self.field = field
        self.value = value
        self.reason = reason

    def rejected(self, line: int, consequence: str = "") -> Rejected:
        """The row at ``line`` reported as not loaded for this cell; ``consequence`` (e.g. "; commissioner tie not
        loaded") says what was left out when it is not the whole row."""
        return Rejected(line, self.reason + consequence, self.field, self.value)


def field_name(names: Sequence[str] | None, index: int) -> str:
    """The name of column ``index`` (0-based) for messages: its header, or 'column N'."""
    if names and index < len(names) and names[index].strip():
        return excerpt(names[index].strip(), 60)
    return f"column {index + 1}"


def check_cells(path: Path, line: int, cells: Sequence[str], names: Sequence[str] | None = None) -> None:
    """Refuse a row holding a C0 control character (a NUL byte, an escape...) in any cell."""
    if not CONTROL.search("".join(cells)):
        return  # the common case, one search per row
    for i, cell in enumerate(cells):
        m = CONTROL.search(cell)
        if m:
            raise InputError(
                InputProblem(
                    str(path),
                    line,
                    field_name(names, i),
                    f"control character U+{ord(m.group()):04X} in a cell (not allowed in input files)",
                    excerpt(cell),
                )
            )


def csv_rows(
    path: Path, *, names: Sequence[str] | None = None, header: bool = False, check: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for every row; line numbers are 1-based file lines (the last line of a
    row that spans several). ``names`` name the columns in messages; with ``header`` the first row does.

    A file that is not UTF-8, a broken gzip, a cell longer than :data:`MAX_CELL`, a row the CSV reader
    cannot parse, or (unless ``check`` is False: only a file's shape is being looked at, and its importer
    checks the cells with their column names) a control character in a cell raise :class:`InputError`
    with the line."""
    fields = list(names) if names is not None else None
    report = position_hook()  # None unless progress is shown (graphkit/core/progress.py)
    count = 0
    limit_cells()
    with open_text(path) as fh:
        reader = csv.reader(fh)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(_csv_problem(path, reader.line_num, exc)) from None
            except UnicodeDecodeError:
                raise InputError(utf8_problem(path)) from None
            except (EOFError, zlib.error, OSError) as exc:
                raise InputError(read_problem(path, exc, reader.line_num + 1)) from None
            if check:
                check_cells(path, reader.line_num, cells, fields)
            if header and fields is None:
                fields = cells
            if report is not None:
                count += 1
                if count % ROWS_PER_REPORT == 0:
                    report(path, _bytes_read(fh))
            yield reader.line_num, cells


def _bytes_read(fh: io.TextIOWrapper) -> int:
    """How far into its file a reader is, in the file's own bytes (compressed ones for a gzip file)."""
    stream: Any = getattr(fh.buffer, "fileobj", fh.buffer)  # a GzipFile reads from its fileobj
    try:
        return int(stream.tell())
    except (OSError, ValueError):
        return 0


def _csv_problem(path: Path, line: int, exc: csv.Error) -> InputProblem:
    text = str(exc)
    if "field larger than field limit" in text:
        return InputProblem(str(path), line, None, f"a cell longer than {MAX_CELL} characters (the most a cell "
                                                   "may hold): a wrong or damaged file?")
    return InputProblem(str(path), line, None, f"not readable as CSV: {excerpt(text, 80)}")


def read_header(path: Path, what: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and the rows after it. An empty file is refused here; a header that is not ``what``
    is refused by the caller with the returned header."""
    rows = csv_rows(path, header=True)
    try:
        _, header = next(rows)
    except StopIteration:
        raise refuse(path, f"empty file (expected {what})", line=1) from None
    return header, rows


def no_data_rows(path: Path, what: str) -> InputError:
    """The error for a file holding a header and no data row (a cut-off download, or the wrong file)."""
    return refuse(path, f"no data rows after the header of {what}", line=2)


# -- dates -----------------------------------------------------------------------------------------

_DMY = [("%d%b%Y", re.compile(r"^\d{2}[A-Za-z]{3}\d{4}$")), ("%d-%b-%y", re.compile(r"^\d{2}-[A-Za-z]{3}-\d{2}$"))]


def parse_extract_date(text: str, field: str = "EXTRACT_DATE") -> dt.date:
    """Dates as written in the EXTRACT_DATE column: '01Aug2026', '01-Sep-20', '01Jan2022'."""
    text = text.strip()
    for fmt, pattern in _DMY:
        if pattern.match(text):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                raise BadCell(field, text, "not a real date") from None
    raise BadCell(field, text, "not an extract date such as 01Aug2026 or 01-Aug-26")


_VINTAGE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?!\d)")


def vintage_from_name(path: Path) -> dt.date | None:
    """The vintage a file name states as YYYY-MM (first day of that month), or None."""
    m = _VINTAGE_IN_NAME.search(path.name)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def parse_ods_date(text: str, field: str = "date") -> dt.date | None:
    """ODS dates: YYYYMMDD, or empty. Raises :class:`BadCell` (a ValueError) naming ``field`` otherwise."""
    text = text.strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise BadCell(field, text, "not a date written YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise BadCell(field, text, "not a real date (YYYYMMDD)") from None


_DMY_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def parse_dmy(text: str, field: str = "date") -> dt.date | None:
    """DD/MM/YYYY as in the payments files, or empty. Raises :class:`BadCell` naming ``field`` otherwise."""
    text = text.strip()
    if not text:
        return None
    if not _DMY_DATE.match(text):
        raise BadCell(field, text, "not a date written DD/MM/YYYY")
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise BadCell(field, text, "not a real date (DD/MM/YYYY)") from None


def parse_span(
    start: str, end: str, fields: tuple[str, str], backwards: str,
    parse: Callable[[str, str], dt.date | None] = parse_ods_date,
) -> tuple[dt.date | None, dt.date | None]:
    """A period as two cells (``start``, ``end``) of the named ``fields``, each read by ``parse`` (ODS dates unless
    told), or empty. Raises :class:`BadCell` for a cell that is not a date, and for an end before the start (naming
    the end field and saying ``backwards``)."""
    first, last = parse(start, fields[0]), parse(end, fields[1])
    if first and last and last < first:
        raise BadCell(fields[1], end, backwards)
    return first, last


def closed_status(closed: dt.date | None, vintage: dt.date) -> str:
    """The status of an organisation a file lists without one: CLOSED once its close date has passed on the
    file's vintage, else ACTIVE."""
    return "CLOSED" if closed and closed <= vintage else "ACTIVE"


def require_vintage(path: Path, vintage: dt.date | None, hint: str) -> dt.date:
    """The vintage, or an InputError saying how to give it (``hint``) when the file does not state it."""
    if vintage is None:
        raise refuse(path, f"the vintage of this file is not in the file: {hint}")
    return vintage


# -- the row loop every importer reads its table with -------------------------------------------------------------


def file_source(path: Path, kind: str, vintage: dt.date, title: str, *, publisher: str = NHS_ENGLAND,
                licence: str = OGL) -> Source:
    """The ``Source`` of every row of a national file: the file's name and content hash, its kind and vintage."""
    return Source(slug=stem(path), file_name=path.name, kind=kind, vintage=vintage, sha256=sha256_of(path),
                  publisher=publisher, licence=licence, title=title)


class Tally(Protocol):
    """Where a row loop counts the rows it reads and puts the rows it cannot load (an ImportResult, a Rows)."""

    rows: int
    rejects: list[Rejected]


@dataclass
class Rows:
    """A :class:`Tally` of its own, for an importer that builds its result at the end."""

    rows: int = 0
    rejects: list[Rejected] = field(default_factory=list)


def data_rows(
    rows: Iterator[tuple[int, list[str]]], tally: Tally, *, columns: int | None = None
) -> Iterator[tuple[int, list[str]]]:
    """The rows that hold data, with their cells stripped: a blank row is skipped (not counted); every other row
    is counted in ``tally.rows``; with ``columns``, a row with another number of cells is rejected ("expected N
    columns, found M") and not given. What is given is the importer's to load or reject: nothing is dropped."""
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        tally.rows += 1
        if columns is not None and len(cells) != columns:
            tally.rejects.append(Rejected(line, f"expected {columns} columns, found {len(cells)}"))
            continue
        yield line, [c.strip() for c in cells]


def bad_code(tally: Tally, line: int, value: str, pattern: re.Pattern[str], reason: str, field_name: str) -> bool:
    """True (and the row rejected, naming the field and the value) when ``value`` does not match ``pattern``."""
    if pattern.match(value):
        return False
    tally.rejects.append(Rejected(line, reason, field_name, value))
    return True


def listed_before(tally: Tally, line: int, key: str, seen: set[str] | dict[str, int], reason: str,
                  field_name: str) -> bool:
    """True (and the row rejected, naming the field and the key) when ``key`` is among those ``seen`` in earlier
    rows (the importer adds a key once its row is loaded, so a row rejected for another reason does not count).
    With ``seen`` a dict of key to the line that loaded it, ``{first}`` in ``reason`` names that line."""
    if key in seen:
        if isinstance(seen, dict):
            reason = reason.format(first=seen[key])
        tally.rejects.append(Rejected(line, reason, field_name, key))
        return True
    return False


def bad_or_listed_before(tally: Tally, line: int, code: str, pattern: re.Pattern[str], seen: set[str],
                         field_name: str, *, malformed: str, twice: str) -> bool:
    """The check of a row's own code: :func:`bad_code` (``malformed``), then :func:`listed_before` (``twice``)."""
    return bad_code(tally, line, code, pattern, malformed, field_name) or listed_before(
        tally, line, code, seen, twice, field_name)
