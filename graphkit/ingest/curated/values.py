"""One value of a curated table read by its column's kind (:data:`graphkit.ingest.curated.tables.TABLES`): a date,
a code, an amount, a term of the ontology... or a problem naming the file, the line and the column."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from graphkit.errors import InputProblem
from graphkit.ingest.curated.tables import (
    AMOUNT,
    APPOINTMENT,
    ARENAS,
    CONTRACT_ID,
    DATE,
    FICTIONAL_CODE,
    HOOD_MODES,
    ODS_CODE,
    PERSON_ID,
    PROJECT_CODE,
    SCHEMES,
    SEED_CITATION,
    Column,
    concept_of,
    function_concept,
    vocabulary,
)
from graphkit.ingest.importers.files import excerpt


def iso_date(text: str) -> dt.date | None:
    """A real date written YYYY-MM-DD, or None."""
    if not DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


_BAD = object()  # what _parse gives for a value it refused (None is an empty optional value)


def _parse(column: Column, value: str, file: str, line: int, problems: list[InputProblem]) -> Any:
    """``value`` read by the kind of ``column``; or :data:`_BAD`, with a problem naming ``file``, ``line``, the
    column and an excerpt of the value."""
    def bad(message: str) -> object:
        problems.append(InputProblem(file, line, column.name, message, excerpt(value)))
        return _BAD

    if value == "":
        return bad("a value is required") if column.required else None
    kind = column.kind
    if kind == "date":
        if not DATE.match(value):
            return bad("not a date written YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return bad("not a real date")
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            return bad("expected true or false")
        return value.lower() == "true"
    if kind == "int":
        if not re.match(r"^[0-9]{1,12}$", value):
            return bad("expected a whole number of 0 or more (at most 12 digits)")
        return int(value)
    if kind == "decimal":
        if not AMOUNT.match(value):
            return bad("expected an amount such as 125000, 125,000 or 125000.50")
        return float(value.replace(",", ""))
    if kind == "code":
        if not (FICTIONAL_CODE.match(value) or PROJECT_CODE.match(value) or ODS_CODE.match(value)):
            return bad("not an organisation code: an ODS code (upper-case letters and digits), ZZF-... or ZZN-...")
        return value
    if kind == "person":
        if not PERSON_ID.match(value):
            return bad("not a person id: GMC- and 7 digits, ZZP-... (fictional) or ZZQ-... (project-issued)")
        return value
    if kind in ("contract_id", "contract_ref"):
        if not CONTRACT_ID.match(value):
            return bad("a contract id is letters, digits, '.', '_' or '-'")
        return value
    if kind == "sources":
        parts = tuple(p.strip() for p in value.split(";") if p.strip())
        for p in parts:
            if re.match(r"^[0-9]{3}:", p) and not SEED_CITATION.match(p):
                return bad("a seed citation is NNN:LINE or NNN:FIRST-LAST, e.g. 004:190-198")
            m = SEED_CITATION.match(p)
            if m and "-" in p.split(":")[1]:
                first, last = (int(x) for x in p.split(":")[1].split("-"))
                if last < first:
                    return bad("a citation's line range runs backwards")
        return parts
    allowed: tuple[str, ...] | None = None
    if kind == "appointment":
        allowed = APPOINTMENT
    elif kind == "hood_mode":
        allowed = HOOD_MODES
    elif kind == "arena":
        allowed = ARENAS
    elif kind == "horizon":
        allowed = ("future", "operational")
    elif kind == "codes":
        parts = tuple(p.strip() for p in value.split(";") if p.strip())
        for p in parts:
            if not (FICTIONAL_CODE.match(p) or PROJECT_CODE.match(p) or ODS_CODE.match(p)):
                return bad(f"not an organisation code: {excerpt(p)} (ODS code, ZZF-... or ZZN-...; several "
                           "separated by ';')")
        if len(set(parts)) != len(parts):
            return bad("a code is listed twice")
        return parts
    elif kind == "function":
        known = vocabulary()["function_notations"]
        if value not in known:
            return bad(f"not a central function; one of: {', '.join(known)}")
        return function_concept(value)
    elif kind == "exit_costs":
        parts = tuple(p.strip() for p in value.split(";") if p.strip())
        known = vocabulary()["exit_cost_notations"]
        for p in parts:
            if p not in known:
                return bad(f"not an exit cost; one of: {', '.join(known)}")
        return tuple(concept_of("exit_cost", p) for p in parts)
    elif kind in SCHEMES:
        known = vocabulary()[f"{kind}_notations"]
        if value not in known:
            return bad(f"not a {column.name}; one of: {', '.join(known)}")
        return concept_of(kind, value)
    elif kind == "functions":
        parts = tuple(p.strip() for p in value.split(";") if p.strip())
        known = vocabulary()["function_notations"]
        for p in parts:
            if p not in known:
                return bad(f"not a central function; one of: {', '.join(known)}")
        return tuple(function_concept(p) for p in parts)
    elif kind in vocabulary():
        allowed = vocabulary()[kind]
    if allowed is not None:
        if value not in allowed:
            shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
            return bad(f"not a {column.name} the ontology knows; one of: {shown}")
        return value
    return value
