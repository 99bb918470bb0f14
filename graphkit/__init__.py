"""graphkit: the open knowledge graph of England's primary-care organisations.

The library turns real NHS files and curated inputs into an RDF dataset described by the
ontology in ``ontology/``, keeps it in a store (embedded Oxigraph by default, Neo4j for scale),
and answers questions about it as of any date.
"""

__version__ = "0.1.0"
