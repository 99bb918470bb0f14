"""Apply migrate-v1-to-v2.ru to N-Triples (loaded into the resolved graph) or N-Quads; write N-Triples (all graphs merged)."""
import sys, time, pyoxigraph as ox
src, out = sys.argv[1], sys.argv[2]
s = ox.Store()
R = ox.NamedNode("https://w3id.org/pcgraph/id/graph/resolved")
t0 = time.time()
if src.endswith(".nq"): s.bulk_load(path=src, format=ox.RdfFormat.N_QUADS)
else: s.bulk_load(path=src, format=ox.RdfFormat.N_TRIPLES, to_graph=R)
t1 = time.time()
s.update(open("/tmp/issue22/v2/migrate-v1-to-v2.ru").read())
t2 = time.time()
seen = set()
with open(out, "w") as fh:
    for q in s:
        t = (q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t); fh.write(f"{q.subject} {q.predicate} {q.object} .\n")
print(f"{out}: {len(seen)} triples; load {t1-t0:.1f}s, migrate {t2-t1:.1f}s")
