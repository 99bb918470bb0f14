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
