"""Case studies -> N-Quads, with the project's own importers, merge and emitter (run from the copy in /tmp/issue22/gk)."""
import time
from pathlib import Path
from graphkit.store.build import InputFile, read_all
from graphkit.ingest.merge import merge
from graphkit.rdf.emit import emit
t = time.time()
results = read_all([InputFile(Path("/tmp/issue22/gk/seeds/casestudies"))], None)
g = merge(results)
text = emit(g).text()
Path("/tmp/issue22/exp/casestudies-v1.nq").write_text(text)
print(len(text.splitlines()), "quads", f"{time.time()-t:.1f}s", len(g.organisations), "orgs", len(g.ties), "ties", len(g.events), "events")
