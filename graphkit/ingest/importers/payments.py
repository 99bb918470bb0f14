"""NHS Payments to General Practice (practice level), one file per financial year.

Gives, per practice and year: contract type (GMS / PMS / APMS / Unknown), commissioner (CCG or
sub-ICB location), PCN, dispensing, practice type, rurality, list sizes, and the amount paid for
each enhanced service and scheme. Known quirks, handled here:

- the 2022-23 header is misaligned: columns 3-6 are headed "CCG Code, Sub ICB NAME, Code, CCG NAME"
  but hold the sub-ICB code and name and the PCN code and name; columns are read by position
  after the header has been matched against the known variants;
- some headers start with a UTF-8 byte-order mark;
- "Unknown" is spelled UNKNOWN in some years: kept, normalised to "Unknown", never dropped.

The financial year is not in the file: it comes from the file name (``_2019-20``) or
``--financial-year``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from graphkit.core.model import (
    ContractFact,
    ImportResult,
    Organisation,
    RegionObservation,
    Rejected,
    Relation,
    ServicePayment,
)
from graphkit.ingest.importers.common import (
    PCN_CODE,
    REGION_CODE,
    BadCell,
    bad_or_listed_before,
    data_rows,
    excerpt,
    file_source,
    no_data_rows,
    parse_dmy,
    parse_span,
    read_header,
    refuse,
)

# The first 17 columns, by position, as headed in the different years.
LEADING = [
    ("nhs england (region) code",),
    ("nhs england (region) name",),
    ("ccg code",),
    ("ccg name", "sub icb name"),
    ("pcn code", "code"),
    ("pcn name", "ccg name"),
    ("practice code",),
    ("practice name",),
    ("practice address",),
    ("practice postcode",),
    ("practice open date",),
    ("practice close date",),
    ("contract type",),
    ("dispensing practice",),
    ("practice type",),
    ("practice rurality",),
    ("atypical characteristics",),
]
LIST_SIZE = "number of registered patients (last known figure)"
WEIGHTED = "number of weighted patients (last known figure)"
TOTAL = "total nhs payments to general practice"
# Enhanced services and schemes: column heading -> service concept (ontology local name).
SERVICES = {
    "total qof payments": "QualityAndOutcomesFramework",
    "childhood vaccination and immunisation scheme": "ChildhoodImmunisationScheme",
    "gp extended hours access": "ExtendedHours",
    "influenza and pneumococcal immunisations": "InfluenzaImmunisation",
    "learning disabilities": "LearningDisabilitiesHealthCheck",
    "meningitis": "MeningitisImmunisation",
    "minor surgery": "MinorSurgery",
    "out of area in hours urgent care": "OutOfAreaUrgentCare",
    "pertussis": "PertussisImmunisation",
    "rotavirus and shingles immunisation": "RotavirusShinglesImmunisation",
    "services for violent patients": "ViolentPatientsScheme",
    "medical assessment reviews": "MedicalAssessmentReviews",
    "weight management service": "WeightManagementService",
    "total local incentive schemes": "LocalIncentiveSchemes",
    "local incentive schemes": "LocalIncentiveSchemes",
    "pcn participation": "PCNParticipation",
    "pcn extended hours access": "PCNExtendedHoursAccess",
    "pcn enhanced access": "PCNEnhancedAccess",
    "pcn care home premium": "PCNCareHomePremium",
    "pcn investment and impact fund": "InvestmentAndImpactFund",
    "covid immunisation": "CovidImmunisation",
}
CONTRACT_TYPES = {"GMS": "GMS", "PMS": "PMS", "APMS": "APMS", "UNKNOWN": "Unknown"}
_FY = re.compile(r"(?<!\d)(20\d{2})-(\d{2})(?!\d)")
_PCN = PCN_CODE
_PRACTICE = re.compile(r"^[A-Z][0-9A-Z]{4,5}$")
_REGION = REGION_CODE  # NHS England commissioning regions (Y56 London ... Y63), or synthetic YZ..


def _h(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.replace("\ufeff", "")).strip().lower()


def recognise(header: list[str]) -> bool:
    h = [_h(c) for c in header]
    return len(h) >= len(LEADING) and all(h[i] in names for i, names in enumerate(LEADING)) and LIST_SIZE in h


def financial_year_from_name(path: Path) -> str | None:
    for m in _FY.finditer(path.name):
        start, end = int(m.group(1)), int(m.group(2))
        if (start + 1) % 100 == end:
            return f"{start}-{end:02d}"
    return None


def check_financial_year(text: str) -> str:
    """A financial year written YYYY-YY with consecutive years (2019-20); ValueError otherwise."""
    m = re.fullmatch(r"(20\d{2})-(\d{2})", text.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"a financial year is written YYYY-YY with consecutive years, e.g. 2019-20, not {text!r}")
    return text.strip()


def _amount(text: str, field: str) -> float | None:
    """An amount or count as the files write it ('1,234.50', '£12'), or None when empty; a finite number."""
    try:
        value = float(text)  # most cells: a plain number (float() allows the spaces around it that strip() takes)
    except ValueError:
        t = text.strip().replace(",", "").replace("£", "")
        if not t:
            return None
        try:
            value = float(t)
        except ValueError:
            raise BadCell(field, text, "not a number") from None
    if not math.isfinite(value) or abs(value) >= 1e15:
        raise BadCell(field, text, "not a finite amount")
    return value


def read(path: Path, *, financial_year: str | None = None) -> ImportResult:
    if financial_year is not None:
        try:
            check_financial_year(financial_year)
        except ValueError as exc:
            raise refuse(path, str(exc), field="--financial-year") from None
    fy = financial_year or financial_year_from_name(path)
    if fy is None:
        raise refuse(path, "the financial year of a payments file is not in the file: name it *_YYYY-YY.csv or pass "
                           "--financial-year YYYY-YY")
    header, rows = read_header(path, "an NHS Payments to General Practice file")
    if not recognise(header):
        raise refuse(path, "not an NHS Payments to General Practice header", line=1)
    h = [_h(c) for c in header]
    misaligned = h[3] == "sub icb name"
    col = {name: i for i, name in enumerate(h)}
    service_cols = [(i, SERVICES[name]) for i, name in enumerate(h) if name in SERVICES]
    shown = [excerpt(c.replace("\ufeff", "").strip()) for c in header]  # column names for messages
    vintage_year = int(fy[:4]) + 1
    title = f"NHS Payments to General Practice {fy}" + (" (misaligned header read by position)" if misaligned else "")
    source = file_source(path, "nhs-payments-gp", dt.date(vintage_year, 3, 31), title)
    result = ImportResult(source=source)
    seen: set[str] = set()
    orgs: set[str] = set()
    regions: set[tuple[str, str]] = set()  # (commissioner, region) pairs observed, each once
    year_end = source.vintage
    for line, c in data_rows(rows, result, columns=len(header)):
        practice = c[6]
        if bad_or_listed_before(result, line, practice, _PRACTICE, seen, "Practice Code",
                                malformed="malformed practice code",
                                twice="practice listed twice in the year; first row kept"):
            continue
        ctype = CONTRACT_TYPES.get(c[12].upper())
        if ctype is None:
            result.rejects.append(Rejected(line, "unknown contract type", "Contract Type", c[12]))
            continue
        try:
            opened, closed = parse_span(c[10], c[11], ("Practice Open Date", "Practice Close Date"),
                                        "close date before open date", parse_dmy)
            list_size = _amount(c[col[LIST_SIZE]], shown[col[LIST_SIZE]])
            weighted = _amount(c[col[WEIGHTED]], shown[col[WEIGHTED]]) if WEIGHTED in col else None
            total = _amount(c[col[TOTAL]], shown[col[TOTAL]]) if TOTAL in col else None
            amounts = [(svc, _amount(c[i], shown[i])) for i, svc in service_cols]
        except BadCell as bad:
            result.rejects.append(bad.rejected(line))
            continue
        seen.add(practice)
        dispensing = {"yes": True, "no": False}.get(c[13].lower())
        commissioner = c[2] or None
        result.contracts.append(
            ContractFact(practice=practice, financial_year=fy, contract_type=ctype, commissioner=commissioner,
                         line=line, dispensing=dispensing, list_size=list_size, weighted_list_size=weighted,
                         rurality=c[15] or None, practice_type=c[14] or None, total_paid=total)
        )
        kinds = ("GPPractice",) if c[14].lower() == "gp practice" else ("PrescribingCostCentre",)
        if practice not in orgs:
            orgs.add(practice)
            result.organisations.append(
                Organisation(
                    code=practice, name=c[7], kinds=kinds, line=line, postcode=c[9] or None, start=opened, end=closed
                )
            )
        for svc, amount in amounts:
            if amount:
                result.payments.append(ServicePayment(practice, fy, svc, amount, line))
        pcn = c[4]
        observed_on = closed if closed and closed < year_end else year_end
        region = c[0].strip().upper()
        if commissioner and (commissioner, region) not in regions:
            if _REGION.match(region):
                regions.add((commissioner, region))
                result.region_observations.append(RegionObservation(commissioner, region, line, year_end))
            elif region:
                result.rejects.append(Rejected(line, "not an NHS England region code; the region is not used",
                                               shown[0], c[0]))
        if _PCN.match(pcn):
            result.relations.append(Relation("PCNMembership", practice, pcn, line, observed=observed_on))
            if pcn not in orgs:
                orgs.add(pcn)
                result.organisations.append(Organisation(code=pcn, name=c[5], kinds=("PrimaryCareNetwork",), line=line))
        elif pcn:
            result.rejects.append(Rejected(line, "not a PCN code; PCN membership not loaded", "PCN Code", pcn))
    if result.rows == 0:
        raise no_data_rows(path, "an NHS Payments to General Practice file")
    return result
