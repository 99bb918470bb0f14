"""The build hands Oxigraph's bulk loader the emitted quads as a stream (graphkit/rdf/quads.py ``QuadSink.reader``),
a slice of lines at a time, instead of the whole text and its bytes: the stream is the text exactly, across slice
and buffer boundaries and in characters of several bytes, and the store it loads is the one the text loads."""

from __future__ import annotations

import pyoxigraph as ox

from graphkit.rdf.quads import QuadSink, _LinesReader


def _sink(n: int) -> QuadSink:
    sink = QuadSink()
    for i in range(n):
        sink.add(f"<https://example.org/s{i}>", "<https://example.org/name>", f'"Surgery {i} \u00e9\u2028\U0001f3e5"',
                 f"<https://example.org/g{i % 3}>")
    return sink


def test_the_stream_is_the_text_exactly_across_slices() -> None:
    for n in (0, 1, _LinesReader.SLICE - 1, _LinesReader.SLICE, 2 * _LinesReader.SLICE + 7):
        sink = _sink(n)
        expected = sink.text().encode("utf-8")
        assert sink.reader().read() == expected, n
        small, pieces = sink.reader(), []  # read in small pieces, as a parser with a short buffer would
        while piece := small.read(4093):
            pieces.append(piece)
        assert b"".join(pieces) == expected, n


def test_the_stream_lets_its_lines_go_once_read() -> None:
    sink = _sink(10)
    raw = _LinesReader(sink.lines)
    buffer = bytearray(1 << 16)
    assert raw.readinto(buffer) > 0 and raw.readinto(buffer) == 0
    assert raw._lines == [] and len(sink.lines) == 10  # the reader's reference is dropped, the sink's list kept


def test_the_store_loaded_from_the_stream_is_the_one_the_text_loads() -> None:
    sink = _sink(_LinesReader.SLICE + 11)
    from_text, from_stream = ox.Store(), ox.Store()
    from_text.bulk_load(input=sink.text().encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    from_stream.bulk_load(input=sink.reader(), format=ox.RdfFormat.N_QUADS)
    assert len(from_stream) == _LinesReader.SLICE + 11
    assert set(from_stream) == set(from_text)


HOSTILE = ("A 1", "Z|Z^", "<x>", "é-ü", 'q"uote', "back\\slash", "{braces}", "pipe|and`tick", "RO 98", "")


def test_every_iri_made_from_data_is_valid_whatever_the_data_holds() -> None:
    """The build bulk-loads with Oxigraph's IRI checks off (``lenient``), because every IRI made from data passes
    through ``segment``: here each builder, given text no ODS code should hold, still makes an IRI Oxigraph accepts
    when it does check."""
    import datetime as dt

    from graphkit.core.namespaces import ODSROLE_NS, fact_iri, org_iri, segment, source_iri
    from graphkit.rdf.emit_curated import person_iri

    for text in HOSTILE:
        day = dt.date(2020, 1, 1)
        for iri in (str(org_iri(text)), str(source_iri(text)), str(fact_iri("membership", text, None, day)),
                    person_iri(text)[1:-1], str(ODSROLE_NS[segment(text)])):
            assert ox.NamedNode(iri).value == iri, (text, iri)  # raises ValueError on an invalid IRI


def test_the_case_studies_text_loads_the_same_checked_or_not() -> None:
    """The emitted case studies parsed with every check (the default) and with the IRI checks off give the same
    quads."""
    from graphkit.ingest.merge import merge
    from graphkit.rdf.emit import emit
    from graphkit.store.build import InputFile, read_all
    from tests.conftest import CASES

    text = emit(merge(read_all([InputFile(CASES)]))).text().encode("utf-8")
    checked, lenient = ox.Store(), ox.Store()
    checked.bulk_load(input=text, format=ox.RdfFormat.N_QUADS)
    lenient.bulk_load(input=text, format=ox.RdfFormat.N_QUADS, lenient=True)
    assert len(checked) > 5000 and set(checked) == set(lenient)
