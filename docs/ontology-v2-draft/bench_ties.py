"""v1 TIES query (graphkit/store/oxigraph/sparql.py:11) vs v2 forms, on the national resolved graph (v1 and migrated v2)."""
import time, pyoxigraph as ox
R = "https://w3id.org/pcgraph/id/graph/resolved"
P = ("PREFIX pcg: <https://w3id.org/pcgraph/def#> PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#> "
     "PREFIX time: <http://www.w3.org/2006/time#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
def load(f):
    s = ox.Store(); s.bulk_load(path=f, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(R)); return s
BODY_V1 = "?t org:member ?m ; org:organization ?o ; a ?cls ; org:memberDuring ?iv ; pcg:assertionType ?atype ."
BODY_ALT = ("?t (org:member|pcg:fromOrganisation) ?m ; (org:organization|pcg:toOrganisation) ?o ; a ?cls ; "
            "(org:memberDuring|pcg:validDuring) ?iv ; pcg:assertionType ?atype .")
BODY_UNION = ("{ ?t org:member ?m ; org:organization ?o ; org:memberDuring ?iv } UNION "
              "{ ?t pcg:fromOrganisation ?m ; pcg:toOrganisation ?o ; pcg:validDuring ?iv } ?t a ?cls ; pcg:assertionType ?atype .")
def q(body, anchor, key="pcg:odsCode"):
    return P + f"""SELECT ?t ?cls ?mcode ?ocode ?start ?end (GROUP_CONCAT(DISTINCT STR(?src); SEPARATOR=" ") AS ?sources)
WHERE {{ GRAPH <{R}> {{ {anchor} {body} FILTER (STRSTARTS(STR(?cls), STR(pcg:)))
  ?m {key} ?mcode . ?o {key} ?ocode .
  OPTIONAL {{ ?iv time:hasBeginning/time:inXSDDate ?start }} OPTIONAL {{ ?iv time:hasEnd/time:inXSDDate ?end }}
  OPTIONAL {{ ?t prov:wasDerivedFrom ?src }} }} }} GROUP BY ?t ?cls ?mcode ?ocode ?start ?end"""
anchors = {"up A81001": "VALUES ?m { <https://w3id.org/pcgraph/id/org/A81001> }",
           "down 16C": "VALUES ?o { <https://w3id.org/pcgraph/id/org/16C> }",
           "down QHM": "VALUES ?o { <https://w3id.org/pcgraph/id/org/QHM> }",
           "all": ""}
def run(s, text, n=3):
    best = 1e9
    for _ in range(n):
        t = time.perf_counter(); rows = list(s.query(text)); best = min(best, time.perf_counter() - t)
    return len(rows), best
v1 = load("national-v1-all.nt"); v2 = load("national-v2-all.nt")
for name, a in anchors.items():
    n1, t1 = run(v1, q(BODY_V1, a))
    n2, t2 = run(v2, q(BODY_ALT, a))
    n3, t3 = run(v2, q(BODY_UNION, a))
    n4, t4 = run(v2, q(BODY_UNION, a, "org:identifier"))
    print(f"{name:10} v1 {n1:6} rows {t1*1000:8.1f} ms | v2 path-alt {n2:6} {t2*1000:8.1f} ms | v2 union {n3:6} {t3*1000:8.1f} ms | union+org:identifier {n4:6} {t4*1000:8.1f} ms")
print("-- two queries (memberships, relations) concatenated")
BODY_M = "?t org:member ?m ; org:organization ?o ; a ?cls ; org:memberDuring ?iv ; pcg:assertionType ?atype ."
BODY_R = "?t pcg:fromOrganisation ?m ; pcg:toOrganisation ?o ; a ?cls ; pcg:validDuring ?iv ; pcg:assertionType ?atype ."
for name, a in anchors.items():
    n1, t1 = run(v2, q(BODY_M, a)); n2, t2 = run(v2, q(BODY_R, a))
    print(f"{name:10} v2 two queries {n1+n2:6} rows {(t1+t2)*1000:8.1f} ms")
