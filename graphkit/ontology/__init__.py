"""The ontology in code: the closed vocabulary (generated), SHACL, and the generated reference."""
