"""ODS headerless 27-column files: epraccur (GP practices and other prescribing cost centres),
eccg (CCGs and sub-ICB locations) and etr (NHS trusts).

Columns (1-based): 1 code, 2 name, 3 national grouping (NHS England region), 4 high level health
geography (STP/ICB; in the 2019 epraccur an NHS England local office), 5-9 address, 10 postcode,
11 open date, 12 close date, 13 status, 14 sub-type (eccg: role codes), 15 commissioner,
16 join commissioner date, 17 left commissioner date, ..., 24 provider/purchaser (etr: trust
type letter), 26 prescribing setting (legacy number, or a role code in the 2026 layout).

The vintage is not in the file: it is taken from the file name (``_YYYY-MM``) or given with
``--vintage``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from graphkit.core.model import ImportResult, Organisation, Rejected, Relation, RoleHolding, Source
from graphkit.core.nhs import CCG_LAST_DAY, ICB_DAY, ICB_RULE
from graphkit.ingest.importers.common import (
    BadCell,
    bad_or_listed_before,
    closed_status,
    csv_rows,
    data_rows,
    file_source,
    parse_span,
    refuse,
    require_vintage,
    vintage_from_name,
)

NCOLS = 27
# The 27 columns as ODS names them, for messages.
COLUMNS = (
    "Organisation Code", "Name", "National Grouping", "High Level Health Geography", "Address Line 1",
    "Address Line 2", "Address Line 3", "Address Line 4", "Address Line 5", "Postcode", "Open Date", "Close Date",
    "Status Code", "Organisation Sub-Type Code", "Commissioner", "Join Provider/Purchaser Date",
    "Left Provider/Purchaser Date", "Contact Telephone Number", "Null 19", "Null 20", "Null 21",
    "Amended Record Indicator", "Null 23", "Provider/Purchaser", "Null 25", "Prescribing Setting", "Null 27",
)
_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
_ROLE = re.compile(r"^RO[0-9]+$")

# Legacy numeric prescribing settings (epraccur before the 2026 API layout) and their role codes.
LEGACY_SETTING_ROLE = {
    "4": "RO76",  # GP practice
    "1": "RO87",  # walk-in centre
    "2": "RO80",  # out of hours
    "3": "RO87",  # WIC + OOH (both; RO80 added below)
}
# Roles (from the prescribing setting) that give a class besides PrescribingCostCentre.
ROLE_CLASS = {"RO76": "GPPractice", "RO87": "WalkInCentre"}
# epraccur status codes, legacy letter and 2026 word.
STATUS = {
    "A": "ACTIVE",
    "C": "CLOSED",
    "D": "DORMANT",
    "P": "PROPOSED",
    "ACTIVE": "ACTIVE",
    "INACTIVE": "CLOSED",
    "DORMANT": "DORMANT",
    "PROPOSED": "PROPOSED",
}


def sniff(path: Path, sample: int = 200) -> str | None:
    """Which headerless ODS file this is: 'epraccur', 'eccg', 'etr', or None. Judged on the first
    ``sample`` non-blank rows, nine in ten of which must be 27 columns starting with an ODS code: a few
    damaged rows do not make a file unrecognised (the importer reports them, line by line)."""
    rows = []
    for _, cells in csv_rows(path, check=False):  # the shape only: read() checks the cells
        if any(c.strip() for c in cells):
            rows.append(cells)
        if len(rows) >= sample:
            break
    good = [r for r in rows if len(r) == NCOLS and _CODE.match(r[0].strip())]
    if not rows or len(good) < 0.9 * len(rows):
        return None  # a header row, or not ODS codes
    if sum(1 for r in good if r[25].strip()) >= 0.9 * len(good):
        return "epraccur"
    codes3 = sum(1 for r in good if len(r[0].strip()) == 3 and r[0].strip()[0].isdigit())
    if codes3 >= 0.5 * len(good):
        return "eccg"
    if sum(1 for r in good if len(r[23].strip()) == 1 and r[0].strip().startswith("R")) >= 0.5 * len(good):
        return "etr"
    return None


def _setting_roles(setting: str) -> tuple[list[str], bool]:
    """Role codes for a prescribing setting; second value is False when the setting is not readable."""
    s = setting.strip()
    if not s:
        return [], True
    if s.startswith("RO"):
        parts = s.split("|")
        readable = all(_ROLE.match(p) for p in parts)
        return (parts if readable else []), readable
    if s.isdigit():
        roles = [LEGACY_SETTING_ROLE[s]] if s in LEGACY_SETTING_ROLE else []
        if s == "3":
            roles.append("RO80")
        return roles, True
    return [], False


TITLES = {
    "epraccur": "ODS epraccur: GP practices and prescribing cost centres",
    "eccg": "ODS eccg: CCGs and sub-ICB locations",
    "etr": "ODS etr: NHS trusts",
}


def read(path: Path, *, vintage: dt.date | None = None, kind: str | None = None) -> ImportResult:
    kind = kind or sniff(path)
    if kind not in ("epraccur", "eccg", "etr"):
        raise refuse(path, "not a headerless 27-column ODS file (epraccur/eccg/etr)", line=1)
    vintage = vintage or vintage_from_name(path)
    vintage = require_vintage(path, vintage, "name it *_YYYY-MM.csv or pass --vintage YYYY-MM-DD")
    result = ImportResult(source=file_source(path, kind, vintage, TITLES[kind]))
    seen: set[str] = set()
    legacy_layout = False
    for line, c in data_rows(csv_rows(path, names=COLUMNS), result, columns=NCOLS):
        code = c[0]
        if bad_or_listed_before(result, line, code, _CODE, seen, "Organisation Code", malformed="malformed ODS code",
                                twice="code listed twice in the file; first row kept"):
            continue
        try:
            opened, closed = parse_span(c[10], c[11], ("Open Date", "Close Date"), "close date before open date")
        except BadCell as bad:
            result.rejects.append(bad.rejected(line))
            continue
        seen.add(code)
        row = _Row(result, line, c, opened, closed, vintage)
        if kind == "epraccur":
            _practice(row)
            legacy_layout = legacy_layout or c[25].isdigit()
        elif kind == "eccg":
            _commissioner(row)
        else:
            _trust(row)
    if kind == "epraccur" and not legacy_layout:
        result.source = Source(**{**result.source.__dict__, "title": result.source.title + " (2026 API layout)"})
    return result


@dataclass(frozen=True)
class _Row:
    """One loaded row of an ODS file: its cells, its open and close dates, and where its records go."""

    result: ImportResult
    line: int
    cells: list[str]
    opened: dt.date | None
    closed: dt.date | None
    vintage: dt.date

    def organisation(self, kinds: tuple[str, ...], status: str | None) -> None:
        c = self.cells
        self.result.organisations.append(Organisation(code=c[0], name=c[1], kinds=kinds, line=self.line,
                                                      postcode=c[9] or None, start=self.opened, end=self.closed,
                                                      status=status))

    def role(self, role: str, period: tuple[dt.date | None, dt.date | None] | None = None,
             rule: str | None = None) -> None:
        """A role held over ``period`` (start, end): the organisation's own open and close dates unless given."""
        start, end = period or (self.opened, self.closed)
        self.result.roles.append(RoleHolding(self.cells[0], role, self.line, start, end, derived_from_rule=rule))

    def system(self) -> None:
        """The ICB (or STP) of column 4, observed on the vintage, for an organisation still open."""
        if not self.closed and self.cells[3]:
            self.result.relations.append(Relation("SystemMembership", self.cells[0], self.cells[3], self.line,
                                                  observed=self.vintage))


def _practice(row: _Row) -> None:
    """An epraccur row: a prescribing cost centre (and the classes of its prescribing setting's roles), with its
    commissioner from the day it joined (or, with no join date, seen on the file's day, or on its last open day
    when it had closed by then)."""
    c, line = row.cells, row.line
    roles, readable = _setting_roles(c[25])
    if not readable:
        row.result.rejects.append(Rejected(line, "unreadable prescribing setting; loaded as a prescribing cost "
                                                 "centre only", "Prescribing Setting", c[25]))
    kinds = ("PrescribingCostCentre", *sorted({ROLE_CLASS[r] for r in roles if r in ROLE_CLASS}))
    row.organisation(kinds, STATUS.get(c[12], c[12] or None))
    for r in ("RO177", *roles):
        row.role(r)
    if not c[14]:
        return
    try:
        joined, left = parse_span(c[15], c[16], (COLUMNS[15], COLUMNS[16]), "left the commissioner before joining it")
    except BadCell as bad:
        row.result.rejects.append(bad.rejected(line, "; commissioner tie not loaded"))
        return
    # undated (the 2026 layout leaves the join date of a closed organisation empty): the row names the commissioner
    # it had while open, so it is seen on its last open day, not on the file's (merge rule 7 keeps ties in lives)
    seen = row.closed if joined is None and left is None and row.closed and row.closed < row.vintage else row.vintage
    row.result.relations.append(Relation("CommissionerAssignment", c[0], c[14], line, start=joined, end=left,
                                         observed=seen if not left else None))


def _commissioner(row: _Row) -> None:
    """An eccg row: a CCG, a sub-ICB location (a CCG code that carried on from 1 July 2022) or a commissioning
    hub, with its roles dated by the 2022 reform."""
    c, opened, closed = row.cells, row.opened, row.closed
    roles = [r for r in c[13].split("|") if r]
    if not all(_ROLE.match(r) for r in roles):
        row.result.rejects.append(Rejected(row.line, "unreadable role codes (ROnnn separated by '|'); loaded "
                                                     "without them", COLUMNS[13], c[13]))
        roles = [r for r in roles if _ROLE.match(r)]
    sub_icb = "RO319" in roles
    kinds = (
        ("ClinicalCommissioningGroup", "SubICBLocation")
        if sub_icb
        else (("CommissioningHub",) if "RO218" in roles else ("ClinicalCommissioningGroup",))
    )
    if sub_icb and opened and opened >= ICB_DAY:
        kinds = ("SubICBLocation",)
    row.organisation(kinds, closed_status(closed, row.vintage))
    if "RO218" in roles:
        row.role("RO218")
    else:
        if not (opened and opened >= ICB_DAY):
            ccg_end = min(x for x in (closed, CCG_LAST_DAY) if x) if sub_icb else closed
            row.role("RO98", (opened, ccg_end), ICB_RULE if sub_icb else None)
        if sub_icb:
            row.role("RO319", (max(x for x in (opened, ICB_DAY) if x), closed), ICB_RULE)
    for r in roles:
        if r not in ("RO319", "RO218"):
            row.role(r)
    row.system()


def _trust(row: _Row) -> None:
    """An etr row: an NHS trust, a foundation trust when its name says so."""
    foundation = "FOUNDATION TRUST" in row.cells[1].upper()
    row.organisation(("NHSTrust", "FoundationTrust") if foundation else ("NHSTrust",),
                     closed_status(row.closed, row.vintage))
    row.role("RO197")
    if foundation:
        row.role("RO57")
    row.system()
