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
from pathlib import Path

from graphkit.core.model import ImportResult, Organisation, Rejected, Relation, RoleHolding, Source
from graphkit.core.nhs import CCG_LAST_DAY, ICB_DAY, ICB_RULE
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.importers.common import (
    NHS_ENGLAND,
    OGL,
    BadCell,
    bad_code,
    csv_rows,
    data_rows,
    listed_before,
    parse_ods_date,
    require_vintage,
    sha256_of,
    stem,
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
# etr column 24: trust type.
TRUST_TYPE_CLASS = {"B": "AcuteTrust"}


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


def read(path: Path, *, vintage: dt.date | None = None, kind: str | None = None) -> ImportResult:
    kind = kind or sniff(path)
    if kind not in ("epraccur", "eccg", "etr"):
        raise InputError(InputProblem(str(path), 1, None, "not a headerless 27-column ODS file (epraccur/eccg/etr)"))
    vintage = vintage or vintage_from_name(path)
    vintage = require_vintage(path, vintage, "name it *_YYYY-MM.csv or pass --vintage YYYY-MM-DD")
    titles = {
        "epraccur": "ODS epraccur: GP practices and prescribing cost centres",
        "eccg": "ODS eccg: CCGs and sub-ICB locations",
        "etr": "ODS etr: NHS trusts",
    }
    source = Source(
        slug=stem(path),
        file_name=path.name,
        kind=kind,
        vintage=vintage,
        sha256=sha256_of(path),
        publisher=NHS_ENGLAND,
        licence=OGL,
        title=titles[kind],
    )
    result = ImportResult(source=source)
    seen: set[str] = set()
    legacy_layout = False
    for line, c in data_rows(csv_rows(path, names=COLUMNS), result, columns=NCOLS):
        code, name = c[0], c[1]
        if bad_code(result, line, code, _CODE, "malformed ODS code", "Organisation Code"):
            continue
        if listed_before(result, line, code, seen, "code listed twice in the file; first row kept",
                         "Organisation Code"):
            continue
        try:
            opened, closed = parse_ods_date(c[10], "Open Date"), parse_ods_date(c[11], "Close Date")
        except BadCell as bad:
            result.rejects.append(Rejected(line, bad.reason, bad.field, bad.value))
            continue
        if opened and closed and closed < opened:
            result.rejects.append(Rejected(line, "close date before open date", "Close Date", c[11]))
            continue
        seen.add(code)
        if kind == "epraccur":
            roles, readable = _setting_roles(c[25])
            if not readable:
                result.rejects.append(
                    Rejected(
                        line,
                        "unreadable prescribing setting; loaded as a prescribing cost centre only",
                        "Prescribing Setting",
                        c[25],
                    )
                )
            legacy_layout = legacy_layout or c[25].isdigit()
            kinds = ("PrescribingCostCentre", *sorted({ROLE_CLASS[r] for r in roles if r in ROLE_CLASS}))
            result.organisations.append(
                Organisation(
                    code=code,
                    name=name,
                    kinds=kinds,
                    line=line,
                    postcode=c[9] or None,
                    start=opened,
                    end=closed,
                    status=STATUS.get(c[12], c[12] or None),
                )
            )
            result.roles.append(RoleHolding(code, "RO177", line, opened, closed))
            for r in roles:
                result.roles.append(RoleHolding(code, r, line, opened, closed))
            commissioner = c[14]
            if commissioner:
                try:
                    joined = parse_ods_date(c[15], COLUMNS[15])
                    left = parse_ods_date(c[16], COLUMNS[16])
                except BadCell as bad:
                    result.rejects.append(Rejected(line, f"{bad.reason}; commissioner tie not loaded", bad.field,
                                                   bad.value))
                    continue
                if joined and left and left < joined:
                    result.rejects.append(Rejected(line, "left the commissioner before joining it; commissioner tie "
                                                   "not loaded", COLUMNS[16], c[16]))
                    continue
                result.relations.append(
                    Relation(
                        "CommissionerAssignment",
                        code,
                        commissioner,
                        line,
                        start=joined,
                        end=left,
                        observed=vintage if not left else None,
                    )
                )
        elif kind == "eccg":
            roles = [r for r in c[13].split("|") if r]
            if not all(_ROLE.match(r) for r in roles):
                result.rejects.append(Rejected(line, "unreadable role codes (ROnnn separated by '|'); loaded "
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
            result.organisations.append(
                Organisation(
                    code=code,
                    name=name,
                    kinds=kinds,
                    line=line,
                    postcode=c[9] or None,
                    start=opened,
                    end=closed,
                    status="CLOSED" if closed and closed <= vintage else "ACTIVE",
                )
            )
            if "RO218" in roles:
                result.roles.append(RoleHolding(code, "RO218", line, opened, closed))
            else:
                ccg_end = min(x for x in (closed, CCG_LAST_DAY) if x) if sub_icb else closed
                if not (opened and opened >= ICB_DAY):
                    result.roles.append(
                        RoleHolding(
                            code, "RO98", line, opened, ccg_end, derived_from_rule=ICB_RULE if sub_icb else None
                        )
                    )
                if sub_icb:
                    result.roles.append(
                        RoleHolding(
                            code,
                            "RO319",
                            line,
                            max(x for x in (opened, ICB_DAY) if x),
                            closed,
                            derived_from_rule=ICB_RULE,
                        )
                    )
            for r in roles:
                if r not in ("RO319", "RO218"):
                    result.roles.append(RoleHolding(code, r, line, opened, closed))
            if not closed and c[3]:
                result.relations.append(Relation("SystemMembership", code, c[3], line, observed=vintage))
        else:  # etr
            trust_kinds = ["NHSTrust"]
            if "FOUNDATION TRUST" in name.upper():
                trust_kinds.append("FoundationTrust")
            result.organisations.append(
                Organisation(
                    code=code,
                    name=name,
                    kinds=tuple(trust_kinds),
                    line=line,
                    postcode=c[9] or None,
                    start=opened,
                    end=closed,
                    status="CLOSED" if closed and closed <= vintage else "ACTIVE",
                )
            )
            result.roles.append(RoleHolding(code, "RO197", line, opened, closed))
            if "FoundationTrust" in trust_kinds:
                result.roles.append(RoleHolding(code, "RO57", line, opened, closed))
            if not closed and c[3]:
                result.relations.append(Relation("SystemMembership", code, c[3], line, observed=vintage))
    if kind == "epraccur" and not legacy_layout:
        source = Source(**{**source.__dict__, "title": source.title + " (2026 API layout)"})
        result.source = source
    return result
