"""Reading the tables of a curated set: the files of a set, and each table's lines (UTF-8, comment lines and
their metadata, the header checked against the table's columns, one CSV row a line, exact repeats) with every
row's values parsed by :func:`graphkit.ingest.curated.values._parse`. Problems are collected, not raised: the
caller (:func:`graphkit.ingest.curated.read_tables`) raises them all at once."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.core.model import Rejected
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.curated.tables import TABLES, Column
from graphkit.ingest.curated.values import _BAD, _parse, iso_date
from graphkit.ingest.importers.common import CONTROL, MAX_CELL, field_name, limit_cells
from graphkit.ingest.importers.files import check_input_dir, excerpt, not_utf8


@dataclass
class Table:
    name: str
    path: Path
    rows: list[tuple[int, dict[str, Any]]]
    meta: dict[str, str]
    sha256: str
    dates: list[dt.date]
    repeats: list[Rejected] = field(default_factory=list)  # rows that repeat an earlier row exactly


def _not_a_table(path: Path) -> InputProblem:
    return InputProblem(str(path), None, None, f"not a curated table; the tables are "
                                               f"{', '.join(t + '.csv' for t in TABLES)}")


def set_files(path: Path, problems: list[InputProblem]) -> list[Path]:
    """The tables of a set (a directory) or the one table named; every *.csv entry of a directory is a
    table, and one that is not a regular file is a problem, not skipped."""
    if path.is_dir():
        check_input_dir(path)
        entries = sorted(p for p in path.iterdir() if p.suffix == ".csv")
        if not entries:
            problems.append(InputProblem(str(path), None, None, "no curated tables (*.csv) in this directory"))
        files = entries
    elif path.exists() or path.is_symlink():
        files = [path]
    else:
        raise InputError(InputProblem(str(path), None, None, "no such file or directory"))
    problems.extend(_not_a_table(p) for p in files if p.stem not in TABLES)
    return files


def _decode(path: Path, data: bytes) -> str | InputProblem:
    """The table's text (a UTF-8 byte-order mark dropped), or a problem naming the line, byte and offset of the
    first byte that is not UTF-8 (the importers' own account of it, offsets counted from the file's start)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not_utf8(path, data, exc, 1, 0)
    return text.removeprefix("\ufeff")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) split at line feeds only (a CR LF ending is dropped), so that the numbers are
    those an editor shows; other separators (form feed, U+2028 ...) stay in the line, to be refused."""
    for number, raw in enumerate(text.split("\n"), start=1):
        yield number, raw[:-1] if raw.endswith("\r") else raw


def read_table(path: Path, problems: list[InputProblem]) -> Table:
    columns = {c.name: c for c in TABLES[path.stem][1]}
    data = path.read_bytes()
    table = Table(path.stem, path, [], {}, hashlib.sha256(data).hexdigest(), [])
    text = _decode(path, data)
    if isinstance(text, InputProblem):
        problems.append(text)
        return table
    header: list[str] | None = None
    header_line = 0
    problems_before = len(problems)
    first_seen: dict[tuple[str, ...], int] = {}
    for number, raw in _lines(text):
        if raw.startswith("#"):
            _comment(path, number, raw, table.meta, problems)
            continue
        if not raw.strip():
            continue
        values = _values(path, number, raw, header, problems)
        if values is None:
            continue
        if header is None:
            header, header_line = [v.strip() for v in values], number
            _check_header(path, number, header, columns, problems)
            if len(problems) > problems_before:
                return table  # the rows cannot be read against a wrong header
            continue
        if len(values) != len(header):
            problems.append(InputProblem(str(path), number, None,
                                         f"expected {len(header)} values (the header's columns), found {len(values)}"))
            continue
        key = tuple(v.strip() for v in values)
        if key in first_seen:
            table.repeats.append(Rejected(number, f"repeats line {first_seen[key]} exactly; loaded once"))
            continue
        first_seen[key] = number
        row = _row(path, number, header, values, columns, problems)
        if row is not None:
            table.rows.append((number, row))
            table.dates.extend(v for v in row.values() if isinstance(v, dt.date))
    if header is None:
        problems.append(InputProblem(str(path), header_line or None, None, "no header row"))
    return table


def _comment(path: Path, number: int, raw: str, meta: dict[str, str], problems: list[InputProblem]) -> None:
    """A comment line: refused if it holds a control character; '# vintage|publisher|licence: ...' kept."""
    bad = CONTROL.search(raw)
    if bad:
        problems.append(InputProblem(str(path), number, None, f"control character U+{ord(bad.group()):04X} in a "
                                                              "comment line", excerpt(raw)))
        return
    m = re.match(r"^#\s*(vintage|publisher|licence)\s*:\s*(.+?)\s*$", raw)
    if not m:
        return
    meta[m.group(1)] = m.group(2)
    if m.group(1) == "vintage" and iso_date(m.group(2)) is None:
        problems.append(InputProblem(str(path), number, "vintage", "the '# vintage:' comment must be a real date "
                                                                   "written YYYY-MM-DD", excerpt(m.group(2))))


def _values(path: Path, number: int, raw: str, header: list[str] | None,
            problems: list[InputProblem]) -> list[str] | None:
    """The values of one line, or None (and a problem) when the line cannot be read: a CSV error, a cell
    over the size limit, a control character (named by its column)."""
    limit_cells()
    try:
        values = next(csv.reader([raw]))
    except csv.Error as exc:
        reason = (f"a value longer than {MAX_CELL} characters" if "field limit" in str(exc)
                  else f"not readable as CSV ({exc})")
        problems.append(InputProblem(str(path), number, None, reason))
        return None
    for i, value in enumerate(values):
        bad = CONTROL.search(value) or _SEPARATOR.search(value)
        if bad:
            problems.append(InputProblem(str(path), number, field_name(header, i),
                                         f"control character U+{ord(bad.group()):04X} in a value (not allowed)",
                                         excerpt(value)))
            return None
    return values


# a carriage return inside a value, and characters that end a line for some readers (NEL, line and paragraph
# separators): a table's row is one line
_SEPARATOR = re.compile("[\r\u0085\u2028\u2029]")


def _check_header(path: Path, number: int, header: list[str], columns: dict[str, Column],
                  problems: list[InputProblem]) -> None:
    for name in header:
        if name not in columns:
            problems.append(InputProblem(str(path), number, excerpt(name), f"unknown column; the columns of "
                                         f"{path.name} are {', '.join(columns)}"))
    for c in columns.values():
        if c.required and c.name not in header:
            problems.append(InputProblem(str(path), number, c.name, "required column is missing"))
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        problems.append(InputProblem(str(path), number, excerpt(dup[0]), "column appears twice"))


def _row(path: Path, number: int, header: list[str], values: list[str], columns: dict[str, Column],
         problems: list[InputProblem]) -> dict[str, Any] | None:
    """The parsed values of a row by column name, or None when any value is bad (each one a problem)."""
    row: dict[str, Any] = {}
    ok = True
    for name, value in zip(header, values, strict=True):
        column = columns.get(name)
        if column is None:
            continue
        parsed = _parse(column, value.strip(), str(path), number, problems)
        if parsed is _BAD:
            ok = False
            continue
        row[name] = parsed
    return row if ok else None
