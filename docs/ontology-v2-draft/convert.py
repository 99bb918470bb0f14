"""Turtle -> N-Triples (and RDF/XML) for owlready2, which reads neither Turtle nor N-Quads."""
import sys, rdflib
from pathlib import Path
src = {
    "pcg": "/work/main/ontology/pcg.ttl",
    "pcg-import": "/work/main/ontology/pcg-import.ttl",
    "ods-codes": "/work/main/ontology/ods-codes.ttl",
    "org": "/work/shared/data/w3c/org.ttl",
    "prov-o": "/work/shared/data/w3c/prov-o.ttl",
}
for name, path in src.items():
    g = rdflib.Graph(); g.parse(path, format="turtle")
    g.serialize(f"{name}.nt", format="nt", encoding="utf-8")
    print(name, len(g))
