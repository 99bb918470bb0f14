"""An area's CSV tables as a Frictionless data package: ``GET /export?format=datapackage`` and
``graphkit export --within CODE --as-of DATE --format datapackage -o DIR|FILE.zip``.

The package is ``datapackage.json`` beside the CSV files it describes (https://datapackage.org):

- ``organisations.csv`` and ``ties.csv``: the tables of :func:`graphkit.outputs.area.to_csv`, byte for byte;
- ``sources.csv``: every input file the store was built from (file name, kind, vintage, publisher, licence,
  title, SHA-256), which the ties' ``sources`` column names by slug;

each with a Table Schema (field names, types, descriptions, the primary key and the foreign keys that hold), its
size and SHA-256; the package names the area and date, its licences (the Open Government Licence v3.0 for the
NHS files; each other licence in its source's words, as ``notspecified``) and its sources (the same input files).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graphkit.core.model import Source
from graphkit.outputs.area import ORGANISATION_COLUMNS, TIE_COLUMNS, AreaGraph, cell, to_csv

OGL = "Open Government Licence v3.0"
OGL_LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": OGL,
}
#: How a licence other than the OGL is named (the Open Definition's id for a licence it does not list); its title
#: is the licence in its source's own words (the case studies: the report's terms).
OTHER_LICENCE = "notspecified"
SOURCE_COLUMNS = ("slug", "file_name", "kind", "vintage", "publisher", "licence", "title", "sha256")
DESCRIPTOR = "datapackage.json"
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # every member's time stamp: the same package gives the same bytes

_TEXT = {"type": "string"}
_DATE = {"type": "date", "format": "default"}
_CODE = "an organisation code: ODS, or one the project issues (docs/data.md)"


def _field(name: str, kind: Mapping[str, Any], description: str, **constraints: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, **kind, "description": description}
    if constraints:
        out["constraints"] = constraints
    return out


ORGANISATION_FIELDS = (
    _field("code", _TEXT, f"The organisation's code ({_CODE}).", required=True, unique=True),
    _field("name", _TEXT, "Its name as the newest file gives it."),
    _field("kinds", _TEXT, "Its kinds on the date, classes of the ontology (pcg:GPPractice, ...), '; '-joined."),
    _field("level", _TEXT, "Its level in the commissioning hierarchy on the date.",
           enum=["practice", "PCN", "commissioner", "system", "region", "organisation"]),
    _field("start", _DATE, "The day it opened; empty when no file says."),
    _field("end", _DATE, "The day it closed; empty while open."),
    _field("list_size", {"type": "integer"}, "Registered patients as known on the date: the list size in NHS "
           "Payments to General Practice of the latest financial year that starts on or before the date (the "
           "year is list_size_year); for an organisation without one, the size a curated table states; empty "
           "when neither is known.", minimum=0),
    _field("list_size_year", _TEXT, "The financial year (YYYY-YY) of list_size; empty for a curated figure.",
           pattern=r"[0-9]{4}-[0-9]{2}"),
)
TIE_FIELDS = (
    _field("kind", _TEXT, "The tie's class in the ontology (PCNMembership, CommissionerAssignment, ...)."),
    _field("member", _TEXT, f"The member's code ({_CODE}).", required=True),
    _field("member_name", _TEXT, "The member's name."),
    _field("organisation", _TEXT, f"The organisation it is a member of, by code ({_CODE}).", required=True),
    _field("organisation_name", _TEXT, "That organisation's name."),
    _field("start", _DATE, "The day the tie began; empty when no file says."),
    _field("end", _DATE, "The day it ended; empty while it holds."),
    _field("derived", {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
           "true when merging the files derived the tie's period rather than a file stating it."),
    _field("sources", _TEXT, "The input files stating the tie, by slug (sources.csv), '; '-joined."),
)
SOURCE_FIELDS = (
    _field("slug", _TEXT, "The file's identifier in the graph (https://w3id.org/pcgraph/id/source/SLUG).",
           required=True, unique=True),
    _field("file_name", _TEXT, "The file as it was read."),
    _field("kind", _TEXT, "Which importer read it (epraccur, epcn, nhs-payments-gp, curated-ties, ...)."),
    _field("vintage", _DATE, "The date the file describes (its extract or publication date)."),
    _field("publisher", _TEXT, "Who published it."),
    _field("licence", _TEXT, "Its licence as its publisher states it."),
    _field("title", _TEXT, "What it is."),
    _field("sha256", _TEXT, "The SHA-256 of the file read.", pattern="[0-9a-f]{64}"),
)

assert tuple(f["name"] for f in ORGANISATION_FIELDS) == ORGANISATION_COLUMNS
assert tuple(f["name"] for f in TIE_FIELDS) == TIE_COLUMNS


def sources_csv(sources: Sequence[Source]) -> bytes:
    """The input files as CSV, one row each, by slug; text neutralised as in every CSV export."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(SOURCE_COLUMNS)
    for s in sorted(sources, key=lambda s: s.slug):
        writer.writerow([cell(getattr(s, c)) for c in SOURCE_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _licences(sources: Sequence[Source]) -> list[dict[str, str]]:
    texts = sorted({s.licence for s in sources})
    out = [OGL_LICENCE] if OGL in texts else []
    out += [{"name": OTHER_LICENCE, "title": text} for text in texts if text != OGL]
    return out


def _resource(name: str, data: bytes, title: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": schema,
    }


def package(area: AreaGraph, sources: Sequence[Source]) -> dict[str, bytes]:
    """The data package of an area: file name -> bytes, ``datapackage.json`` first."""
    where = area.within or "england"
    tables = {
        "organisations": to_csv(area, "organisations"),
        "ties": to_csv(area, "ties"),
        "sources": sources_csv(sources),
    }
    code_key = {"resource": "organisations", "fields": "code"}
    resources = [
        _resource("organisations", tables["organisations"], "Organisations",
                  f"The organisations open on {area.as_of} within {where}, one row each, with their kinds and level "
                  "on the date and their list size as known on the date.",
                  {"fields": list(ORGANISATION_FIELDS), "primaryKey": ["code"]}),
        _resource("ties", tables["ties"], "Ties",
                  f"The ties holding on {area.as_of} with both ends among the organisations, one row each.",
                  {"fields": list(TIE_FIELDS), "foreignKeys": [
                      {"fields": ["member"], "reference": {**code_key, "fields": ["code"]}},
                      {"fields": ["organisation"], "reference": {**code_key, "fields": ["code"]}},
                  ]}),
        _resource("sources", tables["sources"], "Sources",
                  "The input files the graph was built from, one row each.",
                  {"fields": list(SOURCE_FIELDS), "primaryKey": ["slug"]}),
    ]
    descriptor = {
        "name": f"pcgraph-{where.lower()}-{area.as_of.isoformat()}",
        "title": f"England's primary-care organisations: {where} on {area.as_of.isoformat()}",
        "description": f"The organisations open on {area.as_of} within {where} (the area and everything below it on "
                       "that date) and the ties among them, from the open knowledge graph of England's primary-care "
                       "organisations (graphkit), with the input files it was built from.",
        "homepage": "https://w3id.org/pcgraph/",
        "keywords": ["NHS", "primary care", "general practice", "ODS", "organisations"],
        "licenses": _licences(sources),
        "sources": [
            {"title": s.title or s.file_name, "path": s.file_name, "publisher": s.publisher, "vintage":
             s.vintage.isoformat(), "licence": s.licence}
            for s in sorted(sources, key=lambda s: s.slug)
        ],
        "resources": resources,
    }
    files = {DESCRIPTOR: (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    files.update({f"{name}.csv": data for name, data in tables.items()})
    return files


def to_zip(files: Mapping[str, bytes]) -> bytes:
    """The package as one zip, its files at the top, deflated, with fixed time stamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buffer.getvalue()


def write(files: Mapping[str, bytes], output: Path) -> Path:
    """The package written to ``output``: a zip when it ends in ``.zip``, else a directory (made if missing)
    holding the files. Returns what was written."""
    if output.suffix.lower() == ".zip":
        output.write_bytes(to_zip(files))
        return output
    output.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (output / name).write_bytes(data)
    return output / DESCRIPTOR
