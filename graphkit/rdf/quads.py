"""The N-Quads writing kit of :mod:`graphkit.rdf.emit`: IRIs and literals formatted once, the predicates and
classes the emitters use (checked against the closed vocabulary at import), the graph names, and
:class:`QuadSink`, which collects the lines and writes shared intervals and instants once per graph.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Callable
from typing import Any

from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from graphkit.core.namespaces import ID, instant_iri, interval_iri, org_iri, source_iri
from graphkit.ontology.vocab import PCG

RESOLVED = ID["graph/resolved"]
ONTOLOGY_GRAPH = ID["graph/ontology"]
CONTRACT_CLASS = {"GMS": PCG.GMSContract, "PMS": PCG.PMSContract, "APMS": PCG.APMSContract}


def _i(iri: object) -> str:
    return f"<{iri}>"


@functools.cache
def _org(code: str) -> str:
    return _i(org_iri(code))


@functools.cache
def _pcg(local: str) -> str:
    """A pcg: term by local name, checked against the closed vocabulary once."""
    return _i(PCG[local])


@functools.cache
def _graph(slug: str) -> str:
    return _i(source_iri(slug))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def day_time_lit(day: dt.date) -> str:
    """The start of a day as an xsd:dateTime without a time zone (the UK legal day), as PROV-O times an activity."""
    return f'"{day.isoformat()}T00:00:00"^^<{XSD.dateTime}>'


@functools.lru_cache(maxsize=65536)
def _date_lit(day: dt.date) -> str:
    return f'"{day.isoformat()}"^^<{XSD.date}>'


_INT = f"^^<{XSD.integer}>"


def lit(value: object) -> str:
    t = type(value)
    if t is int:
        return f'"{value}"{_INT}'
    if t is str:
        return f'"{_escape(value)}"'  # type: ignore[arg-type]
    if t is dt.date:
        return _date_lit(value)
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^{_i(XSD.boolean)}'
    if isinstance(value, int):
        return f'"{value}"^^{_i(XSD.integer)}'
    if isinstance(value, float):
        return f'"{value:.2f}"^^{_i(XSD.decimal)}'
    if isinstance(value, dt.date):
        return f'"{value.isoformat()}"^^{_i(XSD.date)}'
    return f'"{_escape(str(value))}"'


CONTRACT_IRI = {k: f"<{v}>" for k, v in CONTRACT_CLASS.items()}
# predicate and class IRIs, formatted once (and checked against the closed vocabulary at import)
P_Contract = _i(PCG.Contract)
P_RoleHolding = _i(PCG.RoleHolding)
P_SourceDocument = _i(PCG.SourceDocument)
P_amountGBP = _i(PCG.amountGBP)
P_assertionType = _i(PCG.assertionType)
P_commissioner = _i(PCG.commissioner)
P_contractHolder = _i(PCG.contractHolder)
P_contractTypeStated = _i(PCG.contractTypeStated)
P_derivationRule = _i(PCG.derivationRule)
P_dispensing = _i(PCG.dispensing)
P_endEvidence = _i(PCG.endEvidence)
P_endPrecision, END_NO_LATER_THAN = _i(PCG.endPrecision), _i(PCG.EndNoLaterThan)
END_INFERRED = _i(PCG.EndInferred)
P_startEarliest, P_startLatest, P_startBasis = _i(PCG.startEarliest), _i(PCG.startLatest), _i(PCG.startBasis)
P_attestedBy = _i(PCG.attestedBy)
P_startedAtTime = _i(PROV.startedAtTime)
P_endedAtTime = _i(PROV.endedAtTime)
P_fictional = _i(PCG.fictional)
P_fileName = _i(PCG.fileName)
P_financialYear = _i(PCG.financialYear)
P_holder = _i(PCG.holder)
P_listSize = _i(PCG.listSize)
P_observedOn = _i(PCG.observedOn)
P_odsCode = _i(PCG.odsCode)
P_localCode, ORG_IDENTIFIER = _i(PCG.localCode), _i(ORG.identifier)
P_paymentFor = _i(PCG.paymentFor)
P_odsRole = _i(PCG.odsRole)
P_onsCode = _i(PCG.onsCode)
P_postcode = _i(PCG.postcode)
P_rurality = _i(PCG.rurality)
P_sha256 = _i(PCG.sha256)
P_sourceKind = _i(PCG.sourceKind)
P_sourceLine = _i(PCG.sourceLine)
P_status = _i(PCG.status)
P_underContract = _i(PCG.underContract)
P_validDuring = _i(PCG.validDuring)
P_vintage = _i(PCG.vintage)
P_weightedListSize = _i(PCG.weightedListSize)
P_citation = _i(PCG.citation)
DC_SOURCE = _i(DCTERMS.source)
DC_IDENTIFIER = _i(DCTERMS.identifier)
SEED_CITATION = re.compile(r"^[0-9]{3}:[0-9]+(-[0-9]+)?$")
A = _i(RDF.type)
LABEL, PREF = _i(RDFS.label), _i(SKOS.prefLabel)
DERIVED_FROM, LINE = _i(PROV.wasDerivedFrom), P_sourceLine
MEMBER, ORGANIZATION, MEMBER_DURING = _i(ORG.member), _i(ORG.organization), _i(ORG.memberDuring)
VALID_DURING, OBSERVED_ON = P_validDuring, P_observedOn
BEGIN, END, IN_DATE = _i(TIME.hasBeginning), _i(TIME.hasEnd), _i(TIME.inXSDDate)
MEMBERSHIP, FORMAL_ORG = _i(ORG.Membership), _i(ORG.FormalOrganization)
DATED_RELATION, FROM_ORG, TO_ORG = _i(PCG.DatedRelation), _i(PCG.fromOrganisation), _i(PCG.toOrganisation)


class QuadSink:
    """Collects N-Quads lines; shared intervals and instants are written once per graph."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._intervals: set[tuple[str, str]] = set()

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")

    def add_set(self, s: str, g: str, *facts: tuple[str, Callable[[Any], str], object]) -> None:
        """``s p term(value)`` in ``g`` for each ``(p, term, value)`` in order, skipping a value that is not set
        (None, empty or false)."""
        for p, term, value in facts:
            if value:
                self.add(s, p, term(value), g)

    def interval(self, start: dt.date | None, end: dt.date | None, g: str) -> str:
        iv = _i(interval_iri(start, end))
        if (iv, g) not in self._intervals:
            self._intervals.add((iv, g))
            # OWL-Time: a proper interval's beginning and end differ; a one-day interval is an interval only
            self.add(iv, A, _i(TIME.Interval if start is not None and start == end else TIME.ProperInterval), g)
            for prop, day in ((BEGIN, start), (END, end)):
                if day is not None:
                    inst = _i(instant_iri(day))
                    self.add(iv, prop, inst, g)
                    if (inst, g) not in self._intervals:
                        self._intervals.add((inst, g))
                        self.add(inst, A, _i(TIME.Instant), g)
                        self.add(inst, IN_DATE, lit(day), g)
        return iv

    def text(self) -> str:
        return "".join(self.lines)

    def reader(self) -> io.BufferedReader:
        """The quads as UTF-8 N-Quads, read a slice of lines at a time (for Oxigraph's bulk loader): the text of the
        whole graph is never held at once, nor its bytes (at 1x England that would be ~0.8 GB, at 10x ~8 GB)."""
        return io.BufferedReader(_LinesReader(self.lines), buffer_size=1 << 20)


class _LinesReader(io.RawIOBase):
    """A raw binary stream of a list of text lines, encoded a slice at a time."""

    SLICE = 20_000  # lines: about 3 MB of text

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._next = 0
        self._chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._chunk and self._next < len(self._lines):
            end = self._next + self.SLICE
            self._chunk = memoryview("".join(self._lines[self._next : end]).encode("utf-8"))
            self._next = end
        if not self._chunk:
            self._lines = []  # read to the end: the lines are let go at once, not when the stream is
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        return n



def _cite(fact: str, citations: tuple[str, ...], g: str, sink: QuadSink) -> None:
    """Where a curated fact comes from: a seed citation ("004:190-198") as pcg:citation, anything else
    (a URL, a reference) as dcterms:source."""
    for c in citations:
        sink.add(fact, P_citation if SEED_CITATION.match(c) else DC_SOURCE, lit(c), g)

