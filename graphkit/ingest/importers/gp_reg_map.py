"""'Patients Registered at a GP Practice' mapping file (gp-reg-pat-prac-map.csv), NHS England.

One row per practice with registered patients in the month: practice -> PCN -> CCG/sub-ICB
location -> STP/ICB -> NHS England commissioning region. The file states no start or end
dates: every tie is *observed* to hold on the extract date, and is recorded as such.

Placeholder PCN codes ('U', blank, or a PCN named 'Unallocated': the practice is in no PCN) are
reported and not loaded as PCNs (U00000 is a real PCN).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from graphkit.core.model import ImportResult, Organisation, Rejected, Relation
from graphkit.ingest.importers.common import (
    BadCell,
    Rows,
    data_rows,
    file_source,
    listed_before,
    no_data_rows,
    parse_extract_date,
    read_header,
    refuse,
)

KIND = "gp-reg-pat-prac-map"

# The columns both eras of the mapping file start with, and the region columns that follow the two area levels.
_PRACTICE_COLUMNS = ["PUBLICATION", "EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "PRACTICE_POSTCODE", "PCN_CODE",
                     "PCN_NAME"]
_REGION_COLUMNS = ["ONS_COMM_REGION_CODE", "COMM_REGION_CODE", "COMM_REGION_NAME"]
CCG_ERA = [*_PRACTICE_COLUMNS, "ONS_CCG_CODE", "CCG_CODE", "CCG_NAME", "ONS_STP_CODE", "STP_CODE", "STP_NAME",
           *_REGION_COLUMNS]
ICB_ERA = [*_PRACTICE_COLUMNS, "ONS_SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_NAME",
           "ONS_ICB_CODE", "ICB_CODE", "ICB_NAME", *_REGION_COLUMNS, "SUPPLIER_NAME"]
# The QOF "mapping NHS geographies" file: the same hierarchy, as at 31 March of the QOF year.
QOF = [
    "NAT_ONS_CODE",
    "NAT_CODE",
    "COUNTRY",
    "REGION_ODS_CODE",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "STP_ODS_CODE",
    "STP_ONS_CODE",
    "STP_NAME",
    "CCG_ODS_CODE",
    "CCG_ONS_CODE",
    "CCG_NAME",
    "PCN_ODS_CODE",
    "PCN_NAME",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
]

# Per layout: the class of each level and the column of its code, name and ONS code.
Layout = dict[str, str | None]


def _layout(area: tuple[str, str, str, str], system: tuple[str, str, str, str], region: tuple[str, str, str],
            pcn: tuple[str, str], postcode: str | None) -> Layout:
    """A layout from (class, code, name, ONS code) of the area and the system, (code, name, ONS code) of the
    region, (code, name) of the PCN and the practice's postcode column (None: the layout has none)."""
    return {
        "area_kind": area[0], "area": area[1], "area_name": area[2], "area_ons": area[3],
        "sys_kind": system[0], "sys": system[1], "sys_name": system[2], "sys_ons": system[3],
        "region": region[0], "region_name": region[1], "region_ons": region[2],
        "pcn": pcn[0], "pcn_name": pcn[1], "postcode": postcode,
    }


_MAP_REGION = ("COMM_REGION_CODE", "COMM_REGION_NAME", "ONS_COMM_REGION_CODE")
_MAP_PCN = ("PCN_CODE", "PCN_NAME")
LAYOUTS: dict[str, Layout] = {
    "ccg": _layout(("ClinicalCommissioningGroup", "CCG_CODE", "CCG_NAME", "ONS_CCG_CODE"),
                   ("SustainabilityAndTransformationPartnership", "STP_CODE", "STP_NAME", "ONS_STP_CODE"),
                   _MAP_REGION, _MAP_PCN, "PRACTICE_POSTCODE"),
    "icb": _layout(("SubICBLocation", "SUB_ICB_LOCATION_CODE", "SUB_ICB_LOCATION_NAME", "ONS_SUB_ICB_LOCATION_CODE"),
                   ("IntegratedCareBoard", "ICB_CODE", "ICB_NAME", "ONS_ICB_CODE"),
                   _MAP_REGION, _MAP_PCN, "PRACTICE_POSTCODE"),
    "qof": _layout(("ClinicalCommissioningGroup", "CCG_ODS_CODE", "CCG_NAME", "CCG_ONS_CODE"),
                   ("SustainabilityAndTransformationPartnership", "STP_ODS_CODE", "STP_NAME", "STP_ONS_CODE"),
                   ("REGION_ODS_CODE", "REGION_NAME", "REGION_ONS_CODE"), ("PCN_ODS_CODE", "PCN_NAME"), None),
}
TITLES = {
    "ccg": "Patients Registered at a GP Practice: mapping (CCG era)",
    "icb": "Patients Registered at a GP Practice: mapping (ICB era)",
    "qof": "QOF mapping of NHS geographies",
}


def layout_of(header: list[str]) -> str | None:
    h = [c.strip().upper() for c in header]
    return {tuple(CCG_ERA): "ccg", tuple(ICB_ERA): "icb", tuple(QOF): "qof"}.get(tuple(h))


def is_placeholder_pcn(code: str, name: str = "") -> bool:
    """'U' / blank / named 'Unallocated': the practice is in no PCN. (U00000 is a real PCN: West Norwich.)"""
    return code.strip().upper() in {"", "U"} or name.strip().lower() == "unallocated"


def read(path: Path, *, vintage: dt.date | None = None) -> ImportResult:
    header, rows = read_header(path, "a practice mapping file")
    header = [c.strip().upper() for c in header]
    layout_name = layout_of(header)
    if layout_name is None:
        raise refuse(path, "not a practice-mapping header", line=1)
    lay = LAYOUTS[layout_name]
    if layout_name == "qof":
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", path.name)
        vintage = vintage or (dt.date(int(m.group(1)), 3, 31) if m else None)
        if vintage is None:
            raise refuse(path, "the QOF year is not in the file name (e.g. *_2021.csv); pass --vintage YYYY-MM-DD")

    orgs: dict[str, Organisation] = {}
    relations: dict[tuple[str, str, str], Relation] = {}
    tally = Rows()  # rows read and rows rejected
    practices: dict[str, int] = {}  # practice code -> the line that describes it

    def col(row: dict[str, str], key: str) -> str:
        name = lay[key]
        return row[name] if name else ""

    def add_org(code: str, name: str, kind: str, line: int, **extra: str | None) -> None:
        if code not in orgs:
            orgs[code] = Organisation(
                code=code,
                name=name.strip(),
                kinds=(kind,),
                line=line,
                postcode=extra.get("postcode"),
                ons_code=extra.get("ons_code"),
            )

    def add_rel(kind: str, member: str, org: str, line: int) -> None:
        key = (kind, member, org)
        if key not in relations:
            relations[key] = Relation(kind=kind, member=member, organisation=org, line=line, observed=vintage)

    for line, cells in data_rows(rows, tally, columns=len(header)):
        row = dict(zip(header, cells, strict=True))
        if "EXTRACT_DATE" in row:
            try:
                row_date = parse_extract_date(row["EXTRACT_DATE"])
            except BadCell as bad:
                tally.rejects.append(bad.rejected(line))
                continue
            if vintage is None:
                vintage = row_date
            elif row_date != vintage:
                tally.rejects.append(
                    Rejected(
                        line, f"extract date differs from the file's {vintage}", "EXTRACT_DATE", row["EXTRACT_DATE"]
                    )
                )
                continue
        practice = row["PRACTICE_CODE"]
        if not practice:
            tally.rejects.append(Rejected(line, "no practice code", "PRACTICE_CODE", ""))
            continue
        if listed_before(tally, line, practice, practices, "practice listed twice in the file (line {first}); first "
                         "row kept", "PRACTICE_CODE"):
            continue
        practices[practice] = line
        area, system, region = col(row, "area"), col(row, "sys"), col(row, "region")
        add_org(practice, row["PRACTICE_NAME"], "GPPractice", line, postcode=col(row, "postcode") or None)
        if area:
            add_org(area, col(row, "area_name"), str(lay["area_kind"]), line, ons_code=col(row, "area_ons") or None)
            add_rel("CommissionerAssignment", practice, area, line)
        else:
            tally.rejects.append(Rejected(line, "no commissioner code; practice loaded without it", lay["area"], ""))
        if system:
            add_org(system, col(row, "sys_name"), str(lay["sys_kind"]), line, ons_code=col(row, "sys_ons") or None)
            if area:
                add_rel("SystemMembership", area, system, line)
        if region:
            add_org(region, col(row, "region_name"), "NHSEnglandRegion", line, ons_code=col(row, "region_ons") or None)
            if system:
                add_rel("RegionMembership", system, region, line)
        pcn, pcn_name = col(row, "pcn"), col(row, "pcn_name")
        if is_placeholder_pcn(pcn, pcn_name):
            tally.rejects.append(
                Rejected(line, "placeholder PCN code (practice in no PCN); membership not loaded", lay["pcn"], pcn)
            )
        else:
            add_org(pcn, pcn_name, "PrimaryCareNetwork", line)
            add_rel("PCNMembership", practice, pcn, line)

    if tally.rows == 0:
        raise no_data_rows(path, "a practice mapping file")
    if vintage is None:
        raise refuse(path, "no row with a readable extract date", line=2, field="EXTRACT_DATE")
    source = file_source(path, KIND if layout_name != "qof" else "qof-mapping", vintage, TITLES[layout_name])
    return ImportResult(
        source=source, organisations=list(orgs.values()), relations=list(relations.values()), rejects=tally.rejects,
        rows=tally.rows,
    )
