"""ONS Open Geography list of ICB names and codes (e.g. ICB24CD, ICB24CDH, ICB24NM).

Gives each ICB's ODS code (the ``...CDH`` column), ONS code and name, as listed in that release.
The vintage comes from the file name (``_dec_2024``, ``_2024-12``) or ``--vintage``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from graphkit.core.model import ImportResult, Organisation, RoleHolding
from graphkit.core.nhs import ICB_DAY, ICB_RULE
from graphkit.ingest.importers.common import (
    bad_code,
    data_rows,
    file_source,
    no_data_rows,
    read_header,
    refuse,
    require_vintage,
    vintage_from_name,
)

_HEADER = re.compile(r"^ICB(\d{2})(CD|CDH|NM)$")
_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


_ONS_ICB = re.compile(r"^E54\d{6}$")
_ODS_ICB = re.compile(r"^[A-Z0-9]{3,5}$")


def recognise(header: list[str]) -> bool:
    h = [c.strip().upper() for c in header]
    found = {m.group(2) for m in (_HEADER.match(x) for x in h) if m}
    return found == {"CD", "CDH", "NM"}


def _vintage(path: Path) -> dt.date | None:
    m = re.search(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[_-]?(20\d{2})", path.name.lower())
    if m:
        return dt.date(int(m.group(2)), _MONTHS[m.group(1)], 1)
    return vintage_from_name(path)


def read(path: Path, *, vintage: dt.date | None = None) -> ImportResult:
    vintage = vintage or _vintage(path)
    vintage = require_vintage(path, vintage, "name it *_dec_2024.csv (month and year) or pass --vintage YYYY-MM-DD")
    header, rows = read_header(path, "an ONS ICB list")
    if not recognise(header):
        raise refuse(path, "not an ONS ICB names and codes header", line=1)
    h = [c.strip().upper() for c in header]
    i_ons = next(i for i, c in enumerate(h) if _HEADER.match(c) and c.endswith("CD"))
    i_ods = next(i for i, c in enumerate(h) if _HEADER.match(c) and c.endswith("CDH"))
    i_name = next(i for i, c in enumerate(h) if _HEADER.match(c) and c.endswith("NM"))
    result = ImportResult(source=file_source(path, "ons-icb", vintage, "ICB names and codes",
                                             publisher="Office for National Statistics (ONS Open Geography)"))
    for line, cells in data_rows(rows, result, columns=len(h)):
        ons, ods, name = cells[i_ons], cells[i_ods], cells[i_name]
        if bad_code(result, line, ons, _ONS_ICB, "not an ONS ICB code (E54 + 6 digits)", h[i_ons]):
            continue
        if bad_code(result, line, ods, _ODS_ICB, "not an ODS ICB code", h[i_ods]):
            continue
        result.organisations.append(
            Organisation(code=ods, name=name, kinds=("IntegratedCareBoard",), line=line, ons_code=ons)
        )
        result.roles.append(RoleHolding(ods, "RO318", line, ICB_DAY, None, derived_from_rule=ICB_RULE))
    if result.rows == 0:
        raise no_data_rows(path, "an ONS ICB list")
    return result
