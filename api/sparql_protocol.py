"""The SPARQL 1.1 Protocol's side of `/sparql` (https://www.w3.org/TR/sparql11-protocol/): which media types an
answer can come in, the choice among them by the request's Accept header or its ``format`` parameter (content
negotiation), the kind of answer a query text gives, and the dataset the protocol's parameters name.

The answer itself is serialised by pyoxigraph in the query's child process (graphkit.query.child); this module only
decides in which media type, before anything runs, so that a request no format can satisfy is a 406 at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphkit.errors import BadParameter, NotAcceptable
from graphkit.query import Dataset, ResultFormats, expand_codepoint_escapes, sparql_operation

#: SELECT and ASK answers: SPARQL results, the first the default.
RESULTS_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
#: CONSTRUCT and DESCRIBE answers: RDF, Turtle the default (RDF/XML is what rdflib's SPARQLStore asks for).
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
#: Other names clients use for the same formats.
RESULTS_ALIASES = {"application/json": "application/sparql-results+json", "application/xml": RESULTS_TYPES[1],
                   "text/xml": RESULTS_TYPES[1]}
GRAPH_ALIASES = {"application/x-turtle": "text/turtle", "application/turtle": "text/turtle",
                 "text/plain": "application/n-triples", "application/json": "application/ld+json"}
#: ``format=`` short names (as many endpoints take them); a full media type is accepted too.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
}
#: What a response of each media type says in its Content-Type header.
CONTENT_TYPES = {t: f"{t}; charset=utf-8" for t in (*RESULTS_TYPES, *GRAPH_TYPES)}
#: The request bodies POST /sparql reads, by media type.
BODY_TYPES = ("application/json", "application/x-www-form-urlencoded", "application/sparql-query")
UPDATE_TYPE = "application/sparql-update"

_GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class Range:
    """One media range of an Accept header: ``type/subtype`` (either may be ``*``) and its quality."""

    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> bool:
        t, s = media_type.split("/", 1)
        return (self.type == "*" or self.type == t) and (self.subtype == "*" or self.subtype == s)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str) -> list[Range]:
    """The media ranges of an Accept header, parameters other than ``q`` ignored; a range that does not parse is
    left out, and so is one with ``q=0`` (refused).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/csv;q=0.5, application/*, */*;q=0")]
    [('text', 'csv', 0.5), ('application', '*', 1.0)]
    """
    ranges = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if media == "*":  # some clients send a bare star
            media = "*/*"
        if not re.fullmatch(r"[\w.+*-]+/[\w.+*-]+", media):
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0 <= q <= 1:
                    q = 0.0
        if q > 0:
            t, s = media.split("/", 1)
            ranges.append(Range(t, s, q, order))
    return ranges


def negotiate(accept: str | None, offered: tuple[str, ...], aliases: dict[str, str]) -> str | None:
    """The media type of ``offered`` to answer in: the one the Accept header rates highest (the most specific range
    that matches a type decides its quality; an alias rates its format as its own name would), the server's order
    (the default first) among equals; the default when there is no header; None when nothing is acceptable.

    >>> negotiate("text/csv, */*;q=0.1", RESULTS_TYPES, RESULTS_ALIASES)
    'text/csv'
    >>> negotiate("application/json", RESULTS_TYPES, RESULTS_ALIASES)
    'application/sparql-results+json'
    >>> negotiate("image/png", RESULTS_TYPES, RESULTS_ALIASES) is None
    True
    """
    if accept is None or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for rank, media_type in enumerate(offered):
        names = [media_type, *(alias for alias, target in aliases.items() if target == media_type)]
        quality = 0.0
        for name in names:
            matching = [r for r in ranges if r.matches(name)]
            if matching:
                top = max(matching, key=lambda r: (r.specificity, r.q))
                quality = max(quality, top.q)
        if quality > 0 and (best is None or (quality, -rank) > best):
            best, chosen = (quality, -rank), media_type
    return chosen


def query_kind(query: str) -> str:
    """``graph`` for a CONSTRUCT or DESCRIBE query, else ``results`` (SELECT, ASK, and texts that are no query:
    those are refused later, with the parser's message), read from the first keyword after the prologue."""
    operation = sparql_operation(expand_codepoint_escapes(query))
    return "graph" if operation in _GRAPH_FORMS else "results"


def choose_formats(query: str, accept: str | None, format: str | None) -> ResultFormats:
    """The media type for each kind of answer, from ``format`` when given (a short name or a media type), else from
    the Accept header; NotAcceptable when the kind of this query (read from its text) has none."""
    if format is not None:
        name = format.strip().lower()
        if name in FORMAT_NAMES:
            results, graph = FORMAT_NAMES[name]
        else:
            results = negotiate(name, RESULTS_TYPES, RESULTS_ALIASES) if "*" not in name else None
            graph = negotiate(name, GRAPH_TYPES, GRAPH_ALIASES) if "*" not in name else None
            if results is None and graph is None:
                raise BadParameter(
                    f"format: {format!r} is no format this endpoint answers in; use one of "
                    + ", ".join(FORMAT_NAMES) + " or a media type (" + ", ".join((*RESULTS_TYPES, *GRAPH_TYPES)) + ")",
                    details={"parameter": "format", "value": format},
                )
    else:
        results = negotiate(accept, RESULTS_TYPES, RESULTS_ALIASES)
        graph = negotiate(accept, GRAPH_TYPES, GRAPH_ALIASES)
    formats: ResultFormats = {"results": results, "graph": graph}
    kind = query_kind(query)
    if formats[kind] is None:  # type: ignore[literal-required]
        raise not_acceptable(kind, format if format is not None else accept)
    return formats


def not_acceptable(kind: str, asked: str | None) -> NotAcceptable:
    offered = GRAPH_TYPES if kind == "graph" else RESULTS_TYPES
    what = "CONSTRUCT or DESCRIBE" if kind == "graph" else "SELECT or ASK"
    return NotAcceptable(
        f"the answer of a {what} query can be {', '.join(offered)}; the request accepts none of them ({asked!r})",
        details={"kind": kind, "accept": asked, "supported": list(offered)},
    )


def dataset_of(default_graphs: list[str], named_graphs: list[str]) -> Dataset | None:
    """The protocol's RDF dataset (None: the endpoint's own, the union of every graph); each IRI must be an
    absolute IRI, else 422 naming the parameter."""
    if not default_graphs and not named_graphs:
        return None
    import pyoxigraph as ox

    for parameter, iris in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError as exc:
                raise BadParameter(f"{parameter}: {iri!r} is not an absolute IRI ({exc})",
                                   details={"parameter": parameter, "value": iri}) from None
    return {"default_graphs": list(default_graphs), "named_graphs": list(named_graphs)}
