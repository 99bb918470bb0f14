"""The ontology in code: the closed vocabulary (generated), SHACL, and the generated reference."""

#: The ontology's IRI, and the major version of it that this code writes and reads (owl:versionInfo of
#: ontology/pcg.ttl; a test keeps the two in step). A store written with another major version is refused when
#: opened, with the way out (rebuild, or migrate: docs/ontology.md section 8).
ONTOLOGY_IRI = "https://w3id.org/pcgraph/def"
ONTOLOGY_MAJOR = 2
