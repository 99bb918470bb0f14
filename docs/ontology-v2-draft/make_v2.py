"""Prototype v2 ontology = v1 files - removed triples + delta-add.ttl (+ SKOS for the 22 roles)."""
import rdflib
from rdflib import URIRef, Literal
from rdflib.namespace import RDF, RDFS, OWL, SKOS, XSD
PCG = rdflib.Namespace("https://w3id.org/pcgraph/def#"); ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#"); TIME = rdflib.Namespace("http://www.w3.org/2006/time#")
SCHEMA = rdflib.Namespace("https://schema.org/")
g = rdflib.Graph()
for f in ["pcg.ttl", "pcg-import.ttl", "ods-codes.ttl"]: g.parse("/work/main/ontology/" + f)
O = URIRef("https://w3id.org/pcgraph/def")
g.remove((O, OWL.versionInfo, None))
# change events: eventDate no longer a prov:atTime, no xsd:date ranges anywhere in the TBox
g.remove((PCG.eventDate, RDFS.subPropertyOf, PROV.atTime))
for p in list(g.subjects(RDFS.range, XSD.date)):
    g.remove((p, RDFS.range, XSD.date)); g.add((p, SCHEMA.rangeIncludes, XSD.date))
# memberships that are not memberships
for c in (PCG.CommissionerAssignment, PCG.NominatedPayeeAssignment, PCG.OperatorAssignment, PCG.StructuralMembership):
    g.remove((c, RDFS.subClassOf, ORG.Membership))
g.remove((None, PCG.reifiesProperty, None))
for p in (PCG.odsRelType, PCG.odsUniqueRelId, PCG.assigned):      # domain org:Membership would type relations
    g.remove((p, RDFS.domain, ORG.Membership))
    g.add((p, SCHEMA.domainIncludes, ORG.Membership)); g.add((p, SCHEMA.domainIncludes, PCG.DatedRelation))
# one-day intervals are time:Interval, not time:ProperInterval
for p in (PCG.validDuring, PCG.legalDuring):
    g.remove((p, RDFS.range, TIME.ProperInterval)); g.add((p, RDFS.range, TIME.Interval))
# role individuals: SKOS labels and scheme
for cls in (PCG.GovernanceRole, PCG.ExecutiveRole, PCG.ClinicalRole, PCG.RepresentativeRole):
    for r in g.subjects(RDF.type, cls):
        g.add((r, SKOS.prefLabel, g.value(r, RDFS.label))); g.add((r, SKOS.inScheme, PCG.PostRoleScheme))
        g.add((r, SKOS.topConceptOf, PCG.PostRoleScheme))
# duplicate ODS names within odsrole:scheme: disambiguated prefLabel, verbatim name kept as altLabel
ODSROLE = rdflib.Namespace("https://w3id.org/pcgraph/ods/role/")
for code in ("RO69", "RO232", "RO220", "RO230"):
    c = ODSROLE[code]; name = g.value(c, SKOS.prefLabel); g.remove((c, SKOS.prefLabel, name))
    g.add((c, SKOS.prefLabel, Literal(f"{name} ({code})", lang="en"))); g.add((c, SKOS.altLabel, name))
g.parse("delta-add.ttl")
g.serialize("pcg-v2-all.ttl", format="turtle")
g.serialize("pcg-v2-all.nt", format="nt", encoding="utf-8")
# for owlready2 / Pellet / HermiT: no owl:imports (the W3C files are loaded beside it)
g2 = rdflib.Graph(); [g2.add(t) for t in g if t[1] != OWL.imports]
g2.serialize("pcg-v2-noimports.nt", format="nt", encoding="utf-8")
print(len(g), "triples")
