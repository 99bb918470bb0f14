"""A slice of the national resolved graph (copied store) as N-Triples: every change event, N memberships of each
class (all if N=0), role holdings of the organisations touched, the organisations, intervals, instants, sources."""
import sys, time, pyoxigraph as ox
N = int(sys.argv[1]); out = sys.argv[2]
s = ox.Store.read_only("/tmp/issue22/store-copy")
R = "<https://w3id.org/pcgraph/id/graph/resolved>"
P = ("PREFIX pcg: <https://w3id.org/pcgraph/def#> PREFIX org: <http://www.w3.org/ns/org#> "
     "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX time: <http://www.w3.org/2006/time#> ")
t0 = time.time()
facts = set()
for row in s.query(P + f"SELECT ?e WHERE {{ GRAPH {R} {{ ?e a org:ChangeEvent }} }}"):
    facts.add(row[0])
classes = [r[0] for r in s.query(P + f"SELECT DISTINCT ?c WHERE {{ GRAPH {R} {{ ?t a org:Membership, ?c FILTER(?c != org:Membership) }} }}")]
for c in classes:
    lim = f"LIMIT {N}" if N else ""
    for row in s.query(P + f"SELECT ?t WHERE {{ GRAPH {R} {{ ?t a <{c.value}> }} }} ORDER BY ?t {lim}"):
        facts.add(row[0])
g = ox.NamedNode(R[1:-1])
triples = set()
def add_subject(x):
    for q in s.quads_for_pattern(x, None, None, g):
        triples.add((q.subject, q.predicate, q.object))
orgs, nodes = set(), set()
for f in facts:
    for q in s.quads_for_pattern(f, None, None, g):
        triples.add((q.subject, q.predicate, q.object))
        if isinstance(q.object, ox.NamedNode) and "/id/org/" in q.object.value: orgs.add(q.object)
        elif isinstance(q.object, ox.NamedNode) and ("/id/interval/" in q.object.value or "/id/source/" in q.object.value): nodes.add(q.object)
for o in orgs:
    add_subject(o)
    for q in s.quads_for_pattern(None, ox.NamedNode("https://w3id.org/pcgraph/def#holder"), o, g):
        for q2 in s.quads_for_pattern(q.subject, None, None, g):
            triples.add((q2.subject, q2.predicate, q2.object))
            if isinstance(q2.object, ox.NamedNode) and ("/id/interval/" in q2.object.value): nodes.add(q2.object)
for o in orgs:
    for q in s.quads_for_pattern(o, ox.NamedNode("https://w3id.org/pcgraph/def#validDuring"), None, g): nodes.add(q.object)
for n in list(nodes):
    add_subject(n)
    for q in s.quads_for_pattern(n, None, None, g):
        if isinstance(q.object, ox.NamedNode) and "/id/instant/" in q.object.value: add_subject(q.object)
with open(out, "w") as fh:
    for a, b, c in triples:
        fh.write(f"{a} {b} {c} .\n")
print(f"{out}: {len(facts)} facts, {len(orgs)} orgs, {len(triples)} triples, {time.time()-t0:.1f}s")
