"""Helpers shared by importers: safe opening (regular files only, gzip-aware, UTF-8 checked), CSV rows
with their line numbers and checked cells, hashing, dates.

Everything here that meets unreadable input raises :class:`InputError` naming the file, the line and
(where there is one) the field, and quotes at most a short, escaped excerpt of what it found: the
content of a file that is not what it should be is never echoed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import os
import re
import stat
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graphkit.core.model import Rejected
from graphkit.core.progress import ROWS_PER_REPORT, position_hook
from graphkit.errors import InputError, InputProblem

OGL = "Open Government Licence v3.0"
NHS_ENGLAND = "NHS England (formerly NHS Digital)"

# The longest cell read: the csv module's own limit (128 KiB). No NHS file has a cell near it; a longer
# one is a wrong or damaged file and is refused with its line, not read into memory.
MAX_CELL = csv.field_size_limit()
# C0 control characters other than tab, line feed and carriage return (which CSV allows in quoted cells).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EXCERPT = 40  # characters of a bad value quoted in a message


class BadCell(ValueError):
    """One cell that cannot be read: its field, its value as written and why. Importers report it as a
    row not loaded (``Rejected``) or raise it as an :class:`InputProblem`."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(f"{field}: {reason} ({value!r})")
        self.field = field
        self.value = value
        self.reason = reason


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most ``limit`` characters of ``text`` (messages quote it with repr, so control characters show
    escaped)."""
    return text if len(text) <= limit else text[:limit] + "..."


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- which paths are read ----------------------------------------------------------------------------


def check_input_path(path: Path) -> None:
    """Refuse a path that is not an input file: missing, a directory, not a regular file (a device, a
    pipe), unreadable, or a symbolic link whose target is outside the directory holding the link.

    The rule for links: a link is followed only to a file in the link's own directory or below it (a
    seeds folder of links to files beside them works); a link elsewhere (``organisations.csv ->
    /etc/passwd``) is refused by name, and nothing of its target is read or shown.
    """
    _check_link(path)
    if not path.exists():
        raise InputError(InputProblem(str(path), None, None, "no such file"))
    if path.is_dir():
        raise InputError(InputProblem(str(path), None, None, "a directory, not a file"))
    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(InputProblem(str(path), None, None, "not a regular file (a device, a pipe or a socket)"))
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(InputProblem(str(path), None, None, f"cannot be read ({exc.strerror or exc})")) from None


def check_input_dir(path: Path) -> None:
    """Refuse a directory given as input that is a link out of its parent (the rule of
    :func:`check_input_path`) or that cannot be listed."""
    _check_link(path)
    try:
        next(os.scandir(path), None)
    except OSError as exc:
        raise InputError(InputProblem(str(path), None, None, f"cannot be read ({exc.strerror or exc})")) from None


def _check_link(path: Path) -> None:
    if not path.is_symlink():
        return
    home = path.absolute().parent.resolve()
    target = path.resolve()
    if target != home and home not in target.parents:
        raise InputError(
            InputProblem(
                str(path),
                None,
                None,
                "a symbolic link to a file outside its own directory: not followed (copy the file here, or "
                "link to a file beside the link)",
            )
        )


# -- reading text ----------------------------------------------------------------------------------


def _raw_stream(path: Path) -> io.BufferedIOBase:
    """The file's bytes, un-gzipped when it starts with the gzip magic number."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
        return gzip.open(path, "rb") if head == b"\x1f\x8b" else path.open("rb")
    except OSError as exc:
        raise InputError(InputProblem(str(path), None, None, f"cannot be read ({exc.strerror or exc})")) from None


def open_text(path: Path) -> io.TextIOWrapper:
    """Open a CSV file as text, un-gzipping it when needed and dropping a UTF-8 BOM."""
    stream = _raw_stream(path)
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]


def read_problem(path: Path, exc: BaseException, line: int | None) -> InputProblem:
    """A clear problem for an error met while reading a file's bytes (a broken gzip, an I/O error)."""
    if isinstance(exc, EOFError):
        reason = "a truncated gzip file: the compressed data ends before its end marker (an incomplete download?)"
    elif isinstance(exc, zlib.error | gzip.BadGzipFile):
        reason = f"a corrupt gzip file ({exc})"
    elif isinstance(exc, OSError):
        reason = f"cannot be read ({exc.strerror or exc})"
    else:
        reason = f"cannot be read ({exc.__class__.__name__})"
    return InputProblem(str(path), line, None, reason)


def check_text(path: Path) -> None:
    """Read the whole file (un-gzipped) once and refuse it, naming the line, when it is not UTF-8 text or
    its gzip data is broken. Cheap (no CSV parsing) and done before anything else is said about a file,
    so a Latin-1 or truncated file is reported as such, not as a missing vintage or an unknown kind."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with _raw_stream(path) as stream:
        while True:
            try:
                block = stream.read(1 << 20)
            except (EOFError, zlib.error, OSError) as exc:
                raise InputError(read_problem(path, exc, line)) from None
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise InputError(_not_utf8(path, block, exc, line, offset)) from None
            if not block:
                return
            line += block.count(b"\n")
            offset += len(block)


def _not_utf8(path: Path, block: bytes, exc: UnicodeDecodeError, line: int, offset: int) -> InputProblem:
    """Where the UTF-8 decoding of ``block`` (starting at byte ``offset``, line ``line``) failed."""
    if offset == 0 and block.startswith((b"\xff\xfe", b"\xfe\xff")):
        return InputProblem(str(path), 1, None, "UTF-16 text (it starts with a UTF-16 byte-order mark): save it as "
                                                "UTF-8")
    at = max(exc.start, 0)
    # the decoder may hold back the bytes of an incomplete character from the previous block
    at = min(at, len(block) - 1) if block else 0
    bad_line = line + block.count(b"\n", 0, at)
    byte = block[at] if block else 0
    return InputProblem(
        str(path),
        bad_line,
        None,
        f"not UTF-8 text: byte 0x{byte:02X} (offset {offset + at}) is not UTF-8 (a Latin-1 or Windows file?); "
        "save it as UTF-8",
    )


def _utf8_problem(path: Path) -> InputProblem:
    try:
        check_text(path)
    except InputError as err:
        return err.problems[0]
    return InputProblem(str(path), None, None, "not UTF-8 text")


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
                raise InputError(_utf8_problem(path)) from None
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
        raise InputError(InputProblem(str(path), 1, None, f"empty file (expected {what})")) from None
    return header, rows


def no_data_rows(path: Path, what: str) -> InputError:
    """The error for a file holding a header and no data row (a cut-off download, or the wrong file)."""
    return InputError(InputProblem(str(path), 2, None, f"no data rows after the header of {what}"))


def stem(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".csv", ".xlsx"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


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


def require_vintage(path: Path, vintage: dt.date | None, hint: str) -> dt.date:
    """The vintage, or an InputError saying how to give it (``hint``) when the file does not state it."""
    if vintage is None:
        raise InputError(InputProblem(str(path), None, None, f"the vintage of this file is not in the file: {hint}"))
    return vintage


# -- the row loop every importer reads its table with -------------------------------------------------------------


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
    rows (the importer adds a key once its row is loaded, so a row rejected for another reason does not count)."""
    if key in seen:
        tally.rejects.append(Rejected(line, reason, field_name, key))
        return True
    return False
