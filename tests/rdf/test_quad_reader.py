"""The build hands Oxigraph's bulk loader the quads as a stream written while it is read (graphkit/rdf/quads.py
``emitted``), a slice of lines at a time, instead of the whole text and its bytes: the stream is the text exactly,
across slice and buffer boundaries and in characters of several bytes; the store it loads is the one the text loads;
an emitter's error fails the load; closing the stream stops the emitter. And the load skips checking IRIs, which the
emitters make valid whatever the data holds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graphkit.rdf.quads import SLICE, QuadSink, emitted, emitted_with_side


def _emit(n: int, sink: QuadSink) -> None:
    for i in range(n):
        sink.add(f"<https://example.org/s{i}>", "<https://example.org/name>", f'"Surgery {i} \u00e9\u2028\U0001f3e5"',
                 f"<https://example.org/g{i % 3}>")


def _text(n: int) -> bytes:
    sink = QuadSink()
    _emit(n, sink)
    return sink.text().encode("utf-8")


def test_the_stream_is_the_text_exactly_across_slices() -> None:
    for n in (0, 1, SLICE - 1, SLICE, 2 * SLICE + 7):
        expected = _text(n)
        assert emitted(lambda sink, n=n: _emit(n, sink)).read() == expected, n
        small, pieces = emitted(lambda sink, n=n: _emit(n, sink)), []  # small reads, as a parser's short buffer
        while piece := small.read(4093):
            pieces.append(piece)
        assert b"".join(pieces) == expected, n


def test_an_error_of_the_emitter_is_raised_by_the_load_and_nothing_is_loaded() -> None:
    def failing(sink: QuadSink) -> None:
        _emit(SLICE + 5, sink)  # a slice handed on before the error
        raise KeyError("no such organisation")

    store = ox.Store()
    with pytest.raises(KeyError, match="no such organisation"):
        store.bulk_load(input=emitted(failing), format=ox.RdfFormat.N_QUADS)
    assert len(store) == 0


def test_closing_the_stream_early_stops_the_emitter() -> None:
    stream = emitted(lambda sink: _emit(50 * SLICE, sink))  # far more than the queue holds
    assert stream.read(100)
    raw = stream.raw
    stream.close()
    assert not raw._emission.thread.is_alive()  # type: ignore[attr-defined]


def test_the_side_stream_holds_one_graphs_quads_read_at_the_same_time() -> None:
    import threading

    n = 2 * SLICE + 5
    main, side = emitted_with_side(lambda sink: _emit(n, sink), "https://example.org/g1")
    got: dict[str, bytes] = {}
    reader = threading.Thread(target=lambda: got.setdefault("side", side.read()))
    reader.start()
    got["main"] = main.read()
    reader.join()
    assert got["main"] == _text(n)
    expected = b"".join(line + b"\n" for line in _text(n).split(b"\n") if line.endswith(b"<https://example.org/g1> ."))
    assert got["side"] == expected and expected.count(b"\n") == (n + 1) // 3


def test_a_side_stream_closed_early_fails_the_main_one() -> None:
    """Never a truncated stream read as if whole: the side's reader stops, the main stream's read raises."""
    main, side = emitted_with_side(lambda sink: _emit(50 * SLICE, sink), "https://example.org/g0")
    assert side.read(10)
    side.close()
    with pytest.raises(RuntimeError, match="closed before their end"):
        main.read()
    assert not main.raw._emission.thread.is_alive()  # type: ignore[attr-defined]


def test_the_store_loaded_from_the_stream_is_the_one_the_text_loads() -> None:
    from_text, from_stream = ox.Store(), ox.Store()
    from_text.bulk_load(input=_text(SLICE + 11), format=ox.RdfFormat.N_QUADS)
    from_stream.bulk_load(input=emitted(lambda sink: _emit(SLICE + 11, sink)), format=ox.RdfFormat.N_QUADS)
    assert len(from_stream) == SLICE + 11
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


def test_a_load_that_fails_midway_stops_the_emitter_and_keeps_the_store(tmp_path: object) -> None:
    """A line Oxigraph cannot parse, early in a long stream: the build's load fails naming nothing half-written (the
    previous generation stays current), and the thread writing the rest of the quads is stopped, not left waiting."""
    import threading
    from pathlib import Path

    from graphkit.store.oxigraph import OxigraphStore, load_nquads

    store = Path(str(tmp_path)) / "store"
    load_nquads(store, _text(3))
    before = OxigraphStore(store).count_organisations()

    def broken(sink: QuadSink) -> None:
        _emit(10, sink)
        sink.add("<https://example.org/s>", "not a predicate", '"x"', "<https://example.org/g>")
        _emit(50 * SLICE, sink)  # far more than the queue holds

    with pytest.raises(SyntaxError):
        load_nquads(store, emitted(broken), lenient=True)
    assert not any(t.name == "emitting-quads" and t.is_alive() for t in threading.enumerate())
    assert OxigraphStore(store).count_organisations() == before
    assert len(OxigraphStore(store).dataset()) >= 3
