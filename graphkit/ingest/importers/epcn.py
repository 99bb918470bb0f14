"""ODS ePCN: the PCN list ("PCN Details") and practice -> PCN memberships with start and end
dates ("PCN Core Partner Details"). Read from the published .xlsx (both sheets) or from CSV copies
of either sheet. Column names say "CCG" before 2023 and "Sub ICB Loc" after; both are accepted.
The vintage is not in the file: it comes from the file name (``_YYYY-MM``) or ``--vintage``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from graphkit.core.model import ImportResult, Organisation, Rejected, Relation, RoleHolding
from graphkit.errors import InputError
from graphkit.ingest.importers.common import (
    PCN_CODE,
    BadCell,
    check_cells,
    closed_status,
    data_rows,
    excerpt,
    file_source,
    no_data_rows,
    parse_span,
    read_header,
    refuse,
    require_vintage,
    vintage_from_name,
)

PARTNER_COLS = [
    "partner organisation code",
    "partner name",
    "practice parent {a} code",
    "practice parent {a} name",
    "pcn code",
    "pcn name",
    "pcn parent {a} code",
    "pcn parent {a} name",
    "practice to pcn relationship start date",
    "practice to pcn relationship end date",
]
_PCN = PCN_CODE
TITLE = "ODS ePCN: primary care networks and core partners"


def _norm(cell: object) -> str:
    return re.sub(r"\s+", " ", str(cell or "")).strip().lower()


def header_kind(header: Iterable[object]) -> str | None:
    """'partners' or 'details' when the header is one of the two ePCN sheets, else None."""
    h = [_norm(c) for c in header]
    for area in ("ccg", "sub icb loc"):
        want = [c.format(a=area) for c in PARTNER_COLS]
        if h[: len(want)] == want:
            return "partners"
    if (
        len(h) >= 6
        and h[0] == "pcn code"
        and h[1] == "pcn name"
        and h[2] in ("current clinical commissioning group code", "current sub icb loc code")
        and h[4].startswith("open date")
        and h[5] == "close date"
    ):
        return "details"
    return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    return str(value).strip()


def _unreadable(path: Path, exc: Exception) -> InputError:
    return refuse(path, f"not a readable .xlsx workbook ({exc.__class__.__name__}: {excerpt(str(exc), 80)})")


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    """Each sheet's title and its rows (1-based row numbers, cells as text, control characters refused).
    A broken workbook or sheet raises InputError, whenever openpyxl meets the damage."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken workbook
        raise _unreadable(path, exc) from None
    for ws in wb.worksheets:

        def rows(ws: Any = ws) -> Iterator[tuple[int, list[str]]]:
            names: list[str] | None = None
            try:
                for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                    cells = [_cell_text(v) for v in row]
                    check_cells(path, i, cells, names)
                    names = names or cells
                    yield i, cells
            except InputError:
                raise
            except Exception as exc:  # a damaged sheet (bad XML, a bad shared-string index...)
                raise _unreadable(path, exc) from None

        yield ws.title, rows()


def is_xlsx(path: Path) -> bool:
    """True for a file named .xlsx; one that is not a zip archive (an .xlsx is one) is refused here."""
    if path.suffix.lower() != ".xlsx":
        return False
    with path.open("rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            raise refuse(path, "named .xlsx but not an .xlsx workbook (not a zip archive)")
    return True


def recognise_xlsx(path: Path) -> bool:
    """True when a sheet of the workbook starts with an ePCN header; a broken workbook raises InputError."""
    return any(header_kind(next(rows, (0, []))[1]) for _, rows in _xlsx_sheets(path))


def read(path: Path, *, vintage: dt.date | None = None) -> ImportResult:
    vintage = vintage or vintage_from_name(path)
    vintage = require_vintage(path, vintage, "name it *_YYYY-MM.* or pass --vintage YYYY-MM-DD")
    result = ImportResult(source=file_source(path, "epcn", vintage, TITLE))
    state = _State(result, vintage)
    if is_xlsx(path):
        found = False
        for title, rows in _xlsx_sheets(path):
            try:
                _, header = next(rows)
            except StopIteration:
                continue
            kind = header_kind(header)
            if kind is None:
                result.rejects.append(Rejected(1, f"sheet {title!r} is not an ePCN sheet; skipped"))
                continue
            found = True
            state.sheet = title
            state.read(kind, rows)
        if not found:
            raise refuse(path, "no ePCN sheet (PCN Details / Core Partner Details)", line=1)
    else:
        header, rows = read_header(path, "an ePCN sheet")
        kind = header_kind(header)
        if kind is None:
            raise refuse(path, "not an ePCN sheet header", line=1)
        state.read(kind, rows)
    if result.rows == 0:
        raise no_data_rows(path, "an ePCN sheet")
    return result


class _State:
    def __init__(self, result: ImportResult, vintage: dt.date) -> None:
        self.result = result
        self.vintage = vintage
        self.sheet = ""
        self.orgs: dict[str, int] = {}  # code -> its place in result.organisations
        self.pcns: dict[str, int] = {}  # PCN code -> the line of its details row
        self.memberships: set[tuple[str, str, dt.date | None]] = set()

    def reject(self, line: int, reason: str, field: str | None = None, value: str | None = None) -> None:
        where = f"sheet {self.sheet!r}: " if self.sheet else ""
        self.result.rejects.append(Rejected(line, where + reason, field, value))

    def org(self, org: Organisation, *, replace: bool = False) -> None:
        """Add an organisation once; ``replace`` puts a PCN's details row in place of what a partner row (read
        first, from an earlier sheet of a workbook) said of it."""
        if org.code not in self.orgs:
            self.orgs[org.code] = len(self.result.organisations)
            self.result.organisations.append(org)
        elif replace:
            self.result.organisations[self.orgs[org.code]] = org

    def read(self, kind: str, rows: Iterator[tuple[int, list[str]]]) -> None:
        for line, cells in data_rows(rows, self.result):
            if kind == "partners":
                self.partner(line, cells)
            else:
                self.details(line, cells)

    def details(self, line: int, c: list[str]) -> None:
        if len(c) < 6:
            self.reject(line, f"expected at least 6 columns, found {len(c)}")
            return
        code, name, parent = c[0], c[1], c[2]
        if not _PCN.match(code):
            self.reject(line, "not a PCN code (U + 5 digits, or UZ + 4 in a synthetic economy)", "PCN Code", code)
            return
        if code in self.pcns:
            first = self.pcns[code]
            self.reject(line, f"PCN listed twice in the sheet (line {first}); first row kept", "PCN Code", code)
            return
        try:
            opened, closed = parse_span(c[4], c[5], ("Open Date", "Close Date"), "close date before open date")
        except BadCell as bad:
            self.reject(line, bad.reason, bad.field, bad.value)
            return
        postcode = c[11] if len(c) > 11 and c[11] else None
        self.org(
            Organisation(
                code=code,
                name=name,
                kinds=("PrimaryCareNetwork",),
                line=line,
                postcode=postcode,
                start=opened,
                end=closed,
                status=closed_status(closed, self.vintage),
            ),
            replace=True,
        )
        self.pcns[code] = line
        self.result.roles.append(RoleHolding(code, "RO272", line, opened, closed))
        if parent and not closed:
            self.result.relations.append(Relation("CommissionerAssignment", code, parent, line, observed=self.vintage))

    def partner(self, line: int, c: list[str]) -> None:
        if len(c) < 10:
            self.reject(line, f"expected at least 10 columns, found {len(c)}")
            return
        practice, pname, pparent, pcn, pcn_name = c[0], c[1], c[2], c[4], c[5]
        if not practice:
            self.reject(line, "no partner organisation code", "Partner Organisation Code", "")
            return
        if not _PCN.match(pcn):
            self.reject(line, "not a PCN code (U + 5 digits, or UZ + 4 in a synthetic economy); membership not loaded",
                        "PCN Code", pcn)
            return
        try:
            start, end = parse_span(c[8], c[9], ("Practice to PCN Relationship Start Date",
                                                 "Practice to PCN Relationship End Date"), "end date before start date")
        except BadCell as bad:
            self.reject(line, bad.reason, bad.field, bad.value)
            return
        key = (practice, pcn, start)
        if key in self.memberships:
            self.reject(
                line,
                "the same membership (practice, PCN, start) is listed twice; first row kept",
                "Partner Organisation Code",
                practice,
            )
            return
        self.memberships.add(key)
        self.org(Organisation(code=practice, name=pname, kinds=("GPPractice",), line=line))
        self.org(Organisation(code=pcn, name=pcn_name, kinds=("PrimaryCareNetwork",), line=line))
        self.result.relations.append(Relation("PCNMembership", practice, pcn, line, start=start, end=end))
        current = end is None or end >= self.vintage
        if pparent and current:
            self.result.relations.append(
                Relation("CommissionerAssignment", practice, pparent, line, observed=self.vintage)
            )
