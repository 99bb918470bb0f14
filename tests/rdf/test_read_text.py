"""The store read as N-Triples text (graphkit/rdf/read.py, ``_subjects_of_text``) gives what reading Oxigraph's terms
gives (``_subjects``), for every kind of term the model has, escapes and awkward characters included."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graphkit.rdf.read import UnreadableDataset, _subjects, _subjects_of_text

XSD = "http://www.w3.org/2001/XMLSchema#"
G = ox.NamedNode("https://example.org/graph")


def _store(objects: list[ox.NamedNode | ox.Literal | ox.BlankNode]) -> ox.Store:
    store = ox.Store()
    for i, o in enumerate(objects):
        s = ox.NamedNode(f"https://example.org/s/{i % 3}")
        store.add(ox.Quad(s, ox.NamedNode(f"https://example.org/p/{i % 2}"), o, G))
    return store


def _both(store: ox.Store) -> tuple[dict, dict]:
    by_terms = {s: dict(p) for s, p in _subjects(store.quads_for_pattern(None, None, None, G)).items()}
    text = (store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=G) or b"").decode()
    return by_terms, _subjects_of_text(text)


def test_the_text_read_gives_the_same_values_as_the_terms() -> None:
    objects = [
        ox.NamedNode("https://example.org/org/A%20B"),
        ox.NamedNode("https://example.org/é"),
        ox.Literal('he said "hi"\n\ttab \\ back é \u0001 \x7f "@en ^^<x>'),
        ox.Literal("line\u2028separator\u0085next\rreturn\x0cfeed\x08"),
        ox.Literal("a name", language="en-GB"),
        ox.Literal('quoted "@fr', language="fr"),
        ox.Literal("", datatype=ox.NamedNode(XSD + "string")),
        ox.Literal("2020-01-31", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("2020-01-31", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("-3", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("1234.5", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("2020-01-31T00:00:00", datatype=ox.NamedNode(XSD + "dateTime")),
        ox.Literal("𝄞 astral", datatype=ox.NamedNode("https://example.org/own-type")),
    ]
    by_terms, by_text = _both(_store(objects))
    assert by_text == by_terms
    assert sum(len(v) for p in by_text.values() for v in p.values()) == len(objects)


def test_a_blank_node_is_refused_by_both_reads() -> None:
    store = _store([ox.BlankNode("b1")])
    with pytest.raises(UnreadableDataset):
        _subjects(store.quads_for_pattern(None, None, None, G))
    with pytest.raises(UnreadableDataset):
        _subjects_of_text((store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=G) or b"").decode())
