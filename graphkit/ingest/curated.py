"""Curated inputs: what ODS does not hold (federations, boards, people and posts, contracts and who
delivers under them, lateral ties), kept by users as CSV tables (docs/curated.md).

:func:`write_templates` writes the empty tables, each with comment lines explaining its columns;
:func:`read_curated` reads a directory of them (or one table) into import results, one per table,
checking every row. Problems name the file, the line and the column, and are all reported at once;
a set with any problem loads nothing. Codes are checked against the whole graph at build time
(:func:`check_references`), once the national files and the curated organisations are merged.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.core.model import (
    Agreement,
    Delivery,
    ImportResult,
    LateralTie,
    Organisation,
    Person,
    PostHolding,
    Rejected,
    Relation,
    Source,
)
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.importers.common import CONTROL, MAX_CELL, check_input_dir, check_input_path, excerpt, field_name

CURATED = "curated"
FICTIONAL_CODE = re.compile(r"^ZZF(-[0-9A-Z]+)+$")
PROJECT_CODE = re.compile(r"^ZZN(-[0-9A-Z]+)+$")
ODS_CODE = re.compile(r"^[0-9A-Z]{3,10}$")
PERSON_ID = re.compile(r"^(GMC-[0-9]{7}|ZZP(-[0-9A-Z]+)+|ZZQ(-[0-9A-Z]+)+)$")
SEED_CITATION = re.compile(r"^[0-9]{3}:[0-9]+(-[0-9]+)?$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
CONTRACT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
AMOUNT = re.compile(r"^-?[0-9]{1,3}(,?[0-9]{3}){0,4}(\.[0-9]{1,4})?$")  # finite, under a thousand billion
APPOINTMENT = ("Elected", "CoOpted", "Appointed")
ARENAS = ("members", "contracts", "staff", "leadership")
HOOD_MODES = ("Oversight", "Competition", "Mutuality", "ContrivedRandomness")


# -- the vocabulary the tables may use, from the ontology ----------------------------------------


@functools.cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """Allowed values per kind of column, read from ontology/*.ttl (so they follow the ontology)."""
    from rdflib import RDF, RDFS, Namespace

    from graphkit.core.namespaces import PCG_NS
    from graphkit.ontology.vocabgen import load_ontology

    g = load_ontology()
    org_ns = Namespace("http://www.w3.org/ns/org#")

    def below(*roots: Any) -> set[Any]:
        found = set(roots)
        changed = True
        while changed:
            changed = False
            for s, _, o in g.triples((None, RDFS.subClassOf, None)):
                if o in found and s not in found:
                    found.add(s)
                    changed = True
        return found

    def local(terms: set[Any]) -> tuple[str, ...]:
        ns = str(PCG_NS)
        return tuple(sorted(str(t)[len(ns) :] for t in terms if str(t).startswith(ns)))

    role_classes = below(org_ns.Role)
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    functions = {
        str(n): str(c)[len(str(PCG_NS)) :] for c in g.subjects(skos.inScheme, PCG_NS.CentralFunctionScheme)
        for n in g.objects(c, skos.notation)
    }
    return {
        "organisation": local(below(org_ns.Organization, org_ns.FormalOrganization, org_ns.OrganizationalUnit)),
        "membership": local(below(org_ns.Membership)),
        "contract": local(below(PCG_NS.Contract)),
        "tie": tuple(k for k in local(below(PCG_NS.Tie)) if k != "Tie"),
        "service": local(below(PCG_NS.Service)),
        "role": local({s for c in role_classes for s in g.subjects(RDF.type, c)}),
        "function_notations": tuple(sorted(functions)),
        "function_concepts": tuple(functions[n] for n in sorted(functions)),
    }


def function_concept(notation: str) -> str:
    v = vocabulary()
    return dict(zip(v["function_notations"], v["function_concepts"], strict=True))[notation]


def function_notation(concept: str) -> str:
    v = vocabulary()
    return dict(zip(v["function_concepts"], v["function_notations"], strict=True))[concept]


# -- the tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # code, text, date, bool, int, decimal, person, contract, sources, or a vocabulary key
    required: bool
    help: str


def _c(name: str, kind: str, required: bool, help: str) -> Column:
    return Column(name, kind, required, help)


SOURCE = _c("source", "sources", True, "where the fact comes from: a seed citation NNN:LINE or NNN:FIRST-LAST "
            "(e.g. 004:190-198), a URL or a short reference; several separated by ';'")
NOTE = _c("note", "text", False, "free text (e.g. 'year only: 1 January assumed')")
START = _c("start", "date", False, "first day it holds, YYYY-MM-DD")
END = _c("end", "date", False, "last day it holds, YYYY-MM-DD; empty: still holds")

TABLES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "organisations": (
        "Organisations not in ODS (federations, boards, committees...) or fictional ones; an ODS code may be "
        "listed to add a kind ODS lacks.",
        (
            _c("code", "code", True, "ODS code, or ZZF-... (fictional) / ZZN-... (real, not in ODS)"),
            _c("name", "text", True, "the organisation's name"),
            _c("kind", "organisation", True, "an organisation class of the ontology, e.g. GPFederation"),
            START,
            END,
            _c("fictional", "bool", False, "true for a fictional (case-study) organisation; its code is ZZF-..."),
            _c("list_size", "int", False, "registered patients, as the source states them"),
            _c("central_functions", "functions", False, "functions the centre runs for its members, separated by ';': "
               "cqc_registration, payroll, accounting, intranet, hr, clinical_system, monitoring, governance_team"),
            SOURCE,
            NOTE,
        ),
    ),
    "memberships": (
        "Dated memberships: a practice in a federation, a federation's board, a subfederation group...",
        (
            _c("member", "code", True, "code of the member"),
            _c("organisation", "code", True, "code of the organisation it is a member of"),
            _c("kind", "membership", True, "a membership class, e.g. FederationMembership, UnitMembership"),
            _c("start", "date", True, "first day of the membership, YYYY-MM-DD"),
            END,
            SOURCE,
            NOTE,
        ),
    ),
    "people": (
        "People who hold posts. No personal data beyond a name, posts and dates.",
        (
            _c("person_id", "person", True, "GMC-nnnnnnn, or ZZP-... (fictional) / ZZQ-... (project-issued)"),
            _c("name", "text", True, "the name (for fictional people, a label such as 'Board member A')"),
            _c("fictional", "bool", False, "true for a fictional person; the id is ZZP-..."),
            SOURCE,
            NOTE,
        ),
    ),
    "posts": (
        "Posts held by people in organisations: board and committee seats, lead roles.",
        (
            _c("person_id", "person", True, "a person_id of people.csv"),
            _c("organisation", "code", True, "code of the organisation (board, committee, federation...)"),
            _c("post", "text", False, "the post as the source names it, e.g. 'chair'"),
            _c("role", "role", False, "an ontology role, e.g. BoardChair, CCGGoverningBodyMember (empty: none fits)"),
            _c("represents", "code", False, "code of the organisation the post-holder represents"),
            _c("appointment", "appointment", False, "Elected, CoOpted or Appointed"),
            _c("voting", "bool", False, "true or false: the post carries a vote"),
            START,
            END,
            SOURCE,
            NOTE,
        ),
    ),
    "contracts": (
        "Contracts and subcontracts (the payments files give the practice-year GMS/PMS/APMS contracts).",
        (
            _c("contract_id", "contract_id", True, "an id for this contract, unique in the set"),
            _c("kind", "contract", True, "a contract class, e.g. ServiceContract, Subcontract, CaretakerContract"),
            _c("holder", "code", True, "code of the organisation holding the contract"),
            _c("commissioner", "code", False, "code of the commissioner; empty for a subcontract"),
            _c("service", "service", False, "a service class, e.g. ExtendedAccessService"),
            _c("parent_contract", "contract_ref", False, "a subcontract's parent: a contract_id of this table"),
            START,
            END,
            _c("amount_gbp", "decimal", False, "value in pounds"),
            SOURCE,
            NOTE,
        ),
    ),
    "deliveries": (
        "Organisations delivering a service under a contract another organisation holds.",
        (
            _c("provider", "code", True, "code of the organisation that delivers"),
            _c("contract_id", "contract_ref", True, "a contract_id of contracts.csv (its service is delivered)"),
            START,
            END,
            SOURCE,
            NOTE,
        ),
    ),
    "ties": (
        "Lateral and governance ties between organisations (risk sharing, staff sharing, cover, peer networks, "
        "competition...).",
        (
            _c("from", "code", True, "code of the organisation the tie starts from"),
            _c("to", "code", True, "code of the organisation it points to"),
            _c("kind", "tie", True, "a tie class, e.g. RiskSharingTie, PeerNetworkTie, CompetitionTie"),
            _c("hood_mode", "hood_mode", False, "Oversight, Competition, Mutuality or ContrivedRandomness: "
               "only and always for a GovernanceTie"),
            _c("mechanism", "text", False, "the concrete mechanism, free text"),
            _c("arena", "arena", False, "what a CompetitionTie competes for: members, contracts, staff or leadership"),
            _c("initiated_by", "code", False, "which side started the tie (the code of from or to)"),
            _c("horizon", "horizon", False, "future (builds for the medium or long term) or operational"),
            START,
            END,
            SOURCE,
            NOTE,
        ),
    ),
}


def template_text(table: str) -> str:
    title, columns = TABLES[table]
    lines = [f"# {table}.csv: {title}", "# Lines starting with # are comments. Columns (* = required):"]
    for c in columns:
        lines.append(f"#   {c.name}{' *' if c.required else ''}: {c.help}")
    lines.append("# Optional comment lines read by graphkit: '# vintage: YYYY-MM-DD' (the day the table was last "
                 "checked), '# publisher: ...', '# licence: ...'. See docs/curated.md.")
    lines.append(",".join(c.name for c in columns))
    return "\n".join(lines) + "\n"


def write_templates(directory: Path, *, overwrite: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = directory / f"{table}.csv"
        if path.exists() and not overwrite:
            raise InputError(InputProblem(str(path), None, None, "exists already; not overwritten (--force replaces)"))
        path.write_text(template_text(table), encoding="utf-8")
        written.append(path)
    return written


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class _Table:
    name: str
    path: Path
    rows: list[tuple[int, dict[str, Any]]]
    meta: dict[str, str]
    sha256: str
    dates: list[dt.date]
    repeats: list[Rejected] = field(default_factory=list)  # rows that repeat an earlier row exactly


def is_curated_table(path: Path) -> bool:
    """True when the file is named like a curated table (``organisations.csv``, ``posts.csv`` ...): it is
    then read as one, and a wrong header is reported column by column rather than as an unknown file."""
    return path.suffix == ".csv" and path.stem in TABLES


def _not_a_table(path: Path) -> InputProblem:
    return InputProblem(str(path), None, None, f"not a curated table; the tables are "
                                               f"{', '.join(t + '.csv' for t in TABLES)}")


def _set_files(path: Path, problems: list[InputProblem]) -> list[Path]:
    """The tables of a set (a directory) or the one table named; every *.csv entry of a directory is a
    table, and one that is not a regular file is a problem, not skipped."""
    if path.is_dir():
        check_input_dir(path)
        entries = sorted(p for p in path.iterdir() if p.suffix == ".csv")
        if not entries:
            problems.append(InputProblem(str(path), None, None, "no curated tables (*.csv) in this directory"))
        files = entries
    elif path.exists() or path.is_symlink():
        files = [path]
    else:
        raise InputError(InputProblem(str(path), None, None, "no such file or directory"))
    problems.extend(_not_a_table(p) for p in files if p.stem not in TABLES)
    return files


def read_curated(path: Path) -> list[ImportResult]:
    """One import result per table of a curated set (a directory of tables, or one table). Every problem
    of every table is collected; any problem raises InputError with all of them and nothing is returned.
    A row that repeats an earlier row of its table exactly is loaded once and reported (``rejects``)."""
    path = Path(path)
    problems: list[InputProblem] = []
    files = _set_files(path, problems)
    if problems:
        raise InputError(problems)
    return read_tables(files, path.name if path.is_dir() else path.parent.name)


def read_tables(files: list[Path], set_name: str) -> list[ImportResult]:
    """The tables ``files`` (each checked by :func:`check_input_path`) read as one set named ``set_name``:
    the rules of :func:`read_curated`, every problem of every table raised at once."""
    problems: list[InputProblem] = []
    for p in files:
        try:
            check_input_path(p)
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    tables = [_read_table(p, problems) for p in files]
    results = _records(tables, set_name, problems)
    if problems:
        raise InputError(problems)
    return results


def _decode(path: Path, data: bytes) -> str | InputProblem:
    """The table's text, or a problem naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return InputProblem(str(path), 1, None, "UTF-16 text (it starts with a UTF-16 byte-order mark): save it "
                                                    "as UTF-8")
        line = data.count(b"\n", 0, exc.start) + 1
        return InputProblem(str(path), line, None, f"not UTF-8 text: byte 0x{data[exc.start]:02X} (offset "
                                                   f"{exc.start}) is not UTF-8 (a Latin-1 or Windows file?); "
                                                   "save it as UTF-8")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) split at line feeds only (a CR LF ending is dropped), so that the numbers are
    those an editor shows; other separators (form feed, U+2028 ...) stay in the line, to be refused."""
    for number, raw in enumerate(text.split("\n"), start=1):
        yield number, raw[:-1] if raw.endswith("\r") else raw


def _read_table(path: Path, problems: list[InputProblem]) -> _Table:
    columns = {c.name: c for c in TABLES[path.stem][1]}
    data = path.read_bytes()
    table = _Table(path.stem, path, [], {}, hashlib.sha256(data).hexdigest(), [])
    text = _decode(path, data)
    if isinstance(text, InputProblem):
        problems.append(text)
        return table
    header: list[str] | None = None
    header_line = 0
    problems_before = len(problems)
    first_seen: dict[tuple[str, ...], int] = {}
    for number, raw in _lines(text):
        if raw.startswith("#"):
            _comment(path, number, raw, table.meta, problems)
            continue
        if not raw.strip():
            continue
        values = _values(path, number, raw, header, problems)
        if values is None:
            continue
        if header is None:
            header, header_line = [v.strip() for v in values], number
            _check_header(path, number, header, columns, problems)
            if len(problems) > problems_before:
                return table  # the rows cannot be read against a wrong header
            continue
        if len(values) != len(header):
            problems.append(InputProblem(str(path), number, None,
                                         f"expected {len(header)} values (the header's columns), found {len(values)}"))
            continue
        key = tuple(v.strip() for v in values)
        if key in first_seen:
            table.repeats.append(Rejected(number, f"repeats line {first_seen[key]} exactly; loaded once"))
            continue
        first_seen[key] = number
        row = _row(path, number, header, values, columns, problems)
        if row is not None:
            table.rows.append((number, row))
            table.dates.extend(v for v in row.values() if isinstance(v, dt.date))
    if header is None:
        problems.append(InputProblem(str(path), header_line or None, None, "no header row"))
    return table


def _comment(path: Path, number: int, raw: str, meta: dict[str, str], problems: list[InputProblem]) -> None:
    """A comment line: refused if it holds a control character; '# vintage|publisher|licence: ...' kept."""
    bad = CONTROL.search(raw)
    if bad:
        problems.append(InputProblem(str(path), number, None, f"control character U+{ord(bad.group()):04X} in a "
                                                              "comment line", excerpt(raw)))
        return
    m = re.match(r"^#\s*(vintage|publisher|licence)\s*:\s*(.+?)\s*$", raw)
    if not m:
        return
    meta[m.group(1)] = m.group(2)
    if m.group(1) == "vintage" and _iso_date(m.group(2)) is None:
        problems.append(InputProblem(str(path), number, "vintage", "the '# vintage:' comment must be a real date "
                                                                   "written YYYY-MM-DD", excerpt(m.group(2))))


def _iso_date(text: str) -> dt.date | None:
    """A real date written YYYY-MM-DD, or None."""
    if not DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _values(path: Path, number: int, raw: str, header: list[str] | None,
            problems: list[InputProblem]) -> list[str] | None:
    """The values of one line, or None (and a problem) when the line cannot be read: a CSV error, a cell
    over the size limit, a control character (named by its column)."""
    try:
        values = next(csv.reader([raw]))
    except csv.Error as exc:
        reason = (f"a value longer than {MAX_CELL} characters" if "field limit" in str(exc)
                  else f"not readable as CSV ({exc})")
        problems.append(InputProblem(str(path), number, None, reason))
        return None
    for i, value in enumerate(values):
        bad = CONTROL.search(value) or _SEPARATOR.search(value)
        if bad:
            problems.append(InputProblem(str(path), number, field_name(header, i),
                                         f"control character U+{ord(bad.group()):04X} in a value (not allowed)",
                                         excerpt(value)))
            return None
    return values


# a carriage return inside a value, and characters that end a line for some readers (NEL, line and paragraph
# separators): a table's row is one line
_SEPARATOR = re.compile("[\r\u0085\u2028\u2029]")


def _check_header(path: Path, number: int, header: list[str], columns: dict[str, Column],
                  problems: list[InputProblem]) -> None:
    for name in header:
        if name not in columns:
            problems.append(InputProblem(str(path), number, excerpt(name), f"unknown column; the columns of "
                                         f"{path.name} are {', '.join(columns)}"))
    for c in columns.values():
        if c.required and c.name not in header:
            problems.append(InputProblem(str(path), number, c.name, "required column is missing"))
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        problems.append(InputProblem(str(path), number, excerpt(dup[0]), "column appears twice"))


def _row(path: Path, number: int, header: list[str], values: list[str], columns: dict[str, Column],
         problems: list[InputProblem]) -> dict[str, Any] | None:
    """The parsed values of a row by column name, or None when any value is bad (each one a problem)."""
    row: dict[str, Any] = {}
    ok = True
    for name, value in zip(header, values, strict=True):
        column = columns.get(name)
        if column is None:
            continue
        parsed = _parse(column, value.strip(), str(path), number, problems)
        if parsed is _BAD:
            ok = False
            continue
        row[name] = parsed
    return row if ok else None


_BAD = object()


def _parse(column: Column, value: str, file: str, line: int, problems: list[InputProblem]) -> Any:
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


def _records(tables: list[_Table], set_name: str, problems: list[InputProblem]) -> list[ImportResult]:
    every_date = [d for t in tables for d in t.dates]
    stated = [d for d in (_iso_date(t.meta.get("vintage", "")) for t in tables) if d is not None]
    results = []
    by_table = {t.name: t for t in tables}
    people = {row["person_id"]: line for line, row in by_table["people"].rows} if "people" in by_table else {}
    contracts: dict[str, tuple[int, dict[str, Any]]] = {}
    if "contracts" in by_table:
        for line, row in by_table["contracts"].rows:
            if row["contract_id"] in contracts:
                problems.append(InputProblem(str(by_table["contracts"].path), line, "contract_id",
                                             f"contract id already used on line {contracts[row['contract_id']][0]}",
                                             row["contract_id"]))
                continue
            contracts[row["contract_id"]] = (line, row)
    for t in tables:
        own = _iso_date(t.meta.get("vintage", ""))
        if own is not None or stated:
            vintage = own or stated[0]
        elif every_date:
            vintage = max(every_date)
        else:
            problems.append(InputProblem(str(t.path), None, "vintage", "no date in the set: add a comment line "
                                         "'# vintage: YYYY-MM-DD' (the day the table was last checked)"))
            continue
        source = Source(
            slug=f"{CURATED}-{set_name}-{t.name}",
            file_name=f"{set_name}/{t.path.name}",
            kind=f"{CURATED}-{t.name}",
            vintage=vintage,
            sha256=t.sha256,
            publisher=t.meta.get("publisher", "curated input (publisher not stated)"),
            licence=t.meta.get("licence", "not stated"),
            title=TABLES[t.name][0],
        )
        result = ImportResult(source=source, rows=len(t.rows) + len(t.repeats), rejects=list(t.repeats))
        build_row: Callable[[ImportResult, int, dict[str, Any], Callable[[str, str, Any], None]], None]
        build_row = _BUILDERS[t.name]
        for line, row in t.rows:
            def problem(column: str, message: str, value: Any = None, _line: int = line, _t: _Table = t) -> None:
                problems.append(InputProblem(str(_t.path), _line, column, message,
                                             None if value is None else excerpt(str(value))))

            if row.get("start") and row.get("end") and row["end"] < row["start"]:
                problem("end", f"ends before it starts ({row['start']})", row["end"])
                continue
            if t.name == "posts" and row["person_id"] not in people:
                problem("person_id", "no such person in people.csv of this set", row["person_id"])
                continue
            if t.name == "deliveries":
                if row["contract_id"] not in contracts:
                    problem("contract_id", "no such contract in contracts.csv of this set", row["contract_id"])
                    continue
                row = {**row, "holder": contracts[row["contract_id"]][1]["holder"]}
            if t.name == "contracts" and row.get("parent_contract") is not None:
                parent = contracts.get(row["parent_contract"])
                if parent is None:
                    problem("parent_contract", "no such contract in contracts.csv of this set", row["parent_contract"])
                    continue
                if row.get("commissioner") and row["commissioner"] != parent[1]["holder"]:
                    problem("commissioner", f"a subcontract's commissioner is the holder of its parent contract "
                            f"({parent[1]['holder']}); leave it empty", row["commissioner"])
                    continue
            build_row(result, line, row, problem)
        results.append(result)
    return results


def _organisation(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    code, fictional = row["code"], bool(row.get("fictional"))
    if fictional and not FICTIONAL_CODE.match(code):
        problem("code", "a fictional organisation's code is ZZF- followed by letters and digits", code)
        return
    if FICTIONAL_CODE.match(code) and not fictional:
        problem("fictional", "a ZZF- code is reserved for fictional organisations: set fictional to true", code)
        return
    result.organisations.append(
        Organisation(
            code=code, name=row["name"], kinds=(row["kind"],), line=line, start=row.get("start"),
            end=row.get("end"), fictional=fictional, list_size=row.get("list_size"), citations=row["source"],
            central_functions=row.get("central_functions") or (),
        )
    )


def _membership(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    if row["member"] == row["organisation"]:
        problem("organisation", "an organisation cannot be a member of itself", row["organisation"])
        return
    result.relations.append(
        Relation(kind=row["kind"], member=row["member"], organisation=row["organisation"], line=line,
                 start=row["start"], end=row.get("end"), citations=row["source"])
    )


def _person(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    pid, fictional = row["person_id"], bool(row.get("fictional"))
    if pid.startswith("ZZP-") != fictional:
        problem("fictional", "ZZP- ids are for fictional people, and fictional people have ZZP- ids", pid)
        return
    if any(p.person_id == pid for p in result.people):
        problem("person_id", "person id already used in this table", pid)
        return
    result.people.append(Person(pid, row["name"], line, fictional, row["source"]))


def _post(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    result.posts.append(
        PostHolding(
            person_id=row["person_id"], organisation=row["organisation"], role=row.get("role"), line=line,
            title=row.get("post"), start=row.get("start"), end=row.get("end"), represents=row.get("represents"),
            appointment=row.get("appointment"), voting=row.get("voting"), citations=row["source"],
        )
    )


def _contract(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    kind = row["kind"]
    if kind == "Subcontract" and row.get("parent_contract") is None:
        problem("parent_contract", "a Subcontract names its parent contract")
        return
    if kind != "Subcontract" and row.get("parent_contract") is not None:
        problem("kind", "only a Subcontract has a parent contract", kind)
        return
    if kind != "Subcontract" and row.get("commissioner") is None:
        problem("commissioner", "a contract other than a subcontract names its commissioner")
        return
    result.agreements.append(
        Agreement(
            contract_id=row["contract_id"], kind=kind, holder=row["holder"], line=line,
            commissioner=row.get("commissioner"), service=row.get("service"), parent=row.get("parent_contract"),
            start=row.get("start"), end=row.get("end"), amount=row.get("amount_gbp"), citations=row["source"],
        )
    )


def _delivery(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    if row["provider"] == row["holder"]:
        problem("provider", "the provider holds this contract itself; a delivery row is for another organisation",
                row["provider"])
        return
    result.deliveries.append(
        Delivery(provider=row["provider"], contract_id=row["contract_id"], holder=row["holder"], line=line,
                 start=row.get("start"), end=row.get("end"), citations=row["source"])
    )


def _tie(result: ImportResult, line: int, row: dict[str, Any], problem: Callable[..., None]) -> None:
    if row["from"] == row["to"]:
        problem("to", "a tie joins two different organisations", row["to"])
        return
    if row["kind"] == "GovernanceTie" and row.get("hood_mode") is None:
        problem("hood_mode", "a GovernanceTie names its Hood mode")
        return
    if row["kind"] != "GovernanceTie" and row.get("hood_mode") is not None:
        problem("hood_mode", "only a GovernanceTie has a Hood mode (the ontology's pcg:hoodMode is a governance "
                "tie's); describe other ties with mechanism", row["hood_mode"])
        return
    if row["kind"] != "CompetitionTie" and row.get("arena") is not None:
        problem("arena", "only a CompetitionTie has an arena", row["arena"])
        return
    if row.get("initiated_by") is not None and row["initiated_by"] not in (row["from"], row["to"]):
        problem("initiated_by", "the side that started a tie is its from or its to", row["initiated_by"])
        return
    result.lateral_ties.append(
        LateralTie(kind=row["kind"], tie_from=row["from"], tie_to=row["to"], line=line, start=row.get("start"),
                   end=row.get("end"), hood_mode=row.get("hood_mode"), mechanism=row.get("mechanism"),
                   arena=row.get("arena"), initiated_by=row.get("initiated_by"), horizon=row.get("horizon"),
                   citations=row["source"])
    )


_BUILDERS: dict[str, Callable[..., None]] = {
    "organisations": _organisation,
    "memberships": _membership,
    "people": _person,
    "posts": _post,
    "contracts": _contract,
    "deliveries": _delivery,
    "ties": _tie,
}


def check_references(results: list[ImportResult]) -> list[InputProblem]:
    """Every organisation code a curated row names must be in the graph (described by a national file,
    named by a national file's tie, or in a curated organisations table): a problem naming file, line
    and column for each one that is not."""
    out: list[InputProblem] = []
    known = {o.code for r in results for o in r.organisations}
    national = {o.code for r in results if not r.source.kind.startswith(CURATED) for o in r.organisations}
    for r in results:
        if not r.source.kind.startswith(CURATED):
            national |= {x for rel in r.relations for x in (rel.member, rel.organisation)}
    known |= national

    def need(result: ImportResult, line: int, column: str, code: str | None) -> None:
        if code is not None and code not in known:
            out.append(InputProblem(result.source.file_name, line, column,
                                    "unknown organisation code: not in ODS files loaded, nor in organisations.csv",
                                    code))

    for r in results:
        if not r.source.kind.startswith(CURATED):
            continue
        for rel in r.relations:
            need(r, rel.line, "member", rel.member)
            need(r, rel.line, "organisation", rel.organisation)
        for p in r.posts:
            need(r, p.line, "organisation", p.organisation)
            need(r, p.line, "represents", p.represents)
        for a in r.agreements:
            need(r, a.line, "holder", a.holder)
            need(r, a.line, "commissioner", a.commissioner)
        for d in r.deliveries:
            need(r, d.line, "provider", d.provider)
        for t in r.lateral_ties:
            need(r, t.line, "from", t.tie_from)
            need(r, t.line, "to", t.tie_to)
        for o in r.organisations:
            if not (FICTIONAL_CODE.match(o.code) or PROJECT_CODE.match(o.code)) and o.code not in national:
                out.append(InputProblem(r.source.file_name, o.line, "code", "an ODS code that no ODS file loaded "
                                        "describes; an organisation not in ODS takes a ZZN- (or ZZF-) code", o.code))
    return out
