"""Generate :mod:`graphkit.ontology.vocab` from the ontology: a closed namespace per vocabulary.

Run ``python -m graphkit.ontology.vocabgen`` after changing ``ontology/*.ttl``; a test regenerates the
module and fails when the committed copy is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, URIRef

from graphkit.config import PROJECT_ROOT
from graphkit.core.namespaces import ODSREL_NS, ODSROLE_NS, PCG_NS

ROOT = PROJECT_ROOT
#: The ontology's files in ontology/, read here, by graphkit.ontology.shacl and by the stores' loads.
ONTOLOGY_FILES = ("pcg.ttl", "pcg-import.ttl", "ods-codes.ttl")
TARGET = Path(__file__).resolve().parent / "vocab.py"


def load_ontology(root: Path = ROOT) -> Graph:
    g = Graph()
    for name in ONTOLOGY_FILES:
        g.parse(root / "ontology" / name, format="turtle")
    return g


def terms_in(graph: Graph, namespace: str) -> list[str]:
    """Local names of every term that the ontology *defines* (is the subject of a triple) in namespace."""
    names = {
        str(s)[len(namespace) :]
        for s in graph.subjects()
        if isinstance(s, URIRef) and str(s).startswith(namespace) and len(str(s)) > len(namespace)
    }
    return sorted(n for n in names if n.isidentifier())


def render(graph: Graph) -> str:
    out = [
        '"""Closed vocabularies generated from ontology/*.ttl by ``python -m graphkit.ontology.vocabgen``.',
        "Do not edit.",
        "",
        "Using a term the ontology does not define raises AttributeError at import time.",
        "",
        "Generated, hence long: one line for every term the ontology defines, so the module is as long as the",
        "ontology is wide; there are no seams to split it along, and nobody reads or edits it by hand.",
        '"""',
        "",
        "from rdflib.namespace import ClosedNamespace",
        "",
    ]
    for var, ns in (("PCG", str(PCG_NS)), ("ODSROLE", str(ODSROLE_NS)), ("ODSREL", str(ODSREL_NS))):
        terms = terms_in(graph, ns)
        out.append(f"{var} = ClosedNamespace(")
        out.append(f'    uri="{ns}",')
        out.append("    terms=[")
        out.extend(f'        "{t}",' for t in terms)
        out.append("    ],")
        out.append(")")
        out.append("")
    return "\n".join(out)


def main() -> int:
    text = render(load_ontology())
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
