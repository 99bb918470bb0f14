"""All SPARQL of the embedded store, in one module (as :mod:`graphkit.store.cypher` holds Neo4j's). Every query
reads the resolved graph for what holds when, or the source graphs for who said what. Values are bound as
parameters (Oxigraph substitutions) by the caller; the only text put into a query here is IRIs the store built
from codes (escaped by :func:`graphkit.core.namespaces.org_iri`) and fixed fragments."""

from __future__ import annotations

from graphkit.rdf.emit import RESOLVED

#: Ties of the anchored organisations or classes (``anchor``), holding on ?day (``when``) or ever.
TIES = """
SELECT ?day ?t ?cls ?m ?mcode ?mname ?o ?ocode ?oname ?start ?end ?atype ?ev ?lo ?hi ?basis ?prec
       (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources)
WHERE {
  GRAPH <%(resolved)s> {
    %(anchor)s
    ?t %(lower)s ?m ; %(upper)s ?o ; a ?cls ; %(during)s ?iv ; pcg:assertionType ?atype .
    FILTER (STRSTARTS(STR(?cls), STR(pcg:)) && ?cls != pcg:DatedRelation && ?cls != pcg:PostHolding)
    ?m org:identifier ?mcode ; skos:prefLabel ?mname .
    ?o org:identifier ?ocode ; skos:prefLabel ?oname .
    OPTIONAL { ?iv time:hasBeginning/time:inXSDDate ?start }
    OPTIONAL { ?iv time:hasEnd/time:inXSDDate ?end }
    OPTIONAL { ?t pcg:endEvidence ?ev }
    OPTIONAL { ?t pcg:endPrecision ?prec }
    OPTIONAL { ?t pcg:startEarliest ?lo ; pcg:startLatest ?hi ; pcg:startBasis ?basis }
    OPTIONAL { ?t prov:wasDerivedFrom ?src }
    %(kind)s
  }
  %(when)s
}
GROUP BY ?day ?t ?cls ?m ?mcode ?mname ?o ?ocode ?oname ?start ?end ?atype ?ev ?lo ?hi ?basis ?prec
"""
WHEN = "FILTER ((!BOUND(?start) || ?start <= ?day) && (!BOUND(?end) || ?end >= ?day))"


#: A tie is a membership (org:member, org:organization, org:memberDuring) or a dated relation
#: (pcg:fromOrganisation, pcg:toOrganisation, pcg:validDuring); the paths match either.
LOWER = "org:member|pcg:fromOrganisation"
UPPER = "org:organization|pcg:toOrganisation"
DURING = "org:memberDuring|pcg:validDuring"
_TIE_PATHS = {"lower": LOWER, "upper": UPPER, "during": DURING}


def ties(anchor: str, *, dated: bool) -> str:
    return TIES % {"resolved": RESOLVED, "anchor": anchor, "kind": "", "when": WHEN if dated else "", **_TIE_PATHS}


def when(dated: bool) -> str:
    return WHEN if dated else ""


REQUIRE = f"SELECT ?org WHERE {{ GRAPH <{RESOLVED}> {{ ?org org:identifier ?c }} }} LIMIT 1"

KINDS = f"""SELECT ?org ?kind WHERE {{ GRAPH <{RESOLVED}> {{ ?org a ?kind .
                 FILTER (STRSTARTS(STR(?kind), STR(pcg:))) }} }}"""

ORGANISATION = f"""SELECT ?org ?name ?start ?end ?status ?fictional ?footprint ?note WHERE {{ GRAPH <{RESOLVED}> {{
                 ?org skos:prefLabel ?name .
                 OPTIONAL {{ ?org pcg:validDuring ?iv .
                            OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                            OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 OPTIONAL {{ ?org pcg:status ?status }}
                 OPTIONAL {{ ?org pcg:fictional ?fictional }}
                 OPTIONAL {{ ?org pcg:footprintBasis ?footprint }} OPTIONAL {{ ?org pcg:note ?note }} }} }}"""

#: :data:`ORGANISATION` and :data:`KINDS` of every organisation, with its code (the record index,
#: graphkit/store/shared.py record_index).
ALL_ORGANISATIONS = f"""SELECT ?code ?name ?start ?end ?status ?fictional ?footprint ?note WHERE {{
                 GRAPH <{RESOLVED}> {{
                 ?org org:identifier ?code ; skos:prefLabel ?name .
                 OPTIONAL {{ ?org pcg:validDuring ?iv .
                            OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                            OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 OPTIONAL {{ ?org pcg:status ?status }}
                 OPTIONAL {{ ?org pcg:fictional ?fictional }}
                 OPTIONAL {{ ?org pcg:footprintBasis ?footprint }} OPTIONAL {{ ?org pcg:note ?note }} }} }}"""
ALL_KINDS = f"""SELECT ?code ?kind WHERE {{ GRAPH <{RESOLVED}> {{ ?org org:identifier ?code ; a ?kind .
                 FILTER (STRSTARTS(STR(?kind), STR(pcg:))) }} }}"""

NAMES = """SELECT ?org ?g ?name ?vintage WHERE { GRAPH ?g { ?org rdfs:label ?name }
                 GRAPH ?g { ?g pcg:vintage ?vintage } }"""

#: :data:`NAMES` of every organisation, with its code (the renamings, graphkit/store/reorganisation.py).
ALL_NAMES = f"""SELECT ?code ?g ?name ?vintage WHERE {{ GRAPH ?g {{ ?org rdfs:label ?name }}
                 GRAPH ?g {{ ?g pcg:vintage ?vintage }} GRAPH <{RESOLVED}> {{ ?org org:identifier ?code }} }}"""

PROJECTION_TIES = f"""SELECT ?kind ?mcode ?mname ?ocode ?oname ?start ?end WHERE {{ GRAPH <{RESOLVED}> {{
                 VALUES ?kind {{ pcg:PCNMembership pcg:CommissionerAssignment }}
                 ?t a ?kind ; {LOWER} ?m ; {UPPER} ?o ; {DURING} ?iv .
                 ?m a pcg:PrescribingCostCentre ; org:identifier ?mcode ; skos:prefLabel ?mname .
                 ?o org:identifier ?ocode ; skos:prefLabel ?oname .
                 OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                 OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}"""

#: Every input file as the build described it (in the resolved graph, which cites them).
SOURCE_FILES = f"""SELECT ?s ?file ?kind ?vintage ?sha ?publisher ?licence ?title WHERE {{ GRAPH <{RESOLVED}> {{
                 ?s a pcg:SourceDocument ; pcg:fileName ?file ; pcg:sourceKind ?kind ; pcg:vintage ?vintage ;
                    pcg:sha256 ?sha ; dcterms:publisher ?publisher ; dcterms:license ?licence .
                 OPTIONAL {{ ?s dcterms:title ?title }} }} }} ORDER BY ?s"""

LIST_SIZES = f"""SELECT ?code ?fy ?size WHERE {{ GRAPH <{RESOLVED}> {{ ?c pcg:financialYear ?fy ;
                 pcg:contractHolder ?p ; pcg:listSize ?size . ?p org:identifier ?code }} }}"""


def org_rows(where: str, text: str) -> str:
    return f"""SELECT ?q ?kindclass ?o ?code ?name ?start ?end ?size
                  (GROUP_CONCAT(DISTINCT STR(?kind); SEPARATOR=" ") AS ?kinds)
                  (GROUP_CONCAT(DISTINCT STR(?fn); SEPARATOR=" ") AS ?fns)
                  (GROUP_CONCAT(DISTINCT STR(?exit); SEPARATOR=" ") AS ?exits) WHERE {{ GRAPH <{RESOLVED}> {{
                 {where}
                 ?o org:identifier ?code ; skos:prefLabel ?name ; a ?kind .
                 FILTER (STRSTARTS(STR(?kind), STR(pcg:))) {text}
                 OPTIONAL {{ ?o pcg:validDuring ?iv .
                            OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                            OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }}
                 OPTIONAL {{ ?o pcg:listSize ?size }} OPTIONAL {{ ?o pcg:centralFunction ?fn }}
                 OPTIONAL {{ ?o pcg:exitCost ?exit }} }} }}
               GROUP BY ?q ?kindclass ?o ?code ?name ?start ?end ?size"""


ORG_ROWS_TEXT = "FILTER (CONTAINS(LCASE(?name), LCASE(?q)) || STRSTARTS(?code, UCASE(?q)))"


def role_rows(values: str) -> str:
    return f"""SELECT ?h ?code ?role ?start ?end (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources)
                        WHERE {{ GRAPH <{RESOLVED}> {{ VALUES ?o {{ {values} }}
                         ?o org:identifier ?code . ?h pcg:holder ?o ; pcg:odsRole ?role ; pcg:validDuring ?iv .
                         OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                         OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }}
                         OPTIONAL {{ ?h prov:wasDerivedFrom ?src }} }} }}
                        GROUP BY ?h ?code ?role ?start ?end"""


def stated(graph: str, values: str) -> str:
    """Line and citations of the facts ``values`` in the source graph ``graph``."""
    return f"""SELECT ?h ?line ?cite WHERE {{ GRAPH <{graph}> {{ VALUES ?h {{ {values} }}
                         ?h pcg:sourceLine ?line OPTIONAL {{ ?h pcg:citation|dcterms:source ?cite }} }} }}"""


CONTRACT_KEYS = f"""SELECT ?c ?fy ?ctype ?code ?disp (GROUP_CONCAT(?cc; separator=" ") AS ?ccs) WHERE {{
    GRAPH <{RESOLVED}> {{ ?c a pcg:Contract ; pcg:contractHolder ?p ; pcg:financialYear ?fy . ?p org:identifier ?code .
                         OPTIONAL {{ ?c pcg:contractTypeStated ?ctype }} OPTIONAL {{ ?c pcg:dispensing ?disp }}
                         OPTIONAL {{ ?c pcg:commissioner/org:identifier ?cc }} }} }}
    GROUP BY ?c ?fy ?ctype ?code ?disp"""


def contracts(pattern: str) -> str:
    return f"""SELECT ?c ?fy ?ctype ?code ?name ?cc ?size ?wsize ?disp ?rur ?amount ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ {pattern}
                 ?c pcg:financialYear ?fy ; pcg:contractTypeStated ?ctype ; prov:wasDerivedFrom ?src .
                 ?p org:identifier ?code ; skos:prefLabel ?name .
                 OPTIONAL {{ ?c pcg:commissioner/org:identifier ?cc }}
                 OPTIONAL {{ ?c pcg:listSize ?size }} OPTIONAL {{ ?c pcg:weightedListSize ?wsize }}
                 OPTIONAL {{ ?c pcg:dispensing ?disp }} OPTIONAL {{ ?c pcg:rurality ?rur }}
                 OPTIONAL {{ ?c pcg:amountGBP ?amount }} }} }}"""


def contract_services(pattern: str) -> str:
    return f"""SELECT ?c ?fy ?ctype ?svc ?paid WHERE {{ GRAPH <{RESOLVED}> {{ {pattern}
                 ?pay pcg:underContract ?c ; pcg:paymentFor ?svc ; pcg:amountGBP ?paid }} }}"""


def provenance(org: str) -> str:
    return f"""SELECT ?fact ?cls ?g ?file ?vintage ?line WHERE {{
                 {{ VALUES (?fact ?cls) {{ ({org} pcg:Organisation) }} }}
                 UNION {{ GRAPH <{RESOLVED}> {{ ?fact {LOWER}|{UPPER} {org} ; a ?cls .
                          FILTER (STRSTARTS(STR(?cls), STR(pcg:))
                                  && ?cls NOT IN (pcg:DatedRelation, pcg:PostHolding)) }} }}
                 UNION {{ GRAPH <{RESOLVED}> {{ ?fact pcg:holder {org} . BIND (pcg:RoleHolding AS ?cls) }} }}
                 UNION {{ GRAPH <{RESOLVED}> {{ ?fact pcg:contractHolder {org} . BIND (pcg:Contract AS ?cls) }} }}
                 GRAPH ?g {{ ?fact pcg:sourceLine ?line }}
                 GRAPH ?g {{ ?g pcg:fileName ?file ; pcg:vintage ?vintage }} }}"""


def posts(where: str, dated: bool) -> str:
    return f"""SELECT ?day ?h ?pid ?pname ?ocode ?oname ?role ?title ?start ?end ?rep ?app ?voting ?comm ?note ?src
               WHERE {{
                 GRAPH <{RESOLVED}> {{ {where}
                   ?h a pcg:PostHolding ; org:member ?person ; pcg:post ?post ; prov:wasDerivedFrom ?src .
                   ?person pcg:personId ?pid ; rdfs:label ?pname .
                   ?post org:postIn ?o . ?o org:identifier ?ocode ; skos:prefLabel ?oname .
                   OPTIONAL {{ ?post org:role ?role }} OPTIONAL {{ ?post rdfs:label ?title }}
                   OPTIONAL {{ ?post pcg:voting ?voting }}
                   OPTIONAL {{ ?h pcg:represents/org:identifier ?rep }} OPTIONAL {{ ?h pcg:appointmentMode ?app }}
                   OPTIONAL {{ ?h pcg:commissioningRole ?comm }} OPTIONAL {{ ?h pcg:note ?note }}
                   OPTIONAL {{ ?h org:memberDuring ?iv .
                              OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                              OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}
                 {when(dated)} }}"""


def lateral_ties(dated: bool) -> str:
    return f"""SELECT ?day ?t ?cls ?from ?to ?start ?end ?mode ?mech ?arena ?by ?horizon ?status ?monitored ?sanction
                      ?compliance ?fn ?precision ?basis ?outcome ?lot ?note ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ ?t a pcg:Tie, ?cls ; pcg:tieFrom/org:identifier ?from ;
                      pcg:tieTo/org:identifier ?to ; prov:wasDerivedFrom ?src .
                   FILTER (?cls != pcg:Tie && STRSTARTS(STR(?cls), STR(pcg:)))
                   FILTER NOT EXISTS {{ ?t pcg:deliversUnder ?c }}
                   OPTIONAL {{ ?t pcg:hoodMode ?mode }} OPTIONAL {{ ?t pcg:mechanism ?mech }}
                   OPTIONAL {{ ?t pcg:competitionArena ?arena }} OPTIONAL {{ ?t pcg:initiatedBy/org:identifier ?by }}
                   OPTIONAL {{ ?t pcg:horizon ?horizon }} OPTIONAL {{ ?t pcg:tieStatus ?status }}
                   OPTIONAL {{ ?t pcg:monitored ?monitored }} OPTIONAL {{ ?t pcg:sanction ?sanction }}
                   OPTIONAL {{ ?t pcg:compliance ?compliance }} OPTIONAL {{ ?t pcg:dependsOnFunction ?fn }}
                   OPTIONAL {{ ?t pcg:endPrecision ?precision }} OPTIONAL {{ ?t pcg:selectionBasis ?basis }}
                   OPTIONAL {{ ?t pcg:outcome ?outcome }} OPTIONAL {{ ?t pcg:lot ?lot }}
                   OPTIONAL {{ ?t pcg:note ?note }}
                   OPTIONAL {{ ?t pcg:validDuring ?iv .
                              OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                              OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}
                 {when(dated)} }}"""


def agreements(dated: bool) -> str:
    return f"""SELECT ?day ?c ?id ?holder ?comm ?svc ?parent ?start ?end ?amount ?note ?succ ?src
                  (GROUP_CONCAT(?by; SEPARATOR=" ") AS ?delivered) (GROUP_CONCAT(STR(?cls); SEPARATOR=" ") AS ?classes)
                  (GROUP_CONCAT(?sup; SEPARATOR=" ") AS ?supporters)
                WHERE {{
                 GRAPH <{RESOLVED}> {{ ?c dcterms:identifier ?id ; a pcg:Contract, ?cls ;
                      pcg:contractHolder/org:identifier ?holder ; prov:wasDerivedFrom ?src .
                   FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
                   OPTIONAL {{ ?c pcg:commissioner/org:identifier ?comm }} OPTIONAL {{ ?c pcg:forService ?svc }}
                   OPTIONAL {{ ?c pcg:parentContract/dcterms:identifier ?parent }}
                   OPTIONAL {{ ?c pcg:amountGBP ?amount }} OPTIONAL {{ ?c pcg:deliveredBy/org:identifier ?by }}
                   OPTIONAL {{ ?c pcg:supportedBy/org:identifier ?sup }}
                   OPTIONAL {{ ?c pcg:note ?note }} OPTIONAL {{ ?c pcg:succeeds/dcterms:identifier ?succ }}
                   OPTIONAL {{ ?c pcg:validDuring ?iv .
                              OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }}
                              OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }} }} }}
                 {when(dated)} }}
               GROUP BY ?day ?c ?id ?holder ?comm ?svc ?parent ?start ?end ?amount ?note ?succ ?src"""


#: The note, tier and exit reason of the curated memberships that have any (ontology 2.4.0).
MEMBERSHIP_TERMS = f"""SELECT ?cls ?m ?o ?start ?note ?tier ?exit WHERE {{ GRAPH <{RESOLVED}> {{
                 {{ ?t pcg:note ?note }} UNION {{ ?t pcg:membershipTier ?tier }} UNION {{ ?t pcg:exitReason ?exit }}
                 {{ ?t a org:Membership }} UNION {{ ?t a pcg:DatedRelation }}
                 ?t a ?cls . FILTER (STRSTARTS(STR(?cls), STR(pcg:)) && ?cls != pcg:DatedRelation)
                 {{ ?t org:member/org:identifier ?m ; org:organization/org:identifier ?o ; org:memberDuring ?iv }}
                 UNION {{ ?t pcg:fromOrganisation/org:identifier ?m ; pcg:toOrganisation/org:identifier ?o ;
                          pcg:validDuring ?iv }}
                 OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }} }} }}"""


def person(node: str) -> str:
    return f"""SELECT ?name ?fictional ?src WHERE {{
                 GRAPH <{RESOLVED}> {{ {node} pcg:personId ?pid ; rdfs:label ?name ; prov:wasDerivedFrom ?src .
                   OPTIONAL {{ {node} pcg:fictional ?fictional }} }} }}"""


def events(org: str | None) -> str:
    """The change events an organisation (an IRI) took part in; every change event when None."""
    which = f"{{ ?e org:originalOrganization {org} }} UNION {{ ?e org:resultingOrganization {org} }}" if org else ""
    return f"""SELECT ?e ?cls ?day ?rcode (GROUP_CONCAT(DISTINCT ?ocode; SEPARATOR=" ") AS ?originals)
                  (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources) WHERE {{ GRAPH <{RESOLVED}> {{
                 {which}
                 ?e a org:ChangeEvent, ?cls ; prov:startedAtTime ?start ;
                    org:resultingOrganization/org:identifier ?rcode ; org:originalOrganization/org:identifier ?ocode .
                 BIND (xsd:date(?start) AS ?day)
                 FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
                 OPTIONAL {{ ?e pcg:attestedBy ?src }} }} }}
               GROUP BY ?e ?cls ?day ?rcode"""


COUNT_ORGS = f"SELECT (COUNT(?o) AS ?n) WHERE {{ GRAPH <{RESOLVED}> {{ ?o org:identifier ?c }} }}"

KIND_COUNTS = f"""SELECT ?kind (COUNT(?o) AS ?n) WHERE {{ GRAPH <{RESOLVED}> {{ ?o org:identifier ?c ; a ?kind .
                   FILTER (STRSTARTS(STR(?kind), STR(pcg:))) }} }} GROUP BY ?kind ORDER BY ?kind"""
