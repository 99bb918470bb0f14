"""The N-Quads writing kit of :mod:`graphkit.rdf.emit`: IRIs and literals formatted once, the predicates and
classes the emitters use (checked against the closed vocabulary at import), the graph names, and
:class:`QuadSink`, which collects the lines and writes shared intervals and instants once per graph.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import queue
import re
import threading
from collections.abc import Callable
from typing import Any

from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from graphkit.core import contract_kinds
from graphkit.core.namespaces import ID, instant_iri, interval_iri, org_iri, source_iri
from graphkit.ontology.vocab import PCG

RESOLVED = ID["graph/resolved"]
ONTOLOGY_GRAPH = ID["graph/ontology"]
# the class of each stated contract type (graphkit.core.contract_kinds); Unknown is typed pcg:Contract only
CONTRACT_CLASS = {s: PCG[k] for s, k in contract_kinds.STATED.items() if k != "Contract"}


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


SLICE = 20_000  # lines handed on at a time by a streaming emitter: about 4 MB of text
AHEAD = 64  # slices the first of two streams may hold unread (emitted_with_side)


class _Stopped(Exception):
    """The reader of an emitted stream stopped reading: its emitter gives up."""


class _StreamingSink(QuadSink):
    """A sink that hands its lines on as UTF-8 text every :data:`SLICE` lines instead of keeping them; with a side
    channel, the lines of one graph (``side_graph``, as written: ``<iri>``) are handed on there too."""

    def __init__(self, hand_on: Callable[[bytes], None], side: Callable[[bytes], None] | None = None,
                 side_graph: str | None = None) -> None:
        super().__init__()
        self._hand_on, self._side, self._side_graph = hand_on, side, side_graph
        self._side_lines: list[str] = []

    def add(self, s: str, p: str, o: str, g: str) -> None:
        line = f"{s} {p} {o} {g} .\n"
        lines = self.lines
        lines.append(line)
        if g == self._side_graph:
            self._side_lines.append(line)
            if len(self._side_lines) >= SLICE:
                self._flush_side()
        if len(lines) >= SLICE:
            self.flush()

    def _flush_side(self) -> None:
        if self._side_lines and self._side is not None:
            self._side("".join(self._side_lines).encode("utf-8"))
            self._side_lines = []

    def flush(self) -> None:
        if self.lines:
            self._hand_on("".join(self.lines).encode("utf-8"))
            self.lines = []
        if len(self._side_lines) >= SLICE:
            self._flush_side()

    def flush_all(self) -> None:
        self.flush()
        self._flush_side()


class _Emission:
    """An emitter on a thread of its own, whose lines go to one stream, or to two (every line to the first, one
    graph's to the second). An error of the emitter is raised by the read of either stream that reaches the end;
    either stream closed before its end stops the emitter, and the other stream then ends with an error (never as if
    complete)."""

    def __init__(self, emitter: Callable[[QuadSink], object], side_graph: str | None, depth: int,
                 side_depth: int = 4) -> None:
        self.error: BaseException | None = None
        self.streams = [EmittedStream(self, depth)] + ([EmittedStream(self, side_depth)] if side_graph else [])
        self._side_graph = side_graph
        self.thread = threading.Thread(target=self._run, args=(emitter,), name="emitting-quads", daemon=True)
        self.thread.start()

    def _run(self, emitter: Callable[[QuadSink], object]) -> None:
        main, *side = self.streams
        try:
            sink = _StreamingSink(main.put, side[0].put if side else None, self._side_graph)
            emitter(sink)
            sink.flush_all()
        except _Stopped:
            self.error = RuntimeError("the quads stopped: a reader of the emitted quads closed before their end")
        except BaseException as exc:
            self.error = exc  # raised again by the readers
        for stream in self.streams:
            with contextlib.suppress(_Stopped):
                stream.put(b"")  # the end

    def stop(self) -> None:
        """A reader stopped early: every stream's puts give up, so the emitter ends."""
        for stream in self.streams:
            stream.stop()


class EmittedStream(io.RawIOBase):
    """What an emitter writes into a sink, as a binary N-Quads stream to read while it is written: the emitter runs on
    a thread of its own and hands on :data:`SLICE` lines at a time through a short queue. The whole text is never
    held (at 1x England ~0.65 GB of text, at 10x ~6.5 GB), and Oxigraph's bulk loader, which holds Python's lock only
    while it calls :meth:`readinto`, parses and indexes what has come while the emitter writes the rest. An error of
    the emitter is raised by the read that reaches it (so by ``bulk_load``, which passes it on as it is); closing the
    stream early stops the emitter. Made by :func:`emitted` and :func:`emitted_with_side`."""

    def __init__(self, emission: _Emission, depth: int = 4) -> None:
        super().__init__()
        self._emission = emission
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=depth)
        self._stopped = threading.Event()
        self._chunk = memoryview(b"")
        self._ended = False

    def put(self, chunk: bytes) -> None:
        """Called by the emitter's thread: hand on a chunk (``b""``: the end); raises _Stopped once the stream is
        closed."""
        while not self._stopped.is_set():
            try:
                self._queue.put(chunk, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped

    def stop(self) -> None:
        self._stopped.set()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._chunk and not self._ended:
            try:
                chunk = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._emission.thread.is_alive() or not self._queue.empty():
                    continue
                chunk = b""  # the emitter stopped without an end for this stream (another stream was closed early)
            if chunk:
                self._chunk = memoryview(chunk)
                continue
            self._ended = True
            self._emission.thread.join()
            if self._emission.error is not None:
                raise self._emission.error
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        return n

    def close(self) -> None:
        """Closed before its end (its reader stopped): the emission stops, and another stream of it ends with an
        error. Closed at its end: nothing else changes."""
        if not self._ended:
            self._emission.stop()
            while self._emission.thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    self._queue.get(timeout=0.1)
        super().close()


def emitted(emitter: Callable[[QuadSink], object]) -> io.BufferedReader:
    """The quads ``emitter`` writes, as a stream (:class:`EmittedStream`) behind a buffer of 1 MB (the bulk loader asks
    for a few kilobytes at a time)."""
    return io.BufferedReader(_Emission(emitter, None, 4).streams[0], buffer_size=1 << 20)


def emitted_with_side(emitter: Callable[[QuadSink], object], graph: str) -> tuple[io.BufferedReader, io.BufferedReader]:
    """As :func:`emitted`, and a second stream of the quads of one graph (``graph``: its IRI), written once by one
    emitter: the two streams are to be read at the same time (each on its own thread), as each waits for the other
    when its queue is full. The first stream's queue holds :data:`AHEAD` slices (about 256 MB), so that a fast reader
    of the second is not held to the pace of a slow reader of the first (the store's bulk loader reads about 50 MB
    of text a second here; the emitter writes about 200)."""
    streams = _Emission(emitter, f"<{graph}>", AHEAD).streams
    return (io.BufferedReader(streams[0], buffer_size=1 << 20), io.BufferedReader(streams[1], buffer_size=1 << 20))


def _cite(fact: str, citations: tuple[str, ...], g: str, sink: QuadSink) -> None:
    """Where a curated fact comes from: a seed citation ("004:190-198") as pcg:citation, anything else
    (a URL, a reference) as dcterms:source."""
    for c in citations:
        sink.add(fact, P_citation if SEED_CITATION.match(c) else DC_SOURCE, lit(c), g)

