import pyoxigraph as ox, time
s = ox.Store("/tmp/issue22/store-copy")
R = "https://w3id.org/pcgraph/id/graph/resolved"
P = "PREFIX pcg: <https://w3id.org/pcgraph/def#> PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX time: <http://www.w3.org/2006/time#> "
def q(text):
    t=time.time(); r=list(s.query(P+text)); return r, time.time()-t
print("graphs", sum(1 for _ in s.named_graphs()))
r,t = q(f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ GRAPH <{R}> {{ ?x a ?c }} }} GROUP BY ?c ORDER BY DESC(?n)")
for row in r: print(f"  {row[1].value:>8} {row[0].value}")
print(f"({t:.1f}s)")
