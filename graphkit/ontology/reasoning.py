"""OWL reasoners over the ontology, the W3C vocabularies it imports, and data: is it consistent, and is any
class unsatisfiable?

Two reasoners, both shipped inside owlready2 (pinned in constraints.txt), both run as Java programs:

- **Pellet**, through owlready2's ``sync_reasoner_pellet``. owlready2 0.51's Pellet class path holds classes
  compiled for Java 25, so it needs a Java 25 or newer: ``GRAPHKIT_JAVA`` names one, or the newest under
  /usr/lib/jvm is taken (this machine kind has Temurin 25 beside OpenJDK 17). Pellet reads xsd:date as it is.
- **HermiT**, through its own command line (consistency and unsatisfiable classes only: owlready2's
  ``sync_reasoner`` also classifies every individual, which takes minutes on data). HermiT accepts only OWL 2's
  datatypes, so data goes through :func:`owl2_view` (xsd:date as xsd:dateTime at midnight) first.

owlready2 reads N-Triples, not Turtle, and fetches what ``owl:imports`` names: :func:`closure_graph` parses
the Turtle files with rdflib and drops the imports, whose targets it reads from ontology/imports/.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import OWL, XSD

from graphkit.errors import GraphkitError

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
#: The ontology's files and the W3C vocabularies they reuse (copies, with their notice, in ontology/imports/).
CLOSURE_FILES = ("pcg.ttl", "pcg-import.ttl", "ods-codes.ttl", "imports/org.ttl", "imports/prov-o.ttl")
PELLET_JAVA = 25  # the oldest Java that runs owlready2 0.51's Pellet
HERMIT_JAVA = 8
JAVA_MEMORY_MB = 2000


class ReasonerUnavailable(GraphkitError, code="reasoner_unavailable", exit_code=6):
    """No Java that can run the reasoner, or the reasoner failed to run (not a verdict on the input)."""


@dataclass(frozen=True)
class Verdict:
    reasoner: str
    consistent: bool
    unsatisfiable: tuple[str, ...]  # IRIs of the named classes that can have no instance (owl:Nothing left out)
    explanation: str  # what the reasoner said when the input is inconsistent
    seconds: float


def closure_graph() -> Graph:
    """The ontology files and the imported W3C vocabularies in one graph, without owl:imports."""
    g = Graph()
    for name in CLOSURE_FILES:
        g.parse(ONTOLOGY_DIR / name, format="turtle")
    g.remove((None, OWL.imports, None))
    return g


def owl2_view(g: Graph) -> Graph:
    """``g`` with every xsd:date literal written as the xsd:dateTime of its midnight (no time zone), for HermiT,
    which refuses datatypes outside OWL 2's map."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.date:
            o = Literal(f"{o}T00:00:00", datatype=XSD.dateTime)
        out.add((s, p, o))
    return out


_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def write_ntriples(g: Graph, path: Path) -> Path:
    """``g`` as N-Triples, the typing triples (declarations) first, then the rest, each sorted. HermiT's parser (OWL
    API 3) reads an axiom by what it already knows of the terms: with rdflib's order, which changes with the blank
    nodes' labels, it once took a property for an annotation and missed an inconsistency (the control in
    tests/ontology/test_reasoning.py); declarations first gives the same answer every time."""
    lines = [line for line in g.serialize(format="nt", encoding="utf-8").splitlines() if line.strip()]
    declarations = sorted(line for line in lines if line.split(b" ", 2)[1] == _TYPE)
    rest = sorted(line for line in lines if line.split(b" ", 2)[1] != _TYPE)
    path.write_bytes(b"\n".join(declarations + rest) + b"\n")
    return path


@functools.cache
def java_major(exe: str) -> int | None:
    """The major version of the Java at ``exe`` (None when it does not run)."""
    try:
        out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if m is None:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def find_java(minimum: int) -> str:
    """A Java of version ``minimum`` or newer: ``GRAPHKIT_JAVA`` if set, else the newest of `java` on the PATH and
    /usr/lib/jvm/*/bin/java. ReasonerUnavailable names what was found."""
    named = os.environ.get("GRAPHKIT_JAVA")
    candidates = [named] if named else [c for c in [shutil.which("java"), *glob.glob("/usr/lib/jvm/*/bin/java")] if c]
    found = {c: java_major(c) for c in dict.fromkeys(candidates)}
    usable = sorted(((v, c) for c, v in found.items() if v is not None and v >= minimum), reverse=True)
    if not usable:
        seen = ", ".join(f"{c} ({v or 'does not run'})" for c, v in found.items()) or "none"
        where = "GRAPHKIT_JAVA" if named else "the PATH and /usr/lib/jvm"
        raise ReasonerUnavailable(f"the reasoner needs Java {minimum} or newer; {where} gave: {seen}. "
                                  "Set GRAPHKIT_JAVA to the java executable of a newer JDK.")
    return usable[0][1]


def pellet(files: Iterable[Path]) -> Verdict:
    """Pellet's verdict on the union of the N-Triples ``files`` (owlready2, a fresh world)."""
    import owlready2

    java = find_java(PELLET_JAVA)
    world = owlready2.World()
    for f in files:
        world.get_ontology(Path(f).resolve().as_uri()).load(format="ntriples")
    before = owlready2.JAVA_EXE, owlready2.JAVA_MEMORY
    owlready2.JAVA_EXE, owlready2.JAVA_MEMORY = java, JAVA_MEMORY_MB
    t = time.perf_counter()
    try:
        owlready2.sync_reasoner_pellet(world, infer_property_values=False, debug=0)
        unsat = tuple(sorted(c.iri for c in world.inconsistent_classes()))
        return Verdict("pellet", True, unsat, "", time.perf_counter() - t)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        return Verdict("pellet", False, (), str(exc)[-4000:], time.perf_counter() - t)
    except owlready2.OwlReadyJavaError as exc:
        raise ReasonerUnavailable(f"Pellet did not run: {str(exc)[-1500:]}") from None
    finally:
        owlready2.JAVA_EXE, owlready2.JAVA_MEMORY = before
        world.close()


def hermit(files: Iterable[Path]) -> Verdict:
    """HermiT's verdict (consistency, then the unsatisfiable classes) on the union of the N-Triples ``files``,
    which must use OWL 2 datatypes only (:func:`owl2_view`)."""
    import owlready2

    java = find_java(HERMIT_JAVA)
    jars = Path(owlready2.__file__).parent / "hermit"
    with tempfile.TemporaryDirectory(prefix="hermit-") as tmp:
        merged = Path(tmp) / "input.nt"
        with merged.open("wb") as out:
            for f in files:
                out.write(Path(f).read_bytes())
                out.write(b"\n")
        t = time.perf_counter()
        run = subprocess.run(
            [java, f"-Xmx{JAVA_MEMORY_MB}M", "-cp", f"{jars}{os.pathsep}{jars / 'HermiT.jar'}",
             "org.semanticweb.HermiT.cli.CommandLine", "-k", "-U", merged.as_uri()],
            capture_output=True, text=True, timeout=1800,
        )
        seconds = time.perf_counter() - t
    said = run.stdout + run.stderr
    if "InconsistentOntologyException" in said:
        return Verdict("hermit", False, (), said[:4000], seconds)
    if run.returncode != 0 or "is satisfiable" not in said:
        raise ReasonerUnavailable(f"HermiT did not run (exit {run.returncode}): {said[:1500]}")
    nothing = said.split("Classes equivalent to 'owl:Nothing':", 1)[1] if "owl:Nothing':" in said else ""
    unsat = tuple(sorted(line.strip() for line in nothing.splitlines()
                         if line.startswith("\t") and line.strip() != "owl:Nothing"))
    return Verdict("hermit", True, unsat, "", seconds)
