"""Run Pellet or HermiT (through owlready2 0.51) over N-Triples files.

usage: reason.py pellet|hermit FILE.nt [FILE.nt ...]
Prints: consistent / inconsistent / Java error, the unsatisfiable classes, the wall time.
"""
import sys, time, os
import owlready2
from owlready2 import World, sync_reasoner_pellet, sync_reasoner_hermit, OwlReadyInconsistentOntologyError, OwlReadyJavaError

which, files = sys.argv[1], sys.argv[2:]
debug = int(os.environ.get("DEBUG", "1"))
owlready2.JAVA_MEMORY = int(os.environ.get("JAVA_MEMORY", "2000"))
if os.environ.get("JAVA"): owlready2.JAVA_EXE = os.environ["JAVA"]
world = World()
t0 = time.time()
for f in files:
    world.get_ontology("file://" + os.path.abspath(f)).load(format="ntriples")
t1 = time.time()
print(f"loaded {len(files)} files, {world.graph.execute('select count(*) from quads').fetchone()[0]} triples in {t1-t0:.1f}s", flush=True)
try:
    if which == "pellet":
        sync_reasoner_pellet(world, infer_property_values=False, debug=debug)
    else:
        sync_reasoner_hermit(world, infer_property_values=False, debug=debug,
                             ignore_unsupported_datatypes=bool(os.environ.get("IGNORE_DT")))
    unsat = sorted(c.iri for c in world.inconsistent_classes())
    print(f"RESULT {which}: consistent; unsatisfiable classes: {len(unsat)} {unsat[:20]}")
except OwlReadyInconsistentOntologyError as e:
    print(f"RESULT {which}: INCONSISTENT\n{str(e)[:6000]}")
except OwlReadyJavaError as e:
    print(f"RESULT {which}: JAVA ERROR\n{str(e)[:4000]}")
print(f"reasoner wall time {time.time()-t1:.1f}s")
