"""Helpers shared by importers: opening (gzip-aware), hashing, dates."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

from graphkit.errors import InputError, InputProblem

OGL = "Open Government Licence v3.0"
NHS_ENGLAND = "NHS England (formerly NHS Digital)"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def open_text(path: Path) -> io.TextIOBase:
    """Open a CSV file as text, un-gzipping it when needed and dropping a UTF-8 BOM."""
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    # the returned wrapper owns both streams and closes them
    stream = gzip.open(raw) if head == b"\x1f\x8b" else raw  # noqa: SIM115
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for every row; line numbers are 1-based file lines."""
    with open_text(path) as fh:
        reader = csv.reader(fh)
        for cells in reader:
            yield reader.line_num, cells


def read_header(path: Path, what: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and the rows after it; an empty file, or a header that is not ``what``, is refused
    by the caller with the returned header (here only emptiness is checked)."""
    rows = csv_rows(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise InputError(InputProblem(str(path), 1, None, f"empty file (expected {what})")) from None
    return header, rows


def stem(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".csv", ".xlsx"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


_DMY = [("%d%b%Y", re.compile(r"^\d{2}[A-Za-z]{3}\d{4}$")), ("%d-%b-%y", re.compile(r"^\d{2}-[A-Za-z]{3}-\d{2}$"))]


def parse_extract_date(text: str) -> dt.date:
    """Dates as written in the EXTRACT_DATE column: '01Aug2026', '01-Sep-20', '01Jan2022'."""
    text = text.strip()
    for fmt, pattern in _DMY:
        if pattern.match(text):
            return dt.datetime.strptime(text, fmt).date()
    raise ValueError(f"unrecognised extract date {text!r}")


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


def parse_ods_date(text: str) -> dt.date | None:
    """ODS dates: YYYYMMDD, or empty. Raises ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def parse_dmy(text: str) -> dt.date | None:
    """DD/MM/YYYY as in the payments files, or empty."""
    text = text.strip()
    if not text:
        return None
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def require_vintage(path: Path, vintage: dt.date | None, hint: str) -> dt.date:
    """The vintage, or an InputError saying how to give it (``hint``) when the file does not state it."""
    if vintage is None:
        raise InputError(InputProblem(str(path), None, None, f"the vintage of this file is not in the file: {hint}"))
    return vintage
