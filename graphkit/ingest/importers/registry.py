"""Recognise an input file's kind from its shape, and read it with the right importer.

A file that matches no known shape is refused with a clear message; nothing guesses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from graphkit.core.model import ImportResult
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.importers import epcn, gp_reg_map, ods_legacy, ons_icb, payments
from graphkit.ingest.importers.common import check_input_path, check_text, csv_rows, refuse

KINDS = ("epraccur", "eccg", "etr", "epcn", "gp-reg-pat-prac-map", "qof-mapping", "nhs-payments-gp", "ons-icb")


def recognise(path: Path) -> str:
    """The kind of an input file, from its content (not its name). The file is checked first (a regular
    file, UTF-8 text, an intact gzip: :func:`check_input_path`, :func:`check_text`), so a damaged file is
    reported as damaged, not as unrecognised; an unrecognised file's content is never quoted."""
    check_input_path(path)
    if path.stat().st_size == 0:
        raise refuse(path, "empty file")
    if epcn.is_xlsx(path):
        if epcn.recognise_xlsx(path):
            return "epcn"
        raise refuse(path, "unrecognised workbook: no ePCN sheet", line=1)
    check_text(path)
    try:
        _, header = next(csv_rows(path, check=False))  # the importer checks the cells, naming columns
    except StopIteration:
        raise refuse(path, "empty file") from None
    if not any(c.strip() for c in header):
        raise refuse(path, "the first line is blank: a header or a first row was expected", line=1)
    layout = gp_reg_map.layout_of(header)
    if layout is not None:
        return "qof-mapping" if layout == "qof" else "gp-reg-pat-prac-map"
    if epcn.header_kind(header):
        return "epcn"
    if payments.recognise(header):
        return "nhs-payments-gp"
    if ons_icb.recognise(header):
        return "ons-icb"
    legacy = ods_legacy.sniff(path)
    if legacy:
        return legacy
    raise refuse(path, f"unrecognised file: its shape matches no known NHS file kind ({', '.join(KINDS)})", line=1)


def reader(
    kind: str, *, vintage: dt.date | None = None, financial_year: str | None = None
) -> Callable[[Path], ImportResult]:
    if kind in ("epraccur", "eccg", "etr"):
        return lambda p: ods_legacy.read(p, vintage=vintage, kind=kind)
    if kind == "epcn":
        return lambda p: epcn.read(p, vintage=vintage)
    if kind in ("gp-reg-pat-prac-map", "qof-mapping"):
        return lambda p: gp_reg_map.read(p, vintage=vintage)
    if kind == "nhs-payments-gp":
        return lambda p: payments.read(p, financial_year=financial_year)
    if kind == "ons-icb":
        return lambda p: ons_icb.read(p, vintage=vintage)
    raise InputError(InputProblem(kind, None, None, "unknown file kind"))


def read_file(path: Path, *, vintage: dt.date | None = None, financial_year: str | None = None) -> ImportResult:
    return reader(recognise(path), vintage=vintage, financial_year=financial_year)(path)
