"""'Patients Registered at a GP Practice' mapping file (gp-reg-pat-prac-map.csv), NHS England.

One row per practice with registered patients in the month: practice -> PCN -> CCG/sub-ICB
location -> STP/ICB -> NHS England commissioning region. The file states no start or end
dates: every tie is *observed* to hold on the extract date, and is recorded as such.

Placeholder PCN codes ('U', 'U00000', blank: the practice is in no PCN) are reported and not
loaded as PCNs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graphkit.errors import InputError, InputProblem
from graphkit.importers.common import NHS_ENGLAND, OGL, csv_rows, parse_extract_date, sha256_of, stem
from graphkit.model import ImportResult, Organisation, Rejected, Relation, Source

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


def recognise(header: list[str]) -> bool:
    h = [c.strip().upper() for c in header]
    return h in (CCG_ERA, ICB_ERA)


def is_placeholder_pcn(code: str) -> bool:
    c = code.strip().upper()
    return c in {"", "U"} or (c.startswith("U") and set(c[1:]) == {"0"})


def read(path: Path) -> ImportResult:
    rows = csv_rows(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise InputError(InputProblem(str(path), 1, None, "empty file")) from None
    header = [c.strip().upper() for c in header]
    if not recognise(header):
        raise InputError(InputProblem(str(path), 1, None, "not a gp-reg-pat-prac-map header"))
    icb_era = header == ICB_ERA
    area_kind, area_col = ("SubICBLocation", "SUB_ICB_LOCATION") if icb_era else ("ClinicalCommissioningGroup", "CCG")
    sys_kind, sys_col = (
        ("IntegratedCareBoard", "ICB") if icb_era else ("SustainabilityAndTransformationPartnership", "STP")
    )

    orgs: dict[str, Organisation] = {}
    relations: dict[tuple[str, str, str], Relation] = {}
    rejects: list[Rejected] = []
    vintage: dt.date | None = None
    n = 0

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

    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        n += 1
        if len(cells) != len(header):
            rejects.append(Rejected(line, f"expected {len(header)} columns, found {len(cells)}"))
            continue
        row = {k: v.strip() for k, v in zip(header, cells, strict=True)}
        try:
            row_date = parse_extract_date(row["EXTRACT_DATE"])
        except ValueError:
            rejects.append(Rejected(line, "unreadable extract date", "EXTRACT_DATE", row["EXTRACT_DATE"]))
            continue
        if vintage is None:
            vintage = row_date
        elif row_date != vintage:
            rejects.append(
                Rejected(line, f"extract date differs from the file's {vintage}", "EXTRACT_DATE", row["EXTRACT_DATE"])
            )
            continue
        practice = row["PRACTICE_CODE"]
        if not practice:
            rejects.append(Rejected(line, "no practice code", "PRACTICE_CODE", ""))
            continue
        area, system, region = row[f"{area_col}_CODE"], row[f"{sys_col}_CODE"], row["COMM_REGION_CODE"]
        add_org(practice, row["PRACTICE_NAME"], "GPPractice", line, postcode=row["PRACTICE_POSTCODE"] or None)
        if area:
            add_org(area, row[f"{area_col}_NAME"], area_kind, line, ons_code=row[f"ONS_{area_col}_CODE"] or None)
            add_rel("CommissionerAssignment", practice, area, line)
        else:
            rejects.append(Rejected(line, "no commissioner code; practice loaded without it", f"{area_col}_CODE", ""))
        if system:
            add_org(system, row[f"{sys_col}_NAME"], sys_kind, line, ons_code=row[f"ONS_{sys_col}_CODE"] or None)
            if area:
                add_rel("AreaInSystem", area, system, line)
        if region:
            add_org(
                region, row["COMM_REGION_NAME"], "NHSEnglandRegion", line, ons_code=row["ONS_COMM_REGION_CODE"] or None
            )
            if system:
                add_rel("SystemInRegion", system, region, line)
        pcn = row["PCN_CODE"]
        if is_placeholder_pcn(pcn):
            rejects.append(
                Rejected(line, "placeholder PCN code (practice in no PCN); membership not loaded", "PCN_CODE", pcn)
            )
        else:
            add_org(pcn, row["PCN_NAME"], "PrimaryCareNetwork", line)
            add_rel("PCNMembership", practice, pcn, line)

    if vintage is None:
        raise InputError(InputProblem(str(path), 2, "EXTRACT_DATE", "no data rows"))
    source = Source(
        slug=stem(path),
        file_name=path.name,
        kind=KIND,
        vintage=vintage,
        sha256=sha256_of(path),
        publisher=NHS_ENGLAND,
        licence=OGL,
        title="Patients Registered at a GP Practice: mapping",
    )
    return ImportResult(
        source=source, organisations=list(orgs.values()), relations=list(relations.values()), rejects=rejects, rows=n
    )
