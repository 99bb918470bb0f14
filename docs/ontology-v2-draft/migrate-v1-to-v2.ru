# v1 -> v2 data migration (SPARQL 1.1 Update), every named graph. Prototype for docs/ontology.md's migration note.
PREFIX pcg:  <https://w3id.org/pcgraph/def#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>

# 1. change events: sources by pcg:attestedBy (valid on a prov:Activity), dates by prov:startedAtTime/endedAtTime
DELETE { GRAPH ?g { ?e prov:wasDerivedFrom ?s } } INSERT { GRAPH ?g { ?e pcg:attestedBy ?s } }
WHERE  { GRAPH ?r { ?e a org:ChangeEvent } GRAPH ?g { ?e prov:wasDerivedFrom ?s } } ;
DELETE { GRAPH ?g { ?e pcg:eventDate ?d } } INSERT { GRAPH ?g { ?e prov:startedAtTime ?t ; prov:endedAtTime ?t } }
WHERE  { GRAPH ?g { ?e pcg:eventDate ?d } BIND (xsd:dateTime(?d) AS ?t) } ;

# 2. commissioning, operation, payee and part-of: dated relations, not memberships
DELETE { GRAPH ?r { ?t a org:Membership } }
WHERE  { GRAPH ?r { ?t a org:Membership , ?c
         VALUES ?c { pcg:CommissionerAssignment pcg:NominatedPayeeAssignment pcg:OperatorAssignment pcg:SystemMembership
                     pcg:RegionMembership pcg:UnitMembership pcg:ConstituentMembership pcg:StructuralMembership } } } ;
DELETE { GRAPH ?g { ?t org:member ?a } } INSERT { GRAPH ?g { ?t pcg:fromOrganisation ?a } }
WHERE  { GRAPH ?r { ?t a ?c VALUES ?c { pcg:CommissionerAssignment pcg:NominatedPayeeAssignment pcg:OperatorAssignment
         pcg:SystemMembership pcg:RegionMembership pcg:UnitMembership pcg:ConstituentMembership pcg:StructuralMembership } }
         GRAPH ?g { ?t org:member ?a } } ;
DELETE { GRAPH ?g { ?t org:organization ?b } } INSERT { GRAPH ?g { ?t pcg:toOrganisation ?b } }
WHERE  { GRAPH ?r { ?t a ?c VALUES ?c { pcg:CommissionerAssignment pcg:NominatedPayeeAssignment pcg:OperatorAssignment
         pcg:SystemMembership pcg:RegionMembership pcg:UnitMembership pcg:ConstituentMembership pcg:StructuralMembership } }
         GRAPH ?g { ?t org:organization ?b } } ;
DELETE { GRAPH ?g { ?t org:memberDuring ?i } } INSERT { GRAPH ?g { ?t pcg:validDuring ?i } }
WHERE  { GRAPH ?r { ?t a ?c VALUES ?c { pcg:CommissionerAssignment pcg:NominatedPayeeAssignment pcg:OperatorAssignment
         pcg:SystemMembership pcg:RegionMembership pcg:UnitMembership pcg:ConstituentMembership pcg:StructuralMembership } }
         GRAPH ?g { ?t org:memberDuring ?i } } ;

# 3. post holdings are ORG memberships with org:role
DELETE { GRAPH ?g { ?h pcg:holderPerson ?p } } INSERT { GRAPH ?g { ?h org:member ?p } }
WHERE  { GRAPH ?g { ?h a pcg:PostHolding ; pcg:holderPerson ?p } } ;
INSERT { GRAPH ?g { ?h a org:Membership ; org:organization ?o ; org:role ?role } }
WHERE  { GRAPH ?g { ?h a pcg:PostHolding ; pcg:post ?post . ?post org:postIn ?o OPTIONAL { ?post org:role ?role } } } ;
DELETE { GRAPH ?g { ?h pcg:validDuring ?i } } INSERT { GRAPH ?g { ?h org:memberDuring ?i } }
WHERE  { GRAPH ?r { ?h a pcg:PostHolding } GRAPH ?g { ?h pcg:validDuring ?i } } ;

# 4. identifiers: org:identifier on every organisation; pcg:odsCode only for ODS codes
INSERT { GRAPH ?g { ?o org:identifier ?c } } WHERE { GRAPH ?g { ?o pcg:odsCode ?c } } ;
DELETE { GRAPH ?g { ?o pcg:odsCode ?c } } INSERT { GRAPH ?g { ?o pcg:localCode ?c } }
WHERE  { GRAPH ?g { ?o pcg:odsCode ?c FILTER (CONTAINS(?c, "-") || STRSTARTS(?c, "ZZF")) } } ;

# 5. explicit "no later than" ends
INSERT { GRAPH ?g { ?t pcg:endPrecision pcg:EndNoLaterThan } } WHERE { GRAPH ?g { ?t pcg:endEvidence ?ev } } ;

# 6. one-day intervals (beginning = end) are time:Interval, not time:ProperInterval
DELETE { GRAPH ?g { ?i a time:ProperInterval } } INSERT { GRAPH ?g { ?i a time:Interval } }
WHERE  { GRAPH ?g { ?i a time:ProperInterval ; time:hasBeginning ?b ; time:hasEnd ?b } }
