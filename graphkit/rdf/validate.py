"""`graphkit validate PATH...`: check input files without writing anything, by the rules the importers
apply, and against the shapes.

- Turtle (.ttl), JSON-LD (.jsonld/.json), N-Triples/N-Quads/TriG: parsed with rdflib and validated by
  pySHACL with the ontology (the reference engine). Nothing is fetched: a JSON-LD ``@context`` (or
  ``@import``) given by reference is refused before rdflib sees it, since rdflib would download it.
- CSV/xlsx national files: read by their importer; every row the importer would not load is a
  violation and every row it would load in part a warning, each with its file and line; the records
  are then merged, mapped to RDF in memory and validated with the compiled shapes.
- Curated tables (a set's directory, or one table of it): read by the curated reader with the
  sibling tables of its set, so every rule of the import holds (values, rows, the set's cross
  references); repeated and overlapping rows are warnings. Codes that are not in the set are joined to
  the graph only at import; when there are none, the shapes run too.

Each problem is one line naming the file, the line (or the subject, for RDF), the field and the rule.
Read errors (broken Turtle, empty file, wrong encoding, unrecognised CSV) are problems too, never
tracebacks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.core.model import ImportResult
from graphkit.errors import InputError, InputProblem
from graphkit.ingest.importers.common import check_input_dir, check_input_path, excerpt
from graphkit.ontology.shacl import Result, _readable
from graphkit.ontology.shapes import result_order

RDF_FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt", ".nq": "nquads",
               ".trig": "trig"}


@dataclass(frozen=True)
class Finding:
    """A problem the importer's own checks find: a row it would not load (a Violation), a row it would
    load in part or a repeated or overlapping row (a Warning), with the file, line and field."""

    severity: str
    rule: str
    problem: InputProblem

    def text(self) -> str:
        p = self.problem
        where = p.file + (f":{p.line}" if p.line is not None else "") + (f" [{p.field}]" if p.field else "")
        value = f" (value {p.value!r})" if p.value is not None else ""
        return f"{where}: {self.severity}: {p.reason}{value} [{self.rule}]"


@dataclass
class FileReport:
    file: str
    results: list[Result] = field(default_factory=list)  # the shapes
    findings: list[Finding] = field(default_factory=list)  # the importer's rules
    error: str | None = None  # the file could not be read at all
    notes: list[str] = field(default_factory=list)  # what was not checked, and why

    @property
    def violations(self) -> int:
        return (sum(1 for r in self.results if r.severity == "Violation")
                + sum(1 for f in self.findings if f.severity == "Violation")
                + (1 if self.error and not self.findings else 0))

    def entries(self) -> list[tuple[str, str]]:
        """(severity, one line) for every problem: the importer's findings, then the shapes' results."""
        if self.error and not self.findings:
            return [("Violation", self.error)]
        return [(f.severity, f.text()) for f in self.findings] + [
            (r.severity, f"{self.file}: {r.severity}: {_readable(r.focus)} {_short_path(r.path)}: {r.message} "
                         f"[{r.shape.rsplit('#', 1)[-1]} {r.constraint}]") for r in self.results]

    def lines(self) -> list[str]:
        return [text for _, text in self.entries()]


def _short_path(path: str | None) -> str:
    if not path:
        return "-"
    return path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def validate_file(path: Path) -> FileReport:
    """Check one input (a file, or a directory holding a curated set) without writing anything."""
    from graphkit.ingest.curated import is_curated_table

    rep = FileReport(str(path))
    try:
        if path.is_dir():
            check_input_dir(path)
            _validate_curated(path, rep)
            return rep
        check_input_path(path)
        if path.stat().st_size == 0:
            raise InputError(InputProblem(str(path), None, None, "empty file"))
        fmt = RDF_FORMATS.get(path.suffix.lower())
        if fmt is not None:
            rep.results = _validate_rdf(path, fmt)
        elif is_curated_table(path):
            _validate_curated(path, rep)
        else:
            _validate_tabular(path, rep)
    except InputError as exc:
        rep.error = str(exc.problems[0]) if exc.problems else exc.message
        if len(exc.problems) > 1:  # a refused curated set: one line per problem
            rep.findings = [Finding("Violation", "refused", p) for p in exc.problems]
    return rep


# -- RDF ---------------------------------------------------------------------------------------------


def _validate_rdf(path: Path, fmt: str) -> list[Result]:
    from rdflib import Graph

    from graphkit.ontology.shacl import validate_graph

    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(InputProblem(str(path), None, None, f"not UTF-8 text (byte {exc.start})")) from None
    if fmt == "json-ld":
        refuse_remote_contexts(path, text)
    g = Graph()
    try:
        g.parse(data=raw, format=fmt)
    except RecursionError:
        raise InputError(InputProblem(str(path), None, None, f"not valid {fmt}: nested too deeply")) from None
    except Exception as exc:  # rdflib raises parser-specific exceptions
        message = " ".join(str(exc).split()) or exc.__class__.__name__
        m = re.search(r"at line (\d+)", message) or re.search(r"line (\d+)", message)
        message = re.sub(r"^at line \d+ of <[^>]*>:\s*", "", message)
        raise InputError(InputProblem(str(path), int(m.group(1)) if m else None, None,
                                      f"not valid {fmt}: {message[:200]}")) from None
    if len(g) == 0:
        raise InputError(InputProblem(str(path), None, None, f"no triples in the {fmt} file"))
    return unknown_terms(g) + validate_graph(g)


def refuse_remote_contexts(path: Path, text: str) -> None:
    """Refuse a JSON-LD document whose ``@context`` (or an ``@import`` in a context) is a reference: a
    string (a URL, or a relative name resolved against the file's location) or a list holding one.
    rdflib would fetch it over the network or read it from disk; validation reads only the file given.
    Inline the context instead. Called before rdflib sees the document."""
    try:
        doc = json.loads(text)
    except RecursionError:
        raise InputError(InputProblem(str(path), None, None, "not valid json-ld: nested too deeply")) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(InputProblem(str(path), line, None, f"not valid json-ld: {excerpt(str(exc), 120)}")) from None
    for key, ref in remote_references(doc):
        raise InputError(InputProblem(str(path), None, key, "a JSON-LD context given by reference is not fetched "
                                                            "(graphkit validate makes no network requests and reads "
                                                            "no other file): put the context inline",
                                      excerpt(ref, 120)))


def remote_references(doc: Any) -> Iterator[tuple[str, str]]:
    """Every ("@context" or "@import", reference) in a JSON document: a context that is a string, a list
    item that is a string, an "@import" that is a string. Walked without recursion (any depth)."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str):
                            yield key, item
                if key == "@import" and isinstance(value, str):
                    yield key, value
                stack.append(value)


def unknown_terms(g: Any) -> list[Result]:
    """Terms in our namespaces (pcg:, odsrole:, odsrel:) that the ontology does not define: a typo
    or a property we do not have is a violation, not silently loaded."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from graphkit.core.namespaces import ODSREL_NS, ODSROLE_NS, PCG_NS
    from graphkit.ontology.shacl import ontology_graph

    ont = ontology_graph()
    defined = {str(s) for s in ont.subjects()}
    out = []
    for s, p, o in g:
        for role, term in (("property", p), ("class", o if p == RDF.type else None)):
            if not isinstance(term, URIRef):
                continue
            t = str(term)
            if t.startswith((str(PCG_NS), str(ODSROLE_NS), str(ODSREL_NS))) and t not in defined:
                out.append(Result("Violation", str(s), str(p) if role == "property" else str(RDF.type),
                                  t, "unknownTerm", str(PCG_NS) + "Ontology",
                                  f"{t.rsplit('#', 1)[-1].rsplit('/', 1)[-1]} is not a {role} the ontology defines"))
    return sorted(set(out), key=result_order)


# -- national files ------------------------------------------------------------------------------------


def _validate_tabular(path: Path, rep: FileReport) -> None:
    """The importer's reading of the file (its rows reported as findings), then the shapes on its graph."""
    from graphkit.ingest.importers.registry import read_file

    result = read_file(path)
    rep.findings = reported_rows(result, str(path))
    rep.results = _shapes([result])


def reported_rows(result: ImportResult, file: str) -> list[Finding]:
    """The rows an import reports, as findings: nothing of the row loaded is a violation, a part of it or a
    repeated row a warning (the rules of :func:`graphkit.ingest.quality.reject_issue`)."""
    from graphkit.ingest.quality import loaded_lines, reject_issue

    loaded = loaded_lines(result)
    out = []
    for x in result.rejects:
        issue = reject_issue(result, x, loaded)
        severity = "Violation" if issue.rule == "row-not-loaded" else "Warning"
        out.append(Finding(severity, issue.rule, InputProblem(file, x.line, x.field, x.reason, x.value)))
    return out


def _shapes(results: list[ImportResult]) -> list[Result]:
    import pyoxigraph as ox

    from graphkit.ingest.merge import merge
    from graphkit.ontology.shacl import compile_shapes, load_ontology_into, validate_store
    from graphkit.rdf.emit import ONTOLOGY_GRAPH, RESOLVED, emit

    text = emit(merge(results)).text()
    store = ox.Store()
    store.load(input=text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    load_ontology_into(store, str(ONTOLOGY_GRAPH))
    return validate_store(store, default_graph=[str(RESOLVED), str(ONTOLOGY_GRAPH)],
                          checks=compile_shapes(infer_from_domains=False))


# -- curated tables ------------------------------------------------------------------------------------


def _validate_curated(path: Path, rep: FileReport) -> None:
    """A curated set (a directory) or one table read with the other tables of its directory (a post's
    person is in people.csv ...). Only the problems of the named table are kept for a single table."""
    from graphkit.ingest.curated import check_references, is_curated_table, read_curated, read_tables
    from graphkit.ingest.quality import curated_overlaps

    if path.is_dir():
        results = read_curated(path)
        mine = None
    else:
        siblings = sorted(p for p in path.parent.iterdir() if is_curated_table(p) and p.name != path.name)
        mine = str(path)
        try:
            results = read_tables([path, *siblings], path.parent.name)
        except InputError as exc:
            own = [p for p in exc.problems if p.file == mine]
            if own:
                raise InputError(own) from None
            rep.notes.append(f"{path}: its other tables have problems (validate them); this table's rows are "
                             "well formed")
            return
    for r in results:
        table = str(path if path.is_file() else path / Path(r.source.file_name).name)
        if mine is None or table == mine:
            rep.findings.extend(reported_rows(r, table))
    for issue in curated_overlaps(results):
        table = str(path if path.is_file() else path / Path(issue.file or "").name)
        if mine is None or table == mine:
            rep.findings.append(Finding("Warning", issue.rule, InputProblem(table, issue.line, issue.field,
                                                                            issue.message)))
    unresolved = check_references(results)
    if unresolved:
        codes = sorted({p.value for p in unresolved if p.value})
        rep.notes.append(f"{path}: {len(codes)} code(s) not described in this set (e.g. {', '.join(codes[:3])}) are "
                         "joined to the graph at import; the shapes run on the merged graph then")
        return
    rep.results = _shapes(results)
