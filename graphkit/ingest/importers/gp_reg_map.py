"""'Patients Registered at a GP Practice' mapping file (gp-reg-pat-prac-map.csv), NHS England.

One row per practice with registered patients in the month: practice -> PCN -> CCG/sub-ICB
location -> STP/ICB -> NHS England commissioning region. The file states no start or end
dates: every tie is *observed* to hold on the extract date, and is recorded as such.

Placeholder PCN codes ('U', 'U00000', blank: the practice is in no PCN) are reported and not
loaded as PCNs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from graphkit.core.model import ImportResult, Organisation, Rejected, Relation, Source
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.importers.common import (
    NHS_ENGLAND,
    OGL,
    BadCell,
    Rows,
    data_rows,
    no_data_rows,
    parse_extract_date,
    read_header,
    sha256_of,
    stem,
)

KIND = "gp-reg-pat-prac-map"

CCG_ERA = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PRACTICE_POSTCODE",
    "PCN_CODE",
    "PCN_NAME",
    "ONS_CCG_CODE",
    "CCG_CODE",
    "CCG_NAME",
    "ONS_STP_CODE",
    "STP_CODE",
    "STP_NAME",
    "ONS_COMM_REGION_CODE",
    "COMM_REGION_CODE",
    "COMM_REGION_NAME",
]
ICB_ERA = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "PRACTICE_POSTCODE",
    "PCN_CODE",
    "PCN_NAME",
    "ONS_SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ONS_ICB_CODE",
    "ICB_CODE",
    "ICB_NAME",
    "ONS_COMM_REGION_CODE",
    "COMM_REGION_CODE",
    "COMM_REGION_NAME",
    "SUPPLIER_NAME",
]
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

# Per layout: column of each level's code, name and ONS code.
Layout = dict[str, str | None]
LAYOUTS: dict[str, Layout] = {
    "ccg": {
        "area_kind": "ClinicalCommissioningGroup",
        "area": "CCG_CODE",
        "area_name": "CCG_NAME",
        "area_ons": "ONS_CCG_CODE",
        "sys_kind": "SustainabilityAndTransformationPartnership",
        "sys": "STP_CODE",
        "sys_name": "STP_NAME",
        "sys_ons": "ONS_STP_CODE",
        "region": "COMM_REGION_CODE",
        "region_name": "COMM_REGION_NAME",
        "region_ons": "ONS_COMM_REGION_CODE",
        "pcn": "PCN_CODE",
        "pcn_name": "PCN_NAME",
        "postcode": "PRACTICE_POSTCODE",
    },
    "icb": {
        "area_kind": "SubICBLocation",
        "area": "SUB_ICB_LOCATION_CODE",
        "area_name": "SUB_ICB_LOCATION_NAME",
        "area_ons": "ONS_SUB_ICB_LOCATION_CODE",
        "sys_kind": "IntegratedCareBoard",
        "sys": "ICB_CODE",
        "sys_name": "ICB_NAME",
        "sys_ons": "ONS_ICB_CODE",
        "region": "COMM_REGION_CODE",
        "region_name": "COMM_REGION_NAME",
        "region_ons": "ONS_COMM_REGION_CODE",
        "pcn": "PCN_CODE",
        "pcn_name": "PCN_NAME",
        "postcode": "PRACTICE_POSTCODE",
    },
    "qof": {
        "area_kind": "ClinicalCommissioningGroup",
        "area": "CCG_ODS_CODE",
        "area_name": "CCG_NAME",
        "area_ons": "CCG_ONS_CODE",
        "sys_kind": "SustainabilityAndTransformationPartnership",
        "sys": "STP_ODS_CODE",
        "sys_name": "STP_NAME",
        "sys_ons": "STP_ONS_CODE",
        "region": "REGION_ODS_CODE",
        "region_name": "REGION_NAME",
        "region_ons": "REGION_ONS_CODE",
        "pcn": "PCN_ODS_CODE",
        "pcn_name": "PCN_NAME",
        "postcode": None,
    },
}


def layout_of(header: list[str]) -> str | None:
    h = [c.strip().upper() for c in header]
    return {tuple(CCG_ERA): "ccg", tuple(ICB_ERA): "icb", tuple(QOF): "qof"}.get(tuple(h))


def recognise(header: list[str]) -> bool:
    return layout_of(header) is not None


def is_placeholder_pcn(code: str, name: str = "") -> bool:
    """'U' / blank / named 'Unallocated': the practice is in no PCN. (U00000 is a real PCN: West Norwich.)"""
    return code.strip().upper() in {"", "U"} or name.strip().lower() == "unallocated"


def read(path: Path, *, vintage: dt.date | None = None) -> ImportResult:
    header, rows = read_header(path, "a practice mapping file")
    header = [c.strip().upper() for c in header]
    layout_name = layout_of(header)
    if layout_name is None:
        raise InputError(InputProblem(str(path), 1, None, "not a practice-mapping header"))
    lay = LAYOUTS[layout_name]
    if layout_name == "qof":
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", path.name)
        vintage = vintage or (dt.date(int(m.group(1)), 3, 31) if m else None)
        if vintage is None:
            raise InputError(
                InputProblem(
                    str(path),
                    None,
                    None,
                    "the QOF year is not in the file name (e.g. *_2021.csv); pass --vintage YYYY-MM-DD",
                )
            )

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
                tally.rejects.append(Rejected(line, bad.reason, bad.field, bad.value))
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
        if practice in practices:
            first = practices[practice]
            tally.rejects.append(Rejected(line, f"practice listed twice in the file (line {first}); first row kept",
                                          "PRACTICE_CODE", practice))
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
        raise InputError(InputProblem(str(path), 2, "EXTRACT_DATE", "no row with a readable extract date"))
    titles = {
        "ccg": "Patients Registered at a GP Practice: mapping (CCG era)",
        "icb": "Patients Registered at a GP Practice: mapping (ICB era)",
        "qof": "QOF mapping of NHS geographies",
    }
    source = Source(
        slug=stem(path),
        file_name=path.name,
        kind=KIND if layout_name != "qof" else "qof-mapping",
        vintage=vintage,
        sha256=sha256_of(path),
        publisher=NHS_ENGLAND,
        licence=OGL,
        title=titles[layout_name],
    )
    return ImportResult(
        source=source, organisations=list(orgs.values()), relations=list(relations.values()), rejects=tally.rejects,
        rows=tally.rows,
    )
