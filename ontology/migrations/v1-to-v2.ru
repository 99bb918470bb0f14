# Migrates a dataset written with the primary-care graph ontology 1.x to 2.0.0 (SPARQL 1.1 Update).
#
# Run it over the whole dataset (every named graph): the resolved graph and each source's graph. It rewrites
# the statements whose form changed and nothing else; the IRIs of organisations and facts, the named graphs and
# every date stay as they were. Then replace the ontology graph with ontology/pcg.ttl, pcg-import.ttl and
# ods-codes.ttl of 2.0.0. docs/ontology.md ("Migrating v1 data") says what changed and why; the project's
# tests run this file over the case studies written by 1.x and compare the result with what 2.0.0 writes.

PREFIX pcg:  <https://w3id.org/pcgraph/def#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>

# 1. A change event is a prov:Activity: timed by prov:startedAtTime and prov:endedAtTime (the start of the day
#    it took effect, an xsd:dateTime), attested by its sources (pcg:attestedBy), not pcg:eventDate and
#    prov:wasDerivedFrom (an entity's).
DELETE { GRAPH ?g { ?e pcg:eventDate ?day } }
INSERT { GRAPH ?g { ?e prov:startedAtTime ?time ; prov:endedAtTime ?time } }
WHERE {
  GRAPH ?g { ?e a org:ChangeEvent ; pcg:eventDate ?day }
  BIND (STRDT(CONCAT(STR(?day), "T00:00:00"), xsd:dateTime) AS ?time)
} ;

DELETE { GRAPH ?g { ?e prov:wasDerivedFrom ?source } }
INSERT { GRAPH ?g { ?e pcg:attestedBy ?source } }
WHERE { GRAPH ?g { ?e a org:ChangeEvent ; prov:wasDerivedFrom ?source } } ;

# 2. Commissioning, operation, nominated payee and part-of are dated relations, not memberships: the type,
#    then the ends and the period, in every graph that states them.
DELETE { GRAPH ?g { ?r a org:Membership } }
INSERT { GRAPH ?g { ?r a pcg:DatedRelation } }
WHERE {
  VALUES ?kind { pcg:CommissionerAssignment pcg:NominatedPayeeAssignment pcg:OperatorAssignment
                 pcg:StructuralMembership pcg:SystemMembership pcg:RegionMembership pcg:UnitMembership
                 pcg:ConstituentMembership }
  GRAPH ?g { ?r a org:Membership, ?kind }
} ;

DELETE { GRAPH ?g { ?r org:member ?lower } }
INSERT { GRAPH ?g { ?r pcg:fromOrganisation ?lower } }
WHERE { GRAPH ?typed { ?r a pcg:DatedRelation } GRAPH ?g { ?r org:member ?lower } } ;

DELETE { GRAPH ?g { ?r org:organization ?upper } }
INSERT { GRAPH ?g { ?r pcg:toOrganisation ?upper } }
WHERE { GRAPH ?typed { ?r a pcg:DatedRelation } GRAPH ?g { ?r org:organization ?upper } } ;

DELETE { GRAPH ?g { ?r org:memberDuring ?period } }
INSERT { GRAPH ?g { ?r pcg:validDuring ?period } }
WHERE { GRAPH ?typed { ?r a pcg:DatedRelation } GRAPH ?g { ?r org:memberDuring ?period } } ;

# 3. A post holding is the person's org:Membership of the post's organisation, with the post's role, dated by
#    org:memberDuring (pcg:holderPerson and pcg:validDuring before).
DELETE { GRAPH ?g { ?h pcg:holderPerson ?person } }
INSERT { GRAPH ?g { ?h a org:Membership ; org:member ?person ; org:organization ?organisation } }
WHERE { GRAPH ?g { ?h a pcg:PostHolding ; pcg:holderPerson ?person ; pcg:post ?post . ?post org:postIn ?organisation } } ;

INSERT { GRAPH ?g { ?h org:role ?role } }
WHERE { GRAPH ?g { ?h a pcg:PostHolding ; pcg:post ?post . ?post org:role ?role } } ;

DELETE { GRAPH ?g { ?h pcg:validDuring ?period } }
INSERT { GRAPH ?g { ?h org:memberDuring ?period } }
WHERE { GRAPH ?typed { ?h a pcg:PostHolding } GRAPH ?g { ?h pcg:validDuring ?period } } ;

# 4. A one-day interval (beginning = end, the same instant) is a time:Interval, not a time:ProperInterval.
DELETE { GRAPH ?g { ?i a time:ProperInterval } }
INSERT { GRAPH ?g { ?i a time:Interval } }
WHERE { GRAPH ?g { ?i a time:ProperInterval ; time:hasBeginning ?day ; time:hasEnd ?day } } ;

# 5. A fact closed by a newer file's silence says its end is "no later than" the end given.
INSERT { GRAPH ?g { ?fact pcg:endPrecision pcg:EndNoLaterThan } }
WHERE { GRAPH ?g { ?fact pcg:endEvidence ?file } } ;

# 6. Every organisation states its code as org:identifier; pcg:odsCode keeps ODS codes only, and a code the
#    project issues (a fictional organisation's, or any code with a hyphen) becomes a pcg:localCode.
INSERT { GRAPH ?g { ?o org:identifier ?code } }
WHERE { GRAPH ?g { ?o pcg:odsCode ?code } } ;

DELETE { GRAPH ?g { ?o pcg:odsCode ?code } }
INSERT { GRAPH ?g { ?o pcg:localCode ?code } }
WHERE {
  GRAPH ?g { ?o pcg:odsCode ?code }
  FILTER (CONTAINS(STR(?code), "-") || EXISTS { GRAPH ?g { ?o pcg:fictional true } })
}
