"""ROBOT-report-style checks (prototype): labels, definitions, declarations, duplicate labels."""
import sys, rdflib
from collections import defaultdict
from rdflib.namespace import RDF, RDFS, OWL, SKOS
files = sys.argv[1:] or ["/work/main/ontology/pcg.ttl","/work/main/ontology/pcg-import.ttl","/work/main/ontology/ods-codes.ttl"]
g = rdflib.Graph()
for f in files: g.parse(f)
PCG = rdflib.Namespace("https://w3id.org/pcgraph/def#")
terms = {s for s in g.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(str(PCG))}
short = lambda t: str(t)[len(PCG):]
nolabel = sorted(short(t) for t in terms if (t, RDFS.label, None) not in g and (t, SKOS.prefLabel, None) not in g)
nodef = sorted(short(t) for t in terms if (t, RDFS.comment, None) not in g and (t, SKOS.definition, None) not in g)
print("pcg terms:", len(terms)); print("no label:", nolabel); print("no definition:", nodef)
used = {o for o in g.objects() if isinstance(o, rdflib.URIRef) and str(o).startswith(str(PCG))} | {p for p in g.predicates() if str(p).startswith(str(PCG))}
declared = {s for s in g.subjects(RDF.type, None) if str(s).startswith(str(PCG))}
print("pcg used, not declared:", sorted(short(u) for u in used - declared))
W3C = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#")
print("non-pcg predicates not declared here:", sorted(str(p) for p in set(g.predicates()) if not str(p).startswith(str(PCG)) and not str(p).startswith(W3C) and (p, RDF.type, None) not in g))
dup = defaultdict(set)
for c, sch in g.subject_objects(SKOS.inScheme):
    for l in list(g.objects(c, SKOS.prefLabel)) + list(g.objects(c, RDFS.label)):
        dup[(sch, str(l).lower())].add(c)
print("duplicate labels within a scheme:", [(str(k[0]).rsplit('/',1)[-1].rsplit('#',1)[-1], k[1], sorted(str(x).rsplit('/',1)[-1] for x in v)) for k, v in dup.items() if len(v) > 1])
lab = defaultdict(set)
for t in terms:
    for l in g.objects(t, RDFS.label): lab[(str(l).lower(), l.language)].add(short(t))
print("duplicate rdfs:label among pcg terms:", {k[0]: sorted(v) for k, v in lab.items() if len(v) > 1})
roles = [s for c in (PCG.GovernanceRole, PCG.ExecutiveRole, PCG.ClinicalRole, PCG.RepresentativeRole) for s in g.subjects(RDF.type, c)]
print("org:Role individuals", len(roles), "with skos:prefLabel", sum(1 for r in roles if (r, SKOS.prefLabel, None) in g), "in a scheme", sum(1 for r in roles if (r, SKOS.inScheme, None) in g))
untyped_classes = [short(c) for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(str(PCG)) and not list(g.objects(c, RDFS.subClassOf)) and (c, OWL.oneOf, None) not in g]
print("pcg classes without superclass:", sorted(untyped_classes))
