"""`graphkit validate FILE...`: check input files against the shapes without writing anything.

- Turtle (.ttl), JSON-LD (.jsonld/.json), N-Triples/N-Quads: parsed with rdflib and validated by
  pySHACL with the ontology (the reference engine).
- CSV/xlsx national files: read by their importer, merged, mapped to RDF in memory and validated
  with the compiled shapes in an in-memory Oxigraph store.

Each problem is one line naming the file, the subject (ODS code where there is one), the property
and the rule. Read errors (broken Turtle, empty file, wrong encoding, unrecognised CSV) are problems
too, never tracebacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.errors import InputError, InputProblem
from graphkit.shacl import Result, _readable

RDF_FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt", ".nq": "nquads",
               ".trig": "trig"}


@dataclass
class FileReport:
    file: str
    results: list[Result] = field(default_factory=list)
    error: str | None = None  # the file could not be read at all

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "Violation") + (1 if self.error else 0)

    def lines(self) -> list[str]:
        if self.error:
            return [self.error]
        return [f"{self.file}: {r.severity}: {_readable(r.focus)} {_short_path(r.path)}: {r.message} "
                f"[{r.shape.rsplit('#', 1)[-1]} {r.constraint}]" for r in self.results]


def _short_path(path: str | None) -> str:
    if not path:
        return "-"
    return path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def validate_file(path: Path) -> FileReport:
    rep = FileReport(str(path))
    try:
        if not path.exists():
            raise InputError(InputProblem(str(path), None, None, "no such file"))
        if path.stat().st_size == 0:
            raise InputError(InputProblem(str(path), None, None, "empty file"))
        fmt = RDF_FORMATS.get(path.suffix.lower())
        if fmt is not None:
            rep.results = _validate_rdf(path, fmt)
        else:
            rep.results = _validate_tabular(path)
    except InputError as exc:
        rep.error = "; ".join(str(p) for p in exc.problems) if exc.problems else exc.message
    return rep


def _validate_rdf(path: Path, fmt: str) -> list[Result]:
    from rdflib import Graph

    from graphkit.shacl import validate_graph

    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(InputProblem(str(path), None, None, f"not UTF-8 text (byte {exc.start})")) from None
    g = Graph()
    try:
        g.parse(data=raw, format=fmt)
    except Exception as exc:  # rdflib raises parser-specific exceptions
        message = " ".join(str(exc).split()) or exc.__class__.__name__
        m = re.search(r"at line (\d+)", message) or re.search(r"line (\d+)", message)
        message = re.sub(r"^at line \d+ of <[^>]*>:\s*", "", message)
        raise InputError(InputProblem(str(path), int(m.group(1)) if m else None, None,
                                      f"not valid {fmt}: {message[:200]}")) from None
    if len(g) == 0:
        raise InputError(InputProblem(str(path), None, None, f"no triples in the {fmt} file"))
    return unknown_terms(g) + validate_graph(g)


def unknown_terms(g: Any) -> list[Result]:
    """Terms in our namespaces (pcg:, odsrole:, odsrel:) that the ontology does not define: a typo
    or a property we do not have is a violation, not silently loaded."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from graphkit.namespaces import ODSREL_NS, ODSROLE_NS, PCG_NS
    from graphkit.shacl import ontology_graph

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
    return sorted(set(out))


def _validate_tabular(path: Path) -> list[Result]:
    import pyoxigraph as ox

    from graphkit.importers.registry import read_file
    from graphkit.merge import merge
    from graphkit.rdf import ONTOLOGY_GRAPH, RESOLVED, emit
    from graphkit.shacl import compile_shapes, load_ontology_into, validate_store

    result = read_file(path)
    text = emit(merge([result])).text()
    store = ox.Store()
    store.load(input=text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    load_ontology_into(store, str(ONTOLOGY_GRAPH))
    return validate_store(store, default_graph=[str(RESOLVED), str(ONTOLOGY_GRAPH)],
                          checks=compile_shapes(infer_from_domains=False))
