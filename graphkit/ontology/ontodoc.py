"""Generate the human reference of the ontology (docs/ontology-reference.md) from ontology/*.ttl.

Run ``python -m graphkit.ontology.ontodoc``; a test regenerates it and fails if the committed copy is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graphkit.core.namespaces import ODSREL_NS, ODSROLE_NS, PCG_NS, PREFIXES
from graphkit.ontology.vocabgen import load_ontology

TARGET = Path(__file__).resolve().parents[2] / "docs" / "ontology-reference.md"
PCG_MAPS_CLASS = URIRef(str(PCG_NS) + "mapsToClass")
SCHEMA_DOMAIN = URIRef("https://schema.org/domainIncludes")
SCHEMA_RANGE = URIRef("https://schema.org/rangeIncludes")
PCG_MAPS_PROP = URIRef(str(PCG_NS) + "mapsToProperty")
PCG_DEF_SOURCE = URIRef(str(PCG_NS) + "definitionSource")


def _q(g: Graph, term: object) -> str:
    t = str(term)
    for prefix, ns in PREFIXES.items():
        if t.startswith(ns) and len(t) > len(ns):
            return f"{prefix}:{t[len(ns) :]}"
    return t


def _text(g: Graph, s: object, p: URIRef) -> str:
    values = sorted({str(v) for v in g.objects(s, p)})  # type: ignore[arg-type]
    return " / ".join(v.replace("|", "\\|").replace("\n", " ") for v in values)


def render(g: Graph) -> str:
    pcg = str(PCG_NS)
    classes = sorted({s for s in g.subjects(RDF.type, OWL.Class) if str(s).startswith(pcg)}, key=str)
    props = sorted(
        {
            s
            for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
            for s in g.subjects(RDF.type, t)
            if str(s).startswith(pcg)
        },
        key=str,
    )
    role_map: dict[str, list[str]] = {}
    for concept, cls in g.subject_objects(PCG_MAPS_CLASS):
        if str(concept).startswith(str(ODSROLE_NS)):
            role_map.setdefault(str(cls), []).append(str(concept)[len(str(ODSROLE_NS)) :])
    out = [
        "# Ontology reference (generated)",
        "",
        "Generated from `ontology/*.ttl` by `python -m graphkit.ontology.ontodoc`; do not edit by hand. The guide to",
        "the modelling is `docs/ontology.md`. Namespace `pcg:` = `https://w3id.org/pcgraph/def#`.",
        "",
        f"{len(classes)} classes, {len(props)} properties. A domain or range in italics is not an axiom but "
        "schema.org's `domainIncludes` / `rangeIncludes`: what the values usually are.",
        "",
        "## Classes",
        "",
        "| class | label | subclass of | ODS roles | defined by | comment |",
        "|---|---|---|---|---|---|",
    ]
    for c in classes:
        supers = ", ".join(sorted(_q(g, o) for o in g.objects(c, RDFS.subClassOf) if isinstance(o, URIRef)))
        roles = ", ".join(sorted(role_map.get(str(c), [])))
        out.append(
            f"| `{_q(g, c)}` | {_text(g, c, RDFS.label)} | {supers} | {roles} | "
            f"{_text(g, c, PCG_DEF_SOURCE)} | {_text(g, c, RDFS.comment)} |"
        )
    out += [
        "",
        "## Properties",
        "",
        "| property | kind | label | domain | range | comment |",
        "|---|---|---|---|---|---|",
    ]
    for p in props:
        kind = ", ".join(sorted(_q(g, t).split(":")[1] for t in g.objects(p, RDF.type)))
        # an axiom, or else what schema.org's domainIncludes / rangeIncludes say the values usually are (in italics)
        dom = ", ".join(sorted(_q(g, o) for o in g.objects(p, RDFS.domain))) or ", ".join(
            sorted(f"*{_q(g, o)}*" for o in g.objects(p, SCHEMA_DOMAIN)))
        rng = ", ".join(sorted(_q(g, o) for o in g.objects(p, RDFS.range))) or ", ".join(
            sorted(f"*{_q(g, o)}*" for o in g.objects(p, SCHEMA_RANGE)))
        out.append(
            f"| `{_q(g, p)}` | {kind} | {_text(g, p, RDFS.label)} | {dom} | {rng} | {_text(g, p, RDFS.comment)} |"
        )
    out += ["", "## ODS relationship codes", "", "| code | name | property |", "|---|---|---|"]
    for concept in sorted({s for s in g.subjects(SKOS.notation, None) if str(s).startswith(str(ODSREL_NS))}, key=str):
        mapped = ", ".join(f"`{_q(g, o)}`" for o in g.objects(concept, PCG_MAPS_PROP))
        out.append(f"| {_text(g, concept, SKOS.notation)} | {_text(g, concept, SKOS.prefLabel)} | {mapped} |")
    return "\n".join(out) + "\n"


def main() -> int:
    TARGET.write_text(render(load_ontology()), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
