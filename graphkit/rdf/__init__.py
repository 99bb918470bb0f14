"""Records and the merged view to RDF quads (emit), RDF back to records (read), RDF out of either store
(export), and validating files against the shapes (validate)."""
